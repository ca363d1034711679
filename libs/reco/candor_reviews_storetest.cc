// Candor's own reviews as the trainers' input (issue 14 item 2), on the stack's Postgres: every
// active review once, with its user, product and rating; held and removed ones never; and through
// LoadSource with --pg-dsn as the tools read it.

#include <random>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "libs/pg/pg_pool.h"
#include "libs/reco/candor_reviews.h"
#include "libs/reviewdb/reviewdb_testing.h"
#include "libs/testing/stack_env.h"

namespace candor::reco {
namespace {

TEST(CandorReviewsTest, ActiveReviewsBecomeInteractions) {
  auto pool = pg::Pool::Create(testing::PgDsn(), 2);
  ASSERT_TRUE(pool.ok()) << pool.status();
  const uint32_t run = std::random_device{}() % 100000000;
  const std::string user = absl::StrCat("reco-loader-", run);
  const std::string a = absl::StrCat("L", absl::Dec(run, absl::kZeroPad8), "A");
  const std::string b = absl::StrCat("L", absl::Dec(run, absl::kZeroPad8), "B");
  const std::string c = absl::StrCat("L", absl::Dec(run, absl::kZeroPad8), "C");
  reviewdb::testing::InsertReview(**pool, {.asin = a, .user_id = user, .rating = 4});
  reviewdb::testing::InsertReview(**pool, {.asin = b, .user_id = user, .rating = 2});
  reviewdb::testing::InsertReview(
      **pool, {.asin = c, .user_id = user, .status = review::ReviewStatus::kHeld});
  reviewdb::testing::InsertReview(
      **pool, {.asin = c, .user_id = user + "-x", .status = review::ReviewStatus::kRemoved});

  reviewdb::ReviewDb db(**pool);
  LoadReport report;
  std::ostringstream progress;
  absl::StatusOr<InteractionLog> log = LoadCandorReviews(db, &report, &progress, /*page=*/2);
  ASSERT_TRUE(log.ok()) << log.status();
  EXPECT_EQ(report.interactions, static_cast<int64_t>(log->interactions().size()));
  const std::optional<int32_t> u = log->FindUser(user);
  ASSERT_TRUE(u.has_value());
  std::map<std::string, float> mine;
  for (const Interaction& i : log->interactions()) {
    if (i.user == *u) mine[log->ItemId(i.item)] = i.rating;
  }
  EXPECT_EQ(mine, (std::map<std::string, float>{{a, 4.0F}, {b, 2.0F}}));
  EXPECT_FALSE(log->FindItem(c).has_value());  // held and removed: not interactions

  absl::StatusOr<InteractionLog> again =
      LoadSource({.beauty_dir = "", .amazon_json = "", .tsv = "", .pg_dsn = testing::PgDsn()}, {},
                 &report, nullptr);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->interactions().size(), log->interactions().size());
  EXPECT_EQ(LoadSource({.beauty_dir = "", .amazon_json = "", .tsv = "x", .pg_dsn = "y"}, {},
                       &report, nullptr)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace candor::reco
