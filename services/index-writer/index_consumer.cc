#include "services/index-writer/index_consumer.h"

#include <optional>
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
      std::optional<review::ReviewScore> s =
          kafka::DecodeOrPoison<review::ReviewScore>(events::DecodeReviewScore, m.value, i, poison);
      if (s.has_value()) scores.push_back(*std::move(s));
    } else {
      std::optional<review::ReviewEvent> e =
          kafka::DecodeOrPoison<review::ReviewEvent>(events::DecodeReviewEvent, m.value, i, poison);
      if (e.has_value()) review_ids.push_back(std::move(e->review_id));
    }
  }
  return indexer_.Apply(review_ids, scores);
}

}  // namespace candor::index_writer
