#include "libs/rest/rest_server.h"

#include <google/protobuf/message.h>
#include <grpcpp/client_context.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/support/byte_buffer.h>
#include <grpcpp/support/stub_options.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "libs/http/listener.h"
#include "libs/rest/peer.h"
#include "libs/rest/status_http.h"

namespace candor::rest {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace pb = google::protobuf;
using tcp = asio::ip::tcp;

// A browser sends a few KiB of headers (cookies); a JWT is under 1 KiB.
constexpr uint32_t kHeaderLimit = 16 * 1024;
constexpr char kOpenApiPath[] = "/openapi.json";
constexpr char kUnmatched[] = "unmatched";
constexpr char kJson[] = "application/json";

// absl here is older than its std::string_view alias: StrCat takes absl::string_view.
absl::string_view A(std::string_view s) { return {s.data(), s.size()}; }

std::chrono::steady_clock::duration ToChrono(absl::Duration d) {
  return absl::ToChronoNanoseconds(d);
}

// The TCP peer in gRPC's peer syntax, so the service reads REST and gRPC clients alike.
std::string PeerString(const tcp::socket& socket) {
  beast::error_code ec;
  const tcp::endpoint ep = socket.remote_endpoint(ec);
  if (ec) return "";
  asio::ip::address address = ep.address();
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    address = asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
  }
  if (address.is_v4()) return absl::StrCat("ipv4:", address.to_string(), ":", ep.port());
  return absl::StrCat("ipv6:[", address.to_string(), "]:", ep.port());
}

std::string ByteBufferToString(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  std::string out;
  if (!buffer.Dump(&slices).ok()) return out;
  out.reserve(buffer.Length());
  for (const grpc::Slice& s : slices) {
    out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  return out;
}

bool IsJsonMediaType(std::string_view content_type) {
  std::string_view media = content_type.substr(0, content_type.find(';'));
  const std::string lower = absl::AsciiStrToLower(
      absl::StripAsciiWhitespace(absl::string_view(media.data(), media.size())));
  return lower == kJson;
}

}  // namespace

absl::Status ServerOptions::Check() const {
  if (threads < 1 || threads > 64) {
    return absl::InvalidArgumentError(absl::StrCat("rest threads ", threads, " outside 1..64"));
  }
  if (deadline <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("rest deadline must be positive");
  }
  if (idle_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("rest idle timeout must be positive");
  }
  if (max_body_bytes < 1024) {
    return absl::InvalidArgumentError("rest max body bytes must be at least 1024");
  }
  if (drain_grace < absl::ZeroDuration() || drain_timeout < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("rest drain durations must not be negative");
  }
  for (const std::string& origin : cors_origins) {
    if (origin.empty() || absl::StrContains(origin, ',') ||
        absl::StripAsciiWhitespace(origin) != origin) {
      return absl::InvalidArgumentError(
          absl::StrCat("CORS origin '", origin, "' is not an origin"));
    }
  }
  return absl::OkStatus();
}

struct Server::Impl {
  Impl(ServerOptions o, RouteTable r, std::shared_ptr<grpc::Channel> c,
       metrics::HttpRouteMetrics* m)
      : options(std::move(o)),
        routes(std::move(r)),
        channel(std::move(c)),
        stub(channel),
        metrics(m),
        io(options.threads) {}

  const ServerOptions options;
  const RouteTable routes;
  std::shared_ptr<grpc::Channel> channel;
  grpc::GenericStub stub;
  metrics::HttpRouteMetrics* metrics;

  std::atomic<bool> draining{false};
  std::mutex mu;
  std::condition_variable calls_done;
  std::set<grpc::ClientContext*> calls;  // guarded by mu: in flight, for cancelling
  int busy = 0;  // guarded by mu: requests read and not yet answered (written or failed)
  std::optional<absl::Time> drain_started;  // guarded by mu

