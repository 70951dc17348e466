//! Aggregating queries behind the summaries. Each returns already-summed figures:
//! per (bureau, category) for the office, per project for one bureau. Plans,
//! adjustments and report lines are each summed once, joined per project, then
//! grouped; nothing is fetched per row.

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::sql_types::{Array, Bool, Date, Int2, Int4, Nullable, Numeric, SmallInt, Text};
use rust_decimal::Decimal;

use crate::domain::measures::Figures;
use crate::domain::{FiscalMonth, FiscalYear};

#[derive(QueryableByName, Debug, Clone)]
pub struct YearSettings {
    #[diesel(sql_type = SmallInt)]
    pub due_day: i16,
    #[diesel(sql_type = Numeric)]
    pub warn_lag_pp: Decimal,
    #[diesel(sql_type = Numeric)]
    pub critical_lag_pp: Decimal,
    #[diesel(sql_type = Array<Numeric>)]
    pub kpi_thresholds: Vec<Decimal>,
    /// Overall cabinet targets of quarters 1-4 (NULL where not entered).
    #[diesel(sql_type = Array<Nullable<Numeric>>)]
    pub quarter_targets: Vec<Option<Decimal>>,
}

impl YearSettings {
    /// The overall cabinet target of the quarter holding `month`.
    pub fn quarter_target(&self, month: FiscalMonth) -> Option<Decimal> {
        self.quarter_targets.get(month.quarter() as usize - 1).copied().flatten()
    }
}

/// The year's settings, KPI thresholds and overall cabinet targets; `None` when
/// the year does not exist.
/// The year's settings, or "not found" naming the year.
pub fn require_year_settings(conn: &mut PgConnection, fy: FiscalYear) -> Result<YearSettings, crate::error::AppError> {
    year_settings(conn, fy)?.ok_or_else(|| crate::error::AppError::NotFound(format!("there is no fiscal year {fy}")))
}

pub fn year_settings(conn: &mut PgConnection, fy: FiscalYear) -> QueryResult<Option<YearSettings>> {
    diesel::sql_query(
        "SELECT f.due_day, f.warn_lag_pp, f.critical_lag_pp,
                coalesce((SELECT array_agg(k.threshold_pct ORDER BY k.level) FROM kpi_levels k
                          WHERE k.fiscal_year = f.id), '{}') AS kpi_thresholds,
                ARRAY(SELECT (SELECT c.target_pct FROM cabinet_targets c
                              WHERE c.fiscal_year = f.id AND c.scope = 'overall' AND c.quarter = q)
                      FROM generate_series(1, 4) q ORDER BY q) AS quarter_targets
         FROM fiscal_years f WHERE f.id = $1",
    )
    .bind::<Int4, _>(fy.be())
    .get_result(conn)
    .optional()
}

/// One group of summed figures. For the office, `key` is the bureau id and
/// `category` the expense category; for one bureau, `key` is the project id.
#[derive(QueryableByName, Debug, Clone)]
pub struct FigureRow {
    #[diesel(sql_type = Int4)]
    pub key: i32,
    #[diesel(sql_type = Text)]
    pub code: String,
    #[diesel(sql_type = Text)]
    pub name_th: String,
    #[diesel(sql_type = Text)]
    pub name_en: String,
    #[diesel(sql_type = Bool)]
    pub active: bool,
    #[diesel(sql_type = Text)]
    pub category: String,
    #[diesel(sql_type = Numeric)]
    pub allocation: Decimal,
    #[diesel(sql_type = Numeric)]
    pub allocation_year_end: Decimal,
    #[diesel(sql_type = Numeric)]
    pub planned: Decimal,
    #[diesel(sql_type = Numeric)]
    pub planned_year: Decimal,
    #[diesel(sql_type = Numeric)]
    pub disbursed: Decimal,
    #[diesel(sql_type = Numeric)]
    pub committed: Decimal,
}

impl FigureRow {
    pub fn figures(&self) -> Figures {
        Figures {
            allocation: self.allocation,
            allocation_year_end: self.allocation_year_end,
            planned: self.planned,
            planned_year: self.planned_year,
            disbursed: self.disbursed,
            committed: self.committed,
        }
    }
}

