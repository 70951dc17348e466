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

/// RFC 9110: a known path with a method it does not serve is 405 with `Allow`
/// (for every path of the route table), OPTIONS lists the methods, and an
/// unknown path stays 404.
#[actix_web::test]
async fn a_wrong_method_on_a_known_path_is_405_with_allow() {
    use awc::http::Method;
    let app = spawn_app().await;
    let table = budgetwatch::routes::table();
    for rule in &table {
        let served: Vec<String> = table.iter().filter(|r| r.path == rule.path).map(|r| r.method.to_string()).collect();
        let mut res = app.client.request(Method::PATCH, app.url(rule.example)).send().await.unwrap();
        assert_eq!(res.status(), 405, "PATCH {}", rule.example);
        let allow = res.headers().get("allow").unwrap().to_str().unwrap().to_string();
        for m in &served {
            assert!(allow.split(", ").any(|a| a == m), "{}: Allow {allow} lacks {m}", rule.example);
        }
        if rule.example.starts_with("/api/") {
            let body: serde_json::Value = serde_json::from_slice(&res.body().await.unwrap()).unwrap();
            assert_eq!(body["error"]["code"], "method_not_allowed", "{}", rule.example);
        }
    }
    let res = app.client.request(Method::OPTIONS, app.url("/api/v1/reports/2566/12/PSB")).send().await.unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(res.headers().get("allow").unwrap(), "GET, HEAD, PUT, OPTIONS");
    let res = app.client.request(Method::DELETE, app.url("/healthz")).send().await.unwrap();
    assert_eq!(
        (res.status().as_u16(), res.headers().get("allow").unwrap().to_str().unwrap()),
        (405, "GET, HEAD, OPTIONS")
    );
    // HEAD is served wherever GET is: the same status and headers, no body.
    let mut res = app.client.request(Method::HEAD, app.url("/healthz")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.body().await.unwrap().is_empty());
    app.load_demo();
    let token = app.token_for("sg");
    let res = app
        .client
        .request(Method::HEAD, app.url("/api/v1/me"))
        .insert_header(("Authorization", format!("Bearer {token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = app.client.request(Method::PATCH, app.url("/no/such/path")).send().await.unwrap();
    assert_eq!(res.status(), 404);
}

/// RFC 9110: If-Match with any tag that is not the current one is 412 — a tag of
/// another form, a weak tag, a stale one — and a list holding the current one
/// matches.
#[actix_web::test]
async fn if_match_with_any_tag_but_the_current_one_is_412() {
    let app = spawn_app().await;
    app.load_demo();
    let token = app.token_for("reporter-comm");
    let path = "/api/v1/reports/2570/1/COMM";
    let put = |tag: &'static str| {
        let req = app
            .client
            .put(app.url(path))
            .insert_header(("Authorization", format!("Bearer {token}")))
            .insert_header(("If-Match", tag));
        async move { req.send_json(&serde_json::json!({"status": "draft", "lines": []})).await.unwrap() }
    };
    for tag in ["\"stale-etag\"", "stale-etag", "W/\"r0\"", "\"r999\"", "\"r0\" junk", "\"\""] {
        let mut res = put(tag).await;
        assert_eq!(res.status(), 412, "If-Match {tag}");
        let body: serde_json::Value = serde_json::from_slice(&res.body().await.unwrap()).unwrap();
        assert_eq!(body["error"]["code"], "precondition_failed");
    }
    let res = put("\"r7\", \"r0\"").await;
    assert_eq!(res.status(), 200, "a list holding the current tag matches");
    assert_eq!(res.headers().get("etag").unwrap(), "\"r1\"");
    // Two If-Match lines are one list.
    let res = app
        .client
        .put(app.url(path))
        .insert_header(("Authorization", format!("Bearer {token}")))
        .append_header(("If-Match", "\"r99\""))
        .append_header(("If-Match", "\"r1\""))
        .send_json(&serde_json::json!({"status": "draft", "lines": []}))
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "the second line names the current revision");
    assert_eq!(put("*").await.status(), 200);
}
