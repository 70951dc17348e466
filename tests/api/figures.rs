//! Figures the committee can trust, against a small office built by hand whose
//! every measure is worked out below as literal numbers (no golden figures read
//! back from the service).
//!
//! FY2566 (1 Oct 2022 - 30 Sep 2023), KPI levels 89/91/93/95/97, cabinet Q1
//! targets 32 overall / 35 current / 19 capital, reports due on the 5th.
//!
//! | project | bureau | category   | class   | allocation | plan a month |
//! |---------|--------|------------|---------|-----------:|--------------|
//! | A1      | AAA    | operating  | current |  1,200,000 | 100,000      |
//! | A2      | AAA    | investment | capital |    600,000 |  50,000      |
//! | A3      | AAA    | subsidy    | current |    240,000 |  20,000      |
//! | B1      | BBB    | personnel  | current |  1,200,000 | 100,000      |
//! | B2      | BBB    | operating  | current |    500,000 | Oct 500,000  |
//!
//! B1 is cut by 120,000 from 15 Nov 2022 (fiscal month 2). Reports (disbursed
//! in the month / committed at its end):
//!
//! | month | A1             | A2           | A3       | B1        | B2                |
//! |-------|----------------|--------------|----------|-----------|-------------------|
//! | Oct   | 80,000/10,000  | 0/300,000    | 20,000/0 | 100,000/0 | 200,000/250,000   |
//! | Nov   | 90,000/5,000   | 0/300,000    | 20,000/0 | (BBB does not report: carried forward) |
//! | Dec   | 110,000/0      | 300,000/0    | 20,000/0 | 180,000/0 | 250,000/0         |

use awc::http::Method;
use serde_json::{json, Value};

use crate::helpers::{settings_with, spawn_app_with, TestApp, TestDb};

