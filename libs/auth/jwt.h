#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace candor::auth {

// Who is calling, from a verified token.
struct Claims {
  std::string subject;  // `sub`: the user id
  std::string role;     // `role`: "customer" or "moderator"
  absl::Time expires_at;
};

// Verifies a compact JWS token signed with HS256 and `secret`, as of `now`. Only HS256 is
// accepted (`alg: none` and every other algorithm are refused). Returns Unauthenticated with a
// message naming the problem: malformed, unsupported algorithm, bad signature, expired, missing
// claim. Thread-safe; no state.
absl::StatusOr<Claims> VerifyHs256(std::string_view token, std::string_view secret, absl::Time now);

// Mints an HS256 token for local use and tests. `ttl` may be negative (already expired).
std::string MintHs256(const Claims& claims, std::string_view secret, absl::Time issued_at);

// base64url without padding (RFC 7515 section 2).
std::string Base64UrlEncode(std::string_view data);
// Returns false on characters outside the base64url alphabet or an impossible length.
bool Base64UrlDecode(std::string_view in, std::string* out);

// Extracts the token from an `authorization` header value "Bearer <token>"; InvalidArgument
// style Unauthenticated errors when absent or of another scheme.
absl::StatusOr<std::string_view> BearerToken(std::string_view header_value);

}  // namespace candor::auth
