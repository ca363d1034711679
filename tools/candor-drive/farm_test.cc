#include "tools/candor-drive/farm.h"

#include <set>

#include "gtest/gtest.h"
#include "libs/review/submission.h"
#include "libs/review/validation.h"

namespace candor::drive {
namespace {

TEST(FarmTest, FreshAccountsFewTargetsFiveStarsValid) {
  Farm farm(/*seed=*/42, /*products=*/5);
  ASSERT_EQ(farm.targets().size(), 5u);
  std::set<std::string> users, asins, bodies;
  for (int64_t n = 0; n < 500; ++n) {
    Review r = farm.Make(n);
    users.insert(r.user);
    asins.insert(r.asin);
    bodies.insert(r.body);
    EXPECT_EQ(r.rating, 5);
    EXPECT_GE(r.body.size(), 40u) << r.body;  // no "extreme_short" rule
    int bangs = 0;
    for (char c : r.title + r.body) bangs += c == '!';
    EXPECT_LE(bangs, 1);
    review::SubmissionInput in;
    in.asin = r.asin;
    in.rating = r.rating;
    in.title = r.title;
    in.body = r.body;
    EXPECT_TRUE(review::ValidateSubmission(in).ok()) << r.asin << ": " << r.body;
  }
  EXPECT_EQ(users.size(), 500u);   // one review per account
  EXPECT_EQ(asins.size(), 5u);     // about the targets only
  EXPECT_GT(bodies.size(), 300u);  // slightly varied copies: mostly distinct texts...
  EXPECT_EQ(asins, std::set<std::string>(farm.targets().begin(), farm.targets().end()));
}

TEST(FarmTest, CopiesOfOneText) {
  Farm farm(42, 5);
  // ...of one script: every body shares the script's fixed skeleton words.
  const std::string first = farm.Make(0).body;
  int shared = 0;
  for (int64_t n = 1; n < 100; ++n) {
    const std::string body = farm.Make(n).body;
    shared += body.find(" for my") != std::string::npos ||
              body.find("marks") != std::string::npos || body.find("stars") != std::string::npos;
  }
  EXPECT_EQ(shared, 99) << first;
}

TEST(FarmTest, DeterministicPerSeed) {
  Farm a(7, 3), b(7, 3), c(8, 3);
  EXPECT_EQ(a.Make(12).body, b.Make(12).body);
  EXPECT_EQ(a.Make(12).user, b.Make(12).user);
  EXPECT_EQ(a.targets(), b.targets());
  EXPECT_NE(a.Make(12).user, c.Make(12).user);
}

}  // namespace
}  // namespace candor::drive
