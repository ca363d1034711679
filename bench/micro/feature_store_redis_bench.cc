// The fraud feature store on Redis (libs/fraud RedisFeatureStore: one Lua script call per 250
// reviews, all of a batch in one pipeline) against a real Redis at $CANDOR_REDIS_ADDR. See
// README.md.
//
// Reviews are made up so that the keys behave as in production: authors drawn from a million
// (most write one review), products from 100,000 with a skew (a few are busy), 100 ms of review
// time apart per 1,000 reviews (10,000 reviews/s), and 1 % from a farm posting spun copies of one
// text on five products, so the near-duplicate buckets have candidates to return. /1 is one review
// per round trip; /250 the scorer's batch. Times are wall clock; redis_cpu_us is the Redis
// server's CPU per review (INFO cpu: meaningful only on a Redis nothing else uses). The keys live
// under a prefix of their own and are deleted afterwards.
#include "bench/micro/feature_store_redis_bench.h"

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/core/clock.h"
#include "libs/fraud/redis_feature_store.h"
#include "libs/redis/redis_client.h"

namespace candor::bench {
namespace {

constexpr char kAddrVar[] = "CANDOR_REDIS_ADDR";

struct StoreEnv {
  absl::Status status;
  std::string addr;
  std::string prefix;
  std::unique_ptr<redis::Client> client;
  core::SystemClock clock;
  std::unique_ptr<fraud::RedisFeatureStore> store;
  std::vector<fraud::TextSignature> texts;  // genuine texts, one signature each
  std::vector<fraud::TextSignature> farm;   // spun copies of one text
  std::mt19937_64 rng{42};
  int64_t seq = 0;
};

std::string Words(std::mt19937_64& rng, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) absl::StrAppend(&out, i ? " " : "", "w", rng() % 5000);
  return out;
}

StoreEnv* made = nullptr;  // by Env, on first use

StoreEnv& Env() {
  static StoreEnv* env = [] {
    auto* e = new StoreEnv;
    const char* addr = std::getenv(kAddrVar);
    if (addr == nullptr || *addr == '\0') {
      e->status = absl::FailedPreconditionError(
          absl::StrCat("$", kAddrVar, " is not set: give the host:port of a Redis to run against"));
      return e;
    }
    e->addr = addr;
    auto client = redis::Client::Connect(addr, 1, absl::Seconds(5));
    if (!client.ok()) {
      e->status = absl::UnavailableError(
          absl::StrCat("$", kAddrVar, "=", addr, " is unreachable: ", client.status().message()));
      return e;
    }
    e->client = std::move(*client);
    e->prefix = absl::StrCat("mb:fr:", std::random_device{}() % 1000000, ":");
    e->store = std::make_unique<fraud::RedisFeatureStore>(*e->client, e->clock,
                                                          fraud::FeatureStoreLimits{}, e->prefix);
    for (int i = 0; i < 2000; ++i) e->texts.push_back(fraud::MinHashSignature(Words(e->rng, 60)));
    const std::string base = Words(e->rng, 60);
    for (int i = 0; i < 200; ++i) {
      e->farm.push_back(fraud::MinHashSignature(absl::StrCat(base, " ", Words(e->rng, 2))));
    }
    return e;
  }();
  made = env;
  return *env;
}

fraud::ReviewFacts NextReview(StoreEnv& env) {
  fraud::ReviewFacts r;
  const int64_t n = env.seq++;
  r.review_id = absl::StrCat("r", n);
  r.at = absl::FromUnixSeconds(1'700'000'000) + absl::Microseconds(100 * n);
  r.rating = static_cast<int>(env.rng() % 5) + 1;
  r.verified_purchase = env.rng() % 4 != 0;
  r.text_length = 300;
  if (env.rng() % 100 == 0) {
    r.user_id = absl::StrCat("farm", env.rng() % 300);
    r.asin = absl::StrCat("F", env.rng() % 5);
    r.signature = env.farm[env.rng() % env.farm.size()];
  } else {
    r.user_id = absl::StrCat("u", env.rng() % 1'000'000);
    // Skewed: a product number's square root spreads reviews over 100,000 with a busy head.
    const double x = static_cast<double>(env.rng() % 1'000'000) / 1'000'000.0;
    r.asin = absl::StrCat("P", static_cast<int64_t>(x * x * x * 100'000));
    r.signature = env.texts[env.rng() % env.texts.size()];
  }
  r.client_ip = absl::StrCat("10.", env.rng() % 256, ".", env.rng() % 256, ".1");
  r.device_id = absl::StrCat("d", env.rng() % 500'000);
  return r;
}

// The Redis server's CPU time so far (used_cpu_user + used_cpu_sys, seconds), from INFO cpu.
double RedisCpu(StoreEnv& env) {
  absl::StatusOr<redis::Reply> r = env.client->Command({"INFO", "cpu"});
  if (!r.ok()) return 0;
  double total = 0;
  std::string_view info = r->str;
  while (!info.empty()) {
    const std::size_t eol = info.find("\r\n");
    const std::string_view line = info.substr(0, eol);
    info = eol == std::string_view::npos ? std::string_view() : info.substr(eol + 2);
    for (std::string_view key : {"used_cpu_user:", "used_cpu_sys:"}) {
      if (line.starts_with(key))
        total += std::strtod(std::string(line.substr(key.size())).c_str(), nullptr);
    }
  }
  return total;
}

void BM_FeatureStoreBatch(benchmark::State& state) {
  StoreEnv& env = Env();
  if (!env.status.ok()) {
    state.SkipWithError(std::string(env.status.message()).c_str());
    return;
  }
  const auto n = static_cast<std::size_t>(state.range(0));
  std::vector<fraud::ReviewFacts> batch(n);
  int64_t reviews = 0;
  const double cpu_before = RedisCpu(env);
  for (auto _ : state) {
    state.PauseTiming();
    for (fraud::ReviewFacts& r : batch) r = NextReview(env);
    state.ResumeTiming();
    for (const absl::StatusOr<fraud::FeatureRow>& row : env.store->RecordBatch(batch)) {
      if (!row.ok()) {
        state.SkipWithError(
            absl::StrCat("RecordBatch (", kAddrVar, "=", env.addr, "): ", row.status().message())
                .c_str());
        break;
      }
    }
    reviews += static_cast<int64_t>(n);
  }
  state.SetItemsProcessed(reviews);
  if (reviews > 0) {
    state.counters["redis_cpu_us"] =
        (RedisCpu(env) - cpu_before) * 1e6 / static_cast<double>(reviews);
  }
}
BENCHMARK(BM_FeatureStoreBatch)
    ->Arg(1)
    ->Arg(250)
    ->UseRealTime()
    ->MeasureProcessCPUTime()
    ->Unit(benchmark::kMicrosecond);

}  // namespace

void CleanUpFeatureStoreBench() {
  if (made == nullptr || !made->status.ok()) return;
  StoreEnv& env = *made;
  std::string cursor = "0";
  do {
    absl::StatusOr<redis::Reply> r =
        env.client->Command({"SCAN", cursor, "MATCH", env.prefix + "*", "COUNT", "1000"});
    if (!r.ok()) return;
    cursor = r->elements[0].str;
    std::vector<std::string_view> del = {"UNLINK"};
    for (const redis::Reply& k : r->elements[1].elements) del.push_back(k.str);
    if (del.size() > 1) env.client->Command(del).IgnoreError();
  } while (cursor != "0");
}

}  // namespace candor::bench
