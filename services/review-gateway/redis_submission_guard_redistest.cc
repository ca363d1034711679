#include <atomic>
#include <future>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "libs/review/fingerprint.h"
#include "libs/testing/stack_env.h"
#include "services/review-gateway/redis_submission_guard.h"

namespace candor::gateway {
namespace {

using Kind = GuardVerdict::Kind;

review::Submission Make(const std::string& user, const std::string& asin, const std::string& body) {
  review::Submission s;
  s.user_id = user;
  s.asin = asin;
  s.body = body;
  s.fingerprint = review::Fingerprint(asin, user, body);
  s.review_id = review::ReviewIdFromFingerprint(s.fingerprint);
  return s;
}

// Blocking views of the asynchronous guard, for readable tests.
class SyncGuard {
 public:
  explicit SyncGuard(SubmissionGuard& g) : g_(g) {}
  absl::StatusOr<GuardVerdict> Admit(const review::Submission& s, absl::Time now) {
    std::promise<absl::StatusOr<GuardVerdict>> p;
    g_.Admit(s, now, [&p](absl::StatusOr<GuardVerdict> v) { p.set_value(std::move(v)); });
    return p.get_future().get();
  }
  absl::Status Release(const review::Submission& s) {
    std::promise<absl::Status> p;
    g_.Release(s, [&p](absl::Status st) { p.set_value(std::move(st)); });
    return p.get_future().get();
  }

 private:
  SubmissionGuard& g_;
};

class GuardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto c = redis::AsyncClient::Connect(testing::RedisAddr(), 2, absl::Seconds(2));
    ASSERT_TRUE(c.ok()) << c.status();
    client_ = std::move(*c);
    redis_guard_ = std::make_unique<RedisSubmissionGuard>(*client_, GuardPolicy{});
    guard_ = std::make_unique<SyncGuard>(*redis_guard_);
  }
  std::unique_ptr<redis::AsyncClient> client_;
  std::unique_ptr<RedisSubmissionGuard> redis_guard_;
  std::unique_ptr<SyncGuard> guard_;
  absl::Time now_ = absl::Now();
};

TEST_F(GuardTest, DuplicateThenSameProductThenAdmitOther) {
  std::string user = testing::UniqueUser();
  std::string asin = testing::UniqueAsin();
  EXPECT_EQ(guard_->Admit(Make(user, asin, "first text"), now_)->kind, Kind::kAdmitted);
  EXPECT_EQ(guard_->Admit(Make(user, asin, "First text!"), now_)->kind, Kind::kDuplicate);
  EXPECT_EQ(guard_->Admit(Make(user, asin, "other text"), now_)->kind, Kind::kAlreadyReviewed);
  EXPECT_EQ(guard_->Admit(Make(user, testing::UniqueAsin(), "other"), now_)->kind, Kind::kAdmitted);
  // Another user may write the same words about the same product.
  EXPECT_EQ(guard_->Admit(Make(testing::UniqueUser(), asin, "first text"), now_)->kind,
            Kind::kAdmitted);
}

TEST_F(GuardTest, TenPerDaySlidingWindow) {
  std::string user = testing::UniqueUser();
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(guard_->Admit(Make(user, testing::UniqueAsin(), "t"), now_ + absl::Minutes(i))->kind,
              Kind::kAdmitted);
  }
  auto v = guard_->Admit(Make(user, testing::UniqueAsin(), "t"), now_ + absl::Minutes(10));
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->kind, Kind::kRateLimited);
  // The oldest leaves the window 24 h after it came: 23h50m from the refused attempt.
  EXPECT_NEAR(absl::ToDoubleMinutes(v->retry_after), 23 * 60 + 50, 1);
  // Once the first has slid out, one more fits.
  EXPECT_EQ(
      guard_
          ->Admit(Make(user, testing::UniqueAsin(), "t"), now_ + absl::Hours(24) + absl::Seconds(1))
          ->kind,
      Kind::kAdmitted);
}

TEST_F(GuardTest, ReleaseFreesOnlyItsOwnKeys) {
  std::string user = testing::UniqueUser();
  std::string asin = testing::UniqueAsin();
  review::Submission s = Make(user, asin, "text");
  ASSERT_EQ(guard_->Admit(s, now_)->kind, Kind::kAdmitted);
  ASSERT_TRUE(guard_->Release(s).ok());
  EXPECT_EQ(guard_->Admit(s, now_)->kind, Kind::kAdmitted);
}

TEST_F(GuardTest, RacingIdenticalSubmissionsAdmitExactlyOne) {
  std::string user = testing::UniqueUser();
  std::string asin = testing::UniqueAsin();
  std::atomic<int> admitted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      auto v = guard_->Admit(Make(user, asin, "same words"), now_);
      if (v.ok() && v->kind == Kind::kAdmitted) admitted.fetch_add(1);
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(admitted.load(), 1);
}

}  // namespace
}  // namespace candor::gateway
