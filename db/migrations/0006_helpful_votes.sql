-- 0006: helpful votes and the helpfulness ranking (services/helpfulness-ranker).
--
-- 1. The vote ledger: one row per (review, user), the user's latest word by voted_at ('helpful',
--    'not_helpful' or 'retracted': a retraction keeps its row so that an older vote replayed
--    later cannot come back). The ranker writes it (libs/reviewdb ReviewDb::ApplyVotes).
-- 2. On the review: helpful_votes and total_votes, which always equal its ledger rows
--    (invariant I4: total = helpful + not_helpful; retracted rows count for neither), and
--    sort_key, libs/helpfulness SortKey of those counts (time-invariant: it orders as the
--    displayed score does at any later time), NULL while the review is not ranked (not active,
--    or not yet seen by the ranker).
-- 3. Two partial indexes for ListReviews' pages of a product's active reviews: by (sort_key,
--    review_id) descending, and newest first by (submitted_at, review_id) descending.
--
-- Cost: ADD COLUMN with a constant default or none rewrites nothing (PostgreSQL 11+); the CHECKs
-- on the new columns hold for every existing row (0, 0) without a rewrite but are verified by one
-- scan. The CREATE INDEXes read reviews once and block writes while they build, inside this
-- migration's transaction; on a large table build them first with CREATE INDEX CONCURRENTLY under
-- the same names (IF NOT EXISTS then skips them here).
CREATE TABLE helpful_votes (
  review_id text        NOT NULL REFERENCES reviews (review_id),
  user_id   text        NOT NULL,
  vote      text        NOT NULL CHECK (vote IN ('helpful', 'not_helpful', 'retracted')),
  voted_at  timestamptz NOT NULL,
  PRIMARY KEY (review_id, user_id)
);

ALTER TABLE reviews
  ADD COLUMN helpful_votes bigint NOT NULL DEFAULT 0 CHECK (helpful_votes >= 0),
  ADD COLUMN total_votes bigint NOT NULL DEFAULT 0 CHECK (total_votes >= helpful_votes),
  ADD COLUMN sort_key double precision;

CREATE INDEX IF NOT EXISTS reviews_ranked_idx ON reviews (asin, sort_key DESC, review_id DESC)
  WHERE status = 'active' AND sort_key IS NOT NULL;
CREATE INDEX IF NOT EXISTS reviews_newest_idx ON reviews (asin, submitted_at DESC, review_id DESC)
  WHERE status = 'active';
