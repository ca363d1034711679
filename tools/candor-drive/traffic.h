#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/review/submission.h"

namespace candor::drive {

// One review as the driver sends it (the fields of SubmitReviewRequest plus the author, and for
// a replayed file its original time).
struct Review {
  std::string user;  // the token's `sub` for a submit; ImportReviewRequest.user_id for an import
  std::string asin;
  int32_t rating = 0;
  std::string title;
  std::string body;
  bool verified_purchase = false;
  // When it was originally written (a file's `unixReviewTime`); what ImportReview sends. nullopt
  // for generated reviews and file rows without a time.
  std::optional<absl::Time> submitted_at;
  // What an attack scenario (scenario.h) sets, empty / nullopt elsewhere. The client's address:
  // a submit sends it as `x-forwarded-for` (believed only by a gateway that trusts the driver's
  // address as a proxy, --trusted-proxies), an import as `client_ip`.
  std::string client_ip;
  std::string device_id;
  // When the author's account was created: a submit's token carries it as `acct_created`, an
  // import sends it as `account_created_at`.
  std::optional<absl::Time> account_created;
  // A replayed file's helpfulness votes (`helpful` = [helpful_yes, total_votes]); nullopt when
  // the row has none or they make no sense (negative, or more helpful than total).
  struct Votes {
    int64_t helpful = 0;
    int64_t total = 0;
  };
  std::optional<Votes> votes;
};

// What the driver expects the gateway to answer, where the traffic source knows it.
enum class Expect {
  kUnknown,      // no prediction (a replayed row may be accepted, a duplicate or limited)
  kOk,           // fresh user, product and text: accepted
  kInvalid,      // breaks a validation rule: INVALID_ARGUMENT
  kDuplicate,    // follow-up: another review of the same product by the same user: ALREADY_EXISTS
  kSameAsFirst,  // follow-up: the identical request again (a client retry): ALREADY_EXISTS, or
                 // OK with the first answer's review_id
};

struct PlannedRequest {
  Review review;
  Expect expect = Expect::kUnknown;
  // Index into Plan::follow_ups of the request to send right after this one is answered; -1 for
  // none. Follow-up expectations hold only when this request was answered OK.
  int follow_up = -1;
  // Index into Plan::user_limits when this request counts towards a checked daily limit.
  int user_limit = -1;
};

// The per-user daily limit (10 accepted reviews per 24 h), checked over a user's requests as a
// group because concurrency makes their order, and so which of them is refused, unpredictable.
struct UserLimit {
  std::string user;
  int max_ok = 10;
  // True when the source knows the user starts the run with no reviews in the window (the
  // generator's fresh users): then exactly min(requests, max_ok) must be accepted and the rest
  // refused with RESOURCE_EXHAUSTED. False (replayed files): only "at most max_ok accepted".
  bool exact = false;
};

// The traffic of one run. Requests are numbered primaries first, then follow-ups; a follow-up
// is sent only after its primary's answer, primaries at the configured rate.
struct Plan {
  std::string source;  // for the report, e.g. "generator (seed 42, ...)"
  std::vector<PlannedRequest> primaries;
  std::vector<PlannedRequest> follow_ups;
  std::vector<UserLimit> user_limits;

  size_t size() const { return primaries.size() + follow_ups.size(); }
  const PlannedRequest& at(size_t n) const {
    return n < primaries.size() ? primaries[n] : follow_ups[n - primaries.size()];
  }
  // The request number of primary `i`'s follow-up, or -1.
  int64_t FollowUpNumber(size_t i) const {
    int f = primaries[i].follow_up;
    return f < 0 ? -1 : static_cast<int64_t>(primaries.size()) + f;
  }
};

// The daily limit per user the gateway enforces (design.md 3.2).
inline constexpr int kReviewsPerUserPerDay = 10;

// What the shopper sends in `r`: the input of the gateway's validation rules (libs/review).
review::SubmissionInput ShopperInput(const Review& r);

// Deterministic ~70 % "verified purchase" flag from (user, asin), so replays and reruns agree.
bool VerifiedByHash(const std::string& user, const std::string& asin);

// When a generated shopper's account was created: 60 to 1,859 days before `now`, fixed by a hash
// of the user id. Sent as the token's `acct_created` claim, so the fraud model sees the aged
// accounts of a running shop rather than thousands of accounts created this second.
absl::Time AccountCreatedByHash(const std::string& user, absl::Time now);

struct ReadStats {
  bool gzip = false;
  int64_t lines = 0;      // non-empty lines read
  int64_t malformed = 0;  // lines skipped: not JSON, or no reviewerID / asin
  int64_t bad_votes = 0;  // rows kept whose `helpful` is not [yes, total] with 0 <= yes <= total
};

// Reads reviews in the Amazon JSON-lines format (reviewerID, asin, overall, reviewText, summary,
// unixReviewTime, helpful; other fields ignored), gzip or plain, at most `limit` rows (0 = all).
// The user is `user_prefix` + reviewerID; the original time is unixReviewTime (whole seconds). Rows
// that fail the gateway's validation rules are expected to be INVALID_ARGUMENT; users with more
// than 10 valid rows get an (inexact) daily-limit check, for sending the plan as submits (see
// ForImport). Errors: NotFound / InvalidArgument when the file cannot be opened or holds no
// review at all.
absl::StatusOr<Plan> ReadReviewsFile(const std::string& path, int64_t limit,
                                     const std::string& user_prefix, ReadStats* stats);

// Readies a file's plan to go through ImportReview instead of SubmitReview: imports have no
// daily limit, so the limit checks go; a row whose original time the gateway must refuse
// (none, before 1995-01-01, or in the future of `now`: review::ValidateImportTime) is expected to
// be INVALID_ARGUMENT.
void ForImport(Plan& plan, absl::Time now);

// Attaches user-limit checks to every user with more than kReviewsPerUserPerDay valid primaries
// (exact or not). Used by both sources.
void AddUserLimits(Plan& plan, bool exact);

// 24 bits of a hash of `seed`: a generated run's names ("u<tag>-...") and, the top 16 of them,
// its /48 in the documentation range 2001:db8::/32.
uint32_t RunTag(uint64_t seed);

// The client address of account `slot` (0..65535) of a run whose /48 is 2001:db8:`net`::/48
// (net = RunTag(seed) >> 8): a /64 of its own in it, in canonical text as the gateway stores it.
// Synthetic shoppers each get one, so the fraud model's shared-address features see one machine per
// account, as with real shoppers, not the driver's single loopback address.
std::string AccountAddress(uint32_t net, uint32_t slot);

}  // namespace candor::drive
