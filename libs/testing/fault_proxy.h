#pragma once

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "libs/testing/loopback.h"

namespace candor::testing {

// A TCP proxy on loopback (port 0) in front of a real server, for the network faults a test cannot
// get from the server itself. Modes:
//  - kForward: both ways unchanged.
//  - kDropReplies: a request still reaches the server and runs there, but the connection is cut
//    the moment the reply comes back, so the client never learns the outcome ("the connection
//    dropped after the script ran").
//  - kCutRequests: the connection is cut as a request arrives; nothing reaches the server.
// Thread-safe; one thread per proxied connection.
class FaultProxy {
 public:
  // `upstream_port` is the real server's port on 127.0.0.1.
  explicit FaultProxy(int upstream_port);
  ~FaultProxy();
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  enum class Mode { kForward, kDropReplies, kCutRequests };

  std::string address() const { return listener_.address(); }
  void SetMode(Mode mode) { mode_ = mode; }
  // Connections cut by a fault so far.
  int cut() const { return cut_.load(); }

 private:
  void Connect(int client);
  void Pump(int client, int server);

  int upstream_port_;
  std::atomic<bool> stop_{false};
  std::atomic<Mode> mode_{Mode::kForward};
  std::atomic<int> cut_{0};
  std::mutex mu_;
  std::vector<std::thread> pumps_;
  LoopbackListener listener_;  // stopped first by the destructor: no pump starts after
};

}  // namespace candor::testing
