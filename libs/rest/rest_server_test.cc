// The REST front on loopback in front of a real rpc::ServiceHost serving the test-only
// ProbeService through its in-process channel: routes from the proto's annotations, the gate's
// answers as HTTP statuses with JSON bodies, the front's own errors (404, 405, 400, 413, 415),
// CORS, deadlines, the peer hand-over, /openapi.json and the route metrics.

#include "libs/rest/rest_server.h"

#include <nlohmann/json.hpp>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "candor/testing/v1/probe_service.grpc.pb.h"
#include "gtest/gtest.h"
#include "libs/auth/jwt.h"
#include "libs/core/error.h"
#include "libs/http/http_testing.h"
#include "libs/metrics/prometheus_registry.h"
#include "libs/rest/peer.h"
#include "libs/rpc/probe_testing.h"
#include "libs/rpc/service_host.h"

namespace candor::rest {
namespace {

namespace tv1 = candor::testing::v1;
using http::testing::HttpCall;
using http::testing::HttpRequest;
using http::testing::HttpResponse;

constexpr char kSecret[] = "rest-server-test-secret-0123456789";

std::string Bearer(const std::string& subject, const std::string& role) {
  return rpc::ProbeBearer(subject, role, kSecret);
}

// ModeratorOnly for moderators; Echo for every role: fails with `fail_code` when set (8 with a
// 41.5 s retry hint, 13 with internals the client must not see), holds the call with `hold`,
// else answers the caller and, as payload, the transport peer and x-forwarded-for it saw.
class Probe final : public rpc::GatedProbe {
 public:
  Probe() : GatedProbe(rpc::ProbeVerifier(kSecret)) {}

  grpc::ServerUnaryReactor* Echo(grpc::CallbackServerContext* ctx, const tv1::ProbeRequest* request,
                                 tv1::ProbeResponse* response) override {
    rpc::Call call = BeginEcho(ctx);
    absl::StatusOr<auth::Claims> caller = call.Authorize();
    if (!caller.ok()) return call.Finish(caller.status());
    if (request->fail_code() == 8) {
      return call.Finish(core::WithRetryDelay(absl::ResourceExhaustedError("too many probes"),
                                              absl::Milliseconds(41500)));
    }
    if (request->fail_code() == 13) {
      return call.Finish(absl::InternalError("postgres 10.0.0.7:5432: connection refused"));
    }
    if (request->fail_code() != 0) {
      return call.Finish(absl::Status(static_cast<absl::StatusCode>(request->fail_code()),
                                      absl::StrCat("probe failed with ", request->fail_code())));
    }
    response->set_subject(caller->subject);
    std::string seen = TransportPeer(*ctx);
    auto [b, e] = ctx->client_metadata().equal_range("x-forwarded-for");
    for (auto it = b; it != e; ++it) {
      absl::StrAppend(&seen, "|", absl::string_view(it->second.data(), it->second.size()));
    }
    response->set_payload(seen);
    if (request->hold()) return Hold(call);
    return call.Finish(absl::OkStatus());
  }
};

class RestServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    host_.AddService(&probe_, probe_.gate());
    ASSERT_TRUE(host_.Start().ok());
  }
  void TearDown() override {
    probe_.ReleaseAll();
    server_.reset();
  }

  void StartRest(ServerOptions o = {}) {
    const std::vector<std::string> names = {"candor.testing.v1.ProbeService"};
    absl::StatusOr<RouteTable> routes = RouteTable::FromServiceNames(names);
    ASSERT_TRUE(routes.ok()) << routes.status();
    if (o.openapi_json.empty()) o.openapi_json = R"({"swagger":"2.0"})";
    absl::StatusOr<std::unique_ptr<Server>> s =
        Server::Start(o, *std::move(routes), host_.InProcessChannel(), &route_metrics_);
    ASSERT_TRUE(s.ok()) << s.status();
    server_ = *std::move(s);
  }

