#pragma once

#include <string_view>

#include "absl/status/status.h"
#include "libs/review/submission.h"

namespace candor::review {

inline constexpr int kMaxBodyChars = 5000;
inline constexpr int kMaxTitleChars = 256;
inline constexpr int kMaxDeviceIdBytes = 128;

// True when `s` is well-formed UTF-8 (no overlong forms, surrogates or code points > U+10FFFF).
bool IsValidUtf8(std::string_view s);

// Number of code points in valid UTF-8 `s`.
size_t Utf8Length(std::string_view s);

// True for an Amazon standard id: exactly 10 characters of [A-Z0-9].
bool IsValidAsin(std::string_view asin);

// Checks every field of a submission. Returns InvalidArgument whose message starts with the
// field name ("rating: must be 1..5, got 6"), or OK.
absl::Status ValidateSubmission(const SubmissionInput& in);

}  // namespace candor::review
