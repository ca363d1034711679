#include "tools/candor-drive/feed.h"

#include <cstdio>
#include <fstream>
#include <map>
#include <set>

#include "gmock/gmock.h"
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

TEST(FeedTest, RecoShoppersAreTheFileAuthorsWithTheirOwnTokens) {
  const std::string path = ::testing::TempDir() + "/drive_feed_reco_test.json";
  {
    std::ofstream f(path);
    // A1 wrote three of the four valid rows; A2's row is invalid (empty body), so A2 was never
    // imported and is not asked for.
    for (
        const char* row :
        {R"({"reviewerID":"A1","asin":"B000000001","overall":5.0,"reviewText":"Good strings.","summary":"Good"})",
         R"({"reviewerID":"A1","asin":"B000000002","overall":4.0,"reviewText":"Fine tuner.","summary":"Fine"})",
         R"({"reviewerID":"A2","asin":"B000000002","overall":1.0,"reviewText":"","summary":"Empty"})",
         R"({"reviewerID":"A1","asin":"B000000003","overall":4.0,"reviewText":"Solid cable.","summary":"Ok"})",
         R"({"reviewerID":"A3","asin":"B000000001","overall":3.0,"reviewText":"A bit short.","summary":"Meh"})"}) {
      f << row << "\n";
    }
  }
  FeedOptions o = Generated(16);
  o.reviews_file = path;
  o.user_prefix = "lg-";  // the submissions' prefix does not apply to the readers
  o.reco_shoppers = true;
  o.reco_user_prefix = "mi-";
  auto feed = SubmitFeed::Create(o);
  ASSERT_TRUE(feed.ok()) << feed.status();
  EXPECT_EQ((*feed)->reco_shoppers(), 2);
  EXPECT_THAT((*feed)->source(), ::testing::HasSubstr("recommend for the file's 2 authors"));
  auth::VerifierOptions options;
  options.secret = kSecret;
  absl::StatusOr<auth::Verifier> verifier = auth::Verifier::Create(options);
  ASSERT_TRUE(verifier.ok()) << verifier.status();
  std::map<std::string, int> drawn;
  for (int i = 0; i < 4000; ++i) {
    const Shopper& s = (*feed)->RecoShopper();
    ++drawn[s.user];
    if (i < 20) {
      absl::StatusOr<auth::Claims> claims = verifier->Verify(s.bearer.substr(7), absl::Now());
      ASSERT_TRUE(claims.ok()) << claims.status();
      EXPECT_EQ(claims->subject, s.user);  // a customer asks for their own list
      EXPECT_EQ(claims->role, "customer");
    }
  }
  EXPECT_EQ(drawn.size(), 2u);
  // Drawn as the author of a uniformly chosen valid row: A1 three times as often as A3.
  EXPECT_NEAR(drawn["mi-A1"] / 4000.0, 0.75, 0.04);
  EXPECT_NEAR(drawn["mi-A3"] / 4000.0, 0.25, 0.04);
  std::remove(path.c_str());
}

TEST(FeedTest, SyntheticRecoShoppersWithoutAFile) {
  FeedOptions o = Generated(17);
  o.reco_shoppers = true;
  o.reco_users = 50;
  auto feed = SubmitFeed::Create(o);
  ASSERT_TRUE(feed.ok()) << feed.status();
  EXPECT_EQ((*feed)->reco_shoppers(), 50);
  std::set<std::string> users;
  for (int i = 0; i < 5000; ++i) users.insert((*feed)->RecoShopper().user);
  EXPECT_EQ(users.size(), 50u);
  EXPECT_EQ(users.begin()->rfind("rs", 0), 0u) << *users.begin();
  // Another seed, other shoppers (a second run's are new to reco-api as well).
  o.seed = 18;
  auto other = SubmitFeed::Create(o);
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(users.contains((*other)->RecoShopper().user));
  // Without reco_shoppers nobody is minted.
  EXPECT_EQ((*SubmitFeed::Create(Generated(19)))->reco_shoppers(), 0);
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
