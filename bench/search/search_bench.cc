// candor-search-bench: review search over a large index (design.md 7: "search p99 <= 20 ms at
// 500 queries/s over 1,000,000 reviews"), in-process, beside its reference in the same run.
//
// 1. Builds (or reuses) a Xapian index of --reviews documents through XapianSearchIndex: the
//    Amazon Musical Instruments reviews, then generated reviews (candor-drive's generator) on
//    the same products, each on the product of a uniformly drawn real review, so the products
//    keep the real data's popularity (the most reviewed one gets ~1.6 % of all reviews).
// 2. Runs an open loop at --rate queries/s for --duration-s (after --warmup-s) twice on the same
//    schedule of (product, words): SearchReviews' path without gRPC (XapianReaderPool::Search:
//    parse, filter, exact facets over every match, a page of 10 with snippets and stored
//    reviews), and the reference, bare Xapian answering the same words in the same product
//    (the same parser and filter term, the top 10 ids, no facets, no snippets, no documents).
//    Latency is measured from each query's scheduled time (a late start counts), on --threads
//    workers (the gateway's --search-threads).
// Prints both and their ratio; bench/README.md, "Search".

#include <unistd.h>
#include <xapian.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <functional>
#include <iostream>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "bench/micro/review_corpus.h"
#include "libs/core/flags.h"
#include "libs/helpfulness/score.h"
#include "libs/search/xapian_index.h"
#include "libs/search/xapian_reader_pool.h"
#include "tools/candor-drive/generator.h"

