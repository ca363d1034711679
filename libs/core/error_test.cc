#include "libs/core/error.h"

#include "gtest/gtest.h"

namespace candor::core {
namespace {

TEST(ErrorTest, RetryDelayRoundTripsAndIsNeverNegative) {
  absl::Status s = WithRetryDelay(absl::ResourceExhaustedError("limited"), absl::Seconds(42));
  ASSERT_TRUE(RetryDelay(s).has_value());
  EXPECT_EQ(*RetryDelay(s), absl::Seconds(42));
  EXPECT_EQ(s.message(), "limited");
  EXPECT_EQ(*RetryDelay(WithRetryDelay(absl::ResourceExhaustedError("x"), -absl::Seconds(1))),
            absl::ZeroDuration());
  EXPECT_FALSE(RetryDelay(absl::ResourceExhaustedError("plain")).has_value());
}

TEST(ErrorTest, InternalDetailStaysOutOfTheMessage) {
  absl::Status s = WithInternalDetail(absl::UnavailableError("store unavailable"),
                                      "redis 10.0.0.7:6379: Connection refused");
  EXPECT_EQ(s.message(), "store unavailable");
  ASSERT_TRUE(InternalDetail(s).has_value());
  EXPECT_EQ(*InternalDetail(s), "redis 10.0.0.7:6379: Connection refused");
  EXPECT_FALSE(InternalDetail(absl::UnavailableError("x")).has_value());
}

}  // namespace
}  // namespace candor::core
