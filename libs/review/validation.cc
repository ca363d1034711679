#include "libs/review/validation.h"

#include <unicode/uchar.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/review/fingerprint.h"
#include "libs/review/ip_address.h"

namespace candor::review {
namespace {

// Decodes the code point starting at s[i] into *cp and returns its length in bytes, or 0 when
// the bytes there are not well-formed UTF-8 (overlong, surrogate, past U+10FFFF, truncated).
size_t DecodeUtf8(std::string_view s, size_t i, char32_t* cp) {
  const auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) {
    *cp = c;
    return 1;
  }
  size_t len = 0;
  char32_t v = 0;
  if ((c & 0xE0) == 0xC0) {
    len = 2;
    v = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    len = 3;
    v = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    len = 4;
    v = c & 0x07;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    const auto cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xC0) != 0x80) return 0;
    v = (v << 6) | (cc & 0x3F);
  }
  // Reject overlong encodings, UTF-16 surrogates and values past Unicode's range.
  if ((len == 2 && v < 0x80) || (len == 3 && v < 0x800) || (len == 4 && v < 0x10000) ||
      (v >= 0xD800 && v <= 0xDFFF) || v > 0x10FFFF) {
    return 0;
  }
  *cp = v;
  return len;
}

// Shows nothing on screen: White_Space, Default_Ignorable (zero-width characters, variation
// selectors, fillers) and the braille blank that "invisible text" generators favour.
bool IsInvisible(char32_t cp) {
  if (cp < 0x80) return cp == ' ' || (cp >= 0x09 && cp <= 0x0D);
  const auto c = static_cast<UChar32>(cp);
  return u_isUWhiteSpace(c) || u_hasBinaryProperty(c, UCHAR_DEFAULT_IGNORABLE_CODE_POINT) ||
         cp == 0x2800;
}

// C0 controls, DEL and C1 controls (general category Cc), less what prose may hold. CR is
// allowed in prose: browsers submit a textarea's line breaks as CRLF.
bool IsRefusedControl(char32_t cp, TextKind kind) {
  if (cp < 0x20) {
    return kind == TextKind::kIdentifier || !(cp == '\t' || cp == '\n' || cp == '\r');
  }
  return cp >= 0x7F && cp <= 0x9F;
}

// Embeddings and overrides (U+202A..U+202E) and isolates (U+2066..U+2069) reorder the text
// around them ("Trojan Source"), so what a moderator reads is not what was written. The plain
// marks U+200E, U+200F and U+061C are fine: right-to-left writers need them.
bool IsBidiControl(char32_t cp) {
  return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

// CheckText, also counting the code points into *chars.
absl::Status ScanText(std::string_view field, std::string_view value, TextKind kind,
                      size_t* chars) {
  size_t count = 0;
  for (size_t i = 0; i < value.size(); ++count) {
    char32_t cp = 0;
    const size_t len = DecodeUtf8(value, i, &cp);
    if (len == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(std::string(field), ": not valid UTF-8 (byte ", i, ")"));
    }
    if (IsRefusedControl(cp, kind)) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "%s: control character U+%04X at character %d is not allowed%s", std::string(field),
          static_cast<uint32_t>(cp), count,
          kind == TextKind::kProse ? " (only tab, line feed and carriage return are)" : ""));
    }
    if (IsBidiControl(cp)) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "%s: bidirectional override or isolate U+%04X at character %d is not allowed",
          std::string(field), static_cast<uint32_t>(cp), count));
    }
    i += len;
  }
  if (chars != nullptr) *chars = count;
  return absl::OkStatus();
}

// RFC 3339 in UTC with a "Z", as times are spelled in messages.
std::string Rfc3339(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E*SZ", t, absl::UTCTimeZone());
}

bool IsLowerHex(std::string_view s, size_t length) {
  if (s.size() != length) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

bool IsValidUtf8(std::string_view s) {
  char32_t cp = 0;
  for (size_t i = 0; i < s.size();) {
    const size_t len = DecodeUtf8(s, i, &cp);
    if (len == 0) return false;
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

bool IsBlank(std::string_view s) {
  char32_t cp = 0;
  for (size_t i = 0; i < s.size();) {
    const size_t len = DecodeUtf8(s, i, &cp);
    // Invalid bytes are not blank: CheckText names them instead.
    if (len == 0 || !IsInvisible(cp)) return false;
    i += len;
  }
  return true;
}

absl::Status CheckText(std::string_view field, std::string_view value, TextKind kind) {
  return ScanText(field, value, kind, nullptr);
}

absl::Status ValidateAsin(std::string_view asin) {
  if (asin.empty()) return absl::InvalidArgumentError("asin: required");
  if (!IsValidAsin(asin)) {
    return absl::InvalidArgumentError(
        "asin: must be 10 characters of A-Z and 0-9 (an Amazon standard id)");
  }
  return absl::OkStatus();
}

absl::Status ValidateRating(std::string_view field, int64_t rating) {
  if (rating >= 1 && rating <= 5) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(std::string(field), ": must be 1..5, got ", rating));
}

absl::Status ValidateStarFilter(int64_t star) {
  if (star >= 1 && star <= 5) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("stars: each must be 1..5, got ", star));
}

absl::Status ValidateSubmission(const SubmissionInput& in) {
  if (absl::Status s = ValidateAsin(in.asin); !s.ok()) return s;
  if (absl::Status s = ValidateRating("rating", in.rating); !s.ok()) return s;
  size_t chars = 0;
  if (absl::Status s = ScanText("title", in.title, TextKind::kProse, &chars); !s.ok()) return s;
  if (chars > kMaxTitleChars) {
    return absl::InvalidArgumentError(
        absl::StrCat("title: at most ", kMaxTitleChars, " characters, got ", chars));
  }
  // Blank before the character rules, so a body of only "\v" reads as missing.
  if (IsBlank(in.body)) {
    return absl::InvalidArgumentError(
        "body: required (empty, or only whitespace and invisible characters)");
  }
  if (absl::Status s = ScanText("body", in.body, TextKind::kProse, &chars); !s.ok()) return s;
  if (chars > kMaxBodyChars) {
    return absl::InvalidArgumentError(
        absl::StrCat("body: at most ", kMaxBodyChars, " characters, got ", chars));
  }
  if (in.device_id.size() > kMaxDeviceIdBytes) {
    return absl::InvalidArgumentError(absl::StrCat("device_id: at most ", kMaxDeviceIdBytes,
                                                   " bytes, got ", in.device_id.size()));
  }
  return CheckText("device_id", in.device_id, TextKind::kIdentifier);
}

absl::Status ValidateUserId(std::string_view user_id) {
  if (user_id.empty()) return absl::InvalidArgumentError("user_id: required");
  if (user_id.size() > kMaxUserIdBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("user_id: at most ", kMaxUserIdBytes, " bytes, got ", user_id.size()));
  }
  return CheckText("user_id", user_id, TextKind::kIdentifier);
}

