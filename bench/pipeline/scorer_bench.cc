// candor-scorer-bench: the fraud-scorer's write path, reviews/s and per-review latency, through
// its own composition (app.cc: ReviewIntake over a scorer, PgReviewRepository and
// KafkaAcceptedPublisher) on a real Redis and PostgreSQL (tools/stack/stack.sh;
// bench/run_pipeline.sh starts one). The scorer is the service's default, the model
// (--scorers=model: ModelScorer over libs/fraud's RedisFeatureStore, every feature including the
// near-duplicate LSH, and the committed model models/fraud/current.json with the datacenter list
// beside it), or the rule set (rules: RuleScorer over RedisBehaviourWindow), or both. Kafka is
// librdkafka's mock cluster in this process by default (--publish=mock), the stack's broker
// (--publish=kafka, a topic of its own), or left out (--publish=none).
//
// Batches of --batch submissions, one after another, as the service's consume loop takes them:
// with --overlap on (the service's way, kafka::RunBatchLoop with a StagedBatchHandler) batch N+1
// is scored (ReviewIntake::Score) while batch N is stored and published (ReviewIntake::Store) on a
// second thread; with off, each batch is scored, stored and published before the next starts.
// A review's latency is the time from its batch's start (its scoring) to the batch's end (stored,
// committed and, unless --publish=none, every Accepted confirmed), and separately to the commit
// alone. Design target (design.md 7): >= 10,000 reviews/s, p99 <= 50 ms per review.
//
// Each configuration runs the same workload on fresh users and products: "model", and for the
// rules once per --window-modes mode:
//   pipelined   the window records a whole batch in one Redis round trip (RecordBatch);
//   per-review  the window's single-review Record only (one round trip per review), as before
//               the pipelining.
// --overlap off,on runs every mode both ways (interleaved, for a comparison in one run).
// --instances runs every mode with 1..n scorer instances at once (threads, each with its own
// connections and its own share of the products, as partition owners; they share the producer).
// The planner statistics are refreshed after the warm-up (see RunMode). Every row and key the
// bench creates is deleted at the end.
#include <algorithm>
#include <array>
#include <future>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "bench/pipeline/bench_util.h"
#include "libs/core/clock.h"
#include "libs/core/flags.h"
#include "libs/core/log.h"
#include "libs/events/topics.h"
#include "libs/fraud/redis_feature_store.h"
#include "libs/kafka/kafka.h"
#include "libs/kafka/mock_cluster.h"
#include "libs/pg/pg_pool.h"
#include "libs/redis/redis_client.h"
#include "libs/review/fingerprint.h"
#include "nlohmann/json.hpp"
#include "services/fraud-scorer/config.h"
#include "services/fraud-scorer/intake.h"
#include "services/fraud-scorer/kafka_accepted_publisher.h"
#include "services/fraud-scorer/model_scorer.h"
#include "services/fraud-scorer/pg_review_repository.h"
#include "services/fraud-scorer/redis_behaviour_window.h"
#include "services/fraud-scorer/rule_scorer.h"

namespace candor::bench {
namespace {

using fraud_scorer::AcceptedPublisher;
using fraud_scorer::BehaviourWindow;
using fraud_scorer::Decision;
using fraud_scorer::ReviewRepository;
using fraud_scorer::ScoredReview;
using fraud_scorer::StoredReview;
using fraud_scorer::UserActivity;

// What --help says, and the logger's name.
const BenchSpec kSpec{"candor-scorer-bench",
                      "Fraud-scorer throughput and per-review latency through ReviewIntake on real "
                      "Redis and PostgreSQL, with the model (default) or the rule set. Needs a "
                      "stack: tools/stack/stack.sh up, or bench/run_pipeline.sh.",
                      "scorer-bench"};

struct Options : CommonOptions {
  std::string kafka_brokers = "127.0.0.1:9093";
  std::string publish = "mock";
  std::string kafka_topic = "bench.review-events";
  std::string kafka_props;
  std::string scorers = "model";
  std::string model_path = CANDOR_SOURCE_DIR "/models/fraud/current.json";
  std::string datacenter_cidrs = CANDOR_SOURCE_DIR "/models/fraud/datacenter-cidrs.txt";
  std::string window_modes = "per-review,pipelined";
  std::string instances = "1";
  std::string overlap = "on";
  int64_t reviews = 30000;
  int64_t repeat = 1;
  int64_t batch = fraud_scorer::kDefaultMaxBatch;  // what the service runs with
  int64_t warmup_batches = 4;
  int64_t users = 50000;
  int64_t products = 1000;
};

// What a timing decorator adds up about its port: the time spent in it, what it counts (the
// window: Redis round trips; the publisher: reviews published) and the failed results.
struct PortFigures {
  double seconds = 0;
  int64_t count = 0;
  int64_t failures = 0;

