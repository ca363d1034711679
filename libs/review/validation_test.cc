#include "libs/review/validation.h"

#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gtest/gtest.h"
#include "libs/review/fingerprint.h"
#include "libs/review/hostile_text_testing.h"

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

TEST(ValidationTest, AsinOnItsOwn) {
  EXPECT_TRUE(ValidateAsin("B00004Y2UT").ok());
  EXPECT_EQ(ValidateAsin("").message(), "asin: required");
  EXPECT_TRUE(absl::StartsWith(ValidateAsin("b00004y2ut").message(), "asin: must be 10"));
}

TEST(ValidationTest, ReviewIdFormat) {
  EXPECT_TRUE(
      ValidateReviewIdFormat(ReviewIdFromFingerprint(Fingerprint("B00004Y2UT", "u", "x"))).ok());
  EXPECT_EQ(ValidateReviewIdFormat("").message(), "review_id: required");
  for (const char* bad :
       {"0123456789abcdef", "0123456789ABCDEF0123456789ABCDEF", "0123456789abcdef0123456789abcdeg",
        "0123456789abcdef0123456789abcdef0"}) {
    EXPECT_EQ(ValidateReviewIdFormat(bad).message(),
              "review_id: must be 32 lower-case hex characters")
        << bad;
  }
}

