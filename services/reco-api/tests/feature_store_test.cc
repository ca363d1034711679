// One feature code path (issue 14 item 4): the ranker's features reco-api computes for (user,
// item, time) from its Redis feature store, written by the review-events path
// (RedisHistoryStore::Apply), equal the ones the trainer computes from the same reviews in memory
// (reco::MemoryFeatureSource): both go through reco::ComputeFeatures, and the two sources must
// agree on every value the features read. Also after a removal and a restore.

#include <cmath>
#include <random>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "libs/reco/rank_features.h"
#include "libs/redis/redis_client.h"
#include "libs/testing/stack_env.h"
#include "services/reco-api/redis_history_store.h"

namespace candor::reco_api {
namespace {

struct Review {
  int user;
  int item;
  int64_t time;
  int rating;
};

class FeatureStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto client = redis::Client::Connect(testing::RedisAddr(), 2, absl::Seconds(2));
    ASSERT_TRUE(client.ok()) << client.status();
    client_ = *std::move(client);
    const uint32_t run = std::random_device{}() % 100000000;
    for (int i = 0; i < kItems; ++i) {
      asins_.push_back(absl::StrCat("F", absl::Dec(run, absl::kZeroPad8), i));
    }
    for (int u = 0; u < kUsers; ++u) users_.push_back(absl::StrCat("fs-", run, "-", u));
    // Six users over eight products, times spread over 60 days (some outside the 30-day window
    // of `now`), ratings 1..5; each user's reviews in time order.
    std::mt19937 rng(7);
    for (int u = 0; u < kUsers; ++u) {
      std::vector<int> items = {0, 1, 2, 3, 4, 5, 6, 7};
      std::shuffle(items.begin(), items.end(), rng);
      int64_t t = kStart + static_cast<int64_t>(rng() % 5) * 86400;
      for (int k = 0; k < 3 + u % 3; ++k) {
        reviews_.push_back({u, items[static_cast<size_t>(k)], t, 1 + static_cast<int>(rng() % 5)});
        t += static_cast<int64_t>(1 + rng() % 20) * 86400;
      }
    }
  }

  std::string ReviewId(size_t k) const {
    return absl::StrCat(absl::Hex(std::hash<std::string>{}(users_[0]), absl::kZeroPad16),
                        absl::Hex(k, absl::kZeroPad16));
  }

  review::ReviewEvent Accepted(size_t k) const {
    const Review& r = reviews_[k];
    return {.review_id = ReviewId(k),
            .asin = asins_[static_cast<size_t>(r.item)],
            .occurred_at = absl::FromUnixSeconds(r.time),
            .change = review::ReviewAccepted{.rating = r.rating,
                                             .verified_purchase = false,
                                             .user_id = users_[static_cast<size_t>(r.user)]}};
  }

  // The trainer's source over the reviews not in `skip`.
  reco::MemoryFeatureSource Memory(const std::vector<size_t>& skip) const {
    std::vector<int64_t> offsets = {0};
    std::vector<reco::Event> events;
    std::vector<float> ratings;
    for (int u = 0; u < kUsers; ++u) {
      for (size_t k = 0; k < reviews_.size(); ++k) {
        if (reviews_[k].user != u || std::find(skip.begin(), skip.end(), k) != skip.end()) continue;
        events.push_back({.item = reviews_[k].item, .unix_time = reviews_[k].time});
        ratings.push_back(static_cast<float>(reviews_[k].rating));
      }
      offsets.push_back(static_cast<int64_t>(events.size()));
    }
    reco::Sequences seq(kItems, std::move(offsets), std::move(events));
    auto source = reco::MemoryFeatureSource::Build(
        seq, {.recent_window_seconds = kWindow, .ratings = std::move(ratings), .tokens = {}});
    EXPECT_TRUE(source.ok()) << source.status();
    return *std::move(source);
  }

