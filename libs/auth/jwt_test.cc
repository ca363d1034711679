#include "libs/auth/jwt.h"

#include <functional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace candor::auth {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1'800'000'000);
const int64_t kNowS = 1'800'000'000;
constexpr char kSecret[] = "0123456789abcdef0123456789abcdef";  // 32 bytes
constexpr char kHeader[] = R"({"alg":"HS256","typ":"JWT"})";

// Default options with the test secret, changed by `edit`.
VerifierOptions Options(const std::function<void(VerifierOptions&)>& edit = nullptr) {
  VerifierOptions o;
  o.secret = kSecret;
  if (edit) edit(o);
  return o;
}

Verifier MakeVerifier(const std::function<void(VerifierOptions&)>& edit = nullptr) {
  absl::StatusOr<Verifier> v = Verifier::Create(Options(edit));
  EXPECT_TRUE(v.ok()) << v.status();
  return *std::move(v);
}

std::string Token(absl::Duration ttl, std::string_view secret = kSecret) {
  return MintHs256({"user-1", "customer", kNow + ttl}, secret, kNow);
}

// A token with the given payload members (sub, iss and aud added unless given).
std::string Payload(const std::string& members, std::string_view header = kHeader) {
  std::string p = "{" + members;
  if (members.find("\"sub\"") == std::string::npos) p += R"(,"sub":"u")";
  if (members.find("\"iss\"") == std::string::npos) p += R"(,"iss":"candor-dev")";
  if (members.find("\"aud\"") == std::string::npos) p += R"(,"aud":"candor")";
  p += "}";
  return SignHs256(header, p, kSecret);
}

void ExpectUnauth(const absl::StatusOr<Claims>& r, const std::string& fragment) {
  ASSERT_FALSE(r.ok()) << "accepted; expected '" << fragment << "'";
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnauthenticated) << r.status();
  EXPECT_NE(std::string(r.status().message()).find(fragment), std::string::npos) << r.status();
}

TEST(JwtTest, RoundTrip) {
  auto r = MakeVerifier().Verify(Token(absl::Hours(1)), kNow);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->subject, "user-1");
  EXPECT_EQ(r->role, "customer");
  EXPECT_EQ(r->issuer, "candor-dev");
  EXPECT_EQ(r->audience, std::vector<std::string>{"candor"});
  EXPECT_EQ(r->expires_at, kNow + absl::Hours(1));
  EXPECT_EQ(r->issued_at, kNow);
  EXPECT_EQ(r->account_created, std::nullopt);
}

// --- acct_created: the account's creation time, optional ---------------------------------------

