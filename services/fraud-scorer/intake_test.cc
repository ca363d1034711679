#include "services/fraud-scorer/intake.h"

#include <map>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace candor::fraud_scorer {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// Decides by rating: 1 -> reject, 2 -> queue, 3 -> error, otherwise pass.
class FakeScorer final : public Scorer {
 public:
  absl::StatusOr<Decision> Score(const review::Submission& s, absl::Time /*now*/) override {
    ++calls;
    Decision d;
    d.scorer = "fake";
    if (s.rating == 3) return absl::InternalError("model exploded");
    d.kind = s.rating == 1   ? Decision::Kind::kReject
             : s.rating == 2 ? Decision::Kind::kQueue
                             : Decision::Kind::kPass;
    return d;
  }
  int calls = 0;
};

// An in-memory reviews table keyed by review id (the fingerprint gate in miniature).
class FakeRepository final : public ReviewRepository {
 public:
  absl::StatusOr<std::vector<StoredReview>> Store(
      const std::vector<ScoredReview>& reviews) override {
    if (!error.ok()) return error;
    std::vector<StoredReview> out;
    for (const ScoredReview& r : reviews) {
      auto [it, inserted] = rows.try_emplace(r.submission.review_id);
      if (inserted) {
        it->second = {r.submission.review_id,
                      r.submission.asin,
                      r.submission.user_id,
                      r.submission.rating,
                      false,
                      r.status,
                      absl::FromUnixSeconds(1),
                      true};
        decisions[r.submission.review_id] = r.decision;
      }
      StoredReview st = it->second;
      st.inserted = inserted;
      out.push_back(st);
    }
    return out;
  }
  absl::Status error;
  std::map<std::string, StoredReview> rows;
  std::map<std::string, Decision> decisions;
};

class FakePublisher final : public AcceptedPublisher {
 public:
  absl::Status PublishAccepted(const std::vector<StoredReview>& reviews) override {
    for (const StoredReview& r : reviews) attempted.push_back(r.review_id);
    return error;
  }
  absl::Status error;
  std::vector<std::string> attempted;
};

review::Submission Sub(const std::string& id, int rating) {
  review::Submission s;
  s.review_id = id;
  s.asin = "B000000001";
  s.user_id = "u";
  s.rating = rating;
  return s;
}

class IntakeTest : public ::testing::Test {
 protected:
  core::ManualClock clock_{absl::FromUnixSeconds(1700000000)};
  FakeScorer scorer_;
  FakeRepository repo_;
  FakePublisher publisher_;
  ReviewIntake intake_{scorer_, repo_, publisher_, clock_};
};

TEST_F(IntakeTest, StoresEveryDecisionAndPublishesOnlyActive) {
  ASSERT_TRUE(intake_.Process({Sub("a", 5), Sub("b", 1), Sub("c", 2), Sub("d", 4)}).ok());
  EXPECT_EQ(repo_.rows.at("a").status, ReviewStatus::kActive);
  EXPECT_EQ(repo_.rows.at("b").status, ReviewStatus::kRejected);
  EXPECT_EQ(repo_.rows.at("c").status, ReviewStatus::kHeld);
  EXPECT_THAT(publisher_.attempted, ElementsAre("a", "d"));
  EXPECT_EQ(intake_.stats().pass.load(), 2);
  EXPECT_EQ(intake_.stats().reject.load(), 1);
  EXPECT_EQ(intake_.stats().queue.load(), 1);
  EXPECT_EQ(intake_.stats().published.load(), 2);
}

TEST_F(IntakeTest, ScorerErrorFailsOpenAsUnscoredAndActive) {
  ASSERT_TRUE(intake_.Process({Sub("a", 3)}).ok());
  EXPECT_EQ(repo_.rows.at("a").status, ReviewStatus::kActive);
  EXPECT_EQ(repo_.decisions.at("a").kind, Decision::Kind::kUnscored);
  EXPECT_THAT(publisher_.attempted, ElementsAre("a"));
  EXPECT_EQ(intake_.stats().unscored.load(), 1);
}

TEST_F(IntakeTest, RepeatInBatchIsScoredAndStoredOnce) {
  ASSERT_TRUE(intake_.Process({Sub("a", 5), Sub("a", 5)}).ok());
  EXPECT_EQ(scorer_.calls, 1);
  EXPECT_THAT(publisher_.attempted, ElementsAre("a"));
  EXPECT_EQ(intake_.stats().duplicates.load(), 1);
}

TEST_F(IntakeTest, RedeliveryPublishesStoredActiveAgainButNotStoredPending) {
  ASSERT_TRUE(intake_.Process({Sub("a", 5), Sub("c", 2)}).ok());
  // A later delivery of the same reviews, with different content: the stored rows win.
  ASSERT_TRUE(intake_.Process({Sub("a", 1), Sub("c", 5)}).ok());
  EXPECT_THAT(publisher_.attempted, ElementsAre("a", "a"));
  EXPECT_EQ(repo_.rows.at("a").rating, 5);
  EXPECT_EQ(intake_.stats().inserted.load(), 2);
  EXPECT_EQ(intake_.stats().duplicates.load(), 2);
}

