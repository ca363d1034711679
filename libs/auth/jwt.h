#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace candor::auth {

// The issuer and audience every Candor tool mints for and every service expects unless
// configured otherwise, so local runs work without any setting.
inline constexpr std::string_view kDefaultIssuer = "candor-dev";
inline constexpr std::string_view kDefaultAudience = "candor";

// RFC 7518 section 3.2: an HS256 key must be at least as long as the hash output (256 bits).
inline constexpr size_t kMinSecretBytes = 32;

// The longest `authorization` value (scheme, spaces and token) looked at. Our tokens are about
// 300 bytes; anything longer is refused before it is decoded. Kept below gRPC's default 8 KiB
// limit on a call's whole metadata so that the limit is ours, with our message.
inline constexpr size_t kMaxAuthorizationBytes = 4096;

// Who is calling, from a verified token; also what MintHs256 puts in one. The defaults make
// `Claims{user, "customer", now + ttl}` a token the default verifier accepts.
struct Claims {
  Claims() = default;
  // The three claims every caller sets; issuer and audience keep their defaults.
  Claims(std::string subject_in, std::string role_in, absl::Time expires_at_in)
      : subject(std::move(subject_in)), role(std::move(role_in)), expires_at(expires_at_in) {}

  std::string subject;  // `sub`: the user id, 1..128 bytes
  std::string role;     // `role`: see role.h ("customer" when absent)
  absl::Time expires_at;
  std::string issuer = std::string(kDefaultIssuer);                     // `iss`
  std::vector<std::string> audience = {std::string(kDefaultAudience)};  // `aud`
  // `iat` and `nbf`: optional. MintHs256 sets `iat` to its `issued_at` when this is empty.
  std::optional<absl::Time> issued_at;
  std::optional<absl::Time> not_before;
  // `acct_created` (ours, optional): when the identity provider created the user's account, a
  // NumericDate. Fraud scoring uses it for the account's age; without it Candor counts from the
  // first time it saw the account.
  std::optional<absl::Time> account_created;
};

// What a verifier accepts. Check() says whether a value is usable; Verifier::Create refuses
// one that is not.
struct VerifierOptions {
  std::string secret;                                    // HS256 key, at least kMinSecretBytes
  std::string issuer = std::string(kDefaultIssuer);      // `iss` must equal this
  std::string audience = std::string(kDefaultAudience);  // `aud` (string or array) must hold it
  // Clock skew allowed on `exp`, `nbf` and `iat`; 0..5 min.
  absl::Duration leeway = absl::Seconds(30);
  // Longest lifetime accepted: exp - iat, or exp - now when `iat` is absent; 1 min..30 days.
  absl::Duration max_lifetime = absl::Hours(24);

  // InvalidArgument naming the first bad field (short secret, empty issuer or audience, leeway
  // or lifetime out of range).
  absl::Status Check() const;
};

// Verifies compact JWS tokens (HS256 only) to RFC 7519, RFC 7518 and the RFC 8725 best current
// practices. A token is accepted only when all of these hold:
//  - three base64url parts, each canonical (no padding, no bits set past the data, nothing
//    outside the alphabet), at most kMaxAuthorizationBytes in all;
//  - header and payload are JSON objects without duplicate member names;
//  - header: `alg` is exactly "HS256"; `typ`, if present, is "JWT" or "application/jwt" (media
//    types are case-insensitive, RFC 7515 4.1.9); no `crit` (we understand no extension);
//  - the HMAC matches (constant-time compare), before any claim is read;
//  - `sub` a non-empty string of at most 128 bytes; `role`, if present, a string;
//  - `iss` equals the configured issuer; `aud` (a string or an array of strings) holds the
//    configured audience;
//  - `exp` (required), `nbf` and `iat` (optional) are JSON numbers between 0 and the end of
//    year 9999 (fractions allowed, RFC 7519 NumericDate); now < exp + leeway,
//    nbf - leeway <= now, iat - leeway <= now, iat <= exp;
//  - the lifetime (exp - iat, or exp - now without `iat`) is at most max_lifetime;
//  - `acct_created` (optional) is a NumericDate like `iat`, and acct_created - leeway <= now.
// Every refusal is Unauthenticated with a message starting "token: " that names the problem.
// Immutable after Create: thread-safe.
class Verifier {
 public:
  // InvalidArgument when options.Check() fails.
  static absl::StatusOr<Verifier> Create(VerifierOptions options);

  // The verified claims, or Unauthenticated naming the problem (see the class comment).
  absl::StatusOr<Claims> Verify(std::string_view token, absl::Time now) const;

  const VerifierOptions& options() const { return options_; }

 private:
  explicit Verifier(VerifierOptions options) : options_(std::move(options)) {}
  VerifierOptions options_;
};

// Extracts the token from one `authorization` value, `Bearer 1*SP token` (RFC 6750 section
// 2.1); the scheme is case-insensitive (RFC 7235 section 2.1). Unauthenticated, naming the
// problem, when the value is empty, longer than kMaxAuthorizationBytes, of another scheme or
// has no token. The token itself is checked by Verifier::Verify.
absl::StatusOr<std::string_view> BearerToken(std::string_view header_value);

// The whole authentication of one call: `authorization_values` are every value the request
// carried for that header. Exactly one is allowed (none: "missing"; several: ambiguous
// credentials), then BearerToken and Verify. Unauthenticated naming the problem. Whether the
// caller may make the call is RequireRole's question (role.h), asked after this one.
// Thread-safe.
absl::StatusOr<Claims> Authenticate(std::span<const std::string_view> authorization_values,
                                    const Verifier& verifier, absl::Time now);

// Mints an HS256 token for local use and tests: header {"alg":"HS256","typ":"JWT"}, claims
// `sub`, `role`, `iss`, `aud` (a string when there is one audience, else an array), `iat`
// (claims.issued_at, else `issued_at`), `nbf` and `acct_created` when set, `exp`. Never fails: a short secret or
// an expired time mint a token the verifier refuses, as tests want.
std::string MintHs256(const Claims& claims, std::string_view secret, absl::Time issued_at);

// Signs arbitrary header and payload JSON text with HS256, for tests of hostile tokens.
std::string SignHs256(std::string_view header_json, std::string_view payload_json,
                      std::string_view secret);

// base64url without padding (RFC 7515 section 2).
std::string Base64UrlEncode(std::string_view data);
// Strict decoding: false on characters outside the base64url alphabet (padding included), an
// impossible length, or non-zero bits after the data in the last character (so that each
// value has exactly one encoding, RFC 4648 section 3.5).
bool Base64UrlDecode(std::string_view in, std::string* out);

}  // namespace candor::auth
