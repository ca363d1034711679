// candor-aggregator-bench: the rating aggregator's cost per review as a product grows from 10 to
// 1,000,000 reviews, against the seed article's naive recompute (INSERT, then SELECT AVG(rating),
// COUNT(*) and write the result), and the aggregator's peak events/s over many products. Runs
// against a real PostgreSQL and Redis (tools/stack/stack.sh); bench/run_pipeline.sh starts one.
//
// Per product size N (design.md 7: "cost per review flat from 10 to 1,000,000 reviews"):
//   1. bulk-load N counted reviews of one fresh product (INSERT ... SELECT generate_series) and
//      its matching product_ratings row, twice: one product for Candor, one for the naive way;
//   2. Candor: K more reviews, per batch of --batch: stored by the fraud-scorer's own adapter
//      (PgReviewRepository::Store; timed and reported apart), then applied by the aggregator's
//      own code path, Aggregator(PgRatingLedger, RedisRatingCache)::Apply (timed);
//   3. naive: per review INSERT; SELECT AVG(rating), COUNT(*) FROM reviews WHERE asin = $1;
//      UPDATE product_ratings with the result. Prepared statements, one transaction per --batch
//      reviews (as generous to it as Candor's batching), until --naive-reviews or
//      --naive-budget-s, whichever comes first.
// Then the peak: --peak-events Accepted events spread over --peak-products products, in batches,
// with 1..n consumers (threads, each owning its share of the products as a partition owner does).
//
// Every row the bench creates belongs to asins of this run ("Y" + a random tag) and is deleted at
// the end. Progress goes to stderr, the tables to stdout, the figures to --json.
#include <algorithm>
#include <atomic>
#include <iostream>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bench/pipeline/bench_util.h"
#include "libs/core/flags.h"
#include "libs/core/log.h"
#include "libs/pg/pg_pool.h"
#include "libs/ratings/redis_rating_cache.h"
#include "libs/redis/redis_client.h"
#include "libs/review/fingerprint.h"
#include "libs/reviewdb/review_db.h"
#include "nlohmann/json.hpp"
#include "services/fraud-scorer/pg_review_repository.h"
#include "services/rating-aggregator/aggregator.h"
#include "services/rating-aggregator/pg_rating_ledger.h"

namespace candor::bench {
namespace {

using rating_aggregator::Aggregator;
using rating_aggregator::LedgerEvent;
using rating_aggregator::PgRatingLedger;

// What --help says, and the logger's name.
const BenchSpec kSpec{
    "candor-aggregator-bench",
    "Rating aggregator vs the naive SELECT AVG() recompute as a product grows, and "
    "the aggregator's peak events/s. Needs PostgreSQL (migrated) and Redis: "
    "tools/stack/stack.sh up, or bench/run_pipeline.sh.",
    "aggregator-bench"};

struct Options : CommonOptions {
  std::string sizes = "10,1000,10000,100000,1000000";
  int64_t reviews = 5000;
  int64_t batch = 500;
  int64_t naive_reviews = 500;
  double naive_budget_s = 8.0;
  int64_t peak_events = 100000;
  int64_t peak_products = 1000;
  std::string peak_consumers = "1,2";
};

// Everything a run talks to, plus the asins it created (deleted at the end).
struct Env {
  Options options;
  std::unique_ptr<pg::Pool> pool;  // the bench's own statements and the fraud-scorer adapter
  std::unique_ptr<reviewdb::ReviewDb> db;  // on `pool`: the checks' reads
  std::unique_ptr<redis::Client> redis;
  std::string tag;  // "Y" + 5 random characters: prefix of every asin of this run
  std::mt19937_64 rng{20240601};
  std::vector<std::string> created;
};

// Decorators that add up the time spent in each port, to split a batch into its ledger
// transaction and its cache writes.
class TimedLedger final : public rating_aggregator::RatingLedger {
 public:
  explicit TimedLedger(RatingLedger& inner) : inner_(inner) {}
  absl::StatusOr<rating_aggregator::LedgerResult> Apply(
      const std::vector<rating_aggregator::LedgerPhase>& phases,
      const std::vector<std::string>& touched_asins) override {
    return AddTime(seconds, [&] { return inner_.Apply(phases, touched_asins); });
  }
  double seconds = 0;

