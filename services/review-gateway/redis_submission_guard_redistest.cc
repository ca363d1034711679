#include <atomic>
#include <future>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "libs/redis/hash_tag.h"
#include "libs/review/fingerprint.h"
#include "libs/testing/assign.h"
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
  absl::Status Confirm(const review::Submission& s, absl::Time now) {
    std::promise<absl::Status> p;
    g_.Confirm(s, now, [&p](absl::Status st) { p.set_value(std::move(st)); });
    return p.get_future().get();
  }
  absl::StatusOr<bool> WasConfirmed(const std::string& user, const std::string& review_id,
                                    absl::Time now) {
    std::promise<absl::StatusOr<bool>> p;
    g_.WasConfirmed(user, review_id, now,
                    [&p](absl::StatusOr<bool> v) { p.set_value(std::move(v)); });
    return p.get_future().get();
  }

 private:
  SubmissionGuard& g_;
};

class GuardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(testing::Assign(
        &client_, redis::AsyncClient::Connect(testing::RedisAddr(), 2, absl::Seconds(2))));
    redis_guard_ = std::make_unique<RedisSubmissionGuard>(*client_, GuardPolicy{});
    guard_ = std::make_unique<SyncGuard>(*redis_guard_);
  }
  absl::StatusOr<redis::Reply> SyncCommand(std::vector<std::string> args) {
    std::promise<absl::StatusOr<redis::Reply>> p;
    client_->Command(std::move(args),
                     [&p](absl::StatusOr<redis::Reply> r) { p.set_value(std::move(r)); });
    return p.get_future().get();
  }
  std::unique_ptr<redis::AsyncClient> client_;
  std::unique_ptr<RedisSubmissionGuard> redis_guard_;
  std::unique_ptr<SyncGuard> guard_;
  absl::Time now_ = absl::Now();
};

TEST_F(GuardTest, DuplicateThenSameProductThenAdmitOther) {
  std::string user = testing::UniqueUser();
  std::string asin = testing::UniqueAsin();
  review::Submission first = Make(user, asin, "first text");
  EXPECT_EQ(guard_->Admit(first, now_)->kind, Kind::kAdmitted);
  ASSERT_TRUE(guard_->Confirm(first, now_).ok());
  auto dup = guard_->Admit(Make(user, asin, "First text!"), now_);
  EXPECT_EQ(dup->kind, Kind::kDuplicate);
  EXPECT_EQ(dup->review_id, first.review_id);
  auto other = guard_->Admit(Make(user, asin, "other text"), now_);
  EXPECT_EQ(other->kind, Kind::kAlreadyReviewed);
  EXPECT_EQ(other->review_id, first.review_id);
  EXPECT_EQ(guard_->Admit(Make(user, testing::UniqueAsin(), "other"), now_)->kind, Kind::kAdmitted);
  // Another user may write the same words about the same product.
  EXPECT_EQ(guard_->Admit(Make(testing::UniqueUser(), asin, "first text"), now_)->kind,
            Kind::kAdmitted);
}

review::Submission Imported(const std::string& user, const std::string& asin,
                            const std::string& body, absl::Time original) {
  review::Submission s = Make(user, asin, body);
  s.imported = true;
  s.submitted_at = original;
  return s;
}

TEST_F(GuardTest, ImportsKeepTheDuplicateRuleButNotTheProductWindowOrTheDailyLimit) {
  const std::string user = testing::UniqueUser();
  const std::string asin = testing::UniqueAsin();
  const absl::Time y2010 = absl::FromUnixSeconds(1262304000);
  // A user's years of history: 15 reviews, two of them of the same product, all within one day of
  // the gateway's clock. Live submissions would be limited at 10 and refused the second product.
  for (int i = 0; i < 15; ++i) {
    review::Submission s = Imported(user, i < 2 ? asin : testing::UniqueAsin(),
                                    absl::StrCat("review ", i), y2010 + absl::Hours(24 * 30 * i));
    auto v = guard_->Admit(s, now_ + absl::Seconds(i));
    ASSERT_TRUE(v.ok()) << v.status();
    EXPECT_EQ(v->kind, Kind::kAdmitted) << i;
    ASSERT_TRUE(guard_->Confirm(s, now_ + absl::Seconds(i)).ok());
  }
  // The same text again is a duplicate, imported or live.
  auto dup = guard_->Admit(Imported(user, asin, "Review 0!", y2010), now_);
  EXPECT_EQ(dup->kind, Kind::kDuplicate);
  EXPECT_EQ(guard_->Admit(Make(user, asin, "review 0"), now_)->kind, Kind::kDuplicate);
  // Imports left the user's live limits alone: a live review of the imported product, and ten
  // more, are admitted.
  EXPECT_EQ(guard_->Admit(Make(user, asin, "live text"), now_)->kind, Kind::kAdmitted);
  for (int i = 0; i < 9; ++i) {
    EXPECT_EQ(guard_->Admit(Make(user, testing::UniqueAsin(), "t"), now_)->kind, Kind::kAdmitted);
  }
  EXPECT_EQ(guard_->Admit(Make(user, testing::UniqueAsin(), "t"), now_)->kind, Kind::kRateLimited);
  // A live submission's markers do not hold up an import either (only the same text does).
  EXPECT_EQ(guard_->Admit(Imported(user, asin, "old text", y2010), now_)->kind, Kind::kAdmitted);
}

