#include "libs/reco/rank_features.h"

#include <cmath>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace candor::reco {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

float F(const RankFeatureVector& v, RankFeature f) { return v[static_cast<std::size_t>(f)]; }

constexpr double kDay = 86400;

// Three users over five items (4 has no event):
//   u0: item 0 at t=100 (rating 5), item 1 at 200 (4), item 2 at 300 (no rating)
//   u1: item 1 at 150 (3), item 2 at 250 (2)
//   u2: item 0 at 50 (1), item 3 at 400 (5)
// Co-reviews: (0,1) 1, (0,2) 1, (1,2) 2 (u0 and u1), (0,3) 1. Tokens: 0 {1,2}, 1 {2,3}, 2 none,
// 3 {1}, 4 {9}. Window 200 s.
Sequences Tiny() {
  return Sequences(5, {0, 3, 5, 7},
                   {{0, 100}, {1, 200}, {2, 300}, {1, 150}, {2, 250}, {0, 50}, {3, 400}});
}

MemoryFeatureSource::Options TinyOptions() {
  MemoryFeatureSource::Options o;
  o.recent_window_seconds = 200;
  o.ratings = {5, 4, kNoRating, 3, 2, 1, 5};
  o.tokens = {{2, 1, 2}, {3, 2}, {}, {1}, {9}};
  return o;
}

MemoryFeatureSource TinySource() {
  absl::StatusOr<MemoryFeatureSource> s = MemoryFeatureSource::Build(Tiny(), TinyOptions());
  EXPECT_TRUE(s.ok()) << s.status();
  return *std::move(s);
}

TEST(MemoryFeatureSourceTest, AggregatesCountOnlyWhatCameBeforeNow) {
  const MemoryFeatureSource s = TinySource();
  ItemAggregates a = s.Item(2, 260);
  EXPECT_EQ(a.interactions, 2);         // all-time
  EXPECT_EQ(a.recent_interactions, 1);  // 250 in [60, 260); 300 is after now
  EXPECT_EQ(a.first_time, 250);
  EXPECT_EQ(a.last_time, 250);
  EXPECT_EQ(a.rating_count, 1);
  EXPECT_DOUBLE_EQ(a.rating_sum, 2);

  a = s.Item(0, 300);  // times 50, 100; window [100, 300)
  EXPECT_EQ(a.recent_interactions, 1);
  EXPECT_EQ(a.first_time, 50);
  EXPECT_EQ(a.last_time, 100);
  EXPECT_EQ(a.rating_count, 2);
  EXPECT_DOUBLE_EQ(a.rating_sum, 6);

  a = s.Item(0, 50);  // nothing strictly before 50
  EXPECT_EQ(a.recent_interactions, 0);
  EXPECT_EQ(a.first_time, -1);
  EXPECT_EQ(a.last_time, -1);

  a = s.Item(4, 1000);
  EXPECT_EQ(a.interactions, 0);
  EXPECT_EQ(s.Item(99, 1000).interactions, 0);
  EXPECT_EQ(s.Item(-1, 1000).interactions, 0);
}

TEST(MemoryFeatureSourceTest, CoReviewsAreDistinctUsersAndSymmetric) {
  const MemoryFeatureSource s = TinySource();
  EXPECT_EQ(s.CoReviews(1, 2), 2);
  EXPECT_EQ(s.CoReviews(2, 1), 2);
  EXPECT_EQ(s.CoReviews(0, 1), 1);
  EXPECT_EQ(s.CoReviews(0, 2), 1);
  EXPECT_EQ(s.CoReviews(3, 0), 1);
  EXPECT_EQ(s.CoReviews(1, 3), 0);
  EXPECT_EQ(s.CoReviews(2, 2), 0);
  EXPECT_EQ(s.CoReviews(4, 0), 0);
  EXPECT_EQ(s.CoReviews(0, 42), 0);

  // A repeat purchase does not co-review an item with itself or count a pair twice.
  absl::StatusOr<MemoryFeatureSource> r =
      MemoryFeatureSource::Build(Sequences(3, {0, 4}, {{0, 1}, {1, 2}, {0, 3}, {1, 4}}), {});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->CoReviews(0, 1), 1);
  EXPECT_EQ(r->CoReviews(0, 0), 0);
  EXPECT_EQ(r->Item(0, 10).interactions, 2);
}

