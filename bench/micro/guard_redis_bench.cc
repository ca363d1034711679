// candor-micro-redis-bench: the gateway's dedup guard (RedisSubmissionGuard: one Lua script per
// Admit and per Release, over the pipelining AsyncClient) against a real Redis at
// $CANDOR_REDIS_ADDR. See README.md.
//
// Every Admit is a fresh user, product and fingerprint, so the script takes its full path (both
// EXISTS, trim and count the window, two SETs, ZADD, PEXPIRE) and admits. /1 has one call in
// flight: its time is the round trip. /N issues N calls at once and waits for all of them: the
// AsyncClient writes what queued up in one go, so this is the pipelined throughput. Times are wall
// clock; "CPU" is this process's CPU (the caller and the client's I/O threads), and redis_cpu_us
// is the Redis server's CPU per call (from INFO cpu, so only meaningful when nothing else uses that
// Redis). Everything a benchmark admits is released afterwards, outside the measurement, so the
// Redis is left as it was; the TTLs are short in case a run is killed.
#include <benchmark/benchmark.h>

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <random>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/redis/async_client.h"
#include "services/review-gateway/config.h"
#include "services/review-gateway/redis_submission_guard.h"

namespace candor::bench {
namespace {

using gateway::GuardVerdict;

constexpr char kAddrVar[] = "CANDOR_REDIS_ADDR";
// Submissions admitted or released per pipelined round outside the measurement.
constexpr size_t kRound = 256;

// Counts down the callbacks of one round of calls and keeps the first error.
class Countdown {
 public:
  void Reset(size_t n) {
    std::lock_guard lock(mu_);
    left_ = n;
    error_ = absl::OkStatus();
  }
  void Done(absl::Status s) {
    std::lock_guard lock(mu_);
    if (!s.ok() && error_.ok()) error_ = std::move(s);
    if (--left_ == 0) cv_.notify_one();
  }
  absl::Status Wait() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return left_ == 0; });
    return error_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  size_t left_ = 0;
  absl::Status error_;
};

// The connection and guard every benchmark shares, as the gateway shares one client (with its
// default number of connections) between all requests.
struct GuardEnv {
  absl::Status status;
  std::string addr;
  std::unique_ptr<redis::AsyncClient> client;
  std::unique_ptr<gateway::RedisSubmissionGuard> guard;
  std::string tag;  // random per process: keys never meet another run's
  std::atomic<uint64_t> next_id{0};
  Countdown countdown;  // one benchmark runs at a time
};

// Made on first use and never destroyed: the client's I/O threads end with the process.
GuardEnv& Env() {
  static GuardEnv* env = [] {
    auto* e = new GuardEnv;
    const char* addr = std::getenv(kAddrVar);
    if (addr == nullptr || *addr == '\0') {
      e->status = absl::FailedPreconditionError(absl::StrCat(
          "$", kAddrVar, " is not set: give the host:port of a Redis to run against (e.g. ",
          "redis-server --port 6691 --save '' --daemonize yes; ", kAddrVar, "=127.0.0.1:6691)"));
      return e;
    }
    e->addr = addr;
    // The gateway's default pool. A static object: GCC 12 at -O3 misreads the copy of a
    // temporary Config as reading an uninitialised string (-Wmaybe-uninitialized).
    static const gateway::Config kGatewayDefaults;
    auto client = redis::AsyncClient::Connect(
        addr, static_cast<int>(kGatewayDefaults.redis_async_connections), absl::Seconds(2));
    if (!client.ok()) {
      e->status = absl::UnavailableError(
          absl::StrCat("$", kAddrVar, "=", addr, " is unreachable: ", client.status().message()));
      return e;
    }
    e->client = std::move(*client);
    // The script does the same work whatever the TTLs; short ones clean up after a killed run.
    gateway::GuardPolicy policy;
    policy.fingerprint_ttl = absl::Minutes(10);
    policy.per_product_window = absl::Minutes(10);
    policy.user_window = absl::Minutes(10);
    e->guard = std::make_unique<gateway::RedisSubmissionGuard>(*e->client, policy);
    std::mt19937_64 rng{std::random_device{}()};
    for (int i = 0; i < 6; ++i) e->tag.push_back("abcdefghijklmnopqrstuvwxyz"[rng() % 26]);
    return e;
  }();
  return *env;
}

