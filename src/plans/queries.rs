//! The action plan's reads: fiscal years with their settings, levels and
//! targets; a project's state for a write; what a project has used so far; the
//! adjustments of a year; the plan list the plan page shows.

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::sql_types::{Int4, Numeric};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::domain::money::json as dj;
use crate::domain::FiscalYear;
use crate::error::{AppError, FieldError};
use crate::schema::{allocation_adjustments, cabinet_targets, fiscal_years, kpi_levels, projects};

#[derive(Serialize, Debug)]
pub struct YearView {
    pub fiscal_year: i32,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub due_day: i16,
    #[serde(serialize_with = "dj::money")]
    pub warn_lag_pp: Decimal,
    #[serde(serialize_with = "dj::money")]
    pub critical_lag_pp: Decimal,
    #[serde(serialize_with = "dj::money")]
    pub ledger_tolerance_pct: Decimal,
    /// When commitments carried over from this year lapse (null: 31 March after it).
    pub carry_over_until: Option<NaiveDate>,
    pub plan_published: bool,
    pub kpi_levels: Vec<String>,
    pub cabinet_targets: Vec<Target>,
}

#[derive(Serialize, Debug, Clone)]
pub struct Target {
    pub quarter: i16,
    pub scope: String,
    #[serde(serialize_with = "dj::money")]
    pub target_pct: Decimal,
}

/// A fiscal year's row as `load_years` reads it.
#[derive(Queryable, Selectable)]
#[diesel(table_name = fiscal_years, check_for_backend(diesel::pg::Pg))]
struct YearRow {
    id: i32,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    due_day: i16,
    warn_lag_pp: Decimal,
    critical_lag_pp: Decimal,
    ledger_tolerance_pct: Decimal,
    plan_published: bool,
    carry_over_until: Option<NaiveDate>,
}

/// Fiscal years with their settings, KPI levels and cabinet targets, in three
/// queries whatever the number of years; `only` narrows to one year.
pub fn load_years(conn: &mut PgConnection, only: Option<FiscalYear>) -> Result<Vec<YearView>, AppError> {
    let mut q = fiscal_years::table.select(YearRow::as_select()).order(fiscal_years::id.desc()).into_boxed();
    let mut lq = kpi_levels::table
        .select((kpi_levels::fiscal_year, kpi_levels::threshold_pct))
        .order((kpi_levels::fiscal_year, kpi_levels::level))
        .into_boxed();
    let mut tq = cabinet_targets::table
        .select((
            cabinet_targets::fiscal_year,
            cabinet_targets::quarter,
            cabinet_targets::scope,
            cabinet_targets::target_pct,
        ))
        .order((cabinet_targets::fiscal_year, cabinet_targets::quarter, cabinet_targets::scope))
        .into_boxed();
    if let Some(fy) = only {
        q = q.filter(fiscal_years::id.eq(fy.be()));
        lq = lq.filter(kpi_levels::fiscal_year.eq(fy.be()));
        tq = tq.filter(cabinet_targets::fiscal_year.eq(fy.be()));
    }
    let rows: Vec<YearRow> = q.load(conn)?;
    let levels: Vec<(i32, Decimal)> = lq.load(conn)?;
    let targets: Vec<(i32, i16, String, Decimal)> = tq.load(conn)?;
    Ok(rows
        .into_iter()
        .map(|y| YearView {
            fiscal_year: y.id,
            starts_on: y.starts_on,
            ends_on: y.ends_on,
            due_day: y.due_day,
            warn_lag_pp: y.warn_lag_pp,
            critical_lag_pp: y.critical_lag_pp,
            ledger_tolerance_pct: y.ledger_tolerance_pct,
            carry_over_until: y.carry_over_until,
            plan_published: y.plan_published,
            kpi_levels: levels.iter().filter(|l| l.0 == y.id).map(|l| crate::domain::money::fixed2(l.1)).collect(),
            cabinet_targets: targets
                .iter()
                .filter(|t| t.0 == y.id)
                .map(|t| Target { quarter: t.1, scope: t.2.clone(), target_pct: t.3 })
                .collect(),
        })
        .collect())
}