TEST(ValidationTest, TimeNamesItsField) {
  EXPECT_TRUE(ValidateTime("occurred_at", absl::FromUnixSeconds(-62135596800)).ok());
  EXPECT_TRUE(ValidateTime("occurred_at", absl::FromUnixSeconds(253402300799)).ok());
  EXPECT_EQ(ValidateTime("occurred_at", absl::FromUnixSeconds(253402300800)).message(),
            "occurred_at: outside years 1..9999");
  EXPECT_EQ(ValidateTime("x", absl::FromUnixSeconds(-62135596801)).message(),
            "x: outside years 1..9999");
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

using testing::Repeat;
using testing::Utf8;

TEST(ValidationTest, BlankIsUnicodeAware) {
  // Each of these shows nothing, so the body is missing (the cases and their kin).
  for (const std::string& blank :
       {std::string("\v"), std::string("\f"), std::string(" \t\r\n\v\f"), Utf8(0xA0), Utf8(0x200B),
        Utf8(0xFEFF), Utf8(0x2060), Utf8(0x3000), Utf8(0x2028) + Utf8(0x2029), Utf8(0x85),
        Utf8(0xAD), Utf8(0x180E), Utf8(0x2800), Utf8(0x3164) + Utf8(0xFFA0), Utf8(0xFE0F),
        Utf8(0xE0020), Repeat(Utf8(0xA0) + Utf8(0x200B) + " ", 50)}) {
    SubmissionInput in = Valid();
    in.body = blank;
    absl::Status s = ValidateSubmission(in);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << absl::CEscape(blank);
    EXPECT_EQ(s.message().substr(0, 15), "body: required ") << s.message();
    EXPECT_TRUE(IsBlank(blank)) << absl::CEscape(blank);
  }
  // One visible character is enough.
  for (const std::string& text :
       {Utf8(0xA0) + "x", Utf8(0x200B) + ".", Utf8(0x4E2D), Utf8(0x1F3B8), std::string("-")}) {
    SubmissionInput in = Valid();
    in.body = text;
    EXPECT_TRUE(ValidateSubmission(in).ok()) << absl::CEscape(text);
    EXPECT_FALSE(IsBlank(text));
  }
  EXPECT_TRUE(IsBlank(""));
  EXPECT_FALSE(IsBlank(" \xFF"));  // invalid UTF-8 is not blank; it is refused as such
  // A title may be empty, so a blank one is allowed (it is stored as sent).
  SubmissionInput in = Valid();
  in.title = Utf8(0x200B);
  EXPECT_TRUE(ValidateSubmission(in).ok());
}

TEST(ValidationTest, ControlCharactersAreRefusedNamingFieldAndCharacter) {
  for (char32_t cp : {0x00, 0x01, 0x07, 0x08, 0x0B, 0x0C, 0x1B, 0x1F, 0x7F, 0x80, 0x85, 0x9F}) {
    const std::string text = "text " + Utf8(cp) + " more";
    for (const char* field : {"title", "body", "device_id"}) {
      SubmissionInput in = Valid();
      if (std::string(field) == "title") in.title = text;
      if (std::string(field) == "body") in.body = text;
      if (std::string(field) == "device_id") in.device_id = text;
      ExpectInvalid(in, field);
      EXPECT_NE(ValidateSubmission(in).message().find(
                    absl::StrFormat("U+%04X", static_cast<uint32_t>(cp))),
                std::string::npos)
          << ValidateSubmission(in).message();
    }
  }
  // Tab, LF and CR (CRLF from browsers) are fine in prose, not in an identifier.
  SubmissionInput in = Valid();
  in.title = "tab\there";
  in.body = "line one\r\nline two\n\tindented\rold mac";
  EXPECT_TRUE(ValidateSubmission(in).ok());
  for (const char* id : {"a\tb", "a\nb", "a\rb"}) {
    in = Valid();
    in.device_id = id;
    ExpectInvalid(in, "device_id");
  }
}

TEST(ValidationTest, BidiOverridesAndIsolatesAreRefused) {
  for (char32_t cp : {0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069}) {
    SubmissionInput in = Valid();
    in.body = "invoice " + Utf8(cp) + "exe.txt";
    ExpectInvalid(in, "body");
    EXPECT_NE(ValidateSubmission(in).message().find("bidirectional"), std::string::npos);
    in = Valid();
    in.title = Utf8(cp);
    ExpectInvalid(in, "title");
  }
  // The plain direction marks are what right-to-left writers use: allowed.
  SubmissionInput in = Valid();
  in.body = "\xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D" + Utf8(0x200F) + " ok " + Utf8(0x200E) + Utf8(0x61C);
  EXPECT_TRUE(ValidateSubmission(in).ok());
}

TEST(ValidationTest, LimitsCountCharactersEvenOfFourBytes) {
  SubmissionInput in = Valid();
  in.body = Repeat(Utf8(0x1F3B8), kMaxBodyChars);  // 20,000 bytes
  EXPECT_TRUE(ValidateSubmission(in).ok());
  in.body += "x";
  ExpectInvalid(in, "body");
  in = Valid();
  in.title = Repeat(Utf8(0x1F3B8), kMaxTitleChars);
  EXPECT_TRUE(ValidateSubmission(in).ok());
  in.title += Utf8(0x1F3B8);
  ExpectInvalid(in, "title");
  in = Valid();
  in.device_id = std::string(kMaxDeviceIdBytes, 'd');
  EXPECT_TRUE(ValidateSubmission(in).ok());
  in.device_id += "d";
  ExpectInvalid(in, "device_id");
  in.device_id = "dev \xFF";
  ExpectInvalid(in, "device_id");
}

TEST(ValidationTest, WhatPassesHoldsNoNulNoBrokenUtf8AndNoRefusedCharacter) {
  // Everything the hostile corpus gets past validation is text PostgreSQL stores as is.
  std::mt19937_64 rng(20240517);
  int accepted = 0;
  for (int i = 0; i < 20000; ++i) {
    SubmissionInput in = Valid();
    in.title = i % 3 == 0 ? testing::RandomText(rng) : "t";
    in.body = testing::RandomText(rng);
    in.device_id = i % 4 == 0 ? testing::RandomText(rng) : "";
    if (!ValidateSubmission(in).ok()) continue;
    ++accepted;
    for (const std::string* s : {&in.title, &in.body, &in.device_id}) {
      EXPECT_EQ(s->find('\0'), std::string::npos) << absl::CEscape(*s);
      EXPECT_TRUE(IsValidUtf8(*s)) << absl::CEscape(*s);
    }
    EXPECT_FALSE(IsBlank(in.body));
    // The normaliser accepts whatever validation accepts and keeps it UTF-8.
    EXPECT_TRUE(IsValidUtf8(NormalizeText(in.body))) << absl::CEscape(in.body);
  }
  EXPECT_GT(accepted, 1000);  // the generator is not refused wholesale
}

// The fields the gateway sets, as it sets them for a live submission without a client address.
Submission GatewayFilled() {
  Submission s;
  s.user_id = "user-1";
  s.fingerprint = Fingerprint("B00004Y2UT", s.user_id, "body");
  s.review_id = ReviewIdFromFingerprint(s.fingerprint);
  s.submitted_at = absl::FromUnixSeconds(1700000000);
  return s;
}

TEST(GatewayFieldsTest, EachFieldIsChecked) {
  Submission s = GatewayFilled();
  s.client_ip = "2001:db8::1";
  EXPECT_TRUE(ValidateGatewayFields(s).ok());
  auto expect = [](const Submission& bad, const std::string& field) {
    absl::Status st = ValidateGatewayFields(bad);
    EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << field;
    EXPECT_EQ(st.message().substr(0, field.size() + 1), field + ":") << st.message();
  };
  for (const std::string& user :
       {std::string(""), std::string(129, 'u'), std::string("nul\0", 4), std::string("a\tb"),
        std::string("bad\xFF"), "rlo" + Utf8(0x202E)}) {
    Submission bad = s;
    bad.user_id = user;
    expect(bad, "user_id");
  }
  Submission bad = s;
  bad.fingerprint = "ABC";
  expect(bad, "fingerprint");
  bad = s;
  bad.review_id = "";
  expect(bad, "review_id");
  bad.review_id = std::string(32, '0');
  expect(bad, "review_id");
  for (absl::Time t : {absl::InfiniteFuture(), absl::InfinitePast(),
                       absl::FromUnixSeconds(253402300800), absl::FromUnixSeconds(-62135596801)}) {
    bad = s;
    bad.submitted_at = t;
    expect(bad, "submitted_at");
  }
  bad = s;
  bad.account_created_at = absl::FromUnixSeconds(253402300800);
  expect(bad, "account_created_at");
  bad.account_created_at = absl::FromUnixSeconds(0);  // 1970: odd, but a time; features clamp
  EXPECT_TRUE(ValidateGatewayFields(bad).ok());
}

TEST(GatewayFieldsTest, ClientIpIsEmptyOrACanonicalAddress) {
  Submission s = GatewayFilled();
  for (const char* good : {"", "10.0.0.1", "203.0.113.7", "::1", "2001:db8::1", "fe80::1"}) {
    s.client_ip = good;
    EXPECT_TRUE(ValidateGatewayFields(s).ok()) << good;
  }
  // What gRPC's peer looks like, a port, a zone, another spelling of a valid address: refused,
  // so the gateway must hand on the bare canonical address (and one address one spelling).
  for (const char* bad : {"ipv4:10.0.0.1:5000", "ipv6:%5B::1%5D:43210", "10.0.0.1:5000", "[::1]",
                          "fe80::1%eth0", "unix:/tmp/s", "2001:DB8::1", "2001:db8:0:0:0:0:0:1",
                          "::ffff:10.0.0.1", "010.0.0.1", "10.0.0", "localhost", " 10.0.0.1"}) {
    s.client_ip = bad;
    absl::Status st = ValidateGatewayFields(s);
    EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(st.message().substr(0, 10), "client_ip:") << bad << ": " << st.message();
  }
  s.client_ip = std::string("1\0", 2);
  EXPECT_FALSE(ValidateGatewayFields(s).ok());
  s.client_ip = "2001:DB8::1";
  EXPECT_EQ(std::string(ValidateGatewayFields(s).message()),
            "client_ip: not in canonical form (2001:db8::1)");
}

TEST(GatewayFieldsTest, ImportedTimesGoBackTo1995LiveOnesKeepTheWireRange) {
  Submission s = GatewayFilled();
  // A live submission's time is the gateway's clock: any time the wire format carries passes.
  s.submitted_at = absl::FromUnixSeconds(0);
  EXPECT_TRUE(ValidateGatewayFields(s).ok());
  // An imported one keeps its original time, from 1995 on.
  s.imported = true;
  s.submitted_at = absl::FromUnixSeconds(1095724800);  // 2004-09-21, an old Amazon review
  EXPECT_TRUE(ValidateGatewayFields(s).ok());
  s.submitted_at = kEarliestImportTime;
  EXPECT_TRUE(ValidateGatewayFields(s).ok());
  s.submitted_at = kEarliestImportTime - absl::Seconds(1);
  EXPECT_EQ(std::string(ValidateGatewayFields(s).message()),
            "submitted_at: an imported review's time must not be before 1995-01-01, got "
            "1994-12-31T23:59:59Z");
}

TEST(ImportTimeTest, BoundedBy1995AndTheClock) {
  const absl::Time now = absl::FromUnixSeconds(1700000000);
  EXPECT_TRUE(ValidateImportTime(absl::FromUnixSeconds(1095724800), now).ok());
  EXPECT_TRUE(ValidateImportTime(now, now).ok());
  EXPECT_TRUE(ValidateImportTime(now + kImportClockSkew, now).ok());
  absl::Status future = ValidateImportTime(now + kImportClockSkew + absl::Seconds(1), now);
  EXPECT_EQ(future.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(future.message().substr(0, 13), "submitted_at:") << future;
  EXPECT_NE(future.message().find("in the future"), absl::string_view::npos) << future;
  EXPECT_EQ(ValidateImportTime(kEarliestImportTime - absl::Seconds(1), now).message().substr(0, 13),
            "submitted_at:");
  EXPECT_FALSE(ValidateImportTime(absl::InfinitePast(), now).ok());
}

}  // namespace
}  // namespace candor::review
