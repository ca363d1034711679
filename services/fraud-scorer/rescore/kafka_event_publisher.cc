#include "services/fraud-scorer/rescore/kafka_event_publisher.h"

#include <memory>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "libs/events/review_events.h"

namespace candor::fraud_scorer::rescore {
namespace {

// Written by delivery reports on the producer's thread; shared, so a report that arrives after a
// timeout still finds it alive.
struct Failures {
  std::mutex mu;
  int64_t count = 0;
  absl::Status first;
};

}  // namespace

absl::Status KafkaEventPublisher::Publish(const std::vector<review::ReviewEvent>& events) {
  auto failures = std::make_shared<Failures>();
  for (const review::ReviewEvent& e : events) {
    absl::Status s = producer_.Produce(topic_, e.asin, events::EncodeReviewEvent(e),
                                       [failures](absl::Status st) {
                                         if (st.ok()) return;
                                         std::lock_guard lock(failures->mu);
                                         if (failures->count++ == 0) failures->first = st;
                                       });
    if (!s.ok()) {
      // Wait for what is in flight, so the next run's re-sends do not race it.
      (void)producer_.Flush(timeout_);
      return absl::UnavailableError(absl::StrCat("publishing to ", topic_, ": ", s.message()));
    }
  }
  if (absl::Status s = producer_.Flush(timeout_); !s.ok()) {
    return absl::UnavailableError(absl::StrCat("publishing to ", topic_, ": ", events.size(),
                                               " events not all confirmed in time"));
  }
  std::lock_guard lock(failures->mu);
  if (failures->count > 0) {
    return absl::UnavailableError(absl::StrCat("publishing to ", topic_, ": ", failures->count,
                                               " of ", events.size(),
                                               " events failed: ", failures->first.message()));
  }
  return absl::OkStatus();
}

}  // namespace candor::fraud_scorer::rescore