TEST_F(IntakeTest, StoreFailureIsTransientAndPublishesNothing) {
  repo_.error = absl::UnavailableError("postgres down");
  absl::Status s = intake_.Process({Sub("a", 5)});
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(publisher_.attempted, IsEmpty());
}

TEST_F(IntakeTest, PublishFailureFailsTheBatchAndTheRetryPublishesAgain) {
  publisher_.error = absl::UnavailableError("kafka down");
  EXPECT_EQ(intake_.Process({Sub("a", 5)}).code(), absl::StatusCode::kUnavailable);
  publisher_.error = absl::OkStatus();
  ASSERT_TRUE(intake_.Process({Sub("a", 5)}).ok());
  EXPECT_THAT(publisher_.attempted, ElementsAre("a", "a"));
  EXPECT_EQ(intake_.stats().published.load(), 1);
}

TEST_F(IntakeTest, EmptyBatchTouchesNothing) {
  ASSERT_TRUE(intake_.Process({}).ok());
  EXPECT_EQ(scorer_.calls, 0);
}

// Answers ScoreBatch itself, as a scorer that batches its I/O does; one review id fails.
class BatchScorer final : public Scorer {
 public:
  absl::StatusOr<Decision> Score(const review::Submission& /*s*/, absl::Time /*now*/) override {
    ADD_FAILURE() << "the intake must score a batch in one ScoreBatch call";
    return absl::InternalError("unexpected");
  }
  std::vector<absl::StatusOr<Decision>> ScoreBatch(const std::vector<review::Submission>& subs,
                                                   absl::Time /*now*/) override {
    batches.emplace_back();
    std::vector<absl::StatusOr<Decision>> out;
    for (const review::Submission& s : subs) {
      batches.back().push_back(s.review_id);
      if (s.review_id == "bad") {
        out.push_back(absl::UnavailableError("features missing"));
        continue;
      }
      Decision d;
      d.kind = s.rating == 1 ? Decision::Kind::kReject : Decision::Kind::kPass;
      out.push_back(d);
    }
    if (short_by_one && !out.empty()) out.pop_back();
    return out;
  }
  std::vector<std::vector<std::string>> batches;
  bool short_by_one = false;
};

TEST(IntakeBatchTest, ScoresTheDistinctReviewsInOneCallAndFailsOpenPerReview) {
  core::ManualClock clock(absl::FromUnixSeconds(1700000000));
  BatchScorer scorer;
  FakeRepository repo;
  FakePublisher publisher;
  ReviewIntake intake(scorer, repo, publisher, clock);
  ASSERT_TRUE(intake.Process({Sub("a", 5), Sub("b", 1), Sub("a", 5), Sub("bad", 1)}).ok());
  ASSERT_EQ(scorer.batches.size(), 1u);
  EXPECT_THAT(scorer.batches[0], ElementsAre("a", "b", "bad"));
  EXPECT_EQ(repo.rows.at("b").status, ReviewStatus::kRejected);
  EXPECT_EQ(repo.decisions.at("bad").kind, Decision::Kind::kUnscored);
  EXPECT_EQ(repo.rows.at("bad").status, ReviewStatus::kActive);
  EXPECT_THAT(publisher.attempted, ElementsAre("a", "bad"));
  EXPECT_EQ(intake.stats().duplicates.load(), 1);
}

TEST(IntakeBatchTest, AScorerReturningTheWrongCountFailsEveryReviewOpen) {
  core::ManualClock clock(absl::FromUnixSeconds(1700000000));
  BatchScorer scorer;
  scorer.short_by_one = true;
  FakeRepository repo;
  FakePublisher publisher;
  ReviewIntake intake(scorer, repo, publisher, clock);
  ASSERT_TRUE(intake.Process({Sub("a", 5), Sub("b", 1)}).ok());
  EXPECT_EQ(repo.decisions.at("a").kind, Decision::Kind::kUnscored);
  EXPECT_EQ(repo.decisions.at("b").kind, Decision::Kind::kUnscored);
  EXPECT_EQ(intake.stats().unscored.load(), 2);
}

TEST(ReviewStatusTest, DecisionMapping) {
  EXPECT_EQ(StatusFor(Decision::Kind::kPass), ReviewStatus::kActive);
  EXPECT_EQ(StatusFor(Decision::Kind::kUnscored), ReviewStatus::kActive);
  EXPECT_EQ(StatusFor(Decision::Kind::kQueue), ReviewStatus::kHeld);
  EXPECT_EQ(StatusFor(Decision::Kind::kReject), ReviewStatus::kRejected);
  EXPECT_EQ(review::ParseStatus("removed"), ReviewStatus::kRemoved);
  EXPECT_EQ(review::ParseStatus("bogus"), std::nullopt);
}

}  // namespace
}  // namespace candor::fraud_scorer
