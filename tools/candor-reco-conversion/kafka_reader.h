#pragma once

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "tools/candor-reco-conversion/conversion.h"

namespace candor::reco_conversion {

struct ReadOptions {
  std::string brokers;
  std::string impressions_topic;
  std::string events_topic;
  // Reading stops after this long without a message: the topics' ends. (Consumer::Lag() cannot
  // tell the end of a partition this group has no committed offset on, so the idle time can.)
  absl::Duration idle = absl::Seconds(10);
  // How long joining the group may take (Unavailable after it).
  absl::Duration assignment_timeout = absl::Seconds(30);
};

struct ReadCounts {
  int64_t impressions = 0;
  int64_t review_events = 0;
  int64_t unreadable =
      0;  // payloads that did not decode (counted, skipped: a report, not a consumer)
};

// Reads both topics from their beginning (a consumer group of its own, nothing committed) into
// `join`, printing progress to stderr every 100,000 messages. Unavailable when no broker answers.
absl::StatusOr<ReadCounts> ReadTopics(const ReadOptions& options, ConversionJoin* join);

}  // namespace candor::reco_conversion
