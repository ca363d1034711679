#include "libs/auth/jwt.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <cmath>
#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"

namespace candor::auth {
namespace {

using Json = nlohmann::json;

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr size_t kMaxSubjectBytes = 128;
constexpr size_t kHs256Bytes = 32;
// 9999-12-31T23:59:59Z. A NumericDate past it is nonsense, and refusing it here keeps every
// later conversion (double -> seconds -> absl::Time) far from overflow.
constexpr int64_t kMaxNumericDate = 253'402'300'799;
constexpr absl::Duration kMaxLeeway = absl::Minutes(5);
constexpr absl::Duration kMinLifetime = absl::Minutes(1);
constexpr absl::Duration kMaxLifetimeCap = absl::Hours(24 * 30);

// Debian's Abseil has its own string_view type; StrCat and friends take that one.
absl::string_view Sv(std::string_view s) { return absl::string_view(s.data(), s.size()); }

std::string HmacSha256(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  return std::string(reinterpret_cast<const char*>(out), len);
}

absl::Status Unauth(std::string_view what) {
  return absl::UnauthenticatedError(absl::StrCat("token: ", Sv(what)));
}

absl::Status BadHeader(std::string_view what) {
  return absl::UnauthenticatedError(absl::StrCat("authorization: ", Sv(what)));
}

// Parses a JSON object, refusing duplicate member names at any depth: RFC 7515 section 4 and
// RFC 7519 section 4 let a parser either refuse them or keep the last, and two parsers that
// choose differently (a gateway in another language, a proxy) read two different tokens from the
// same signed bytes. nlohmann keeps the last, so we watch the keys as they are parsed.
absl::StatusOr<Json> ParseObject(const std::string& text, std::string_view part) {
  std::vector<std::vector<std::string>> open;  // member names seen, per open object
  std::string duplicate;
  Json::parser_callback_t watch = [&](int /*depth*/, Json::parse_event_t event, Json& parsed) {
    switch (event) {
      case Json::parse_event_t::object_start:
        open.emplace_back();
        break;
      case Json::parse_event_t::object_end:
        if (!open.empty()) open.pop_back();
        break;
      case Json::parse_event_t::key: {
        if (open.empty() || !parsed.is_string()) break;
        const std::string& name = parsed.get_ref<const std::string&>();
        for (const std::string& seen : open.back()) {
          if (seen == name && duplicate.empty()) duplicate = name;
        }
        open.back().push_back(name);
        break;
      }
      default:
        break;
    }
    return true;
  };
  Json value = Json::parse(text, watch, /*allow_exceptions=*/false);
  if (value.is_discarded() || !value.is_object()) {
    return Unauth(absl::StrCat("malformed ", Sv(part), " (not a JSON object)"));
  }
  if (!duplicate.empty()) {
    return Unauth(absl::StrCat("duplicate member '", duplicate, "' in ", Sv(part)));
  }
  return value;
}

// A NumericDate claim (RFC 7519 section 2): a JSON number of seconds since the epoch, maybe
// fractional. Range-checked before any conversion, so 1e300 or 2^64 never reach an integer cast.
absl::StatusOr<absl::Time> NumericDate(const Json& v, std::string_view name) {
  if (!v.is_number()) return Unauth(absl::StrCat("claim '", Sv(name), "' is not a number"));
  auto out_of_range = [&] {
    return Unauth(absl::StrCat("claim '", Sv(name), "' out of range (a NumericDate from 0 to ",
                               kMaxNumericDate, ", the end of year 9999)"));
  };
  if (v.is_number_unsigned()) {
    uint64_t u = v.get<uint64_t>();
    if (u > static_cast<uint64_t>(kMaxNumericDate)) return out_of_range();
    return absl::FromUnixSeconds(static_cast<int64_t>(u));
  }
  if (v.is_number_integer()) {
    int64_t i = v.get<int64_t>();
    if (i < 0 || i > kMaxNumericDate) return out_of_range();
    return absl::FromUnixSeconds(i);
  }
  double d = v.get<double>();
  if (!std::isfinite(d) || d < 0 || d > static_cast<double>(kMaxNumericDate)) {
    return out_of_range();
  }
  return absl::UnixEpoch() + absl::Seconds(d);
}

// Optional NumericDate: nullopt when absent.
absl::StatusOr<std::optional<absl::Time>> OptionalDate(const Json& payload, std::string_view name) {
  auto it = payload.find(name);
  if (it == payload.end()) return std::nullopt;
  absl::StatusOr<absl::Time> t = NumericDate(*it, name);
  if (!t.ok()) return t.status();
  return std::optional<absl::Time>(*t);
}

std::string Format(absl::Time t) {
  return absl::FormatTime(absl::RFC3339_sec, t, absl::UTCTimeZone());
}

absl::Status CheckHeader(const Json& header) {
  auto alg = header.find("alg");
  if (alg == header.end() || !alg->is_string()) return Unauth("header has no alg");
  // Exact match: RFC 7515 algorithm names are case-sensitive, and only the one algorithm we
  // expect is accepted (RFC 8725 section 3.1), never the one the token asks for.
  const std::string& name = alg->get_ref<const std::string&>();
  if (name != "HS256") return Unauth(absl::StrCat("unsupported alg '", name, "' (only HS256)"));
  if (auto typ = header.find("typ"); typ != header.end()) {
    // RFC 7515 4.1.9: a media type, compared case-insensitively, "application/" optional.
    // RFC 8725 3.11: other types (at+jwt, secevent+jwt ...) are other kinds of token, refused.
    if (!typ->is_string()) return Unauth("header typ is not a string");
    const std::string& t = typ->get_ref<const std::string&>();
    if (!absl::EqualsIgnoreCase(t, "JWT") && !absl::EqualsIgnoreCase(t, "application/jwt")) {
      return Unauth(absl::StrCat("header typ '", t, "' is not JWT"));
    }
  }
  // RFC 7515 4.1.11: a recipient must refuse a token whose `crit` lists an extension it does not
  // understand; we understand none.
  if (header.contains("crit")) return Unauth("header crit lists extensions we do not support");
  return absl::OkStatus();
}

absl::StatusOr<std::string> StringClaim(const Json& payload, std::string_view name) {
  auto it = payload.find(name);
  if (it == payload.end()) return Unauth(absl::StrCat("missing claim '", Sv(name), "'"));
  if (!it->is_string()) return Unauth(absl::StrCat("claim '", Sv(name), "' is not a string"));
  return it->get<std::string>();
}

}  // namespace

absl::Status VerifierOptions::Check() const {
  if (secret.size() < kMinSecretBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("HS256 secret must be at least ", kMinSecretBytes,
                     " bytes (RFC 7518 section 3.2), got ", secret.size()));
  }
  if (issuer.empty()) return absl::InvalidArgumentError("JWT issuer must not be empty");
  if (audience.empty()) return absl::InvalidArgumentError("JWT audience must not be empty");
  if (leeway < absl::ZeroDuration() || leeway > kMaxLeeway) {
    return absl::InvalidArgumentError(absl::StrCat("JWT leeway must be 0..",
                                                   absl::FormatDuration(kMaxLeeway), ", got ",
                                                   absl::FormatDuration(leeway)));
  }
  if (max_lifetime < kMinLifetime || max_lifetime > kMaxLifetimeCap) {
    return absl::InvalidArgumentError(absl::StrCat(
        "JWT max lifetime must be ", absl::FormatDuration(kMinLifetime), "..",
        absl::FormatDuration(kMaxLifetimeCap), ", got ", absl::FormatDuration(max_lifetime)));
  }
  return absl::OkStatus();
}

