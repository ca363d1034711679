#include "libs/events/timestamp.h"

#include "absl/strings/str_format.h"
#include "libs/review/validation.h"

namespace candor::events {

void ToProtoTimestamp(absl::Time t, google::protobuf::Timestamp* out) {
  // ToUnixSeconds rounds toward the past, so the remainder is never negative, before 1970 too.
  const int64_t seconds = absl::ToUnixSeconds(t);
  out->set_seconds(seconds);
  out->set_nanos(
      static_cast<int32_t>(absl::ToInt64Nanoseconds(t - absl::FromUnixSeconds(seconds))));
}

absl::StatusOr<absl::Time> FromProtoTimestamp(std::string_view field,
                                              const google::protobuf::Timestamp& ts) {
  // A Timestamp's nanos are 0..999,999,999 by its definition; anything else is not a time.
  if (ts.nanos() < 0 || ts.nanos() > 999999999) {
    return absl::InvalidArgumentError(absl::StrFormat("%s: nanos outside 0..999999999", field));
  }
  const absl::Time t = absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
  if (absl::Status s = review::ValidateTime(field, t); !s.ok()) return s;
  return t;
}

absl::StatusOr<absl::Time> FromRequiredTimestamp(std::string_view field, bool present,
                                                 const google::protobuf::Timestamp& ts) {
  if (!present) return absl::InvalidArgumentError(absl::StrFormat("%s: required", field));
  return FromProtoTimestamp(field, ts);
}

}  // namespace candor::events
