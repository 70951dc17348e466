//! The summary endpoints on the demo office: exact figures, the contract's shape,
//! who may see what, bad input, and a constant number of queries.

use std::str::FromStr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use awc::http::Method;
use budgetwatch::domain::{FiscalMonth, FiscalYear};
use budgetwatch::monitoring::{queries, summary};
use diesel::connection::{Instrumentation, InstrumentationEvent};
use diesel::{Connection, RunQueryDsl};
use rust_decimal::Decimal;
use serde_json::{json, Value};

use crate::helpers::{spawn_app, TestApp};

async fn demo_app() -> TestApp {
    let app = spawn_app().await;
    app.load_demo();
    app
}

async fn get(app: &TestApp, path: &str, user: &str) -> (u16, Value) {
    let (status, body) = app.get_as(path, &app.token_for(user)).await;
    (status, serde_json::from_str(&body).unwrap_or(Value::String(body)))
}

fn dec(v: &Value) -> Decimal {
    Decimal::from_str(v.as_str().unwrap_or_else(|| panic!("not a decimal string: {v}"))).unwrap()
}

fn sum(rows: &Value, field: &str) -> Decimal {
    rows.as_array().unwrap().iter().map(|r| dec(&r[field])).sum()
}

#[actix_web::test]
async fn fy2566_closes_at_97_00_percent_level_5_with_every_contract_field() {
    let app = demo_app().await;
    let (status, s) = get(&app, "/api/v1/fiscal-years/2566/summary?month=12", "executive").await;
    assert_eq!(status, 200, "{s}");
    assert_eq!(s["fiscal_year"], 2566);
    assert_eq!(s["month"], 12);
    assert_eq!(s["as_of"], "2023-09-30");
    assert_eq!(s["allocation"], "261300000.00");
    assert_eq!(s["disbursed_committed_rate"], "97.00");
    assert_eq!(s["kpi_level"], 5);
    assert_eq!(s["kpi_score"], "5.00");
    assert_eq!(s["quarter_target_rate"], "93.00");
    assert_eq!(s["forecast_year_end_rate"], "97.00", "the forecast at month 12 is the actual");
    assert_eq!(s["plan_rate"], "100.00");
    // September 2023's reports were due Thursday 5 October 2023.
    assert_eq!(
        s["reporting"],
        json!({"expected": 12, "submitted": 12, "on_time": s["reporting"]["on_time"], "late": s["reporting"]["late"],
               "missing": 0, "pending": 0, "due_at": "2023-10-05T23:59:59+07:00"})
    );
    for key in ["planned", "disbursed", "committed", "disbursed_rate", "lag_pp"] {
        let v = s[key].as_str().unwrap();
        assert_eq!(v.split('.').nth(1).map(str::len), Some(2), "{key} = {v}");
    }
    for b in s["bureaus"].as_array().unwrap() {
        for key in [
            "code",
            "name_th",
            "name_en",
            "allocation",
            "disbursed",
            "committed",
            "disbursed_rate",
            "disbursed_committed_rate",
            "plan_rate",
            "lag_pp",
            "report_status",
        ] {
            assert!(!b[key].is_null(), "bureau {} lacks {key}", b["code"]);
        }
    }
    // The office is the sum of its bureaus and of its categories, to the satang.
    for field in ["allocation", "disbursed", "committed", "planned"] {
        assert_eq!(sum(&s["bureaus"], field), dec(&s[field]), "{field} over bureaus");
        assert_eq!(sum(&s["categories"], field), dec(&s[field]), "{field} over categories");
    }
    assert_eq!(s["categories"].as_array().unwrap().len(), 5);
    let prev = &s["previous_year"];
    assert_eq!((prev["fiscal_year"].as_i64(), prev["month"].as_i64()), (Some(2565), Some(12)));
    assert_eq!(prev["disbursed_committed_rate"], "94.03");
    assert_eq!(prev["kpi_level"], 3);
    let (_, first) = get(&app, "/api/v1/fiscal-years/2565/summary", "executive").await;
    assert_eq!(first["month"], 12, "a past year defaults to its last month");
    assert!(first["previous_year"].is_null(), "there is no FY2564");
}

