#include "services/fraud-scorer/submission_consumer.h"

#include "libs/events/review_submitted.h"

namespace candor::fraud_scorer {

absl::Status SubmissionConsumer::Handle(const std::vector<kafka::Message>& batch,
                                        std::vector<kafka::Poison>* poison) {
  std::vector<review::Submission> good;
  good.reserve(batch.size());
  for (size_t i = 0; i < batch.size(); ++i) {
    absl::StatusOr<review::Submission> s = events::DecodeReviewSubmitted(batch[i].value);
    if (!s.ok()) {
      poison->push_back({i, std::string(s.status().message())});
      continue;
    }
    good.push_back(*std::move(s));
  }
  return intake_.Process(good);
}

}  // namespace candor::fraud_scorer
