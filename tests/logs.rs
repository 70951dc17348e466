//! No secret ever reaches a log line: the logs of a whole sign-in session (API and
//! browser, right and wrong passwords, tokens, cookies, CSRF tokens) are captured
//! and searched. A test target of its own, so that it owns the process's global
//! log subscriber whichever test runner is used.

use std::io::Write;
use std::sync::{Arc, Mutex};

use serde_json::json;

#[allow(dead_code)]
#[path = "api/helpers.rs"]
mod helpers;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Captured {
        self.clone()
    }
}

#[actix_web::test]
async fn signing_in_and_out_logs_no_password_token_cookie_or_csrf_token() {
    let logs = Captured::default();
    tracing_subscriber::fmt()
        .json()
        .with_current_span(true)
        .with_span_list(true)
        .with_max_level(tracing::Level::DEBUG)
        .with_writer(logs.clone())
        .init();

    let app = helpers::spawn_app().await;
    app.load_demo();
    let mut secrets = vec![helpers::DEMO_PASSWORD.to_string(), "wrong-password-123".to_string()];

    let (status, _) = app
        .send_json(
            awc::http::Method::POST,
            "/api/v1/auth/login",
            None,
            json!({"username": "sg", "password": "wrong-password-123"}),
        )
        .await;
    assert_eq!(status, 401);
    let token = app.login("sg").await;
    assert_eq!(app.get_as("/api/v1/me", &token).await.0, 200);
    secrets.push(token);

    let mut form = app.client.get(app.url("/login")).send().await.unwrap();
    let csrf_cookie = form
        .headers()
        .get_all("set-cookie")
        .find_map(|c| c.to_str().unwrap().strip_prefix("bw_csrf=").map(|r| r.split(';').next().unwrap().to_string()));
    let csrf_cookie = csrf_cookie.unwrap();
    let body = String::from_utf8(form.body().await.unwrap().to_vec()).unwrap();
    let marker = "name=\"csrf_token\" value=\"";
    let start = body.find(marker).unwrap() + marker.len();
    let csrf_field = body[start..start + 67].to_string();
    let res = app
        .client
        .post(app.url("/login"))
        .insert_header(("Cookie", format!("bw_csrf={csrf_cookie}")))
        .send_form(&[
            ("csrf_token", csrf_field.as_str()),
            ("username", "auditor"),
            ("password", helpers::DEMO_PASSWORD),
        ])
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let session = res
        .headers()
        .get_all("set-cookie")
        .find_map(|c| c.to_str().unwrap().strip_prefix("bw_session=").map(|r| r.split(';').next().unwrap().to_string()))
        .unwrap();
    let page = app
        .client
        .get(app.url("/audit"))
        .insert_header(("Cookie", format!("bw_session={session}")))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    secrets.extend([csrf_cookie, csrf_field, session]);

    let text = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    // The capture really holds the session's log lines ...
    assert!(text.contains("request finished") && text.contains("signed in (API)") && text.contains("sign-in failed"));
    assert!(text.contains("signed in (browser)"), "{text}");
    // ... and none of its secrets.
    for secret in &secrets {
        assert!(!text.contains(secret.as_str()), "a secret ({}...) is in the logs", &secret[..4]);
    }
}
