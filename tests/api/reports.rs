//! Monthly reports over the API: drafts, submissions, revisions, ETags, locks,
//! idempotency, and every validation rule with the database left unchanged.

use awc::http::Method;
use diesel::prelude::*;
use serde_json::{json, Value};

use crate::helpers::{spawn_app, TestApp};

async fn demo_app() -> TestApp {
    let app = spawn_app().await;
    app.load_demo();
    app
}

fn revisions_count(app: &TestApp) -> i64 {
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    diesel::sql_query("SELECT count(*) AS n FROM report_revisions").get_result::<N>(&mut app.db.conn()).unwrap().n
}

/// PUT with optional If-Match and Idempotency-Key; returns status, ETag and body.
async fn put(
    app: &TestApp,
    token: &str,
    path: &str,
    body: Value,
    if_match: Option<&str>,
    key: Option<&str>,
) -> (u16, Option<String>, Value) {
    let mut req = app.client.put(app.url(path)).insert_header(("Authorization", format!("Bearer {token}")));
    if let Some(m) = if_match {
        req = req.insert_header(("If-Match", m));
    }
    if let Some(k) = key {
        req = req.insert_header(("Idempotency-Key", k));
    }
    let mut res = req.send_json(&body).await.unwrap();
    let etag = res.headers().get("etag").map(|v| v.to_str().unwrap().to_string());
    let bytes = res.body().await.unwrap();
    (res.status().as_u16(), etag, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

fn lines(v: &[(&str, &str, &str)]) -> Value {
    json!(v.iter().map(|(p, d, c)| json!({"project_code": p, "disbursed": d, "committed": c})).collect::<Vec<_>>())
}

const COMM: &str = "/api/v1/reports/2570/1/COMM";

#[actix_web::test]
async fn a_report_not_started_shows_a_zero_line_per_project() {
    let app = demo_app().await;
    let (status, body) = app.get_as(COMM, &app.token_for("reporter-comm")).await;
    assert_eq!(status, 200, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["status"], "not_started");
    assert_eq!(v["revision"], 0);
    assert_eq!(v["lines"].as_array().unwrap().len(), 4);
    assert_eq!(v["lines"][0]["disbursed"], "0.00");
    assert!(v["lines"][0]["allocation"].as_str().unwrap().ends_with(".00"));
    assert_eq!(v["due_at"], "2026-11-05T16:59:59Z");
}

#[actix_web::test]
async fn a_bureau_saves_a_draft_then_submits_and_every_revision_is_kept() {
    let app = demo_app().await;
    let token = app.token_for("reporter-comm");
    let figures = lines(&[
        ("COMM-01", "40000", "5000"),
        ("COMM-02", "100000.50", "0"),
        ("COMM-03", "0", "0"),
        ("COMM-04", "0", "0"),
    ]);
    let (status, etag, v) = put(&app, &token, COMM, json!({"status": "draft", "lines": figures}), None, None).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(
        (etag.as_deref(), v["status"].as_str(), v["revision"].as_i64()),
        (Some("\"r1\""), Some("draft"), Some(1))
    );
    assert!(v["submitted_at"].is_null());

    // Without If-Match the second save is refused: it could overwrite someone else's.
    let submit = json!({"status": "submitted", "lines": figures, "obstacles": "", "suggestions": ""});
    let (status, _, v) = put(&app, &token, COMM, submit.clone(), None, None).await;
    assert_eq!(status, 428, "{v}");
    let (status, etag, v) = put(&app, &token, COMM, submit.clone(), Some("\"r1\""), None).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!((etag.as_deref(), v["status"].as_str()), (Some("\"r2\""), Some("submitted")));
    assert_eq!(v["on_time"], false, "due 5 Nov 2026, sent later");
    assert_eq!(v["lines"][1]["disbursed"], "100000.50");

    // A stale ETag is refused and stores nothing.
    let before = revisions_count(&app);
    let (status, _, v) = put(&app, &token, COMM, submit, Some("\"r1\""), None).await;
    assert_eq!(status, 412, "{v}");
    assert_eq!(revisions_count(&app), before);

    let (status, list) = app.get_as(&format!("{COMM}/revisions"), &token).await;
    assert_eq!(status, 200);
    let list: Value = serde_json::from_str(&list).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert_eq!((list[0]["revision"].as_i64(), list[0]["status"].as_str()), (Some(2), Some("submitted")));
    assert_eq!(list[0]["disbursed"], "140000.50");
    assert_eq!(list[0]["created_by"], "reporter-comm");

    // The office now counts COMM's month as submitted, late.
    let (_, s) = app.get_as("/api/v1/fiscal-years/2570/summary", &app.token_for("sg")).await;
    let s: Value = serde_json::from_str(&s).unwrap();
    let comm = s["bureaus"].as_array().unwrap().iter().find(|b| b["code"] == "COMM").unwrap();
    assert_eq!(comm["report_status"], "late");
    assert_eq!(s["reporting"]["submitted"], 11);
}

#[actix_web::test]
async fn every_bad_input_is_refused_naming_the_field_and_nothing_is_stored() {
    let app = demo_app().await;
    let token = app.token_for("reporter-comm");
    let ok = ("COMM-02", "1000", "0");
    let cases: Vec<(Value, &str, &str)> = vec![
        (json!({"status": "submitted", "lines": lines(&[("COMM-01", "-1", "0")])}), "lines[0].disbursed", "ติดลบ"),
        (json!({"status": "submitted", "lines": lines(&[("COMM-01", "1.005", "0")])}), "lines[0].disbursed", "ทศนิยม"),
        (
            json!({"status": "submitted", "lines": lines(&[("COMM-01", "1e5", "0")])}),
            "lines[0].disbursed",
            "ไม่ใช่จำนวนเงิน",
        ),
        (
            json!({"status": "submitted", "lines": lines(&[("COMM-01", "NaN", "0")])}),
            "lines[0].disbursed",
            "ไม่ใช่จำนวนเงิน",
        ),
        (json!({"status": "submitted", "lines": lines(&[("COMM-01", "", "0")])}), "lines[0].disbursed", "ว่าง"),
        (json!({"status": "submitted", "lines": lines(&[("COMM-01", "1,000", "0")])}), "lines[0].disbursed", "จุลภาค"),
        (json!({"status": "submitted", "lines": lines(&[("COMM-01", "๑๐๐", "0")])}), "lines[0].disbursed", "อารบิก"),
        (
            json!({"status": "submitted", "lines": lines(&[("COMM-01", "10000000000000000", "0")])}),
            "lines[0].disbursed",
            "มากเกินไป",
        ),
        (
            json!({"status": "submitted", "lines": lines(&[ok, ("COMM-01", "0", "-0.01")])}),
            "lines[1].committed",
            "ติดลบ",
        ),
        (
            json!({"status": "submitted", "lines": lines(&[ok, ("PSB-01", "1", "0")])}),
            "lines[1].project_code",
            "ไม่พบโครงการ",
        ),
        (json!({"status": "submitted", "lines": lines(&[ok, ok])}), "lines[1].project_code", "ซ้ำ"),
        (json!({"status": "final", "lines": lines(&[ok])}), "status", "draft"),
        (
            json!({"status": "submitted", "lines": lines(&[("COMM-01", "1000000", "500000")])}),
            "lines[0].disbursed",
            "เกินงบประมาณ",
        ),
    ];
    let before = revisions_count(&app);
    for (body, field, words) in cases {
        let (status, _, v) = put(&app, &token, COMM, body.clone(), None, None).await;
        assert_eq!(status, 422, "{body}: {v}");
        let details = v["error"]["details"].as_array().unwrap();
        let hit =
            details.iter().find(|d| d["field"] == field).unwrap_or_else(|| panic!("{field} not named for {body}: {v}"));
        assert!(hit["message"].as_str().unwrap().contains(words), "{field}: {hit}");
    }
    // D + C > A shows the figures.
    let (_, _, v) = put(
        &app,
        &token,
        COMM,
        json!({"status": "submitted", "lines": lines(&[("COMM-01", "1000000", "500000")])}),
        None,
        None,
    )
    .await;
    assert!(
        v["error"]["details"][0]["message"].as_str().unwrap().contains("1,500,000.00 เกินงบประมาณ 1,232,000.00"),
        "{v}"
    );
    // Wrong types and broken JSON.
    let (status, _, v) = put(&app, &token, COMM, json!({"status": "submitted", "lines": "lots"}), None, None).await;
    assert_eq!((status, v["error"]["details"][0]["field"].as_str()), (422, Some("body")));
    let res = app
        .client
        .put(app.url(COMM))
        .insert_header(("Authorization", format!("Bearer {token}")))
        .insert_header(("Content-Type", "application/json"))
        .send_body("{\"status\": ")
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(revisions_count(&app), before, "nothing stored");
}

#[actix_web::test]
async fn a_bureau_behind_plan_must_explain_itself_to_submit_but_not_to_save_a_draft() {
    let app = demo_app().await;
    let token = app.token_for("reporter-dhr");
    let path = "/api/v1/reports/2570/1/DHR";
    let (_, etag) = {
        let (s, b) = app.get_as(path, &token).await;
        (s, serde_json::from_str::<Value>(&b).unwrap()["revision"].as_i64().unwrap())
    };
    let tag = format!("\"r{etag}\"");
    let nothing = lines(&[("DHR-03", "0", "0")]);
    let (status, _, v) =
        put(&app, &token, path, json!({"status": "submitted", "lines": nothing}), Some(&tag), None).await;
    assert_eq!(status, 422, "{v}");
    let fields: Vec<&str> =
        v["error"]["details"].as_array().unwrap().iter().map(|d| d["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["obstacles", "suggestions"]);
    assert!(v["error"]["details"][0]["message"].as_str().unwrap().contains("ล่าช้ากว่าแผน"), "{v}");
    let (status, _, _) = put(&app, &token, path, json!({"status": "draft", "lines": nothing}), Some(&tag), None).await;
    assert_eq!(status, 200, "a draft may be incomplete");
}

#[actix_web::test]
async fn locked_months_future_months_and_other_bureaus_are_refused() {
    let app = demo_app().await;
    let strategy = app.token_for("strategy");
    let token = app.token_for("reporter-comm");
    let body = json!({"status": "draft", "lines": lines(&[("COMM-01", "1", "0")])});
    let (status, _) =
        app.send_json(Method::POST, "/api/v1/fiscal-years/2570/months/1/lock", Some(&strategy), json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(
        app.send_json(Method::POST, "/api/v1/fiscal-years/2570/months/1/lock", Some(&strategy), json!({})).await.0,
        409
    );
    let before = revisions_count(&app);
    let (status, _, v) = put(&app, &token, COMM, body.clone(), None, None).await;
    assert_eq!(status, 409, "{v}");
    assert!(v["error"]["message"].as_str().unwrap().contains("ปิดแล้ว"));
    assert_eq!(revisions_count(&app), before);
    let (status, v) = app
        .send_json(Method::POST, "/api/v1/fiscal-years/2570/months/1/reopen", Some(&strategy), json!({"reason": " "}))
        .await;
    assert_eq!((status, v["error"]["details"][0]["field"].as_str()), (422, Some("reason")));
    let (status, _) = app
        .send_json(
            Method::POST,
            "/api/v1/fiscal-years/2570/months/1/reopen",
            Some(&strategy),
            json!({"reason": "สำนักขอแก้ไขตัวเลข"}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(put(&app, &token, COMM, body.clone(), None, None).await.0, 200);

    let (status, _, v) = put(&app, &token, "/api/v1/reports/2570/2/COMM", body.clone(), None, None).await;
    assert_eq!((status, v["error"]["details"][0]["field"].as_str()), (422, Some("month")), "November has not ended");
    let (status, _, _) = put(&app, &token, "/api/v1/reports/2570/13/COMM", body.clone(), None, None).await;
    assert_eq!(status, 422);
    // Another bureau's report does not exist as far as this reporter knows.
    assert_eq!(put(&app, &token, "/api/v1/reports/2570/1/PSB", body.clone(), None, None).await.0, 404);
    assert_eq!(app.get_as("/api/v1/reports/2570/1/PSB", &token).await.0, 404);
    assert_eq!(put(&app, &token, "/api/v1/reports/2570/1/NOPE", body, None, None).await.0, 404);
    // Executives read every bureau's report.
    assert_eq!(app.get_as("/api/v1/reports/2570/1/PSB", &app.token_for("executive")).await.0, 200);
}

#[actix_web::test]
async fn a_retried_write_with_the_same_idempotency_key_is_answered_once() {
    let app = demo_app().await;
    let token = app.token_for("reporter-comm");
    let body = json!({"status": "draft", "lines": lines(&[("COMM-01", "12.34", "0")])});
    let before = revisions_count(&app);
    let first = put(&app, &token, COMM, body.clone(), None, Some("retry-7f3a")).await;
    let again = put(&app, &token, COMM, body.clone(), None, Some("retry-7f3a")).await;
    assert_eq!(first.0, 200);
    assert_eq!(first, again, "the same answer, ETag included");
    assert_eq!(revisions_count(&app), before + 1, "stored once");
    let other = json!({"status": "draft", "lines": lines(&[("COMM-01", "99", "0")])});
    let (status, _, v) = put(&app, &token, COMM, other, Some("\"r1\""), Some("retry-7f3a")).await;
    assert_eq!((status, v["error"]["details"][0]["field"].as_str()), (422, Some("Idempotency-Key")));
}

#[actix_web::test]
async fn a_save_that_fails_half_way_stores_nothing() {
    let app = demo_app().await;
    let token = app.token_for("reporter-comm");
    // Make the last step of a save (its audit record) fail, as a crash would.
    use diesel::connection::SimpleConnection;
    app.db
        .conn()
        .batch_execute(
            "CREATE FUNCTION fail_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'disk full'; END; $$;
             CREATE TRIGGER fail_audit BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION fail_audit();",
        )
        .unwrap();
    let before = revisions_count(&app);
    let body = json!({"status": "submitted", "lines": lines(&[("COMM-01", "100", "0")])});
    let (status, _, v) = put(&app, &token, COMM, body, None, None).await;
    assert_eq!(status, 500, "{v}");
    assert!(!v.to_string().contains("disk full"), "a 500 shows no internals: {v}");
    assert_eq!(revisions_count(&app), before, "no revision");
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let reports: i64 = diesel::sql_query(
        "SELECT count(*) AS n FROM reports r JOIN bureaus b ON b.id = r.bureau_id WHERE b.code = 'COMM' AND r.fiscal_year = 2570 AND r.month = 1",
    )
    .get_result::<N>(&mut app.db.conn())
    .unwrap()
    .n;
    assert_eq!(reports, 0, "not even the report's header");
    let (_, body) = app.get_as(COMM, &token).await;
    assert!(body.contains("\"status\":\"not_started\""), "{body}");
}
