//! The browser's way in: the Thai sign-in form, the session cookie, CSRF on every
//! form, and signing out.

use awc::http::StatusCode;

use crate::helpers::{spawn_app, TestApp, DEMO_PASSWORD};

fn set_cookies<S>(res: &awc::ClientResponse<S>) -> Vec<String> {
    res.headers().get_all("set-cookie").map(|v| v.to_str().unwrap().to_string()).collect()
}

fn cookie_value<'a>(cookies: &'a [String], name: &str) -> Option<&'a str> {
    cookies.iter().find_map(|c| c.strip_prefix(&format!("{name}=")).map(|rest| rest.split(';').next().unwrap()))
}

fn hidden(body: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = body.find(&marker).unwrap_or_else(|| panic!("no hidden {name} in {body}")) + marker.len();
    body[start..start + body[start..].find('"').unwrap()].to_string()
}

/// Opens the sign-in page; returns (csrf cookie, csrf field).
async fn open_form(app: &TestApp) -> (String, String) {
    let mut res = app.client.get(app.url("/login?next=/audit")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let cookies = set_cookies(&res);
    let body = String::from_utf8(res.body().await.unwrap().to_vec()).unwrap();
    assert!(body.contains("lang=\"th\"") && body.contains("เข้าสู่ระบบ"), "{body}");
    assert!(body.contains("<label for=\"username\">") && body.contains("autocomplete=\"current-password\""));
    assert_eq!(hidden(&body, "next"), "/audit");
    (cookie_value(&cookies, "bw_csrf").unwrap().to_string(), hidden(&body, "csrf_token"))
}

async fn submit(app: &TestApp, csrf_cookie: &str, csrf_field: &str, user: &str, password: &str) -> awc::ClientResponse {
    app.client
        .post(app.url("/login"))
        .insert_header(("Cookie", format!("bw_csrf={csrf_cookie}")))
        .send_form(&[("csrf_token", csrf_field), ("username", user), ("password", password), ("next", "/audit")])
        .await
        .unwrap()
}

#[actix_web::test]
async fn the_sign_in_form_sets_a_protected_session_cookie_and_signs_out_with_csrf() {
    let app = spawn_app().await;
    app.load_demo();
    let (cookie, field) = open_form(&app).await;

    let mut wrong = submit(&app, &cookie, &field, "auditor", "wrong-password").await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let body = String::from_utf8(wrong.body().await.unwrap().to_vec()).unwrap();
    assert!(body.contains("role=\"alert\"") && body.contains("ไม่ถูกต้อง"), "{body}");
    assert!(body.contains("value=\"auditor\""), "the user name typed is kept: {body}");

    let res = submit(&app, &cookie, &field, "auditor", DEMO_PASSWORD).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers().get("location").unwrap(), "/audit");
    let cookies = set_cookies(&res);
    let session_header = cookies.iter().find(|c| c.starts_with("bw_session=")).unwrap();
    assert!(session_header.contains("HttpOnly") && session_header.contains("SameSite=Lax"), "{session_header}");
    assert!(!session_header.contains("Secure"), "plain HTTP on loopback: {session_header}");
    let session = cookie_value(&cookies, "bw_session").unwrap().to_string();

    let mut page = app
        .client
        .get(app.url("/audit"))
        .insert_header(("Cookie", format!("bw_session={session}")))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let body = String::from_utf8(page.body().await.unwrap().to_vec()).unwrap();
    assert!(body.contains("ผู้ตรวจสอบภายใน (auditor)"), "{body}");
    let logout_csrf = hidden(&body, "csrf_token");

    // A write without the session's CSRF token is refused and changes nothing.
    let res = app
        .client
        .post(app.url("/logout"))
        .insert_header(("Cookie", format!("bw_session={session}")))
        .send_form(&[("csrf_token", "forged")])
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let still = app
        .client
        .get(app.url("/api/v1/me"))
        .insert_header(("Cookie", format!("bw_session={session}")))
        .send()
        .await
        .unwrap();
    assert_eq!(still.status(), 200);

    let res = app
        .client
        .post(app.url("/logout"))
        .insert_header(("Cookie", format!("bw_session={session}")))
        .send_form(&[("csrf_token", logout_csrf.as_str())])
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let gone = app
        .client
        .get(app.url("/audit"))
        .insert_header(("Cookie", format!("bw_session={session}")))
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), StatusCode::SEE_OTHER);
    assert_eq!(gone.headers().get("location").unwrap(), "/login?next=%2Faudit");
}

#[actix_web::test]
async fn the_sign_in_form_without_its_csrf_token_is_refused() {
    let app = spawn_app().await;
    app.load_demo();
    let (cookie, field) = open_form(&app).await;
    let no_cookie = app
        .client
        .post(app.url("/login"))
        .send_form(&[("csrf_token", field.as_str()), ("username", "auditor"), ("password", DEMO_PASSWORD)])
        .await
        .unwrap();
    assert_eq!(no_cookie.status(), 403);
    let mismatch = submit(&app, &cookie, "something-else", "auditor", DEMO_PASSWORD).await;
    assert_eq!(mismatch.status(), 403);
    assert!(set_cookies(&mismatch).iter().all(|c| !c.starts_with("bw_session=")));
}