 private:
  RatingLedger& inner_;
};

class TimedCache final : public ratings::RatingCache {
 public:
  explicit TimedCache(RatingCache& inner) : inner_(inner) {}
  absl::StatusOr<std::optional<review::RatingAggregate>> Get(const std::string& asin) override {
    return inner_.Get(asin);
  }
  absl::StatusOr<bool> Put(const review::RatingAggregate& aggregate) override {
    ++puts;
    return AddTime(seconds, [&] { return inner_.Put(aggregate); });
  }
  absl::Status Drop(const std::string& asin) override { return inner_.Drop(asin); }
  absl::StatusOr<std::vector<bool>> PutMany(
      const std::vector<review::RatingAggregate>& aggregates) override {
    puts += static_cast<int64_t>(aggregates.size());
    return AddTime(seconds, [&] { return inner_.PutMany(aggregates); });
  }
  double seconds = 0;
  int64_t puts = 0;

 private:
  RatingCache& inner_;
};

std::string Asin(const Env& env, char kind, int64_t index) {
  char digits[8];
  std::snprintf(digits, sizeof(digits), "%03d", static_cast<int>(index % 1000));
  return absl::StrCat(env.tag, std::string(1, kind), digits);
}

// N counted, active reviews of `asin` in one statement, then its product_ratings row computed
// from them (so I2 holds from the start), then VACUUM ANALYZE so neither approach pays for
// hint bits or runs on stale planner statistics.
void BulkLoad(Env& env, const std::string& asin, int64_t n) {
  env.created.push_back(asin);
  Check("bulk load", env.pool->InTransaction([&](pqxx::work& tx) {
    tx.exec_params(R"sql(
INSERT INTO reviews (review_id, fingerprint, asin, user_id, rating, title, body, verified_purchase,
                     status, counted, submitted_at, stored_at)
SELECT md5($1::text || g), md5($1::text || g) || md5('fp' || $1::text || g), $1::text, 'bench-user-' || (g % 50000),
       (ARRAY[5, 4, 5, 3, 1, 5, 4, 2, 5, 4])[1 + g % 10], 'bulk', 'A bulk-loaded review body.',
       g % 4 <> 0, 'active', true, now() - interval '30 days', now() - interval '30 days'
FROM generate_series(1, $2::bigint) AS g)sql",
                   asin, n);
    tx.exec_params(R"sql(
INSERT INTO product_ratings (asin, review_count, rating_sum, verified_count, verified_sum,
                             stars_1, stars_2, stars_3, stars_4, stars_5, version)
SELECT $1::text, count(*), sum(rating), count(*) FILTER (WHERE verified_purchase),
       coalesce(sum(rating) FILTER (WHERE verified_purchase), 0),
       count(*) FILTER (WHERE rating = 1), count(*) FILTER (WHERE rating = 2),
       count(*) FILTER (WHERE rating = 3), count(*) FILTER (WHERE rating = 4),
       count(*) FILTER (WHERE rating = 5), 1
FROM reviews WHERE asin = $1 AND counted)sql",
                   asin);
  }));
}

// After a bulk load: VACUUM ANALYZE, then a CHECKPOINT, so that the load's dirty pages are
// written now and not by a checkpoint in the middle of the measurement.
void VacuumAnalyze(Env& env) {
  Check("vacuum", env.pool->WithConnection([](pqxx::connection& c) {
    pqxx::nontransaction tx(c);
    tx.exec("VACUUM ANALYZE reviews");
    tx.exec("VACUUM ANALYZE product_ratings");
  }));
  Checkpoint(*env.pool);
}

// One fresh review of `asin`, as the fraud-scorer stores it: fingerprinted, scored pass, active.
fraud_scorer::ScoredReview NewReview(Env& env, const std::string& asin, int64_t i) {
  review::SubmissionInput in;
  in.asin = asin;
  in.rating = SkewedRating(env.rng);
  in.title = "Bench review";
  in.body = ReviewText(env.rng, 160 + env.rng() % 240);
  in.verified_purchase = env.rng() % 5 != 0;
  fraud_scorer::ScoredReview r;
  r.submission =
      review::Admitted(in, absl::StrCat("bench-", env.tag, "-", i), /*client_ip=*/"", absl::Now());
  r.decision.kind = fraud_scorer::Decision::Kind::kPass;
  r.decision.score = 0.1;
  r.decision.scorer = "bench";
  r.status = fraud_scorer::ReviewStatus::kActive;
  return r;
}

