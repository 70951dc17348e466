-- Back to migration 10: the forecast computed by the application, no month_totals,
-- and plan_rollups kept again.
CREATE TABLE plan_rollups (
    fiscal_year  INTEGER NOT NULL,
    bureau_id    INTEGER NOT NULL,
    category     TEXT NOT NULL,
    month        SMALLINT NOT NULL,
    planned      NUMERIC NOT NULL,
    PRIMARY KEY (fiscal_year, bureau_id, category, month)
);

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
INSERT INTO plan_rollups (fiscal_year, bureau_id, category, month, planned)
SELECT p.fiscal_year, p.bureau_id, p.category, m.month, sum(m.planned)
FROM monthly_plans m JOIN projects p ON p.id = m.project_id GROUP BY p.fiscal_year, p.bureau_id, p.category, m.month;

CREATE OR REPLACE FUNCTION refresh_project_months(ids INTEGER[]) RETURNS void LANGUAGE sql AS $$
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

DROP TABLE month_totals;
DROP FUNCTION forecast_paced(NUMERIC, NUMERIC, NUMERIC);
DROP FUNCTION forecast_to_come(NUMERIC, NUMERIC, NUMERIC, NUMERIC);
ALTER TABLE project_months DROP COLUMN forecast_used, DROP COLUMN best_used;
