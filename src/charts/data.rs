//! The numbers behind the charts, exact: monthly series for the S-curve and the
//! heatmap come from the rollups in one query each; everything else from the
//! summaries. Percentages are `Decimal`; the drawing turns them into pixels.

use diesel::prelude::*;
use diesel::sql_types::{Int4, Nullable, Numeric};
use rust_decimal::Decimal;

use crate::domain::rate;
use crate::domain::{FiscalMonth, FiscalYear};

#[derive(QueryableByName, Debug, Clone, Copy)]
pub struct MonthRow {
    #[diesel(sql_type = Int4)]
    pub month: i32,
    #[diesel(sql_type = Numeric)]
    pub planned: Decimal,
    #[diesel(sql_type = Numeric)]
    pub disbursed: Decimal,
    #[diesel(sql_type = Numeric)]
    pub committed: Decimal,
}

/// Planned, disbursed and committed in each month 1-12 (office, or one bureau).
pub fn months(conn: &mut PgConnection, fy: FiscalYear, bureau: Option<i32>) -> QueryResult<Vec<MonthRow>> {
    diesel::sql_query(
        "WITH m AS (SELECT generate_series(1, 12) AS month),
              pl AS (SELECT month, sum(planned) AS planned FROM plan_rollups
                     WHERE fiscal_year = $1 AND ($2::int IS NULL OR bureau_id = $2) GROUP BY month),
              rl AS (SELECT r.month, sum(t.disbursed) AS disbursed, sum(t.committed) AS committed
                     FROM reports r JOIN revision_rollups t ON t.revision_id = r.submitted_revision_id
                     WHERE r.fiscal_year = $1 AND ($2::int IS NULL OR r.bureau_id = $2) GROUP BY r.month)
         SELECT m.month, coalesce(pl.planned, 0) AS planned, coalesce(rl.disbursed, 0) AS disbursed,
                coalesce(rl.committed, 0) AS committed
         FROM m LEFT JOIN pl ON pl.month = m.month LEFT JOIN rl ON rl.month = m.month ORDER BY m.month",
    )
    .bind::<Int4, _>(fy.be())
    .bind::<Nullable<Int4>, _>(bureau)
    .load(conn)
}

/// Planned, disbursed and committed in each month 1-12 of one project, from the
/// latest submitted revision of each month's report.
pub fn project_months(conn: &mut PgConnection, fy: FiscalYear, project_id: i32) -> QueryResult<Vec<MonthRow>> {
    diesel::sql_query(
        "WITH m AS (SELECT generate_series(1, 12) AS month)
         SELECT m.month, coalesce(mp.planned, 0) AS planned, coalesce(l.disbursed, 0) AS disbursed,
                coalesce(l.committed, 0) AS committed
         FROM m
         LEFT JOIN monthly_plans mp ON mp.project_id = $2 AND mp.month = m.month
         LEFT JOIN (SELECT r.month, rl.disbursed, rl.committed
                    FROM reports r JOIN report_lines rl ON rl.revision_id = r.submitted_revision_id
                    WHERE r.fiscal_year = $1 AND rl.project_id = $2) l ON l.month = m.month
         ORDER BY m.month",
    )
    .bind::<Int4, _>(fy.be())
    .bind::<Int4, _>(project_id)
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
    let mut plan = Decimal::ZERO;
    let mut disbursed = Decimal::ZERO;
    let mut points = Vec::new();
    for r in rows {
        plan += r.planned;
        disbursed += r.disbursed;
        let shown = upto.is_none_or(|m| r.month <= m.number() as i32);
        points.push(Point {
            month: r.month as u8,
            plan: rate(plan, allocation_year_end),
            disbursed: if shown { rate(disbursed, allocation_year_end) } else { None },
            used: if shown { rate(disbursed + r.committed, allocation_year_end) } else { None },
        });
    }
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
    fn the_curve_accumulates_flows_but_not_commitments_and_stops_at_the_month() {
        let d = |s: &str| Decimal::from_str_exact(s).unwrap();
        let rows: Vec<MonthRow> = (1..=12)
            .map(|m| MonthRow {
                month: m,
                planned: d("10"),
                disbursed: d("5"),
                committed: if m == 2 { d("30") } else { d("1") },
            })
            .collect();
        let c = curve(&rows, d("200"), Some(FiscalMonth::new(2).unwrap()));
        assert_eq!(c.points[1], Point { month: 2, plan: Some(d("10")), disbursed: Some(d("5")), used: Some(d("20")) });
        assert_eq!(c.points[2].disbursed, None, "month 3 has not been reported as of month 2");
        assert_eq!(c.points[11].plan, Some(d("60")));
    }
}
