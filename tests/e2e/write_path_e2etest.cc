// The write path end to end on a fresh local stack, with the three services as real processes:
// gateway -> Kafka -> fraud-scorer -> Postgres -> rating-aggregator -> Redis. Submits valid,
// duplicate, rate-limited, invalid and unauthenticated requests, imports historical reviews with
// their original times, and sends poison Kafka messages; waits for the consumers to drain, checks
// invariants I1-I3 (design.md) exactly against a recomputation from what it sent, that imports
// keep their times, and that an author (only) reads their review's status and reasons. The scorer
// runs its rule set (--scorer rules), whose decisions the test can predict.

#include <grpcpp/grpcpp.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <future>
#include <map>
#include <random>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "candor/review/v1/review_service.grpc.pb.h"
#include "gtest/gtest.h"
#include "libs/events/topics.h"
#include "libs/kafka/kafka.h"
#include "libs/pg/pg_pool.h"
#include "libs/ratings/redis_rating_cache.h"
#include "libs/redis/hash_tag.h"
#include "libs/redis/redis_client.h"
#include "libs/review/fingerprint.h"
#include "libs/review/rating_aggregate.h"
#include "libs/review/review_status.h"
#include "libs/reviewdb/review_db.h"
#include "libs/reviewdb/reviewdb_testing.h"
#include "libs/testing/hang_up_server.h"
#include "libs/testing/wait.h"
#include "tests/e2e/child_process.h"
#include "tests/e2e/e2e_env.h"

namespace candor::e2e {
namespace {

namespace v1 = candor::review::v1;
using review::ReviewStatus;
using reviewdb::testing::ReviewRow;

// What the test sent and was told OK for.
struct Sent {
  std::string asin;
  int rating;
  bool verified;
};

class WritePathE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    stack_dir_ = Env("CANDOR_E2E_STACK_DIR");
    stack_ = StackCommand(stack_dir_);
    RunCommand(stack_ + " down --purge >/dev/null 2>&1");  // fresh: nothing left from a crash
    std::string exports;
    ASSERT_EQ(RunCommand(stack_ + " up", &exports), 0) << "stack did not come up";
    redis_addr_ = Exported(exports, "CANDOR_REDIS_ADDR");
    pg_dsn_ = Exported(exports, "CANDOR_PG_DSN");
    brokers_ = Exported(exports, "CANDOR_KAFKA_BROKERS");
    ASSERT_FALSE(redis_addr_.empty() || pg_dsn_.empty() || brokers_.empty()) << exports;
    // A port nothing listens on; the gateway keeps it across its restart in the tests below.
    gateway_addr_ = absl::StrCat("127.0.0.1:", FreePort());
    env_ = {"CANDOR_REDIS_ADDR=" + redis_addr_, "CANDOR_PG_DSN=" + pg_dsn_,
            "CANDOR_KAFKA_BROKERS=" + brokers_, std::string("CANDOR_JWT_SECRET=") + kJwtSecret,
            "CANDOR_GATEWAY_LISTEN=" + gateway_addr_,
            // Free admin ports: another build tree's e2e run may hold the default ones.
            "CANDOR_GATEWAY_ADMIN_PORT=0", "CANDOR_FRAUD_ADMIN_PORT=0", "CANDOR_AGG_ADMIN_PORT=0",
            "CANDOR_GATEWAY_HTTP_PORT=0"};
    ASSERT_TRUE(gateway_.Start({Env("CANDOR_GATEWAY_BIN")}, env_, stack_dir_ + "/gateway.log"));
    // The rule set: its decisions are fixed by the text, so this test can recompute which reviews
    // count. The model scorer's decisions are tested on the real app in
    // services/fraud-scorer/tests/fraud_scorer_model_integration_test.cc.
    std::vector<std::string> scorer_env = env_;
    scorer_env.push_back("CANDOR_FRAUD_SCORER=rules");
    ASSERT_TRUE(
        scorer_.Start({Env("CANDOR_FRAUD_SCORER_BIN")}, scorer_env, stack_dir_ + "/scorer.log"));
    ASSERT_TRUE(
        aggregator_.Start({Env("CANDOR_AGGREGATOR_BIN")}, env_, stack_dir_ + "/aggregator.log"));
    auto channel = grpc::CreateChannel(gateway_addr_, grpc::InsecureChannelCredentials());
    ASSERT_TRUE(
        channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(20)))
        << "gateway never listened; see " << stack_dir_ << "/gateway.log";
    stub_ = v1::ReviewService::NewStub(channel);
  }

  void TearDown() override {
    // Clean shutdown on SIGTERM is part of what is tested.
    EXPECT_EQ(gateway_.Stop(SIGTERM, 20000), std::optional<int>(0)) << "gateway";
    EXPECT_EQ(scorer_.Stop(SIGTERM, 20000), std::optional<int>(0)) << "fraud-scorer";
    EXPECT_EQ(aggregator_.Stop(SIGTERM, 20000), std::optional<int>(0)) << "rating-aggregator";
    if (!HasFailure())
      RunCommand(stack_ + " down --purge >/dev/null 2>&1");
    else
      RunCommand(stack_ + " down >/dev/null 2>&1");  // keep logs for the post-mortem
  }

  grpc::StatusCode Submit(const std::string& user, const std::string& asin, int rating,
                          const std::string& body, bool verified, std::string* review_id,
                          const std::string& auth_override = "") {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    std::string auth = auth_override.empty() ? Bearer(user, "customer") : auth_override;
    if (auth != "none") ctx.AddMetadata("authorization", auth);
    v1::SubmitReviewRequest req;
    req.set_asin(asin);
    req.set_rating(rating);
    req.set_title("My take");
    req.set_body(body);
    req.set_verified_purchase(verified);
    v1::SubmitReviewResponse resp;
    grpc::Status s = stub_->SubmitReview(&ctx, req, &resp);
    if (s.ok() && review_id != nullptr) *review_id = resp.review_id();
    return s.error_code();
  }

  // Starts the gateway again after a crash and points stub_ at it.
  void RestartGateway() {
    ASSERT_TRUE(gateway_.Start({Env("CANDOR_GATEWAY_BIN")}, env_, stack_dir_ + "/gateway.log"));
    auto channel = grpc::CreateChannel(gateway_addr_, grpc::InsecureChannelCredentials());
    ASSERT_TRUE(
        channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(20)))
        << "restarted gateway never listened; see " << stack_dir_ << "/gateway.log";
    stub_ = v1::ReviewService::NewStub(channel);
  }

  std::vector<std::string> env_;
  std::string stack_dir_, stack_, redis_addr_, pg_dsn_, brokers_, gateway_addr_;
  ChildProcess gateway_, scorer_, aggregator_;
  std::unique_ptr<v1::ReviewService::Stub> stub_;
};

