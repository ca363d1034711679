-- 0005: what the re-scorer (services/fraud-scorer/rescore, candor-fraud-rescore) needs.
--
-- 1. The facts the scorer judged a review on that only the gateway knew: the client address (the
--    canonical IP text, as review::Submission::client_ip), the device id and the account's
--    creation claim (review::Submission::account_created_at). fraud-scorer stores them with the
--    row (ReviewDb::InsertScored), so a re-score of a review whose features were never recorded
--    (it failed open) records the same facts the scorer would have. Rows stored before this
--    migration keep '' and NULL: a re-score sees them without address, device or claim (README of
--    the re-scorer, "Features"). The address is personal data kept as long as the review; the
--    feature store already keeps it 30 days in Redis.
-- 2. Two indexes for the re-scorer's keyset pages: reviews by (submitted_at, review_id) for a time
--    range, and the fraud_audit rows that failed open, by audit_id, for --unscored (a partial
--    index: only those rows, normally few).
-- 3. A moderation_queue row whose review a re-score decided (held -> active or rejected) is no
--    longer open: its state becomes 'rescored' (the audit row says what decided it).
--
-- Cost: ADD COLUMN with a constant default or none rewrites nothing (PostgreSQL 11+). The
-- CREATE INDEXes read the tables once and block writes to them while they build, inside this
-- migration's transaction; on a large production table build them first with CREATE INDEX
-- CONCURRENTLY under the same names (IF NOT EXISTS then skips them here). The constraint swap
-- scans moderation_queue once (held reviews only, a small table).
ALTER TABLE reviews
  ADD COLUMN client_ip text NOT NULL DEFAULT '',
  ADD COLUMN device_id text NOT NULL DEFAULT '',
  ADD COLUMN account_created_at timestamptz;

CREATE INDEX IF NOT EXISTS reviews_submitted_at_idx ON reviews (submitted_at, review_id);
CREATE INDEX IF NOT EXISTS fraud_audit_unscored_idx ON fraud_audit (audit_id)
  WHERE decision = 'unscored';

ALTER TABLE moderation_queue DROP CONSTRAINT moderation_queue_state_check;
ALTER TABLE moderation_queue ADD CONSTRAINT moderation_queue_state_check
  CHECK (state IN ('open', 'approved', 'rejected', 'rescored'));
