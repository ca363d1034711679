// PgReviewRepository and RedisBehaviourWindow against the real stack (ctest fixture `stack`).

#include <random>
#include <thread>

#include "absl/strings/escaping.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/core/clock.h"
#include "libs/review/fingerprint.h"
#include "libs/review/hostile_text_testing.h"
#include "libs/review/validation.h"
#include "libs/reviewdb/reviewdb_testing.h"
#include "libs/testing/assign.h"
#include "libs/testing/hang_up_server.h"
#include "libs/testing/stack_env.h"
#include "libs/testing/wait.h"
#include "services/fraud-scorer/pg_review_repository.h"
#include "services/fraud-scorer/redis_behaviour_window.h"

namespace candor::fraud_scorer {
namespace {

using reviewdb::testing::AuditOf;
using reviewdb::testing::QueueEntryOf;
using reviewdb::testing::ReadReview;
using reviewdb::testing::ReviewsOf;
using ::testing::ElementsAre;

const absl::Time kSubmitted = absl::FromUnixMicros(1700000000123456);

ScoredReview Make(const std::string& asin, const std::string& user, const std::string& body,
                  Decision::Kind kind) {
  ScoredReview r;
  review::Submission& s = r.submission;
  s.asin = asin;
  s.user_id = user;
  s.rating = 4;
  s.title = "title";
  s.body = body;
  s.verified_purchase = true;
  s.fingerprint = review::Fingerprint(asin, user, body);
  s.review_id = review::ReviewIdFromFingerprint(s.fingerprint);
  s.submitted_at = kSubmitted;
  r.decision.kind = kind;
  r.decision.score = kind == Decision::Kind::kPass ? 0.1 : 0.5;
  r.decision.scorer = "rules-v1";
  r.decision.reasons = {{"short_body", 5, 0.1, "5 characters, under 20"},
                        {"odd_text", 0.25, 0.05, "quote \" and \\ backslash"}};
  r.status = StatusFor(kind);
  return r;
}

class PgReviewRepositoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(testing::Assign(&pool_, pg::Pool::Create(testing::PgDsn(), 2)));
    repo_ = std::make_unique<PgReviewRepository>(*pool_);
  }

  // How many fraud_audit rows the reviews `ids` have together.
  size_t AuditRowsOf(const std::vector<std::string>& ids) {
    size_t n = 0;
    for (const std::string& id : ids) n += reviewdb::testing::AuditOf(*pool_, id).size();
    return n;
  }

  // How many backends wait on a lock that backend `pid` holds (pg_stat_activity, read on a
  // connection of pool_ outside any transaction, so each call sees the current state).
  int64_t BackendsBlockedBy(int pid) {
    int64_t n = 0;
    absl::Status s = pool_->WithConnection([&](pqxx::connection& c) {
      pqxx::nontransaction tx(c);
      n = tx.exec_params1(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE wait_event_type = 'Lock' AND $1 = ANY(pg_blocking_pids(pid))",
                pid)[0]
              .as<int64_t>();
    });
    EXPECT_TRUE(s.ok()) << s;
    return n;
  }

  std::unique_ptr<pg::Pool> pool_;
  std::unique_ptr<PgReviewRepository> repo_;
  std::string asin_ = testing::UniqueAsin();
};