absl::StatusOr<Verifier> Verifier::Create(VerifierOptions options) {
  if (absl::Status s = options.Check(); !s.ok()) return s;
  return Verifier(std::move(options));
}

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
  out->reserve(in.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    int v = kTable[static_cast<unsigned char>(c)];
    if (v < 0) return false;
    acc = ((acc << 6) | static_cast<uint32_t>(v)) & 0xFFFF;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out->push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  // The 2 or 4 bits left over belong to no byte; an encoder writes zeros there. Accepting other
  // values would give one token several spellings (RFC 4648 section 3.5).
  return (acc & ((1u << bits) - 1)) == 0;
}

absl::StatusOr<std::string_view> BearerToken(std::string_view header_value) {
  if (header_value.empty()) return BadHeader("header is empty (send 'Bearer <jwt>')");
  if (header_value.size() > kMaxAuthorizationBytes) {
    return BadHeader(absl::StrCat("header is ", header_value.size(), " bytes, longer than ",
                                  kMaxAuthorizationBytes));
  }
  // credentials = auth-scheme 1*SP token68 (RFC 7235 section 2.1, RFC 6750 section 2.1); the
  // scheme is case-insensitive.
  constexpr std::string_view kScheme = "Bearer";
  size_t space = header_value.find(' ');
  std::string_view scheme = header_value.substr(0, space);
  if (!absl::EqualsIgnoreCase(Sv(scheme), Sv(kScheme))) {
    return BadHeader("header must use the Bearer scheme ('Bearer <jwt>')");
  }
  size_t start = header_value.find_first_not_of(' ', scheme.size());
  if (start == std::string_view::npos) return BadHeader("no token after 'Bearer'");
  std::string_view token = header_value.substr(start);
  for (char c : token) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) &&
        std::string_view("-._~+/=").find(c) == std::string_view::npos) {
      return BadHeader("malformed bearer token (only one token after 'Bearer', in base64url)");
    }
  }
  return token;
}

