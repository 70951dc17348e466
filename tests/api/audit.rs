//! The audit trail: writes are recorded with before and after, the chain verifies,
//! and an edit or a deletion made behind the application's back is found.

use std::process::Command;

use awc::http::Method;
use diesel::connection::SimpleConnection;
use serde_json::json;

use crate::helpers::spawn_app;

fn verify(url: &str) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_budgetwatch"))
        .args(["audit", "verify"])
        .env("DATABASE_URL", url)
        .env("BUDGETWATCH_LOG", "off")
        .output()
        .unwrap();
    (out.status.code(), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

#[actix_web::test]
async fn writes_are_recorded_with_who_what_before_after_and_the_request() {
    let app = spawn_app().await;
    app.load_demo();
    let admin = app.token_for("admin");
    let mut res = app
        .client
        .put(app.url("/api/v1/bureaus/LAW"))
        .insert_header(("Authorization", format!("Bearer {admin}")))
        .insert_header(("X-Request-Id", "req-law-rename"))
        .send_json(&json!({"name_th": "สำนักกฎหมายและระเบียบ", "name_en": "Legal Affairs and Regulations Bureau"}))
        .await
        .unwrap();
    assert_eq!(res.status(), 204, "{:?}", res.body().await);

    let auditor = app.token_for("auditor");
    let (status, body) = app.get_as("/api/v1/audit-events?entity=bureau&user=admin", &auditor).await;
    assert_eq!(status, 200, "{body}");
    let events: serde_json::Value = serde_json::from_str(&body).unwrap();
    let e = &events[0];
    assert_eq!(e["action"], "update");
    assert_eq!(e["entity_id"], "LAW");
    assert_eq!(e["username"], "admin");
    assert_eq!(e["request_id"], "req-law-rename");
    assert_eq!(e["before"]["name_th"], "สำนักกฎหมาย");
    assert_eq!(e["after"]["name_th"], "สำนักกฎหมายและระเบียบ");

    // Filters by date are Bangkok days; a malformed one names its field.
    let today = budgetwatch::domain::fiscal::bangkok_date(chrono::Utc::now());
    let (_, body) = app.get_as(&format!("/api/v1/audit-events?from={today}&to={today}&entity=bureau"), &auditor).await;
    assert_eq!(serde_json::from_str::<serde_json::Value>(&body).unwrap().as_array().unwrap().len(), 1);
    let (status, body) = app.get_as("/api/v1/audit-events?from=24/11/2026", &auditor).await;
    assert_eq!(status, 422);
    assert!(body.contains("\"field\":\"from\""), "{body}");

    let (status, csv) = app.get_as("/audit.csv?entity=bureau", &auditor).await;
    assert_eq!(status, 200);
    let mut lines = csv.lines();
    assert_eq!(lines.next().unwrap(), "id,at,username,request_id,action,entity,entity_id,before,after,hash");
    let row = lines.next().unwrap();
    assert!(row.contains(",admin,req-law-rename,update,bureau,LAW,") && row.contains("สำนักกฎหมายและระเบียบ"), "{row}");

    let (status, page) = app.get_as("/audit?entity=bureau", &auditor).await;
    assert_eq!(status, 200);
    assert!(page.contains("สำนักกฎหมายและระเบียบ") && page.contains("/audit.csv?"), "{page}");
    let (status, page) = app.get_as("/audit?from=yesterday", &auditor).await;
    assert_eq!(status, 200);
    assert!(page.contains("role=\"alert\"") && page.contains("from"), "{page}");
}

#[actix_web::test]
async fn verify_finds_the_first_edited_or_removed_row() {
    let app = spawn_app().await;
    app.load_demo();
    let admin = app.token_for("admin");
    for code in ["NEW1", "NEW2", "NEW3"] {
        let (status, _) = app
            .send_json(
                Method::POST,
                "/api/v1/bureaus",
                Some(&admin),
                json!({"code": code, "name_th": "หน่วยใหม่", "name_en": "New unit"}),
            )
            .await;
        assert_eq!(status, 201);
    }
    let (code, out, err) = verify(&app.db.url);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("audit chain intact"), "{out}");

    // The application's connection cannot rewrite history at all.
    let mut conn = app.db.conn();
    let refused = conn.batch_execute("UPDATE audit_events SET action = 'tampered'").unwrap_err();
    assert!(refused.to_string().contains("append-only"), "{refused}");

    // A superuser can, but the chain tells.
    conn.batch_execute(
        "ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only;
         UPDATE audit_events SET after = '{\"name_th\": \"แก้ไขย้อนหลัง\"}'
          WHERE id = (SELECT id FROM audit_events WHERE entity_id = 'NEW2');",
    )
    .unwrap();
    let edited: i64 = {
        use budgetwatch::schema::audit_events;
        use diesel::prelude::*;
        audit_events::table
            .filter(audit_events::entity_id.eq("NEW2"))
            .select(audit_events::id)
            .first(&mut conn)
            .unwrap()
    };
    let (code, _, err) = verify(&app.db.url);
    assert_eq!(code, Some(1));
    assert!(err.contains(&format!("broken at row {edited}")) && err.contains("edited"), "{err}");

    conn.batch_execute(&format!(
        "UPDATE audit_events SET after = NULL WHERE id = {edited};
         DELETE FROM audit_events WHERE id = {edited};"
    ))
    .unwrap();
    let (code, _, err) = verify(&app.db.url);
    assert_eq!(code, Some(1));
    assert!(err.contains(&format!("broken at row {}", edited + 1)) && err.contains("removed"), "{err}");
}