namespace candor::bench {
namespace {

using Clock = std::chrono::steady_clock;

// What shoppers type: the words candor-drive's search operation sends, and a few phrases.
const std::vector<std::string>& Queries() {
  static const auto* const kQueries = new std::vector<std::string>{
      "sound",          "strings",        "price",         "quality",     "cable",
      "tuner",          "battery",        "easy",          "noise",       "volume",
      "buzz",           "case",           "strap",         "pedal",       "great",
      "works",          "string buzz",    "tuner battery", "cable noise", "great sound",
      "\"good price\"", "quality -cheap", "tone*",         "easy to use", "sound quality"};
  return *kQueries;
}

struct Settings {
  std::string index_dir = "/tmp/candor-search-bench-index";
  std::string data_dir;
  int64_t reviews = 1'000'000;
  double rate = 500;
  double duration_s = 30;
  double warmup_s = 5;
  int64_t threads = 2;
  int64_t batch = 5000;
  int64_t seed = 1;
  bool rebuild = false;
  int64_t slowest = 0;
};

// Builds the index unless `dir` already holds `want` documents. Returns the products' asins as
// a sample (one entry per real review: drawing from it follows the real popularity).
absl::StatusOr<std::vector<std::string>> BuildIndex(const Settings& s) {
  absl::StatusOr<ReviewCorpus> corpus = LoadReviewCorpus(s.data_dir, /*required=*/true);
  if (!corpus.ok()) return corpus.status();
  std::vector<std::string> asins;
  asins.reserve(corpus->submissions.size());
  for (const review::Submission& r : corpus->submissions) asins.push_back(r.asin);
  if (!s.rebuild) {
    auto existing =
        search::XapianSearchIndex::Open(s.index_dir, search::XapianSearchIndex::Mode::kRead);
    if (existing.ok() && *(*existing)->DocumentCount() == s.reviews) {
      std::cerr << "candor-search-bench: reusing " << s.index_dir << " (" << s.reviews
                << " documents)\n";
      return asins;
    }
  }
  std::error_code ec;
  std::filesystem::remove_all(s.index_dir, ec);
  auto index =
      search::XapianSearchIndex::Open(s.index_dir, search::XapianSearchIndex::Mode::kWrite);
  if (!index.ok()) return index.status();
  std::mt19937_64 rng(static_cast<uint64_t>(s.seed));
  const absl::Time now = absl::Now();
  std::uniform_int_distribution<int64_t> age_s(0, 5LL * 365 * 86400);
  const helpfulness::ScoreParams params;
  const auto start = Clock::now();
  std::vector<search::ReviewDocument> batch;
  for (int64_t n = 0; n < s.reviews; ++n) {
    search::ReviewDocument d;
    d.review_id = absl::StrFormat("%032x", n);
    if (n < static_cast<int64_t>(corpus->submissions.size())) {
      const review::Submission& r = corpus->submissions[static_cast<size_t>(n)];
      d.asin = r.asin;
      d.title = r.title;
      d.body = r.body;
      d.rating = r.rating;
      d.verified = r.verified_purchase;
    } else {
      d.asin = asins[rng() % asins.size()];
      d.rating = drive::SampleRating(rng);
      d.title = drive::GeneratedTitle(rng, d.rating);
      d.body = drive::GeneratedBody(rng, d.rating);
      d.verified = rng() % 10 < 7;
    }
    d.created = now - absl::Seconds(age_s(rng));
    d.helpfulness = helpfulness::SortKey(0, 0, d.verified, d.created, params);
    batch.push_back(std::move(d));
    if (static_cast<int64_t>(batch.size()) == s.batch || n + 1 == s.reviews) {
      if (absl::Status st = (*index)->Upsert(batch); !st.ok()) return st;
      if (absl::Status st = (*index)->Commit(); !st.ok()) return st;
      batch.clear();
      const double secs = std::chrono::duration<double>(Clock::now() - start).count();
      if ((n + 1) % 100'000 == 0 || n + 1 == s.reviews) {
        std::cerr << absl::StrFormat("candor-search-bench: %d documents indexed (%.0f docs/s)\n",
                                     n + 1, static_cast<double>(n + 1) / secs);
      }
    }
  }
  return asins;
}

struct Query {
  std::string asin;
  std::string words;
};

struct LoopResult {
  std::vector<double> latencies_ms;  // measured queries only
  std::vector<int64_t> returned;     // what `run` returned for each measured query
  int64_t errors = 0;
  int64_t matches = 0;  // sum of what `run` returned (the matches, exact or estimated)
  double seconds = 0;
  double late_starts = 0;  // share of queries started more than 1 ms after their time
};

// Runs `run` on the schedule: query i due at start + i / rate, handed to `threads` workers;
// latency from the due time to the answer.
LoopResult OpenLoop(const Settings& s, const std::vector<Query>& queries,
                    const std::function<absl::StatusOr<int64_t>(const Query&)>& run) {
  const int64_t warm = static_cast<int64_t>(s.warmup_s * s.rate);
  const int64_t total = warm + static_cast<int64_t>(s.duration_s * s.rate);
  LoopResult out;
  out.latencies_ms.resize(static_cast<size_t>(total));
  out.returned.resize(static_cast<size_t>(total));
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::pair<int64_t, Clock::time_point>> due;
  bool done = false;
  std::atomic<int64_t> errors{0}, matches{0}, late{0};
  std::vector<std::thread> workers;
  for (int64_t t = 0; t < s.threads; ++t) {
    workers.emplace_back([&] {
      for (;;) {
        std::pair<int64_t, Clock::time_point> job;
        {
          std::unique_lock lock(mu);
          cv.wait(lock, [&] { return done || !due.empty(); });
          if (due.empty()) return;
          job = due.front();
          due.pop_front();
        }
        if (Clock::now() - job.second > std::chrono::milliseconds(1)) ++late;
        absl::StatusOr<int64_t> got = run(queries[static_cast<size_t>(job.first) % queries.size()]);
        if (got.ok()) {
          matches += *got;
          out.returned[static_cast<size_t>(job.first)] = *got;
        } else {
          ++errors;
        }
        out.latencies_ms[static_cast<size_t>(job.first)] =
            std::chrono::duration<double, std::milli>(Clock::now() - job.second).count();
      }
    });
  }
  const auto start = Clock::now();
  for (int64_t i = 0; i < total; ++i) {
    const auto at = start + std::chrono::nanoseconds(static_cast<int64_t>(1e9 * i / s.rate));
    std::this_thread::sleep_until(at);
    {
      std::lock_guard lock(mu);
      due.emplace_back(i, at);
    }
    cv.notify_one();
  }
  {
    std::lock_guard lock(mu);
    done = true;
  }
  cv.notify_all();
  for (std::thread& w : workers) w.join();
  out.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  out.latencies_ms.erase(out.latencies_ms.begin(), out.latencies_ms.begin() + warm);
  out.returned.erase(out.returned.begin(), out.returned.begin() + warm);
  out.errors = errors;
  out.matches = matches;
  out.late_starts = static_cast<double>(late) / static_cast<double>(total);
  return out;
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t i = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())));
  return v[i];
}

