#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "libs/review/review_event.h"

namespace candor::skeleton {

// How many review events of each kind were counted.
struct TallyCounts {
  int64_t accepted = 0;
  int64_t removed = 0;
  int64_t restored = 0;
  bool operator==(const TallyCounts&) const = default;
};

// The skeleton's domain: counts review events by kind. Knows nothing of Kafka or gRPC (the
// consumer hands it decoded events, the gRPC service reads it). Counts what it is given, so an
// event delivered twice counts twice; a real read model applies events idempotently (see
// services/rating-aggregator). Thread-safe.
class EventTally {
 public:
  void Count(const review::ReviewEvent& event);
  TallyCounts Counts() const;
  // "accepted=3 removed=1 restored=0", for the consume loop's stats line.
  std::string Describe() const;

 private:
  std::atomic<int64_t> accepted_{0};
  std::atomic<int64_t> removed_{0};
  std::atomic<int64_t> restored_{0};
};

}  // namespace candor::skeleton
