#include "tools/candor-drive/report.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace candor::drive {
namespace {

double Ms(int64_t us) { return static_cast<double>(us) / 1000.0; }

std::string Share(int64_t n, int64_t total) {
  return total == 0 ? std::string("     -")
                    : absl::StrFormat("%5.1f %%", 100.0 * static_cast<double>(n) / total);
}

const char* StateName(FreshnessReport::State s) {
  switch (s) {
    case FreshnessReport::State::kSkipped:
      return "skipped";
    case FreshnessReport::State::kFresh:
      return "fresh";
    case FreshnessReport::State::kStale:
      return "stale";
    case FreshnessReport::State::kError:
      return "error";
  }
  return "?";
}

std::string FreshnessText(const FreshnessReport& f) {
  std::string out = "Freshness       ";
  switch (f.state) {
    case FreshnessReport::State::kSkipped:
      absl::StrAppend(&out, "not checked: ", f.message, "\n");
      return out;
    case FreshnessReport::State::kFresh:
      if (f.reviews_expected == 0) {
        absl::StrAppend(&out, "no review was accepted; the summaries of all ", f.products,
                        " products match the reviews table\n");
      } else {
        absl::StrAppend(&out, "all aggregates fresh ", f.fresh_ms, " ms after the last OK (",
                        f.reviews_expected, " accepted reviews all in Postgres, ", f.products,
                        " products' summaries match the reviews table)\n");
      }
      return out;
    case FreshnessReport::State::kError:
      absl::StrAppend(&out, "FAILED: ", f.message, "\n");
      return out;
    case FreshnessReport::State::kStale:
      break;
  }
  absl::StrAppend(&out, "FAILED: ", f.message, "\n");
  if (f.reviews_missing > 0) {
    absl::StrAppend(&out, "  ", f.reviews_missing, " of ", f.reviews_expected,
                    " accepted review_ids have no row in `reviews`, e.g.\n");
    for (const std::string& id : f.missing_examples) absl::StrAppend(&out, "    ", id, "\n");
  }
  if (f.products_stale > 0) {
    absl::StrAppend(&out, "  ", f.products_stale, " of ", f.products,
                    " products never converged, e.g.\n");
    for (const FreshnessReport::Lag& lag : f.lagging) {
      if (lag.summary_count < 0) {
        absl::StrAppend(&out, "    ", lag.asin, "  summary call failed: ", lag.error,
                        "; reviews table ", lag.db_count, " active\n");
      } else {
        absl::StrAppend(&out, "    ", lag.asin, "  summary review_count ", lag.summary_count,
                        ", reviews table ", lag.db_count, " active\n");
      }
    }
  }
  return out;
}

}  // namespace

LatencySummary LatencySummary::From(const core::Histogram& h) {
  return {h.count(),        h.Percentile(50),   h.Percentile(90),
          h.Percentile(99), h.Percentile(99.9), h.max()};
}

std::string StarBars(const std::array<int64_t, 5>& histogram, int width) {
  int64_t top = *std::max_element(histogram.begin(), histogram.end());
  std::string out;
  for (int star = 5; star >= 1; --star) {
    int64_t n = histogram[star - 1];
    // Any non-zero count gets at least one block, so a rare rating stays visible.
    int blocks = top == 0 ? 0
                          : static_cast<int>(std::ceil(static_cast<double>(n) * width /
                                                       static_cast<double>(top)));
    absl::StrAppend(&out, star, "★ ");
    for (int i = 0; i < blocks; ++i) out += "█";
    absl::StrAppend(&out, blocks > 0 ? " " : "", n, "\n");
  }
  return out;
}

