#include "tools/candor-drive/report.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace candor::drive {

// The JSON of the report's parts whose keys are their fields' names (README.md, "JSON").
NLOHMANN_JSON_SERIALIZE_ENUM(FreshnessReport::State, {{FreshnessReport::State::kSkipped, "skipped"},
                                                      {FreshnessReport::State::kFresh, "fresh"},
                                                      {FreshnessReport::State::kStale, "stale"},
                                                      {FreshnessReport::State::kError, "error"}})
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(FreshnessReport::Lag, asin, summary_count, db_count, error)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(FreshnessReport, state, message, fresh_ms, reviews_expected,
                                   reviews_missing, products, products_stale, lagging)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ProductView, asin, review_count, average, display_average,
                                   verified_count, verified_average, histogram)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ExpectationReport, checked, mismatched, inconclusive,
                                   limit_groups_checked, limit_groups_failed, examples)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(LatencySummary, count, p50, p90, p99, p99_9, max)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(MachineInfo, nproc, cpu_model, kernel, mem_total_mb)
// The settings of a run: the JSON's "config" (what identifies the run, its mode, start, commit and
// machine, is at the JSON's top level).
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(RunInfo, gateway, reco_target, rate, concurrency, channels,
                                   warmup_s, duration_s, count, deadline_ms, source, farm_ratio,
                                   seed)

