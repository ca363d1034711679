// "A retry after UNAVAILABLE goes through" under real faults: the gateway's App against a private
// redis-server (frozen with SIGSTOP, or behind a proxy that loses replies or requests), the
// stack's Postgres and an in-process Kafka mock cluster (slowed so deliveries time out in flight,
// or made to fail fatally). Each fault leaves the outcome of the first call unknown to the
// client; the identical retry must end in OK with the same review id, never in a "duplicate" of
// something that may not exist, and a retry that differs must not be answered OK.

#include <grpcpp/grpcpp.h>

#include <future>

#include "candor/review/v1/events.pb.h"
#include "candor/review/v1/review_service.grpc.pb.h"
#include "gtest/gtest.h"
#include "libs/events/topics.h"
#include "libs/kafka/kafka.h"
#include "libs/kafka/mock_cluster.h"
#include "libs/redis/redis_client.h"
#include "libs/review/fingerprint.h"
#include "libs/rpc/health_check_client.h"
#include "libs/testing/fault_proxy.h"
#include "libs/testing/redis_server.h"
#include "libs/testing/stack_env.h"
#include "libs/testing/wait.h"
#include "services/review-gateway/app.h"
#include "services/review-gateway/tests/app_testing.h"

namespace candor::gateway {
namespace {

namespace v1 = candor::review::v1;
using testing::FaultProxy;
constexpr char kSecret[] = "retry-test-secret-0123456789abcdef";

class RetryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cluster_ = std::make_unique<kafka::MockCluster>();
    cluster_->CreateTopic(events::kReviewSubmissionsTopic, 1);
    proxy_ = std::make_unique<FaultProxy>(Port(redis_.address()));
    auto direct = redis::Client::Connect(redis_.address(), 1, absl::Seconds(2));
    ASSERT_TRUE(direct.ok()) << direct.status();
    direct_ = std::move(*direct);
    user_ = testing::UniqueUser("retry");
    asin_ = testing::UniqueAsin();
  }

  static int Port(const std::string& address) {
    return std::stoi(address.substr(address.rfind(':') + 1));
  }

  Config BaseConfig() {
    Config c = IntegrationConfig(cluster_->bootstrap(), kSecret);
    c.redis_addr = proxy_->address();
    c.publish_timeout_ms = 1000;
    return c;
  }

  std::unique_ptr<App> StartApp(const Config& c) {
    auto app = App::Create(c);
    EXPECT_TRUE(app.ok()) << app.status();
    return app.ok() ? std::move(*app) : nullptr;
  }

