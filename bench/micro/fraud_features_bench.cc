// Micro-benchmarks of the fraud features' CPU work per review (libs/fraud): the facts of a
// submission (normalisation, MinHash signature of title and body, the client address), the
// signature alone, the near-duplicate comparison with the LSH candidates a store returns, the
// pure feature arithmetic, and the in-memory feature store recording a batch (windows, counters,
// LSH buckets and candidates) as the trainer's simulator runs it.
#include "bench/micro/fraud_features_bench.h"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/fraud/memory_feature_store.h"
#include "libs/fraud/raw_features.h"
#include "libs/fraud/review_facts.h"
#include "libs/fraud/window_rules.h"

namespace candor::bench {
namespace {

int64_t TextBytes(const review::Submission& s) {
  return static_cast<int64_t>(s.title.size() + s.body.size());
}

// FactsOf per review: what the scorer does to every submission before the store.
void FactsOfReview(benchmark::State& state, const ReviewCorpus& corpus) {
  const std::vector<review::Submission>& all = corpus.submissions;
  std::size_t next = 0;
  int64_t bytes = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(fraud::FactsOf(all[next]));
    bytes += TextBytes(all[next]);
    if (++next == all.size()) next = 0;
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(bytes);
}

// The signature alone, with its 16 band keys (the LSH part of a review's cost).
void MinHashReview(benchmark::State& state, const ReviewCorpus& corpus) {
  std::vector<std::string> texts;
  texts.reserve(corpus.submissions.size());
  for (const review::Submission& s : corpus.submissions) {
    texts.push_back(absl::StrCat(s.title, "\n", s.body));
  }
  std::size_t next = 0;
  int64_t bytes = 0;
  for (auto _ : state) {
    const fraud::TextSignature sig = fraud::MinHashSignature(texts[next]);
    for (int b = 0; b < fraud::kLshBands; ++b) benchmark::DoNotOptimize(fraud::BandKey(sig, b));
    bytes += static_cast<int64_t>(texts[next].size());
    if (++next == texts.size()) next = 0;
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(bytes);
}

// The LSH candidates' part of a review on the scorer's side: ApplyNearDup's estimated similarity
// against each of N candidates (the signatures a store returned for the review's bands: at most
// near_dup_candidates, 64) and the distinct accounts at >= 0.5. Candidates are other corpus
// reviews' signatures, every fourth by the same few accounts, so the account set is used.
void NearDupCandidates(benchmark::State& state, const ReviewCorpus& corpus) {
  const auto n = static_cast<std::size_t>(state.range(0));
  std::vector<fraud::TextSignature> sigs;
  sigs.reserve(corpus.submissions.size());
  for (const review::Submission& s : corpus.submissions) {
    sigs.push_back(fraud::MinHashSignature(absl::StrCat(s.title, "\n", s.body)));
  }
  std::vector<std::string> users;
  for (std::size_t k = 0; k < n; ++k) users.push_back(absl::StrCat("user", k % 4 == 0 ? 0 : k));
  // Made before timing: review i's candidates are the n signatures after it.
  const std::size_t reviews = std::min<std::size_t>(sigs.size(), 1024);
  std::vector<std::vector<fraud::NearDupCandidate>> candidates(reviews);
  for (std::size_t i = 0; i < reviews; ++i) {
    for (std::size_t k = 0; k < n; ++k) {
      candidates[i].push_back({users[k], &sigs[(i + 1 + k) % sigs.size()]});
    }
  }
  std::size_t next = 0;
  for (auto _ : state) {
    fraud::RawFeatures raw;
    fraud::ApplyNearDup(sigs[next], candidates[next], raw);
    benchmark::DoNotOptimize(raw);
    if (++next == reviews) next = 0;
  }
  state.SetItemsProcessed(state.iterations());
}

void ComputeFeatures(benchmark::State& state) {
  fraud::RawFeatures raw;
  raw.prior_reviews = 12;
  raw.prior_verified = 9;
  raw.prior_rating_sum = 50;
  raw.prior_rating_square_sum = 230;
  raw.product_prior_reviews = 100;
  raw.product_prior_rating_sum = 420;
  for (auto _ : state) {
    benchmark::DoNotOptimize(raw);
    benchmark::DoNotOptimize(fraud::ComputeFeatures(raw));
  }
  state.SetItemsProcessed(state.iterations());
}

// Batches of consecutive corpus reviews, 100 ms of review time apart (10,000 reviews/s), through
// one MemoryFeatureStore. Each pass over the corpus gets fresh review ids, so every review is a
// first delivery; authors and products keep their real structure, and their windows grow as they
// would in a live stream.
void MemoryStoreBatch(benchmark::State& state, const ReviewCorpus& corpus) {
  const auto batch = static_cast<std::size_t>(state.range(0));
  std::vector<fraud::ReviewFacts> facts;
  facts.reserve(corpus.submissions.size());
  for (const review::Submission& s : corpus.submissions) facts.push_back(fraud::FactsOf(s));
  fraud::MemoryFeatureStore store;
  std::vector<fraud::ReviewFacts> next(batch);
  std::size_t i = 0;
  int64_t seq = 0;
  for (auto _ : state) {
    state.PauseTiming();
    for (fraud::ReviewFacts& f : next) {
      f = facts[i];
      f.review_id = absl::StrCat(f.review_id, "-", seq);
      f.at = absl::FromUnixSeconds(1'700'000'000) + absl::Milliseconds(100 * seq++);
      if (++i == facts.size()) i = 0;
    }
    state.ResumeTiming();
    benchmark::DoNotOptimize(store.RecordBatch(next));
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(batch));
}

}  // namespace

void RegisterFraudFeatureBenchmarks(const ReviewCorpus& corpus) {
  benchmark::RegisterBenchmark(
      "BM_FactsOf", [&corpus](benchmark::State& state) { FactsOfReview(state, corpus); });
  benchmark::RegisterBenchmark(
      "BM_MinHashSignature", [&corpus](benchmark::State& state) { MinHashReview(state, corpus); });
  benchmark::RegisterBenchmark(
      "BM_NearDupCandidates",
      [&corpus](benchmark::State& state) { NearDupCandidates(state, corpus); })
      ->Arg(8)
      ->Arg(64);
  benchmark::RegisterBenchmark("BM_ComputeFeatures", ComputeFeatures);
  benchmark::RegisterBenchmark(
      "BM_MemoryFeatureStoreBatch",
      [&corpus](benchmark::State& state) { MemoryStoreBatch(state, corpus); })
      ->Arg(250)
      ->Unit(benchmark::kMicrosecond);
}

}  // namespace candor::bench