// The product_ratings row of `asin`, or a logged exit: the bench created every product it reads.
review::RatingAggregate StoredRating(Env& env, const std::string& asin) {
  absl::StatusOr<std::optional<review::RatingAggregate>> row = env.db->GetRating(asin);
  Check("read product_ratings", row.status());
  if (!row->has_value()) Check("read product_ratings", absl::NotFoundError(asin));
  return **row;
}

// I2 and I3 for the product_ratings rows `products` after a run: each equals the sums over its
// product's counted reviews, and Redis holds the same aggregate and version (a product no event
// reached, version 0, was never cached). Logs every mismatch; returns "ok" or "MISMATCH".
std::string VerifyProducts(Env& env, ratings::RedisRatingCache& cache,
                           const std::vector<review::RatingAggregate>& products) {
  std::vector<std::string> asins;
  asins.reserve(products.size());
  for (const review::RatingAggregate& p : products) asins.push_back(p.asin);
  absl::StatusOr<std::vector<review::RatingAggregate>> sums = env.db->CountedSums(asins);
  Check("verify ledger", sums.status());
  std::map<std::string, review::RatingAggregate> ledger;
  for (review::RatingAggregate& l : *sums) ledger[l.asin] = std::move(l);
  bool ok = true;
  for (const review::RatingAggregate& p : products) {
    bool cache_ok = p.version == 0;
    if (!cache_ok) {
      auto cached = cache.Get(p.asin);
      Check("verify cache", cached.status());
      cache_ok = cached->has_value() && (*cached)->SameCounts(p) && (*cached)->version == p.version;
    }
    if (!p.SameCounts(ledger[p.asin]) || !cache_ok) {
      spdlog::error("{}: product_ratings {} / {}, ledger {} / {}, cache {}", p.asin, p.count, p.sum,
                    ledger[p.asin].count, ledger[p.asin].sum, cache_ok ? "equal" : "differs");
      ok = false;
    }
  }
  return ok ? "ok" : "MISMATCH";
}

struct SizeResult {
  int64_t n = 0;
  double load_s = 0;
  // Candor
  int64_t candor_reviews = 0;
  double candor_insert_s = 0;
  double candor_apply_s = 0;
  std::vector<double> candor_apply_ms;             // each batch's apply time
  std::vector<double> candor_apply_us_per_review;  // each batch's apply time / its size
  double candor_ledger_s = 0;                      // of candor_apply_s: the Postgres transaction
  double candor_cache_s = 0;                       // of candor_apply_s: the Redis writes
  std::string candor_check;
  // naive
  int64_t naive_reviews = 0;
  double naive_insert_s = 0;
  double naive_avg_s = 0;
  double naive_write_s = 0;
  double naive_commit_s = 0;
  std::vector<double> naive_review_us;  // each review's insert + AVG() + write
  std::string naive_check;

  double CandorApplyUs() const { return 1e6 * candor_apply_s / candor_reviews; }
  double CandorInsertUs() const { return 1e6 * candor_insert_s / candor_reviews; }
  double NaiveTotalS() const {
    return naive_insert_s + naive_avg_s + naive_write_s + naive_commit_s;
  }
  double NaiveUs() const { return 1e6 * NaiveTotalS() / naive_reviews; }
  // The medians the ratio compares: one batch slowed by a busy neighbour does not decide it.
  double CandorMedianUs() const { return Quantile(candor_apply_us_per_review, 0.5); }
  double NaiveMedianUs() const { return Quantile(naive_review_us, 0.5); }
};

