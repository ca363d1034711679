#include "libs/testing/redis_server.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "gtest/gtest.h"
#include "libs/testing/loopback.h"

namespace candor::testing {

RedisServer::RedisServer(std::vector<std::string> extra_args) : extra_args_(std::move(extra_args)) {
  std::string tmpl = (std::filesystem::temp_directory_path() / "candor-redis-XXXXXX").string();
  char* made = mkdtemp(tmpl.data());
  EXPECT_NE(made, nullptr) << "mkdtemp failed";
  dir_ = tmpl;
  // redis-server cannot bind port 0 and report it, so the port is one the kernel just handed out
  // for loopback, free unless another process grabs it in between.
  close(ListenOnLoopback(&port_));
  Spawn();
}

RedisServer::~RedisServer() {
  Kill();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

void RedisServer::Spawn() {
  std::vector<std::string> args = {
      "redis-server", "--port",    std::to_string(port_), "--bind", "127.0.0.1", "--dir", dir_,
      "--logfile",    "redis.log", "--daemonize",         "no",     "--save",    ""};
  args.insert(args.end(), extra_args_.begin(), extra_args_.end());
  pid_ = fork();
  if (pid_ == 0) {
    std::vector<char*> argv;
    argv.reserve(args.size() + 1);
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execvp("redis-server", argv.data());
    _exit(127);
  }
  ASSERT_GT(pid_, 0) << "fork failed";
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!AnswersPing()) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      ADD_FAILURE() << "redis-server exited at startup; see " << dir_ << "/redis.log";
      return;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      ADD_FAILURE() << "redis-server on port " << port_ << " did not answer PING within 10 s";
      return;
    }
    // Polling a process we do not control: there is no event to wait on.
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

bool RedisServer::AnswersPing() const {
  int fd = ConnectToLoopback(port_, /*io_timeout_s=*/1);
  if (fd < 0) return false;
  static constexpr char kPing[] = "PING\r\n";
  char buf[64] = {};
  // "-LOADING" while it reads its files counts as not yet answering.
  const bool ok = write(fd, kPing, sizeof(kPing) - 1) > 0 && read(fd, buf, sizeof(buf) - 1) > 0 &&
                  std::string(buf).rfind("+PONG", 0) == 0;
  close(fd);
  return ok;
}

void RedisServer::Freeze() {
  if (pid_ > 0) kill(pid_, SIGSTOP);
}

void RedisServer::Thaw() {
  if (pid_ > 0) kill(pid_, SIGCONT);
}

void RedisServer::Kill() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

void RedisServer::Restart() {
  Kill();
  Spawn();
}

}  // namespace candor::testing
