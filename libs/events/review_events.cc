#include "libs/events/review_events.h"

#include "absl/strings/str_cat.h"
#include "candor/review/v1/events.pb.h"
#include "libs/events/payload.h"
#include "libs/events/timestamp.h"
#include "libs/review/validation.h"

namespace candor::events {
namespace {

namespace v1 = candor::review::v1;

template <typename... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <typename... F>
Overloaded(F...) -> Overloaded<F...>;

absl::Status ValidateReasonCode(std::string_view field, std::string_view reason_code) {
  return review::CheckText(field, reason_code, review::TextKind::kIdentifier);
}

absl::StatusOr<review::ReviewEvent> EventFromProto(v1::ReviewEvent& m) {
  review::ReviewEvent e;
  switch (m.event_case()) {
    case v1::ReviewEvent::kAccepted: {
      v1::ReviewAccepted* a = m.mutable_accepted();
      e.change = review::ReviewAccepted{a->rating(), a->verified_purchase(),
                                        std::move(*a->mutable_user_id())};
      break;
    }
    case v1::ReviewEvent::kRemoved:
      e.change = review::ReviewRemoved{std::move(*m.mutable_removed()->mutable_reason_code())};
      break;
    case v1::ReviewEvent::kRestored:
      e.change = review::ReviewRestored{std::move(*m.mutable_restored()->mutable_reason_code())};
      break;
    case v1::ReviewEvent::EVENT_NOT_SET:
      // An event type newer than this binary parses as an unknown field and leaves the oneof
      // empty: better dead-lettered and replayed after an upgrade than silently skipped.
      return absl::InvalidArgumentError("event: none set (or unknown to this version)");
  }
  e.review_id = std::move(*m.mutable_review_id());
  e.asin = std::move(*m.mutable_asin());
  if (m.has_occurred_at()) {
    absl::StatusOr<absl::Time> t = FromProtoTimestamp("occurred_at", m.occurred_at());
    if (!t.ok()) return t.status();
    e.occurred_at = *t;
  }
  return e;
}

}  // namespace

std::string EncodeReviewEvent(const review::ReviewEvent& e) {
  v1::ReviewEvent msg;
  msg.set_review_id(e.review_id);
  msg.set_asin(e.asin);
  if (e.occurred_at != absl::InfinitePast()) {
    ToProtoTimestamp(e.occurred_at, msg.mutable_occurred_at());
  }
  std::visit(Overloaded{
                 [&msg](const review::ReviewAccepted& a) {
                   v1::ReviewAccepted* out = msg.mutable_accepted();
                   out->set_rating(a.rating);
                   out->set_verified_purchase(a.verified_purchase);
                   out->set_user_id(a.user_id);
                 },
                 [&msg](const review::ReviewRemoved& r) {
                   msg.mutable_removed()->set_reason_code(r.reason_code);
                 },
                 [&msg](const review::ReviewRestored& r) {
                   msg.mutable_restored()->set_reason_code(r.reason_code);
                 },
             },
             e.change);
  return msg.SerializeAsString();
}

absl::StatusOr<review::ReviewEvent> DecodeReviewEvent(std::string_view bytes) {
  return DecodePayload(bytes, EventFromProto, ValidateReviewEvent);
}

absl::Status ValidateReviewEvent(const review::ReviewEvent& e) {
  if (absl::Status s = review::ValidateReviewIdFormat(e.review_id); !s.ok()) return s;
  if (absl::Status s = review::ValidateAsin(e.asin); !s.ok()) return s;
  if (e.occurred_at != absl::InfinitePast()) {
    if (absl::Status s = review::ValidateTime("occurred_at", e.occurred_at); !s.ok()) return s;
  }
  return std::visit(Overloaded{
                        [](const review::ReviewAccepted& a) -> absl::Status {
                          if (absl::Status s = review::ValidateRating("accepted.rating", a.rating);
                              !s.ok()) {
                            return s;
                          }
                          // May be empty: the ledger reads the author from the reviews row, not the
                          // event.
                          if (a.user_id.empty()) return absl::OkStatus();
                          absl::Status s = review::ValidateUserId(a.user_id);
                          if (s.ok()) return s;
                          return absl::InvalidArgumentError(absl::StrCat("accepted.", s.message()));
                        },
                        [](const review::ReviewRemoved& r) {
                          return ValidateReasonCode("removed.reason_code", r.reason_code);
                        },
                        [](const review::ReviewRestored& r) {
                          return ValidateReasonCode("restored.reason_code", r.reason_code);
                        },
                    },
                    e.change);
}

}  // namespace candor::events