void RunCandor(Env& env, const std::string& asin, SizeResult& out) {
  PgRatingLedger pg_ledger(*env.pool);
  ratings::RedisRatingCache cache(*env.redis);
  TimedLedger ledger(pg_ledger);
  TimedCache timed_cache(cache);
  Aggregator aggregator(ledger, timed_cache);
  fraud_scorer::PgReviewRepository repository(*env.pool);

  const int64_t k = env.options.reviews;
  for (int64_t done = 0; done < k;) {
    const int64_t size = std::min(env.options.batch, k - done);
    std::vector<fraud_scorer::ScoredReview> batch;
    for (int64_t i = 0; i < size; ++i) batch.push_back(NewReview(env, asin, done + i));

    const double t0 = NowSeconds();
    auto stored = repository.Store(batch);
    Check("store", stored.status());
    const double t1 = NowSeconds();
    std::vector<LedgerEvent> events;
    for (const auto& st : *stored) {
      events.push_back({st.review_id, st.asin, LedgerEvent::Kind::kCount});
    }
    Check("aggregator apply", aggregator.Apply(events));
    const double t2 = NowSeconds();
    out.candor_insert_s += t1 - t0;
    out.candor_apply_s += t2 - t1;
    out.candor_apply_ms.push_back(1e3 * (t2 - t1));
    out.candor_apply_us_per_review.push_back(1e6 * (t2 - t1) / static_cast<double>(size));
    done += size;
  }
  out.candor_reviews = k;
  out.candor_ledger_s = ledger.seconds;
  out.candor_cache_s = timed_cache.seconds;
  const review::RatingAggregate stored = StoredRating(env, asin);
  out.candor_check = VerifyProducts(env, cache, {stored});
  if (stored.count != out.n + k) {
    spdlog::error("{}: product_ratings counts {} reviews, expected {}", asin, stored.count,
                  out.n + k);
    out.candor_check = "MISMATCH";
  }
}

// The seed article's approach, done as well as it can be: prepared statements, and one
// transaction per batch so it pays one commit per batch like Candor does.
void RunNaive(Env& env, const std::string& asin, SizeResult& out) {
  pqxx::connection conn(env.options.pg_dsn);
  {
    // Plan every execution for its own asin: a generic plan of `asin = $1` would scan the whole
    // table for a small product, measuring the table instead of the product.
    pqxx::nontransaction tx(conn);
    tx.exec("SET plan_cache_mode = force_custom_plan");
  }
  conn.prepare("naive_insert", R"sql(
INSERT INTO reviews (review_id, fingerprint, asin, user_id, rating, title, body,
                     verified_purchase, status, counted, submitted_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'active', true, now()))sql");
  conn.prepare("naive_avg", "SELECT AVG(rating), COUNT(*) FROM reviews WHERE asin = $1");
  conn.prepare("naive_write", R"sql(
UPDATE product_ratings SET review_count = $2, rating_sum = $3, version = version + 1,
                           updated_at = now()
WHERE asin = $1)sql");

  const double deadline = NowSeconds() + env.options.naive_budget_s;
  int64_t done = 0;
  bool out_of_time = false;
  while (done < env.options.naive_reviews && !out_of_time) {
    pqxx::work tx(conn);
    for (int64_t i = 0; i < env.options.batch && done < env.options.naive_reviews; ++i, ++done) {
      fraud_scorer::ScoredReview r = NewReview(env, asin, 1000000 + done);
      const review::Submission& s = r.submission;
      const double t0 = NowSeconds();
      tx.exec_prepared("naive_insert", s.review_id, s.fingerprint, s.asin, s.user_id, s.rating,
                       s.title, s.body, s.verified_purchase);
      const double t1 = NowSeconds();
      pqxx::row row = tx.exec_prepared1("naive_avg", s.asin);
      const double avg = row[0].as<double>();
      const auto count = row[1].as<int64_t>();
      const double t2 = NowSeconds();
      tx.exec_prepared("naive_write", s.asin, count,
                       static_cast<int64_t>(std::llround(avg * static_cast<double>(count))));
      const double t3 = NowSeconds();
      out.naive_insert_s += t1 - t0;
      out.naive_avg_s += t2 - t1;
      out.naive_write_s += t3 - t2;
      out.naive_review_us.push_back(1e6 * (t3 - t0));
      if (t3 > deadline) {
        out_of_time = true;
        ++done;
        break;
      }
    }
    const double c0 = NowSeconds();
    tx.commit();
    out.naive_commit_s += NowSeconds() - c0;
  }
  out.naive_reviews = done;
  // The naive write keeps count and sum right (its histogram columns go stale, one of its flaws).
  out.naive_check = StoredRating(env, asin).count == out.n + done ? "ok" : "MISMATCH";
}

