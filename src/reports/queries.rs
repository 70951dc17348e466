//! A report's reads: everything about a bureau's month in a fixed number of
//! queries (`context`), and the revisions of a report with their totals.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Date, Int2, Int4, Nullable, Numeric, Text, Timestamptz};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::domain::money::json as dj;
use crate::domain::{FiscalMonth, FiscalYear};
use crate::error::AppError;
use crate::schema::{report_lines, report_revisions};

/// One project of the bureau as the month's report sees it.
#[derive(QueryableByName, Debug, Clone, Serialize)]
pub struct ProjectContext {
    #[diesel(sql_type = Int4)]
    #[serde(skip)]
    pub id: i32,
    #[diesel(sql_type = Text)]
    pub project_code: String,
    #[diesel(sql_type = Text)]
    pub name_th: String,
    #[diesel(sql_type = Text)]
    pub category: String,
    /// A(m)
    #[diesel(sql_type = Numeric)]
    #[serde(serialize_with = "dj::money")]
    pub allocation: Decimal,
    /// P(m)
    #[diesel(sql_type = Numeric)]
    #[serde(serialize_with = "dj::money")]
    pub planned_to_date: Decimal,
    /// D(m−1): disbursed in months before this one (latest submitted revisions).
    #[diesel(sql_type = Numeric)]
    #[serde(serialize_with = "dj::money")]
    pub disbursed_before: Decimal,
}

#[derive(QueryableByName, Debug, Clone)]
struct Header {
    #[diesel(sql_type = Nullable<BigInt>)]
    report_id: Option<i64>,
    #[diesel(sql_type = Int4)]
    latest_revision: i32,
    #[diesel(sql_type = Bool)]
    locked: bool,
    #[diesel(sql_type = Int2)]
    due_day: i16,
    #[diesel(sql_type = Numeric)]
    warn_lag_pp: Decimal,
    /// Holidays in the weeks after the month, which may move its due date.
    #[diesel(sql_type = diesel::sql_types::Array<Date>)]
    holidays: Vec<chrono::NaiveDate>,
}

crate::text_enum! {
    /// A revision's state (`report_revisions.status`).
    pub enum RevisionStatus { Draft = "draft", Submitted = "submitted" }
}

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = report_revisions, check_for_backend(diesel::pg::Pg))]
pub struct RevisionRow {
    pub id: i64,
    pub revision: i32,
    pub status: RevisionStatus,
    pub obstacles: String,
    pub limitations: String,
    pub suggestions: String,
    pub created_at: DateTime<Utc>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub on_time: Option<bool>,
}

/// A revision's lines: project id → (disbursed, committed).
pub type LineFigures = HashMap<i32, (Decimal, Decimal)>;

/// Everything about one bureau's month.
#[derive(Debug, Clone)]
pub struct Context {
    pub fy: FiscalYear,
    pub month: FiscalMonth,
    pub bureau_id: i32,
    pub bureau_code: String,
    pub report_id: Option<i64>,
    pub latest_revision: i32,
    pub locked: bool,
    pub due_at: DateTime<Utc>,
    pub warn_lag_pp: Decimal,
    pub projects: Vec<ProjectContext>,
    /// The latest revision and its lines (project id → disbursed, committed).
    pub latest: Option<(RevisionRow, LineFigures)>,
}