/// An app whose "today" is `today`, with the hand-built office and its users
/// (`strategy`, `sg`, `reporter-aaa`, `reporter-bbb`; password `a-good-password`).
pub async fn hand_built_office(today: &str, months: &[u8]) -> TestApp {
    let db = TestDb::fresh();
    let settings = settings_with(&db, &[("BUDGETWATCH_TODAY", today)]);
    let app = spawn_app_with(db, settings).await;
    {
        let mut conn = app.db.conn();
        let actor = budgetwatch::audit::Actor { user_id: None, request_id: Some("test") };
        use diesel::connection::SimpleConnection;
        conn.batch_execute(
            "INSERT INTO bureaus (code, name_th, name_en) VALUES ('AAA', 'สำนักเอ', 'Bureau A'), ('BBB', 'สำนักบี', 'Bureau B')",
        )
        .unwrap();
        for (user, roles, bureaus) in [
            ("strategy", vec!["strategy"], vec![]),
            ("sg", vec!["secretary_general"], vec![]),
            ("reporter-aaa", vec!["reporter"], vec!["AAA"]),
            ("reporter-bbb", vec!["reporter"], vec!["BBB"]),
        ] {
            let input = budgetwatch::users::NewUser {
                username: user.into(),
                display_name: user.into(),
                email: None,
                password: "a-good-password".into(),
                roles: roles.into_iter().map(String::from).collect(),
                bureaus: bureaus.into_iter().map(String::from).collect(),
            };
            budgetwatch::users::create(&mut conn, &input, actor).unwrap();
        }
    }
    let strategy = app.token_for("strategy");
    let call = |method: Method, path: &str, body: Value| {
        let (app, strategy) = (&app, strategy.clone());
        let path = path.to_string();
        async move {
            let (status, answer) = app.send_json(method, &path, Some(&strategy), body).await;
            assert!(status < 300, "{path}: {status} {answer}");
        }
    };
    call(Method::POST, "/api/v1/fiscal-years", json!({"fiscal_year": 2566})).await;
    call(Method::PUT, "/api/v1/fiscal-years/2566/kpi-levels", json!({"levels": ["89", "91", "93", "95", "97"]})).await;
    let targets: Vec<Value> =
        [(1, "32", "35", "19"), (2, "54", "57", "38"), (3, "77", "80", "60"), (4, "93", "98", "75")]
            .iter()
            .flat_map(|(q, o, c, k)| {
                [("overall", o), ("current", c), ("capital", k)]
                    .map(|(scope, t)| json!({"quarter": q, "scope": scope, "target_pct": t}))
            })
            .collect();
    call(Method::PUT, "/api/v1/fiscal-years/2566/cabinet-targets", json!({"targets": targets})).await;
    call(
        Method::PUT,
        "/api/v1/fiscal-years/2566/holidays",
        json!({"holidays": [{"day": "2022-12-05", "name_th": "วันพ่อแห่งชาติ"}, {"day": "2023-01-02", "name_th": "ชดเชยวันสิ้นปี"}]}),
    )
    .await;
    let every = |v: &'static str| vec![v; 12];
    let mut october = vec!["0"; 12];
    october[0] = "500000";
    for (bureau, code, category, allocation, plans) in [
        ("AAA", "A1", "operating", "1200000", every("100000")),
        ("AAA", "A2", "investment", "600000", every("50000")),
        ("AAA", "A3", "subsidy", "240000", every("20000")),
        ("BBB", "B1", "personnel", "1200000", every("100000")),
        ("BBB", "B2", "operating", "500000", october.clone()),
    ] {
        call(
            Method::POST,
            "/api/v1/fiscal-years/2566/projects",
            json!({"bureau_code": bureau, "code": code, "name_th": format!("โครงการ {code}"), "category": category,
                   "allocation": allocation, "plans": plans}),
        )
        .await;
    }
    call(
        Method::POST,
        "/api/v1/fiscal-years/2566/adjustments",
        json!({"kind": "cut", "project": "B1", "amount": "120000", "effective_on": "2022-11-15", "reason": "ปรับลด"}),
    )
    .await;
    let reports = [
        (1, "AAA", vec![("A1", "80000", "10000"), ("A2", "0", "300000"), ("A3", "20000", "0")]),
        (1, "BBB", vec![("B1", "100000", "0"), ("B2", "200000", "250000")]),
        (2, "AAA", vec![("A1", "90000", "5000"), ("A2", "0", "300000"), ("A3", "20000", "0")]),
        (3, "AAA", vec![("A1", "110000", "0"), ("A2", "300000", "0"), ("A3", "20000", "0")]),
        (3, "BBB", vec![("B1", "180000", "0"), ("B2", "250000", "0")]),
    ];
    for (month, bureau, lines) in reports {
        if !months.contains(&month) {
            continue;
        }
        let token = app.token_for(&format!("reporter-{}", bureau.to_lowercase()));
        let lines: Vec<Value> =
            lines.iter().map(|(p, d, c)| json!({"project_code": p, "disbursed": d, "committed": c})).collect();
        let (status, answer) = app
            .send_json(
                Method::PUT,
                &format!("/api/v1/reports/2566/{month}/{bureau}"),
                Some(&token),
                json!({"status": "submitted", "lines": lines, "obstacles": "ติดขั้นตอนจัดซื้อ", "suggestions": "เร่งรัด"}),
            )
            .await;
        assert_eq!(status, 200, "{month} {bureau}: {answer}");
    }
    app
}

async fn summary(app: &TestApp, path: &str) -> Value {
    let (status, body) = app.get_as(path, &app.token_for("sg")).await;
    assert_eq!(status, 200, "{path}: {body}");
    serde_json::from_str(&body).unwrap()
}

fn line<'a>(s: &'a Value, list: &str, code: &str) -> &'a Value {
    s[list].as_array().unwrap().iter().find(|b| b["code"] == code).unwrap_or_else(|| panic!("no {code} in {s}"))
}

/// Picks the measures a test states, as strings, so a row is one line.
fn pick(v: &Value, keys: &[&str]) -> Vec<String> {
    keys.iter().map(|k| v[*k].as_str().map(String::from).unwrap_or_else(|| v[*k].to_string())).collect()
}

const HEADLINE: [&str; 13] = [
    "allocation",
    "planned",
    "disbursed",
    "committed",
    "disbursed_rate",
    "disbursed_committed_rate",
    "plan_rate",
    "lag_pp",
    "forecast_year_end_rate",
    "forecast_best_rate",
    "kpi_level",
    "kpi_score",
    "kpi_level_forecast",
];

