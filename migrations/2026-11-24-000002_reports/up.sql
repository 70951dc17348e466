-- Monthly reports: one per bureau, fiscal year and month; every save is an immutable
-- revision (draft or submitted) with its lines and narrative. The header points at
-- the latest revision and the latest submitted one, which is what measures use.

CREATE TABLE reports (
    id                     BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    bureau_id              INTEGER NOT NULL REFERENCES bureaus (id),
    fiscal_year            INTEGER NOT NULL REFERENCES fiscal_years (id),
    month                  SMALLINT NOT NULL CHECK (month BETWEEN 1 AND 12),
    -- Number of the newest revision (0 before the first save); the ETag.
    latest_revision        INTEGER NOT NULL DEFAULT 0 CHECK (latest_revision >= 0),
    submitted_revision_id  BIGINT,
    created_at             TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at             TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (bureau_id, fiscal_year, month),
    UNIQUE (id, bureau_id, fiscal_year)
);
CREATE INDEX reports_year_month_idx ON reports (fiscal_year, month);

CREATE TABLE report_revisions (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    report_id     BIGINT NOT NULL,
    bureau_id     INTEGER NOT NULL,
    fiscal_year   INTEGER NOT NULL,
    revision      INTEGER NOT NULL CHECK (revision >= 1),
    status        TEXT NOT NULL CHECK (status IN ('draft', 'submitted')),
    obstacles     TEXT NOT NULL DEFAULT '',
    limitations   TEXT NOT NULL DEFAULT '',
    suggestions   TEXT NOT NULL DEFAULT '',
    created_by    BIGINT,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    submitted_at  TIMESTAMPTZ,
    -- Against the fiscal year's due day of the following month, Asia/Bangkok.
    on_time       BOOLEAN,
    UNIQUE (report_id, revision),
    UNIQUE (id, bureau_id, fiscal_year),
    UNIQUE (id, report_id),
    FOREIGN KEY (report_id, bureau_id, fiscal_year) REFERENCES reports (id, bureau_id, fiscal_year),
    CHECK ((status = 'submitted') = (submitted_at IS NOT NULL)),
    CHECK ((status = 'submitted') = (on_time IS NOT NULL))
);

-- The submitted revision a report points at is one of its own.
ALTER TABLE reports ADD CONSTRAINT reports_submitted_revision_fkey
    FOREIGN KEY (submitted_revision_id, id) REFERENCES report_revisions (id, report_id)
    DEFERRABLE INITIALLY DEFERRED;

CREATE TABLE report_lines (
    revision_id  BIGINT NOT NULL,
    project_id   INTEGER NOT NULL,
    bureau_id    INTEGER NOT NULL,
    fiscal_year  INTEGER NOT NULL,
    -- Disbursed in this month (เบิกจ่าย), a flow.
    disbursed    NUMERIC(18,2) NOT NULL CHECK (disbursed >= 0),
    -- Outstanding commitments at month end (ก่อหนี้ผูกพัน), a stock.
    committed    NUMERIC(18,2) NOT NULL CHECK (committed >= 0),
    PRIMARY KEY (revision_id, project_id),
    FOREIGN KEY (revision_id, bureau_id, fiscal_year)
        REFERENCES report_revisions (id, bureau_id, fiscal_year) ON DELETE CASCADE,
    -- The project must belong to the reporting bureau and fiscal year.
    FOREIGN KEY (project_id, bureau_id, fiscal_year) REFERENCES projects (id, bureau_id, fiscal_year)
);
CREATE INDEX report_lines_project_idx ON report_lines (project_id);

-- A locked month takes no more writes; reopening needs a reason. History of both
-- is kept in month_lock_events.
CREATE TABLE month_locks (
    fiscal_year  INTEGER NOT NULL REFERENCES fiscal_years (id),
    month        SMALLINT NOT NULL CHECK (month BETWEEN 1 AND 12),
    locked_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (fiscal_year, month)
);

CREATE TABLE month_lock_events (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    fiscal_year  INTEGER NOT NULL REFERENCES fiscal_years (id),
    month        SMALLINT NOT NULL CHECK (month BETWEEN 1 AND 12),
    action       TEXT NOT NULL CHECK (action IN ('lock', 'reopen')),
    reason       TEXT NOT NULL DEFAULT '',
    user_id      BIGINT,
    at           TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK (action = 'lock' OR length(btrim(reason)) > 0)
);