TEST_F(PgReviewRepositoryTest, InsertsRowsAuditAndQueueInOneBatch) {
  std::vector<ScoredReview> batch = {
      Make(asin_, testing::UniqueUser(), "fine kettle", Decision::Kind::kPass),
      Make(asin_, testing::UniqueUser(), "SHOUTY!!", Decision::Kind::kQueue),
      Make(asin_, testing::UniqueUser(), "scam", Decision::Kind::kReject),
      Make(asin_, testing::UniqueUser(), "no window", Decision::Kind::kUnscored)};
  auto stored = repo_->Store(batch);
  ASSERT_TRUE(stored.ok()) << stored.status();
  ASSERT_EQ(stored->size(), 4u);
  std::vector<ReviewStatus> statuses;
  for (size_t i = 0; i < 4; ++i) {
    const StoredReview& st = (*stored)[i];
    EXPECT_EQ(st.review_id, batch[i].submission.review_id);
    EXPECT_TRUE(st.inserted);
    EXPECT_EQ(st.asin, asin_);
    EXPECT_EQ(st.user_id, batch[i].submission.user_id);
    EXPECT_EQ(st.rating, 4);
    EXPECT_TRUE(st.verified_purchase);
    EXPECT_GT(st.stored_at, absl::Now() - absl::Minutes(5));
    statuses.push_back(st.status);
  }
  EXPECT_THAT(statuses, ElementsAre(ReviewStatus::kActive, ReviewStatus::kHeld,
                                    ReviewStatus::kRejected, ReviewStatus::kActive));
  std::vector<std::string> ids;
  for (const reviewdb::testing::ReviewRow& row : ReviewsOf(*pool_, asin_)) {
    EXPECT_FALSE(row.counted);
    ids.push_back(row.review_id);
  }
  EXPECT_EQ(ids.size(), 4u);
  EXPECT_EQ(AuditRowsOf(ids), 4u);
  int queue_rows = 0;
  for (const std::string& id : ids) queue_rows += QueueEntryOf(*pool_, id).has_value();
  EXPECT_EQ(queue_rows, 1);
  const std::string queued = batch[1].submission.review_id;
  EXPECT_EQ(QueueEntryOf(*pool_, queued)->state, "open");
  // The queue row: a one-line summary for the list, and the same reasons as the audit row.
  EXPECT_EQ(QueueEntryOf(*pool_, queued)->reason,
            "rules-v1 score 0.5: short_body: 5 characters, under 20; odd_text: quote \" and \\ "
            "backslash");
  EXPECT_EQ(QueueEntryOf(*pool_, queued)->reasons, batch[1].decision.reasons);
  // The audit row carries the decision, scorer, score and the reasons (code, value, weight,
  // text) as a JSON array.
  std::vector<reviewdb::testing::AuditRow> audit = AuditOf(*pool_, queued);
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].decision, "queue");
  EXPECT_EQ(audit[0].scorer, "rules-v1");
  EXPECT_NEAR(audit[0].score, 0.5, 1e-6);
  EXPECT_EQ(audit[0].reasons, batch[1].decision.reasons);
  EXPECT_EQ(AuditOf(*pool_, batch[3].submission.review_id).at(0).decision, "unscored");
  // Submission time survives to the microsecond.
  EXPECT_EQ(ReadReview(*pool_, batch[0].submission.review_id)->submitted_at, kSubmitted);
}

TEST_F(PgReviewRepositoryTest, RedeliveryIsANoOpThatReturnsTheStoredStatus) {
  ScoredReview active = Make(asin_, testing::UniqueUser(), "fine kettle", Decision::Kind::kPass);
  ScoredReview queued = Make(asin_, testing::UniqueUser(), "SHOUTY!!", Decision::Kind::kQueue);
  ASSERT_TRUE(repo_->Store({active, queued}).ok());

  // Redelivered, and this time the scorer (say, a newer model) decides differently.
  ScoredReview active_again = active;
  active_again.decision.kind = Decision::Kind::kReject;
  active_again.status = ReviewStatus::kRejected;
  ScoredReview fresh = Make(asin_, testing::UniqueUser(), "another one", Decision::Kind::kPass);
  auto stored = repo_->Store({active_again, fresh, queued});
  ASSERT_TRUE(stored.ok()) << stored.status();
  ASSERT_EQ(stored->size(), 3u);
  EXPECT_FALSE((*stored)[0].inserted);
  EXPECT_EQ((*stored)[0].status, ReviewStatus::kActive);  // the stored row wins
  EXPECT_TRUE((*stored)[1].inserted);
  EXPECT_FALSE((*stored)[2].inserted);
  EXPECT_EQ((*stored)[2].status, ReviewStatus::kHeld);

  const std::string id = active.submission.review_id;
  EXPECT_EQ(ReadReview(*pool_, id)->status, ReviewStatus::kActive);
  EXPECT_EQ(AuditOf(*pool_, id).size(), 1u);
  EXPECT_EQ(AuditOf(*pool_, queued.submission.review_id).size(), 1u);
  EXPECT_TRUE(QueueEntryOf(*pool_, queued.submission.review_id).has_value());
  EXPECT_EQ(ReviewsOf(*pool_, asin_).size(), 3u);
}