TEST(MemoryFeatureSourceTest, TokensSortedDistinctOrEmpty) {
  const MemoryFeatureSource s = TinySource();
  EXPECT_THAT(s.Tokens(0), ElementsAre(1, 2));
  EXPECT_THAT(s.Tokens(1), ElementsAre(2, 3));
  EXPECT_TRUE(s.Tokens(2).empty());
  EXPECT_TRUE(s.Tokens(7).empty());
  absl::StatusOr<MemoryFeatureSource> none = MemoryFeatureSource::Build(Tiny(), {});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->Tokens(0).empty());
  EXPECT_EQ(none->Item(0, 1000).rating_count, 0);
}

TEST(MemoryFeatureSourceTest, BadOptionsAreRefused) {
  MemoryFeatureSource::Options o = TinyOptions();
  o.ratings.pop_back();
  absl::StatusOr<MemoryFeatureSource> s = MemoryFeatureSource::Build(Tiny(), o);
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.status().message(), HasSubstr("6 ratings for 7 events"));

  o = TinyOptions();
  o.tokens.pop_back();
  s = MemoryFeatureSource::Build(Tiny(), o);
  EXPECT_THAT(s.status().message(), HasSubstr("tokens for 4 items, the data has 5"));

  o = TinyOptions();
  o.recent_window_seconds = 0;
  s = MemoryFeatureSource::Build(Tiny(), o);
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(RankFeaturesTest, NamesAreOnePerFeature) {
  EXPECT_EQ(RankFeatureNames().front(), "tower_score");
  EXPECT_EQ(RankFeatureNames().back(), "days_since_last_event");
  for (std::string_view n : RankFeatureNames()) EXPECT_FALSE(n.empty());
}

