// review-gateway end to end in one process: the real App (gRPC server, Redis guard, Kafka
// producer, Postgres fallback) against the stack's Redis and Postgres and an in-process Kafka
// mock cluster, called through a real gRPC channel.

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <future>

#include "absl/strings/str_cat.h"
#include "candor/bench/v1/bench_service.grpc.pb.h"
#include "candor/review/v1/review_service.grpc.pb.h"
#include "gtest/gtest.h"
#include "libs/auth/jwt.h"
#include "libs/events/topics.h"
#include "libs/kafka/kafka.h"
#include "libs/kafka/mock_cluster.h"
#include "libs/ratings/redis_rating_cache.h"
#include "libs/reviewdb/review_db.h"
#include "libs/reviewdb/reviewdb_testing.h"
#include "libs/testing/stack_env.h"
#include "services/review-gateway/app.h"
#include "services/review-gateway/tests/app_testing.h"

namespace candor::gateway {
namespace {

namespace v1 = candor::review::v1;
constexpr char kSecret[] = "integration-test-secret-0123456789";

class GatewayTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    cluster_ = new kafka::MockCluster();
    cluster_->CreateTopic(events::kReviewSubmissionsTopic, 2);
  }
  static void TearDownTestSuite() {
    delete cluster_;
    cluster_ = nullptr;
  }

  Config BaseConfig() {
    Config c = IntegrationConfig(cluster_->bootstrap(), kSecret);
    c.bench_noop = true;
    return c;
  }

  void SetUp() override {
    auto app = App::Create(BaseConfig());
    ASSERT_TRUE(app.ok()) << app.status();
    app_ = std::move(*app);
    stub_ = Stub(app_->port());
    user_ = testing::UniqueUser();
    token_ = Token(user_, absl::Hours(1));
  }

  static std::unique_ptr<v1::ReviewService::Stub> Stub(int port) { return ReviewStub(port); }
  static std::string Token(const std::string& user, absl::Duration ttl,
                           const std::string& secret = kSecret) {
    return auth::MintHs256({user, "customer", absl::Now() + ttl}, secret, absl::Now());
  }

  grpc::Status Submit(const v1::SubmitReviewRequest& req, v1::SubmitReviewResponse* resp,
                      const std::string& auth_header, v1::ReviewService::Stub* stub = nullptr) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    if (!auth_header.empty()) ctx.AddMetadata("authorization", auth_header);
    return (stub ? stub : stub_.get())->SubmitReview(&ctx, req, resp);
  }
  grpc::Status Submit(const v1::SubmitReviewRequest& req, v1::SubmitReviewResponse* resp) {
    return Submit(req, resp, "Bearer " + token_);
  }

  static v1::SubmitReviewRequest Valid(const std::string& asin) {
    v1::SubmitReviewRequest r;
    r.set_asin(asin);
    r.set_rating(4);
    r.set_title("Good pick");
    r.set_body("Bright tone and it stays in tune for weeks.");
    r.set_verified_purchase(true);
    return r;
  }

  void ExpectError(const v1::SubmitReviewRequest& req, grpc::StatusCode code,
                   const std::string& fragment, const std::string& auth = "") {
    v1::SubmitReviewResponse resp;
    grpc::Status s = Submit(req, &resp, auth.empty() ? "Bearer " + token_ : auth);
    EXPECT_EQ(s.error_code(), code) << fragment << ": " << s.error_message();
    EXPECT_NE(s.error_message().find(fragment), std::string::npos) << s.error_message();
  }

  static kafka::MockCluster* cluster_;
  std::unique_ptr<App> app_;

 public:
  static std::string Bootstrap() { return cluster_->bootstrap(); }

 protected:
  std::unique_ptr<v1::ReviewService::Stub> stub_;
  std::string user_;
  std::string token_;
};

kafka::MockCluster* GatewayTest::cluster_ = nullptr;

// The submission published under `review_id` on review-submissions (its Kafka key in `key`), or
// nullopt if none arrives within 15 s.
std::optional<review::Submission> Published(const std::string& review_id,
                                            std::string* key = nullptr) {
  return PublishedSubmission(GatewayTest::Bootstrap(), review_id, key);
}

