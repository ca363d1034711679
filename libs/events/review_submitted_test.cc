#include "libs/events/review_submitted.h"

#include "absl/strings/ascii.h"
#include "candor/review/v1/events.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/events/wire_testing.h"
#include "libs/review/fingerprint.h"

namespace candor::events {
namespace {

using ::candor::events::testing::ExpectDecodeRefusals;
using ::candor::events::testing::ExpectRoundTrip;
using ::testing::HasSubstr;
using ::testing::StartsWith;

review::Submission ValidSubmission() {
  return review::Admitted({.asin = "B000000001",
                           .rating = 4,
                           .title = "Solid",
                           .body = "Boils fast and the lid closes well.",
                           .verified_purchase = true,
                           .device_id = "device-7f3a"},
                          "u1", "10.0.0.1",
                          absl::FromUnixSeconds(1700000000) + absl::Nanoseconds(5000));
}

candor::review::v1::ReviewSubmitted Valid() {
  candor::review::v1::ReviewSubmitted m;
  m.ParseFromString(EncodeReviewSubmitted(ValidSubmission()));
  return m;
}

TEST(ReviewSubmittedTest, RoundTrip) {
  ExpectRoundTrip(ValidSubmission(), EncodeReviewSubmitted, DecodeReviewSubmitted);
}

TEST(ReviewSubmittedTest, EncodesEveryFieldOnTheWire) {
  candor::review::v1::ReviewSubmitted m = Valid();
  const review::Submission s = ValidSubmission();
  EXPECT_EQ(m.review_id(), s.review_id);
  EXPECT_EQ(m.asin(), "B000000001");
  EXPECT_EQ(m.user_id(), "u1");
  EXPECT_EQ(m.rating(), 4);
  EXPECT_EQ(m.title(), "Solid");
  EXPECT_EQ(m.body(), s.body);
  EXPECT_TRUE(m.verified_purchase());
  EXPECT_EQ(m.fingerprint(), s.fingerprint);
  EXPECT_EQ(m.submitted_at().seconds(), 1700000000);
  EXPECT_EQ(m.submitted_at().nanos(), 5000);
  EXPECT_EQ(m.client_ip(), "10.0.0.1");
  EXPECT_EQ(m.device_id(), "device-7f3a");
}

TEST(ReviewSubmittedTest, ImportedWithItsOriginalTimeAndAccountCreationRoundTrip) {
  review::Submission sent = ValidSubmission();
  sent.imported = true;
  sent.submitted_at = absl::FromUnixSeconds(1095724800);  // 2004-09-21: kept, not clamped
  sent.account_created_at = absl::FromUnixSeconds(1000000000) + absl::Nanoseconds(7);
  candor::review::v1::ReviewSubmitted m;
  ASSERT_TRUE(m.ParseFromString(EncodeReviewSubmitted(sent)));
  EXPECT_TRUE(m.imported());
  EXPECT_EQ(m.submitted_at().seconds(), 1095724800);
  EXPECT_EQ(m.account_created_at().seconds(), 1000000000);
  EXPECT_EQ(m.account_created_at().nanos(), 7);
  ExpectRoundTrip(sent, EncodeReviewSubmitted, DecodeReviewSubmitted);
  // A live submission: not imported, and no account creation time on the wire.
  ASSERT_TRUE(m.ParseFromString(EncodeReviewSubmitted(ValidSubmission())));
  EXPECT_FALSE(m.imported());
  EXPECT_FALSE(m.has_account_created_at());
  auto got = DecodeReviewSubmitted(m.SerializeAsString());
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_FALSE(got->imported);
  EXPECT_EQ(got->account_created_at, std::nullopt);
}

TEST(ReviewSubmittedTest, AnOlderProducersPayloadDecodes) {
  // A gateway from before `imported` and `account_created_at` (fields 12, 13) wrote neither:
  // its messages decode as live submissions of unknown account age.
  candor::review::v1::ReviewSubmitted m = Valid();
  m.clear_imported();
  m.clear_account_created_at();
  auto got = DecodeReviewSubmitted(m.SerializeAsString());
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_FALSE(got->imported);
  EXPECT_FALSE(got->account_created_at.has_value());
}

TEST(ReviewSubmittedTest, TimesBefore1970KeepNanosNonNegative) {
  review::Submission sent = ValidSubmission();
  sent.submitted_at = absl::FromUnixSeconds(-86401) + absl::Nanoseconds(5);
  candor::review::v1::ReviewSubmitted m;
  ASSERT_TRUE(m.ParseFromString(EncodeReviewSubmitted(sent)));
  EXPECT_EQ(m.submitted_at().seconds(), -86401);
  EXPECT_EQ(m.submitted_at().nanos(), 5);
  sent.submitted_at = absl::FromUnixSeconds(-1) - absl::Nanoseconds(1);
  ASSERT_TRUE(m.ParseFromString(EncodeReviewSubmitted(sent)));
  EXPECT_EQ(m.submitted_at().seconds(), -2);
  EXPECT_EQ(m.submitted_at().nanos(), 999999999);
  ExpectRoundTrip(sent, EncodeReviewSubmitted, DecodeReviewSubmitted);
}

TEST(ReviewSubmittedTest, UndecodableBytes) {
  auto s = DecodeReviewSubmitted("not a protobuf");
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.status().message()), HasSubstr("cannot decode"));
}