namespace {

std::string Share(int64_t n, int64_t total) {
  return total == 0 ? std::string("     -")
                    : absl::StrFormat("%5.1f %%", 100.0 * static_cast<double>(n) / total);
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

// The operation a replay sent its reviews with: import for a file, submit for generated traffic.
Op ReplayOp(const RunResult& r) { return r.ops.contains(Op::kImport) ? Op::kImport : Op::kSubmit; }

// Submit (or import) latency from the send (the replay's figure; empty when none was measured).
const core::Histogram& SubmitServiceUs(const RunResult& r) {
  static const core::Histogram kEmpty;
  auto it = r.ops.find(ReplayOp(r));
  return it == r.ops.end() ? kEmpty : it->second.service_us;
}

std::string ReplayText(const RunResult& result);
nlohmann::json ReplayJson(const RunResult& result);

double Ms(int64_t us) { return static_cast<double>(us) / 1000.0; }
double Round3(double v) { return std::round(v * 1000.0) / 1000.0; }

nlohmann::json LatencyJson(const core::Histogram& h) {
  return {{"count", h.count()},
          {"p50", Ms(h.Percentile(50))},
          {"p90", Ms(h.Percentile(90))},
          {"p99", Ms(h.Percentile(99))},
          {"p999", Ms(h.Percentile(99.9))},
          {"max", Ms(h.max())},
          {"mean", Round3(h.Mean() / 1000.0)}};
}

double PerSecond(int64_t n, double seconds) {
  return seconds > 0 ? Round3(static_cast<double>(n) / seconds) : 0;
}

std::string Cell(const core::Histogram& h, double p) {
  if (h.count() == 0) return "-";
  return absl::StrFormat("%.2f", Ms(p >= 100 ? h.max() : h.Percentile(p)));
}

std::string NonOkCodes(const OpStats& s) {
  std::vector<std::string> parts;
  for (const auto& [code, n] : s.codes) {
    if (code != absl::StatusCode::kOk) parts.push_back(absl::StrCat(CodeName(code), " ", n));
  }
  return parts.empty() ? "-" : absl::StrJoin(parts, ", ");
}

}  // namespace

int64_t OpStats::ok() const {
  auto it = codes.find(absl::StatusCode::kOk);
  return it == codes.end() ? 0 : it->second;
}

void OpStats::Merge(const OpStats& other) {
  calls += other.calls;
  late += other.late;
  items += other.items;
  empty += other.empty;
  for (const auto& [code, n] : other.codes) codes[code] += n;
  latency_us.Merge(other.latency_us);
  service_us.Merge(other.service_us);
}

nlohmann::json ToJson(const RunResult& r) {
  const RunInfo& i = r.info;
  nlohmann::json mix = nlohmann::json::object();
  for (Op op : kAllOps) {
    if (i.mix.Weight(op) > 0) mix[std::string(OpName(op))] = i.mix.Weight(op);
  }
  nlohmann::json j;
  j["tool"] = "candor-drive";
  j["mode"] = i.mode;
  j["schema"] = 1;
  j["started_at"] = i.started_at;
  j["git_commit"] = i.git_commit ? nlohmann::json(*i.git_commit) : nlohmann::json(nullptr);
  j["git_dirty"] = i.git_dirty;
  j["machine"] = i.machine;
  j["machine"]["note"] = "the load generator runs on the same machine as the services";
  nlohmann::json& config = j["config"] = i;
  config["mode"] = i.rate > 0 ? "open" : "closed";
  config["mix"] = mix;
  config["mix_text"] = i.mix.ToString();
  config["freshness_probes_per_s"] = r.freshness.per_second;
  j["window_s"] = Round3(r.window_s);
  j["interrupted"] = r.interrupted;
  j["warmup_calls"] = r.warmup_calls;

  nlohmann::json ops = nlohmann::json::object();
  OpStats total;
  for (const auto& [op, s] : r.ops) {
    nlohmann::json codes = nlohmann::json::object();
    for (const auto& [code, n] : s.codes) codes[CodeName(code)] = n;
    ops[std::string(OpName(op))] = {{"calls", s.calls},
                                    {"ok", s.ok()},
                                    {"throughput_per_s", PerSecond(s.calls, r.window_s)},
                                    {"ok_per_s", PerSecond(s.ok(), r.window_s)},
                                    {"late", s.late},
                                    {"latency_ms", LatencyJson(s.latency_us)},
                                    {"service_ms", LatencyJson(s.service_us)},
                                    {"codes", codes}};
    if (ServerOf(op) == Server::kRecoApi) {
      ops[std::string(OpName(op))]["items"] = {
          {"per_ok", s.ok() > 0 ? Round3(static_cast<double>(s.items) / s.ok()) : 0},
          {"empty", s.empty}};
    }
    total.Merge(s);
  }
  j["ops"] = ops;
  nlohmann::json timeline = nlohmann::json::object();
  for (const auto& [op, seconds] : r.timeline) {
    nlohmann::json rows = nlohmann::json::array();
    for (const Interval& iv : seconds) {
      rows.push_back({{"t_s", Round3(iv.end_s)},
                      {"measured", iv.measured},
                      {"calls", iv.calls},
                      {"p50_ms", Round3(static_cast<double>(iv.p50_us) / 1e3)},
                      {"p99_ms", Round3(static_cast<double>(iv.p99_us) / 1e3)},
                      {"max_ms", Round3(static_cast<double>(iv.max_us) / 1e3)}});
    }
    timeline[std::string(OpName(op))] = rows;
  }
  j["load_started_unix_ms"] = r.load_started_unix_ms;
  j["timeline"] = timeline;
  j["total"] = {{"calls", total.calls},
                {"ok", total.ok()},
                {"throughput_per_s", PerSecond(total.calls, r.window_s)},
                {"ok_per_s", PerSecond(total.ok(), r.window_s)}};
  const ScheduleStats& sc = r.schedule;
  j["schedule"] = {{"scheduled", sc.scheduled},
                   {"sent", sc.sent},
                   {"late", sc.late},
                   {"unsent", sc.unsent},
                   {"late_after_ms", sc.late_after_ms},
                   {"lag_ms", LatencyJson(sc.lag_us)}};
  const FreshnessStats& f = r.freshness;
  j["freshness"] = {{"enabled", f.enabled},         {"per_second", f.per_second},
                    {"poll_ms", f.poll_ms},         {"timeout_s", f.timeout_s},
                    {"probes", f.probes},           {"submit_failed", f.submit_failed},
                    {"readable", f.readable},       {"timed_out", f.timed_out},
                    {"poll_errors", f.poll_errors}, {"readable_ms", LatencyJson(f.readable_us)}};
  j["feed"] = {{"generated", r.feed_generated}, {"stalls", r.feed_stalls}};
  const double per_call =
      r.client_calls > 0 ? r.client_cpu_s * 1e6 / static_cast<double>(r.client_calls) : 0.0;
  j["client"] = {{"cpu_s", Round3(r.client_cpu_s)},
                 {"wall_s", Round3(r.client_wall_s)},
                 {"calls", r.client_calls},
                 {"cpu_us_per_call", Round3(per_call)},
                 {"cores", r.client_wall_s > 0 ? Round3(r.client_cpu_s / r.client_wall_s) : 0.0},
                 {"process_cpu_s", Round3(r.client_process_cpu_s)}};
  if (r.replay) j.update(ReplayJson(r));
  j["exit_code"] = ExitCode(r);
  return j;
}

namespace {

// One line per operation: how the p99 of single measured seconds spread, and the worst three.
std::string TimelineText(const std::map<Op, std::vector<Interval>>& timeline) {
  std::string out;
  for (const auto& [op, seconds] : timeline) {
    std::vector<Interval> measured;
    for (const Interval& iv : seconds) {
      if (iv.measured && iv.calls > 0) measured.push_back(iv);
    }
    if (measured.size() < 2) continue;
    std::sort(measured.begin(), measured.end(),
              [](const Interval& a, const Interval& b) { return a.p99_us > b.p99_us; });
    const auto ms = [](int64_t us) {
      return absl::StrFormat("%.2f", static_cast<double>(us) / 1e3);
    };
    absl::StrAppend(&out, "  ", std::string(OpName(op)), " p99 of each second: median ",
                    ms(measured[measured.size() / 2].p99_us), " ms; worst");
    for (size_t k = 0; k < std::min<size_t>(3, measured.size()); ++k) {
      absl::StrAppend(&out, k == 0 ? " " : ", ", ms(measured[k].p99_us), " ms at ",
                      absl::StrFormat("%.0f", measured[k].end_s), " s");
    }
    absl::StrAppend(&out, " (timeline in the JSON)\n");
  }
  return out;
}

}  // namespace

std::string RenderText(const RunResult& r) {
  if (r.replay) return ReplayText(r);
  const RunInfo& i = r.info;
  std::string out;
  absl::StrAppend(&out, "candor-drive bench: ",
                  i.rate > 0 ? absl::StrFormat("open loop at %.0f/s (at most %d in flight)", i.rate,
                                               i.concurrency)
                             : absl::StrFormat("closed loop, %d in flight", i.concurrency),
                  ", mix ", i.mix.ToString(), ", gateway ", i.gateway,
                  i.reco_target.empty() ? "" : absl::StrCat(", reco-api ", i.reco_target), " (",
                  i.channels, " channels)\n");
  absl::StrAppend(&out, "  measured ", absl::StrFormat("%.1f", r.window_s), " s after ",
                  absl::StrFormat("%.1f", i.warmup_s), " s warm-up (", r.warmup_calls,
                  " calls left out)", r.interrupted ? "; INTERRUPTED" : "", "\n");
  absl::StrAppend(&out, "  traffic: ", i.source, "\n");
  absl::StrAppend(&out, "  machine: ", i.machine.nproc, " CPUs (", i.machine.cpu_model,
                  "), shared with the services; commit ", i.git_commit.value_or("unknown"),
                  i.git_dirty ? " (dirty)" : "", "\n\n");

  absl::StrAppend(
      &out, absl::StrFormat("%-9s %9s %9s %9s %8s %8s %8s %8s %8s %7s\n", "op", "calls", "calls/s",
                            "ok/s", "p50 ms", "p90", "p99", "p99.9", "max", "late"));
  OpStats total;
  for (const auto& [op, s] : r.ops) {
    absl::StrAppend(
        &out,
        absl::StrFormat("%-9s %9d %9.0f %9.0f %8s %8s %8s %8s %8s %7d\n", std::string(OpName(op)),
                        s.calls, PerSecond(s.calls, r.window_s), PerSecond(s.ok(), r.window_s),
                        Cell(s.latency_us, 50), Cell(s.latency_us, 90), Cell(s.latency_us, 99),
                        Cell(s.latency_us, 99.9), Cell(s.latency_us, 100), s.late));
    total.Merge(s);
  }
  if (r.ops.size() > 1) {
    absl::StrAppend(&out, absl::StrFormat("%-9s %9d %9.0f %9.0f %8s %8s %8s %8s %8s %7d\n", "total",
                                          total.calls, PerSecond(total.calls, r.window_s),
                                          PerSecond(total.ok(), r.window_s),
                                          Cell(total.latency_us, 50), Cell(total.latency_us, 90),
                                          Cell(total.latency_us, 99), Cell(total.latency_us, 99.9),
                                          Cell(total.latency_us, 100), total.late));
  }
  if (i.rate > 0) {
    absl::StrAppend(&out,
                    "  (latency from each call's due time, so waiting to be sent counts; "
                    "service time from the send:");
    for (const auto& [op, s] : r.ops) {
      absl::StrAppend(&out, " ", std::string(OpName(op)), " p99 ", Cell(s.service_us, 99), " ms");
    }
    absl::StrAppend(&out, ")\n");
  } else {
    absl::StrAppend(&out, "  (latency from the send)\n");
  }
  absl::StrAppend(&out, TimelineText(r.timeline));
  absl::StrAppend(&out, "\nanswers other than OK:\n");
  for (const auto& [op, s] : r.ops) {
    absl::StrAppend(&out, absl::StrFormat("  %-9s %s\n", std::string(OpName(op)), NonOkCodes(s)));
  }
  std::string items;
  for (const auto& [op, s] : r.ops) {
    if (ServerOf(op) != Server::kRecoApi || s.ok() == 0) continue;
    absl::StrAppend(
        &items,
        absl::StrFormat("  %-9s %.1f items per answer, %d answers empty\n", std::string(OpName(op)),
                        static_cast<double>(s.items) / static_cast<double>(s.ok()), s.empty));
  }
  if (!items.empty()) absl::StrAppend(&out, "\nitems in the OK answers:\n", items);
  if (i.rate > 0) {
    const ScheduleStats& sc = r.schedule;
    absl::StrAppend(&out, "\nschedule: ", sc.scheduled, " due, ", sc.sent, " sent, ", sc.late,
                    " late (> ", sc.late_after_ms, " ms), ", sc.unsent,
                    " never sent; send lag p50 ", Cell(sc.lag_us, 50), " ms, p99 ",
                    Cell(sc.lag_us, 99), " ms, max ", Cell(sc.lag_us, 100), " ms\n");
  }
  const FreshnessStats& f = r.freshness;
  if (f.enabled) {
    absl::StrAppend(
        &out, "\nfreshness (submit OK -> visible in GetProductSummary; ", f.per_second,
        " probe/s, poll every ", f.poll_ms, " ms): ", f.probes, " probes, ", f.readable,
        " readable, ", f.timed_out, " not readable within ", f.timeout_s, " s",
        f.submit_failed > 0 ? absl::StrCat(", ", f.submit_failed, " probe submits failed") : "",
        "\n");
    if (f.readable > 0) {
      absl::StrAppend(&out, "  p50 ", Cell(f.readable_us, 50), " ms  p90 ", Cell(f.readable_us, 90),
                      " ms  p99 ", Cell(f.readable_us, 99), " ms  max ", Cell(f.readable_us, 100),
                      " ms\n");
    }
  } else {
    absl::StrAppend(&out, "\nfreshness: not probed\n");
  }
  if (r.client_calls > 0 && r.client_wall_s > 0) {
    absl::StrAppend(
        &out, "\nclient (this tool): ",
        absl::StrFormat("%.1f s CPU over %.1f s (%.2f cores), %.0f us per call", r.client_cpu_s,
                        r.client_wall_s, r.client_cpu_s / r.client_wall_s,
                        r.client_cpu_s * 1e6 / static_cast<double>(r.client_calls)),
        ", on the machine it shares with the server\n");
  }
  if (r.feed_stalls > 0) {
    absl::StrAppend(&out, "\nwarning: ", r.feed_stalls,
                    " submits waited for the traffic generator (raise --prefill)\n");
  }
  return out;
}

std::string CpuModelFromCpuinfo(std::string_view cpuinfo) {
  std::istringstream in{std::string(cpuinfo)};
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) != 0) continue;
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string v = line.substr(colon + 1);
    v.erase(0, v.find_first_not_of(" \t"));
    v.erase(v.find_last_not_of(" \t\r") + 1);
    return v;
  }
  return "";
}

