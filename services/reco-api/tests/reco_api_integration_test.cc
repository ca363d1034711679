// reco-api in-process on the mock cluster and the stack's Redis, beside review-gateway's and
// fraud-scorer's Apps: a review submitted through the gateway reaches reco-api through
// fraud-scorer and review-events, and changes its author's recommendations within 5 s. Also:
// who may ask for whom, bad input, impressions on reco-impressions, poison to the dead-letter
// topic, a removed review leaving the history, and a model swapped under load without a failed
// call.

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <random>
#include <thread>

#include "absl/strings/str_cat.h"
#include "candor/reco/v1/reco_service.grpc.pb.h"
#include "candor/review/v1/review_service.grpc.pb.h"
#include "gtest/gtest.h"
#include "libs/auth/jwt.h"
#include "libs/events/reco_impressions.h"
#include "libs/events/review_events.h"
#include "libs/events/topics.h"
#include "libs/reco/two_tower.h"
#include "libs/reco/two_tower_testing.h"
#include "libs/service/grpc_component.h"
#include "libs/testing/consumer_app_fixture.h"
#include "libs/testing/stack_env.h"
#include "libs/testing/temp_dir.h"
#include "libs/testing/wait.h"
#include "services/fraud-scorer/app.h"
#include "services/reco-api/app.h"
#include "services/review-gateway/app.h"

namespace candor::reco_api {
namespace {

namespace rv1 = candor::reco::v1;
namespace gv1 = candor::review::v1;

constexpr char kSecret[] = "reco-api-test-secret-0123456789abcdef";

// The circle model of two_tower_testing.h reading a history of 8, written to `path`.
void WriteCircleModel(const std::string& path, const std::vector<std::string>& asins,
                      const std::vector<double>& degrees) {
  const reco::TwoTowerWeights w = reco::testing::CircleWeights(asins, degrees, 8);
  const std::string tmp = path + ".tmp";
  ASSERT_TRUE(reco::WriteTwoTower(tmp, w, nlohmann::json::object()).ok());
  std::filesystem::rename(tmp, path);  // what an operator does: readers never see half a file
}

std::string Bearer(const std::string& user, const std::string& role = "customer") {
  return "Bearer " +
         auth::MintHs256({user, role, absl::Now() + absl::Hours(1)}, kSecret, absl::Now());
}

std::string RandomSuffix() { return absl::StrCat(std::random_device{}() % 1000000000); }

class RecoApiIntegrationTest : public testing::ConsumerAppTest {
 protected:
  RecoApiIntegrationTest()
      : ConsumerAppTest({events::kReviewEventsTopic},
                        {events::kRecoImpressionsTopic, events::kReviewSubmissionsTopic,
                         events::DeadLetterTopic(events::kReviewSubmissionsTopic)}) {}

  void SetUp() override {
    ConsumerAppTest::SetUp();
    // Products of this run only (Redis outlives a run): R, 8 random digits, the index.
    const uint32_t run = std::random_device{}() % 100000000;
    asins_.reserve(10);
    degrees_.reserve(10);
    for (int i = 0; i < 10; ++i) {
      asins_.push_back(absl::StrCat("R", absl::Dec(run, absl::kZeroPad8), i));
      degrees_.push_back(i * 36.0);
    }
    model_path_ = dir_.Path("model.tt");
    ASSERT_NO_FATAL_FAILURE(WriteCircleModel(model_path_, asins_, degrees_));
    UseStack(&config_, "reco-api-test-");
    config_.grpc.listen = "127.0.0.1:0";
    config_.grpc.jwt_secret = kSecret;
    config_.model = model_path_;
    config_.index = "hnsw";
    config_.model_reload_s = 1;
    config_.popular_refresh_s = 1;
    config_.consumer.batch_linger_ms = 5;
  }

