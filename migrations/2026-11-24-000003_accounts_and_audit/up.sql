-- People, their roles and bureau bindings, API tokens and browser sessions, and the
-- append-only, hash-chained audit log.

CREATE TABLE users (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username        TEXT NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9][a-z0-9._-]{1,63}$'),
    display_name    TEXT NOT NULL DEFAULT '',
    email           TEXT,
    -- argon2id PHC string; never a plain password.
    password_hash   TEXT NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
    active          BOOLEAN NOT NULL DEFAULT TRUE,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    deactivated_at  TIMESTAMPTZ,
    CHECK (active = (deactivated_at IS NULL))
);

CREATE TABLE user_roles (
    user_id  BIGINT NOT NULL REFERENCES users (id),
    role     TEXT NOT NULL CHECK (role IN ('admin', 'strategy', 'finance', 'executive',
                                           'secretary_general', 'auditor', 'reporter')),
    PRIMARY KEY (user_id, role)
);

CREATE TABLE user_bureaus (
    user_id    BIGINT NOT NULL REFERENCES users (id),
    bureau_id  INTEGER NOT NULL REFERENCES bureaus (id),
    PRIMARY KEY (user_id, bureau_id)
);
CREATE INDEX user_bureaus_bureau_idx ON user_bureaus (bureau_id);

CREATE TABLE api_tokens (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id       BIGINT NOT NULL REFERENCES users (id),
    -- SHA-256 of the token, hex; the token itself is shown once and never stored.
    token_hash    TEXT NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    -- 'api': bearer tokens (login or CLI); 'session': browser sessions.
    kind          TEXT NOT NULL CHECK (kind IN ('api', 'session')),
    label         TEXT NOT NULL DEFAULT '',
    csrf_secret   TEXT,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at    TIMESTAMPTZ NOT NULL,
    revoked_at    TIMESTAMPTZ,
    last_used_at  TIMESTAMPTZ,
    CHECK (expires_at > created_at)
);
CREATE INDEX api_tokens_user_idx ON api_tokens (user_id);

CREATE TABLE audit_events (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at           TIMESTAMPTZ NOT NULL DEFAULT now(),
    user_id      BIGINT REFERENCES users (id),
    request_id   TEXT,
    action       TEXT NOT NULL CHECK (length(action) > 0),
    entity       TEXT NOT NULL CHECK (length(entity) > 0),
    entity_id    TEXT NOT NULL,
    before       JSONB,
    after        JSONB,
    -- Hash chain: hash = SHA-256(prev_hash || canonical content); the first row's
    -- prev_hash is 64 zeros. `budgetwatch audit verify` recomputes it.
    prev_hash    TEXT NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
    hash         TEXT NOT NULL UNIQUE CHECK (hash ~ '^[0-9a-f]{64}$')
);
CREATE INDEX audit_events_entity_idx ON audit_events (entity, entity_id);
CREATE INDEX audit_events_user_at_idx ON audit_events (user_id, at);

-- Append-only: history is never rewritten through the application's connection.
CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
END;
$$;
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- Who created an adjustment or a report revision (the earlier migrations come first).
ALTER TABLE report_revisions
    ADD CONSTRAINT report_revisions_created_by_fkey FOREIGN KEY (created_by) REFERENCES users (id);
ALTER TABLE allocation_adjustments
    ADD CONSTRAINT allocation_adjustments_created_by_fkey FOREIGN KEY (created_by) REFERENCES users (id);
ALTER TABLE month_lock_events
    ADD CONSTRAINT month_lock_events_user_fkey FOREIGN KEY (user_id) REFERENCES users (id);