// The shared environment, or nullptr after reporting why it is missing.
GuardEnv* EnvOrSkip(benchmark::State& state) {
  GuardEnv& env = Env();
  if (!env.status.ok()) {
    state.SkipWithError(std::string(env.status.message()).c_str());
    return nullptr;
  }
  return &env;
}

// Reports a failed round, naming the Redis it ran against.
void Fail(benchmark::State& state, const GuardEnv& env, absl::string_view what,
          const absl::Status& st) {
  state.SkipWithError(
      absl::StrCat(what, " (", kAddrVar, "=", env.addr, "): ", st.message()).c_str());
}

// Writes `id` as 16 hex digits over the last 16 characters of `s`, in place (no allocation).
void StampHex(std::string& s, uint64_t id) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (size_t i = 0; i < 16; ++i, id >>= 4) s[s.size() - 1 - i] = kHex[id & 15];
}

// Submission number `id` of this process: its own user, so all three of its keys are new.
review::Submission& Stamp(review::Submission& s, const std::string& tag, uint64_t id) {
  if (s.user_id.empty()) {
    s.user_id = absl::StrCat("mb-", tag, "-", std::string(16, '0'));
    s.asin = "B00004Y2UT";
    s.fingerprint = std::string(64, '0');
    s.review_id = std::string(32, '0');
  }
  StampHex(s.user_id, id);
  StampHex(s.fingerprint, id);
  StampHex(s.review_id, id);
  return s;
}

// Starts Admit for every submission in `subs` and waits for all: OK only if all were admitted.
absl::Status AdmitAll(GuardEnv& env, std::span<const review::Submission> subs, absl::Time now) {
  env.countdown.Reset(subs.size());
  for (const review::Submission& s : subs) {
    env.guard->Admit(s, now, [&env](absl::StatusOr<GuardVerdict> v) {
      if (!v.ok()) {
        env.countdown.Done(v.status());
      } else if (v->kind != GuardVerdict::Kind::kAdmitted) {
        env.countdown.Done(absl::InternalError(absl::StrCat(
            "the guard refused a fresh submission (verdict ", static_cast<int>(v->kind), ")")));
      } else {
        env.countdown.Done(absl::OkStatus());
      }
    });
  }
  return env.countdown.Wait();
}

// Starts Release for every submission in `subs` and waits for all.
absl::Status ReleaseAll(GuardEnv& env, std::span<const review::Submission> subs) {
  env.countdown.Reset(subs.size());
  for (const review::Submission& s : subs) {
    env.guard->Release(s, [&env](absl::Status st) { env.countdown.Done(std::move(st)); });
  }
  return env.countdown.Wait();
}

// Releases submissions [first, last) of this process in pipelined rounds: undoes what a benchmark
// admitted, so the Redis is left as it was.
absl::Status ReleaseRange(GuardEnv& env, uint64_t first, uint64_t last) {
  std::vector<review::Submission> round;
  for (uint64_t id = first; id < last;) {
    round.resize(std::min<uint64_t>(kRound, last - id));
    for (review::Submission& s : round) Stamp(s, env.tag, id++);
    if (absl::Status st = ReleaseAll(env, round); !st.ok()) return st;
  }
  return absl::OkStatus();
}

// The Redis server's CPU time so far (user + system), in seconds, from INFO cpu.
absl::StatusOr<double> RedisCpuSeconds(GuardEnv& env) {
  absl::StatusOr<redis::Reply> reply;
  env.countdown.Reset(1);
  env.client->Command({"INFO", "cpu"}, [&](absl::StatusOr<redis::Reply> r) {
    reply = std::move(r);
    env.countdown.Done(absl::OkStatus());
  });
  env.countdown.Wait().IgnoreError();
  if (!reply.ok()) return reply.status();
  double total = 0;
  for (absl::string_view line : absl::StrSplit(reply->str, "\r\n")) {
    std::pair<absl::string_view, absl::string_view> kv = absl::StrSplit(line, ':');
    double v = 0;
    if ((kv.first == "used_cpu_user" || kv.first == "used_cpu_sys") &&
        absl::SimpleAtod(kv.second, &v)) {
      total += v;
    }
  }
  return total;
}