  HttpResponse Send(HttpRequest r) { return HttpCall(server_->port(), r); }
  HttpResponse Get(const std::string& target, const std::string& bearer = "") {
    HttpRequest r{.method = "GET", .target = target};
    if (!bearer.empty()) r.headers.emplace_back("Authorization", bearer);
    return Send(r);
  }
  HttpResponse Post(const std::string& target, const std::string& body,
                    const std::string& bearer = Bearer("shopper-1", "customer"),
                    const std::string& content_type = "application/json") {
    HttpRequest r{.method = "POST", .target = target, .body = body};
    r.headers.emplace_back("Authorization", bearer);
    if (!content_type.empty()) r.headers.emplace_back("Content-Type", content_type);
    return Send(r);
  }
  static nlohmann::json Json(const HttpResponse& r) {
    return nlohmann::json::parse(r.body, nullptr, /*allow_exceptions=*/false);
  }

  Probe probe_;
  rpc::ServiceHost host_{rpc::ServerOptions{}};
  metrics::PrometheusRegistry registry_;
  metrics::HttpRouteMetrics route_metrics_{registry_};
  std::unique_ptr<Server> server_;
};

TEST_F(RestServerTest, AnnotatedRoutesAnswerThroughTheGate) {
  StartRest();
  HttpResponse ok = Get("/v1/probe/moderator", Bearer("mod-1", "moderator"));
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.header("content-type"), "application/json");
  EXPECT_EQ(Json(ok)["subject"], "mod-1");

  HttpResponse denied = Get("/v1/probe/moderator", Bearer("shopper-1", "customer"));
  EXPECT_EQ(denied.status, 403);
  EXPECT_EQ(Json(denied)["status"], "PERMISSION_DENIED");
  EXPECT_NE(Json(denied)["message"].get<std::string>().find("requires role 'moderator'"),
            std::string::npos);

  HttpResponse anonymous = Get("/v1/probe/moderator");
  EXPECT_EQ(anonymous.status, 401);
  EXPECT_EQ(Json(anonymous)["code"], 401);
  EXPECT_EQ(Json(anonymous)["status"], "UNAUTHENTICATED");

  HttpResponse echo = Post("/v1/probe/echo", R"({"response_bytes": 0})");
  ASSERT_EQ(echo.status, 200) << echo.body;
  EXPECT_EQ(Json(echo)["subject"], "shopper-1");
}

TEST_F(RestServerTest, AValidRequestIdIsEchoedAndAForgedOneIgnored) {
  StartRest();
  HttpRequest r{.method = "POST", .target = "/v1/probe/echo", .body = R"({"fail_code":14})"};
  r.headers.emplace_back("Authorization", Bearer("shopper-1", "customer"));
  r.headers.emplace_back("Content-Type", "application/json");
  r.headers.emplace_back("X-Request-Id", "app-7f3a");
  HttpResponse failed = Send(r);
  EXPECT_EQ(failed.status, 503) << failed.body;
  EXPECT_EQ(failed.header("x-request-id"), "app-7f3a");

  r.headers.back().second = "two words";
  r.body = R"({"response_bytes": 0})";
  HttpResponse ok = Send(r);
  EXPECT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.header("x-request-id"), "");
}

TEST_F(RestServerTest, GrpcCodesBecomeHttpStatusesWithTheSameMessage) {
  StartRest();
  const std::vector<std::pair<int, int>> cases = {{3, 400},  {5, 404},  {6, 409}, {9, 400},
                                                  {10, 409}, {14, 503}, {4, 504}};
  for (const auto& [code, http] : cases) {
    HttpResponse r = Post("/v1/probe/echo", absl::StrCat(R"({"fail_code":)", code, "}"));
    EXPECT_EQ(r.status, http) << code << " " << r.body;
    if (code != 14 && code != 4) {  // server faults: ToGrpc's client-safe text
      EXPECT_EQ(Json(r)["message"], absl::StrCat("probe failed with ", code));
    }
  }
  // Through a path variable (the additional GET binding) too.
  EXPECT_EQ(Get("/v1/probe/echo/5", Bearer("s", "customer")).status, 404);

  HttpResponse limited = Post("/v1/probe/echo", R"({"fail_code":8})");
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.header("retry-after"), "42");
  EXPECT_EQ(Json(limited)["status"], "RESOURCE_EXHAUSTED");
  EXPECT_EQ(Json(limited)["message"], "too many probes");

  // A server fault keeps its internals to the log, as over gRPC.
  HttpResponse fault = Post("/v1/probe/echo", R"({"fail_code":13})");
  EXPECT_EQ(fault.status, 500);
  EXPECT_EQ(fault.body.find("10.0.0.7"), std::string::npos) << fault.body;
}

