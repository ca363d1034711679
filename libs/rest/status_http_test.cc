#include "libs/rest/status_http.h"

#include <google/rpc/error_details.pb.h>
#include <google/rpc/status.pb.h>

#include <nlohmann/json.hpp>

#include "gtest/gtest.h"

namespace candor::rest {
namespace {

TEST(StatusHttpTest, CodesMapToHttpStatuses) {
  using C = grpc::StatusCode;
  EXPECT_EQ(HttpStatusOf(C::OK), 200);
  EXPECT_EQ(HttpStatusOf(C::INVALID_ARGUMENT), 400);
  EXPECT_EQ(HttpStatusOf(C::FAILED_PRECONDITION), 400);
  EXPECT_EQ(HttpStatusOf(C::OUT_OF_RANGE), 400);
  EXPECT_EQ(HttpStatusOf(C::UNAUTHENTICATED), 401);
  EXPECT_EQ(HttpStatusOf(C::PERMISSION_DENIED), 403);
  EXPECT_EQ(HttpStatusOf(C::NOT_FOUND), 404);
  EXPECT_EQ(HttpStatusOf(C::ALREADY_EXISTS), 409);
  EXPECT_EQ(HttpStatusOf(C::ABORTED), 409);
  EXPECT_EQ(HttpStatusOf(C::RESOURCE_EXHAUSTED), 429);
  EXPECT_EQ(HttpStatusOf(C::CANCELLED), 499);
  EXPECT_EQ(HttpStatusOf(C::INTERNAL), 500);
  EXPECT_EQ(HttpStatusOf(C::UNKNOWN), 500);
  EXPECT_EQ(HttpStatusOf(C::DATA_LOSS), 500);
  EXPECT_EQ(HttpStatusOf(C::UNIMPLEMENTED), 501);
  EXPECT_EQ(HttpStatusOf(C::UNAVAILABLE), 503);
  EXPECT_EQ(HttpStatusOf(C::DEADLINE_EXCEEDED), 504);
}

TEST(StatusHttpTest, ErrorBodyCarriesTheMessage) {
  HttpError e = ErrorOf(grpc::Status(grpc::StatusCode::ALREADY_EXISTS, "duplicate \"review\""));
  EXPECT_EQ(e.status, 409);
  EXPECT_FALSE(e.retry_after_s.has_value());
  nlohmann::json body = nlohmann::json::parse(e.body);
  EXPECT_EQ(body["code"], 409);
  EXPECT_EQ(body["status"], "ALREADY_EXISTS");
  EXPECT_EQ(body["message"], "duplicate \"review\"");
}

TEST(StatusHttpTest, RetryAfterFromRetryInfoRoundedUp) {
  google::rpc::Status details;
  details.set_code(8);
  google::rpc::RetryInfo retry;
  retry.mutable_retry_delay()->set_seconds(41);
  retry.mutable_retry_delay()->set_nanos(1);
  details.add_details()->PackFrom(retry);
  HttpError e = ErrorOf(
      grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, "slow down", details.SerializeAsString()));
  EXPECT_EQ(e.status, 429);
  EXPECT_EQ(e.retry_after_s, 42);
  // Without a hint: one second.
  EXPECT_EQ(ErrorOf(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, "x")).retry_after_s, 1);
}

}  // namespace
}  // namespace candor::rest