#[actix_web::test]
async fn the_current_year_defaults_to_the_last_ended_month_and_shows_who_lags() {
    let app = demo_app().await;
    let (status, s) = get(&app, "/api/v1/fiscal-years/2570/summary", "sg").await;
    assert_eq!(status, 200, "{s}");
    assert_eq!(s["month"], 1);
    assert_eq!(s["quarter_target_rate"], "32.00");
    assert_eq!(
        (s["reporting"]["expected"].as_i64(), s["reporting"]["submitted"].as_i64(), s["reporting"]["missing"].as_i64()),
        (Some(12), Some(10), Some(2))
    );
    let status_of = |code: &str| s["bureaus"].as_array().unwrap().iter().find(|b| b["code"] == code).unwrap().clone();
    assert_eq!(status_of("COMM")["report_status"], "missing");
    assert_eq!(status_of("AUDIT")["report_status"], "draft");
    let dhr = status_of("DHR");
    assert!(dec(&dhr["lag_pp"]) >= Decimal::from(5), "DHR lags: {dhr}");
    assert_eq!(s["previous_year"]["fiscal_year"], 2569);
}

#[actix_web::test]
async fn a_bureau_summary_lists_its_projects_and_adjustments_count_from_their_date() {
    let app = demo_app().await;
    let (status, s) = get(&app, "/api/v1/fiscal-years/2566/bureaus/PROT/summary?month=5", "reporter-prot").await;
    assert_eq!(status, 200, "{s}");
    assert_eq!(s["bureau"]["code"], "PROT");
    assert_eq!(s["projects"].as_array().unwrap().len(), 4);
    for field in ["allocation", "disbursed", "committed", "planned"] {
        assert_eq!(sum(&s["projects"], field), dec(&s[field]), "{field}");
    }
    let before = dec(&s["allocation"]);
    // 300,000 baht left PROT-03 for DHR-02 on 15 March 2023 (fiscal month 6).
    let (_, after) = get(&app, "/api/v1/fiscal-years/2566/bureaus/PROT/summary?month=6", "reporter-prot").await;
    assert_eq!(before - dec(&after["allocation"]), Decimal::from(300_000));
    let (_, office5) = get(&app, "/api/v1/fiscal-years/2566/summary?month=5", "strategy").await;
    let (_, office6) = get(&app, "/api/v1/fiscal-years/2566/summary?month=6", "strategy").await;
    assert_eq!(office5["allocation"], office6["allocation"], "a transfer moves money, it does not add any");
}

#[actix_web::test]
async fn a_bureau_with_no_allocation_has_null_rates_not_an_error() {
    let app = demo_app().await;
    let admin = app.token_for("admin");
    let (status, _) = app
        .send_json(
            Method::POST,
            "/api/v1/bureaus",
            Some(&admin),
            json!({"code": "NEWU", "name_th": "หน่วยใหม่", "name_en": "New unit"}),
        )
        .await;
    assert_eq!(status, 201);
    let (status, s) = get(&app, "/api/v1/fiscal-years/2566/bureaus/NEWU/summary", "strategy").await;
    assert_eq!(status, 200, "{s}");
    assert_eq!(s["allocation"], "0.00");
    for key in
        ["disbursed_rate", "disbursed_committed_rate", "plan_rate", "lag_pp", "forecast_year_end_rate", "kpi_score"]
    {
        assert!(s[key].is_null(), "{key}: {}", s[key]);
    }
    assert_eq!(s["reporting"]["expected"], 0);
}

#[actix_web::test]
async fn who_may_see_which_summary() {
    let app = demo_app().await;
    for user in ["strategy", "finance", "executive", "sg", "auditor"] {
        assert_eq!(get(&app, "/api/v1/fiscal-years/2566/summary", user).await.0, 200, "{user}");
    }
    assert_eq!(get(&app, "/api/v1/fiscal-years/2566/summary", "reporter-psb").await.0, 403);
    assert_eq!(get(&app, "/api/v1/fiscal-years/2566/summary", "admin").await.0, 403, "admin sees no report content");
    assert_eq!(get(&app, "/api/v1/fiscal-years/2566/bureaus/PSB/summary", "reporter-psb").await.0, 200);
    // Another bureau is "not found", word for word as a bureau that does not exist.
    let (status, other) = get(&app, "/api/v1/fiscal-years/2566/bureaus/DHR/summary", "reporter-psb").await;
    assert_eq!(status, 404);
    let (_, none) = get(&app, "/api/v1/fiscal-years/2566/bureaus/ZZZ/summary", "reporter-psb").await;
    assert_eq!(
        other["error"]["message"].as_str().unwrap().replace("DHR", "ZZZ"),
        none["error"]["message"].as_str().unwrap()
    );
}

