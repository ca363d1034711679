#include "tools/candor-drive/scenario.h"

#include <set>

#include "gtest/gtest.h"
#include "libs/review/validation.h"

namespace candor::drive {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1'780'000'000);

std::vector<const Review*> Group(const Scenario& s, ScenarioGroup g) {
  std::vector<const Review*> out;
  for (size_t i = 0; i < s.live.primaries.size(); ++i) {
    if (s.live_groups[i] == g) out.push_back(&s.live.primaries[i].review);
  }
  return out;
}

Scenario Build(ScenarioKind kind) {
  ScenarioOptions o;
  o.kind = kind;
  o.seed = 42;
  return *BuildScenario(o, kNow);
}

void ExpectValid(const Review& r) {
  EXPECT_TRUE(review::ValidateSubmission(ShopperInput(r)).ok()) << r.user << ": " << r.body;
  EXPECT_TRUE(review::ValidateClientIp(r.client_ip).ok()) << r.client_ip;
}

TEST(ScenarioTest, FarmIsTheIssuesFarm) {
  const Scenario s = Build(ScenarioKind::kFarm);
  // 300 fresh accounts, each one five-star review of one product, within an hour.
  const std::vector<const Review*> attack = Group(s, ScenarioGroup::kAttack);
  ASSERT_EQ(attack.size(), 300u);
  EXPECT_EQ(s.attack, 300);
  EXPECT_EQ(s.spread, absl::Hours(1));
  std::set<std::string> users, bodies, addresses, devices;
  for (const Review* r : attack) {
    users.insert(r->user);
    bodies.insert(r->body);
    addresses.insert(r->client_ip);
    devices.insert(r->device_id);
    EXPECT_EQ(r->asin, s.target);
    EXPECT_EQ(r->rating, 5);
    EXPECT_FALSE(r->verified_purchase);
    EXPECT_EQ(r->account_created, kNow);  // created when the attack starts
    EXPECT_FALSE(r->submitted_at);        // live: the gateway's clock
    EXPECT_EQ(r->client_ip.rfind("2001:db8:", 0), 0u) << r->client_ip;
    ExpectValid(*r);
  }
  EXPECT_EQ(users.size(), 300u);
  EXPECT_EQ(bodies.size(), 300u);  // never an exact duplicate
  EXPECT_EQ(addresses.size(), 300u);
  EXPECT_EQ(devices.size(), 300u);
  EXPECT_TRUE(review::IsValidAsin(s.target));
  EXPECT_EQ(s.live.size(), 310u);  // with the default background of 10
  EXPECT_TRUE(s.live.follow_ups.empty());
}

TEST(ScenarioTest, LiveTrafficIsSpreadEvenlyOverTheWindow) {
  ScenarioOptions o;
  o.seed = 3;
  const Scenario s = *BuildScenario(o, kNow);
  const size_t n = s.live.primaries.size();
  EXPECT_DOUBLE_EQ(s.rate(), static_cast<double>(n) / 3600.0);
  EXPECT_EQ(s.Due(0), absl::ZeroDuration());
  EXPECT_LT(s.Due(n - 1), s.spread);                      // the last leaves within the hour
  EXPECT_GT(s.Due(n - 1), s.spread - absl::Seconds(30));  // and the hour is used
  // The attack covers the window too, not only its start: background is shuffled in.
  size_t first = n, last = 0;
  for (size_t i = 0; i < n; ++i) {
    if (s.live_groups[i] != ScenarioGroup::kAttack) continue;
    first = std::min(first, i);
    last = std::max(last, i);
  }
  EXPECT_LT(s.Due(first), absl::Minutes(2));
  EXPECT_GT(s.Due(last), absl::Minutes(58));
}

TEST(ScenarioTest, BombIsTheIssuesBomb) {
  const Scenario s = Build(ScenarioKind::kBomb);
  const std::vector<const Review*> attack = Group(s, ScenarioGroup::kAttack);
  ASSERT_EQ(attack.size(), 200u);
  EXPECT_EQ(s.spread, absl::Minutes(10));
  EXPECT_LT(s.Due(s.live.primaries.size() - 1), absl::Minutes(10));
  std::set<std::string> users, bodies;
  for (const Review* r : attack) {
    users.insert(r->user);
    bodies.insert(r->body);
    EXPECT_EQ(r->asin, s.target);
    EXPECT_EQ(r->rating, 1);
    EXPECT_EQ(r->account_created, kNow);
    ExpectValid(*r);
  }
  EXPECT_EQ(users.size(), 200u);
  EXPECT_EQ(bodies.size(), 200u);
}

TEST(ScenarioTest, GenuineReviewsAreAgedAccountsAndHistoryIsDatedBefore) {
  ScenarioOptions o;
  o.seed = 9;
  o.background = 25;
  o.history = 40;
  const Scenario s = *BuildScenario(o, kNow);
  std::set<std::string> users;
  for (const PlannedRequest& p : s.live.primaries) users.insert(p.review.user);
  const std::vector<const Review*> background = Group(s, ScenarioGroup::kBackground);
  ASSERT_EQ(background.size(), 25u);
  for (const Review* r : background) {
    EXPECT_EQ(r->asin, s.target);
    ASSERT_TRUE(r->account_created);
    EXPECT_LE(*r->account_created, kNow - absl::Hours(24 * 200));
    ExpectValid(*r);
  }
  ASSERT_EQ(s.history.primaries.size(), 40u);
  absl::Time previous = absl::InfinitePast();
  for (const PlannedRequest& p : s.history.primaries) {
    const Review& r = p.review;
    EXPECT_TRUE(users.insert(r.user).second) << r.user;  // nobody is in two groups
    EXPECT_EQ(r.asin, s.target);
    ASSERT_TRUE(r.submitted_at);
    EXPECT_GE(*r.submitted_at, kNow - kHistorySpan);
    EXPECT_LE(*r.submitted_at, kNow - kHistoryGap);
    EXPECT_GE(*r.submitted_at, previous);  // sent oldest first
    previous = *r.submitted_at;
    ASSERT_TRUE(r.account_created);
    EXPECT_LT(*r.account_created, *r.submitted_at);
    EXPECT_TRUE(review::ValidateImportTime(*r.submitted_at, kNow).ok());
    ExpectValid(r);
  }
}

TEST(ScenarioTest, SeedsGiveFreshAccountsAddressesAndTargets) {
  ScenarioOptions a, b;
  a.seed = 1;
  b.seed = 2;
  const Scenario x = *BuildScenario(a, kNow);
  const Scenario y = *BuildScenario(b, kNow);
  EXPECT_NE(x.target, y.target);
  std::set<std::string> seen;
  for (const PlannedRequest& p : x.live.primaries) {
    seen.insert(p.review.user);
    seen.insert(p.review.client_ip);
  }
  for (const PlannedRequest& p : y.live.primaries) {
    EXPECT_FALSE(seen.contains(p.review.user));
    EXPECT_FALSE(seen.contains(p.review.client_ip));
  }
  // The same seed, the same traffic.
  const Scenario x2 = *BuildScenario(a, kNow);
  EXPECT_EQ(x2.live.primaries[7].review.body, x.live.primaries[7].review.body);
  EXPECT_EQ(x2.live.primaries[7].review.user, x.live.primaries[7].review.user);
}

TEST(ScenarioTest, OptionsAreChecked) {
  ScenarioOptions o;
  o.target = "not-an-asin";
  EXPECT_FALSE(BuildScenario(o, kNow).ok());
  o = {};
  o.attack = 20'001;
  EXPECT_FALSE(BuildScenario(o, kNow).ok());
  o = {};
  o.history = 20'001;
  EXPECT_FALSE(BuildScenario(o, kNow).ok());
  o = {};
  o.spread = absl::Milliseconds(500);
  EXPECT_FALSE(BuildScenario(o, kNow).ok());
  // The most accounts a run can have, each with an address of its own.
  o = {};
  o.attack = 20'000;
  o.background = 20'000;
  o.history = 20'000;
  const Scenario big = *BuildScenario(o, kNow);
  std::set<std::string> addresses;
  for (const PlannedRequest& p : big.live.primaries) addresses.insert(p.review.client_ip);
  for (const PlannedRequest& p : big.history.primaries) addresses.insert(p.review.client_ip);
  EXPECT_EQ(addresses.size(), 60'000u);
  EXPECT_TRUE(review::ValidateClientIp(*addresses.begin()).ok());
  EXPECT_TRUE(review::ValidateClientIp(*addresses.rbegin()).ok());
  o = {};
  o.forwarded_for = false;
  o.target = "B00TARGET1";
  const Scenario s = *BuildScenario(o, kNow);
  EXPECT_EQ(s.target, "B00TARGET1");
  for (const PlannedRequest& p : s.live.primaries) EXPECT_EQ(p.review.client_ip, "");
}

TEST(ScenarioTallyTest, CountsDecisionsPerGroup) {
  ScenarioOptions o;
  o.attack = 4;
  o.background = 2;
  o.history = 1;
  o.spread = absl::Seconds(10);
  const Scenario s = *BuildScenario(o, kNow);
  std::vector<Outcome> live(s.live.primaries.size());
  std::map<std::string, reviewdb::ReviewDecision> decisions;
  int attack_seen = 0;
  for (size_t i = 0; i < live.size(); ++i) {
    live[i].answered = true;
    live[i].code = absl::StatusCode::kOk;
    live[i].review_id = absl::StrCat("id", i);
    reviewdb::ReviewDecision d;
    d.review_id = live[i].review_id;
    d.user_id = s.live.primaries[i].review.user;
    d.decision = "pass";
    if (s.live_groups[i] == ScenarioGroup::kAttack) {
      // Attack: rejected, held, passed, and one the gateway refused.
      switch (attack_seen++) {
        case 0:
          d.status = review::ReviewStatus::kRejected;
          d.decision = "reject";
          d.reasons = {{"near_dup_accounts", 41, 0.3, "41 accounts"}};
          break;
        case 1:
          d.status = review::ReviewStatus::kHeld;
          d.decision = "queue";
          d.reasons = {{"account_age_days", 0, 0.2, "new"}};
          break;
        case 2:
          d.reasons = {{"text_length", 180, -0.1, ""}};
          break;
        default:
          live[i].code = absl::StatusCode::kAlreadyExists;
          continue;
      }
    } else {
      d.decision = reviewdb::kUnscoredDecision;
    }
    decisions[d.review_id] = d;
  }
  std::vector<Outcome> history(1);
  history[0].answered = true;
  history[0].code = absl::StatusCode::kOk;
  history[0].review_id = "not-stored";

  ScenarioOutcome out = TallyScenario(s, history, live, decisions);
  const GroupTally& a = out.groups.at(ScenarioGroup::kAttack);
  EXPECT_EQ(a.submitted, 4);
  EXPECT_EQ(a.accepted, 3);
  EXPECT_EQ(a.rejected, 1);
  EXPECT_EQ(a.held, 1);
  EXPECT_EQ(a.active, 1);
  EXPECT_NEAR(a.CaughtPct(), 200.0 / 3, 1e-9);
  EXPECT_EQ(a.caught_reasons.at("near_dup_accounts"), 1);
  EXPECT_EQ(a.passed_reasons.at("text_length"), 1);
  ASSERT_EQ(a.passed_examples.size(), 1u);
  EXPECT_NE(a.passed_examples[0].find("text_length=180"), std::string::npos)
      << a.passed_examples[0];
  const GroupTally& g = out.groups.at(ScenarioGroup::kBackground);
  EXPECT_EQ(g.accepted, 2);
  EXPECT_EQ(g.active, 2);
  EXPECT_EQ(g.unscored, 2);
  EXPECT_EQ(out.groups.at(ScenarioGroup::kHistory).undecided, 1);

  EXPECT_TRUE(out.Met());  // no expectation
  out.expect_caught_pct = 60;
  EXPECT_TRUE(out.Met());
  out.expect_caught_pct = 95;
  EXPECT_FALSE(out.Met());
  EXPECT_NE(ScenarioText(out).find("NOT met"), std::string::npos);
  EXPECT_EQ(ScenarioJson(out)["groups"]["attack"]["rejected"], 1);
  EXPECT_EQ(ScenarioJson(out)["met"], false);
}

}  // namespace
}  // namespace candor::drive
