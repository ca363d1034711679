#pragma once

#include "bench/micro/review_corpus.h"

namespace candor::bench {

// Registers the fraud-scorer micro-benchmarks (BM_ScoreReview, BM_ScoreBatch/<batch>) over
// `corpus`, which they borrow: it must outlive benchmark::RunSpecifiedBenchmarks.
void RegisterScorerBenchmarks(const ReviewCorpus& corpus);

}  // namespace candor::bench