  void Add(const PortFigures& other) {
    seconds += other.seconds;
    count += other.count;
    failures += other.failures;
  }
  // A batch call (one round trip): counted, with its failed results.
  template <typename T>
  void AddBatch(const std::vector<absl::StatusOr<T>>& results) {
    ++count;
    for (const auto& one : results) {
      if (!one.ok()) ++failures;
    }
  }
};

// The window, timed whichever way it is called, counting Redis round trips: one per Record, one
// per RecordBatch. Unless `pipelined`, it hides the adapter's RecordBatch, so the scorer falls
// back to one Record (one round trip) per review: the window as it was before pipelining.
class TimedWindow final : public BehaviourWindow {
 public:
  TimedWindow(BehaviourWindow& inner, bool pipelined) : inner_(inner), pipelined_(pipelined) {}
  absl::StatusOr<UserActivity> Record(const std::string& user_id, const std::string& review_id,
                                      const std::string& asin, absl::Time at,
                                      absl::Time now) override {
    auto r =
        AddTime(figures.seconds, [&] { return inner_.Record(user_id, review_id, asin, at, now); });
    ++figures.count;
    if (!r.ok()) ++figures.failures;
    return r;
  }
  std::vector<absl::StatusOr<UserActivity>> RecordBatch(
      const std::vector<fraud_scorer::WindowEntry>& entries, absl::Time now) override {
    if (!pipelined_) return BehaviourWindow::RecordBatch(entries, now);  // Record per entry
    auto r = AddTime(figures.seconds, [&] { return inner_.RecordBatch(entries, now); });
    figures.AddBatch(r);
    return r;
  }
  PortFigures figures;

 private:
  BehaviourWindow& inner_;
  const bool pipelined_;
};

// The model's feature store (RedisFeatureStore), timed: one Redis round trip per RecordBatch.
class TimedFeatures final : public fraud::FeatureStore {
 public:
  explicit TimedFeatures(fraud::FeatureStore& inner) : inner_(inner) {}
  std::vector<absl::StatusOr<fraud::FeatureRow>> RecordBatch(
      const std::vector<fraud::ReviewFacts>& reviews) override {
    auto r = AddTime(figures.seconds, [&] { return inner_.RecordBatch(reviews); });
    figures.AddBatch(r);
    return r;
  }
  void MarkRejected(const std::vector<fraud::ReviewFacts>& reviews) override {
    inner_.MarkRejected(reviews);
  }
  PortFigures figures;

 private:
  fraud::FeatureStore& inner_;
};

// The whole scoring step of a batch (for the model: FactsOf, the features' round trip, the model,
// the reasons), timed.
class TimedScorer final : public fraud_scorer::Scorer {
 public:
  explicit TimedScorer(std::unique_ptr<fraud_scorer::Scorer> inner) : inner_(std::move(inner)) {}
  absl::StatusOr<Decision> Score(const review::Submission& submission, absl::Time now) override {
    return AddTime(figures.seconds, [&] { return inner_->Score(submission, now); });
  }
  std::vector<absl::StatusOr<Decision>> ScoreBatch(
      const std::vector<review::Submission>& submissions, absl::Time now) override {
    ++figures.count;
    return AddTime(figures.seconds, [&] { return inner_->ScoreBatch(submissions, now); });
  }
  PortFigures figures;

 private:
  std::unique_ptr<fraud_scorer::Scorer> inner_;
};

// Adds up the time of Store and remembers when the last one returned (the commit).
class TimedRepository final : public ReviewRepository {
 public:
  explicit TimedRepository(ReviewRepository& inner) : inner_(inner) {}
  absl::StatusOr<std::vector<StoredReview>> Store(
      const std::vector<ScoredReview>& reviews) override {
    const double t0 = NowSeconds();
    auto r = inner_.Store(reviews);
    committed_at = NowSeconds();
    figures.seconds += committed_at - t0;
    return r;
  }
  PortFigures figures;
  double committed_at = 0;

