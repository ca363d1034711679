#pragma once

#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "libs/review/submission.h"

namespace candor::review {

// Canonical form of review text for exact-duplicate detection:
//  1. Unicode NFKC_Casefold (ICU): canonical and compatibility composition (NFC/NFD forms,
//     fullwidth letters and ligatures compare equal), full case folding ("STRASSE" = "straße")
//     and removal of Default_Ignorable code points (U+00AD, U+200B..U+200F, U+2060, U+FEFF,
//     variation selectors, ...), so inserting an invisible character changes nothing;
//  2. every run of separators (whitespace, punctuation, controls; ASCII symbols too) becomes
//     one space, and the result is trimmed.
// Pure ASCII skips ICU (fast path; same result). Valid UTF-8 in, valid UTF-8 out (ill-formed
// bytes become U+FFFD). Fingerprints of non-ASCII text depend on this function and, for code
// points assigned in newer Unicode versions, on ICU's version: changing either changes those
// fingerprints (README.md). Thread-safe, pure.
std::string NormalizeText(std::string_view text);

// Lower-case hex SHA-256 of "asin:user_id:normalize(body)" (design.md 3.2).
std::string Fingerprint(std::string_view asin, std::string_view user_id, std::string_view body);

// The review id derived from a fingerprint: its first 128 bits as 32 hex characters. Deriving it
// makes a retried submission keep its id, so an OK's id always names the stored row (I1).
std::string ReviewIdFromFingerprint(std::string_view fingerprint_hex);

// The submission the gateway admits for `input` from `user_id` at `client_ip`, submitted at
// `submitted_at`: the shopper's fields, and the fingerprint and review id derived from them. Does
// not validate (ValidateSubmission checks `input` first, ValidateGatewayFields the result).
Submission Admitted(const SubmissionInput& input, std::string_view user_id,
                    std::string_view client_ip, absl::Time submitted_at);

// Lower-case hex SHA-256 of arbitrary bytes.
std::string Sha256Hex(std::string_view data);

}  // namespace candor::review
