//! What the database keeps for the summaries (migrations 10 and 11): each
//! project's forecast terms in `project_months` are the domain's to the last
//! digit, and `month_totals` is the sum of `project_months` after every kind of
//! write (reports, a cut, a respread, a classification, a plan edit).

use awc::http::Method;
use diesel::prelude::*;
use diesel::sql_types::{Array, Numeric};
use rust_decimal::Decimal;
use serde_json::json;

use budgetwatch::domain::measures::forecast_terms;

use crate::figures::hand_built_office;
use crate::helpers::TestDb;

#[derive(QueryableByName)]
struct Terms {
    #[diesel(sql_type = Numeric)]
    forecast: Decimal,
    #[diesel(sql_type = Numeric)]
    best: Decimal,
}

/// A small deterministic generator (no seed to chase when a case fails: the
/// failing inputs are printed).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % below
    }

    /// An amount in satang: mostly ordinary, sometimes tiny, sometimes national.
    fn amount(&mut self) -> Decimal {
        let cents = match self.next(4) {
            0 => self.next(1_000),
            1 => self.next(100_000_000),
            2 => self.next(1_000_000_000_000),
            _ => self.next(10_000) * 1_000_000,
        };
        Decimal::new(cents as i64, 2)
    }
}

#[test]
fn the_databases_forecast_terms_are_the_domains_to_the_last_digit() {
    let db = TestDb::fresh();
    let mut conn = db.conn();
    let mut rng = Lcg(2566);
    // (A, P(m), P(12), U); the hand-picked ones sit on a rounding midpoint
    // (1 · 0.01 / 200 = 0.00005), on r = 1 exactly, and on zero plans.
    let mut cases: Vec<[Decimal; 4]> = vec![
        [Decimal::new(100, 0), Decimal::new(200, 0), Decimal::new(200, 0) + Decimal::new(1, 2), Decimal::ONE],
        [Decimal::new(1000, 0), Decimal::new(300, 0), Decimal::new(1000, 0), Decimal::new(300, 0)],
        [Decimal::new(1000, 0), Decimal::ZERO, Decimal::new(1000, 0), Decimal::ZERO],
        [Decimal::new(1000, 0), Decimal::ZERO, Decimal::ZERO, Decimal::new(5, 0)],
        [Decimal::new(2, 0), Decimal::new(3, 0), Decimal::new(5, 0), Decimal::ONE],
    ];
    for _ in 0..20_000 {
        let a = rng.amount();
        let p12 = match rng.next(3) {
            0 => a,
            1 => a + rng.amount(),
            _ => a * Decimal::new(rng.next(100) as i64, 2),
        }
        .round_dp(2);
        let p = (p12 * Decimal::new(rng.next(101) as i64, 2)).round_dp(2);
        let u = match rng.next(3) {
            0 => (p * Decimal::new(rng.next(150) as i64, 2)).round_dp(2),
            1 => rng.amount(),
            _ => Decimal::new(rng.next(100_000) as i64, 2),
        };
        cases.push([a, p, p12, u]);
    }
    let column = |i: usize| cases.iter().map(|c| c[i]).collect::<Vec<_>>();
    let stored: Vec<Terms> = diesel::sql_query(
        "SELECT x.u + forecast_paced(x.p, x.u, forecast_to_come(x.a, x.p, x.p12, x.u)) AS forecast,
                x.u + forecast_to_come(x.a, x.p, x.p12, x.u) AS best
         FROM unnest($1::numeric[], $2::numeric[], $3::numeric[], $4::numeric[]) WITH ORDINALITY AS x(a, p, p12, u, i)
         ORDER BY x.i",
    )
    .bind::<Array<Numeric>, _>(column(0))
    .bind::<Array<Numeric>, _>(column(1))
    .bind::<Array<Numeric>, _>(column(2))
    .bind::<Array<Numeric>, _>(column(3))
    .load(&mut conn)
    .unwrap();
    assert_eq!(stored.len(), cases.len());
    let mut paced_below_used_plan = 0;
    for (c, s) in cases.iter().zip(&stored) {
        let (forecast, best) = forecast_terms(c[0], c[1], c[2], c[3]);
        assert_eq!((s.forecast, s.best), (forecast, best), "A, P(m), P(12), U = {c:?}");
        if c[1] > Decimal::ZERO && c[3] < c[1] && best > c[3] {
            paced_below_used_plan += 1;
        }
    }
    // The cases exercise the paced branch (r < 1 with something to come), where
    // the rounding lives, not only the easy ones.
    assert!(paced_below_used_plan > 5_000, "{paced_below_used_plan}");
    let midpoint = forecast_terms(cases[0][0], cases[0][1], cases[0][2], cases[0][3]).0;
    assert_eq!(midpoint, Decimal::ONE + Decimal::new(1, 4), "0.00005 rounds away from zero");
}