 private:
  ReviewRepository& inner_;
};

class TimedPublisher final : public AcceptedPublisher {
 public:
  explicit TimedPublisher(AcceptedPublisher* inner) : inner_(inner) {}
  absl::Status PublishAccepted(const std::vector<StoredReview>& reviews) override {
    if (inner_ == nullptr) return absl::OkStatus();  // --publish=none
    figures.count += static_cast<int64_t>(reviews.size());
    return AddTime(figures.seconds, [&] { return inner_->PublishAccepted(reviews); });
  }
  PortFigures figures;

 private:
  AcceptedPublisher* inner_;
};

struct ModeResult {
  std::string mode;
  bool overlap = true;
  int instances = 1;
  int round = 0;
  double seconds = 0;
  // Every measured review's latency in ms: to its batch's end, and to its batch's commit.
  std::vector<double> review_ms, commit_ms;
  // Summed over the instances. window: the rules' window or the model's feature store.
  PortFigures score, window, store, publish;
  int64_t pass = 0, queue = 0, reject = 0, unscored = 0;

  int64_t reviews() const { return static_cast<int64_t>(review_ms.size()); }
  double ReviewsPerSecond() const { return static_cast<double>(reviews()) / seconds; }
  double Us(const PortFigures& port) const {
    return 1e6 * port.seconds / static_cast<double>(reviews());
  }
};

// Submissions as the gateway produces them: fingerprinted, ids derived, plausible text, users
// drawn from a pool so some of them build up history in the window. Each user has a device of its
// own and one of 20,000 addresses (some shared, as behind a NAT), and nine in ten an account
// creation claim 60 to 1,859 days old (the tenth is aged by its first review). Submission times
// are spread evenly over the 30 days before now, whatever the throughput measured: the features
// then see products reviewed at a shopper's pace, as a live platform's many products are, and
// not every product of the run bombed within seconds (which the model rightly rejects, and
// which would measure the cost of rejections instead of the common path).
std::vector<review::Submission> MakeSubmissions(const Options& o, const std::string& tag,
                                                std::vector<std::string>* asins,
                                                std::vector<std::string>* users,
                                                std::mt19937_64& rng) {
  for (int64_t p = 0; p < o.products; ++p) {
    char digits[8];
    std::snprintf(digits, sizeof(digits), "%03d", static_cast<int>(p % 1000));
    asins->push_back(absl::StrCat(tag, digits));
  }
  for (int64_t u = 0; u < o.users; ++u) users->push_back(absl::StrCat("sb-", tag, "-", u));
  const int64_t total = o.reviews + o.warmup_batches * o.batch;
  std::vector<review::Submission> out;
  out.reserve(static_cast<size_t>(total));
  const absl::Duration step = absl::Hours(24 * 30) / total;
  const absl::Time start = absl::Now() - step * total;
  for (int64_t i = 0; i < total; ++i) {
    review::SubmissionInput in;
    in.asin = (*asins)[rng() % asins->size()];
    const uint64_t u = rng() % users->size();
    in.rating = SkewedRating(rng);
    in.title = i % 7 == 0 ? "BEST PURCHASE EVER!!!!" : "Works as described";
    in.body = ReviewText(rng, i % 11 == 0 ? 25 : 120 + rng() % 600);
    in.verified_purchase = rng() % 5 != 0;
    in.device_id = absl::StrCat("bench-device-", u);
    const uint64_t a = u % 20000;
    const std::string ip = absl::StrCat("10.", a >> 16, ".", (a >> 8) & 255, ".", a & 255);
    const absl::Time at = start + step * i;
    review::Submission sub = review::Admitted(in, (*users)[u], ip, at);
    if (u % 10 != 0) {
      sub.account_created_at = at - absl::Hours(24 * static_cast<int64_t>(60 + (u * 7919) % 1800));
    }
    out.push_back(std::move(sub));
  }
  return out;
}

void DeleteWindowKeys(redis::Client& redis, const std::vector<std::string>& users) {
  for (size_t i = 0; i < users.size(); i += 250) {
    std::vector<std::string> keys = {"DEL"};
    for (size_t j = i; j < std::min(users.size(), i + 250); ++j) {
      keys.push_back(fraud_scorer::RedisBehaviourWindow::ReviewsKey(users[j]));
      keys.push_back(fraud_scorer::RedisBehaviourWindow::ProductsKey(users[j]));
    }
    std::vector<std::string_view> args(keys.begin(), keys.end());
    Check("delete window keys", redis.Command(args).status());
  }
}

// What "model" runs: the committed model and the datacenter list, loaded once per instance (as
// each service process does).
constexpr char kModelMode[] = "model";

// The Redis key prefix of the model's feature store in run `tag` (deleted afterwards).
std::string FeaturePrefix(const std::string& tag) { return absl::StrCat("sb:fr:", tag, ":"); }

// One fraud-scorer instance: the service's own wiring (app.cc) with timing decorators around the
// ports, its own Redis and Postgres connections, and the products it owns (its partitions). `mode`
// is "model" or "rules <window mode>".
struct Instance {
  Instance(const Options& o, const std::string& mode, const std::string& tag,
           AcceptedPublisher* publisher)
      : redis(ConnectRedis(o.redis_addr, 2, absl::Milliseconds(500))),
        pool(ConnectPostgres(o.pg_dsn, 2)),
        scorer(MakeScorer(o, mode, tag)),
        pg_repository(*pool),
        repository(pg_repository),
        timed_publisher(publisher),
        intake(scorer, repository, timed_publisher, clock) {}

