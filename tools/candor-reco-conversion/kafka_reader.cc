#include "tools/candor-reco-conversion/kafka_reader.h"

#include <iostream>
#include <random>

#include "absl/strings/str_cat.h"
#include "libs/events/reco_impressions.h"
#include "libs/events/review_events.h"
#include "libs/kafka/kafka.h"

namespace candor::reco_conversion {

absl::StatusOr<ReadCounts> ReadTopics(const ReadOptions& options, ConversionJoin* join) {
  const std::string group =
      absl::StrCat("candor-reco-conversion-", std::random_device{}() % 1000000000);
  absl::StatusOr<std::unique_ptr<kafka::Consumer>> consumer = kafka::Consumer::Create(
      {.brokers = options.brokers,
       .client_id = "candor-reco-conversion",
       .extra = {{"auto.offset.reset", "earliest"}, {"enable.auto.commit", "false"}}},
      group, {options.impressions_topic, options.events_topic});
  if (!consumer.ok()) return consumer.status();
  ReadCounts counts;
  const absl::Time start = absl::Now();
  absl::Time last_message = start;
  bool assigned = false;
  int64_t total = 0;
  while (true) {
    absl::StatusOr<std::vector<kafka::Message>> batch =
        (*consumer)->PollBatch(5000, absl::Milliseconds(200));
    if (!batch.ok()) return batch.status();
    for (const kafka::Message& m : *batch) {
      if (m.topic == options.impressions_topic) {
        absl::StatusOr<events::RecoImpression> i = events::DecodeRecoImpression(m.value);
        if (!i.ok()) {
          ++counts.unreadable;
          continue;
        }
        join->AddImpression(*i);
        ++counts.impressions;
      } else {
        absl::StatusOr<review::ReviewEvent> e = events::DecodeReviewEvent(m.value);
        if (!e.ok()) {
          ++counts.unreadable;
          continue;
        }
        join->AddReviewEvent(*e);
        ++counts.review_events;
      }
      if (++total % 100000 == 0) {
        std::cerr << "candor-reco-conversion: read " << total << " messages\n";
      }
    }
    if (!batch->empty()) {
      last_message = absl::Now();
      assigned = true;
      continue;
    }
    if (!assigned) {
      // The idle time counts from the assignment: joining the group takes seconds.
      assigned = !(*consumer)->Lag().empty();
      last_message = absl::Now();
      if (absl::Now() - start > options.assignment_timeout) {
        return absl::UnavailableError(absl::StrCat(
            "no partition of ", options.impressions_topic, " or ", options.events_topic,
            " was assigned within ", absl::FormatDuration(options.assignment_timeout)));
      }
      continue;
    }
    if (absl::Now() - last_message > options.idle) break;
  }
  (*consumer)->Close();
  return counts;
}

}  // namespace candor::reco_conversion
