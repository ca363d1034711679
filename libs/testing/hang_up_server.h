#pragma once

#include <atomic>
#include <string>
#include <thread>

namespace candor::testing {

// A listening TCP socket on 127.0.0.1 at a port the kernel picks; returns its fd and stores the
// port in `*port`. Fails the test (gtest EXPECT) when the kernel refuses.
int ListenOnLoopback(int* port);

// A "Redis" on loopback that answers the first command of every connection with +PONG and then
// hangs up: enough for a client's Connect to succeed and for every later command on that
// connection to fail. For tests of how clients behave when Redis goes away.
class HangUpServer {
 public:
  HangUpServer();
  ~HangUpServer();
  HangUpServer(const HangUpServer&) = delete;
  HangUpServer& operator=(const HangUpServer&) = delete;

  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  // Connections accepted so far.
  int accepted() const { return accepted_.load(); }

 private:
  void Serve();

  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> accepted_{0};
  std::thread thread_;
};

}  // namespace candor::testing