SizeResult RunSize(Env& env, int64_t n, int index) {
  SizeResult out;
  out.n = n;
  const std::string candor_asin = Asin(env, 'C', index);
  const std::string naive_asin = Asin(env, 'N', index);
  spdlog::info("N={}: bulk-loading {} reviews into {} and {}", n, n, candor_asin, naive_asin);
  const double l0 = NowSeconds();
  BulkLoad(env, candor_asin, n);
  BulkLoad(env, naive_asin, n);
  VacuumAnalyze(env);
  out.load_s = NowSeconds() - l0;
  spdlog::info("N={}: loaded in {:.1f} s; Candor: {} reviews in batches of {}", n, out.load_s,
               env.options.reviews, env.options.batch);
  RunCandor(env, candor_asin, out);
  spdlog::info("N={}: Candor apply {:.1f} us/review (store {:.1f} us/review), check {}", n,
               out.CandorApplyUs(), out.CandorInsertUs(), out.candor_check);
  RunNaive(env, naive_asin, out);
  spdlog::info("N={}: naive {:.1f} us/review over {} reviews (AVG() {:.1f} us), check {}", n,
               out.NaiveUs(), out.naive_reviews, 1e6 * out.naive_avg_s / out.naive_reviews,
               out.naive_check);
  return out;
}

struct PeakResult {
  int consumers = 0;
  int64_t events = 0;
  int64_t products = 0;
  double seconds = 0;
  std::vector<double> batch_ms;  // each batch's apply time, every consumer's
  double ledger_s = 0;           // summed over consumers
  double cache_s = 0;
  int64_t cache_puts = 0;
  std::string check;
  double EventsPerSecond() const { return static_cast<double>(events) / seconds; }
  double batches() const { return static_cast<double>(batch_ms.size()); }
};