pub fn year(conn: &mut PgConnection, fy: FiscalYear) -> Result<YearView, AppError> {
    load_years(conn, Some(fy))?.pop().ok_or_else(|| AppError::NotFound(format!("there is no fiscal year {fy}")))
}

#[derive(QueryableByName)]
pub(crate) struct ProjectState {
    #[diesel(sql_type = Int4)]
    pub(crate) id: i32,
    #[diesel(sql_type = Numeric)]
    pub(crate) year_end_allocation: Decimal,
}

pub(crate) fn project_state(
    conn: &mut PgConnection,
    fy: FiscalYear,
    code: &str,
    field: &str,
) -> Result<ProjectState, AppError> {
    diesel::sql_query(
        "SELECT p.id, allocation_on(p, 'infinity') AS year_end_allocation
         FROM projects p WHERE p.fiscal_year = $1 AND p.code = $2",
    )
    .bind::<Int4, _>(fy.be())
    .bind::<diesel::sql_types::Text, _>(code)
    .get_result(conn)
    .optional()?
    .ok_or_else(|| AppError::validation(vec![FieldError::new(field, format!("FY{fy} has no project {code:?}"))]))
}

#[derive(Serialize, Debug, Queryable)]
pub struct AdjustmentView {
    pub id: i64,
    pub project: String,
    pub kind: String,
    #[serde(serialize_with = "dj::money")]
    pub amount: Decimal,
    pub effective_on: NaiveDate,
    pub reason: String,
    pub transfer_id: Option<i64>,
}

/// Disbursed + committed a project has reported up to its latest report: an
/// allocation may not be cut below it.
pub(crate) fn used_to_date(conn: &mut PgConnection, project_id: i32) -> QueryResult<Decimal> {
    #[derive(QueryableByName)]
    struct U {
        #[diesel(sql_type = Numeric)]
        used: Decimal,
    }
    diesel::sql_query(
        "SELECT coalesce(sum(l.disbursed), 0)
              + coalesce((SELECT l2.committed FROM reports r2 JOIN report_lines l2 ON l2.revision_id = r2.submitted_revision_id
                          WHERE l2.project_id = $1 ORDER BY r2.month DESC LIMIT 1), 0) AS used
         FROM reports r JOIN report_lines l ON l.revision_id = r.submitted_revision_id WHERE l.project_id = $1",
    )
    .bind::<Int4, _>(project_id)
    .get_result::<U>(conn)
    .map(|u| u.used)
}

pub fn adjustments(conn: &mut PgConnection, fy: FiscalYear) -> Result<Vec<AdjustmentView>, AppError> {
    year(conn, fy)?;
    Ok(allocation_adjustments::table
        .inner_join(projects::table)
        .filter(projects::fiscal_year.eq(fy.be()))
        .order(allocation_adjustments::id)
        .select((
            allocation_adjustments::id,
            projects::code,
            allocation_adjustments::kind,
            allocation_adjustments::amount,
            allocation_adjustments::effective_on,
            allocation_adjustments::reason,
            allocation_adjustments::transfer_id,
        ))
        .load(conn)?)
}

/// One project of the plan list.
#[derive(QueryableByName, Debug, Clone)]
pub struct PlanRow {
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub bureau: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub code: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub name_th: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub category: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub economic_class: String,
    #[diesel(sql_type = diesel::sql_types::Numeric)]
    pub allocation: Decimal,
}

/// Every project of the year with its allocation in force, by bureau and code.
pub fn plan_rows(conn: &mut PgConnection, fy: FiscalYear) -> QueryResult<Vec<PlanRow>> {
    diesel::sql_query(
        "SELECT b.code AS bureau, p.code, p.name_th, p.category, p.economic_class,
                allocation_on(p, 'infinity') AS allocation
         FROM projects p JOIN bureaus b ON b.id = p.bureau_id
         WHERE p.fiscal_year = $1 ORDER BY b.code, p.code",
    )
    .bind::<Int4, _>(fy.be())
    .load(conn)
}
