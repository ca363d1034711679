#include "tests/e2e/e2e_env.h"

#include <unistd.h>

#include <cstdlib>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "libs/auth/jwt.h"
#include "libs/testing/loopback.h"

namespace candor::e2e {

std::string Bearer(const std::string& subject, const std::string& role) {
  return "Bearer " +
         auth::MintHs256({subject, role, absl::Now() + absl::Hours(1)}, kJwtSecret, absl::Now());
}

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr) {
    ADD_FAILURE() << "$" << name << " not set (run through ctest)";
    return "";
  }
  return v;
}

std::string Exported(const std::string& exports, absl::string_view name) {
  const std::string prefix = absl::StrCat("export ", name, "=");
  for (absl::string_view line : absl::StrSplit(exports, '\n')) {
    if (absl::StartsWith(line, prefix)) return std::string(line.substr(prefix.size()));
  }
  return "";
}

std::string StackCommand(const std::string& dir) {
  return absl::StrCat(Env("CANDOR_STACK_SH"), " --dir ", dir,
                      " --redis-port auto --pg-port auto --kafka-port auto --dev-kafka ",
                      Env("CANDOR_DEV_KAFKA_BIN"));
}

int FreePort() {
  int port = 0;
  close(testing::ListenOnLoopback(&port));
  return port;
}

}  // namespace candor::e2e