TEST_F(GuardTest, AnUnconfirmedImportIsResumedOnlyWithTheSameTime) {
  const std::string user = testing::UniqueUser();
  const absl::Time t = absl::FromUnixSeconds(1262304000);
  review::Submission s = Imported(user, testing::UniqueAsin(), "text", t);
  ASSERT_EQ(guard_->Admit(s, now_)->kind, Kind::kAdmitted);
  review::Submission later = s;
  later.submitted_at = t + absl::Hours(1);  // the row may keep the first time
  EXPECT_EQ(guard_->Admit(later, now_)->kind, Kind::kInDoubt);
  EXPECT_EQ(guard_->Admit(s, now_)->kind, Kind::kResumed);
  ASSERT_TRUE(guard_->Release(s).ok());
  EXPECT_EQ(guard_->Admit(later, now_)->kind, Kind::kAdmitted);
}

TEST_F(GuardTest, WasConfirmedForTheUserWithinTheMemory) {
  const std::string user = testing::UniqueUser();
  review::Submission live = Make(user, testing::UniqueAsin(), "live");
  review::Submission imported =
      Imported(user, testing::UniqueAsin(), "old", absl::FromUnixSeconds(1262304000));
  ASSERT_EQ(guard_->Admit(live, now_)->kind, Kind::kAdmitted);
  ASSERT_EQ(guard_->Admit(imported, now_)->kind, Kind::kAdmitted);
  // Admitted is not confirmed: the log may never take it.
  EXPECT_FALSE(*guard_->WasConfirmed(user, live.review_id, now_));
  ASSERT_TRUE(guard_->Confirm(live, now_).ok());
  ASSERT_TRUE(guard_->Confirm(imported, now_).ok());
  EXPECT_TRUE(*guard_->WasConfirmed(user, live.review_id, now_));
  EXPECT_TRUE(*guard_->WasConfirmed(user, imported.review_id, now_));
  // Only the author's: another user asking about the same id is told no.
  EXPECT_FALSE(*guard_->WasConfirmed(testing::UniqueUser(), live.review_id, now_));
  // Remembered for confirmed_memory (24 h), then forgotten.
  EXPECT_TRUE(*guard_->WasConfirmed(user, live.review_id, now_ + absl::Hours(23)));
  EXPECT_FALSE(*guard_->WasConfirmed(user, live.review_id, now_ + absl::Hours(25)));
  // The set expires with its memory and is trimmed by later confirmations.
  auto ttl = SyncCommand({"PTTL", RedisSubmissionGuard::ConfirmedKey(user)});
  ASSERT_TRUE(ttl.ok()) << ttl.status();
  EXPECT_GT(ttl->integer, 0);
  EXPECT_LE(ttl->integer, 24 * 3600 * 1000);
  review::Submission next_day = Make(user, testing::UniqueAsin(), "next day");
  ASSERT_TRUE(guard_->Confirm(next_day, now_ + absl::Hours(25)).ok());
  auto count = SyncCommand({"ZCARD", RedisSubmissionGuard::ConfirmedKey(user)});
  ASSERT_TRUE(count.ok()) << count.status();
  EXPECT_EQ(count->integer, 1);
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

TEST_F(GuardTest, ReleaseFreesOnlyItsOwnUnconfirmedKeys) {
  std::string user = testing::UniqueUser();
  std::string asin = testing::UniqueAsin();
  review::Submission s = Make(user, asin, "text");
  ASSERT_EQ(guard_->Admit(s, now_)->kind, Kind::kAdmitted);
  ASSERT_TRUE(guard_->Release(s).ok());
  EXPECT_EQ(guard_->Admit(s, now_)->kind, Kind::kAdmitted);
  // The same text with another rating is another submission: its release frees nothing.
  review::Submission other_rating = s;
  other_rating.rating = 1;
  ASSERT_TRUE(guard_->Release(other_rating).ok());
  EXPECT_EQ(guard_->Admit(s, now_)->kind, Kind::kResumed);
  // Once confirmed (a racing identical attempt was stored), a late release frees nothing.
  ASSERT_TRUE(guard_->Confirm(s, now_).ok());
  ASSERT_TRUE(guard_->Release(s).ok());
  EXPECT_EQ(guard_->Admit(s, now_)->kind, Kind::kDuplicate);
}

// An admitted submission whose outcome was never learned (reply lost, gateway died, delivery in
// doubt) must not make its own retry a "duplicate" of nothing.
TEST_F(GuardTest, UnconfirmedSubmissionIsResumedByItsIdenticalRetryOnly) {
  std::string user = testing::UniqueUser();
  std::string asin = testing::UniqueAsin();
  review::Submission s = Make(user, asin, "Stays in tune for weeks.");
  s.rating = 4;
  ASSERT_EQ(guard_->Admit(s, now_)->kind, Kind::kAdmitted);
  auto again = guard_->Admit(s, now_ + absl::Minutes(1));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->kind, Kind::kResumed);
  EXPECT_EQ(again->review_id, s.review_id);
  // Same text, another rating: the first may be stored with 4 stars, so this is in doubt.
  review::Submission other_rating = s;
  other_rating.rating = 1;
  auto differs = guard_->Admit(other_rating, now_);
  EXPECT_EQ(differs->kind, Kind::kInDoubt);
  EXPECT_EQ(differs->review_id, s.review_id);
  // Another text for the same product while the first is unconfirmed: also in doubt.
  auto another = guard_->Admit(Make(user, asin, "A second opinion."), now_);
  EXPECT_EQ(another->kind, Kind::kInDoubt);
  EXPECT_EQ(another->review_id, s.review_id);
  // A resumed submission does not count twice toward the daily limit.
  std::string window_key = RedisSubmissionGuard::KeysFor(s).window;
  std::promise<absl::StatusOr<redis::Reply>> card;
  client_->Command({"ZCARD", window_key},
                   [&card](absl::StatusOr<redis::Reply> r) { card.set_value(std::move(r)); });
  auto n = card.get_future().get();
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->integer, 1);
}

