#include "services/fraud-scorer/pg_review_repository.h"

#include <unordered_map>
#include <unordered_set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "libs/pg/array_literal.h"
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

// One parenthesised VALUES row, in the column order of kInsert's `input`.
std::string ValuesRow(pqxx::work& tx, const ScoredReview& r) {
  const review::Submission& s = r.submission;
  return absl::StrCat(
      "(", tx.quote(s.review_id), ", ", tx.quote(s.fingerprint), ", ", tx.quote(s.asin), ", ",
      tx.quote(s.user_id), ", ", s.rating, "::smallint, ", tx.quote(s.title), ", ",
      tx.quote(s.body), ", ", s.verified_purchase ? "true" : "false", ", ",
      tx.quote(std::string(StatusName(r.status))), ", ", r.decision.score, "::real, ",
      tx.quote(absl::FormatTime(absl::RFC3339_full, s.submitted_at, absl::UTCTimeZone())),
      "::timestamptz, ", tx.quote(std::string(KindName(r.decision.kind))), ", ",
      tx.quote(r.decision.scorer), ", ", tx.quote(ReasonsJson(r.decision.reasons)), "::jsonb, ",
      tx.quote(QueueReason(r.decision)), ")");
}

// The inserts run as data-modifying CTEs of one statement: rows that hit an existing fingerprint
// are not RETURNed, so only new reviews get an audit row and a queue row. The foreign keys of
// fraud_audit and moderation_queue are checked at the end of the statement, when the review rows
// exist.
constexpr const char* kInsertHead = R"sql(
WITH input (review_id, fingerprint, asin, user_id, rating, title, body, verified_purchase, status,
            fraud_score, submitted_at, decision, scorer, reasons, queue_reason) AS (
  VALUES )sql";

constexpr const char* kInsertTail = R"sql(
),
inserted AS (
  INSERT INTO reviews (review_id, fingerprint, asin, user_id, rating, title, body,
                       verified_purchase, status, fraud_score, submitted_at)
  SELECT review_id, fingerprint, asin, user_id, rating, title, body, verified_purchase, status,
         fraud_score, submitted_at
  FROM input
  ON CONFLICT (fingerprint) DO NOTHING
  RETURNING review_id
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
SELECT review_id FROM inserted)sql";

// A second statement, because the statement above cannot see its own inserts. It runs in the
// same transaction, so it sees them, and (READ COMMITTED) any row another instance committed
// meanwhile.
constexpr const char* kSelect = R"sql(
SELECT review_id, asin, user_id, rating, verified_purchase, status,
       (extract(epoch FROM stored_at) * 1000000)::bigint
FROM reviews WHERE review_id = ANY($1::text[]))sql";

}  // namespace

absl::StatusOr<std::vector<StoredReview>> PgReviewRepository::Store(
    const std::vector<ScoredReview>& reviews) {
  std::vector<StoredReview> out;
  if (reviews.empty()) return out;
  std::vector<std::string> ids;
  ids.reserve(reviews.size());
  for (const ScoredReview& r : reviews) ids.push_back(r.submission.review_id);

  absl::Status s = pool_.InTransaction([&](pqxx::work& tx) {
    out.clear();  // InTransaction may run this again after a serialization failure
    std::string sql = kInsertHead;
    for (size_t i = 0; i < reviews.size(); ++i) {
      if (i > 0) sql += ",\n  ";
      sql += ValuesRow(tx, reviews[i]);
    }
    sql += kInsertTail;
    std::unordered_set<std::string> inserted;
    for (const pqxx::row& row : tx.exec(sql)) inserted.insert(row[0].as<std::string>());

    std::unordered_map<std::string, StoredReview> stored;
    for (const pqxx::row& row : tx.exec_params(kSelect, pg::ArrayLiteral(ids))) {
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
      st.inserted = inserted.count(st.review_id) > 0;
      stored.emplace(st.review_id, std::move(st));
    }
    for (const std::string& id : ids) {
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
