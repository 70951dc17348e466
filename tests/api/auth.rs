//! Signing in and out, tokens, sessions, CSRF, throttling and accounts.

use awc::http::Method;
use serde_json::json;

use crate::helpers::{spawn_app, TestApp, DEMO_PASSWORD};

async fn demo_app() -> TestApp {
    let app = spawn_app().await;
    app.load_demo();
    app
}

#[actix_web::test]
async fn signing_in_gives_a_token_that_works_until_it_is_revoked() {
    let app = demo_app().await;
    let (status, body) = app
        .send_json(Method::POST, "/api/v1/auth/login", None, json!({"username": "sg", "password": DEMO_PASSWORD}))
        .await;
    assert_eq!(status, 200, "{body}");
    let token = body["token"].as_str().unwrap();
    let expires = chrono::DateTime::parse_from_rfc3339(body["expires_at"].as_str().unwrap()).unwrap();
    assert!(expires > chrono::Utc::now() + chrono::Duration::hours(11));
    let (status, me) = app.get_as("/api/v1/me", token).await;
    assert_eq!(status, 200);
    let me: serde_json::Value = serde_json::from_str(&me).unwrap();
    assert_eq!(me["username"], "sg");
    assert_eq!(me["roles"], json!(["secretary_general"]));
    let (status, _) = app.send_json(Method::POST, "/api/v1/auth/logout", Some(token), json!({})).await;
    assert_eq!(status, 204);
    let (status, body) = app.get_as("/api/v1/me", token).await;
    assert_eq!(status, 401);
    assert!(body.contains("unknown, expired or revoked"), "{body}");
}

#[actix_web::test]
async fn a_wrong_password_and_an_unknown_user_get_the_same_401() {
    let app = demo_app().await;
    let wrong = app
        .send_json(Method::POST, "/api/v1/auth/login", None, json!({"username": "sg", "password": "not-the-password"}))
        .await;
    let unknown = app
        .send_json(
            Method::POST,
            "/api/v1/auth/login",
            None,
            json!({"username": "nobody", "password": "not-the-password"}),
        )
        .await;
    assert_eq!(wrong.0, 401);
    assert_eq!(wrong, unknown);
    assert_eq!(wrong.1["error"]["message"], "wrong user name or password");
}

