-- 0004: a moderator's queue row carries the decision's reasons, as the fraud audit row does: a
-- JSON array of objects {"code", "value", "weight", "text"} (libs/reviewdb ReasonsToJson), most
-- important first. `reason` stays, as the one-line summary a queue lists. fraud_audit.reasons
-- keeps its type; rows written before held plain strings ("rule: detail"), and readers accept
-- both shapes (ReasonsFromJson), so no row is rewritten.
-- Queue rows already open get the reasons of their review's latest audit row.
-- Cost: adding a column with a constant default rewrites nothing (PostgreSQL 11+); the UPDATE
-- touches every queue row once (held reviews only, a small table).
ALTER TABLE moderation_queue ADD COLUMN reasons jsonb NOT NULL DEFAULT '[]';
UPDATE moderation_queue q SET reasons = a.reasons
FROM (SELECT DISTINCT ON (review_id) review_id, reasons
      FROM fraud_audit ORDER BY review_id, audit_id DESC) a
WHERE a.review_id = q.review_id;