MachineInfo ReadMachineInfo() {
  MachineInfo m;
  m.nproc = sysconf(_SC_NPROCESSORS_ONLN);
  {
    std::ifstream f("/proc/cpuinfo");
    std::stringstream buf;
    buf << f.rdbuf();
    m.cpu_model = CpuModelFromCpuinfo(buf.str());
  }
  {
    std::ifstream f("/proc/meminfo");
    std::string key;
    int64_t kb = 0;
    while (f >> key >> kb) {
      if (key == "MemTotal:") {
        m.mem_total_mb = kb / 1024;
        break;
      }
      f.ignore(256, '\n');
    }
  }
  struct utsname u {};
  if (uname(&u) == 0) m.kernel = absl::StrCat(u.sysname, " ", u.release, " ", u.machine);
  return m;
}

namespace {
std::optional<std::string> RunCommand(const char* command) {
  std::FILE* p = popen(command, "r");
  if (p == nullptr) return std::nullopt;
  std::string out;
  char buf[256];
  while (std::fgets(buf, sizeof(buf), p) != nullptr) out += buf;
  if (pclose(p) != 0) return std::nullopt;
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}
}  // namespace

std::optional<std::string> GitCommit(bool* dirty) {
  *dirty = false;
  std::optional<std::string> head = RunCommand("git rev-parse HEAD 2>/dev/null");
  if (!head || head->empty()) return std::nullopt;
  std::optional<std::string> status =
      RunCommand("git status --porcelain --untracked-files=no 2>/dev/null");
  *dirty = status.has_value() && !status->empty();
  return head;
}

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