#[actix_web::test]
async fn bad_years_bureaus_and_months_get_clear_errors() {
    let app = demo_app().await;
    let cases = [
        ("/api/v1/fiscal-years/2599/summary", 404, None),
        ("/api/v1/fiscal-years/2023/summary", 404, None),
        ("/api/v1/fiscal-years/abc/summary", 404, None),
        ("/api/v1/fiscal-years/2566/bureaus/NOPE/summary", 404, None),
        ("/api/v1/fiscal-years/2566/summary?month=13", 422, Some("month")),
        ("/api/v1/fiscal-years/2566/summary?month=0", 422, Some("month")),
        ("/api/v1/fiscal-years/2566/summary?month=1.5", 422, Some("month")),
        ("/api/v1/fiscal-years/2566/summary?month=%E0%B9%91", 422, Some("month")),
        ("/api/v1/fiscal-years/2570/summary?month=2", 422, Some("month")),
        ("/api/v1/fiscal-years/2571/summary", 404, None),
    ];
    for (path, status, field) in cases {
        let (got, body) = get(&app, path, "strategy").await;
        assert_eq!(got, status, "{path}: {body}");
        assert!(body["error"]["message"].is_string(), "{path}: {body}");
        if let Some(f) = field {
            assert_eq!(body["error"]["details"][0]["field"], f, "{path}");
        }
    }
    let (_, body) = get(&app, "/api/v1/fiscal-years/2570/summary?month=2", "strategy").await;
    assert!(body["error"]["message"].as_str().unwrap().contains("30 พ.ย. 2569"), "{body}");
}

struct Counter(Arc<AtomicUsize>);

impl Instrumentation for Counter {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        if let InstrumentationEvent::StartQuery { .. } = event {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
}

/// Queries one office summary takes on a fresh connection to `url`.
fn queries_for_office(url: &str, fy: FiscalYear) -> (usize, usize) {
    let mut conn = diesel::PgConnection::establish(url).unwrap();
    let count = Arc::new(AtomicUsize::new(0));
    conn.set_instrumentation(Counter(count.clone()));
    let month = FiscalMonth::LAST;
    let settings = queries::year_settings(&mut conn, fy).unwrap().unwrap();
    let s = summary::office(&mut conn, fy, month, &settings, chrono::Utc::now()).unwrap();
    (count.load(Ordering::SeqCst), s.bureaus.len())
}

#[test]
fn the_office_summary_takes_the_same_number_of_queries_for_three_times_the_bureaus() {
    let db = crate::helpers::TestDb::fresh();
    let mut conn = db.conn();
    // Each measured year has a previous year, so both take the same path.
    for (fy, agencies) in [(2500, 10), (2501, 10), (2600, 30), (2601, 30)] {
        budgetwatch::bench::seed(&mut conn, FiscalYear::new(fy).unwrap(), agencies, agencies * 4).unwrap();
    }
    let (small, small_bureaus) = queries_for_office(&db.url, FiscalYear::new(2501).unwrap());
    let (large, large_bureaus) = queries_for_office(&db.url, FiscalYear::new(2601).unwrap());
    assert_eq!((small_bureaus, large_bureaus), (10, 30));
    assert!(small > 0);
    assert_eq!(small, large, "queries must not grow with the number of bureaus");
}

/// Each project as of each month, computed here from the plans, adjustments and
/// submitted report lines themselves (the naive way), for one year and month.
fn raw_project_months(conn: &mut diesel::PgConnection, fy: i32, m: i16) -> Vec<(i32, String)> {
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Int4)]
        id: i32,
        #[diesel(sql_type = diesel::sql_types::Text)]
        figures: String,
    }
    let rows: Vec<Row> = diesel::sql_query(
        "WITH p AS (SELECT id, bureau_id, allocation FROM projects WHERE fiscal_year = $1),
              month_end AS (SELECT (make_date($1 - 544, 10, 1) + make_interval(months => $2::int) - interval '1 day')::date AS d),
              adj AS (SELECT a.project_id, sum(a.amount) FILTER (WHERE a.effective_on <= (SELECT d FROM month_end)) AS to_m,
                             sum(a.amount) FILTER (WHERE a.effective_on <= make_date($1 - 543, 9, 30)) AS to_y
                      FROM allocation_adjustments a JOIN p ON p.id = a.project_id GROUP BY a.project_id),
              pl AS (SELECT project_id, sum(planned) FILTER (WHERE month <= $2) AS p_m, sum(planned) AS p_y
                     FROM monthly_plans WHERE project_id IN (SELECT id FROM p) GROUP BY project_id),
              sub AS (SELECT bureau_id, month, submitted_revision_id AS rev FROM reports
                      WHERE fiscal_year = $1 AND month <= $2 AND submitted_revision_id IS NOT NULL),
              latest AS (SELECT DISTINCT ON (bureau_id) bureau_id, month, rev FROM sub ORDER BY bureau_id, month DESC),
              d AS (SELECT l.project_id, sum(l.disbursed) AS d FROM sub JOIN report_lines l ON l.revision_id = sub.rev
                    GROUP BY l.project_id)
         SELECT p.id, concat_ws(' ', (p.allocation + coalesce(adj.to_m, 0))::numeric(18,2),
                                (p.allocation + coalesce(adj.to_y, 0))::numeric(18,2),
                                coalesce(pl.p_m, 0)::numeric(18,2), coalesce(pl.p_y, 0)::numeric(18,2),
                                coalesce(d.d, 0)::numeric(18,2), coalesce(l.committed, 0)::numeric(18,2),
                                coalesce(latest.month, 0)) AS figures
         FROM p LEFT JOIN adj ON adj.project_id = p.id LEFT JOIN pl ON pl.project_id = p.id
         LEFT JOIN d ON d.project_id = p.id LEFT JOIN latest ON latest.bureau_id = p.bureau_id
         LEFT JOIN report_lines l ON l.revision_id = latest.rev AND l.project_id = p.id
         ORDER BY p.id",
    )
    .bind::<diesel::sql_types::Int4, _>(fy)
    .bind::<diesel::sql_types::Int2, _>(m)
    .load(conn)
    .unwrap();
    rows.into_iter().map(|r| (r.id, r.figures)).collect()
}

