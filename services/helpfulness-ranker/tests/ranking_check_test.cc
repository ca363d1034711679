// --check and --repair of helpfulness-ranker (ranking_check.h) on the stack's real Postgres and
// Redis: every kind of drift made by hand (counts changed by SQL, a sort key changed, a removed
// review still keyed and cached, members added to, removed from and re-keyed in helpful:{asin})
// is found with exact counts, repaired through the Ranker, and gone at the next check; a clean
// store reports none; a difference gone when looked at again is not counted. Then the commands
// themselves through RunCommand, with review-scores on librdkafka's mock cluster.
#include "services/helpfulness-ranker/ranking_check.h"

#include <map>
#include <memory>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "libs/events/review_scores.h"
#include "libs/events/topics.h"
#include "libs/rankcache/rank_cache.h"
#include "libs/reviewdb/review_db.h"
#include "libs/reviewdb/reviewdb_testing.h"
#include "libs/testing/consumer_app_fixture.h"
#include "libs/testing/stack_env.h"
#include "services/helpfulness-ranker/app.h"
#include "services/helpfulness-ranker/pg_vote_ledger.h"
#include "services/helpfulness-ranker/redis_ranking_cache.h"

namespace candor::helpfulness_ranker {
namespace {

using review::ReviewStatus;
using review::Vote;

constexpr int kTopN = 100;

// Keeps what the ranker publishes (the check's tests look at review-scores only through the
// commands' test, on the mock cluster).
class KeptScores final : public ScorePublisher {
 public:
  absl::Status Publish(const std::vector<review::ReviewScore>& scores) override {
    for (const review::ReviewScore& s : scores) published[s.review_id] = s;
    return absl::OkStatus();
  }
  std::map<std::string, review::ReviewScore> published;
};

class RankingCheckTest : public testing::ConsumerAppTest {
 protected:
  RankingCheckTest() : ConsumerAppTest({events::kReviewScoresTopic}) {}

  void SetUp() override {
    ConsumerAppTest::SetUp();
    ledger_ = std::make_unique<PgVoteLedger>(*pool_);
    cache_ = std::make_unique<RedisRankingCache>(*redis_, kTopN);
    ranker_ = std::make_unique<Ranker>(*ledger_, *cache_, scores_, helpfulness::ScoreParams{},
                                       kTopN, clock_);
  }

  // Product `n` of this test (all share prefix_, so a check sees only this test's products).
  std::string Asin(int n) const { return absl::StrCat(prefix_, n / 10, n % 10); }

