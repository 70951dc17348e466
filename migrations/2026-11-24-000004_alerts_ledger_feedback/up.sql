-- Alerts and their lifecycle, follow-up orders, the delivery outbox, Central
-- Administration's control ledger, and staff feedback on budget management.

CREATE TABLE alerts (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind         TEXT NOT NULL CHECK (kind IN ('behind_plan', 'below_target', 'missing_report',
                                               'kpi_at_risk', 'over_commitment', 'ledger_mismatch')),
    severity     TEXT NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
    fiscal_year  INTEGER NOT NULL REFERENCES fiscal_years (id),
    month        SMALLINT NOT NULL CHECK (month BETWEEN 1 AND 12),
    bureau_id    INTEGER REFERENCES bureaus (id),
    project_id   INTEGER REFERENCES projects (id),
    -- 'office', 'bureau:<code>' or 'project:<id>': the scope an alert is unique in.
    scope_key    TEXT NOT NULL CHECK (scope_key ~ '^(office|bureau:[A-Z][A-Z0-9_-]*|project:[0-9]+)$'),
    status       TEXT NOT NULL DEFAULT 'open'
                 CHECK (status IN ('open', 'acknowledged', 'follow_up', 'responded', 'resolved')),
    message_th   TEXT NOT NULL,
    message_en   TEXT NOT NULL DEFAULT '',
    details      JSONB NOT NULL DEFAULT '{}',
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    resolved_at  TIMESTAMPTZ,
    resolution   TEXT,
    CHECK ((status = 'resolved') = (resolved_at IS NOT NULL)),
    CHECK (scope_key <> 'office' OR (bureau_id IS NULL AND project_id IS NULL)),
    CHECK (scope_key NOT LIKE 'bureau:%' OR (bureau_id IS NOT NULL AND project_id IS NULL)),
    CHECK (scope_key NOT LIKE 'project:%' OR project_id IS NOT NULL)
);
-- One open alert per (kind, scope, fiscal year, month): evaluation never duplicates.
CREATE UNIQUE INDEX alerts_one_open_idx ON alerts (kind, scope_key, fiscal_year, month)
    WHERE status <> 'resolved';
CREATE INDEX alerts_year_status_idx ON alerts (fiscal_year, status);

-- Every step of an alert's life: acknowledged, follow-up ordered, responded, resolved.
CREATE TABLE alert_events (
    id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    alert_id  BIGINT NOT NULL REFERENCES alerts (id),
    action    TEXT NOT NULL CHECK (action IN ('raised', 'acknowledged', 'follow_up_ordered',
                                              'responded', 'resolved', 'reopened')),
    note      TEXT NOT NULL DEFAULT '',
    user_id   BIGINT REFERENCES users (id),
    at        TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX alert_events_alert_idx ON alert_events (alert_id, at);

CREATE TABLE follow_ups (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    alert_id      BIGINT NOT NULL REFERENCES alerts (id),
    bureau_id     INTEGER REFERENCES bureaus (id),
    ordered_by    BIGINT NOT NULL REFERENCES users (id),
    instruction   TEXT NOT NULL CHECK (length(btrim(instruction)) > 0),
    due_on        DATE NOT NULL,
    status        TEXT NOT NULL DEFAULT 'ordered' CHECK (status IN ('ordered', 'responded', 'closed')),
    response      TEXT,
    responded_by  BIGINT REFERENCES users (id),
    responded_at  TIMESTAMPTZ,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK ((response IS NULL) = (responded_at IS NULL))
);
CREATE INDEX follow_ups_bureau_idx ON follow_ups (bureau_id, status);

-- Written in the same transaction as what it announces; a worker claims rows with
-- FOR UPDATE SKIP LOCKED, so replicas never send the same message twice at once.
CREATE TABLE outbox (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- Sent with the message so receivers can drop duplicates (delivery is at least once).
    message_id       TEXT NOT NULL UNIQUE,
    channel          TEXT NOT NULL CHECK (channel IN ('email', 'webhook')),
    recipient        TEXT NOT NULL,
    subject          TEXT NOT NULL DEFAULT '',
    payload          JSONB NOT NULL,
    status           TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    sent_at          TIMESTAMPTZ,
    last_error       TEXT,
    CHECK ((status = 'sent') = (sent_at IS NOT NULL))
);
CREATE INDEX outbox_due_idx ON outbox (next_attempt_at) WHERE status = 'pending';

CREATE TABLE delivery_attempts (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    outbox_id    BIGINT NOT NULL REFERENCES outbox (id),
    at           TIMESTAMPTZ NOT NULL DEFAULT now(),
    ok           BOOLEAN NOT NULL,
    error        TEXT,
    duration_ms  INTEGER NOT NULL CHECK (duration_ms >= 0)
);
CREATE INDEX delivery_attempts_outbox_idx ON delivery_attempts (outbox_id);

CREATE TABLE ledger_imports (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    filename     TEXT NOT NULL,
    sha256       TEXT NOT NULL UNIQUE CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    row_count    INTEGER NOT NULL CHECK (row_count >= 0),
    imported_by  BIGINT REFERENCES users (id),
    imported_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Central Administration's disbursement control ledger: append-only.
CREATE TABLE ledger_entries (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    fiscal_year  INTEGER NOT NULL REFERENCES fiscal_years (id),
    bureau_id    INTEGER NOT NULL REFERENCES bureaus (id),
    project_id   INTEGER NOT NULL,
    entry_date   DATE NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('commitment', 'disbursement', 'cancellation')),
    amount       NUMERIC(18,2) NOT NULL CHECK (amount > 0),
    document_no  TEXT NOT NULL CHECK (length(btrim(document_no)) > 0),
    import_id    BIGINT REFERENCES ledger_imports (id),
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    FOREIGN KEY (project_id, bureau_id, fiscal_year) REFERENCES projects (id, bureau_id, fiscal_year)
);
CREATE INDEX ledger_entries_project_date_idx ON ledger_entries (project_id, entry_date);
CREATE INDEX ledger_entries_year_bureau_idx ON ledger_entries (fiscal_year, bureau_id);
CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- Staff suggestions on budget management, with the office's response.
CREATE TABLE feedback (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    fiscal_year   INTEGER REFERENCES fiscal_years (id),
    author_id     BIGINT REFERENCES users (id),
    author_name   TEXT NOT NULL DEFAULT '',
    body          TEXT NOT NULL CHECK (length(btrim(body)) BETWEEN 1 AND 5000),
    status        TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'answered', 'closed')),
    response      TEXT,
    responded_by  BIGINT REFERENCES users (id),
    responded_at  TIMESTAMPTZ,
    published     BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK ((response IS NULL) = (responded_at IS NULL))
);
CREATE INDEX feedback_status_idx ON feedback (status, created_at);