#[actix_web::test]
async fn every_measure_of_the_hand_built_office_at_months_1_2_and_3() {
    let app = hand_built_office("2023-01-10", &[1, 2, 3]).await;

    // Month 1. A = 3,740,000 (B1's cut is not yet in force), P = 770,000,
    // D = 400,000, C = 560,000. Forecast per project: A1 90,000 + 0.9 × 1,100,000
    // = 1,080,000; A2 600,000; A3 240,000; B1 1,200,000; B2 450,000 (nothing still
    // planned): 3,570,000 / 3,740,000 = 95.45%, level 4, score 4 + 0.4545/2 = 4.23.
    // Best case 3,680,000 = 98.40%.
    let s = summary(&app, "/api/v1/fiscal-years/2566/summary?month=1").await;
    assert_eq!(
        pick(&s, &HEADLINE),
        [
            "3740000.00",
            "770000.00",
            "400000.00",
            "560000.00",
            "10.70",
            "25.67",
            "20.59",
            "-5.08",
            "95.45",
            "98.40",
            "0",
            "0.00",
            "4"
        ]
    );
    assert_eq!(s["kpi_score_forecast"], "4.23");
    // Current spending: A 3,140,000, D 400,000 = 12.74% against 35; capital (A2): 0 against 19.
    assert_eq!(
        s["quarter_targets"],
        json!({"overall": {"target_rate": "32.00", "disbursed_rate": "10.70"},
               "current": {"target_rate": "35.00", "disbursed_rate": "12.74"},
               "capital": {"target_rate": "19.00", "disbursed_rate": "0.00"}})
    );
    assert_eq!(
        pick(line(&s, "bureaus", "AAA"), &["disbursed_rate", "disbursed_committed_rate", "plan_rate", "lag_pp"]),
        ["4.90", "20.10", "8.33", "-11.76"]
    );
    assert_eq!(
        pick(line(&s, "bureaus", "BBB"), &["disbursed_rate", "disbursed_committed_rate", "plan_rate", "lag_pp"]),
        ["17.65", "32.35", "35.29", "2.94"]
    );

    // Month 2. B1's cut is in force: A = 3,620,000; P = 1,040,000. BBB has not
    // reported: its D stays 300,000 and its commitments (B2's 250,000) are carried
    // forward, not read as zero: D = 510,000, C = 555,000. Forecast: A1 175,000 +
    // 0.875 × 1,000,000; B1 100,000 + 0.5 × 980,000 = 590,000 (its plan above the
    // cut allocation is not counted): 2,930,000 / 3,620,000 = 80.94%, level 0.
    let s = summary(&app, "/api/v1/fiscal-years/2566/summary?month=2").await;
    assert_eq!(
        pick(&s, &HEADLINE),
        [
            "3620000.00",
            "1040000.00",
            "510000.00",
            "555000.00",
            "14.09",
            "29.42",
            "28.73",
            "-0.69",
            "80.94",
            "97.93",
            "0",
            "0.00",
            "0"
        ]
    );
    let bbb = line(&s, "bureaus", "BBB");
    assert_eq!((bbb["reported_through"].as_i64(), bbb["carried_forward"].as_bool()), (Some(1), Some(true)));
    assert_eq!(bbb["committed"], "250000.00", "carried forward, not zero");
    assert_eq!(
        pick(bbb, &["disbursed_rate", "disbursed_committed_rate", "plan_rate", "lag_pp"]),
        ["18.99", "34.81", "44.30", "9.49"]
    );
    assert_eq!(bbb["report_status"], "missing", "December 7th is past November's due date (the 6th)");
    let aaa = line(&s, "bureaus", "AAA");
    assert_eq!((aaa["reported_through"].as_i64(), aaa["carried_forward"].as_bool()), (Some(2), Some(false)));
    assert_eq!(s["quarter_targets"]["current"]["disbursed_rate"], "16.89");
    // The bureaus chart says so on BBB's bar, not only in its data table.
    let (status, svg) = app.get_as("/api/v1/fiscal-years/2566/charts/bureaus.svg?month=2", &app.token_for("sg")).await;
    assert_eq!(status, 200);
    let note = "ยังไม่ส่งรายงาน พ.ย. 2565 — ใช้ข้อมูล ต.ค. 2565";
    assert_eq!(svg.matches(&format!(">\n{note}\n</text>")).count(), 1, "drawn once as a label: {svg}");

    // Month 3. D = 1,370,000, C = 0, P = 1,310,000. Forecast: A1 280,000 + (14/15)
    // × 900,000 = 1,120,000; B1 280,000 + (14/15) × 800,000 = 1,026,666.6667; the
    // rest at their allocation or what they used: 3,436,666.6667 / 3,620,000 =
    // 94.94%, level 3, score 3 + 1.9355/2 = 3.97. Best case 3,550,000 = 98.07%.
    let s = summary(&app, "/api/v1/fiscal-years/2566/summary?month=3").await;
    assert_eq!(
        pick(&s, &HEADLINE),
        [
            "3620000.00",
            "1310000.00",
            "1370000.00",
            "0.00",
            "37.85",
            "37.85",
            "36.19",
            "-1.66",
            "94.94",
            "98.07",
            "0",
            "0.00",
            "3"
        ]
    );
    assert_eq!(s["kpi_score_forecast"], "3.97");
    assert_eq!(
        s["quarter_targets"],
        json!({"overall": {"target_rate": "32.00", "disbursed_rate": "37.85"},
               "current": {"target_rate": "35.00", "disbursed_rate": "35.43"},
               "capital": {"target_rate": "19.00", "disbursed_rate": "50.00"}})
    );
    // A bureau's forecast is its projects' alone: AAA 1,120,000 + 600,000 +
    // 240,000 = 1,960,000 of 2,040,000 = 96.08%.
    let aaa = summary(&app, "/api/v1/fiscal-years/2566/bureaus/AAA/summary?month=3").await;
    assert_eq!(aaa["forecast_year_end_rate"], "96.08");
    assert_eq!(line(&aaa, "projects", "A2")["economic_class"], "capital");

    // A capital subsidy: A3 moved to capital. Current: A 2,780,000, D 1,010,000 =
    // 36.33%; capital: A 840,000, D 360,000 = 42.86%.
    let (status, body) = app
        .send_json(
            Method::PUT,
            "/api/v1/fiscal-years/2566/projects/A3/classification",
            Some(&app.token_for("strategy")),
            json!({"economic_class": "capital"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let s = summary(&app, "/api/v1/fiscal-years/2566/summary?month=3").await;
    assert_eq!(s["quarter_targets"]["current"]["disbursed_rate"], "36.33");
    assert_eq!(s["quarter_targets"]["capital"]["disbursed_rate"], "42.86");
}

#[actix_web::test]
async fn a_month_is_in_progress_until_its_reports_are_due_then_missing_is_missing() {
    // 5 December 2022 (a Monday) was a holiday: November's reports were due on the 6th.
    let app = hand_built_office("2022-12-06", &[1, 2]).await;
    let s = summary(&app, "/api/v1/fiscal-years/2566/summary?month=2").await;
    assert_eq!(
        s["reporting"],
        json!({"expected": 2, "submitted": 1, "on_time": 1, "late": 0, "missing": 0, "pending": 1,
               "due_at": "2022-12-06T23:59:59+07:00"})
    );
    assert_eq!(line(&s, "bureaus", "BBB")["report_status"], "pending");
    // October's were due Monday 7 November (the 5th was a Saturday): submitted on
    // 6 December, late.
    let s = summary(&app, "/api/v1/fiscal-years/2566/summary?month=1").await;
    assert_eq!(
        (s["reporting"]["late"].as_i64(), s["reporting"]["due_at"].as_str()),
        (Some(2), Some("2022-11-07T23:59:59+07:00"))
    );
    let (_, dashboard) = app.get_as("/dashboard/2566?month=2", &app.token_for("sg")).await;
    assert!(dashboard.contains("กำหนดส่ง 6 ธ.ค. 2565: ส่งแล้ว 1 จาก 2"), "{dashboard}");
    let (_, form) = app.get_as("/api/v1/reports/2566/2/BBB", &app.token_for("reporter-bbb")).await;
    assert!(form.contains("\"due_at\":\"2022-12-06T16:59:59Z\""), "{form}");

    // The alert rules judge October (November is not yet due): BBB is not
    // missing November, and nothing is judged of November.
    let mut conn = app.db.conn();
    let delivery = crate::helpers::settings_for(&app.db).delivery;
    let now = chrono::DateTime::parse_from_rfc3339("2022-12-06T12:00:00+07:00").unwrap().with_timezone(&chrono::Utc);
    let e = budgetwatch::alerts::evaluate(&mut conn, now, true, &delivery).unwrap();
    assert_eq!((e.fiscal_year, e.month), (Some(2566), Some(1)));
    let (_, list) = app.get_as("/api/v1/alerts?fy=2566", &app.token_for("sg")).await;
    assert!(!list.contains("\"month\":2"), "{list}");
    // A day later November is judged: BBB is missing its report, and is not
    // judged behind plan on figures it has not given.
    let later = chrono::DateTime::parse_from_rfc3339("2022-12-07T00:00:01+07:00").unwrap().with_timezone(&chrono::Utc);
    let e = budgetwatch::alerts::evaluate(&mut conn, later, true, &delivery).unwrap();
    assert_eq!(e.month, Some(2));
    let (_, list) = app.get_as("/api/v1/alerts?fy=2566&status=open", &app.token_for("sg")).await;
    let list: Value = serde_json::from_str(&list).unwrap();
    let of_bbb: Vec<(&str, i64)> = list
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["bureau_code"] == "BBB")
        .map(|a| (a["kind"].as_str().unwrap(), a["month"].as_i64().unwrap()))
        .collect();
    assert_eq!(of_bbb, [("missing_report", 2)]);
}

#[actix_web::test]
async fn the_forecast_at_month_6_by_hand_at_month_12_the_actual_and_never_past_100() {
    let app = hand_built_office("2026-11-24", &[1, 2, 3]).await;
    // Month 6 (March), nothing reported after December: U = D(3) + C(3) per project
    // (A1 280,000, A2 300,000, A3 60,000, B1 280,000, B2 450,000), P(6) = 2,120,000,
    // A(6) = 3,620,000. N = min(max(min(P(12), A) - U, 0), P(12) - P(6)):
    // A1 600,000 at r = 280/600 → 280,000; A2 300,000 at r = 1; A3 120,000 at
    // r = 1/2 → 60,000; B1 (A = 1,080,000) 600,000 at r = 280/600 → 280,000; B2 0.
    // Forecast 560,000 + 600,000 + 120,000 + 560,000 + 450,000 = 2,290,000 = 63.26%;
    // best 880,000 + 600,000 + 180,000 + 880,000 + 450,000 = 2,990,000 = 82.60%.
    let s = summary(&app, "/api/v1/fiscal-years/2566/summary?month=6").await;
    assert_eq!(
        pick(
            &s,
            &[
                "disbursed_committed_rate",
                "plan_rate",
                "lag_pp",
                "forecast_year_end_rate",
                "forecast_best_rate",
                "kpi_level_forecast"
            ]
        ),
        ["37.85", "58.56", "20.72", "63.26", "82.60", "0"]
    );
    // No report after December: D and C of December carry to September.
    let s = summary(&app, "/api/v1/fiscal-years/2566/summary?month=12").await;
    assert_eq!(s["forecast_year_end_rate"], s["disbursed_committed_rate"]);
    assert_eq!(s["forecast_best_rate"], s["disbursed_committed_rate"]);
    // Every month: the forecast lies between the actual and 100.
    for m in 1..=12 {
        let s = summary(&app, &format!("/api/v1/fiscal-years/2566/summary?month={m}")).await;
        let f = |k: &str| s[k].as_str().unwrap().parse::<f64>().unwrap();
        assert!(
            f("disbursed_committed_rate") <= f("forecast_year_end_rate")
                && f("forecast_year_end_rate") <= f("forecast_best_rate")
                && f("forecast_best_rate") <= 100.0,
            "month {m}: {s}"
        );
    }
}
