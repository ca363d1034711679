#include "services/review-gateway/review_intake.h"

#include <map>
#include <optional>

#include "gtest/gtest.h"
#include "libs/core/error.h"

namespace candor::gateway {
namespace {

// In-memory guard with the Redis guard's states (unconfirmed / confirmed markers keyed by
// fingerprint), to test the domain flow. The per-product and window rules are the store test's.
class FakeGuard final : public SubmissionGuard {
 public:
  struct Marker {
    std::string review_id, digest;
    bool confirmed = false;
  };
  void Admit(const review::Submission& s, absl::Time now, AdmitCallback done) override {
    admitted_at = now;
    if (clock != nullptr) clock->Advance(takes);
    done(AdmitSync(s, now));
  }
  void Confirm(const review::Submission& s, absl::Time, DoneCallback done) override {
    ++confirms;
    markers[s.fingerprint] = {s.review_id, ContentDigest(s), true};
    done(absl::OkStatus());
  }
  void Release(const review::Submission& s, DoneCallback done) override {
    ++releases;
    if (release_fails) {
      done(absl::UnavailableError("release lost"));
      return;
    }
    auto it = markers.find(s.fingerprint);
    if (it != markers.end() && !it->second.confirmed && it->second.digest == ContentDigest(s)) {
      markers.erase(it);
    }
    done(absl::OkStatus());
  }
  void WasConfirmed(const std::string&, const std::string& review_id, absl::Time,
                    std::function<void(absl::StatusOr<bool>)> done) override {
    for (const auto& [fp, m] : markers) {
      if (m.review_id == review_id && m.confirmed) return done(true);
    }
    done(false);
  }
  const GuardPolicy& policy() const override { return policy_; }
  absl::StatusOr<GuardVerdict> AdmitSync(const review::Submission& s, absl::Time) {
    if (down) return absl::UnavailableError("redis 10.9.8.7:6379: Connection refused");
    GuardVerdict v;
    v.review_id = s.review_id;
    if (auto it = markers.find(s.fingerprint); it != markers.end()) {
      v.review_id = it->second.review_id;
      if (it->second.confirmed) {
        v.kind = GuardVerdict::Kind::kDuplicate;
      } else if (it->second.digest == ContentDigest(s)) {
        v.kind = GuardVerdict::Kind::kResumed;
      } else {
        v.kind = GuardVerdict::Kind::kInDoubt;
      }
    } else if (limited) {
      v.kind = GuardVerdict::Kind::kRateLimited;
      v.retry_after = absl::Seconds(90.5);
    } else {
      markers[s.fingerprint] = {s.review_id, ContentDigest(s), false};
    }
    return v;
  }
  std::map<std::string, Marker> markers;
  bool down = false;
  bool limited = false;
  bool release_fails = false;
  int releases = 0;
  int confirms = 0;
  core::ManualClock* clock = nullptr;  // moved on by `takes` in each Admit
  absl::Duration takes;
  absl::Time admitted_at;  // the `now` of the last Admit
  GuardPolicy policy_{.user_limit = 7};
};

class FakeLog final : public SubmissionLog {
 public:
  void Publish(const review::Submission& s, std::function<void(absl::Status)> done) override {
    published.push_back(s);
    if (clock != nullptr) clock->Advance(takes);
    done(outcome);
  }
  absl::Status outcome = absl::OkStatus();
  core::ManualClock* clock = nullptr;
  absl::Duration takes;
  std::vector<review::Submission> published;
};

class ReviewIntakeTest : public ::testing::Test {
 protected:
  absl::StatusOr<std::string> Submit(const review::SubmissionInput& in) {
    std::optional<absl::StatusOr<std::string>> result;
    intake_.Submit({"user-1", "127.0.0.1", std::nullopt}, in,
                   [&](absl::StatusOr<std::string> r) { result = std::move(r); });
    EXPECT_TRUE(result.has_value()) << "done was not called";
    return *result;
  }
  absl::StatusOr<std::string> Import(const ImportInput& in) {
    std::optional<absl::StatusOr<std::string>> result;
    intake_.Import(in, [&](absl::StatusOr<std::string> r) { result = std::move(r); });
    EXPECT_TRUE(result.has_value()) << "done was not called";
    return *result;
  }
  static ImportInput ValidImport() {
    ImportInput in;
    in.review = Valid();
    in.user_id = "A2IBPI20UZIR0U";
    in.client_ip = "::ffff:198.51.100.4";
    in.account_created_at = absl::FromUnixSeconds(1'000'000'000);
    in.submitted_at = absl::FromUnixSeconds(1'393'545'600);  // 2014-02-28
    return in;
  }
  static review::SubmissionInput Valid() {
    review::SubmissionInput in;
    in.asin = "B00004Y2UT";
    in.rating = 5;
    in.body = "Great strap, holds the bass well.";
    return in;
  }
  FakeGuard guard_;
  FakeLog log_;
  core::ManualClock clock_{absl::FromUnixSeconds(1'800'000'000)};
  ReviewIntake intake_{guard_, log_, clock_};
};

TEST_F(ReviewIntakeTest, AcceptsAndPublishesWithDerivedId) {
  absl::StatusOr<std::string> id = Submit(Valid());
  ASSERT_TRUE(id.ok()) << id.status();
  ASSERT_EQ(log_.published.size(), 1u);
  EXPECT_EQ(log_.published[0].review_id, *id);
  EXPECT_EQ(log_.published[0].user_id, "user-1");
  EXPECT_EQ(log_.published[0].submitted_at, clock_.Now());
}

TEST_F(ReviewIntakeTest, SubmitCarriesTheCallersAccountCreationTime) {
  std::optional<absl::StatusOr<std::string>> result;
  intake_.Submit({"user-1", "2001:db8::7", absl::FromUnixSeconds(1'600'000'000)}, Valid(),
                 [&](absl::StatusOr<std::string> r) { result = std::move(r); });
  ASSERT_TRUE(result.has_value() && result->ok());
  ASSERT_EQ(log_.published.size(), 1u);
  EXPECT_FALSE(log_.published[0].imported);
  EXPECT_EQ(log_.published[0].client_ip, "2001:db8::7");
  EXPECT_EQ(log_.published[0].account_created_at, absl::FromUnixSeconds(1'600'000'000));
}

TEST_F(ReviewIntakeTest, ACallerWhoseAddressTheScorerWouldRefuseIsInvalid) {
  std::optional<absl::StatusOr<std::string>> result;
  intake_.Submit({"user-1", "ipv4:127.0.0.1:1", std::nullopt}, Valid(),
                 [&](absl::StatusOr<std::string> r) { result = std::move(r); });
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(log_.published.empty());
}

TEST_F(ReviewIntakeTest, ImportKeepsTheOriginalTimeAndMarksItImported) {
  absl::StatusOr<std::string> id = Import(ValidImport());
  ASSERT_TRUE(id.ok()) << id.status();
  ASSERT_EQ(log_.published.size(), 1u);
  const review::Submission& s = log_.published[0];
  EXPECT_EQ(s.review_id, *id);
  EXPECT_TRUE(s.imported);
  EXPECT_EQ(s.user_id, "A2IBPI20UZIR0U");
  EXPECT_EQ(s.submitted_at, absl::FromUnixSeconds(1'393'545'600));
  EXPECT_EQ(s.account_created_at, absl::FromUnixSeconds(1'000'000'000));
  EXPECT_EQ(s.client_ip, "198.51.100.4");  // canonical
  // The guard's rules run on the gateway's clock, not on the review's time.
  EXPECT_EQ(guard_.admitted_at, clock_.Now());
  EXPECT_EQ(guard_.confirms, 1);
  // Imports are counted apart from live submissions.
  EXPECT_EQ(intake_.import_stats().Take().calls(), 1);
  EXPECT_EQ(intake_.stats().Take().calls(), 0);
  // The same review again: the exact-duplicate rule holds for imports.
  EXPECT_EQ(Import(ValidImport()).status().code(), absl::StatusCode::kAlreadyExists);
}

TEST_F(ReviewIntakeTest, ImportValidatesTimeAddressAndFields) {
  auto expect_invalid = [&](const ImportInput& in, const std::string& field) {
    absl::Status s = Import(in).status();
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << field << ": " << s;
    EXPECT_EQ(s.message().substr(0, field.size() + 1), field + ":") << s;
  };
  ImportInput in = ValidImport();
  in.submitted_at.reset();
  expect_invalid(in, "submitted_at");
  in.submitted_at = absl::FromUnixSeconds(700'000'000);  // 1992
  expect_invalid(in, "submitted_at");
  in.submitted_at = clock_.Now() + absl::Hours(1);
  expect_invalid(in, "submitted_at");
  in = ValidImport();
  in.submitted_at = clock_.Now() + absl::Minutes(4);  // within the clock skew
  EXPECT_TRUE(Import(in).ok());
  in = ValidImport();
  in.client_ip = "198.51.100.4:80";
  expect_invalid(in, "client_ip");
  in = ValidImport();
  in.client_ip = "";  // unknown is fine
  in.review.body = "Another text, another review.";
  EXPECT_TRUE(Import(in).ok());
  EXPECT_EQ(log_.published.back().client_ip, "");
  in = ValidImport();
  in.user_id = "";
  expect_invalid(in, "user_id");
  in = ValidImport();
  in.review.rating = 0;
  expect_invalid(in, "rating");
  in = ValidImport();
  in.account_created_at = absl::InfiniteFuture();
  expect_invalid(in, "account_created_at");
  EXPECT_EQ(log_.published.size(), 2u);  // only the two valid ones
  EXPECT_EQ(
      intake_.import_stats().Take().outcomes[static_cast<size_t>(SubmitStats::Outcome::kInvalid)],
      7);
}

TEST_F(ReviewIntakeTest, AnImportRetriedWithAnotherTimeIsInDoubtNotOk) {
  log_.outcome = absl::DeadlineExceededError("may be stored");
  EXPECT_EQ(Import(ValidImport()).status().code(), absl::StatusCode::kUnavailable);
  log_.outcome = absl::OkStatus();
  // The row may keep the first time: a retry that changes it must not be told OK.
  ImportInput other = ValidImport();
  other.submitted_at = *other.submitted_at + absl::Hours(1);
  EXPECT_EQ(Import(other).status().code(), absl::StatusCode::kAborted);
  EXPECT_TRUE(Import(ValidImport()).ok());
}

TEST_F(ReviewIntakeTest, DuplicateIsAlreadyExists) {
  ASSERT_TRUE(Submit(Valid()).ok());
  review::SubmissionInput again = Valid();
  again.body = "great STRAP -- holds the bass well!";  // same after normalisation
  EXPECT_EQ(Submit(again).status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(log_.published.size(), 1u);
}

TEST_F(ReviewIntakeTest, InvalidNeverReachesGuardOrLog) {
  review::SubmissionInput bad = Valid();
  bad.rating = 6;
  absl::Status s = Submit(bad).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(guard_.markers.empty());
  EXPECT_TRUE(log_.published.empty());
}

TEST_F(ReviewIntakeTest, RateLimitNamesTheConfiguredLimitAndCarriesRetryHint) {
  guard_.limited = true;
  absl::Status s = Submit(Valid()).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_NE(s.message().find("at most 7 reviews per 24h"), std::string_view::npos) << s;
  EXPECT_NE(s.message().find("retry after 91 s"), std::string_view::npos) << s;
  ASSERT_TRUE(core::RetryDelay(s).has_value());
  EXPECT_EQ(*core::RetryDelay(s), absl::Seconds(90.5));
}

TEST_F(ReviewIntakeTest, ConfirmedPublishConfirmsMarkersThenDuplicateNamesTheReview) {
  absl::StatusOr<std::string> id = Submit(Valid());
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(guard_.confirms, 1);
  absl::Status again = Submit(Valid()).status();
  EXPECT_EQ(again.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_NE(again.message().find(*id), std::string_view::npos) << again;
}

TEST_F(ReviewIntakeTest, NotStoredPublishReleasesKeysSoRetryWorks) {
  log_.outcome = absl::UnavailableError("kafka: Local: Message timed out");
  absl::Status s = Submit(Valid()).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(s.message().find("kafka"), std::string_view::npos) << "internals leak: " << s;
  EXPECT_EQ(guard_.releases, 1);
  EXPECT_TRUE(guard_.markers.empty());
  log_.outcome = absl::OkStatus();
  absl::StatusOr<std::string> retried = Submit(Valid());
  ASSERT_TRUE(retried.ok());
  EXPECT_EQ(*retried, log_.published[0].review_id);  // same id both times
}

TEST_F(ReviewIntakeTest, PossiblyStoredPublishKeepsKeysAndTheIdenticalRetryCompletesIt) {
  log_.outcome = absl::DeadlineExceededError("may be stored");
  absl::Status first = Submit(Valid()).status();
  EXPECT_EQ(first.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(guard_.releases, 0) << "keys of a possibly stored review must not be released";
  // The same text with another rating must not be answered OK: the stored row may keep 5 stars.
  review::SubmissionInput other_rating = Valid();
  other_rating.rating = 2;
  log_.outcome = absl::OkStatus();
  absl::Status differs = Submit(other_rating).status();
  EXPECT_EQ(differs.code(), absl::StatusCode::kAborted) << differs;
  EXPECT_EQ(log_.published.size(), 1u);
  // The identical retry is published again and answered with the same id.
  absl::StatusOr<std::string> retried = Submit(Valid());
  ASSERT_TRUE(retried.ok()) << retried.status();
  ASSERT_EQ(log_.published.size(), 2u);
  EXPECT_EQ(*retried, log_.published[0].review_id);
  EXPECT_EQ(log_.published[1].rating, 5);
  EXPECT_EQ(Submit(Valid()).status().code(), absl::StatusCode::kAlreadyExists);
}

TEST_F(ReviewIntakeTest, FailedReleaseLeavesTheSubmissionResumable) {
  log_.outcome = absl::UnavailableError("not stored");
  guard_.release_fails = true;
  EXPECT_EQ(Submit(Valid()).status().code(), absl::StatusCode::kUnavailable);
  log_.outcome = absl::OkStatus();
  absl::StatusOr<std::string> retried = Submit(Valid());
  ASSERT_TRUE(retried.ok()) << "a failed release must not turn the retry into a duplicate: "
                            << retried.status();
}

TEST_F(ReviewIntakeTest, GuardDownIsUnavailableWithoutInternals) {
  guard_.down = true;
  absl::Status s = Submit(Valid()).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(s.message().find("10.9.8.7"), std::string_view::npos) << s;
  ASSERT_TRUE(core::InternalDetail(s).has_value());
  EXPECT_NE(core::InternalDetail(s)->find("10.9.8.7"), std::string::npos);
  EXPECT_TRUE(log_.published.empty());
}

TEST_F(ReviewIntakeTest, StatsCountEveryOutcomeAndTimeEachWait) {
  guard_.clock = &clock_;
  guard_.takes = absl::Milliseconds(3);
  log_.clock = &clock_;
  log_.takes = absl::Milliseconds(7);
  ASSERT_TRUE(Submit(Valid()).ok());
  EXPECT_EQ(Submit(Valid()).status().code(), absl::StatusCode::kAlreadyExists);
  review::SubmissionInput bad = Valid();
  bad.rating = 0;
  EXPECT_EQ(Submit(bad).status().code(), absl::StatusCode::kInvalidArgument);
  review::SubmissionInput other = Valid();
  other.body = "A different text, so not a duplicate.";
  log_.outcome = absl::UnavailableError("timed out");
  EXPECT_EQ(Submit(other).status().code(), absl::StatusCode::kUnavailable);

  SubmitStats::Window w = intake_.stats().Take();
  using O = SubmitStats::Outcome;
  EXPECT_EQ(w.calls(), 4);
  EXPECT_EQ(w.outcomes[static_cast<size_t>(O::kAccepted)], 1);
  EXPECT_EQ(w.outcomes[static_cast<size_t>(O::kDuplicate)], 1);
  EXPECT_EQ(w.outcomes[static_cast<size_t>(O::kInvalid)], 1);
  EXPECT_EQ(w.outcomes[static_cast<size_t>(O::kLogUnavailable)], 1);
  // Three calls reached the guard, two the log; the invalid one took no time at all.
  EXPECT_EQ(w.guard_us.count(), 3);
  EXPECT_EQ(w.guard_us.max(), 3'000);
  EXPECT_EQ(w.publish_us.count(), 2);
  EXPECT_EQ(w.publish_us.min(), 7'000);
  EXPECT_EQ(w.total_us.count(), 4);
  EXPECT_EQ(w.total_us.min(), 0);
  EXPECT_EQ(w.total_us.max(), 10'000);
  EXPECT_EQ(intake_.stats().Take().calls(), 0);  // taken: the next window starts empty
}

TEST(SubmitStatsTest, DescribeNamesOutcomesAndWaits) {
  SubmitStats stats;
  stats.Record({SubmitStats::Outcome::kAccepted, absl::Microseconds(400), absl::Milliseconds(5),
                absl::Microseconds(5'500)});
  stats.Record({SubmitStats::Outcome::kRateLimited, absl::Microseconds(300),
                absl::InfiniteDuration(), absl::Microseconds(350)});
  std::string line = SubmitStats::Describe(stats.Take(), absl::Seconds(10));
  EXPECT_NE(line.find("2 in 10.0 s (0/s): accepted 1, invalid 0, duplicate 0, already reviewed 0, "
                      "rate limited 1"),
            std::string::npos)
      << line;
  EXPECT_NE(line.find("guard (Redis) p50 0.30 ms p99 0.40 ms"), std::string::npos) << line;
  EXPECT_NE(line.find("publish (Kafka) p50 5.00 ms p99 5.00 ms"), std::string::npos) << line;
  EXPECT_NE(line.find("max 5.50 ms"), std::string::npos) << line;
}

}  // namespace
}  // namespace candor::gateway
