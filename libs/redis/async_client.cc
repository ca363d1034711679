#include "libs/redis/async_client.h"

#include <poll.h>

#include <algorithm>
#include <cerrno>

#include "absl/strings/str_cat.h"

namespace candor::redis {
namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kMaxBatch = 256;
// Re-dial backoff after a failed dial or round trip: the first re-dial is immediate (a restarted
// Redis is back at once), then 50 ms, doubling up to the smaller of 1 s and the timeout, so a
// paused Redis costs at most about one connection attempt per timeout and a recovered one is
// found again within about one timeout.
constexpr std::chrono::milliseconds kMinBackoff{50};
constexpr std::chrono::milliseconds kMaxBackoff{1000};

// Waits until `fd` is ready for `events` or `deadline` passes; false on timeout. Retries EINTR.
bool PollUntil(int fd, short events, Clock::time_point deadline) {
  while (true) {
    auto left = deadline - Clock::now();
    if (left <= Clock::duration::zero()) return false;
    pollfd p{fd, events, 0};
    int ms = static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(left).count());
    int n = poll(&p, 1, ms);
    if (n > 0) return true;  // ready, or an error/hang-up the next read or write reports
    if (n < 0 && errno != EINTR) return true;
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<AsyncClient>> AsyncClient::Connect(const std::string& address,
                                                                  int connections,
                                                                  absl::Duration timeout) {
  AsyncClientOptions options;
  options.connections = connections;
  options.timeout = timeout;
  return Connect(address, options);
}

absl::StatusOr<std::unique_ptr<AsyncClient>> AsyncClient::Connect(
    const std::string& address, const AsyncClientOptions& options) {
  absl::StatusOr<HostPort> server = ParseHostPort(address);
  if (!server.ok()) return server.status();
  if (options.timeout < absl::Milliseconds(1) || options.max_queued < 1) {
    return absl::InvalidArgumentError(
        "redis async client: timeout must be at least 1ms and max_queued at least 1");
  }
  std::unique_ptr<AsyncClient> client(
      new AsyncClient(std::move(server->host), server->port, options));
  for (int i = 0; i < std::max(1, options.connections); ++i) {
    auto c = std::make_unique<Connection>();
    if (absl::Status s = client->Dial(*c, options.timeout); !s.ok()) return s;
    client->connections_.push_back(std::move(c));
  }
  for (auto& c : client->connections_) {
    Connection* raw = c.get();
    c->thread = std::thread([client = client.get(), raw] { client->Loop(*raw); });
  }
  return client;
}

AsyncClient::~AsyncClient() {
  // The flag is set under each connection's mutex: Loop checks it under that mutex before it
  // waits, so it either sees the flag or is already waiting when the notify comes (set without
  // the lock, the notify could fall between its check and its wait and be lost).
  for (auto& c : connections_) {
    {
      std::lock_guard lock(c->mu);
      c->stopping = true;
    }
    c->cv.notify_all();
  }
  for (auto& c : connections_) {
    if (c->thread.joinable()) c->thread.join();
    for (Pending& p : c->queue) p.done(absl::UnavailableError("redis client shutting down"));
    queued_.fetch_sub(c->queue.size());
    c->queue.clear();
    if (c->ctx != nullptr) redisFree(c->ctx);
  }
}

absl::Status AsyncClient::Dial(Connection& c, absl::Duration connect_timeout) {
  if (c.ctx != nullptr) {
    redisFree(c.ctx);
    c.ctx = nullptr;
  }
  timeval connect_tv = absl::ToTimeval(std::max(connect_timeout, absl::Milliseconds(1)));
  redisContext* ctx = redisConnectWithTimeout(host_.c_str(), port_, connect_tv);
  if (ctx == nullptr || ctx->err != 0) {
    std::string why = ctx != nullptr ? ctx->errstr : "out of memory";
    if (ctx != nullptr) redisFree(ctx);
    return absl::UnavailableError(absl::StrCat("redis ", host_, ":", port_, ": ", why));
  }
  // Reads wait in poll() with each batch's own deadline; the socket timeouts only bound a write
  // into a full send buffer.
  timeval tv = absl::ToTimeval(options_.timeout);
  redisSetTimeout(ctx, tv);
  redisEnableKeepAlive(ctx);
  c.ctx = ctx;
  return absl::OkStatus();
}

void AsyncClient::Command(std::vector<std::string> args, Callback done) {
  if (metrics_ != nullptr) {
    done = [metrics = metrics_.get(), op = CommandLabel(args.empty() ? "" : args[0]),
            start = absl::Now(), done = std::move(done)](absl::StatusOr<Reply> r) {
      metrics->Record(op, r.status(), absl::Now() - start);
      done(std::move(r));
    };
  }
  Connection& c = *connections_[next_.fetch_add(1) % connections_.size()];
  absl::Status refused;
  {
    std::lock_guard lock(c.mu);
    if (c.stopping) {
      refused = absl::UnavailableError("redis client shutting down");
    } else if (queued_.fetch_add(1) >= options_.max_queued) {
      // Bounded so that a Redis that stopped answering turns into fast refusals, not memory
      // growth and answers that come too late to matter.
      queued_.fetch_sub(1);
      refused = absl::UnavailableError(
          absl::StrCat("redis request queue full (", options_.max_queued, ")"));
    } else {
      // The deadline is taken under the lock so that each queue is in deadline order.
      c.queue.push_back({std::move(args), std::move(done),
                         Clock::now() + absl::ToChronoNanoseconds(options_.timeout)});
    }
  }
  if (!refused.ok()) {
    // `done` was moved only on the branch that leaves `refused` OK.
    done(std::move(refused));  // NOLINT(bugprone-use-after-move)
    return;
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
  std::vector<Pending> expired;
  batch.reserve(kMaxBatch);
  const absl::Status too_late = absl::UnavailableError(
      absl::StrCat("redis: no answer within ", absl::FormatDuration(options_.timeout),
                   " (the command waited in the queue and was not sent)"));
  while (true) {
    {
      std::unique_lock lock(c.mu);
      while (true) {
        if (c.stopping) return;
        Clock::time_point now = Clock::now();
        // Whatever outlived its budget while a round trip, a dial or the backoff held the
        // connection is answered now, unsent: its caller has given up on it.
        while (!c.queue.empty() && c.queue.front().deadline <= now) {
          expired.push_back(std::move(c.queue.front()));
          c.queue.pop_front();
        }
        if (!expired.empty()) break;
        if (c.queue.empty()) {
          c.cv.wait(lock);
          continue;
        }
        if (c.ctx == nullptr && now < c.redial_at) {
          c.cv.wait_until(lock, std::min(c.redial_at, c.queue.front().deadline));
          continue;
        }
        while (!c.queue.empty() && batch.size() < kMaxBatch) {
          batch.push_back(std::move(c.queue.front()));
          c.queue.pop_front();
        }
        break;
      }
      queued_.fetch_sub(expired.size() + batch.size());
    }
    for (Pending& p : expired) p.done(too_late);
    expired.clear();
    if (!batch.empty()) RoundTrip(c, batch);
    batch.clear();
  }
}

bool AsyncClient::RoundTrip(Connection& c, std::vector<Pending>& batch) {
  // The queue is in deadline order, so the first command's deadline is the batch's: past it the
  // oldest caller has its answer (Unavailable) and the connection is dropped rather than waited
  // on, so the commands queued behind this batch are not held up by it.
  const Clock::time_point deadline = batch.front().deadline;
  absl::Status broken;
  if (c.ctx == nullptr) {
    broken = Dial(c, absl::FromChrono(deadline - Clock::now()));
  }
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
  const absl::Status no_reply = absl::UnavailableError(
      absl::StrCat("redis: no reply within ", absl::FormatDuration(options_.timeout)));
  for (int done = 0; broken.ok() && done == 0;) {
    if (!PollUntil(c.ctx->fd, POLLOUT, deadline)) {
      broken = no_reply;
    } else if (redisBufferWrite(c.ctx, &done) != REDIS_OK) {
      broken = absl::UnavailableError(absl::StrCat("redis: ", c.ctx->errstr));
    }
  }
  size_t answered = 0;
  for (; broken.ok() && answered < batch.size(); ++answered) {
    void* raw = nullptr;
    if (redisGetReplyFromReader(c.ctx, &raw) != REDIS_OK) {
      broken = absl::UnavailableError(absl::StrCat("redis: ", c.ctx->errstr));
      break;
    }
    while (raw == nullptr) {
      if (!PollUntil(c.ctx->fd, POLLIN, deadline)) {
        broken = no_reply;
        break;
      }
      if (redisBufferRead(c.ctx) != REDIS_OK || redisGetReplyFromReader(c.ctx, &raw) != REDIS_OK) {
        broken = absl::UnavailableError(absl::StrCat("redis: ", c.ctx->errstr));
        break;
      }
    }
    if (!broken.ok()) break;
    auto* r = static_cast<redisReply*>(raw);
    absl::StatusOr<Reply> result =
        r->type == REDIS_REPLY_ERROR
            ? absl::StatusOr<Reply>(absl::InternalError("redis: " + std::string(r->str, r->len)))
            : absl::StatusOr<Reply>(FromHiredis(r));
    freeReplyObject(r);
    batch[answered].done(std::move(result));
  }
  if (broken.ok()) {
    c.backoff = std::chrono::milliseconds(0);
    return true;
  }
  // The connection's state is unknown: drop it, fail what was not answered, re-dial later.
  Broken(c);
  for (size_t i = answered; i < batch.size(); ++i) batch[i].done(broken);
  return false;
}

void AsyncClient::Broken(Connection& c) {
  if (c.ctx != nullptr) {
    redisFree(c.ctx);
    c.ctx = nullptr;
  }
  auto cap = std::min(kMaxBackoff, std::chrono::ceil<std::chrono::milliseconds>(
                                       absl::ToChronoNanoseconds(options_.timeout)));
  c.redial_at = Clock::now() + c.backoff;
  c.backoff = c.backoff.count() == 0 ? std::min(kMinBackoff, cap) : std::min(c.backoff * 2, cap);
}

}  // namespace candor::redis