TEST(JwtTest, AccountCreatedRoundTripsAndIsOptional) {
  Verifier v = MakeVerifier();
  Claims c{"u", "customer", kNow + absl::Minutes(10)};
  c.account_created = absl::FromUnixSeconds(1'500'000'000);
  auto r = v.Verify(MintHs256(c, kSecret, kNow), kNow);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->account_created, absl::FromUnixSeconds(1'500'000'000));
  std::string exp = absl::StrCat(R"("exp":)", kNowS + 600);
  // A fraction is a NumericDate too; 0 (1970) is a time, however unlikely.
  r = v.Verify(Payload(absl::StrCat(exp, R"(,"acct_created":1500000000.5)")), kNow);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->account_created, absl::FromUnixMillis(1'500'000'000'500));
  EXPECT_TRUE(v.Verify(Payload(absl::StrCat(exp, R"(,"acct_created":0)")), kNow).ok());
  // Within the leeway of now is fine (an account made a second ago, clocks apart).
  EXPECT_TRUE(
      v.Verify(Payload(absl::StrCat(exp, R"(,"acct_created":)", kNowS + 20)), kNow).ok());
}

TEST(JwtTest, MalformedAccountCreatedRefusesTheToken) {
  Verifier v = MakeVerifier();
  std::string exp = absl::StrCat(R"("exp":)", kNowS + 600);
  ExpectUnauth(v.Verify(Payload(absl::StrCat(exp, R"(,"acct_created":"2019-01-01")")), kNow),
               "claim 'acct_created' is not a number");
  ExpectUnauth(v.Verify(Payload(absl::StrCat(exp, R"(,"acct_created":null)")), kNow),
               "claim 'acct_created' is not a number");
  ExpectUnauth(v.Verify(Payload(absl::StrCat(exp, R"(,"acct_created":-1)")), kNow),
               "claim 'acct_created' out of range");
  ExpectUnauth(v.Verify(Payload(absl::StrCat(exp, R"(,"acct_created":1e300)")), kNow),
               "claim 'acct_created' out of range");
  ExpectUnauth(v.Verify(Payload(absl::StrCat(exp, R"(,"acct_created":)", kNowS + 40)), kNow),
               "account created in the future");
}

TEST(JwtTest, Expired) {
  ExpectUnauth(MakeVerifier().Verify(Token(-absl::Minutes(1)), kNow), "expired");
  // Within the leeway a just-expired token still passes; past it, not.
  EXPECT_TRUE(MakeVerifier()
                  .Verify(MintHs256({"u", "customer", kNow - absl::Seconds(10)}, kSecret,
                                    kNow - absl::Hours(1)),
                          kNow)
                  .ok());
  ExpectUnauth(MakeVerifier([](auto& o) {
                 o.leeway = absl::ZeroDuration();
               }).Verify(Token(absl::ZeroDuration()), kNow),
               "expired");
}

TEST(JwtTest, WrongSecret) {
  ExpectUnauth(
      MakeVerifier().Verify(Token(absl::Hours(1), "another-secret-of-32-bytes-xxxxx"), kNow),
      "bad signature");
}

TEST(JwtTest, TamperedPayload) {
  std::string t = Token(absl::Hours(1));
  std::string forged = MintHs256({"admin", "moderator", kNow + absl::Hours(1)}, "x", kNow);
  // Header and signature from the real token, payload from another.
  auto dot1 = t.find('.');
  auto dot2 = t.rfind('.');
  auto f1 = forged.find('.');
  auto f2 = forged.rfind('.');
  std::string spliced = t.substr(0, dot1 + 1) + forged.substr(f1 + 1, f2 - f1 - 1) + t.substr(dot2);
  ExpectUnauth(MakeVerifier().Verify(spliced, kNow), "bad signature");
}

TEST(JwtTest, AlgNoneRefused) {
  std::string header = Base64UrlEncode(R"({"alg":"none","typ":"JWT"})");
  std::string payload = Base64UrlEncode(R"({"sub":"u","exp":1900000000})");
  ExpectUnauth(MakeVerifier().Verify(absl::StrCat(header, ".", payload, "."), kNow), "alg 'none'");
  ExpectUnauth(MakeVerifier().Verify(
                   Payload(absl::StrCat(R"("exp":)", kNowS + 60), R"({"alg":"hs256"})"), kNow),
               "alg 'hs256'");
  ExpectUnauth(MakeVerifier().Verify(Payload(absl::StrCat(R"("exp":)", kNowS + 60), R"({})"), kNow),
               "no alg");
}

TEST(JwtTest, Malformed) {
  Verifier v = MakeVerifier();
  ExpectUnauth(v.Verify("abc", kNow), "malformed");
  ExpectUnauth(v.Verify("a.b", kNow), "malformed");
  ExpectUnauth(v.Verify("a.b.c.d", kNow), "malformed");
  ExpectUnauth(v.Verify("!!.??.**", kNow), "base64url");
  ExpectUnauth(
      v.Verify(absl::StrCat(Base64UrlEncode("notjson"), ".", Base64UrlEncode("{}"), ".x"), kNow),
      "malformed");
  ExpectUnauth(v.Verify(SignHs256(kHeader, "[1,2]", kSecret), kNow), "payload");
  ExpectUnauth(v.Verify(SignHs256(kHeader, R"({"sub":"u"} trailing)", kSecret), kNow), "payload");
}

TEST(JwtTest, EmptySignatureRefused) {
  std::string t = Token(absl::Hours(1));
  ExpectUnauth(MakeVerifier().Verify(t.substr(0, t.rfind('.') + 1), kNow), "malformed");
}

TEST(JwtTest, OverlongTokenRefusedBeforeDecoding) {
  std::string huge = Token(absl::Hours(1)) + std::string(1 << 20, 'A');
  ExpectUnauth(MakeVerifier().Verify(huge, kNow), "longer than 4096");
}

// --- RFC 7518 3.2: the key -------------------------------------------------------------------

TEST(VerifierOptionsTest, SecretOfAtLeast32Bytes) {
  VerifierOptions o;
  o.secret = std::string(31, 'k');
  absl::Status s = o.Check();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(std::string(s.message()).find("at least 32 bytes"), std::string::npos) << s;
  EXPECT_FALSE(Verifier::Create(o).ok());
  o.secret = std::string(32, 'k');
  EXPECT_TRUE(o.Check().ok());
}

TEST(VerifierOptionsTest, RangesChecked) {
  auto refused = [](const std::function<void(VerifierOptions&)>& edit, const std::string& what) {
    absl::Status s = Options(edit).Check();
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << what;
    EXPECT_NE(std::string(s.message()).find(what), std::string::npos) << s;
  };
  refused([](auto& o) { o.issuer = ""; }, "issuer");
  refused([](auto& o) { o.audience = ""; }, "audience");
  refused([](auto& o) { o.leeway = -absl::Seconds(1); }, "leeway");
  refused([](auto& o) { o.leeway = absl::Minutes(6); }, "leeway");
  refused([](auto& o) { o.max_lifetime = absl::Seconds(59); }, "lifetime");
  refused([](auto& o) { o.max_lifetime = absl::Hours(24 * 31); }, "lifetime");
  EXPECT_TRUE(Options().Check().ok());
}

// --- iss / aud --------------------------------------------------------------------------------

TEST(JwtTest, IssuerChecked) {
  Verifier v = MakeVerifier();
  std::string exp = absl::StrCat(R"("exp":)", kNowS + 60);
  ExpectUnauth(v.Verify(Payload(absl::StrCat(exp, R"(,"iss":"evil")")), kNow),
               "issuer 'evil' is not 'candor-dev'");
  ExpectUnauth(
      v.Verify(SignHs256(kHeader, absl::StrCat(R"({"sub":"u","aud":"candor",)", exp, "}"), kSecret),
               kNow),
      "missing claim 'iss'");
  ExpectUnauth(v.Verify(Payload(absl::StrCat(exp, R"(,"iss":7)")), kNow), "'iss' is not a string");
  Claims c{"u", "customer", kNow + absl::Minutes(1)};
  c.issuer = "prod";
  EXPECT_TRUE(MakeVerifier([](auto& o) { o.issuer = "prod"; })
                  .Verify(MintHs256(c, kSecret, kNow), kNow)
                  .ok());
}

TEST(JwtTest, AudienceStringOrArray) {
  Verifier v = MakeVerifier();
  std::string exp = absl::StrCat(R"("exp":)", kNowS + 60);
  EXPECT_TRUE(v.Verify(Payload(absl::StrCat(exp, R"(,"aud":["x","candor"])")), kNow).ok());
  auto r = v.Verify(Payload(absl::StrCat(exp, R"(,"aud":["x","candor"])")), kNow);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->audience, (std::vector<std::string>{"x", "candor"}));
  ExpectUnauth(v.Verify(Payload(absl::StrCat(exp, R"(,"aud":"other-service")")), kNow),
               "not for audience 'candor'");
  ExpectUnauth(v.Verify(Payload(absl::StrCat(exp, R"(,"aud":["x","y"])")), kNow),
               "not for audience 'candor'");
  ExpectUnauth(v.Verify(Payload(absl::StrCat(exp, R"(,"aud":[])")), kNow), "'aud'");
  ExpectUnauth(v.Verify(Payload(absl::StrCat(exp, R"(,"aud":["candor",1])")), kNow),
               "'aud' must be a string or an array of strings");
  ExpectUnauth(
      v.Verify(
          SignHs256(kHeader, absl::StrCat(R"({"sub":"u","iss":"candor-dev",)", exp, "}"), kSecret),
          kNow),
      "missing claim 'aud'");
  // Case matters (StringOrURI comparison, RFC 7519 section 2).
  ExpectUnauth(v.Verify(Payload(absl::StrCat(exp, R"(,"aud":"Candor")")), kNow),
               "not for audience");
  // A minted token for another audience.
  Claims c{"u", "customer", kNow + absl::Minutes(1)};
  c.audience = {"reco-api"};
  ExpectUnauth(v.Verify(MintHs256(c, kSecret, kNow), kNow), "not for audience 'candor'");
}

