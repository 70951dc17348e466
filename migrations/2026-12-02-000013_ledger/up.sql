-- The control ledger as DOMAIN.md models it. An entry keeps what it does to the
-- ledger's two figures, fixed when it is appended (entries never change):
--   commitment                          D 0    C +a
--   disbursement                        D +a   C 0, or −a when it settles a commitment
--   cancellation of a commitment        D 0    C −a
--   cancellation of a disbursement      D −a   C 0, or +a when that disbursement settled one
-- so ledger D and C as of a day are sums of d_effect and c_effect to that day.
-- A document number is unique per kind: the same file imported again adds nothing.

ALTER TABLE ledger_imports DROP CONSTRAINT ledger_imports_sha256_key;
ALTER TABLE ledger_imports
    ADD COLUMN format       TEXT NOT NULL DEFAULT 'csv' CHECK (format IN ('csv', 'xlsx')),
    ADD COLUMN outcome      TEXT NOT NULL DEFAULT 'imported' CHECK (outcome IN ('imported', 'refused')),
    ADD COLUMN rows_added   INTEGER NOT NULL DEFAULT 0 CHECK (rows_added >= 0),
    ADD COLUMN rows_present INTEGER NOT NULL DEFAULT 0 CHECK (rows_present >= 0),
    ADD COLUMN error_count  INTEGER NOT NULL DEFAULT 0 CHECK (error_count >= 0),
    -- The first 100 problems of a refused file: [{row, column, message}].
    ADD COLUMN errors       JSONB NOT NULL DEFAULT '[]',
    ADD CHECK ((outcome = 'refused') = (error_count > 0)),
    ADD CHECK (outcome = 'imported' OR rows_added = 0);
CREATE INDEX ledger_imports_at_idx ON ledger_imports (imported_at DESC, id DESC);

ALTER TABLE ledger_entries
    ADD COLUMN reference TEXT CHECK (reference IS NULL OR length(btrim(reference)) > 0),
    ADD COLUMN refers_to BIGINT REFERENCES ledger_entries (id),
    ADD COLUMN d_effect  NUMERIC(18,2) NOT NULL,
    ADD COLUMN c_effect  NUMERIC(18,2) NOT NULL,
    ADD CONSTRAINT ledger_entries_document_kind_key UNIQUE (document_no, kind),
    ADD CONSTRAINT ledger_entries_effects CHECK (
        CASE kind
            WHEN 'commitment' THEN refers_to IS NULL AND d_effect = 0 AND c_effect = amount
            WHEN 'disbursement' THEN d_effect = amount
                AND ((refers_to IS NULL AND c_effect = 0) OR (refers_to IS NOT NULL AND c_effect = -amount))
            ELSE refers_to IS NOT NULL
                AND ((d_effect = 0 AND c_effect = -amount) OR (d_effect = -amount AND c_effect IN (0, amount)))
        END);
CREATE INDEX ledger_entries_refers_to_idx ON ledger_entries (refers_to) WHERE refers_to IS NOT NULL;
CREATE INDEX ledger_entries_year_date_idx ON ledger_entries (fiscal_year, entry_date);

-- Commitments open at the year's end are carried over and followed until they are
-- paid or lapse on this day (NULL: 31 March after the year ends).
ALTER TABLE fiscal_years ADD COLUMN carry_over_until DATE;

CREATE TRIGGER ledger_entries_bump_data_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ledger_entries
    FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version();
