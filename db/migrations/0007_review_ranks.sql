-- 0007: the ranker's counts and sort key move from reviews to a narrow table of their own.
--
-- Why: helpfulness-ranker rewrites a review's helpful_votes, total_votes and sort_key with every
-- batch that touches it. On reviews that was a new version of a wide row (title, body, every
-- column of the write path) and, because sort_key is indexed, a new entry in each of the table's
-- six indexes: 42 us per row, two thirds of the ranker's time (bench/README.md, "Votes and
-- ListReviews"). review_ranks holds only what the ranking changes, under two indexes.
--
-- 1. review_ranks: one row per review the ranker has seen (a vote or a review event), written
--    only by the ranker (libs/reviewdb ReviewDb::ApplyVotes). helpful_votes and total_votes
--    always equal the review's ledger rows in helpful_votes (invariant I4); sort_key is
--    libs/helpfulness SortKey of them while the review is active, NULL otherwise. asin repeats
--    the review's (it never changes) so that a product's ranking is one index range. A review
--    without a row has no votes and is not ranked: readers LEFT JOIN and read 0, 0, NULL.
-- 2. The counts and keys stored on reviews until now move into it, and the columns and
--    reviews_ranked_idx go. ListReviews' newest-first index stays on reviews.
--
-- Cost: the INSERT reads reviews once and writes a row per ranked or voted review; DROP COLUMN
-- rewrites nothing (the space is reclaimed as rows are rewritten). Both run inside this
-- migration's transaction and block the ranker while they do (it retries).
CREATE TABLE review_ranks (
  review_id     text   PRIMARY KEY REFERENCES reviews (review_id),
  asin          text   NOT NULL,
  helpful_votes bigint NOT NULL DEFAULT 0 CHECK (helpful_votes >= 0),
  total_votes   bigint NOT NULL DEFAULT 0 CHECK (total_votes >= helpful_votes),
  sort_key      double precision
);

CREATE INDEX review_ranks_ranked_idx ON review_ranks (asin, sort_key DESC, review_id DESC)
  WHERE sort_key IS NOT NULL;

INSERT INTO review_ranks (review_id, asin, helpful_votes, total_votes, sort_key)
SELECT review_id, asin, helpful_votes, total_votes, sort_key FROM reviews
WHERE helpful_votes <> 0 OR total_votes <> 0 OR sort_key IS NOT NULL;

DROP INDEX IF EXISTS reviews_ranked_idx;
ALTER TABLE reviews
  DROP COLUMN helpful_votes,
  DROP COLUMN total_votes,
  DROP COLUMN sort_key;
