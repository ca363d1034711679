#include "tools/candor-drive/feed.h"

#include <cstdio>
#include <fstream>
#include <map>
#include <set>

#include "gtest/gtest.h"
#include "libs/auth/jwt.h"
#include "libs/review/submission.h"
#include "libs/review/validation.h"

namespace candor::drive {
namespace {

constexpr char kSecret[] = "a-test-secret-of-enough-bytes-0123456789";

FeedOptions Generated(uint64_t seed) {
  FeedOptions o;
  o.seed = seed;
  o.chunk = 500;
  o.jwt_secret = kSecret;
  return o;
}

bool Valid(const Review& r) { return review::ValidateSubmission(ShopperInput(r)).ok(); }

TEST(FeedTest, GeneratedTrafficIsFreshValidAndSigned) {
  auto feed = SubmitFeed::Create(Generated(11));
  ASSERT_TRUE(feed.ok()) << feed.status();
  auth::VerifierOptions options;
  options.secret = kSecret;
  absl::StatusOr<auth::Verifier> verifier = auth::Verifier::Create(options);
  ASSERT_TRUE(verifier.ok()) << verifier.status();
  std::set<std::pair<std::string, std::string>> user_product;
  std::map<std::string, int> per_user;
  // Three chunks: each chunk has its own users, so no pair may repeat across chunks either.
  for (const Request& r : (*feed)->Take(1500)) {
    EXPECT_TRUE(Valid(r.review)) << r.review.asin << " " << r.review.rating;
    EXPECT_TRUE(user_product.insert({r.review.user, r.review.asin}).second) << r.review.user;
    ++per_user[r.review.user];
    ASSERT_EQ(r.bearer.rfind("Bearer ", 0), 0u);
    absl::StatusOr<auth::Claims> claims = verifier->Verify(r.bearer.substr(7), absl::Now());
    ASSERT_TRUE(claims.ok()) << claims.status();
    EXPECT_EQ(claims->subject, r.review.user);
  }
  for (const auto& [user, n] : per_user) EXPECT_LE(n, kMaxPerUser) << user;
  // Chunks of 500 less the generator's refusals (invalid requests, heavy users), left out.
  EXPECT_GE((*feed)->generated(), 1500);
  EXPECT_LT((*feed)->generated(), 2000);
  EXPECT_GE((*feed)->stalls(), 3);  // no prefill, no refill thread: every chunk was a wait
}

TEST(FeedTest, FarmShare) {
  FeedOptions o = Generated(12);
  o.farm_ratio = 0.2;
  o.farm_products = 3;
  auto feed = SubmitFeed::Create(o);
  ASSERT_TRUE(feed.ok()) << feed.status();
  (*feed)->Prefill(5000);
  std::set<std::string> farm_asins;
  int farm = 0;
  for (const Request& r : (*feed)->Take(5000)) {
    if (!r.farm) continue;
    ++farm;
    farm_asins.insert(r.review.asin);
    EXPECT_EQ(r.review.rating, 5);
  }
  EXPECT_NEAR(farm / 5000.0, 0.2, 0.03);
  EXPECT_EQ(farm_asins.size(), 3u);
}

TEST(FeedTest, BackgroundRefillKeepsUp) {
  auto feed = SubmitFeed::Create(Generated(13));
  ASSERT_TRUE(feed.ok());
  (*feed)->Prefill(1000);
  (*feed)->StartRefill(800);
  std::set<std::string> users;
  for (int i = 0; i < 3000; ++i) users.insert((*feed)->Next().review.user);
  EXPECT_GT(users.size(), 1500u);  // about one review per user
}

TEST(FeedTest, ReplayWrapsWithAFreshPrefixPerPass) {
  const std::string path = ::testing::TempDir() + "/drive_feed_test.json";
  {
    std::ofstream f(path);
    f << R"({"reviewerID":"A1","asin":"B000000001","overall":5.0,"reviewText":"Good strings, stay in tune.","summary":"Good"})"
      << "\n"
      << R"({"reviewerID":"A2","asin":"B000000002","overall":1.0,"reviewText":"","summary":"Empty body"})"
      << "\n"
      << R"({"reviewerID":"A3","asin":"B000000001","overall":4.0,"reviewText":"Fine cable, a bit short.","summary":"Fine"})"
      << "\n";
  }
  FeedOptions o = Generated(14);
  o.reviews_file = path;
  o.user_prefix = "run-";
  auto feed = SubmitFeed::Create(o);
  ASSERT_TRUE(feed.ok()) << feed.status();
  std::vector<std::string> users;
  for (const Request& r : (*feed)->Take(5)) users.push_back(r.review.user);
  // The invalid row (empty body) is left out; the second pass gets "p1-".
  EXPECT_EQ(users,
            (std::vector<std::string>{"run-A1", "run-A3", "run-p1-A1", "run-p1-A3", "run-p2-A1"}));
  const std::string asin = (*feed)->SummaryAsin();
  EXPECT_TRUE(asin == "B000000001" || asin == "B000000002") << asin;
  std::remove(path.c_str());
}

TEST(FeedTest, SummaryAsinsComeFromTheCatalogue) {
  FeedOptions o = Generated(15);
  o.products = 20;
  auto feed = SubmitFeed::Create(o);
  ASSERT_TRUE(feed.ok());
  std::map<std::string, int> seen;
  for (int i = 0; i < 20000; ++i) ++seen[(*feed)->SummaryAsin()];
  EXPECT_LE(seen.size(), 20u);
  EXPECT_GT(seen["B0CD000000"], seen["B0CD000019"] * 5);  // Zipf-like: weight 1 vs 1/20
}

TEST(FeedTest, BadOptions) {
  FeedOptions o = Generated(1);
  o.jwt_secret.clear();
  EXPECT_FALSE(SubmitFeed::Create(o).ok());
  o = Generated(1);
  o.products = 3;  // the generator needs at least 14
  EXPECT_FALSE(SubmitFeed::Create(o).ok());
  o = Generated(1);
  o.reviews_file = "/nonexistent/reviews.json";
  EXPECT_EQ(SubmitFeed::Create(o).status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace candor::drive