TEST_F(GuardTest, ConfirmRewritesMarkersThatWentMissing) {
  std::string user = testing::UniqueUser();
  std::string asin = testing::UniqueAsin();
  review::Submission s = Make(user, asin, "text that was stored");
  ASSERT_EQ(guard_->Admit(s, now_)->kind, Kind::kAdmitted);
  ASSERT_TRUE(guard_->Release(s).ok());        // a racing failed attempt released the markers...
  ASSERT_TRUE(guard_->Confirm(s, now_).ok());  // ...but another attempt was stored
  EXPECT_EQ(guard_->Admit(s, now_)->kind, Kind::kDuplicate);
  EXPECT_EQ(guard_->Admit(Make(user, asin, "second text"), now_)->kind, Kind::kAlreadyReviewed);
}

TEST(GuardKeysTest, UserIdsCannotEscapeTheirHashTag) {
  for (const std::string user : {"plain", "a}b", "{x}", "%7D", "}", "{", "a%b{"}) {
    review::Submission s = Make(user, "B00004Y2UT", "text");
    for (const std::string& key :
         {RedisSubmissionGuard::KeysFor(s).fingerprint, RedisSubmissionGuard::KeysFor(s).product,
          RedisSubmissionGuard::KeysFor(s).window}) {
      // Redis Cluster hashes what lies between the first '{' and the next '}'.
      size_t open = key.find('{');
      size_t close = key.find('}', open + 1);
      ASSERT_NE(close, std::string::npos) << key;
      std::string tag = key.substr(open + 1, close - open - 1);
      EXPECT_EQ("{" + tag + "}", redis::HashTag(user)) << user << " -> " << key;
      EXPECT_EQ(tag.find_first_of("{}"), std::string::npos) << key;
    }
  }
  // Distinct users keep distinct tags.
  EXPECT_NE(redis::HashTag("a}"), redis::HashTag("a%7D"));
  EXPECT_NE(redis::HashTag("a{"), redis::HashTag("a"));
}

TEST_F(GuardTest, RacingIdenticalSubmissionsAdmitExactlyOne) {
  std::string user = testing::UniqueUser();
  std::string asin = testing::UniqueAsin();
  std::atomic<int> admitted{0};
  std::atomic<int> resumed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      auto v = guard_->Admit(Make(user, asin, "same words"), now_);
      if (v.ok() && v->kind == Kind::kAdmitted) admitted.fetch_add(1);
      if (v.ok() && v->kind == Kind::kResumed) resumed.fetch_add(1);
    });
  }
  for (auto& t : threads) t.join();
  // One is new; the others are the same submission again (a double click), published under the
  // same review id, so they land on one row.
  EXPECT_EQ(admitted.load(), 1);
  EXPECT_EQ(resumed.load(), 7);
}

}  // namespace
}  // namespace candor::gateway