absl::StatusOr<Claims> Verifier::Verify(std::string_view token, absl::Time now) const {
  // Size first: whatever a client sends, we spend no more than this much work on it.
  if (token.size() > kMaxAuthorizationBytes) {
    return Unauth(
        absl::StrCat("is ", token.size(), " bytes, longer than ", kMaxAuthorizationBytes));
  }
  std::array<std::string_view, 3> parts;
  size_t n = 0;
  for (size_t start = 0;;) {
    size_t dot = token.find('.', start);
    if (n == parts.size()) return Unauth("malformed (expected header.payload.signature)");
    parts[n++] = token.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (n != 3 || parts[0].empty() || parts[1].empty()) {
    return Unauth("malformed (expected header.payload.signature)");
  }
  std::string header_json;
  if (!Base64UrlDecode(parts[0], &header_json)) {
    return Unauth("malformed (header is not canonical base64url)");
  }
  absl::StatusOr<Json> header = ParseObject(header_json, "header");
  if (!header.ok()) return header.status();
  if (absl::Status s = CheckHeader(*header); !s.ok()) return s;

  std::string signature;
  if (parts[2].empty()) return Unauth("malformed (no signature)");
  if (!Base64UrlDecode(parts[2], &signature)) {
    return Unauth("malformed (signature is not canonical base64url)");
  }
  std::string payload_json;
  if (!Base64UrlDecode(parts[1], &payload_json)) {
    return Unauth("malformed (payload is not canonical base64url)");
  }
  std::string expected = HmacSha256(
      options_.secret, std::string_view(token.data(), parts[0].size() + 1 + parts[1].size()));
  if (signature.size() != kHs256Bytes ||
      CRYPTO_memcmp(signature.data(), expected.data(), kHs256Bytes) != 0) {
    return Unauth("bad signature");
  }

  // Only a token we signed gets this far: the claims are now ours to read.
  absl::StatusOr<Json> payload = ParseObject(payload_json, "payload");
  if (!payload.ok()) return payload.status();
  Claims claims;
  absl::StatusOr<std::string> sub = StringClaim(*payload, "sub");
  if (!sub.ok()) return sub.status();
  if (sub->empty()) return Unauth("missing claim 'sub'");
  if (sub->size() > kMaxSubjectBytes) {
    return Unauth(absl::StrCat("claim 'sub' longer than ", kMaxSubjectBytes, " bytes"));
  }
  claims.subject = *std::move(sub);
  if (auto role = payload->find("role"); role != payload->end()) {
    if (!role->is_string()) return Unauth("claim 'role' is not a string");
    claims.role = role->get<std::string>();
  } else {
    claims.role = "customer";
  }

  // RFC 7519 4.1.1 / 4.1.3, RFC 8725 3.8 and 3.9: a token minted for another issuer or
  // another service must not be usable here.
  absl::StatusOr<std::string> iss = StringClaim(*payload, "iss");
  if (!iss.ok()) return iss.status();
  if (*iss != options_.issuer) {
    return Unauth(absl::StrCat("issuer '", *iss, "' is not '", options_.issuer, "'"));
  }
  claims.issuer = *std::move(iss);
  auto aud = payload->find("aud");
  if (aud == payload->end()) return Unauth("missing claim 'aud'");
  claims.audience.clear();
  if (aud->is_string()) {
    claims.audience.push_back(aud->get<std::string>());
  } else if (aud->is_array() && !aud->empty()) {
    for (const Json& a : *aud) {
      if (!a.is_string()) break;
      claims.audience.push_back(a.get<std::string>());
    }
  }
  if (claims.audience.empty() || claims.audience.size() != (aud->is_array() ? aud->size() : 1)) {
    return Unauth("claim 'aud' must be a string or an array of strings");
  }
  bool for_us = false;
  for (const std::string& a : claims.audience) for_us = for_us || a == options_.audience;
  if (!for_us) return Unauth(absl::StrCat("not for audience '", options_.audience, "'"));

  auto exp = payload->find("exp");
  if (exp == payload->end()) return Unauth("missing claim 'exp'");
  absl::StatusOr<absl::Time> expires_at = NumericDate(*exp, "exp");
  if (!expires_at.ok()) return expires_at.status();
  claims.expires_at = *expires_at;
  absl::StatusOr<std::optional<absl::Time>> nbf = OptionalDate(*payload, "nbf");
  if (!nbf.ok()) return nbf.status();
  claims.not_before = *nbf;
  absl::StatusOr<std::optional<absl::Time>> iat = OptionalDate(*payload, "iat");
  if (!iat.ok()) return iat.status();
  claims.issued_at = *iat;
  absl::StatusOr<std::optional<absl::Time>> created = OptionalDate(*payload, "acct_created");
  if (!created.ok()) return created.status();
  claims.account_created = *created;

  // The leeway absorbs clock skew between the minting host and us, on every time claim.
  const absl::Duration leeway = options_.leeway;
  if (claims.expires_at + leeway <= now) {
    return Unauth(absl::StrCat("expired at ", Format(claims.expires_at)));
  }
  if (claims.not_before && *claims.not_before - leeway > now) {
    return Unauth(absl::StrCat("not valid before ", Format(*claims.not_before)));
  }
  if (claims.issued_at) {
    if (*claims.issued_at - leeway > now) {
      return Unauth(absl::StrCat("issued in the future (", Format(*claims.issued_at), ")"));
    }
    if (claims.expires_at < *claims.issued_at) return Unauth("expires before it was issued");
  }
  if (claims.account_created && *claims.account_created - leeway > now) {
    return Unauth(
        absl::StrCat("account created in the future (", Format(*claims.account_created), ")"));
  }
  // A stolen token is only useful until it expires: cap how long that can be, so a token "valid
  // until 9999" is refused rather than honoured for ever.
  const absl::Duration lifetime = claims.expires_at - claims.issued_at.value_or(now);
  if (lifetime > options_.max_lifetime) {
    return Unauth(absl::StrCat("lifetime ", absl::FormatDuration(lifetime),
                               " exceeds the maximum of ",
                               absl::FormatDuration(options_.max_lifetime)));
  }
  return claims;
}

absl::StatusOr<Claims> Authenticate(std::span<const std::string_view> authorization_values,
                                    const Verifier& verifier, absl::Time now) {
  if (authorization_values.empty()) {
    return BadHeader("missing (send 'authorization: Bearer <jwt>')");
  }
  // Two credentials in one call are ambiguous: a proxy and the service could each pick a
  // different one. Refuse rather than guess.
  if (authorization_values.size() > 1) {
    return BadHeader(absl::StrCat(authorization_values.size(),
                                  " values: more than one authorization header (ambiguous "
                                  "credentials); send exactly one"));
  }
  absl::StatusOr<std::string_view> token = BearerToken(authorization_values.front());
  if (!token.ok()) return token.status();
  return verifier.Verify(*token, now);
}

std::string SignHs256(std::string_view header_json, std::string_view payload_json,
                      std::string_view secret) {
  std::string signing_input =
      absl::StrCat(Base64UrlEncode(header_json), ".", Base64UrlEncode(payload_json));
  return absl::StrCat(signing_input, ".", Base64UrlEncode(HmacSha256(secret, signing_input)));
}

std::string MintHs256(const Claims& claims, std::string_view secret, absl::Time issued_at) {
  Json header = {{"alg", "HS256"}, {"typ", "JWT"}};
  Json payload = {{"sub", claims.subject},
                  {"role", claims.role},
                  {"iss", claims.issuer},
                  {"iat", absl::ToUnixSeconds(claims.issued_at.value_or(issued_at))},
                  {"exp", absl::ToUnixSeconds(claims.expires_at)}};
  if (claims.audience.size() == 1) {
    payload["aud"] = claims.audience.front();
  } else {
    payload["aud"] = claims.audience;
  }
  if (claims.not_before) payload["nbf"] = absl::ToUnixSeconds(*claims.not_before);
  if (claims.account_created) {
    payload["acct_created"] = absl::ToUnixSeconds(*claims.account_created);
  }
  return SignHs256(header.dump(), payload.dump(), secret);
}

}  // namespace candor::auth
