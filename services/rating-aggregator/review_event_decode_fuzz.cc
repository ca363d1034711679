// Fuzz target: DecodeEvent, the `review-events` payload decoder of rating-aggregator
// (fuzz/README.md). What it accepts names a review and a product the ledger can key on.
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/check.h"
#include "libs/review/validation.h"
#include "services/rating-aggregator/review_event_consumer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<candor::rating_aggregator::LedgerEvent> e =
      candor::rating_aggregator::DecodeEvent(bytes);
  if (!e.ok()) {
    FUZZ_CHECK(e.status().code() == absl::StatusCode::kInvalidArgument,
               "a payload that cannot be applied is InvalidArgument (poison)");
    return 0;
  }
  FUZZ_CHECK(e->review_id.size() == 32 &&
                 e->review_id.find_first_not_of("0123456789abcdef") == std::string::npos,
             "the review id is 32 lower-case hex characters");
  FUZZ_CHECK(candor::review::IsValidAsin(e->asin), "the asin is an ASIN");
  FUZZ_CHECK(e->kind == candor::rating_aggregator::LedgerEvent::Kind::kCount ||
                 e->kind == candor::rating_aggregator::LedgerEvent::Kind::kUncount,
             "the event counts or uncounts");
  return 0;
}
