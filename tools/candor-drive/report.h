#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "libs/core/histogram.h"
#include "nlohmann/json.hpp"
#include "tools/candor-drive/mix.h"
#include "tools/candor-drive/outcomes.h"
#include "tools/candor-drive/scenario.h"
#include "tools/candor-drive/votes.h"

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

// One call's answer, free of gRPC types (absl::StatusCode numbers equal gRPC's). What each
// Operation (operation.h) hands back, and what the checks and the report read.
struct Answer {
  absl::StatusCode code = absl::StatusCode::kUnknown;
  std::string message;    // on an error
  std::string review_id;  // submit answered OK
  int64_t items = 0;      // recommend, similar answered OK: the items in the answer
  ProductView view;       // summary: view.asin is always set; the rest on OK. NOT_FOUND (no
                          // counted reviews) is a valid answer: count 0.
};

// Latency in microseconds.
struct LatencySummary {
  int64_t count = 0, p50 = 0, p90 = 0, p99 = 0, p99_9 = 0, max = 0;
  static LatencySummary From(const core::Histogram& h);
};

// Replay: where the read side stood after the run (the convergence check, freshness.h).
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

// The figures of one operation, over the measured calls only (warm-up left out).
struct OpStats {
  int64_t calls = 0;  // answered (whatever the code)
  int64_t late = 0;   // open loop: sent later than --late-ms after their due time
  std::map<absl::StatusCode, int64_t> codes;
  core::Histogram latency_us;  // open loop: from the due time; closed loop: from the send
  core::Histogram service_us;  // from the send (equal to latency_us in a closed loop)
  // reco-api's operations (recommend, similar): the items in their OK answers, and how many of
  // those answers held none.
  int64_t items = 0;
  int64_t empty = 0;

  int64_t ok() const;
  void Merge(const OpStats& other);
};

// How well the sender kept to an open loop's schedule (all zero in a closed loop).
struct ScheduleStats {
  int64_t scheduled = 0;  // calls due in the measured part
  int64_t sent = 0;
  int64_t late = 0;    // sent later than late_after_ms after their due time
  int64_t unsent = 0;  // never sent: the sender was still behind `grace` after the end
  double late_after_ms = 0;
  core::Histogram lag_us;  // sent - due, every measured call
};

// Bench: freshness probes, submit OK -> the new review visible in GetProductSummary.
struct FreshnessStats {
  bool enabled = false;
  double per_second = 0;
  double poll_ms = 0;
  double timeout_s = 0;
  int64_t probes = 0;           // probe submissions sent
  int64_t submit_failed = 0;    // the probe's submit did not answer OK (not a freshness figure)
  int64_t readable = 0;         // became readable within the timeout
  int64_t timed_out = 0;        // answered OK but never readable within the timeout: failures
  int64_t poll_errors = 0;      // summary polls answered with a code other than OK / NOT_FOUND
  core::Histogram readable_us;  // submit OK answer -> first poll answer showing the review
};

// One second of one operation's answers, by the time they were answered (warm-up included):
// where in a run its tail came from, to line up with what else the machine did then.
struct Interval {
  double end_s = 0;       // seconds since the load started (the last one may be shorter)
  bool measured = false;  // the second ended after the warm-up
  int64_t calls = 0;
  int64_t p50_us = 0;  // latency as in OpStats::latency_us
  int64_t p99_us = 0;
  int64_t max_us = 0;
};

struct MachineInfo {
  int64_t nproc = 0;
  std::string cpu_model;
  std::string kernel;
  int64_t mem_total_mb = 0;
};

// Everything about how the run was set up (the JSON's "config" and run metadata).
struct RunInfo {
  std::string mode = "bench";  // "replay" (checked) or "bench"
  std::string started_at;      // RFC 3339, UTC
  std::string gateway;
  std::string reco_target;  // reco-api, when the mix sends its operations; "" otherwise
  std::optional<std::string> git_commit;
  bool git_dirty = false;
  MachineInfo machine;
  Mix mix;
  double rate = 0;  // 0 = closed loop
  int64_t concurrency = 0;
  int64_t channels = 0;
  double warmup_s = 0;
  double duration_s = 0;  // 0 = bounded by count
  int64_t count = 0;      // 0 = bounded by duration
  int64_t deadline_ms = 0;
  std::string source;
  double farm_ratio = 0;
  uint64_t seed = 0;
};

