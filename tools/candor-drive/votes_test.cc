#include "tools/candor-drive/votes.h"

#include <map>
#include <set>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/review/fingerprint.h"

namespace candor::drive {
namespace {

using ::testing::HasSubstr;

constexpr char kId1[] = "0123456789abcdef0123456789abcdef";
constexpr char kId2[] = "fedcba9876543210fedcba9876543210";

TEST(VotesTest, EveryVoteOfTheFileFromAVoterOfItsOwn) {
  const std::vector<VotedReview> reviews = {
      {kId1, "B000000001", {3, 5}}, {kId2, "B000000002", {0, 2}}, {kId2, "B000000002", {0, 0}}};
  const std::vector<PlannedVote> votes = PlanRealVotes(reviews, 7);
  ASSERT_EQ(votes.size(), 7u);
  std::map<std::string, std::pair<int, int>> per_review;  // helpful, total
  std::set<std::string> voters;
  for (const PlannedVote& v : votes) {
    auto& [h, t] = per_review[v.review_id];
    ++t;
    if (v.helpful) ++h;
    voters.insert(v.voter);
    EXPECT_EQ(v.asin, v.review_id == kId1 ? "B000000001" : "B000000002");
  }
  EXPECT_EQ(per_review[kId1], std::make_pair(3, 5));
  EXPECT_EQ(per_review[kId2], std::make_pair(0, 2));
  EXPECT_EQ(voters.size(), votes.size());  // nobody votes twice
  EXPECT_TRUE(voters.contains("hv-0123456789ab-4"));
  // The same seed, the same order; the voters do not depend on it.
  const std::vector<PlannedVote> again = PlanRealVotes(reviews, 7);
  for (size_t i = 0; i < votes.size(); ++i) EXPECT_EQ(again[i].voter, votes[i].voter);
}

TEST(VotesTest, StoredIdFromTheAnswerOrTheDuplicatesFingerprint) {
  Review row;
  row.user = "A1";
  row.asin = "B000000001";
  row.body = "Great strings";
  Outcome ok{true, absl::StatusCode::kOk, kId1, ""};
  EXPECT_EQ(StoredReviewId(row, ok), kId1);
  Outcome dup{true, absl::StatusCode::kAlreadyExists, "",
              "duplicate: this review was already submitted (review_id x)"};
  EXPECT_EQ(StoredReviewId(row, dup), review::ReviewIdFromFingerprint(review::Fingerprint(
                                          "B000000001", "A1", "Great strings")));
  Outcome other{true, absl::StatusCode::kAlreadyExists, "", "already reviewed: one review ..."};
  EXPECT_EQ(StoredReviewId(row, other), std::nullopt);
  Outcome invalid{true, absl::StatusCode::kInvalidArgument, "", "body: empty"};
  EXPECT_EQ(StoredReviewId(row, invalid), std::nullopt);
  EXPECT_EQ(StoredReviewId(row, Outcome{}), std::nullopt);
}

TEST(VotesTest, ExpectedCountsAreTheOkVotesOfFullyAnsweredReviews) {
  const std::vector<PlannedVote> votes = {{kId1, "B1", "a", true},
                                          {kId1, "B1", "b", false},
                                          {kId2, "B1", "c", true},
                                          {kId2, "B1", "d", true},
                                          {"held", "B1", "e", true}};
  const std::vector<std::optional<absl::StatusCode>> codes = {
      absl::StatusCode::kOk, absl::StatusCode::kOk, absl::StatusCode::kOk,
      absl::StatusCode::kUnavailable, absl::StatusCode::kFailedPrecondition};
  const auto expected = ExpectedCounts(votes, codes);
  EXPECT_EQ(expected.size(), 2u);  // kId2 is unsure: an UNAVAILABLE vote may have reached the log
  EXPECT_EQ(expected.at(kId1), std::make_pair(int64_t{1}, int64_t{2}));
  EXPECT_EQ(expected.at("held"), std::make_pair(int64_t{0}, int64_t{0}));
}

TEST(VotesTest, CompareFindsWrongCountsAndBrokenI4) {
  const std::map<std::string, std::pair<int64_t, int64_t>> expected = {
      {kId1, {1, 2}}, {kId2, {3, 3}}, {"held", {0, 0}}};
  VoteReplayOutcome out;
  std::vector<reviewdb::VoteCountCheck> checks = {{kId1, 1, 2, 1, 2}, {kId2, 3, 3, 3, 3}};
  EXPECT_TRUE(CompareVoteCounts(expected, checks, out));
  EXPECT_EQ(out.reviews_checked, 3);
  EXPECT_EQ(out.votes_counted, 5);
  EXPECT_EQ(out.i4_broken, 0);

  checks = {{kId1, 1, 2, 1, 2}, {kId2, 2, 2, 2, 3}};  // lagging, and the ledger disagrees
  EXPECT_FALSE(CompareVoteCounts(expected, checks, out));
  EXPECT_EQ(out.reviews_wrong, 1);
  EXPECT_THAT(out.wrong_examples.at(0), HasSubstr("2/2, expected 3/3"));
  EXPECT_EQ(out.i4_reviews, 2);
  EXPECT_EQ(out.i4_broken, 1);
  EXPECT_THAT(out.i4_examples.at(0), HasSubstr("counts 2/2, ledger 2/3"));

  checks = {{kId1, 1, 2, 1, 2}};  // kId2 has no votes at all yet
  EXPECT_FALSE(CompareVoteCounts(expected, checks, out));
  EXPECT_THAT(out.wrong_examples.at(0), HasSubstr("0/0, expected 3/3"));
}

TEST(VotesTest, TopScoresFollowTheOrder) {
  const absl::Time now = absl::FromUnixSeconds(1'400'000'000);
  std::vector<TopReview> top(3);
  top[0].helpful = 480, top[0].total = 500, top[0].submitted_at = now - absl::Hours(24 * 400);
  top[1].helpful = 10, top[1].total = 12, top[1].submitted_at = now - absl::Hours(24 * 400);
  top[2].helpful = 1, top[2].total = 1, top[2].submitted_at = now - absl::Hours(24 * 400);
  bool in_order = false;
  ScoreTop(top, now, helpfulness::ScoreParams{}, &in_order);
  EXPECT_TRUE(in_order);
  EXPECT_GT(top[0].score, top[1].score);
  std::swap(top[0], top[2]);
  ScoreTop(top, now, helpfulness::ScoreParams{}, &in_order);
  EXPECT_FALSE(in_order);
}

TEST(VotesTest, ReportSectionAndJson) {
  VoteReplayOutcome v;
  v.reviews = 2;
  v.planned = 7;
  v.planned_helpful = 3;
  v.codes[absl::StatusCode::kOk] = 6;
  v.codes[absl::StatusCode::kFailedPrecondition] = 1;
  v.state = VoteReplayOutcome::State::kApplied;
  v.reviews_checked = 2;
  v.votes_counted = 6;
  v.i4_reviews = 2;
  v.top_asin = "B000000001";
  v.top_asin_votes = 5;
  v.top_asin_reviews = 1;
  TopReview t;
  t.review_id = kId1;
  t.title = "Five strings and a story";
  t.stars = 5;
  t.helpful = 3;
  t.total = 5;
  t.submitted_at = absl::FromUnixSeconds(1'300'000'000);
  t.score = 0.21;
  v.top.push_back(t);
  EXPECT_TRUE(v.Met());
  const std::string text = VotesText(v);
  EXPECT_THAT(text, HasSubstr("7 real votes (3 helpful) on 2 reviews"));
  EXPECT_THAT(text, HasSubstr("FAILED_PRECONDITION 1"));
  EXPECT_THAT(text, HasSubstr("I4 (counts on the review = the vote ledger's): held for 2 of 2"));
  EXPECT_THAT(text, HasSubstr("3/5"));
  EXPECT_THAT(text, HasSubstr("non-increasing, as ranked"));
  const nlohmann::json j = VotesJson(v);
  EXPECT_EQ(j["state"], "applied");
  EXPECT_EQ(j["top"]["reviews_listed"][0]["total"], 5);
  EXPECT_EQ(j["met"], true);

  v.codes[absl::StatusCode::kUnavailable] = 1;
  EXPECT_EQ(v.failures(), 1);
  EXPECT_FALSE(v.Met());
}

}  // namespace
}  // namespace candor::drive
