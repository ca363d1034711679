#include "libs/metrics/admin_server.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <optional>

#include "absl/strings/str_cat.h"
#include "libs/http/listener.h"

namespace candor::metrics {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

// A probe or a scrape sends a few hundred bytes of headers and no body.
constexpr uint32_t kHeaderLimit = 8 * 1024;
constexpr uint64_t kBodyLimit = 4 * 1024;
constexpr std::chrono::seconds kDeadline(5);

struct Answer {
  http::status status;
  std::string content_type;
  std::string body;
};

Answer Route(const http::request<http::string_body>& req, const AdminHandlers& handlers) {
  if (req.method() != http::verb::get && req.method() != http::verb::head) {
    return {http::status::method_not_allowed, "text/plain", "only GET and HEAD\n"};
  }
  std::string_view target(req.target().data(), req.target().size());
  target = target.substr(0, target.find('?'));  // Prometheus may add parameters; none matter
  if (target == "/metrics") {
    return {http::status::ok, handlers.metrics_content_type,
            handlers.metrics ? handlers.metrics() : std::string()};
  }
  if (target == "/healthz") return {http::status::ok, "text/plain", "ok\n"};
  if (target == "/readyz") {
    const absl::Status ready = handlers.ready ? handlers.ready() : absl::OkStatus();
    if (ready.ok()) return {http::status::ok, "text/plain", "ready\n"};
    return {http::status::service_unavailable, "text/plain",
            absl::StrCat("not ready: ", ready.message(), "\n")};
  }
  return {http::status::not_found, "text/plain", "not found: /metrics, /healthz, /readyz\n"};
}

// One connection: read one request, answer it, close.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, const AdminHandlers& handlers, std::atomic<int64_t>& requests)
      : stream_(std::move(socket)), handlers_(handlers), requests_(requests) {}

  void Run() {
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    parser_->body_limit(kBodyLimit);
    stream_.expires_after(kDeadline);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); });
  }

 private:
  void OnRead(beast::error_code ec) {
    if (ec) {
      // A timeout or a client that hung up gets nothing; a malformed request gets a 400.
      if (ec == http::error::end_of_stream || ec == beast::error::timeout) return Close();
      Answer bad{http::status::bad_request, "text/plain",
                 absl::StrCat("bad request: ", ec.message(), "\n")};
      return Write(bad, false);
    }
    const http::request<http::string_body>& req = parser_->get();
    Write(Route(req, handlers_), req.method() == http::verb::head);
  }

  void Write(const Answer& answer, bool head) {
    requests_.fetch_add(1);
    response_.result(answer.status);
    response_.set(http::field::server, "candor-admin");
    response_.set(http::field::content_type, answer.content_type);
    response_.set(http::field::connection, "close");
    response_.keep_alive(false);
    if (head) {
      response_.content_length(answer.body.size());
    } else {
      response_.body() = answer.body;
      response_.prepare_payload();
    }
    stream_.expires_after(kDeadline);
    if (head) {
      serializer_.emplace(response_);
      http::async_write_header(
          stream_, *serializer_,
          [self = shared_from_this()](beast::error_code, size_t) { self->Close(); });
      return;
    }
    http::async_write(stream_, response_,
                      [self = shared_from_this()](beast::error_code, size_t) { self->Close(); });
  }

  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;
  std::optional<http::response_serializer<http::string_body>> serializer_;
  const AdminHandlers& handlers_;
  std::atomic<int64_t>& requests_;
};

}  // namespace

struct AdminServer::Impl {
  asio::io_context io{1};
  tcp::acceptor acceptor{io};
  AdminHandlers handlers;

  void Accept(std::atomic<int64_t>& requests) {
    acceptor.async_accept([this, &requests](beast::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted) return;  // closed: stopping
      if (!ec) std::make_shared<Session>(std::move(socket), handlers, requests)->Run();
      Accept(requests);
    });
  }
};

absl::StatusOr<std::unique_ptr<AdminServer>> AdminServer::Start(const std::string& host, int port,
                                                                AdminHandlers handlers) {
  std::unique_ptr<AdminServer> server(new AdminServer());
  server->impl_ = std::make_unique<Impl>();
  Impl& impl = *server->impl_;
  impl.handlers = std::move(handlers);
  if (absl::Status s = candor::http::Listen(impl.acceptor, "admin", host, port); !s.ok()) {
    return s;
  }
  server->port_ = impl.acceptor.local_endpoint().port();
  impl.Accept(server->requests_);
  server->thread_ = std::thread([&impl] { impl.io.run(); });
  return server;
}

AdminServer::~AdminServer() {
  if (impl_ == nullptr) return;
  // Closing the acceptor on its own thread ends the accept loop; stop() drops open sessions.
  asio::post(impl_->io, [impl = impl_.get()] {
    beast::error_code ignored;
    impl->acceptor.close(ignored);
    impl->io.stop();
  });
  if (thread_.joinable()) thread_.join();
}

}  // namespace candor::metrics
