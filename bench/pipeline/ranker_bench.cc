// candor-ranker-bench: helpful votes applied per second by one helpfulness-ranker (design.md 7:
// >= 20,000/s), beside a no-op consumer of the same votes in the same run. Runs against a real
// PostgreSQL, Redis and Kafka broker (tools/stack/stack.sh; bench/run_pipeline.sh starts one).
//
// Per round:
//   1. --reviews active reviews of --products fresh products (Zipf-like: product k gets weight
//      1/k, so a few hot products hold many reviews), bulk-loaded unranked;
//   2. --votes HelpfulVote events on a topic of the round's own (keyed by asin, as the gateway
//      publishes them; handed to the handlers as `helpful-votes`, see TimedHandler): a random
//      review, a voter of --voters, 70 % helpful, 25 % not helpful, 5 % retracted, increasing times
//      (so flips and retractions of earlier votes happen);
//   3. the no-op: a consume loop on the platform scaffold (libs/service ServiceApp, the service's
//      batch settings) whose handler decodes each vote (events::DecodeHelpfulVote) and does
//      nothing else: what reading and decoding the topic costs on this machine;
//   4. the ranker: the same scaffold with helpfulness-ranker's own domain (Ranker over
//      PgVoteLedger, RedisRankingCache and KafkaScorePublisher, RankerConsumer), as app.cc
//      composes it, reading the same topic in a group of its own.
// Each is timed from the start of its first batch to the end of the batch that handled the
// last vote (the group join before it is left out); the ranker's ports are timed too (Postgres,
// Redis, Kafka), so the table says where its time goes. Rounds alternate which goes first. After
// the ranker: every review's helpful / total equals the latest vote of each of its voters, and I4
// (counts = the ledger's sums) holds, or the bench exits 1.
//
// Every row belongs to asins of the run ("Y" + a random tag) and is deleted at the end with its
// ledger rows and Redis keys. Progress goes to stderr, the table to stdout, figures to --json.
#include <algorithm>
#include <atomic>
#include <iostream>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "bench/pipeline/bench_util.h"
#include "libs/core/clock.h"
#include "libs/events/helpful_votes.h"
#include "libs/events/topics.h"
#include "libs/kafka/batch_loop.h"
#include "libs/kafka/kafka.h"
#include "libs/rankcache/rank_cache.h"
#include "libs/review/fingerprint.h"
#include "libs/reviewdb/review_db.h"
#include "libs/service/service_app.h"
#include "services/helpfulness-ranker/config.h"
#include "services/helpfulness-ranker/kafka_score_publisher.h"
#include "services/helpfulness-ranker/pg_vote_ledger.h"
#include "services/helpfulness-ranker/ranker.h"
#include "services/helpfulness-ranker/ranker_consumer.h"
#include "services/helpfulness-ranker/redis_ranking_cache.h"
#include "spdlog/spdlog.h"

namespace candor::bench {
namespace {

using review::Vote;

struct Options {
  std::string kafka_brokers = "127.0.0.1:9093";
  int64_t votes = 200'000;
  int64_t reviews = 20'000;
  int64_t products = 1'000;
  int64_t voters = 100'000;
  int64_t rounds = 2;
  // helpfulness-ranker's defaults
  int64_t max_batch = helpfulness_ranker::Config{}.consumer.max_batch;
  int64_t linger_ms = helpfulness_ranker::Config{}.consumer.batch_linger_ms;
  int64_t ledger_shards = helpfulness_ranker::Config{}.ledger_shards;
  int64_t top_n = 1'000;
  int64_t timeout_s = 600;
};

// Forwards to `inner` and notes when the first batch started and when the batch that brought
// the handled count to `want` ended. Each round reads a topic of its own (a fresh group on the
// shared `helpful-votes` would read every earlier round's votes too), while RankerConsumer takes
// only `helpful-votes`: so the batch goes on as a copy whose messages name that topic, for the
// no-op and the ranker alike (a copy of up to --max-batch small messages: microseconds of a batch
// that takes milliseconds). Called from the loop's one thread.
class TimedHandler final : public kafka::BatchHandler {
 public:
  TimedHandler(kafka::BatchHandler& inner, int64_t want) : inner_(inner), want_(want) {}