// --peak-events reviews (active, not yet counted, as the fraud-scorer leaves them) spread over
// --peak-products fresh products, then their Accepted events in random order, split among
// `consumers` threads by product (each thread owns its products, as a partition owner does),
// each applying batches of --batch through its own Aggregator.
PeakResult RunPeak(Env& env, int consumers, int round) {
  PeakResult out;
  out.consumers = consumers;
  out.events = env.options.peak_events;
  out.products = env.options.peak_products;
  std::vector<std::string> asins;
  for (int64_t p = 0; p < out.products; ++p) {
    asins.push_back(Asin(env, static_cast<char>('P' + round), p));
  }
  env.created.insert(env.created.end(), asins.begin(), asins.end());
  spdlog::info("peak x{}: loading {} reviews over {} products", consumers, out.events,
               out.products);
  // Each inserted review becomes its Accepted event.
  std::vector<LedgerEvent> events;
  Check("peak load", env.pool->InTransaction([&](pqxx::work& tx) {
    events.clear();  // a retried transaction starts over
    for (const pqxx::row& row : tx.exec_params(R"sql(
INSERT INTO reviews (review_id, fingerprint, asin, user_id, rating, title, body, verified_purchase,
                     status, counted, submitted_at)
SELECT md5($1::text || g), md5($1::text || g) || md5('fp' || $1::text || g),
       ($2::text[])[1 + (hashint4(g::int) & 2147483647) % cardinality($2::text[])],
       'bench-user-' || g, (ARRAY[5, 4, 5, 3, 1, 5, 4, 2, 5, 4])[1 + g % 10], 'bulk',
       'A bulk-loaded review body.', g % 4 <> 0, 'active', false, now()
FROM generate_series(1, $3::bigint) AS g
RETURNING review_id, asin)sql",
                                               asins.front(), ArrayLiteral(asins), out.events)) {
      events.push_back(
          {row[0].as<std::string>(), row[1].as<std::string>(), LedgerEvent::Kind::kCount});
    }
    // The products exist already (steady state); the ledger would create them otherwise.
    tx.exec_params("INSERT INTO product_ratings (asin) SELECT unnest($1::text[])",
                   ArrayLiteral(asins));
  }));
  VacuumAnalyze(env);

  // The events in a random order (one partition interleaves its products).
  std::shuffle(events.begin(), events.end(), env.rng);
  std::map<std::string, int> owner;
  for (size_t i = 0; i < asins.size(); ++i) owner[asins[i]] = static_cast<int>(i % consumers);
  std::vector<std::vector<LedgerEvent>> shares(consumers);
  for (LedgerEvent& e : events) shares[owner[e.asin]].push_back(std::move(e));

  // Each consumer has its own connections, as separate aggregator instances would.
  std::vector<std::unique_ptr<pg::Pool>> pools;
  std::vector<std::unique_ptr<redis::Client>> clients;
  for (int c = 0; c < consumers; ++c) {
    pools.push_back(ConnectPostgres(env.options.pg_dsn, 1));
    clients.push_back(ConnectRedis(env.options.redis_addr, 1));
  }
  spdlog::info("peak x{}: applying {} events in batches of {}", consumers, events.size(),
               env.options.batch);
  std::vector<std::vector<double>> batch_ms(consumers);
  std::vector<double> ledger_s(consumers, 0), cache_s(consumers, 0);
  std::vector<int64_t> puts(consumers, 0);
  std::atomic<bool> failed{false};
  std::vector<std::thread> threads;
  threads.reserve(consumers);
  const double t0 = NowSeconds();
  for (int c = 0; c < consumers; ++c) {
    threads.emplace_back([&, c] {
      PgRatingLedger pg_ledger(*pools[c]);
      ratings::RedisRatingCache redis_cache(*clients[c]);
      TimedLedger ledger(pg_ledger);
      TimedCache cache(redis_cache);
      Aggregator aggregator(ledger, cache);
      const std::vector<LedgerEvent>& mine = shares[c];
      for (size_t i = 0; i < mine.size(); i += env.options.batch) {
        std::vector<LedgerEvent> batch(
            mine.begin() + static_cast<std::ptrdiff_t>(i),
            mine.begin() + static_cast<std::ptrdiff_t>(
                               std::min(mine.size(), i + static_cast<size_t>(env.options.batch))));
        const double b0 = NowSeconds();
        if (absl::Status s = aggregator.Apply(batch); !s.ok()) {
          spdlog::error("peak apply: {}", s);
          failed = true;
          return;
        }
        batch_ms[c].push_back(1e3 * (NowSeconds() - b0));
      }
      ledger_s[c] = ledger.seconds;
      cache_s[c] = cache.seconds;
      puts[c] = cache.puts;
    });
  }
  for (auto& t : threads) t.join();
  out.seconds = NowSeconds() - t0;
  if (failed) std::exit(1);
  for (const auto& v : batch_ms) out.batch_ms.insert(out.batch_ms.end(), v.begin(), v.end());
  for (int c = 0; c < consumers; ++c) {
    out.ledger_s += ledger_s[c];
    out.cache_s += cache_s[c];
    out.cache_puts += puts[c];
  }

  // I2 and I3 for every product, and every event counted exactly once.
  std::vector<review::RatingAggregate> rows;
  int64_t total = 0;
  for (const std::string& asin : asins) {
    rows.push_back(StoredRating(env, asin));
    total += rows.back().count;
  }
  ratings::RedisRatingCache cache(*env.redis);
  out.check = VerifyProducts(env, cache, rows) == "ok" && total == out.events ? "ok" : "MISMATCH";
  spdlog::info(
      "peak x{}: {:.0f} events/s ({:.2f} s), batch p50 {:.1f} ms p99 {:.1f} ms (ledger {:.1f} ms, "
      "cache {:.1f} ms for {:.0f} puts per batch), check {}",
      consumers, out.EventsPerSecond(), out.seconds, Quantile(out.batch_ms, 0.5),
      Quantile(out.batch_ms, 0.99), 1e3 * out.ledger_s / out.batches(),
      1e3 * out.cache_s / out.batches(), static_cast<double>(out.cache_puts) / out.batches(),
      out.check);
  return out;
}