void Report(const std::string& name, const LoopResult& r) {
  std::cout << absl::StrFormat(
      "%-34s %7zu queries  p50 %7.2f ms  p90 %7.2f ms  p99 %7.2f ms  p99.9 %7.2f ms  max %7.2f ms"
      "  errors %d  late starts %.1f %%\n",
      name, r.latencies_ms.size(), Percentile(r.latencies_ms, 0.50),
      Percentile(r.latencies_ms, 0.90), Percentile(r.latencies_ms, 0.99),
      Percentile(r.latencies_ms, 0.999), Percentile(r.latencies_ms, 1.0), r.errors,
      100 * r.late_starts);
}

// The reference: Xapian alone, one handle per worker thread.
class BareXapian {
 public:
  // `exact`: also count every match (get_mset's checkatleast = the document count), which exact
  // facets need; without it Xapian stops once the top 10 cannot change.
  BareXapian(const std::string& dir, bool exact) : dir_(dir), exact_(exact) {}

  absl::StatusOr<int64_t> Run(const Query& q) {
    thread_local std::unique_ptr<Xapian::Database> db;
    thread_local Xapian::Stem stem("english");
    try {
      if (db == nullptr) db = std::make_unique<Xapian::Database>(dir_);
      Xapian::QueryParser parser;
      parser.set_stemmer(stem);
      parser.set_stemming_strategy(Xapian::QueryParser::STEM_SOME);
      parser.set_default_op(Xapian::Query::OP_AND);
      parser.set_database(*db);
      Xapian::Query words;
      try {
        words = parser.parse_query(
            q.words, Xapian::QueryParser::FLAG_PHRASE | Xapian::QueryParser::FLAG_LOVEHATE |
                         Xapian::QueryParser::FLAG_BOOLEAN | Xapian::QueryParser::FLAG_WILDCARD);
      } catch (const Xapian::QueryParserError&) {
        words = parser.parse_query(q.words, 0);
      }
      Xapian::Enquire enquire(*db);
      enquire.set_query(Xapian::Query(Xapian::Query::OP_FILTER, words,
                                      Xapian::Query(absl::StrCat("XP:", q.asin))));
      return static_cast<int64_t>(
          enquire.get_mset(0, 10, exact_ ? db->get_doccount() : 0).get_matches_estimated());
    } catch (const Xapian::Error& e) {
      return absl::InternalError(e.get_description());
    }
  }

 private:
  const std::string dir_;
  const bool exact_;
};