// --- exp / nbf / iat / lifetime ----------------------------------------------------------------

TEST(JwtTest, ExpMustBeASaneNumericDate) {
  Verifier v = MakeVerifier();
  // Before: 1e300 was converted to int64 (undefined behaviour) and reported as
  // "expired at -292277022657-01-27".
  ExpectUnauth(v.Verify(Payload(R"("exp":1e300)"), kNow), "'exp' out of range");
  ExpectUnauth(v.Verify(Payload(R"("exp":-5)"), kNow), "'exp' out of range");
  ExpectUnauth(v.Verify(Payload(R"("exp":-1e300)"), kNow), "'exp' out of range");
  ExpectUnauth(v.Verify(Payload(R"("exp":18446744073709551615)"), kNow), "'exp' out of range");
  ExpectUnauth(v.Verify(Payload(R"("exp":99999999999999999999999)"), kNow), "'exp' out of range");
  ExpectUnauth(v.Verify(Payload(R"("exp":"1800000060")"), kNow), "'exp' is not a number");
  ExpectUnauth(v.Verify(Payload(R"("exp":"NaN")"), kNow), "'exp' is not a number");
  ExpectUnauth(v.Verify(Payload(R"("exp":null)"), kNow), "'exp' is not a number");
  ExpectUnauth(v.Verify(Payload(R"("exp":true)"), kNow), "'exp' is not a number");
  ExpectUnauth(v.Verify(Payload(R"("nbf":1)"), kNow), "missing claim 'exp'");
  // JSON has no NaN or Infinity; an overflowing literal is refused one way or another.
  EXPECT_FALSE(v.Verify(Payload(R"("exp":1e400)"), kNow).ok());
  // A fractional NumericDate is fine.
  EXPECT_TRUE(v.Verify(Payload(absl::StrCat(R"("exp":)", kNowS + 60, ".5")), kNow).ok());
}

