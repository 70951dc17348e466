-- A write sent with an Idempotency-Key stores its answer in the same transaction
-- as the write; a retry with the same key and the same request gets that answer
-- back and stores nothing twice. Keys are per user; old ones can be pruned.
CREATE TABLE idempotency_keys (
    user_id         BIGINT NOT NULL REFERENCES users (id),
    key             TEXT NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
    request_sha256  TEXT NOT NULL CHECK (request_sha256 ~ '^[0-9a-f]{64}$'),
    status          SMALLINT NOT NULL,
    etag            TEXT,
    body            TEXT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);
