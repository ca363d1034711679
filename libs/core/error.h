#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace candor::core {

// Error values carry two things beside their code and message, as absl::Status payloads, so
// domain code can say them without knowing the transport that answers the client:
//  - a retry hint (RESOURCE_EXHAUSTED "retry after"), which the gRPC layer turns into a
//    google.rpc.RetryInfo detail;
//  - an internal detail (host names, ports, database text) that the operator's log needs and a
//    client must never see: the message stays client-safe, the detail is logged with an id.

// Returns `s` with a retry hint of `delay` (rounded to milliseconds, never negative).
absl::Status WithRetryDelay(absl::Status s, absl::Duration delay);
// The retry hint of `s`, if it has one.
std::optional<absl::Duration> RetryDelay(const absl::Status& s);

// Returns `public_status` (whose message is written for clients) carrying `detail` for the log.
absl::Status WithInternalDetail(absl::Status public_status, std::string_view detail);
// The internal detail of `s`, if it has one.
std::optional<std::string> InternalDetail(const absl::Status& s);

}  // namespace candor::core
