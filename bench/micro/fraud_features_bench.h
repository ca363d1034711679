#pragma once

#include "bench/micro/review_corpus.h"

namespace candor::bench {

// Registers the fraud feature micro-benchmarks (BM_FactsOf, BM_MinHashSignature,
// BM_ComputeFeatures, BM_MemoryFeatureStoreBatch/<batch>) over `corpus`, which they borrow: it
// must outlive benchmark::RunSpecifiedBenchmarks.
void RegisterFraudFeatureBenchmarks(const ReviewCorpus& corpus);

}  // namespace candor::bench
