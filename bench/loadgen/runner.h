#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "bench/loadgen/client.h"
#include "bench/loadgen/feed.h"
#include "bench/loadgen/mix.h"
#include "bench/loadgen/prober.h"
#include "bench/loadgen/report.h"
#include "bench/loadgen/schedule.h"

namespace candor::loadgen {

struct RunnerOptions {
  RunShape shape;            // rate 0 = closed loop
  int64_t concurrency = 64;  // closed loop: calls kept in flight; open loop: the most in flight
  absl::Duration deadline = absl::Seconds(5);
  Nanos late_after = std::chrono::milliseconds(1);
  Nanos give_up_grace = std::chrono::seconds(1);
  Mix mix;
  uint64_t seed = 1;
  bool progress = true;
};

// What the calls need. Everything must outlive RunLoad.
struct RunTargets {
  std::vector<Connection>* connections = nullptr;   // calls go round-robin over them
  SubmitFeed* feed = nullptr;                       // submissions, summary asins
  const std::vector<Request>* noop_pool = nullptr;  // no-op payloads, reused round-robin
  std::string reader_bearer;                        // summary reads
  FreshnessProber* prober = nullptr;                // optional: started when the warm-up ends
};

struct LoadResult {
  std::map<Op, OpStats> ops;
  std::map<Op, std::vector<Interval>> timeline;
  ScheduleStats schedule;
  double window_s = 0;
  int64_t warmup_calls = 0;
  int64_t answered = 0;     // every call answered, warm-up included
  int64_t unreachable = 0;  // of those, UNAVAILABLE or DEADLINE_EXCEEDED
  bool interrupted = false;
};

// Runs the load through the gRPC callback API: an open loop (calls leave on the schedule, in a
// sending thread, bounded by `concurrency` in flight; a call that cannot leave on time is late,
// and its latency still counts from its due time) or a closed loop (`concurrency` chains, each
// sending its next call from the previous one's completion). Each call's operation comes from
// the mix by its sequence number. Every second, each operation's answers of that second are
// summed up into the timeline, and a progress line goes to stderr. Stops early on
// SIGINT / SIGTERM (core::ShutdownRequested); always waits for the calls in flight (each has a
// deadline). Stops the prober's launching when sending ends, but does not wait for it. Blocks.
LoadResult RunLoad(RunTargets& targets, const RunnerOptions& options);

}  // namespace candor::loadgen
