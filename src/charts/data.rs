//! The numbers behind the charts, exact: monthly series for the S-curve and the
//! heatmap come from `month_totals` (a project's from `project_months`), kept by
//! the database, in one query each; everything else from the summaries.
//! Percentages are `Decimal`; the drawing turns them into pixels.

use diesel::prelude::*;

pub use crate::monitoring::queries::Source;
use diesel::sql_types::{Int2, Int4, Nullable, Numeric};
use rust_decimal::Decimal;

use crate::domain::measures::Figures;
use crate::domain::rate;
use crate::domain::{FiscalMonth, FiscalYear};

/// A scope (office, bureau or project) as of the end of a month.
#[derive(QueryableByName, Debug, Clone, Copy)]
pub struct MonthRow {
    #[diesel(sql_type = Int2)]
    pub month: i16,
    /// P(m), D(m) and C(m), as the measures define them (C carried forward).
    #[diesel(sql_type = Numeric)]
    pub planned_cum: Decimal,
    #[diesel(sql_type = Numeric)]
    pub disbursed_cum: Decimal,
    #[diesel(sql_type = Numeric)]
    pub committed: Decimal,
    #[diesel(sql_type = Numeric)]
    pub allocation_year: Decimal,
    /// The latest month with a report up to this one (for one project; the
    /// earliest of its bureaus' for a wider scope).
    #[diesel(sql_type = Int2)]
    pub reported_month: i16,
}

impl MonthRow {
    /// What was planned in this month alone, given the month before.
    pub fn planned_in(&self, before: Option<&MonthRow>) -> Decimal {
        self.planned_cum - before.map(|b| b.planned_cum).unwrap_or_default()
    }

    /// What was disbursed in this month alone, given the month before.
    pub fn disbursed_in(&self, before: Option<&MonthRow>) -> Decimal {
        self.disbursed_cum - before.map(|b| b.disbursed_cum).unwrap_or_default()
    }
}

/// Months 1-12 of the office, one bureau (from `month_totals`), or one project
/// (from `project_months`).
pub fn months(
    conn: &mut PgConnection,
    fy: FiscalYear,
    bureau: Option<i32>,
    project: Option<i32>,
) -> QueryResult<Vec<MonthRow>> {
    months_from(conn, fy, bureau, project, Source::Reports)
}

/// The ledger's D and C to each month's end of the year (entries after the
/// year's end, carried-over payments, are not in the year's months).
const LEDGER_MONTHS: &str = "
    l AS (SELECT ((extract(month FROM entry_date)::int + 2) % 12 + 1) AS month, bureau_id, project_id,
                 sum(d_effect) AS d, sum(c_effect) AS c
          FROM ledger_entries
          WHERE fiscal_year = $1 AND entry_date <= make_date($1 - 543, 9, 30)
          GROUP BY 1, 2, 3)";

/// `months` with disbursed and committed from `source`.
pub fn months_from(
    conn: &mut PgConnection,
    fy: FiscalYear,
    bureau: Option<i32>,
    project: Option<i32>,
    source: Source,
) -> QueryResult<Vec<MonthRow>> {
    if source == Source::Ledger {
        return diesel::sql_query(format!(
            "WITH {LEDGER_MONTHS},
             t AS (SELECT month, sum(planned_cum) AS planned_cum, sum(allocation_year) AS allocation_year,
                          min(reported_month) AS reported_month
                   FROM project_months
                   WHERE fiscal_year = $1 AND ($2::int IS NULL OR bureau_id = $2)
                     AND ($3::int IS NULL OR project_id = $3)
                   GROUP BY month),
             lm AS (SELECT month, sum(d) AS d, sum(c) AS c FROM l
                    WHERE ($2::int IS NULL OR bureau_id = $2) AND ($3::int IS NULL OR project_id = $3)
                    GROUP BY month)
             SELECT t.month, t.planned_cum,
                    COALESCE(sum(lm.d) OVER w, 0) AS disbursed_cum, COALESCE(sum(lm.c) OVER w, 0) AS committed,
                    t.allocation_year, t.reported_month
             FROM t LEFT JOIN lm ON lm.month = t.month
             WINDOW w AS (ORDER BY t.month)
             ORDER BY t.month"
        ))
        .bind::<Int4, _>(fy.be())
        .bind::<Nullable<Int4>, _>(bureau)
        .bind::<Nullable<Int4>, _>(project)
        .load(conn);
    }
    if let Some(project) = project {
        return diesel::sql_query(
            "SELECT month, planned_cum, disbursed_cum, committed, allocation_year, reported_month
             FROM project_months WHERE project_id = $1 AND fiscal_year = $2 ORDER BY month",
        )
        .bind::<Int4, _>(project)
        .bind::<Int4, _>(fy.be())
        .load(conn);
    }
    diesel::sql_query(
        "SELECT month, sum(planned_cum) AS planned_cum, sum(disbursed_cum) AS disbursed_cum,
                sum(committed) AS committed, sum(allocation_year) AS allocation_year,
                min(reported_min) AS reported_month
         FROM month_totals
         WHERE fiscal_year = $1 AND ($2::int IS NULL OR bureau_id = $2)
         GROUP BY month ORDER BY month",
    )
    .bind::<Int4, _>(fy.be())
    .bind::<Nullable<Int4>, _>(bureau)
    .load(conn)
}

