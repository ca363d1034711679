// Micro-benchmarks of the fraud-scorer's CPU work per review: RuleScorer's text features and rules
// and the decision, one review at a time (Score) and per batch as the consumer calls it
// (ScoreBatch). The behaviour window answers from memory, so no Redis round trip is in the
// figure; bench/pipeline measures the Redis window and the rest of the scorer's write path.
#include "bench/micro/scorer_bench.h"

#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "services/fraud-scorer/config.h"
#include "services/fraud-scorer/rule_scorer.h"

namespace candor::bench {
namespace {

using fraud_scorer::BehaviourWindow;
using fraud_scorer::RuleScorer;
using fraud_scorer::UserActivity;

// Every user is on their first review of the day: the behaviour rules are evaluated and do not
// fire, as for most genuine reviews.
class FirstReviewWindow final : public BehaviourWindow {
 public:
  absl::StatusOr<UserActivity> Record(const std::string& /*user_id*/,
                                      const std::string& /*review_id*/, const std::string& /*asin*/,
                                      absl::Time /*at*/, absl::Time /*now*/) override {
    return UserActivity{1, 1, 1};
  }
};

// After every submission (1 minute after the corpus's submission time), so none is clamped.
const absl::Time kNow = absl::FromUnixSeconds(1700000060);

int64_t TextBytes(const review::Submission& s) {
  return static_cast<int64_t>(s.title.size() + s.body.size());
}

// One review per iteration, cycling through the corpus.
void ScoreReview(benchmark::State& state, const ReviewCorpus& corpus) {
  FirstReviewWindow window;
  RuleScorer scorer(window, fraud_scorer::Thresholds{});
  const std::vector<review::Submission>& all = corpus.submissions;
  size_t next = 0;
  int64_t bytes = 0;
  for (auto _ : state) {
    const review::Submission& s = all[next];
    benchmark::DoNotOptimize(scorer.Score(s, kNow));
    bytes += TextBytes(s);
    if (++next == all.size()) next = 0;
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(bytes);
}

// One batch of `batch` consecutive reviews per iteration, as the consumer hands them over. The
// batches are cut before the loop, so copying them is not measured.
void ScoreBatch(benchmark::State& state, const ReviewCorpus& corpus) {
  const auto batch = static_cast<size_t>(state.range(0));
  const std::vector<review::Submission>& all = corpus.submissions;
  std::vector<std::vector<review::Submission>> batches;
  std::vector<int64_t> batch_bytes;
  for (size_t i = 0; i + batch <= all.size(); i += batch) {
    batches.emplace_back(all.begin() + static_cast<ptrdiff_t>(i),
                         all.begin() + static_cast<ptrdiff_t>(i + batch));
    int64_t b = 0;
    for (const review::Submission& s : batches.back()) b += TextBytes(s);
    batch_bytes.push_back(b);
  }
  if (batches.empty()) {
    state.SkipWithError(absl::StrCat("the corpus holds fewer than ", batch, " reviews").c_str());
    return;
  }
  FirstReviewWindow window;
  RuleScorer scorer(window, fraud_scorer::Thresholds{});
  size_t next = 0;
  int64_t bytes = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(scorer.ScoreBatch(batches[next], kNow));
    bytes += batch_bytes[next];
    if (++next == batches.size()) next = 0;
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(batch));
  state.SetBytesProcessed(bytes);
}

}  // namespace

void RegisterScorerBenchmarks(const ReviewCorpus& corpus) {
  // Lambdas that borrow the corpus: RegisterBenchmark's extra arguments would be copies.
  benchmark::RegisterBenchmark("BM_ScoreReview",
                               [&corpus](benchmark::State& state) { ScoreReview(state, corpus); });
  benchmark::RegisterBenchmark("BM_ScoreBatch",
                               [&corpus](benchmark::State& state) { ScoreBatch(state, corpus); })
      ->Arg(fraud_scorer::kDefaultMaxBatch)  // the service's batch
      ->Unit(benchmark::kMicrosecond);
}

}  // namespace candor::bench