  // Three active reviews of `asin` with votes, applied by the ranker (so the ledger, the keys and
  // the cache are as it leaves them); their ids.
  std::vector<std::string> Product(const std::string& asin) {
    std::vector<std::string> ids;
    std::vector<review::HelpfulVote> votes;
    for (int i = 0; i < 3; ++i) {
      ids.push_back(reviewdb::testing::InsertReview(*pool_, {.asin = asin}));
      for (int u = 0; u <= i; ++u) {
        votes.push_back({ids.back(), asin, absl::StrCat("u", u),
                         u == 0 ? Vote::kNotHelpful : Vote::kHelpful,
                         absl::FromUnixSeconds(1'700'000'000 + u)});
      }
    }
    EXPECT_TRUE(ranker_->Apply(votes, {}).ok());
    return ids;
  }

  void Sql(const std::string& sql, const std::string& review_id) {
    ASSERT_TRUE(pool_->InTransaction([&](pqxx::work& tx) { tx.exec_params(sql, review_id); }).ok())
        << sql;
  }
  void Redis(const std::vector<std::string_view>& command) {
    ASSERT_TRUE(redis_->Command(command).ok()) << command[0];
  }

  std::optional<double> CachedKey(const std::string& asin, const std::string& id) {
    auto entry = cache_->Read(asin);
    EXPECT_TRUE(entry.ok() && entry->has_value());
    if (!entry.ok() || !entry->has_value()) return std::nullopt;
    for (const auto& [key, member] : (*entry)->members) {
      if (member == id) return key;
    }
    return std::nullopt;
  }

  CheckOptions Options() const {
    return {.asin_prefix = prefix_, .page = 2, .settle = absl::ZeroDuration()};
  }
  RankingCheck Checker(CheckOptions options) {
    return RankingCheck(*ledger_, *ledger_, *cache_, helpfulness::ScoreParams{}, kTopN,
                        std::move(options));
  }
  DriftReport Check() {
    absl::StatusOr<DriftReport> r = Checker(Options()).Check();
    EXPECT_TRUE(r.ok()) << r.status();
    DriftReport failed;
    failed.counts = -1;  // not clean
    return r.ok() ? *r : failed;
  }

  const std::string prefix_ = candor::testing::UniqueAsin().substr(0, 8);
  core::SystemClock clock_;
  KeptScores scores_;
  std::unique_ptr<PgVoteLedger> ledger_;
  std::unique_ptr<RedisRankingCache> cache_;
  std::unique_ptr<Ranker> ranker_;
};

TEST_F(RankingCheckTest, ACleanStoreHasNoDrift) {
  for (int n = 0; n < 5; ++n) Product(Asin(n));
  reviewdb::testing::InsertReview(*pool_, {.asin = Asin(5)});  // neither voted nor ranked
  const DriftReport r = Check();
  EXPECT_EQ(r.products, 5);  // in pages of 2
  EXPECT_TRUE(r.clean()) << r.Summary();
  EXPECT_EQ(r.Summary(), "drift: 0 (counts 0, sort keys 0, cache 0) over 5 products");
  EXPECT_TRUE(r.examples.empty());
}

TEST_F(RankingCheckTest, EachKindOfDriftIsFoundRepairedAndGone) {
  std::vector<std::vector<std::string>> p;
  p.reserve(7);
  for (int n = 0; n < 7; ++n) p.push_back(Product(Asin(n)));
  // 0: counts changed by SQL (its key and the cache still agree with the ledger).
  Sql("UPDATE review_ranks SET helpful_votes = helpful_votes + 1, total_votes = total_votes + 2 "
      "WHERE review_id = $1",
      p[0][1]);
  // 1: a sort key changed, on a product the cache does not know (no cache drift with it).
  Sql("UPDATE review_ranks SET sort_key = sort_key + 0.5 WHERE review_id = $1", p[1][0]);
  Redis({"DEL", rankcache::SetKey(Asin(1)), rankcache::FloorKey(Asin(1))});
  // 2: a review removed behind the ranker's back: its key and its member stay (I6 twice).
  reviewdb::testing::SetStatus(*pool_, p[2][2], ReviewStatus::kRemoved);
  // 3: a member added to helpful:{asin}; 4: one removed; 5: one re-keyed. 6 stays clean.
  const std::string stranger = "ffffffffffffffffffffffffffffffff";
  Redis({"ZADD", rankcache::SetKey(Asin(3)), "5", stranger});
  Redis({"ZREM", rankcache::SetKey(Asin(4)), p[4][0]});
  const double key5 = *CachedKey(Asin(5), p[5][1]);
  Redis({"ZADD", rankcache::SetKey(Asin(5)), "XX", rankcache::KeyText(key5 + 1), p[5][1]});

  const DriftReport before = Check();
  EXPECT_EQ(before.products, 7);
  EXPECT_EQ(before.counts, 1);
  EXPECT_EQ(before.sort_keys, 2);  // 1, 2
  EXPECT_EQ(before.cache, 4);      // 2, 3, 4, 5
  EXPECT_EQ(before.Summary(), "drift: 7 (counts 1, sort keys 2, cache 4) over 7 products");
  EXPECT_EQ(before.review_ids,
            (std::set<std::string>{p[0][1], p[1][0], p[2][2], stranger, p[4][0], p[5][1]}));
  EXPECT_EQ(before.cache_asins, (std::set<std::string>{Asin(2), Asin(3), Asin(4), Asin(5)}));
  ASSERT_EQ(before.examples.size(), 7u);
  const std::string lines = absl::StrJoin(before.examples, "\n");
  EXPECT_NE(lines.find("removed review still ranked"), std::string::npos) << lines;
  EXPECT_NE(lines.find("removed review in helpful:"), std::string::npos) << lines;
  EXPECT_NE(lines.find(absl::StrCat(stranger, ": in helpful:")), std::string::npos) << lines;
  EXPECT_NE(lines.find(absl::StrCat(p[4][0], ": missing")), std::string::npos) << lines;

  scores_.published.clear();
  absl::StatusOr<RankingCheck::Repaired> repaired = Checker(Options()).Repair(*ranker_);
  ASSERT_TRUE(repaired.ok()) << repaired.status();
  EXPECT_EQ(repaired->before.total(), 7);
  EXPECT_TRUE(repaired->after.clean()) << repaired->after.Summary() << "\n"
                                       << absl::StrJoin(repaired->after.examples, "\n");
  EXPECT_TRUE(Check().clean());

  // What the repair left: the ledger's counts, the removed review out of both, the cache entries
  // as Postgres orders them, and a score published for each stored review it named.
  auto counts = reviewdb::ReviewDb(*pool_).CheckVoteCounts({Asin(0)});
  ASSERT_TRUE(counts.ok());
  for (const reviewdb::VoteCountCheck& c : *counts) {
    EXPECT_EQ(c.row_helpful, c.ledger_helpful);
    EXPECT_EQ(c.row_total, c.ledger_total);
  }
  auto entry = cache_->Read(Asin(2));
  ASSERT_TRUE(entry.ok() && entry->has_value());
  EXPECT_EQ((*entry)->members.size(), 2u);
  EXPECT_FALSE(CachedKey(Asin(3), stranger).has_value());
  EXPECT_TRUE(CachedKey(Asin(4), p[4][0]).has_value());
  EXPECT_EQ(CachedKey(Asin(5), p[5][1]), key5);
  std::set<std::string> published;
  for (const auto& [id, s] : scores_.published) published.insert(id);
  EXPECT_EQ(published, (std::set<std::string>{p[0][1], p[1][0], p[2][2], p[4][0], p[5][1]}));
  EXPECT_FALSE(scores_.published[p[2][2]].ranked);
  EXPECT_EQ(scores_.published[p[0][1]].total_votes, 2);  // u0 (not helpful) and u1
}

TEST_F(RankingCheckTest, ADifferenceGoneWhenLookedAtAgainIsNotCounted) {
  const std::vector<std::string> a = Product(Asin(0));
  const std::vector<std::string> b = Product(Asin(1));
  const double key = *CachedKey(Asin(0), a[0]);
  Redis({"ZREM", rankcache::SetKey(Asin(0)), a[0]});
  Redis({"ZREM", rankcache::SetKey(Asin(1)), b[0]});
  // While the check waits, the first product's "write in flight" lands (as the ranker's update
  // after its commit would); the second's never comes.
  std::vector<absl::Duration> slept;
  CheckOptions options = Options();
  options.settle = absl::Milliseconds(1500);
  options.sleep = [&](absl::Duration d) {
    slept.push_back(d);
    ASSERT_TRUE(cache_->Update({{Asin(0), {{a[0], key}}}}).ok());
  };
  absl::StatusOr<DriftReport> r = Checker(std::move(options)).Check();
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(slept, std::vector<absl::Duration>{absl::Milliseconds(1500)});  // once
  EXPECT_EQ(r->cache, 1) << absl::StrJoin(r->examples, "\n");
  EXPECT_EQ(r->total(), 1);
  EXPECT_EQ(r->cache_asins, std::set<std::string>{Asin(1)});
  EXPECT_EQ(r->review_ids, std::set<std::string>{b[0]});
}

TEST_F(RankingCheckTest, TheCommandsCheckRepairAndExitAsTheySay) {
  const std::vector<std::string> ids = Product(Asin(0));
  Product(Asin(1));
  Sql("UPDATE review_ranks SET total_votes = total_votes + 3 WHERE review_id = $1", ids[2]);

  Config config;
  UseStack(&config.service);
  config.top_n = kTopN;
  config.asin_prefix = prefix_;
  config.reconcile.settle_ms = 0;
  config.reconcile.check = true;
  ASSERT_TRUE(ValidateConfig(config).ok());
  ::testing::internal::CaptureStdout();
  EXPECT_EQ(RunCommand(config), 1);
  std::string out = ::testing::internal::GetCapturedStdout();
  EXPECT_NE(out.find(absl::StrCat("counts   ", Asin(0), " ", ids[2],
                                  ": review_ranks 2/6, "
                                  "ledger 2/3")),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("drift: 1 (counts 1, sort keys 0, cache 0) over 2 products"),
            std::string::npos)
      << out;

  config.reconcile.check = false;
  config.reconcile.repair = true;
  config.ranker_stopped = true;
  ASSERT_TRUE(ValidateConfig(config).ok());
  ::testing::internal::CaptureStdout();
  EXPECT_EQ(RunCommand(config), 0);
  out = ::testing::internal::GetCapturedStdout();
  EXPECT_NE(out.find("drift: 0 (counts 0, sort keys 0, cache 0) over 2 products"),
            std::string::npos)
      << out;
  // The repaired review's score went to review-scores, with the ledger's counts.
  std::vector<kafka::Message> messages = ReadTopic(events::kReviewScoresTopic, 1);
  ASSERT_EQ(messages.size(), 1u);
  absl::StatusOr<review::ReviewScore> score = events::DecodeReviewScore(messages[0].value);
  ASSERT_TRUE(score.ok()) << score.status();
  EXPECT_EQ(score->review_id, ids[2]);
  EXPECT_EQ(score->total_votes, 3);

  config.reconcile.repair = false;
  config.reconcile.check = true;
  ::testing::internal::CaptureStdout();
  EXPECT_EQ(RunCommand(config), 0);
  out = ::testing::internal::GetCapturedStdout();
  EXPECT_NE(out.find("drift: 0"), std::string::npos) << out;

  config.reconcile.check = false;
  EXPECT_EQ(RunCommand(config), -1);  // neither: run the service
}

}  // namespace
}  // namespace candor::helpfulness_ranker
