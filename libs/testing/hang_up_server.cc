#include "libs/testing/hang_up_server.h"

#include <unistd.h>

#include "gtest/gtest.h"

namespace candor::testing {

void HangUpServer::Serve(int connection) {
  ++accepted_;
  char buf[4096];
  if (read(connection, buf, sizeof(buf)) > 0) {
    static constexpr char kPong[] = "+PONG\r\n";
    EXPECT_GT(write(connection, kPong, sizeof(kPong) - 1), 0);
  }
  close(connection);
}

}  // namespace candor::testing
