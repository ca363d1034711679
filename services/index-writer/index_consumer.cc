#include "services/index-writer/index_consumer.h"

#include <string>
#include <utility>

#include "libs/events/review_events.h"
#include "libs/events/review_scores.h"
#include "libs/events/topics.h"

namespace candor::index_writer {

absl::Status IndexConsumer::Handle(const std::vector<kafka::Message>& batch,
                                   std::vector<kafka::Poison>* poison) {
  std::vector<std::string> review_ids;
  std::vector<review::ReviewScore> scores;
  for (size_t i = 0; i < batch.size(); ++i) {
    const kafka::Message& m = batch[i];
    if (m.topic == events::kReviewScoresTopic) {
      absl::StatusOr<review::ReviewScore> s = events::DecodeReviewScore(m.value);
      if (!s.ok()) {
        poison->push_back({i, std::string(s.status().message())});
        continue;
      }
      scores.push_back(*std::move(s));
    } else {
      absl::StatusOr<review::ReviewEvent> e = events::DecodeReviewEvent(m.value);
      if (!e.ok()) {
        poison->push_back({i, std::string(e.status().message())});
        continue;
      }
      review_ids.push_back(std::move(e->review_id));
    }
  }
  return indexer_.Apply(review_ids, scores);
}

}  // namespace candor::index_writer
