// candor-reco-conversion: which recommendation variant converts better? Joins reco-api's
// impressions (reco-impressions) with the reviews written later (review-events) and reports, per
// experiment arm, the share of exposed users who reviewed a product they were shown, with 95 %
// intervals. See README.md.

#include <iostream>
#include <string>

#include "absl/strings/str_format.h"
#include "libs/core/flags.h"
#include "libs/events/topics.h"
#include "tools/candor-reco-conversion/conversion.h"
#include "tools/candor-reco-conversion/kafka_reader.h"

int main(int argc, char** argv) {
  namespace rc = candor::reco_conversion;
  std::string brokers = "127.0.0.1:9093";
  std::string impressions_topic = candor::events::kRecoImpressionsTopic;
  std::string events_topic = candor::events::kReviewEventsTopic;
  int64_t window_h = 168;
  int64_t idle_s = 10;
  candor::core::Flags flags(
      "candor-reco-conversion",
      "Joins reco-impressions with later review-events and prints, per experiment and variant, "
      "the users exposed, the users who reviewed a product they were shown within --window-h "
      "hours of the impression (converted), the rate with its Wilson 95 % interval, and the "
      "difference from the experiment's first variant with its 95 % interval. Reads both topics "
      "from the beginning with a consumer group of its own; commits nothing.");
  flags.AddString("kafka-brokers", "CANDOR_KAFKA_BROKERS", &brokers, "Kafka bootstrap servers");
  flags.AddString("impressions-topic", "", &impressions_topic, "topic of RecoImpression messages");
  flags.AddString("events-topic", "", &events_topic, "topic of ReviewEvent messages");
  flags.AddInt("window-h", "", &window_h, "hours after an impression in which a review counts", 1,
               24 * 365);
  flags.AddInt("idle-s", "", &idle_s, "stop reading after this many seconds without a message", 1,
               3600);
  if (absl::Status s = flags.Parse(argc, argv); !s.ok()) {
    std::cerr << "candor-reco-conversion: " << s.message() << "\n" << flags.Usage();
    return 2;
  }
  if (flags.help_requested()) {
    std::cout << flags.Usage();
    return 0;
  }
  rc::ConversionJoin join;
  absl::StatusOr<rc::ReadCounts> counts = rc::ReadTopics({.brokers = brokers,
                                                          .impressions_topic = impressions_topic,
                                                          .events_topic = events_topic,
                                                          .idle = absl::Seconds(idle_s)},
                                                         &join);
  if (!counts.ok()) {
    std::cerr << "candor-reco-conversion: " << counts.status().message() << "\n";
    return 1;
  }
  std::cerr << absl::StrFormat(
      "candor-reco-conversion: %d impressions, %d review events read, %d unreadable skipped\n",
      counts->impressions, counts->review_events, counts->unreadable);
  const std::vector<rc::VariantResult> results = join.Compute(absl::Hours(window_h));
  if (results.empty()) {
    std::cout << "no impressions on " << impressions_topic << "\n";
    return 0;
  }
  std::cout << absl::StrFormat("%-20s %-14s %8s %10s %9s %11s %8s %-17s %s\n", "experiment",
                               "variant", "users", "impress.", "converted", "conversions", "rate",
                               "95% interval", "vs first variant");
  for (const rc::VariantResult& r : results) {
    std::string versus = "(baseline)";
    if (!r.baseline.empty()) {
      versus = absl::StrFormat("%+.4f [%+.4f, %+.4f] vs %s", r.diff, r.diff_low, r.diff_high,
                               r.baseline);
    }
    std::cout << absl::StrFormat("%-20s %-14s %8d %10d %9d %11d %8.4f [%.4f, %.4f] %s\n",
                                 r.experiment, r.variant, r.users, r.impressions, r.converted_users,
                                 r.conversions, r.rate, r.ci_low, r.ci_high, versus);
  }
  return 0;
}
