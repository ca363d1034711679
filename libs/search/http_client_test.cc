#include "libs/search/http_client.h"

#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "libs/search/http_testing.h"
#include "libs/testing/loopback.h"

namespace candor::search {
namespace {

using candor::testing::LoopbackHttpServer;
using candor::testing::ReceivedRequest;

LoopbackHttpServer::Answer Always(int status, std::string body) {
  return [status, body = std::move(body)](const ReceivedRequest&) {
    return std::make_pair(status, body);
  };
}

// A loopback port nothing listens on: listened on, then closed.
int RefusedPort() {
  int port = 0;
  close(candor::testing::ListenOnLoopback(&port));
  return port;
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
  LoopbackHttpServer server(Always(404, R"({"error":{"type":"index_not_found_exception"}})"));
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
  const std::vector<ReceivedRequest> requests = server.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_TRUE(requests[0].raw.starts_with("POST /prefix/reviews/_bulk HTTP/1.1\r\n"))
      << requests[0].raw;
  EXPECT_EQ(requests[0].content_type, "application/x-ndjson");
  EXPECT_EQ(requests[0].body, "{\"index\":{}}\n{}\n");
  EXPECT_EQ(requests[0].raw.find("Expect:"), std::string::npos);  // no 100-continue round trip
  absl::StatusOr<HttpResponse> del = (*client)->Send("DELETE", "/reviews");
  ASSERT_TRUE(del.ok()) << del.status();
  EXPECT_EQ(server.requests().back().method, "DELETE");
  EXPECT_EQ(server.requests().back().target, "/prefix/reviews");
}

TEST(HttpClientTest, ASilentServerTimesOutAsUnavailable) {
  LoopbackHttpServer server(Always(200, "{}"), /*silent=*/true);
  auto client = HttpClient::Create(
      {.base_url = server.url(), .request_timeout = absl::Milliseconds(300), .connections = 1});
  ASSERT_TRUE(client.ok()) << client.status();
  absl::StatusOr<HttpResponse> r = (*client)->Send("GET", "/");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable) << r.status();
  EXPECT_NE(r.status().message().find("timed out"), std::string::npos) << r.status();
}

TEST(HttpClientTest, ConcurrentCallersEachGetAConnection) {
  LoopbackHttpServer server(Always(200, R"({"ok":true})"));
  auto client = HttpClient::Create({.base_url = server.url(), .connections = 2});
  ASSERT_TRUE(client.ok()) << client.status();
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  threads.reserve(4);
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