// Another instance inserts the same fingerprint and commits while this Store waits on it: the
// insert skips the row, the statement's own snapshot cannot see it, and Store must still return
// the other instance's row (its status wins) rather than fail or report an insert.
TEST_F(PgReviewRepositoryTest, RowStoredConcurrentlyByAnotherInstanceIsReturned) {
  ScoredReview r = Make(asin_, testing::UniqueUser(), "raced kettle", Decision::Kind::kPass);
  const review::Submission& sub = r.submission;
  pqxx::connection other(testing::PgDsn());
  pqxx::work other_tx(other);
  ASSERT_EQ(reviewdb::testing::InsertReview(other_tx, {.asin = sub.asin,
                                                       .user_id = sub.user_id,
                                                       .body = sub.body,
                                                       .status = ReviewStatus::kHeld}),
            sub.review_id);

  absl::StatusOr<std::vector<StoredReview>> stored;
  std::thread store([&] { stored = repo_->Store({r}); });
  // Commit only once Store is blocked on the uncommitted row's unique fingerprint (the case under
  // test): its backend then waits on a lock that the other instance's backend holds.
  EXPECT_TRUE(testing::WaitUntil([&] { return BackendsBlockedBy(other.backendpid()) > 0; }))
      << "Store never waited for the other instance's row";
  other_tx.commit();
  store.join();

  ASSERT_TRUE(stored.ok()) << stored.status();
  ASSERT_EQ(stored->size(), 1u);
  EXPECT_FALSE((*stored)[0].inserted);
  EXPECT_EQ((*stored)[0].status, ReviewStatus::kHeld);
  EXPECT_TRUE(AuditOf(*pool_, sub.review_id).empty());
}

TEST_F(PgReviewRepositoryTest, TextRoundTripsExactly) {
  const std::string body = "It's \"great\" \\o/ -- ünïcödé ✓; DROP TABLE reviews; $1 '' \n\tend";
  ScoredReview r = Make(asin_, testing::UniqueUser("o'brien"), body, Decision::Kind::kPass);
  r.submission.title = "Title with 'quotes' and {braces}";
  ASSERT_TRUE(repo_->Store({r}).ok());
  std::optional<reviewdb::testing::ReviewRow> got = ReadReview(*pool_, r.submission.review_id);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->body, body);
  EXPECT_EQ(got->title, r.submission.title);
  EXPECT_EQ(got->user_id, r.submission.user_id);
}

