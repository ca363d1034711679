#include "libs/reviewdb/review_db.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <set>
#include <stdexcept>
#include <unordered_map>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/pg/array_literal.h"
#include "libs/pg/statement.h"
#include "libs/reviewdb/read_rows.h"
#include "nlohmann/json.hpp"

namespace candor::reviewdb {
namespace {

using review::ReviewStatus;
using review::StatusName;

// A page size the caller asked for: 1..`most`.
absl::Status CheckLimit(int limit, int most) {
  if (limit >= 1 && limit <= most) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("limit: must be 1..", most, ", got ", limit));
}

// ---------------------------------------------------------------------------------------------
// InsertScored

// The batch as one array per column (see kInsert): bound parameters instead of a VALUES list,
// so the statement text is the same for every batch. Statements that find a batch's rows by
// their keys in a table that grows (reviews, helpful_votes) are planned per call
// (pg::Plan::kPerCall): a plan cached while the table was small scans it whole later.
// A time as Postgres reads it back to the same microsecond.
std::string TimeText(absl::Time t) {
  return absl::FormatTime(absl::RFC3339_full, t, absl::UTCTimeZone());
}

struct Columns {
  std::vector<std::string> review_id, fingerprint, asin, user_id, title, body, status, submitted_at,
      decision, scorer, reasons, queue_reason, client_ip, device_id, account_created_at;
  std::vector<int> rating;
  std::vector<bool> verified_purchase;
  std::vector<float> score;

  explicit Columns(const std::vector<NewReview>& reviews) {
    for (const NewReview& r : reviews) {
      const review::Submission& s = r.submission;
      review_id.push_back(s.review_id);
      fingerprint.push_back(s.fingerprint);
      asin.push_back(s.asin);
      user_id.push_back(s.user_id);
      rating.push_back(s.rating);
      title.push_back(s.title);
      body.push_back(s.body);
      verified_purchase.push_back(s.verified_purchase);
      status.push_back(std::string(StatusName(r.status)));
      score.push_back(static_cast<float>(r.fraud_score));
      submitted_at.push_back(TimeText(s.submitted_at));
      decision.push_back(r.decision);
      scorer.push_back(r.scorer);
      reasons.push_back(ReasonsToJson(r.reasons));
      queue_reason.push_back(r.queue_reason);
      client_ip.push_back(s.client_ip);
      device_id.push_back(s.device_id);
      // '' is NULL (no claim): array literals have no NULL, the statement maps it.
      account_created_at.push_back(s.account_created_at ? TimeText(*s.account_created_at) : "");
    }
  }
};

// The inserts run as data-modifying CTEs of one statement: rows that hit an existing fingerprint
// are not RETURNed, so only new reviews get an audit row and a queue row. The foreign keys of
// fraud_audit and moderation_queue are checked at the end of the statement, when the review rows
// exist. The statement also returns the rows an earlier delivery stored (the last UNION arm: its
// snapshot predates this statement's inserts, so it sees exactly the rows that were there
// before), which saves a second round trip in the common case. $16 is the held status's name.
// client_ip, device_id and account_created_at (migration 0005) are what a re-score needs to
// record the review as the scorer would have.
constexpr pg::Statement kInsert{"reviewdb_insert_scored", R"sql(
WITH input AS (
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::smallint[],
                       $6::text[], $7::text[], $8::boolean[], $9::text[], $10::real[],
                       $11::timestamptz[], $12::text[], $13::text[], $14::jsonb[], $15::text[],
                       $17::text[], $18::text[], $19::text[])
    AS t (review_id, fingerprint, asin, user_id, rating, title, body, verified_purchase, status,
          fraud_score, submitted_at, decision, scorer, reasons, queue_reason, client_ip,
          device_id, account_created_at)
),
inserted AS (
  INSERT INTO reviews (review_id, fingerprint, asin, user_id, rating, title, body,
                       verified_purchase, status, fraud_score, submitted_at, client_ip, device_id,
                       account_created_at)
  SELECT review_id, fingerprint, asin, user_id, rating, title, body, verified_purchase, status,
         fraud_score, submitted_at, client_ip, device_id,
         nullif(account_created_at, '')::timestamptz
  FROM input
  ON CONFLICT (fingerprint) DO NOTHING
  RETURNING review_id, asin, user_id, rating, verified_purchase, status, stored_at
),
audit AS (
  INSERT INTO fraud_audit (review_id, decision, score, scorer, reasons)
  SELECT i.review_id, i.decision, i.fraud_score, i.scorer, i.reasons
  FROM input i JOIN inserted USING (review_id)
),
queued AS (
  INSERT INTO moderation_queue (review_id, reason, reasons)
  SELECT i.review_id, i.queue_reason, i.reasons
  FROM input i JOIN inserted USING (review_id)
  WHERE i.status = $16
  ON CONFLICT (review_id) DO NOTHING
)
SELECT review_id, asin, user_id, rating, verified_purchase, status,
       (extract(epoch FROM stored_at) * 1000000)::bigint, true
FROM inserted
UNION ALL
SELECT review_id, asin, user_id, rating, verified_purchase, status,
       (extract(epoch FROM stored_at) * 1000000)::bigint, false
FROM reviews WHERE review_id = ANY($1::text[]))sql",
                                pg::Plan::kPerCall};

// For the rare review that is in neither arm above: another instance stored its fingerprint
// concurrently (the insert waited for that commit and skipped the row, but the statement's
// snapshot predates it). A new statement sees it (READ COMMITTED), in the same transaction.
constexpr pg::Statement kSelectStored{"reviewdb_select_stored", R"sql(
SELECT review_id, asin, user_id, rating, verified_purchase, status,
       (extract(epoch FROM stored_at) * 1000000)::bigint, false
FROM reviews WHERE review_id = ANY($1::text[]))sql",
                                      pg::Plan::kPerCall};

ReviewStatus StatusOf(const pqxx::field& field) {
  std::optional<ReviewStatus> status = review::ParseStatus(field.as<std::string>());
  // The CHECK constraint admits only StatusName values: anything else is a schema we do not know.
  if (!status) throw std::runtime_error("reviews.status holds an unknown value");
  return *status;
}

StoredReview StoredFromRow(const pqxx::row& row) {
  StoredReview st;
  st.review_id = row[0].as<std::string>();
  st.asin = row[1].as<std::string>();
  st.user_id = row[2].as<std::string>();
  st.rating = row[3].as<int>();
  st.verified_purchase = row[4].as<bool>();
  st.status = StatusOf(row[5]);
  st.stored_at = absl::FromUnixMicros(row[6].as<int64_t>());
  st.inserted = row[7].as<bool>();
  return st;
}

// ---------------------------------------------------------------------------------------------
// GetReviewDecision

// The review and its latest audit row (the highest audit_id: rows are only ever appended, one
// per decision). $1 is the review id.
constexpr pg::Statement kReviewDecision{"reviewdb_review_decision", R"sql(
SELECT r.user_id, r.status, a.decision, (extract(epoch FROM a.decided_at) * 1000000)::bigint,
       a.reasons::text
FROM reviews r
LEFT JOIN LATERAL (
  SELECT decision, decided_at, reasons FROM fraud_audit
  WHERE review_id = r.review_id ORDER BY audit_id DESC LIMIT 1
) a ON true
WHERE r.review_id = $1)sql"};

// A stored reason in its pre-structure form, "short_body: 5 characters, under 20".
review::Reason ReasonFromLegacyText(const std::string& s) {
  review::Reason r;
  const size_t colon = s.find(": ");
  const bool identifier = colon != std::string::npos && colon > 0 &&
                          s.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") == colon;
  if (identifier) {
    r.code = s.substr(0, colon);
    r.text = s.substr(colon + 2);
  } else {
    r.text = s;
  }
  return r;
}

// ---------------------------------------------------------------------------------------------
// Re-scoring: ListRescoreCandidates, CountRescoreCandidates, ApplyRescores

// The candidate's columns, in the order CandidateFromRow decodes them: the review, then its
// latest audit row (`a`, NULLs when it has none). Times in whole microseconds since the epoch.
constexpr const char* kCandidateColumns = R"sql(
r.review_id, r.fingerprint, r.asin, r.user_id, r.rating, r.title, r.body, r.verified_purchase,
(extract(epoch FROM r.submitted_at) * 1000000)::bigint, r.client_ip, r.device_id,
(extract(epoch FROM r.account_created_at) * 1000000)::bigint, r.status, r.counted,
a.audit_id, a.decision, a.scorer, a.reasons::text,
(extract(epoch FROM a.decided_at) * 1000000)::bigint)sql";
constexpr int kCandidateColumnCount = 19;

// A review's latest audit row (rows are only ever appended, one per decision).
constexpr const char* kLatestAudit = R"sql(
LEFT JOIN LATERAL (
  SELECT audit_id, decision, scorer, reasons, decided_at FROM fraud_audit
  WHERE review_id = r.review_id ORDER BY audit_id DESC LIMIT 1
) a ON true)sql";

