#include "libs/rest/status_http.h"

#include <google/rpc/error_details.pb.h>
#include <google/rpc/status.pb.h>

#include <nlohmann/json.hpp>

#include "absl/status/status.h"

namespace candor::rest {

int HttpStatusOf(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return 200;
    case grpc::StatusCode::CANCELLED:
      return 499;  // the client went away (nginx's "client closed request")
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::OUT_OF_RANGE:
    // Not 412: that status means an HTTP precondition header (If-Match) failed, and no route
    // takes one; the message says which state of the resource the call needs.
    case grpc::StatusCode::FAILED_PRECONDITION:
      return 400;
    case grpc::StatusCode::UNAUTHENTICATED:
      return 401;
    case grpc::StatusCode::PERMISSION_DENIED:
      return 403;
    case grpc::StatusCode::NOT_FOUND:
      return 404;
    case grpc::StatusCode::ALREADY_EXISTS:
    case grpc::StatusCode::ABORTED:
      return 409;
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return 429;
    case grpc::StatusCode::UNIMPLEMENTED:
      return 501;
    case grpc::StatusCode::UNAVAILABLE:
      return 503;
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return 504;
    default:  // UNKNOWN, INTERNAL, DATA_LOSS
      return 500;
  }
}

std::string ErrorBody(int http_status, grpc::StatusCode code, std::string_view message) {
  nlohmann::json body = {{"code", http_status},
                         {"status", absl::StatusCodeToString(static_cast<absl::StatusCode>(code))},
                         {"message", std::string(message)}};
  // A message is UTF-8 from our services; anything else is replaced rather than failing.
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

HttpError ErrorOf(const grpc::Status& status) {
  HttpError e;
  e.status = HttpStatusOf(status.error_code());
  e.body = ErrorBody(e.status, status.error_code(), status.error_message());
  if (status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) {
    int64_t seconds = 1;
    google::rpc::Status details;
    if (!status.error_details().empty() && details.ParseFromString(status.error_details())) {
      for (const google::protobuf::Any& any : details.details()) {
        google::rpc::RetryInfo retry;
        if (any.UnpackTo(&retry)) {
          const int64_t s = retry.retry_delay().seconds() + (retry.retry_delay().nanos() > 0);
          seconds = std::max<int64_t>(s, 1);
          break;
        }
      }
    }
    e.retry_after_s = seconds;
  }
  return e;
}

}  // namespace candor::rest
