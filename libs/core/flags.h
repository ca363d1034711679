#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace candor::core {

// A typed command-line / environment settings parser shared by every binary, so each one gets
// the same `--help`, the same precedence (flag > environment > default) and the same strict
// validation (unknown flags and out-of-range values fail startup with a message naming them).
//
// Register settings with the Add* calls (targets must outlive Parse), then call Parse once.
// Not thread-safe; use it from main before starting threads.
class Flags {
 public:
  Flags(std::string program, std::string summary);

  // `name` is the flag without dashes ("redis-addr"); `env` the environment variable
  // ("CANDOR_REDIS_ADDR") or empty for none. The target's current value is the default.
  void AddString(std::string name, std::string env, std::string* target, std::string help);
  void AddInt(std::string name, std::string env, int64_t* target, std::string help, int64_t min,
              int64_t max);
  void AddDouble(std::string name, std::string env, double* target, std::string help, double min,
                 double max);
  void AddBool(std::string name, std::string env, bool* target, std::string help);

  // Parses argv and the environment. Positional arguments are collected into positional().
  // Returns InvalidArgument naming the flag on an unknown flag or bad value. `--help` / `-h`
  // sets help_requested() and returns OK without touching other values.
  absl::Status Parse(int argc, char** argv);

  bool help_requested() const { return help_requested_; }
  const std::vector<std::string>& positional() const { return positional_; }

  // The usage text: summary, then every setting with its environment variable and default.
  std::string Usage() const;

 private:
  struct Entry {
    std::string name;
    std::string env;
    std::string help;
    std::string default_text;
    bool is_bool = false;
    std::function<absl::Status(const std::string&)> set;
  };
  void Add(Entry entry);

  std::string program_;
  std::string summary_;
  std::vector<Entry> entries_;
  std::vector<std::string> positional_;
  bool help_requested_ = false;
};

// Standard main() tail: parses, prints usage on --help (exit 0) or the error plus a hint
// (exit 2). Returns -1 when the program should go on.
int ParseOrExit(Flags& flags, int argc, char** argv);

}  // namespace candor::core
