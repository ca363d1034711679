#pragma once

#include <cstdint>

#include "absl/time/time.h"

namespace candor::helpfulness {

// The constants of the seed's helpfulness formula (design.md 5): a Wilson lower bound at 95 %,
// a recency decay of exp(-0.0019 per day) after a 30-day grace (a half-life of about a year), and
// a 1.15x boost for a verified purchase. Every field is configurable; the defaults are the seed's.
struct ScoreParams {
  double z = 1.96;                // normal quantile of the confidence level (1.96: 95 %)
  double decay_per_day = 0.0019;  // lambda of exp(-lambda * days) once the grace is over
  double grace_days = 30;         // no decay while a review is younger than this
  double verified_boost = 1.15;   // factor for a verified purchase (>= 1 keeps it a boost)
};

// The lower bound of the Wilson score interval for the proportion helpful / total at the
// confidence `z` stands for: close to the observed ratio when there are many votes, well below it
// when there are few (1 of 1 is 0.21, 480 of 500 is 0.94). 0 when total <= 0; `helpful` is
// clamped into [0, total]. Always in [0, 1].
double WilsonLowerBound(int64_t helpful, int64_t total, double z);

// The seed's score, for display: WilsonLowerBound x exp(-decay * max(age_days - grace, 0)) x
// (verified ? boost : 1). A negative age (a clock ahead of ours) counts as 0. It changes with
// time, so a stored copy goes stale; order by SortKey instead.
double Score(int64_t helpful, int64_t total, bool verified, double age_days,
             const ScoreParams& params);

// A key that orders reviews as Score does but does not change with time, so it can be stored
// once (a Redis sorted set, a Postgres column) and never recomputed while the votes stand still.
//
// log(Score) = log(wilson * boost) + decay * (created - now + grace), and the "- now" term is
// the same for every review, so log(wilson * boost) + decay * created_days orders reviews exactly
// as Score does at any moment for every review older than the grace. Inside the grace Score does
// not decay while this key keeps the exponential, so a review younger than 30 days ranks up to
// exp(0.0019 * 30) = 5.9 % higher against older ones than Score would put it: a documented
// simplification in favour of fresh reviews, never a reorder among reviews of the same age.
//
// Higher is better. Reviews with no helpful vote (Wilson 0) come below every review with one,
// newest first among themselves, which is the product page's "helpfulness, then recency".
// Creation times are clamped to [1970, 2200] so the key stays finite and ordered.
double SortKey(int64_t helpful, int64_t total, bool verified, absl::Time created,
               const ScoreParams& params);

}  // namespace candor::helpfulness