  absl::Status Handle(const std::vector<kafka::Message>& batch,
                      std::vector<kafka::Poison>* poison) override {
    if (start_ == 0) start_ = NowSeconds();
    std::vector<kafka::Message> votes = batch;
    for (kafka::Message& m : votes) m.topic = events::kHelpfulVotesTopic;
    absl::Status s = inner_.Handle(votes, poison);
    if (s.ok()) {
      ++batches_;
      const int64_t handled = handled_ += static_cast<int64_t>(batch.size());
      if (handled >= want_ && end_ == 0) end_ = NowSeconds();
    }
    return s;
  }

  bool done() const { return end_ != 0; }
  double seconds() const { return end_ - start_; }
  int64_t handled() const { return handled_; }
  int64_t batches() const { return batches_; }

 private:
  kafka::BatchHandler& inner_;
  const int64_t want_;
  std::atomic<double> start_{0};
  std::atomic<double> end_{0};
  std::atomic<int64_t> handled_{0};
  std::atomic<int64_t> batches_{0};
};

// The no-op: every vote decoded, nothing applied.
class NoopDomain final : public service::ServiceDomain {
 public:
  NoopDomain(service::ConsumerConfig consumer, int64_t want)
      : consumer_(std::move(consumer)),
        decode_([](std::string_view bytes) { return events::DecodeHelpfulVote(bytes); },
                [](const std::vector<review::HelpfulVote>&) { return absl::OkStatus(); }),
        timed_(decode_, want) {}
  std::vector<service::ConsumerLoop> consumers() override {
    return {{.config = consumer_, .handler = &timed_}};
  }
  const TimedHandler& timed() const { return timed_; }

 private:
  service::ConsumerConfig consumer_;
  kafka::DecodingHandler<review::HelpfulVote> decode_;
  TimedHandler timed_;
};

// Where a ranker batch's time goes: each port's calls timed (the decorators below).
struct PortSeconds {
  std::atomic<double> ledger{0}, ledger_top{0}, cache{0}, publish{0};
};

class TimedLedger final : public helpfulness_ranker::VoteLedger {
 public:
  TimedLedger(VoteLedger& inner, PortSeconds& t) : inner_(inner), t_(t) {}
  absl::StatusOr<reviewdb::VoteResult> Apply(const std::vector<review::HelpfulVote>& votes,
                                             const std::vector<std::string>& rank_ids,
                                             const SortKeyFn& sort_key) override {
    return AddTime(t_.ledger, [&] { return inner_.Apply(votes, rank_ids, sort_key); });
  }
  absl::StatusOr<std::vector<std::pair<double, std::string>>> TopRanked(const std::string& asin,
                                                                        int limit) override {
    return AddTime(t_.ledger_top, [&] { return inner_.TopRanked(asin, limit); });
  }
  absl::StatusOr<reviewdb::VoteResult> Recount(const std::vector<std::string>& review_ids,
                                               const SortKeyFn& sort_key) override {
    return AddTime(t_.ledger, [&] { return inner_.Recount(review_ids, sort_key); });
  }

 private:
  VoteLedger& inner_;
  PortSeconds& t_;
};

class TimedCache final : public helpfulness_ranker::RankingCache {
 public:
  TimedCache(RankingCache& inner, PortSeconds& t) : inner_(inner), t_(t) {}
  absl::StatusOr<std::vector<std::string>> Update(
      const std::vector<std::pair<std::string, std::vector<helpfulness_ranker::RankChange>>>&
          products) override {
    return AddTime(t_.cache, [&] { return inner_.Update(products); });
  }
  absl::Status Rebuild(const std::string& asin,
                       const std::vector<std::pair<double, std::string>>& top,
                       bool complete) override {
    return AddTime(t_.cache, [&] { return inner_.Rebuild(asin, top, complete); });
  }
  absl::StatusOr<std::optional<helpfulness_ranker::CachedRanking>> Read(
      const std::string& asin) override {
    return AddTime(t_.cache, [&] { return inner_.Read(asin); });
  }

 private:
  RankingCache& inner_;
  PortSeconds& t_;
};

class TimedPublisher final : public helpfulness_ranker::ScorePublisher {
 public:
  TimedPublisher(ScorePublisher& inner, PortSeconds& t) : inner_(inner), t_(t) {}
  absl::Status Publish(const std::vector<review::ReviewScore>& scores) override {
    return AddTime(t_.publish, [&] { return inner_.Publish(scores); });
  }

