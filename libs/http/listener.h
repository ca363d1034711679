#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace candor::http {

// Opens, binds and listens `acceptor` (not yet open) on `host`:`port`, the way every Candor HTTP
// endpoint does (the admin server, the REST front): port 0 picks a free one (read it back from
// acceptor.local_endpoint()), SO_REUSEADDR so a restart does not wait out TIME_WAIT.
// InvalidArgument for a port outside 0..65535 or a host that is not an IP address; Unavailable
// when the address cannot be bound. Messages start with `what` ("admin", "rest").
absl::Status Listen(boost::asio::ip::tcp::acceptor& acceptor, std::string_view what,
                    const std::string& host, int port);

}  // namespace candor::http
