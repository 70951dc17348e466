-- Rollups that let the office summary sum thousands of rows instead of hundreds of
-- thousands. Both are maintained by statement-level triggers, so every writer (the
-- API, imports, the demo and bench loaders) keeps them right, and both are exact
-- NUMERIC sums (unbounded, so a national total cannot overflow).
--
-- revision_rollups: per report revision and expense category. Revisions and their
-- lines are immutable, so a revision's totals never go stale.
-- plan_rollups: per fiscal year, bureau, category and month, kept up to date on
-- every insert, update and delete of monthly plans.
--
-- What makes them safe: report lines are append-only, and a project's fiscal
-- year, bureau and category never change (transfers between projects are
-- allocation adjustments, not edits).

CREATE TABLE revision_rollups (
    revision_id  BIGINT NOT NULL REFERENCES report_revisions (id),
    category     TEXT NOT NULL,
    disbursed    NUMERIC NOT NULL,
    committed    NUMERIC NOT NULL,
    PRIMARY KEY (revision_id, category)
);

CREATE TABLE plan_rollups (
    fiscal_year  INTEGER NOT NULL,
    bureau_id    INTEGER NOT NULL,
    category     TEXT NOT NULL,
    month        SMALLINT NOT NULL,
    planned      NUMERIC NOT NULL,
    PRIMARY KEY (fiscal_year, bureau_id, category, month)
);

CREATE FUNCTION revision_rollups_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO revision_rollups (revision_id, category, disbursed, committed)
    SELECT n.revision_id, p.category, sum(n.disbursed), sum(n.committed)
    FROM new_rows n JOIN projects p ON p.id = n.project_id
    GROUP BY n.revision_id, p.category
    ON CONFLICT (revision_id, category) DO UPDATE
        SET disbursed = revision_rollups.disbursed + EXCLUDED.disbursed,
            committed = revision_rollups.committed + EXCLUDED.committed;
    RETURN NULL;
END;
$$;
CREATE TRIGGER report_lines_rollup AFTER INSERT ON report_lines
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION revision_rollups_add();
CREATE TRIGGER report_lines_append_only BEFORE UPDATE OR DELETE ON report_lines
    FOR EACH ROW EXECUTE FUNCTION refuse_change();

CREATE FUNCTION plan_rollups_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO plan_rollups (fiscal_year, bureau_id, category, month, planned)
        SELECT p.fiscal_year, p.bureau_id, p.category, o.month, -sum(o.planned)
        FROM old_rows o JOIN projects p ON p.id = o.project_id
        GROUP BY p.fiscal_year, p.bureau_id, p.category, o.month
        ON CONFLICT (fiscal_year, bureau_id, category, month) DO UPDATE
            SET planned = plan_rollups.planned + EXCLUDED.planned;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO plan_rollups (fiscal_year, bureau_id, category, month, planned)
        SELECT p.fiscal_year, p.bureau_id, p.category, n.month, sum(n.planned)
        FROM new_rows n JOIN projects p ON p.id = n.project_id
        GROUP BY p.fiscal_year, p.bureau_id, p.category, n.month
        ON CONFLICT (fiscal_year, bureau_id, category, month) DO UPDATE
            SET planned = plan_rollups.planned + EXCLUDED.planned;
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER monthly_plans_rollup_insert AFTER INSERT ON monthly_plans
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION plan_rollups_apply();
CREATE TRIGGER monthly_plans_rollup_update AFTER UPDATE ON monthly_plans
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION plan_rollups_apply();
CREATE TRIGGER monthly_plans_rollup_delete AFTER DELETE ON monthly_plans
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION plan_rollups_apply();

CREATE FUNCTION projects_keep_identity() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.fiscal_year <> OLD.fiscal_year OR NEW.bureau_id <> OLD.bureau_id OR NEW.category <> OLD.category THEN
        RAISE EXCEPTION 'a project''s fiscal year, bureau and category never change; create a new project and transfer the allocation'
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER projects_keep_identity BEFORE UPDATE ON projects
    FOR EACH ROW EXECUTE FUNCTION projects_keep_identity();

-- Whatever is already there.
INSERT INTO revision_rollups (revision_id, category, disbursed, committed)
SELECT l.revision_id, p.category, sum(l.disbursed), sum(l.committed)
FROM report_lines l JOIN projects p ON p.id = l.project_id GROUP BY l.revision_id, p.category;
INSERT INTO plan_rollups (fiscal_year, bureau_id, category, month, planned)
SELECT p.fiscal_year, p.bureau_id, p.category, m.month, sum(m.planned)
FROM monthly_plans m JOIN projects p ON p.id = m.project_id GROUP BY p.fiscal_year, p.bureau_id, p.category, m.month;
