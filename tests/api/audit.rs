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
        .env("BUDGETWATCH_AUDIT_KEY", crate::helpers::AUDIT_KEY)
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
    assert_eq!(status, 422, "a refused filter lists nothing");
    assert!(
        page.contains("role=\"alert\"")
            && page.contains("<p>กรุณาแก้ไขตัวกรอง</p>")
            && page.contains("<a href=\"#from\">from</a>: &quot;yesterday&quot; is not a date")
            && page.contains("id=\"from\" name=\"from\" type=\"date\" value=\"yesterday\" aria-invalid=\"true\"")
            && !page.contains("/audit.csv?"),
        "{page}"
    );
    let (status, page) = app.get_as("/audit?entity=bureau&lang=en", &auditor).await;
    assert_eq!(status, 200);
    assert!(page.contains("<html lang=\"en\"") && page.contains("Changes to the data, newest first"), "{page}");
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

fn cli(url: &str, key: &str, args: &[&str]) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_budgetwatch"))
        .args(args)
        .env("DATABASE_URL", url)
        .env("BUDGETWATCH_LOG", "off")
        .env("BUDGETWATCH_AUDIT_KEY", key)
        .output()
        .unwrap();
    (out.status.code(), String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr))
}

#[actix_web::test]
async fn the_keyed_chain_and_a_checkpoint_find_a_cut_or_a_rewritten_trail() {
    use crate::helpers::AUDIT_KEY;
    let app = spawn_app().await;
    app.load_demo();
    let dir = std::env::temp_dir().join(format!("bw-checkpoint-{}-{}", std::process::id(), app.db.name));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("head.json");
    let f = file.to_str().unwrap();
    let (code, out) = cli(&app.db.url, AUDIT_KEY, &["audit", "checkpoint", "--out", f]);
    assert_eq!(code, Some(0), "{out}");
    let (code, out) = cli(&app.db.url, AUDIT_KEY, &["audit", "verify", "--checkpoint", f]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("audit chain intact") && out.contains("checkpoint"), "{out}");

    // Another key proves nothing: the rows' HMACs and the checkpoint's signature fail.
    let other = "another-key-that-is-long-enough-0123456789";
    let (code, out) = cli(&app.db.url, other, &["audit", "verify"]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("another key"), "{out}");
    let (code, out) = cli(&app.db.url, other, &["audit", "verify", "--checkpoint", f]);
    assert_eq!(code, Some(1), "{out}");

    // A forged checkpoint (fewer rows, to hide a cut) is refused by its signature.
    let mut forged: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    forged["rows"] = json!(forged["rows"].as_u64().unwrap() - 1);
    let forged_file = dir.join("forged.json");
    std::fs::write(&forged_file, forged.to_string()).unwrap();
    let (code, out) = cli(&app.db.url, AUDIT_KEY, &["audit", "verify", "--checkpoint", forged_file.to_str().unwrap()]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("signature"), "{out}");

    // A superuser rewrites the whole trail without the key, as plain SHA-256, so
    // that it chains: verify refuses the unkeyed rows, the checkpoint the hashes.
    let mut conn = app.db.conn();
    conn.batch_execute(
        "ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only;
         UPDATE audit_events SET keyed = FALSE;",
    )
    .unwrap();
    let rows: Vec<budgetwatch::audit::Event> = {
        use budgetwatch::schema::audit_events;
        use diesel::prelude::*;
        audit_events::table
            .order(audit_events::id)
            .select(budgetwatch::audit::Event::as_select())
            .load(&mut conn)
            .unwrap()
    };
    let mut prev = budgetwatch::audit::GENESIS.to_string();
    for e in &rows {
        use sha2::Digest;
        let content =
            json!({"action": e.action, "after": e.after, "at": e.at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string(),
                             "before": e.before, "entity": e.entity, "entity_id": e.entity_id,
                             "request_id": e.request_id, "user_id": e.user_id})
            .to_string();
        let hash: String =
            sha2::Sha256::digest(format!("{prev}\n{content}").as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
        conn.batch_execute(&format!(
            "UPDATE audit_events SET prev_hash = '{prev}', hash = '{hash}' WHERE id = {}",
            e.id
        ))
        .unwrap();
        prev = hash;
    }
    let (code, out) = cli(&app.db.url, AUDIT_KEY, &["audit", "verify"]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains(&format!("first {} rows are not keyed", rows.len())), "{out}");
    let (code, out) = cli(
        &app.db.url,
        AUDIT_KEY,
        &["audit", "verify", "--accept-unkeyed", &rows.len().to_string(), "--checkpoint", f],
    );
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("history before it was rewritten"), "{out}");

    // TRUNCATE leaves a chain that verifies on its own (nothing left to check);
    // the checkpoint says the trail was cut.
    conn.batch_execute("TRUNCATE audit_events").unwrap();
    let (code, out) = cli(&app.db.url, AUDIT_KEY, &["audit", "verify"]);
    assert_eq!(code, Some(0), "{out}");
    let (code, out) = cli(&app.db.url, AUDIT_KEY, &["audit", "verify", "--checkpoint", f]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("the trail was cut"), "{out}");
    std::fs::remove_dir_all(dir).unwrap();
}

