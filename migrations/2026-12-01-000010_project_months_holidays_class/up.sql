-- Figures the committee can trust (DOMAIN.md, Measures and Calendar).
--
-- 1. Public holidays: a report due on a weekend or a holiday is due on the next
--    working day. Kept by date; a fiscal year's calendar is the dates in it.
CREATE TABLE holidays (
    day         DATE PRIMARY KEY,
    name_th     TEXT NOT NULL CHECK (length(btrim(name_th)) BETWEEN 1 AND 200),
    name_en     TEXT NOT NULL DEFAULT '' CHECK (length(name_en) <= 200),
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- 2. Each project's economic classification, for the cabinet's current and
--    capital targets: from its category (investment is capital), changeable by
--    strategy (a capital subsidy).
ALTER TABLE projects ADD COLUMN economic_class TEXT NOT NULL DEFAULT 'current'
    CHECK (economic_class IN ('current', 'capital'));
UPDATE projects SET economic_class = 'capital' WHERE category = 'investment';
ALTER TABLE projects ALTER COLUMN economic_class DROP DEFAULT;

-- A new project written without a classification takes its category's (the
-- NOT NULL check comes after this trigger).
CREATE FUNCTION projects_default_class() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.economic_class IS NULL THEN
        NEW.economic_class := CASE WHEN NEW.category = 'investment' THEN 'capital' ELSE 'current' END;
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER projects_default_class BEFORE INSERT ON projects
    FOR EACH ROW EXECUTE FUNCTION projects_default_class();

-- 3. Each project as of the end of each fiscal month: what every measure starts
--    from, so that a summary reads one row per project instead of summing plans
--    and report lines. Kept by statement-level triggers on everything it is
--    made of, recomputed whole for the projects a statement touched.
--      allocation       A(m): allocation and the adjustments effective by month end
--      allocation_year  A(12)
--      planned_cum      P(m)        planned_year  P(12)
--      disbursed_cum    D(m): disbursements of the submitted reports of months 1..m
--      committed        C(m): commitments of the latest submitted report of a month <= m
--                       (carried forward while a bureau has not reported)
--      reported_month   that report's month (0: none yet)
CREATE TABLE project_months (
    project_id       INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    month            SMALLINT NOT NULL CHECK (month BETWEEN 1 AND 12),
    fiscal_year      INTEGER NOT NULL,
    bureau_id        INTEGER NOT NULL,
    allocation       NUMERIC(18,2) NOT NULL,
    allocation_year  NUMERIC(18,2) NOT NULL,
    planned_cum      NUMERIC NOT NULL,
    planned_year     NUMERIC NOT NULL,
    disbursed_cum    NUMERIC NOT NULL,
    committed        NUMERIC NOT NULL,
    reported_month   SMALLINT NOT NULL CHECK (reported_month BETWEEN 0 AND month),
    PRIMARY KEY (project_id, month)
);
CREATE INDEX project_months_year_month_idx ON project_months (fiscal_year, month, bureau_id);

