-- One number that changes whenever anything a chart or a meeting pack shows
-- changes: rendered charts and packs are cached under it, so a repeated request
-- costs nothing and the first request after a change renders afresh.
-- The bump is an UPDATE in the writing transaction (not a sequence): a reader
-- never sees the new number before the data it stands for is committed.
CREATE TABLE data_version (
    id      BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (id),
    version BIGINT NOT NULL
);
INSERT INTO data_version (id, version) VALUES (TRUE, 1);

CREATE FUNCTION bump_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE data_version SET version = version + 1;
    RETURN NULL;
END
$$;

DO $$
DECLARE t TEXT;
BEGIN
    FOREACH t IN ARRAY ARRAY['fiscal_years', 'kpi_levels', 'cabinet_targets', 'bureaus', 'projects',
                             'monthly_plans', 'allocation_adjustments', 'reports', 'report_revisions',
                             'report_lines', 'alerts', 'follow_ups']
    LOOP
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %I
                        FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version()', t || '_bump_data_version', t);
    END LOOP;
END
$$;
