#include "libs/auth/jwt.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"

namespace candor::auth {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string HmacSha256(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  return std::string(reinterpret_cast<const char*>(out), len);
}

absl::Status Unauth(std::string_view what) {
  return absl::UnauthenticatedError("token: " + std::string(what));
}

}  // namespace

std::string Base64UrlEncode(std::string_view data) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  size_t i = 0;
  while (i + 3 <= data.size()) {
    uint32_t v = (static_cast<unsigned char>(data[i]) << 16) |
                 (static_cast<unsigned char>(data[i + 1]) << 8) |
                 static_cast<unsigned char>(data[i + 2]);
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(kAlphabet[(v >> 6) & 63]);
    out.push_back(kAlphabet[v & 63]);
    i += 3;
  }
  size_t rest = data.size() - i;
  if (rest == 1) {
    uint32_t v = static_cast<unsigned char>(data[i]) << 16;
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
  } else if (rest == 2) {
    uint32_t v = (static_cast<unsigned char>(data[i]) << 16) |
                 (static_cast<unsigned char>(data[i + 1]) << 8);
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(kAlphabet[(v >> 6) & 63]);
  }
  return out;
}

bool Base64UrlDecode(std::string_view in, std::string* out) {
  static const std::array<int, 256> kTable = [] {
    std::array<int, 256> t{};
    t.fill(-1);
    for (int i = 0; i < 64; ++i) t[static_cast<unsigned char>(kAlphabet[i])] = i;
    return t;
  }();
  if (in.size() % 4 == 1) return false;
  out->clear();
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    int v = kTable[static_cast<unsigned char>(c)];
    if (v < 0) return false;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out->push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return true;
}

absl::StatusOr<std::string_view> BearerToken(std::string_view header_value) {
  if (header_value.empty()) return Unauth("missing (send 'authorization: Bearer <jwt>')");
  constexpr std::string_view kPrefix = "Bearer ";
  if (header_value.substr(0, kPrefix.size()) != kPrefix) {
    return Unauth("authorization header must use the Bearer scheme");
  }
  return header_value.substr(kPrefix.size());
}

absl::StatusOr<Claims> VerifyHs256(std::string_view token, std::string_view secret,
                                   absl::Time now) {
  std::vector<std::string_view> parts;
  for (size_t start = 0;;) {
    size_t dot = token.find('.', start);
    parts.push_back(token.substr(start, dot == std::string_view::npos ? dot : dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (parts.size() != 3 || parts[0].empty() || parts[1].empty()) {
    return Unauth("malformed (expected header.payload.signature)");
  }
  std::string header_json;
  std::string payload_json;
  std::string signature;
  if (!Base64UrlDecode(parts[0], &header_json) || !Base64UrlDecode(parts[1], &payload_json) ||
      !Base64UrlDecode(parts[2], &signature)) {
    return Unauth("malformed (not base64url)");
  }
  nlohmann::json header = nlohmann::json::parse(header_json, nullptr, false);
  if (header.is_discarded() || !header.is_object()) return Unauth("malformed header");
  auto alg = header.find("alg");
  if (alg == header.end() || !alg->is_string()) return Unauth("header has no alg");
  if (alg->get<std::string>() != "HS256") {
    return Unauth(absl::StrCat("unsupported alg '", alg->get<std::string>(), "' (only HS256)"));
  }
  std::string expected =
      HmacSha256(secret, std::string_view(token.data(), parts[0].size() + 1 + parts[1].size()));
  if (signature.size() != expected.size() ||
      CRYPTO_memcmp(signature.data(), expected.data(), expected.size()) != 0) {
    return Unauth("bad signature");
  }
  nlohmann::json payload = nlohmann::json::parse(payload_json, nullptr, false);
  if (payload.is_discarded() || !payload.is_object()) return Unauth("malformed payload");
  Claims claims;
  auto sub = payload.find("sub");
  if (sub == payload.end() || !sub->is_string() || sub->get<std::string>().empty()) {
    return Unauth("missing claim 'sub'");
  }
  claims.subject = sub->get<std::string>();
  if (claims.subject.size() > 128) return Unauth("claim 'sub' longer than 128 bytes");
  auto exp = payload.find("exp");
  if (exp == payload.end() || !exp->is_number()) return Unauth("missing claim 'exp'");
  claims.expires_at = absl::FromUnixSeconds(exp->get<int64_t>());
  if (claims.expires_at <= now) {
    return Unauth(absl::StrCat("expired at ", absl::FormatTime(claims.expires_at)));
  }
  auto role = payload.find("role");
  claims.role = (role != payload.end() && role->is_string()) ? role->get<std::string>()
                                                             : std::string("customer");
  return claims;
}

std::string MintHs256(const Claims& claims, std::string_view secret, absl::Time issued_at) {
  nlohmann::json header = {{"alg", "HS256"}, {"typ", "JWT"}};
  nlohmann::json payload = {{"sub", claims.subject},
                            {"role", claims.role},
                            {"iat", absl::ToUnixSeconds(issued_at)},
                            {"exp", absl::ToUnixSeconds(claims.expires_at)}};
  std::string signing_input =
      absl::StrCat(Base64UrlEncode(header.dump()), ".", Base64UrlEncode(payload.dump()));
  return absl::StrCat(signing_input, ".", Base64UrlEncode(HmacSha256(secret, signing_input)));
}

}  // namespace candor::auth
