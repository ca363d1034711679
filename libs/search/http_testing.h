#pragma once

#include <sys/socket.h>
#include <unistd.h>

#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "libs/testing/loopback.h"

namespace candor::testing {

// One HTTP request as a LoopbackHttpServer received it.
struct ReceivedRequest {
  std::string method;
  std::string target;  // path and query
  std::string content_type;
  std::string body;
  std::string raw;  // the request line, headers and body as sent
};

// A loopback HTTP/1.1 server (LoopbackListener: a port the kernel picks) for the HTTP client's
// tests: `answer` decides each response (status, JSON body); connections are kept open, so a
// test sees how many the client opens. With `silent`, requests are read and never answered
// (timeouts). Test-only.
class LoopbackHttpServer {
 public:
  using Answer = std::function<std::pair<int, std::string>(const ReceivedRequest&)>;

  explicit LoopbackHttpServer(Answer answer, bool silent = false)
      : answer_(std::move(answer)), silent_(silent) {}
  ~LoopbackHttpServer() {
    listener_.Stop();
    {
      std::lock_guard lock(mu_);
      for (int fd : client_fds_) shutdown(fd, SHUT_RDWR);
    }
    for (std::thread& t : handlers_) t.join();
    for (int fd : client_fds_) close(fd);
  }
  LoopbackHttpServer(const LoopbackHttpServer&) = delete;
  LoopbackHttpServer& operator=(const LoopbackHttpServer&) = delete;

  std::string url() const { return absl::StrCat("http://", listener_.address()); }
  int connections() {
    std::lock_guard lock(mu_);
    return static_cast<int>(client_fds_.size());
  }
  std::vector<ReceivedRequest> requests() {
    std::lock_guard lock(mu_);
    return requests_;
  }

 private:
  // Each connection is served on a thread of its own, so concurrent clients are not serialised.
  void OnAccept(int fd) {
    std::lock_guard lock(mu_);
    client_fds_.push_back(fd);
    handlers_.emplace_back([this, fd] { Serve(fd); });
  }

  void Serve(int fd) {
    std::string buffer;
    char chunk[4096];
    for (;;) {
      size_t head_end = 0;
      while ((head_end = buffer.find("\r\n\r\n")) == std::string::npos) {
        const ssize_t n = read(fd, chunk, sizeof(chunk));
        if (n <= 0) return;
        buffer.append(chunk, static_cast<size_t>(n));
      }
      ReceivedRequest request;
      size_t length = 0;
      bool first = true;
      for (absl::string_view line : absl::StrSplit(buffer.substr(0, head_end), "\r\n")) {
        if (first) {
          std::vector<std::string> parts = absl::StrSplit(line, ' ');
          if (parts.size() >= 2) {
            request.method = parts[0];
            request.target = parts[1];
          }
          first = false;
          continue;
        }
        std::pair<std::string, std::string> kv = absl::StrSplit(line, absl::MaxSplits(':', 1));
        const std::string name = absl::AsciiStrToLower(kv.first);
        const std::string value(absl::StripAsciiWhitespace(kv.second));
        if (name == "content-length") (void)absl::SimpleAtoi(value, &length);
        if (name == "content-type") request.content_type = value;
      }
      while (buffer.size() < head_end + 4 + length) {
        const ssize_t n = read(fd, chunk, sizeof(chunk));
        if (n <= 0) return;
        buffer.append(chunk, static_cast<size_t>(n));
      }
      request.raw = buffer.substr(0, head_end + 4 + length);
      request.body = buffer.substr(head_end + 4, length);
      buffer.erase(0, head_end + 4 + length);
      {
        std::lock_guard lock(mu_);
        requests_.push_back(request);
      }
      if (silent_) continue;
      const auto [status, body] = answer_(request);
      const std::string response =
          absl::StrCat("HTTP/1.1 ", status, " X\r\nContent-Type: application/json\r\n",
                       "Content-Length: ", body.size(), "\r\n\r\n", body);
      if (write(fd, response.data(), response.size()) < 0) return;
    }
  }

  const Answer answer_;
  const bool silent_;
  std::mutex mu_;
  std::vector<int> client_fds_;
  std::vector<std::thread> handlers_;
  std::vector<ReceivedRequest> requests_;
  LoopbackListener listener_{[this](int fd) { OnAccept(fd); }};  // last: accepts into the above
};

}  // namespace candor::testing
