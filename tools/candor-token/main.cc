// candor-token: mints an HS256 JWT for local use (curl/grpcurl, tests, demos).
//
// The secret comes from $CANDOR_JWT_SECRET or --secret-file, never from the command line, where
// it would end up in shell history and in `ps` output for every user of the machine.

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "libs/auth/jwt.h"
#include "libs/core/flags.h"

namespace {

constexpr int kBadUsage = 2;
constexpr int kFailed = 1;
// VerifyHs256 refuses longer subjects.
constexpr size_t kMaxSubjectBytes = 128;

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

  candor::core::Flags flags(
      "candor-token",
      "Mints an HS256 JWT for Candor's gRPC API and prints it on stdout.\n"
      "The signing secret comes from $CANDOR_JWT_SECRET, or from --secret-file (which wins).\n"
      "Example:\n"
      "  grpcurl -H \"authorization: Bearer $(candor-token --sub alice)\" ...");
  flags.AddString("sub", "", &subject, "user id put in the `sub` claim (required)");
  flags.AddString("role", "", &role, "`role` claim: customer or moderator");
  flags.AddInt("ttl", "", &ttl_s,
               "lifetime in seconds; negative mints an already expired token for tests",
               -10LL * 365 * 24 * 3600, 10LL * 365 * 24 * 3600);
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
  if (role != "customer" && role != "moderator") {
    return Fail(kBadUsage, "--role must be customer or moderator, got '" + role + "'");
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
  if (secret.empty()) return Fail(kBadUsage, "the secret is empty");

  absl::Time now = absl::Now();
  candor::auth::Claims claims{subject, role, now + absl::Seconds(ttl_s)};
  std::cout << candor::auth::MintHs256(claims, secret, now) << "\n";
  return 0;
}