std::string Body(std::mt19937& rng, int n) {
  static const char* kWords[] = {"tone",   "warm",  "strings", "neck",   "solid", "tuning",
                                 "stable", "price", "fair",    "sounds", "clear", "cable",
                                 "sturdy", "pedal", "quiet",   "bright", "feel",  "frets"};
  std::string out = absl::StrCat("Review number ", n, ": the");
  for (int i = 0; i < 14; ++i) absl::StrAppend(&out, " ", kWords[rng() % 18]);
  absl::StrAppend(&out, ". I would recommend it to a friend who plays every day.");
  return out;
}

TEST_F(WritePathE2eTest, ExactlyOnceFromGatewayToRedis) {
  std::mt19937 rng(20261126);
  std::vector<std::string> asins;
  for (int i = 0; i < 12; ++i) asins.push_back(absl::StrCat("E2E", 1000000 + i));
  std::map<std::string, Sent> ok;  // review_id -> what was sent
  size_t ordinary = 0;
  std::map<grpc::StatusCode, int> codes;

  // Poison first: the partitions must move past it (dead-letter, not block).
  auto producer = kafka::Producer::Create({brokers_, "e2e", {}}, absl::Seconds(10));
  ASSERT_TRUE(producer.ok());
  for (const char* topic : {events::kReviewSubmissionsTopic, events::kReviewEventsTopic}) {
    ASSERT_TRUE((*producer)
                    ->ProduceSync(topic, asins[0], "\xff\xfe not a protobuf", absl::Seconds(10))
                    .ok());
  }

  // 60 ordinary users, each reviewing up to 3 distinct products (the fraud rules look twice at
  // accounts that review 4+ products a day; the heavy user below is such a one).
  int n = 0;
  std::vector<std::tuple<std::string, std::string, int, std::string, bool>> first_submissions;
  for (int u = 0; u < 60; ++u) {
    std::string user = absl::StrCat("e2e-user-", u);
    std::vector<std::string> mine = asins;
    std::shuffle(mine.begin(), mine.end(), rng);
    int k = 1 + static_cast<int>(rng() % 3);
    for (int j = 0; j < k; ++j) {
      int rating = 1 + static_cast<int>(rng() % 5);
      bool verified = rng() % 3 != 0;
      std::string body = Body(rng, ++n);
      std::string id;
      grpc::StatusCode c = Submit(user, mine[j], rating, body, verified, &id);
      ++codes[c];
      ASSERT_EQ(c, grpc::StatusCode::OK) << user << " " << mine[j];
      ok[id] = {mine[j], rating, verified};
      first_submissions.emplace_back(user, mine[j], rating, body, verified);
      ++ordinary;
    }
  }
  // Client retries of the exact same request, and a second review of the same product.
  for (int i = 0; i < 15; ++i) {
    const auto& [user, asin, rating, body, verified] = first_submissions[i * 3];
    EXPECT_EQ(Submit(user, asin, rating, body, verified, nullptr),
              grpc::StatusCode::ALREADY_EXISTS);
    EXPECT_EQ(Submit(user, asin, rating, body + " Edited.", verified, nullptr),
              grpc::StatusCode::ALREADY_EXISTS);
  }
  // One heavy user: 10 pass, the 11th and 12th are rate-limited.
  for (int j = 0; j < 12; ++j) {
    std::string id;
    grpc::StatusCode c = Submit("e2e-heavy", asins[j], 5, Body(rng, ++n), true, &id);
    if (j < 10) {
      ASSERT_EQ(c, grpc::StatusCode::OK);
      ok[id] = {asins[j], 5, true};
    } else {
      EXPECT_EQ(c, grpc::StatusCode::RESOURCE_EXHAUSTED);
    }
  }
  // History handed over by an importing service with the original times (1.1e9 = 2004-11):
  // counted like any review, stored with its own time, and its author can ask how it was judged.
  // Five products of one user within a few seconds: no live limit applies to imports.
  const std::string importer = Bearer("e2e-importer", "service");
  std::map<std::string, absl::Time> imported_at;  // review_id -> original time
  std::string short_import;                       // the one a text rule fires on
  for (int i = 0; i < 5; ++i) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    ctx.AddMetadata("authorization", importer);
    v1::ImportReviewRequest req;
    req.set_user_id("e2e-historian");
    req.set_asin(asins[i]);
    req.set_rating(3 + i % 3);
    req.set_body(i == 0 ? "Works great" : Body(rng, ++n));  // 11 characters: short_body fires
    req.set_verified_purchase(i % 2 == 0);
    const absl::Time at = absl::FromUnixSeconds(1'100'000'000 + i * 86400 * 30);
    req.mutable_submitted_at()->set_seconds(absl::ToUnixSeconds(at));
    v1::ImportReviewResponse resp;
    grpc::Status st = stub_->ImportReview(&ctx, req, &resp);
    ASSERT_TRUE(st.ok()) << st.error_message();
    ok[resp.review_id()] = {asins[i], 3 + i % 3, i % 2 == 0};
    imported_at[resp.review_id()] = at;
    if (i == 0) short_import = resp.review_id();
  }

  // Invalid and unauthenticated requests change nothing.
  EXPECT_EQ(Submit("e2e-bad", asins[0], 0, "zero stars", true, nullptr),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Submit("e2e-bad", asins[0], 6, "six stars", true, nullptr),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Submit("e2e-bad", asins[0], 3, "", true, nullptr), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Submit("e2e-bad", "bad-asin", 3, "fine text", true, nullptr),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Submit("e2e-anon", asins[1], 5, "no token here", true, nullptr, "none"),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Submit("e2e-anon", asins[1], 5, "garbage token", true, nullptr, "Bearer x.y.z"),
            grpc::StatusCode::UNAUTHENTICATED);

  // Wait for the consumers to drain: every OK is a row, every active row counted, and Redis
  // holds product_ratings' version for every product.
  auto pool = pg::Pool::Create(pg_dsn_, 1);
  ASSERT_TRUE(pool.ok()) << pool.status();
  reviewdb::ReviewDb db(**pool);
  auto redis = redis::Client::Connect(redis_addr_, 1, absl::Seconds(2));
  ASSERT_TRUE(redis.ok());
  ratings::RedisRatingCache cache(**redis);

  std::map<std::string, ReviewRow> rows;  // by review id
  std::map<std::string, review::RatingAggregate> stored;
  auto is_active = [](const ReviewRow& row) { return row.status == ReviewStatus::kActive; };
  auto drained = [&] {
    rows.clear();
    stored.clear();
    for (const std::string& asin : asins) {
      for (ReviewRow& row : reviewdb::testing::ReviewsOf(**pool, asin)) {
        rows[row.review_id] = std::move(row);
      }
      absl::StatusOr<std::optional<review::RatingAggregate>> rating = db.GetRating(asin);
      EXPECT_TRUE(rating.ok()) << rating.status();
      if (rating.ok() && rating->has_value()) stored[asin] = **rating;
    }
    if (rows.size() < ok.size()) return false;
    for (const auto& [id, row] : rows) {
      if (row.counted != is_active(row)) return false;
    }
    for (const std::string& asin : asins) {
      bool has_active = false;
      for (const auto& [id, row] : rows) has_active |= (row.asin == asin && is_active(row));
      if (!has_active) continue;
      auto cached = cache.Get(asin);
      if (!stored.count(asin) || !cached.ok() || !cached->has_value() ||
          (*cached)->version != stored[asin].version) {
        return false;
      }
    }
    return true;
  };
  ASSERT_TRUE(testing::WaitUntil(drained, absl::Seconds(90), absl::Milliseconds(200)))
      << "consumers did not drain within 90 s: " << rows.size() << " of " << ok.size()
      << " rows; see logs in " << stack_dir_;

  // I1: every OK is exactly one row (review_id is the primary key), with what was sent, and
  // nothing that was refused became a row.
  EXPECT_EQ(rows.size(), ok.size());
  int active = 0;
  for (const auto& [id, sent] : ok) {
    auto it = rows.find(id);
    ASSERT_NE(it, rows.end()) << "OK review " << id << " is missing";
    EXPECT_EQ(it->second.asin, sent.asin);
    EXPECT_EQ(it->second.rating, sent.rating);
    EXPECT_EQ(it->second.verified_purchase, sent.verified);
    active += is_active(it->second);
  }
  EXPECT_GE(active, static_cast<int>(ordinary * 9 / 10))
      << "fraud rules held back ordinary reviews";

  // Imported reviews keep their original time in the ledger.
  for (const auto& [id, at] : imported_at) EXPECT_EQ(rows[id].submitted_at, at) << id;
  // Their author sees the decision and its reasons; anyone else learns nothing.
  auto status_of = [&](const std::string& id, const std::string& user,
                       v1::ReviewStatusReport* report) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    ctx.AddMetadata("authorization", Bearer(user, "customer"));
    v1::GetReviewStatusRequest req;
    req.set_review_id(id);
    return stub_->GetReviewStatus(&ctx, req, report);
  };
  v1::ReviewStatusReport report;
  grpc::Status st = status_of(short_import, "e2e-historian", &report);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(report.status(), v1::REVIEW_STATUS_ACTIVE);
  EXPECT_TRUE(report.has_decided_at());
  ASSERT_GE(report.reasons_size(), 1);
  EXPECT_EQ(report.reasons(0).code(), "short_body");
  EXPECT_EQ(report.reasons(0).value(), 11);
  EXPECT_EQ(report.reasons(0).text(), "11 characters, under 20");
  EXPECT_EQ(status_of(short_import, "e2e-user-0", &report).error_code(),
            grpc::StatusCode::NOT_FOUND);

  // I2: product_ratings equals the recomputation from what was sent, over the reviews the
  // scorer made active (exactly those are counted).
  for (const std::string& asin : asins) {
    review::RatingAggregate expected;
    expected.asin = asin;
    for (const auto& [id, sent] : ok) {
      if (sent.asin == asin && is_active(rows[id])) expected.Apply(sent.rating, sent.verified, 1);
    }
    if (expected.count == 0) {
      EXPECT_TRUE(!stored.count(asin) || stored[asin].count == 0) << asin;
      continue;
    }
    ASSERT_TRUE(stored.count(asin)) << asin;
    EXPECT_TRUE(stored[asin].SameCounts(expected))
        << asin << ": stored count " << stored[asin].count << " sum " << stored[asin].sum
        << ", expected " << expected.count << " / " << expected.sum;
    // I3: Redis holds the same absolute values and version.
    auto cached = cache.Get(asin);
    ASSERT_TRUE(cached.ok() && cached->has_value()) << asin;
    EXPECT_TRUE((*cached)->SameCounts(stored[asin])) << asin;
    EXPECT_EQ((*cached)->version, stored[asin].version) << asin;

    // And the public API shows it.
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", Bearer("reader", "customer"));
    v1::GetProductSummaryRequest req;
    req.set_asin(asin);
    v1::ProductSummary summary;
    ASSERT_TRUE(stub_->GetProductSummary(&ctx, req, &summary).ok());
    EXPECT_EQ(summary.review_count(), expected.count);
    EXPECT_DOUBLE_EQ(summary.average(), expected.Average());
  }

  // Poison went to the dead-letter topics.
  for (const std::string& dlq : {events::DeadLetterTopic(events::kReviewSubmissionsTopic),
                                 events::DeadLetterTopic(events::kReviewEventsTopic)}) {
    auto consumer = kafka::Consumer::Create({brokers_, "e2e", {}}, "e2e-dlq-check", {dlq});
    ASSERT_TRUE(consumer.ok());
    bool seen = false;
    absl::Time until = absl::Now() + absl::Seconds(20);
    while (!seen && absl::Now() < until) {
      auto batch = (*consumer)->PollBatch(10, absl::Milliseconds(200));
      ASSERT_TRUE(batch.ok());
      for (const auto& m : *batch) seen |= m.value == "\xff\xfe not a protobuf";
    }
    EXPECT_TRUE(seen) << "poison message not found on " << dlq;
  }
}

