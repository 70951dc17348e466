//! Queries behind the summaries. Each project's figures as of a month come from
//! `project_months` (kept by the database, one row per project and month, with
//! its forecast terms; migrations 10 and 11), and their sums per bureau, category
//! and class from `month_totals`: the office reads a few hundred totals, a bureau
//! its projects' rows, never the plans and report lines they are made of. The year's settings come with the holidays that
//! move its due dates and the cabinet's targets of every scope.

use chrono::{DateTime, FixedOffset, NaiveDate};
use diesel::prelude::*;
use diesel::sql_types::{Array, Bool, Date, Int2, Int4, Nullable, Numeric, SmallInt, Text};
use rust_decimal::Decimal;

use crate::domain::measures::Figures;
use crate::domain::{Category, EconomicClass, FiscalMonth, FiscalYear};

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
    /// Cabinet targets of quarters 1-4 for each scope (NULL where not entered).
    #[diesel(sql_type = Array<Nullable<Numeric>>)]
    pub targets_overall: Vec<Option<Decimal>>,
    #[diesel(sql_type = Array<Nullable<Numeric>>)]
    pub targets_current: Vec<Option<Decimal>>,
    #[diesel(sql_type = Array<Nullable<Numeric>>)]
    pub targets_capital: Vec<Option<Decimal>>,
    /// Public holidays from the year's start to two months after its end (the
    /// last month's report is due in the next year).
    #[diesel(sql_type = Array<Date>)]
    pub holidays: Vec<NaiveDate>,
}

/// The cabinet's disbursement target scopes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    Overall,
    Current,
    Capital,
}

impl Scope {
    pub const ALL: [Scope; 3] = [Scope::Overall, Scope::Current, Scope::Capital];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Overall => "overall",
            Scope::Current => "current",
            Scope::Capital => "capital",
        }
    }

    pub fn name_th(self) -> &'static str {
        match self {
            Scope::Overall => "ภาพรวม",
            Scope::Current => "รายจ่ายประจำ",
            Scope::Capital => "รายจ่ายลงทุน",
        }
    }
}

impl YearSettings {
    /// The cabinet's target of `scope` for the quarter holding `month`.
    pub fn target(&self, scope: Scope, month: FiscalMonth) -> Option<Decimal> {
        let targets = match scope {
            Scope::Overall => &self.targets_overall,
            Scope::Current => &self.targets_current,
            Scope::Capital => &self.targets_capital,
        };
        targets.get(month.quarter() as usize - 1).copied().flatten()
    }

    /// The overall cabinet target of the quarter holding `month`.
    pub fn quarter_target(&self, month: FiscalMonth) -> Option<Decimal> {
        self.target(Scope::Overall, month)
    }

    /// When month `month`'s report is due: the due day, moved past weekends and
    /// holidays.
    pub fn due_at(&self, fy: FiscalYear, month: FiscalMonth) -> DateTime<FixedOffset> {
        fy.due_at(month, self.due_day as u32, &self.holidays)
    }
}

/// The year's settings, or "not found" naming the year.
pub fn require_year_settings(conn: &mut PgConnection, fy: FiscalYear) -> Result<YearSettings, crate::error::AppError> {
    year_settings(conn, fy)?.ok_or_else(|| crate::error::AppError::NotFound(format!("there is no fiscal year {fy}")))
}