/// The per-project sums a bureau's summary starts from, as a SQL fragment with
/// parameters $1 fiscal year, $2 month, $3 end of month, $4 end of year and
/// $5 bureau id (NULL for all).
const PER_PROJECT: &str = "
    WITH p AS (
        SELECT id, bureau_id, code, name_th, name_en, category, allocation
        FROM projects WHERE fiscal_year = $1 AND ($5::int IS NULL OR bureau_id = $5)
    ), adj AS (
        SELECT a.project_id,
               coalesce(sum(a.amount) FILTER (WHERE a.effective_on <= $3), 0) AS to_month,
               sum(a.amount) AS to_year_end
        FROM allocation_adjustments a JOIN p ON p.id = a.project_id
        WHERE a.effective_on <= $4
        GROUP BY a.project_id
    ), pl AS (
        SELECT m.project_id,
               coalesce(sum(m.planned) FILTER (WHERE m.month <= $2), 0) AS to_month,
               sum(m.planned) AS year
        FROM monthly_plans m JOIN p ON p.id = m.project_id
        GROUP BY m.project_id
    ), rl AS (
        SELECT l.project_id, sum(l.disbursed) AS disbursed,
               coalesce(sum(l.committed) FILTER (WHERE r.month = $2), 0) AS committed
        FROM reports r JOIN report_lines l ON l.revision_id = r.submitted_revision_id
        WHERE r.fiscal_year = $1 AND r.month <= $2 AND ($5::int IS NULL OR r.bureau_id = $5)
        GROUP BY l.project_id
    ), f AS (
        SELECT p.*, p.allocation + coalesce(adj.to_month, 0) AS a_m,
               p.allocation + coalesce(adj.to_year_end, 0) AS a_12,
               coalesce(pl.to_month, 0) AS p_m, coalesce(pl.year, 0) AS p_12,
               coalesce(rl.disbursed, 0) AS d_m, coalesce(rl.committed, 0) AS c_m
        FROM p LEFT JOIN adj ON adj.project_id = p.id LEFT JOIN pl ON pl.project_id = p.id
        LEFT JOIN rl ON rl.project_id = p.id
    )";

fn run(
    conn: &mut PgConnection,
    select: &str,
    fy: FiscalYear,
    month: FiscalMonth,
    bureau: Option<i32>,
) -> QueryResult<Vec<FigureRow>> {
    diesel::sql_query(format!("{PER_PROJECT} {select}"))
        .bind::<Int4, _>(fy.be())
        .bind::<Int2, _>(month.number() as i16)
        .bind::<Date, _>(fy.month_end(month))
        .bind::<Date, _>(fy.end())
        .bind::<Nullable<Int4>, _>(bureau)
        .load(conn)
}

/// Figures per (bureau, category) for the whole office, from the rollups kept by
/// the database (see migration `figure_rollups`): a few thousand rows summed
/// whatever the number of projects.
pub fn office_figures(conn: &mut PgConnection, fy: FiscalYear, month: FiscalMonth) -> QueryResult<Vec<FigureRow>> {
    diesel::sql_query(
        "WITH a AS (
             SELECT bureau_id, category, sum(allocation) AS allocation
             FROM projects WHERE fiscal_year = $1 GROUP BY bureau_id, category
         ), adj AS (
             SELECT p.bureau_id, p.category,
                    coalesce(sum(x.amount) FILTER (WHERE x.effective_on <= $3), 0) AS to_month,
                    sum(x.amount) AS to_year_end
             FROM allocation_adjustments x JOIN projects p ON p.id = x.project_id
             WHERE p.fiscal_year = $1 AND x.effective_on <= $4
             GROUP BY p.bureau_id, p.category
         ), pl AS (
             SELECT bureau_id, category, coalesce(sum(planned) FILTER (WHERE month <= $2), 0) AS to_month,
                    sum(planned) AS year
             FROM plan_rollups WHERE fiscal_year = $1 GROUP BY bureau_id, category
         ), rl AS (
             SELECT r.bureau_id, t.category, sum(t.disbursed) AS disbursed,
                    coalesce(sum(t.committed) FILTER (WHERE r.month = $2), 0) AS committed
             FROM reports r JOIN revision_rollups t ON t.revision_id = r.submitted_revision_id
             WHERE r.fiscal_year = $1 AND r.month <= $2
             GROUP BY r.bureau_id, t.category
         )
         SELECT b.id AS key, b.code, b.name_th, b.name_en, b.active, a.category,
                a.allocation + coalesce(adj.to_month, 0) AS allocation,
                a.allocation + coalesce(adj.to_year_end, 0) AS allocation_year_end,
                coalesce(pl.to_month, 0) AS planned, coalesce(pl.year, 0) AS planned_year,
                coalesce(rl.disbursed, 0) AS disbursed, coalesce(rl.committed, 0) AS committed
         FROM a JOIN bureaus b ON b.id = a.bureau_id
         LEFT JOIN adj ON adj.bureau_id = a.bureau_id AND adj.category = a.category
         LEFT JOIN pl ON pl.bureau_id = a.bureau_id AND pl.category = a.category
         LEFT JOIN rl ON rl.bureau_id = a.bureau_id AND rl.category = a.category
         ORDER BY b.code, a.category",
    )
    .bind::<Int4, _>(fy.be())
    .bind::<Int2, _>(month.number() as i16)
    .bind::<Date, _>(fy.month_end(month))
    .bind::<Date, _>(fy.end())
    .load(conn)
}

