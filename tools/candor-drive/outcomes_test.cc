#include "tools/candor-drive/outcomes.h"

#include "gtest/gtest.h"

namespace candor::drive {
namespace {

Outcome Ok(std::string id) { return {true, absl::StatusCode::kOk, std::move(id), ""}; }
Outcome Err(absl::StatusCode code) { return {true, code, "", "because"}; }

// primary 0 (OK, with a retry), primary 1 (invalid), primary 2 (OK, with a second review).
Plan SmallPlan() {
  Plan plan;
  plan.primaries.resize(3);
  plan.primaries[0].expect = Expect::kOk;
  plan.primaries[0].follow_up = 0;
  plan.primaries[1].expect = Expect::kInvalid;
  plan.primaries[2].expect = Expect::kOk;
  plan.primaries[2].follow_up = 1;
  plan.follow_ups.resize(2);
  plan.follow_ups[0].expect = Expect::kSameAsFirst;
  plan.follow_ups[1].expect = Expect::kDuplicate;
  return plan;
}

// `requests` primaries, all by `user` and all under one daily limit of 10 (exact or not).
Plan OneHeavyUser(const std::string& user, size_t requests, bool exact) {
  Plan plan;
  plan.user_limits.push_back({user, 10, exact});
  plan.primaries.resize(requests);
  for (auto& p : plan.primaries) p.user_limit = 0;
  return plan;
}

TEST(OutcomesTest, TallyByKind) {
  OutcomeCounts c = Tally(
      {Ok("a"), Err(absl::StatusCode::kAlreadyExists), Err(absl::StatusCode::kResourceExhausted),
       Err(absl::StatusCode::kInvalidArgument), Err(absl::StatusCode::kUnauthenticated),
       Err(absl::StatusCode::kUnavailable), Err(absl::StatusCode::kDeadlineExceeded), Outcome{}});
  EXPECT_EQ(c.ok, 1);
  EXPECT_EQ(c.duplicate, 1);
  EXPECT_EQ(c.limited, 1);
  EXPECT_EQ(c.invalid, 1);
  EXPECT_EQ(c.unauthenticated, 1);
  EXPECT_EQ(c.unavailable, 1);
  EXPECT_EQ(c.other, 1);
  EXPECT_EQ(c.not_sent, 1);
  EXPECT_EQ(c.answered(), 7);
  EXPECT_EQ(c.failures(), 3);
  EXPECT_EQ(c.by_code[absl::StatusCode::kDeadlineExceeded], 1);
  EXPECT_EQ(CodeName(absl::StatusCode::kResourceExhausted), "RESOURCE_EXHAUSTED");
}

TEST(OutcomesTest, AllAsExpected) {
  ExpectationReport r =
      CheckExpectations(SmallPlan(), {Ok("r0"), Err(absl::StatusCode::kInvalidArgument), Ok("r2"),
                                      Ok("r0"), Err(absl::StatusCode::kAlreadyExists)});
  EXPECT_EQ(r.checked, 5);
  EXPECT_EQ(r.mismatched, 0);
  // A retry may also come back ALREADY_EXISTS.
  r = CheckExpectations(
      SmallPlan(), {Ok("r0"), Err(absl::StatusCode::kInvalidArgument), Ok("r2"),
                    Err(absl::StatusCode::kAlreadyExists), Err(absl::StatusCode::kAlreadyExists)});
  EXPECT_EQ(r.mismatched, 0);
}

TEST(OutcomesTest, RetryWithAnotherIdAndAcceptedSecondReviewAreMismatches) {
  ExpectationReport r = CheckExpectations(
      SmallPlan(),
      {Ok("r0"), Err(absl::StatusCode::kInvalidArgument), Ok("r2"), Ok("other-id"), Ok("r3")});
  EXPECT_EQ(r.mismatched, 2);
  ASSERT_EQ(r.examples.size(), 2u);
  EXPECT_NE(r.examples[0].find("retry"), std::string::npos);
  EXPECT_NE(r.examples[1].find("ALREADY_EXISTS"), std::string::npos);
}

TEST(OutcomesTest, FollowUpOfAFailedFirstIsInconclusive) {
  ExpectationReport r = CheckExpectations(
      SmallPlan(), {Err(absl::StatusCode::kUnavailable), Err(absl::StatusCode::kInvalidArgument),
                    Ok("r2"), Ok("x"), Err(absl::StatusCode::kAlreadyExists)});
  EXPECT_EQ(r.mismatched, 1);  // the first request itself expected OK
  EXPECT_EQ(r.inconclusive, 1);
}

TEST(OutcomesTest, ExactDailyLimit) {
  const Plan plan = OneHeavyUser("heavy", 14, /*exact=*/true);
  std::vector<Outcome> good(14, Err(absl::StatusCode::kResourceExhausted));
  for (int i = 0; i < 10; ++i) good[i * 13 % 14] = Ok("id");
  ExpectationReport r = CheckExpectations(plan, good);
  EXPECT_EQ(r.limit_groups_checked, 1);
  EXPECT_EQ(r.limit_groups_failed, 0);

  std::vector<Outcome> lenient(14, Ok("id"));  // the limit was not enforced
  r = CheckExpectations(plan, lenient);
  EXPECT_EQ(r.limit_groups_failed, 1);
  ASSERT_EQ(r.examples.size(), 1u);
  EXPECT_NE(r.examples[0].find("heavy"), std::string::npos);

  std::vector<Outcome> strict(14, Err(absl::StatusCode::kResourceExhausted));  // too strict
  for (int i = 0; i < 9; ++i) strict[i] = Ok("id");
  EXPECT_EQ(CheckExpectations(plan, strict).limit_groups_failed, 1);

  // An outage in the middle makes the exact count unknowable: not judged, not passed.
  std::vector<Outcome> outage = good;
  outage[3] = Err(absl::StatusCode::kUnavailable);
  r = CheckExpectations(plan, outage);
  EXPECT_EQ(r.limit_groups_checked, 0);
  EXPECT_EQ(r.limit_groups_failed, 0);
  EXPECT_EQ(r.inconclusive, 1);
}

TEST(OutcomesTest, InexactLimitOnlyCapsAccepted) {
  const Plan plan = OneHeavyUser("replayed", 12, /*exact=*/false);
  // All duplicates (a second replay): fine.
  std::vector<Outcome> dups(12, Err(absl::StatusCode::kAlreadyExists));
  EXPECT_EQ(CheckExpectations(plan, dups).limit_groups_failed, 0);
  std::vector<Outcome> eleven(12, Ok("id"));
  eleven[0] = Err(absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(CheckExpectations(plan, eleven).limit_groups_failed, 1);
}

}  // namespace
}  // namespace candor::drive
