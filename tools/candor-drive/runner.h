#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "tools/candor-drive/feed.h"
#include "tools/candor-drive/mix.h"
#include "tools/candor-drive/operation.h"
#include "tools/candor-drive/prober.h"
#include "tools/candor-drive/report.h"
#include "tools/candor-drive/schedule.h"

namespace candor::drive {

struct RunnerOptions {
  RunShape shape;            // rate 0 = closed loop
  int64_t concurrency = 64;  // closed loop: calls kept in flight; open loop: the most in flight
  absl::Duration deadline = absl::Seconds(5);
  Nanos late_after = std::chrono::milliseconds(1);
  Nanos give_up_grace = std::chrono::seconds(1);
  // Every operation the workload may send: figures, timeline and progress are kept for these.
  Mix mix;
  bool progress = true;
};

// What the runner sends (port): call n's operation and input, and what to do with its answer.
// Called from the sending thread and gRPC's threads at once: implementations are thread-safe.
class Workload {
 public:
  virtual ~Workload() = default;
  // The operation and input of call `n` (scheduled calls 0, 1, ...; follow-ups the numbers
  // OnAnswer returned).
  virtual Op Make(uint64_t n, CallInput* input) = 0;
  // Call `n`'s answer. Returns the number of a follow-up call to send at once in the slot the
  // answer frees (outside the schedule, measured like its parent), or -1 for none.
  virtual int64_t OnAnswer(uint64_t n, const Answer& answer) = 0;
  // A few words for the progress line (e.g. answers by kind), or "".
  virtual std::string ProgressNote() { return ""; }
};

// The benchmarks' workload: call n's operation drawn from the mix by a hash of (seed, n);
// submissions from the feed, summary reads of its products, no-ops from a reused pool,
// recommendations for the feed's reco shoppers (each with their own token), similar items of its
// products.
class MixWorkload final : public Workload {
 public:
  // Everything must outlive the workload.
  // `importer_bearer` is the service-role token imports are sent with; `reco_count` the items a
  // recommend or similar call asks for.
  MixWorkload(const Mix& mix, uint64_t seed, SubmitFeed& feed,
              const std::vector<Request>& noop_pool, std::string reader_bearer,
              std::string importer_bearer, int32_t reco_count = 10)
      : mix_(mix),
        seed_(seed),
        feed_(feed),
        noop_pool_(noop_pool),
        reader_bearer_(std::move(reader_bearer)),
        importer_bearer_(std::move(importer_bearer)),
        reco_count_(reco_count) {}
  Op Make(uint64_t n, CallInput* input) override;
  int64_t OnAnswer(uint64_t, const Answer&) override { return -1; }

 private:
  Mix mix_;
  uint64_t seed_;
  SubmitFeed& feed_;
  const std::vector<Request>& noop_pool_;
  std::string reader_bearer_;
  std::string importer_bearer_;
  int32_t reco_count_;
};

// What the calls need. Everything must outlive RunLoad.
struct RunTargets {
  std::vector<Connection>* connections = nullptr;  // calls go round-robin over them
  const Operations* operations = nullptr;          // how each Op is sent
  Workload* workload = nullptr;                    // what is sent
  FreshnessProber* prober = nullptr;               // optional: started when the warm-up ends
};

struct LoadResult : LoadFigures {
  int64_t answered = 0;     // every call answered, warm-up included
  int64_t unreachable = 0;  // of those, UNAVAILABLE or DEADLINE_EXCEEDED
  double active_s = 0;      // from the start to the last answer
};

// The one rate controller of candor-drive, for the replay and the benchmarks alike. Runs the
// workload through the operations (gRPC callback API): an open loop (calls leave on the schedule,
// in a sending thread, bounded by `concurrency` in flight; a call that cannot leave on time is
// late, and its latency still counts from its due time) or a closed loop (`concurrency` chains,
// each sending its next call from the previous one's completion). Each call's operation and input
// come from the workload by its sequence number; a follow-up keeps its parent's slot. Every second,
// each operation's answers of that second are summed up into the timeline, and a progress line goes
// to stderr. Stops early on SIGINT / SIGTERM (core::ShutdownRequested); always waits for the calls
// in flight (each has a deadline). Stops the prober's launching when sending ends, but does not
// wait for it. Blocks.
LoadResult RunLoad(RunTargets& targets, const RunnerOptions& options);

}  // namespace candor::drive