TEST(ReviewSubmittedTest, EachInvalidFieldIsNamed) {
  ExpectDecodeRefusals(
      Valid(), DecodeReviewSubmitted,
      {{[](auto& m) { m.set_rating(6); }, StartsWith("rating")},
       {[](auto& m) { m.set_asin("short"); }, StartsWith("asin")},
       {[](auto& m) { m.set_body("   "); }, StartsWith("body")},
       {[](auto& m) { m.set_title(std::string(300, 'x')); }, StartsWith("title")},
       // proto3 strings: the parser itself refuses invalid UTF-8.
       {[](auto& m) { m.set_body(std::string("bad \xff utf8")); }, HasSubstr("cannot decode")},
       {[](auto& m) { m.set_body(std::string("nul \0 inside", 12)); },
        HasSubstr("body: control character U+0000")},
       {[](auto& m) { m.set_device_id(std::string("\0", 1)); }, StartsWith("device_id:")},
       {[](auto& m) { m.set_user_id(std::string("u\0", 2)); }, StartsWith("user_id:")},
       {[](auto& m) { m.set_client_ip(std::string(300, '1')); }, StartsWith("client_ip:")},
       // The gateway hands on the bare address.
       {[](auto& m) { m.set_client_ip("ipv4:10.0.0.1:5000"); }, StartsWith("client_ip:")},
       {[](auto& m) { m.mutable_account_created_at()->set_nanos(-1); },
        StartsWith("account_created_at")},
       {[](auto& m) { m.mutable_account_created_at()->set_seconds(int64_t{1} << 50); },
        StartsWith("account_created_at")},
       {[](auto& m) {
          m.set_imported(true);
          // 1992: before any online shop's reviews.
          m.mutable_submitted_at()->set_seconds(700000000);
        },
        StartsWith("submitted_at: an imported review's time")},
       {[](auto& m) { m.mutable_submitted_at()->set_nanos(-1); }, StartsWith("submitted_at")},
       {[](auto& m) { m.mutable_submitted_at()->set_nanos(1000000000); },
        StartsWith("submitted_at")},
       {[](auto& m) { m.clear_user_id(); }, StartsWith("user_id")},
       {[](auto& m) { m.clear_review_id(); }, StartsWith("review_id")},
       {[](auto& m) { m.set_fingerprint("ABC"); }, StartsWith("fingerprint")},
       {[](auto& m) { m.set_fingerprint(absl::AsciiStrToUpper(m.fingerprint())); },
        StartsWith("fingerprint")},
       {[](auto& m) { m.set_review_id("0123456789abcdef0123456789abcdef"); },
        StartsWith("review_id")},
       {[](auto& m) { m.clear_submitted_at(); }, StartsWith("submitted_at")},
       {[](auto& m) { m.mutable_submitted_at()->set_seconds(int64_t{1} << 50); },
        StartsWith("submitted_at")}});
}

TEST(ReviewSubmittedTest, ValidateIsWhatDecodeChecks) {
  EXPECT_TRUE(ValidateReviewSubmitted(ValidSubmission()).ok());
  review::Submission s = ValidSubmission();
  s.rating = 0;
  EXPECT_THAT(std::string(ValidateReviewSubmitted(s).message()), StartsWith("rating"));
  s = ValidSubmission();
  s.review_id = "0123456789abcdef0123456789abcdef";
  EXPECT_THAT(std::string(ValidateReviewSubmitted(s).message()), StartsWith("review_id"));
  // What Validate refuses, Decode refuses with the same message.
  auto decoded = DecodeReviewSubmitted(EncodeReviewSubmitted(s));
  EXPECT_EQ(decoded.status(), ValidateReviewSubmitted(s));
}

}  // namespace
}  // namespace candor::events