fn kept_project_months(conn: &mut diesel::PgConnection, fy: i32, m: i16) -> Vec<(i32, String)> {
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Int4)]
        id: i32,
        #[diesel(sql_type = diesel::sql_types::Text)]
        figures: String,
    }
    let rows: Vec<Row> = diesel::sql_query(
        "SELECT project_id AS id, concat_ws(' ', allocation, allocation_year, planned_cum::numeric(18,2),
                planned_year::numeric(18,2), disbursed_cum::numeric(18,2), committed::numeric(18,2), reported_month)
                AS figures
         FROM project_months WHERE fiscal_year = $1 AND month = $2 ORDER BY project_id",
    )
    .bind::<diesel::sql_types::Int4, _>(fy)
    .bind::<diesel::sql_types::Int2, _>(m)
    .load(conn)
    .unwrap();
    rows.into_iter().map(|r| (r.id, r.figures)).collect()
}

fn assert_kept_figures_agree(conn: &mut diesel::PgConnection, fy: i32) {
    for m in 1..=12 {
        assert_eq!(kept_project_months(conn, fy, m), raw_project_months(conn, fy, m), "FY{fy} month {m}");
    }
}

#[actix_web::test]
async fn project_months_agree_with_the_plans_adjustments_and_reports_they_are_made_of() {
    let app = demo_app().await;
    let mut conn = app.db.conn();
    for fy in [2566, 2570] {
        assert_kept_figures_agree(&mut conn, fy);
    }
    // After each kind of write, the kept figures follow.
    let strategy = app.token_for("strategy");
    let (status, body) = app
        .send_json(
            Method::POST,
            "/api/v1/fiscal-years/2570/adjustments",
            Some(&strategy),
            json!({"kind": "addition", "project": "COMM-02", "amount": "12345.67", "effective_on": "2026-10-15",
                   "reason": "งบกลาง"}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    assert_kept_figures_agree(&mut conn, 2570);
    let comm = app.token_for("reporter-comm");
    let (status, body) = app
        .send_json(
            Method::PUT,
            "/api/v1/reports/2570/1/COMM",
            Some(&comm),
            json!({"status": "submitted", "lines": [{"project_code": "COMM-01", "disbursed": "1000.00", "committed": "250.50"}],
                   "obstacles": "จัดซื้อล่าช้า", "suggestions": "เร่งรัด"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_kept_figures_agree(&mut conn, 2570);
    // A draft after the submission changes nothing the measures read.
    let req = app
        .client
        .put(app.url("/api/v1/reports/2570/1/COMM"))
        .insert_header(("Authorization", format!("Bearer {comm}")))
        .insert_header(("If-Match", "*"));
    let res = req.send_json(&json!({"status": "draft", "lines": []})).await.unwrap();
    assert_eq!(res.status(), 200);
    assert_kept_figures_agree(&mut conn, 2570);
}