// Whatever validation lets through, PostgreSQL stores byte for byte (I1): hostile text in body,
// title and user id (controls it allows, 4-byte characters at the limits, bidi marks,
// noncharacters, SQL), hand-picked and random.
TEST_F(PgReviewRepositoryTest, HostileButAcceptedTextIsStoredExactly) {
  std::vector<std::string> texts(review::testing::HostileTexts().begin(),
                                 review::testing::HostileTexts().end());
  std::mt19937_64 rng(::testing::UnitTest::GetInstance()->random_seed());
  for (int i = 0; i < 2000; ++i) texts.push_back(review::testing::RandomText(rng));
  std::vector<ScoredReview> batch;
  for (size_t i = 0; i < texts.size(); ++i) {
    review::SubmissionInput in;
    in.asin = asin_;
    in.rating = 4;
    in.body = texts[i];
    in.title = i % 3 == 0 ? texts[(i * 7 + 3) % texts.size()] : "title";
    if (!review::ValidateSubmission(in).ok()) continue;
    std::string user = testing::UniqueUser();
    if (std::string hostile = user + texts[(i * 13 + 5) % texts.size()];
        review::ValidateUserId(hostile).ok()) {
      user = hostile;
    }
    ScoredReview r = Make(asin_, user, in.body, Decision::Kind::kPass);
    r.submission.title = in.title;
    ASSERT_TRUE(review::ValidateGatewayFields(r.submission).ok());
    batch.push_back(std::move(r));
  }
  ASSERT_GT(batch.size(), 300u);  // the generator is not refused wholesale
  for (size_t from = 0; from < batch.size(); from += 100) {
    std::vector<ScoredReview> part(batch.begin() + from,
                                   batch.begin() + std::min(batch.size(), from + 100));
    auto stored = repo_->Store(part);
    ASSERT_TRUE(stored.ok()) << stored.status();
  }
  for (const ScoredReview& r : batch) {
    std::optional<reviewdb::testing::ReviewRow> got = ReadReview(*pool_, r.submission.review_id);
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->body, r.submission.body) << absl::CEscape(r.submission.body).substr(0, 200);
    EXPECT_EQ(got->title, r.submission.title) << absl::CEscape(r.submission.title).substr(0, 200);
    EXPECT_EQ(got->user_id, r.submission.user_id) << absl::CEscape(r.submission.user_id);
  }
}

TEST_F(PgReviewRepositoryTest, EmptyBatch) {
  auto stored = repo_->Store({});
  ASSERT_TRUE(stored.ok());
  EXPECT_TRUE(stored->empty());
}

// How long the window fails fast after a failure; the outage tests move the clock past it.
constexpr absl::Duration kCooldown = absl::Seconds(2);

// A RedisBehaviourWindow on a clock the test moves, over the stack's Redis.
class RedisBehaviourWindowTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(Open(testing::RedisAddr(), 2, absl::Seconds(2)));
  }

  // Connects a client of `pool_size` connections to the Redis at `address` and builds the window
  // on it. Fails the test fatally when Redis cannot be reached.
  void Open(const std::string& address, int pool_size, absl::Duration timeout) {
    ASSERT_TRUE(testing::Assign(&client_, redis::Client::Connect(address, pool_size, timeout)));
    window_ = std::make_unique<RedisBehaviourWindow>(*client_, clock_, kCooldown);
  }

  UserActivity Record(const std::string& review, const std::string& asin, absl::Time at) {
    auto a = window_->Record(user_, review, asin, at, clock_.Now());
    EXPECT_TRUE(a.ok()) << a.status();
    return a.ok() ? *a : UserActivity{};
  }

  core::ManualClock clock_{absl::FromUnixSeconds(1700000000)};
  std::unique_ptr<redis::Client> client_;
  std::unique_ptr<RedisBehaviourWindow> window_;
  std::string user_ = testing::UniqueUser("bw");
};

TEST_F(RedisBehaviourWindowTest, CountsReviewsAndDistinctProductsIn24h) {
  const absl::Time now = clock_.Now();
  UserActivity a = Record("r1", "P1", now - absl::Hours(2));
  EXPECT_EQ(a.reviews_24h, 1);
  EXPECT_EQ(a.products_24h, 1);
  Record("r2", "P2", now - absl::Hours(1));
  a = Record("r3", "P2", now);
  EXPECT_EQ(a.reviews_24h, 3);
  EXPECT_EQ(a.products_24h, 2);
  EXPECT_EQ(a.reviews_7d, 3);
  // Recording a review again (redelivery) changes nothing.
  a = Record("r3", "P2", now);
  EXPECT_EQ(a.reviews_24h, 3);
  EXPECT_EQ(a.products_24h, 2);
}

