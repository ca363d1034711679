-- 0002: lets the rating-aggregator's healer find the products changed in its window
-- (services/rating-aggregator/rating_healer.h) without scanning product_ratings: it pages by
-- (updated_at, asin). The aggregator sets updated_at = now() on every change it makes.
-- Cost: updates of product_ratings change an indexed column, so they are no longer HOT updates;
-- each one also writes this index (one entry per changed product per batch).
CREATE INDEX product_ratings_updated_at_idx ON product_ratings (updated_at, asin);
