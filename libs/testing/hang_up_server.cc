#include "libs/testing/hang_up_server.h"

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gtest/gtest.h"

namespace candor::testing {

int ListenOnLoopback(int* port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), len), 0);
  EXPECT_EQ(listen(fd, 16), 0);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  *port = ntohs(addr.sin_port);
  return fd;
}

HangUpServer::HangUpServer() {
  fd_ = ListenOnLoopback(&port_);
  thread_ = std::thread([this] { Serve(); });
}

HangUpServer::~HangUpServer() {
  stop_ = true;
  thread_.join();
  close(fd_);
}

void HangUpServer::Serve() {
  while (!stop_) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, 20) <= 0) continue;
    int c = accept(fd_, nullptr, nullptr);
    if (c < 0) continue;
    ++accepted_;
    char buf[4096];
    if (read(c, buf, sizeof(buf)) > 0) {
      static constexpr char kPong[] = "+PONG\r\n";
      EXPECT_GT(write(c, kPong, sizeof(kPong) - 1), 0);
    }
    close(c);
  }
}

}  // namespace candor::testing