TEST_F(RedisBehaviourWindowTest, OlderEntriesLeaveThe24hWindowAndAreTrimmedAfter7Days) {
  const absl::Time now = clock_.Now();
  Record("old", "P1", now - absl::Hours(24 * 8));   // trimmed at once
  Record("week", "P2", now - absl::Hours(24 * 3));  // in 7 d, not in 24 h
  UserActivity a = Record("new", "P3", now);
  EXPECT_EQ(a.reviews_24h, 1);
  EXPECT_EQ(a.products_24h, 1);
  EXPECT_EQ(a.reviews_7d, 2);
  auto members = client_->Command({"ZRANGE", RedisBehaviourWindow::ReviewsKey(user_), "0", "-1"});
  ASSERT_TRUE(members.ok());
  std::vector<std::string> names;
  for (const redis::Reply& m : members->elements) names.push_back(m.str);
  EXPECT_THAT(names, ElementsAre("week", "new"));
  // Both keys expire on their own (8 days) when the user goes quiet.
  for (const std::string& key :
       {RedisBehaviourWindow::ReviewsKey(user_), RedisBehaviourWindow::ProductsKey(user_)}) {
    auto ttl = client_->Command({"TTL", key});
    ASSERT_TRUE(ttl.ok());
    EXPECT_GT(ttl->integer, 7 * 24 * 3600) << key;
    EXPECT_LE(ttl->integer, 8 * 24 * 3600) << key;
  }
}

TEST_F(RedisBehaviourWindowTest, ProductCountUsesTheLatestReviewOfEachProduct) {
  const absl::Time now = clock_.Now();
  Record("a", "P1", now - absl::Hours(30));
  Record("b", "P1", now - absl::Hours(1));  // P1 again, recently
  UserActivity a = Record("c", "P2", now);
  EXPECT_EQ(a.reviews_24h, 2);
  EXPECT_EQ(a.products_24h, 2);
}

TEST_F(RedisBehaviourWindowTest, RecordBatchEqualsRecordOneByOne) {
  const absl::Time now = clock_.Now();
  // Two users per run, the second run on fresh users: the same history, one call vs one each.
  struct Step {
    int user;
    std::string review, asin;
    absl::Duration ago;
  };
  const std::vector<Step> steps = {
      {0, "r1", "P1", absl::Hours(24 * 8)},  // trimmed at once
      {0, "r2", "P1", absl::Hours(30)},     {1, "r3", "P9", absl::Hours(2)},
      {0, "r4", "P2", absl::Hours(3)},      {0, "r5", "P3", absl::Hours(1)},
      {0, "r4", "P2", absl::Hours(3)},  // a redelivery inside the batch
      {1, "r6", "P9", absl::Minutes(5)},    {0, "r7", "P1", absl::ZeroDuration()}};
  const std::vector<std::string> one_users = {user_, testing::UniqueUser("bw")};
  const std::vector<std::string> batch_users = {testing::UniqueUser("bw"),
                                                testing::UniqueUser("bw")};
  std::vector<UserActivity> one_by_one;
  std::vector<WindowEntry> entries;
  for (const Step& st : steps) {
    auto a = window_->Record(one_users[st.user], st.review, st.asin, now - st.ago, now);
    ASSERT_TRUE(a.ok()) << a.status();
    one_by_one.push_back(*a);
    entries.push_back({batch_users[st.user], st.review, st.asin, now - st.ago});
  }
  auto batched = window_->RecordBatch(entries, now);
  ASSERT_EQ(batched.size(), steps.size());
  for (size_t i = 0; i < steps.size(); ++i) {
    ASSERT_TRUE(batched[i].ok()) << batched[i].status();
    EXPECT_EQ(batched[i]->reviews_24h, one_by_one[i].reviews_24h) << i;
    EXPECT_EQ(batched[i]->products_24h, one_by_one[i].products_24h) << i;
    EXPECT_EQ(batched[i]->reviews_7d, one_by_one[i].reviews_7d) << i;
  }
  EXPECT_EQ(batched.back()->reviews_24h, 3);  // r4, r5, r7
  // The same state in Redis, keys and TTLs included.
  auto dump = [&](const std::string& key) {
    auto r = client_->Command({"ZRANGE", key, "0", "-1", "WITHSCORES"});
    EXPECT_TRUE(r.ok());
    std::vector<std::string> out;
    for (const redis::Reply& e : r->elements) out.push_back(e.str);
    auto ttl = client_->Command({"TTL", key});
    EXPECT_TRUE(ttl.ok());
    EXPECT_GT(ttl->integer, 7 * 24 * 3600) << key;
    return out;
  };
  for (int u = 0; u < 2; ++u) {
    EXPECT_EQ(dump(RedisBehaviourWindow::ReviewsKey(batch_users[u])),
              dump(RedisBehaviourWindow::ReviewsKey(one_users[u])));
    EXPECT_EQ(dump(RedisBehaviourWindow::ProductsKey(batch_users[u])),
              dump(RedisBehaviourWindow::ProductsKey(one_users[u])));
  }
  EXPECT_TRUE(window_->RecordBatch({}, now).empty());
}

