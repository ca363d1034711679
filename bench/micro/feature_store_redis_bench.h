#pragma once

namespace candor::bench {

// Deletes the keys BM_FeatureStoreBatch wrote (feature_store_redis_bench.cc), if it ran; main
// calls it after the benchmarks.
void CleanUpFeatureStoreBench();

}  // namespace candor::bench
