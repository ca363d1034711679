#include "services/fraud-scorer/submission_consumer.h"

#include "candor/review/v1/events.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/review/fingerprint.h"

namespace candor::fraud_scorer {
namespace {

using ::testing::HasSubstr;

candor::review::v1::ReviewSubmitted Valid() {
  candor::review::v1::ReviewSubmitted m;
  m.set_asin("B000000001");
  m.set_user_id("u1");
  m.set_rating(4);
  m.set_title("Solid");
  m.set_body("Boils fast and the lid closes well.");
  m.set_verified_purchase(true);
  m.set_fingerprint(review::Fingerprint(m.asin(), m.user_id(), m.body()));
  m.set_review_id(review::ReviewIdFromFingerprint(m.fingerprint()));
  m.mutable_submitted_at()->set_seconds(1700000000);
  m.mutable_submitted_at()->set_nanos(5000);
  m.set_client_ip("10.0.0.1");
  return m;
}

std::string Error(const candor::review::v1::ReviewSubmitted& m) {
  auto s = DecodeSubmission(m.SerializeAsString());
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(s.status().message());
}

TEST(DecodeSubmissionTest, ValidMessageBecomesASubmission) {
  candor::review::v1::ReviewSubmitted m = Valid();
  auto s = DecodeSubmission(m.SerializeAsString());
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->review_id, m.review_id());
  EXPECT_EQ(s->asin, "B000000001");
  EXPECT_EQ(s->user_id, "u1");
  EXPECT_EQ(s->rating, 4);
  EXPECT_TRUE(s->verified_purchase);
  EXPECT_EQ(s->fingerprint, m.fingerprint());
  EXPECT_EQ(s->submitted_at, absl::FromUnixSeconds(1700000000) + absl::Microseconds(5));
  EXPECT_EQ(s->client_ip, "10.0.0.1");
}

TEST(DecodeSubmissionTest, UndecodableBytes) {
  auto s = DecodeSubmission("not a protobuf");
  EXPECT_THAT(std::string(s.status().message()), HasSubstr("cannot decode"));
}

TEST(DecodeSubmissionTest, EachInvalidFieldIsNamed) {
  auto m = Valid();
  m.set_rating(6);
  EXPECT_THAT(Error(m), HasSubstr("rating"));
  m = Valid();
  m.set_asin("short");
  EXPECT_THAT(Error(m), HasSubstr("asin"));
  m = Valid();
  m.set_body("   ");
  EXPECT_THAT(Error(m), HasSubstr("body"));
  m = Valid();
  m.set_title(std::string(300, 'x'));
  EXPECT_THAT(Error(m), HasSubstr("title"));
  m = Valid();
  m.set_body(std::string("bad \xff utf8"));  // proto3 strings: the parser itself refuses it
  EXPECT_THAT(Error(m), HasSubstr("cannot decode"));
  m = Valid();
  m.set_body(std::string("nul \0 inside", 12));
  EXPECT_THAT(Error(m), HasSubstr("body: control character U+0000"));
  m = Valid();
  m.set_device_id(std::string("\0", 1));
  EXPECT_THAT(Error(m), HasSubstr("device_id:"));
  m = Valid();
  m.set_user_id(std::string("u\0", 2));
  EXPECT_THAT(Error(m), HasSubstr("user_id:"));
  m = Valid();
  m.set_client_ip(std::string(300, '1'));
  EXPECT_THAT(Error(m), HasSubstr("client_ip:"));
  m = Valid();
  m.mutable_submitted_at()->set_nanos(-1);
  EXPECT_THAT(Error(m), HasSubstr("submitted_at"));
  m = Valid();
  m.clear_user_id();
  EXPECT_THAT(Error(m), HasSubstr("user_id"));
  m = Valid();
  m.clear_review_id();
  EXPECT_THAT(Error(m), HasSubstr("review_id"));
  m = Valid();
  m.set_fingerprint("ABC");
  EXPECT_THAT(Error(m), HasSubstr("fingerprint"));
  m = Valid();
  std::string upper = m.fingerprint();
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  m.set_fingerprint(upper);
  EXPECT_THAT(Error(m), HasSubstr("fingerprint"));
  m = Valid();
  m.set_review_id("0123456789abcdef0123456789abcdef");
  EXPECT_THAT(Error(m), HasSubstr("review_id"));
  m = Valid();
  m.clear_submitted_at();
  EXPECT_THAT(Error(m), HasSubstr("submitted_at"));
  m = Valid();
  m.mutable_submitted_at()->set_seconds(int64_t{1} << 50);
  EXPECT_THAT(Error(m), HasSubstr("submitted_at"));
}

}  // namespace
}  // namespace candor::fraud_scorer