/// The usual bypasses of an after-sign-in redirect, as a browser would send them
/// in the form (already percent-decoded by the form encoding): each one lands on
/// the front page, and a local path is followed as it is.
#[actix_web::test]
async fn only_same_site_paths_are_followed_after_signing_in() {
    let app = spawn_app().await;
    app.load_demo();
    let (cookie, field) = open_form(&app).await;
    let cases = [
        ("/\t/evil.example", "/"),
        ("/\n/evil.example", "/"),
        ("/\r\n/evil.example", "/"),
        ("//evil.example/", "/"),
        ("///evil.example", "/"),
        ("/\\evil.example", "/"),
        ("\\/evil.example", "/"),
        ("\\\\evil.example", "/"),
        ("/%2F/evil.example", "/"),
        ("/%5Cevil.example", "/"),
        ("/%09/evil.example", "/"),
        ("%2F%2Fevil.example", "/"),
        ("https://evil.example/", "/"),
        ("javascript:alert(1)", "/"),
        (" /dashboard", "/"),
        ("/dash board", "/"),
        ("", "/"),
        ("/dashboard/2566?month=12", "/dashboard/2566?month=12"),
        ("/reports/2570/1/PSB", "/reports/2570/1/PSB"),
    ];
    for (next, expected) in cases {
        let res = app
            .client
            .post(app.url("/login"))
            .insert_header(("Cookie", format!("bw_csrf={cookie}")))
            .send_form(&[
                ("csrf_token", field.as_str()),
                ("username", "sg"),
                ("password", DEMO_PASSWORD),
                ("next", next),
            ])
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{next:?}");
        assert_eq!(res.headers().get("location").unwrap(), expected, "next={next:?}");
    }
    // The sign-in page itself never puts a foreign `next` into its form.
    let mut res = app.client.get(app.url("/login?next=/%09/evil.example")).send().await.unwrap();
    let body = String::from_utf8(res.body().await.unwrap().to_vec()).unwrap();
    assert_eq!(hidden(&body, "next"), "/");
}

/// A file upload form carries its CSRF token as its first field, never in the
/// URL (where it would land in history and Referer): the token in the body
/// passes, the token in the URL alone, a wrong one or none is refused (403), and
/// nothing is stored.
#[actix_web::test]
async fn an_upload_form_carries_its_csrf_token_in_the_body() {
    let app = spawn_app().await;
    app.load_demo();
    let browser = app.browser("reporter-comm").await;
    let (status, page) = browser.get("/reports/2570/1/COMM").await;
    assert_eq!(status, 200);
    let form = &page[page.find("enctype=\"multipart/form-data\"").expect("an upload form") - 80..];
    assert!(form.contains("action=\"/reports/2570/1/COMM/import\""), "no token in the action: {form}");
    assert!(form.find("name=\"csrf_token\"").unwrap() < form.find("name=\"file\"").unwrap(), "the token comes first");

    let token = app.token_for("reporter-comm");
    let mut res = app
        .client
        .get(app.url("/api/v1/reports/2570/1/COMM/template.xlsx"))
        .insert_header(("Authorization", format!("Bearer {token}")))
        .send()
        .await
        .unwrap();
    let template = res.body().limit(10 << 20).await.unwrap().to_vec();
    let path = "/reports/2570/1/COMM/import";
    let in_url = format!("{path}?csrf_token={}", browser.csrf);
    for (target, fields) in [
        (path, vec![]),
        (path, vec![("csrf_token", "forged")]),
        (in_url.as_str(), vec![]),
        (path, vec![("note", "x"), ("csrf_token", browser.csrf.as_str())]),
    ] {
        let a = browser.post_multipart(target, &fields, &template).await;
        assert_eq!(a.status, 403, "{target} {fields:?}: {}", a.body);
    }
    let (_, api) = app.get_as("/api/v1/reports/2570/1/COMM", &token).await;
    assert!(api.contains("\"revision\":0"), "nothing stored: {api}");
    let a = browser.post_multipart(path, &[("csrf_token", &browser.csrf)], &template).await;
    assert_eq!(a.status, 303, "{}", a.body);
    assert_eq!(a.location.as_deref(), Some("/reports/2570/1/COMM?done=draft"));
}

/// A well-formed but dead session cookie is no excuse to skip the sign-in
/// form's double-submit check.
#[actix_web::test]
async fn a_dead_session_cookie_does_not_skip_the_sign_in_forms_csrf_check() {
    let app = spawn_app().await;
    app.load_demo();
    let dead = format!("bw_{}", "0".repeat(64));
    let res = app
        .client
        .post(app.url("/login"))
        .insert_header(("Cookie", format!("bw_session={dead}")))
        .send_form(&[("username", "sg"), ("password", DEMO_PASSWORD)])
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert!(set_cookies(&res).iter().all(|c| !c.starts_with("bw_session=bw_")), "no session issued");
}

/// Media types are case-insensitive, for the CSRF check as for the form parser:
/// `Application/X-WWW-Form-Urlencoded` without a token is refused like the
/// lower-case one.
#[actix_web::test]
async fn the_csrf_check_reads_the_media_type_as_the_form_parser_does() {
    let app = spawn_app().await;
    app.load_demo();
    for ct in ["Application/X-WWW-Form-Urlencoded", "application/x-www-form-urlencoded; charset=UTF-8"] {
        let res = app
            .client
            .post(app.url("/login"))
            .insert_header(("Content-Type", ct))
            .send_body(format!("username=finance&password={DEMO_PASSWORD}&next=/dashboard"))
            .await
            .unwrap();
        assert_eq!(res.status(), 403, "{ct}");
        assert!(set_cookies(&res).iter().all(|c| !c.starts_with("bw_session=bw_")), "{ct}: no session");
    }
}
