#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/pg/pg_pool.h"
#include "libs/reviewdb/review_rows.h"

namespace candor::reviewdb {

// The product_ratings columns every aggregate read selects, in the order RatingFromRow decodes
// them. For code that still reads product_ratings itself (benchmarks).
inline constexpr const char* kRatingColumns =
    "asin, review_count, rating_sum, verified_count, verified_sum, stars_1, stars_2, stars_3, "
    "stars_4, stars_5, version";

// Decodes a row that starts with kRatingColumns. Throws what libpqxx throws on a bad value.
review::RatingAggregate RatingFromRow(const pqxx::row& row);

// The JSON of fraud_audit.reasons and moderation_queue.reasons: an array of objects
// {"code": text, "value": number, "weight": number, "text": text}, in the given order. Bytes
// that are not UTF-8 become U+FFFD rather than fail a batch. Pure.
std::string ReasonsToJson(const std::vector<review::Reason>& reasons);

// The reasons in `json` (a stored array). Reads both shapes the column has held: objects as
// ReasonsToJson writes them, and the plain strings "<code>: <text>" of rows stored before
// reasons had structure (code = the part before ": " when it is a lower-case identifier, value
// and weight 0; otherwise the whole string is the text). Anything else in the array (or text
// that is not an array) reads as no reason. Pure; never throws.
std::vector<review::Reason> ReasonsFromJson(std::string_view json);

// Every statement on the review tables (`reviews`, `fraud_audit`, `moderation_queue`,
// `product_ratings`; schema in db/migrations), as typed operations on Postgres. Status values
// travel as parameters spelled by review::StatusName, never as literals in SQL text.
//
// Each call is one transaction (or one read). Batch statements bind one array per column, so
// their text and plan are the same whatever the batch size, and hot ones run prepared. Errors
// carry pg::Pool's codes (pg::StatusCodeForSqlState): a row Postgres refuses (a constraint,
// SQLSTATE class 23) is FailedPrecondition and a value it cannot take (class 22) InvalidArgument,
// both deterministic; Unavailable and Aborted are transient. Borrows `pool`. Thread-safe.
class ReviewDb {
 public:
  explicit ReviewDb(pg::Pool& pool) : pool_(pool) {}

  // --- reviews, fraud_audit, moderation_queue: the scorer's write (design.md 3.4) ---

  // In one transaction: inserts every review whose fingerprint is not stored yet and, for each
  // row actually inserted, its fraud_audit row and, when kHeld, its moderation_queue row (state
  // 'open'); a fingerprint already stored is left untouched (the final dedup gate, so a
  // redelivery is a no-op). Returns the stored state of every given review, in the given order.
  // `reviews` must not repeat a review id, and no status may be kAwaitingScoring
  // (InvalidArgument). Nothing is stored on error.
  absl::StatusOr<std::vector<StoredReview>> InsertScored(const std::vector<NewReview>& reviews);

  // --- reviews, fraud_audit, moderation_queue: re-scoring (candor-fraud-rescore) ---

  // How many reviews `selection` holds (ListRescoreCandidates would list), read now.
  absl::StatusOr<int64_t> CountRescoreCandidates(const RescoreSelection& selection);

  // The reviews of `selection` with their latest audit row, `limit` per page: with
  // `unscored_only` in the order their unscored audit rows were written (the order the scorer met
  // them; migration 0005's partial index), otherwise in (submitted_at, review_id) order (its
  // reviews_submitted_at_idx). `cursor`: "" for the first page, then the previous page's `next`;
  // InvalidArgument for a cursor this function did not return for the same kind of selection.
  // Keyset pages: each page costs the same however deep, and a review changed between pages is
  // neither skipped nor read twice (an unscored one that was decided meanwhile drops out).
  absl::StatusOr<CandidatePage> ListRescoreCandidates(const RescoreSelection& selection,
                                                      const std::string& cursor, int limit);

  // In one transaction, enacts each decision whose review is still as it was read: its status is
  // `from` and its latest audit row is `seen_audit_id` (the row is locked first, so a moderator's
  // concurrent transition either precedes and wins, or waits). For each: a new fraud_audit row
  // (decision, score, scorer, reasons), the status set to `to` and fraud_score to the new score,
  // and when the review becomes kHeld a moderation_queue row (state 'open', `queue_reason`, the
  // reasons; a row it had is reopened with them), when it leaves kHeld its open queue row set to
  // kQueueStateRescored. `counted` is not touched: the aggregator flips it when it applies the
  // event the caller publishes after the commit. Returns the decisions enacted, in no particular
  // order; a review that changed since it was read is left alone and left out. Transactions of
  // this call take one advisory lock, so two re-scores never decide one review twice at once.
  // InvalidArgument (nothing stored) unless every pair is IsRescoreTransition, every decision is
  // pass, queue or reject, and no review id repeats.
  absl::StatusOr<std::vector<AppliedRescore>> ApplyRescores(
      const std::vector<RescoreDecision>& decisions);

  // --- reviews.status: the moderation transitions ---