// The same window over a "Redis" that answers the connect and then hangs up on every command.
class RedisBehaviourWindowOutageTest : public RedisBehaviourWindowTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(Open(server_.address(), 1, absl::Milliseconds(500)));
  }

  testing::HangUpServer server_;
  const absl::Time now_ = clock_.Now();
};

TEST_F(RedisBehaviourWindowOutageTest, FailsFastForTheCooldownAfterAFailure) {
  auto first = window_->Record("u", "r1", "P1", now_, now_);  // the server hung up: a real failure
  EXPECT_EQ(first.status().code(), absl::StatusCode::kUnavailable);
  const int dialled = server_.accepted();
  for (int i = 0; i < 50; ++i) {
    auto skipped = window_->Record("u", "r1", "P1", now_, now_);
    EXPECT_EQ(skipped.status().code(), absl::StatusCode::kUnavailable);
  }
  EXPECT_EQ(server_.accepted(), dialled) << "Redis was touched during the cooldown";

  clock_.Advance(kCooldown + absl::Seconds(1));
  EXPECT_FALSE(window_->Record("u", "r1", "P1", clock_.Now(), clock_.Now()).ok());
  EXPECT_EQ(server_.accepted(), dialled + 1) << "no new attempt after the cooldown";
}

TEST_F(RedisBehaviourWindowOutageTest, RecordBatchFailsWholeAndThenWaitsOutTheCooldown) {
  const std::vector<WindowEntry> entries = {{"u", "r1", "P1", now_}, {"v", "r2", "P2", now_}};

  auto first = window_->RecordBatch(entries, now_);  // the server hung up: a real failure
  ASSERT_EQ(first.size(), 2u);
  for (const auto& a : first) EXPECT_EQ(a.status().code(), absl::StatusCode::kUnavailable);
  const int dialled = server_.accepted();
  auto skipped = window_->RecordBatch(entries, now_);
  ASSERT_EQ(skipped.size(), 2u);
  for (const auto& a : skipped) EXPECT_EQ(a.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_FALSE(window_->Record("u", "r1", "P1", now_, now_).ok());  // one cooldown for both paths
  EXPECT_EQ(server_.accepted(), dialled) << "Redis was touched during the cooldown";

  clock_.Advance(kCooldown + absl::Seconds(1));
  auto again = window_->RecordBatch(entries, clock_.Now());
  EXPECT_FALSE(again[0].ok());
  EXPECT_EQ(server_.accepted(), dialled + 1) << "no new attempt after the cooldown";
}

TEST(RedisBehaviourWindowDownTest, UnreachableRedisFailsAtConnect) {
  // The service fails fast at startup; at run time the window reports Unavailable (fail open).
  auto client = redis::Client::Connect("127.0.0.1:1", 1, absl::Milliseconds(200));
  EXPECT_EQ(client.status().code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace candor::fraud_scorer
