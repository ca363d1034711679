#include "libs/datafile/amazon_review.h"

#include "gtest/gtest.h"

namespace candor::datafile {
namespace {

TEST(AmazonReviewTest, ParsesTheFieldsItReads) {
  absl::StatusOr<AmazonReview> r = ParseAmazonReview(
      R"({"reviewerID": "A1", "asin": "B01", "overall": 4.0, "summary": "Ok",)"
      R"( "reviewText": "Fine.", "unixReviewTime": 1393545600, "helpful": [0, 0]})");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->user, "A1");
  EXPECT_EQ(r->asin, "B01");
  EXPECT_EQ(r->overall, 4.0);
  EXPECT_EQ(r->unix_time, 1393545600);
  EXPECT_EQ(r->summary, "Ok");
  EXPECT_EQ(r->review_text, "Fine.");
}

TEST(AmazonReviewTest, OptionalTextMayBeAbsent) {
  absl::StatusOr<AmazonReview> r = ParseAmazonReview(
      R"({"reviewerID": "A1", "asin": "B01", "overall": 5, "unixReviewTime": 1})");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->summary, "");
  EXPECT_EQ(r->review_text, "");
}

TEST(AmazonReviewTest, NamesTheReason) {
  const auto reason = [](std::string_view line) {
    return std::string(ParseAmazonReview(line).status().message());
  };
  EXPECT_EQ(reason("not json"), "not JSON");
  EXPECT_EQ(reason("[1, 2]"), "not a JSON object");
  EXPECT_EQ(reason(R"({"asin": "B", "overall": 1, "unixReviewTime": 1})"),
            "missing or empty reviewerID");
  EXPECT_EQ(reason(R"({"reviewerID": "A", "asin": "", "overall": 1, "unixReviewTime": 1})"),
            "missing or empty asin");
  EXPECT_EQ(reason(R"({"reviewerID": "A", "asin": "B", "overall": "5", "unixReviewTime": 1})"),
            "missing or non-numeric overall");
  EXPECT_EQ(reason(R"({"reviewerID": "A", "asin": "B", "overall": 5, "unixReviewTime": 1.5})"),
            "missing or non-integer unixReviewTime");
}

}  // namespace
}  // namespace candor::datafile
