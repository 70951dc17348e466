//! The Policy and Strategy Bureau manages the year: fiscal years, settings, KPI
//! levels, cabinet targets, projects with monthly plans, allocation adjustments.

use awc::http::Method;
use diesel::prelude::*;
use serde_json::{json, Value};

use crate::helpers::{spawn_app, TestApp};

async fn demo_app() -> (TestApp, String) {
    let app = spawn_app().await;
    app.load_demo();
    let token = app.token_for("strategy");
    (app, token)
}

fn fields(body: &Value) -> Vec<String> {
    body["error"]["details"].as_array().unwrap().iter().map(|d| d["field"].as_str().unwrap().to_string()).collect()
}

fn count(app: &TestApp, table: &str) -> i64 {
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    diesel::sql_query(format!("SELECT count(*) AS n FROM {table}")).get_result::<N>(&mut app.db.conn()).unwrap().n
}

#[actix_web::test]
async fn a_new_year_copies_the_last_years_settings_levels_and_targets() {
    let (app, token) = demo_app().await;
    let (status, body) =
        app.send_json(Method::POST, "/api/v1/fiscal-years", Some(&token), json!({"fiscal_year": 2571})).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["starts_on"], "2027-10-01");
    assert_eq!(body["due_day"], 5);
    assert_eq!(body["kpi_levels"], json!(["89.00", "91.00", "93.00", "95.00", "97.00"]));
    assert_eq!(body["cabinet_targets"].as_array().unwrap().len(), 12);
    assert_eq!(
        app.send_json(Method::POST, "/api/v1/fiscal-years", Some(&token), json!({"fiscal_year": 2571})).await.0,
        409
    );
    let (status, body) =
        app.send_json(Method::POST, "/api/v1/fiscal-years", Some(&token), json!({"fiscal_year": 2026})).await;
    assert_eq!((status, fields(&body)), (422, vec!["fiscal_year".to_string()]));
    let (status, body) = app
        .send_json(Method::POST, "/api/v1/fiscal-years", Some(&token), json!({"fiscal_year": 2572, "copy_from": 2400}))
        .await;
    assert_eq!((status, fields(&body)), (422, vec!["copy_from".to_string()]));
    let (_, list) = app.get_as("/api/v1/fiscal-years", &app.token_for("reporter-psb")).await;
    let list: Value = serde_json::from_str(&list).unwrap();
    assert_eq!(list[0]["fiscal_year"], 2571);
}

