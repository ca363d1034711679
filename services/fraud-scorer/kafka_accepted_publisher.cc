#include "services/fraud-scorer/kafka_accepted_publisher.h"

#include <condition_variable>
#include <memory>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "libs/events/review_events.h"

namespace candor::fraud_scorer {
namespace {

// Delivery reports arrive on the producer's thread; the publisher waits here. Shared, so a late
// report after a timeout still finds it alive.
struct Outstanding {
  std::mutex mu;
  std::condition_variable cv;
  size_t left = 0;
  int64_t failed = 0;
  absl::Status first_error;
};

}  // namespace

review::ReviewEvent AcceptedEvent(const StoredReview& r) {
  review::ReviewEvent e;
  e.review_id = r.review_id;
  e.asin = r.asin;
  e.occurred_at = r.stored_at;
  e.change = review::ReviewAccepted{r.rating, r.verified_purchase, r.user_id};
  return e;
}

KafkaAcceptedPublisher::KafkaAcceptedPublisher(kafka::Producer& producer, std::string topic,
                                               absl::Duration timeout)
    : producer_(producer), topic_(std::move(topic)), timeout_(timeout) {}

absl::Status KafkaAcceptedPublisher::PublishAccepted(const std::vector<StoredReview>& reviews) {
  auto out = std::make_shared<Outstanding>();
  absl::Status enqueue_error;
  for (const StoredReview& r : reviews) {
    {
      std::lock_guard lock(out->mu);
      ++out->left;
    }
    absl::Status s = producer_.Produce(topic_, r.asin, events::EncodeReviewEvent(AcceptedEvent(r)),
                                       [out](absl::Status st) {
                                         std::lock_guard lock(out->mu);
                                         if (!st.ok()) {
                                           ++out->failed;
                                           if (out->first_error.ok()) out->first_error = st;
                                         }
                                         if (--out->left == 0) out->cv.notify_all();
                                       });
    if (!s.ok()) {
      std::lock_guard lock(out->mu);
      --out->left;  // no report will come for this one
      enqueue_error = s;
      break;  // the batch is retried anyway; wait for what is already in flight
    }
  }
  std::unique_lock lock(out->mu);
  if (!out->cv.wait_for(lock, absl::ToChronoMilliseconds(timeout_),
                        [&] { return out->left == 0; })) {
    return absl::UnavailableError(absl::StrCat("publishing Accepted: ", out->left, " of ",
                                               reviews.size(), " not confirmed in time"));
  }
  if (!enqueue_error.ok()) {
    return absl::UnavailableError(absl::StrCat("publishing Accepted: ", enqueue_error.message()));
  }
  if (!out->first_error.ok()) {
    return absl::UnavailableError(absl::StrCat("publishing Accepted: ", out->failed, " of ",
                                               reviews.size(),
                                               " failed: ", out->first_error.message()));
  }
  return absl::OkStatus();
}

}  // namespace candor::fraud_scorer
