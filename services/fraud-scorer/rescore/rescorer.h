#pragma once

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "libs/core/clock.h"
#include "libs/reviewdb/review_rows.h"
#include "services/fraud-scorer/rescore/held_marks.h"
#include "services/fraud-scorer/rescore/rescore_ports.h"
#include "services/fraud-scorer/rescore/rescore_report.h"
#include "services/fraud-scorer/scorer.h"

namespace candor::fraud_scorer::rescore {

struct RescoreOptions {
  reviewdb::RescoreSelection selection{};
  bool apply = false;  // false: shadow (nothing written to Postgres or Kafka)
  int batch = 250;     // reviews per page, per scoring call and per transaction
  absl::Duration progress_interval = absl::Seconds(5);
};

// Re-scores the reviews of a selection with one model, batch by batch (README.md): reads a page,
// sets aside what is not to be re-scored (Classify), scores the rest in one ScoreBatch call and
// turns each decision into a RescoreDecision. In shadow mode it only counts them. In apply mode
// it enacts them in one transaction (RescoreStore::Apply), releases the enacted rejections'
// marks, then publishes the events that make the aggregates follow (EventFor; and MissingEvent
// for reviews this model decided before) and waits for Kafka to confirm them.
//
// `scorer` must score through `marks` (a ModelScorer on it). Borrows everything; `publisher` may
// be null in shadow mode. Not thread-safe.
class Rescorer {
 public:
  Rescorer(RescoreStore& store, Scorer& scorer, HeldMarks& marks, EventPublisher* publisher,
           const core::Clock& clock, std::string model_version, RescoreOptions options);

  // Runs the whole selection into `report`, calling `progress` with a ProgressLine every
  // progress_interval and after the last page. Stops at the first error, leaving what earlier
  // batches did: a store error; a batch of which the model could score no review (the feature
  // store or the model is down; nothing of that batch is written); events Kafka did not confirm
  // (their batch is committed, and the next run sends them: MissingEvent).
  absl::Status Run(Report& report, const std::function<void(const std::string&)>& progress);

 private:
  absl::Status Batch(const std::vector<reviewdb::RescoreCandidate>& candidates, Report& report);

  RescoreStore& store_;
  Scorer& scorer_;
  HeldMarks& marks_;
  EventPublisher* publisher_;
  const core::Clock& clock_;
  std::string version_;
  RescoreOptions options_;
};

}  // namespace candor::fraud_scorer::rescore