TEST(JwtTest, MaximumLifetime) {
  Verifier v = MakeVerifier();
  // Year 9999, with and without iat: was accepted before.
  ExpectUnauth(v.Verify(Payload(absl::StrCat(R"("exp":253402300799,"iat":)", kNowS)), kNow),
               "lifetime");
  ExpectUnauth(v.Verify(Payload(R"("exp":253402300799)"), kNow), "lifetime");
  ExpectUnauth(v.Verify(Token(absl::Hours(25)), kNow), "exceeds the maximum of 24h");
  EXPECT_TRUE(v.Verify(Token(absl::Hours(24)), kNow).ok());
  // Measured from iat: a 25 h token issued 2 h ago is still too long-lived.
  ExpectUnauth(
      v.Verify(MintHs256({"u", "customer", kNow + absl::Hours(23)}, kSecret, kNow - absl::Hours(2)),
               kNow),
      "lifetime");
  EXPECT_TRUE(MakeVerifier([](auto& o) { o.max_lifetime = absl::Hours(48); })
                  .Verify(Token(absl::Hours(25)), kNow)
                  .ok());
}

TEST(JwtTest, NotBeforeAndIssuedAtWithLeeway) {
  Verifier v = MakeVerifier();  // leeway 30 s
  std::string exp = absl::StrCat(R"("exp":)", kNowS + 600);
  EXPECT_TRUE(v.Verify(Payload(absl::StrCat(exp, R"(,"nbf":)", kNowS + 20)), kNow).ok());
  ExpectUnauth(v.Verify(Payload(absl::StrCat(exp, R"(,"nbf":)", kNowS + 40)), kNow),
               "not valid before");
  EXPECT_TRUE(v.Verify(Payload(absl::StrCat(exp, R"(,"iat":)", kNowS + 20)), kNow).ok());
  ExpectUnauth(v.Verify(Payload(absl::StrCat(exp, R"(,"iat":)", kNowS + 40)), kNow),
               "issued in the future");
  ExpectUnauth(v.Verify(Payload(absl::StrCat(exp, R"(,"nbf":"soon")")), kNow),
               "'nbf' is not a number");
  ExpectUnauth(v.Verify(Payload(absl::StrCat(exp, R"(,"iat":1e300)")), kNow), "'iat' out of range");
  ExpectUnauth(
      v.Verify(Payload(absl::StrCat(R"("exp":)", kNowS + 10, R"(,"iat":)", kNowS + 20)), kNow),
      "expires before it was issued");
  Claims c{"u", "customer", kNow + absl::Minutes(10)};
  c.not_before = kNow + absl::Minutes(5);
  ExpectUnauth(v.Verify(MintHs256(c, kSecret, kNow), kNow), "not valid before");
  EXPECT_TRUE(v.Verify(MintHs256(c, kSecret, kNow), kNow + absl::Minutes(6)).ok());
}

