#pragma once

#include <string_view>

#include "absl/status/status.h"
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

}  // namespace candor::events
