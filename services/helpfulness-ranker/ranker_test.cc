// The ranker's domain step and its consumer against fakes of the ports: no I/O.
#include "services/helpfulness-ranker/ranker.h"

#include <map>
#include <set>

#include "gtest/gtest.h"
#include "libs/events/helpful_votes.h"
#include "libs/events/review_events.h"
#include "libs/events/topics.h"
#include "services/helpfulness-ranker/config.h"
#include "services/helpfulness-ranker/ranker_consumer.h"

namespace candor::helpfulness_ranker {
namespace {

constexpr char kAsin[] = "B000000001";
constexpr char kReview[] = "0123456789abcdef0123456789abcdef";

// A ledger of one product's reviews in memory: the latest vote per (review, user) by time.
class FakeLedger final : public VoteLedger {
 public:
  absl::StatusOr<reviewdb::VoteResult> Apply(const std::vector<review::HelpfulVote>& votes,
                                             const std::vector<std::string>& rank_ids,
                                             const SortKeyFn& sort_key) override {
    if (!fail.ok()) return fail;
    reviewdb::VoteResult result;
    std::set<std::string> touched(rank_ids.begin(), rank_ids.end());
    for (const review::HelpfulVote& v : votes) {
      auto& [vote, at] = ledger[{v.review_id, v.user_id}];
      if (at >= v.voted_at) {
        ++result.unchanged;
        continue;
      }
      vote = v.vote;
      at = v.voted_at;
      ++result.changed;
      touched.insert(v.review_id);
    }
    Rank(touched, sort_key, &result);
    return result;
  }
  // The fake keeps no counts apart from its ledger: a recount ranks the named reviews as Apply.
  absl::StatusOr<reviewdb::VoteResult> Recount(const std::vector<std::string>& review_ids,
                                               const SortKeyFn& sort_key) override {
    if (!fail.ok()) return fail;
    reviewdb::VoteResult result;
    Rank(std::set<std::string>(review_ids.begin(), review_ids.end()), sort_key, &result);
    result.changed = static_cast<int64_t>(result.reviews.size());
    return result;
  }
  void Rank(const std::set<std::string>& touched, const SortKeyFn& sort_key,
            reviewdb::VoteResult* result) {
    for (const std::string& id : touched) {
      reviewdb::RankedReview r;
      r.review_id = id;
      r.asin = kAsin;
      auto st = status.find(id);
      r.status = st == status.end() ? review::ReviewStatus::kActive : st->second;
      for (const auto& [key, vt] : ledger) {
        if (key.first != id || vt.first == review::Vote::kRetracted) continue;
        ++r.total_votes;
        if (vt.first == review::Vote::kHelpful) ++r.helpful_votes;
      }
      if (r.status == review::ReviewStatus::kActive) r.sort_key = sort_key(r);
      result->reviews.push_back(r);
    }
  }
  absl::StatusOr<std::vector<std::pair<double, std::string>>> TopRanked(const std::string&,
                                                                        int) override {
    return std::vector<std::pair<double, std::string>>{{1.0, kReview}};
  }