int Main(int argc, char** argv) {
  Settings s;
  s.data_dir = std::string(CANDOR_SOURCE_DIR) + "/../shared/data";
  core::Flags flags("candor-search-bench",
                    "Review search over a large index: SearchReviews' path (XapianReaderPool) "
                    "beside bare Xapian, open loop, in-process (bench/README.md, \"Search\").");
  flags.AddString("index-dir", "", &s.index_dir,
                  "where the index is built, or reused when it holds --reviews documents");
  flags.AddString("data-dir", "CANDOR_DATA_DIR", &s.data_dir,
                  "the shared data folder with the Amazon Musical Instruments reviews");
  flags.AddInt("reviews", "", &s.reviews, "documents in the index", 1000, 100'000'000);
  flags.AddDouble("rate", "", &s.rate, "queries per second (open loop)", 1, 100'000);
  flags.AddDouble("duration-s", "", &s.duration_s, "measured seconds per side", 1, 3600);
  flags.AddDouble("warmup-s", "", &s.warmup_s, "seconds before measuring, per side", 0, 600);
  flags.AddInt("threads", "", &s.threads, "search workers (the gateway's --search-threads)", 1, 64);
  flags.AddInt("batch", "", &s.batch, "documents per Upsert + Commit while building", 1, 1'000'000);
  flags.AddInt("seed", "", &s.seed, "random seed (documents and queries)", 0, 1LL << 40);
  flags.AddBool("rebuild", "", &s.rebuild, "build the index even when one is there");
  flags.AddInt("slowest", "", &s.slowest,
               "also list this many slowest SearchReviews queries (product, words, matches)", 0,
               1000);
  if (int code = core::ParseOrExit(flags, argc, argv); code >= 0) return code;

  absl::StatusOr<std::vector<std::string>> asins = BuildIndex(s);
  if (!asins.ok()) {
    std::cerr << "candor-search-bench: " << asins.status() << "\n";
    return 1;
  }
  // One schedule for both sides: the product of a uniformly drawn real review (popular products
  // more often, as candor-drive's search operation draws them) and words from the list.
  std::mt19937_64 rng(static_cast<uint64_t>(s.seed) + 1);
  std::vector<Query> queries(static_cast<size_t>((s.warmup_s + s.duration_s) * s.rate) + 1);
  for (Query& q : queries) {
    q.asin = (*asins)[rng() % asins->size()];
    q.words = Queries()[rng() % Queries().size()];
  }
  auto pool = search::XapianReaderPool::Open(s.index_dir, static_cast<int>(s.threads));
  if (!pool.ok()) {
    std::cerr << "candor-search-bench: " << pool.status() << "\n";
    return 1;
  }
  const absl::Time now = absl::Now();
  std::cout << absl::StrFormat(
      "index %s: %d reviews; open loop %.0f queries/s, %.0f s (+%.0f s warm-up), %d threads\n",
      s.index_dir, *(*pool)->DocumentCount(), s.rate, s.duration_s, s.warmup_s, s.threads);
  LoopResult candor = OpenLoop(s, queries, [&](const Query& q) -> absl::StatusOr<int64_t> {
    search::SearchRequest r;
    r.asin = q.asin;
    r.query = q.words;
    r.now = now;
    absl::StatusOr<search::SearchResult> got = (*pool)->Search(r);
    if (!got.ok()) return got.status();
    return got->total;
  });
  BareXapian bare(s.index_dir, /*exact=*/false);
  LoopResult reference = OpenLoop(s, queries, [&](const Query& q) { return bare.Run(q); });
  BareXapian counted(s.index_dir, /*exact=*/true);
  LoopResult exact = OpenLoop(s, queries, [&](const Query& q) { return counted.Run(q); });
  Report("SearchReviews path (XapianReaderPool)", candor);
  if (s.slowest > 0) {
    const auto warm = static_cast<size_t>(s.warmup_s * s.rate);
    std::vector<size_t> order(candor.latencies_ms.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(),
              [&](size_t a, size_t b) { return candor.latencies_ms[a] > candor.latencies_ms[b]; });
    for (size_t i = 0; i < order.size() && i < static_cast<size_t>(s.slowest); ++i) {
      const Query& q = queries[(order[i] + warm) % queries.size()];
      std::cout << absl::StrFormat("  %8.2f ms  %s  %-16s %d matches\n",
                                   candor.latencies_ms[order[i]], q.asin, q.words,
                                   candor.returned[order[i]]);
    }
  }
  Report("reference: bare Xapian top 10", reference);
  Report("bare Xapian top 10, exact count", exact);
  std::cout << absl::StrFormat(
      "p99 ratio %.2f (SearchReviews path / bare Xapian); %.0f matches per search on average\n",
      Percentile(candor.latencies_ms, 0.99) / Percentile(reference.latencies_ms, 0.99),
      static_cast<double>(candor.matches) / static_cast<double>(queries.size()));
  return candor.errors == 0 && reference.errors == 0 ? 0 : 1;
}

}  // namespace
}  // namespace candor::bench

int main(int argc, char** argv) { return candor::bench::Main(argc, argv); }
