#pragma once

#include <vector>

#include "libs/kafka/batch_loop.h"
#include "services/helpfulness-ranker/ranker.h"

namespace candor::helpfulness_ranker {

// The kafka::BatchHandler of helpfulness-ranker's one loop, on `helpful-votes` and
// `review-events` together: decodes each message with its topic's libs/events codec
// (DecodeHelpfulVote, DecodeReviewEvent), lists what it refuses as poison (the field it names;
// a message from any other topic too), and hands the votes and the reviews of the review events
// (every kind: the ledger reads the status, so accepted and restored reviews enter the ranking
// and removed ones leave it) to Ranker::Apply as one batch. Returns the Ranker's status
// unchanged (all transient: retried). Borrows `ranker`. One thread at a time.
class RankerConsumer final : public kafka::BatchHandler {
 public:
  explicit RankerConsumer(Ranker& ranker) : ranker_(ranker) {}
  absl::Status Handle(const std::vector<kafka::Message>& batch,
                      std::vector<kafka::Poison>* poison) override;

 private:
  Ranker& ranker_;
};

}  // namespace candor::helpfulness_ranker