TEST_F(RestServerTest, FrontErrors) {
  StartRest({.max_body_bytes = 2048});
  HttpResponse missing = Get("/v1/nothing/here");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(Json(missing)["status"], "NOT_FOUND");
  EXPECT_EQ(Json(missing)["message"], "no route for GET /v1/nothing/here");

  HttpResponse wrong = Send({.method = "DELETE", .target = "/v1/probe/echo"});
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(wrong.header("allow"), "POST");

  HttpResponse bad = Post("/v1/probe/echo", "{\"hold\": tru");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(Json(bad)["status"], "INVALID_ARGUMENT");
  EXPECT_NE(Json(bad)["message"].get<std::string>().find("request body"), std::string::npos);

  HttpResponse unknown = Post("/v1/probe/echo", R"({"colour":"red"})");
  EXPECT_EQ(unknown.status, 400);
  EXPECT_NE(Json(unknown)["message"].get<std::string>().find("colour"), std::string::npos);

  HttpResponse query = Get("/v1/probe/echo/1?hold=perhaps", Bearer("s", "customer"));
  EXPECT_EQ(query.status, 400);
  EXPECT_NE(Json(query)["message"].get<std::string>().find("hold"), std::string::npos);

  HttpResponse text = Post("/v1/probe/echo", "{}", Bearer("s", "customer"), "text/plain");
  EXPECT_EQ(text.status, 415);

  HttpResponse big =
      Post("/v1/probe/echo", absl::StrCat(R"({"payload":")", std::string(4000, 'A'), "\"}"));
  EXPECT_EQ(big.status, 413);
  EXPECT_EQ(Json(big)["message"], "request body is larger than 2048 bytes");
  // The server still answers after all of that.
  EXPECT_EQ(Post("/v1/probe/echo", "{}").status, 200);
}

TEST_F(RestServerTest, CorsOffByDefault) {
  StartRest();
  HttpRequest preflight{.method = "OPTIONS", .target = "/v1/probe/echo"};
  preflight.headers = {{"Origin", "https://shop.example"},
                       {"Access-Control-Request-Method", "POST"}};
  HttpResponse r = Send(preflight);
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.header("access-control-allow-origin"), "");
  HttpRequest get{.method = "GET", .target = "/v1/probe/moderator"};
  get.headers = {{"Origin", "https://shop.example"}};
  EXPECT_EQ(Send(get).header("access-control-allow-origin"), "");
}

TEST_F(RestServerTest, CorsAllowsTheListedOrigins) {
  StartRest({.cors_origins = {"https://shop.example"}});
  HttpRequest preflight{.method = "OPTIONS", .target = "/v1/probe/echo"};
  preflight.headers = {{"Origin", "https://shop.example"},
                       {"Access-Control-Request-Method", "POST"},
                       {"Access-Control-Request-Headers", "authorization, content-type"}};
  HttpResponse ok = Send(preflight);
  EXPECT_EQ(ok.status, 204);
  EXPECT_EQ(ok.header("access-control-allow-origin"), "https://shop.example");
  EXPECT_EQ(ok.header("access-control-allow-methods"), "POST");
  EXPECT_NE(ok.header("access-control-allow-headers").find("authorization"), std::string::npos);

  preflight.headers[0].second = "https://evil.example";
  HttpResponse refused = Send(preflight);
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(refused.header("access-control-allow-origin"), "");

  HttpRequest get{.method = "GET", .target = "/v1/probe/moderator"};
  get.headers = {{"Origin", "https://shop.example"}, {"Authorization", Bearer("m", "moderator")}};
  HttpResponse simple = Send(get);
  EXPECT_EQ(simple.status, 200);
  EXPECT_EQ(simple.header("access-control-allow-origin"), "https://shop.example");
  EXPECT_EQ(simple.header("vary"), "Origin");
}

