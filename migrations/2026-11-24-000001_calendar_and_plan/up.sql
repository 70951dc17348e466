-- The action plan: fiscal years and their settings, bureaus, projects, allocation
-- adjustments, monthly plans, cabinet disbursement targets and KPI levels.
-- Money is NUMERIC(18,2) everywhere (so below 10^16), never a float.

CREATE TABLE fiscal_years (
    -- Buddhist Era year; FY N runs 1 October (N-544 CE) to 30 September (N-543 CE).
    id                      INTEGER PRIMARY KEY CHECK (id BETWEEN 2400 AND 2800),
    starts_on               DATE NOT NULL,
    ends_on                 DATE NOT NULL,
    due_day                 SMALLINT NOT NULL DEFAULT 5 CHECK (due_day BETWEEN 1 AND 28),
    warn_lag_pp             NUMERIC(6,2) NOT NULL DEFAULT 5 CHECK (warn_lag_pp > 0),
    critical_lag_pp         NUMERIC(6,2) NOT NULL DEFAULT 15,
    ledger_tolerance_pct    NUMERIC(6,2) NOT NULL DEFAULT 0.5 CHECK (ledger_tolerance_pct >= 0),
    plan_published          BOOLEAN NOT NULL DEFAULT FALSE,
    created_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK (critical_lag_pp >= warn_lag_pp),
    CHECK (starts_on = make_date(id - 544, 10, 1)),
    CHECK (ends_on = make_date(id - 543, 9, 30))
);

CREATE TABLE bureaus (
    id          INTEGER GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- Stable, URL-safe: used in paths and by other systems.
    code        TEXT NOT NULL UNIQUE CHECK (code ~ '^[A-Z][A-Z0-9_-]{1,15}$'),
    name_th     TEXT NOT NULL CHECK (length(btrim(name_th)) > 0),
    name_en     TEXT NOT NULL CHECK (length(btrim(name_en)) > 0),
    head_email  TEXT,
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE projects (
    id           INTEGER GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    fiscal_year  INTEGER NOT NULL REFERENCES fiscal_years (id),
    bureau_id    INTEGER NOT NULL REFERENCES bureaus (id),
    code         TEXT NOT NULL CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$'),
    name_th      TEXT NOT NULL CHECK (length(btrim(name_th)) > 0),
    name_en      TEXT NOT NULL DEFAULT '',
    -- The plan (แผนงาน) or strategy the project serves.
    plan_name    TEXT NOT NULL DEFAULT '',
    category     TEXT NOT NULL CHECK (category IN ('personnel', 'operating', 'investment', 'subsidy', 'other')),
    -- The original allocation; changes are appended as allocation_adjustments.
    allocation   NUMERIC(18,2) NOT NULL CHECK (allocation >= 0),
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (fiscal_year, code),
    -- Target of composite foreign keys: a report line or ledger entry can only name
    -- a project of its own bureau and fiscal year.
    UNIQUE (id, bureau_id, fiscal_year)
);
CREATE INDEX projects_bureau_year_idx ON projects (bureau_id, fiscal_year);
CREATE INDEX projects_year_category_idx ON projects (fiscal_year, category);

-- Allocations are never overwritten: a transfer, cut or addition is appended here
-- and counts from its effective date (Asia/Bangkok). A transfer is two rows (out of
-- one project, into another) sharing a transfer_id drawn from allocation_transfers_seq.
CREATE SEQUENCE allocation_transfers_seq;
CREATE TABLE allocation_adjustments (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project_id    INTEGER NOT NULL REFERENCES projects (id),
    kind          TEXT NOT NULL CHECK (kind IN ('transfer_in', 'transfer_out', 'cut', 'addition')),
    -- Signed: negative for transfer_out and cut, positive for transfer_in and addition.
    amount        NUMERIC(18,2) NOT NULL,
    effective_on  DATE NOT NULL,
    reason        TEXT NOT NULL CHECK (length(btrim(reason)) > 0),
    transfer_id   BIGINT,
    created_by    BIGINT,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK ((kind IN ('transfer_out', 'cut') AND amount < 0)
        OR (kind IN ('transfer_in', 'addition') AND amount > 0)),
    CHECK ((kind IN ('transfer_in', 'transfer_out')) = (transfer_id IS NOT NULL))
);
CREATE INDEX allocation_adjustments_project_idx ON allocation_adjustments (project_id, effective_on);

CREATE TABLE monthly_plans (
    project_id  INTEGER NOT NULL REFERENCES projects (id),
    -- Fiscal month: 1 = October ... 12 = September.
    month       SMALLINT NOT NULL CHECK (month BETWEEN 1 AND 12),
    planned     NUMERIC(18,2) NOT NULL CHECK (planned >= 0),
    PRIMARY KEY (project_id, month)
);

CREATE TABLE cabinet_targets (
    fiscal_year  INTEGER NOT NULL REFERENCES fiscal_years (id) ON DELETE CASCADE,
    quarter      SMALLINT NOT NULL CHECK (quarter BETWEEN 1 AND 4),
    scope        TEXT NOT NULL CHECK (scope IN ('overall', 'current', 'capital')),
    -- Cumulative % of allocation disbursed by the end of the quarter.
    target_pct   NUMERIC(5,2) NOT NULL CHECK (target_pct BETWEEN 0 AND 100),
    PRIMARY KEY (fiscal_year, quarter, scope)
);

CREATE TABLE kpi_levels (
    fiscal_year    INTEGER NOT NULL REFERENCES fiscal_years (id) ON DELETE CASCADE,
    level          SMALLINT NOT NULL CHECK (level BETWEEN 1 AND 5),
    -- Year-end disbursed + committed % of the action-plan budget for this level.
    threshold_pct  NUMERIC(5,2) NOT NULL CHECK (threshold_pct BETWEEN 0 AND 100),
    PRIMARY KEY (fiscal_year, level)
);
