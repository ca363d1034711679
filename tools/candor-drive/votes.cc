#include "tools/candor-drive/votes.h"

#include <algorithm>
#include <cmath>
#include <random>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/review/fingerprint.h"

namespace candor::drive {
namespace {

constexpr size_t kMaxExamples = 5;

std::string Clip(std::string_view text, size_t max) {
  if (text.size() <= max) return std::string(text);
  // Cut on a UTF-8 character boundary.
  size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return absl::StrCat(std::string(text.substr(0, end)), "...");
}

std::string StateName(VoteReplayOutcome::State s) {
  switch (s) {
    case VoteReplayOutcome::State::kSkipped:
      return "skipped";
    case VoteReplayOutcome::State::kApplied:
      return "applied";
    case VoteReplayOutcome::State::kStale:
      return "stale";
    case VoteReplayOutcome::State::kError:
      return "error";
  }
  return "unknown";
}

}  // namespace

std::string SyntheticVoter(std::string_view review_id, int64_t j) {
  return absl::StrCat("hv-", std::string(review_id.substr(0, 12)), "-", j);
}

std::optional<std::string> StoredReviewId(const Review& row, const Outcome& answer) {
  if (!answer.answered) return std::nullopt;
  if (answer.code == absl::StatusCode::kOk && !answer.review_id.empty()) return answer.review_id;
  if (answer.code == absl::StatusCode::kAlreadyExists &&
      absl::StartsWith(answer.message, "duplicate:")) {
    return review::ReviewIdFromFingerprint(review::Fingerprint(row.asin, row.user, row.body));
  }
  return std::nullopt;
}

std::vector<PlannedVote> PlanRealVotes(const std::vector<VotedReview>& reviews, uint64_t seed) {
  std::vector<PlannedVote> votes;
  for (const VotedReview& r : reviews) {
    for (int64_t j = 0; j < r.votes.total; ++j) {
      votes.push_back({r.review_id, r.asin, SyntheticVoter(r.review_id, j), j < r.votes.helpful});
    }
  }
  std::mt19937_64 rng(seed);
  std::shuffle(votes.begin(), votes.end(), rng);
  return votes;
}

int64_t VoteReplayOutcome::failures() const {
  int64_t n = 0;
  for (const auto& [code, count] : codes) {
    if (code != absl::StatusCode::kOk && code != absl::StatusCode::kFailedPrecondition) n += count;
  }
  return n;
}

bool VoteReplayOutcome::Met() const {
  return failures() == 0 && not_sent == 0 && state == State::kApplied && i4_broken == 0 &&
         top_error.empty() && top_in_score_order;
}

std::map<std::string, std::pair<int64_t, int64_t>> ExpectedCounts(
    const std::vector<PlannedVote>& votes,
    const std::vector<std::optional<absl::StatusCode>>& codes) {
  std::map<std::string, std::pair<int64_t, int64_t>> expected;
  std::map<std::string, bool> unsure;
  for (size_t i = 0; i < votes.size(); ++i) {
    const PlannedVote& v = votes[i];
    auto& [helpful, total] = expected[v.review_id];
    const std::optional<absl::StatusCode> code = i < codes.size() ? codes[i] : std::nullopt;
    if (code == absl::StatusCode::kOk) {
      ++total;
      if (v.helpful) ++helpful;
    } else if (code != absl::StatusCode::kFailedPrecondition) {
      unsure[v.review_id] = true;
    }
  }
  for (const auto& [id, ignored] : unsure) expected.erase(id);
  return expected;
}

bool CompareVoteCounts(const std::map<std::string, std::pair<int64_t, int64_t>>& expected,
                       const std::vector<reviewdb::VoteCountCheck>& checks,
                       VoteReplayOutcome& out) {
  out.reviews_checked = static_cast<int64_t>(expected.size());
  out.reviews_wrong = 0;
  out.wrong_examples.clear();
  out.votes_counted = 0;
  out.i4_reviews = static_cast<int64_t>(checks.size());
  out.i4_broken = 0;
  out.i4_examples.clear();
  std::map<std::string, const reviewdb::VoteCountCheck*> by_id;
  for (const reviewdb::VoteCountCheck& c : checks) {
    by_id[c.review_id] = &c;
    if (c.row_helpful != c.ledger_helpful || c.row_total != c.ledger_total) {
      ++out.i4_broken;
      if (out.i4_examples.size() < kMaxExamples) {
        out.i4_examples.push_back(absl::StrFormat("%s: counts %d/%d, ledger %d/%d", c.review_id,
                                                  c.row_helpful, c.row_total, c.ledger_helpful,
                                                  c.ledger_total));
      }
    }
  }
  for (const auto& [id, want] : expected) {
    auto it = by_id.find(id);
    const std::pair<int64_t, int64_t> got =
        it == by_id.end()
            ? std::pair<int64_t, int64_t>{0, 0}
            : std::pair<int64_t, int64_t>{it->second->row_helpful, it->second->row_total};
    out.votes_counted += got.second;
    if (got != want) {
      ++out.reviews_wrong;
      if (out.wrong_examples.size() < kMaxExamples) {
        out.wrong_examples.push_back(absl::StrFormat("%s: %d/%d, expected %d/%d", id, got.first,
                                                     got.second, want.first, want.second));
      }
    }
  }
  return out.reviews_wrong == 0;
}

void ScoreTop(std::vector<TopReview>& top, absl::Time now, const helpfulness::ScoreParams& params,
              bool* in_order) {
  *in_order = true;
  for (size_t i = 0; i < top.size(); ++i) {
    TopReview& t = top[i];
    const double age_days = absl::ToDoubleHours(now - t.submitted_at) / 24;
    t.wilson = helpfulness::WilsonLowerBound(t.helpful, t.total, params.z);
    t.score = helpfulness::Score(t.helpful, t.total, t.verified, age_days, params);
    if (i > 0 && t.score > top[i - 1].score * (1 + 1e-9) + 1e-12) *in_order = false;
  }
}

std::string VotesText(const VoteReplayOutcome& v) {
  std::string out = absl::StrFormat(
      "\nHelpful votes   %d real votes (%d helpful) on %d reviews, from %d synthetic voters "
      "(one vote each), in %.2f s",
      v.planned, v.planned_helpful, v.reviews, v.planned, v.duration_s);
  if (v.reviews_no_id > 0) {
    absl::StrAppend(&out, "; ", v.reviews_no_id, " voted reviews not stored, left out");
  }
  out += "\n  answers:";
  for (const auto& [code, n] : v.codes) absl::StrAppend(&out, " ", CodeName(code), " ", n);
  if (v.codes.contains(absl::StatusCode::kFailedPrecondition)) {
    out += "  (FAILED_PRECONDITION: votes on reviews fraud scoring held or rejected)";
  }
  if (v.not_sent > 0) absl::StrAppend(&out, "; not sent ", v.not_sent);
  out += "\n";
  switch (v.state) {
    case VoteReplayOutcome::State::kApplied:
      absl::StrAppend(&out, absl::StrFormat("  applied: all %d reviews' helpful/total equal their "
                                            "OK votes (%d votes) %d ms after the last OK\n",
                                            v.reviews_checked, v.votes_counted, v.applied_ms));
      break;
    case VoteReplayOutcome::State::kStale:
    case VoteReplayOutcome::State::kError:
      absl::StrAppend(&out, "  NOT APPLIED (", StateName(v.state), "): ", v.reviews_wrong, " of ",
                      v.reviews_checked, " reviews differ", v.message.empty() ? "" : ": ",
                      v.message, "\n");
      for (const std::string& e : v.wrong_examples) absl::StrAppend(&out, "    ! ", e, "\n");
      break;
    case VoteReplayOutcome::State::kSkipped:
      absl::StrAppend(&out, "  not checked: ", v.message, "\n");
      break;
  }
  if (v.i4_reviews > 0 || v.i4_broken > 0) {
    absl::StrAppend(&out, "  I4 (counts on the review = the vote ledger's): ",
                    v.i4_broken == 0 ? "held" : "BROKEN", " for ", v.i4_reviews - v.i4_broken,
                    " of ", v.i4_reviews, " reviews of the voted products\n");
    for (const std::string& e : v.i4_examples) absl::StrAppend(&out, "    ! ", e, "\n");
  }
  if (!v.top_error.empty()) {
    absl::StrAppend(&out, "  top reviews of ", v.top_asin, ": not read: ", v.top_error, "\n");
  } else if (!v.top_asin.empty()) {
    absl::StrAppend(&out, absl::StrFormat("\nTop reviews     %s, the most-voted product (%d votes "
                                          "on %d reviews): ListReviews, most helpful first\n",
                                          v.top_asin, v.top_asin_votes, v.top_asin_reviews));
    absl::StrAppend(&out,
                    "  #  helpful/total  wilson      score  stars  verified  date        review\n");
    int rank = 0;
    for (const TopReview& t : v.top) {
      absl::StrAppend(
          &out,
          absl::StrFormat("  %d  %7d/%-5d  %6.3f  %9.3e  %5d  %-8s  %s  %s  %s\n", ++rank,
                          t.helpful, t.total, t.wilson, t.score, t.stars, t.verified ? "yes" : "no",
                          absl::FormatTime("%Y-%m-%d", t.submitted_at, absl::UTCTimeZone()),
                          t.review_id.substr(0, 12), Clip(t.title, 40)));
    }
    absl::StrAppend(&out,
                    "  score = Wilson lower bound (95 %) x exp(-0.0019 x (age - 30 d)) x 1.15 if "
                    "verified, now: ",
                    v.top_in_score_order ? "non-increasing, as ranked" : "OUT OF ORDER", "\n");
  }
  return out;
}

nlohmann::json VotesJson(const VoteReplayOutcome& v) {
  nlohmann::json codes = nlohmann::json::object();
  for (const auto& [code, n] : v.codes) codes[CodeName(code)] = n;
  nlohmann::json top = nlohmann::json::array();
  for (const TopReview& t : v.top) {
    top.push_back(
        {{"review_id", t.review_id},
         {"title", t.title},
         {"stars", t.stars},
         {"verified", t.verified},
         {"helpful", t.helpful},
         {"total", t.total},
         {"submitted_at", absl::FormatTime(absl::RFC3339_sec, t.submitted_at, absl::UTCTimeZone())},
         {"score", t.score}});
  }
  return {{"reviews", v.reviews},
          {"reviews_no_id", v.reviews_no_id},
          {"planned", v.planned},
          {"planned_helpful", v.planned_helpful},
          {"codes", codes},
          {"not_sent", v.not_sent},
          {"duration_s", v.duration_s},
          {"state", StateName(v.state)},
          {"message", v.message},
          {"applied_ms", v.applied_ms},
          {"reviews_checked", v.reviews_checked},
          {"reviews_wrong", v.reviews_wrong},
          {"wrong_examples", v.wrong_examples},
          {"votes_counted", v.votes_counted},
          {"i4", {{"reviews", v.i4_reviews}, {"broken", v.i4_broken}, {"examples", v.i4_examples}}},
          {"top",
           {{"asin", v.top_asin},
            {"votes", v.top_asin_votes},
            {"reviews", v.top_asin_reviews},
            {"in_score_order", v.top_in_score_order},
            {"error", v.top_error},
            {"reviews_listed", top}}},
          {"met", v.Met()}};
}

}  // namespace candor::drive
