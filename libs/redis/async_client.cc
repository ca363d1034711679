#include "libs/redis/async_client.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace candor::redis {
namespace {

constexpr size_t kMaxBatch = 256;

}  // namespace

absl::StatusOr<std::unique_ptr<AsyncClient>> AsyncClient::Connect(const std::string& address,
                                                                  int connections,
                                                                  absl::Duration timeout) {
  auto colon = address.rfind(':');
  int port = 0;
  if (colon == std::string::npos || !absl::SimpleAtoi(address.substr(colon + 1), &port)) {
    return absl::InvalidArgumentError(
        absl::StrCat("redis address '", address, "' is not host:port"));
  }
  std::unique_ptr<AsyncClient> client(new AsyncClient(address.substr(0, colon), port, timeout));
  for (int i = 0; i < std::max(1, connections); ++i) {
    auto c = std::make_unique<Connection>();
    if (absl::Status s = client->Dial(*c); !s.ok()) return s;
    client->connections_.push_back(std::move(c));
  }
  for (auto& c : client->connections_) {
    Connection* raw = c.get();
    c->thread = std::thread([client = client.get(), raw] { client->Loop(*raw); });
  }
  return client;
}

AsyncClient::~AsyncClient() {
  stop_ = true;
  for (auto& c : connections_) {
    c->cv.notify_all();
    if (c->thread.joinable()) c->thread.join();
    for (Pending& p : c->queue) p.done(absl::UnavailableError("redis client shutting down"));
    if (c->ctx != nullptr) redisFree(c->ctx);
  }
}

absl::Status AsyncClient::Dial(Connection& c) {
  if (c.ctx != nullptr) {
    redisFree(c.ctx);
    c.ctx = nullptr;
  }
  timeval tv = absl::ToTimeval(timeout_);
  redisContext* ctx = redisConnectWithTimeout(host_.c_str(), port_, tv);
  if (ctx == nullptr || ctx->err != 0) {
    std::string why = ctx != nullptr ? ctx->errstr : "out of memory";
    if (ctx != nullptr) redisFree(ctx);
    return absl::UnavailableError(absl::StrCat("redis ", host_, ":", port_, ": ", why));
  }
  redisSetTimeout(ctx, tv);
  redisEnableKeepAlive(ctx);
  c.ctx = ctx;
  return absl::OkStatus();
}

void AsyncClient::Command(std::vector<std::string> args, Callback done) {
  if (stop_) {
    done(absl::UnavailableError("redis client shutting down"));
    return;
  }
  Connection& c = *connections_[next_.fetch_add(1) % connections_.size()];
  {
    std::lock_guard lock(c.mu);
    c.queue.push_back({std::move(args), std::move(done)});
  }
  c.cv.notify_one();
}

void AsyncClient::Eval(const Script& script, const std::vector<std::string>& keys,
                       const std::vector<std::string>& args, Callback done) {
  std::vector<std::string> argv = {"EVALSHA", script.sha1(), std::to_string(keys.size())};
  argv.insert(argv.end(), keys.begin(), keys.end());
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<std::string> eval = argv;
  eval[0] = "EVAL";
  eval[1] = script.source();
  Command(std::move(argv),
          [this, eval = std::move(eval), done = std::move(done)](absl::StatusOr<Reply> r) mutable {
            if (!r.ok() && r.status().code() == absl::StatusCode::kInternal &&
                r.status().message().find("NOSCRIPT") != absl::string_view::npos) {
              Command(std::move(eval), std::move(done));
              return;
            }
            done(std::move(r));
          });
}

void AsyncClient::Loop(Connection& c) {
  std::vector<Pending> batch;
  batch.reserve(kMaxBatch);
  while (true) {
    {
      std::unique_lock lock(c.mu);
      c.cv.wait(lock, [&] { return stop_ || !c.queue.empty(); });
      if (stop_) return;
      while (!c.queue.empty() && batch.size() < kMaxBatch) {
        batch.push_back(std::move(c.queue.front()));
        c.queue.pop_front();
      }
    }
    absl::Status broken;
    if (c.ctx == nullptr) broken = Dial(c);
    // Write every command of the batch, then read the replies in order: one round trip.
    for (size_t i = 0; broken.ok() && i < batch.size(); ++i) {
      std::vector<const char*> argv;
      std::vector<size_t> lens;
      for (const std::string& a : batch[i].args) {
        argv.push_back(a.data());
        lens.push_back(a.size());
      }
      if (redisAppendCommandArgv(c.ctx, static_cast<int>(argv.size()), argv.data(), lens.data()) !=
          REDIS_OK) {
        broken = absl::UnavailableError(absl::StrCat("redis: ", c.ctx->errstr));
      }
    }
    size_t answered = 0;
    for (; broken.ok() && answered < batch.size(); ++answered) {
      void* raw = nullptr;
      if (redisGetReply(c.ctx, &raw) != REDIS_OK || raw == nullptr) {
        broken = absl::UnavailableError(absl::StrCat("redis: ", c.ctx->errstr));
        break;
      }
      auto* r = static_cast<redisReply*>(raw);
      absl::StatusOr<Reply> result =
          r->type == REDIS_REPLY_ERROR
              ? absl::StatusOr<Reply>(absl::InternalError("redis: " + std::string(r->str, r->len)))
              : absl::StatusOr<Reply>(FromHiredis(r));
      freeReplyObject(r);
      batch[answered].done(std::move(result));
    }
    if (!broken.ok()) {
      // The connection's state is unknown: drop it, fail what was not answered, re-dial later.
      if (c.ctx != nullptr) {
        redisFree(c.ctx);
        c.ctx = nullptr;
      }
      for (size_t i = answered; i < batch.size(); ++i) batch[i].done(broken);
    }
    batch.clear();
  }
}

}  // namespace candor::redis
