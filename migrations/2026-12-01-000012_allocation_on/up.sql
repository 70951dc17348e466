-- "Allocation as of a date" written once: a project's allocation plus every
-- adjustment effective on or before the day ('infinity': every adjustment
-- entered, the allocation in force). An SQL expression function, so the
-- planner inlines it into the queries that call it (`allocation_on(p, day)`
-- with `p` a row of projects). project_months' refresh keeps its set-based
-- form (one pass for many projects and twelve month ends).
CREATE FUNCTION allocation_on(p projects, day DATE) RETURNS NUMERIC
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT p.allocation
         + coalesce((SELECT sum(a.amount) FROM allocation_adjustments a
                     WHERE a.project_id = p.id AND a.effective_on <= day), 0)
$$;