 private:
  ScorePublisher& inner_;
  PortSeconds& t_;
};

// helpfulness-ranker's domain as app.cc composes it, with the timer around its handler and
// around each port (a clock read before and after each call: nothing against a batch's time).
class RankerDomain final : public service::ServiceDomain {
 public:
  RankerDomain(const service::Adapters& adapters, service::ConsumerConfig consumer, int64_t top_n,
               int64_t ledger_shards, int64_t want)
      : consumer_(std::move(consumer)),
        ledger_(*adapters.pg, static_cast<int>(ledger_shards)),
        cache_(*adapters.redis, static_cast<int>(top_n)),
        publisher_(*adapters.producer, events::kReviewScoresTopic),
        timed_ledger_(ledger_, ports_),
        timed_cache_(cache_, ports_),
        timed_publisher_(publisher_, ports_),
        ranker_(timed_ledger_, timed_cache_, timed_publisher_, helpfulness::ScoreParams{},
                static_cast<int>(top_n), clock_),
        handler_(ranker_),
        timed_(handler_, want) {}
  std::vector<service::ConsumerLoop> consumers() override {
    return {{.config = consumer_, .handler = &timed_}};
  }
  const TimedHandler& timed() const { return timed_; }
  const helpfulness_ranker::RankerStats& stats() const { return ranker_.stats(); }
  const PortSeconds& ports() const { return ports_; }

 private:
  service::ConsumerConfig consumer_;
  core::SystemClock clock_;
  helpfulness_ranker::PgVoteLedger ledger_;
  helpfulness_ranker::RedisRankingCache cache_;
  helpfulness_ranker::KafkaScorePublisher publisher_;
  PortSeconds ports_;
  TimedLedger timed_ledger_;
  TimedCache timed_cache_;
  TimedPublisher timed_publisher_;
  helpfulness_ranker::Ranker ranker_;
  helpfulness_ranker::RankerConsumer handler_;
  TimedHandler timed_;
};

// One round's data: the products, the reviews and the votes on the round's topic, and what the
// ledger must hold afterwards.
struct Round {
  std::string tag;
  std::string topic;
  std::vector<std::string> asins;
  std::vector<std::pair<std::string, std::string>> reviews;  // (review id, asin)
  std::map<std::string, std::pair<int64_t, int64_t>> expected;
};

Round Prepare(const Options& o, pg::Pool& pool, kafka::Producer& producer, std::mt19937_64& rng) {
  Round r;
  r.tag = RandomTag(rng, 5);
  r.topic = absl::StrCat("bench-votes-", r.tag);
  for (int64_t i = 0; i < o.products; ++i) {
    r.asins.push_back(absl::StrFormat("Y%s%04d", r.tag, i));
  }
  // Zipf-like products: the reviews' products drawn with weight 1 / (rank + 1).
  std::vector<double> weights;
  for (int64_t i = 0; i < o.products; ++i) weights.push_back(1.0 / static_cast<double>(i + 1));
  std::discrete_distribution<int64_t> product(weights.begin(), weights.end());
  std::vector<std::string> ids, asins, users, times;
  const absl::Time now = absl::Now();
  for (int64_t i = 0; i < o.reviews; ++i) {
    const std::string fp = review::Sha256Hex(absl::StrCat(r.tag, ":", i));
    const std::string& asin = r.asins[static_cast<size_t>(product(rng))];
    r.reviews.emplace_back(fp.substr(0, 32), asin);
    ids.push_back(fp.substr(0, 32));
    asins.push_back(asin);
    users.push_back(absl::StrCat("bench-author-", r.tag, "-", i));
    times.push_back(absl::FormatTime(absl::RFC3339_full,
                                     now - absl::Hours(static_cast<double>(rng() % (3 * 365 * 24))),
                                     absl::UTCTimeZone()));
  }
  Check("load reviews", pool.WithConnection([&](pqxx::connection& c) {
    pqxx::work tx(c);
    tx.exec_params(R"sql(
INSERT INTO reviews (review_id, fingerprint, asin, user_id, rating, title, body, verified_purchase,
                     status, counted, submitted_at)
SELECT id, id || md5(id), asin, u, 1 + (hashtext(id) & 2147483647) % 5, 'bulk',
       'A bulk-loaded review body.', hashtext(id) % 3 <> 0, 'active', false, t::timestamptz
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS x(id, asin, u, t))sql",
                   ArrayLiteral(ids), ArrayLiteral(asins), ArrayLiteral(users),
                   ArrayLiteral(times));
    tx.commit();
  }));
  Check("vacuum", pool.WithConnection([](pqxx::connection& c) {
    pqxx::nontransaction tx(c);
    tx.exec("VACUUM ANALYZE reviews");
    tx.exec("VACUUM ANALYZE helpful_votes, review_ranks");
  }));
  Checkpoint(pool);