// What the checked replay adds to a run: every answer judged against the plan, and the read
// side's convergence.
struct ReplayChecks {
  int64_t planned = 0;
  OutcomeCounts counts;
  ExpectationReport expectations;
  double duration_s = 0;  // first send to last answer
  FreshnessReport convergence;
  // Once converged: how the accepted reviews were decided, by stored status ("active", "held",
  // "rejected", ...); empty when not checked. `decisions_error` says why it could not be read.
  std::map<std::string, int64_t> decisions;
  std::string decisions_error;
  std::vector<ProductView> top_products;
  // With --scenario: how the attack, and the genuine reviews beside it, were decided.
  std::optional<ScenarioOutcome> scenario;
  // With --votes: the file's real helpful votes, replayed once the reviews were stored.
  std::optional<VoteReplayOutcome> votes;
};

// What the rate controller measured (runner.h fills it in).
struct LoadFigures {
  std::map<Op, OpStats> ops;  // every operation of the mix, even if it got no call
  std::map<Op, std::vector<Interval>> timeline;  // per second, every operation of the mix
  ScheduleStats schedule;
  double window_s = 0;       // the measured part: end of warm-up to the last measured send
  int64_t warmup_calls = 0;  // sent during the warm-up, left out
  bool interrupted = false;  // SIGINT / SIGTERM stopped the sending early
};

// The result of one run, in either mode: the load's figures and what the mode adds.
struct RunResult : LoadFigures {
  RunInfo info;
  int64_t load_started_unix_ms = 0;  // the timeline's zero, as wall-clock time
  FreshnessStats freshness;
  int64_t feed_generated = 0;
  int64_t feed_stalls = 0;  // a submit waited for the generator
  // CPU time (user + system) the tool itself used from the start of the load to the last
  // answer, warm-up included, and the calls answered meanwhile: what the client costs on a
  // machine it shares with the server.
  double client_cpu_s = 0;
  double client_wall_s = 0;
  int64_t client_calls = 0;
  int64_t unreachable = 0;          // of client_calls, UNAVAILABLE or DEADLINE_EXCEEDED
  double client_process_cpu_s = 0;  // the whole process, start-up and traffic generation included
  std::optional<ReplayChecks> replay;  // set in replay mode
};

// The whole result as JSON (latencies in milliseconds, except the replay's submit_latency_us).
// Shape, documented in README.md: {tool, mode, schema, started_at, git_commit, git_dirty,
// machine{...}, config{...}, window_s, interrupted, warmup_calls, ops{<op>{calls, ok,
// throughput_per_s, ok_per_s, late, latency_ms{p50,p90,p99,p999,max,mean}, service_ms{...},
// codes{<CODE>: n}}}, total{...}, load_started_unix_ms, timeline{<op>[...]}, schedule{...},
// freshness{...}, feed{...}, client{...}, exit_code} and, in replay mode, {target, source,
// planned, target_rate, concurrency, outcomes{...}, expectations{...}, submit_latency_us{...},
// duration_s, throughput_per_s, convergence{...}, decisions{...}, top_products[...],
// scenario{...} (null without --scenario), votes{...} (null without --votes)}.
nlohmann::json ToJson(const RunResult& result);

// The human-readable report for stdout: the replay's outcomes, checks and products, or the
// benchmark's per-operation table, schedule and probes.
std::string RenderText(const RunResult& result);

// 0 when the run completed and: replay, every expectation held, no call failed (UNAVAILABLE,
// UNAUTHENTICATED, other codes), if checked, the read side converged and, in a scenario with
// --expect-caught, enough of the attack was caught, and with --votes the votes were applied
// (VoteReplayOutcome::Met); bench, some call reached a server. 1 otherwise.
int ExitCode(const RunResult& result);

// "5★ ██████████ 120": one line per star, longest bar `width` blocks.
std::string StarBars(const std::array<int64_t, 5>& histogram, int width);

// The first "model name" of a /proc/cpuinfo text ("" if none).
std::string CpuModelFromCpuinfo(std::string_view cpuinfo);

// Reads nproc, /proc/cpuinfo, /proc/meminfo and uname. Never fails (unknown fields stay empty).
MachineInfo ReadMachineInfo();

// `git rev-parse HEAD` in the working directory, if it is a git checkout; `dirty` tells whether
// tracked files have uncommitted changes.
std::optional<std::string> GitCommit(bool* dirty);

}  // namespace candor::drive
