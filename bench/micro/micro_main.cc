// candor-micro-bench: the pure-CPU micro-benchmarks (write_path_bench.cc, scorer_bench.cc); see
// README.md. Takes Google Benchmark's flags (--benchmark_filter, --benchmark_repetitions, ...)
// and one of its own:
//   --data_dir=DIR  the shared data folder holding the Amazon reviews (also $CANDOR_DATA_DIR;
//                   default: ../shared/data beside the repo). Without it, when the default folder
//                   is missing, the scorer benchmarks run on generated reviews and say so.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "bench/micro/fraud_features_bench.h"
#include "bench/micro/review_corpus.h"
#include "bench/micro/scorer_bench.h"
#include "bench/micro/search_bench.h"

namespace {

constexpr char kDataDirFlag[] = "--data_dir=";

void PrintHelp() {
  benchmark::PrintDefaultHelp();
  std::fprintf(stdout,
               "          [--data_dir=<dir>]  (also $CANDOR_DATA_DIR; default %s/../shared/data)\n",
               CANDOR_SOURCE_DIR);
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv, PrintHelp);
  // Take --data_dir out of what Google Benchmark left, so the rest can be reported as unknown.
  std::string data_dir;
  bool named = false;
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], kDataDirFlag, std::strlen(kDataDirFlag)) == 0) {
      data_dir = argv[i] + std::strlen(kDataDirFlag);
      named = true;
    } else {
      argv[kept++] = argv[i];
    }
  }
  argc = kept;
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  if (!named) {
    const char* env = std::getenv("CANDOR_DATA_DIR");
    named = env != nullptr && *env != '\0';
    data_dir = named ? env : std::string(CANDOR_SOURCE_DIR) + "/../shared/data";
  }

  // Loaded once, before any benchmark runs, and kept until they are all done.
  static absl::StatusOr<candor::bench::ReviewCorpus> corpus =
      candor::bench::LoadReviewCorpus(data_dir, named);
  if (!corpus.ok()) {
    std::fprintf(stderr, "candor-micro-bench: reviews (--data_dir or $CANDOR_DATA_DIR): %s\n",
                 std::string(corpus.status().message()).c_str());
    return 1;
  }
  benchmark::AddCustomContext("reviews", corpus->source);
  candor::bench::RegisterScorerBenchmarks(*corpus);
  candor::bench::RegisterFraudFeatureBenchmarks(*corpus);
  candor::bench::RegisterSearchBenchmarks(*corpus);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
