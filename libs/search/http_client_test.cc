#include "libs/search/http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"

namespace candor::search {
namespace {

// A loopback HTTP/1.1 server on a free port that answers every request with one status and
// body and keeps connections open, so the tests see what the client sends and how many
// connections it opens. `silent` reads requests and never answers (timeouts).
class LoopbackServer {
 public:
  LoopbackServer(int status, std::string body, bool silent = false)
      : status_(status), body_(std::move(body)), silent_(silent) {
    listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    EXPECT_EQ(bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    EXPECT_EQ(listen(listen_fd_, 16), 0);
    socklen_t len = sizeof(addr);
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { AcceptLoop(); });
  }
  ~LoopbackServer() {
    stopping_ = true;
    shutdown(listen_fd_, SHUT_RDWR);
    acceptor_.join();
    close(listen_fd_);
    {
      std::lock_guard lock(mu_);
      for (int fd : client_fds_) shutdown(fd, SHUT_RDWR);
    }
    for (std::thread& t : handlers_) t.join();
    for (int fd : client_fds_) close(fd);
  }

  std::string url() const { return absl::StrCat("http://127.0.0.1:", port_); }
  int connections() {
    std::lock_guard lock(mu_);
    return static_cast<int>(client_fds_.size());
  }
  std::vector<std::string> requests() {
    std::lock_guard lock(mu_);
    return requests_;
  }

 private:
  void AcceptLoop() {
    while (!stopping_) {
      const int fd = accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) return;
      std::lock_guard lock(mu_);
      client_fds_.push_back(fd);
      handlers_.emplace_back([this, fd] { Serve(fd); });
    }
  }

  void Serve(int fd) {
    std::string buffer;
    char chunk[4096];
    for (;;) {
      size_t head_end;
      while ((head_end = buffer.find("\r\n\r\n")) == std::string::npos) {
        const ssize_t n = read(fd, chunk, sizeof(chunk));
        if (n <= 0) return;
        buffer.append(chunk, static_cast<size_t>(n));
      }
      size_t length = 0;
      for (absl::string_view line : absl::StrSplit(buffer.substr(0, head_end), "\r\n")) {
        std::pair<std::string, std::string> kv = absl::StrSplit(line, absl::MaxSplits(':', 1));
        if (absl::AsciiStrToLower(kv.first) == "content-length") {
          (void)absl::SimpleAtoi(absl::StripAsciiWhitespace(kv.second), &length);
        }
      }
      while (buffer.size() < head_end + 4 + length) {
        const ssize_t n = read(fd, chunk, sizeof(chunk));
        if (n <= 0) return;
        buffer.append(chunk, static_cast<size_t>(n));
      }
      {
        std::lock_guard lock(mu_);
        requests_.push_back(buffer.substr(0, head_end + 4 + length));
      }
      buffer.erase(0, head_end + 4 + length);
      if (silent_) continue;
      const std::string response =
          absl::StrCat("HTTP/1.1 ", status_, " X\r\nContent-Type: application/json\r\n",
                       "Content-Length: ", body_.size(), "\r\n\r\n", body_);
      if (write(fd, response.data(), response.size()) < 0) return;
    }
  }

  const int status_;
  const std::string body_;
  const bool silent_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;
  std::mutex mu_;
  std::vector<int> client_fds_;
  std::vector<std::thread> handlers_;
  std::vector<std::string> requests_;
};

// A loopback port nothing listens on: bound, then closed.
int RefusedPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

TEST(HttpClientTest, RefusesUrlsThatAreNotAbsoluteHttp) {
  for (const char* bad : {"", "localhost:9200", "127.0.0.1:9200", "ftp://h:21", "http://",
                          "http://h:9200/?pretty", "http://h:9200/#x", "http://h:99999"}) {
    absl::Status s = HttpClient::ValidateBaseUrl(bad);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << bad << ": " << s;
    EXPECT_TRUE(absl::StartsWith(s.message(), absl::StrCat("URL '", bad, "'"))) << s;
  }
  for (const char* good :
       {"http://127.0.0.1:9200", "https://es.example:443/prefix/", "http://user:secret@es:9200"}) {
    EXPECT_TRUE(HttpClient::ValidateBaseUrl(good).ok()) << good;
  }
  auto client = HttpClient::Create({.base_url = "http://user:secret@es:9200/"});
  ASSERT_TRUE(client.ok());
  EXPECT_EQ((*client)->display_url(), "http://es:9200");  // no credentials in messages
}

TEST(HttpClientTest, ConnectionRefusedIsUnavailableNamingTheUrl) {
  const std::string url = absl::StrCat("http://127.0.0.1:", RefusedPort());
  auto client = HttpClient::Create({.base_url = url});
  ASSERT_TRUE(client.ok()) << client.status();
  absl::StatusOr<HttpResponse> r = (*client)->Send("GET", "/_cluster/health");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable) << r.status();
  EXPECT_NE(r.status().message().find(url + "/_cluster/health"), std::string::npos) << r.status();
}

TEST(HttpClientTest, SendsBodiesKeepsTheConnectionAliveAndReturnsErrorAnswers) {
  LoopbackServer server(404, R"({"error":{"type":"index_not_found_exception"}})");
  auto client = HttpClient::Create({.base_url = server.url() + "/prefix"});
  ASSERT_TRUE(client.ok()) << client.status();
  for (int i = 0; i < 3; ++i) {
    absl::StatusOr<HttpResponse> r =
        (*client)->Send("POST", "/reviews/_bulk", "{\"index\":{}}\n{}\n", "application/x-ndjson");
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->status, 404);  // an HTTP error is an answer, not a transport error
    EXPECT_EQ(r->body, R"({"error":{"type":"index_not_found_exception"}})");
  }
  EXPECT_EQ(server.connections(), 1);  // keep-alive: one connection for three requests
  const std::vector<std::string> requests = server.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_TRUE(requests[0].starts_with("POST /prefix/reviews/_bulk HTTP/1.1\r\n")) << requests[0];
  EXPECT_NE(requests[0].find("Content-Type: application/x-ndjson\r\n"), std::string::npos);
  EXPECT_TRUE(requests[0].ends_with("\r\n\r\n{\"index\":{}}\n{}\n")) << requests[0];
  absl::StatusOr<HttpResponse> del = (*client)->Send("DELETE", "/reviews");
  ASSERT_TRUE(del.ok()) << del.status();
  EXPECT_TRUE(server.requests().back().starts_with("DELETE /prefix/reviews HTTP/1.1"));
}

TEST(HttpClientTest, ASilentServerTimesOutAsUnavailable) {
  LoopbackServer server(200, "{}", /*silent=*/true);
  auto client = HttpClient::Create(
      {.base_url = server.url(), .request_timeout = absl::Milliseconds(300), .connections = 1});
  ASSERT_TRUE(client.ok()) << client.status();
  absl::StatusOr<HttpResponse> r = (*client)->Send("GET", "/");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable) << r.status();
  EXPECT_NE(r.status().message().find("timed out"), std::string::npos) << r.status();
}

TEST(HttpClientTest, ConcurrentCallersEachGetAConnection) {
  LoopbackServer server(200, R"({"ok":true})");
  auto client = HttpClient::Create({.base_url = server.url(), .connections = 2});
  ASSERT_TRUE(client.ok()) << client.status();
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 25; ++i) {
        absl::StatusOr<HttpResponse> r = (*client)->Send("GET", "/");
        if (r.ok() && r->status == 200 && r->body == R"({"ok":true})") ++ok;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(ok.load(), 100);
  EXPECT_EQ(server.requests().size(), 100u);
}

}  // namespace
}  // namespace candor::search