TEST_F(GatewayTest, SubmitPublishesToKafkaThenAnswersAwaitingScoring) {
  std::string asin = testing::UniqueAsin();
  v1::SubmitReviewResponse resp;
  grpc::Status s = Submit(Valid(asin), &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(resp.status(), v1::REVIEW_STATUS_AWAITING_SCORING);
  EXPECT_EQ(resp.review_id().size(), 32u);

  std::string key;
  std::optional<review::Submission> event = Published(resp.review_id(), &key);
  ASSERT_TRUE(event.has_value());
  EXPECT_EQ(key, asin);
  EXPECT_EQ(event->user_id, user_);
  EXPECT_EQ(event->rating, 4);
  EXPECT_TRUE(event->verified_purchase);
  EXPECT_EQ(event->fingerprint.substr(0, 32), resp.review_id());
  EXPECT_FALSE(event->imported);
  // The client address is the peer's IP, without scheme and port.
  EXPECT_EQ(event->client_ip, "127.0.0.1");
  EXPECT_FALSE(event->account_created_at.has_value());
}

TEST_F(GatewayTest, TheTokensAccountCreationTimeTravelsWithTheSubmission) {
  auth::Claims c(user_, "customer", absl::Now() + absl::Hours(1));
  c.account_created = absl::FromUnixSeconds(1'500'000'000);
  v1::SubmitReviewResponse resp;
  grpc::Status s = Submit(Valid(testing::UniqueAsin()), &resp,
                          "Bearer " + auth::MintHs256(c, kSecret, absl::Now()));
  ASSERT_TRUE(s.ok()) << s.error_message();
  std::optional<review::Submission> event = Published(resp.review_id());
  ASSERT_TRUE(event.has_value());
  EXPECT_EQ(event->account_created_at, absl::FromUnixSeconds(1'500'000'000));
  // A malformed claim refuses the token.
  std::string bad = auth::SignHs256(
      R"({"alg":"HS256","typ":"JWT"})",
      absl::StrCat(R"({"sub":")", user_, R"(","iss":"candor-dev","aud":"candor","exp":)",
                   absl::ToUnixSeconds(absl::Now()) + 600, R"(,"acct_created":"yesterday"})"),
      kSecret);
  ExpectError(Valid(testing::UniqueAsin()), grpc::StatusCode::UNAUTHENTICATED,
              "claim 'acct_created' is not a number", "Bearer " + bad);
}

TEST_F(GatewayTest, XForwardedForCountsOnlyFromTrustedProxies) {
  auto submit_with_xff = [&](v1::ReviewService::Stub& stub, const std::string& xff) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    ctx.AddMetadata("authorization", "Bearer " + token_);
    ctx.AddMetadata("x-forwarded-for", xff);
    v1::SubmitReviewResponse resp;
    grpc::Status st = stub.SubmitReview(&ctx, Valid(testing::UniqueAsin()), &resp);
    EXPECT_TRUE(st.ok()) << st.error_message();
    std::optional<review::Submission> event = Published(resp.review_id());
    return event ? event->client_ip : std::string("<none>");
  };
  // Default: no proxy is trusted, so a client cannot name another address.
  EXPECT_EQ(submit_with_xff(*stub_, "198.51.100.9"), "127.0.0.1");
  // Behind a trusted proxy (this test's loopback), the right-most untrusted hop.
  Config c = BaseConfig();
  c.trusted_proxies = "127.0.0.0/8, ::1";
  auto app = App::Create(c);
  ASSERT_TRUE(app.ok()) << app.status();
  auto stub = Stub((*app)->port());
  EXPECT_EQ(submit_with_xff(*stub, "203.0.113.1, 198.51.100.9, 127.0.0.2"), "198.51.100.9");
  EXPECT_EQ(submit_with_xff(*stub, "unknown"), "");
  // A bad list is refused at startup, naming the flag and the item.
  c.trusted_proxies = "10.0.0.0/8, 10.0.0.0/33";
  absl::Status bad = App::Create(c).status();
  EXPECT_EQ(bad.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(bad.message().find("--trusted-proxies: '10.0.0.0/33'"), absl::string_view::npos) << bad;
}

TEST_F(GatewayTest, DuplicatesAndPerProductLimit) {
  std::string asin = testing::UniqueAsin();
  v1::SubmitReviewResponse resp;
  ASSERT_TRUE(Submit(Valid(asin), &resp).ok());
  ExpectError(Valid(asin), grpc::StatusCode::ALREADY_EXISTS, "duplicate");
  v1::SubmitReviewRequest other = Valid(asin);
  other.set_body("A different opinion on the same product.");
  ExpectError(other, grpc::StatusCode::ALREADY_EXISTS, "already reviewed");
}

TEST_F(GatewayTest, TenPerDayThenResourceExhausted) {
  v1::SubmitReviewResponse resp;
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(Submit(Valid(testing::UniqueAsin()), &resp).ok());
  ExpectError(Valid(testing::UniqueAsin()), grpc::StatusCode::RESOURCE_EXHAUSTED, "retry after");
}

TEST_F(GatewayTest, BadTokensAreUnauthenticated) {
  v1::SubmitReviewRequest req = Valid(testing::UniqueAsin());
  v1::SubmitReviewResponse resp;
  EXPECT_EQ(Submit(req, &resp, "").error_code(), grpc::StatusCode::UNAUTHENTICATED);
  ExpectError(req, grpc::StatusCode::UNAUTHENTICATED, "malformed", "Bearer not-a-jwt");
  ExpectError(req, grpc::StatusCode::UNAUTHENTICATED, "Bearer", "Basic dXNlcjpwdw==");
  ExpectError(req, grpc::StatusCode::UNAUTHENTICATED, "expired",
              "Bearer " + Token(user_, -absl::Minutes(1)));
  ExpectError(req, grpc::StatusCode::UNAUTHENTICATED, "bad signature",
              "Bearer " + Token(user_, absl::Hours(1), "some-other-secret-entirely"));
  std::string none =
      absl::StrCat(auth::Base64UrlEncode(R"({"alg":"none","typ":"JWT"})"), ".",
                   auth::Base64UrlEncode(absl::StrCat(
                       R"({"sub":"x","exp":)", absl::ToUnixSeconds(absl::Now()) + 3600, "}")),
                   ".");
  ExpectError(req, grpc::StatusCode::UNAUTHENTICATED, "alg 'none'", "Bearer " + none);
}

TEST_F(GatewayTest, InvalidFieldsAreNamed) {
  std::string asin = testing::UniqueAsin();
  auto with = [&](auto mutate) {
    v1::SubmitReviewRequest r = Valid(asin);
    mutate(r);
    return r;
  };
  ExpectError(with([](auto& r) { r.set_rating(0); }), grpc::StatusCode::INVALID_ARGUMENT, "rating");
  ExpectError(with([](auto& r) { r.set_rating(6); }), grpc::StatusCode::INVALID_ARGUMENT, "rating");
  ExpectError(with([](auto& r) { r.set_body(""); }), grpc::StatusCode::INVALID_ARGUMENT, "body");
  ExpectError(with([](auto& r) { r.set_body(std::string(5001, 'x')); }),
              grpc::StatusCode::INVALID_ARGUMENT, "body: at most 5000");
  ExpectError(with([](auto& r) { r.set_title(std::string(257, 't')); }),
              grpc::StatusCode::INVALID_ARGUMENT, "title");
  ExpectError(with([](auto& r) { r.set_asin("not-an-asin"); }), grpc::StatusCode::INVALID_ARGUMENT,
              "asin");
  ExpectError(with([](auto& r) { r.set_body("broken \xC3\x28 utf8"); }),
              grpc::StatusCode::INVALID_ARGUMENT, "body: not valid UTF-8");
}

TEST_F(GatewayTest, OversizedRequestIsRejected) {
  v1::SubmitReviewRequest r = Valid(testing::UniqueAsin());
  r.set_body(std::string(200 * 1024, 'x'));
  v1::SubmitReviewResponse resp;
  grpc::Status s = Submit(r, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << s.error_message();
}

TEST_F(GatewayTest, KafkaSilenceAnswersUnavailableAndReleasesKeys) {
  Config dead = BaseConfig();
  dead.kafka_brokers = "127.0.0.1:1";  // nothing listens there
  dead.publish_timeout_ms = 300;
  auto app = App::Create(dead);
  ASSERT_TRUE(app.ok()) << app.status();
  auto stub = Stub((*app)->port());
  std::string asin = testing::UniqueAsin();
  v1::SubmitReviewResponse resp;
  grpc::Status s = Submit(Valid(asin), &resp, "Bearer " + token_, stub.get());
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
  // The keys were released: the same review goes through the healthy gateway.
  ASSERT_TRUE(Submit(Valid(asin), &resp).ok());
}

TEST_F(GatewayTest, SummaryFallsBackToPostgresAndRepairsRedis) {
  std::string asin = testing::UniqueAsin();
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", "Bearer " + token_);
  v1::GetProductSummaryRequest req;
  req.set_asin(asin);
  v1::ProductSummary summary;
  EXPECT_EQ(stub_->GetProductSummary(&ctx, req, &summary).error_code(),
            grpc::StatusCode::NOT_FOUND);

  auto pool = pg::Pool::Create(testing::PgDsn(), 1);
  ASSERT_TRUE(pool.ok());
  review::RatingAggregate stored;
  stored.asin = asin;
  stored.count = 3;
  stored.sum = 13;
  stored.verified_count = 1;
  stored.verified_sum = 5;
  stored.stars = {0, 0, 1, 0, 2};
  stored.version = 4;
  reviewdb::testing::PutRating(**pool, stored);
  grpc::ClientContext ctx2;
  ctx2.AddMetadata("authorization", "Bearer " + token_);
  grpc::Status s = stub_->GetProductSummary(&ctx2, req, &summary);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(summary.review_count(), 3);
  EXPECT_DOUBLE_EQ(summary.average(), 13.0 / 3.0);
  EXPECT_DOUBLE_EQ(summary.display_average(), (30.0 + 13.0) / 13.0);
  EXPECT_EQ(summary.verified_count(), 1);
  EXPECT_DOUBLE_EQ(summary.verified_average(), 5.0);
  ASSERT_EQ(summary.histogram_size(), 5);
  EXPECT_EQ(summary.histogram(4), 2);
  EXPECT_EQ(summary.histogram(2), 1);
  EXPECT_EQ(summary.version(), 4);

  auto redis = redis::Client::Connect(testing::RedisAddr(), 1, absl::Seconds(2));
  ASSERT_TRUE(redis.ok());
  ratings::RedisRatingCache cache(**redis);
  auto cached = cache.Get(asin);
  ASSERT_TRUE(cached.ok() && cached->has_value()) << "redis was not repaired";
  EXPECT_EQ((*cached)->version, 4);
  EXPECT_EQ((*cached)->count, 3);

  grpc::ClientContext ctx3;
  req.set_asin("bad");
  ctx3.AddMetadata("authorization", "Bearer " + token_);
  EXPECT_EQ(stub_->GetProductSummary(&ctx3, req, &summary).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(GatewayTest, SummaryHitIsServedFromRedisWithoutPostgres) {
  // Only Redis holds this product: a correct answer can only have come from the cache.
  review::RatingAggregate a;
  ASSERT_NO_FATAL_FAILURE(PutSummaryOnlyInRedis(&a));

  v1::GetProductSummaryRequest req;
  req.set_asin(a.asin);
  v1::ProductSummary summary;
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", "Bearer " + token_);
  grpc::Status s = stub_->GetProductSummary(&ctx, req, &summary);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(summary.asin(), a.asin);
  EXPECT_EQ(summary.review_count(), 2);
  EXPECT_DOUBLE_EQ(summary.average(), 3.0);
  EXPECT_EQ(summary.verified_count(), 1);
  EXPECT_EQ(summary.version(), 12);

  grpc::ClientContext anon;
  EXPECT_EQ(stub_->GetProductSummary(&anon, req, &summary).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(GatewayTest, SummaryReadsInParallelAllAnswered) {
  // Many summaries in flight at once through the callback API, hits and misses mixed, on a
  // gateway with one fallback thread: none may hang, each gets OK or NOT_FOUND (or, for a miss
  // that overflowed the fallback queue, UNAVAILABLE).
  Config c = BaseConfig();
  c.summary_fallback_threads = 1;
  auto app = App::Create(c);
  ASSERT_TRUE(app.ok()) << app.status();
  auto stub = Stub((*app)->port());
  auto redis = redis::Client::Connect(testing::RedisAddr(), 1, absl::Seconds(2));
  ASSERT_TRUE(redis.ok());
  ratings::RedisRatingCache cache(**redis);
  constexpr int kCalls = 64;
  std::vector<std::string> asins;
  for (int i = 0; i < kCalls; ++i) {
    asins.push_back(testing::UniqueAsin());
    if (i % 2 == 0) {
      review::RatingAggregate a;
      a.asin = asins.back();
      a.Apply(4, false, 1);
      a.version = 1;
      ASSERT_TRUE(*cache.Put(a));
    }
  }
  struct Call {
    grpc::ClientContext ctx;
    v1::GetProductSummaryRequest req;
    v1::ProductSummary resp;
    std::promise<grpc::Status> done;
  };
  std::vector<std::unique_ptr<Call>> calls;
  for (const std::string& asin : asins) {
    auto call = std::make_unique<Call>();
    call->ctx.AddMetadata("authorization", "Bearer " + token_);
    call->ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    call->req.set_asin(asin);
    Call* raw = call.get();
    stub->async()->GetProductSummary(&raw->ctx, &raw->req, &raw->resp,
                                     [raw](grpc::Status st) { raw->done.set_value(st); });
    calls.push_back(std::move(call));
  }
  for (int i = 0; i < kCalls; ++i) {
    grpc::Status st = calls[i]->done.get_future().get();
    if (i % 2 == 0) {
      EXPECT_TRUE(st.ok()) << asins[i] << ": " << st.error_message();
      EXPECT_EQ(calls[i]->resp.review_count(), 1);
    } else {
      EXPECT_TRUE(st.error_code() == grpc::StatusCode::NOT_FOUND ||
                  st.error_code() == grpc::StatusCode::UNAVAILABLE)
          << asins[i] << ": " << st.error_code() << " " << st.error_message();
    }
  }
}

TEST_F(GatewayTest, StartupFailsCleanlyWhenADependencyIsDown) {
  Config c = BaseConfig();
  c.redis_addr = "127.0.0.1:1";
  auto app = App::Create(c);  // must return the error, not crash while tearing down
  EXPECT_EQ(app.status().code(), absl::StatusCode::kUnavailable) << app.status();
  c = BaseConfig();
  c.grpc.jwt_secret = "short";
  EXPECT_EQ(App::Create(c).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(GatewayTest, BenchNoopAuthenticatesLikeSubmit) {
  auto noop = candor::bench::v1::BenchService::NewStub(grpc::CreateChannel(
      absl::StrCat("127.0.0.1:", app_->port()), grpc::InsecureChannelCredentials()));
  candor::bench::v1::NoopRequest req;
  *req.mutable_review() = Valid(testing::UniqueAsin());
  v1::SubmitReviewResponse resp;
  grpc::ClientContext ok_ctx;
  ok_ctx.AddMetadata("authorization", "Bearer " + token_);
  EXPECT_TRUE(noop->Noop(&ok_ctx, req, &resp).ok());
  grpc::ClientContext anon_ctx;
  EXPECT_EQ(noop->Noop(&anon_ctx, req, &resp).error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

// --- Authentication edges (issue 8, point 8 and its bad inputs) --------------------------------

// One SubmitReview with exactly these `authorization` values (none, one or several).
grpc::Status SubmitWithHeaders(v1::ReviewService::Stub& stub, const v1::SubmitReviewRequest& req,
                               const std::vector<std::string>& values) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  for (const std::string& v : values) ctx.AddMetadata("authorization", v);
  v1::SubmitReviewResponse resp;
  return stub.SubmitReview(&ctx, req, &resp);
}

void ExpectStatus(const grpc::Status& s, grpc::StatusCode code, const std::string& fragment) {
  EXPECT_EQ(s.error_code(), code) << fragment << ": " << s.error_message();
  EXPECT_NE(s.error_message().find(fragment), std::string::npos) << s.error_message();
}

TEST_F(GatewayTest, EmptyAuthorizationValueIsNamed) {
  ExpectStatus(SubmitWithHeaders(*stub_, Valid(testing::UniqueAsin()), {""}),
               grpc::StatusCode::UNAUTHENTICATED, "authorization: header is empty");
  ExpectStatus(SubmitWithHeaders(*stub_, Valid(testing::UniqueAsin()), {}),
               grpc::StatusCode::UNAUTHENTICATED, "authorization: missing");
  ExpectStatus(SubmitWithHeaders(*stub_, Valid(testing::UniqueAsin()), {"Bearer"}),
               grpc::StatusCode::UNAUTHENTICATED, "no token");
}

TEST_F(GatewayTest, SecondAuthorizationHeaderIsRefused) {
  std::string asin = testing::UniqueAsin();
  std::string other = Token(testing::UniqueUser(), absl::Hours(1));
  // Two valid tokens of two users: which one is the caller? Neither: the call is refused.
  ExpectStatus(SubmitWithHeaders(*stub_, Valid(asin), {"Bearer " + token_, "Bearer " + other}),
               grpc::StatusCode::UNAUTHENTICATED, "more than one authorization header");
  ExpectStatus(SubmitWithHeaders(*stub_, Valid(asin), {"Bearer " + token_, "Bearer " + token_}),
               grpc::StatusCode::UNAUTHENTICATED, "ambiguous");
  // Nothing was admitted: the same review with one header goes through.
  EXPECT_TRUE(SubmitWithHeaders(*stub_, Valid(asin), {"Bearer " + token_}).ok());
}

TEST_F(GatewayTest, TokenForAnotherAudienceOrIssuerIsRefused) {
  auth::Claims c(user_, "customer", absl::Now() + absl::Hours(1));
  c.audience = {"reco-api"};
  ExpectStatus(SubmitWithHeaders(*stub_, Valid(testing::UniqueAsin()),
                                 {"Bearer " + auth::MintHs256(c, kSecret, absl::Now())}),
               grpc::StatusCode::UNAUTHENTICATED, "not for audience 'candor'");
  c.audience = {"reco-api", "candor"};
  EXPECT_TRUE(SubmitWithHeaders(*stub_, Valid(testing::UniqueAsin()),
                                {"Bearer " + auth::MintHs256(c, kSecret, absl::Now())})
                  .ok());
  c.issuer = "someone-else";
  ExpectStatus(SubmitWithHeaders(*stub_, Valid(testing::UniqueAsin()),
                                 {"Bearer " + auth::MintHs256(c, kSecret, absl::Now())}),
               grpc::StatusCode::UNAUTHENTICATED, "issuer 'someone-else'");

  // A gateway configured for another audience refuses our default tokens.
  Config other = BaseConfig();
  other.grpc.jwt_audience = "candor-staging";
  auto app = App::Create(other);
  ASSERT_TRUE(app.ok()) << app.status();
  ExpectStatus(
      SubmitWithHeaders(*Stub((*app)->port()), Valid(testing::UniqueAsin()), {"Bearer " + token_}),
      grpc::StatusCode::UNAUTHENTICATED, "not for audience 'candor-staging'");
}

TEST_F(GatewayTest, LifetimeAndTimeClaimsAreChecked) {
  const absl::Time now = absl::Now();
  // Expiring in the year 9999: was accepted.
  ExpectStatus(
      SubmitWithHeaders(
          *stub_, Valid(testing::UniqueAsin()),
          {"Bearer " + auth::MintHs256({user_, "customer", absl::FromUnixSeconds(253402300799)},
                                       kSecret, now)}),
      grpc::StatusCode::UNAUTHENTICATED, "lifetime");
  // exp = 1e300: was "expired at -292277022657-01-27" (an out-of-range cast).
  std::string huge = auth::SignHs256(
      R"({"alg":"HS256","typ":"JWT"})",
      absl::StrCat(R"({"sub":")", user_, R"(","iss":"candor-dev","aud":"candor","exp":1e300})"),
      kSecret);
  ExpectStatus(SubmitWithHeaders(*stub_, Valid(testing::UniqueAsin()), {"Bearer " + huge}),
               grpc::StatusCode::UNAUTHENTICATED, "'exp' out of range");
  auth::Claims later(user_, "customer", now + absl::Hours(1));
  later.not_before = now + absl::Minutes(10);
  ExpectStatus(SubmitWithHeaders(*stub_, Valid(testing::UniqueAsin()),
                                 {"Bearer " + auth::MintHs256(later, kSecret, now)}),
               grpc::StatusCode::UNAUTHENTICATED, "not valid before");
}

TEST_F(GatewayTest, BearerSchemeIsCaseInsensitive) {
  EXPECT_TRUE(SubmitWithHeaders(*stub_, Valid(testing::UniqueAsin()), {"bearer " + token_}).ok());
  EXPECT_TRUE(SubmitWithHeaders(*stub_, Valid(testing::UniqueAsin()), {"BEARER  " + token_}).ok());
}

TEST_F(GatewayTest, OversizedAuthorizationIsRefusedAndTheServerCarriesOn) {
  // Below gRPC's 8 KiB metadata limit but above ours: our message.
  ExpectStatus(SubmitWithHeaders(*stub_, Valid(testing::UniqueAsin()),
                                 {"Bearer " + token_ + std::string(5000, 'A')}),
               grpc::StatusCode::UNAUTHENTICATED, "longer than 4096");
  // 1 MB: gRPC's own limit on a call's metadata (8 KiB by default) refuses it before our code
  // runs: RESOURCE_EXHAUSTED "received initial metadata size exceeds limit", and the server
  // closes that connection (the client's next call on it may see UNAVAILABLE and reconnect).
  grpc::Status big = SubmitWithHeaders(*stub_, Valid(testing::UniqueAsin()),
                                       {"Bearer " + std::string(1 << 20, 'A')});
  ExpectStatus(big, grpc::StatusCode::RESOURCE_EXHAUSTED, "metadata size exceeds limit");
  // The server carries on: a new connection is served at once. (A channel of its own: channels
  // with equal settings share connections, and the shared one is the one being closed.)
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  auto fresh = v1::ReviewService::NewStub(grpc::CreateCustomChannel(
      absl::StrCat("127.0.0.1:", app_->port()), grpc::InsecureChannelCredentials(), args));
  grpc::Status next = SubmitWithHeaders(*fresh, Valid(testing::UniqueAsin()), {"Bearer " + token_});
  EXPECT_TRUE(next.ok()) << next.error_code() << ": " << next.error_message();
}

TEST_F(GatewayTest, TokenSettingsAreValidated) {
  Config c = BaseConfig();
  c.grpc.jwt_secret = std::string(31, 's');  // RFC 7518: at least 32 bytes
  absl::Status s = App::Create(c).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("at least 32 bytes"), absl::string_view::npos) << s;
  c = BaseConfig();
  c.grpc.jwt_issuer = "";
  EXPECT_NE(Validate(c).message().find("--jwt-issuer"), absl::string_view::npos);
  c = BaseConfig();
  c.grpc.jwt_audience = "";
  EXPECT_NE(Validate(c).message().find("--jwt-audience"), absl::string_view::npos);
  c = BaseConfig();
  c.grpc.jwt_leeway_s = 3600;
  EXPECT_EQ(Validate(c).code(), absl::StatusCode::kInvalidArgument);
}

// Who may call what: SubmitReview (and its benchmark reference) is for customers, summaries
// for every role. The role check itself is libs/rpc's (rpc_service_host_test).
TEST_F(GatewayTest, SubmitIsForCustomersSummariesForEveryRole) {
  auto bearer = [](const std::string& role) {
    return "Bearer " +
           auth::MintHs256({"staff-1", role, absl::Now() + absl::Hours(1)}, kSecret, absl::Now());
  };
  for (const char* role : {"moderator", "service"}) {
    ExpectStatus(SubmitWithHeaders(*stub_, Valid(testing::UniqueAsin()), {bearer(role)}),
                 grpc::StatusCode::PERMISSION_DENIED,
                 "/candor.review.v1.ReviewService/SubmitReview requires role 'customer'");
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    ctx.AddMetadata("authorization", bearer(role));
    v1::GetProductSummaryRequest req;
    req.set_asin(testing::UniqueAsin());
    v1::ProductSummary summary;
    // Not a denial: the caller may read; this product has no counted reviews.
    EXPECT_EQ(stub_->GetProductSummary(&ctx, req, &summary).error_code(),
              grpc::StatusCode::NOT_FOUND)
        << role;
  }
  auto noop = candor::bench::v1::BenchService::NewStub(grpc::CreateChannel(
      absl::StrCat("127.0.0.1:", app_->port()), grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", bearer("moderator"));
  candor::bench::v1::NoopRequest req;
  v1::SubmitReviewResponse resp;
  EXPECT_EQ(noop->Noop(&ctx, req, &resp).error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

// Calls `method` with raw request bytes, as a client that is not ours might send them.
grpc::Status RawCall(int port, const std::string& method, const std::string& request,
                     const std::string& token) {
  grpc::GenericStub stub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  ctx.AddMetadata("authorization", "Bearer " + token);
  grpc::Slice slice(request);
  grpc::ByteBuffer req(&slice, 1);
  grpc::ByteBuffer resp;
  std::promise<grpc::Status> done;
  stub.UnaryCall(&ctx, method, grpc::StubOptions(), &req, &resp,
                 [&done](grpc::Status st) { done.set_value(std::move(st)); });
  return done.get_future().get();
}

// proto3 `string` fields (asin, device_id) must hold UTF-8; protobuf refuses to parse anything
// else, and gRPC would answer before the gateway's own validation runs. The client must still
// get INVALID_ARGUMENT naming the field, never INTERNAL or UNIMPLEMENTED.
TEST_F(GatewayTest, InvalidUtf8InStringFieldsIsInvalidArgumentNamingTheField) {
  const std::string submit = "/candor.review.v1.ReviewService/SubmitReview";
  const std::string valid = Valid(testing::UniqueAsin()).SerializeAsString();
  // The raw path itself works: a valid request sent this way is accepted.
  grpc::Status ok = RawCall(app_->port(), submit, valid, token_);
  EXPECT_TRUE(ok.ok()) << ok.error_code() << " " << ok.error_message();

  struct Case {
    std::string bytes;
    std::string fragment;
  };
  const std::vector<Case> cases = {
      {valid + WireField(1,
                         "B0000\xFF\xFE"
                         "0001"),
       "asin:"},
      {valid + WireField(1, "\xC0\xAF"), "asin:"},
      {valid + WireField(6, "device-\xED\xA0\x80"), "device_id:"},  // a UTF-16 surrogate
      {valid + WireField(6, "dev\xF8\x88\x80\x80\x80"), "device_id:"},
  };
  for (const Case& c : cases) {
    grpc::Status s = RawCall(app_->port(), submit, c.bytes, token_);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
        << c.fragment << " got " << s.error_code() << " " << s.error_message();
    EXPECT_NE(s.error_message().find(c.fragment), std::string::npos) << s.error_message();
  }

  v1::GetProductSummaryRequest summary;
  summary.set_asin(testing::UniqueAsin());
  grpc::Status s = RawCall(app_->port(), "/candor.review.v1.ReviewService/GetProductSummary",
                           summary.SerializeAsString() + WireField(1,
                                                                   "B0\xFF\xFF\xFF"
                                                                   "00001"),
                           token_);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
      << s.error_code() << " " << s.error_message();
  EXPECT_NE(s.error_message().find("asin"), std::string::npos) << s.error_message();
}

// --- ImportReview: historical reviews with their original times (service role) ----------------

std::string Bearer(const std::string& sub, const std::string& role) {
  return "Bearer " +
         auth::MintHs256({sub, role, absl::Now() + absl::Hours(1)}, kSecret, absl::Now());
}

v1::ImportReviewRequest ValidImport(const std::string& user, const std::string& asin,
                                    int64_t unix_seconds) {
  v1::ImportReviewRequest r;
  r.set_user_id(user);
  r.set_asin(asin);
  r.set_rating(5);
  r.set_title("Old favourite");
  r.set_body(absl::StrCat("Bought it years ago, still works. (", asin, ")"));
  r.set_verified_purchase(true);
  r.set_device_id("dev-1");
  r.set_client_ip("::ffff:198.51.100.7");
  r.mutable_submitted_at()->set_seconds(unix_seconds);
  return r;
}

grpc::Status Import(v1::ReviewService::Stub& stub, const v1::ImportReviewRequest& req,
                    const std::string& bearer, v1::ImportReviewResponse* resp) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  ctx.AddMetadata("authorization", bearer);
  return stub.ImportReview(&ctx, req, resp);
}

TEST_F(GatewayTest, ImportPublishesTheOriginalTimeMarkedImported) {
  const std::string author = testing::UniqueUser("shopper");
  const std::string asin = testing::UniqueAsin();
  v1::ImportReviewRequest req = ValidImport(author, asin, 1'095'724'800);  // 2004-09-21
  req.mutable_account_created_at()->set_seconds(1'000'000'000);
  v1::ImportReviewResponse resp;
  grpc::Status s = Import(*stub_, req, Bearer("importer", "service"), &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(resp.status(), v1::REVIEW_STATUS_AWAITING_SCORING);
  std::optional<review::Submission> event = Published(resp.review_id());
  ASSERT_TRUE(event.has_value());
  EXPECT_TRUE(event->imported);
  EXPECT_EQ(event->submitted_at, absl::FromUnixSeconds(1'095'724'800));
  EXPECT_EQ(event->user_id, author);  // the review's author, not the importing service
  EXPECT_EQ(event->client_ip, "198.51.100.7");
  EXPECT_EQ(event->device_id, "dev-1");
  EXPECT_EQ(event->account_created_at, absl::FromUnixSeconds(1'000'000'000));
  // The same review again: the exact-duplicate rule holds for imports.
  s = Import(*stub_, req, Bearer("importer", "service"), &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS) << s.error_message();
}

TEST_F(GatewayTest, ACustomerCanNeverSetTheTime) {
  // SubmitReview has no time field; ImportReview refuses every role but service.
  v1::ImportReviewRequest req = ValidImport(user_, testing::UniqueAsin(), 1'095'724'800);
  v1::ImportReviewResponse resp;
  for (const char* role : {"customer", "moderator"}) {
    grpc::Status s = Import(*stub_, req, Bearer(user_, role), &resp);
    ExpectStatus(s, grpc::StatusCode::PERMISSION_DENIED,
                 "/candor.review.v1.ReviewService/ImportReview requires role 'service'");
  }
  EXPECT_EQ(v1::SubmitReviewRequest::descriptor()->FindFieldByName("submitted_at"), nullptr);
  grpc::ClientContext anon;
  EXPECT_EQ(stub_->ImportReview(&anon, req, &resp).error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(GatewayTest, ImportsAreNotRateLimitedButValidated) {
  // Fifteen reviews of one user, two of one product, at their times over a year: a live user
  // would be limited at 10 and refused the second review of the product.
  const std::string author = testing::UniqueUser("shopper");
  const std::string asin = testing::UniqueAsin();
  const std::string service = Bearer("importer", "service");
  for (int i = 0; i < 15; ++i) {
    v1::ImportReviewRequest req =
        ValidImport(author, i < 2 ? asin : testing::UniqueAsin(), 1'300'000'000 + i * 86400 * 20);
    req.set_body(absl::StrCat("Review number ", i, " of my long history."));
    v1::ImportReviewResponse resp;
    grpc::Status s = Import(*stub_, req, service, &resp);
    EXPECT_TRUE(s.ok()) << i << ": " << s.error_message();
  }
  auto expect_invalid = [&](v1::ImportReviewRequest req, const std::string& fragment) {
    v1::ImportReviewResponse resp;
    ExpectStatus(Import(*stub_, req, service, &resp), grpc::StatusCode::INVALID_ARGUMENT, fragment);
  };
  v1::ImportReviewRequest req = ValidImport(author, testing::UniqueAsin(), 1'300'000'000);
  req.clear_submitted_at();
  expect_invalid(req, "submitted_at: required");
  req = ValidImport(author, testing::UniqueAsin(), 700'000'000);  // 1992
  expect_invalid(req, "submitted_at: an imported review's time must not be before 1995-01-01");
  req = ValidImport(author, testing::UniqueAsin(), absl::ToUnixSeconds(absl::Now()) + 3600);
  expect_invalid(req, "is in the future");
  req = ValidImport(author, testing::UniqueAsin(), 1'300'000'000);
  req.mutable_submitted_at()->set_nanos(-1);
  expect_invalid(req, "submitted_at: nanos");
  req = ValidImport("", testing::UniqueAsin(), 1'300'000'000);
  expect_invalid(req, "user_id: required");
  req = ValidImport(author, testing::UniqueAsin(), 1'300'000'000);
  req.set_client_ip("198.51.100.7:443");
  expect_invalid(req, "client_ip:");
  req = ValidImport(author, "nope", 1'300'000'000);
  expect_invalid(req, "asin:");
  req = ValidImport(author, testing::UniqueAsin(), 1'300'000'000);
  req.mutable_account_created_at()->set_seconds(int64_t{1} << 50);
  expect_invalid(req, "account_created_at:");
  // A string field that is not UTF-8 is named too, as for SubmitReview.
  std::string raw = ValidImport(author, testing::UniqueAsin(), 1'300'000'000).SerializeAsString() +
                    WireField(1, "user-\xFF");
  grpc::Status s = RawCall(
      app_->port(), "/candor.review.v1.ReviewService/ImportReview", raw,
      auth::MintHs256({"importer", "service", absl::Now() + absl::Hours(1)}, kSecret, absl::Now()));
  ExpectStatus(s, grpc::StatusCode::INVALID_ARGUMENT, "user_id:");
}

// --- GetReviewStatus: the author sees their review's status and why -----------------------------

grpc::Status Status(v1::ReviewService::Stub& stub, const std::string& review_id,
                    const std::string& bearer, v1::ReviewStatusReport* report) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  ctx.AddMetadata("authorization", bearer);
  v1::GetReviewStatusRequest req;
  req.set_review_id(review_id);
  return stub.GetReviewStatus(&ctx, req, report);
}

TEST_F(GatewayTest, TheAuthorSeesStatusAndReasonsOthersGetNotFound) {
  const std::string asin = testing::UniqueAsin();
  v1::SubmitReviewResponse submitted;
  ASSERT_TRUE(Submit(Valid(asin), &submitted).ok());
  const std::string id = submitted.review_id();
  const std::string other = "Bearer " + Token(testing::UniqueUser(), absl::Hours(1));

  // In Kafka, not yet scored: the author sees it awaiting scoring; nobody else sees anything.
  v1::ReviewStatusReport report;
  grpc::Status s = Status(*stub_, id, "Bearer " + token_, &report);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(report.review_id(), id);
  EXPECT_EQ(report.status(), v1::REVIEW_STATUS_AWAITING_SCORING);
  EXPECT_FALSE(report.has_decided_at());
  EXPECT_EQ(report.reasons_size(), 0);
  grpc::Status theirs = Status(*stub_, id, other, &report);
  const std::string unknown_id = std::string(32, 'e');
  grpc::Status unknown = Status(*stub_, unknown_id, "Bearer " + token_, &report);
  EXPECT_EQ(theirs.error_code(), grpc::StatusCode::NOT_FOUND) << theirs.error_message();
  EXPECT_EQ(unknown.error_code(), grpc::StatusCode::NOT_FOUND) << unknown.error_message();
  EXPECT_EQ(theirs.error_message(), absl::StrCat("review ", id, ": not found"));
  EXPECT_EQ(unknown.error_message(), absl::StrCat("review ", unknown_id, ": not found"));

  // Scored and stored (as fraud-scorer stores it): held, with its reasons.
  std::optional<review::Submission> event = Published(id);
  ASSERT_TRUE(event.has_value());
  auto pool = pg::Pool::Create(testing::PgDsn(), 1);
  ASSERT_TRUE(pool.ok()) << pool.status();
  reviewdb::NewReview row;
  row.submission = *event;
  row.status = review::ReviewStatus::kHeld;
  row.fraud_score = 0.55;
  row.decision = "queue";
  row.scorer = "rules-v1";
  row.reasons = {{"burst_24h", 6, 0.35, "6 submissions by this user in 24 h"},
                 {"shouting", 0.9, 0.2, "9 of 10 letters upper case"}};
  row.queue_reason = "rules-v1 score 0.55";
  const absl::Time before = absl::Now() - absl::Seconds(5);
  ASSERT_TRUE(reviewdb::ReviewDb(**pool).InsertScored({row}).ok());

  s = Status(*stub_, id, "Bearer " + token_, &report);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(report.status(), v1::REVIEW_STATUS_HELD);
  ASSERT_TRUE(report.has_decided_at());
  EXPECT_GT(report.decided_at().seconds(), absl::ToUnixSeconds(before));
  ASSERT_EQ(report.reasons_size(), 2);
  EXPECT_EQ(report.reasons(0).code(), "burst_24h");
  EXPECT_EQ(report.reasons(0).value(), 6);
  EXPECT_EQ(report.reasons(0).text(), "6 submissions by this user in 24 h");
  EXPECT_EQ(report.reasons(1).code(), "shouting");
  // The weights are the scorer's, not the author's: the message has no field for them.
  EXPECT_EQ(v1::ReviewReason::descriptor()->FindFieldByName("weight"), nullptr);
  // Another customer still gets the very same NOT_FOUND as for an unknown id.
  theirs = Status(*stub_, id, other, &report);
  EXPECT_EQ(theirs.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(theirs.error_message(), absl::StrCat("review ", id, ": not found"));

  // Bad ids are INVALID_ARGUMENT; other roles may not ask at all.
  ExpectStatus(Status(*stub_, "XYZ", "Bearer " + token_, &report),
               grpc::StatusCode::INVALID_ARGUMENT, "review_id:");
  ExpectStatus(Status(*stub_, id, Bearer("staff-1", "moderator"), &report),
               grpc::StatusCode::PERMISSION_DENIED,
               "/candor.review.v1.ReviewService/GetReviewStatus requires role 'customer'");
}

TEST_F(GatewayTest, AnImportedReviewsAuthorSeesItAwaitingScoring) {
  const std::string author = testing::UniqueUser("shopper");
  v1::ImportReviewResponse resp;
  ASSERT_TRUE(Import(*stub_, ValidImport(author, testing::UniqueAsin(), 1'300'000'000),
                     Bearer("importer", "service"), &resp)
                  .ok());
  v1::ReviewStatusReport report;
  grpc::Status s = Status(*stub_, resp.review_id(), Bearer(author, "customer"), &report);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(report.status(), v1::REVIEW_STATUS_AWAITING_SCORING);
}

}  // namespace
}  // namespace candor::gateway
