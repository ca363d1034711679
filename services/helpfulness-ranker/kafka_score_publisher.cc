#include "services/helpfulness-ranker/kafka_score_publisher.h"

#include <condition_variable>
#include <memory>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "libs/events/review_scores.h"

namespace candor::helpfulness_ranker {
namespace {

// The delivery reports of one Publish call.
struct Reports {
  std::mutex mu;
  std::condition_variable cv;
  size_t pending = 0;
  absl::Status first_error;
};

}  // namespace

absl::Status KafkaScorePublisher::Publish(const std::vector<review::ReviewScore>& scores) {
  if (scores.empty()) return absl::OkStatus();
  // Shared with the delivery callbacks, which may outlive this call only if it returned early.
  auto reports = std::make_shared<Reports>();
  for (const review::ReviewScore& s : scores) {
    {
      std::lock_guard<std::mutex> lock(reports->mu);
      ++reports->pending;
    }
    absl::Status enqueued =
        producer_.Produce(topic_, s.asin, events::EncodeReviewScore(s), [reports](absl::Status st) {
          std::lock_guard<std::mutex> lock(reports->mu);
          if (!st.ok() && reports->first_error.ok()) reports->first_error = st;
          if (--reports->pending == 0) reports->cv.notify_all();
        });
    if (!enqueued.ok()) {
      std::lock_guard<std::mutex> lock(reports->mu);
      --reports->pending;
      if (reports->first_error.ok()) reports->first_error = enqueued;
      break;
    }
  }
  std::unique_lock<std::mutex> lock(reports->mu);
  // Every enqueued message gets exactly one report within the producer's delivery timeout.
  reports->cv.wait(lock, [&] { return reports->pending == 0; });
  if (!reports->first_error.ok()) {
    return absl::UnavailableError(
        absl::StrCat("review-scores not delivered: ", reports->first_error.message()));
  }
  return absl::OkStatus();
}

}  // namespace candor::helpfulness_ranker
