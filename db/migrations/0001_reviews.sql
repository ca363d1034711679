-- 0001: the review ledger, fraud audit, moderation queue and product aggregates.
-- Applied once by tools/stack/migrate.sh, which records it in schema_migrations.

CREATE TABLE reviews (
  review_id        text        PRIMARY KEY,
  -- SHA-256(asin:user:normalize(text)) in hex: the final dedup gate (design.md 3.4).
  fingerprint      text        NOT NULL UNIQUE,
  asin             text        NOT NULL,
  user_id          text        NOT NULL,
  rating           smallint    NOT NULL CHECK (rating BETWEEN 1 AND 5),
  title            text        NOT NULL DEFAULT '',
  body             text        NOT NULL,
  verified_purchase boolean    NOT NULL DEFAULT false,
  status           text        NOT NULL CHECK (status IN ('active', 'pending', 'rejected', 'removed')),
  -- The aggregate ledger: true while this review is summed into product_ratings.
  counted          boolean     NOT NULL DEFAULT false,
  fraud_score      real,
  submitted_at     timestamptz NOT NULL,
  stored_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX reviews_asin_idx ON reviews (asin);
CREATE INDEX reviews_user_idx ON reviews (user_id);

CREATE TABLE fraud_audit (
  audit_id    bigserial   PRIMARY KEY,
  review_id   text        NOT NULL REFERENCES reviews (review_id),
  decision    text        NOT NULL CHECK (decision IN ('pass', 'queue', 'reject', 'unscored')),
  score       real        NOT NULL,
  scorer      text        NOT NULL,
  reasons     jsonb       NOT NULL DEFAULT '[]',
  decided_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX fraud_audit_review_idx ON fraud_audit (review_id);

CREATE TABLE moderation_queue (
  review_id   text        PRIMARY KEY REFERENCES reviews (review_id),
  reason      text        NOT NULL,
  state       text        NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'approved', 'rejected')),
  enqueued_at timestamptz NOT NULL DEFAULT now()
);

-- Integer sums only, so the average is exact; version increases with every change.
CREATE TABLE product_ratings (
  asin            text        PRIMARY KEY,
  review_count    bigint      NOT NULL DEFAULT 0 CHECK (review_count >= 0),
  rating_sum      bigint      NOT NULL DEFAULT 0 CHECK (rating_sum >= 0),
  verified_count  bigint      NOT NULL DEFAULT 0 CHECK (verified_count >= 0),
  verified_sum    bigint      NOT NULL DEFAULT 0 CHECK (verified_sum >= 0),
  stars_1         bigint      NOT NULL DEFAULT 0 CHECK (stars_1 >= 0),
  stars_2         bigint      NOT NULL DEFAULT 0 CHECK (stars_2 >= 0),
  stars_3         bigint      NOT NULL DEFAULT 0 CHECK (stars_3 >= 0),
  stars_4         bigint      NOT NULL DEFAULT 0 CHECK (stars_4 >= 0),
  stars_5         bigint      NOT NULL DEFAULT 0 CHECK (stars_5 >= 0),
  version         bigint      NOT NULL DEFAULT 0,
  updated_at      timestamptz NOT NULL DEFAULT now()
);
