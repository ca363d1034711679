// candor-token: mints an HS256 JWT for local use (curl/grpcurl, tests, demos).
//
// The secret comes from $CANDOR_JWT_SECRET or --secret-file, never from the command line, where
// it would end up in shell history and in `ps` output for every user of the machine.

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "libs/auth/jwt.h"
#include "libs/auth/role.h"
#include "libs/core/flags.h"

namespace {

constexpr int kBadUsage = 2;
constexpr int kFailed = 1;
// auth::Verifier refuses longer subjects.
constexpr size_t kMaxSubjectBytes = 128;
constexpr int64_t kTenYears = 10LL * 365 * 24 * 3600;

int Fail(int code, const std::string& message) {
  std::cerr << "candor-token: " << message << "\n";
  return code;
}

// True when argv carries a secret itself (--secret X / --secret=X), which we refuse outright
// rather than let the flag parser call it merely "unknown".
bool SecretOnCommandLine(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--") break;
    if (arg == "--secret" || arg.rfind("--secret=", 0) == 0 || arg == "--jwt-secret" ||
        arg.rfind("--jwt-secret=", 0) == 0) {
      return true;
    }
  }
  return false;
}

// Reads the whole file; one trailing newline (as `echo` and editors add) is not part of it.
bool ReadSecretFile(const std::string& path, std::string* secret) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream buf;
  buf << in.rdbuf();
  *secret = buf.str();
  if (!secret->empty() && secret->back() == '\n') secret->pop_back();
  if (!secret->empty() && secret->back() == '\r') secret->pop_back();
  return true;
}

// Registers --`name`, an offset in seconds from now, within ten years either way.
void AddSecondsFromNow(candor::core::Flags& flags, const std::string& name, int64_t* seconds,
                       const std::string& help) {
  flags.AddInt(name, "", seconds, help, -kTenYears, kTenYears);
}

// Reads an optional claim's flag: empty leaves `out` unset; else false unless `text` is a whole
// number in [min, max].
bool ParseOptionalInt(const std::string& text, int64_t min, int64_t max,
                      std::optional<int64_t>* out) {
  if (text.empty()) return true;
  int64_t v = 0;
  if (!absl::SimpleAtoi(text, &v) || v < min || v > max) return false;
  *out = v;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (SecretOnCommandLine(argc, argv)) {
    return Fail(kBadUsage,
                "refusing a secret on the command line (it would show in `ps` and shell "
                "history); set CANDOR_JWT_SECRET or pass --secret-file PATH");
  }

  std::string subject;
  std::string role = "customer";
  int64_t ttl_s = 3600;
  std::string secret_file;
  std::string issuer(candor::auth::kDefaultIssuer);
  std::string audience(candor::auth::kDefaultAudience);
  int64_t iat_s = 0;
  std::string nbf_s;
  std::string acct_created_s;

  candor::core::Flags flags(
      "candor-token",
      "Mints an HS256 JWT for Candor's gRPC API and prints it on stdout.\n"
      "The signing secret comes from $CANDOR_JWT_SECRET, or from --secret-file (which wins).\n"
      "Defaults fit a gateway with default settings (iss candor-dev, aud candor).\n"
      "Example:\n"
      "  grpcurl -H \"authorization: Bearer $(candor-token --sub alice)\" ...");
  flags.AddString("sub", "", &subject, "user id put in the `sub` claim (required)");
  flags.AddString("role", "", &role, "`role` claim: customer, moderator or service");
  AddSecondsFromNow(flags, "ttl", &ttl_s,
                    "lifetime in seconds; negative mints an already expired token for tests");
  flags.AddString("iss", "CANDOR_JWT_ISSUER", &issuer,
                  "`iss` claim; must equal the gateway's --jwt-issuer");
  flags.AddString("aud", "CANDOR_JWT_AUDIENCE", &audience,
                  "`aud` claim; several audiences separated by commas mint an array; one must be "
                  "the gateway's --jwt-audience");
  AddSecondsFromNow(flags, "iat", &iat_s,
                    "`iat` claim, in seconds from now (positive: in the future, for tests)");
  flags.AddString("nbf", "", &nbf_s,
                  "`nbf` claim, in seconds from now (e.g. 60); empty mints no nbf");
  flags.AddString("acct-created", "", &acct_created_s,
                  "`acct_created` claim: when the account was created, in Unix seconds (e.g. "
                  "1500000000); empty mints none");
  flags.AddString("secret-file", "", &secret_file,
                  "file holding the signing secret (one trailing newline is ignored)");
  if (int code = candor::core::ParseOrExit(flags, argc, argv); code >= 0) return code;

  if (!flags.positional().empty()) {
    return Fail(kBadUsage, "unexpected argument '" + flags.positional().front() + "'");
  }
  if (subject.empty()) return Fail(kBadUsage, "--sub is required (see --help)");
  if (subject.size() > kMaxSubjectBytes) {
    return Fail(kBadUsage, "--sub must be at most 128 bytes");
  }
  if (!candor::auth::ParseRole(role)) {
    return Fail(kBadUsage, "--role must be customer, moderator or service, got '" + role + "'");
  }

  std::string secret;
  if (!secret_file.empty()) {
    if (!ReadSecretFile(secret_file, &secret)) {
      return Fail(kFailed, "cannot read --secret-file " + secret_file);
    }
  } else if (const char* env = std::getenv("CANDOR_JWT_SECRET"); env != nullptr) {
    secret = env;
  } else {
    return Fail(kBadUsage, "no secret: set CANDOR_JWT_SECRET or pass --secret-file PATH");
  }
  if (secret.size() < candor::auth::kMinSecretBytes) {
    return Fail(kBadUsage, "the secret is " + std::to_string(secret.size()) +
                               " bytes; HS256 needs at least 32 (RFC 7518), and the gateway "
                               "refuses shorter ones (try `openssl rand -hex 32`)");
  }
  if (issuer.empty()) return Fail(kBadUsage, "--iss must not be empty");
  std::vector<std::string> audiences = absl::StrSplit(audience, ',', absl::SkipEmpty());
  if (audiences.empty()) return Fail(kBadUsage, "--aud must name at least one audience");
  std::optional<int64_t> nbf;
  if (!ParseOptionalInt(nbf_s, -kTenYears, kTenYears, &nbf)) {
    return Fail(kBadUsage, "--nbf must be whole seconds within ten years of now");
  }
  std::optional<int64_t> acct_created;
  if (!ParseOptionalInt(acct_created_s, 0, 253402300799, &acct_created)) {
    return Fail(kBadUsage, "--acct-created must be whole Unix seconds (0..253402300799)");
  }

  absl::Time now = absl::Now();
  candor::auth::Claims claims{subject, role, now + absl::Seconds(ttl_s)};
  claims.issuer = issuer;
  claims.audience = audiences;
  claims.issued_at = now + absl::Seconds(iat_s);
  if (nbf) claims.not_before = now + absl::Seconds(*nbf);
  if (acct_created) claims.account_created = absl::FromUnixSeconds(*acct_created);
  // Minted anyway (tests want such tokens), but say why the gateway will refuse it.
  if (absl::Seconds(ttl_s - iat_s) > absl::Hours(24)) {
    std::cerr << "candor-token: note: this token lives longer than 24 h, which the gateway "
                 "refuses by default (--jwt-max-lifetime-s)\n";
  }
  std::cout << candor::auth::MintHs256(claims, secret, now) << "\n";
  return 0;
}
