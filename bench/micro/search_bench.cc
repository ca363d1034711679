#include "bench/micro/search_bench.h"

#include <benchmark/benchmark.h>
#include <unistd.h>
#include <xapian.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/helpfulness/score.h"
#include "libs/search/xapian_index.h"

namespace candor::bench {
namespace {

// A temporary directory removed when the benchmark ends.
class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/candor-search-bench-XXXXXX";
    if (mkdtemp(tmpl) != nullptr) path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// The corpus's `n`-th document, with a review id unique for every n (the corpus repeats).
search::ReviewDocument DocumentOf(const ReviewCorpus& corpus, int64_t n) {
  const review::Submission& s =
      corpus.submissions[static_cast<size_t>(n) % corpus.submissions.size()];
  search::ReviewDocument d;
  d.review_id = absl::StrFormat("%032x", n);
  d.asin = s.asin;
  d.title = s.title;
  d.body = s.body;
  d.rating = s.rating;
  d.verified = s.verified_purchase;
  d.created = s.submitted_at;
  d.helpfulness = helpfulness::SortKey(0, 0, d.verified, d.created, helpfulness::ScoreParams{});
  return d;
}

// The next `batch` documents from `*n` on, built outside the timed region.
std::vector<search::ReviewDocument> NextBatch(benchmark::State& state, const ReviewCorpus& corpus,
                                              int64_t batch, int64_t* n) {
  state.PauseTiming();
  std::vector<search::ReviewDocument> docs;
  docs.reserve(static_cast<size_t>(batch));
  for (int64_t i = 0; i < batch; ++i) docs.push_back(DocumentOf(corpus, (*n)++));
  state.ResumeTiming();
  return docs;
}

// A writable Candor index in `dir`; null, with the benchmark skipped naming why, when it cannot
// be opened.
std::unique_ptr<search::XapianSearchIndex> OpenIndex(benchmark::State& state, const TempDir& dir) {
  auto index = search::XapianSearchIndex::Open(dir.path() + "/index",
                                               search::XapianSearchIndex::Mode::kWrite);
  if (!index.ok()) {
    state.SkipWithError(std::string(index.status().message()).c_str());
    return nullptr;
  }
  return *std::move(index);
}

void IndexCandor(benchmark::State& state, const ReviewCorpus& corpus) {
  const int64_t batch = state.range(0);
  TempDir dir;
  std::unique_ptr<search::XapianSearchIndex> index = OpenIndex(state, dir);
  if (index == nullptr) return;
  int64_t n = 0;
  for (auto _ : state) {
    const std::vector<search::ReviewDocument> docs = NextBatch(state, corpus, batch, &n);
    if (absl::Status s = index->Upsert(docs); !s.ok()) {
      state.SkipWithError(std::string(s.message()).c_str());
      return;
    }
    if (absl::Status s = index->Commit(); !s.ok()) {
      state.SkipWithError(std::string(s.message()).c_str());
      return;
    }
  }
  state.SetItemsProcessed(n);
}

// The reference: what indexing the same text costs with Xapian alone (the same stemmer, title
// weight and positions), without Candor's id term, filters, values and stored JSON.
void IndexBareXapian(benchmark::State& state, const ReviewCorpus& corpus) {
  const int64_t batch = state.range(0);
  TempDir dir;
  Xapian::WritableDatabase db(dir.path() + "/index", Xapian::DB_CREATE_OR_OPEN);
  Xapian::TermGenerator indexer;
  indexer.set_stemmer(Xapian::Stem("english"));
  indexer.set_stemming_strategy(Xapian::TermGenerator::STEM_SOME);
  int64_t n = 0;
  for (auto _ : state) {
    const std::vector<search::ReviewDocument> docs = NextBatch(state, corpus, batch, &n);
    for (const search::ReviewDocument& d : docs) {
      Xapian::Document doc;
      doc.set_data(d.body);
      indexer.set_document(doc);
      indexer.index_text(d.title, 2);
      indexer.increase_termpos();
      indexer.index_text(d.body);
      db.add_document(doc);
    }
    db.commit();
  }
  state.SetItemsProcessed(n);
}

void SearchProduct(benchmark::State& state, const ReviewCorpus& corpus) {
  TempDir dir;
  std::unique_ptr<search::XapianSearchIndex> index = OpenIndex(state, dir);
  if (index == nullptr) return;
  std::vector<search::ReviewDocument> docs;
  // At most 5,000 documents, so the smoke run under the sanitizers stays short.
  const int64_t count = std::min<int64_t>(static_cast<int64_t>(corpus.submissions.size()), 5000);
  for (int64_t n = 0; n < count; ++n) {
    docs.push_back(DocumentOf(corpus, n));
  }
  if (!index->Upsert(docs).ok() || !index->Commit().ok()) {
    state.SkipWithError("indexing the corpus failed");
    return;
  }
  const std::vector<std::string> queries = {"sound",           "strings buzz", "tuner battery",
                                            "\"great value\"", "cable",        "quality -cheap"};
  size_t i = 0;
  for (auto _ : state) {
    const search::ReviewDocument& d = docs[(i * 7919) % docs.size()];
    search::SearchRequest r;
    r.asin = d.asin;
    r.query = queries[i % queries.size()];
    r.now = d.created;
    ++i;
    absl::StatusOr<search::SearchResult> result = index->Search(r);
    if (!result.ok()) {
      state.SkipWithError(std::string(result.status().message()).c_str());
      return;
    }
    benchmark::DoNotOptimize(result->total);
  }
  state.SetItemsProcessed(static_cast<int64_t>(i));
  state.counters["docs"] = static_cast<double>(docs.size());
}

}  // namespace

void RegisterSearchBenchmarks(const ReviewCorpus& corpus) {
  for (int64_t batch : {100, 500}) {
    benchmark::RegisterBenchmark("BM_IndexCandor",
                                 [&corpus](benchmark::State& s) { IndexCandor(s, corpus); })
        ->Arg(batch)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark("BM_IndexBareXapian",
                                 [&corpus](benchmark::State& s) { IndexBareXapian(s, corpus); })
        ->Arg(batch)
        ->Unit(benchmark::kMillisecond);
  }
  benchmark::RegisterBenchmark("BM_SearchProduct", [&corpus](benchmark::State& s) {
    SearchProduct(s, corpus);
  })->Unit(benchmark::kMicrosecond);
}

}  // namespace candor::bench