// The gateway dies (kill -9: a crash, or a rollout that does not drain) after the guard admitted a
// submission and before Kafka's delivery report. The client saw no answer; its identical retry,
// against the restarted gateway, must be accepted with the same review id, and exactly one row
// must come of it. Kafka is frozen (SIGSTOP) meanwhile, so the request is certainly mid-flight:
// the broker may or may not hold it once it thaws, and both must end in one row.
TEST_F(WritePathE2eTest, GatewayKilledBetweenGuardAndDeliveryThenRetryCompletes) {
  const std::string user = "e2e-crash-user";
  const std::string asin = "E2E2000001";
  const std::string body = "Bought it for the tone; kept it for how well it holds tuning.";
  const std::string fingerprint = review::Fingerprint(asin, user, body);
  const std::string expected_id = review::ReviewIdFromFingerprint(fingerprint);
  const std::string marker_key = "g:" + redis::HashTag(user) + ":fp:" + fingerprint;
  auto redis = redis::Client::Connect(redis_addr_, 1, absl::Seconds(2));
  ASSERT_TRUE(redis.ok());

  std::string kafka_pid;
  ASSERT_EQ(RunCommand("cat " + stack_dir_ + "/kafka/kafka.pid", &kafka_pid), 0);
  kafka_pid = std::string(absl::StripAsciiWhitespace(kafka_pid));
  ASSERT_EQ(RunCommand("kill -STOP " + kafka_pid), 0);
  std::future<grpc::StatusCode> first =
      std::async(std::launch::async, [&] { return Submit(user, asin, 4, body, true, nullptr); });
  const bool admitted = testing::WaitUntil(
      [&] {
        auto v = (*redis)->Command({"GET", marker_key});
        return v.ok() && !v->str.empty();
      },
      absl::Seconds(10), absl::Milliseconds(10));
  gateway_.Stop(SIGKILL, 5000);
  RunCommand("kill -CONT " + kafka_pid);
  ASSERT_TRUE(admitted) << "the guard never admitted the first attempt";
  EXPECT_NE(first.get(), grpc::StatusCode::OK) << "the killed gateway cannot have answered OK";

  RestartGateway();
  std::string id;
  grpc::StatusCode retried = Submit(user, asin, 4, body, true, &id);
  ASSERT_EQ(retried, grpc::StatusCode::OK)
      << "the identical retry after a crash was refused (code " << retried << ")";
  EXPECT_EQ(id, expected_id);
  EXPECT_EQ(Submit(user, asin, 4, body, true, nullptr), grpc::StatusCode::ALREADY_EXISTS);

  // Exactly one row (review_id is the primary key), with what the client was told OK for.
  auto pool = pg::Pool::Create(pg_dsn_, 1);
  ASSERT_TRUE(pool.ok());
  std::optional<ReviewRow> row;
  ASSERT_TRUE(testing::WaitUntil(
      [&] { return (row = reviewdb::testing::ReadReview(**pool, id)).has_value(); },
      absl::Seconds(60), absl::Milliseconds(200)))
      << "review " << id << " was never stored";
  EXPECT_EQ(row->rating, 4);
}

}  // namespace
}  // namespace candor::e2e
