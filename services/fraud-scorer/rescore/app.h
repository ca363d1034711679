#pragma once

#include <ostream>

#include "absl/status/status.h"
#include "libs/fraud/cidr_list.h"
#include "libs/fraud/model.h"
#include "services/fraud-scorer/rescore/config.h"
#include "services/fraud-scorer/rescore/rescore_report.h"

namespace candor::fraud_scorer::rescore {

// The composition root of candor-fraud-rescore, used by main and by the integration test alike:
// connects Postgres and Redis (and, with --apply, checks a Kafka broker answers and makes a
// producer), all before anything is read, so an unreachable store fails at once (Unavailable).
// Then scores through a ModelScorer on the Redis feature store (the service's keys) with `model`
// and `datacenters` (main loads them from --model and --datacenter-cidrs; a test may hand in a
// model of its own), runs the Rescorer into `report`, sends the rejection marks still queued, and
// writes the report's summary to `out` (also after a failure: what was done until then).
// `progress` gets the progress lines. `config` must pass ValidateConfig. Returns the run's error,
// if any.
absl::Status RunRescore(const Config& config, fraud::FraudModel& model,
                        const fraud::CidrList& datacenters, Report& report, std::ostream& out,
                        std::ostream& progress);

}  // namespace candor::fraud_scorer::rescore
