#include "services/rating-aggregator/pg_rating_ledger.h"

#include <array>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "libs/pg/array_literal.h"
#include "libs/pg/statement.h"
#include "libs/ratings/pg_rating_store.h"

namespace candor::rating_aggregator {
namespace {

// The status guards make each event idempotent and order-safe (see RatingLedger::Apply).
constexpr pg::Statement kCount{"aggregator_count", R"sql(
UPDATE reviews SET counted = true
WHERE review_id = ANY($1::text[]) AND NOT counted AND status = 'active'
RETURNING asin, rating, verified_purchase)sql"};

constexpr pg::Statement kUncount{"aggregator_uncount", R"sql(
UPDATE reviews SET counted = false
WHERE review_id = ANY($1::text[]) AND counted AND status = 'removed'
RETURNING asin, rating, verified_purchase)sql"};

// Creates the rows of products seen for the first time (all zero, version 0), so that the
// update below can add every delta, negative ones included. An upsert cannot do it in one
// statement: Postgres checks the CHECK (>= 0) constraints on the proposed INSERT row before it
// looks for the conflict.
constexpr pg::Statement kEnsureRows{"aggregator_ensure_rows", R"sql(
INSERT INTO product_ratings (asin)
SELECT unnest($1::text[]) ORDER BY 1
ON CONFLICT (asin) DO NOTHING)sql"};

// The deltas arrive as one array per column. d's columns have names of their own so that
// RETURNING can use PgRatingStore::kColumns unqualified (the statement is built once, below).
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

const pg::Statement& AddStatement() {
  static const std::string kSql = absl::StrCat(kAddHead, ratings::PgRatingStore::kColumns);
  static const pg::Statement kStatement{"aggregator_add", kSql.c_str()};
  return kStatement;
}

const pg::Statement& CurrentStatement() {
  static const std::string kSql =
      absl::StrCat("SELECT ", ratings::PgRatingStore::kColumns,
                   " FROM product_ratings WHERE asin = ANY($1::text[]) ORDER BY asin");
  static const pg::Statement kStatement{"aggregator_current", kSql.c_str()};
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

}  // namespace

absl::StatusOr<LedgerResult> PgRatingLedger::Apply(const std::vector<LedgerPhase>& phases,
                                                   const std::vector<std::string>& touched_asins) {
  LedgerResult result;
  absl::Status s = pool_.InTransaction([&](pqxx::work& tx) {
    result = LedgerResult{};  // InTransaction may run this again after a serialization failure
    std::map<std::string, review::RatingAggregate> deltas;  // by asin: stable statement text
    auto flip = [&](const pg::Statement& statement, const std::vector<std::string>& ids, int sign) {
      if (ids.empty()) return;
      for (const pqxx::row& row : pg::ExecPrepared(tx, statement, pg::ArrayLiteral(ids))) {
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
      // A new product ends at version 1 (0 + 1). The CHECKs still guard the result: a delta that
      // would make a count negative means the ledger is corrupt, and the batch fails loudly
      // (FailedPrecondition: the batch loop isolates the event and dead-letters it).
      using pg::ArrayLiteral;
      pg::ExecPrepared(tx, kEnsureRows, ArrayLiteral(changed.asin));
      for (const pqxx::row& row : pg::ExecPrepared(
               tx, AddStatement(), ArrayLiteral(changed.asin), ArrayLiteral(changed.count),
               ArrayLiteral(changed.sum), ArrayLiteral(changed.verified_count),
               ArrayLiteral(changed.verified_sum), ArrayLiteral(changed.stars[0]),
               ArrayLiteral(changed.stars[1]), ArrayLiteral(changed.stars[2]),
               ArrayLiteral(changed.stars[3]), ArrayLiteral(changed.stars[4]))) {
        result.aggregates.push_back(ratings::PgRatingStore::FromRow(row));
        ++result.products_changed;
      }
    }
    // Products the batch touched without changing them still get their current row, so the
    // caller can repair the cache after a retried batch whose first attempt had committed.
    if (!unchanged.empty()) {
      for (const pqxx::row& row :
           pg::ExecPrepared(tx, CurrentStatement(), pg::ArrayLiteral(unchanged))) {
        result.aggregates.push_back(ratings::PgRatingStore::FromRow(row));
      }
    }
  });
  if (!s.ok()) return s;
  return result;
}

}  // namespace candor::rating_aggregator
