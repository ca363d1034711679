#include "libs/http/listener.h"

#include "absl/strings/str_cat.h"

namespace candor::http {

absl::Status Listen(boost::asio::ip::tcp::acceptor& acceptor, std::string_view what,
                    const std::string& host, int port) {
  namespace asio = boost::asio;
  const absl::string_view name(what.data(), what.size());
  if (port < 0 || port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat(name, " port ", port, " is outside 0..65535"));
  }
  boost::system::error_code ec;
  const asio::ip::address address = asio::ip::make_address(host, ec);
  if (ec) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, " address '", host, "' is not an IP address"));
  }
  const asio::ip::tcp::endpoint endpoint(address, static_cast<uint16_t>(port));
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return absl::UnavailableError(
        absl::StrCat(name, " server cannot listen on ", host, ":", port, ": ", ec.message()));
  }
  return absl::OkStatus();
}

}  // namespace candor::http