/// `month_totals` differs from a fresh sum of `project_months` (an empty list
/// when it does not).
fn stale_totals(conn: &mut PgConnection) -> Vec<String> {
    #[derive(QueryableByName)]
    struct Diff {
        #[diesel(sql_type = diesel::sql_types::Text)]
        row: String,
    }
    diesel::sql_query(
        "WITH fresh AS (
             SELECT m.fiscal_year, m.month, m.bureau_id, p.category, p.economic_class, count(*)::int AS projects,
                    sum(m.allocation) AS allocation, sum(m.allocation_year) AS allocation_year,
                    sum(m.planned_cum) AS planned_cum, sum(m.planned_year) AS planned_year,
                    sum(m.disbursed_cum) AS disbursed_cum, sum(m.committed) AS committed,
                    sum(m.forecast_used) AS forecast_used, sum(m.best_used) AS best_used,
                    min(m.reported_month) AS reported_min, max(m.reported_month) AS reported_max
             FROM project_months m JOIN projects p ON p.id = m.project_id
             GROUP BY 1, 2, 3, 4, 5)
         SELECT coalesce(f::text, '') || ' <> ' || coalesce(t::text, '') AS row
         FROM fresh f FULL JOIN month_totals t USING (fiscal_year, month, bureau_id, category, economic_class)
         WHERE (f.projects, f.allocation, f.allocation_year, f.planned_cum, f.planned_year, f.disbursed_cum,
                f.committed, f.forecast_used, f.best_used, f.reported_min, f.reported_max)
               IS DISTINCT FROM
               (t.projects, t.allocation, t.allocation_year, t.planned_cum, t.planned_year, t.disbursed_cum,
                t.committed, t.forecast_used, t.best_used, t.reported_min, t.reported_max)",
    )
    .load::<Diff>(conn)
    .unwrap()
    .into_iter()
    .map(|d| d.row)
    .collect()
}

#[actix_web::test]
async fn month_totals_are_the_sum_of_the_projects_after_every_kind_of_write() {
    let app = hand_built_office("2023-01-10", &[1, 2, 3]).await;
    let mut conn = app.db.conn();
    let count: i64 =
        diesel::select(diesel::dsl::sql::<diesel::sql_types::BigInt>("(SELECT count(*) FROM month_totals)"))
            .get_result(&mut conn)
            .unwrap();
    assert_eq!(count, 12 * 5, "twelve months of five (bureau, category, class) groups");
    assert_eq!(stale_totals(&mut conn), Vec::<String>::new(), "after the reports and the cut");
    let strategy = app.token_for("strategy");
    let writes = [
        (Method::PUT, "/api/v1/fiscal-years/2566/projects/A3/classification", json!({"economic_class": "capital"})),
        (Method::POST, "/api/v1/fiscal-years/2566/projects/B1/respread", json!({"method": "proportional"})),
        (
            Method::POST,
            "/api/v1/fiscal-years/2566/adjustments",
            json!({"kind": "addition", "project": "A1", "amount": "10000.50", "effective_on": "2023-01-03", "reason": "เพิ่ม"}),
        ),
    ];
    for (method, path, body) in writes {
        let (status, answer) = app.send_json(method, path, Some(&strategy), body).await;
        assert!(status < 300, "{path}: {status} {answer}");
        assert_eq!(stale_totals(&mut conn), Vec::<String>::new(), "after {path}");
    }
    // A3 moved to capital: AAA's subsidy line is now a capital group.
    let capital: i64 = diesel::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(
        "(SELECT count(*) FROM month_totals WHERE category = 'subsidy' AND economic_class = 'capital')",
    ))
    .get_result(&mut conn)
    .unwrap();
    assert_eq!(capital, 12);
    // BBB reports November late: the months it carried forward change.
    let token = app.token_for("reporter-bbb");
    let (status, answer) = app
        .send_json(
            Method::PUT,
            "/api/v1/reports/2566/2/BBB",
            Some(&token),
            json!({"status": "submitted", "lines": [
                {"project_code": "B1", "disbursed": "90000", "committed": "5000"},
                {"project_code": "B2", "disbursed": "0", "committed": "250000"}],
                "obstacles": "ส่งรายงานล่าช้า", "suggestions": "เร่งรัด"}),
        )
        .await;
    assert!(status < 300, "{status} {answer}");
    assert_eq!(stale_totals(&mut conn), Vec::<String>::new(), "after a late report");
    let reported: i16 = diesel::select(diesel::dsl::sql::<diesel::sql_types::SmallInt>(
        "(SELECT t.reported_max FROM month_totals t JOIN bureaus b ON b.id = t.bureau_id
          WHERE b.code = 'BBB' AND t.month = 2 AND t.category = 'personnel')",
    ))
    .get_result(&mut conn)
    .unwrap();
    assert_eq!(reported, 2, "November is BBB's own now, not carried from October");
}
