#pragma once

// Tests only (header): one HTTP request to an admin server on loopback, as Prometheus or a
// kubelet would send it, through libs/http's test client.

#include <boost/beast/http/verb.hpp>
#include <chrono>
#include <string>

#include "libs/http/http_testing.h"

namespace candor::metrics::testing {

struct HttpReply {
  int status = 0;  // 0: no answer (refused, timed out)
  std::string content_type;
  std::string body;
};

// GET (or `verb`) http://127.0.0.1:<port><target>; gives up after 5 s. Never throws.
inline HttpReply HttpGet(int port, const std::string& target,
                         boost::beast::http::verb verb = boost::beast::http::verb::get) {
  const candor::http::testing::HttpResponse r = candor::http::testing::HttpCall(
      port, {.method = std::string(boost::beast::http::to_string(verb)),
             .target = target,
             .timeout = std::chrono::seconds(5)});
  return {.status = r.status, .content_type = r.header("content-type"), .body = r.body};
}

}  // namespace candor::metrics::testing
