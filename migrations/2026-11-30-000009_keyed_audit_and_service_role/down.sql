-- The role is the cluster's and may serve other databases: only this
-- database's grants are taken back.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'budgetwatch_service') THEN
        ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE SELECT, INSERT, UPDATE, DELETE ON TABLES FROM budgetwatch_service;
        ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE USAGE, SELECT ON SEQUENCES FROM budgetwatch_service;
        REVOKE ALL ON ALL TABLES IN SCHEMA public FROM budgetwatch_service;
        REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM budgetwatch_service;
        REVOKE USAGE ON SCHEMA public FROM budgetwatch_service;
        EXECUTE format('REVOKE CONNECT ON DATABASE %I FROM budgetwatch_service', current_database());
    END IF;
END
$$;
ALTER TABLE audit_events DROP COLUMN keyed;