  // Declared after what sessions use: destroyed first (with every session it still holds).
  asio::io_context io;
  // Keeps the threads in io.run() while nothing but a gRPC call is pending (a session waiting
  // for its answer has no I/O queued), until Stop: the answer is posted here.
  asio::executor_work_guard<asio::io_context::executor_type> work = asio::make_work_guard(io);
  tcp::acceptor acceptor{io};
  std::vector<std::thread> threads;

  bool AllowsOrigin(std::string_view origin) const {
    for (const std::string& allowed : options.cors_origins) {
      if (allowed == "*" || allowed == origin) return true;
    }
    return false;
  }
  void Accept();
  void BeginRequest() {
    std::lock_guard lock(mu);
    ++busy;
  }
  void EndRequest() {
    std::lock_guard lock(mu);
    --busy;
    calls_done.notify_all();
  }
};

namespace {

// One client connection: requests read one after the other (keep-alive), each handed to gRPC,
// its answer written from the gRPC callback by way of the connection's strand.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, Server::Impl& impl)
      : peer_(PeerString(socket)), stream_(std::move(socket)), impl_(impl) {}

  void Run() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->Read(); });
  }

 private:
  struct Answer {
    http::status status = http::status::ok;
    std::string body;
    std::vector<std::pair<http::field, std::string>> headers;
  };

  void Read() {
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    parser_->body_limit(impl_.options.max_body_bytes);
    stream_.expires_after(ToChrono(impl_.options.idle_timeout));
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); });
  }

  void OnRead(beast::error_code ec) {
    if (ec) {
      started_ = absl::Now();
      route_ = kUnmatched;
      keep_alive_ = false;
      method_ = parser_->is_header_done() ? std::string(parser_->get().method_string()) : "";
      if (ec == http::error::body_limit) {
        impl_.BeginRequest();
        return Write(Error(
            http::status::payload_too_large, grpc::StatusCode::RESOURCE_EXHAUSTED,
            absl::StrCat("request body is larger than ", impl_.options.max_body_bytes, " bytes")));
      }
      if (ec == http::error::header_limit) {
        impl_.BeginRequest();
        return Write(Error(
            http::status::request_header_fields_too_large, grpc::StatusCode::RESOURCE_EXHAUSTED,
            absl::StrCat("request headers are larger than ", kHeaderLimit, " bytes")));
      }
      // A malformed request is answered; a client that hung up or went quiet is not.
      if (ec.category() == beast::error_code(http::error::end_of_stream).category() &&
          ec != http::error::end_of_stream && ec != http::error::partial_message) {
        impl_.BeginRequest();
        return Write(Error(http::status::bad_request, grpc::StatusCode::INVALID_ARGUMENT,
                           absl::StrCat("malformed HTTP request: ", ec.message())));
      }
      return Close();
    }
    Handle(parser_->get());
  }

  Answer Error(http::status status, grpc::StatusCode code, std::string_view message) {
    return {status, ErrorBody(static_cast<int>(status), code, message), {}};
  }

  void Handle(const http::request<http::string_body>& req) {
    impl_.BeginRequest();
    started_ = absl::Now();
    method_ = std::string(req.method_string());
    keep_alive_ = req.keep_alive();
    route_ = kUnmatched;
    const std::string_view target(req.target().data(), req.target().size());
    const size_t q = target.find('?');
    const std::string_view path = target.substr(0, q);
    const std::string_view query = q == std::string_view::npos ? "" : target.substr(q + 1);
    allowed_origin_.clear();
    const std::string_view origin(req[http::field::origin].data(), req[http::field::origin].size());
    const bool cors = !impl_.options.cors_origins.empty();
    if (cors && !origin.empty() && impl_.AllowsOrigin(origin))
      allowed_origin_ = std::string(origin);

    if (path == kOpenApiPath && !impl_.options.openapi_json.empty()) {
      route_ = kOpenApiPath;
      if (req.method() != http::verb::get) {
        Answer a = Error(http::status::method_not_allowed, grpc::StatusCode::UNIMPLEMENTED,
                         absl::StrCat(method_, " ", A(path), ": only GET"));
        a.headers.emplace_back(http::field::allow, "GET");
        return Write(std::move(a));
      }
      return Write({http::status::ok, impl_.options.openapi_json, {}});
    }
    if (req.method() == http::verb::options && cors) return Preflight(req, path, origin);

    RouteTable::Match match = impl_.routes.Find(method_, path);
    if (match.outcome == RouteTable::Outcome::kNotFound) {
      return Write(Error(http::status::not_found, grpc::StatusCode::NOT_FOUND,
                         absl::StrCat("no route for ", method_, " ", A(path))));
    }
    if (match.outcome == RouteTable::Outcome::kMethodNotAllowed) {
      const std::string allowed = absl::StrJoin(match.allowed, ", ");
      Answer a =
          Error(http::status::method_not_allowed, grpc::StatusCode::UNIMPLEMENTED,
                absl::StrCat(method_, " is not allowed on ", A(path), "; allowed: ", allowed));
      a.headers.emplace_back(http::field::allow, allowed);
      return Write(std::move(a));
    }
    const Route& route = *match.route;
    route_ = route.pattern;
    const auto content_type = req[http::field::content_type];
    if (!req.body().empty() && !content_type.empty() &&
        !IsJsonMediaType(std::string_view(content_type.data(), content_type.size()))) {
      return Write(
          Error(http::status::unsupported_media_type, grpc::StatusCode::INVALID_ARGUMENT,
                absl::StrCat("Content-Type must be application/json, not '",
                             absl::string_view(content_type.data(), content_type.size()), "'")));
    }
    const pb::Message* prototype =
        pb::MessageFactory::generated_factory()->GetPrototype(route.method->input_type());
    std::unique_ptr<pb::Message> request(prototype->New());
    if (absl::Status s = BindRequest(route, match.bindings, query, req.body(), request.get());
        !s.ok()) {
      return Write(Error(http::status::bad_request, grpc::StatusCode::INVALID_ARGUMENT,
                         std::string_view(s.message().data(), s.message().size())));
    }
    Call(route, req, *request);
  }

  void Preflight(const http::request<http::string_body>& req, std::string_view path,
                 std::string_view origin) {
    const auto wanted = req[http::field::access_control_request_method];
    RouteTable::Match match =
        impl_.routes.Find(std::string_view(wanted.data(), wanted.size()), path);
    if (match.outcome == RouteTable::Outcome::kMatched) route_ = match.route->pattern;
    if (allowed_origin_.empty()) {
      return Write(Error(http::status::forbidden, grpc::StatusCode::PERMISSION_DENIED,
                         absl::StrCat("origin '", A(origin), "' is not allowed (--cors-origins)")));
    }
    if (match.outcome == RouteTable::Outcome::kNotFound) {
      return Write(Error(http::status::not_found, grpc::StatusCode::NOT_FOUND,
                         absl::StrCat("no route for ", A(path))));
    }
    std::vector<std::string> methods = match.allowed;
    if (match.outcome == RouteTable::Outcome::kMatched) methods.push_back(match.route->http_method);
    Answer a{http::status::no_content, "", {}};
    a.headers.emplace_back(http::field::access_control_allow_methods, absl::StrJoin(methods, ", "));
    a.headers.emplace_back(http::field::access_control_allow_headers,
                           "authorization, content-type, x-request-id");
    a.headers.emplace_back(http::field::access_control_max_age, "600");
    Write(std::move(a));
  }

  void Call(const Route& route, const http::request<http::string_body>& req,
            const pb::Message& request) {
    route_ptr_ = &route;
    std::string bytes;
    request.SerializeToString(&bytes);
    grpc::Slice slice(bytes);
    request_buffer_ = grpc::ByteBuffer(&slice, 1);
    response_buffer_.Clear();
    context_ = std::make_unique<grpc::ClientContext>();
    context_->set_deadline(std::chrono::system_clock::now() +
                           absl::ToChronoNanoseconds(impl_.options.deadline));
    for (auto [it, end] = req.equal_range(http::field::authorization); it != end; ++it) {
      context_->AddMetadata("authorization", std::string(it->value()));
    }
    for (auto [it, end] = req.equal_range("x-forwarded-for"); it != end; ++it) {
      context_->AddMetadata("x-forwarded-for", std::string(it->value()));
    }
    // The gate checks it (rpc::RequestId), logs it with the call and echoes it when valid.
    if (auto it = req.find("x-request-id"); it != req.end()) {
      context_->AddMetadata("x-request-id", std::string(it->value()));
    }
    context_->AddMetadata(kPeerMetadata, peer_);
    {
      std::lock_guard lock(impl_.mu);
      impl_.calls.insert(context_.get());
    }
    impl_.stub.UnaryCall(context_.get(), route.grpc_method, grpc::StubOptions(), &request_buffer_,
                         &response_buffer_, [self = shared_from_this()](grpc::Status status) {
                           // Under the lock, so Stop sees no call in flight only once every
                           // answer is queued on the io_context it is about to stop.
                           std::lock_guard lock(self->impl_.mu);
                           asio::post(
                               self->stream_.get_executor(),
                               [self, status = std::move(status)] { self->OnCallDone(status); });
                           self->impl_.calls.erase(self->context_.get());
                           self->impl_.calls_done.notify_all();
                         });
  }

  void OnCallDone(const grpc::Status& status) {
    const auto& initial = context_->GetServerInitialMetadata();
    if (auto it = initial.find("x-request-id"); it != initial.end()) {
      request_id_.assign(it->second.data(), it->second.size());
    }
    if (!status.ok()) {
      HttpError e = ErrorOf(status);
      Answer a{static_cast<http::status>(e.status), std::move(e.body), {}};
      if (e.retry_after_s)
        a.headers.emplace_back(http::field::retry_after, absl::StrCat(*e.retry_after_s));
      return Write(std::move(a));
    }
    const pb::Message* prototype =
        pb::MessageFactory::generated_factory()->GetPrototype(route_ptr_->method->output_type());
    std::unique_ptr<pb::Message> response(prototype->New());
    if (!response->ParseFromString(ByteBufferToString(response_buffer_))) {
      return Write(Error(http::status::internal_server_error, grpc::StatusCode::INTERNAL,
                         "the service's answer could not be decoded"));
    }
    Write({http::status::ok, ToJson(*response), {}});
  }

  void Write(Answer answer) {
    const bool keep = keep_alive_ && !impl_.draining.load();
    response_ = {};
    response_.version(11);
    response_.result(answer.status);
    response_.set(http::field::server, "candor-rest");
    if (!answer.body.empty()) response_.set(http::field::content_type, kJson);
    for (auto& [field, value] : answer.headers) response_.set(field, value);
    if (!request_id_.empty()) response_.set("X-Request-Id", std::exchange(request_id_, {}));
    if (!impl_.options.cors_origins.empty()) {
      response_.set(http::field::vary, "Origin");
      if (!allowed_origin_.empty()) {
        response_.set(http::field::access_control_allow_origin, allowed_origin_);
        response_.set(http::field::access_control_expose_headers, "Retry-After, X-Request-Id");
      }
    }
    response_.keep_alive(keep);
    response_.body() = std::move(answer.body);
    response_.prepare_payload();
    if (impl_.metrics != nullptr) {
      impl_.metrics->OnRequestDone(route_, method_, static_cast<int>(answer.status),
                                   absl::Now() - started_);
    }
    stream_.expires_after(ToChrono(impl_.options.idle_timeout));
    http::async_write(stream_, response_,
                      [self = shared_from_this(), keep](beast::error_code ec, size_t) {
                        self->impl_.EndRequest();
                        if (ec || !keep) return self->Close();
                        self->Read();
                      });
  }

  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  const std::string peer_;
  beast::tcp_stream stream_;
  Server::Impl& impl_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;
  // The request being answered.
  absl::Time started_;
  std::string method_;
  std::string route_ = kUnmatched;  // the metrics label
  std::string allowed_origin_;
  bool keep_alive_ = false;
  const Route* route_ptr_ = nullptr;
  std::string request_id_;  // the gate's echo of a valid X-Request-Id, for the next answer
  std::unique_ptr<grpc::ClientContext> context_;
  grpc::ByteBuffer request_buffer_;
  grpc::ByteBuffer response_buffer_;
};

}  // namespace

