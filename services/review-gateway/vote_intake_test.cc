#include "services/review-gateway/vote_intake.h"

#include <optional>

#include "gtest/gtest.h"
#include "libs/core/error.h"
#include "services/review-gateway/helpful_fakes_testing.h"

namespace candor::gateway {
namespace {

using review::ReviewStatus;
using review::Vote;

const std::string kReview = "0123456789abcdef0123456789abcdef";
const std::string kRemoved = "fedcba9876543210fedcba9876543210";
const std::string kUnknown = "00000000000000000000000000000000";

class FakeLimiter final : public VoteLimiter {
 public:
  void Admit(const std::string& user, absl::Time,
             std::function<void(absl::StatusOr<VoteAdmission>)> done) override {
    if (++counts[user] > limit_) {
      done(VoteAdmission{false, absl::Seconds(42)});
      return;
    }
    done(VoteAdmission{});
  }
  int64_t limit() const override { return limit_; }
  absl::Duration window() const override { return absl::Hours(1); }
  std::map<std::string, int64_t> counts;
  int64_t limit_ = 3;
};

class FakeLog final : public VoteLog {
 public:
  void Publish(const review::HelpfulVote& v, std::function<void(absl::Status)> done) override {
    if (down) {
      done(absl::UnavailableError("broker down"));
      return;
    }
    published.push_back(v);
    done(absl::OkStatus());
  }
  std::vector<review::HelpfulVote> published;
  bool down = false;
};

class VoteIntakeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    reads_.heads[kReview] = {kReview, "B000000001", "author", ReviewStatus::kActive};
    reads_.heads[kRemoved] = {kRemoved, "B000000001", "author", ReviewStatus::kRemoved};
  }
  absl::StatusOr<review::HelpfulVote> Vote(const std::string& user, const std::string& id,
                                           review::Vote v) {
    std::optional<absl::StatusOr<review::HelpfulVote>> got;
    intake_.Vote(user, id, v, [&](absl::StatusOr<review::HelpfulVote> r) { got = std::move(r); });
    EXPECT_TRUE(got.has_value()) << "answered inline with fakes";
    return got.value_or(absl::InternalError("no answer"));
  }

  FakeLimiter limiter_;
  testing::FakeReviewReads reads_;
  testing::InlineExecutor executor_;
  FakeLog log_;
  core::SystemClock clock_;
  VoteIntake intake_{limiter_, reads_, executor_, log_, clock_};
};

TEST_F(VoteIntakeTest, AVoteIsPublishedWithTheReviewsProductAfterTheLogConfirmed) {
  auto v = Vote("shopper", kReview, Vote::kHelpful);
  ASSERT_TRUE(v.ok()) << v.status();
  ASSERT_EQ(log_.published.size(), 1u);
  EXPECT_EQ(log_.published[0].asin, "B000000001");
  EXPECT_EQ(log_.published[0].user_id, "shopper");
  EXPECT_EQ(absl::ToUnixMicros(v->voted_at) * 1000, absl::ToUnixNanos(v->voted_at));
}

TEST_F(VoteIntakeTest, DuplicatesFlipsAndRetractionsArePublishedForTheLedgerToSettle) {
  // The same vote twice, a flip sent twice, a retraction: each OK; the ranker's ledger keeps one
  // vote per user per review (helpfulness-ranker's tests show none counts twice).
  EXPECT_TRUE(Vote("shopper", kReview, Vote::kHelpful).ok());
  EXPECT_TRUE(Vote("shopper", kReview, Vote::kHelpful).ok());
  EXPECT_TRUE(Vote("other", kReview, Vote::kNotHelpful).ok());
  EXPECT_EQ(log_.published.size(), 3u);
}

TEST_F(VoteIntakeTest, BadInputGetsTheRightCode) {
  EXPECT_EQ(Vote("shopper", "not-an-id", Vote::kHelpful).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Vote("shopper", kUnknown, Vote::kHelpful).status().code(), absl::StatusCode::kNotFound);
  auto removed = Vote("shopper", kRemoved, Vote::kHelpful);
  EXPECT_EQ(removed.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(removed.status().message(),
            "review fedcba9876543210fedcba9876543210: is removed, only active reviews take votes");
  EXPECT_EQ(Vote("author", kReview, Vote::kHelpful).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(log_.published.empty());
}

TEST_F(VoteIntakeTest, AFloodIsResourceExhaustedWithARetryDelay) {
  for (int i = 0; i < 2; ++i) ASSERT_TRUE(Vote("flood", kReview, Vote::kHelpful).ok());
  EXPECT_EQ(Vote("flood", kUnknown, Vote::kHelpful).status().code(), absl::StatusCode::kNotFound);
  auto limited = Vote("flood", kReview, Vote::kHelpful);
  EXPECT_EQ(limited.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(core::RetryDelay(limited.status()), absl::Seconds(42));
  EXPECT_EQ(log_.published.size(), 2u);
}

TEST_F(VoteIntakeTest, OutagesAreUnavailable) {
  log_.down = true;
  EXPECT_EQ(Vote("a", kReview, Vote::kHelpful).status().code(), absl::StatusCode::kUnavailable);
  reads_.down = true;
  EXPECT_EQ(Vote("b", kReview, Vote::kHelpful).status().code(), absl::StatusCode::kUnavailable);
  executor_.full = true;
  EXPECT_EQ(Vote("c", kReview, Vote::kHelpful).status().code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace candor::gateway