// Both guard benchmarks: 1, 16 and 64 calls in flight, timed by the wall clock (the work is in
// the I/O threads and Redis), with this whole process's CPU beside it.
void GuardArgs(benchmark::internal::Benchmark* b) {
  b->Arg(1)->Arg(16)->Arg(64)->UseRealTime()->MeasureProcessCPUTime()->Unit(
      benchmark::kMicrosecond);
}

void BM_GuardAdmit(benchmark::State& state) {
  GuardEnv* env = EnvOrSkip(state);
  if (env == nullptr) return;
  std::vector<review::Submission> subs(static_cast<size_t>(state.range(0)));
  const uint64_t first = env->next_id.load();
  uint64_t id = first;
  absl::StatusOr<double> cpu_before = RedisCpuSeconds(*env);
  for (auto _ : state) {
    for (review::Submission& s : subs) Stamp(s, env->tag, id++);
    if (absl::Status st = AdmitAll(*env, subs, absl::Now()); !st.ok()) {
      Fail(state, *env, "admit", st);
      break;
    }
  }
  absl::StatusOr<double> cpu_after = RedisCpuSeconds(*env);
  env->next_id = id;
  const auto admits = static_cast<int64_t>(id - first);
  state.SetItemsProcessed(admits);
  if (cpu_before.ok() && cpu_after.ok() && admits > 0) {
    state.counters["redis_cpu_us"] = (*cpu_after - *cpu_before) * 1e6 / static_cast<double>(admits);
  }
  if (absl::Status st = ReleaseRange(*env, first, id); !st.ok() && !state.error_occurred()) {
    Fail(state, *env, "cleanup", st);
  }
}
BENCHMARK(BM_GuardAdmit)->Apply(GuardArgs);

// Release of admitted submissions, N per iteration. The submissions are admitted kRound at a time
// with the timer paused, so there is one pause per kRound releases instead of one per release.
void BM_GuardRelease(benchmark::State& state) {
  GuardEnv* env = EnvOrSkip(state);
  if (env == nullptr) return;
  const auto n = static_cast<size_t>(state.range(0));
  std::vector<review::Submission> admitted;  // admitted, not yet released: [used, size)
  size_t used = 0;
  int64_t releases = 0;
  for (auto _ : state) {
    if (admitted.size() - used < n) {
      state.PauseTiming();
      admitted.erase(admitted.begin(), admitted.begin() + static_cast<ptrdiff_t>(used));
      used = 0;
      std::vector<review::Submission> more(std::max(kRound, n));
      for (review::Submission& s : more) Stamp(s, env->tag, env->next_id++);
      absl::Status st = AdmitAll(*env, more, absl::Now());
      admitted.insert(admitted.end(), more.begin(), more.end());
      state.ResumeTiming();
      if (!st.ok()) {
        Fail(state, *env, "admit", st);
        break;
      }
    }
    std::span<const review::Submission> next(admitted.data() + used, n);
    used += n;
    if (absl::Status st = ReleaseAll(*env, next); !st.ok()) {
      Fail(state, *env, "release", st);
      break;
    }
    releases += static_cast<int64_t>(n);
  }
  state.SetItemsProcessed(releases);
  admitted.erase(admitted.begin(), admitted.begin() + static_cast<ptrdiff_t>(used));
  if (absl::Status st = ReleaseAll(*env, admitted); !st.ok() && !state.error_occurred()) {
    Fail(state, *env, "cleanup", st);
  }
}
BENCHMARK(BM_GuardRelease)->Apply(GuardArgs);

}  // namespace
}  // namespace candor::bench

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  const char* addr = std::getenv(candor::bench::kAddrVar);
  benchmark::AddCustomContext("redis", addr != nullptr && *addr != '\0' ? addr : "(not set)");
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
