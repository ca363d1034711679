#include "services/review-gateway/kafka_vote_log.h"

#include <memory>

#include "libs/events/helpful_votes.h"

namespace candor::gateway {

void KafkaVoteLog::Publish(const review::HelpfulVote& vote,
                           std::function<void(absl::Status)> done) {
  auto shared_done = std::make_shared<std::function<void(absl::Status)>>(std::move(done));
  absl::Status enqueued = producer_.Produce(topic_, vote.asin, events::EncodeHelpfulVote(vote),
                                            [shared_done](absl::Status st) { (*shared_done)(st); });
  if (!enqueued.ok()) (*shared_done)(absl::UnavailableError(enqueued.message()));
}

}  // namespace candor::gateway
