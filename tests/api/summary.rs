//! The summary endpoints on the demo office: exact figures, the contract's shape,
//! who may see what, bad input, and a constant number of queries.

use std::str::FromStr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use awc::http::Method;
use budgetwatch::domain::{FiscalMonth, FiscalYear};
use budgetwatch::monitoring::{queries, summary};
use diesel::connection::{Instrumentation, InstrumentationEvent};
use diesel::Connection;
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
    assert_eq!(
        s["reporting"],
        json!({"expected": 12, "submitted": 12, "on_time": s["reporting"]["on_time"], "late": s["reporting"]["late"], "missing": 0})
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
    let s = summary::office(&mut conn, fy, month, &settings).unwrap();
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

#[test]
fn the_rollups_agree_with_the_report_lines_they_summarise() {
    // The office figures come from trigger-kept rollups, a bureau's from the raw
    // lines: summing every bureau's raw figures must give the office's.
    let db = crate::helpers::TestDb::fresh();
    let mut conn = db.conn();
    budgetwatch::demo::load(&mut conn, chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap(), "demo-password")
        .unwrap();
    for (fy, m) in [(2566, 12), (2566, 7), (2570, 1)] {
        let fy = FiscalYear::new(fy).unwrap();
        let m = FiscalMonth::new(m).unwrap();
        let settings = queries::year_settings(&mut conn, fy).unwrap().unwrap();
        let office = summary::office(&mut conn, fy, m, &settings).unwrap();
        let mut total = budgetwatch::domain::measures::Figures::default();
        for b in &office.bureaus {
            let row = queries::bureau_by_code(&mut conn, &b.code).unwrap().unwrap();
            let figures: budgetwatch::domain::measures::Figures =
                queries::bureau_figures(&mut conn, fy, m, row.id).unwrap().iter().map(|r| r.figures()).sum();
            total = total + figures;
        }
        assert_eq!(total.disbursed, office.headline.disbursed, "{fy} {m}");
        assert_eq!(total.committed, office.headline.committed, "{fy} {m}");
        assert_eq!(total.planned, office.headline.planned, "{fy} {m}");
        assert_eq!(total.allocation, office.headline.allocation, "{fy} {m}");
    }
}
