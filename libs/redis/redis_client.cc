#include "libs/redis/redis_client.h"

#include <openssl/sha.h>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace candor::redis {
namespace {

bool IsNoScript(const absl::Status& s) {
  return s.code() == absl::StatusCode::kInternal &&
         s.message().find("NOSCRIPT") != absl::string_view::npos;
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

absl::StatusOr<HostPort> ParseHostPort(const std::string& address) {
  const auto colon = address.rfind(':');
  int port = 0;
  if (colon == std::string::npos || !absl::SimpleAtoi(address.substr(colon + 1), &port)) {
    return absl::InvalidArgumentError(
        absl::StrCat("redis address '", address, "' is not host:port"));
  }
  return HostPort{address.substr(0, colon), port};
}

Reply FromHiredis(const redisReply* r) {
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
      for (size_t i = 0; i < r->elements; ++i) out.elements.push_back(FromHiredis(r->element[i]));
      break;
    default:
      out.type = Reply::Type::kNil;
  }
  return out;
}

Script::Script(std::string source) : source_(std::move(source)), sha1_(Sha1Hex(source_)) {}

Client::Client(std::string host, int port, int pool_size, absl::Duration timeout)
    : host_(std::move(host)), port_(port), pool_size_(pool_size), timeout_(timeout) {}

absl::StatusOr<std::unique_ptr<Client>> Client::Connect(const std::string& address, int pool_size,
                                                        absl::Duration timeout) {
  absl::StatusOr<HostPort> server = ParseHostPort(address);
  if (!server.ok()) return server.status();
  std::unique_ptr<Client> client(
      new Client(std::move(server->host), server->port, pool_size < 1 ? 1 : pool_size, timeout));
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
  return FromHiredis(r);
}

std::string CommandLabel(std::string_view command) {
  if (command.empty() || command.size() > 24) return "other";
  std::string label;
  for (const char c : command) {
    if (!absl::ascii_isalpha(static_cast<unsigned char>(c))) return "other";
    label.push_back(absl::ascii_tolower(static_cast<unsigned char>(c)));
  }
  return label;
}

void Client::SetMetrics(metrics::Registry& registry) {
  metrics_ = std::make_unique<metrics::StoreCallMetrics>(registry, "redis");
}

absl::StatusOr<Reply> Client::Command(const std::vector<std::string_view>& args) {
  const absl::Time start = absl::Now();
  absl::StatusOr<redisContext*> ctx = Borrow();
  absl::StatusOr<Reply> out = absl::UnknownError("unset");
  if (ctx.ok()) {
    bool healthy = true;
    out = Run(*ctx, args, &healthy);
    Return(*ctx, healthy);
  } else {
    out = ctx.status();
  }
  if (metrics_ != nullptr && !args.empty()) {
    metrics_->Record(CommandLabel(args[0]), out.status(), absl::Now() - start);
  }
  return out;
}

absl::StatusOr<Reply> Client::Eval(const Script& script, const std::vector<std::string_view>& keys,
                                   const std::vector<std::string_view>& args) {
  std::string nkeys = std::to_string(keys.size());
  std::vector<std::string_view> argv = {"EVALSHA", script.sha1(), nkeys};
  argv.insert(argv.end(), keys.begin(), keys.end());
  argv.insert(argv.end(), args.begin(), args.end());
  absl::StatusOr<Reply> out = Command(argv);
  if (!out.ok() && IsNoScript(out.status())) {
    argv[0] = "EVAL";
    argv[1] = script.source();
    out = Command(argv);
  }
  return out;
}

absl::Status Client::RunPipeline(redisContext* ctx,
                                 const std::vector<std::vector<std::string>>& commands,
                                 std::vector<absl::StatusOr<Reply>>* replies, bool* healthy) {
  // Appending only fills hiredis's output buffer; the first redisGetReply writes all of it.
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  for (const std::vector<std::string>& command : commands) {
    argv.clear();
    lens.clear();
    for (const std::string& a : command) {
      argv.push_back(a.data());
      lens.push_back(a.size());
    }
    if (redisAppendCommandArgv(ctx, static_cast<int>(command.size()), argv.data(), lens.data()) !=
        REDIS_OK) {
      *healthy = false;  // the buffer may hold half a command
      return absl::UnavailableError(absl::StrCat("redis: ", ctx->errstr));
    }
  }
  replies->reserve(commands.size());
  for (size_t i = 0; i < commands.size(); ++i) {
    void* raw = nullptr;
    if (redisGetReply(ctx, &raw) != REDIS_OK || raw == nullptr) {
      *healthy = false;  // replies still owed would be read by the next borrower
      return absl::UnavailableError(absl::StrCat("redis: ", ctx->errstr, " (after ", i, " of ",
                                                 commands.size(), " pipelined replies)"));
    }
    std::unique_ptr<redisReply, decltype(&freeReplyObject)> r(static_cast<redisReply*>(raw),
                                                              freeReplyObject);
    if (r->type == REDIS_REPLY_ERROR) {
      replies->push_back(absl::InternalError("redis: " + std::string(r->str, r->len)));
    } else {
      replies->push_back(FromHiredis(r.get()));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<absl::StatusOr<Reply>>> Client::Pipeline(
    const std::vector<std::vector<std::string>>& commands) {
  std::vector<absl::StatusOr<Reply>> replies;
  if (commands.empty()) return replies;
  for (size_t i = 0; i < commands.size(); ++i) {
    if (commands[i].empty()) {
      return absl::InvalidArgumentError(absl::StrCat("redis pipeline: command ", i, " is empty"));
    }
  }
  const absl::Time start = absl::Now();
  absl::StatusOr<redisContext*> ctx = Borrow();
  absl::Status s = ctx.status();
  if (ctx.ok()) {
    bool healthy = true;
    s = RunPipeline(*ctx, commands, &replies, &healthy);
    Return(*ctx, healthy);
  }
  if (metrics_ != nullptr) metrics_->Record("pipeline", s, absl::Now() - start);
  if (!s.ok()) return s;
  return replies;
}

absl::StatusOr<std::vector<absl::StatusOr<Reply>>> Client::EvalPipeline(
    const Script& script, const std::vector<ScriptCall>& calls) {
  auto command = [&](bool by_sha, const ScriptCall& call) {
    std::vector<std::string> argv = {by_sha ? "EVALSHA" : "EVAL",
                                     by_sha ? script.sha1() : script.source(),
                                     std::to_string(call.keys.size())};
    argv.insert(argv.end(), call.keys.begin(), call.keys.end());
    argv.insert(argv.end(), call.args.begin(), call.args.end());
    return argv;
  };
  std::vector<std::vector<std::string>> commands;
  commands.reserve(calls.size());
  for (const ScriptCall& call : calls) commands.push_back(command(true, call));
  absl::StatusOr<std::vector<absl::StatusOr<Reply>>> out = Pipeline(commands);
  if (!out.ok()) return out;

  std::vector<size_t> missing;
  for (size_t i = 0; i < out->size(); ++i) {
    if (!(*out)[i].ok() && IsNoScript((*out)[i].status())) missing.push_back(i);
  }
  if (missing.empty()) return out;
  commands.clear();
  for (size_t i : missing) commands.push_back(command(false, calls[i]));
  absl::StatusOr<std::vector<absl::StatusOr<Reply>>> retried = Pipeline(commands);
  if (!retried.ok()) return retried.status();
  for (size_t j = 0; j < missing.size(); ++j) (*out)[missing[j]] = std::move((*retried)[j]);
  return out;
}

}  // namespace candor::redis