#[actix_web::test]
async fn bad_sign_in_bodies_are_refused_with_a_clear_error() {
    let app = demo_app().await;
    let (status, body) =
        app.send_json(Method::POST, "/api/v1/auth/login", None, json!({"username": "", "password": ""})).await;
    assert_eq!(status, 422);
    let fields: Vec<&str> =
        body["error"]["details"].as_array().unwrap().iter().map(|d| d["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["username", "password"]);
    let (status, body) = app.send_json(Method::POST, "/api/v1/auth/login", None, json!({"username": 5})).await;
    assert_eq!(status, 422, "{body}");
    let mut res = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .insert_header(("content-type", "application/json"))
        .send_body("{not json")
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let body: serde_json::Value = serde_json::from_slice(&res.body().await.unwrap()).unwrap();
    assert_eq!(body["error"]["code"], "bad_request");
    let huge = format!("{{\"username\":\"{}\",\"password\":\"x\"}}", "a".repeat(3 * 1024 * 1024));
    let res = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .insert_header(("content-type", "application/json"))
        .send_body(huge)
        .await
        .unwrap();
    assert!(res.status() == 413 || res.status() == 400, "{}", res.status());
}

#[actix_web::test]
async fn malformed_unknown_expired_and_revoked_credentials_are_401() {
    let app = demo_app().await;
    for header in ["Basic dXNlcjpwYXNz", "Bearer", "Bearer not-a-token", "bearer bw_00"] {
        let mut res =
            app.client.get(app.url("/api/v1/me")).insert_header(("Authorization", header)).send().await.unwrap();
        assert_eq!(res.status(), 401, "{header}");
        assert_eq!(res.headers().get("www-authenticate").unwrap(), "Bearer");
        let body: serde_json::Value = serde_json::from_slice(&res.body().await.unwrap()).unwrap();
        assert!(body["error"]["message"].as_str().unwrap().contains("Authorization"), "{header}: {body}");
    }
    let unknown = format!("bw_{}", "0".repeat(64));
    assert_eq!(app.get_as("/api/v1/me", &unknown).await.0, 401);

    let token = app.token_for("executive");
    let mut conn = app.db.conn();
    use diesel::connection::SimpleConnection;
    conn.batch_execute(&format!(
        "UPDATE api_tokens SET created_at = now() - interval '2 hours', expires_at = now() - interval '1 minute' WHERE token_hash = '{}'",
        budgetwatch::auth::token::hash(&token)
    ))
    .unwrap();
    assert_eq!(app.get_as("/api/v1/me", &token).await.0, 401);

    let token = app.token_for("executive");
    let (status, created) = app
        .send_json(Method::POST, "/api/v1/tokens", Some(&token), json!({"label": "script", "password": DEMO_PASSWORD}))
        .await;
    assert_eq!(status, 201);
    let long_lived = created["token"].as_str().unwrap();
    assert_eq!(app.get_as("/api/v1/me", long_lived).await.0, 200);
    let path = format!("/api/v1/tokens/{}/revoke", created["id"]);
    // Someone else cannot even see that the token exists.
    let other = app.token_for("finance");
    assert_eq!(app.send_json(Method::POST, &path, Some(&other), json!({})).await.0, 404);
    assert_eq!(app.send_json(Method::POST, &path, Some(&token), json!({})).await.0, 204);
    assert_eq!(app.get_as("/api/v1/me", long_lived).await.0, 401);
    assert_eq!(app.send_json(Method::POST, &path, Some(&token), json!({})).await.0, 409);
}

#[actix_web::test]
async fn repeated_failures_are_refused_for_a_while_with_429_and_retry_after() {
    let app = demo_app().await;
    for _ in 0..budgetwatch::auth::routes::MAX_FAILURES {
        let (status, _) = app
            .send_json(
                Method::POST,
                "/api/v1/auth/login",
                None,
                json!({"username": "strategy", "password": "guess-guess"}),
            )
            .await;
        assert_eq!(status, 401);
    }
    // Even the right password is refused now.
    let mut res = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .send_json(&json!({"username": "strategy", "password": DEMO_PASSWORD}))
        .await
        .unwrap();
    assert_eq!(res.status(), 429);
    let retry: i64 = res.headers().get("retry-after").unwrap().to_str().unwrap().parse().unwrap();
    assert!(retry > 0 && retry <= 15 * 60, "{retry}");
    let body: serde_json::Value = serde_json::from_slice(&res.body().await.unwrap()).unwrap();
    assert_eq!(body["error"]["code"], "too_many_requests");
    // Another user is not locked out by it.
    app.login("executive").await;
}

#[actix_web::test]
async fn an_admin_creates_and_deactivates_users_and_history_stays() {
    let app = demo_app().await;
    let admin = app.token_for("admin");
    let new = json!({"username": "somsri", "display_name": "สมศรี", "password": "a-long-password", "roles": ["reporter"], "bureaus": ["PSB"]});
    let (status, body) = app.send_json(Method::POST, "/api/v1/users", Some(&admin), new.clone()).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(app.send_json(Method::POST, "/api/v1/users", Some(&admin), new).await.0, 409);
    let (status, body) = app
        .send_json(
            Method::POST,
            "/api/v1/users",
            Some(&admin),
            json!({"username": "x", "password": "x", "roles": ["reporter"], "bureaus": ["NOPE"]}),
        )
        .await;
    assert_eq!(status, 422);
    let fields: Vec<&str> =
        body["error"]["details"].as_array().unwrap().iter().map(|d| d["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["username", "password"]);
    let (status, body) = app
        .send_json(
            Method::POST,
            "/api/v1/users",
            Some(&admin),
            json!({"username": "nobureau", "password": "a-long-password", "roles": ["reporter"], "bureaus": ["NOPE"]}),
        )
        .await;
    assert_eq!((status, body["error"]["details"][0]["field"].as_str()), (422, Some("bureaus[0]")));

    let (status, _) = app
        .send_json(
            Method::POST,
            "/api/v1/auth/login",
            None,
            json!({"username": "somsri", "password": "a-long-password"}),
        )
        .await;
    assert_eq!(status, 200);
    let token = app.token_for("somsri");
    assert_eq!(app.send_json(Method::POST, "/api/v1/users/somsri/deactivate", Some(&admin), json!({})).await.0, 204);
    assert_eq!(app.get_as("/api/v1/me", &token).await.0, 401);
    let (status, _) = app
        .send_json(
            Method::POST,
            "/api/v1/auth/login",
            None,
            json!({"username": "somsri", "password": "a-long-password"}),
        )
        .await;
    assert_eq!(status, 401);
    let (_, list) = app.get_as("/api/v1/users", &admin).await;
    let list: serde_json::Value = serde_json::from_str(&list).unwrap();
    let somsri = list.as_array().unwrap().iter().find(|u| u["username"] == "somsri").unwrap();
    assert_eq!(somsri["active"], false);
    assert_eq!(somsri["bureaus"], json!(["PSB"]));
    assert_eq!(app.send_json(Method::POST, "/api/v1/users/admin/deactivate", Some(&admin), json!({})).await.0, 409);
}

/// Signs in through the API as if from `from` (behind a trusted proxy).
async fn login_from(app: &TestApp, from: &str, username: &str, password: &str) -> u16 {
    app.client
        .post(app.url("/api/v1/auth/login"))
        .insert_header(("X-Forwarded-For", from))
        .send_json(&json!({"username": username, "password": password}))
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[actix_web::test]
async fn a_guesser_elsewhere_cannot_lock_a_user_out_and_failures_are_audited() {
    let db = crate::helpers::TestDb::fresh();
    let settings = crate::helpers::settings_with(&db, &[("BUDGETWATCH_TRUSTED_PROXIES", "127.0.0.1")]);
    let app = crate::helpers::spawn_app_with(db, settings).await;
    app.load_demo();
    let attacker = "203.0.113.66";
    for _ in 0..budgetwatch::auth::routes::MAX_FAILURES {
        assert_eq!(login_from(&app, attacker, "sg", "guess-guess").await, 401);
    }
    // The guesser is throttled, even with the right password...
    assert_eq!(login_from(&app, attacker, "sg", DEMO_PASSWORD).await, 429);
    // ...and the secretary-general, at another address, signs in.
    assert_eq!(login_from(&app, "198.51.100.7", "sg", DEMO_PASSWORD).await, 200);
    // A client's own X-Forwarded-For is not believed from an untrusted peer.
    let plain = spawn_app().await;
    plain.load_demo();
    for i in 0..budgetwatch::auth::routes::MAX_FAILURES {
        // Each guess claims another address; all come from the same peer.
        assert_eq!(login_from(&plain, &format!("192.0.2.{i}"), "strategy", "guess-guess").await, 401);
    }
    assert_eq!(login_from(&plain, "192.0.2.200", "strategy", DEMO_PASSWORD).await, 429);
    // One address guessing many users is stopped too.
    for i in 0..budgetwatch::auth::routes::MAX_ADDRESS_FAILURES {
        let status = login_from(&app, "203.0.113.77", &format!("user{i}"), "guess-guess").await;
        assert_eq!(status, 401, "guess {i}");
    }
    assert_eq!(login_from(&app, "203.0.113.77", "executive", DEMO_PASSWORD).await, 429);
    // The audit trail has each failure and each start of a throttle.
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        action: String,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    use diesel::prelude::*;
    let rows: Vec<Row> = diesel::sql_query(
        "SELECT action, count(*) AS n FROM audit_events WHERE entity = 'sign_in' GROUP BY action ORDER BY action",
    )
    .load(&mut app.db.conn())
    .unwrap();
    let counts: Vec<(String, i64)> = rows.into_iter().map(|r| (r.action, r.n)).collect();
    let failures = budgetwatch::auth::routes::MAX_FAILURES + budgetwatch::auth::routes::MAX_ADDRESS_FAILURES;
    assert_eq!(counts, [("sign_in_failed".to_string(), failures), ("sign_in_throttled".to_string(), 2)]);
}

#[actix_web::test]
async fn a_nul_in_the_user_name_is_refused_naming_the_field() {
    let app = demo_app().await;
    let (status, body) =
        app.send_json(Method::POST, "/api/v1/auth/login", None, json!({"username": "sg\u{0}", "password": "x"})).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["details"][0]["field"], "username");
}

/// Thirty wrong passwords sent at once: no more than the limit are checked, the
/// rest are refused; the count is taken before each password is verified.
#[actix_web::test]
async fn guesses_sent_at_once_do_not_slip_past_the_limit() {
    let app = demo_app().await;
    let guesses = (0..30).map(|_| {
        let req = app.client.post(app.url("/api/v1/auth/login"));
        async move {
            req.send_json(&json!({"username": "executive", "password": "guess-guess"})).await.unwrap().status().as_u16()
        }
    });
    let statuses = futures_util::future::join_all(guesses).await;
    let checked = statuses.iter().filter(|s| **s == 401).count();
    assert!(checked as i64 <= budgetwatch::auth::routes::MAX_FAILURES, "{checked} guesses were checked: {statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 429).count() + checked, 30, "{statuses:?}");
}
