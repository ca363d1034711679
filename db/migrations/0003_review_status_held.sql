-- 0003: the stored status of a review held for a moderator is 'held' (review::ReviewStatus,
-- libs/review/review_status.h), no longer 'pending', which the API used for "awaiting scoring".
-- The constraint goes first so the UPDATE may write 'held'; the new one refuses 'pending'.
-- Cost: the UPDATE rewrites every held row and the new constraint scans the table once, both
-- inside this migration's transaction (writers of reviews wait for it).
ALTER TABLE reviews DROP CONSTRAINT reviews_status_check;
UPDATE reviews SET status = 'held' WHERE status = 'pending';
ALTER TABLE reviews ADD CONSTRAINT reviews_status_check
  CHECK (status IN ('active', 'held', 'rejected', 'removed'));