/// The year's settings, KPI thresholds, cabinet targets and holidays; `None` when
/// the year does not exist.
pub fn year_settings(conn: &mut PgConnection, fy: FiscalYear) -> QueryResult<Option<YearSettings>> {
    diesel::sql_query(
        "SELECT f.due_day, f.warn_lag_pp, f.critical_lag_pp,
                coalesce((SELECT array_agg(k.threshold_pct ORDER BY k.level) FROM kpi_levels k
                          WHERE k.fiscal_year = f.id), '{}') AS kpi_thresholds,
                ARRAY(SELECT (SELECT c.target_pct FROM cabinet_targets c
                              WHERE c.fiscal_year = f.id AND c.scope = 'overall' AND c.quarter = q)
                      FROM generate_series(1, 4) q ORDER BY q) AS targets_overall,
                ARRAY(SELECT (SELECT c.target_pct FROM cabinet_targets c
                              WHERE c.fiscal_year = f.id AND c.scope = 'current' AND c.quarter = q)
                      FROM generate_series(1, 4) q ORDER BY q) AS targets_current,
                ARRAY(SELECT (SELECT c.target_pct FROM cabinet_targets c
                              WHERE c.fiscal_year = f.id AND c.scope = 'capital' AND c.quarter = q)
                      FROM generate_series(1, 4) q ORDER BY q) AS targets_capital,
                ARRAY(SELECT h.day FROM holidays h
                      WHERE h.day BETWEEN f.starts_on AND f.ends_on + 62 ORDER BY h.day) AS holidays
         FROM fiscal_years f WHERE f.id = $1",
    )
    .bind::<Int4, _>(fy.be())
    .get_result(conn)
    .optional()
}

/// What a summary needs of a row, be it one project or a group of them.
pub trait Row {
    fn category(&self) -> Category;
    fn class(&self) -> EconomicClass;
    fn figures(&self) -> Figures;
    /// The latest report month the row's figures include (0: none yet).
    fn reported_month(&self) -> i16;
}

/// One project as of a month, with what it belongs to and its forecast terms as
/// the database keeps them (migration 11).
#[derive(QueryableByName, Debug, Clone)]
pub struct ProjectRow {
    #[diesel(sql_type = Int4)]
    pub project_id: i32,
    #[diesel(sql_type = Int4)]
    pub bureau_id: i32,
    #[diesel(sql_type = Text)]
    pub category: String,
    #[diesel(sql_type = Text)]
    pub economic_class: String,
    #[diesel(sql_type = Numeric)]
    pub allocation: Decimal,
    #[diesel(sql_type = Numeric)]
    pub allocation_year: Decimal,
    #[diesel(sql_type = Numeric)]
    pub planned_cum: Decimal,
    #[diesel(sql_type = Numeric)]
    pub planned_year: Decimal,
    #[diesel(sql_type = Numeric)]
    pub disbursed_cum: Decimal,
    #[diesel(sql_type = Numeric)]
    pub committed: Decimal,
    #[diesel(sql_type = Numeric)]
    pub forecast_used: Decimal,
    #[diesel(sql_type = Numeric)]
    pub best_used: Decimal,
    /// The month of the bureau's latest submitted report up to this one (0: none).
    #[diesel(sql_type = Int2)]
    pub reported_month: i16,
}

impl Row for ProjectRow {
    fn category(&self) -> Category {
        self.category.parse().unwrap_or(Category::Other)
    }

    fn class(&self) -> EconomicClass {
        self.economic_class.parse().unwrap_or(EconomicClass::Current)
    }

    fn figures(&self) -> Figures {
        Figures {
            allocation: self.allocation,
            allocation_year_end: self.allocation_year,
            planned: self.planned_cum,
            planned_year: self.planned_year,
            disbursed: self.disbursed_cum,
            committed: self.committed,
            forecast_used: self.forecast_used,
            best_used: self.best_used,
        }
    }

    fn reported_month(&self) -> i16 {
        self.reported_month
    }
}

/// Every project of the year as of `month` (of one bureau, or all): one indexed
/// read of `project_months`.
pub fn project_rows(
    conn: &mut PgConnection,
    fy: FiscalYear,
    month: FiscalMonth,
    bureau: Option<i32>,
) -> QueryResult<Vec<ProjectRow>> {
    diesel::sql_query(
        "SELECT m.project_id, m.bureau_id, p.category, p.economic_class, m.allocation, m.allocation_year,
                m.planned_cum, m.planned_year, m.disbursed_cum, m.committed, m.forecast_used, m.best_used,
                m.reported_month
         FROM project_months m JOIN projects p ON p.id = m.project_id
         WHERE m.fiscal_year = $1 AND m.month = $2 AND ($3::int IS NULL OR m.bureau_id = $3)",
    )
    .bind::<Int4, _>(fy.be())
    .bind::<Int2, _>(month.number() as i16)
    .bind::<Nullable<Int4>, _>(bureau)
    .load(conn)
}