/// The service, run as a member of budgetwatch_service (as `./run demo` and the
/// compose file do), works — signs in, saves a report — yet cannot truncate,
/// update or delete the audit trail, even with the trigger gone.
#[actix_web::test]
async fn the_service_role_writes_the_trail_but_cannot_rewrite_or_cut_it() {
    use crate::helpers::{server_url, settings_with, spawn_app_with, TestDb};
    let db = TestDb::fresh();
    let login = format!("bw_svc_{}", db.name.trim_start_matches("bw_test_"));
    let mut admin = crate::helpers::admin();
    admin.batch_execute(&format!("CREATE ROLE \"{login}\" LOGIN IN ROLE budgetwatch_service")).unwrap();
    let owner_url = db.url.clone();
    let service_url = server_url(&db.name).replacen("postgres@", &format!("{login}@"), 1);
    let settings =
        settings_with(&db, &[("DATABASE_URL", &service_url), ("BUDGETWATCH_OWNER_DATABASE_URL", &owner_url)]);
    let app = spawn_app_with(db, settings).await;
    app.load_demo();
    let token = app.login("reporter-comm").await;
    let (status, body) = app
        .send_json(Method::PUT, "/api/v1/reports/2570/1/COMM", Some(&token), json!({"status": "draft", "lines": []}))
        .await;
    assert_eq!(status, 200, "{body}");

    use diesel::Connection;
    let mut service = diesel::PgConnection::establish(&service_url).unwrap();
    for sql in [
        "TRUNCATE audit_events",
        "DELETE FROM audit_events",
        "UPDATE audit_events SET action = 'x'",
        "ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only",
        "TRUNCATE report_lines",
        "DELETE FROM __diesel_schema_migrations",
    ] {
        let err = service.batch_execute(sql).expect_err(sql).to_string();
        assert!(err.contains("permission denied") || err.contains("must be owner"), "{sql}: {err}");
    }
    let (code, out) = cli(&service_url, crate::helpers::AUDIT_KEY, &["audit", "verify"]);
    assert_eq!(code, Some(0), "{out}");
    drop(service);
    drop(app);
    let _ = admin.batch_execute(&format!("DROP OWNED BY \"{login}\"; DROP ROLE IF EXISTS \"{login}\""));
}

/// A cell a spreadsheet would run as a formula is written with a leading
/// apostrophe. A request id may start with "-", and it reaches the CSV.
#[actix_web::test]
async fn the_audit_csv_neutralises_formula_cells() {
    let app = spawn_app().await;
    app.load_demo();
    let admin = app.token_for("admin");
    let res = app
        .client
        .put(app.url("/api/v1/bureaus/LAW"))
        .insert_header(("Authorization", format!("Bearer {admin}")))
        .insert_header(("X-Request-Id", "-1-1"))
        .send_json(&json!({"name_th": "สำนักกฎหมาย", "name_en": "=HYPERLINK(\"http://evil.example\")"}))
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let (status, csv) = app.get_as("/audit.csv?entity=bureau", &app.token_for("auditor")).await;
    assert_eq!(status, 200);
    let row = csv.lines().nth(1).unwrap();
    let cells: Vec<&str> = row.split(',').collect();
    assert_eq!(cells[3], "'-1-1", "{row}");
    assert!(!row.contains(",-1-1,"), "{row}");
}
