-- Summaries that read hundreds of rows at national scale, not a row per project.
--
-- 1. Each project's bounded forecast terms are kept with its month (DOMAIN.md,
--    Measures): forecast_used = U + r·N and best_used = U + N, computed exactly
--    as `domain::measures::forecast_terms` does (a test holds the two equal).
-- 2. month_totals: project_months summed per fiscal year, month, bureau, category
--    and economic class; what the office summary, the previous year's headline
--    and the charts read. Recomputed for the bureaus a refresh touched, in the
--    same statement, so it is never stale.
-- 3. plan_rollups (migration 6) is read by nothing since project_months; its
--    triggers no longer cost every plan write.
ALTER TABLE project_months ADD COLUMN forecast_used NUMERIC NOT NULL DEFAULT 0,
                           ADD COLUMN best_used NUMERIC NOT NULL DEFAULT 0;
ALTER TABLE project_months ALTER COLUMN forecast_used DROP DEFAULT, ALTER COLUMN best_used DROP DEFAULT;

CREATE TABLE month_totals (
    fiscal_year      INTEGER NOT NULL,
    month            SMALLINT NOT NULL CHECK (month BETWEEN 1 AND 12),
    bureau_id        INTEGER NOT NULL REFERENCES bureaus (id),
    category         TEXT NOT NULL,
    economic_class   TEXT NOT NULL,
    projects         INTEGER NOT NULL,
    allocation       NUMERIC NOT NULL,
    allocation_year  NUMERIC NOT NULL,
    planned_cum      NUMERIC NOT NULL,
    planned_year     NUMERIC NOT NULL,
    disbursed_cum    NUMERIC NOT NULL,
    committed        NUMERIC NOT NULL,
    forecast_used    NUMERIC NOT NULL,
    best_used        NUMERIC NOT NULL,
    reported_min     SMALLINT NOT NULL,
    reported_max     SMALLINT NOT NULL,
    PRIMARY KEY (fiscal_year, month, bureau_id, category, economic_class)
);

-- The forecast's two terms (DOMAIN.md, Measures), as `domain::measures::forecast_terms`
-- computes them; a test holds the two equal on thousands of inputs. U = D + C.
-- N = min(max(min(P(12), A) - U, 0), max(P(12) - P(m), 0)): what is still to come.
CREATE FUNCTION forecast_to_come(allocation NUMERIC, planned NUMERIC, planned_year NUMERIC, used NUMERIC)
RETURNS NUMERIC LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT LEAST(GREATEST(LEAST(planned_year, allocation) - used, 0), GREATEST(planned_year - planned, 0))
$$;
-- r·N, r = min(U / P(m), 1) (1 while nothing is planned yet), to 0.0001 baht half
-- away from zero, exactly: ⌊(2·10⁴·U·N + P(m)) / (2·P(m))⌋ · 10⁻⁴.
CREATE FUNCTION forecast_paced(planned NUMERIC, used NUMERIC, to_come NUMERIC)
RETURNS NUMERIC LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN planned <= 0 OR used >= planned THEN to_come
                ELSE round(div(2 * used * to_come * 10000 + planned, 2 * planned) * 0.0001, 4) END
$$;

CREATE OR REPLACE FUNCTION refresh_project_months(ids INTEGER[]) RETURNS void LANGUAGE sql AS $$
    DELETE FROM project_months WHERE project_id = ANY (ids);
    INSERT INTO project_months (project_id, month, fiscal_year, bureau_id, allocation, allocation_year,
                                planned_cum, planned_year, disbursed_cum, committed, reported_month,
                                forecast_used, best_used)
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
    ), f AS (
        SELECT id, month, fiscal_year, bureau_id, allocation, allocation_year, planned_cum, planned_year, disbursed_cum,
               -- the commitments of the row that opened this run of months (its report's)
               CASE WHEN reports_so_far = 0 THEN 0
                    ELSE first_value(committed) OVER (PARTITION BY id, reports_so_far ORDER BY month) END AS committed,
               coalesce(reported_month, 0) AS reported_month
        FROM running
    ), t AS (
        SELECT f.*, disbursed_cum + committed AS used,
               forecast_to_come(allocation, planned_cum, planned_year, disbursed_cum + committed) AS to_come
        FROM f
    )
    SELECT id, month, fiscal_year, bureau_id, allocation, allocation_year, planned_cum, planned_year, disbursed_cum,
           committed, reported_month, used + forecast_paced(planned_cum, used, to_come), used + to_come
    FROM t;

    -- The totals of the bureaus (and years) those projects belong to.
    DELETE FROM month_totals t
    USING (SELECT DISTINCT fiscal_year, bureau_id FROM projects WHERE id = ANY (ids)) k
    WHERE t.fiscal_year = k.fiscal_year AND t.bureau_id = k.bureau_id;
    INSERT INTO month_totals (fiscal_year, month, bureau_id, category, economic_class, projects, allocation,
                              allocation_year, planned_cum, planned_year, disbursed_cum, committed, forecast_used,
                              best_used, reported_min, reported_max)
    SELECT p.fiscal_year, m.month, p.bureau_id, p.category, p.economic_class, count(*), sum(m.allocation),
           sum(m.allocation_year), sum(m.planned_cum), sum(m.planned_year), sum(m.disbursed_cum), sum(m.committed),
           sum(m.forecast_used), sum(m.best_used), min(m.reported_month), max(m.reported_month)
    FROM (SELECT DISTINCT fiscal_year, bureau_id FROM projects WHERE id = ANY (ids)) k
    JOIN projects p ON p.fiscal_year = k.fiscal_year AND p.bureau_id = k.bureau_id
    JOIN project_months m ON m.project_id = p.id
    GROUP BY p.fiscal_year, m.month, p.bureau_id, p.category, p.economic_class
    -- two writers refreshing the same bureau at once: the later one's sums stand
    ON CONFLICT (fiscal_year, month, bureau_id, category, economic_class) DO UPDATE
        SET projects = EXCLUDED.projects, allocation = EXCLUDED.allocation,
            allocation_year = EXCLUDED.allocation_year, planned_cum = EXCLUDED.planned_cum,
            planned_year = EXCLUDED.planned_year, disbursed_cum = EXCLUDED.disbursed_cum,
            committed = EXCLUDED.committed, forecast_used = EXCLUDED.forecast_used,
            best_used = EXCLUDED.best_used, reported_min = EXCLUDED.reported_min,
            reported_max = EXCLUDED.reported_max;
$$;

SELECT refresh_project_months(ARRAY(SELECT id FROM projects));

DROP TRIGGER monthly_plans_rollup_insert ON monthly_plans;
DROP TRIGGER monthly_plans_rollup_update ON monthly_plans;
DROP TRIGGER monthly_plans_rollup_delete ON monthly_plans;
DROP FUNCTION plan_rollups_apply();
DROP TABLE plan_rollups;