/// The projects of one bureau, category and economic class as of a month, summed
/// (`month_totals`, kept by the database with `project_months`).
#[derive(QueryableByName, Debug, Clone)]
pub struct TotalRow {
    #[diesel(sql_type = Int4)]
    pub bureau_id: i32,
    #[diesel(sql_type = Text)]
    pub category: String,
    #[diesel(sql_type = Text)]
    pub economic_class: String,
    #[diesel(sql_type = Numeric)]
    pub allocation: Decimal,
    #[diesel(sql_type = Numeric)]
    pub allocation_year: Decimal,
    #[diesel(sql_type = Numeric)]
    pub planned_cum: Decimal,
    #[diesel(sql_type = Numeric)]
    pub planned_year: Decimal,
    #[diesel(sql_type = Numeric)]
    pub disbursed_cum: Decimal,
    #[diesel(sql_type = Numeric)]
    pub committed: Decimal,
    #[diesel(sql_type = Numeric)]
    pub forecast_used: Decimal,
    #[diesel(sql_type = Numeric)]
    pub best_used: Decimal,
    #[diesel(sql_type = Int2)]
    pub reported_max: i16,
}

impl Row for TotalRow {
    fn category(&self) -> Category {
        self.category.parse().unwrap_or(Category::Other)
    }

    fn class(&self) -> EconomicClass {
        self.economic_class.parse().unwrap_or(EconomicClass::Current)
    }

    fn figures(&self) -> Figures {
        Figures {
            allocation: self.allocation,
            allocation_year_end: self.allocation_year,
            planned: self.planned_cum,
            planned_year: self.planned_year,
            disbursed: self.disbursed_cum,
            committed: self.committed,
            forecast_used: self.forecast_used,
            best_used: self.best_used,
        }
    }

    fn reported_month(&self) -> i16 {
        self.reported_max
    }
}

/// The year's totals as of `month` per bureau, category and class (of one
/// bureau, or all): a few hundred rows at national scale.
pub fn month_totals(
    conn: &mut PgConnection,
    fy: FiscalYear,
    month: FiscalMonth,
    bureau: Option<i32>,
) -> QueryResult<Vec<TotalRow>> {
    diesel::sql_query(
        "SELECT bureau_id, category, economic_class, allocation, allocation_year, planned_cum, planned_year,
                disbursed_cum, committed, forecast_used, best_used, reported_max
         FROM month_totals
         WHERE fiscal_year = $1 AND month = $2 AND ($3::int IS NULL OR bureau_id = $3)",
    )
    .bind::<Int4, _>(fy.be())
    .bind::<Int2, _>(month.number() as i16)
    .bind::<Nullable<Int4>, _>(bureau)
    .load(conn)
}

/// Where disbursed and committed come from: the bureaus' reports (the
/// default, what the committee is shown) or the control ledger, to compare.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    #[default]
    Reports,
    Ledger,
}

impl Source {
    /// `?source=`: absent or `reports`, or `ledger`; anything else is 422 naming it.
    pub fn parse(raw: Option<&str>) -> Result<Source, crate::error::AppError> {
        match raw.map(str::trim).filter(|s| !s.is_empty()) {
            None | Some("reports") => Ok(Source::Reports),
            Some("ledger") => Ok(Source::Ledger),
            Some(other) => {
                let shown: String = other.chars().filter(|c| !c.is_control()).take(20).collect();
                Err(crate::error::AppError::validation(vec![crate::error::FieldError::new(
                    "source",
                    format!("{shown:?} is not a source; use reports or ledger"),
                )]))
            }
        }
    }
}

