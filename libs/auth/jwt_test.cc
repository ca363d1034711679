#include "libs/auth/jwt.h"

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace candor::auth {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1'800'000'000);

std::string Token(absl::Duration ttl, std::string_view secret = "s3cret") {
  return MintHs256({"user-1", "customer", kNow + ttl}, secret, kNow);
}

void ExpectUnauth(absl::StatusOr<Claims> r, const std::string& fragment) {
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_NE(std::string(r.status().message()).find(fragment), std::string::npos) << r.status();
}

TEST(JwtTest, RoundTrip) {
  auto r = VerifyHs256(Token(absl::Hours(1)), "s3cret", kNow);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->subject, "user-1");
  EXPECT_EQ(r->role, "customer");
}

TEST(JwtTest, Expired) {
  ExpectUnauth(VerifyHs256(Token(-absl::Seconds(1)), "s3cret", kNow), "expired");
}

TEST(JwtTest, WrongSecret) {
  ExpectUnauth(VerifyHs256(Token(absl::Hours(1), "other"), "s3cret", kNow), "bad signature");
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
  ExpectUnauth(VerifyHs256(spliced, "s3cret", kNow), "bad signature");
}

TEST(JwtTest, AlgNoneRefused) {
  std::string header = Base64UrlEncode(R"({"alg":"none","typ":"JWT"})");
  std::string payload = Base64UrlEncode(R"({"sub":"u","exp":1900000000})");
  ExpectUnauth(VerifyHs256(absl::StrCat(header, ".", payload, "."), "s3cret", kNow), "alg 'none'");
}

TEST(JwtTest, Malformed) {
  ExpectUnauth(VerifyHs256("abc", "s3cret", kNow), "malformed");
  ExpectUnauth(VerifyHs256("a.b", "s3cret", kNow), "malformed");
  ExpectUnauth(VerifyHs256("!!.??.**", "s3cret", kNow), "malformed");
  ExpectUnauth(
      VerifyHs256(absl::StrCat(Base64UrlEncode("notjson"), ".", Base64UrlEncode("{}"), ".x"),
                  "s3cret", kNow),
      "malformed");
}

TEST(JwtTest, Bearer) {
  EXPECT_EQ(*BearerToken("Bearer abc"), "abc");
  EXPECT_FALSE(BearerToken("").ok());
  EXPECT_FALSE(BearerToken("Basic abc").ok());
}

TEST(Base64UrlTest, RoundTripAllLengths) {
  std::string data;
  for (int n = 0; n < 40; ++n) {
    std::string decoded;
    ASSERT_TRUE(Base64UrlDecode(Base64UrlEncode(data), &decoded));
    EXPECT_EQ(decoded, data);
    data.push_back(static_cast<char>(n * 37));
  }
}

}  // namespace
}  // namespace candor::auth
