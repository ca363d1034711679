#include "tools/candor-reco-conversion/conversion.h"

#include <thread>

#include "gtest/gtest.h"
#include "libs/events/reco_impressions.h"
#include "libs/events/review_events.h"
#include "libs/events/topics.h"
#include "libs/kafka/kafka.h"
#include "libs/kafka/mock_cluster.h"
#include "tools/candor-reco-conversion/kafka_reader.h"

namespace candor::reco_conversion {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1'700'000'000);

events::RecoImpression Shown(const std::string& request, const std::string& user,
                             const std::string& variant, std::vector<std::string> asins,
                             absl::Time at) {
  events::RecoImpression i{.request_id = request,
                           .user_id = user,
                           .experiment = "home",
                           .variant = variant,
                           .items = {},
                           .served_at = at};
  for (std::string& a : asins) i.items.push_back({.asin = std::move(a), .score = 1, .stage = 2});
  return i;
}

review::ReviewEvent Accepted(const std::string& id, const std::string& user,
                             const std::string& asin, absl::Time at) {
  return {
      .review_id = id,
      .asin = asin,
      .occurred_at = at,
      .change = review::ReviewAccepted{.rating = 5, .verified_purchase = false, .user_id = user}};
}

TEST(WilsonIntervalTest, KnownValues) {
  auto [lo, hi] = WilsonInterval(5, 10);
  EXPECT_NEAR(lo, 0.2366, 1e-4);
  EXPECT_NEAR(hi, 0.7634, 1e-4);
  auto [zlo, zhi] = WilsonInterval(0, 0);
  EXPECT_EQ(zlo, 0);
  EXPECT_EQ(zhi, 0);
  auto [nlo, nhi] = WilsonInterval(0, 20);
  EXPECT_EQ(nlo, 0);
  EXPECT_GT(nhi, 0.1);
}

TEST(ConversionJoinTest, OnlyALaterReviewOfAShownProductInTheWindowConverts) {
  ConversionJoin join;
  // control: u1 shown A, reviews A an hour later (converts); u2 shown A, reviews B (no);
  // treatment: u3 shown C, reviews C before the impression (no) and C again? no: D after 10 days
  // (outside the window); u4 shown D twice (duplicate request id), reviews D (converts once).
  join.AddImpression(Shown("r1", "u1", "control", {"B00000000A"}, kT0));
  join.AddImpression(Shown("r2", "u2", "control", {"B00000000A"}, kT0));
  join.AddImpression(Shown("r3", "u3", "treatment", {"B00000000C", "B00000000D"}, kT0));
  join.AddImpression(Shown("r4", "u4", "treatment", {"B00000000D"}, kT0));
  join.AddImpression(Shown("r4", "u4", "treatment", {"B00000000D"}, kT0));
  join.AddReviewEvent(Accepted("01", "u1", "B00000000A", kT0 + absl::Hours(1)));
  join.AddReviewEvent(Accepted("02", "u2", "B00000000B", kT0 + absl::Hours(1)));
  join.AddReviewEvent(Accepted("03", "u3", "B00000000C", kT0 - absl::Hours(1)));
  join.AddReviewEvent(Accepted("04", "u3", "B00000000D", kT0 + absl::Hours(240)));
  join.AddReviewEvent(Accepted("05", "u4", "B00000000D", kT0 + absl::Hours(2)));
  join.AddReviewEvent(Accepted("05", "u4", "B00000000D", kT0 + absl::Hours(2)));  // redelivered
  std::vector<VariantResult> r = join.Compute(absl::Hours(168));
  ASSERT_EQ(r.size(), 2U);
  EXPECT_EQ(r[0].variant, "control");
  EXPECT_EQ(r[0].users, 2);
  EXPECT_EQ(r[0].converted_users, 1);
  EXPECT_EQ(r[0].conversions, 1);
  EXPECT_DOUBLE_EQ(r[0].rate, 0.5);
  EXPECT_TRUE(r[0].baseline.empty());
  EXPECT_EQ(r[1].variant, "treatment");
  EXPECT_EQ(r[1].users, 2);
  EXPECT_EQ(r[1].impressions, 2);  // the duplicate request id counted once
  EXPECT_EQ(r[1].items_shown, 3);
  EXPECT_EQ(r[1].converted_users, 1);
  EXPECT_EQ(r[1].conversions, 1);
  EXPECT_EQ(r[1].baseline, "control");
  EXPECT_DOUBLE_EQ(r[1].diff, 0.0);
  EXPECT_LT(r[1].diff_low, 0);
  EXPECT_GT(r[1].diff_high, 0);
  // A removed review converts nothing; a restored one again.
  join.AddReviewEvent({.review_id = "05",
                       .asin = "B00000000D",
                       .occurred_at = kT0 + absl::Hours(3),
                       .change = review::ReviewRemoved{.reason_code = "fraud"}});
  EXPECT_EQ(join.Compute(absl::Hours(168))[1].converted_users, 0);
  join.AddReviewEvent({.review_id = "05",
                       .asin = "B00000000D",
                       .occurred_at = kT0 + absl::Hours(4),
                       .change = review::ReviewRestored{.reason_code = "appeal"}});
  EXPECT_EQ(join.Compute(absl::Hours(168))[1].converted_users, 1);
  // A window of one hour: u4's review two hours later no longer counts.
  EXPECT_EQ(join.Compute(absl::Hours(1))[1].converted_users, 0);
}

TEST(ReadTopicsTest, ReadsBothTopicsToTheirEndFromAMockCluster) {
  kafka::MockCluster cluster;
  cluster.CreateTopic(events::kRecoImpressionsTopic, 2);
  cluster.CreateTopic(events::kReviewEventsTopic, 2);
  auto producer = kafka::Producer::Create({cluster.bootstrap(), "test", {}}, absl::Seconds(10));
  ASSERT_TRUE(producer.ok()) << producer.status();
  for (int u = 0; u < 20; ++u) {
    const std::string user = "user-" + std::to_string(u);
    const std::string variant = u % 2 == 0 ? "control" : "treatment";
    ASSERT_TRUE(
        (*producer)
            ->ProduceSync(events::kRecoImpressionsTopic, user,
                          events::EncodeRecoImpression(Shown("req-" + std::to_string(u), user,
                                                             variant, {"B00000000A"}, kT0)),
                          absl::Seconds(10))
            .ok());
    if (u % 4 == 1) {  // every other treatment user reviews what they were shown
      ASSERT_TRUE((*producer)
                      ->ProduceSync(events::kReviewEventsTopic, "B00000000A",
                                    events::EncodeReviewEvent(Accepted(
                                        "0123456789abcdef0123456789abcd" + std::to_string(10 + u),
                                        user, "B00000000A", kT0 + absl::Minutes(5))),
                                    absl::Seconds(10))
                      .ok());
    }
  }
  ASSERT_TRUE(
      (*producer)
          ->ProduceSync(events::kReviewEventsTopic, "x", "\xff not an event", absl::Seconds(10))
          .ok());
  ConversionJoin join;
  absl::StatusOr<ReadCounts> counts =
      ReadTopics({.brokers = cluster.bootstrap(),
                  .impressions_topic = events::kRecoImpressionsTopic,
                  .events_topic = events::kReviewEventsTopic,
                  .idle = absl::Seconds(8)},
                 &join);
  ASSERT_TRUE(counts.ok()) << counts.status();
  EXPECT_EQ(counts->impressions, 20);
  EXPECT_EQ(counts->review_events, 5);
  EXPECT_EQ(counts->unreadable, 1);
  std::vector<VariantResult> r = join.Compute(absl::Hours(24));
  ASSERT_EQ(r.size(), 2U);
  EXPECT_EQ(r[0].converted_users, 0);
  EXPECT_EQ(r[1].users, 10);
  EXPECT_EQ(r[1].converted_users, 5);
}

}  // namespace
}  // namespace candor::reco_conversion
