#include "libs/rpc/status.h"

#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "libs/core/error.h"
#include "libs/core/log.h"

namespace candor::rpc {
namespace {

// Whether a code reports a fault on our side, whose raw message may carry internals.
bool IsServerFault(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kInternal:
    case absl::StatusCode::kUnknown:
    case absl::StatusCode::kDataLoss:
    case absl::StatusCode::kDeadlineExceeded:
    case absl::StatusCode::kUnimplemented:
      return true;
    default:
      return false;
  }
}

std::string_view GenericPhrase(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kUnavailable:
      return "service temporarily unavailable; safe to retry";
    case absl::StatusCode::kDeadlineExceeded:
      return "the request did not complete in time";
    case absl::StatusCode::kUnimplemented:
      return "not implemented";
    default:
      return "internal error";
  }
}

}  // namespace

std::string NewErrorId() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return absl::StrFormat("e-%012x", rng() & 0xFFFFFFFFFFFFULL);
}

grpc::Status ToGrpc(const absl::Status& s) {
  if (s.ok()) return grpc::Status::OK;
  const auto code = static_cast<grpc::StatusCode>(s.code());
  std::string message(s.message());
  if (IsServerFault(s.code())) {
    std::optional<std::string> detail = core::InternalDetail(s);
    std::string id = NewErrorId();
    spdlog::warn("error {}: {}: {}{}{}", id, absl::StatusCodeToString(s.code()), s.message(),
                 detail ? ": " : "", detail.value_or(""));
    message = absl::StrCat(detail ? message : std::string(GenericPhrase(s.code())), " (error id ",
                           id, ")");
  }
  std::optional<absl::Duration> retry = core::RetryDelay(s);
  if (!retry) return grpc::Status(code, message);
  google::rpc::RetryInfo info;
  int64_t ms = absl::ToInt64Milliseconds(*retry);
  info.mutable_retry_delay()->set_seconds(ms / 1000);
  info.mutable_retry_delay()->set_nanos(static_cast<int32_t>(ms % 1000) * 1'000'000);
  google::rpc::Status details;
  details.set_code(static_cast<int32_t>(code));
  details.set_message(message);
  details.add_details()->PackFrom(info);
  return grpc::Status(code, message, details.SerializeAsString());
}

}  // namespace candor::rpc
