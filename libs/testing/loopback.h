#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <thread>

// TCP on 127.0.0.1 for the servers of this library that misbehave on purpose: listen at a port
// the kernel picks, accept on a thread of one's own, connect.
namespace candor::testing {

// A listening TCP socket on 127.0.0.1 at a port the kernel picks; returns its fd and stores the
// port in `*port`. Fails the test (gtest EXPECT) when the kernel refuses.
int ListenOnLoopback(int* port);

// A connected TCP socket to 127.0.0.1:`port`, or -1 when nothing accepts there. `io_timeout`,
// when positive, bounds every read and write on it (SO_RCVTIMEO / SO_SNDTIMEO).
int ConnectToLoopback(int port, int io_timeout_s = 0);

// A listening socket (ListenOnLoopback) and a thread that accepts its connections and hands each
// to `on_accept`, which owns the connection's fd from then on, until Stop. `on_accept` runs on the
// accepting thread, one connection at a time. Not copyable.
class LoopbackListener {
 public:
  explicit LoopbackListener(std::function<void(int fd)> on_accept);
  ~LoopbackListener() { Stop(); }
  LoopbackListener(const LoopbackListener&) = delete;
  LoopbackListener& operator=(const LoopbackListener&) = delete;

  int port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  // Stops accepting (within about 20 ms), joins the thread and closes the socket. Idempotent.
  void Stop();

 private:
  std::function<void(int)> on_accept_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace candor::testing
