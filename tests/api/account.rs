//! A user's own account: long-lived tokens need the password typed again, are
//! listed with their last use and revoked; the password is changed (other
//! sessions end); a browser session ends after idle time; Secure cookies and
//! HSTS follow the configured public URL, not what a client claims.

use awc::http::Method;
use diesel::connection::SimpleConnection;
use serde_json::json;

use crate::helpers::{settings_with, spawn_app, spawn_app_with, TestDb, DEMO_PASSWORD};

#[actix_web::test]
async fn a_long_lived_token_needs_the_password_again_and_is_listed_and_revoked() {
    let app = spawn_app().await;
    app.load_demo();
    let session = app.login("executive").await;
    for (body, field) in [
        (json!({"label": "ระบบบัญชี"}), "password"),
        (json!({"label": "ระบบบัญชี", "password": "not-my-password"}), "password"),
        (json!({"label": "x", "password": DEMO_PASSWORD, "days": 9999}), "days"),
        (json!({"label": "a\u{0}b", "password": DEMO_PASSWORD}), "label"),
    ] {
        let (status, answer) = app.send_json(Method::POST, "/api/v1/tokens", Some(&session), body).await;
        assert_eq!(status, 422, "{answer}");
        assert_eq!(answer["error"]["details"][0]["field"], field, "{answer}");
    }
    let (status, made) = app
        .send_json(
            Method::POST,
            "/api/v1/tokens",
            Some(&session),
            json!({"label": "ระบบบัญชี", "password": DEMO_PASSWORD, "days": 30}),
        )
        .await;
    assert_eq!(status, 201, "{made}");
    let token = made["token"].as_str().unwrap();
    let (_, list) = app.get_as("/api/v1/tokens", &session).await;
    let list: serde_json::Value = serde_json::from_str(&list).unwrap();
    let mine = list.as_array().unwrap().iter().find(|t| t["id"] == made["id"]).unwrap().clone();
    assert_eq!(mine["label"], "ระบบบัญชี");
    assert!(
        mine["last_used_at"].is_null() && mine.get("token").is_none() && mine.get("token_hash").is_none(),
        "{mine}"
    );
    assert_eq!(app.get_as("/api/v1/me", token).await.0, 200);
    let (_, list) = app.get_as("/api/v1/tokens", &session).await;
    assert!(!list.contains("\"last_used_at\":null"), "its use is remembered: {list}");
    // The wrong password counted as a failed sign-in, in the audit trail too.
    use diesel::prelude::*;
    let failures: i64 = budgetwatch::schema::audit_events::table
        .filter(budgetwatch::schema::audit_events::action.eq("password_confirmation_failed"))
        .count()
        .get_result(&mut app.db.conn())
        .unwrap();
    assert_eq!(failures, 1);
    let path = format!("/api/v1/tokens/{}/revoke", made["id"]);
    assert_eq!(app.send_json(Method::POST, &path, Some(&session), json!({})).await.0, 204);
    assert_eq!(app.get_as("/api/v1/me", token).await.0, 401);
}