absl::Status ValidateFingerprint(std::string_view fingerprint) {
  if (!IsLowerHex(fingerprint, 64)) {
    return absl::InvalidArgumentError("fingerprint: must be 64 lower-case hex characters");
  }
  return absl::OkStatus();
}

absl::Status ValidateReviewId(std::string_view review_id, std::string_view fingerprint) {
  if (review_id.empty()) return absl::InvalidArgumentError("review_id: required");
  if (review_id != ReviewIdFromFingerprint(fingerprint)) {
    return absl::InvalidArgumentError("review_id: does not derive from the fingerprint");
  }
  return absl::OkStatus();
}

absl::Status ValidateReviewIdFormat(std::string_view review_id) {
  if (review_id.empty()) return absl::InvalidArgumentError("review_id: required");
  if (!IsLowerHex(review_id, 32)) {
    return absl::InvalidArgumentError("review_id: must be 32 lower-case hex characters");
  }
  return absl::OkStatus();
}

absl::Status ValidateTime(std::string_view field, absl::Time t) {
  // 0001-01-01T00:00:00Z .. 9999-12-31T23:59:59.999999999Z
  static const absl::Time kMin = absl::FromUnixSeconds(-62135596800);
  static const absl::Time kMax = absl::FromUnixSeconds(253402300799) + absl::Nanoseconds(999999999);
  if (t < kMin || t > kMax) {
    return absl::InvalidArgumentError(absl::StrFormat("%s: outside years 1..9999", field));
  }
  return absl::OkStatus();
}

absl::Status ValidateSubmittedAt(absl::Time submitted_at, bool imported) {
  if (absl::Status s = ValidateTime("submitted_at", submitted_at); !s.ok()) return s;
  if (imported && submitted_at < kEarliestImportTime) {
    return absl::InvalidArgumentError(
        absl::StrCat("submitted_at: an imported review's time must not be before ",
                     absl::FormatTime("%Y-%m-%d", kEarliestImportTime, absl::UTCTimeZone()),
                     ", got ", Rfc3339(submitted_at)));
  }
  return absl::OkStatus();
}

absl::Status ValidateImportTime(absl::Time submitted_at, absl::Time now) {
  if (absl::Status s = ValidateSubmittedAt(submitted_at, /*imported=*/true); !s.ok()) return s;
  if (submitted_at > now + kImportClockSkew) {
    return absl::InvalidArgumentError(
        absl::StrCat("submitted_at: ", Rfc3339(submitted_at), " is in the future (more than ",
                     absl::FormatDuration(kImportClockSkew), " past the gateway's clock)"));
  }
  return absl::OkStatus();
}

absl::Status ValidateClientIp(std::string_view client_ip) {
  if (client_ip.empty()) return absl::OkStatus();
  std::optional<IpAddress> ip = IpAddress::Parse(client_ip);
  if (!ip) {
    return absl::InvalidArgumentError(
        "client_ip: must be an IPv4 or IPv6 address (no port, scheme, brackets or zone)");
  }
  if (ip->ToString() != client_ip) {
    return absl::InvalidArgumentError(
        absl::StrCat("client_ip: not in canonical form (", ip->ToString(), ")"));
  }
  return absl::OkStatus();
}

absl::Status ValidateGatewayFields(const Submission& s) {
  if (absl::Status st = ValidateUserId(s.user_id); !st.ok()) return st;
  if (absl::Status st = ValidateFingerprint(s.fingerprint); !st.ok()) return st;
  if (absl::Status st = ValidateReviewId(s.review_id, s.fingerprint); !st.ok()) return st;
  if (absl::Status st = ValidateSubmittedAt(s.submitted_at, s.imported); !st.ok()) return st;
  if (s.account_created_at) {
    if (absl::Status st = ValidateTime("account_created_at", *s.account_created_at); !st.ok()) {
      return st;
    }
  }
  return ValidateClientIp(s.client_ip);
}

}  // namespace candor::review