void Server::Impl::Accept() {
  acceptor.async_accept(asio::make_strand(io), [this](beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted) return;  // closed: stopping
    if (!ec) {
      socket.set_option(tcp::no_delay(true), ec);
      std::make_shared<Session>(std::move(socket), *this)->Run();
    }
    Accept();
  });
}

absl::StatusOr<std::unique_ptr<Server>> Server::Start(ServerOptions options, RouteTable routes,
                                                      std::shared_ptr<grpc::Channel> channel,
                                                      metrics::HttpRouteMetrics* metrics) {
  if (absl::Status s = options.Check(); !s.ok()) return s;
  if (channel == nullptr) return absl::InvalidArgumentError("rest server needs a gRPC channel");
  std::unique_ptr<Server> server(new Server());
  server->impl_ =
      std::make_unique<Impl>(std::move(options), std::move(routes), std::move(channel), metrics);
  Impl& impl = *server->impl_;
  if (absl::Status s =
          candor::http::Listen(impl.acceptor, "rest", impl.options.host, impl.options.port);
      !s.ok()) {
    server->stopped_ = true;
    return s;
  }
  server->port_ = impl.acceptor.local_endpoint().port();
  impl.Accept();
  for (int i = 0; i < impl.options.threads; ++i) {
    impl.threads.emplace_back([&impl] { impl.io.run(); });
  }
  return server;
}

