#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "tools/candor-drive/traffic.h"

namespace candor::drive {

// The answer to one planned request. absl::StatusCode numbers equal gRPC's, so this stays free
// of gRPC types.
struct Outcome {
  bool answered = false;  // false: never sent (the run was interrupted)
  absl::StatusCode code = absl::StatusCode::kUnknown;
  std::string review_id;  // on OK
  std::string message;    // on an error
};

// Answers by kind. Every answered request is in exactly one of the named buckets.
struct OutcomeCounts {
  int64_t ok = 0;               // accepted
  int64_t duplicate = 0;        // ALREADY_EXISTS
  int64_t limited = 0;          // RESOURCE_EXHAUSTED
  int64_t invalid = 0;          // INVALID_ARGUMENT
  int64_t unauthenticated = 0;  // UNAUTHENTICATED
  int64_t unavailable = 0;      // UNAVAILABLE
  int64_t other = 0;            // any other code (DEADLINE_EXCEEDED, INTERNAL, ...)
  int64_t not_sent = 0;
  std::map<absl::StatusCode, int64_t> by_code;

  int64_t answered() const {
    return ok + duplicate + limited + invalid + unauthenticated + unavailable + other;
  }
  // Answers that mean the system, not the request, failed.
  int64_t failures() const { return unauthenticated + unavailable + other; }
};

// A named bucket of OutcomeCounts: the code it counts, its key in the JSON report and its row in
// the text report. Every other code counts as `other`.
struct OutcomeBucket {
  absl::StatusCode code;
  const char* key;
  const char* label;
  int64_t OutcomeCounts::*count;
};

// The named buckets, in the order the reports list them (ok first).
extern const std::array<OutcomeBucket, 6> kOutcomeBuckets;

// The bucket that counts `code`; nullptr for the codes that count as `other`.
const OutcomeBucket* BucketOf(absl::StatusCode code);

// The counts of `outcomes`.
OutcomeCounts Tally(const std::vector<Outcome>& outcomes);

// How the answers compare with what the plan expected.
struct ExpectationReport {
  int64_t checked = 0;  // requests with a prediction that could be judged
  int64_t mismatched = 0;
  int64_t inconclusive = 0;  // follow-ups whose first request was not accepted, and the like
  int64_t limit_groups_checked = 0;
  int64_t limit_groups_failed = 0;
  std::vector<std::string> examples;  // the first few mismatches, described
};

// Judges `outcomes` (indexed by request number, see Plan) against the plan's expectations and
// user limits. Pure; keeps at most `max_examples` descriptions.
ExpectationReport CheckExpectations(const Plan& plan, const std::vector<Outcome>& outcomes,
                                    size_t max_examples = 5);

// "ALREADY_EXISTS" etc., gRPC's spelling.
std::string CodeName(absl::StatusCode code);

}  // namespace candor::drive