// The user reviewed item 1 at 150 and item 0 at 200; item 2 is a candidate at now = 260.
TEST(RankFeaturesTest, HandComputedValues) {
  const MemoryFeatureSource s = TinySource();
  const std::vector<Event> history = {{1, 150}, {0, 200}};
  const RankFeatureVector v = ComputeFeatures(
      s, history, Candidate{.item = 2, .tower_score = 0.5F, .tower_rank = 1}, 0.9F, 260);
  EXPECT_FLOAT_EQ(F(v, RankFeature::kTowerScore), 0.5F);
  EXPECT_FLOAT_EQ(F(v, RankFeature::kTowerRank), 1);
  EXPECT_FLOAT_EQ(F(v, RankFeature::kTowerGap), 0.4F);
  EXPECT_FLOAT_EQ(F(v, RankFeature::kItemInteractions), 2);
  EXPECT_FLOAT_EQ(F(v, RankFeature::kItemRecent), 1);
  EXPECT_FLOAT_EQ(F(v, RankFeature::kItemDaysSinceLast), static_cast<float>(10 / kDay));
  EXPECT_FLOAT_EQ(F(v, RankFeature::kItemAgeDays), static_cast<float>(10 / kDay));
  EXPECT_FLOAT_EQ(F(v, RankFeature::kItemRatingMean), 2);
  EXPECT_FLOAT_EQ(F(v, RankFeature::kItemRatingCount), 1);
  EXPECT_FLOAT_EQ(F(v, RankFeature::kCoReviewsLast), 1);   // with item 0
  EXPECT_FLOAT_EQ(F(v, RankFeature::kCoReviewsLast2), 2);  // with item 1
  EXPECT_FLOAT_EQ(F(v, RankFeature::kCoReviewsHistorySum), 3);
  EXPECT_FLOAT_EQ(F(v, RankFeature::kCoReviewsHistoryMax), 2);
  EXPECT_FLOAT_EQ(F(v, RankFeature::kCoCosineLast), 0.5F);     // 1 / sqrt(2 x 2)
  EXPECT_FLOAT_EQ(F(v, RankFeature::kCoCosineDecayed), 1.2F);  // 0.5 + 0.7 x 2 / sqrt(2 x 2)
  EXPECT_FLOAT_EQ(F(v, RankFeature::kHistoryItemsCoReviewed), 2);
  EXPECT_TRUE(std::isnan(F(v, RankFeature::kCategoryAffinity)));  // item 2 has no tokens
  EXPECT_FLOAT_EQ(F(v, RankFeature::kHistoryLength), 2);
  EXPECT_FLOAT_EQ(F(v, RankFeature::kDaysSinceLastEvent), static_cast<float>(60 / kDay));

  // Item 3: tokens {1}; Jaccard 1/2 with item 0's {1,2}, 0 with item 1's {2,3}. Its only event
  // (400) is after now; it was co-reviewed with item 0 once.
  const RankFeatureVector w = ComputeFeatures(
      s, history, Candidate{.item = 3, .tower_score = 0.9F, .tower_rank = 0}, 0.9F, 260);
  EXPECT_FLOAT_EQ(F(w, RankFeature::kTowerGap), 0);
  EXPECT_FLOAT_EQ(F(w, RankFeature::kCategoryAffinity), 0.25F);
  EXPECT_FLOAT_EQ(F(w, RankFeature::kItemInteractions), 1);
  EXPECT_FLOAT_EQ(F(w, RankFeature::kItemRecent), 0);
  EXPECT_TRUE(std::isnan(F(w, RankFeature::kItemDaysSinceLast)));
  EXPECT_TRUE(std::isnan(F(w, RankFeature::kItemAgeDays)));
  EXPECT_FLOAT_EQ(F(w, RankFeature::kItemRatingMean), 5);
  EXPECT_FLOAT_EQ(F(w, RankFeature::kCoReviewsLast), 1);
  EXPECT_FLOAT_EQ(F(w, RankFeature::kCoReviewsLast2), 0);
  EXPECT_FLOAT_EQ(F(w, RankFeature::kCoCosineLast), static_cast<float>(1 / std::sqrt(2.0)));
  EXPECT_FLOAT_EQ(F(w, RankFeature::kCoCosineDecayed), static_cast<float>(1 / std::sqrt(2.0)));
  EXPECT_FLOAT_EQ(F(w, RankFeature::kHistoryItemsCoReviewed), 1);

  // Item 4: no event, no rating; tokens {9} share nothing with the history's.
  const RankFeatureVector x = ComputeFeatures(
      s, history, Candidate{.item = 4, .tower_score = 0.1F, .tower_rank = 2}, 0.9F, 260);
  EXPECT_FLOAT_EQ(F(x, RankFeature::kItemInteractions), 0);
  EXPECT_TRUE(std::isnan(F(x, RankFeature::kItemRatingMean)));
  EXPECT_FLOAT_EQ(F(x, RankFeature::kItemRatingCount), 0);
  EXPECT_FLOAT_EQ(F(x, RankFeature::kCategoryAffinity), 0);
  EXPECT_FLOAT_EQ(F(x, RankFeature::kCoCosineDecayed), 0);
}

TEST(RankFeaturesTest, RepeatedHistoryItemCountsOnceAtItsNewestPosition) {
  const MemoryFeatureSource s = TinySource();
  // Item 1 again at 220: now the newest (age 0), item 0 second (age 1).
  const std::vector<Event> history = {{1, 150}, {0, 200}, {1, 220}};
  const RankFeatureVector v =
      ComputeFeatures(s, history, Candidate{.item = 2, .tower_score = 0, .tower_rank = 0}, 0, 260);
  EXPECT_FLOAT_EQ(F(v, RankFeature::kCoReviewsLast), 2);
  EXPECT_FLOAT_EQ(F(v, RankFeature::kCoReviewsLast2), 1);
  EXPECT_FLOAT_EQ(F(v, RankFeature::kCoReviewsHistorySum), 3);
  EXPECT_FLOAT_EQ(F(v, RankFeature::kCoCosineDecayed), 1.35F);  // 1 + 0.7 x 0.5
  EXPECT_FLOAT_EQ(F(v, RankFeature::kHistoryItemsCoReviewed), 2);
  EXPECT_FLOAT_EQ(F(v, RankFeature::kHistoryLength), 3);
  EXPECT_FLOAT_EQ(F(v, RankFeature::kDaysSinceLastEvent), static_cast<float>(40 / kDay));
}

