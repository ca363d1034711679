#pragma once

#include <string>

#include "absl/strings/string_view.h"

namespace candor::e2e {

// The token secret the end-to-end tests give their services ($CANDOR_JWT_SECRET) and sign with.
inline constexpr char kJwtSecret[] = "e2e-secret-0123456789abcdef0123456789";

// "Bearer <token>": `subject` in `role`, valid for an hour, signed with kJwtSecret.
std::string Bearer(const std::string& subject, const std::string& role);

// The value of $`name`, set by ctest (tests/CMakeLists.txt); empty and a test failure when unset.
std::string Env(const char* name);

// The value of `export NAME=value` in the output of `stack.sh up`; empty when absent.
std::string Exported(const std::string& exports, absl::string_view name);

// `stack.sh` ($CANDOR_STACK_SH) for a test's own stack in `dir` on free ports (`auto`, picked on
// `up`) with the dev Kafka ($CANDOR_DEV_KAFKA_BIN), so two build trees can run at once. Append
// `up` or `down ...`.
std::string StackCommand(const std::string& dir);

// A loopback port nothing listened on a moment ago.
int FreePort();

}  // namespace candor::e2e
