DO $$
DECLARE t TEXT;
BEGIN
    FOREACH t IN ARRAY ARRAY['fiscal_years', 'kpi_levels', 'cabinet_targets', 'bureaus', 'projects',
                             'monthly_plans', 'allocation_adjustments', 'reports', 'report_revisions',
                             'report_lines', 'alerts', 'follow_ups']
    LOOP
        EXECUTE format('DROP TRIGGER %I ON %I', t || '_bump_data_version', t);
    END LOOP;
END
$$;
DROP FUNCTION bump_data_version();
DROP TABLE data_version;
