//! Headers every answer carries, and limits on what the server reads.

use crate::helpers::spawn_app;

#[actix_web::test]
async fn every_answer_carries_the_security_headers() {
    let app = spawn_app().await;
    for path in ["/", "/healthz", "/login", "/api/v1/me", "/no/such/page", "/audit"] {
        let res = app.client.get(app.url(path)).send().await.unwrap();
        let h = res.headers();
        let csp = h.get("content-security-policy").unwrap_or_else(|| panic!("no CSP on {path}")).to_str().unwrap();
        assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), "{path}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert_eq!(h.get("x-content-type-options").unwrap(), "nosniff", "{path}");
        assert_eq!(h.get("referrer-policy").unwrap(), "same-origin", "{path}");
        assert_eq!(h.get("x-frame-options").unwrap(), "DENY", "{path}");
    }
}

#[actix_web::test]
async fn pages_have_no_inline_script_or_style() {
    let app = spawn_app().await;
    app.load_demo();
    let token = app.token_for("auditor");
    for path in ["/", "/login", "/audit"] {
        let (_, body) = app.get_as(path, &token).await;
        assert!(!body.contains("<script") && !body.contains("style=") && !body.contains("<style"), "{path}");
    }
}

#[actix_web::test]
async fn an_oversized_form_is_refused_without_a_500() {
    let app = spawn_app().await;
    let big = "x".repeat(300 * 1024);
    let res = app.client.post(app.url("/login")).send_form(&[("csrf_token", big.as_str())]).await.unwrap();
    assert!(res.status().is_client_error(), "{}", res.status());
}
