#include "libs/fraud/review_facts.h"

#include <gtest/gtest.h>

#include "libs/review/submission_testing.h"

namespace candor::fraud {
namespace {

review::Submission Submission() {
  review::Submission s = review::testing::SubmissionOf(
      "ann", 2, "Meh", "Caf\xc3\xa9 quality, not great \xf0\x9f\x98\x90",  // é and an emoji
      absl::FromUnixSeconds(1'700'000'000));
  s.verified_purchase = true;
  s.client_ip = "203.0.113.9";
  s.device_id = "phone-1";
  return s;
}

TEST(ReviewFactsTest, FromASubmission) {
  const ReviewFacts f = FactsOf(Submission());
  EXPECT_EQ(f.review_id, "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(f.user_id, "ann");
  EXPECT_EQ(f.asin, "B000000001");
  EXPECT_EQ(f.rating, 2);
  EXPECT_TRUE(f.verified_purchase);
  EXPECT_EQ(f.text_length, 25);  // code points, not bytes
  EXPECT_EQ(f.at, absl::FromUnixSeconds(1'700'000'000));
  EXPECT_FALSE(f.account_created.has_value());
  EXPECT_EQ(f.client_ip, "203.0.113.9");
  EXPECT_EQ(f.device_id, "phone-1");
  EXPECT_EQ(f.signature, MinHashSignature("Meh\nCaf\xc3\xa9 quality, not great \xf0\x9f\x98\x90"));
}

TEST(ReviewFactsTest, ClaimAndAddresses) {
  review::Submission s = Submission();
  s.client_ip = "2001:db8::1";
  const absl::Time created = absl::FromUnixSeconds(1'600'000'000);
  s.account_created_at = created;
  ReviewFacts f = FactsOf(s);
  EXPECT_EQ(f.account_created, created);
  EXPECT_EQ(f.client_ip, "2001:db8::1");
  s.client_ip = "";
  s.account_created_at.reset();
  f = FactsOf(s);
  EXPECT_EQ(f.client_ip, "");
  EXPECT_FALSE(f.account_created.has_value());
}

TEST(CodePointsTest, CountsCodePoints) {
  EXPECT_EQ(CodePoints(""), 0);
  EXPECT_EQ(CodePoints("abc"), 3);
  EXPECT_EQ(CodePoints("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x90"), 3);
}

}  // namespace
}  // namespace candor::fraud
