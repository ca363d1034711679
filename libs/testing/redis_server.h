#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace candor::testing {

// A private redis-server (from $PATH) on a free loopback port in a fresh temporary directory,
// for tests that freeze, kill or restart Redis without disturbing the shared stack. Started by
// the constructor, which waits until it answers PING and fails the test (gtest ADD_FAILURE) when
// it does not within a few seconds; killed (SIGKILL) and its directory removed by the
// destructor. `extra_args` are appended to the command line ("--appendonly", "yes", ...).
// Not thread-safe: drive it from the test's thread.
class RedisServer {
 public:
  explicit RedisServer(std::vector<std::string> extra_args = {});
  ~RedisServer();
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  std::string dir() const { return dir_; }
  pid_t pid() const { return pid_; }

  // SIGSTOP: the server keeps its listening socket (the kernel still accepts connections) but
  // answers nothing, the "blackhole" a hung or paused Redis looks like to its clients.
  void Freeze();
  // SIGCONT after Freeze.
  void Thaw();
  // SIGKILL and reap: whatever was not yet written to disk is lost.
  void Kill();
  // Starts the server again on the same port and directory (it loads what is on disk) and waits
  // until it answers. Kills it first if it runs.
  void Restart();

 private:
  void Spawn();
  bool AnswersPing() const;

  std::vector<std::string> extra_args_;
  std::string dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace candor::testing
