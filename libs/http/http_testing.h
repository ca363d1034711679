#pragma once

// Tests only (header, Boost.Beast): one HTTP/1.1 request to a server on loopback, on a connection
// of its own, with whatever method, headers and body the test needs.

#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace candor::http::testing {

struct HttpRequest {
  std::string method = "GET";
  std::string target = "/";
  std::vector<std::pair<std::string, std::string>> headers{};
  std::string body{};
  std::chrono::seconds timeout{10};  // for the connection and for each read
};

struct HttpResponse {
  int status = 0;                                // 0: no answer (refused, reset, timed out)
  std::map<std::string, std::string> headers{};  // lower-case names
  std::string body{};

  std::string header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

// Sends `r` to http://127.0.0.1:<port>; gives up after `r.timeout`. Never throws.
inline HttpResponse HttpCall(int port, const HttpRequest& r) {
  namespace beast = boost::beast;
  namespace bhttp = beast::http;
  try {
    boost::asio::io_context io;
    beast::tcp_stream stream(io);
    stream.expires_after(r.timeout);
    stream.connect(boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"),
                                                  static_cast<uint16_t>(port)));
    bhttp::request<bhttp::string_body> req(bhttp::string_to_verb(r.method), r.target, 11);
    req.set(bhttp::field::host, "127.0.0.1");
    for (const auto& [name, value] : r.headers) req.insert(name, value);
    if (!r.body.empty() || r.method == "POST" || r.method == "PUT") {
      req.body() = r.body;
      req.prepare_payload();
    }
    // The synchronous calls below ignore the stream's expiry: bound the wait on the socket.
    timeval tv{static_cast<time_t>(r.timeout.count()), 0};
    ::setsockopt(stream.socket().native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    bhttp::write(stream, req);
    beast::flat_buffer buffer;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(64 << 20);
    parser.skip(r.method == "HEAD");
    bhttp::read(stream, buffer, parser);
    const auto& res = parser.get();
    HttpResponse out;
    out.status = static_cast<int>(res.result_int());
    for (const auto& field : res) {
      std::string name(field.name_string());
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      out.headers[name] = std::string(field.value());
    }
    out.body = res.body();
    return out;
  } catch (const std::exception&) {
    return {};
  }
}

}  // namespace candor::http::testing