RescoreCandidate CandidateFromRow(const pqxx::row& row) {
  RescoreCandidate c;
  review::Submission& s = c.submission;
  s.review_id = row[0].as<std::string>();
  s.fingerprint = row[1].as<std::string>();
  s.asin = row[2].as<std::string>();
  s.user_id = row[3].as<std::string>();
  s.rating = row[4].as<int>();
  s.title = row[5].as<std::string>();
  s.body = row[6].as<std::string>();
  s.verified_purchase = row[7].as<bool>();
  s.submitted_at = absl::FromUnixMicros(row[8].as<int64_t>());
  s.client_ip = row[9].as<std::string>();
  s.device_id = row[10].as<std::string>();
  if (!row[11].is_null()) s.account_created_at = absl::FromUnixMicros(row[11].as<int64_t>());
  c.status = StatusOf(row[12]);
  c.counted = row[13].as<bool>();
  if (!row[14].is_null()) {
    c.audit_id = row[14].as<int64_t>();
    c.decision = row[15].as<std::string>();
    c.scorer = row[16].as<std::string>();
    c.reasons = ReasonsFromJson(row[17].as<std::string>());
    c.decided_at = absl::FromUnixMicros(row[18].as<int64_t>());
  }
  return c;
}

// One query over a selection: its text and its parameters, all bound as text and cast in the
// SQL, so that the text names only the conditions the selection has (an unnamed statement, planned
// with its values: the partial index of 0005 needs the decision's value at plan time).
class CandidateQuery {
 public:
  // Binds `value` and returns its placeholder, cast to `type`: "$3::timestamptz".
  std::string Bind(std::string value, const char* type) {
    params_.push_back(std::move(value));
    return absl::StrCat("$", params_.size(), "::", type);
  }
  // The selection's conditions on `r` (the reviews row), each starting with " AND".
  std::string Filters(const RescoreSelection& selection) {
    std::string where;
    if (selection.from) {
      absl::StrAppend(&where,
                      " AND r.submitted_at >= ", Bind(TimeText(*selection.from), "timestamptz"));
    }
    if (selection.to) {
      absl::StrAppend(&where, " AND r.submitted_at < ",
                      Bind(TimeText(*selection.to), "timestamptz"));
    }
    if (!selection.asin.empty()) {
      absl::StrAppend(&where, " AND r.asin = ", Bind(selection.asin, "text"));
    }
    return where;
  }
  // The bound values, as the parameters of exec_params (valid while this query lives).
  auto Params() const { return pqxx::prepare::make_dynamic_params(params_); }
  pqxx::result Run(pqxx::transaction_base& tx, const std::string& sql) const {
    return tx.exec_params(sql, Params());
  }

 private:
  std::vector<std::string> params_;
};

// A range selection's cursor: the last row's submitted_at in microseconds and its review id.
constexpr char kRangeCursorSeparator = '|';

// The advisory lock every ApplyRescores transaction takes (pg_advisory_xact_lock): any constant
// no other code uses; these are the ASCII bytes of "rescore".
constexpr int64_t kRescoreLock = 0x72657363'6f7265;

// One statement enacts a batch: `current` locks the reviews still as the re-score read them
// (status $3 = `from`, latest audit row $2); the data-modifying CTEs then set status and score,
// append the audit rows, open queue rows for reviews becoming held ($10: the held status's name)
// and close the open rows of reviews leaving it ($11: kQueueStateRescored). All CTEs see the
// same snapshot and the final SELECT reads `current`, not the updated rows.
constexpr pg::Statement kApplyRescores{"reviewdb_apply_rescores", R"sql(
WITH input AS (
  SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::real[], $6::text[],
                       $7::text[], $8::jsonb[], $9::text[])
    AS t (review_id, seen_audit_id, from_status, to_status, fraud_score, decision, scorer,
          reasons, queue_reason)
),
current AS (
  SELECT i.*
  FROM input i JOIN reviews r ON r.review_id = i.review_id
  WHERE r.status = i.from_status
    AND coalesce((SELECT max(f.audit_id) FROM fraud_audit f WHERE f.review_id = i.review_id), 0)
        = i.seen_audit_id
  ORDER BY i.review_id
  FOR UPDATE OF r
),
moved AS (
  UPDATE reviews r SET status = c.to_status, fraud_score = c.fraud_score
  FROM current c WHERE r.review_id = c.review_id
),
audit AS (
  INSERT INTO fraud_audit (review_id, decision, score, scorer, reasons)
  SELECT review_id, decision, fraud_score, scorer, reasons FROM current
  RETURNING review_id, (extract(epoch FROM decided_at) * 1000000)::bigint AS decided_us
),
opened AS (
  INSERT INTO moderation_queue (review_id, reason, reasons)
  SELECT review_id, queue_reason, reasons FROM current
  WHERE to_status = $10 AND from_status <> $10
  ON CONFLICT (review_id) DO UPDATE
    SET state = 'open', reason = excluded.reason, reasons = excluded.reasons, enqueued_at = now()
),
closed AS (
  UPDATE moderation_queue q SET state = $11
  FROM current c
  WHERE q.review_id = c.review_id AND c.from_status = $10 AND c.to_status <> $10
    AND q.state = 'open'
)
SELECT c.review_id, c.from_status, c.to_status, a.decided_us
FROM current c JOIN audit a ON a.review_id = c.review_id)sql",
                                       pg::Plan::kPerCall};

// ---------------------------------------------------------------------------------------------
// Transition

constexpr pg::Statement kTransition{"reviewdb_transition", R"sql(
UPDATE reviews SET status = $3
WHERE review_id = ANY($1::text[]) AND status = $2
RETURNING review_id)sql",
                                    pg::Plan::kPerCall};

// ---------------------------------------------------------------------------------------------
// ApplyCounts

// The status guards ($2: the name of kActive for both) make each event idempotent and order-safe
// (see ApplyCounts): a review counts only while active, and stops counting once it is anything
// else (removed by a moderator, held or rejected by a re-score).
constexpr pg::Statement kCount{"reviewdb_count", R"sql(
UPDATE reviews SET counted = true
WHERE review_id = ANY($1::text[]) AND NOT counted AND status = $2
RETURNING asin, rating, verified_purchase)sql",
                               pg::Plan::kPerCall};

constexpr pg::Statement kUncount{"reviewdb_uncount", R"sql(
UPDATE reviews SET counted = false
WHERE review_id = ANY($1::text[]) AND counted AND status <> $2
RETURNING asin, rating, verified_purchase)sql",
                                 pg::Plan::kPerCall};

// Creates the rows of products seen for the first time (all zero, version 0), so that the
// update below can add every delta, negative ones included. An upsert cannot do it in one
// statement: Postgres checks the CHECK (>= 0) constraints on the proposed INSERT row before it
// looks for the conflict.
constexpr pg::Statement kEnsureRatingRows{"reviewdb_ensure_rating_rows", R"sql(
INSERT INTO product_ratings (asin)
SELECT unnest($1::text[]) ORDER BY 1
ON CONFLICT (asin) DO NOTHING)sql"};

// The deltas arrive as one array per column. d's columns have names of their own so that
// RETURNING can use kRatingColumns unqualified (the statement is built once, below).
constexpr const char* kAddHead = R"sql(
UPDATE product_ratings AS p SET
  review_count = p.review_count + d.d_count,
  rating_sum = p.rating_sum + d.d_sum,
  verified_count = p.verified_count + d.d_vcount,
  verified_sum = p.verified_sum + d.d_vsum,
  stars_1 = p.stars_1 + d.d_s1,
  stars_2 = p.stars_2 + d.d_s2,
  stars_3 = p.stars_3 + d.d_s3,
  stars_4 = p.stars_4 + d.d_s4,
  stars_5 = p.stars_5 + d.d_s5,
  version = p.version + 1,
  updated_at = now()
FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[],
            $7::bigint[], $8::bigint[], $9::bigint[], $10::bigint[])
  AS d (d_asin, d_count, d_sum, d_vcount, d_vsum, d_s1, d_s2, d_s3, d_s4, d_s5)
WHERE p.asin = d.d_asin
RETURNING )sql";

const pg::Statement& AddRatingsStatement() {
  static const std::string kSql = absl::StrCat(kAddHead, kRatingColumns);
  static const pg::Statement kStatement{"reviewdb_add_ratings", kSql.c_str()};
  return kStatement;
}

const pg::Statement& CurrentRatingsStatement() {
  static const std::string kSql =
      absl::StrCat("SELECT ", kRatingColumns,
                   " FROM product_ratings WHERE asin = ANY($1::text[]) ORDER BY asin");
  static const pg::Statement kStatement{"reviewdb_current_ratings", kSql.c_str()};
  return kStatement;
}

// The changed products' deltas, one vector per column of kAddHead's unnest.
struct Deltas {
  std::vector<std::string> asin;
  std::vector<int64_t> count, sum, verified_count, verified_sum;
  std::array<std::vector<int64_t>, 5> stars;