  // The votes, and the latest of each (review, voter).
  std::map<std::pair<size_t, int64_t>, Vote> latest;
  std::vector<std::pair<std::string, std::string>> messages;
  const absl::Time base = absl::Now();
  for (int64_t i = 0; i < o.votes; ++i) {
    const size_t review = rng() % r.reviews.size();
    const auto voter = static_cast<int64_t>(rng() % static_cast<uint64_t>(o.voters));
    const uint64_t p = rng() % 100;
    const Vote v = p < 70 ? Vote::kHelpful : p < 95 ? Vote::kNotHelpful : Vote::kRetracted;
    latest[{review, voter}] = v;
    const auto& [id, asin] = r.reviews[review];
    messages.emplace_back(
        asin, events::EncodeHelpfulVote({id, asin, absl::StrCat("bv", r.tag, "-", voter), v,
                                         base + absl::Microseconds(i)}));
    if (messages.size() == 20'000 || i + 1 == o.votes) {
      Check("produce votes", producer.ProduceAll(r.topic, messages, absl::Seconds(60)));
      messages.clear();
    }
  }
  for (const auto& [key, v] : latest) {
    auto& [h, t] = r.expected[r.reviews[key.first].first];
    if (v == Vote::kRetracted) continue;
    ++t;
    if (v == Vote::kHelpful) ++h;
  }
  return r;
}

struct Measured {
  std::string consumer;
  int round = 0;
  int64_t votes = 0;
  int64_t batches = 0;
  double seconds = 0;
  // ranker: seconds in each port (Postgres ApplyVotes, TopRanked; Redis; Kafka review-scores)
  double ledger_s = 0, ledger_top_s = 0, cache_s = 0, publish_s = 0;
  double per_second() const { return seconds > 0 ? static_cast<double>(votes) / seconds : 0; }
};

// Runs one consume loop of `domain` over the round's topic until it handled every vote.
template <typename Domain>
Measured Consume(const Options& o, const CommonOptions& common, const Round& r,
                 const std::string& name, int round,
                 const std::function<std::unique_ptr<Domain>(const service::Adapters&,
                                                             service::ConsumerConfig)>& make) {
  service::ServiceConfig config;
  config.kafka_brokers = o.kafka_brokers;
  config.pg_dsn = common.pg_dsn;
  config.pg_pool_size = std::max<int64_t>(config.pg_pool_size, o.ledger_shards);
  config.redis_addr = common.redis_addr;
  config.log_level = common.log_level;
  config.stats_interval_s = 3600;
  service::ConsumerConfig consumer;
  consumer.group = absl::StrCat("bench-", name, "-", r.tag);
  consumer.input_topic = r.topic;
  consumer.max_batch = o.max_batch;
  consumer.batch_linger_ms = o.linger_ms;
  Domain* domain = nullptr;
  service::ServiceAppOptions options;
  options.client_id = "candor-ranker-bench";
  options.adapters.redis = true;
  options.adapters.postgres = true;
  options.adapters.producer = true;
  auto app = service::ServiceApp::Create(config, options, [&](const service::Adapters& adapters) {
    std::unique_ptr<Domain> d = make(adapters, consumer);
    domain = d.get();
    return d;
  });
  Check(absl::StrCat("start ", name), app.status());
  const double give_up = NowSeconds() + static_cast<double>(o.timeout_s);
  Check(absl::StrCat("run ", name),
        (*app)->Run([&] { return domain->timed().done() || NowSeconds() > give_up; }));
  if (!domain->timed().done()) {
    Check(name,
          absl::DeadlineExceededError(absl::StrCat("handled ", domain->timed().handled(), " of ",
                                                   o.votes, " votes in ", o.timeout_s, " s")));
  }
  Measured m;
  m.consumer = name;
  m.round = round;
  m.votes = domain->timed().handled();
  m.batches = domain->timed().batches();
  m.seconds = domain->timed().seconds();
  if constexpr (std::is_same_v<Domain, RankerDomain>) {
    m.ledger_s = domain->ports().ledger;
    m.ledger_top_s = domain->ports().ledger_top;
    m.cache_s = domain->ports().cache;
    m.publish_s = domain->ports().publish;
  }
  spdlog::info("round {} {}: {} votes in {:.2f} s: {:.0f}/s", round, name, m.votes, m.seconds,
               m.per_second());
  return m;
}

// After the ranker: every review's counts are its voters' latest word, and I4 holds.
void CheckRound(pg::Pool& pool, const Round& r) {
  reviewdb::ReviewDb db(pool);
  absl::StatusOr<std::vector<reviewdb::VoteCountCheck>> checks = db.CheckVoteCounts(r.asins);
  Check("read counts", checks.status());
  std::map<std::string, std::pair<int64_t, int64_t>> got;
  int64_t broken = 0;
  for (const reviewdb::VoteCountCheck& c : *checks) {
    if (c.row_helpful != c.ledger_helpful || c.row_total != c.ledger_total) ++broken;
    if (c.row_total != 0 || c.row_helpful != 0) got[c.review_id] = {c.row_helpful, c.row_total};
  }
  std::map<std::string, std::pair<int64_t, int64_t>> want;
  for (const auto& [id, ht] : r.expected) {
    if (ht.second != 0 || ht.first != 0) want[id] = ht;
  }
  if (broken > 0) Check("I4", absl::InternalError(absl::StrCat(broken, " reviews break I4")));
  if (got != want) {
    Check("counts", absl::InternalError(absl::StrCat("the counts of ", got.size(),
                                                     " voted reviews differ from the ", want.size(),
                                                     " the votes make")));
  }
  spdlog::info("round {}: I4 holds and the counts of all {} voted reviews are the votes' own",
               r.tag, got.size());
}

void Cleanup(pg::Pool& pool, redis::Client& redis, const Round& r) {
  for (const std::string& asin : r.asins) {
    (void)redis.Command({"DEL", rankcache::SetKey(asin), rankcache::FloorKey(asin)});
  }
  DeleteProducts(pool, redis, r.asins);
}

int Main(int argc, char** argv) {
  Options o;
  CommonOptions common;
  RunContext run;
  if (std::optional<int> code = StartBench(
          {.program = "candor-ranker-bench",
           .summary = "Helpful votes applied per second by one helpfulness-ranker (its own domain "
                      "on the service scaffold), beside a no-op consumer (decode only) of the same "
                      "votes, per round on fresh products; checks I4 after each ranker run. Needs "
                      "PostgreSQL, Redis and a Kafka broker (tools/stack/stack.sh).",
           .log_name = "ranker-bench"},
          common,
          [&](core::Flags& f) {
            f.AddString("kafka-brokers", "CANDOR_KAFKA_BROKERS", &o.kafka_brokers,
                        "Kafka bootstrap servers");
            f.AddInt("votes", "", &o.votes, "votes per round", 1, 100'000'000);
            f.AddInt("reviews", "", &o.reviews, "reviews voted on per round", 1, 10'000'000);
            f.AddInt("products", "", &o.products, "products per round (Zipf-like)", 1, 9'999);
            f.AddInt("voters", "", &o.voters, "distinct voters", 1, 100'000'000);
            f.AddInt("rounds", "", &o.rounds, "rounds (no-op and ranker each)", 1, 100);
            f.AddInt("max-batch", "", &o.max_batch, "messages per batch (the ranker's default)", 1,
                     100'000);
            f.AddInt("batch-linger-ms", "", &o.linger_ms, "batch linger (the ranker's default)", 0,
                     10'000);
            f.AddInt("ledger-shards", "", &o.ledger_shards,
                     "concurrent Postgres transactions per batch (the ranker's default)", 1, 64);
            f.AddInt("top-n", "", &o.top_n, "members per product in Redis", 10, 100'000);
            f.AddInt("timeout-s", "", &o.timeout_s, "give up a consumer after this long", 1,
                     86'400);
          },
          [] { return std::string(); }, argc, argv, &run)) {
    return *code;
  }
  std::unique_ptr<pg::Pool> pool = ConnectPostgres(common.pg_dsn, 2);
  std::unique_ptr<redis::Client> redis = ConnectRedis(common.redis_addr, 1);
  kafka::ClientOptions client;
  client.brokers = o.kafka_brokers;
  client.client_id = "candor-ranker-bench";
  absl::StatusOr<std::unique_ptr<kafka::Producer>> producer =
      kafka::Producer::Create(client, absl::Seconds(30));
  Check("kafka producer", producer.status());
  std::mt19937_64 rng(std::random_device{}());

  std::vector<Measured> figures;
  for (int round = 0; round < o.rounds; ++round) {
    spdlog::info("round {}: loading {} reviews over {} products and producing {} votes", round,
                 o.reviews, o.products, o.votes);
    const Round r = Prepare(o, *pool, **producer, rng);
    auto noop = [&] {
      figures.push_back(Consume<NoopDomain>(
          o, common, r, "noop", round, [&](const service::Adapters&, service::ConsumerConfig c) {
            return std::make_unique<NoopDomain>(std::move(c), o.votes);
          }));
    };
    auto ranker = [&] {
      figures.push_back(
          Consume<RankerDomain>(o, common, r, "ranker", round,
                                [&](const service::Adapters& a, service::ConsumerConfig c) {
                                  return std::make_unique<RankerDomain>(a, std::move(c), o.top_n,
                                                                        o.ledger_shards, o.votes);
                                }));
      CheckRound(*pool, r);
    };
    if (round % 2 == 0) {
      noop();
      ranker();
    } else {
      ranker();
      noop();
    }
    Cleanup(*pool, *redis, r);
  }

  std::cout << ReportTitle("helpfulness-ranker: votes applied per second", run) << "\n";
  Table table({"round", "consumer", "votes", "batches", "seconds", "votes/s", "of no-op",
               "postgres s", "redis s", "kafka s"});
  nlohmann::json rows = nlohmann::json::array();
  std::map<int, double> noop_rate;
  for (const Measured& m : figures) {
    if (m.consumer == "noop") noop_rate[m.round] = m.per_second();
  }
  std::vector<double> ranker_rates, noop_rates;
  for (const Measured& m : figures) {
    const double share = noop_rate[m.round] > 0 ? m.per_second() / noop_rate[m.round] : 0;
    table.AddRow({absl::StrCat(m.round), m.consumer, absl::StrCat(m.votes), absl::StrCat(m.batches),
                  Fixed(m.seconds, 2), Fixed(m.per_second(), 0), Fixed(100 * share, 1) + " %",
                  Fixed(m.ledger_s + m.ledger_top_s, 2), Fixed(m.cache_s, 2),
                  Fixed(m.publish_s, 2)});
    rows.push_back({{"round", m.round},
                    {"consumer", m.consumer},
                    {"votes", m.votes},
                    {"batches", m.batches},
                    {"seconds", m.seconds},
                    {"votes_per_s", m.per_second()},
                    {"share_of_noop", share},
                    {"ports_s",
                     {{"postgres_apply_votes", m.ledger_s},
                      {"postgres_top_ranked", m.ledger_top_s},
                      {"redis", m.cache_s},
                      {"kafka_review_scores", m.publish_s}}}});
    (m.consumer == "noop" ? noop_rates : ranker_rates).push_back(m.per_second());
  }
  std::cout << table.Render();
  const double ranker_median = Quantile(ranker_rates, 0.5);
  const double noop_median = Quantile(noop_rates, 0.5);
  std::cout << absl::StrFormat(
      "ranker median %.0f votes/s (target >= 20,000: %s), no-op median %.0f/s: %.1f %%\n",
      ranker_median, ranker_median >= 20'000 ? "met" : "NOT met", noop_median,
      noop_median > 0 ? 100 * ranker_median / noop_median : 0.0);
  nlohmann::json report = JsonReport("ranker", run);
  report["config"] = {{"votes", o.votes},
                      {"reviews", o.reviews},
                      {"products", o.products},
                      {"voters", o.voters},
                      {"rounds", o.rounds},
                      {"max_batch", o.max_batch},
                      {"batch_linger_ms", o.linger_ms},
                      {"ledger_shards", o.ledger_shards},
                      {"top_n", o.top_n}};
  report["rows"] = rows;
  report["ranker_median_votes_per_s"] = ranker_median;
  report["noop_median_votes_per_s"] = noop_median;
  return WriteJson(report, common.json) ? 0 : 1;
}

}  // namespace
}  // namespace candor::bench

int main(int argc, char** argv) { return candor::bench::Main(argc, argv); }
