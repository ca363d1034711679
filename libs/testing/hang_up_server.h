#pragma once

#include <atomic>
#include <string>

#include "libs/testing/loopback.h"

namespace candor::testing {

// A "Redis" on loopback that answers the first command of every connection with +PONG and then
// hangs up: enough for a client's Connect to succeed and for every later command on that
// connection to fail. For tests of how clients behave when Redis goes away.
class HangUpServer {
 public:
  HangUpServer() : listener_([this](int c) { Serve(c); }) {}

  std::string address() const { return listener_.address(); }
  // Connections accepted so far.
  int accepted() const { return accepted_.load(); }

 private:
  void Serve(int connection);

  std::atomic<int> accepted_{0};
  LoopbackListener listener_;  // last: its thread stops before the counter goes
};

}  // namespace candor::testing
