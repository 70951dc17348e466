//! A NUL character reached PostgreSQL ("invalid byte sequence for encoding
//! UTF8: 0x00") and the client got 500. Now every path parameter of the route
//! table, every query, and every text field of the JSON and form bodies is
//! refused at the edge: 400 for a path or a query, 422 naming the field for a
//! body, and nothing is stored.

use awc::http::Method;
use budgetwatch::auth::Access;
use budgetwatch::domain::Role;
use serde_json::{json, Value};

use crate::helpers::{spawn_app, TestApp};

fn user_for(access: Access) -> Option<&'static str> {
    match access {
        Access::Public => None,
        Access::SignedIn => Some("sg"),
        Access::Roles(roles) => Some(match roles[0] {
            Role::Admin => "admin",
            Role::Strategy => "strategy",
            Role::Finance => "finance",
            Role::Executive => "executive",
            Role::SecretaryGeneral => "sg",
            Role::Auditor => "auditor",
            Role::Reporter => "reporter-psb",
        }),
    }
}

async fn send(app: &TestApp, method: Method, path: &str, user: Option<&str>, body: Option<&Value>) -> (u16, Value) {
    let mut req = app.client.request(method, app.url(path));
    if let Some(u) = user {
        req = req.insert_header(("Authorization", format!("Bearer {}", app.token_for(u))));
    }
    let mut res = match body {
        Some(b) => req.send_json(b).await.unwrap(),
        None => req.send().await.unwrap(),
    };
    let bytes = res.body().limit(16 << 20).await.unwrap();
    (res.status().as_u16(), serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

#[actix_web::test]
async fn a_nul_in_any_path_parameter_or_query_is_400() {
    let app = spawn_app().await;
    app.load_demo();
    let mut checked = 0;
    for rule in budgetwatch::routes::table() {
        let pattern: Vec<&str> = rule.path.split('/').collect();
        let example: Vec<&str> = rule.example.split('?').next().unwrap().split('/').collect();
        let body = (rule.method != Method::GET).then(|| json!({}));
        for (i, segment) in pattern.iter().enumerate() {
            if !segment.starts_with('{') {
                continue;
            }
            let mut parts: Vec<String> = example.iter().map(|s| s.to_string()).collect();
            parts[i] = format!("{}%00", parts[i]);
            let path = parts.join("/");
            let (status, answer) = send(&app, rule.method.clone(), &path, user_for(rule.access), body.as_ref()).await;
            assert_eq!(status, 400, "{} {path}: {answer}", rule.method);
            checked += 1;
        }
        let path = format!("{}?month=1%00&bureau=PSB", rule.example.split('?').next().unwrap());
        let (status, answer) = send(&app, rule.method.clone(), &path, user_for(rule.access), body.as_ref()).await;
        assert_eq!(status, 400, "{} {path}: {answer}", rule.method);
    }
    assert!(checked > 50, "{checked} path parameters");
}

/// Every string in `body`, one at a time, with a NUL in it: (field path, body).
fn variants(body: &Value) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    fn paths(v: &Value, at: &str, out: &mut Vec<String>) {
        match v {
            Value::String(_) => out.push(at.to_string()),
            Value::Array(a) => a.iter().enumerate().for_each(|(i, x)| paths(x, &format!("{at}[{i}]"), out)),
            Value::Object(m) => {
                m.iter().for_each(|(k, x)| paths(x, &if at.is_empty() { k.clone() } else { format!("{at}.{k}") }, out))
            }
            _ => {}
        }
    }
    let mut all = Vec::new();
    paths(body, "", &mut all);
    for path in all {
        let mut copy = body.clone();
        let mut cursor = &mut copy;
        for part in path.split('.') {
            let (key, index) = match part.split_once('[') {
                Some((k, i)) => (k, Some(i.trim_end_matches(']').parse::<usize>().unwrap())),
                None => (part, None),
            };
            cursor = &mut cursor[key];
            if let Some(i) = index {
                cursor = &mut cursor[i];
            }
        }
        *cursor = Value::String(format!("{}\u{0}x", cursor.as_str().unwrap()));
        out.push((path, copy));
    }
    out
}

#[actix_web::test]
async fn a_nul_in_any_text_field_of_a_body_is_422_naming_it_and_stores_nothing() {
    let app = spawn_app().await;
    app.load_demo();
    let bodies: Vec<(Method, &str, Option<&str>, Value)> = vec![
        (Method::POST, "/api/v1/auth/login", None, json!({"username": "sg", "password": "demo-password"})),
        (Method::POST, "/api/v1/tokens", Some("sg"), json!({"label": "script", "password": "demo-password"})),
        (
            Method::POST,
            "/api/v1/me/password",
            Some("sg"),
            json!({"current_password": "demo-password", "new_password": "another-password"}),
        ),
        (
            Method::POST,
            "/api/v1/users",
            Some("admin"),
            json!({"username": "somsri", "display_name": "สมศรี", "email": "s@example.org", "password": "a-long-password",
                   "roles": ["reporter"], "bureaus": ["PSB"]}),
        ),
        (
            Method::POST,
            "/api/v1/bureaus",
            Some("admin"),
            json!({"code": "NEWB", "name_th": "หน่วยใหม่", "name_en": "New"}),
        ),
        (Method::PUT, "/api/v1/bureaus/LAW", Some("admin"), json!({"name_th": "สำนักกฎหมาย", "name_en": "Legal"})),
        (
            Method::PUT,
            "/api/v1/reports/2570/1/PSB",
            Some("reporter-psb"),
            json!({"status": "draft", "lines": [{"project_code": "PSB-01", "disbursed": "1.00", "committed": "0"}],
                   "obstacles": "ปัญหา", "limitations": "ข้อจำกัด", "suggestions": "ข้อเสนอ"}),
        ),
        (Method::POST, "/api/v1/fiscal-years/2570/months/1/reopen", Some("strategy"), json!({"reason": "แก้ไข"})),
        (
            Method::POST,
            "/api/v1/fiscal-years/2570/adjustments",
            Some("strategy"),
            json!({"kind": "cut", "project": "PSB-01", "amount": "1.00", "effective_on": "2026-11-02", "reason": "ลด"}),
        ),
        (
            Method::POST,
            "/api/v1/alerts/1/follow-ups",
            Some("sg"),
            json!({"instruction": "เร่งรัด", "due_on": "2026-12-15", "bureau_code": "DHR"}),
        ),
        (Method::POST, "/api/v1/alerts/1/resolve", Some("sg"), json!({"note": "ปิด"})),
        (Method::POST, "/api/v1/follow-ups/1/respond", Some("reporter-psb"), json!({"response": "ดำเนินการแล้ว"})),
    ];
    let revisions = || -> i64 {
        use diesel::prelude::*;
        budgetwatch::schema::report_revisions::table.count().get_result(&mut app.db.conn()).unwrap()
    };
    let before = revisions();
    let mut checked = 0;
    for (method, path, user, body) in &bodies {
        for (field, bad) in variants(body) {
            let (status, answer) = send(&app, method.clone(), path, *user, Some(&bad)).await;
            assert_eq!(status, 422, "{method} {path} {field}: {answer}");
            assert_eq!(answer["error"]["details"][0]["field"], field.as_str(), "{method} {path}: {answer}");
            checked += 1;
        }
    }
    assert!(checked >= 35, "{checked} fields");
    assert_eq!(revisions(), before, "nothing stored");

    // The browser's forms: the sign-in form and the report form.
    let browser = app.browser("reporter-psb").await;
    let a = browser
        .post_form("/reports/2570/1/PSB", &[("status", "draft"), ("obstacles", "ปัญหา\u{0}"), ("revision", "0")])
        .await;
    assert_eq!(a.status, 422, "{}", a.body);
    assert!(a.body.contains("obstacles"), "{}", a.body);
    let res = app
        .client
        .post(app.url("/login"))
        .insert_header(("Cookie", "bw_csrf=x"))
        .send_form(&[("csrf_token", "x"), ("username", "sg\u{0}"), ("password", "demo-password")])
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert_eq!(revisions(), before, "nothing stored");
}