#[actix_web::test]
async fn settings_levels_and_targets_are_checked_field_by_field() {
    let (app, token) = demo_app().await;
    let (status, body) = app
        .send_json(
            Method::PUT,
            "/api/v1/fiscal-years/2570/settings",
            Some(&token),
            json!({"due_day": 31, "warn_lag_pp": "10", "critical_lag_pp": "8"}),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(fields(&body), ["due_day", "critical_lag_pp"]);
    let (status, body) = app
        .send_json(
            Method::PUT,
            "/api/v1/fiscal-years/2570/settings",
            Some(&token),
            json!({"due_day": 7, "warn_lag_pp": "4", "critical_lag_pp": "12.5"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!((body["due_day"].as_i64(), body["critical_lag_pp"].as_str()), (Some(7), Some("12.50")));

    let (status, body) = app
        .send_json(
            Method::PUT,
            "/api/v1/fiscal-years/2566/kpi-levels",
            Some(&token),
            json!({"levels": ["89", "91", "90", "95", "101"]}),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(fields(&body), ["levels[4]", "levels[2]"]);
    let (status, _) = app
        .send_json(
            Method::PUT,
            "/api/v1/fiscal-years/2566/kpi-levels",
            Some(&token),
            json!({"levels": ["90", "92", "94", "96", "98"]}),
        )
        .await;
    assert_eq!(status, 200);
    let (_, s) = app.get_as("/api/v1/fiscal-years/2566/summary?month=12", &token).await;
    let s: Value = serde_json::from_str(&s).unwrap();
    assert_eq!(
        (s["kpi_level"].as_i64(), s["kpi_score"].as_str()),
        (Some(4), Some("4.50")),
        "97.00 is level 4 under the new levels"
    );

    let (status, body) = app
        .send_json(
            Method::PUT,
            "/api/v1/fiscal-years/2570/cabinet-targets",
            Some(&token),
            json!({"targets": [{"quarter": 5, "scope": "overall", "target_pct": "30"}, {"quarter": 1, "scope": "capitol", "target_pct": "1e2"},
                               {"quarter": 2, "scope": "overall", "target_pct": "60"}, {"quarter": 2, "scope": "overall", "target_pct": "61"}]}),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(fields(&body), ["targets[0].quarter", "targets[1].scope", "targets[1].target_pct", "targets[3]"]);
    let (status, body) = app
        .send_json(
            Method::PUT,
            "/api/v1/fiscal-years/2570/cabinet-targets",
            Some(&token),
            json!({"targets": [{"quarter": 1, "scope": "overall", "target_pct": "35"}]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["cabinet_targets"], json!([{"quarter": 1, "scope": "overall", "target_pct": "35.00"}]));
}

#[actix_web::test]
async fn a_project_is_refused_whole_with_every_problem_named_then_created() {
    let (app, token) = demo_app().await;
    let before = count(&app, "projects");
    let plans12 = |v: &str| json!(std::iter::repeat_n(v, 12).collect::<Vec<_>>());
    let (status, body) = app
        .send_json(
            Method::POST,
            "/api/v1/fiscal-years/2570/projects",
            Some(&token),
            json!({"bureau_code": "NOPE", "code": "bad code", "name_th": " ", "category": "capital", "allocation": "1e5", "plans": ["1"]}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(fields(&body), ["code", "name_th", "category", "allocation", "plans", "bureau_code"]);
    let (status, body) = app
        .send_json(
            Method::POST,
            "/api/v1/fiscal-years/2570/projects",
            Some(&token),
            json!({"bureau_code": "PSB", "code": "PSB-05", "name_th": "สำรวจความคิดเห็นประชาชน", "category": "operating", "allocation": "120000.00", "plans": plans12("9999.99")}),
        )
        .await;
    assert_eq!(status, 422);
    assert!(body["error"]["details"][0]["message"].as_str().unwrap().contains("119999.88"), "{body}");
    assert_eq!(count(&app, "projects"), before, "nothing stored");

    let (status, body) = app
        .send_json(
            Method::POST,
            "/api/v1/fiscal-years/2570/projects",
            Some(&token),
            json!({"bureau_code": "PSB", "code": "PSB-05", "name_th": "สำรวจความคิดเห็นประชาชน", "category": "operating", "allocation": "120000", "plans": plans12("10000")}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let (_, s) = app.get_as("/api/v1/fiscal-years/2570/bureaus/PSB/summary", &token).await;
    let s: Value = serde_json::from_str(&s).unwrap();
    let p = s["projects"].as_array().unwrap().iter().find(|p| p["code"] == "PSB-05").unwrap();
    assert_eq!((p["allocation"].as_str(), p["planned"].as_str()), (Some("120000.00"), Some("10000.00")));
    let again = app
        .send_json(
            Method::POST,
            "/api/v1/fiscal-years/2570/projects",
            Some(&token),
            json!({"bureau_code": "PSB", "code": "PSB-05", "name_th": "ซ้ำ", "category": "operating", "allocation": "0", "plans": plans12("0")}),
        )
        .await;
    assert_eq!(again.0, 409);
}

async fn summary(app: &TestApp, token: &str) -> Value {
    let (_, s) = app.get_as("/api/v1/fiscal-years/2570/bureaus/PSB/summary?month=1", token).await;
    serde_json::from_str::<Value>(&s).unwrap()
}

#[actix_web::test]
async fn transfers_cuts_and_additions_are_appended_and_counted_from_their_date() {
    let (app, token) = demo_app().await;
    let before = summary(&app, &token).await;
    let (status, rows) = app
        .send_json(
            Method::POST,
            "/api/v1/fiscal-years/2570/adjustments",
            Some(&token),
            json!({"kind": "transfer", "from_project": "PSB-01", "project": "PSB-02", "amount": "100000", "effective_on": "2026-10-15", "reason": "เร่งจัดทำแผนปฏิบัติการ"}),
        )
        .await;
    assert_eq!(status, 201, "{rows}");
    assert_eq!(rows.as_array().unwrap().len(), 2);
    assert_eq!(rows[0]["kind"], "transfer_out");
    assert_eq!(rows[0]["amount"], "-100000.00");
    assert_eq!(rows[0]["transfer_id"], rows[1]["transfer_id"]);
    let after = summary(&app, &token).await;
    let project = |s: &Value, code: &str| {
        s["projects"].as_array().unwrap().iter().find(|p| p["code"] == code).unwrap()["allocation"].clone()
    };
    assert_eq!(before["allocation"], after["allocation"], "a transfer inside the bureau changes nothing in total");
    assert_ne!(project(&before, "PSB-01"), project(&after, "PSB-01"));

    // A cut effective after month 1 does not count in month 1.
    let (status, _) = app
        .send_json(
            Method::POST,
            "/api/v1/fiscal-years/2570/adjustments",
            Some(&token),
            json!({"kind": "cut", "project": "PSB-03", "amount": "50000.50", "effective_on": "2026-11-20", "reason": "ปรับลดตามมติ ครม."}),
        )
        .await;
    assert_eq!(status, 201);
    assert_eq!(summary(&app, &token).await["allocation"], after["allocation"]);

    let cases = [
        (
            json!({"kind": "transfer", "from_project": "PSB-01", "project": "PSB-01", "amount": "1", "effective_on": "2026-10-15", "reason": "x"}),
            "from_project",
        ),
        (
            json!({"kind": "cut", "project": "PSB-03", "amount": "0", "effective_on": "2026-10-15", "reason": "x"}),
            "amount",
        ),
        (
            json!({"kind": "cut", "project": "PSB-03", "amount": "-5", "effective_on": "2026-10-15", "reason": "x"}),
            "amount",
        ),
        (
            json!({"kind": "addition", "project": "PSB-03", "amount": "5", "effective_on": "2027-10-01", "reason": "x"}),
            "effective_on",
        ),
        (
            json!({"kind": "addition", "project": "PSB-03", "amount": "5", "effective_on": "15/10/2026", "reason": "x"}),
            "effective_on",
        ),
        (
            json!({"kind": "addition", "project": "PSB-03", "amount": "5", "effective_on": "2026-10-15", "reason": " "}),
            "reason",
        ),
        (
            json!({"kind": "grant", "project": "PSB-03", "amount": "5", "effective_on": "2026-10-15", "reason": "x"}),
            "kind",
        ),
        (
            json!({"kind": "addition", "project": "NOPE-1", "amount": "5", "effective_on": "2026-10-15", "reason": "x"}),
            "project",
        ),
        (
            json!({"kind": "cut", "project": "PSB-03", "amount": "99999999", "effective_on": "2026-10-15", "reason": "x"}),
            "amount",
        ),
    ];
    let rows_before = count(&app, "allocation_adjustments");
    for (body, field) in cases {
        let (status, err) =
            app.send_json(Method::POST, "/api/v1/fiscal-years/2570/adjustments", Some(&token), body.clone()).await;
        assert_eq!(status, 422, "{body}: {err}");
        assert_eq!(fields(&err)[0], field, "{body}: {err}");
    }
    assert_eq!(count(&app, "allocation_adjustments"), rows_before, "nothing stored");
    let (_, err) = app
        .send_json(
            Method::POST,
            "/api/v1/fiscal-years/2570/adjustments",
            Some(&token),
            json!({"kind": "cut", "project": "PSB-03", "amount": "99999999", "effective_on": "2026-10-15", "reason": "x"}),
        )
        .await;
    assert!(
        err["error"]["details"][0]["message"].as_str().unwrap().contains("already disbursed and committed"),
        "{err}"
    );

    let auditor = app.token_for("auditor");
    let (_, log) = app.get_as("/api/v1/audit-events?entity=allocation_adjustment", &auditor).await;
    let log: Value = serde_json::from_str(&log).unwrap();
    assert_eq!(log.as_array().unwrap().len(), 2);
    assert_eq!(log[1]["username"], "strategy");
    let (_, list) = app.get_as("/api/v1/fiscal-years/2570/adjustments", &app.token_for("sg")).await;
    assert_eq!(serde_json::from_str::<Value>(&list).unwrap().as_array().unwrap().len(), 3);
}

#[actix_web::test]
async fn replacing_a_projects_plans_moves_the_office_plan_with_it() {
    let (app, token) = demo_app().await;
    let office = |s: String| serde_json::from_str::<Value>(&s).unwrap()["planned"].as_str().unwrap().to_string();
    let before = office(app.get_as("/api/v1/fiscal-years/2570/summary?month=1", &token).await.1);
    let (_, s) = app.get_as("/api/v1/fiscal-years/2570/bureaus/AUDIT/summary?month=1", &token).await;
    let s: Value = serde_json::from_str(&s).unwrap();
    let alloc: rust_decimal::Decimal = s["projects"][0]["allocation"].as_str().unwrap().parse().unwrap();
    let code = s["projects"][0]["code"].as_str().unwrap().to_string();
    // Everything in October.
    let mut plans = vec!["0".to_string(); 12];
    plans[0] = alloc.to_string();
    let (status, body) = app
        .send_json(
            Method::PUT,
            &format!("/api/v1/fiscal-years/2570/projects/{code}/plans"),
            Some(&token),
            json!({"plans": plans.clone()}),
        )
        .await;
    assert_eq!(status, 204, "{body}");
    let after = office(app.get_as("/api/v1/fiscal-years/2570/summary?month=1", &token).await.1);
    assert_ne!(before, after);
    plans[0] = "1".into();
    let (status, body) = app
        .send_json(
            Method::PUT,
            &format!("/api/v1/fiscal-years/2570/projects/{code}/plans"),
            Some(&token),
            json!({"plans": plans}),
        )
        .await;
    assert_eq!((status, fields(&body)), (422, vec!["plans".to_string()]));
    let (status, _) = app
        .send_json(Method::PUT, "/api/v1/fiscal-years/2570/projects/NOPE/plans", Some(&token), json!({"plans": []}))
        .await;
    assert_eq!(status, 404);
}