#[derive(QueryableByName, Debug, Clone, Copy)]
pub struct BureauMonth {
    #[diesel(sql_type = Int2)]
    pub month: i16,
    #[diesel(sql_type = Int4)]
    pub bureau_id: i32,
    #[diesel(sql_type = Numeric)]
    pub allocation: Decimal,
    #[diesel(sql_type = Numeric)]
    pub planned_cum: Decimal,
    #[diesel(sql_type = Numeric)]
    pub disbursed_cum: Decimal,
    #[diesel(sql_type = Numeric)]
    pub committed: Decimal,
}

impl BureauMonth {
    pub fn figures(&self) -> Figures {
        Figures {
            allocation: self.allocation,
            planned: self.planned_cum,
            disbursed: self.disbursed_cum,
            committed: self.committed,
            ..Figures::default()
        }
    }
}

/// Every bureau at every month up to `month`, in one query (the heatmap).
pub fn bureau_months(
    conn: &mut PgConnection,
    fy: FiscalYear,
    month: FiscalMonth,
    source: Source,
) -> QueryResult<Vec<BureauMonth>> {
    if source == Source::Ledger {
        return diesel::sql_query(format!(
            "WITH {LEDGER_MONTHS},
             t AS (SELECT month, bureau_id, sum(allocation) AS allocation, sum(planned_cum) AS planned_cum
                   FROM month_totals WHERE fiscal_year = $1 AND month <= $2 GROUP BY month, bureau_id),
             lm AS (SELECT month, bureau_id, sum(d) AS d, sum(c) AS c FROM l GROUP BY month, bureau_id),
             g AS (SELECT t.*, lm.d, lm.c FROM t LEFT JOIN lm USING (month, bureau_id))
             SELECT month::int2 AS month, bureau_id, allocation, planned_cum,
                    COALESCE(sum(d) OVER w, 0) AS disbursed_cum, COALESCE(sum(c) OVER w, 0) AS committed
             FROM g WINDOW w AS (PARTITION BY bureau_id ORDER BY month)
             ORDER BY month, bureau_id"
        ))
        .bind::<Int4, _>(fy.be())
        .bind::<Int2, _>(month.number() as i16)
        .load(conn);
    }
    diesel::sql_query(
        "SELECT month, bureau_id, sum(allocation) AS allocation, sum(planned_cum) AS planned_cum,
                sum(disbursed_cum) AS disbursed_cum, sum(committed) AS committed
         FROM month_totals WHERE fiscal_year = $1 AND month <= $2
         GROUP BY month, bureau_id ORDER BY month, bureau_id",
    )
    .bind::<Int4, _>(fy.be())
    .bind::<Int2, _>(month.number() as i16)
    .load(conn)
}

/// One month of a curve: cumulative percentages of the year-end allocation. The
/// actuals are `None` after the month the chart is as of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Point {
    pub month: u8,
    pub plan: Option<Decimal>,
    pub disbursed: Option<Decimal>,
    pub used: Option<Decimal>,
}

#[derive(Debug, Clone, Default)]
pub struct Curve {
    pub points: Vec<Point>,
}

pub fn curve(rows: &[MonthRow], allocation_year_end: Decimal, upto: Option<FiscalMonth>) -> Curve {
    let points = rows
        .iter()
        .map(|r| {
            let shown = upto.is_none_or(|m| r.month <= m.number() as i16);
            Point {
                month: r.month as u8,
                plan: rate(r.planned_cum, allocation_year_end),
                disbursed: if shown { rate(r.disbursed_cum, allocation_year_end) } else { None },
                used: if shown { rate(r.disbursed_cum + r.committed, allocation_year_end) } else { None },
            }
        })
        .collect();
    Curve { points }
}

/// Pixels may be floats; the figures are not.
pub fn px(d: Decimal) -> f64 {
    d.to_string().parse().unwrap_or(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_curve_shows_cumulative_rates_of_the_year_and_stops_at_the_month() {
        let d = |s: &str| Decimal::from_str_exact(s).unwrap();
        let rows: Vec<MonthRow> = (1..=12)
            .map(|m| MonthRow {
                month: m,
                planned_cum: d("10") * Decimal::from(m),
                disbursed_cum: d("5") * Decimal::from(m),
                committed: if m == 2 { d("30") } else { d("1") },
                allocation_year: d("200"),
                reported_month: m,
            })
            .collect();
        let c = curve(&rows, d("200"), Some(FiscalMonth::new(2).unwrap()));
        assert_eq!(c.points[1], Point { month: 2, plan: Some(d("10")), disbursed: Some(d("5")), used: Some(d("20")) });
        assert_eq!(c.points[2].disbursed, None, "month 3 has not been reported as of month 2");
        assert_eq!(c.points[11].plan, Some(d("60")));
        assert_eq!(rows[2].planned_in(Some(&rows[1])), d("10"));
        assert_eq!(rows[0].disbursed_in(None), d("5"));
    }
}
