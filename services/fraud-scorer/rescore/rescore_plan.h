#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "libs/review/review_event.h"
#include "libs/review/review_status.h"
#include "libs/reviewdb/review_rows.h"
#include "services/fraud-scorer/scorer.h"

// What a re-score does with one stored review, as pure functions (README.md, "What it does with
// each review"): whether it is re-scored at all, where a decision moves it, and which event makes
// the aggregates follow.
namespace candor::fraud_scorer::rescore {

// Why a candidate is not re-scored; kNone when it is.
enum class Skip {
  kNone,
  kDecidedByThisModel,  // its latest decision is this model's (and not unscored): idempotency
  kModerated,           // its status is not the one its latest decision routes to: a moderator
                        // (or anything but scoring) decided it, which a re-score never overrides
  kNoDecision,          // it has no audit row (written around the scorer, e.g. a bulk load)
  kBeyondMemory,        // recorded in the feature store, and older than its memory (see below)
};

// The name of `skip` in the report ("decided by this model", ...).
std::string_view SkipName(Skip skip);

// How long the feature store recognises a review it recorded (libs/fraud's author window,
// kUserKeepMs): re-recording an older one would count it a second time in its author's and
// product's counters, which the live scorer reads.
inline constexpr absl::Duration kFeatureMemory = absl::Hours(24 * 30);

// Whether `c` was never recorded in the feature store: its latest decision failed open because
// the features could not be read (reason code kFeaturesUnavailable). Recording it now is its
// first time, whatever its age.
inline constexpr char kFeaturesUnavailable[] = "features_unavailable";
bool NeverRecorded(const reviewdb::RescoreCandidate& c);

// Whether and why not `c` is re-scored by the model `model_version` at `now`: kNoDecision without
// an audit row; kDecidedByThisModel when that row is the model's and not unscored; kModerated
// when the status is not the one the decision routes to; kBeyondMemory when it was recorded and
// submitted before now - kFeatureMemory; otherwise kNone. Pure.
Skip Classify(const reviewdb::RescoreCandidate& c, std::string_view model_version, absl::Time now);

// The decision whose stored name (KindName) is `name`; nullopt for another name.
std::optional<Decision::Kind> KindNamed(std::string_view name);

// The status a stored decision name routes to, as the scorer routes it (StatusFor): pass and
// unscored -> active, queue -> held, reject -> rejected; nullopt for another name.
std::optional<review::ReviewStatus> StatusOfDecision(std::string_view decision);

// The event on review-events that makes the aggregates follow a review from `from` to `to`:
// Accepted when it becomes active (the aggregator counts it unless it already counts), Removed
// when it stops being active (the aggregator uncounts it), none otherwise.
enum class EventKind { kNone, kAccepted, kRemoved };
EventKind EventFor(review::ReviewStatus from, review::ReviewStatus to);

// The event a review this model already decided may still lack: counted while not active ->
// Removed, active while not counted -> Accepted. After a run that committed a batch but failed
// before Kafka confirmed its events, the next run sends them this way. Both are idempotent, so
// one the aggregator has merely not applied yet is harmless to send again. kNone when `c`'s
// status is not its decision's (a moderator's business) or the flag agrees with it.
EventKind MissingEvent(const reviewdb::RescoreCandidate& c);

// The reason_code of the Removed events a re-score publishes.
inline constexpr char kRescoredReasonCode[] = "rescored";

// The event of `kind` (not kNone) about review `s` (its ids; an Accepted also its rating, verified
// flag and author), `occurred_at` the decision's time (its audit row's), so a re-send of the same
// event is identical.
review::ReviewEvent MakeEvent(EventKind kind, const review::Submission& s, absl::Time occurred_at);

}  // namespace candor::fraud_scorer::rescore
