#include "services/fraud-scorer/intake.h"

#include <unordered_set>

#include "absl/strings/str_cat.h"
#include "libs/core/log.h"

namespace candor::fraud_scorer {
namespace {

// The counter of new reviews decided `kind`.
std::atomic<int64_t>& DecidedCounter(IntakeStats& stats, Decision::Kind kind) {
  switch (kind) {
    case Decision::Kind::kPass:
      return stats.pass;
    case Decision::Kind::kQueue:
      return stats.queue;
    case Decision::Kind::kReject:
      return stats.reject;
    case Decision::Kind::kUnscored:
      return stats.unscored;
  }
  return stats.unscored;
}

}  // namespace

ReviewIntake::ReviewIntake(Scorer& scorer, ReviewRepository& repository,
                           AcceptedPublisher& publisher, const core::Clock& clock)
    : scorer_(scorer), repository_(repository), publisher_(publisher), clock_(clock) {}

Decision ReviewIntake::FailOpen(const review::Submission& s, const absl::Status& error) {
  // The scorer could not decide at all: fail open like a missing feature (design.md 4).
  spdlog::warn("scorer failed for review {}, storing it unscored: {}", s.review_id, error);
  Decision open;
  open.kind = Decision::Kind::kUnscored;
  open.reasons.push_back({"scorer_error", 0, 0, std::string(error.message())});
  return open;
}

absl::Status ReviewIntake::Process(const std::vector<review::Submission>& batch) {
  if (batch.empty()) return absl::OkStatus();
  return Store(Score(batch));
}

ScoredBatch ReviewIntake::Score(const std::vector<review::Submission>& batch) {
  ScoredBatch out;
  if (batch.empty()) return out;
  const absl::Time now = clock_.Now();

  // Score before the transaction: scoring talks to Redis and must not hold a database
  // transaction open. A review id repeated in the batch is scored and stored once. The batch is
  // scored in one call so the scorer can fetch its features for all reviews at once.
  std::vector<review::Submission> unique;
  unique.reserve(batch.size());
  std::unordered_set<std::string> seen;
  for (const review::Submission& s : batch) {
    if (!seen.insert(s.review_id).second) {
      ++out.repeats;
      continue;
    }
    unique.push_back(s);
  }
  std::vector<absl::StatusOr<Decision>> decisions = scorer_.ScoreBatch(unique, now);
  if (decisions.size() != unique.size()) {
    decisions.assign(unique.size(), absl::InternalError(absl::StrCat(
                                        "scorer returned ", decisions.size(), " decisions for ",
                                        unique.size(), " reviews")));
  }
  out.reviews.reserve(unique.size());
  for (size_t i = 0; i < unique.size(); ++i) {
    ScoredReview r;
    if (!decisions[i].ok()) stats_.failed_open.fetch_add(1);
    r.decision =
        decisions[i].ok() ? *std::move(decisions[i]) : FailOpen(unique[i], decisions[i].status());
    r.submission = std::move(unique[i]);
    r.status = StatusFor(r.decision.kind);
    out.reviews.push_back(std::move(r));
  }
  return out;
}

absl::Status ReviewIntake::Store(const ScoredBatch& batch) {
  const std::vector<ScoredReview>& scored = batch.reviews;
  if (scored.empty()) return absl::OkStatus();
  absl::StatusOr<std::vector<StoredReview>> stored = repository_.Store(scored);
  if (!stored.ok()) return stored.status();
  if (stored->size() != scored.size()) {
    return absl::InternalError("review repository returned a wrong number of rows");
  }

  // Only after the commit: announce every review whose stored status is active, including ones
  // an earlier delivery stored (its Accepted may never have been confirmed).
  std::vector<StoredReview> active;
  for (size_t i = 0; i < stored->size(); ++i) {
    const StoredReview& st = (*stored)[i];
    if (st.inserted) {
      stats_.inserted.fetch_add(1);
      DecidedCounter(stats_, scored[i].decision.kind).fetch_add(1);
    } else {
      stats_.duplicates.fetch_add(1);
    }
    if (st.status == ReviewStatus::kActive) active.push_back(st);
  }
  stats_.duplicates.fetch_add(batch.repeats);
  if (active.empty()) return absl::OkStatus();
  if (absl::Status s = publisher_.PublishAccepted(active); !s.ok()) return s;
  stats_.published.fetch_add(static_cast<int64_t>(active.size()));
  return absl::OkStatus();
}

}  // namespace candor::fraud_scorer
