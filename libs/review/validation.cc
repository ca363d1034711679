#include "libs/review/validation.h"

#include "absl/strings/str_cat.h"

namespace candor::review {

bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  const size_t n = s.size();
  while (i < n) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len = 0;
    uint32_t cp = 0;
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > n) return false;
    for (size_t k = 1; k < len; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Reject overlong encodings, UTF-16 surrogates and values past Unicode's range.
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
      return false;
    }
    i += len;
  }
  return true;
}

size_t Utf8Length(std::string_view s) {
  size_t count = 0;
  for (char ch : s) {
    if ((static_cast<unsigned char>(ch) & 0xC0) != 0x80) ++count;
  }
  return count;
}

bool IsValidAsin(std::string_view asin) {
  if (asin.size() != 10) return false;
  for (char c : asin) {
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

absl::Status ValidateSubmission(const SubmissionInput& in) {
  if (in.asin.empty()) return absl::InvalidArgumentError("asin: required");
  if (!IsValidAsin(in.asin)) {
    return absl::InvalidArgumentError(
        "asin: must be 10 characters of A-Z and 0-9 (an Amazon standard id)");
  }
  if (in.rating < 1 || in.rating > 5) {
    return absl::InvalidArgumentError(absl::StrCat("rating: must be 1..5, got ", in.rating));
  }
  if (!IsValidUtf8(in.title)) return absl::InvalidArgumentError("title: not valid UTF-8");
  if (size_t n = Utf8Length(in.title); n > kMaxTitleChars) {
    return absl::InvalidArgumentError(
        absl::StrCat("title: at most ", kMaxTitleChars, " characters, got ", n));
  }
  if (!IsValidUtf8(in.body)) return absl::InvalidArgumentError("body: not valid UTF-8");
  bool blank = true;
  for (char c : in.body) {
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
      blank = false;
      break;
    }
  }
  if (blank) return absl::InvalidArgumentError("body: required (empty or only whitespace)");
  if (size_t n = Utf8Length(in.body); n > kMaxBodyChars) {
    return absl::InvalidArgumentError(
        absl::StrCat("body: at most ", kMaxBodyChars, " characters, got ", n));
  }
  if (in.device_id.size() > kMaxDeviceIdBytes || !IsValidUtf8(in.device_id)) {
    return absl::InvalidArgumentError(
        absl::StrCat("device_id: at most ", kMaxDeviceIdBytes, " bytes of UTF-8"));
  }
  return absl::OkStatus();
}

}  // namespace candor::review
