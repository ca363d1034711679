// Fuzz target: review validation and text normalisation (fuzz/README.md). Input layout: byte 0
// is the rating (as a signed byte), byte 1 the verified flag (bit 0; the other bits are spare),
// then asin, title, body and device id separated by 0xFF bytes (a byte that never occurs in
// UTF-8, so every other byte can reach every field).
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "fuzz/check.h"
#include "libs/review/fingerprint.h"
#include "libs/review/submission.h"
#include "libs/review/validation.h"

namespace {

using candor::review::IsValidUtf8;
using candor::review::NormalizeText;

void CheckAcceptedText(std::string_view text) {
  FUZZ_CHECK(IsValidUtf8(text), "accepted text is valid UTF-8");
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
  CheckAcceptedText(in.title);
  CheckAcceptedText(in.body);
  CheckAcceptedText(in.device_id);
  FUZZ_CHECK(candor::review::Utf8Length(in.title) <= candor::review::kMaxTitleChars, "title size");
  FUZZ_CHECK(candor::review::Utf8Length(in.body) <= candor::review::kMaxBodyChars, "body size");
  FUZZ_CHECK(in.device_id.size() <= candor::review::kMaxDeviceIdBytes, "device id size");
  FUZZ_CHECK(in.body.find_first_not_of(" \t\n\r") != std::string::npos,
             "an accepted body is not blank");
}

void CheckNormalization(std::string_view text) {
  const std::string normalized = NormalizeText(text);
  if (!IsValidUtf8(text)) return;  // the normaliser promises nothing for invalid UTF-8
  FUZZ_CHECK(IsValidUtf8(normalized), "valid UTF-8 in, valid UTF-8 out");
  FUZZ_CHECK(NormalizeText(normalized) == normalized, "NormalizeText is idempotent");
  FUZZ_CHECK(normalized.empty() || (normalized.front() != ' ' && normalized.back() != ' '),
             "normalised text is trimmed");
  FUZZ_CHECK(normalized.find("  ") == std::string::npos, "spaces are collapsed");

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
  CheckNormalization(in.body);
  CheckNormalization(in.title);
  return 0;
}
