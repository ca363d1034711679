#include "services/fraud-scorer/rescore/rescorer.h"

#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "services/fraud-scorer/rescore/rescore_plan.h"
#include "services/fraud-scorer/review_repository.h"

namespace candor::fraud_scorer::rescore {
namespace {

// A broken promise of the caller or of a port's adapter: a bug, so crash with the message.
void Require(bool holds, const char* what) {
  if (holds) return;
  std::fprintf(stderr, "Rescorer: %s\n", what);
  std::abort();
}

// Why a review could not be scored: the scorer's error, or its unscored decision's first reason.
std::string WhyUnscored(const absl::StatusOr<Decision>& d) {
  if (!d.ok()) return d.status().ToString();
  if (d->reasons.empty()) return "unscored";
  return absl::StrCat(d->reasons.front().code, ": ", d->reasons.front().text);
}

}  // namespace

Rescorer::Rescorer(RescoreStore& store, Scorer& scorer, HeldMarks& marks, EventPublisher* publisher,
                   const core::Clock& clock, std::string model_version, RescoreOptions options)
    : store_(store),
      scorer_(scorer),
      marks_(marks),
      publisher_(publisher),
      clock_(clock),
      version_(std::move(model_version)),
      options_(std::move(options)) {
  Require(!options_.apply || publisher_ != nullptr, "apply mode needs an event publisher");
  Require(options_.batch > 0, "batch must be positive");
}

absl::Status Rescorer::Run(Report& report,
                           const std::function<void(const std::string&)>& progress) {
  absl::StatusOr<int64_t> total = store_.Count(options_.selection);
  if (!total.ok()) return total.status();
  report.Selected(*total);
  const absl::Time start = clock_.Now();
  absl::Time last_progress = start;
  std::string cursor;
  do {
    absl::StatusOr<reviewdb::CandidatePage> page =
        store_.Page(options_.selection, cursor, options_.batch);
    if (!page.ok()) return page.status();
    if (absl::Status s = Batch(page->candidates, report); !s.ok()) return s;
    cursor = page->next;
    const absl::Time now = clock_.Now();
    if (cursor.empty() || now - last_progress >= options_.progress_interval) {
      progress(ProgressLine(report.read(), *total, now - start));
      last_progress = now;
    }
  } while (!cursor.empty());
  return absl::OkStatus();
}

absl::Status Rescorer::Batch(const std::vector<reviewdb::RescoreCandidate>& candidates,
                             Report& report) {
  report.Read(static_cast<int64_t>(candidates.size()));
  const absl::Time now = clock_.Now();

  // Set aside what is not re-scored; a review this model decided may still lack its event.
  std::vector<const reviewdb::RescoreCandidate*> to_score;
  std::vector<review::Submission> submissions;
  std::vector<review::ReviewEvent> events;
  for (const reviewdb::RescoreCandidate& c : candidates) {
    const Skip skip = Classify(c, version_, now);
    if (skip == Skip::kNone) {
      to_score.push_back(&c);
      submissions.push_back(c.submission);
      continue;
    }
    report.Skipped(skip);
    if (skip != Skip::kDecidedByThisModel) continue;
    if (const EventKind missing = MissingEvent(c); missing != EventKind::kNone) {
      report.Event(missing, /*repair=*/true);
      events.push_back(MakeEvent(missing, c.submission, c.decided_at));
    }
  }

  // Score, and turn each decision into what an apply enacts.
  std::vector<reviewdb::RescoreDecision> decisions;
  std::map<std::string, const reviewdb::RescoreCandidate*> candidate_of;
  if (!submissions.empty()) {
    std::vector<absl::StatusOr<Decision>> scored = scorer_.ScoreBatch(submissions, now);
    Require(scored.size() == submissions.size(), "the scorer must return one result per review");
    std::string first_failure;
    for (size_t i = 0; i < scored.size(); ++i) {
      const reviewdb::RescoreCandidate& c = *to_score[i];
      if (!scored[i].ok() || scored[i]->kind == Decision::Kind::kUnscored) {
        const std::string why = WhyUnscored(scored[i]);
        if (first_failure.empty()) first_failure = why;
        report.Unscored(c.submission.review_id, why);
        continue;
      }
      const Decision& d = *scored[i];
      reviewdb::RescoreDecision row{.review_id = c.submission.review_id,
                                    .seen_audit_id = c.audit_id,
                                    .from = c.status,
                                    .to = StatusFor(d.kind),
                                    .fraud_score = d.score,
                                    .decision = std::string(KindName(d.kind)),
                                    .scorer = d.scorer,
                                    .reasons = d.reasons};
      if (row.to == review::ReviewStatus::kHeld) row.queue_reason = QueueReason(d);
      candidate_of[row.review_id] = &c;
      decisions.push_back(std::move(row));
    }
    if (decisions.empty()) {
      marks_.Drop();
      return absl::UnavailableError(absl::StrCat("could score none of a batch of ",
                                                 submissions.size(), " reviews (", first_failure,
                                                 "); nothing of it was written"));
    }
  }

  // What a decision means for the report: its change, and the status move with its event.
  auto account = [&](const reviewdb::RescoreDecision& d, review::ReviewStatus from,
                     review::ReviewStatus to) {
    report.Decided(candidate_of.at(d.review_id)->decision, d.decision, d.review_id, d.fraud_score,
                   d.reasons);
    if (from != to) report.Moved(from, to);
    report.Event(EventFor(from, to), /*repair=*/false);
  };

  if (!options_.apply) {
    marks_.Drop();
    for (const reviewdb::RescoreDecision& d : decisions) account(d, d.from, d.to);
    return absl::OkStatus();
  }

  if (!decisions.empty()) {
    absl::StatusOr<std::vector<reviewdb::AppliedRescore>> applied = store_.Apply(decisions);
    if (!applied.ok()) {
      marks_.Drop();
      return applied.status();
    }
    std::map<std::string, const reviewdb::RescoreDecision*> decision_of;
    for (const reviewdb::RescoreDecision& d : decisions) decision_of[d.review_id] = &d;
    std::set<std::string> enacted;
    for (const reviewdb::AppliedRescore& a : *applied) {
      enacted.insert(a.review_id);
      account(*decision_of.at(a.review_id), a.from, a.to);
      if (const EventKind kind = EventFor(a.from, a.to); kind != EventKind::kNone) {
        // The candidate's ids, rating, flag and author: columns nothing ever updates.
        events.push_back(MakeEvent(kind, candidate_of.at(a.review_id)->submission, a.decided_at));
      }
    }
    report.ChangedMeanwhile(static_cast<int64_t>(decisions.size() - applied->size()));
    marks_.Release(enacted);
  }
  if (events.empty()) return absl::OkStatus();
  if (absl::Status s = publisher_->Publish(events); !s.ok()) {
    return absl::Status(
        s.code(), absl::StrCat(s.message(),
                               " (the batch's decisions are committed: run again to send them)"));
  }
  return absl::OkStatus();
}

}  // namespace candor::fraud_scorer::rescore