  void Add(const review::RatingAggregate& d) {
    asin.push_back(d.asin);
    count.push_back(d.count);
    sum.push_back(d.sum);
    verified_count.push_back(d.verified_count);
    verified_sum.push_back(d.verified_sum);
    for (size_t i = 0; i < stars.size(); ++i) stars[i].push_back(d.stars[i]);
  }
};

// ListChangedRatings' cursor: the last row's updated_at as Postgres prints it (it parses that
// back to the same microsecond), a space-free separator, and its asin.
constexpr char kCursorSeparator = '|';

// ---------------------------------------------------------------------------------------------
// Helpful votes and the ranking

// A double as text Postgres reads back to the same value (float8 parses the shortest exact
// spelling; 17 significant digits always suffice).
std::string KeyText(double key) { return absl::StrFormat("%.17g", key); }

// The stored ledger rows of the (review, user) pairs $1, $2.
constexpr pg::Statement kStoredVotes{"reviewdb_stored_votes", R"sql(
SELECT v.review_id, v.user_id, v.vote, (extract(epoch FROM v.voted_at) * 1000000)::bigint
FROM unnest($1::text[], $2::text[]) AS i (review_id, user_id)
JOIN helpful_votes v ON v.review_id = i.review_id AND v.user_id = i.user_id)sql",
                                     pg::Plan::kPerCall};

// Inserts the votes of (review, user) pairs that have no row yet, and answers those pairs.
constexpr pg::Statement kInsertNewVotes{"reviewdb_insert_new_votes", R"sql(
INSERT INTO helpful_votes (review_id, user_id, vote, voted_at)
SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[])
ON CONFLICT (review_id, user_id) DO NOTHING
RETURNING review_id, user_id)sql"};

// Writes the votes that are newer than their row (the guard repeats the caller's check, so a
// row is never moved back in time).
constexpr pg::Statement kUpsertVotes{"reviewdb_upsert_votes", R"sql(
INSERT INTO helpful_votes (review_id, user_id, vote, voted_at)
SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[])
ON CONFLICT (review_id, user_id) DO UPDATE SET vote = excluded.vote, voted_at = excluded.voted_at
WHERE helpful_votes.voted_at < excluded.voted_at)sql"};

// review_ranks rows (0, 0, unranked) for touched reviews the lock found without one, so that each
// has a row to lock (ON CONFLICT: another applier may have made it since). The FROM reviews keeps
// unknown ids out; review id order, as the lock.
constexpr pg::Statement kEnsureRanks{"reviewdb_ensure_ranks", R"sql(
INSERT INTO review_ranks (review_id, asin)
SELECT r.review_id, r.asin FROM reviews r
WHERE r.review_id = ANY($1::text[])
ORDER BY r.review_id
ON CONFLICT (review_id) DO NOTHING)sql",
                                     pg::Plan::kPerCall};

// The touched reviews' ranks, locked in review id order (so two batches never deadlock), with
// what ranking them needs from the review: their counts are then rewritten from these rows under
// the lock. Only review_ranks rows are locked; the wide reviews rows are read, not written.
constexpr pg::Statement kLockRanks{"reviewdb_lock_ranks", R"sql(
SELECT k.review_id, k.asin, k.helpful_votes, k.total_votes, r.verified_purchase,
       (extract(epoch FROM r.submitted_at) * 1000000)::bigint, r.status, k.sort_key
FROM review_ranks k JOIN reviews r ON r.review_id = k.review_id
WHERE k.review_id = ANY($1::text[])
ORDER BY k.review_id
FOR NO KEY UPDATE OF k)sql",
                                   pg::Plan::kPerCall};

// A batch's new counts and sort keys in one write per review ('' in $4 is NULL: the review
// leaves the ranking). One row version per review and batch instead of one for the counts and
// another for the key.
constexpr pg::Statement kSetVoteCounts{"reviewdb_set_vote_counts", R"sql(
UPDATE review_ranks k
SET helpful_votes = d.h, total_votes = d.t, sort_key = nullif(d.k, '')::double precision
FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::text[]) AS d (review_id, h, t, k)
WHERE k.review_id = d.review_id)sql",
                                       pg::Plan::kPerCall};

RankedReview RankedFromRow(const pqxx::row& row) {
  RankedReview r;
  r.review_id = row[0].as<std::string>();
  r.asin = row[1].as<std::string>();
  r.helpful_votes = row[2].as<int64_t>();
  r.total_votes = row[3].as<int64_t>();
  r.verified_purchase = row[4].as<bool>();
  r.submitted_at = absl::FromUnixMicros(row[5].as<int64_t>());
  r.status = StatusOf(row[6]);
  if (!row[7].is_null()) r.sort_key = row[7].as<double>();
  return r;
}

// The review_ranks rows of `ids` locked in review id order, as they stand, by review id; a
// stored review without a row gets one first (kEnsureRanks) and is locked after the others (a
// deadlock with another applier is rolled back and retried by pg::Pool::InTransaction). Ids not
// stored are left out. ApplyVotes and RecountVotes lock alike, so they serialise on a review.
std::map<std::string, RankedReview> LockRanks(pqxx::work& tx, const std::set<std::string>& ids) {
  std::map<std::string, RankedReview> locked;
  auto lock = [&](const std::string& array) {
    for (const pqxx::row& row : pg::Exec(tx, kLockRanks, array)) {
      RankedReview r = RankedFromRow(row);
      std::string id = r.review_id;
      locked.insert_or_assign(std::move(id), std::move(r));
    }
  };
  lock(pg::ArrayLiteral(ids));
  std::vector<std::string> unseen;
  for (const std::string& id : ids) {
    if (!locked.contains(id)) unseen.push_back(id);
  }
  if (!unseen.empty()) {
    const std::string unseen_ids = pg::ArrayLiteral(unseen);
    pg::Exec(tx, kEnsureRanks, unseen_ids);
    lock(unseen_ids);
  }
  return locked;
}

// Gives each locked review (whose counts the caller has set) `sort_key(row)` while it is active,
// no key otherwise, writes in one statement the rows whose counts (`counts_changed`) or key
// changed, and moves every row into `out`. Returns how many rows it wrote.
int64_t WriteRanks(pqxx::work& tx, std::map<std::string, RankedReview>& locked,
                   const std::set<std::string>& counts_changed, const ReviewDb::SortKeyFn& sort_key,
                   std::vector<RankedReview>* out) {
  std::vector<std::string> u_review, u_key;
  std::vector<int64_t> u_helpful, u_total;
  for (auto& [id, r] : locked) {
    bool changed = counts_changed.contains(id);
    std::optional<double> key;
    if (r.status == ReviewStatus::kActive) key = sort_key(r);
    if (key != r.sort_key) {
      r.sort_key = key;
      changed = true;
    }
    if (changed) {
      u_review.push_back(id);
      u_helpful.push_back(r.helpful_votes);
      u_total.push_back(r.total_votes);
      u_key.push_back(r.sort_key ? KeyText(*r.sort_key) : "");
    }
    out->push_back(std::move(r));
  }
  if (!u_review.empty()) {
    pg::Exec(tx, kSetVoteCounts, pg::ArrayLiteral(u_review), pg::ArrayLiteral(u_helpful),
             pg::ArrayLiteral(u_total), pg::ArrayLiteral(u_key));
  }
  return static_cast<int64_t>(u_review.size());
}

// Each review's ledger sums, (helpful, helpful + not helpful), for the review ids $1 with a row
// ($2, $3: the vote names).
constexpr pg::Statement kLedgerSums{"reviewdb_ledger_sums", R"sql(
SELECT review_id, count(*) FILTER (WHERE vote = $2), count(*) FILTER (WHERE vote IN ($2, $3))
FROM helpful_votes WHERE review_id = ANY($1::text[]) GROUP BY review_id)sql",
                                    pg::Plan::kPerCall};

// The products of ListRankedAsins: a skip scan of reviews_asin_idx (each step the next asin
// after the last, one index probe) from max($1, $2), while the asin starts with $2, keeping those
// with a review in review_ranks or the ledger. Postgres evaluates a recursive WITH only as far as
// the outer query fetches, so the LIMIT ends the scan; the scan yields asins in ascending order,
// which an ORDER BY here would not keep lazy.
constexpr pg::Statement kRankedAsins{"reviewdb_ranked_asins", R"sql(
WITH RECURSIVE a (asin) AS (
  (SELECT asin FROM reviews WHERE asin > $1 AND asin >= $2 ORDER BY asin LIMIT 1)
  UNION ALL
  SELECT (SELECT r.asin FROM reviews r WHERE r.asin > a.asin ORDER BY r.asin LIMIT 1)
  FROM a WHERE a.asin IS NOT NULL AND starts_with(a.asin, $2)
)
SELECT a.asin FROM a
WHERE a.asin IS NOT NULL AND starts_with(a.asin, $2) AND EXISTS (
  SELECT 1 FROM reviews r WHERE r.asin = a.asin AND (
    EXISTS (SELECT 1 FROM review_ranks k WHERE k.review_id = r.review_id)
    OR EXISTS (SELECT 1 FROM helpful_votes v WHERE v.review_id = r.review_id)))
LIMIT $3)sql"};

