DROP TRIGGER ledger_entries_bump_data_version ON ledger_entries;
ALTER TABLE fiscal_years DROP COLUMN carry_over_until;
DROP INDEX ledger_entries_year_date_idx;
DROP INDEX ledger_entries_refers_to_idx;
ALTER TABLE ledger_entries
    DROP CONSTRAINT ledger_entries_effects,
    DROP CONSTRAINT ledger_entries_document_kind_key,
    DROP COLUMN c_effect,
    DROP COLUMN d_effect,
    DROP COLUMN refers_to,
    DROP COLUMN reference;
DROP INDEX ledger_imports_at_idx;
ALTER TABLE ledger_imports
    DROP COLUMN errors,
    DROP COLUMN error_count,
    DROP COLUMN rows_present,
    DROP COLUMN rows_added,
    DROP COLUMN outcome,
    DROP COLUMN format;
ALTER TABLE ledger_imports ADD CONSTRAINT ledger_imports_sha256_key UNIQUE (sha256);