  // Runs `subs` in batches, scoring each batch while the one before is stored (`overlap`, as
  // the service's consume loop does) or each batch whole before the next; records latencies
  // unless `warmup`.
  void Run(const std::vector<review::Submission>& subs, int64_t batch_size, bool warmup,
           bool overlap) {
    struct Storing {
      double started = 0;  // the batch's start: its scoring
      size_t size = 0;
      fraud_scorer::ScoredBatch scored;
      std::future<double> done;  // when it was stored and published
    };
    std::optional<Storing> storing;
    auto finish = [&] {
      const double t1 = storing->done.get();
      if (!warmup) {
        batch_ms.push_back(1e3 * (t1 - storing->started));
        commit_ms.push_back(1e3 * (repository.committed_at - storing->started));
        batch_sizes.push_back(storing->size);
      }
      storing.reset();
    };
    for (size_t next = 0; next < subs.size();) {
      const size_t end = std::min(subs.size(), next + static_cast<size_t>(batch_size));
      std::vector<review::Submission> batch(subs.begin() + static_cast<std::ptrdiff_t>(next),
                                            subs.begin() + static_cast<std::ptrdiff_t>(end));
      next = end;
      Storing s{
          .started = NowSeconds(), .size = batch.size(), .scored = intake.Score(batch), .done = {}};
      if (storing.has_value()) finish();
      storing = std::move(s);
      fraud_scorer::ScoredBatch* scored = &storing->scored;
      auto store = [this, scored] {
        Check("intake", intake.Store(*scored));
        return NowSeconds();
      };
      storing->done = std::async(overlap ? std::launch::async : std::launch::deferred, store);
      if (!overlap) finish();
    }
    if (storing.has_value()) finish();
  }

  // Forgets what the warm-up did.
  void ResetCounters() {
    scorer.figures = repository.figures = timed_publisher.figures = {};
    if (window != nullptr) window->figures = {};
    if (features != nullptr) features->figures = {};
    const fraud_scorer::IntakeStats& st = intake.stats();
    base = {st.pass.load(), st.queue.load(), st.reject.load(), st.unscored.load()};
  }

  // The rules' window or the model's feature store.
  const PortFigures& WindowFigures() const {
    return window != nullptr ? window->figures : features->figures;
  }

  // In construction order: each borrows those above it.
  core::SystemClock clock;
  std::unique_ptr<redis::Client> redis;
  std::unique_ptr<pg::Pool> pool;
  // The model's (with kModelMode) or the rules' (otherwise); MakeScorer fills them.
  std::unique_ptr<fraud_scorer::RedisBehaviourWindow> redis_window;
  std::unique_ptr<TimedWindow> window;
  fraud_scorer::ModelFiles model_files;
  std::unique_ptr<fraud::RedisFeatureStore> feature_store;
  std::unique_ptr<TimedFeatures> features;
  TimedScorer scorer;
  fraud_scorer::PgReviewRepository pg_repository;
  TimedRepository repository;
  TimedPublisher timed_publisher;
  fraud_scorer::ReviewIntake intake;
  std::vector<double> batch_ms, commit_ms;
  std::vector<size_t> batch_sizes;
  std::array<int64_t, 4> base{};

