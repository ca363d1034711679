#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "libs/core/flags.h"

namespace candor::service {

// Tests only: parses `args` (the arguments after the program's name) with `flags`, as main's
// argv would reach it.
inline absl::Status ParseArgsForTest(core::Flags& flags, std::vector<std::string> args) {
  args.insert(args.begin(), "candor-test");
  std::vector<char*> argv;
  argv.reserve(args.size());
  for (std::string& a : args) argv.push_back(a.data());
  return flags.Parse(static_cast<int>(argv.size()), argv.data());
}

}  // namespace candor::service
