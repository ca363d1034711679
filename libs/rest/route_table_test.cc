// The route table from real descriptors (ReviewService, the test-only ProbeService): templates,
// matching, 404/405 outcomes, and binding path, query and body into the request.

#include "libs/rest/route_table.h"

#include <google/api/annotations.pb.h>
#include <google/protobuf/descriptor.pb.h>

#include "candor/review/v1/review_service.pb.h"
#include "candor/testing/v1/probe_service.pb.h"
#include "gtest/gtest.h"

namespace candor::rest {
namespace {

namespace v1 = candor::review::v1;
namespace pb = google::protobuf;

RouteTable ReviewRoutes() {
  const std::vector<std::string> names = {"candor.review.v1.ReviewService"};
  absl::StatusOr<RouteTable> t = RouteTable::FromServiceNames(names);
  EXPECT_TRUE(t.ok()) << t.status();
  return *std::move(t);
}

TEST(RouteTableTest, EveryAnnotatedMethodHasItsRoute) {
  RouteTable t = ReviewRoutes();
  const pb::ServiceDescriptor* svc =
      pb::DescriptorPool::generated_pool()->FindServiceByName("candor.review.v1.ReviewService");
  int annotated = 0;
  for (int i = 0; i < svc->method_count(); ++i) {
    if (svc->method(i)->options().HasExtension(google::api::http)) ++annotated;
  }
  EXPECT_EQ(annotated, svc->method_count());  // every public RPC is reachable over REST
  EXPECT_EQ(t.routes().size(), static_cast<size_t>(annotated));
  RouteTable::Match m = t.Find("GET", "/v1/products/B00004Y2UT/summary");
  ASSERT_EQ(m.outcome, RouteTable::Outcome::kMatched);
  EXPECT_EQ(m.route->grpc_method, "/candor.review.v1.ReviewService/GetProductSummary");
  EXPECT_EQ(m.route->pattern, "/v1/products/{asin}/summary");
  ASSERT_EQ(m.bindings.size(), 1u);
  EXPECT_EQ(m.bindings[0].second, "B00004Y2UT");
}

TEST(RouteTableTest, LiteralVerbSegmentsAndMethods) {
  RouteTable t = ReviewRoutes();
  EXPECT_EQ(t.Find("GET", "/v1/products/X/reviews:search").route->method->name(), "SearchReviews");
  EXPECT_EQ(t.Find("GET", "/v1/products/X/reviews").route->method->name(), "ListReviews");
  EXPECT_EQ(t.Find("POST", "/v1/reviews:import").route->method->name(), "ImportReview");
  EXPECT_EQ(t.Find("POST", "/v1/reviews").route->method->name(), "SubmitReview");
  EXPECT_EQ(t.Find("PUT", "/v1/reviews/abc/vote").route->method->name(), "VoteHelpful");
  // Percent-escapes are decoded after the split: a variable may hold '/'.
  RouteTable::Match m = t.Find("GET", "/v1/reviews/a%2Fb/status");
  ASSERT_EQ(m.outcome, RouteTable::Outcome::kMatched);
  EXPECT_EQ(m.bindings[0].second, "a/b");
}

TEST(RouteTableTest, NotFoundAndMethodNotAllowed) {
  RouteTable t = ReviewRoutes();
  EXPECT_EQ(t.Find("GET", "/v1/nothing").outcome, RouteTable::Outcome::kNotFound);
  EXPECT_EQ(t.Find("GET", "/v1/products//summary").outcome, RouteTable::Outcome::kNotFound);
  EXPECT_EQ(t.Find("GET", "/v1/products/X/summary/more").outcome, RouteTable::Outcome::kNotFound);
  RouteTable::Match m = t.Find("DELETE", "/v1/reviews");
  EXPECT_EQ(m.outcome, RouteTable::Outcome::kMethodNotAllowed);
  EXPECT_EQ(m.allowed, std::vector<std::string>{"POST"});
}

TEST(RouteTableTest, AdditionalBindings) {
  const std::vector<std::string> names = {"candor.testing.v1.ProbeService"};
  absl::StatusOr<RouteTable> t = RouteTable::FromServiceNames(names);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->routes().size(), 3u);
  RouteTable::Match m = t->Find("GET", "/v1/probe/echo/5");
  ASSERT_EQ(m.outcome, RouteTable::Outcome::kMatched);
  EXPECT_EQ(m.route->method->name(), "Echo");
  candor::testing::v1::ProbeRequest req;
  ASSERT_TRUE(BindRequest(*m.route, m.bindings, "response_bytes=3&hold=false", "", &req).ok());
  EXPECT_EQ(req.fail_code(), 5);
  EXPECT_EQ(req.response_bytes(), 3);
}

TEST(RouteTableTest, UnknownServiceIsNotFound) {
  const std::vector<std::string> names = {"candor.nope.v1.Nothing"};
  EXPECT_EQ(RouteTable::FromServiceNames(names).status().code(), absl::StatusCode::kNotFound);
}

// A template the router cannot serve fails the build, naming the RPC.
TEST(RouteTableTest, UnsupportedTemplatesAreRefused) {
  pb::DescriptorPool pool(pb::DescriptorPool::generated_pool());
  auto build = [&](const std::string& path) -> absl::Status {
    pb::FileDescriptorProto file;
    static int n = 0;
    file.set_name("bad" + std::to_string(++n) + ".proto");
    file.set_package("bad" + std::to_string(n));
    file.set_syntax("proto3");
    file.add_dependency("candor/review/v1/review_service.proto");
    file.add_dependency("google/api/annotations.proto");
    pb::ServiceDescriptorProto* svc = file.add_service();
    svc->set_name("Bad");
    pb::MethodDescriptorProto* m = svc->add_method();
    m->set_name("Get");
    m->set_input_type(".candor.review.v1.ListReviewsRequest");
    m->set_output_type(".candor.review.v1.ListReviewsResponse");
    m->mutable_options()->MutableExtension(google::api::http)->set_get(path);
    const pb::FileDescriptor* fd = pool.BuildFile(file);
    if (fd == nullptr) return absl::InternalError("descriptor did not build");
    const pb::ServiceDescriptor* s = fd->service(0);
    return RouteTable::Build(std::span<const pb::ServiceDescriptor* const>(&s, 1)).status();
  };
  EXPECT_TRUE(build("/v1/{asin}/ok").ok());
  for (const char* bad : {"v1/no-slash", "/v1//x", "/v1/{nope}", "/v1/{stars}", "/v1/{asin=*}",
                          "/v1/{asin}:verb", "/v1/*"}) {
    absl::Status s = build(bad);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(s.message().find("Bad/Get"), std::string::npos) << s.message();
  }
}

class BindTest : public ::testing::Test {
 protected:
  absl::Status Bind(std::string_view method, std::string_view path, std::string_view query,
                    std::string_view body, pb::Message* out) {
    RouteTable::Match m = table_.Find(method, path);
    EXPECT_EQ(m.outcome, RouteTable::Outcome::kMatched) << path;
    if (m.route == nullptr) return absl::NotFoundError("no route");
    return BindRequest(*m.route, m.bindings, query, body, out);
  }
  RouteTable table_ = ReviewRoutes();
};

TEST_F(BindTest, QueryParametersByTypeRepeatedEnumBoolTimestamp) {
  v1::SearchReviewsRequest req;
  absl::Status s = Bind("GET", "/v1/products/B00004Y2UT/reviews:search",
                        "query=string+buzz&stars=4&stars=5&verified_purchase=true"
                        "&sort=SEARCH_SORT_NEWEST&page_size=7&submitted_from=2020-01-02T03:04:05Z",
                        "", &req);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(req.asin(), "B00004Y2UT");
  EXPECT_EQ(req.query(), "string buzz");
  EXPECT_EQ(req.stars_size(), 2);
  EXPECT_TRUE(req.has_verified_purchase());
  EXPECT_TRUE(req.verified_purchase());
  EXPECT_EQ(req.sort(), v1::SEARCH_SORT_NEWEST);
  EXPECT_EQ(req.page_size(), 7);
  EXPECT_EQ(req.submitted_from().seconds(), 1577934245);
  // Enums by number, JSON names, percent-escapes.
  v1::ListReviewsRequest list;
  ASSERT_TRUE(
      Bind("GET", "/v1/products/B0/reviews", "order=1&verifiedOnly=1&pageToken=a%2Bb", "", &list)
          .ok());
  EXPECT_EQ(list.order(), v1::REVIEW_ORDER_NEWEST);
  EXPECT_TRUE(list.verified_only());
  EXPECT_EQ(list.page_token(), "a+b");
}

TEST_F(BindTest, BadQueryParametersNameTheProblem) {
  v1::ListReviewsRequest req;
  auto message = [&](std::string_view query) {
    absl::Status s = Bind("GET", "/v1/products/B0/reviews", query, "", &req);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << query;
    return std::string(s.message());
  };
  EXPECT_NE(message("colour=red").find("colour"), std::string::npos);
  EXPECT_NE(message("verified_only=maybe").find("expected true or false"), std::string::npos);
  EXPECT_NE(message("page_size=1&page_size=2").find("given twice"), std::string::npos);
  EXPECT_NE(message("asin=B1").find("set by the path"), std::string::npos);
  EXPECT_NE(message("page_size=ten").find("page_size"), std::string::npos);
  EXPECT_NE(message("order=SIDEWAYS").find("SIDEWAYS"), std::string::npos);
}

TEST_F(BindTest, BodyRoutes) {
  v1::SubmitReviewRequest submit;
  ASSERT_TRUE(Bind("POST", "/v1/reviews", "",
                   R"({"asin":"B00004Y2UT","rating":5,"title":"R3JlYXQ=","body":"R29vZA==",
                       "verifiedPurchase":true})",
                   &submit)
                  .ok());
  EXPECT_EQ(submit.title(), "Great");
  EXPECT_EQ(submit.body(), "Good");
  EXPECT_TRUE(submit.verified_purchase());
  // Path fields win over the body's, whichever spelling the body used.
  v1::VoteHelpfulRequest vote;
  absl::Status s = Bind("PUT", "/v1/reviews/0123/vote", "",
                        R"({"reviewId":"ffff","vote":"HELPFUL_VOTE_VALUE_HELPFUL"})", &vote);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(vote.review_id(), "0123");
  EXPECT_EQ(vote.vote(), v1::HELPFUL_VOTE_VALUE_HELPFUL);
  ASSERT_TRUE(
      Bind("PUT", "/v1/reviews/0123/vote", "", R"({"review_id":"ffff","vote":2})", &vote).ok());
  EXPECT_EQ(vote.review_id(), "0123");
  EXPECT_EQ(vote.vote(), v1::HELPFUL_VOTE_VALUE_NOT_HELPFUL);
}