// What a ledger row counts: (helpful, total).
std::pair<int64_t, int64_t> Contribution(std::string_view vote) {
  if (vote == VoteName(review::Vote::kHelpful)) return {1, 1};
  if (vote == VoteName(review::Vote::kNotHelpful)) return {0, 1};
  return {0, 0};
}

// Of reviews r LEFT JOIN review_ranks k (a review the ranker has not seen has 0, 0, NULL).
constexpr const char* kListedColumns =
    "r.review_id, r.asin, r.title, r.body, r.rating, r.verified_purchase, "
    "coalesce(k.helpful_votes, 0), coalesce(k.total_votes, 0), "
    "(extract(epoch FROM r.submitted_at) * 1000000)::bigint, k.sort_key";
constexpr const char* kWithRanks =
    " FROM reviews r LEFT JOIN review_ranks k ON k.review_id = r.review_id";
// The ranked side first: a product's range of review_ranks_ranked_idx, each joined to its review.
constexpr const char* kRanksWithReview =
    " FROM review_ranks k JOIN reviews r ON r.review_id = k.review_id";

ListedReview ListedFromRow(const pqxx::row& row) {
  ListedReview r;
  r.review_id = row[0].as<std::string>();
  r.asin = row[1].as<std::string>();
  r.title = row[2].as<std::string>();
  r.body = row[3].as<std::string>();
  r.rating = row[4].as<int>();
  r.verified_purchase = row[5].as<bool>();
  r.helpful_votes = row[6].as<int64_t>();
  r.total_votes = row[7].as<int64_t>();
  r.submitted_at = absl::FromUnixMicros(row[8].as<int64_t>());
  if (!row[9].is_null()) r.sort_key = row[9].as<double>();
  return r;
}

}  // namespace