TEST(RankFeaturesTest, EmptyHistory) {
  const MemoryFeatureSource s = TinySource();
  const RankFeatureVector v =
      ComputeFeatures(s, {}, Candidate{.item = 0, .tower_score = 0.3F, .tower_rank = 0}, 0.3F, 260);
  EXPECT_FLOAT_EQ(F(v, RankFeature::kHistoryLength), 0);
  EXPECT_TRUE(std::isnan(F(v, RankFeature::kDaysSinceLastEvent)));
  EXPECT_TRUE(std::isnan(F(v, RankFeature::kCategoryAffinity)));
  EXPECT_FLOAT_EQ(F(v, RankFeature::kCoReviewsHistorySum), 0);
  EXPECT_FLOAT_EQ(F(v, RankFeature::kItemInteractions), 2);
}

TEST(RankFeaturesTest, RowsUseTheFirstCandidateForTheGap) {
  const MemoryFeatureSource s = TinySource();
  const std::vector<Event> history = {{1, 150}};
  const std::vector<Candidate> c = {{.item = 2, .tower_score = 0.8F, .tower_rank = 0},
                                    {.item = 0, .tower_score = 0.2F, .tower_rank = 1}};
  const std::vector<RankFeatureVector> rows = ComputeFeatureRows(s, history, c, 260);
  ASSERT_EQ(rows.size(), 2U);
  EXPECT_EQ(rows[1], ComputeFeatures(s, history, c[1], 0.8F, 260));
  EXPECT_FLOAT_EQ(F(rows[1], RankFeature::kTowerGap), 0.6F);
  EXPECT_TRUE(ComputeFeatureRows(s, history, {}, 260).empty());
}

TEST(TopCandidatesTest, BestFirstWithoutHistoryOrUnknownItems) {
  const float inf = std::numeric_limits<float>::infinity();
  const std::vector<float> scores = {0.1F, 0.9F, 0.5F, 0.5F, -inf, NAN, 0.7F};
  const std::vector<Event> history = {{1, 5}, {6, 7}};
  std::vector<Candidate> c = TopCandidates(scores, history, 10);
  ASSERT_EQ(c.size(), 3U);  // items 2, 3 (tied: by id), 0
  EXPECT_EQ(c[0].item, 2);
  EXPECT_EQ(c[1].item, 3);
  EXPECT_EQ(c[2].item, 0);
  EXPECT_EQ(c[2].tower_rank, 2);
  EXPECT_FLOAT_EQ(c[2].tower_score, 0.1F);
  c = TopCandidates(scores, history, 2);
  ASSERT_EQ(c.size(), 2U);
  EXPECT_EQ(c[1].item, 3);
  EXPECT_TRUE(TopCandidates(scores, history, 0).empty());
}

TEST(TrainRatingsTest, FollowTheSplitsTimeOrder) {
  InteractionLog log;
  const int32_t a = log.InternUser("a");
  const int32_t b = log.InternUser("b");
  const int32_t x = log.InternItem("x");
  const int32_t y = log.InternItem("y");
  const int32_t z = log.InternItem("z");
  const int32_t w = log.InternItem("w");
  // a's events out of time order in the file; b has a tie at 5 (kept in file order).
  log.Add(a, x, 1, 30);
  log.Add(b, x, 2, 5);
  log.Add(a, y, 3, 10);
  log.Add(b, y, 4, 5);
  log.Add(a, z, 5, 20);
  log.Add(a, w, 1.5F, 40);
  log.Add(b, z, kNoRating, 9);
  absl::StatusOr<LeaveOneOutSplit> split = SplitLeaveOneOut(log);
  ASSERT_TRUE(split.ok());
  // a: y(10) z(20) | x(30) w(40) held out; b: x(5) | y(5) z(9) held out.
  EXPECT_THAT(TrainRatings(log, *split), ElementsAre(3, 5, 2));

  InteractionLog none;
  const int32_t u = none.InternUser("u");
  for (int k = 0; k < 3; ++k) none.Add(u, none.InternItem(std::to_string(k)), kNoRating, k);
  absl::StatusOr<LeaveOneOutSplit> s2 = SplitLeaveOneOut(none);
  ASSERT_TRUE(s2.ok());
  EXPECT_TRUE(TrainRatings(none, *s2).empty());
}

}  // namespace
}  // namespace candor::reco