  std::map<std::pair<std::string, std::string>, std::pair<review::Vote, absl::Time>> ledger;
  std::map<std::string, review::ReviewStatus> status;
  absl::Status fail;
};

class FakeCache final : public RankingCache {
 public:
  absl::StatusOr<std::vector<std::string>> Update(
      const std::vector<std::pair<std::string, std::vector<RankChange>>>& products) override {
    if (!fail.ok()) return fail;
    std::vector<std::string> unknown;
    for (const auto& [asin, changes] : products) {
      if (!known.count(asin)) {
        unknown.push_back(asin);
        continue;
      }
      for (const RankChange& c : changes) {
        if (c.sort_key) {
          set[c.review_id] = *c.sort_key;
        } else {
          set.erase(c.review_id);
        }
      }
    }
    return unknown;
  }
  absl::Status Rebuild(const std::string& asin,
                       const std::vector<std::pair<double, std::string>>& top,
                       bool complete) override {
    known.insert(asin);
    set.clear();
    for (const auto& [k, id] : top) set[id] = k;
    rebuilt_complete = complete;
    ++rebuilds[asin];
    return absl::OkStatus();
  }
  absl::StatusOr<std::optional<CachedRanking>> Read(const std::string& asin) override {
    if (!known.count(asin)) return std::optional<CachedRanking>();
    CachedRanking c;
    for (const auto& [id, k] : set) c.members.emplace_back(k, id);
    return std::optional<CachedRanking>(std::move(c));
  }
  std::map<std::string, int> rebuilds;
  std::set<std::string> known;
  std::map<std::string, double> set;
  bool rebuilt_complete = false;
  absl::Status fail;
};

class FakePublisher final : public ScorePublisher {
 public:
  absl::Status Publish(const std::vector<review::ReviewScore>& s) override {
    published.insert(published.end(), s.begin(), s.end());
    return absl::OkStatus();
  }
  std::vector<review::ReviewScore> published;
};

class RankerTest : public ::testing::Test {
 protected:
  review::HelpfulVote Vote(const std::string& user, review::Vote v, int64_t at) {
    return {kReview, kAsin, user, v, absl::FromUnixSeconds(1'700'000'000 + at)};
  }
  FakeLedger ledger_;
  FakeCache cache_;
  FakePublisher publisher_;
  core::SystemClock clock_;
  Ranker ranker_{ledger_, cache_, publisher_, helpfulness::ScoreParams{}, 1000, clock_};
};

TEST_F(RankerTest, AnUnknownProductIsRebuiltThenUpdated) {
  ASSERT_TRUE(ranker_.Apply({Vote("a", review::Vote::kHelpful, 1)}, {}).ok());
  EXPECT_EQ(ranker_.stats().rebuilds.load(), 1);
  EXPECT_TRUE(cache_.rebuilt_complete);
  ASSERT_TRUE(ranker_.Apply({Vote("b", review::Vote::kHelpful, 2)}, {}).ok());
  EXPECT_EQ(ranker_.stats().rebuilds.load(), 1);
  ASSERT_EQ(publisher_.published.size(), 2u);
  EXPECT_EQ(publisher_.published.back().helpful_votes, 2);
  EXPECT_TRUE(publisher_.published.back().ranked);
  EXPECT_EQ(cache_.set.count(kReview), 1u);
}

TEST_F(RankerTest, ARemovedReviewLeavesTheCacheAndIsPublishedUnranked) {
  cache_.known.insert(kAsin);
  ASSERT_TRUE(ranker_.Apply({}, {kReview}).ok());
  EXPECT_EQ(cache_.set.count(kReview), 1u);
  ledger_.status[kReview] = review::ReviewStatus::kRemoved;
  ASSERT_TRUE(ranker_.Apply({}, {kReview}).ok());
  EXPECT_EQ(cache_.set.count(kReview), 0u);
  EXPECT_FALSE(publisher_.published.back().ranked);
}

TEST_F(RankerTest, AFailureIsReturnedAndNothingIsPublished) {
  cache_.fail = absl::UnavailableError("redis down");
  EXPECT_EQ(ranker_.Apply({Vote("a", review::Vote::kHelpful, 1)}, {}).code(),
            absl::StatusCode::kUnavailable);
  EXPECT_TRUE(publisher_.published.empty());
  ledger_.fail = absl::AbortedError("deadlock");
  EXPECT_EQ(ranker_.Apply({Vote("a", review::Vote::kHelpful, 1)}, {}).code(),
            absl::StatusCode::kAborted);
}

TEST_F(RankerTest, TheConsumerDecodesBothTopicsAndListsPoison) {
  cache_.known.insert(kAsin);
  RankerConsumer consumer(ranker_);
  review::ReviewEvent accepted{kReview, kAsin, absl::InfinitePast(),
                               review::ReviewAccepted{5, true, "author"}};
  auto message = [](std::string topic, std::string value) {
    kafka::Message m;
    m.topic = std::move(topic);
    m.value = std::move(value);
    return m;
  };
  std::vector<kafka::Message> batch = {
      message(events::kHelpfulVotesTopic,
              events::EncodeHelpfulVote(Vote("a", review::Vote::kHelpful, 1))),
      message(events::kHelpfulVotesTopic, "\xff"),
      message(events::kReviewEventsTopic, events::EncodeReviewEvent(accepted)),
      message("other", "x"),
  };
  std::vector<kafka::Poison> poison;
  ASSERT_TRUE(consumer.Handle(batch, &poison).ok());
  ASSERT_EQ(poison.size(), 2u);
  EXPECT_EQ(poison[0].index, 1u);
  EXPECT_EQ(poison[0].reason, "cannot decode candor.review.v1.HelpfulVote");
  EXPECT_EQ(poison[1].index, 3u);
  EXPECT_EQ(ranker_.stats().votes_changed.load(), 1);
  EXPECT_EQ(cache_.set.count(kReview), 1u);
}

TEST_F(RankerTest, RepairRecountsPublishesAndRebuildsTheNamedProducts) {
  cache_.known.insert(kAsin);
  ledger_.ledger[{kReview, "a"}] = {review::Vote::kHelpful, absl::FromUnixSeconds(1)};
  cache_.set["stale"] = 7.0;
  ASSERT_TRUE(ranker_.Repair({kReview}, {kAsin}).ok());
  ASSERT_EQ(publisher_.published.size(), 1u);
  EXPECT_EQ(publisher_.published[0].helpful_votes, 1);
  EXPECT_TRUE(publisher_.published[0].ranked);
  EXPECT_EQ(cache_.rebuilds[kAsin], 1);
  EXPECT_EQ(cache_.set.count("stale"), 0u);  // the rebuild replaced the entry
  EXPECT_EQ(ranker_.stats().rebuilds.load(), 1);
  // Nothing named: nothing published, nothing rebuilt.
  ASSERT_TRUE(ranker_.Repair({}, {}).ok());
  EXPECT_EQ(publisher_.published.size(), 1u);
  ledger_.fail = absl::UnavailableError("pg down");
  EXPECT_EQ(ranker_.Repair({kReview}, {}).code(), absl::StatusCode::kUnavailable);
}

TEST(RankerConfigTest, CheckAndRepairAreOneAtATimeAndRepairNeedsTheRankerStopped) {
  Config c;
  c.reconcile.check = true;
  c.reconcile.repair = true;
  absl::Status s = ValidateConfig(c);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("--check and --repair"), std::string_view::npos) << s;
  c.reconcile.check = false;
  s = ValidateConfig(c);
  EXPECT_NE(s.message().find("--ranker-stopped"), std::string_view::npos) << s;
  c.ranker_stopped = true;
  EXPECT_TRUE(ValidateConfig(c).ok()) << ValidateConfig(c);
  for (const char* bad : {"b0", "B000000001X", "B-"}) {
    c.asin_prefix = bad;
    s = ValidateConfig(c);
    EXPECT_NE(s.message().find("--asin-prefix"), std::string_view::npos) << bad << ": " << s;
  }
  for (const char* good : {"", "B0", "B000000001"}) {
    c.asin_prefix = good;
    EXPECT_TRUE(ValidateConfig(c).ok()) << good << ": " << ValidateConfig(c);
  }
}

TEST(RankerConfigTest, LedgerShardsNeedAConnectionEach) {
  Config c;
  EXPECT_TRUE(ValidateConfig(c).ok()) << ValidateConfig(c);  // 2 shards on 2 connections
  c.ledger_shards = 3;
  const absl::Status s = ValidateConfig(c);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("--ledger-shards: 3"), std::string_view::npos) << s;
  c.service.pg_pool_size = 3;
  EXPECT_TRUE(ValidateConfig(c).ok()) << ValidateConfig(c);
}

}  // namespace
}  // namespace candor::helpfulness_ranker
