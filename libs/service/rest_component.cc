#include "libs/service/rest_component.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/core/log.h"

namespace candor::service {
namespace {

// "127.0.0.1:50051" -> "127.0.0.1", "[::1]:50051" -> "::1", "0.0.0.0:1" -> "0.0.0.0";
// "localhost:..." -> "127.0.0.1" (the server takes addresses, not names).
std::string HostOf(const std::string& listen) {
  std::string host = listen.substr(0, listen.rfind(':'));
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host.empty()) return "0.0.0.0";
  if (host == "localhost") return "127.0.0.1";
  return host;
}

std::vector<std::string> SplitOrigins(const std::string& list) {
  std::vector<std::string> out;
  for (absl::string_view o : absl::StrSplit(list, ',', absl::SkipWhitespace())) {
    out.emplace_back(absl::StripAsciiWhitespace(o));
  }
  return out;
}

}  // namespace

void RegisterRestFlags(core::Flags& f, const std::string& p, RestConfig* c, int64_t default_port) {
  c->port = default_port;
  f.AddInt("http-port", p + "HTTP_PORT", &c->port,
           "REST/JSON port (the routes of the protos' google.api.http options, and "
           "/openapi.json), on the host of --listen; 0 picks a free one (logged); -1: no REST",
           -1, 65535);
  f.AddInt("http-threads", p + "HTTP_THREADS", &c->threads,
           "threads serving REST connections (none blocks on a call)", 1, 64);
  f.AddInt("http-deadline-ms", p + "HTTP_DEADLINE_MS", &c->deadline_ms,
           "deadline of each REST request's call into the service (504 past it)", 1, 600000);
  f.AddInt("http-idle-timeout-s", p + "HTTP_IDLE_TIMEOUT_S", &c->idle_timeout_s,
           "seconds a kept-alive REST connection may idle before it is closed", 1, 3600);
  f.AddString("cors-origins", p + "CORS_ORIGINS", &c->cors_origins,
              "comma-separated origins browsers may call the REST API from (CORS), e.g. "
              "https://shop.example; '*' any; empty: CORS off");
}

absl::Status ValidateRestConfig(const RestConfig& c) {
  for (const std::string& origin : SplitOrigins(c.cors_origins)) {
    if (origin == "*") continue;
    const bool scheme = absl::StartsWith(origin, "http://") || absl::StartsWith(origin, "https://");
    const size_t after = origin.find("://") + 3;
    if (!scheme || origin.size() == after || origin.find('/', after) != std::string::npos) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--cors-origins: '", origin, "' is not an origin (scheme://host[:port], or '*')"));
    }
  }
  return absl::OkStatus();
}

rest::ServerOptions RestOptionsOf(const RestConfig& rest, const GrpcConfig& grpc) {
  rest::ServerOptions o;
  o.host = HostOf(grpc.listen);
  o.port = static_cast<int>(rest.port);
  o.threads = static_cast<int>(rest.threads);
  o.deadline = absl::Milliseconds(rest.deadline_ms);
  o.idle_timeout = absl::Seconds(rest.idle_timeout_s);
  o.max_body_bytes = static_cast<size_t>(grpc.max_request_bytes);
  o.cors_origins = SplitOrigins(rest.cors_origins);
  o.drain_grace = absl::Milliseconds(grpc.drain_grace_ms);
  o.drain_timeout = absl::Milliseconds(grpc.drain_timeout_ms);
  return o;
}

absl::Status RestComponent::Start() {
  absl::StatusOr<rest::RouteTable> routes = rest::RouteTable::FromServiceNames(services_);
  if (!routes.ok()) return routes.status();
  std::shared_ptr<grpc::Channel> channel = grpc_.host().InProcessChannel();
  if (channel == nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat(name_, " needs its gRPC server started first"));
  }
  const size_t route_count = routes->routes().size();
  absl::StatusOr<std::unique_ptr<rest::Server>> server =
      rest::Server::Start(options_, *std::move(routes), std::move(channel), &metrics_);
  if (!server.ok()) return server.status();
  server_ = *std::move(server);
  spdlog::info("{} listening on {}:{} (port {}): {} routes{}", name_, options_.host, options_.port,
               server_->port(), route_count,
               options_.openapi_json.empty() ? "" : ", /openapi.json");
  return absl::OkStatus();
}

void RestComponent::PrepareStop() {
  if (server_ != nullptr) server_->StartDraining();
}

void RestComponent::Stop() {
  if (server_ != nullptr) server_->Stop();
}

}  // namespace candor::service
