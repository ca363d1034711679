#pragma once

#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"

namespace candor::events {

// google.protobuf.Timestamp <-> absl::Time, shared by the codecs of this library.

// Writes `t` to `out`: seconds rounded down (also before 1970), so nanos count forward from a
// whole second and are always 0..999,999,999 as Timestamp requires. `t` must be finite.
void ToProtoTimestamp(absl::Time t, google::protobuf::Timestamp* out);

// The time `ts` names. InvalidArgument "<field>: ..." when nanos are outside 0..999,999,999 or
// the time is outside years 1..9999 (review::ValidateTime). Pure function.
absl::StatusOr<absl::Time> FromProtoTimestamp(std::string_view field,
                                              const google::protobuf::Timestamp& ts);

// The same for a field the message must carry: InvalidArgument "<field>: required" unless
// `present` (the message's has_<field>()), else FromProtoTimestamp(field, ts). Pure function.
absl::StatusOr<absl::Time> FromRequiredTimestamp(std::string_view field, bool present,
                                                 const google::protobuf::Timestamp& ts);

}  // namespace candor::events
