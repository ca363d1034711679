#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "libs/helpfulness/score.h"
#include "libs/reviewdb/review_rows.h"
#include "nlohmann/json.hpp"
#include "tools/candor-drive/outcomes.h"
#include "tools/candor-drive/traffic.h"

namespace candor::drive {

// The real-vote replay (`candor-drive FILE --votes`, README "Real votes"): the `helpful` =
// [helpful_yes, total_votes] pairs of a replayed Amazon file, sent as VoteHelpful calls from
// synthetic voters once the reviews are stored, so the helpfulness ranking runs on real votes.
// The pure parts live here (plan, expected counts, the checks, the report section); the calls
// and the reads are in replay_mode.cc.

// A replayed review whose stored id is known, with its file's votes.
struct VotedReview {
  std::string review_id;
  std::string asin;
  Review::Votes votes;
};

// One vote to send.
struct PlannedVote {
  std::string review_id;
  std::string asin;
  std::string voter;  // the token's `sub`
  bool helpful = false;
};

// The `j`-th (0-based) synthetic voter of review `review_id`: "hv-" + the id's first 12 hex
// characters + "-" + j. Each vote of the file gets a voter of its own, so no voter votes twice
// (the gateway's per-user vote limit never applies) and a second replay of the same file sends the
// same voters the same votes again, which the ranker's ledger counts once.
std::string SyntheticVoter(std::string_view review_id, int64_t j);

// The id a replayed row has once stored: the OK answer's; for an ALREADY_EXISTS answer that says
// the identical review was stored before ("duplicate: ..."), the id derived from its fingerprint
// as the gateway derives it (libs/review), so a replay on a stack that already holds the file
// still votes. nullopt otherwise (refused, or another review of the same product by the user).
std::optional<std::string> StoredReviewId(const Review& row, const Outcome& answer);

// For each review, `votes.total` votes from distinct synthetic voters: `votes.helpful` helpful,
// the rest not helpful; all reviews' votes shuffled together by `seed` (votes on one product
// arrive interleaved with others', as they would over time). Reviews without votes add none.
std::vector<PlannedVote> PlanRealVotes(const std::vector<VotedReview>& reviews, uint64_t seed);

// One review of the top of a product page (ListReviews, most helpful first).
struct TopReview {
  std::string review_id;
  std::string title;
  int32_t stars = 0;
  bool verified = false;
  int64_t helpful = 0;
  int64_t total = 0;
  absl::Time submitted_at;
  double wilson = 0;  // Wilson lower bound (95 %) of helpful / total
  double score = 0;   // libs/helpfulness Score now, default parameters (what the order follows)
};

// What the vote replay did and found.
struct VoteReplayOutcome {
  int64_t reviews = 0;        // replayed reviews with votes and a known id
  int64_t reviews_no_id = 0;  // with votes but no stored id (refused rows): not voted on
  int64_t planned = 0;        // votes planned (the sum of their totals)
  int64_t planned_helpful = 0;
  std::map<absl::StatusCode, int64_t> codes;  // answers by code
  int64_t not_sent = 0;
  double duration_s = 0;  // first send to last answer

  // The ranker applied them: every review whose votes were all answered (OK, or
  // FAILED_PRECONDITION for a review that is not active) has the OK votes' counts in Postgres.
  enum class State { kSkipped, kApplied, kStale, kError };
  State state = State::kSkipped;
  std::string message;          // why skipped, or what went wrong
  int64_t applied_ms = 0;       // kApplied: from the last OK answer to the poll that matched
  int64_t reviews_checked = 0;  // reviews whose counts were compared
  int64_t reviews_wrong = 0;    // of those, counts other than expected at the last poll
  std::vector<std::string> wrong_examples;
  int64_t votes_counted = 0;  // total_votes summed over the checked reviews at the last poll

  // I4 on every review of the voted products: review_ranks.helpful_votes / total_votes equal the
  // vote ledger's sums.
  int64_t i4_reviews = 0;
  int64_t i4_broken = 0;
  std::vector<std::string> i4_examples;

  // The most-voted product's page: ListReviews' first `top.size()` reviews, most helpful first.
  std::string top_asin;
  int64_t top_asin_votes = 0;  // OK votes on it
  int64_t top_asin_reviews = 0;
  std::vector<TopReview> top;
  bool top_in_score_order = true;
  std::string top_error;

  // Answers other than OK and FAILED_PRECONDITION (a failure of the system, not of the vote).
  int64_t failures() const;
  // No failure, applied, I4 held everywhere, and the page was read and in score order.
  bool Met() const;
};

// What the ranker must show: per review whose votes were all answered OK or FAILED_PRECONDITION,
// (helpful, total) of its OK votes. Reviews with any other answer (or unsent votes) are left out:
// an UNAVAILABLE vote may or may not have reached the log.
std::map<std::string, std::pair<int64_t, int64_t>> ExpectedCounts(
    const std::vector<PlannedVote>& votes,
    const std::vector<std::optional<absl::StatusCode>>& codes);

// Compares `checks` (reviewdb::ReviewDb::CheckVoteCounts of the voted products) with `expected`:
// sets reviews_checked, reviews_wrong (a review expected but absent from the checks counts as
// (0, 0)), wrong_examples, votes_counted and the I4 fields. True when every expected review
// matches.
bool CompareVoteCounts(const std::map<std::string, std::pair<int64_t, int64_t>>& expected,
                       const std::vector<reviewdb::VoteCountCheck>& checks, VoteReplayOutcome& out);

// Sets each review's Wilson bound and score at `now` and top_in_score_order (scores non-increasing,
// within a rounding tolerance).
void ScoreTop(std::vector<TopReview>& top, absl::Time now, const helpfulness::ScoreParams& params,
              bool* in_order);

// The report section ("Helpful votes ...") and its JSON.
std::string VotesText(const VoteReplayOutcome& v);
nlohmann::json VotesJson(const VoteReplayOutcome& v);

}  // namespace candor::drive
