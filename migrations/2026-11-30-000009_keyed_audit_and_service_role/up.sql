-- The audit chain is keyed from here on: a row's hash is HMAC-SHA256 with a key
-- from the service's configuration, never stored in the database, so whoever
-- holds a database login can no longer rewrite the chain and recompute it.
-- Rows written before are marked unkeyed; `audit verify` accepts them only as
-- the chain's beginning and says how many there are.
ALTER TABLE audit_events ADD COLUMN keyed BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE audit_events ALTER COLUMN keyed SET DEFAULT TRUE;

-- The service runs as a member of budgetwatch_service, which may read and write
-- the application's tables but never rewrite history: no UPDATE, DELETE or
-- TRUNCATE on the append-only tables. Migrations run as the owner. Creating the
-- role needs CREATEROLE; without it, a DBA creates the role beforehand (the
-- grants below then apply) — see README.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'budgetwatch_service') THEN
        BEGIN
            CREATE ROLE budgetwatch_service NOLOGIN;
        EXCEPTION
            -- Another database of the cluster made it meanwhile, or we may not.
            WHEN duplicate_object OR unique_violation THEN NULL;
            WHEN insufficient_privilege THEN
                RAISE NOTICE 'cannot create role budgetwatch_service: create it as a DBA, then migrate again';
        END;
    END IF;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'budgetwatch_service') THEN
        EXECUTE format('GRANT CONNECT ON DATABASE %I TO budgetwatch_service', current_database());
        GRANT USAGE ON SCHEMA public TO budgetwatch_service;
        GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO budgetwatch_service;
        GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO budgetwatch_service;
        ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO budgetwatch_service;
        ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO budgetwatch_service;
        -- History is appended, never rewritten (a new append-only table revokes the same).
        REVOKE UPDATE, DELETE, TRUNCATE ON audit_events, ledger_entries, report_lines FROM budgetwatch_service;
        -- Migrations are the owner's.
        REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON __diesel_schema_migrations FROM budgetwatch_service;
    END IF;
END
$$;