CREATE FUNCTION refresh_project_months(ids INTEGER[]) RETURNS void LANGUAGE sql AS $$
    DELETE FROM project_months WHERE project_id = ANY (ids);
    INSERT INTO project_months (project_id, month, fiscal_year, bureau_id, allocation, allocation_year,
                                planned_cum, planned_year, disbursed_cum, committed, reported_month)
    WITH p AS (
        SELECT id, bureau_id, fiscal_year, allocation FROM projects WHERE id = ANY (ids)
    ), g AS (
        SELECT p.*, m::smallint AS month,
               (make_date(p.fiscal_year - 544, 10, 1) + make_interval(months => m) - interval '1 day')::date AS month_end
        FROM p CROSS JOIN generate_series(1, 12) m
    ), adj AS (
        SELECT g.id, g.month,
               coalesce(sum(a.amount) FILTER (WHERE a.effective_on <= g.month_end), 0) AS to_month,
               coalesce(sum(a.amount) FILTER (WHERE a.effective_on <= make_date(g.fiscal_year - 543, 9, 30)), 0) AS to_year
        FROM g JOIN allocation_adjustments a ON a.project_id = g.id
        GROUP BY g.id, g.month
    ), rows AS (
        SELECT g.id, g.month, g.fiscal_year, g.bureau_id,
               g.allocation + coalesce(adj.to_month, 0) AS allocation,
               g.allocation + coalesce(adj.to_year, 0) AS allocation_year,
               coalesce(mp.planned, 0) AS planned,
               r.month IS NOT NULL AS reported,
               coalesce(l.disbursed, 0) AS disbursed,
               coalesce(l.committed, 0) AS committed
        FROM g
        LEFT JOIN adj ON adj.id = g.id AND adj.month = g.month
        LEFT JOIN monthly_plans mp ON mp.project_id = g.id AND mp.month = g.month
        LEFT JOIN reports r ON r.bureau_id = g.bureau_id AND r.fiscal_year = g.fiscal_year AND r.month = g.month
                           AND r.submitted_revision_id IS NOT NULL
        LEFT JOIN report_lines l ON l.revision_id = r.submitted_revision_id AND l.project_id = g.id
    ), running AS (
        SELECT rows.*,
               sum(planned) OVER w AS planned_cum,
               sum(planned) OVER (PARTITION BY id) AS planned_year,
               sum(disbursed) OVER w AS disbursed_cum,
               count(*) FILTER (WHERE reported) OVER w AS reports_so_far,
               max(month) FILTER (WHERE reported) OVER w AS reported_month
        FROM rows
        WINDOW w AS (PARTITION BY id ORDER BY month)
    )
    SELECT id, month, fiscal_year, bureau_id, allocation, allocation_year, planned_cum, planned_year, disbursed_cum,
           -- the commitments of the row that opened this run of months (its report's)
           CASE WHEN reports_so_far = 0 THEN 0
                ELSE first_value(committed) OVER (PARTITION BY id, reports_so_far ORDER BY month) END,
           coalesce(reported_month, 0)
    FROM running;
$$;

CREATE FUNCTION project_months_after_projects() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_project_months(ARRAY(SELECT id FROM new_rows));
    RETURN NULL;
END;
$$;
CREATE TRIGGER projects_project_months_insert AFTER INSERT ON projects
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION project_months_after_projects();
CREATE TRIGGER projects_project_months_update AFTER UPDATE ON projects
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION project_months_after_projects();

-- Plans and adjustments: the projects they name.
CREATE FUNCTION project_months_after_project_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM refresh_project_months(ARRAY(SELECT DISTINCT project_id FROM old_rows));
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM refresh_project_months(ARRAY(SELECT project_id FROM old_rows UNION SELECT project_id FROM new_rows));
    ELSE
        PERFORM refresh_project_months(ARRAY(SELECT DISTINCT project_id FROM new_rows));
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER monthly_plans_project_months_insert AFTER INSERT ON monthly_plans
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION project_months_after_project_rows();
CREATE TRIGGER monthly_plans_project_months_update AFTER UPDATE ON monthly_plans
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION project_months_after_project_rows();
CREATE TRIGGER monthly_plans_project_months_delete AFTER DELETE ON monthly_plans
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION project_months_after_project_rows();
CREATE TRIGGER adjustments_project_months_insert AFTER INSERT ON allocation_adjustments
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION project_months_after_project_rows();
CREATE TRIGGER adjustments_project_months_update AFTER UPDATE ON allocation_adjustments
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION project_months_after_project_rows();
CREATE TRIGGER adjustments_project_months_delete AFTER DELETE ON allocation_adjustments
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION project_months_after_project_rows();

-- A report's submitted revision changing (a submission): the bureau's projects of
-- that year. Draft saves change other columns and cost nothing here.
CREATE FUNCTION project_months_after_reports() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM refresh_project_months(ARRAY(
            SELECT p.id FROM projects p
            WHERE (p.bureau_id, p.fiscal_year) IN (SELECT bureau_id, fiscal_year FROM new_rows
                                                  WHERE submitted_revision_id IS NOT NULL)));
    ELSE
        PERFORM refresh_project_months(ARRAY(
            SELECT p.id FROM projects p
            WHERE (p.bureau_id, p.fiscal_year) IN (
                SELECT n.bureau_id, n.fiscal_year FROM new_rows n JOIN old_rows o ON o.id = n.id
                WHERE n.submitted_revision_id IS DISTINCT FROM o.submitted_revision_id)));
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER reports_project_months_insert AFTER INSERT ON reports
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION project_months_after_reports();
CREATE TRIGGER reports_project_months_update AFTER UPDATE ON reports
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION project_months_after_reports();

-- Lines written after the report already points at their revision (loaders that
-- set the pointer first): the projects they name.
CREATE FUNCTION project_months_after_lines() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_project_months(ARRAY(
        SELECT DISTINCT n.project_id FROM new_rows n
        WHERE EXISTS (SELECT 1 FROM reports r WHERE r.submitted_revision_id = n.revision_id)));
    RETURN NULL;
END;
$$;
CREATE TRIGGER report_lines_project_months AFTER INSERT ON report_lines
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION project_months_after_lines();

-- Whatever is already there.
SELECT refresh_project_months(ARRAY(SELECT id FROM projects));

-- 4. The cabinet's targets are judged per scope: the office's current and capital
--    spending have alerts of their own.
ALTER TABLE alerts DROP CONSTRAINT alerts_scope_key_check;
ALTER TABLE alerts ADD CONSTRAINT alerts_scope_key_check
    CHECK (scope_key ~ '^(office(:current|:capital)?|bureau:[A-Z][A-Z0-9_-]*|project:[0-9]+)$');
