#include "tools/candor-drive/generator.h"

#include <algorithm>
#include <map>
#include <set>

#include "gtest/gtest.h"
#include "libs/review/validation.h"

namespace candor::drive {
namespace {

Plan MakePlan(GeneratorOptions o = {}) {
  absl::StatusOr<Plan> plan = Generate(o);
  EXPECT_TRUE(plan.ok()) << plan.status();
  return plan.ok() ? *plan : Plan{};
}

bool Valid(const Review& r) {
  review::SubmissionInput in{r.asin, r.rating, r.title, r.body, r.verified_purchase, ""};
  return review::ValidateSubmission(in).ok();
}

TEST(GeneratorTest, CountsAddUpToTheMix) {
  Plan plan = MakePlan();  // 2000 submissions, 3 % retries
  EXPECT_EQ(plan.size(), 2000u);
  std::map<Expect, int> by_expect;
  for (size_t n = 0; n < plan.size(); ++n) ++by_expect[plan.at(n).expect];
  EXPECT_EQ(by_expect[Expect::kSameAsFirst], 60);  // 3 % retries
  EXPECT_EQ(by_expect[Expect::kDuplicate], 20);    // 1 % second reviews
  EXPECT_EQ(by_expect[Expect::kInvalid], 20);      // 1 % invalid
  EXPECT_EQ(plan.follow_ups.size(), 80u);
  // 5 heavy users, 14 reviews each, judged by their exact daily limit.
  ASSERT_EQ(plan.user_limits.size(), 5u);
  EXPECT_EQ(by_expect[Expect::kUnknown], 5 * kHeavyUserRequests);
  for (const UserLimit& l : plan.user_limits) {
    EXPECT_TRUE(l.exact);
    EXPECT_EQ(l.max_ok, 10);
  }
  EXPECT_EQ(by_expect[Expect::kOk], 2000 - 60 - 20 - 20 - 70);
}

TEST(GeneratorTest, FollowUpsMatchTheirPrimaries) {
  Plan plan = MakePlan();
  int with_follow_up = 0;
  for (const PlannedRequest& p : plan.primaries) {
    if (p.follow_up < 0) continue;
    ++with_follow_up;
    EXPECT_EQ(p.expect, Expect::kOk);
    const PlannedRequest& f = plan.follow_ups[p.follow_up];
    EXPECT_EQ(f.review.user, p.review.user);
    EXPECT_EQ(f.review.asin, p.review.asin);
    if (f.expect == Expect::kSameAsFirst) {
      EXPECT_EQ(f.review.body, p.review.body);
      EXPECT_EQ(f.review.rating, p.review.rating);
      EXPECT_EQ(f.review.title, p.review.title);
    } else {
      ASSERT_EQ(f.expect, Expect::kDuplicate);
      EXPECT_NE(f.review.body, p.review.body);
    }
  }
  EXPECT_EQ(with_follow_up, 80);
}

TEST(GeneratorTest, ValidityMatchesTheGatewayRules) {
  Plan plan = MakePlan();
  for (size_t n = 0; n < plan.size(); ++n) {
    const PlannedRequest& p = plan.at(n);
    EXPECT_EQ(Valid(p.review), p.expect != Expect::kInvalid) << n;
  }
}

TEST(GeneratorTest, OrdinaryUsersStayUnderTheLimitAndNeverRepeatAProduct) {
  Plan plan = MakePlan();
  std::map<std::string, int> per_user;
  std::set<std::pair<std::string, std::string>> pairs;
  std::set<std::string> heavy;
  for (const UserLimit& l : plan.user_limits) heavy.insert(l.user);
  for (size_t n = 0; n < plan.size(); ++n) {
    const Review& r = plan.at(n).review;
    if (heavy.contains(r.user)) continue;
    ++per_user[r.user];
  }
  for (const auto& [user, n] : per_user) EXPECT_LE(n, kMaxPerUser) << user;
  for (const PlannedRequest& p : plan.primaries) {
    EXPECT_TRUE(pairs.insert({p.review.user, p.review.asin}).second)
        << p.review.user << " reviews " << p.review.asin << " twice as a first submission";
  }
}

TEST(GeneratorTest, RealisticShape) {
  GeneratorOptions o;
  o.count = 20'000;
  o.users = 20'000;
  Plan plan = MakePlan(o);
  std::map<int, int> stars;
  std::map<std::string, int> per_product;
  int verified = 0, valid = 0;
  size_t shortest = SIZE_MAX, longest = 0;
  for (const PlannedRequest& p : plan.primaries) {
    if (p.expect == Expect::kInvalid) continue;
    ++valid;
    ++stars[p.review.rating];
    ++per_product[p.review.asin];
    verified += p.review.verified_purchase ? 1 : 0;
    shortest = std::min(shortest, p.review.body.size());
    longest = std::max(longest, p.review.body.size());
  }
  // 1..5 stars at 2/3/8/20/67 %.
  EXPECT_NEAR(stars[1] / double(valid), 0.02, 0.01);
  EXPECT_NEAR(stars[2] / double(valid), 0.03, 0.01);
  EXPECT_NEAR(stars[3] / double(valid), 0.08, 0.015);
  EXPECT_NEAR(stars[4] / double(valid), 0.20, 0.02);
  EXPECT_NEAR(stars[5] / double(valid), 0.67, 0.02);
  EXPECT_NEAR(verified / double(valid), 0.70, 0.03);
  // Zipf-like: the top product gets far more than the median one.
  std::vector<int> counts;
  for (const auto& [asin, n] : per_product) counts.push_back(n);
  std::sort(counts.rbegin(), counts.rend());
  EXPECT_GT(counts.front(), 10 * counts[counts.size() / 2]);
  // Texts of varying length: a short sentence up to hundreds of words.
  EXPECT_LT(shortest, 60u);
  EXPECT_GT(longest, 1500u);
  EXPECT_LE(longest, 5000u);  // the gateway's limit
}

TEST(GeneratorTest, SameSeedSamePlanOtherSeedOtherUsers) {
  GeneratorOptions o;
  o.count = 500;
  o.seed = 42;
  Plan a = MakePlan(o), b = MakePlan(o);
  ASSERT_EQ(a.size(), b.size());
  for (size_t n = 0; n < a.size(); ++n) {
    EXPECT_EQ(a.at(n).review.user, b.at(n).review.user);
    EXPECT_EQ(a.at(n).review.body, b.at(n).review.body);
  }
  o.seed = 43;
  Plan c = MakePlan(o);
  std::set<std::string> users_a;
  for (const PlannedRequest& p : a.primaries) users_a.insert(p.review.user);
  for (const PlannedRequest& p : c.primaries) EXPECT_FALSE(users_a.contains(p.review.user));
}

TEST(GeneratorTest, SmallRunsAndImpossibleOptions) {
  GeneratorOptions o;
  o.count = 1;
  Plan one = MakePlan(o);
  EXPECT_EQ(one.size(), 1u);
  EXPECT_EQ(one.primaries[0].expect, Expect::kOk);

  o.count = 10'000;
  o.users = 100;  // 100 users x 8 cannot carry 10,000 submissions
  absl::StatusOr<Plan> plan = Generate(o);
  EXPECT_EQ(plan.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(plan.status().message().find("--users"), std::string::npos);
}

TEST(GeneratorTest, AsinsAreValid) {
  EXPECT_EQ(ProductAsin(42), "B0CD000042");
  EXPECT_TRUE(review::IsValidAsin(ProductAsin(0)));
  EXPECT_TRUE(review::IsValidAsin(ProductAsin(999'999)));
}

}  // namespace
}  // namespace candor::drive
