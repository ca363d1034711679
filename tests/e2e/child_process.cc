#include "tests/e2e/child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>

#include "libs/testing/wait.h"

namespace candor::e2e {

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && Running()) Stop(SIGKILL, 5000);
}

bool ChildProcess::Start(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                         const std::string& log_path) {
  status_.reset();  // a restart after a crash starts a new life
  pid_ = fork();
  if (pid_ < 0) return false;
  if (pid_ == 0) {
    int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
      close(fd);
    }
    for (const std::string& kv : env) putenv(const_cast<char*>(kv.c_str()));
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    std::perror("execv");
    _exit(127);
  }
  return true;
}

bool ChildProcess::Running() {
  if (status_.has_value() || pid_ <= 0) return false;
  int st = 0;
  pid_t r = waitpid(pid_, &st, WNOHANG);
  if (r == pid_) {
    status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    return false;
  }
  return true;
}

std::optional<int> ChildProcess::Stop(int sig, int timeout_ms) {
  if (!Running()) return status_;
  kill(pid_, sig);
  // waitpid has no timeout: poll the child's state until it has exited.
  if (!testing::WaitUntil([&] { return !Running(); }, absl::Milliseconds(timeout_ms),
                          absl::Milliseconds(20))) {
    return std::nullopt;
  }
  return status_;
}

int RunCommand(const std::string& command, std::string* out) {
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return -1;
  std::array<char, 4096> buf;
  size_t n = 0;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) {
    if (out != nullptr) out->append(buf.data(), n);
  }
  int st = pclose(pipe);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

}  // namespace candor::e2e
