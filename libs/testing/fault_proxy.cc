#include "libs/testing/fault_proxy.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gtest/gtest.h"

namespace candor::testing {

FaultProxy::FaultProxy(int upstream_port)
    : upstream_port_(upstream_port), listener_([this](int client) { Connect(client); }) {}

FaultProxy::~FaultProxy() {
  stop_ = true;
  listener_.Stop();
  std::lock_guard lock(mu_);
  for (std::thread& t : pumps_) t.join();
}

void FaultProxy::Connect(int client) {
  int server = ConnectToLoopback(upstream_port_);
  if (server < 0) {
    close(client);
    return;
  }
  int one = 1;
  setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  setsockopt(server, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  std::lock_guard lock(mu_);
  pumps_.emplace_back([this, client, server] { Pump(client, server); });
}

void FaultProxy::Pump(int client, int server) {
  char buf[16384];
  while (!stop_) {
    pollfd p[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
    if (poll(p, 2, 20) <= 0) continue;
    if ((p[0].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
      ssize_t n = read(client, buf, sizeof(buf));
      if (n <= 0) break;
      if (mode_ == Mode::kCutRequests) {
        ++cut_;
        break;  // the request never reaches the server
      }
      if (write(server, buf, static_cast<size_t>(n)) != n) break;
    }
    if ((p[1].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
      ssize_t n = read(server, buf, sizeof(buf));
      if (n <= 0) break;
      if (mode_ == Mode::kDropReplies) {
        ++cut_;
        break;  // the request ran; its reply never reaches the client
      }
      if (write(client, buf, static_cast<size_t>(n)) != n) break;
    }
  }
  close(client);
  close(server);
}

}  // namespace candor::testing
