use crate::helpers::spawn_app;

#[actix_web::test]
async fn healthz_answers_200() {
    let app = spawn_app().await;
    let (status, body) = app.get("/healthz").await;
    assert_eq!(status, 200);
    assert_eq!(body, r#"{"status":"ok"}"#);
}

#[actix_web::test]
async fn readyz_answers_200_while_the_database_answers() {
    let app = spawn_app().await;
    let (status, body) = app.get("/readyz").await;
    assert_eq!(status, 200, "{body}");
}

#[actix_web::test]
async fn readyz_answers_503_quickly_when_the_database_is_gone() {
    let app = spawn_app().await;
    assert_eq!(app.get("/readyz").await.0, 200);
    app.db.drop_now();
    let (status, body) = app.get("/readyz").await;
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("unavailable"), "{body}");
    // Liveness does not depend on the database.
    assert_eq!(app.get("/healthz").await.0, 200);
}

#[actix_web::test]
async fn metrics_count_requests_by_route_and_show_the_pool() {
    let app = spawn_app().await;
    app.get("/healthz").await;
    app.get("/healthz").await;
    app.get("/no/such/thing").await;
    let (status, body) = app.get("/metrics").await;
    assert_eq!(status, 200);
    assert!(
        body.contains(r#"budgetwatch_http_requests_total{method="GET",route="/healthz",status="200"} 2"#),
        "{body}"
    );
    assert!(body.contains(r#"route="unmatched",status="404"} 1"#), "{body}");
    assert!(body.contains(r#"budgetwatch_http_request_duration_seconds_count{route="/healthz"} 2"#), "{body}");
    assert!(body.contains("budgetwatch_db_pool_max_size 4"), "{body}");
}

#[actix_web::test]
async fn an_unknown_path_answers_404_with_the_json_error_body() {
    let app = spawn_app().await;
    let (status, body) = app.get("/api/v1/nothing-here").await;
    assert_eq!(status, 404);
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["error"]["code"], "not_found");
    assert!(v["error"]["message"].as_str().unwrap().contains("/api/v1/nothing-here"));
    assert!(v["error"]["details"].as_array().unwrap().is_empty());
}

#[actix_web::test]
async fn a_sane_request_id_is_echoed_and_a_missing_one_is_made() {
    let app = spawn_app().await;
    let res = app.client.get(app.url("/healthz")).insert_header(("X-Request-Id", "abc-123")).send().await.unwrap();
    assert_eq!(res.headers().get("x-request-id").unwrap(), "abc-123");
    let res = app.client.get(app.url("/healthz")).insert_header(("X-Request-Id", "bad id")).send().await.unwrap();
    let made = res.headers().get("x-request-id").unwrap().to_str().unwrap();
    assert_ne!(made, "bad id");
    assert!(!made.is_empty());
}

#[actix_web::test]
async fn made_up_methods_and_paths_add_no_series_to_metrics() {
    let app = spawn_app().await;
    let series = |body: &str| body.lines().filter(|l| l.starts_with("budgetwatch_http_requests_total{")).count();
    let (_, before) = app.get("/metrics").await;
    for i in 0..30 {
        let method = awc::http::Method::from_bytes(format!("FOOBAR{i}").as_bytes()).unwrap();
        let res = app.client.request(method, app.url(&format!("/made/up/{i}"))).send().await.unwrap();
        assert!(res.status().is_client_error(), "{}", res.status());
        app.get(&format!("/no/such/path/{i}")).await;
    }
    let (_, after) = app.get("/metrics").await;
    assert!(!after.contains("FOOBAR") && !after.contains("/made/up") && !after.contains("/no/such"), "{after}");
    assert!(after.contains("method=\"OTHER\",route=\"unmatched\""), "{after}");
    // Made-up methods and unknown paths add at most an OTHER and a GET series per status.
    assert!(series(&after) <= series(&before) + 4, "{before}\n---\n{after}");
}

#[actix_web::test]
async fn with_the_database_gone_the_api_says_503_without_the_drivers_words() {
    let app = spawn_app().await;
    app.load_demo();
    let token = app.token_for("sg");
    app.db.drop_now();
    let mut res = app
        .client
        .get(app.url("/api/v1/fiscal-years/2566/summary"))
        .insert_header(("Authorization", format!("Bearer {token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 503);
    assert!(res.headers().contains_key("retry-after"));
    let body = String::from_utf8(res.body().await.unwrap().to_vec()).unwrap();
    assert!(body.contains("\"code\":\"unavailable\""), "{body}");
    for leak in ["127.0.0.1", "5432", "database \"", "FATAL", "connection", app.db.name.as_str()] {
        assert!(!body.contains(leak), "{leak} in {body}");
    }
}
