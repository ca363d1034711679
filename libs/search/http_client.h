#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace candor::search {

// What an HTTP server answered: any status, 2xx or not (the caller reads the body of an error).
struct HttpResponse {
  long status = 0;  // NOLINT(google-runtime-int): libcurl's type for the response code
  std::string body;
};

// A small blocking HTTP/1.1 client on libcurl (Debian libcurl4-openssl-dev) for one server's
// REST API (Elasticsearch / OpenSearch). Keeps up to `connections` easy handles, each with its
// connection kept alive between requests, so concurrent callers do not queue behind one socket
// and a steady caller does not reconnect for every request. Thread-safe.
//
// Errors: a transport failure (connection refused, name not resolved, timeout, connection reset)
// is UNAVAILABLE naming the method, the URL (without credentials) and libcurl's reason; an HTTP
// error status is not an error here (see HttpResponse).
class HttpClient {
 public:
  struct Options {
    // "http://host:port" or "https://host:port", optionally with user:password@ and a path
    // prefix; requests append their path to it.
    std::string base_url;
    absl::Duration connect_timeout = absl::Seconds(2);
    absl::Duration request_timeout = absl::Seconds(10);
    int connections = 4;
  };

  // INVALID_ARGUMENT naming the URL when it is not an absolute http(s) URL with a host, or has a
  // query or fragment.
  static absl::StatusOr<std::unique_ptr<HttpClient>> Create(Options options);
  // Create's check of a base URL alone (for configuration checks at startup).
  static absl::Status ValidateBaseUrl(const std::string& base_url);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // `method` "GET", "PUT", "POST", "DELETE" or "HEAD"; `path` starts with '/'. A non-empty
  // `body` is sent with `content_type`.
  absl::StatusOr<HttpResponse> Send(absl::string_view method, absl::string_view path,
                                    absl::string_view body = {},
                                    absl::string_view content_type = "application/json");

  // The base URL without user:password, for messages.
  const std::string& display_url() const { return display_url_; }

 private:
  HttpClient(Options options, std::string base, std::string display);

  void* Acquire();  // a CURL* easy handle
  void Release(void* handle);

  const Options options_;
  const std::string base_;  // without a trailing '/'
  const std::string display_url_;
  std::mutex mu_;
  std::vector<void*> free_;  // idle easy handles, their connections kept alive
};

}  // namespace candor::search
