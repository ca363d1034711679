#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace candor::e2e {

// A service binary run as a real child process for end-to-end tests, stdout and stderr appended
// to a log file. Killed (SIGKILL) on destruction if still running. Not thread-safe.
class ChildProcess {
 public:
  ChildProcess() = default;
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // `env` entries ("K=V") are added to the current environment. Returns false if fork fails.
  bool Start(const std::vector<std::string>& argv, const std::vector<std::string>& env,
             const std::string& log_path);
  bool Running();
  // Sends `sig`, waits up to `timeout_ms` for exit; returns the exit code (128 + the signal's
  // number when a signal ended it), or nullopt if the process did not exit in time.
  std::optional<int> Stop(int sig, int timeout_ms);
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  std::optional<int> status_;
};

// Runs a shell command, returns its exit code and (optionally) its stdout.
int RunCommand(const std::string& command, std::string* out = nullptr);

}  // namespace candor::e2e
