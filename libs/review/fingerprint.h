#pragma once

#include <string>
#include <string_view>

namespace candor::review {

// Canonical form of review text for exact-duplicate detection: ASCII letters lower-cased, every
// run of whitespace and ASCII punctuation collapsed to one space, trimmed. Non-ASCII bytes are
// kept as they are (valid UTF-8 in, valid UTF-8 out).
std::string NormalizeText(std::string_view text);

// Lower-case hex SHA-256 of "asin:user_id:normalize(body)" (design.md 3.2).
std::string Fingerprint(std::string_view asin, std::string_view user_id, std::string_view body);

// The review id derived from a fingerprint: its first 128 bits as 32 hex characters. Deriving it
// makes a retried submission keep its id, so an OK's id always names the stored row (I1).
std::string ReviewIdFromFingerprint(std::string_view fingerprint_hex);

// Lower-case hex SHA-256 of arbitrary bytes.
std::string Sha256Hex(std::string_view data);

}  // namespace candor::review