const RouteTable& Server::routes() const { return impl_->routes; }

Server::~Server() { Stop(); }

void Server::StartDraining() {
  if (impl_ == nullptr) return;
  std::lock_guard lock(impl_->mu);
  if (!impl_->drain_started) impl_->drain_started = absl::Now();
  impl_->draining = true;
}

void Server::Stop() {
  if (impl_ == nullptr || stopped_.exchange(true)) return;
  StartDraining();
  Impl& impl = *impl_;
  absl::Time grace_end;
  {
    std::lock_guard lock(impl.mu);
    grace_end = *impl.drain_started + impl.options.drain_grace;
  }
  absl::SleepFor(grace_end - absl::Now());
  asio::post(impl.io, [&impl] {
    beast::error_code ignored;
    impl.acceptor.close(ignored);
  });
  {
    // Requests in flight get drain_timeout to be answered; past it their calls are cancelled
    // (gRPC then calls back at once) and what is still unwritten gets a last second. Every gRPC
    // callback must have run before the io_context stops: they post to it.
    std::unique_lock lock(impl.mu);
    const auto until = std::chrono::steady_clock::now() + ToChrono(impl.options.drain_timeout);
    if (!impl.calls_done.wait_until(lock, until, [&] { return impl.busy == 0; })) {
      for (grpc::ClientContext* call : impl.calls) call->TryCancel();
      impl.calls_done.wait_for(lock, std::chrono::seconds(1), [&] { return impl.busy == 0; });
    }
    impl.calls_done.wait(lock, [&] { return impl.calls.empty(); });
  }
  impl.io.stop();
  for (std::thread& t : impl.threads) t.join();
  impl.threads.clear();
}

}  // namespace candor::rest
