#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "libs/review/submission.h"

namespace candor::review {

// The one set of rules for a submission, shared by review-gateway (before it answers OK) and
// fraud-scorer (when it decodes review-submissions): whatever the gateway accepts, the scorer
// decodes and PostgreSQL stores (invariant I1). README.md lists the text rules.

inline constexpr int kMaxBodyChars = 5000;
inline constexpr int kMaxTitleChars = 256;
inline constexpr int kMaxDeviceIdBytes = 128;
inline constexpr int kMaxUserIdBytes = 128;

// The earliest original time an imported review may carry (1995-01-01T00:00:00Z: no online shop
// took reviews before), and how far past the importing gateway's clock it may lie (clock skew
// between the earlier system and us).
inline constexpr absl::Time kEarliestImportTime = absl::FromUnixSeconds(788918400);
inline constexpr absl::Duration kImportClockSkew = absl::Minutes(5);

// True when `s` is well-formed UTF-8 (no overlong forms, surrogates or code points > U+10FFFF).
bool IsValidUtf8(std::string_view s);

// Number of code points in valid UTF-8 `s`.
size_t Utf8Length(std::string_view s);

// True for an Amazon standard id: exactly 10 characters of [A-Z0-9].
bool IsValidAsin(std::string_view asin);

// asin: present and IsValidAsin. InvalidArgument "asin: ..." otherwise. Pure function.
absl::Status ValidateAsin(std::string_view asin);

// A review's star rating, 1..5: InvalidArgument "<field>: must be 1..5, got 6" otherwise (field
// e.g. "rating", or "accepted.rating" inside an event). Pure function.
absl::Status ValidateRating(std::string_view field, int64_t rating);

// One star of a filter (ListReviews, SearchReviews), 1..5: InvalidArgument "stars: each must be
// 1..5, got 0" otherwise. Pure function.
absl::Status ValidateStarFilter(int64_t star);

// True when valid UTF-8 `s` shows nothing: every code point is Unicode White_Space (space, tab,
// \v, \f, U+00A0, U+2028, U+3000, ...), Default_Ignorable (U+00AD, U+200B..U+200F, U+2060,
// U+FEFF, variation selectors, Hangul fillers, ...) or U+2800 BRAILLE PATTERN BLANK. The empty
// string is blank. Pure function (uses ICU's character properties).
bool IsBlank(std::string_view s);

// What a text field may contain besides its length.
enum class TextKind {
  kProse,       // title, body: tab, LF and CR are allowed (CRLF is what HTML forms send)
  kIdentifier,  // device_id, user_id, client_ip: no control character at all
};

// Checks that `value` is text every stage can carry and store: valid UTF-8 (so no NUL, which
// PostgreSQL text cannot hold, since NUL is a control character), no control character (C0
// other than those `kind` allows, DEL, C1) and no bidirectional embedding, override or isolate
// (U+202A..U+202E, U+2066..U+2069). InvalidArgument "<field>: ..." naming the character and its
// position otherwise. Pure function.
absl::Status CheckText(std::string_view field, std::string_view value, TextKind kind);

// Checks the shopper's fields (what the gateway receives): asin, rating 1..5, title (at most
// kMaxTitleChars characters, may be empty or blank), body (not blank, at most kMaxBodyChars
// characters), device_id (at most kMaxDeviceIdBytes, may be empty), each with CheckText.
// Returns InvalidArgument whose message starts with the field name ("rating: must be 1..5, got
// 6"), or OK. Pure function.
absl::Status ValidateSubmission(const SubmissionInput& in);

// user_id (the token's subject): 1..kMaxUserIdBytes bytes, CheckText kIdentifier.
absl::Status ValidateUserId(std::string_view user_id);

// fingerprint: exactly 64 lower-case hex characters (a SHA-256).
absl::Status ValidateFingerprint(std::string_view fingerprint);

// review_id: present and ReviewIdFromFingerprint(fingerprint).
absl::Status ValidateReviewId(std::string_view review_id, std::string_view fingerprint);

// review_id on its own, where no fingerprint travels with it (review-events): present and 32
// lower-case hex characters, the shape ReviewIdFromFingerprint gives. Pure function.
absl::Status ValidateReviewIdFormat(std::string_view review_id);

// A point in time `field` names: within google.protobuf.Timestamp's range (years 1..9999), which
// PostgreSQL's timestamptz holds. InvalidArgument "<field>: outside years 1..9999" otherwise.
absl::Status ValidateTime(std::string_view field, absl::Time t);

// submitted_at: ValidateTime("submitted_at", submitted_at) and, when `imported`, not before
// kEarliestImportTime. A live submission's time is the gateway's clock, so only the range of the
// wire format applies to it. Pure function.
absl::Status ValidateSubmittedAt(absl::Time submitted_at, bool imported);

// The original time an importer gives for a review (ImportReview), at the gateway: not before
// kEarliestImportTime and not after now + kImportClockSkew. InvalidArgument "submitted_at: ..."
// otherwise. The upper bound depends on the clock, so only the gateway checks it; a consumer
// (which may run late) checks ValidateSubmittedAt. Pure function.
absl::Status ValidateImportTime(absl::Time submitted_at, absl::Time now);

// client_ip: empty (unknown), or an IPv4 or IPv6 address in its canonical text
// (IpAddress::Parse(client_ip)->ToString() == client_ip: "203.0.113.7", "2001:db8::1"; no port,
// scheme, brackets or zone), so one client has one spelling wherever it is counted.
absl::Status ValidateClientIp(std::string_view client_ip);

// The fields the gateway fills in after ValidateSubmission (user_id, fingerprint, review_id,
// submitted_at, client_ip, account_created_at), each checked as above; account_created_at, when
// set, within years 1..9999. The gateway runs it before publishing and fraud-scorer after
// decoding, so a token subject or peer the scorer would refuse is refused at the gateway instead
// of being answered OK and dead-lettered. Pure function.
absl::Status ValidateGatewayFields(const Submission& s);

}  // namespace candor::review
