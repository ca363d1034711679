#include "libs/rpc/status.h"

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"
#include "libs/core/error.h"

namespace candor::rpc {
namespace {

TEST(ToGrpcTest, RequestErrorsKeepCodeAndMessage) {
  grpc::Status s = ToGrpc(absl::InvalidArgumentError("body: required"));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(), "body: required");
  EXPECT_TRUE(s.error_details().empty());
  EXPECT_TRUE(ToGrpc(absl::OkStatus()).ok());
}

TEST(ToGrpcTest, ServerFaultsNeverShowTheirRawMessage) {
  grpc::Status s = ToGrpc(absl::UnavailableError("redis 10.1.2.3:6379: Connection refused"));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(s.error_message().find("10.1.2.3"), std::string::npos) << s.error_message();
  EXPECT_EQ(s.error_message().find("6379"), std::string::npos) << s.error_message();
  EXPECT_NE(s.error_message().find("error id e-"), std::string::npos) << s.error_message();

  grpc::Status pg = ToGrpc(absl::InternalError(
      "ERROR:  duplicate key value violates unique constraint \"reviews_pkey\""));
  EXPECT_EQ(pg.error_code(), grpc::StatusCode::INTERNAL);
  EXPECT_EQ(pg.error_message().find("reviews_pkey"), std::string::npos) << pg.error_message();
}

TEST(ToGrpcTest, ClientSafeMessageWithDetailIsShownWithoutTheDetail) {
  grpc::Status s = ToGrpc(core::WithInternalDetail(
      absl::UnavailableError("dedup store unavailable; safe to retry"), "redis db1:6379: timeout"));
  EXPECT_EQ(s.error_message().rfind("dedup store unavailable; safe to retry (error id e-", 0), 0u)
      << s.error_message();
  EXPECT_EQ(s.error_message().find("db1"), std::string::npos);
}

TEST(ToGrpcTest, RetryDelayBecomesRetryInfoDetail) {
  grpc::Status s = ToGrpc(core::WithRetryDelay(
      absl::ResourceExhaustedError("rate limited: at most 10 reviews per 24 h; retry after 61 s"),
      absl::Milliseconds(60500)));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  ASSERT_FALSE(s.error_details().empty());
  google::rpc::Status details;
  ASSERT_TRUE(details.ParseFromString(s.error_details()));
  EXPECT_EQ(details.code(), static_cast<int>(grpc::StatusCode::RESOURCE_EXHAUSTED));
  EXPECT_EQ(details.message(), s.error_message());
  ASSERT_EQ(details.details_size(), 1);
  google::rpc::RetryInfo info;
  ASSERT_TRUE(details.details(0).UnpackTo(&info));
  EXPECT_EQ(info.retry_delay().seconds(), 60);
  EXPECT_EQ(info.retry_delay().nanos(), 500'000'000);
}

TEST(ToGrpcTest, ErrorIdsDiffer) { EXPECT_NE(NewErrorId(), NewErrorId()); }

}  // namespace
}  // namespace candor::rpc