/// Figures per project of one bureau.
pub fn bureau_figures(
    conn: &mut PgConnection,
    fy: FiscalYear,
    month: FiscalMonth,
    bureau_id: i32,
) -> QueryResult<Vec<FigureRow>> {
    run(
        conn,
        "SELECT f.id AS key, f.code, f.name_th, f.name_en, TRUE AS active, f.category,
                f.a_m AS allocation, f.a_12 AS allocation_year_end, f.p_m AS planned, f.p_12 AS planned_year,
                f.d_m AS disbursed, f.c_m AS committed
         FROM f ORDER BY f.code",
        fy,
        month,
        Some(bureau_id),
    )
}

#[derive(QueryableByName, Debug, Clone)]
pub struct ReportState {
    #[diesel(sql_type = Int4)]
    pub bureau_id: i32,
    #[diesel(sql_type = Bool)]
    pub submitted: bool,
    #[diesel(sql_type = Bool)]
    pub on_time: bool,
}

/// The state of every report of `month` (bureaus without a report have no row).
/// A report counts as on time when any of its submissions was before the deadline.
pub fn report_states(
    conn: &mut PgConnection,
    fy: FiscalYear,
    month: FiscalMonth,
    bureau: Option<i32>,
) -> QueryResult<Vec<ReportState>> {
    diesel::sql_query(
        "SELECT r.bureau_id, r.submitted_revision_id IS NOT NULL AS submitted,
                coalesce(bool_or(v.on_time) FILTER (WHERE v.status = 'submitted'), FALSE) AS on_time
         FROM reports r LEFT JOIN report_revisions v ON v.report_id = r.id
         WHERE r.fiscal_year = $1 AND r.month = $2 AND ($3::int IS NULL OR r.bureau_id = $3)
         GROUP BY r.id",
    )
    .bind::<Int4, _>(fy.be())
    .bind::<Int2, _>(month.number() as i16)
    .bind::<Nullable<Int4>, _>(bureau)
    .load(conn)
}

#[derive(QueryableByName, Debug, Clone)]
pub struct BureauRow {
    #[diesel(sql_type = Int4)]
    pub id: i32,
    #[diesel(sql_type = Text)]
    pub code: String,
    #[diesel(sql_type = Text)]
    pub name_th: String,
    #[diesel(sql_type = Text)]
    pub name_en: String,
    #[diesel(sql_type = Bool)]
    pub active: bool,
}

pub fn bureau_by_code(conn: &mut PgConnection, code: &str) -> QueryResult<Option<BureauRow>> {
    diesel::sql_query("SELECT id, code, name_th, name_en, active FROM bureaus WHERE code = $1")
        .bind::<Text, _>(code)
        .get_result(conn)
        .optional()
}

/// Last day of the month as a date, for `as_of`.
pub fn as_of(fy: FiscalYear, month: FiscalMonth) -> NaiveDate {
    fy.month_end(month)
}
