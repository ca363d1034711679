// review-gateway's REST/JSON front end to end in one process: the real App (gRPC server, Redis
// guard, Kafka producer, Postgres fallback, and the REST front calling that server in-process)
// against the stack's Redis and Postgres and an in-process Kafka mock cluster, called over HTTP
// on loopback.

#include <google/api/annotations.pb.h>

#include <nlohmann/json.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "candor/review/v1/review_service.grpc.pb.h"
#include "gtest/gtest.h"
#include "libs/events/topics.h"
#include "libs/http/http_testing.h"
#include "libs/kafka/kafka.h"
#include "libs/kafka/mock_cluster.h"
#include "libs/testing/stack_env.h"
#include "services/review-gateway/app.h"
#include "services/review-gateway/tests/app_testing.h"

namespace candor::gateway {
namespace {

namespace v1 = candor::review::v1;
using http::testing::HttpCall;
using http::testing::HttpRequest;
using http::testing::HttpResponse;
using nlohmann::json;

constexpr char kSecret[] = "rest-integration-test-secret-0123456789";

class GatewayRestTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    Cluster() = new kafka::MockCluster();
    Cluster()->CreateTopic(events::kReviewSubmissionsTopic, 2);
  }
  static void TearDownTestSuite() {
    delete Cluster();
    Cluster() = nullptr;
  }

  void SetUp() override {
    Config c = IntegrationConfig(Cluster()->bootstrap(), kSecret);
    c.rest.port = 0;
    auto app = App::Create(c);
    ASSERT_TRUE(app.ok()) << app.status();
    app_ = std::move(*app);
    ASSERT_GT(app_->http_port(), 0);
    user_ = testing::UniqueUser();
    bearer_ = BearerFor(user_, "customer", kSecret);
  }

  HttpResponse Call(const std::string& method, const std::string& target,
                    const std::string& body = "", bool with_token = true) {
    HttpRequest r{.method = method, .target = target, .body = body};
    if (with_token) r.headers.emplace_back("Authorization", bearer_);
    if (!body.empty()) r.headers.emplace_back("Content-Type", "application/json");
    return HttpCall(app_->http_port(), r);
  }

  static std::string SubmitBody(const std::string& asin, int rating, const std::string& title,
                                const std::string& body) {
    return json{{"asin", asin},
                {"rating", rating},
                {"title", absl::Base64Escape(title)},
                {"body", absl::Base64Escape(body)},
                {"verified_purchase", true}}
        .dump();
  }

  static json Json(const HttpResponse& r) { return json::parse(r.body, nullptr, false); }

  // The submission published under `review_id`, or nullopt within 15 s.
  static std::optional<review::Submission> Published(const std::string& review_id) {
    return PublishedSubmission(Cluster()->bootstrap(), review_id);
  }

  // The suite's Kafka (a mock cluster), created once for every test.
  static kafka::MockCluster*& Cluster() {
    static kafka::MockCluster* cluster = nullptr;
    return cluster;
  }
  std::unique_ptr<App> app_;
  std::string user_;
  std::string bearer_;
};

TEST_F(GatewayRestTest, SubmitOverRestThenDuplicateUnauthenticatedAndBadInput) {
  const std::string asin = testing::UniqueAsin();
  const std::string body = SubmitBody(asin, 4, "Good pick", "Bright tone and it stays in tune.");
  HttpResponse ok = Call("POST", "/v1/reviews", body);
  ASSERT_EQ(ok.status, 200) << ok.body;
  const json answer = Json(ok);
  const std::string review_id = answer["review_id"];
  EXPECT_EQ(review_id.size(), 32u);
  EXPECT_EQ(answer["status"], "REVIEW_STATUS_AWAITING_SCORING");
  // Published as a gRPC submit is, with the HTTP client's address (the TCP peer the REST front
  // handed over, not the in-process channel's).
  std::optional<review::Submission> event = Published(review_id);
  ASSERT_TRUE(event.has_value());
  EXPECT_EQ(event->user_id, user_);
  EXPECT_EQ(event->title, "Good pick");
  EXPECT_EQ(event->client_ip, "127.0.0.1");

  HttpResponse dup = Call("POST", "/v1/reviews", body);
  EXPECT_EQ(dup.status, 409) << dup.body;
  EXPECT_EQ(Json(dup)["status"], "ALREADY_EXISTS");
  EXPECT_EQ(Json(dup)["code"], 409);

  HttpResponse anon = Call("POST", "/v1/reviews", SubmitBody(testing::UniqueAsin(), 4, "t", "b"),
                           /*with_token=*/false);
  EXPECT_EQ(anon.status, 401) << anon.body;
  EXPECT_EQ(Json(anon)["status"], "UNAUTHENTICATED");

  HttpResponse bad = Call("POST", "/v1/reviews", SubmitBody(testing::UniqueAsin(), 9, "t", "b"));
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_EQ(Json(bad)["status"], "INVALID_ARGUMENT");
  EXPECT_NE(Json(bad)["message"].get<std::string>().find("rating"), std::string::npos) << bad.body;

  HttpResponse not_json = Call("POST", "/v1/reviews", "{\"asin\": ");
  EXPECT_EQ(not_json.status, 400);
  HttpResponse not_base64 = Call("POST", "/v1/reviews", R"({"asin":"B0","title":"not base64!"})");
  EXPECT_EQ(not_base64.status, 400);
  EXPECT_NE(Json(not_base64)["message"].get<std::string>().find("title"), std::string::npos)
      << not_base64.body;
}