  void StartReco() {
    absl::StatusOr<std::unique_ptr<service::ServiceApp>> app = CreateApp(config_);
    ASSERT_TRUE(app.ok()) << app.status();
    const auto* grpc = (*app)->FindComponent<service::GrpcComponent>();
    ASSERT_NE(grpc, nullptr);
    StartApp(std::move(app));
    ASSERT_TRUE(testing::WaitUntil([&] { return grpc->port() != 0; }));
    stub_ = rv1::RecommendationService::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", grpc->port()), grpc::InsecureChannelCredentials()));
  }

  grpc::Status Recommend(const std::string& caller, const std::string& user, int count,
                         rv1::RecommendResponse* out, const std::string& role = "customer",
                         const std::string& request_id = "") {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    if (!caller.empty()) ctx.AddMetadata("authorization", Bearer(caller, role));
    if (!request_id.empty()) ctx.AddMetadata("x-request-id", request_id);
    rv1::RecommendRequest req;
    req.set_user_id(user);
    req.set_count(count);
    grpc::Status status = stub_->Recommend(&ctx, req, out);
    if (status.ok()) ++answered_;
    return status;
  }

  grpc::Status Similar(const std::string& asin, int count, rv1::SimilarItemsResponse* out) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    ctx.AddMetadata("authorization", Bearer("reader"));
    rv1::SimilarItemsRequest req;
    req.set_asin(asin);
    req.set_count(count);
    return stub_->SimilarItems(&ctx, req, out);
  }

  static std::vector<std::string> Asins(const rv1::RecommendResponse& r) {
    std::vector<std::string> out;
    out.reserve(static_cast<size_t>(r.items_size()));
    for (const rv1::RecommendedItem& i : r.items()) out.push_back(i.asin());
    return out;
  }

  std::string AcceptedEvent(const std::string& review_id, const std::string& asin,
                            const std::string& user) {
    review::ReviewEvent e;
    e.review_id = review_id;
    e.asin = asin;
    e.occurred_at = absl::Now();
    e.change = review::ReviewAccepted{.rating = 5, .verified_purchase = true, .user_id = user};
    return events::EncodeReviewEvent(e);
  }

  testing::TempDir dir_{"candor-reco-api-test"};
  std::vector<std::string> asins_;
  std::vector<double> degrees_;
  std::string model_path_;
  Config config_;
  std::unique_ptr<rv1::RecommendationService::Stub> stub_;
  size_t answered_ = 0;  // OK answers of Recommend: each logged one impression
};

// fraud-scorer's App (the rule set: decisions fixed by the text) on the same cluster and stack,
// run on a thread of its own until destroyed.
class FraudScorer {
 public:
  explicit FraudScorer(const fraud_scorer::Config& c) {
    auto app = fraud_scorer::CreateApp(c);
    EXPECT_TRUE(app.ok()) << app.status();
    if (!app.ok()) return;
    app_ = std::move(*app);
    runner_ = std::thread([this] { status_ = app_->Run([this] { return stop_.load(); }); });
  }
  ~FraudScorer() {
    stop_ = true;
    if (runner_.joinable()) runner_.join();
    EXPECT_TRUE(status_.ok()) << status_;
  }
  bool ok() const { return app_ != nullptr; }

