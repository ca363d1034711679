#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "libs/core/histogram.h"
#include "nlohmann/json.hpp"
#include "tools/candor-drive/outcomes.h"

namespace candor::drive {

// A product's rating summary as GetProductSummary returns it.
struct ProductView {
  std::string asin;
  int64_t review_count = 0;
  double average = 0;
  double display_average = 0;
  int64_t verified_count = 0;
  double verified_average = 0;
  std::array<int64_t, 5> histogram{};  // index 0 = 1 star
};

// One GetProductSummary answer. NOT_FOUND (no counted reviews) is a valid answer: count 0.
struct SummaryAnswer {
  absl::StatusCode code = absl::StatusCode::kUnknown;
  std::string message;
  ProductView view;  // view.asin is always set
};

// Submit latency in microseconds.
struct LatencySummary {
  int64_t count = 0, p50 = 0, p90 = 0, p99 = 0, p999 = 0, max = 0;
  static LatencySummary From(const core::Histogram& h);
};

// Where the read side stood after the run (see freshness.h).
struct FreshnessReport {
  enum class State { kSkipped, kFresh, kStale, kError };
  State state = State::kSkipped;
  std::string message;           // why skipped, or what went wrong
  int64_t fresh_ms = 0;          // kFresh: from the last OK answer to all aggregates matching
  int64_t reviews_expected = 0;  // OK review_ids looked for in `reviews`
  int64_t reviews_missing = 0;
  std::vector<std::string> missing_examples;
  int64_t products = 0;  // products compared
  struct Lag {
    std::string asin;
    int64_t summary_count = -1;  // -1: the summary call failed (see error)
    int64_t db_count = 0;
    std::string error;
  };
  int64_t products_stale = 0;
  std::vector<Lag> lagging;  // the first few products that never converged
};

// Everything the final report shows.
struct RunReport {
  std::string target;
  std::string source;
  int64_t planned = 0;
  OutcomeCounts counts;
  ExpectationReport expectations;
  LatencySummary latency;
  double duration_s = 0;   // first send to last answer
  double target_rate = 0;  // 0: closed loop
  int64_t concurrency = 0;
  bool interrupted = false;
  FreshnessReport freshness;
  std::vector<ProductView> top_products;
};

// The human-readable report (a few tables), for stdout.
std::string RenderText(const RunReport& report);
// The same figures as JSON (for --json and scripts).
nlohmann::json ToJson(const RunReport& report);
// 0 when the run completed, every expectation held, no call failed (UNAVAILABLE,
// UNAUTHENTICATED, other codes) and, if checked, the read side converged; 1 otherwise.
int ExitCode(const RunReport& report);

// "5★ ██████████ 120": one line per star, longest bar `width` blocks.
std::string StarBars(const std::array<int64_t, 5>& histogram, int width);

}  // namespace candor::drive
