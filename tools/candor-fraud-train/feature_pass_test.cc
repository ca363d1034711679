#include "tools/candor-fraud-train/feature_pass.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "libs/fraud/features_testing.h"

namespace candor::fraud_train {
namespace {

using fraud::At;
using fraud::Feature;

const absl::Time kT0 = absl::FromUnixSeconds(1'400'000'000);

// fraud::testing::Review from `ip`, rejected by a moderator at `rejected_at` when set.
SimReview Review(const std::string& id, const std::string& user, const std::string& asin,
                 absl::Time at, std::string ip,
                 std::optional<absl::Time> rejected_at = std::nullopt) {
  SimReview r;
  r.facts = fraud::testing::Review(id, user, asin, at);
  r.facts.client_ip = std::move(ip);
  r.rejected_at = rejected_at;
  return r;
}

// A moderator's rejection reaches the store when the stream reaches its time: reviews from the
// same address before then see no rejected account, after it one.
TEST(FeaturePassTest, RejectionsCountFromTheirTime) {
  const std::vector<SimReview> stream = {
      Review("r1", "farm-1", "B000000001", kT0, "203.0.113.9", kT0 + absl::Hours(48)),
      Review("r2", "shopper", "B000000002", kT0 + absl::Hours(24), "203.0.113.9"),
      Review("r3", "shopper", "B000000003", kT0 + absl::Hours(72), "203.0.113.9"),
      Review("r4", "farm-1", "B000000004", kT0 + absl::Hours(73), "203.0.113.9"),
  };
  absl::StatusOr<fraud::CidrList> list = fraud::CidrList::Parse("3.0.0.0/9\n");
  ASSERT_TRUE(list.ok());
  for (int batch : {1, 2, 250}) {
    FeaturePassStats stats;
    const std::vector<fraud::FeatureVector> x =
        ComputeFeatures(stream, *list, batch, nullptr, &stats);
    ASSERT_EQ(x.size(), stream.size());
    EXPECT_EQ(At(x[1], Feature::kSharedIpRejected), 0) << batch;
    EXPECT_EQ(At(x[2], Feature::kSharedIpRejected), 1) << batch;
    // The rejected account itself is not "another" account.
    EXPECT_EQ(At(x[3], Feature::kSharedIpRejected), 0) << batch;
    EXPECT_EQ(stats.recorded, 4);
    EXPECT_EQ(stats.marks, 1);
  }
}

TEST(FeaturePassTest, TheDatacenterFlagComesFromTheList) {
  const std::vector<SimReview> stream = {
      Review("r1", "a", "B000000001", kT0, "3.1.2.3"),
      Review("r2", "b", "B000000001", kT0 + absl::Minutes(1), "24.1.2.3"),
      Review("r3", "c", "B000000001", kT0 + absl::Minutes(2), ""),
  };
  absl::StatusOr<fraud::CidrList> list = fraud::CidrList::Parse("3.0.0.0/9\n");
  ASSERT_TRUE(list.ok());
  FeaturePassStats stats;
  const std::vector<fraud::FeatureVector> x = ComputeFeatures(stream, *list, 250, nullptr, &stats);
  EXPECT_EQ(At(x[0], Feature::kDatacenterIp), 1);
  EXPECT_EQ(At(x[1], Feature::kDatacenterIp), 0);
  EXPECT_EQ(At(x[2], Feature::kDatacenterIp), 0);
  // The product's third review within the hour, with nothing before: 3 / 0.1.
  EXPECT_FLOAT_EQ(At(x[2], Feature::kProductVelocityRatio), 30);
}

}  // namespace
}  // namespace candor::fraud_train
