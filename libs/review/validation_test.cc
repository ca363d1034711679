#include "libs/review/validation.h"

#include <string>

#include "gtest/gtest.h"

namespace candor::review {
namespace {

SubmissionInput Valid() {
  SubmissionInput in;
  in.asin = "B00004Y2UT";
  in.rating = 4;
  in.title = "Solid stand";
  in.body = "Holds my guitar without wobbling.";
  return in;
}

void ExpectInvalid(const SubmissionInput& in, const std::string& field) {
  absl::Status s = ValidateSubmission(in);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << field;
  EXPECT_EQ(s.message().substr(0, field.size() + 1), field + ":") << s.message();
}

TEST(ValidationTest, AcceptsValid) { EXPECT_TRUE(ValidateSubmission(Valid()).ok()); }

TEST(ValidationTest, RatingBounds) {
  for (int r : {0, 6, -1}) {
    SubmissionInput in = Valid();
    in.rating = r;
    ExpectInvalid(in, "rating");
  }
  for (int r = 1; r <= 5; ++r) {
    SubmissionInput in = Valid();
    in.rating = r;
    EXPECT_TRUE(ValidateSubmission(in).ok());
  }
}

TEST(ValidationTest, Body) {
  SubmissionInput in = Valid();
  in.body = "";
  ExpectInvalid(in, "body");
  in.body = "  \n\t ";
  ExpectInvalid(in, "body");
  in.body = std::string(5000, 'a');
  EXPECT_TRUE(ValidateSubmission(in).ok());
  in.body = std::string(5001, 'a');
  ExpectInvalid(in, "body");
  // 5,000 characters of 2-byte UTF-8 are 10,000 bytes and still fine: the limit is characters.
  in.body.clear();
  for (int i = 0; i < 5000; ++i) in.body += "\xC3\xA9";
  EXPECT_TRUE(ValidateSubmission(in).ok());
  in.body = "bad \xFF byte";
  ExpectInvalid(in, "body");
}

TEST(ValidationTest, Title) {
  SubmissionInput in = Valid();
  in.title = std::string(256, 't');
  EXPECT_TRUE(ValidateSubmission(in).ok());
  in.title = std::string(257, 't');
  ExpectInvalid(in, "title");
  in.title = "\xC0\xAF";  // overlong '/'
  ExpectInvalid(in, "title");
}

TEST(ValidationTest, Asin) {
  for (const char* bad : {"", "B00004Y2U", "B00004Y2UTX", "b00004y2ut", "B00004Y2U!"}) {
    SubmissionInput in = Valid();
    in.asin = bad;
    ExpectInvalid(in, "asin");
  }
}

TEST(Utf8Test, RejectsMalformed) {
  EXPECT_TRUE(IsValidUtf8("plain"));
  EXPECT_TRUE(IsValidUtf8("\xE2\x82\xAC"));       // euro sign
  EXPECT_TRUE(IsValidUtf8("\xF0\x9F\x8E\xB8"));   // guitar emoji
  EXPECT_FALSE(IsValidUtf8("\xE2\x82"));          // truncated
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // > U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\x80"));              // lone continuation
  EXPECT_EQ(Utf8Length("a\xE2\x82\xAC"
                       "b"),
            3u);
}

}  // namespace
}  // namespace candor::review