TEST_F(BindTest, BadBodiesNameTheProblem) {
  v1::SubmitReviewRequest req;
  absl::Status s = Bind("POST", "/v1/reviews", "", "{not json", &req);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("request body"), std::string::npos) << s;
  s = Bind("POST", "/v1/reviews", "", R"({"asin":"B0","stars":5})", &req);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("stars"), std::string::npos) << s;
  s = Bind("POST", "/v1/reviews", "", R"({"rating":"five"})", &req);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  s = Bind("POST", "/v1/reviews", "rating=5", "{}", &req);
  EXPECT_NE(s.message().find("JSON body"), std::string::npos) << s;
  s = Bind("PUT", "/v1/reviews/0123/vote", "", "[1,2]", &req);
  EXPECT_NE(s.message().find("JSON object"), std::string::npos) << s;
  // An empty body is an empty message: the service judges what is missing.
  EXPECT_TRUE(Bind("POST", "/v1/reviews", "", "", &req).ok());
}

TEST(ToJsonTest, ProtoNamesDefaultsAndInt64AsStrings) {
  v1::ProductSummary s;
  s.set_asin("B0");
  s.set_review_count(3);
  const std::string json = ToJson(s);
  EXPECT_NE(json.find(R"("review_count":"3")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("verified_average":0)"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("histogram":[])"), std::string::npos) << json;
}

}  // namespace
}  // namespace candor::rest