/// Loads the context of `bureau_id`'s report for (fy, month); 404 for a year that
/// does not exist.
pub fn context(
    conn: &mut PgConnection,
    fy: FiscalYear,
    month: FiscalMonth,
    bureau_id: i32,
    bureau_code: &str,
) -> Result<Context, AppError> {
    let header: Option<Header> = diesel::sql_query(
        "SELECT r.id AS report_id, coalesce(r.latest_revision, 0) AS latest_revision,
                EXISTS (SELECT 1 FROM month_locks l WHERE l.fiscal_year = f.id AND l.month = $2) AS locked,
                f.due_day, f.warn_lag_pp,
                ARRAY(SELECT h.day FROM holidays h WHERE h.day BETWEEN $4 AND $4 + 62 ORDER BY h.day) AS holidays
         FROM fiscal_years f
         LEFT JOIN reports r ON r.fiscal_year = f.id AND r.month = $2 AND r.bureau_id = $3
         WHERE f.id = $1",
    )
    .bind::<Int4, _>(fy.be())
    .bind::<Int2, _>(month.number() as i16)
    .bind::<Int4, _>(bureau_id)
    .bind::<Date, _>(fy.month_end(month))
    .get_result(conn)
    .optional()?;
    let header = header.ok_or_else(|| AppError::NotFound(format!("there is no fiscal year {fy}")))?;
    // One pass over each table for the bureau's projects (not a lookup per project).
    let projects: Vec<ProjectContext> = diesel::sql_query(
        "WITH p AS (
             SELECT q.id, q.code, q.name_th, q.category, allocation_on(q, $3) AS allocation
             FROM projects q WHERE q.fiscal_year = $1 AND q.bureau_id = $4
         ), pl AS (
             SELECT m.project_id, sum(m.planned) AS total FROM monthly_plans m JOIN p ON p.id = m.project_id
             WHERE m.month <= $2 GROUP BY m.project_id
         ), d AS (
             SELECT l.project_id, sum(l.disbursed) AS total
             FROM reports r JOIN report_lines l ON l.revision_id = r.submitted_revision_id
             WHERE r.fiscal_year = $1 AND r.bureau_id = $4 AND r.month < $2 GROUP BY l.project_id
         )
         SELECT p.id, p.code AS project_code, p.name_th, p.category, p.allocation,
                coalesce(pl.total, 0) AS planned_to_date, coalesce(d.total, 0) AS disbursed_before
         FROM p LEFT JOIN pl ON pl.project_id = p.id
         LEFT JOIN d ON d.project_id = p.id ORDER BY p.code",
    )
    .bind::<Int4, _>(fy.be())
    .bind::<Int2, _>(month.number() as i16)
    .bind::<Date, _>(fy.month_end(month))
    .bind::<Int4, _>(bureau_id)
    .load(conn)?;
    let latest = match header.report_id {
        Some(report_id) if header.latest_revision > 0 => {
            let rev: RevisionRow = report_revisions::table
                .filter(report_revisions::report_id.eq(report_id))
                .filter(report_revisions::revision.eq(header.latest_revision))
                .select(RevisionRow::as_select())
                .first(conn)?;
            let lines: Vec<(i32, Decimal, Decimal)> = report_lines::table
                .filter(report_lines::revision_id.eq(rev.id))
                .select((report_lines::project_id, report_lines::disbursed, report_lines::committed))
                .load(conn)?;
            Some((rev, lines.into_iter().map(|(p, d, c)| (p, (d, c))).collect()))
        }
        _ => None,
    };
    Ok(Context {
        fy,
        month,
        bureau_id,
        bureau_code: bureau_code.to_string(),
        report_id: header.report_id,
        latest_revision: header.latest_revision,
        locked: header.locked,
        due_at: fy.due_at(month, header.due_day as u32, &header.holidays).with_timezone(&Utc),
        warn_lag_pp: header.warn_lag_pp,
        projects,
        latest,
    })
}

#[derive(QueryableByName, Debug, Serialize)]
pub struct RevisionSummary {
    #[diesel(sql_type = Int4)]
    pub revision: i32,
    #[diesel(sql_type = Text)]
    pub status: RevisionStatus,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub submitted_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Bool>)]
    pub on_time: Option<bool>,
    #[diesel(sql_type = Nullable<Text>)]
    pub created_by: Option<String>,
    #[diesel(sql_type = Numeric)]
    #[serde(serialize_with = "dj::money")]
    pub disbursed: Decimal,
    #[diesel(sql_type = Numeric)]
    #[serde(serialize_with = "dj::money")]
    pub committed: Decimal,
}

/// Every revision of a report, newest first, with its totals (from the rollups).
pub fn revisions(conn: &mut PgConnection, report_id: i64) -> QueryResult<Vec<RevisionSummary>> {
    diesel::sql_query(
        "SELECT v.revision, v.status, v.created_at, v.submitted_at, v.on_time, u.username AS created_by,
                coalesce(sum(t.disbursed), 0) AS disbursed, coalesce(sum(t.committed), 0) AS committed
         FROM report_revisions v LEFT JOIN users u ON u.id = v.created_by
         LEFT JOIN revision_rollups t ON t.revision_id = v.id
         WHERE v.report_id = $1 GROUP BY v.id, u.username ORDER BY v.revision DESC",
    )
    .bind::<BigInt, _>(report_id)
    .load(conn)
}
