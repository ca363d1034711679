#pragma once

#include <grpcpp/support/status.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace candor::rest {

// The HTTP status a gRPC code answers with over REST (google/rpc/code.proto's mapping, which
// grpc-gateway follows too): OK 200, INVALID_ARGUMENT / FAILED_PRECONDITION / OUT_OF_RANGE 400,
// UNAUTHENTICATED 401, PERMISSION_DENIED 403, NOT_FOUND 404, ALREADY_EXISTS / ABORTED 409,
// RESOURCE_EXHAUSTED 429, CANCELLED 499, UNKNOWN / INTERNAL / DATA_LOSS 500, UNIMPLEMENTED 501,
// UNAVAILABLE 503, DEADLINE_EXCEEDED 504. Pure.
int HttpStatusOf(grpc::StatusCode code);

// An error answer: the HTTP status, the JSON body {"code": <HTTP status>, "status": "<gRPC code
// name>", "message": "<the gRPC message, unchanged>"}, and for RESOURCE_EXHAUSTED the seconds a
// client should wait (Retry-After): the call's google.rpc.RetryInfo rounded up, or 1 without one.
struct HttpError {
  int status = 500;
  std::string body;
  std::optional<int64_t> retry_after_s;
};
HttpError ErrorOf(const grpc::Status& status);

// The same body for an error of the REST front's own (an unknown route, a bad body): `code` is
// the gRPC code that means the same (NOT_FOUND, INVALID_ARGUMENT, ...).
std::string ErrorBody(int http_status, grpc::StatusCode code, std::string_view message);

}  // namespace candor::rest
