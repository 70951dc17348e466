-- Sign-in attempts, kept in the database so that every replica sees the same
-- count: repeated failures for a user name or an address are slowed, then refused
-- for a while. Rows older than a day are pruned when new failures are written.
CREATE TABLE sign_in_attempts (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username     TEXT NOT NULL,
    remote_addr  TEXT NOT NULL,
    ok           BOOLEAN NOT NULL,
    at           TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX sign_in_attempts_user_idx ON sign_in_attempts (username, at) WHERE NOT ok;
CREATE INDEX sign_in_attempts_addr_idx ON sign_in_attempts (remote_addr, at) WHERE NOT ok;