namespace {

// "Decisions       of 10,254 accepted: active 10,190 (99.4 %), held 52 (0.5 %), rejected 12
// (0.1 %)": how fraud scoring stored the accepted reviews.
std::string DecisionsText(const ReplayChecks& r) {
  if (!r.decisions_error.empty()) {
    return absl::StrCat("Decisions       not read: ", r.decisions_error, "\n");
  }
  if (r.decisions.empty()) return "";
  int64_t total = 0;
  for (const auto& [status, n] : r.decisions) total += n;
  std::string out = absl::StrCat("Decisions       of ", total, " accepted reviews:");
  // The lifecycle's order, then anything else the table holds.
  std::vector<std::string> order = {"active", "held", "rejected", "removed"};
  for (const auto& [status, n] : r.decisions) {
    if (std::find(order.begin(), order.end(), status) == order.end()) order.push_back(status);
  }
  const char* sep = " ";
  for (const std::string& status : order) {
    auto it = r.decisions.find(status);
    const int64_t n = it == r.decisions.end() ? 0 : it->second;
    absl::StrAppend(&out, sep, status, " ", n,
                    absl::StrFormat(" (%.2f %%)", total > 0 ? 100.0 * static_cast<double>(n) /
                                                                  static_cast<double>(total)
                                                            : 0.0));
    sep = ", ";
  }
  return out + "\n";
}

std::string ReplayText(const RunResult& result) {
  const ReplayChecks& r = *result.replay;
  const RunInfo& info = result.info;
  const OutcomeCounts& c = r.counts;
  const int64_t answered = c.answered();
  std::string out;
  absl::StrAppend(&out, "\nCandor drive: ", r.planned,
                  ReplayOp(result) == Op::kImport ? " imports (original times)" : " submissions",
                  " to ", info.gateway, "\n");
  absl::StrAppend(&out, "  source: ", info.source, "\n");
  absl::StrAppend(&out, "  mode:   ",
                  info.rate >= 10 ? absl::StrFormat("open loop at %.0f/s", info.rate)
                  : info.rate > 0 ? absl::StrFormat("open loop at %.3g/s", info.rate)
                                  : std::string("closed loop"),
                  ", at most ", info.concurrency, " calls in flight\n");
  if (result.interrupted) absl::StrAppend(&out, "  INTERRUPTED: the run was stopped early\n");

  absl::StrAppend(&out, "\nOutcomes                           count     share\n");
  auto row = [&](const char* name, int64_t n, const std::string& extra = "") {
    absl::StrAppend(&out,
                    absl::StrFormat("  %-30s %7d   %s%s\n", name, n, Share(n, answered), extra));
  };
  for (const OutcomeBucket& bucket : kOutcomeBuckets) row(bucket.label, c.*(bucket.count));
  std::string other_codes;
  for (const auto& [code, n] : c.by_code) {
    if (BucketOf(code) != nullptr) continue;
    absl::StrAppend(&other_codes, other_codes.empty() ? "   [" : ", ", CodeName(code), " ", n);
  }
  if (!other_codes.empty()) other_codes += "]";
  row("other", c.other, other_codes);
  if (answered > 0 && c.unavailable == answered) {
    absl::StrAppend(&out, "  (every call was UNAVAILABLE: is the gateway running at ", info.gateway,
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

  const LatencySummary l = LatencySummary::From(SubmitServiceUs(result));
  const bool imports = ReplayOp(result) == Op::kImport;
  absl::StrAppend(&out, "\n",
                  absl::StrFormat("%s latency  p50 %.2f ms   p90 %.2f ms   p99 %.2f ms   "
                                  "p99.9 %.2f ms   max %.2f ms   (%d calls)\n",
                                  imports ? "Import" : "Submit", Ms(l.p50), Ms(l.p90), Ms(l.p99),
                                  Ms(l.p99_9), Ms(l.max), l.count));
  double throughput = r.duration_s > 0 ? static_cast<double>(answered) / r.duration_s : 0;
  absl::StrAppend(&out, absl::StrFormat("Throughput      %.1f %s/s over %.2f s\n", throughput,
                                        imports ? "imports" : "submissions", r.duration_s));
  absl::StrAppend(&out, FreshnessText(r.convergence));
  absl::StrAppend(&out, DecisionsText(r));
  if (r.scenario) absl::StrAppend(&out, ScenarioText(*r.scenario));
  if (r.votes) absl::StrAppend(&out, VotesText(*r.votes));

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
  absl::StrAppend(&out, "\nResult          ", ExitCode(result) == 0 ? "PASS" : "FAIL", "\n");
  return out;
}

nlohmann::json ReplayJson(const RunResult& result) {
  const ReplayChecks& r = *result.replay;
  const RunInfo& info = result.info;
  const OutcomeCounts& c = r.counts;
  nlohmann::json outcomes = {{"other", c.other}, {"not_sent", c.not_sent}};
  for (const OutcomeBucket& bucket : kOutcomeBuckets) outcomes[bucket.key] = c.*(bucket.count);
  nlohmann::json& by_code = outcomes["by_code"] = nlohmann::json::object();
  for (const auto& [code, n] : c.by_code) by_code[CodeName(code)] = n;
  const int64_t answered = c.answered();
  return {
      {"target", info.gateway},
      {"source", info.source},
      {"planned", r.planned},
      {"target_rate", info.rate},
      {"concurrency", info.concurrency},
      {"interrupted", result.interrupted},
      {"outcomes", outcomes},
      {"expectations", r.expectations},
      {"submit_latency_us", LatencySummary::From(SubmitServiceUs(result))},
      {"duration_s", r.duration_s},
      {"throughput_per_s", r.duration_s > 0 ? static_cast<double>(answered) / r.duration_s : 0},
      {"convergence", r.convergence},
      {"decisions", r.decisions},
      {"top_products", r.top_products},
      {"scenario", r.scenario ? ScenarioJson(*r.scenario) : nlohmann::json(nullptr)},
      {"votes", r.votes ? VotesJson(*r.votes) : nlohmann::json(nullptr)},
  };
}

}  // namespace

int ExitCode(const RunResult& result) {
  if (result.interrupted) return 1;
  if (!result.replay) {
    return result.client_calls > 0 && result.unreachable == result.client_calls ? 1 : 0;
  }
  const ReplayChecks& r = *result.replay;
  if (r.expectations.mismatched > 0 || r.expectations.limit_groups_failed > 0) return 1;
  if (r.counts.failures() > 0) return 1;
  if (r.convergence.state == FreshnessReport::State::kStale ||
      r.convergence.state == FreshnessReport::State::kError) {
    return 1;
  }
  if (r.scenario && !r.scenario->Met()) return 1;
  if (r.votes && !r.votes->Met()) return 1;
  return 0;
}

}  // namespace candor::drive