std::string RenderText(const RunReport& r) {
  const OutcomeCounts& c = r.counts;
  const int64_t answered = c.answered();
  std::string out;
  absl::StrAppend(&out, "\nCandor drive: ", r.planned, " submissions to ", r.target, "\n");
  absl::StrAppend(&out, "  source: ", r.source, "\n");
  absl::StrAppend(&out, "  mode:   ",
                  r.target_rate > 0 ? absl::StrFormat("open loop at %.0f/s", r.target_rate)
                                    : std::string("closed loop"),
                  ", at most ", r.concurrency, " calls in flight\n");
  if (r.interrupted) absl::StrAppend(&out, "  INTERRUPTED: the run was stopped early\n");

  absl::StrAppend(&out, "\nOutcomes                           count     share\n");
  auto row = [&](const char* name, int64_t n, const std::string& extra = "") {
    absl::StrAppend(&out,
                    absl::StrFormat("  %-30s %7d   %s%s\n", name, n, Share(n, answered), extra));
  };
  row("accepted (OK)", c.ok);
  row("duplicate (ALREADY_EXISTS)", c.duplicate);
  row("limited (RESOURCE_EXHAUSTED)", c.limited);
  row("invalid (INVALID_ARGUMENT)", c.invalid);
  row("unauthenticated", c.unauthenticated);
  row("unavailable", c.unavailable);
  std::string other_codes;
  for (const auto& [code, n] : c.by_code) {
    switch (code) {
      case absl::StatusCode::kOk:
      case absl::StatusCode::kAlreadyExists:
      case absl::StatusCode::kResourceExhausted:
      case absl::StatusCode::kInvalidArgument:
      case absl::StatusCode::kUnauthenticated:
      case absl::StatusCode::kUnavailable:
        break;
      default:
        absl::StrAppend(&other_codes, other_codes.empty() ? "   [" : ", ", CodeName(code), " ", n);
    }
  }
  if (!other_codes.empty()) other_codes += "]";
  row("other", c.other, other_codes);
  if (answered > 0 && c.unavailable == answered) {
    absl::StrAppend(&out, "  (every call was UNAVAILABLE: is the gateway running at ", r.target,
                    "?)\n");
  } else if (answered > 0 && c.unauthenticated == answered) {
    absl::StrAppend(&out,
                    "  (every call was UNAUTHENTICATED: does CANDOR_JWT_SECRET match the "
                    "gateway's?)\n");
  }
  if (c.not_sent > 0)
    absl::StrAppend(&out, absl::StrFormat("  %-30s %7d\n", "not sent", c.not_sent));

  const ExpectationReport& e = r.expectations;
  absl::StrAppend(&out, "\nExpectations    ", e.checked, " checked, ", e.mismatched,
                  " mismatched, ", e.inconclusive, " inconclusive");
  if (e.limit_groups_checked > 0) {
    absl::StrAppend(&out, "; daily limit held for ", e.limit_groups_checked - e.limit_groups_failed,
                    " of ", e.limit_groups_checked, " heavy users");
  }
  out += "\n";
  for (const std::string& ex : e.examples) absl::StrAppend(&out, "  ! ", ex, "\n");

  const LatencySummary& l = r.latency;
  absl::StrAppend(&out, "\n",
                  absl::StrFormat("Submit latency  p50 %.2f ms   p90 %.2f ms   p99 %.2f ms   "
                                  "p99.9 %.2f ms   max %.2f ms   (%d calls)\n",
                                  Ms(l.p50), Ms(l.p90), Ms(l.p99), Ms(l.p999), Ms(l.max), l.count));
  double throughput = r.duration_s > 0 ? static_cast<double>(answered) / r.duration_s : 0;
  absl::StrAppend(&out, absl::StrFormat("Throughput      %.1f submissions/s over %.2f s\n",
                                        throughput, r.duration_s));
  absl::StrAppend(&out, FreshnessText(r.freshness));

  if (!r.top_products.empty()) {
    absl::StrAppend(&out, "\nMost-reviewed products\n");
    for (const ProductView& p : r.top_products) {
      absl::StrAppend(&out, absl::StrFormat("  %s  %d reviews   average %.2f   display %.2f   "
                                            "verified %d (average %.2f)\n",
                                            p.asin, p.review_count, p.average, p.display_average,
                                            p.verified_count, p.verified_average));
      std::string bars = StarBars(p.histogram, 30);
      size_t start = 0;
      while (start < bars.size()) {
        size_t end = bars.find('\n', start);
        absl::StrAppend(&out, "    ", bars.substr(start, end - start), "\n");
        start = end + 1;
      }
    }
  }
  absl::StrAppend(&out, "\nResult          ", ExitCode(r) == 0 ? "PASS" : "FAIL", "\n");
  return out;
}

nlohmann::json ToJson(const RunReport& r) {
  const OutcomeCounts& c = r.counts;
  nlohmann::json by_code = nlohmann::json::object();
  for (const auto& [code, n] : c.by_code) by_code[CodeName(code)] = n;
  const LatencySummary& l = r.latency;
  const FreshnessReport& f = r.freshness;
  nlohmann::json lagging = nlohmann::json::array();
  for (const auto& lag : f.lagging) {
    lagging.push_back({{"asin", lag.asin},
                       {"summary_count", lag.summary_count},
                       {"db_count", lag.db_count},
                       {"error", lag.error}});
  }
  nlohmann::json products = nlohmann::json::array();
  for (const ProductView& p : r.top_products) {
    products.push_back({{"asin", p.asin},
                        {"review_count", p.review_count},
                        {"average", p.average},
                        {"display_average", p.display_average},
                        {"verified_count", p.verified_count},
                        {"verified_average", p.verified_average},
                        {"histogram", p.histogram}});
  }
  const int64_t answered = c.answered();
  return {
      {"target", r.target},
      {"source", r.source},
      {"planned", r.planned},
      {"target_rate", r.target_rate},
      {"concurrency", r.concurrency},
      {"interrupted", r.interrupted},
      {"outcomes",
       {{"ok", c.ok},
        {"duplicate", c.duplicate},
        {"limited", c.limited},
        {"invalid", c.invalid},
        {"unauthenticated", c.unauthenticated},
        {"unavailable", c.unavailable},
        {"other", c.other},
        {"not_sent", c.not_sent},
        {"by_code", by_code}}},
      {"expectations",
       {{"checked", r.expectations.checked},
        {"mismatched", r.expectations.mismatched},
        {"inconclusive", r.expectations.inconclusive},
        {"limit_groups_checked", r.expectations.limit_groups_checked},
        {"limit_groups_failed", r.expectations.limit_groups_failed},
        {"examples", r.expectations.examples}}},
      {"submit_latency_us",
       {{"count", l.count},
        {"p50", l.p50},
        {"p90", l.p90},
        {"p99", l.p99},
        {"p99_9", l.p999},
        {"max", l.max}}},
      {"duration_s", r.duration_s},
      {"throughput_per_s", r.duration_s > 0 ? static_cast<double>(answered) / r.duration_s : 0},
      {"freshness",
       {{"state", StateName(f.state)},
        {"message", f.message},
        {"fresh_ms", f.fresh_ms},
        {"reviews_expected", f.reviews_expected},
        {"reviews_missing", f.reviews_missing},
        {"products", f.products},
        {"products_stale", f.products_stale},
        {"lagging", lagging}}},
      {"top_products", products},
      {"exit_code", ExitCode(r)},
  };
}

int ExitCode(const RunReport& r) {
  if (r.interrupted) return 1;
  if (r.expectations.mismatched > 0 || r.expectations.limit_groups_failed > 0) return 1;
  if (r.counts.failures() > 0) return 1;
  if (r.freshness.state == FreshnessReport::State::kStale ||
      r.freshness.state == FreshnessReport::State::kError) {
    return 1;
  }
  return 0;
}

}  // namespace candor::drive
