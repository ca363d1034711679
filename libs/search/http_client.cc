#include "libs/search/http_client.h"

#include <curl/curl.h>

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace candor::search {
namespace {

// curl_global_init is not thread-safe: once per process, before the first handle.
void GlobalInit() {
  static const CURLcode kInit = curl_global_init(CURL_GLOBAL_DEFAULT);
  (void)kInit;
}

size_t AppendBody(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

// Frees a CURLU on every path out of Create.
struct UrlDeleter {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};

std::string Part(CURLU* url, CURLUPart part) {
  char* value = nullptr;
  if (curl_url_get(url, part, &value, 0) != CURLUE_OK || value == nullptr) return "";
  std::string out(value);
  curl_free(value);
  return out;
}

// The URL's parts when it is a base URL Create takes.
absl::StatusOr<std::unique_ptr<CURLU, UrlDeleter>> ParseBaseUrl(const std::string& base_url) {
  auto bad = [&](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat("URL '", base_url, "': ", why));
  };
  if (base_url.empty()) return bad("empty (expected http://host:port)");
  std::unique_ptr<CURLU, UrlDeleter> url(curl_url());
  // No default scheme: "localhost:9200" is refused rather than guessed.
  if (CURLUcode rc = curl_url_set(url.get(), CURLUPART_URL, base_url.c_str(), 0); rc != CURLUE_OK) {
    return bad(absl::StrCat("not an absolute URL (", curl_url_strerror(rc),
                            "); expected http://host:port"));
  }
  const std::string scheme = absl::AsciiStrToLower(Part(url.get(), CURLUPART_SCHEME));
  if (scheme != "http" && scheme != "https") {
    return bad(absl::StrCat("scheme '", scheme, "' is not http or https"));
  }
  if (Part(url.get(), CURLUPART_HOST).empty()) return bad("no host");
  if (!Part(url.get(), CURLUPART_QUERY).empty() || !Part(url.get(), CURLUPART_FRAGMENT).empty()) {
    return bad("a base URL takes no ?query or #fragment");
  }
  return url;
}

}  // namespace

absl::Status HttpClient::ValidateBaseUrl(const std::string& base_url) {
  GlobalInit();
  return ParseBaseUrl(base_url).status();
}

absl::StatusOr<std::unique_ptr<HttpClient>> HttpClient::Create(Options options) {
  GlobalInit();
  if (options.connections < 1) {
    return absl::InvalidArgumentError("HttpClient: at least one connection");
  }
  absl::StatusOr<std::unique_ptr<CURLU, UrlDeleter>> parsed = ParseBaseUrl(options.base_url);
  if (!parsed.ok()) return parsed.status();
  std::unique_ptr<CURLU, UrlDeleter> url = *std::move(parsed);
  std::string base = Part(url.get(), CURLUPART_URL);
  while (!base.empty() && base.back() == '/') base.pop_back();
  curl_url_set(url.get(), CURLUPART_USER, nullptr, 0);
  curl_url_set(url.get(), CURLUPART_PASSWORD, nullptr, 0);
  std::string display = Part(url.get(), CURLUPART_URL);
  while (!display.empty() && display.back() == '/') display.pop_back();
  return std::unique_ptr<HttpClient>(
      new HttpClient(std::move(options), std::move(base), std::move(display)));
}

HttpClient::HttpClient(Options options, std::string base, std::string display)
    : options_(std::move(options)), base_(std::move(base)), display_url_(std::move(display)) {}

HttpClient::~HttpClient() {
  for (void* h : free_) curl_easy_cleanup(static_cast<CURL*>(h));
}

void* HttpClient::Acquire() {
  {
    std::lock_guard lock(mu_);
    if (!free_.empty()) {
      void* h = free_.back();
      free_.pop_back();
      return h;
    }
  }
  return curl_easy_init();
}

void HttpClient::Release(void* handle) {
  std::lock_guard lock(mu_);
  if (free_.size() < static_cast<size_t>(options_.connections)) {
    free_.push_back(handle);
    return;
  }
  curl_easy_cleanup(static_cast<CURL*>(handle));  // more callers than kept connections
}

absl::StatusOr<HttpResponse> HttpClient::Send(absl::string_view method, absl::string_view path,
                                              absl::string_view body,
                                              absl::string_view content_type) {
  CURL* curl = static_cast<CURL*>(Acquire());
  if (curl == nullptr) return absl::ResourceExhaustedError("libcurl: cannot create a handle");
  // A handle keeps its connection (keep-alive) across resets; only the options start afresh.
  curl_easy_reset(curl);
  const std::string url = absl::StrCat(base_, path);
  const std::string method_string(method);
  HttpResponse response;
  char error[CURL_ERROR_SIZE] = {0};
  curl_slist* headers = nullptr;
  const std::string content_header = absl::StrCat("Content-Type: ", content_type);
  if (!body.empty()) headers = curl_slist_append(headers, content_header.c_str());
  // Elasticsearch answers 100-continue; waiting for it costs a round trip per large bulk.
  headers = curl_slist_append(headers, "Expect:");

  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);  // timeouts without SIGALRM: threads
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(absl::ToInt64Milliseconds(options_.connect_timeout)));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(absl::ToInt64Milliseconds(options_.request_timeout)));
  curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &AppendBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response.body);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");  // whatever libcurl can decode
  if (method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (method != "GET" || !body.empty()) {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method_string.c_str());
  }
  if (!body.empty() || method == "POST" || method == "PUT") {
    // Content-Length: 0 for a POST without a body (_refresh): proxies may refuse one without.
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.empty() ? "" : body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  }
  const CURLcode rc = curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  curl_slist_free_all(headers);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);  // `error` is about to go out of scope
  if (rc != CURLE_OK) {
    // The connection may be broken: do not keep it.
    curl_easy_cleanup(curl);
    return absl::UnavailableError(absl::StrCat(method, " ", display_url_, path, ": ",
                                               error[0] != '\0' ? error : curl_easy_strerror(rc)));
  }
  Release(curl);
  return response;
}

}  // namespace candor::search
