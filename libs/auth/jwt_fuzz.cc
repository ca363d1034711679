// Fuzz target: token parsing and verification (fuzz/README.md). The first byte picks what the
// rest of the input is:
//   '0' (and every byte = 0 mod 3): an `authorization` header value: BearerToken, then
//       Verifier::Verify on whatever it yields and on the raw bytes;
//   '1': base64url text for Base64UrlDecode;
//   '2': "<header JSON>\n<payload JSON>", signed here with the secret, so that the verifier's
//       claim checks (exp, sub, role, ...) see inputs that pass the signature.
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "fuzz/check.h"
#include "libs/auth/jwt.h"

namespace {

constexpr std::string_view kSecret = "fuzz-secret-of-at-least-32-bytes-0123456789";
const absl::Time kNow = absl::FromUnixSeconds(1700000000);  // 2023-11-14

const candor::auth::Verifier& TheVerifier() {
  static const candor::auth::Verifier verifier = [] {
    candor::auth::VerifierOptions options;
    options.secret = std::string(kSecret);
    absl::StatusOr<candor::auth::Verifier> v = candor::auth::Verifier::Create(options);
    FUZZ_CHECK(v.ok(), "the fuzz verifier's options are valid");
    return *std::move(v);
  }();
  return verifier;
}

std::string Sign(std::string_view signing_input) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), kSecret.data(), static_cast<int>(kSecret.size()),
       reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size(), out,
       &len);
  return std::string(reinterpret_cast<const char*>(out), len);
}

void CheckVerified(const absl::StatusOr<candor::auth::Claims>& claims) {
  if (!claims.ok()) {
    FUZZ_CHECK(claims.status().code() == absl::StatusCode::kUnauthenticated,
               "a refused token is Unauthenticated");
    return;
  }
  FUZZ_CHECK(!claims->subject.empty() && claims->subject.size() <= 128, "sub is 1..128 bytes");
  FUZZ_CHECK(claims->expires_at > kNow, "an accepted token has not expired");
  FUZZ_CHECK(claims->expires_at != absl::InfiniteFuture(), "exp is a finite time");
}

void FuzzHeader(std::string_view input) {
  absl::StatusOr<std::string_view> token = candor::auth::BearerToken(input);
  if (token.ok()) {
    FUZZ_CHECK(token->data() >= input.data() &&
                   token->data() + token->size() == input.data() + input.size(),
               "the token is the tail of the header value");
    CheckVerified(TheVerifier().Verify(*token, kNow));
  }
  CheckVerified(TheVerifier().Verify(input, kNow));
}

void FuzzBase64(std::string_view input) {
  std::string decoded;
  if (candor::auth::Base64UrlDecode(input, &decoded)) {
    // RFC 7515 / RFC 8725: one text per byte string; anything else is refused.
    FUZZ_CHECK(candor::auth::Base64UrlEncode(decoded) == input, "base64url decoding is canonical");
  }
  std::string round_trip;
  FUZZ_CHECK(candor::auth::Base64UrlDecode(candor::auth::Base64UrlEncode(input), &round_trip) &&
                 round_trip == input,
             "decode(encode(x)) == x");
}

void FuzzSigned(std::string_view input) {
  size_t newline = input.find('\n');
  std::string_view header = input.substr(0, newline);
  std::string_view payload = newline == std::string_view::npos ? "" : input.substr(newline + 1);
  std::string signing_input =
      candor::auth::Base64UrlEncode(header) + "." + candor::auth::Base64UrlEncode(payload);
  std::string token = signing_input + "." + candor::auth::Base64UrlEncode(Sign(signing_input));
  CheckVerified(TheVerifier().Verify(token, kNow));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0:
      FuzzHeader(input);
      break;
    case 1:
      FuzzBase64(input);
      break;
    default:
      FuzzSigned(input);
      break;
  }
  return 0;
}
