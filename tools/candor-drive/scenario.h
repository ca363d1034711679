#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/reviewdb/review_rows.h"
#include "nlohmann/json.hpp"
#include "tools/candor-drive/outcomes.h"
#include "tools/candor-drive/traffic.h"

namespace candor::drive {

// The attacks of issue 10's acceptance test, as an attacker would run them: live SubmitReview
// calls with customer tokens, each review from an account of its own.
//   farm  fresh accounts each post one five-star review of one product, spun copies of one text
//         (near-duplicates, never exact ones), spread over an hour;
//   bomb  new accounts each post one one-star review of one product within ten minutes, texts
//         written independently.
enum class ScenarioKind { kFarm, kBomb };

std::string_view ScenarioName(ScenarioKind kind);
std::optional<ScenarioKind> ParseScenarioKind(std::string_view name);

// Who sent a scenario's review.
enum class ScenarioGroup {
  kAttack,      // the attack itself
  kBackground,  // genuine shoppers reviewing the target live, during the attack
  kHistory,     // genuine reviews of the target from before the attack (imported, their times)
};
inline constexpr ScenarioGroup kScenarioGroups[] = {
    ScenarioGroup::kAttack, ScenarioGroup::kBackground, ScenarioGroup::kHistory};
std::string_view GroupName(ScenarioGroup group);

struct ScenarioOptions {
  ScenarioKind kind = ScenarioKind::kFarm;
  int64_t attack = 0;                            // attack reviews; 0 = the kind's (300 / 200)
  absl::Duration spread = absl::ZeroDuration();  // 0 = the kind's (1 h / 10 min)
  int64_t background = 10;                       // genuine live reviews of the target
  int64_t history = 60;                          // genuine reviews of the target before it
  std::string target;                            // "" = a product of the run's own
  bool forwarded_for = true;                     // every account its own client address
  uint64_t seed = 1;
};

// The kind's defaults, from the issue: a farm of 300 within an hour, a bomb of 200 within ten
// minutes.
int64_t DefaultAttack(ScenarioKind kind);
absl::Duration DefaultSpread(ScenarioKind kind);

// The history's reviews are dated from kHistorySpan before the attack up to kHistoryGap before
// it: an established product, quiet for the last two days.
inline constexpr absl::Duration kHistorySpan = absl::Hours(24 * 90);
inline constexpr absl::Duration kHistoryGap = absl::Hours(48);

// One scenario's traffic.
struct Scenario {
  ScenarioKind kind = ScenarioKind::kFarm;
  std::string target;
  absl::Duration spread;
  int64_t attack = 0;
  Plan history;  // ImportReview, original times; sent first
  Plan live;     // SubmitReview, in sending order: attack and background interleaved at random
  std::vector<ScenarioGroup> live_groups;  // per live primary
  // Live requests leave evenly spaced over the spread: request i at i * spread / n, so the
  // last one leaves before the spread has passed.
  double rate() const;
  absl::Duration Due(size_t i) const;
};

// Builds the scenario from `o` at `now` (the attack's start), deterministically from the seed;
// different seeds give different accounts, addresses, devices and target.
//  - Attack accounts are fresh: user ids of this run's own (`<kind><tag>-a<n>`), account created
//    at `now`, not verified buyers. Farm: rating 5, the farm template spun (spinner.h), every
//    body distinct. Bomb: rating 1, the generator's one-star texts, every body distinct.
//  - Background accounts (`-g<n>`) are aged (created 200 days to 6 years before), ratings and
//    texts as the generator writes them, verified by VerifiedByHash. History (`-h<n>`): likewise,
//    dated at random in [now - kHistorySpan, now - kHistoryGap].
//  - Every account has its own device id and, with forwarded_for, its own address in the IPv6
//    documentation range (2001:db8::/32, RFC 3849; a /64 per account, a /48 per run).
// InvalidArgument for counts out of range (attack 1..20,000, background and history
// 0..20,000 each), a spread under a second, or a target that is not an ASIN.
absl::StatusOr<Scenario> BuildScenario(const ScenarioOptions& o, absl::Time now);

// How fraud scoring decided one group's reviews.
struct GroupTally {
  int64_t submitted = 0;  // requests sent
  int64_t accepted = 0;   // answered OK by the gateway
  int64_t active = 0;
  int64_t held = 0;  // in the moderation queue
  int64_t rejected = 0;
  int64_t removed = 0;
  int64_t unscored = 0;   // of `active`: scoring failed open (fraud_audit decision "unscored")
  int64_t undecided = 0;  // accepted, but not stored when the wait ended
  // How often each reason code came with a review held or rejected ("caught"), and with one
  // that passed.
  std::map<std::string, int64_t> caught_reasons;
  std::map<std::string, int64_t> passed_reasons;
  // A few decisions each, as text: "held farm..-a12 <review id>: code=value (weight), ...".
  std::vector<std::string> caught_examples;
  std::vector<std::string> passed_examples;

  // (held + rejected) / accepted, in percent; 0 when nothing was accepted.
  double CaughtPct() const;
};

// A scenario's decisions, for the report.
struct ScenarioOutcome {
  std::string kind;
  std::string target;
  double spread_s = 0;
  std::map<ScenarioGroup, GroupTally> groups;
  std::optional<double> expect_caught_pct;  // --expect-caught
  std::string error;                        // why the decisions could not be read

  // True unless an expectation was given and the attack's caught share fell short of it (or
  // could not be read).
  bool Met() const;
};

// Tallies the scenario's answers and decisions: `history_outcomes` and `live_outcomes` are the
// answers per request of scenario.history and scenario.live (Outcome::review_id for those
// answered OK), `decisions` the stored decision of every accepted review id that has a row.
// Keeps `max_examples` examples of caught and of passed reviews per group, and up to
// `max_missed` of the attack's passed ones (the misses, with what the scorer measured). Pure.
ScenarioOutcome TallyScenario(const Scenario& scenario,
                              const std::vector<Outcome>& history_outcomes,
                              const std::vector<Outcome>& live_outcomes,
                              const std::map<std::string, reviewdb::ReviewDecision>& decisions,
                              size_t max_examples = 3, size_t max_missed = 20);

// The report's scenario section, and its JSON ("scenario" in README.md).
std::string ScenarioText(const ScenarioOutcome& s);
nlohmann::json ScenarioJson(const ScenarioOutcome& s);

}  // namespace candor::drive