TEST_F(GatewayRestTest, SummaryOverRest) {
  review::RatingAggregate a;
  ASSERT_NO_FATAL_FAILURE(PutSummaryOnlyInRedis(&a));

  HttpResponse r = Call("GET", absl::StrCat("/v1/products/", a.asin, "/summary"));
  ASSERT_EQ(r.status, 200) << r.body;
  const json s = Json(r);
  EXPECT_EQ(s["asin"], a.asin);
  EXPECT_EQ(s["review_count"], "2");  // int64: a string in proto3 JSON
  EXPECT_DOUBLE_EQ(s["average"].get<double>(), 3.0);
  EXPECT_EQ(s["version"], "12");
  EXPECT_EQ(s["histogram"].size(), 5u);

  EXPECT_EQ(Call("GET", absl::StrCat("/v1/products/", a.asin, "/summary"), "", false).status, 401);
  HttpResponse missing =
      Call("GET", absl::StrCat("/v1/products/", testing::UniqueAsin(), "/summary"));
  EXPECT_EQ(missing.status, 404) << missing.body;
  EXPECT_EQ(Json(missing)["status"], "NOT_FOUND");
  EXPECT_EQ(Call("GET", "/v1/products/not-an-asin/summary").status, 400);
  EXPECT_EQ(Call("DELETE", absl::StrCat("/v1/products/", a.asin, "/summary")).status, 405);
  EXPECT_EQ(Call("GET", "/v2/anything").status, 404);
}

TEST_F(GatewayRestTest, OpenApiListsEveryAnnotatedRpc) {
  HttpResponse r = HttpCall(app_->http_port(), {.method = "GET", .target = "/openapi.json"});
  ASSERT_EQ(r.status, 200);
  const json doc = Json(r);
  ASSERT_FALSE(doc.is_discarded()) << r.body.substr(0, 200);
  EXPECT_EQ(doc["swagger"], "2.0");
  EXPECT_EQ(doc["info"]["title"], "Candor review-gateway REST API");
  EXPECT_TRUE(doc["securityDefinitions"].contains("bearer"));
  const google::protobuf::ServiceDescriptor* svc =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
          std::string(v1::ReviewService::service_full_name()));
  int checked = 0;
  for (int i = 0; i < svc->method_count(); ++i) {
    const google::protobuf::MethodDescriptor* m = svc->method(i);
    ASSERT_TRUE(m->options().HasExtension(google::api::http)) << m->name() << " has no route";
    const google::api::HttpRule& rule = m->options().GetExtension(google::api::http);
    std::string verb, path;
    if (!rule.get().empty()) verb = "get", path = rule.get();
    if (!rule.post().empty()) verb = "post", path = rule.post();
    if (!rule.put().empty()) verb = "put", path = rule.put();
    ASSERT_TRUE(doc["paths"].contains(path)) << path;
    ASSERT_TRUE(doc["paths"][path].contains(verb)) << verb << " " << path;
    EXPECT_EQ(doc["paths"][path][verb]["operationId"], m->name());
    ++checked;
  }
  EXPECT_EQ(checked, 7);
}

TEST_F(GatewayRestTest, RestCallsAreCountedAsGrpcCallsAndAsRoutes) {
  Call("GET", absl::StrCat("/v1/products/", testing::UniqueAsin(), "/summary"));
  HttpResponse metrics = HttpCall(app_->admin_port(), {.method = "GET", .target = "/metrics"});
  ASSERT_EQ(metrics.status, 200);
  EXPECT_NE(
      metrics.body.find(
          R"(candor_http_server_requests_total{code="404",method="GET",route="/v1/products/{asin}/summary"})"),
      std::string::npos);
  EXPECT_NE(metrics.body.find(
                R"(candor_grpc_server_handled_total{code="NOT_FOUND",method="GetProductSummary")"),
            std::string::npos);
}

}  // namespace
}  // namespace candor::gateway
