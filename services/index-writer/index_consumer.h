#pragma once

#include <vector>

#include "libs/kafka/batch_loop.h"
#include "services/index-writer/indexer.h"

namespace candor::index_writer {

// The consume loop's handler: one batch of review-events and review-scores (one loop, so the
// two topics are applied by one thread in one Indexer::Apply and one index commit). A message
// from the scores topic (events::kReviewScoresTopic) is decoded as a ReviewScore, any other as a
// ReviewEvent; what does not decode is poison (dead-lettered with the decoder's reason). Not
// thread-safe (RunBatchLoop calls it from its one thread); borrows `indexer`.
class IndexConsumer final : public kafka::BatchHandler {
 public:
  explicit IndexConsumer(Indexer& indexer) : indexer_(indexer) {}

  absl::Status Handle(const std::vector<kafka::Message>& batch,
                      std::vector<kafka::Poison>* poison) override;

 private:
  Indexer& indexer_;
};

}  // namespace candor::index_writer