TEST_F(RestServerTest, PeerAndForwardedForReachTheService) {
  StartRest();
  HttpRequest r{.method = "POST", .target = "/v1/probe/echo", .body = "{}"};
  r.headers = {{"Authorization", Bearer("s", "customer")},
               {"X-Forwarded-For", "203.0.113.7, 10.0.0.2"}};
  HttpResponse answer = Send(r);
  ASSERT_EQ(answer.status, 200) << answer.body;
  // The payload is bytes: base64 in JSON.
  std::string seen;
  ASSERT_TRUE(absl::Base64Unescape(Json(answer)["payload"].get<std::string>(), &seen));
  EXPECT_TRUE(absl::StartsWith(seen, "ipv4:127.0.0.1:")) << seen << " " << answer.body;
  EXPECT_TRUE(absl::EndsWith(seen, "|203.0.113.7, 10.0.0.2")) << seen;
}

TEST_F(RestServerTest, DeadlineIsGatewayTimeout) {
  StartRest({.deadline = absl::Milliseconds(300)});
  HttpResponse r = Post("/v1/probe/echo", R"({"hold": true})");
  EXPECT_EQ(r.status, 504);
  EXPECT_EQ(Json(r)["status"], "DEADLINE_EXCEEDED");
}

TEST_F(RestServerTest, DrainAnswersWhatIsInFlight) {
  StartRest({.drain_timeout = absl::Seconds(5)});
  HttpResponse held;
  std::thread client([&] { held = Post("/v1/probe/echo", R"({"hold": true})"); });
  ASSERT_TRUE(probe_.WaitHeld(1));
  server_->StartDraining();  // as the component's PrepareStop: answers now close
  // Stop waits for the held request; were it to stop the threads first, the client would get
  // no answer at all.
  std::thread stopper([&] { server_->Stop(); });
  probe_.ReleaseAll();
  client.join();
  stopper.join();
  EXPECT_EQ(held.status, 200);
  EXPECT_EQ(held.header("connection"), "close");
}

TEST_F(RestServerTest, OpenApiAndMetrics) {
  StartRest({.openapi_json = R"({"swagger":"2.0","paths":{}})"});
  HttpResponse doc = Get("/openapi.json");
  EXPECT_EQ(doc.status, 200);
  EXPECT_EQ(Json(doc)["swagger"], "2.0");
  EXPECT_EQ(Send({.method = "POST", .target = "/openapi.json"}).status, 405);
  Get("/v1/probe/moderator", Bearer("m", "moderator"));
  Get("/v1/nothing");
  const std::string text = registry_.Exposition();
  EXPECT_NE(
      text.find(
          R"(candor_http_server_requests_total{code="200",method="GET",route="/v1/probe/moderator"} 1)"),
      std::string::npos)
      << text;
  EXPECT_NE(
      text.find(
          R"(candor_http_server_requests_total{code="404",method="GET",route="unmatched"} 1)"),
      std::string::npos);
  EXPECT_NE(
      text.find(
          R"(candor_http_server_request_duration_seconds_count{method="GET",route="/openapi.json"} 1)"),
      std::string::npos);
}

TEST(RestServerStartTest, BadOptionsAndTakenPort) {
  const std::vector<std::string> names = {"candor.testing.v1.ProbeService"};
  rpc::ServiceHost host{rpc::ServerOptions{}};
  Probe probe;
  host.AddService(&probe, probe.gate());
  ASSERT_TRUE(host.Start().ok());
  auto routes = [&] { return *RouteTable::FromServiceNames(names); };
  EXPECT_EQ(
      Server::Start({.threads = 0}, routes(), host.InProcessChannel(), nullptr).status().code(),
      absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Server::Start({.host = "not-an-ip"}, routes(), host.InProcessChannel(), nullptr)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  auto first = Server::Start({}, routes(), host.InProcessChannel(), nullptr);
  ASSERT_TRUE(first.ok());
  auto second =
      Server::Start({.port = (*first)->port()}, routes(), host.InProcessChannel(), nullptr);
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace candor::rest