 private:
  TimedScorer MakeScorer(const Options& o, const std::string& mode, const std::string& tag) {
    const fraud_scorer::Thresholds thresholds{};  // the service's defaults
    if (mode == kModelMode) {
      absl::StatusOr<fraud_scorer::ModelFiles> files =
          fraud_scorer::LoadModelFiles(o.model_path, o.datacenter_cidrs);
      Check("model", files.status());
      model_files = *std::move(files);
      feature_store = std::make_unique<fraud::RedisFeatureStore>(
          *redis, clock, fraud::FeatureStoreLimits{}, FeaturePrefix(tag));
      features = std::make_unique<TimedFeatures>(*feature_store);
      return TimedScorer(std::make_unique<fraud_scorer::ModelScorer>(
          *features, *model_files.model, model_files.datacenters, thresholds));
    }
    redis_window = std::make_unique<fraud_scorer::RedisBehaviourWindow>(*redis, clock);
    window = std::make_unique<TimedWindow>(*redis_window, mode == "rules pipelined");
    return TimedScorer(std::make_unique<fraud_scorer::RuleScorer>(*window, thresholds));
  }
};

// Deletes the model's feature store keys of run `tag`.
void DeleteFeatureKeys(redis::Client& redis, const std::string& tag) {
  std::string cursor = "0";
  do {
    absl::StatusOr<redis::Reply> r =
        redis.Command({"SCAN", cursor, "MATCH", FeaturePrefix(tag) + "*", "COUNT", "1000"});
    Check("scan feature keys", r.status());
    cursor = r->elements[0].str;
    std::vector<std::string_view> del = {"UNLINK"};
    for (const redis::Reply& k : r->elements[1].elements) del.push_back(k.str);
    if (del.size() > 1) Check("delete feature keys", redis.Command(del).status());
  } while (cursor != "0");
}

// Runs `fn(i)` on one thread per instance and waits for all.
template <typename Fn>
void OnEachInstance(size_t n, Fn fn) {
  std::vector<std::thread> threads;
  for (size_t i = 0; i < n; ++i) threads.emplace_back([&fn, i] { fn(i); });
  for (auto& t : threads) t.join();
}

ModeResult RunMode(const Options& o, const std::string& mode, bool overlap, int instances,
                   const std::string& tag, AcceptedPublisher* publisher, std::mt19937_64& rng,
                   std::vector<std::string>* created_asins) {
  ModeResult out;
  out.mode = mode;
  out.overlap = overlap;
  out.instances = instances;
  Options sized = o;
  sized.warmup_batches = o.warmup_batches * instances;
  std::vector<std::string> asins, users;
  std::vector<review::Submission> subs = MakeSubmissions(sized, tag, &asins, &users, rng);
  created_asins->insert(created_asins->end(), asins.begin(), asins.end());

  // Each instance owns the products whose index is its own modulo the instance count, as
  // partition owners do; its warm-up is the first of its reviews.
  std::map<std::string, size_t> owner;
  for (size_t i = 0; i < asins.size(); ++i) owner[asins[i]] = i % static_cast<size_t>(instances);
  std::vector<std::vector<review::Submission>> warm(instances), measured(instances);
  const auto warm_each = static_cast<size_t>(o.warmup_batches * o.batch);
  for (review::Submission& s : subs) {
    const size_t i = owner[s.asin];
    (warm[i].size() < warm_each ? warm[i] : measured[i]).push_back(std::move(s));
  }
  std::vector<std::unique_ptr<Instance>> parts;
  parts.reserve(static_cast<size_t>(instances));
  for (int i = 0; i < instances; ++i) {
    parts.push_back(std::make_unique<Instance>(o, mode, tag, publisher));
  }

  const char* stages = overlap ? "overlapped" : "serial";
  spdlog::info(
      "{} {} x{}: {} warm-up batches each, then {} reviews in batches of {} ({} users, {} "
      "products)",
      mode, stages, instances, o.warmup_batches, o.reviews, o.batch, o.users, o.products);
  OnEachInstance(parts.size(), [&](size_t i) { parts[i]->Run(warm[i], o.batch, true, overlap); });
  // The tables were emptied by the bench before (or are new): let the planner see their real
  // size now, as autovacuum soon would on a live table, so the measured batches do not run on
  // the statistics of an empty table.
  Check("analyze", parts[0]->pool->WithConnection([](pqxx::connection& c) {
    pqxx::nontransaction tx(c);
    tx.exec("ANALYZE reviews, fraud_audit, moderation_queue");
  }));
  Checkpoint(*parts[0]->pool);  // earlier runs' dirty pages are written now, not mid-run
  for (auto& p : parts) p->ResetCounters();

  const double t0 = NowSeconds();
  OnEachInstance(parts.size(),
                 [&](size_t i) { parts[i]->Run(measured[i], o.batch, false, overlap); });
  out.seconds = NowSeconds() - t0;

  // Every review of a batch has that batch's latency, so the per-review quantiles are the batch
  // quantiles weighted by batch size.
  for (const auto& p : parts) {
    for (size_t b = 0; b < p->batch_ms.size(); ++b) {
      out.review_ms.insert(out.review_ms.end(), p->batch_sizes[b], p->batch_ms[b]);
      out.commit_ms.insert(out.commit_ms.end(), p->batch_sizes[b], p->commit_ms[b]);
    }
    out.score.Add(p->scorer.figures);
    out.window.Add(p->WindowFigures());
    out.store.Add(p->repository.figures);
    out.publish.Add(p->timed_publisher.figures);
    const fraud_scorer::IntakeStats& st = p->intake.stats();
    out.pass += st.pass - p->base[0];
    out.queue += st.queue - p->base[1];
    out.reject += st.reject - p->base[2];
    out.unscored += st.unscored - p->base[3];
  }
  spdlog::info(
      "{} {} x{}: {:.0f} reviews/s, per-review p50 {:.1f} ms p99 {:.1f} ms; score {:.1f} "
      "us/review, of which {} {:.1f} in {} calls; store {:.1f}, publish {:.1f}",
      mode, stages, instances, out.ReviewsPerSecond(), Quantile(out.review_ms, 0.5),
      Quantile(out.review_ms, 0.99), out.Us(out.score), mode == kModelMode ? "features" : "window",
      out.Us(out.window), out.window.count, out.Us(out.store), out.Us(out.publish));
  if (mode == kModelMode) {
    DeleteFeatureKeys(*parts[0]->redis, tag);
  } else {
    DeleteWindowKeys(*parts[0]->redis, users);
  }
  return out;
}

int Main(int argc, char** argv) {
  Options o;
  std::vector<std::string> modes;
  std::vector<int64_t> instance_counts;
  std::vector<bool> overlaps;
  auto add_flags = [&](core::Flags& flags) {
    flags.AddString("kafka-brokers", "CANDOR_KAFKA_BROKERS", &o.kafka_brokers,
                    "Kafka bootstrap servers (only with --publish=kafka)");
    flags.AddString("publish", "", &o.publish,
                    "where Accepted goes: mock (in-process mock cluster), kafka (--kafka-brokers), "
                    "none");
    flags.AddString("kafka-topic", "", &o.kafka_topic, "topic for Accepted with --publish=kafka");
    flags.AddString("kafka-props", "", &o.kafka_props,
                    "extra librdkafka producer properties, k=v,k=v (tuning experiments)");
    flags.AddString("scorers", "", &o.scorers,
                    "comma list of model (the service's default: the committed model on every "
                    "feature) and/or rules (the rule set, once per --window-modes mode)");
    flags.AddString("model", "", &o.model_path,
                    "the model file for --scorers=model (its metadata beside it)");
    flags.AddString("datacenter-cidrs", "", &o.datacenter_cidrs,
                    "the datacenter CIDR list for --scorers=model (empty: none)");
    flags.AddString("window-modes", "", &o.window_modes,
                    "with --scorers=rules: comma list of per-review and/or pipelined (see the file "
                    "comment)");
    flags.AddString("overlap", "", &o.overlap,
                    "on (the service's consume loop: the next batch is scored while this one is "
                    "stored and published), off (one batch after another), or off,on (both)");
    flags.AddString("instances", "", &o.instances,
                    "comma list of scorer instance counts (threads, each owning its share of the "
                    "products as a partition owner does); every mode runs with each");
    flags.AddInt("reviews", "", &o.reviews, "measured reviews per run (all instances together)", 1,
                 10000000);
    flags.AddInt("repeat", "", &o.repeat,
                 "rounds of every configuration, interleaved; the table shows the median", 1, 20);
    flags.AddInt("batch", "", &o.batch, "reviews per batch (the service's --max-batch)", 1, 10000);
    flags.AddInt("warmup-batches", "", &o.warmup_batches, "batches run before measuring", 0, 1000);
    flags.AddInt("users", "", &o.users, "distinct users the reviews come from", 1, 10000000);
    flags.AddInt("products", "", &o.products, "distinct products", 1, 1000);
  };
  auto validate = [&]() -> std::string {
    const std::vector<std::string> scorers = absl::StrSplit(o.scorers, ',', absl::SkipEmpty());
    const std::vector<std::string> windows = absl::StrSplit(o.window_modes, ',', absl::SkipEmpty());
    for (const std::string& m : windows) {
      if (m != "per-review" && m != "pipelined") return "--window-modes: unknown mode '" + m + "'";
    }
    if (windows.empty() || windows.size() > 8) return "--window-modes: give 1..8 modes";
    for (const std::string& sc : scorers) {
      if (sc == kModelMode) {
        modes.push_back(kModelMode);
      } else if (sc == "rules") {
        for (const std::string& w : windows) modes.push_back("rules " + w);
      } else {
        return "--scorers: model or rules, got '" + sc + "'";
      }
    }
    if (modes.empty()) return "--scorers: give model and/or rules";
    auto counts = ParseIntList("instances", o.instances, 1, 16);
    if (!counts.ok()) return std::string(counts.status().message());
    instance_counts = *std::move(counts);
    if (instance_counts.size() * modes.size() > 13) return "--instances: give 1 to a few counts";
    for (absl::string_view v : absl::StrSplit(o.overlap, ',', absl::SkipEmpty())) {
      if (v != "on" && v != "off") return "--overlap: on and/or off, got '" + std::string(v) + "'";
      overlaps.push_back(v == "on");
    }
    if (overlaps.empty() || overlaps.size() > 2) return "--overlap: give on, off or off,on";
    if (o.publish != "mock" && o.publish != "kafka" && o.publish != "none") {
      return "--publish: mock, kafka or none, got '" + o.publish + "'";
    }
    return "";
  };
  RunContext context;
  if (auto rc = StartBench(kSpec, o, add_flags, validate, argc, argv, &context)) {
    return *rc;
  }

  std::unique_ptr<kafka::MockCluster> cluster;
  std::string brokers = o.kafka_brokers;
  std::string topic = o.kafka_topic;
  if (o.publish == "mock") {
    cluster = std::make_unique<kafka::MockCluster>(1);
    topic = events::kReviewEventsTopic;
    cluster->CreateTopic(topic, 4);
    brokers = cluster->bootstrap();
  }
  std::unique_ptr<kafka::Producer> producer;
  std::unique_ptr<fraud_scorer::KafkaAcceptedPublisher> publisher;
  if (o.publish != "none") {
    kafka::ClientOptions kafka_options{brokers, "candor-scorer-bench", {}};
    for (absl::string_view kv : absl::StrSplit(o.kafka_props, ',', absl::SkipEmpty())) {
      std::pair<std::string, std::string> p = absl::StrSplit(kv, absl::MaxSplits('=', 1));
      kafka_options.extra[p.first] = p.second;
    }
    Check("kafka", kafka::CheckBrokers(kafka_options, absl::Seconds(5)));
    auto p = kafka::Producer::Create(kafka_options, absl::Seconds(10));
    Check("kafka producer", p.status());
    producer = *std::move(p);
    publisher =
        std::make_unique<fraud_scorer::KafkaAcceptedPublisher>(*producer, topic, absl::Seconds(10));
  }

  std::mt19937_64 rng(std::random_device{}());
  std::vector<ModeResult> results;
  std::vector<std::string> created;
  // Rounds interleave the configurations (A B C D, A B C D, ...) so that a noisy neighbour
  // hurts them alike; the table shows each configuration's median round.
  int run = 0;
  for (int64_t round = 0; round < o.repeat; ++round) {
    for (int64_t instances : instance_counts) {
      for (const std::string& mode : modes) {
        for (const bool overlap : overlaps) {
          // A fresh tag per run: fresh users (empty windows) and products, the same shape of
          // load.
          const std::string tag = "X" + RandomTag(rng, 4) + static_cast<char>('A' + run % 26) +
                                  static_cast<char>('A' + run / 26);
          ++run;
          results.push_back(RunMode(o, mode, overlap, static_cast<int>(instances), tag,
                                    publisher.get(), rng, &created));
          results.back().round = static_cast<int>(round);
        }
      }
    }
  }

  spdlog::info("deleting the {} products of this run", created.size());
  DeleteProducts(*ConnectPostgres(o.pg_dsn, 1), *ConnectRedis(o.redis_addr, 1), created);

  std::cout << ReportTitle("Fraud scoring through ReviewIntake", context) << o.reviews
            << " reviews per run, " << o.repeat
            << " round(s) per configuration (median shown), in batches of " << o.batch << " from "
            << o.users << " users over " << o.products << " products; Accepted published to "
            << (o.publish == "mock"    ? "librdkafka's in-process mock cluster"
                : o.publish == "kafka" ? brokers + " (" + topic + ")"
                                       : "nowhere (--publish=none)")
            << (o.kafka_props.empty() ? "" : " with producer properties " + o.kafka_props)
            << (absl::StrContains(o.scorers, kModelMode) ? "; the model is " + o.model_path : "")
            << ". Score = the scorer's whole step (for the model: facts, features, prediction, "
               "reasons); redis = its part in Redis (the model's feature store, or the rules' "
               "window); stages = overlapped (the next batch scored while this one is stored, as "
               "the service runs) or serial (one batch after another)"
            << ". Latency of a review = its batch's start to the batch's end (to commit in "
               "brackets). Targets: >= 10,000 reviews/s, p99 <= 50 ms.\n\n";
  Table table({"instances", "scorer", "stages", "reviews/s", "(min-max)", "p50 ms", "p99 ms",
               "max ms", "(commit p99)", "score us/rev", "redis us/rev", "redis calls",
               "store us/rev", "publish us/rev", "pass/queue/reject/unscored"});
  for (int64_t instances : instance_counts) {
    for (const std::string& mode : modes) {
      for (const bool overlap : overlaps) {
        std::vector<const ModeResult*> rounds;
        for (const ModeResult& r : results) {
          if (r.instances == instances && r.mode == mode && r.overlap == overlap) {
            rounds.push_back(&r);
          }
        }
        std::sort(rounds.begin(), rounds.end(), [](const ModeResult* a, const ModeResult* b) {
          return a->ReviewsPerSecond() < b->ReviewsPerSecond();
        });
        const ModeResult& r = *rounds[rounds.size() / 2];
        table.AddRow({absl::StrCat(r.instances), r.mode, r.overlap ? "overlapped" : "serial",
                      Fixed(r.ReviewsPerSecond(), 0),
                      absl::StrCat(Fixed(rounds.front()->ReviewsPerSecond(), 0), "-",
                                   Fixed(rounds.back()->ReviewsPerSecond(), 0)),
                      Fixed(Quantile(r.review_ms, 0.5), 1), Fixed(Quantile(r.review_ms, 0.99), 1),
                      Fixed(Quantile(r.review_ms, 1.0), 1), Fixed(Quantile(r.commit_ms, 0.99), 1),
                      Fixed(r.Us(r.score), 1), Fixed(r.Us(r.window), 1),
                      absl::StrCat(r.window.count), Fixed(r.Us(r.store), 1),
                      Fixed(r.Us(r.publish), 1),
                      absl::StrCat(r.pass, "/", r.queue, "/", r.reject, "/", r.unscored)});
      }
    }
  }
  std::cout << table.Render();

  nlohmann::json j = JsonReport("scorer", context);
  j["batch"] = o.batch;
  j["publish"] = o.publish;
  j["kafka_props"] = o.kafka_props;
  bool ok = true;
  for (const ModeResult& r : results) {
    ok = ok && r.window.failures == 0 && r.unscored == 0;
    j["runs"].push_back({{"round", r.round},
                         {"instances", r.instances},
                         {"scorer", r.mode},
                         {"overlap", r.overlap},
                         {"reviews", r.reviews()},
                         {"seconds", r.seconds},
                         {"reviews_per_s", r.ReviewsPerSecond()},
                         {"p50_ms", Quantile(r.review_ms, 0.5)},
                         {"p99_ms", Quantile(r.review_ms, 0.99)},
                         {"max_ms", Quantile(r.review_ms, 1.0)},
                         {"commit_p50_ms", Quantile(r.commit_ms, 0.5)},
                         {"commit_p99_ms", Quantile(r.commit_ms, 0.99)},
                         {"score_us_per_review", r.Us(r.score)},
                         {"window_us_per_review", r.Us(r.window)},
                         {"window_calls", r.window.count},
                         {"store_us_per_review", r.Us(r.store)},
                         {"publish_us_per_review", r.Us(r.publish)},
                         {"published", r.publish.count},
                         {"pass", r.pass},
                         {"queue", r.queue},
                         {"reject", r.reject},
                         {"unscored", r.unscored}});
  }
  if (!WriteJson(j, o.json)) return 1;
  if (!ok) spdlog::error("some reviews were unscored: the window or feature store failed (above)");
  return ok ? 0 : 1;
}

}  // namespace
}  // namespace candor::bench

int main(int argc, char** argv) { return candor::bench::Main(argc, argv); }
