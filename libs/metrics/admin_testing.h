#pragma once

// Tests only (header, Boost.Beast): one HTTP request to an admin server on loopback, as
// Prometheus or a kubelet would send it.

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <string>

namespace candor::metrics::testing {

struct HttpReply {
  int status = 0;  // 0: no answer (refused, timed out)
  std::string content_type;
  std::string body;
};

// GET (or `verb`) http://127.0.0.1:<port><target>; gives up after 5 s. Never throws.
inline HttpReply HttpGet(int port, const std::string& target,
                         boost::beast::http::verb verb = boost::beast::http::verb::get) {
  namespace beast = boost::beast;
  namespace http = beast::http;
  try {
    boost::asio::io_context io;
    beast::tcp_stream stream(io);
    stream.expires_after(std::chrono::seconds(5));
    stream.connect(boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"),
                                                  static_cast<uint16_t>(port)));
    http::request<http::string_body> req(verb, target, 11);
    req.set(http::field::host, "127.0.0.1");
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 << 20);
    parser.skip(verb == http::verb::head);
    http::read(stream, buffer, parser);
    const auto& res = parser.get();
    return {static_cast<int>(res.result_int()), std::string(res[http::field::content_type]),
            res.body()};
  } catch (const std::exception&) {
    return {};
  }
}

}  // namespace candor::metrics::testing