/// The ledger's D and C per project to the month's end, in place of the
/// reported ones, with the bounded forecast terms recomputed from them by the
/// same SQL functions `project_months` uses. Plans and allocations are the same.
const LEDGER_ROWS: &str = "
    WITH l AS (SELECT project_id, sum(d_effect) AS d, sum(c_effect) AS c FROM ledger_entries
               WHERE fiscal_year = $1 AND entry_date <= $4 GROUP BY project_id),
    pm AS (SELECT m.project_id, m.bureau_id, p.category, p.economic_class, m.allocation, m.allocation_year,
                  m.planned_cum, m.planned_year, COALESCE(l.d, 0) AS disbursed_cum, COALESCE(l.c, 0) AS committed,
                  m.reported_month
           FROM project_months m JOIN projects p ON p.id = m.project_id LEFT JOIN l ON l.project_id = m.project_id
           WHERE m.fiscal_year = $1 AND m.month = $2 AND ($3::int IS NULL OR m.bureau_id = $3)),
    t AS (SELECT pm.*, disbursed_cum + committed AS used,
                 forecast_to_come(allocation, planned_cum, planned_year, disbursed_cum + committed) AS to_come
          FROM pm)";

/// `project_rows` with the ledger's figures.
pub fn project_rows_from_ledger(
    conn: &mut PgConnection,
    fy: FiscalYear,
    month: FiscalMonth,
    bureau: Option<i32>,
) -> QueryResult<Vec<ProjectRow>> {
    diesel::sql_query(format!(
        "{LEDGER_ROWS}
         SELECT project_id, bureau_id, category, economic_class, allocation, allocation_year, planned_cum,
                planned_year, disbursed_cum, committed, used + forecast_paced(planned_cum, used, to_come) AS forecast_used,
                used + to_come AS best_used, reported_month
         FROM t"
    ))
    .bind::<Int4, _>(fy.be())
    .bind::<Int2, _>(month.number() as i16)
    .bind::<Nullable<Int4>, _>(bureau)
    .bind::<diesel::sql_types::Date, _>(fy.month_end(month))
    .load(conn)
}

/// `month_totals` with the ledger's figures.
pub fn month_totals_from_ledger(
    conn: &mut PgConnection,
    fy: FiscalYear,
    month: FiscalMonth,
    bureau: Option<i32>,
) -> QueryResult<Vec<TotalRow>> {
    diesel::sql_query(format!(
        "{LEDGER_ROWS}
         SELECT bureau_id, category, economic_class, sum(allocation) AS allocation,
                sum(allocation_year) AS allocation_year, sum(planned_cum) AS planned_cum,
                sum(planned_year) AS planned_year, sum(disbursed_cum) AS disbursed_cum, sum(committed) AS committed,
                sum(used + forecast_paced(planned_cum, used, to_come)) AS forecast_used,
                sum(used + to_come) AS best_used, max(reported_month)::int2 AS reported_max
         FROM t GROUP BY bureau_id, category, economic_class"
    ))
    .bind::<Int4, _>(fy.be())
    .bind::<Int2, _>(month.number() as i16)
    .bind::<Nullable<Int4>, _>(bureau)
    .bind::<diesel::sql_types::Date, _>(fy.month_end(month))
    .load(conn)
}

/// A project's names, for a bureau's list.
#[derive(QueryableByName, Debug, Clone)]
pub struct ProjectName {
    #[diesel(sql_type = Int4)]
    pub id: i32,
    #[diesel(sql_type = Text)]
    pub code: String,
    #[diesel(sql_type = Text)]
    pub name_th: String,
    #[diesel(sql_type = Text)]
    pub name_en: String,
}

pub fn project_names(conn: &mut PgConnection, fy: FiscalYear, bureau_id: i32) -> QueryResult<Vec<ProjectName>> {
    diesel::sql_query(
        "SELECT id, code, name_th, name_en FROM projects WHERE fiscal_year = $1 AND bureau_id = $2 ORDER BY code",
    )
    .bind::<Int4, _>(fy.be())
    .bind::<Int4, _>(bureau_id)
    .load(conn)
}

/// Every bureau (active or not), for naming the office's lines.
pub fn bureaus(conn: &mut PgConnection) -> QueryResult<Vec<BureauRow>> {
    diesel::sql_query("SELECT id, code, name_th, name_en, active FROM bureaus ORDER BY code").load(conn)
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
