#include "services/rating-aggregator/pg_rating_ledger.h"

#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "libs/pg/array_literal.h"
#include "libs/ratings/pg_rating_store.h"

namespace candor::rating_aggregator {
namespace {

// The status guards make each event idempotent and order-safe (see RatingLedger::Apply).
constexpr const char* kCount = R"sql(
UPDATE reviews SET counted = true
WHERE review_id = ANY($1::text[]) AND NOT counted AND status = 'active'
RETURNING asin, rating, verified_purchase)sql";

constexpr const char* kUncount = R"sql(
UPDATE reviews SET counted = false
WHERE review_id = ANY($1::text[]) AND counted AND status = 'removed'
RETURNING asin, rating, verified_purchase)sql";

// Creates the rows of products seen for the first time (all zero, version 0), so that the
// update below can add every delta, negative ones included. An upsert cannot do it in one
// statement: Postgres checks the CHECK (>= 0) constraints on the proposed INSERT row before it
// looks for the conflict.
constexpr const char* kEnsureRows = R"sql(
INSERT INTO product_ratings (asin)
SELECT unnest($1::text[]) ORDER BY 1
ON CONFLICT (asin) DO NOTHING)sql";

// d's columns have names of their own so that RETURNING can use PgRatingStore::kColumns
// unqualified.
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
FROM (VALUES )sql";

constexpr const char* kAddTail = R"sql(
) AS d (d_asin, d_count, d_sum, d_vcount, d_vsum, d_s1, d_s2, d_s3, d_s4, d_s5)
WHERE p.asin = d.d_asin
RETURNING )sql";

}  // namespace

absl::StatusOr<LedgerResult> PgRatingLedger::Apply(const std::vector<LedgerPhase>& phases,
                                                   const std::vector<std::string>& touched_asins) {
  LedgerResult result;
  absl::Status s = pool_.InTransaction([&](pqxx::work& tx) {
    result = LedgerResult{};  // InTransaction may run this again after a serialization failure
    std::map<std::string, review::RatingAggregate> deltas;  // by asin: stable statement text
    auto flip = [&](const char* sql, const std::vector<std::string>& ids, int sign) {
      if (ids.empty()) return;
      for (const pqxx::row& row : tx.exec_params(sql, pg::ArrayLiteral(ids))) {
        const std::string asin = row[0].as<std::string>();
        review::RatingAggregate& d = deltas[asin];
        d.asin = asin;
        d.Apply(row[1].as<int>(), row[2].as<bool>(), sign);
        ++(sign > 0 ? result.counted : result.uncounted);
      }
    };
    for (const LedgerPhase& phase : phases) {
      flip(kCount, phase.count_ids, +1);
      flip(kUncount, phase.uncount_ids, -1);
    }

    std::set<std::string> unchanged(touched_asins.begin(), touched_asins.end());
    std::vector<std::string> changed;
    std::string values;
    for (const auto& [asin, d] : deltas) {
      // A review counted and uncounted within this transaction nets to zero: no change, no new
      // version.
      if (d.SameCounts(review::RatingAggregate{})) {
        unchanged.insert(asin);
        continue;
      }
      unchanged.erase(asin);
      changed.push_back(asin);
      absl::StrAppend(&values, values.empty() ? "" : ",\n  ", "(", tx.quote(asin), "::text, ",
                      d.count, "::bigint, ", d.sum, "::bigint, ", d.verified_count, "::bigint, ",
                      d.verified_sum, "::bigint, ", d.stars[0], "::bigint, ", d.stars[1],
                      "::bigint, ", d.stars[2], "::bigint, ", d.stars[3], "::bigint, ", d.stars[4],
                      "::bigint)");
    }
    if (!changed.empty()) {
      // A new product ends at version 1 (0 + 1). The CHECKs still guard the result: a delta that
      // would make a count negative means the ledger is corrupt, and the batch fails loudly.
      tx.exec_params(kEnsureRows, pg::ArrayLiteral(changed));
      for (const pqxx::row& row :
           tx.exec(absl::StrCat(kAddHead, values, kAddTail, ratings::PgRatingStore::kColumns))) {
        result.aggregates.push_back(ratings::PgRatingStore::FromRow(row));
        ++result.products_changed;
      }
    }
    // Products the batch touched without changing them still get their current row, so the
    // caller can repair the cache after a retried batch whose first attempt had committed.
    if (!unchanged.empty()) {
      for (const pqxx::row& row : tx.exec_params(
               absl::StrCat("SELECT ", ratings::PgRatingStore::kColumns,
                            " FROM product_ratings WHERE asin = ANY($1::text[]) ORDER BY asin"),
               pg::ArrayLiteral(unchanged))) {
        result.aggregates.push_back(ratings::PgRatingStore::FromRow(row));
      }
    }
  });
  if (!s.ok()) return s;
  return result;
}

}  // namespace candor::rating_aggregator
