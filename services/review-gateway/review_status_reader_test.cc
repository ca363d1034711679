#include "services/review-gateway/review_status_reader.h"

#include <map>
#include <optional>
#include <set>

#include "gtest/gtest.h"
#include "libs/core/error.h"
#include "services/review-gateway/executor_testing.h"

namespace candor::gateway {
namespace {

using review::ReviewStatus;

const std::string kMine = "0123456789abcdef0123456789abcdef";
const std::string kTheirs = "fedcba9876543210fedcba9876543210";
const std::string kUnknown = "00000000000000000000000000000000";
const std::string kPending = "11111111111111111111111111111111";

class FakeDecisions final : public ReviewDecisions {
 public:
  absl::StatusOr<std::optional<reviewdb::ReviewDecision>> Get(
      const std::string& review_id) override {
    ++reads;
    if (down) return absl::UnavailableError("postgres 10.1.2.3:5432: connection refused");
    auto it = rows.find(review_id);
    if (it == rows.end()) return std::nullopt;
    return it->second;
  }
  std::map<std::string, reviewdb::ReviewDecision> rows;
  bool down = false;
  int reads = 0;
};

// Only WasConfirmed is used by the reader.
class FakeGuard final : public SubmissionGuard {
 public:
  void Admit(const review::Submission&, absl::Time, AdmitCallback done) override {
    done(GuardVerdict{});
  }
  void Confirm(const review::Submission&, absl::Time, DoneCallback done) override {
    done(absl::OkStatus());
  }
  void Release(const review::Submission&, DoneCallback done) override { done(absl::OkStatus()); }
  void WasConfirmed(const std::string& user_id, const std::string& review_id, absl::Time,
                    std::function<void(absl::StatusOr<bool>)> done) override {
    ++asked;
    if (down) {
      done(absl::UnavailableError("redis down"));
      return;
    }
    done(confirmed.count(user_id + "/" + review_id) > 0);
  }
  const GuardPolicy& policy() const override { return policy_; }
  std::set<std::string> confirmed;  // "user/review"
  bool down = false;
  int asked = 0;

 private:
  GuardPolicy policy_;
};

class ReviewStatusReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    reviewdb::ReviewDecision mine;
    mine.review_id = kMine;
    mine.user_id = "alice";
    mine.status = ReviewStatus::kHeld;
    mine.decision = "queue";
    mine.decided_at = absl::FromUnixSeconds(1700000000);
    mine.reasons = {{"burst_24h", 6, 0.35, "6 submissions by this user in 24 h"},
                    {"shouting", 0.9, 0.2, "9 of 10 letters upper case"}};
    decisions_.rows[kMine] = mine;
    reviewdb::ReviewDecision theirs = mine;
    theirs.review_id = kTheirs;
    theirs.user_id = "bob";
    decisions_.rows[kTheirs] = theirs;
    guard_.confirmed.insert("alice/" + kPending);
  }

  absl::StatusOr<ReviewStatusView> Read(const std::string& user, const std::string& id) {
    std::optional<absl::StatusOr<ReviewStatusView>> got;
    reader_.Read(user, id, [&](absl::StatusOr<ReviewStatusView> v) {
      EXPECT_FALSE(got.has_value()) << "answered twice";
      got = std::move(v);
    });
    EXPECT_TRUE(got.has_value()) << "never answered";
    return got.value_or(absl::InternalError("never answered"));
  }

  FakeDecisions decisions_;
  FakeGuard guard_;
  testing::InlineExecutor executor_;
  core::ManualClock clock_{absl::FromUnixSeconds(1700000100)};
  ReviewStatusReader reader_{decisions_, guard_, executor_, clock_};
};

TEST_F(ReviewStatusReaderTest, TheAuthorSeesStatusTimeAndReasons) {
  auto v = Read("alice", kMine);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->review_id, kMine);
  EXPECT_EQ(v->status, ReviewStatus::kHeld);
  EXPECT_EQ(v->decided_at, absl::FromUnixSeconds(1700000000));
  EXPECT_EQ(v->reasons, decisions_.rows[kMine].reasons);
  EXPECT_EQ(guard_.asked, 0);  // a stored review of the caller's needs no guard
}

TEST_F(ReviewStatusReaderTest, OthersAndUnknownIdsGetTheSameNotFoundAfterTheSameSteps) {
  auto theirs = Read("alice", kTheirs);
  auto unknown = Read("alice", kUnknown);
  EXPECT_EQ(theirs.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(theirs.status().message(), absl::StrCat("review ", kTheirs, ": not found"));
  EXPECT_EQ(unknown.status().message(), absl::StrCat("review ", kUnknown, ": not found"));
  // Both read the store and asked the guard: no shortcut tells them apart.
  EXPECT_EQ(decisions_.reads, 2);
  EXPECT_EQ(guard_.asked, 2);
  // Even if the guard had the id for the caller (it cannot: ids derive from the user), a review
  // stored under another user is never the caller's.
  guard_.confirmed.insert("alice/" + kTheirs);
  EXPECT_EQ(Read("alice", kTheirs).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(ReviewStatusReaderTest, ConfirmedButNotYetStoredIsAwaitingScoringForTheAuthorOnly) {
  auto v = Read("alice", kPending);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->status, ReviewStatus::kAwaitingScoring);
  EXPECT_FALSE(v->decided_at.has_value());
  EXPECT_TRUE(v->reasons.empty());
  EXPECT_EQ(Read("bob", kPending).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(ReviewStatusReaderTest, AnUnscoredDecisionShowsNoReasons) {
  reviewdb::ReviewDecision& d = decisions_.rows[kMine];
  d.status = ReviewStatus::kActive;
  d.decision = reviewdb::kUnscoredDecision;
  d.reasons = {{"behaviour_unavailable", 0, 0, "redis 10.0.0.7:6379: timeout"}};
  auto v = Read("alice", kMine);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->status, ReviewStatus::kActive);
  EXPECT_TRUE(v->reasons.empty());
}

TEST_F(ReviewStatusReaderTest, BadIdsAreInvalidWithoutReadingAnything) {
  for (const std::string& bad :
       {std::string(""), std::string("xyz"), std::string(32, 'G'), kMine.substr(1), kMine + "0"}) {
    EXPECT_EQ(Read("alice", bad).status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_EQ(decisions_.reads, 0);
}

TEST_F(ReviewStatusReaderTest, OutagesAreUnavailableWithoutInternals) {
  decisions_.down = true;
  absl::Status s = Read("alice", kMine).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(s.message().find("10.1.2.3"), absl::string_view::npos) << s;
  EXPECT_NE(core::InternalDetail(s).value_or("").find("10.1.2.3"), std::string::npos) << s;
  decisions_.down = false;
  guard_.down = true;
  EXPECT_EQ(Read("alice", kPending).status().code(), absl::StatusCode::kUnavailable);
  // Not yours and unknown alike: the guard's outage answers both the same way.
  EXPECT_EQ(Read("alice", kTheirs).status().code(), absl::StatusCode::kUnavailable);
  guard_.down = false;
  executor_.full = true;
  EXPECT_EQ(Read("alice", kMine).status().code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace candor::gateway