// --- header: typ, crit, duplicates ------------------------------------------------------------

TEST(JwtTest, TypMustBeJwt) {
  Verifier v = MakeVerifier();
  std::string exp = absl::StrCat(R"("exp":)", kNowS + 60);
  EXPECT_TRUE(v.Verify(Payload(exp, R"({"alg":"HS256"})"), kNow).ok());
  EXPECT_TRUE(v.Verify(Payload(exp, R"({"alg":"HS256","typ":"jwt"})"), kNow).ok());
  EXPECT_TRUE(v.Verify(Payload(exp, R"({"alg":"HS256","typ":"application/JWT"})"), kNow).ok());
  ExpectUnauth(v.Verify(Payload(exp, R"({"alg":"HS256","typ":"at+jwt"})"), kNow), "typ 'at+jwt'");
  ExpectUnauth(v.Verify(Payload(exp, R"({"alg":"HS256","typ":1})"), kNow), "typ");
}

TEST(JwtTest, CritRefused) {
  ExpectUnauth(MakeVerifier().Verify(Payload(absl::StrCat(R"("exp":)", kNowS + 60),
                                             R"({"alg":"HS256","crit":["exp"]})"),
                                     kNow),
               "crit");
}

TEST(JwtTest, DuplicateMembersRefused) {
  Verifier v = MakeVerifier();
  std::string exp = absl::StrCat(R"("exp":)", kNowS + 60);
  ExpectUnauth(v.Verify(Payload(absl::StrCat(exp, R"(,"sub":"u","sub":"admin")")), kNow),
               "duplicate member 'sub' in payload");
  ExpectUnauth(v.Verify(Payload(exp, R"({"alg":"none","alg":"HS256"})"), kNow),
               "duplicate member 'alg' in header");
  // The same name in different objects is fine.
  EXPECT_TRUE(v.Verify(Payload(absl::StrCat(exp, R"(,"x":{"k":1},"y":{"k":2})")), kNow).ok());
  ExpectUnauth(v.Verify(Payload(absl::StrCat(exp, R"(,"x":{"a":1,"a":2})")), kNow),
               "duplicate member 'a'");
}

TEST(JwtTest, SubjectAndRoleTypes) {
  Verifier v = MakeVerifier();
  std::string exp = absl::StrCat(R"("exp":)", kNowS + 60);
  ExpectUnauth(v.Verify(Payload(absl::StrCat(exp, R"(,"sub":"")")), kNow), "missing claim 'sub'");
  ExpectUnauth(v.Verify(Payload(absl::StrCat(exp, R"(,"sub":12)")), kNow), "'sub' is not a string");
  ExpectUnauth(
      v.Verify(Payload(absl::StrCat(exp, R"(,"sub":")", std::string(129, 'u'), "\"")), kNow),
      "longer than 128");
  ExpectUnauth(v.Verify(Payload(absl::StrCat(exp, R"(,"role":["moderator"])")), kNow),
               "'role' is not a string");
  auto r = v.Verify(Payload(exp), kNow);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->role, "customer");
}