  // Every user's features for every product they have not reviewed, from both sources.
  void ExpectSameFeatures(RedisHistoryStore& store, const reco::MemoryFeatureSource& memory,
                          const std::vector<size_t>& skip) {
    const int64_t now = kStart + 90 * 86400;
    int compared = 0;
    for (int u = 0; u < kUsers; ++u) {
      std::vector<reco::Event> history;
      for (size_t k = 0; k < reviews_.size(); ++k) {
        if (reviews_[k].user != u || std::find(skip.begin(), skip.end(), k) != skip.end()) continue;
        history.push_back({.item = reviews_[k].item, .unix_time = reviews_[k].time});
      }
      std::vector<reco::Candidate> candidates;
      for (int item = 0; item < kItems; ++item) {
        bool seen = false;
        for (const reco::Event& e : history) seen = seen || e.item == item;
        if (seen) continue;
        candidates.push_back({.item = item,
                              .tower_score = 1.0F - 0.1F * static_cast<float>(candidates.size()),
                              .tower_rank = static_cast<int32_t>(candidates.size())});
      }
      // The store's local ids are the global ones here: every product, in order.
      std::vector<int32_t> history_ids;
      for (const reco::Event& e : history) {
        if (std::find(history_ids.begin(), history_ids.end(), e.item) == history_ids.end()) {
          history_ids.push_back(e.item);
        }
      }
      absl::StatusOr<FeatureSnapshot> served = store.Features(asins_, history_ids, now, kWindow);
      ASSERT_TRUE(served.ok()) << served.status();
      const auto trained = reco::ComputeFeatureRows(memory, history, candidates, now);
      const auto serving = reco::ComputeFeatureRows(*served, history, candidates, now);
      ASSERT_EQ(trained.size(), serving.size());
      for (size_t c = 0; c < trained.size(); ++c) {
        for (size_t f = 0; f < reco::kRankFeatureCount; ++f) {
          const float a = trained[c][f];
          const float b = serving[c][f];
          EXPECT_TRUE((std::isnan(a) && std::isnan(b)) || a == b)
              << "user " << u << " candidate " << candidates[c].item << " feature "
              << reco::RankFeatureNames()[f] << ": trainer " << a << ", served " << b;
          ++compared;
        }
      }
    }
    EXPECT_GT(compared, 100);
  }

  static constexpr int kItems = 8;
  static constexpr int kUsers = 6;
  static constexpr int64_t kStart = 1'700'000'000;
  static constexpr int64_t kWindow = 30 * 86400;
  std::unique_ptr<redis::Client> client_;
  std::vector<std::string> asins_;
  std::vector<std::string> users_;
  std::vector<Review> reviews_;
};

TEST_F(FeatureStoreTest, ServedFeaturesEqualTheTrainersAfterAcceptsRemovalsAndRestores) {
  RedisHistoryStore store(*client_, /*history_cap=*/200, /*window_days=*/30);
  std::vector<review::ReviewEvent> events;
  for (size_t k = 0; k < reviews_.size(); ++k) events.push_back(Accepted(k));
  ASSERT_TRUE(store.Apply(events, absl::FromUnixSeconds(kStart + 90 * 86400)).ok());
  ASSERT_TRUE(store.Apply(events, absl::FromUnixSeconds(kStart + 90 * 86400)).ok());  // again
  ASSERT_NO_FATAL_FAILURE(ExpectSameFeatures(store, Memory({}), {}));

  // Two reviews removed (fraud): the store forgets them as the trainer's data would.
  std::vector<review::ReviewEvent> removals;
  for (size_t k : {size_t{1}, size_t{7}}) {
    removals.push_back({.review_id = ReviewId(k),
                        .asin = asins_[static_cast<size_t>(reviews_[k].item)],
                        .occurred_at = absl::FromUnixSeconds(kStart + 80 * 86400),
                        .change = review::ReviewRemoved{.reason_code = "fraud"}});
  }
  ASSERT_TRUE(store.Apply(removals, absl::FromUnixSeconds(kStart + 90 * 86400)).ok());
  ASSERT_NO_FATAL_FAILURE(ExpectSameFeatures(store, Memory({1, 7}), {1, 7}));

  // One restored: back as it was.
  std::vector<review::ReviewEvent> restore = {
      {.review_id = ReviewId(7),
       .asin = asins_[static_cast<size_t>(reviews_[7].item)],
       .occurred_at = absl::FromUnixSeconds(kStart + 85 * 86400),
       .change = review::ReviewRestored{.reason_code = "appeal"}}};
  ASSERT_TRUE(store.Apply(restore, absl::FromUnixSeconds(kStart + 90 * 86400)).ok());
  ASSERT_NO_FATAL_FAILURE(ExpectSameFeatures(store, Memory({1}), {1}));
}

}  // namespace
}  // namespace candor::reco_api
