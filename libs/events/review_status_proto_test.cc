#include "libs/events/review_status_proto.h"

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace candor::events {
namespace {

namespace v1 = candor::review::v1;
using review::kEveryStatus;
using review::ReviewStatus;
using ::testing::StartsWith;

TEST(ReviewStatusProtoTest, EveryDomainValueRoundTripsUnderItsOwnName) {
  for (ReviewStatus s : kEveryStatus) {
    const v1::ReviewStatus p = ReviewStatusToProto(s);
    // One vocabulary: the API name is REVIEW_STATUS_ + the domain's name, upper-cased.
    EXPECT_EQ(
        v1::ReviewStatus_Name(p),
        absl::StrCat("REVIEW_STATUS_", absl::AsciiStrToUpper(std::string(review::StatusName(s)))));
    absl::StatusOr<ReviewStatus> back = ReviewStatusFromProto(p);
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(*back, s);
  }
}

TEST(ReviewStatusProtoTest, EveryProtoValueIsMappedOrRefused) {
  const google::protobuf::EnumDescriptor* d = v1::ReviewStatus_descriptor();
  // Every API value but UNSPECIFIED has a domain value: none was added on one side only.
  EXPECT_EQ(d->value_count(), static_cast<int>(std::size(kEveryStatus)) + 1);
  for (int i = 0; i < d->value_count(); ++i) {
    const auto p = static_cast<v1::ReviewStatus>(d->value(i)->number());
    absl::StatusOr<ReviewStatus> s = ReviewStatusFromProto(p);
    if (p == v1::REVIEW_STATUS_UNSPECIFIED) {
      EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
      EXPECT_THAT(std::string(s.status().message()), StartsWith("status:"));
      continue;
    }
    ASSERT_TRUE(s.ok()) << d->value(i)->name() << ": " << s.status();
    EXPECT_EQ(ReviewStatusToProto(*s), p);
  }
}

TEST(ReviewStatusProtoTest, NumbersAreTheWireFormat) {
  // Renaming kept every number: old clients read the same values.
  EXPECT_EQ(v1::REVIEW_STATUS_AWAITING_SCORING, 1);
  EXPECT_EQ(v1::REVIEW_STATUS_ACTIVE, 2);
  EXPECT_EQ(v1::REVIEW_STATUS_HELD, 3);
  EXPECT_EQ(v1::REVIEW_STATUS_REJECTED, 4);
  EXPECT_EQ(v1::REVIEW_STATUS_REMOVED, 5);
}

TEST(ReviewStatusProtoTest, UnknownNumberIsRefused) {
  absl::StatusOr<ReviewStatus> s = ReviewStatusFromProto(static_cast<v1::ReviewStatus>(42));
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.status().message()), StartsWith("status: unknown value 42"));
}

}  // namespace
}  // namespace candor::events
