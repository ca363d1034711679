// The real App in-process: librdkafka's mock cluster for Kafka, the stack's Postgres and Redis.
// Invariant I4 (helpful counts equal the vote ledger) after random changed, retracted and
// duplicated votes; a removed review leaves the ranking; poison is dead-lettered.
#include <map>
#include <random>
#include <set>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "libs/events/helpful_votes.h"
#include "libs/events/review_events.h"
#include "libs/events/review_scores.h"
#include "libs/events/topics.h"
#include "libs/rankcache/rank_cache.h"
#include "libs/reviewdb/review_db.h"
#include "libs/reviewdb/reviewdb_testing.h"
#include "libs/testing/consumer_app_fixture.h"
#include "libs/testing/stack_env.h"
#include "services/helpfulness-ranker/app.h"

namespace candor::helpfulness_ranker {
namespace {

using review::ReviewStatus;
using review::Vote;

class HelpfulnessRankerIntegrationTest : public testing::ConsumerAppTest {
 protected:
  HelpfulnessRankerIntegrationTest()
      : ConsumerAppTest({events::kHelpfulVotesTopic, events::kReviewEventsTopic},
                        {events::kReviewScoresTopic}) {}

  void Start(int64_t top_n = 1000) {
    Config config;
    UseStack(&config, "helpfulness-ranker-test-");
    config.top_n = top_n;
    ASSERT_NO_FATAL_FAILURE(StartApp(CreateApp(config)));
  }

  std::string AddReview(ReviewStatus status = ReviewStatus::kActive) {
    return reviewdb::testing::InsertReview(*pool_, {.asin = asin_, .status = status});
  }

