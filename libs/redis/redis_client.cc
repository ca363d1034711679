#include "libs/redis/redis_client.h"

#include <openssl/sha.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace candor::redis {
namespace {

Reply Convert(const redisReply* r) {
  Reply out;
  switch (r->type) {
    case REDIS_REPLY_INTEGER:
      out.type = Reply::Type::kInteger;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_STRING:
      out.type = Reply::Type::kString;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = Reply::Type::kStatus;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ARRAY:
      out.type = Reply::Type::kArray;
      for (size_t i = 0; i < r->elements; ++i) out.elements.push_back(Convert(r->element[i]));
      break;
    default:
      out.type = Reply::Type::kNil;
  }
  return out;
}

std::string Sha1Hex(std::string_view s) {
  unsigned char d[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(s.data()), s.size(), d);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : d) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

}  // namespace

Script::Script(std::string source) : source_(std::move(source)), sha1_(Sha1Hex(source_)) {}

Client::Client(std::string host, int port, int pool_size, absl::Duration timeout)
    : host_(std::move(host)), port_(port), pool_size_(pool_size), timeout_(timeout) {}

absl::StatusOr<std::unique_ptr<Client>> Client::Connect(const std::string& address, int pool_size,
                                                        absl::Duration timeout) {
  auto colon = address.rfind(':');
  int port = 0;
  if (colon == std::string::npos || !absl::SimpleAtoi(address.substr(colon + 1), &port)) {
    return absl::InvalidArgumentError(
        absl::StrCat("redis address '", address, "' is not host:port"));
  }
  std::unique_ptr<Client> client(
      new Client(address.substr(0, colon), port, pool_size < 1 ? 1 : pool_size, timeout));
  // Fail fast at startup when Redis is not there (style.md: unreachable dependency).
  absl::StatusOr<Reply> pong = client->Command({"PING"});
  if (!pong.ok()) return pong.status();
  return client;
}

Client::~Client() {
  for (redisContext* c : idle_) redisFree(c);
}

absl::StatusOr<redisContext*> Client::Borrow() {
  {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return !idle_.empty() || open_ < pool_size_; });
    if (!idle_.empty()) {
      redisContext* c = idle_.back();
      idle_.pop_back();
      return c;
    }
    ++open_;
  }
  timeval tv = absl::ToTimeval(timeout_);
  redisContext* c = redisConnectWithTimeout(host_.c_str(), port_, tv);
  if (c == nullptr || c->err != 0) {
    std::string why = c != nullptr ? c->errstr : "out of memory";
    if (c != nullptr) redisFree(c);
    Return(nullptr, false);
    return absl::UnavailableError(absl::StrCat("redis ", host_, ":", port_, ": ", why));
  }
  redisSetTimeout(c, tv);
  redisEnableKeepAlive(c);
  return c;
}

void Client::Return(redisContext* ctx, bool healthy) {
  std::lock_guard lock(mu_);
  if (healthy && ctx != nullptr) {
    idle_.push_back(ctx);
  } else {
    if (ctx != nullptr) redisFree(ctx);
    --open_;
  }
  cv_.notify_one();
}

absl::StatusOr<Reply> Client::Run(redisContext* ctx, const std::vector<std::string_view>& args,
                                  bool* healthy) {
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  argv.reserve(args.size());
  lens.reserve(args.size());
  for (std::string_view a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  auto* r = static_cast<redisReply*>(
      redisCommandArgv(ctx, static_cast<int>(args.size()), argv.data(), lens.data()));
  if (r == nullptr) {
    *healthy = false;
    return absl::UnavailableError(absl::StrCat("redis: ", ctx->errstr));
  }
  std::unique_ptr<redisReply, decltype(&freeReplyObject)> guard(r, freeReplyObject);
  if (r->type == REDIS_REPLY_ERROR) {
    return absl::InternalError("redis: " + std::string(r->str, r->len));
  }
  return Convert(r);
}

absl::StatusOr<Reply> Client::Command(const std::vector<std::string_view>& args) {
  absl::StatusOr<redisContext*> ctx = Borrow();
  if (!ctx.ok()) return ctx.status();
  bool healthy = true;
  absl::StatusOr<Reply> out = Run(*ctx, args, &healthy);
  Return(*ctx, healthy);
  return out;
}

absl::StatusOr<Reply> Client::Eval(const Script& script, const std::vector<std::string_view>& keys,
                                   const std::vector<std::string_view>& args) {
  std::string nkeys = std::to_string(keys.size());
  std::vector<std::string_view> argv = {"EVALSHA", script.sha1(), nkeys};
  argv.insert(argv.end(), keys.begin(), keys.end());
  argv.insert(argv.end(), args.begin(), args.end());
  absl::StatusOr<Reply> out = Command(argv);
  if (!out.ok() && out.status().code() == absl::StatusCode::kInternal &&
      out.status().message().find("NOSCRIPT") != std::string_view::npos) {
    argv[0] = "EVAL";
    argv[1] = script.source();
    out = Command(argv);
  }
  return out;
}

}  // namespace candor::redis