 private:
  std::unique_ptr<service::ServiceApp> app_;
  std::atomic<bool> stop_{false};
  absl::Status status_;
  std::thread runner_;
};

TEST_F(RecoApiIntegrationTest, AReviewThroughTheGatewayChangesItsAuthorsAnswerWithinFiveSeconds) {
  ASSERT_NO_FATAL_FAILURE(StartReco());
  fraud_scorer::Config fc;
  fc.scorer = "rules";
  UseStack(&fc, "reco-api-test-fraud-");
  fc.service.log_level = "warn";
  FraudScorer scorer(fc);
  ASSERT_TRUE(scorer.ok());
  gateway::Config gc;
  gc.grpc.listen = "127.0.0.1:0";
  gc.grpc.jwt_secret = kSecret;
  gc.kafka_brokers = cluster_.bootstrap();
  gc.redis_addr = testing::RedisAddr();
  gc.pg_dsn = testing::PgDsn();
  gc.log_level = "warn";
  auto gw = gateway::App::Create(gc);
  ASSERT_TRUE(gw.ok()) << gw.status();
  auto reviews = gv1::ReviewService::NewStub(grpc::CreateChannel(
      absl::StrCat("127.0.0.1:", (*gw)->port()), grpc::InsecureChannelCredentials()));

  // A shopper with one earlier review (straight onto review-events), then a new one through the
  // gateway.
  const std::string user = "reco-shopper-" + RandomSuffix();
  Produce(asins_[0], AcceptedEvent("0000000000000000000000000000000a", asins_[0], user));
  rv1::RecommendResponse before;
  ASSERT_TRUE(testing::WaitUntil([&] {
    before.Clear();
    return Recommend(user, user, 4, &before).ok() && before.history_length() == 1;
  }));
  const std::vector<std::string> first = Asins(before);
  // The neighbours of item 0 on the circle: 1 and 9, then 2 and 8.
  ASSERT_EQ(first.size(), 4U);
  EXPECT_EQ(before.items(0).stage(), rv1::STAGE_RETRIEVAL);
  const std::string& reviewed = first[0];  // the top recommendation is what they buy next

  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  ctx.AddMetadata("authorization", Bearer(user));
  gv1::SubmitReviewRequest submit;
  submit.set_asin(reviewed);
  submit.set_rating(5);
  submit.set_title("Works as described");
  submit.set_body(
      "Solid build, sounds clear and stays in tune through a long rehearsal. Good "
      "value for the price and I would buy it again for my students.");
  gv1::SubmitReviewResponse submitted;
  const grpc::Status s = reviews->SubmitReview(&ctx, submit, &submitted);
  ASSERT_TRUE(s.ok()) << s.error_message();
  const auto t0 = std::chrono::steady_clock::now();
  rv1::RecommendResponse after;
  const bool changed = testing::WaitUntil(
      [&] {
        after.Clear();
        return Recommend(user, user, 4, &after).ok() && after.history_length() == 2;
      },
      absl::Seconds(5));
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_TRUE(changed) << "the review did not reach reco-api within 5 s";
  std::cout << "review through the gateway -> reco-api's answer changed in " << seconds << " s\n";
  for (const std::string& a : Asins(after))
    EXPECT_NE(a, reviewed) << "recommends what was reviewed";
  EXPECT_NE(Asins(after), first);
  (*gw)->Shutdown();
}

TEST_F(RecoApiIntegrationTest, RolesBadInputImpressionsAndRemovals) {
  ASSERT_NO_FATAL_FAILURE(StartReco());
  const std::string user = "reco-user-" + RandomSuffix();
  rv1::RecommendResponse r;
  // A user never seen: the cold-start list, not an error (empty until products were reviewed).
  ASSERT_TRUE(Recommend(user, user, 5, &r).ok());
  EXPECT_EQ(r.history_length(), 0);
  EXPECT_EQ(r.variant(), "funnel");
  EXPECT_EQ(r.experiment(), "none");
  EXPECT_FALSE(r.request_id().empty());

  EXPECT_EQ(Recommend(user, "someone-else", 5, &r).error_code(), grpc::PERMISSION_DENIED);
  EXPECT_TRUE(Recommend("importer", "someone-else", 5, &r, "service").ok());
  EXPECT_EQ(Recommend("", user, 5, &r).error_code(), grpc::UNAUTHENTICATED);
  EXPECT_EQ(Recommend(user, user, 101, &r).error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(Recommend(user, user, -1, &r).error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(Recommend("", "", 5, &r).error_code(), grpc::UNAUTHENTICATED);
  EXPECT_EQ(Recommend("moderator-1", "", 5, &r, "service").error_code(), grpc::INVALID_ARGUMENT);
  rv1::SimilarItemsResponse similar;
  EXPECT_EQ(Similar("B0000000ZZ", 5, &similar).error_code(), grpc::NOT_FOUND);
  EXPECT_EQ(Similar("not an asin", 5, &similar).error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(Similar(asins_[0], 1000, &similar).error_code(), grpc::INVALID_ARGUMENT);
  ASSERT_TRUE(Similar(asins_[0], 2, &similar).ok());
  ASSERT_EQ(similar.items_size(), 2);
  EXPECT_NE(similar.items(0).asin(), asins_[0]);

  // Two reviews, poison between them; then one is removed and leaves the history.
  Produce(asins_[3], AcceptedEvent("0000000000000000000000000000000b", asins_[3], user));
  Produce(asins_[3], "\xff not a review event");
  Produce(asins_[5], AcceptedEvent("0000000000000000000000000000000c", asins_[5], user));
  Produce(asins_[5], AcceptedEvent("0000000000000000000000000000000c", asins_[5], user));  // again
  ASSERT_TRUE(testing::WaitUntil([&] {
    r.Clear();
    return Recommend(user, user, 5, &r, "customer", "req-42").ok() && r.history_length() == 2;
  }));
  EXPECT_EQ(r.request_id(), "req-42");
  const rv1::RecommendResponse with_id = r;  // the last answer logged under req-42
  for (const std::string& a : Asins(r)) {
    EXPECT_NE(a, asins_[3]);
    EXPECT_NE(a, asins_[5]);
  }
  EXPECT_EQ(ReadTopic(events::DeadLetterTopic(events::kReviewEventsTopic), 1).size(), 1U);

  review::ReviewEvent removed;
  removed.review_id = "0000000000000000000000000000000b";
  removed.asin = asins_[3];
  removed.occurred_at = absl::Now();
  removed.change = review::ReviewRemoved{.reason_code = "fraud"};
  Produce(asins_[3], events::EncodeReviewEvent(removed));
  ASSERT_TRUE(testing::WaitUntil([&] {
    r.Clear();
    return Recommend(user, user, 5, &r).ok() && r.history_length() == 1;
  }));

  // Every answer above was logged; the last one under our request id is the answer we kept.
  std::optional<events::RecoImpression> last;
  for (const kafka::Message& m : ReadTopic(events::kRecoImpressionsTopic, answered_)) {
    absl::StatusOr<events::RecoImpression> i = events::DecodeRecoImpression(m.value);
    ASSERT_TRUE(i.ok()) << i.status();
    EXPECT_EQ(m.key, i->user_id);
    if (i->request_id == "req-42") last = *i;
  }
  ASSERT_TRUE(last.has_value()) << "no impression with request id req-42";
  EXPECT_EQ(last->user_id, user);
  EXPECT_EQ(last->variant, "funnel");
  std::vector<std::string> shown;
  shown.reserve(last->items.size());
  for (const events::ImpressedItem& item : last->items) shown.push_back(item.asin);
  EXPECT_EQ(shown, Asins(with_id));
}

TEST_F(RecoApiIntegrationTest, ANewModelIsSwappedInWithoutAFailedCall) {
  ASSERT_NO_FATAL_FAILURE(StartReco());
  std::atomic<bool> stop{false};
  std::atomic<int> calls{0}, failed{0};
  std::thread load([&] {
    while (!stop) {
      rv1::SimilarItemsResponse s;
      if (!Similar(asins_[0], 3, &s).ok()) ++failed;
      ++calls;
    }
  });
  rv1::SimilarItemsResponse s;
  ASSERT_TRUE(Similar(asins_[0], 1, &s).ok());
  const std::string old_nearest = s.items(0).asin();
  // The same items, item 5 moved next to item 0: its nearest neighbour changes.
  std::vector<double> moved = degrees_;
  moved[5] = 3.0;
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // a new modification time
  ASSERT_NO_FATAL_FAILURE(WriteCircleModel(model_path_, asins_, moved));
  const bool swapped = testing::WaitUntil([&] {
    rv1::SimilarItemsResponse now;
    return Similar(asins_[0], 1, &now).ok() && now.items(0).asin() == asins_[5];
  });
  stop = true;
  load.join();
  EXPECT_TRUE(swapped) << "the new model was not swapped in";
  EXPECT_NE(old_nearest, asins_[5]);
  EXPECT_GT(calls.load(), 10);
  EXPECT_EQ(failed.load(), 0);
}

}  // namespace
}  // namespace candor::reco_api