#[actix_web::test]
async fn the_account_page_makes_and_revokes_tokens_and_changes_the_password() {
    let app = spawn_app().await;
    app.load_demo();
    let browser = app.browser("reporter-psb").await;
    let other = app.browser("reporter-psb").await;
    let (status, page) = browser.get("/account").await;
    assert_eq!(status, 200);
    assert!(page.contains("ยังไม่มีโทเค็น") && page.contains("action=\"/account/password\""), "{page}");

    // Without the CSRF token nothing happens.
    let a = browser.post_form_as_is("/account/tokens", &[("label", "x"), ("password", DEMO_PASSWORD)]).await;
    assert_eq!(a.status, 403);
    let a = browser
        .post_form("/account/tokens", &[("label", "ระบบ PSB"), ("days", "7"), ("password", "wrong-one-12")])
        .await;
    assert_eq!(a.status, 422);
    assert!(a.body.contains("role=\"alert\"") && a.body.contains("password"), "{}", a.body);
    let a = browser
        .post_form("/account/tokens", &[("label", "ระบบ PSB"), ("days", "7"), ("password", DEMO_PASSWORD)])
        .await;
    assert_eq!(a.status, 201, "{}", a.body);
    let start = a.body.find("id=\"new-token\">").unwrap() + "id=\"new-token\">".len();
    let token = &a.body[start..start + 67];
    assert_eq!(app.get_as("/api/v1/me", token).await.0, 200, "the token shown works");
    let (_, page) = browser.get("/account").await;
    assert!(!page.contains(token), "shown once only");
    let id = page.split("action=\"/account/tokens/").nth(1).unwrap().split('/').next().unwrap().to_string();
    let a = browser.post_form(&format!("/account/tokens/{id}/revoke"), &[]).await;
    assert_eq!((a.status, a.location.as_deref()), (303, Some("/account?done=revoked")));
    assert_eq!(app.get_as("/api/v1/me", token).await.0, 401);
    // Someone else's token is not there for this user.
    let sg_token = app.token_for("sg");
    let sg_id = {
        use diesel::prelude::*;
        budgetwatch::schema::api_tokens::table
            .filter(budgetwatch::schema::api_tokens::label.eq("test"))
            .order(budgetwatch::schema::api_tokens::id.desc())
            .select(budgetwatch::schema::api_tokens::id)
            .first::<i64>(&mut app.db.conn())
            .unwrap()
    };
    assert_eq!(browser.post_form(&format!("/account/tokens/{sg_id}/revoke"), &[]).await.status, 404);
    assert_eq!(app.get_as("/api/v1/me", &sg_token).await.0, 200);

    // The password: a wrong current one and a weak new one are named.
    let a = browser
        .post_form("/account/password", &[("current_password", "nope-nope-nope"), ("new_password", "a-new-password-1")])
        .await;
    assert_eq!(a.status, 422);
    assert!(a.body.contains("current_password"), "{}", a.body);
    let a =
        browser.post_form("/account/password", &[("current_password", DEMO_PASSWORD), ("new_password", "short")]).await;
    assert_eq!(a.status, 422);
    assert!(a.body.contains("new_password"), "{}", a.body);
    let a = browser
        .post_form("/account/password", &[("current_password", DEMO_PASSWORD), ("new_password", "a-new-password-1")])
        .await;
    assert_eq!((a.status, a.location.as_deref()), (303, Some("/account?done=password")));
    // This session goes on; the other browser's has ended; the new password signs in.
    assert_eq!(browser.get("/account").await.0, 200);
    assert_eq!(other.get("/account").await.0, 303);
    let (status, _) = app
        .send_json(
            Method::POST,
            "/api/v1/auth/login",
            None,
            json!({"username": "reporter-psb", "password": "a-new-password-1"}),
        )
        .await;
    assert_eq!(status, 200);
}

#[actix_web::test]
async fn a_browser_session_ends_after_its_idle_time_but_a_token_does_not() {
    let app = spawn_app().await;
    app.load_demo();
    let browser = app.browser("auditor").await;
    let token = app.token_for("auditor");
    assert_eq!(browser.get("/audit").await.0, 200);
    app.db
        .conn()
        .batch_execute("UPDATE api_tokens SET last_used_at = now() - interval '31 minutes', created_at = now() - interval '2 hours'")
        .unwrap();
    let (status, _) = browser.get("/audit").await;
    assert_eq!(status, 303, "an idle session is a signed-out visitor");
    assert_eq!(app.get_as("/api/v1/me", &token).await.0, 200, "API tokens have no idle time");
    // Used within the idle time, a session lives on.
    let fresh = app.browser("auditor").await;
    app.db.conn().batch_execute("UPDATE api_tokens SET last_used_at = now() - interval '29 minutes' WHERE kind = 'session' AND revoked_at IS NULL AND last_used_at > now() - interval '1 minute'").unwrap();
    assert_eq!(fresh.get("/audit").await.0, 200);
}

#[actix_web::test]
async fn secure_cookies_and_hsts_follow_the_public_url_not_the_client() {
    // Plain HTTP configured: a client claiming https changes nothing.
    let app = spawn_app().await;
    app.load_demo();
    let res = app.client.get(app.url("/login")).insert_header(("X-Forwarded-Proto", "https")).send().await.unwrap();
    assert!(res.headers().get("strict-transport-security").is_none());
    let cookie = res.headers().get("set-cookie").unwrap().to_str().unwrap();
    assert!(!cookie.contains("Secure"), "{cookie}");
    // Served behind TLS, as the public URL says: Secure and HSTS on every answer.
    let db = TestDb::fresh();
    let settings = settings_with(&db, &[("BUDGETWATCH_PUBLIC_URL", "https://budget.example.go.th")]);
    let tls = spawn_app_with(db, settings).await;
    let res = tls.client.get(tls.url("/login")).send().await.unwrap();
    assert_eq!(res.headers().get("strict-transport-security").unwrap(), "max-age=31536000");
    assert!(res.headers().get("set-cookie").unwrap().to_str().unwrap().contains("Secure"));
    assert!(tls
        .client
        .get(tls.url("/healthz"))
        .send()
        .await
        .unwrap()
        .headers()
        .contains_key("strict-transport-security"));
}