// --- base64url --------------------------------------------------------------------------------

TEST(Base64UrlTest, RoundTripAllLengths) {
  std::string data;
  for (int n = 0; n < 40; ++n) {
    std::string decoded;
    ASSERT_TRUE(Base64UrlDecode(Base64UrlEncode(data), &decoded));
    EXPECT_EQ(decoded, data);
    data.push_back(static_cast<char>(n * 37));
  }
}

TEST(Base64UrlTest, OnlyCanonicalEncodingsDecode) {
  std::string out;
  EXPECT_TRUE(Base64UrlDecode("QQ", &out));   // "A"
  EXPECT_FALSE(Base64UrlDecode("QR", &out));  // same byte, non-zero trailing bits
  EXPECT_FALSE(Base64UrlDecode("QQ==", &out));
  EXPECT_TRUE(Base64UrlDecode("QUI", &out));  // "AB"
  EXPECT_FALSE(Base64UrlDecode("QUJ", &out));
  EXPECT_FALSE(Base64UrlDecode("QUI=", &out));
  EXPECT_FALSE(Base64UrlDecode("Q", &out));     // impossible length
  EXPECT_FALSE(Base64UrlDecode("QU+/", &out));  // base64, not base64url
  EXPECT_FALSE(Base64UrlDecode("QU I", &out));
  EXPECT_FALSE(Base64UrlDecode(std::string_view("QU\0I", 4), &out));
}

TEST(JwtTest, NonCanonicalSignatureRefused) {
  // The HMAC is 32 bytes: 43 characters, the last carrying 2 unused bits. Setting one keeps the
  // decoded bytes (and a lenient verifier's answer) the same; we refuse the token.
  std::string t = Token(absl::Hours(1));
  constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  t.back() = kAlphabet[kAlphabet.find(t.back()) ^ 1];
  ExpectUnauth(MakeVerifier().Verify(t, kNow), "base64url");
  ExpectUnauth(MakeVerifier().Verify(Token(absl::Hours(1)) + "=", kNow), "base64url");
}

// --- Bearer and the whole call check -----------------------------------------------------------

TEST(BearerTest, SchemeIsCaseInsensitive) {
  EXPECT_EQ(*BearerToken("Bearer abc"), "abc");
  EXPECT_EQ(*BearerToken("bearer abc"), "abc");
  EXPECT_EQ(*BearerToken("BEARER abc"), "abc");
  EXPECT_EQ(*BearerToken("Bearer   abc"), "abc");  // 1*SP
}

TEST(BearerTest, Refusals) {
  auto expect = [](std::string_view value, std::string_view fragment) {
    absl::StatusOr<std::string_view> t = BearerToken(value);
    ASSERT_FALSE(t.ok()) << value;
    EXPECT_EQ(t.status().code(), absl::StatusCode::kUnauthenticated);
    EXPECT_NE(std::string(t.status().message()).find(fragment), std::string::npos) << t.status();
  };
  expect("", "empty");
  expect("Basic abc", "Bearer scheme");
  expect("Bearerabc", "Bearer scheme");
  expect("Bearer", "no token");
  expect("Bearer ", "no token");
  expect("Bearer\tabc", "Bearer scheme");
  expect("Bearer abc def", "malformed");
  expect("Bearer abc ", "malformed");
  expect(absl::StrCat("Bearer ", std::string(5000, 'a')), "longer than 4096");
}

TEST(AuthenticateTest, ExactlyOneHeader) {
  Verifier v = MakeVerifier();
  std::string good = "Bearer " + Token(absl::Hours(1));
  std::vector<std::string_view> one = {good};
  auto r = Authenticate(one, v, kNow);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->subject, "user-1");

  ExpectUnauth(Authenticate({}, v, kNow), "missing");
  std::vector<std::string_view> two = {good, good};
  ExpectUnauth(Authenticate(two, v, kNow), "more than one authorization header");
  std::vector<std::string_view> empty = {""};
  ExpectUnauth(Authenticate(empty, v, kNow), "empty");
}

}  // namespace
}  // namespace candor::auth
