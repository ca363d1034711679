#include "services/rating-aggregator/review_event_consumer.h"

#include "candor/review/v1/events.pb.h"
#include "libs/review/validation.h"

namespace candor::rating_aggregator {
namespace {

bool IsReviewId(std::string_view s) {
  if (s.size() != 32) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<LedgerEvent> DecodeEvent(std::string_view bytes) {
  candor::review::v1::ReviewEvent m;
  if (!m.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::InvalidArgumentError("cannot decode candor.review.v1.ReviewEvent");
  }
  LedgerEvent e;
  switch (m.event_case()) {
    case candor::review::v1::ReviewEvent::kAccepted:
    case candor::review::v1::ReviewEvent::kRestored:
      e.kind = LedgerEvent::Kind::kCount;
      break;
    case candor::review::v1::ReviewEvent::kRemoved:
      e.kind = LedgerEvent::Kind::kUncount;
      break;
    case candor::review::v1::ReviewEvent::EVENT_NOT_SET:
      // Also what an event type newer than this binary looks like (an unknown field): better
      // dead-lettered and replayed after an upgrade than silently skipped.
      return absl::InvalidArgumentError("event: none set (or unknown to this version)");
  }
  if (m.review_id().empty()) return absl::InvalidArgumentError("review_id: required");
  if (!IsReviewId(m.review_id())) {
    return absl::InvalidArgumentError("review_id: must be 32 lower-case hex characters");
  }
  if (m.asin().empty()) return absl::InvalidArgumentError("asin: required");
  if (!review::IsValidAsin(m.asin())) {
    return absl::InvalidArgumentError("asin: must be 10 characters of A-Z and 0-9");
  }
  e.review_id = m.review_id();
  e.asin = m.asin();
  return e;
}

absl::Status ReviewEventConsumer::Handle(const std::vector<kafka::Message>& batch,
                                         std::vector<kafka::Poison>* poison) {
  std::vector<LedgerEvent> events;
  events.reserve(batch.size());
  for (size_t i = 0; i < batch.size(); ++i) {
    absl::StatusOr<LedgerEvent> e = DecodeEvent(batch[i].value);
    if (!e.ok()) {
      poison->push_back({i, std::string(e.status().message())});
      continue;
    }
    events.push_back(*std::move(e));
  }
  return aggregator_.Apply(events);
}

}  // namespace candor::rating_aggregator