  // Moves every review of `review_ids` whose status is `from` to `to`, in one statement; returns
  // the ids it moved (a review in another status is left alone, so a repeated call is a no-op).
  // InvalidArgument unless IsTransition(from, to). The `counted` flag is not touched: the
  // aggregator flips it when it applies the matching event.
  absl::StatusOr<std::vector<std::string>> Transition(const std::vector<std::string>& review_ids,
                                                      review::ReviewStatus from,
                                                      review::ReviewStatus to);

  // --- reviews.counted and product_ratings: the aggregator's ledger (design.md 3.5) ---

  // In one transaction, runs the phases in order: a count flips `counted` false -> true only
  // while the review is kActive, an uncount true -> false only while it is not (removed by a
  // moderator, or held or rejected by a re-score). Those guards make every event idempotent and
  // order-safe (a redelivered Accepted cannot re-count a removed review, a stale Removed cannot
  // uncount a restored one). Each product whose flipped reviews change its sums gets them added in
  // one statement, with version + 1 and updated_at = now() (a new product ends at version 1); a
  // review counted and uncounted in the same call nets to nothing. Returns the aggregates of
  // `touched_asins` and of every changed product. A delta the CHECK (>= 0) constraints refuse (a
  // corrupt ledger) is FailedPrecondition. Only the owner of a product's partition writes its row,
  // so instances do not contend; a deadlock during a rebalance is Aborted, and the pool retries it.
  absl::StatusOr<CountResult> ApplyCounts(const std::vector<CountPhase>& phases,
                                          const std::vector<std::string>& touched_asins);

  // --- reviews: reads (checks from outside the services, e.g. candor-drive's freshness) ---

  // The stored status of `review_id`, its author, and its latest fraud_audit row (decision, time,
  // reasons); nullopt when no such review is stored.
  absl::StatusOr<std::optional<ReviewDecision>> GetReviewDecision(const std::string& review_id);

  // The subset of `review_ids` that have a row, in any status; in no particular order.
  absl::StatusOr<std::vector<std::string>> ExistingReviewIds(
      const std::vector<std::string>& review_ids);

  // How many of `review_ids` are stored in each status; a status with none is absent (and so
  // are ids not stored).
  absl::StatusOr<std::map<review::ReviewStatus, int64_t>> CountByStatus(
      const std::vector<std::string>& review_ids);

  // How many reviews of each of `asins` are stored in `status`; an asin with none is absent.
  absl::StatusOr<std::map<std::string, int64_t>> CountInStatus(
      const std::vector<std::string>& asins, review::ReviewStatus status);

  // --- reviews: content for the search index (index-writer) ---

  // The content and status of each of `review_ids` that has a row (any status), in no
  // particular order.
  absl::StatusOr<std::vector<ReviewContent>> ReadContent(
      const std::vector<std::string>& review_ids);

  // Active reviews whose review_id is greater than `after` ("" for the first page), in
  // review_id order, at most `limit` (1..10,000): a scan that pages on the primary key.
  absl::StatusOr<std::vector<ReviewContent>> ListActiveContent(const std::string& after, int limit);

  // --- reviews: interactions for the recommendation trainers (libs/reco) ---

  // Active reviews' (review, user, product, rating, time), paged as ListActiveContent (review_id
  // greater than `after`, in review_id order, at most `limit` 1..10,000); no text.
  absl::StatusOr<std::vector<ReviewInteraction>> ListActiveInteractions(const std::string& after,
                                                                        int limit);

  // --- product_ratings: reads ---

  // The aggregate of `asin`; nullopt when it has no row.
  absl::StatusOr<std::optional<review::RatingAggregate>> GetRating(const std::string& asin);

  // Every product's aggregate, `limit` per page in asin order (the primary key). `cursor`: ""
  // for the first page, then the previous page's `next`.
  absl::StatusOr<RatingsPage> ListRatings(const std::string& cursor, int limit);

  // The aggregates changed within `newer_than` but not within `older_than` of the database's
  // clock, `limit` per page in (updated_at, asin) order (the index of migration 0002). Cursors as
  // ListRatings; InvalidArgument for a cursor this function did not return.
  absl::StatusOr<RatingsPage> ListChangedRatings(absl::Duration newer_than,
                                                 absl::Duration older_than,
                                                 const std::string& cursor, int limit);

  // --- helpful_votes and reviews' counts and sort key: the ranker's ledger (design.md 5) ---

  // A review's ranking key from its row (libs/helpfulness SortKey); pure.
  using SortKeyFn = std::function<double(const RankedReview&)>;

  // In one transaction: applies `votes` to the vote ledger, one row per (review, user) holding
  // the user's latest vote by voted_at. A vote no newer than the stored one is a no-op (a replay
  // or a late older vote), so applying the same votes twice changes nothing; of several votes of
  // one user on one review in `votes` the newest wins. Every vote that changes what a row counts
  // moves the review's helpful_votes / total_votes by exactly that change (I4: they always equal
  // the ledger). Votes for a review not stored are left out (VoteResult::unknown). Then every
  // review touched by a vote or named in `rank_ids` gets sort_key = `sort_key(row)` while it is
  // kActive, NULL (not ranked) otherwise, and is returned as it now stands. The reviews' rows are
  // locked in review id order, so two appliers of one review serialise and cannot deadlock on it.
  absl::StatusOr<VoteResult> ApplyVotes(const std::vector<review::HelpfulVote>& votes,
                                        const std::vector<std::string>& rank_ids,
                                        const SortKeyFn& sort_key);