  void SendVote(const std::string& review_id, const std::string& user, Vote v, int64_t at) {
    ProduceTo(events::kHelpfulVotesTopic, asin_,
              events::EncodeHelpfulVote(
                  {review_id, asin_, user, v, absl::FromUnixSeconds(1'700'000'000 + at)}));
  }

  void SendEvent(const std::string& review_id, decltype(review::ReviewEvent::change) change) {
    ProduceTo(events::kReviewEventsTopic, asin_,
              events::EncodeReviewEvent({review_id, asin_, absl::Now(), std::move(change)}));
  }

  // The review ids of helpful:{asin}, best first; nullopt while Redis does not know the product.
  std::optional<std::vector<std::string>> Cached() {
    auto r = redis_->Eval(rankcache::ReadScript(),
                          {rankcache::SetKey(asin_), rankcache::FloorKey(asin_)}, {"1000"});
    if (!r.ok()) return std::nullopt;
    auto parsed = rankcache::ParseRead(*r);
    if (!parsed.ok() || !parsed->has_value()) return std::nullopt;
    std::vector<std::string> ids;
    for (const rankcache::Entry& e : **parsed) ids.push_back(e.review_id);
    return ids;
  }

  // The expected (helpful, total) of each review from the votes sent, the newest per user.
  std::map<std::string, std::pair<int64_t, int64_t>> Expected() const {
    std::map<std::string, std::pair<int64_t, int64_t>> out;
    for (const auto& [key, v] : latest_) {
      auto& [h, t] = out[key.first];
      if (v.first == Vote::kRetracted) continue;
      ++t;
      if (v.first == Vote::kHelpful) ++h;
    }
    return out;
  }

  bool CountsAre(const std::map<std::string, std::pair<int64_t, int64_t>>& want) {
    reviewdb::ReviewDb db(*pool_);
    auto checks = db.CheckVoteCounts({asin_});
    if (!checks.ok()) return false;
    std::map<std::string, std::pair<int64_t, int64_t>> got;
    for (const reviewdb::VoteCountCheck& c : *checks) {
      // I4: the counts on the row equal the ledger's sums, always (one transaction).
      EXPECT_EQ(c.row_helpful, c.ledger_helpful) << c.review_id;
      EXPECT_EQ(c.row_total, c.ledger_total) << c.review_id;
      if (c.row_total != 0) got[c.review_id] = {c.row_helpful, c.row_total};
    }
    std::map<std::string, std::pair<int64_t, int64_t>> nonzero;
    for (const auto& [id, ht] : want) {
      if (ht.second != 0) nonzero[id] = ht;
    }
    return got == nonzero;
  }

  std::string asin_ = testing::UniqueAsin();
  std::map<std::pair<std::string, std::string>, std::pair<Vote, int64_t>> latest_;
};

TEST_F(HelpfulnessRankerIntegrationTest, CountsEqualTheLedgerAfterChangedRetractedAndDuplicates) {
  ASSERT_NO_FATAL_FAILURE(Start());
  std::vector<std::string> ids;
  for (int i = 0; i < 6; ++i) ids.push_back(AddReview());
  for (const std::string& id : ids) SendEvent(id, review::ReviewAccepted{5, false, "author"});

  std::mt19937 rng(11);
  for (int i = 0; i < 300; ++i) {
    const std::string& id = ids[rng() % ids.size()];
    const std::string user = absl::StrCat("voter-", rng() % 20);
    const Vote v = static_cast<Vote>(rng() % 3);
    const int64_t at = i;
    SendVote(id, user, v, at);
    if (rng() % 4 == 0) SendVote(id, user, v, at);  // a duplicate (a client's retry)
    auto& slot = latest_[{id, user}];
    slot = {v, at};
  }
  // A vote older than what the ledger holds changes nothing.
  const auto& [old_key, old_vote] = *latest_.begin();
  SendVote(old_key.first, old_key.second,
           old_vote.first == Vote::kHelpful ? Vote::kNotHelpful : Vote::kHelpful, -1);

  const auto want = Expected();
  EXPECT_TRUE(testing::WaitUntil([&] { return CountsAre(want); }));
  EXPECT_TRUE(testing::WaitUntil([&] {
    auto cached = Cached();
    return cached && cached->size() == ids.size();
  }));
  // The cached order is the ledger's: the same as Postgres' by sort key.
  reviewdb::ReviewDb db(*pool_);
  auto top = db.TopRanked(asin_, 1000);
  ASSERT_TRUE(top.ok());
  std::vector<std::string> pg_order;
  for (const auto& [k, id] : *top) pg_order.push_back(id);
  EXPECT_TRUE(testing::WaitUntil([&] { return Cached() == pg_order; }));
  // Scores were published for the search index.
  auto scores = ReadTopic(events::kReviewScoresTopic, ids.size());
  ASSERT_GE(scores.size(), ids.size());
  EXPECT_TRUE(events::DecodeReviewScore(scores.front().value).ok());
  ExpectCleanStop();
}

TEST_F(HelpfulnessRankerIntegrationTest, ARemovedReviewLeavesTheRankingAndARestoredOneReturns) {
  ASSERT_NO_FATAL_FAILURE(Start());
  const std::string kept = AddReview();
  const std::string removed = AddReview();
  SendEvent(kept, review::ReviewAccepted{4, false, "author"});
  SendEvent(removed, review::ReviewAccepted{4, false, "author"});
  SendVote(removed, "v1", Vote::kHelpful, 1);
  ASSERT_TRUE(testing::WaitUntil([&] {
    auto c = Cached();
    return c && c->size() == 2 && c->front() == removed;
  }));
  reviewdb::testing::SetStatus(*pool_, removed, ReviewStatus::kRemoved);
  SendEvent(removed, review::ReviewRemoved{"spam"});
  EXPECT_TRUE(testing::WaitUntil(
      [&] { return Cached() == std::optional<std::vector<std::string>>({kept}); }));
  reviewdb::ReviewDb db(*pool_);
  EXPECT_EQ(db.TopRanked(asin_, 10)->size(), 1u);
  // Its votes stay in the ledger (I4 holds), and come back with it on restore.
  EXPECT_TRUE(CountsAre({{removed, {1, 1}}}));
  reviewdb::testing::SetStatus(*pool_, removed, ReviewStatus::kActive);
  SendEvent(removed, review::ReviewRestored{"appeal"});
  EXPECT_TRUE(testing::WaitUntil([&] {
    return Cached() == std::optional<std::vector<std::string>>({removed, kept});
  }));
  ExpectCleanStop();
}

TEST_F(HelpfulnessRankerIntegrationTest, ACacheLostWithRedisIsRebuiltAndBoundedByTopN) {
  ASSERT_NO_FATAL_FAILURE(Start(/*top_n=*/10));
  std::vector<std::string> ids;
  for (int i = 0; i < 15; ++i) ids.push_back(AddReview());
  for (const std::string& id : ids) SendEvent(id, review::ReviewAccepted{4, false, "author"});
  // The set keeps fewer than top_n (its last is the floor); the rest is Postgres's.
  ASSERT_TRUE(testing::WaitUntil([&] {
    reviewdb::ReviewDb db(*pool_);
    auto top = db.TopRanked(asin_, 100);
    return top.ok() && top->size() == ids.size();
  }));
  ASSERT_TRUE(redis_->Command({"DEL", rankcache::SetKey(asin_), rankcache::FloorKey(asin_)}).ok());
  SendVote(ids[3], "v", Vote::kHelpful, 1);
  EXPECT_TRUE(testing::WaitUntil([&] {
    auto c = Cached();
    return c && !c->empty() && c->front() == ids[3] && c->size() <= 10;
  }));
  ExpectCleanStop();
}

TEST_F(HelpfulnessRankerIntegrationTest, PoisonIsDeadLetteredAndTheLoopMovesOn) {
  ASSERT_NO_FATAL_FAILURE(Start());
  const std::string id = AddReview();
  ProduceTo(events::kHelpfulVotesTopic, asin_, "\xff\xff");
  SendVote(id, "v", Vote::kHelpful, 1);
  auto dead = ReadTopic(events::DeadLetterTopic(events::kHelpfulVotesTopic), 1);
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(testing::HeaderOf(dead[0], "dlq-reason"), "cannot decode candor.review.v1.HelpfulVote");
  EXPECT_TRUE(testing::WaitUntil([&] { return CountsAre({{id, {1, 1}}}); }));
  ExpectCleanStop();
}

TEST_F(HelpfulnessRankerIntegrationTest, StartupFailsFastWhenAnAdapterIsUnreachable) {
  Config config;
  config.consumer.group = "helpfulness-ranker-test-unreachable";
  ExpectStartupFailsFastWhenAnAdapterIsUnreachable(config, CreateApp, kAdapters);
}

}  // namespace
}  // namespace candor::helpfulness_ranker
