#include "tools/candor-fraud-train/amazon_reviews.h"

#include <fstream>

#include "gtest/gtest.h"
#include "libs/datafile/datafile_testing.h"
#include "libs/testing/temp_dir.h"

namespace candor::fraud_train {
namespace {

constexpr char kLines[] =
    R"({"reviewerID": "A1", "asin": "B000000001", "overall": 5.0, "summary": "Good", "reviewText": "Works well.", "unixReviewTime": 1393545600})"
    "\n"
    "not json\n"
    "\n"
    R"({"reviewerID": "A2", "asin": "B000000001", "overall": 4.0, "reviewText": "No time"})"
    "\n"
    R"({"reviewerID": "A3", "asin": "B000000002", "overall": 7.0, "reviewText": "Seven", "unixReviewTime": 1})"
    "\n"
    R"({"reviewerID": "A4", "asin": "B000000002", "overall": 2.0, "reviewText": "  ", "unixReviewTime": 1})"
    "\n"
    R"({"reviewerID": "A5", "asin": "B000000003", "overall": 1.0, "summary": "Bad", "reviewText": "Broke.", "unixReviewTime": 1363392000})"
    "\r\n";

class AmazonReviewsTest : public ::testing::Test {
 protected:
  candor::testing::TempDir dir_{"candor-amazon"};
};

void Check(const std::vector<SourceReview>& r, const SourceStats& s) {
  EXPECT_EQ(s.lines, 6);
  EXPECT_EQ(s.malformed, 2);
  EXPECT_EQ(s.invalid, 2);
  EXPECT_EQ(s.used, 2);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].user, "A1");
  EXPECT_EQ(r[0].asin, "B000000001");
  EXPECT_EQ(r[0].rating, 5);
  EXPECT_EQ(r[0].title, "Good");
  EXPECT_EQ(r[0].body, "Works well.");
  EXPECT_EQ(r[0].at, absl::FromUnixSeconds(1393545600));
  EXPECT_EQ(r[1].user, "A5");
  EXPECT_EQ(r[1].body, "Broke.");
}

TEST_F(AmazonReviewsTest, ReadsPlainAndGzip) {
  const std::string plain = dir_.Path("r.json");
  std::ofstream(plain) << kLines;
  SourceStats stats;
  absl::StatusOr<std::vector<SourceReview>> r = ReadAmazonReviews(plain, &stats);
  ASSERT_TRUE(r.ok()) << r.status();
  Check(*r, stats);
  EXPECT_EQ(stats.bytes, static_cast<int64_t>(sizeof(kLines) - 1));

  const std::string gz = dir_.Path("r.json.gz");
  ASSERT_NO_FATAL_FAILURE(datafile::testing::WriteGzip(gz, kLines));
  r = ReadAmazonReviews(gz, &stats);
  ASSERT_TRUE(r.ok()) << r.status();
  Check(*r, stats);
}

TEST_F(AmazonReviewsTest, MissingEmptyAndUselessFiles) {
  SourceStats stats;
  EXPECT_TRUE(absl::IsNotFound(ReadAmazonReviews(dir_.Path("absent.json"), &stats).status()));
  const std::string useless = dir_.Path("u.json");
  std::ofstream(useless) << "not json\n";
  EXPECT_TRUE(absl::IsInvalidArgument(ReadAmazonReviews(useless, &stats).status()));
}

}  // namespace
}  // namespace candor::fraud_train
