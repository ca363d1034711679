#pragma once

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace candor::rpc {

// Translates a domain status into what a gRPC client is told (the one place a service does this).
//  - Codes that describe the request (INVALID_ARGUMENT, NOT_FOUND, ALREADY_EXISTS,
//    PERMISSION_DENIED, UNAUTHENTICATED, RESOURCE_EXHAUSTED, FAILED_PRECONDITION, ABORTED,
//    OUT_OF_RANGE, CANCELLED) keep their message: domain code writes those for the client.
//  - Codes that describe a fault on our side (UNAVAILABLE, INTERNAL, UNKNOWN, DATA_LOSS,
//    DEADLINE_EXCEEDED, UNIMPLEMENTED) never show what may name hosts, ports or database text:
//    the full message and any core::InternalDetail go to the log with a fresh error id, and the
//    client gets the message only when the domain marked it client-safe (by attaching an
//    internal detail), else a fixed phrase for the code; either way followed by the error id.
//  - A core::RetryDelay becomes a google.rpc.RetryInfo in the status details
//    (grpc-status-details-bin), as Google's API design guide prescribes for retryable errors.
// Thread-safe.
grpc::Status ToGrpc(const absl::Status& s);

// A fresh id naming one logged error ("e-" and 12 hex digits), for clients to quote.
std::string NewErrorId();

}  // namespace candor::rpc
