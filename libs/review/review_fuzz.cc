// Fuzz target: review validation and text normalisation (fuzz/README.md). Input layout: byte 0
// is the rating (as a signed byte), byte 1 the verified flag (bit 0) and where to insert a
// zero-width space (the rest), then asin, title, body and device id separated by 0xFF bytes (a
// byte that never occurs in UTF-8, so every other byte can reach every field).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "fuzz/check.h"
#include "libs/review/fingerprint.h"
#include "libs/review/submission.h"
#include "libs/review/validation.h"

namespace {

using candor::review::IsValidUtf8;
using candor::review::NormalizeText;

// Code points of valid UTF-8 `s` (decoding as IsValidUtf8 validated it).
std::vector<uint32_t> CodePoints(std::string_view s) {
  std::vector<uint32_t> out;
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4;
    uint32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
    for (size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    out.push_back(cp);
    i += len;
  }
  return out;
}

// The blanks issue 8 names: a body of only these is blank.
bool IsBlankCodePoint(uint32_t cp) {
  return cp == ' ' || (cp >= '\t' && cp <= '\r') || cp == 0xA0 || cp == 0x200B;
}

bool IsBidiOverride(uint32_t cp) {
  return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

void CheckAcceptedText(std::string_view field, std::string_view text) {
  FUZZ_CHECK(IsValidUtf8(text), "accepted text is valid UTF-8");
  FUZZ_CHECK(text.find('\0') == std::string_view::npos,
             "accepted text has no NUL (PostgreSQL text cannot store it: I1)");
  for (uint32_t cp : CodePoints(text)) {
    FUZZ_CHECK(!IsBidiOverride(cp), "accepted text has no bidirectional override");
    if (field != "device_id") {
      FUZZ_CHECK(cp >= 0x20 || cp == '\t' || cp == '\n' || cp == '\r',
                 "accepted text has no control character but tab and newline");
    }
  }
}

void CheckValidation(const candor::review::SubmissionInput& in) {
  absl::Status status = candor::review::ValidateSubmission(in);
  if (!status.ok()) {
    FUZZ_CHECK(status.code() == absl::StatusCode::kInvalidArgument, "refusals are InvalidArgument");
    const std::string message(status.message());
    FUZZ_CHECK(message.starts_with("asin") || message.starts_with("rating") ||
                   message.starts_with("title") || message.starts_with("body") ||
                   message.starts_with("device_id"),
               "a refusal names the field");
    return;
  }
  FUZZ_CHECK(in.rating >= 1 && in.rating <= 5, "accepted rating is 1..5");
  FUZZ_CHECK(candor::review::IsValidAsin(in.asin), "accepted asin is an ASIN");
  CheckAcceptedText("title", in.title);
  CheckAcceptedText("body", in.body);
  CheckAcceptedText("device_id", in.device_id);
  FUZZ_CHECK(candor::review::Utf8Length(in.title) <= candor::review::kMaxTitleChars, "title size");
  FUZZ_CHECK(candor::review::Utf8Length(in.body) <= candor::review::kMaxBodyChars, "body size");
  FUZZ_CHECK(in.device_id.size() <= candor::review::kMaxDeviceIdBytes, "device id size");
  bool blank = true;
  for (uint32_t cp : CodePoints(in.body)) blank = blank && IsBlankCodePoint(cp);
  FUZZ_CHECK(!blank, "an accepted body is not blank (Unicode-aware)");
}

void CheckNormalization(std::string_view text, size_t zw_at) {
  const std::string normalized = NormalizeText(text);
  if (!IsValidUtf8(text)) return;  // the normaliser promises nothing for invalid UTF-8
  FUZZ_CHECK(IsValidUtf8(normalized), "valid UTF-8 in, valid UTF-8 out");
  FUZZ_CHECK(NormalizeText(normalized) == normalized, "NormalizeText is idempotent");
  FUZZ_CHECK(normalized.empty() || (normalized.front() != ' ' && normalized.back() != ' '),
             "normalised text is trimmed");
  FUZZ_CHECK(normalized.find("  ") == std::string::npos, "spaces are collapsed");

  // A zero-width space inserted at a character boundary does not change the canonical form, so
  // it cannot defeat the exact-duplicate rule (issue 8, point 2).
  std::vector<size_t> boundaries;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || (static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      boundaries.push_back(i);
    }
  }
  const size_t at = boundaries[zw_at % boundaries.size()];
  std::string with_zw(text.substr(0, at));
  with_zw.append("\xE2\x80\x8B").append(text.substr(at));
  FUZZ_CHECK(NormalizeText(with_zw) == normalized, "U+200B does not change the normal form");

  const std::string fingerprint = candor::review::Fingerprint("B000000000", "user-1", text);
  FUZZ_CHECK(fingerprint.size() == 64 &&
                 fingerprint.find_first_not_of("0123456789abcdef") == std::string::npos,
             "a fingerprint is 64 lower-case hex characters");
  FUZZ_CHECK(candor::review::Fingerprint("B000000000", "user-1", normalized) == fingerprint,
             "the fingerprint is of the normal form");
  FUZZ_CHECK(candor::review::ReviewIdFromFingerprint(fingerprint).size() == 32,
             "a review id is 32 characters");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  candor::review::SubmissionInput in;
  in.rating = static_cast<int8_t>(data[0]);
  in.verified_purchase = (data[1] & 1) != 0;
  const size_t zw_at = data[1] >> 1;
  std::string* fields[] = {&in.asin, &in.title, &in.body, &in.device_id};
  size_t field = 0;
  for (size_t i = 2; i < size; ++i) {
    if (data[i] == 0xFF) {
      if (++field == 4) break;
      continue;
    }
    fields[field]->push_back(static_cast<char>(data[i]));
  }
  CheckValidation(in);
  CheckNormalization(in.body, zw_at);
  CheckNormalization(in.title, zw_at);
  return 0;
}
