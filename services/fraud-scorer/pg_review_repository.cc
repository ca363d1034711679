#include "services/fraud-scorer/pg_review_repository.h"

#include <unordered_map>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "libs/pg/array_literal.h"
#include "libs/pg/statement.h"
#include "nlohmann/json.hpp"

namespace candor::fraud_scorer {
namespace {

std::string ReasonsJson(const std::vector<std::string>& reasons) {
  nlohmann::json arr = nlohmann::json::array();
  for (const std::string& r : reasons) arr.push_back(r);
  // Reasons are our own text, but never let a stray byte fail the whole batch.
  return arr.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// The moderation_queue.reason a moderator sees first: the score and the rules that fired.
std::string QueueReason(const Decision& d) {
  return absl::StrCat(d.scorer, " score ", d.score, ": ", absl::StrJoin(d.reasons, "; "));
}

// The batch as one array per column (see kInsert): bound parameters instead of a VALUES list,
// so the statement text and its plan are the same for every batch.
struct Columns {
  std::vector<std::string> review_id, fingerprint, asin, user_id, title, body, status, submitted_at,
      decision, scorer, reasons, queue_reason;
  std::vector<int> rating;
  std::vector<bool> verified_purchase;
  std::vector<float> score;

  explicit Columns(const std::vector<ScoredReview>& reviews) {
    for (const ScoredReview& r : reviews) {
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
      score.push_back(static_cast<float>(r.decision.score));
      submitted_at.push_back(
          absl::FormatTime(absl::RFC3339_full, s.submitted_at, absl::UTCTimeZone()));
      decision.push_back(std::string(KindName(r.decision.kind)));
      scorer.push_back(r.decision.scorer);
      reasons.push_back(ReasonsJson(r.decision.reasons));
      queue_reason.push_back(QueueReason(r.decision));
    }
  }
};

// The inserts run as data-modifying CTEs of one statement: rows that hit an existing fingerprint
// are not RETURNed, so only new reviews get an audit row and a queue row. The foreign keys of
// fraud_audit and moderation_queue are checked at the end of the statement, when the review rows
// exist. The statement also returns the rows an earlier delivery stored (the last UNION arm: its
// snapshot predates this statement's inserts, so it sees exactly the rows that were there
// before), which saves a second round trip in the common case.
constexpr pg::Statement kInsert{"fraud_scorer_store_reviews", R"sql(
WITH input AS (
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::smallint[],
                       $6::text[], $7::text[], $8::boolean[], $9::text[], $10::real[],
                       $11::timestamptz[], $12::text[], $13::text[], $14::jsonb[], $15::text[])
    AS t (review_id, fingerprint, asin, user_id, rating, title, body, verified_purchase, status,
          fraud_score, submitted_at, decision, scorer, reasons, queue_reason)
),
inserted AS (
  INSERT INTO reviews (review_id, fingerprint, asin, user_id, rating, title, body,
                       verified_purchase, status, fraud_score, submitted_at)
  SELECT review_id, fingerprint, asin, user_id, rating, title, body, verified_purchase, status,
         fraud_score, submitted_at
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
  INSERT INTO moderation_queue (review_id, reason)
  SELECT i.review_id, i.queue_reason
  FROM input i JOIN inserted USING (review_id)
  WHERE i.status = 'pending'
  ON CONFLICT (review_id) DO NOTHING
)
SELECT review_id, asin, user_id, rating, verified_purchase, status,
       (extract(epoch FROM stored_at) * 1000000)::bigint, true
FROM inserted
UNION ALL
SELECT review_id, asin, user_id, rating, verified_purchase, status,
       (extract(epoch FROM stored_at) * 1000000)::bigint, false
FROM reviews WHERE review_id = ANY($1::text[]))sql"};

// For the rare review that is in neither arm above: another instance stored its fingerprint
// concurrently (the insert waited for that commit and skipped the row, but the statement's
// snapshot predates it). A new statement sees it (READ COMMITTED), in the same transaction.
constexpr pg::Statement kSelect{"fraud_scorer_select_reviews", R"sql(
SELECT review_id, asin, user_id, rating, verified_purchase, status,
       (extract(epoch FROM stored_at) * 1000000)::bigint, false
FROM reviews WHERE review_id = ANY($1::text[]))sql"};

StoredReview FromRow(const pqxx::row& row) {
  StoredReview st;
  st.review_id = row[0].as<std::string>();
  st.asin = row[1].as<std::string>();
  st.user_id = row[2].as<std::string>();
  st.rating = row[3].as<int>();
  st.verified_purchase = row[4].as<bool>();
  std::optional<ReviewStatus> status = ParseStatus(row[5].as<std::string>());
  if (!status) throw std::runtime_error("reviews.status holds an unknown value");
  st.status = *status;
  st.stored_at = absl::FromUnixMicros(row[6].as<int64_t>());
  st.inserted = row[7].as<bool>();
  return st;
}

}  // namespace

absl::StatusOr<std::vector<StoredReview>> PgReviewRepository::Store(
    const std::vector<ScoredReview>& reviews) {
  std::vector<StoredReview> out;
  if (reviews.empty()) return out;

  const Columns c(reviews);
  using pg::ArrayLiteral;
  const std::string ids = ArrayLiteral(c.review_id);

  absl::Status s = pool_.InTransaction([&](pqxx::work& tx) {
    out.clear();  // InTransaction may run this again after a serialization failure
    std::unordered_map<std::string, StoredReview> stored;
    for (const pqxx::row& row : pg::ExecPrepared(
             tx, kInsert, ids, ArrayLiteral(c.fingerprint), ArrayLiteral(c.asin),
             ArrayLiteral(c.user_id), ArrayLiteral(c.rating), ArrayLiteral(c.title),
             ArrayLiteral(c.body), ArrayLiteral(c.verified_purchase), ArrayLiteral(c.status),
             ArrayLiteral(c.score), ArrayLiteral(c.submitted_at), ArrayLiteral(c.decision),
             ArrayLiteral(c.scorer), ArrayLiteral(c.reasons), ArrayLiteral(c.queue_reason))) {
      StoredReview st = FromRow(row);
      stored.emplace(st.review_id, std::move(st));
    }
    std::vector<std::string> missing;
    for (const std::string& id : c.review_id) {
      if (stored.count(id) == 0) missing.push_back(id);
    }
    if (!missing.empty()) {
      for (const pqxx::row& row : pg::ExecPrepared(tx, kSelect, ArrayLiteral(missing))) {
        StoredReview st = FromRow(row);
        stored.emplace(st.review_id, std::move(st));
      }
    }
    for (const std::string& id : c.review_id) {
      auto it = stored.find(id);
      if (it == stored.end()) {
        // Only possible if the fingerprint is stored under another review id, which the
        // consumer's validation (id derived from fingerprint) rules out.
        throw std::runtime_error(absl::StrCat("review ", id, " is not stored after insert"));
      }
      out.push_back(it->second);
    }
  });
  if (!s.ok()) return s;
  return out;
}

}  // namespace candor::fraud_scorer
