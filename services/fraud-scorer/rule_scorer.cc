#include "services/fraud-scorer/rule_scorer.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/review/validation.h"

namespace candor::fraud_scorer {
namespace {

struct Accumulator {
  double score = 0.0;
  std::vector<review::Reason> fired;

  // Rule `code` fired having measured `value`; `text` says what it saw.
  void Fire(std::string code, double weight, double value, std::string text) {
    score += weight;
    fired.push_back({std::move(code), value, weight, std::move(text)});
  }

  // The score capped to [0, 1] and rounded to 4 decimals, so a sum of weights that should equal a
  // threshold (0.15 + 0.15 vs 0.30) is not pushed across it by binary rounding.
  double Final() const { return std::round(std::clamp(score, 0.0, 1.0) * 1e4) / 1e4; }

  // The reasons, heaviest rule first (stable, so equal weights keep rule order).
  std::vector<review::Reason> Reasons() {
    std::stable_sort(fired.begin(), fired.end(),
                     [](const auto& a, const auto& b) { return a.weight > b.weight; });
    return std::move(fired);
  }
};

void ApplyTextRules(const RuleSet& rules, const review::Submission& s, Accumulator* acc) {
  const auto body_chars = static_cast<int64_t>(review::Utf8Length(s.body));
  if (body_chars < rules.short_body_chars) {
    acc->Fire("short_body", rules.short_body_weight, static_cast<double>(body_chars),
              absl::StrCat(body_chars, " characters, under ", rules.short_body_chars));
  }

  int64_t letters = 0;
  int64_t upper = 0;
  int64_t bangs = 0;
  for (const std::string* text : {&s.title, &s.body}) {
    for (char c : *text) {
      if (c >= 'A' && c <= 'Z') {
        ++letters;
        ++upper;
      } else if (c >= 'a' && c <= 'z') {
        ++letters;
      } else if (c == '!') {
        ++bangs;
      }
    }
  }
  if (letters >= rules.shouting_min_letters &&
      static_cast<double>(upper) >= rules.shouting_upper_ratio * static_cast<double>(letters)) {
    acc->Fire("shouting", rules.shouting_weight,
              static_cast<double>(upper) / static_cast<double>(letters),
              absl::StrCat(upper, " of ", letters, " letters upper case"));
  }
  if (bangs >= rules.exclamations) {
    acc->Fire("exclamations", rules.exclamations_weight, static_cast<double>(bangs),
              absl::StrCat(bangs, " '!'"));
  }
  if ((s.rating == 1 || s.rating == 5) && body_chars < rules.extreme_short_chars) {
    acc->Fire("extreme_short", rules.extreme_short_weight, static_cast<double>(body_chars),
              absl::StrCat(s.rating, " stars with ", body_chars, " characters, under ",
                           rules.extreme_short_chars));
  }
}

void ApplyBehaviourRules(const RuleSet& rules, const UserActivity& a, Accumulator* acc) {
  if (a.reviews_24h >= rules.burst_reviews_24h) {
    acc->Fire("burst_24h", rules.burst_weight, static_cast<double>(a.reviews_24h),
              absl::StrCat(a.reviews_24h, " submissions by this user in 24 h"));
  }
  if (a.products_24h >= rules.many_products_24h) {
    acc->Fire("many_products_24h", rules.many_products_weight, static_cast<double>(a.products_24h),
              absl::StrCat(a.products_24h, " products reviewed in 24 h"));
  }
}

// The window is keyed by when the user submitted (the gateway's clock), not by when this batch
// happens to be processed, so a lagging consumer or a redelivery sees the same history. A
// submission time from the future (clock skew) is clamped to now.
absl::Time WindowTime(const review::Submission& s, absl::Time now) {
  return s.submitted_at == absl::Time() ? now : std::min(s.submitted_at, now);
}

// The decision from the text rules already in `acc` and the user's activity.
Decision Decide(const RuleSet& rules, const Thresholds& thresholds, Accumulator acc,
                const absl::StatusOr<UserActivity>& activity) {
  Decision d;
  d.scorer = RuleScorer::kName;
  if (!activity.ok()) {
    // Fail open (design.md 4): without behaviour the text rules alone are not trusted to hold a
    // review back; it becomes active and the audit says why it was not scored.
    d.kind = Decision::Kind::kUnscored;
    d.score = acc.Final();
    d.reasons = acc.Reasons();
    d.reasons.push_back({"behaviour_unavailable", 0, 0, std::string(activity.status().message())});
    return d;
  }
  ApplyBehaviourRules(rules, *activity, &acc);
  d.score = acc.Final();
  d.kind = thresholds.Route(d.score);
  d.reasons = acc.Reasons();
  return d;
}

}  // namespace

RuleScorer::RuleScorer(BehaviourWindow& window, Thresholds thresholds, RuleSet rules)
    : window_(window), thresholds_(thresholds), rules_(rules) {}

absl::StatusOr<Decision> RuleScorer::Score(const review::Submission& s, absl::Time now) {
  Accumulator acc;
  ApplyTextRules(rules_, s, &acc);
  absl::StatusOr<UserActivity> activity =
      window_.Record(s.user_id, s.review_id, s.asin, WindowTime(s, now), now);
  return Decide(rules_, thresholds_, std::move(acc), activity);
}

std::vector<absl::StatusOr<Decision>> RuleScorer::ScoreBatch(
    const std::vector<review::Submission>& submissions, absl::Time now) {
  std::vector<WindowEntry> entries;
  entries.reserve(submissions.size());
  for (const review::Submission& s : submissions) {
    entries.push_back({s.user_id, s.review_id, s.asin, WindowTime(s, now)});
  }
  // One call for the batch: the Redis window makes it one round trip.
  std::vector<absl::StatusOr<UserActivity>> activities = window_.RecordBatch(entries, now);
  if (activities.size() != submissions.size()) {
    // A broken adapter: fail open for the whole batch rather than guess which result is whose.
    activities.assign(submissions.size(), absl::InternalError(absl::StrCat(
                                              "behaviour window returned ", activities.size(),
                                              " results for ", submissions.size(), " reviews")));
  }
  std::vector<absl::StatusOr<Decision>> out;
  out.reserve(submissions.size());
  for (size_t i = 0; i < submissions.size(); ++i) {
    Accumulator acc;
    ApplyTextRules(rules_, submissions[i], &acc);
    out.push_back(Decide(rules_, thresholds_, std::move(acc), activities[i]));
  }
  return out;
}

}  // namespace candor::fraud_scorer