std::string ReasonsToJson(const std::vector<review::Reason>& reasons) {
  nlohmann::json arr = nlohmann::json::array();
  for (const review::Reason& r : reasons) {
    // JSON has no NaN or infinity: a scorer's bug must not fail the batch, so they become 0.
    auto finite = [](double v) { return std::isfinite(v) ? v : 0.0; };
    arr.push_back({{"code", r.code},
                   {"value", finite(r.value)},
                   {"weight", finite(r.weight)},
                   {"text", r.text}});
  }
  // Reasons are our own text, but never let a stray byte fail the whole batch.
  return arr.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::vector<review::Reason> ReasonsFromJson(std::string_view json) {
  std::vector<review::Reason> out;
  nlohmann::json arr = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (!arr.is_array()) return out;
  for (const nlohmann::json& item : arr) {
    if (item.is_string()) {
      out.push_back(ReasonFromLegacyText(item.get<std::string>()));
      continue;
    }
    if (!item.is_object()) continue;
    review::Reason r;
    if (auto it = item.find("code"); it != item.end() && it->is_string()) r.code = *it;
    if (auto it = item.find("value"); it != item.end() && it->is_number()) r.value = *it;
    if (auto it = item.find("weight"); it != item.end() && it->is_number()) r.weight = *it;
    if (auto it = item.find("text"); it != item.end() && it->is_string()) r.text = *it;
    out.push_back(std::move(r));
  }
  return out;
}

review::RatingAggregate RatingFromRow(const pqxx::row& row) {
  review::RatingAggregate a;
  a.asin = row[0].as<std::string>();
  a.count = row[1].as<int64_t>();
  a.sum = row[2].as<int64_t>();
  a.verified_count = row[3].as<int64_t>();
  a.verified_sum = row[4].as<int64_t>();
  for (int i = 0; i < 5; ++i) a.stars[i] = row[5 + i].as<int64_t>();
  a.version = row[10].as<int64_t>();
  return a;
}

absl::StatusOr<std::vector<StoredReview>> ReviewDb::InsertScored(
    const std::vector<NewReview>& reviews) {
  std::vector<StoredReview> out;
  if (reviews.empty()) return out;
  for (const NewReview& r : reviews) {
    if (r.status == ReviewStatus::kAwaitingScoring) {
      return absl::InvalidArgumentError(
          absl::StrCat("review ", r.submission.review_id, ": a stored review has been scored"));
    }
  }

  const Columns c(reviews);
  using pg::ArrayLiteral;
  const std::string ids = ArrayLiteral(c.review_id);
  const std::string held(StatusName(ReviewStatus::kHeld));

  absl::Status s = pool_.InTransaction([&](pqxx::work& tx) {
    out.clear();  // InTransaction may run this again after a serialization failure
    std::unordered_map<std::string, StoredReview> stored;
    for (const pqxx::row& row :
         pg::Exec(tx, kInsert, ids, ArrayLiteral(c.fingerprint), ArrayLiteral(c.asin),
                  ArrayLiteral(c.user_id), ArrayLiteral(c.rating), ArrayLiteral(c.title),
                  ArrayLiteral(c.body), ArrayLiteral(c.verified_purchase), ArrayLiteral(c.status),
                  ArrayLiteral(c.score), ArrayLiteral(c.submitted_at), ArrayLiteral(c.decision),
                  ArrayLiteral(c.scorer), ArrayLiteral(c.reasons), ArrayLiteral(c.queue_reason),
                  held, ArrayLiteral(c.client_ip), ArrayLiteral(c.device_id),
                  ArrayLiteral(c.account_created_at))) {
      StoredReview st = StoredFromRow(row);
      stored.emplace(st.review_id, std::move(st));
    }
    std::vector<std::string> missing;
    for (const std::string& id : c.review_id) {
      if (stored.count(id) == 0) missing.push_back(id);
    }
    if (!missing.empty()) {
      for (const pqxx::row& row : pg::Exec(tx, kSelectStored, ArrayLiteral(missing))) {
        StoredReview st = StoredFromRow(row);
        stored.emplace(st.review_id, std::move(st));
      }
    }
    for (const std::string& id : c.review_id) {
      auto it = stored.find(id);
      if (it == stored.end()) {
        // Only possible if the fingerprint is stored under another review id, which the
        // scorer's validation (id derived from fingerprint) rules out.
        throw std::runtime_error(absl::StrCat("review ", id, " is not stored after insert"));
      }
      out.push_back(it->second);
    }
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<int64_t> ReviewDb::CountRescoreCandidates(const RescoreSelection& selection) {
  int64_t count = 0;
  absl::Status s = pool_.WithConnection([&](pqxx::connection& c) {
    pqxx::nontransaction tx(c);
    CandidateQuery q;
    std::string sql;
    if (selection.unscored_only) {
      // The same rows ListRescoreCandidates pages through: unscored rows that are their review's
      // latest.
      sql = absl::StrCat(
          "SELECT count(*) FROM fraud_audit u JOIN reviews r ON r.review_id = u.review_id "
          "WHERE u.decision = ",
          q.Bind(kUnscoredDecision, "text"),
          " AND NOT EXISTS (SELECT 1 FROM fraud_audit b WHERE b.review_id = u.review_id AND "
          "b.audit_id > u.audit_id)",
          q.Filters(selection));
    } else {
      sql = absl::StrCat("SELECT count(*) FROM reviews r WHERE true", q.Filters(selection));
    }
    count = q.Run(tx, sql)[0][0].as<int64_t>();
  });
  if (!s.ok()) return s;
  return count;
}

absl::StatusOr<CandidatePage> ReviewDb::ListRescoreCandidates(const RescoreSelection& selection,
                                                              const std::string& cursor,
                                                              int limit) {
  CandidateQuery q;
  std::string sql;
  if (selection.unscored_only) {
    int64_t after = 0;
    if (!cursor.empty() && !absl::SimpleAtoi(cursor, &after)) {
      return absl::InvalidArgumentError(absl::StrCat("bad unscored cursor '", cursor, "'"));
    }
    // Walks the partial index of unscored audit rows in audit_id order; a row that is no longer
    // its review's latest (decided since) is passed over.
    sql = absl::StrCat("SELECT ", kCandidateColumns,
                       ", u.audit_id::text FROM fraud_audit u "
                       "JOIN reviews r ON r.review_id = u.review_id",
                       kLatestAudit, " WHERE u.decision = ", q.Bind(kUnscoredDecision, "text"),
                       " AND u.audit_id > ", q.Bind(absl::StrCat(after), "bigint"),
                       " AND a.audit_id = u.audit_id", q.Filters(selection),
                       " ORDER BY u.audit_id LIMIT ", q.Bind(absl::StrCat(limit), "int"));
  } else {
    std::string after;
    if (!cursor.empty()) {
      const size_t sep = cursor.find(kRangeCursorSeparator);
      int64_t micros = 0;
      if (sep == std::string::npos || !absl::SimpleAtoi(cursor.substr(0, sep), &micros)) {
        return absl::InvalidArgumentError(absl::StrCat("bad range cursor '", cursor, "'"));
      }
      after = absl::StrCat(" AND (r.submitted_at, r.review_id) > (",
                           q.Bind(TimeText(absl::FromUnixMicros(micros)), "timestamptz"), ", ",
                           q.Bind(cursor.substr(sep + 1), "text"), ")");
    }
    sql = absl::StrCat("SELECT ", kCandidateColumns,
                       ", (extract(epoch FROM r.submitted_at) * 1000000)::bigint::text || '",
                       std::string(1, kRangeCursorSeparator), "' || r.review_id FROM reviews r",
                       kLatestAudit, " WHERE true", q.Filters(selection), after,
                       " ORDER BY r.submitted_at, r.review_id LIMIT ",
                       q.Bind(absl::StrCat(limit), "int"));
  }
  CandidatePage page;
  std::string last_cursor;
  absl::Status s = pool_.WithConnection([&](pqxx::connection& c) {
    page = CandidatePage{};
    pqxx::nontransaction tx(c);
    for (const pqxx::row& row : q.Run(tx, sql)) {
      page.candidates.push_back(CandidateFromRow(row));
      last_cursor = row[kCandidateColumnCount].as<std::string>();
    }
  });
  if (!s.ok()) return s;
  if (static_cast<int>(page.candidates.size()) == limit) page.next = last_cursor;
  return page;
}

absl::StatusOr<std::vector<AppliedRescore>> ReviewDb::ApplyRescores(
    const std::vector<RescoreDecision>& decisions) {
  std::vector<AppliedRescore> applied;
  if (decisions.empty()) return applied;
  std::set<std::string> ids;
  std::vector<std::string> review_id, from, to, decision, scorer, reasons, queue_reason;
  std::vector<int64_t> seen_audit_id;
  std::vector<float> score;
  for (const RescoreDecision& d : decisions) {
    if (!IsRescoreTransition(d.from, d.to)) {
      return absl::InvalidArgumentError(
          absl::StrCat("review ", d.review_id, ": no re-score transition ",
                       std::string(StatusName(d.from)), " -> ", std::string(StatusName(d.to))));
    }
    if (d.decision != "pass" && d.decision != "queue" && d.decision != "reject") {
      return absl::InvalidArgumentError(
          absl::StrCat("review ", d.review_id, ": a re-score decides pass, queue or reject, not '",
                       d.decision, "'"));
    }
    if (!ids.insert(d.review_id).second) {
      return absl::InvalidArgumentError(absl::StrCat("review ", d.review_id, " given twice"));
    }
    review_id.push_back(d.review_id);
    seen_audit_id.push_back(d.seen_audit_id);
    from.emplace_back(StatusName(d.from));
    to.emplace_back(StatusName(d.to));
    score.push_back(static_cast<float>(d.fraud_score));
    decision.push_back(d.decision);
    scorer.push_back(d.scorer);
    reasons.push_back(ReasonsToJson(d.reasons));
    queue_reason.push_back(d.queue_reason);
  }
  using pg::ArrayLiteral;
  absl::Status s = pool_.InTransaction([&](pqxx::work& tx) {
    applied.clear();  // InTransaction may run this again after a serialization failure
    tx.exec_params("SELECT pg_advisory_xact_lock($1)", kRescoreLock);
    for (const pqxx::row& row :
         pg::Exec(tx, kApplyRescores, ArrayLiteral(review_id), ArrayLiteral(seen_audit_id),
                  ArrayLiteral(from), ArrayLiteral(to), ArrayLiteral(score), ArrayLiteral(decision),
                  ArrayLiteral(scorer), ArrayLiteral(reasons), ArrayLiteral(queue_reason),
                  std::string(StatusName(ReviewStatus::kHeld)), std::string(kQueueStateRescored))) {
      AppliedRescore a;
      a.review_id = row[0].as<std::string>();
      a.from = StatusOf(row[1]);
      a.to = StatusOf(row[2]);
      a.decided_at = absl::FromUnixMicros(row[3].as<int64_t>());
      applied.push_back(std::move(a));
    }
  });
  if (!s.ok()) return s;
  return applied;
}

absl::StatusOr<std::vector<std::string>> ReviewDb::Transition(
    const std::vector<std::string>& review_ids, ReviewStatus from, ReviewStatus to) {
  if (!IsTransition(from, to)) {
    return absl::InvalidArgumentError(absl::StrCat("no review status transition ",
                                                   std::string(StatusName(from)), " -> ",
                                                   std::string(StatusName(to))));
  }
  std::vector<std::string> moved;
  if (review_ids.empty()) return moved;
  absl::Status s = pool_.InTransaction([&](pqxx::work& tx) {
    moved.clear();
    for (const pqxx::row& row :
         pg::Exec(tx, kTransition, pg::ArrayLiteral(review_ids), std::string(StatusName(from)),
                  std::string(StatusName(to)))) {
      moved.push_back(row[0].as<std::string>());
    }
  });
  if (!s.ok()) return s;
  return moved;
}

absl::StatusOr<CountResult> ReviewDb::ApplyCounts(const std::vector<CountPhase>& phases,
                                                  const std::vector<std::string>& touched_asins) {
  CountResult result;
  absl::Status s = pool_.InTransaction([&](pqxx::work& tx) {
    result = CountResult{};  // InTransaction may run this again after a serialization failure
    std::map<std::string, review::RatingAggregate> deltas;  // by asin: stable statement text
    const std::string active(StatusName(ReviewStatus::kActive));
    auto flip = [&](const pg::Statement& statement, const std::vector<std::string>& ids, int sign) {
      if (ids.empty()) return;
      for (const pqxx::row& row : pg::Exec(tx, statement, pg::ArrayLiteral(ids), active)) {
        const std::string asin = row[0].as<std::string>();
        review::RatingAggregate& d = deltas[asin];
        d.asin = asin;
        d.Apply(row[1].as<int>(), row[2].as<bool>(), sign);
        ++(sign > 0 ? result.counted : result.uncounted);
      }
    };
    for (const CountPhase& phase : phases) {
      flip(kCount, phase.count_ids, +1);
      flip(kUncount, phase.uncount_ids, -1);
    }

    std::set<std::string> unchanged(touched_asins.begin(), touched_asins.end());
    Deltas changed;
    for (const auto& [asin, d] : deltas) {
      // A review counted and uncounted within this transaction nets to zero: no change, no new
      // version.
      if (d.SameCounts(review::RatingAggregate{})) {
        unchanged.insert(asin);
        continue;
      }
      unchanged.erase(asin);
      changed.Add(d);
    }
    if (!changed.asin.empty()) {
      // The CHECKs still guard the result: a delta that would make a count negative means the
      // ledger is corrupt, and the call fails loudly (FailedPrecondition).
      using pg::ArrayLiteral;
      pg::Exec(tx, kEnsureRatingRows, ArrayLiteral(changed.asin));
      for (const pqxx::row& row : pg::Exec(
               tx, AddRatingsStatement(), ArrayLiteral(changed.asin), ArrayLiteral(changed.count),
               ArrayLiteral(changed.sum), ArrayLiteral(changed.verified_count),
               ArrayLiteral(changed.verified_sum), ArrayLiteral(changed.stars[0]),
               ArrayLiteral(changed.stars[1]), ArrayLiteral(changed.stars[2]),
               ArrayLiteral(changed.stars[3]), ArrayLiteral(changed.stars[4]))) {
        result.aggregates.push_back(RatingFromRow(row));
        ++result.products_changed;
      }
    }
    // Products touched without changing still get their current row, so the caller can repair
    // a cache after a retried batch whose first attempt had committed.
    if (!unchanged.empty()) {
      for (const pqxx::row& row :
           pg::Exec(tx, CurrentRatingsStatement(), pg::ArrayLiteral(unchanged))) {
        result.aggregates.push_back(RatingFromRow(row));
      }
    }
  });
  if (!s.ok()) return s;
  return result;
}

absl::StatusOr<std::optional<ReviewDecision>> ReviewDb::GetReviewDecision(
    const std::string& review_id) {
  std::optional<ReviewDecision> out;
  absl::Status s = pool_.WithConnection([&](pqxx::connection& c) {
    out.reset();
    pqxx::nontransaction tx(c);
    pqxx::result r = pg::Exec(tx, kReviewDecision, review_id);
    if (r.empty()) return;
    const pqxx::row& row = r[0];
    ReviewDecision d;
    d.review_id = review_id;
    d.user_id = row[0].as<std::string>();
    d.status = StatusOf(row[1]);
    if (!row[2].is_null()) {
      d.decision = row[2].as<std::string>();
      d.decided_at = absl::FromUnixMicros(row[3].as<int64_t>());
      d.reasons = ReasonsFromJson(row[4].as<std::string>());
    }
    out = std::move(d);
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<std::vector<std::string>> ReviewDb::ExistingReviewIds(
    const std::vector<std::string>& review_ids) {
  if (review_ids.empty()) return std::vector<std::string>();
  return ReadRows(
      pool_, [](const pqxx::row& row) { return row[0].as<std::string>(); },
      "SELECT review_id FROM reviews WHERE review_id = ANY($1::text[])",
      pg::ArrayLiteral(review_ids));
}

absl::StatusOr<std::map<ReviewStatus, int64_t>> ReviewDb::CountByStatus(
    const std::vector<std::string>& review_ids) {
  std::map<ReviewStatus, int64_t> counts;
  if (review_ids.empty()) return counts;
  absl::Status s = pool_.WithConnection([&](pqxx::connection& c) {
    counts.clear();
    pqxx::nontransaction tx(c);
    for (const pqxx::row& row :
         tx.exec_params("SELECT status, count(*) FROM reviews WHERE review_id = ANY($1::text[]) "
                        "GROUP BY status",
                        pg::ArrayLiteral(review_ids))) {
      counts[StatusOf(row[0])] = row[1].as<int64_t>();
    }
  });
  if (!s.ok()) return s;
  return counts;
}

absl::StatusOr<std::map<std::string, int64_t>> ReviewDb::CountInStatus(
    const std::vector<std::string>& asins, ReviewStatus status) {
  std::map<std::string, int64_t> counts;
  if (asins.empty()) return counts;
  absl::Status s = pool_.WithConnection([&](pqxx::connection& c) {
    pqxx::nontransaction tx(c);
    for (const pqxx::row& row : tx.exec_params(
             "SELECT asin, count(*) FROM reviews WHERE asin = ANY($1::text[]) AND status = $2 "
             "GROUP BY asin",
             pg::ArrayLiteral(asins), std::string(StatusName(status)))) {
      counts[row[0].as<std::string>()] = row[1].as<int64_t>();
    }
  });
  if (!s.ok()) return s;
  return counts;
}

namespace {

// Of reviews r LEFT JOIN review_ranks k, as kListedColumns.
constexpr char kContentColumns[] =
    "r.review_id, r.asin, r.rating, r.title, r.body, r.verified_purchase, "
    "(extract(epoch FROM r.submitted_at) * 1000000)::bigint, r.status, "
    "coalesce(k.helpful_votes, 0), coalesce(k.total_votes, 0), k.sort_key";

ReviewContent ContentFromRow(const pqxx::row& row) {
  ReviewContent c;
  c.review_id = row[0].as<std::string>();
  c.asin = row[1].as<std::string>();
  c.rating = row[2].as<int32_t>();
  c.title = row[3].as<std::string>();
  c.body = row[4].as<std::string>();
  c.verified_purchase = row[5].as<bool>();
  c.submitted_at = absl::FromUnixMicros(row[6].as<int64_t>());
  c.status = StatusOf(row[7]);
  c.helpful_votes = row[8].as<int64_t>();
  c.total_votes = row[9].as<int64_t>();
  if (!row[10].is_null()) c.sort_key = row[10].as<double>();
  return c;
}

}  // namespace

absl::StatusOr<std::vector<ReviewContent>> ReviewDb::ReadContent(
    const std::vector<std::string>& review_ids) {
  if (review_ids.empty()) return std::vector<ReviewContent>();
  return ReadRows(
      pool_, ContentFromRow,
      absl::StrCat("SELECT ", kContentColumns, kWithRanks, " WHERE r.review_id = ANY($1::text[])"),
      pg::ArrayLiteral(review_ids));
}

absl::StatusOr<std::vector<ReviewContent>> ReviewDb::ListActiveContent(const std::string& after,
                                                                       int limit) {
  if (absl::Status s = CheckLimit(limit, 10'000); !s.ok()) return s;
  return ReadRows(pool_, ContentFromRow,
                  absl::StrCat("SELECT ", kContentColumns, kWithRanks,
                               " WHERE r.review_id > $1 AND r.status = $2 "
                               "ORDER BY r.review_id LIMIT $3"),
                  after, std::string(StatusName(ReviewStatus::kActive)), limit);
}

absl::StatusOr<std::vector<ReviewInteraction>> ReviewDb::ListActiveInteractions(
    const std::string& after, int limit) {
  if (absl::Status s = CheckLimit(limit, 10'000); !s.ok()) return s;
  return ReadRows(
      pool_,
      [](const pqxx::row& row) {
        return ReviewInteraction{.review_id = row[0].as<std::string>(),
                                 .user_id = row[1].as<std::string>(),
                                 .asin = row[2].as<std::string>(),
                                 .rating = row[3].as<int32_t>(),
                                 .submitted_at = absl::FromUnixMicros(row[4].as<int64_t>())};
      },
      "SELECT review_id, user_id, asin, rating, "
      "(extract(epoch FROM submitted_at) * 1000000)::bigint FROM reviews "
      "WHERE review_id > $1 AND status = $2 ORDER BY review_id LIMIT $3",
      after, std::string(StatusName(ReviewStatus::kActive)), limit);
}

absl::StatusOr<std::optional<review::RatingAggregate>> ReviewDb::GetRating(
    const std::string& asin) {
  std::optional<review::RatingAggregate> out;
  absl::Status s = pool_.WithConnection([&](pqxx::connection& c) {
    pqxx::nontransaction tx(c);
    pqxx::result r = tx.exec_params(
        absl::StrCat("SELECT ", kRatingColumns, " FROM product_ratings WHERE asin = $1"), asin);
    if (!r.empty()) out = RatingFromRow(r[0]);
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<RatingsPage> ReviewDb::ListRatings(const std::string& cursor, int limit) {
  RatingsPage page;
  absl::Status s = pool_.WithConnection([&](pqxx::connection& c) {
    pqxx::nontransaction tx(c);
    pqxx::result r =
        tx.exec_params(absl::StrCat("SELECT ", kRatingColumns,
                                    " FROM product_ratings WHERE asin > $1 ORDER BY asin LIMIT $2"),
                       cursor, limit);
    for (const pqxx::row& row : r) page.aggregates.push_back(RatingFromRow(row));
  });
  if (!s.ok()) return s;
  if (static_cast<int>(page.aggregates.size()) == limit) page.next = page.aggregates.back().asin;
  return page;
}

absl::StatusOr<RatingsPage> ReviewDb::ListChangedRatings(absl::Duration newer_than,
                                                         absl::Duration older_than,
                                                         const std::string& cursor, int limit) {
  std::string after_time = "-infinity";
  std::string after_asin;
  if (!cursor.empty()) {
    size_t sep = cursor.rfind(kCursorSeparator);
    if (sep == std::string::npos) {
      return absl::InvalidArgumentError(absl::StrCat("bad product_ratings cursor '", cursor, "'"));
    }
    after_time = cursor.substr(0, sep);
    after_asin = cursor.substr(sep + 1);
  }
  RatingsPage page;
  std::string last_time;
  absl::Status s = pool_.WithConnection([&](pqxx::connection& c) {
    pqxx::nontransaction tx(c);
    // The window is in whole microseconds of the database's clock, which stamped updated_at.
    pqxx::result r =
        tx.exec_params(absl::StrCat("SELECT ", kRatingColumns,
                                    ", updated_at::text FROM product_ratings "
                                    "WHERE updated_at >= now() - $1 * interval '1 microsecond' "
                                    "AND updated_at < now() - $2 * interval '1 microsecond' "
                                    "AND (updated_at, asin) > ($3::timestamptz, $4) "
                                    "ORDER BY updated_at, asin LIMIT $5"),
                       absl::ToInt64Microseconds(newer_than), absl::ToInt64Microseconds(older_than),
                       after_time, after_asin, limit);
    for (const pqxx::row& row : r) {
      page.aggregates.push_back(RatingFromRow(row));
      last_time = row[11].as<std::string>();
    }
  });
  if (!s.ok()) return s;
  if (static_cast<int>(page.aggregates.size()) == limit) {
    page.next =
        absl::StrCat(last_time, std::string(1, kCursorSeparator), page.aggregates.back().asin);
  }
  return page;
}

absl::StatusOr<VoteResult> ReviewDb::ApplyVotes(const std::vector<review::HelpfulVote>& votes,
                                                const std::vector<std::string>& rank_ids,
                                                const SortKeyFn& sort_key) {
  // Of one user's votes on one review the newest wins (a tie: the later one in the batch).
  std::map<std::pair<std::string, std::string>, const review::HelpfulVote*> latest;
  int64_t superseded = 0;
  for (const review::HelpfulVote& v : votes) {
    auto [it, inserted] = latest.try_emplace({v.review_id, v.user_id}, &v);
    if (inserted) continue;
    ++superseded;
    if (v.voted_at >= it->second->voted_at) it->second = &v;
  }
  std::set<std::string> touched(rank_ids.begin(), rank_ids.end());
  for (const auto& [key, v] : latest) touched.insert(key.first);
  VoteResult result;
  if (touched.empty()) return result;
  using pg::ArrayLiteral;
  absl::Status s = pool_.InTransaction([&](pqxx::work& tx) {
    result = VoteResult{};  // InTransaction may run this again after a serialization failure
    result.unchanged = superseded;
    // The stored ones among the touched reviews, locked (review id order: two appliers of one
    // review serialise instead of deadlocking), as they stand before this batch.
    std::map<std::string, RankedReview> locked = LockRanks(tx, touched);
    // The votes on known reviews. Most pairs are new: they are inserted outright, and only the
    // pairs that already had a row are read and written over (when the vote is newer).
    std::vector<const review::HelpfulVote*> known;
    std::vector<std::string> n_review, n_user, n_vote, n_at;
    for (const auto& [key, v] : latest) {
      if (!locked.contains(key.first)) {
        ++result.unknown;
        continue;
      }
      known.push_back(v);
      n_review.push_back(key.first);
      n_user.push_back(key.second);
      n_vote.emplace_back(VoteName(v->vote));
      n_at.push_back(TimeText(v->voted_at));
    }
    std::set<std::pair<std::string, std::string>> inserted;
    if (!known.empty()) {
      for (const pqxx::row& row :
           pg::Exec(tx, kInsertNewVotes, ArrayLiteral(n_review), ArrayLiteral(n_user),
                    ArrayLiteral(n_vote), ArrayLiteral(n_at))) {
        inserted.emplace(row[0].as<std::string>(), row[1].as<std::string>());
      }
    }
    std::vector<bool> is_new(known.size());
    std::vector<std::string> s_review, s_user;
    for (size_t i = 0; i < known.size(); ++i) {
      is_new[i] = inserted.contains({n_review[i], n_user[i]});
      if (!is_new[i]) {
        s_review.push_back(n_review[i]);
        s_user.push_back(n_user[i]);
      }
    }
    std::map<std::pair<std::string, std::string>, std::pair<std::string, int64_t>> rows;
    if (!s_review.empty()) {
      for (const pqxx::row& row :
           pg::Exec(tx, kStoredVotes, ArrayLiteral(s_review), ArrayLiteral(s_user))) {
        rows[{row[0].as<std::string>(), row[1].as<std::string>()}] = {row[2].as<std::string>(),
                                                                      row[3].as<int64_t>()};
      }
    }
    std::vector<std::string> w_review, w_user, w_vote, w_at;
    std::map<std::string, std::pair<int64_t, int64_t>> deltas;  // by review id
    for (size_t i = 0; i < known.size(); ++i) {
      const review::HelpfulVote* v = known[i];
      const std::string_view name = VoteName(v->vote);
      std::pair<int64_t, int64_t> before{0, 0};
      if (!is_new[i]) {
        auto it = rows.find({v->review_id, v->user_id});
        if (it == rows.end() || it->second.second >= absl::ToUnixMicros(v->voted_at)) {
          ++result.unchanged;  // a replay, or older than what the row holds
          continue;
        }
        before = Contribution(it->second.first);
        w_review.push_back(v->review_id);
        w_user.push_back(v->user_id);
        w_vote.emplace_back(name);
        w_at.push_back(TimeText(v->voted_at));
      }
      const std::pair<int64_t, int64_t> after = Contribution(name);
      if (after == before) {
        ++result.unchanged;
        continue;
      }
      ++result.changed;
      std::pair<int64_t, int64_t>& d = deltas[v->review_id];
      d.first += after.first - before.first;
      d.second += after.second - before.second;
    }
    if (!w_review.empty()) {
      pg::Exec(tx, kUpsertVotes, ArrayLiteral(w_review), ArrayLiteral(w_user), ArrayLiteral(w_vote),
               ArrayLiteral(w_at));
    }
    // Each locked review's counts moved by its delta and its key from the result, written in one
    // statement for the reviews where either changed.
    std::set<std::string> moved;
    for (const auto& [id, d] : deltas) {
      auto it = locked.find(id);
      if (it == locked.end() || (d.first == 0 && d.second == 0)) continue;
      it->second.helpful_votes += d.first;
      it->second.total_votes += d.second;
      moved.insert(id);
    }
    WriteRanks(tx, locked, moved, sort_key, &result.reviews);
  });
  if (!s.ok()) return s;
  return result;
}

absl::StatusOr<std::vector<std::pair<double, std::string>>> ReviewDb::TopRanked(
    const std::string& asin, int limit) {
  return ReadRows(
      pool_,
      [](const pqxx::row& row) {
        return std::pair<double, std::string>(row[0].as<double>(), row[1].as<std::string>());
      },
      absl::StrCat("SELECT k.sort_key, k.review_id", kRanksWithReview,
                   " WHERE k.asin = $1 AND k.sort_key IS NOT NULL AND "
                   "r.status = $2 ORDER BY k.sort_key DESC, k.review_id DESC "
                   "LIMIT $3"),
      asin, std::string(StatusName(ReviewStatus::kActive)), limit);
}

absl::StatusOr<std::vector<ListedReview>> ReviewDb::ListReviews(const ReviewListQuery& query) {
  if (absl::Status s = CheckLimit(query.limit, 1000); !s.ok()) return s;
  // Most helpful: the product's range of review_ranks_ranked_idx, each joined to its review.
  // Newest: reviews_newest_idx on reviews, each joined to its ranks.
  CandidateQuery q;
  const bool helpful = query.order == ReviewOrder::kMostHelpful;
  std::string sql = absl::StrCat("SELECT ", kListedColumns,
                                 helpful ? absl::StrCat(kRanksWithReview, " WHERE k.asin = ")
                                         : absl::StrCat(kWithRanks, " WHERE r.asin = "),
                                 q.Bind(query.asin, "text"), " AND r.status = ",
                                 q.Bind(std::string(StatusName(ReviewStatus::kActive)), "text"));
  if (query.stars_mask != 0) {
    std::vector<int> stars;
    for (int i = 0; i < 5; ++i) {
      if ((query.stars_mask & (1U << i)) != 0) stars.push_back(i + 1);
    }
    absl::StrAppend(&sql, " AND r.rating = ANY(", q.Bind(pg::ArrayLiteral(stars), "smallint[]"),
                    ")");
  }
  if (query.verified_only) absl::StrAppend(&sql, " AND r.verified_purchase");
  if (helpful) {
    absl::StrAppend(&sql, " AND k.sort_key IS NOT NULL");
    if (query.after_key) {
      absl::StrAppend(&sql, " AND (k.sort_key, k.review_id) < (",
                      q.Bind(KeyText(query.after_key->first), "double precision"), ", ",
                      q.Bind(query.after_key->second, "text"), ")");
    }
    absl::StrAppend(&sql, " ORDER BY k.sort_key DESC, k.review_id DESC");
  } else {
    if (query.after_time) {
      absl::StrAppend(&sql, " AND (r.submitted_at, r.review_id) < (",
                      q.Bind(TimeText(query.after_time->first), "timestamptz"), ", ",
                      q.Bind(query.after_time->second, "text"), ")");
    }
    absl::StrAppend(&sql, " ORDER BY r.submitted_at DESC, r.review_id DESC");
  }
  absl::StrAppend(&sql, " LIMIT ", q.Bind(absl::StrCat(query.limit), "int"));
  return ReadRows(pool_, ListedFromRow, sql, q.Params());
}

absl::StatusOr<std::vector<ListedReview>> ReviewDb::GetListedReviews(
    const std::vector<std::string>& review_ids) {
  if (review_ids.empty()) return std::vector<ListedReview>();
  return ReadRows(pool_, ListedFromRow,
                  absl::StrCat("SELECT ", kListedColumns, kWithRanks,
                               " WHERE r.review_id = ANY($1::text[]) AND r.status = $2"),
                  pg::ArrayLiteral(review_ids), std::string(StatusName(ReviewStatus::kActive)));
}

absl::StatusOr<std::optional<ReviewHead>> ReviewDb::GetReviewHead(const std::string& review_id) {
  std::optional<ReviewHead> out;
  absl::Status s = pool_.WithConnection([&](pqxx::connection& c) {
    out.reset();
    pqxx::nontransaction tx(c);
    pqxx::result r =
        tx.exec_params("SELECT asin, user_id, status FROM reviews WHERE review_id = $1", review_id);
    if (r.empty()) return;
    out = ReviewHead{review_id, r[0][0].as<std::string>(), r[0][1].as<std::string>(),
                     StatusOf(r[0][2])};
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<std::vector<VoteCountCheck>> ReviewDb::CheckVoteCounts(
    const std::vector<std::string>& asins) {
  return ReadRows(
      pool_,
      [](const pqxx::row& row) {
        return VoteCountCheck{row[0].as<std::string>(), row[1].as<int64_t>(), row[2].as<int64_t>(),
                              row[3].as<int64_t>(), row[4].as<int64_t>()};
      },
      R"sql(
SELECT r.review_id, coalesce(k.helpful_votes, 0), coalesce(k.total_votes, 0),
       count(v.review_id) FILTER (WHERE v.vote = $2),
       count(v.review_id) FILTER (WHERE v.vote IN ($2, $3))
FROM reviews r
LEFT JOIN review_ranks k ON k.review_id = r.review_id
LEFT JOIN helpful_votes v ON v.review_id = r.review_id
WHERE r.asin = ANY($1::text[])
GROUP BY r.review_id, k.helpful_votes, k.total_votes
HAVING count(v.review_id) > 0 OR coalesce(k.total_votes, 0) <> 0
    OR coalesce(k.helpful_votes, 0) <> 0
ORDER BY r.review_id)sql",
      pg::ArrayLiteral(asins), std::string(VoteName(review::Vote::kHelpful)),
      std::string(VoteName(review::Vote::kNotHelpful)));
}

absl::StatusOr<std::vector<std::string>> ReviewDb::ListRankedAsins(const std::string& prefix,
                                                                   const std::string& after,
                                                                   int limit) {
  if (absl::Status s = CheckLimit(limit, 10000); !s.ok()) return s;
  std::vector<std::string> out;
  absl::Status s = pool_.WithConnection([&](pqxx::connection& c) {
    out.clear();
    pqxx::nontransaction tx(c);
    for (const pqxx::row& row : pg::Exec(tx, kRankedAsins, after, prefix, limit)) {
      out.push_back(row[0].as<std::string>());
    }
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<std::vector<RankedReview>> ReviewDb::ListRanks(
    const std::vector<std::string>& asins) {
  if (asins.empty()) return std::vector<RankedReview>();
  // The columns of kLockRanks, in its order (RankedFromRow); found through the reviews of the
  // products (reviews_asin_idx), each joined to its rank and ledger by primary key.
  return ReadRows(pool_, RankedFromRow, R"sql(
SELECT r.review_id, r.asin, coalesce(k.helpful_votes, 0), coalesce(k.total_votes, 0),
       r.verified_purchase, (extract(epoch FROM r.submitted_at) * 1000000)::bigint, r.status,
       k.sort_key
FROM reviews r LEFT JOIN review_ranks k ON k.review_id = r.review_id
WHERE r.asin = ANY($1::text[])
  AND (k.review_id IS NOT NULL
       OR EXISTS (SELECT 1 FROM helpful_votes v WHERE v.review_id = r.review_id))
ORDER BY r.review_id)sql",
                  pg::ArrayLiteral(asins));
}

absl::StatusOr<VoteResult> ReviewDb::RecountVotes(const std::vector<std::string>& review_ids,
                                                  const SortKeyFn& sort_key) {
  const std::set<std::string> ids(review_ids.begin(), review_ids.end());
  VoteResult result;
  if (ids.empty()) return result;
  absl::Status s = pool_.InTransaction([&](pqxx::work& tx) {
    result = VoteResult{};  // InTransaction may run this again after a serialization failure
    // Locked first: every ledger write of a review holds this lock (ApplyVotes), so the sums
    // read below are final until the commit.
    std::map<std::string, RankedReview> locked = LockRanks(tx, ids);
    std::map<std::string, std::pair<int64_t, int64_t>> sums;
    for (const pqxx::row& row : pg::Exec(tx, kLedgerSums, pg::ArrayLiteral(ids),
                                         std::string(VoteName(review::Vote::kHelpful)),
                                         std::string(VoteName(review::Vote::kNotHelpful)))) {
      sums[row[0].as<std::string>()] = {row[1].as<int64_t>(), row[2].as<int64_t>()};
    }
    std::set<std::string> recounted;
    for (auto& [id, r] : locked) {
      const std::pair<int64_t, int64_t> ledger = sums[id];  // (0, 0) without a ledger row
      if (ledger == std::make_pair(r.helpful_votes, r.total_votes)) continue;
      r.helpful_votes = ledger.first;
      r.total_votes = ledger.second;
      recounted.insert(id);
    }
    result.unknown = static_cast<int64_t>(ids.size() - locked.size());
    result.changed = WriteRanks(tx, locked, recounted, sort_key, &result.reviews);
    result.unchanged = static_cast<int64_t>(result.reviews.size()) - result.changed;
  });
  if (!s.ok()) return s;
  return result;
}

absl::StatusOr<std::vector<review::RatingAggregate>> ReviewDb::CountedSums(
    const std::vector<std::string>& asins) {
  // The columns of kRatingColumns, in its order, so RatingFromRow decodes them.
  return ReadRows(pool_, RatingFromRow, R"sql(
SELECT asin, count(*), sum(rating), count(*) FILTER (WHERE verified_purchase),
       coalesce(sum(rating) FILTER (WHERE verified_purchase), 0),
       count(*) FILTER (WHERE rating = 1), count(*) FILTER (WHERE rating = 2),
       count(*) FILTER (WHERE rating = 3), count(*) FILTER (WHERE rating = 4),
       count(*) FILTER (WHERE rating = 5), 0
FROM reviews WHERE asin = ANY($1::text[]) AND counted GROUP BY asin ORDER BY asin)sql",
                  pg::ArrayLiteral(asins));
}

absl::StatusOr<std::vector<std::string>> ReviewDb::UnratedCountedAsins(int limit) {
  if (limit < 1 || limit > 10000) {
    return absl::InvalidArgumentError(absl::StrCat("limit ", limit, " outside 1..10000"));
  }
  return ReadRows(
      pool_, [](const pqxx::row& row) { return row[0].as<std::string>(); }, R"sql(
SELECT DISTINCT r.asin FROM reviews r
WHERE r.counted AND NOT EXISTS (SELECT 1 FROM product_ratings p WHERE p.asin = r.asin)
ORDER BY 1 LIMIT $1)sql",
      limit);
}

namespace {

// Locks the rows before the sums are read (a statement of its own: under READ COMMITTED the
// next statement's snapshot then holds every ledger transaction that committed before the locks
// were granted).
constexpr pg::Statement kLockRatingRows{"reviewdb_lock_rating_rows", R"sql(
SELECT asin FROM product_ratings WHERE asin = ANY($1::text[]) ORDER BY asin FOR UPDATE)sql"};

// The sums as CountedSums computes them, per product of $1 (LATERAL: a product without counted
// reviews gets a row of zeros), written with a version past both the stored one and $2's.
const pg::Statement& RecountStatement() {
  static const std::string kSql = absl::StrCat(R"sql(
UPDATE product_ratings AS p SET
  review_count = s.n, rating_sum = s.total, verified_count = s.vn, verified_sum = s.vtotal,
  stars_1 = s.n1, stars_2 = s.n2, stars_3 = s.n3, stars_4 = s.n4, stars_5 = s.n5,
  version = greatest(p.version, m.min_version) + 1,
  updated_at = now()
FROM unnest($1::text[], $2::bigint[]) AS m (m_asin, min_version)
CROSS JOIN LATERAL (
  SELECT count(*) AS n, coalesce(sum(r.rating), 0) AS total,
         count(*) FILTER (WHERE r.verified_purchase) AS vn,
         coalesce(sum(r.rating) FILTER (WHERE r.verified_purchase), 0) AS vtotal,
         count(*) FILTER (WHERE r.rating = 1) AS n1, count(*) FILTER (WHERE r.rating = 2) AS n2,
         count(*) FILTER (WHERE r.rating = 3) AS n3, count(*) FILTER (WHERE r.rating = 4) AS n4,
         count(*) FILTER (WHERE r.rating = 5) AS n5
  FROM reviews r WHERE r.asin = m.m_asin AND r.counted) AS s
WHERE p.asin = m.m_asin
RETURNING )sql",
                                               kRatingColumns);
  static const pg::Statement kStatement{"reviewdb_recount_ratings", kSql.c_str()};
  return kStatement;
}

}  // namespace

absl::StatusOr<std::vector<review::RatingAggregate>> ReviewDb::RecountRatings(
    const std::vector<std::string>& asins, const std::vector<int64_t>& min_versions) {
  if (asins.size() != min_versions.size()) {
    return absl::InvalidArgumentError(absl::StrCat("RecountRatings: ", asins.size(), " asins and ",
                                                   min_versions.size(), " min versions"));
  }
  if (std::set<std::string>(asins.begin(), asins.end()).size() != asins.size()) {
    return absl::InvalidArgumentError("RecountRatings: an asin repeats");
  }
  std::vector<review::RatingAggregate> out;
  if (asins.empty()) return out;
  absl::Status s = pool_.InTransaction([&](pqxx::work& tx) {
    out.clear();  // InTransaction may run this again after a serialization failure
    const std::string ids = pg::ArrayLiteral(asins);
    pg::Exec(tx, kEnsureRatingRows, ids);
    pg::Exec(tx, kLockRatingRows, ids);
    for (const pqxx::row& row :
         pg::Exec(tx, RecountStatement(), ids, pg::ArrayLiteral(min_versions))) {
      out.push_back(RatingFromRow(row));
    }
  });
  if (!s.ok()) return s;
  std::sort(out.begin(), out.end(),
            [](const review::RatingAggregate& a, const review::RatingAggregate& b) {
              return a.asin < b.asin;
            });
  return out;
}

}  // namespace candor::reviewdb
