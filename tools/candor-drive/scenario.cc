#include "tools/candor-drive/scenario.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <unordered_set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "libs/review/fingerprint.h"
#include "libs/review/ip_address.h"
#include "libs/review/review_status.h"
#include "libs/review/validation.h"
#include "tools/candor-drive/generator.h"
#include "tools/candor-drive/spinner.h"

namespace candor::drive {
namespace {

using Rng = std::mt19937_64;

// Every account has a /64 of the run's /48: 65,536 of them, attack and genuine together.
constexpr int64_t kMaxAttack = 20'000;
constexpr int64_t kMaxGenuine = 20'000;

// Attack accounts take the run's address slots (AccountAddress) from 0 up, genuine ones from
// ffff down.

std::string DeviceId(Rng& rng) {
  return absl::StrFormat("dev-%016x", static_cast<uint64_t>(rng()));
}

absl::Time Uniform(Rng& rng, absl::Time from, absl::Time to) {
  const double u = std::uniform_real_distribution<double>(0, 1)(rng);
  return from + absl::Seconds(std::floor(absl::ToDoubleSeconds(to - from) * u));
}

// A genuine shopper's review of `asin`: aged account, the generator's rating and text.
Review GenuineReview(Rng& rng, std::string user, const std::string& asin, absl::Time written,
                     std::string address) {
  Review r;
  r.user = std::move(user);
  r.asin = asin;
  r.rating = SampleRating(rng);
  r.title = GeneratedTitle(rng, r.rating);
  r.body = GeneratedBody(rng, r.rating);
  r.verified_purchase = VerifiedByHash(r.user, r.asin);
  r.account_created =
      Uniform(rng, written - absl::Hours(24 * 365 * 6), written - absl::Hours(24 * 200));
  r.client_ip = std::move(address);
  r.device_id = DeviceId(rng);
  return r;
}

std::string Percent(int64_t n, int64_t of) {
  return absl::StrFormat("%.1f %%",
                         of > 0 ? 100.0 * static_cast<double>(n) / static_cast<double>(of) : 0.0);
}

// "held farm1a2b-a12 <id>: near_dup_accounts=41 (0.31), account_age_days=0 (0.12)".
std::string Example(const reviewdb::ReviewDecision& d) {
  std::vector<std::string> reasons;
  for (const review::Reason& r : d.reasons) {
    reasons.push_back(absl::StrFormat("%s=%g (%+.3f)", r.code, r.value, r.weight));
  }
  return absl::StrCat(std::string(review::StatusName(d.status)), " ", d.user_id, " ", d.review_id,
                      " [", d.decision, "]: ", reasons.empty() ? "no reasons" : "",
                      absl::StrJoin(reasons, ", "));
}

}  // namespace

std::string_view ScenarioName(ScenarioKind kind) {
  return kind == ScenarioKind::kFarm ? "farm" : "bomb";
}

std::optional<ScenarioKind> ParseScenarioKind(std::string_view name) {
  if (name == "farm") return ScenarioKind::kFarm;
  if (name == "bomb") return ScenarioKind::kBomb;
  return std::nullopt;
}

std::string_view GroupName(ScenarioGroup group) {
  switch (group) {
    case ScenarioGroup::kAttack:
      return "attack";
    case ScenarioGroup::kBackground:
      return "background";
    case ScenarioGroup::kHistory:
      return "history";
  }
  return "?";
}

int64_t DefaultAttack(ScenarioKind kind) { return kind == ScenarioKind::kFarm ? 300 : 200; }

absl::Duration DefaultSpread(ScenarioKind kind) {
  return kind == ScenarioKind::kFarm ? absl::Hours(1) : absl::Minutes(10);
}

double Scenario::rate() const {
  return static_cast<double>(live.primaries.size()) / absl::ToDoubleSeconds(spread);
}

absl::Duration Scenario::Due(size_t i) const {
  return spread * static_cast<double>(i) / static_cast<double>(live.primaries.size());
}

absl::StatusOr<Scenario> BuildScenario(const ScenarioOptions& o, absl::Time now) {
  Scenario s;
  s.kind = o.kind;
  s.attack = o.attack > 0 ? o.attack : DefaultAttack(o.kind);
  s.spread = o.spread > absl::ZeroDuration() ? o.spread : DefaultSpread(o.kind);
  if (s.attack > kMaxAttack) {
    return absl::InvalidArgumentError(absl::StrCat("attack: at most ", kMaxAttack, " reviews"));
  }
  if (o.background < 0 || o.background > kMaxGenuine || o.history < 0 || o.history > kMaxGenuine) {
    return absl::InvalidArgumentError(
        absl::StrCat("background and history: 0..", kMaxGenuine, " reviews each"));
  }
  if (s.spread < absl::Seconds(1)) {
    return absl::InvalidArgumentError("spread: at least one second");
  }
  const uint32_t name_tag = RunTag(o.seed);
  const uint32_t tag = name_tag >> 8;
  Rng rng(o.seed);
  s.target = o.target;
  if (s.target.empty()) {
    s.target = absl::StrFormat("B0SC%06d", static_cast<int>(rng() % 1'000'000));
  }
  if (!review::IsValidAsin(s.target)) {
    return absl::InvalidArgumentError(absl::StrCat("target: '", s.target, "' is not an ASIN"));
  }
  const std::string prefix = absl::StrFormat("%s%06x-", ScenarioName(o.kind), name_tag);

  // The attack: fresh accounts, one review each.
  std::vector<Review> attack;
  attack.reserve(static_cast<size_t>(s.attack));
  if (o.kind == ScenarioKind::kFarm) {
    absl::StatusOr<TextSpinner> spinner = TextSpinner::Create(FarmTemplate(), rng());
    if (!spinner.ok()) return spinner.status();
    absl::StatusOr<std::vector<TextSpinner::Copy>> copies = spinner->Distinct(s.attack);
    if (!copies.ok()) return copies.status();
    for (TextSpinner::Copy& c : *copies) {
      Review r;
      r.rating = 5;
      r.title = std::move(c.title);
      r.body = std::move(c.body);
      attack.push_back(std::move(r));
    }
  } else {
    std::unordered_set<std::string> bodies;
    while (static_cast<int64_t>(attack.size()) < s.attack) {
      Review r;
      r.rating = 1;
      r.title = GeneratedTitle(rng, 1);
      r.body = GeneratedBody(rng, 1);
      if (bodies.insert(review::NormalizeText(r.body)).second) attack.push_back(std::move(r));
    }
  }
  for (size_t n = 0; n < attack.size(); ++n) {
    Review& r = attack[n];
    r.user = absl::StrCat(prefix, "a", n);
    r.asin = s.target;
    r.verified_purchase = false;
    r.account_created = now;
    if (o.forwarded_for) r.client_ip = AccountAddress(tag, static_cast<uint32_t>(n));
    r.device_id = DeviceId(rng);
  }

  // Genuine shoppers: the live background and the product's history.
  uint32_t genuine_slot = 0xffff;
  auto genuine_address = [&] { return o.forwarded_for ? AccountAddress(tag, genuine_slot--) : ""; };
  std::vector<std::pair<Review, ScenarioGroup>> live;
  live.reserve(attack.size() + static_cast<size_t>(o.background));
  for (Review& r : attack) live.emplace_back(std::move(r), ScenarioGroup::kAttack);
  for (int64_t n = 0; n < o.background; ++n) {
    live.emplace_back(
        GenuineReview(rng, absl::StrCat(prefix, "g", n), s.target, now, genuine_address()),
        ScenarioGroup::kBackground);
  }
  std::shuffle(live.begin(), live.end(), rng);
  for (auto& [r, group] : live) {
    PlannedRequest p;
    p.review = std::move(r);
    p.expect = Expect::kOk;
    s.live.primaries.push_back(std::move(p));
    s.live_groups.push_back(group);
  }

  std::vector<Review> history;
  for (int64_t n = 0; n < o.history; ++n) {
    const absl::Time written = Uniform(rng, now - kHistorySpan, now - kHistoryGap);
    Review r =
        GenuineReview(rng, absl::StrCat(prefix, "h", n), s.target, written, genuine_address());
    r.submitted_at = written;
    history.push_back(std::move(r));
  }
  std::sort(history.begin(), history.end(),
            [](const Review& a, const Review& b) { return *a.submitted_at < *b.submitted_at; });
  for (Review& r : history) {
    PlannedRequest p;
    p.review = std::move(r);
    p.expect = Expect::kOk;
    s.history.primaries.push_back(std::move(p));
  }

  const std::string what = absl::StrFormat(
      "scenario %s (seed %d): %d %s reviews of %s from fresh accounts over %s, %d genuine "
      "ones beside them, %d genuine ones before (imported)%s",
      ScenarioName(o.kind), o.seed, s.attack,
      o.kind == ScenarioKind::kFarm ? "five-star spun" : "one-star", s.target,
      absl::FormatDuration(s.spread), o.background, o.history,
      o.forwarded_for ? "; every account its own address (x-forwarded-for)" : "");
  s.live.source = what;
  s.history.source = what;
  return s;
}

double GroupTally::CaughtPct() const {
  return accepted > 0 ? 100.0 * static_cast<double>(held + rejected) / static_cast<double>(accepted)
                      : 0.0;
}

bool ScenarioOutcome::Met() const {
  if (!expect_caught_pct) return true;
  if (!error.empty()) return false;
  auto it = groups.find(ScenarioGroup::kAttack);
  return it != groups.end() && it->second.accepted > 0 &&
         it->second.CaughtPct() >= *expect_caught_pct;
}

ScenarioOutcome TallyScenario(const Scenario& scenario,
                              const std::vector<Outcome>& history_outcomes,
                              const std::vector<Outcome>& live_outcomes,
                              const std::map<std::string, reviewdb::ReviewDecision>& decisions,
                              size_t max_examples, size_t max_missed) {
  ScenarioOutcome out;
  out.kind = std::string(ScenarioName(scenario.kind));
  out.target = scenario.target;
  out.spread_s = absl::ToDoubleSeconds(scenario.spread);
  for (ScenarioGroup g : kScenarioGroups) out.groups[g];
  auto add = [&](ScenarioGroup group, const Outcome& o) {
    GroupTally& t = out.groups[group];
    if (!o.answered) return;
    ++t.submitted;
    if (o.code != absl::StatusCode::kOk) return;
    ++t.accepted;
    auto it = decisions.find(o.review_id);
    if (it == decisions.end()) {
      ++t.undecided;
      return;
    }
    const reviewdb::ReviewDecision& d = it->second;
    bool caught = false;
    switch (d.status) {
      case review::ReviewStatus::kActive:
        ++t.active;
        if (d.decision == reviewdb::kUnscoredDecision) ++t.unscored;
        break;
      case review::ReviewStatus::kHeld:
        ++t.held;
        caught = true;
        break;
      case review::ReviewStatus::kRejected:
        ++t.rejected;
        caught = true;
        break;
      case review::ReviewStatus::kRemoved:
        ++t.removed;
        break;
      case review::ReviewStatus::kAwaitingScoring:  // never stored
        ++t.undecided;
        return;
    }
    auto& reasons = caught ? t.caught_reasons : t.passed_reasons;
    for (const review::Reason& r : d.reasons) ++reasons[r.code];
    auto& examples = caught ? t.caught_examples : t.passed_examples;
    const size_t limit = !caught && group == ScenarioGroup::kAttack ? max_missed : max_examples;
    if (examples.size() < limit) examples.push_back(Example(d));
  };
  for (size_t i = 0; i < scenario.live.primaries.size() && i < live_outcomes.size(); ++i) {
    add(scenario.live_groups[i], live_outcomes[i]);
  }
  for (const Outcome& o : history_outcomes) add(ScenarioGroup::kHistory, o);
  return out;
}

namespace {

std::string TopReasons(const std::map<std::string, int64_t>& counts, int64_t of) {
  std::vector<std::pair<std::string, int64_t>> v(counts.begin(), counts.end());
  std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  if (v.size() > 6) v.resize(6);
  std::vector<std::string> parts;
  parts.reserve(v.size());
  for (const auto& [code, n] : v) parts.push_back(absl::StrCat(code, " ", n, "/", of));
  return absl::StrJoin(parts, ", ");
}

}  // namespace

std::string ScenarioText(const ScenarioOutcome& s) {
  std::string out =
      absl::StrFormat("\nScenario        %s on %s over %.0f s\n", s.kind, s.target, s.spread_s);
  if (!s.error.empty()) absl::StrAppend(&out, "  decisions not read: ", s.error, "\n");
  absl::StrAppend(&out,
                  "  group        submitted  accepted    active   (unscored)      held  rejected"
                  "   removed  undecided   caught\n");
  for (const auto& [group, t] : s.groups) {
    if (t.submitted == 0) continue;
    absl::StrAppend(
        &out, absl::StrFormat("  %-10s %11d %9d %9d %12d %9d %9d %9d %10d   %s\n", GroupName(group),
                              t.submitted, t.accepted, t.active, t.unscored, t.held, t.rejected,
                              t.removed, t.undecided, Percent(t.held + t.rejected, t.accepted)));
  }
  for (const auto& [group, t] : s.groups) {
    if (t.accepted == 0) continue;
    const int64_t caught = t.held + t.rejected;
    const int64_t passed = t.active + t.removed;
    if (!t.caught_reasons.empty()) {
      absl::StrAppend(&out, "  ", std::string(GroupName(group)),
                      " caught, reasons: ", TopReasons(t.caught_reasons, caught), "\n");
    }
    if (!t.passed_reasons.empty()) {
      absl::StrAppend(&out, "  ", std::string(GroupName(group)),
                      " passed, reasons: ", TopReasons(t.passed_reasons, passed), "\n");
    }
    for (const std::string& e : t.caught_examples) absl::StrAppend(&out, "    ", e, "\n");
    for (const std::string& e : t.passed_examples) absl::StrAppend(&out, "    ", e, "\n");
  }
  if (s.expect_caught_pct) {
    const GroupTally& a = s.groups.at(ScenarioGroup::kAttack);
    absl::StrAppend(&out, absl::StrFormat("  expected at least %.1f %% of the attack caught: %s "
                                          "(%s)\n",
                                          *s.expect_caught_pct, s.Met() ? "met" : "NOT met",
                                          Percent(a.held + a.rejected, a.accepted)));
  }
  return out;
}

nlohmann::json ScenarioJson(const ScenarioOutcome& s) {
  nlohmann::json groups = nlohmann::json::object();
  for (const auto& [group, t] : s.groups) {
    groups[std::string(GroupName(group))] = {{"submitted", t.submitted},
                                             {"accepted", t.accepted},
                                             {"active", t.active},
                                             {"unscored", t.unscored},
                                             {"held", t.held},
                                             {"rejected", t.rejected},
                                             {"removed", t.removed},
                                             {"undecided", t.undecided},
                                             {"caught_pct", t.CaughtPct()},
                                             {"caught_reasons", t.caught_reasons},
                                             {"passed_reasons", t.passed_reasons},
                                             {"caught_examples", t.caught_examples},
                                             {"passed_examples", t.passed_examples}};
  }
  nlohmann::json j = {
      {"kind", s.kind},   {"target", s.target}, {"spread_s", s.spread_s},      {"groups", groups},
      {"error", s.error}, {"met", s.Met()},     {"expect_caught_pct", nullptr}};
  if (s.expect_caught_pct) j["expect_caught_pct"] = *s.expect_caught_pct;
  return j;
}

}  // namespace candor::drive
