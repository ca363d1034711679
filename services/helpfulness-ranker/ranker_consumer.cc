#include "services/helpfulness-ranker/ranker_consumer.h"

#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "libs/events/helpful_votes.h"
#include "libs/events/review_events.h"
#include "libs/events/topics.h"

namespace candor::helpfulness_ranker {

absl::Status RankerConsumer::Handle(const std::vector<kafka::Message>& batch,
                                    std::vector<kafka::Poison>* poison) {
  std::vector<review::HelpfulVote> votes;
  std::vector<std::string> rank_ids;
  for (size_t i = 0; i < batch.size(); ++i) {
    const kafka::Message& m = batch[i];
    if (m.topic == events::kHelpfulVotesTopic) {
      std::optional<review::HelpfulVote> v =
          kafka::DecodeOrPoison<review::HelpfulVote>(events::DecodeHelpfulVote, m.value, i, poison);
      if (v.has_value()) votes.push_back(*std::move(v));
    } else if (m.topic == events::kReviewEventsTopic) {
      std::optional<review::ReviewEvent> e =
          kafka::DecodeOrPoison<review::ReviewEvent>(events::DecodeReviewEvent, m.value, i, poison);
      if (e.has_value()) rank_ids.push_back(std::move(e->review_id));
    } else {
      poison->push_back({i, absl::StrCat("topic ", m.topic, ": not one the ranker consumes")});
    }
  }
  return ranker_.Apply(votes, rank_ids);
}

}  // namespace candor::helpfulness_ranker