  // One ordinary submit of another product, so what a long-running gateway has is in place
  // before the fault: Redis holds the guard's scripts (else the faulted call is a NOSCRIPT that
  // never runs) and the idempotent producer has its producer id (else the message times out
  // queued, certainly not sent).
  void Warm(const App& app) {
    v1::SubmitReviewRequest other = Request();
    other.set_asin(testing::UniqueAsin());
    v1::SubmitReviewResponse resp;
    grpc::Status s = Submit(app, other, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  v1::SubmitReviewRequest Request(int rating = 4) const {
    v1::SubmitReviewRequest r;
    r.set_asin(asin_);
    r.set_rating(rating);
    r.set_title("Solid");
    r.set_body("Stays in tune for weeks, even on stage.");
    r.set_verified_purchase(true);
    return r;
  }

  // The review id every attempt of Request() must be answered with.
  std::string ExpectedId() const {
    return review::ReviewIdFromFingerprint(review::Fingerprint(asin_, user_, Request().body()));
  }
  std::string FingerprintKey() const {
    review::Submission s;
    s.user_id = user_;
    s.asin = asin_;
    s.fingerprint = review::Fingerprint(asin_, user_, Request().body());
    return RedisSubmissionGuard::KeysFor(s).fingerprint;
  }

  grpc::Status Submit(const App& app, const v1::SubmitReviewRequest& req,
                      v1::SubmitReviewResponse* resp) {
    auto stub = ReviewStub(app.port());
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(15));
    ctx.AddMetadata("authorization", BearerFor(user_, "customer", kSecret));
    return stub->SubmitReview(&ctx, req, resp);
  }

  // The guard marker's value on the real Redis ("" when absent), read past the proxy.
  std::string Marker() {
    auto r = direct_->Command({"GET", FingerprintKey()});
    return r.ok() ? r->str : "";
  }
  // Waits until the marker satisfies `pred`; false at the deadline.
  bool WaitForMarker(const std::function<bool(const std::string&)>& pred,
                     absl::Duration within = absl::Seconds(10)) {
    return testing::WaitUntil([&] { return pred(Marker()); }, within, absl::Milliseconds(10));
  }

  // The ratings of every record for `review_id` on the topic (the log is the truth).
  std::vector<int> PublishedRatings(const std::string& review_id, size_t at_least) {
    auto consumer =
        kafka::Consumer::Create({cluster_->bootstrap(), "t", {}}, testing::UniqueUser("g"),
                                {events::kReviewSubmissionsTopic});
    EXPECT_TRUE(consumer.ok());
    std::vector<int> ratings;
    absl::Time until = absl::Now() + absl::Seconds(10);
    while (ratings.size() < at_least && absl::Now() < until) {
      auto batch = (*consumer)->PollBatch(100, absl::Milliseconds(200));
      EXPECT_TRUE(batch.ok());
      if (!batch.ok()) break;
      for (const kafka::Message& m : *batch) {
        v1::ReviewSubmitted event;
        EXPECT_TRUE(event.ParseFromString(m.value));
        if (event.review_id() == review_id) ratings.push_back(event.rating());
      }
    }
    return ratings;
  }

  // The retry every test ends with: identical, on a healthy path, answered OK with the same id,
  // after which the submission is a confirmed duplicate.
  void ExpectIdenticalRetrySucceeds(const App& app) {
    v1::SubmitReviewResponse resp;
    grpc::Status s = Submit(app, Request(), &resp);
    ASSERT_TRUE(s.ok()) << "the identical retry was refused: " << s.error_code() << " "
                        << s.error_message();
    EXPECT_EQ(resp.review_id(), ExpectedId());
    EXPECT_TRUE(WaitForMarker([](const std::string& v) { return v.rfind("c:", 0) == 0; }))
        << "marker not confirmed: " << Marker();
    grpc::Status dup = Submit(app, Request(), &resp);
    EXPECT_EQ(dup.error_code(), grpc::StatusCode::ALREADY_EXISTS) << dup.error_message();
    EXPECT_NE(dup.error_message().find(ExpectedId()), std::string::npos) << dup.error_message();
  }

  testing::RedisServer redis_;
  std::unique_ptr<kafka::MockCluster> cluster_;
  std::unique_ptr<FaultProxy> proxy_;
  std::unique_ptr<redis::Client> direct_;
  std::string user_, asin_;
};

TEST_F(RetryTest, GuardReplyLostOnADroppedConnection) {
  auto app = StartApp(BaseConfig());
  ASSERT_NE(app, nullptr);
  Warm(*app);
  proxy_->SetMode(FaultProxy::Mode::kDropReplies);
  v1::SubmitReviewResponse resp;
  grpc::Status first = Submit(*app, Request(), &resp);
  EXPECT_EQ(first.error_code(), grpc::StatusCode::UNAVAILABLE) << first.error_message();
  EXPECT_EQ(first.error_message().find("127.0.0.1"), std::string::npos)
      << "internals leak: " << first.error_message();
  ASSERT_GE(proxy_->cut(), 1);
  ASSERT_TRUE(WaitForMarker([](const std::string& v) { return !v.empty(); }))
      << "the script should have run on Redis";
  proxy_->SetMode(FaultProxy::Mode::kForward);
  ExpectIdenticalRetrySucceeds(*app);
}

TEST_F(RetryTest, RedisFrozenPastTheClientTimeout) {
  auto app = StartApp(BaseConfig());
  ASSERT_NE(app, nullptr);
  Warm(*app);
  redis_.Freeze();
  v1::SubmitReviewResponse resp;
  grpc::Status first = Submit(*app, Request(), &resp);
  redis_.Thaw();
  EXPECT_EQ(first.error_code(), grpc::StatusCode::UNAVAILABLE) << first.error_message();
  // The script was sent before Redis froze; it runs once Redis thaws, long after the client gave
  // up on its answer.
  ASSERT_TRUE(WaitForMarker([](const std::string& v) { return !v.empty(); }))
      << "the frozen script should have run after SIGCONT";
  ExpectIdenticalRetrySucceeds(*app);
}

TEST_F(RetryTest, ReleaseFailsAfterKafkaRefused) {
  Config dead = BaseConfig();
  dead.kafka_brokers = "127.0.0.1:1";  // nothing listens: certainly not stored
  dead.publish_timeout_ms = 1500;
  auto broken = StartApp(dead);
  ASSERT_NE(broken, nullptr);
  std::future<grpc::Status> first = std::async(std::launch::async, [&] {
    v1::SubmitReviewResponse resp;
    return Submit(*broken, Request(), &resp);
  });
  // Once the guard admitted it, cut every later request so the release never reaches Redis.
  ASSERT_TRUE(WaitForMarker([](const std::string& v) { return v.rfind("p:", 0) == 0; }));
  proxy_->SetMode(FaultProxy::Mode::kCutRequests);
  EXPECT_EQ(first.get().error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_GE(proxy_->cut(), 1);
  EXPECT_EQ(Marker().rfind("p:", 0), 0u) << "the release should not have run: " << Marker();
  proxy_->SetMode(FaultProxy::Mode::kForward);
  auto healthy = StartApp(BaseConfig());
  ASSERT_NE(healthy, nullptr);
  ExpectIdenticalRetrySucceeds(*healthy);
}

// Kafka took the message but its reply came too late: librdkafka reports MSG_TIMED_OUT with the
// message "possibly persisted". Releasing the keys would let a second review of the product be
// stored beside it, and a retry with another rating must not be answered OK.
TEST_F(RetryTest, DeliveryTimedOutInFlightKeepsTheKeys) {
  Config slow = BaseConfig();
  slow.publish_timeout_ms = 1000;
  auto app = StartApp(slow);
  ASSERT_NE(app, nullptr);
  Warm(*app);
  rd_kafka_mock_broker_set_rtt(cluster_->raw(), 1, 3000);
  v1::SubmitReviewResponse resp;
  grpc::Status first = Submit(*app, Request(), &resp);
  EXPECT_EQ(first.error_code(), grpc::StatusCode::UNAVAILABLE) << first.error_message();
  rd_kafka_mock_broker_set_rtt(cluster_->raw(), 1, 0);
  EXPECT_EQ(Marker().rfind("p:", 0), 0u) << "keys of a possibly stored review were released";

  auto healthy = StartApp(BaseConfig());
  ASSERT_NE(healthy, nullptr);
  grpc::Status other_rating = Submit(*healthy, Request(/*rating=*/1), &resp);
  EXPECT_EQ(other_rating.error_code(), grpc::StatusCode::ABORTED) << other_rating.error_message();
  EXPECT_NE(other_rating.error_message().find(ExpectedId()), std::string::npos);
  v1::SubmitReviewRequest other_text = Request();
  other_text.set_body("A second review of the same product.");
  EXPECT_EQ(Submit(*healthy, other_text, &resp).error_code(), grpc::StatusCode::ABORTED);
  ExpectIdenticalRetrySucceeds(*healthy);
  // Whatever reached the log carries the rating the client was told OK for.
  for (int rating : PublishedRatings(ExpectedId(), 1)) EXPECT_EQ(rating, 4);
}

TEST_F(RetryTest, FatalProducerErrorTurnsHealthNotServing) {
  auto app = StartApp(BaseConfig());
  ASSERT_NE(app, nullptr);
  ASSERT_EQ(rpc::HealthCheck(app->port()), 1);
  app->producer_for_testing().SimulateFatalErrorForTesting("test: producer fenced");
  int status = 1;
  EXPECT_TRUE(testing::WaitUntil([&] { return (status = rpc::HealthCheck(app->port())) == 2; },
                                 absl::Seconds(10), absl::Milliseconds(20)))
      << "health stayed SERVING after a fatal producer error (status " << status << ")";
  EXPECT_FALSE(app->producer_for_testing().Health().ok());
  v1::SubmitReviewResponse resp;
  EXPECT_EQ(Submit(*app, Request(), &resp).error_code(), grpc::StatusCode::UNAVAILABLE);
}

}  // namespace
}  // namespace candor::gateway