int Main(int argc, char** argv) {
  Options o;
  std::vector<int64_t> sizes, consumer_counts;
  auto add_flags = [&](core::Flags& flags) {
    flags.AddString("sizes", "", &o.sizes,
                    "product sizes N (existing counted reviews), comma list");
    flags.AddInt("reviews", "", &o.reviews, "K: new reviews applied per size by Candor", 1,
                 1000000);
    flags.AddInt("batch", "", &o.batch, "events per batch (one ledger transaction)", 1, 100000);
    flags.AddInt("naive-reviews", "", &o.naive_reviews, "most reviews per size for the naive way",
                 1, 1000000);
    flags.AddDouble("naive-budget-s", "", &o.naive_budget_s,
                    "stop the naive way of one size after this many seconds", 0.1, 3600);
    flags.AddInt("peak-events", "", &o.peak_events, "events of the peak run (0: skip it)", 0,
                 10000000);
    flags.AddInt("peak-products", "", &o.peak_products, "products of the peak run", 1, 1000);
    flags.AddString("peak-consumers", "", &o.peak_consumers,
                    "aggregator instances (threads) to run the peak with, comma list (at most 8)");
  };
  auto validate = [&]() -> std::string {
    auto s = ParseIntList("sizes", o.sizes, 1, 100'000'000);
    if (!s.ok()) return std::string(s.status().message());
    sizes = *std::move(s);
    auto c = ParseIntList("peak-consumers", o.peak_consumers, 1, 64);
    if (!c.ok()) return std::string(c.status().message());
    consumer_counts = *std::move(c);
    return consumer_counts.size() > 8 ? "--peak-consumers: at most 8 runs" : "";
  };
  RunContext context;
  if (auto rc = StartBench(kSpec, o, add_flags, validate, argc, argv, &context)) {
    return *rc;
  }

  Env env;
  env.options = o;
  env.pool = ConnectPostgres(o.pg_dsn, 2);
  env.db = std::make_unique<reviewdb::ReviewDb>(*env.pool);
  env.redis = ConnectRedis(o.redis_addr, 2);
  std::mt19937_64 seed_rng(std::random_device{}());
  env.tag = "Y" + RandomTag(seed_rng, 5);
  spdlog::info("run tag {} (every asin of this run starts with it)", env.tag);

  std::vector<SizeResult> results;
  for (size_t i = 0; i < sizes.size(); ++i) {
    results.push_back(RunSize(env, sizes[i], static_cast<int>(i)));
  }
  std::vector<PeakResult> peaks;
  if (o.peak_events > 0) {
    for (size_t i = 0; i < consumer_counts.size(); ++i) {
      peaks.push_back(RunPeak(env, static_cast<int>(consumer_counts[i]), static_cast<int>(i)));
    }
  }
  spdlog::info("deleting the {} products of this run", env.created.size());
  const double d0 = NowSeconds();
  DeleteProducts(*env.pool, *env.redis, env.created);
  spdlog::info("deleted in {:.1f} s", NowSeconds() - d0);

  // ---- report
  std::cout << ReportTitle("Rating aggregate cost per review as a product grows", context)
            << "Candor: " << o.reviews << " new reviews per size, batches of " << o.batch
            << ", Aggregator(PgRatingLedger, RedisRatingCache)::Apply; 'store' is the "
               "fraud-scorer's PgReviewRepository::Store of the same rows, timed apart.\n"
            << "us/rev = total time / reviews; (median) = median batch (Candor) or median "
               "review (naive); naive/candor compares the medians.\n"
            << "naive: per review INSERT + SELECT AVG(rating), COUNT(*) WHERE asin = $1 + UPDATE "
               "product_ratings; prepared; one transaction per "
            << o.batch << " reviews; up to " << o.naive_reviews << " reviews or "
            << o.naive_budget_s << " s per size.\n\n";
  Table table({"N", "candor us/rev", "(median)", "(pg + redis)", "candor ev/s", "store us/rev",
               "naive revs", "naive us/rev", "(median)", "(AVG() part)", "naive ev/s",
               "naive/candor", "checks"});
  for (const SizeResult& r : results) {
    const double naive_us = r.NaiveUs();
    const auto k = static_cast<double>(r.candor_reviews);
    table.AddRow({absl::StrCat(r.n), Fixed(r.CandorApplyUs(), 1), Fixed(r.CandorMedianUs(), 1),
                  absl::StrCat(Fixed(1e6 * r.candor_ledger_s / k, 1), " + ",
                               Fixed(1e6 * r.candor_cache_s / k, 1)),
                  Fixed(1e6 / r.CandorApplyUs(), 0), Fixed(r.CandorInsertUs(), 1),
                  absl::StrCat(r.naive_reviews), Fixed(naive_us, 1), Fixed(r.NaiveMedianUs(), 1),
                  Fixed(1e6 * r.naive_avg_s / r.naive_reviews, 1), Fixed(1e6 / naive_us, 0),
                  absl::StrCat(Fixed(r.NaiveMedianUs() / r.CandorMedianUs(), 1), "x"),
                  r.candor_check + "/" + r.naive_check});
  }
  std::cout << table.Render();
  if (!peaks.empty()) {
    std::cout << "\nAggregator peak: " << o.peak_events << " Accepted events over "
              << o.peak_products << " products, random order, batches of " << o.batch
              << " (target >= 20,000 events/s)\n\n";
    Table peak_table({"consumers", "events/s", "seconds", "batches", "batch p50 ms", "batch p99 ms",
                      "pg ms/batch", "redis ms/batch", "redis puts/batch", "check"});
    for (const PeakResult& p : peaks) {
      const double batches = p.batches();
      peak_table.AddRow({absl::StrCat(p.consumers), Fixed(p.EventsPerSecond(), 0),
                         Fixed(p.seconds, 2), absl::StrCat(p.batch_ms.size()),
                         Fixed(Quantile(p.batch_ms, 0.5), 1), Fixed(Quantile(p.batch_ms, 0.99), 1),
                         Fixed(1e3 * p.ledger_s / batches, 1), Fixed(1e3 * p.cache_s / batches, 1),
                         Fixed(static_cast<double>(p.cache_puts) / batches, 0), p.check});
    }
    std::cout << peak_table.Render();
  }

  bool all_ok = true;
  nlohmann::json j = JsonReport("aggregator", context);
  j["reviews_per_size"] = o.reviews;
  j["batch"] = o.batch;
  for (const SizeResult& r : results) {
    all_ok = all_ok && r.candor_check == "ok" && r.naive_check == "ok";
    j["sizes"].push_back(
        {{"n", r.n},
         {"load_s", r.load_s},
         {"candor_reviews", r.candor_reviews},
         {"candor_apply_us_per_review", r.CandorApplyUs()},
         {"candor_apply_events_per_s", 1e6 / r.CandorApplyUs()},
         {"candor_apply_batch_p50_ms", Quantile(r.candor_apply_ms, 0.5)},
         {"candor_apply_batch_max_ms", Quantile(r.candor_apply_ms, 1.0)},
         {"candor_ledger_us_per_review", 1e6 * r.candor_ledger_s / r.candor_reviews},
         {"candor_cache_us_per_review", 1e6 * r.candor_cache_s / r.candor_reviews},
         {"candor_store_us_per_review", r.CandorInsertUs()},
         {"candor_check", r.candor_check},
         {"naive_reviews", r.naive_reviews},
         {"naive_insert_us_per_review", 1e6 * r.naive_insert_s / r.naive_reviews},
         {"naive_avg_us_per_review", 1e6 * r.naive_avg_s / r.naive_reviews},
         {"naive_write_us_per_review", 1e6 * r.naive_write_s / r.naive_reviews},
         {"naive_commit_us_per_review", 1e6 * r.naive_commit_s / r.naive_reviews},
         {"naive_us_per_review", r.NaiveUs()},
         {"naive_events_per_s", 1e6 / r.NaiveUs()},
         {"naive_check", r.naive_check}});
  }
  for (const PeakResult& p : peaks) {
    all_ok = all_ok && p.check == "ok";
    j["peak"].push_back({{"consumers", p.consumers},
                         {"events", p.events},
                         {"products", p.products},
                         {"seconds", p.seconds},
                         {"events_per_s", p.EventsPerSecond()},
                         {"batch_p50_ms", Quantile(p.batch_ms, 0.5)},
                         {"batch_p99_ms", Quantile(p.batch_ms, 0.99)},
                         {"ledger_ms_per_batch", 1e3 * p.ledger_s / p.batches()},
                         {"cache_ms_per_batch", 1e3 * p.cache_s / p.batches()},
                         {"cache_puts_per_batch", static_cast<double>(p.cache_puts) / p.batches()},
                         {"check", p.check}});
  }
  if (!WriteJson(j, o.json)) return 1;
  return all_ok ? 0 : 1;
}

}  // namespace
}  // namespace candor::bench

int main(int argc, char** argv) { return candor::bench::Main(argc, argv); }
