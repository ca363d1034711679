#pragma once

#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/message_lite.h"

namespace candor::events {

// Parses one topic payload into `msg`, the first step of every Decode* in this library.
// InvalidArgument "cannot decode <full message name>" when the bytes are not that message;
// unknown fields are kept, not an error.
inline absl::Status ParsePayload(std::string_view bytes, google::protobuf::MessageLite& msg) {
  if (msg.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("cannot decode ", msg.GetTypeName()));
}

// The frame of every Decode* in this library: parses `bytes` as a `Message` (ParsePayload), makes
// the domain value of it with `convert` (which may move the message's strings out and refuses,
// InvalidArgument naming the field, what has no domain value) and returns that value only if the
// topic's `validate` accepts it, so a decoder checks exactly what its Validate checks. The first
// refusal is returned as it is.
template <typename Message, typename T>
absl::StatusOr<T> DecodePayload(std::string_view bytes, absl::StatusOr<T> (*convert)(Message&),
                                absl::Status (*validate)(const T&)) {
  Message msg;
  if (absl::Status parsed = ParsePayload(bytes, msg); !parsed.ok()) return parsed;
  absl::StatusOr<T> value = convert(msg);
  if (!value.ok()) return value;
  if (absl::Status valid = validate(*value); !valid.ok()) return valid;
  return value;
}

}  // namespace candor::events