  // The `limit` highest ranked active reviews of `asin` as (sort_key, review_id), best first
  // ((sort_key, review_id) descending, the order of ListReviews).
  absl::StatusOr<std::vector<std::pair<double, std::string>>> TopRanked(const std::string& asin,
                                                                        int limit);

  // One page of `query.asin`'s active reviews in the query's order, filtered, after its keyset
  // position: kMostHelpful by (sort_key, review_id) descending over ranked reviews only (unranked
  // ones are not yet seen by the ranker), kNewest by (submitted_at, review_id) descending.
  // InvalidArgument for a limit outside 1..1000.
  absl::StatusOr<std::vector<ListedReview>> ListReviews(const ReviewListQuery& query);

  // The active reviews among `review_ids` (others are left out), in no particular order.
  absl::StatusOr<std::vector<ListedReview>> GetListedReviews(
      const std::vector<std::string>& review_ids);

  // The product, author and status of `review_id`; nullopt when it is not stored.
  absl::StatusOr<std::optional<ReviewHead>> GetReviewHead(const std::string& review_id);

  // For every review of `asins` with a vote or non-zero counts: its counts next to its ledger's
  // sums (checks of I4; a review whose pair differs breaks it). In review id order.
  absl::StatusOr<std::vector<VoteCountCheck>> CheckVoteCounts(
      const std::vector<std::string>& asins);

  // The products that have a review the ranker has seen (a review_ranks row) or a row in the vote
  // ledger, whose asin starts with `prefix` ("" for every product) and is greater than `after`
  // ("" for the first page), in asin order, at most `limit` (1..10,000; InvalidArgument
  // otherwise): the pages a check of I4 and the ranking walks. A skip scan of reviews_asin_idx,
  // so a page costs about the reviews of the products it passes, however deep it is.
  absl::StatusOr<std::vector<std::string>> ListRankedAsins(const std::string& prefix,
                                                           const std::string& after, int limit);

  // Every review of `asins` that has a review_ranks row or a row in the vote ledger, as its rank
  // and review stand (counts, verified flag, submission time, status, sort key; a review without
  // a rank reads 0, 0 and no key), in review id order.
  absl::StatusOr<std::vector<RankedReview>> ListRanks(const std::vector<std::string>& asins);

  // Repairs I4 for `review_ids` (a check found their counts apart from the ledger): in one
  // transaction their review_ranks rows are locked as ApplyVotes locks them (review id order; a
  // stored review without a row gets one first), so a concurrent ApplyVotes of one of them
  // waits or has committed, then each review's helpful_votes / total_votes become its ledger
  // rows' sums and its sort_key `sort_key(row)` while it is kActive, NULL otherwise. Only rows
  // where either differs are written. Returns every stored review of `review_ids` as it now
  // stands (VoteResult::reviews); `changed` counts the reviews rewritten, `unchanged` those that
  // were right, `unknown` the ids not stored.
  absl::StatusOr<VoteResult> RecountVotes(const std::vector<std::string>& review_ids,
                                          const SortKeyFn& sort_key);

  // --- reviews.counted: the ledger's own sums, for checks of I2 ---

  // The aggregate of each of `asins` recomputed from its counted reviews (counts, sums and
  // histogram; version 0), in asin order; a product without a counted review is left out. I2
  // holds when these equal the products' product_ratings rows (RatingAggregate::SameCounts).
  absl::StatusOr<std::vector<review::RatingAggregate>> CountedSums(
      const std::vector<std::string>& asins);

  // Up to `limit` (1..10,000) products, in asin order, that have counted reviews but no
  // product_ratings row (I2 broken in the way a per-row check cannot see).
  absl::StatusOr<std::vector<std::string>> UnratedCountedAsins(int limit);

  // --- product_ratings: the reconciler's repair of I2 and I3 ---

  // In one transaction, sets each product of `asins` to the sums over its counted reviews (a
  // product without a row gets one; one without counted reviews, zeros) with version =
  // max(its version, min_versions[i]) + 1, and returns the rows as they now stand, in asin order.
  // The rows are locked (asin order) before the sums are read, so a ledger transaction of the
  // aggregator that commits meanwhile is either in the sums or adds its delta after this commits:
  // the result is exact either way. The version passes both the stored one and `min_versions[i]`
  // (a cache that holds a wrong aggregate at a version of its own), so a versioned cache write of
  // the result replaces it. InvalidArgument unless the two vectors have the same length and no
  // asin repeats.
  absl::StatusOr<std::vector<review::RatingAggregate>> RecountRatings(
      const std::vector<std::string>& asins, const std::vector<int64_t>& min_versions);

 private:
  pg::Pool& pool_;
};

}  // namespace candor::reviewdb
