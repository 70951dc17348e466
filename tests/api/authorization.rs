//! Walks every route of `budgetwatch::routes::table()` — the one table routes are
//! registered from — with every role and without signing in, and checks the status
//! its access rule promises. A new route comes with a rule or does not exist.

use awc::http::Method;
use budgetwatch::auth::Access;
use budgetwatch::domain::Role;
use budgetwatch::routes::table;

use crate::helpers::spawn_app;

const USERS: [(&str, Role); 7] = [
    ("admin", Role::Admin),
    ("strategy", Role::Strategy),
    ("finance", Role::Finance),
    ("executive", Role::Executive),
    ("sg", Role::SecretaryGeneral),
    ("auditor", Role::Auditor),
    ("reporter-psb", Role::Reporter),
];

#[actix_web::test]
async fn every_route_answers_every_role_as_its_rule_says() {
    let app = spawn_app().await;
    app.load_demo();
    let mut checked = 0;
    for rule in table() {
        let callers = std::iter::once(None).chain(USERS.iter().map(Some));
        for caller in callers {
            let mut req = app.client.request(rule.method.clone(), app.url(rule.example));
            if let Some((user, _)) = caller {
                // A fresh token per call: some routes (sign-out) revoke the one used.
                req = req.insert_header(("Authorization", format!("Bearer {}", app.token_for(user))));
            }
            let res =
                if rule.method == Method::GET { req.send().await } else { req.send_json(&serde_json::json!({})).await };
            let status = res.unwrap().status().as_u16();
            let who = caller.map(|c| c.0).unwrap_or("anonymous");
            let expected_denial = match (rule.access, caller) {
                (Access::Public, _) => None,
                (_, None) if rule.path.starts_with("/api/") => Some(401),
                (_, None) => Some(303),
                (Access::SignedIn, Some(_)) => None,
                (Access::Roles(roles), Some((_, role))) => (!roles.contains(role)).then_some(403),
            };
            match expected_denial {
                Some(code) => assert_eq!(status, code, "{} {} as {who}", rule.method, rule.example),
                None => assert!(
                    ![401, 403].contains(&status) && status < 500,
                    "{} {} as {who} answered {status}",
                    rule.method,
                    rule.example
                ),
            }
            checked += 1;
        }
    }
    assert!(checked >= table().len() * 8);
}

#[test]
fn the_auditor_can_change_nothing_and_admin_never_touches_report_content() {
    for rule in table() {
        let own_session = ["/login", "/logout", "/api/v1/auth/login", "/api/v1/auth/logout", "/api/v1/me/password"]
            .contains(&rule.path)
            || rule.path.starts_with("/api/v1/tokens")
            || rule.path.starts_with("/account/");
        if rule.method != Method::GET && !own_session {
            if let Access::Roles(roles) = rule.access {
                assert!(!roles.contains(&Role::Auditor), "auditor may write {} {}", rule.method, rule.path);
            } else {
                panic!("{} {} is a write open to every signed-in role", rule.method, rule.path);
            }
        }
        if rule.path.contains("/reports") {
            if let Access::Roles(roles) = rule.access {
                assert!(!roles.contains(&Role::Admin), "admin may touch report content at {}", rule.path);
            }
        }
    }
}

#[test]
fn every_rule_is_unique_and_its_example_fits_its_pattern() {
    let rules = table();
    for (i, a) in rules.iter().enumerate() {
        for b in &rules[i + 1..] {
            assert!(!(a.method == b.method && a.path == b.path), "{} {} twice", a.method, a.path);
        }
        let pattern: Vec<&str> = a.path.split('/').collect();
        let example: Vec<&str> = a.example.split('/').collect();
        assert_eq!(pattern.len(), example.len(), "{}", a.path);
        for (p, e) in pattern.iter().zip(&example) {
            assert!(p.starts_with('{') || p == e, "{} does not fit {}", a.example, a.path);
        }
    }
}

#[test]
fn no_two_route_patterns_match_the_same_path() {
    // Overlapping patterns make the metrics label and the reader's guess of which
    // route serves a path ambiguous: keep every path served by exactly one pattern.
    let rules = table();
    for a in &rules {
        for b in &rules {
            if a.path != b.path {
                let def = actix_web::dev::ResourceDef::new(b.path);
                assert!(!def.is_match(a.example), "{} (example of {}) also matches {}", a.example, a.path, b.path);
            }
        }
    }
}

/// Every read the table gives a reporter whose example names the reporter's own
/// bureau (PSB), in its path or its query string, is asked again for another
/// bureau: the reporter gets its own, and is told the other does not exist (404),
/// as a bureau that does not exist. The office-wide charts are refused (403)
/// whatever bureau is named.
#[actix_web::test]
async fn a_reporter_reads_its_own_bureau_and_no_other_through_path_or_query() {
    let app = spawn_app().await;
    app.load_demo();
    let token = app.token_for("reporter-psb");
    let mut scoped: Vec<String> = table()
        .into_iter()
        .filter(|r| r.method == Method::GET && r.example.contains("PSB"))
        .filter(|r| matches!(r.access, Access::Roles(roles) if roles.contains(&Role::Reporter)))
        .map(|r| r.example.to_string())
        .collect();
    assert!(scoped.len() >= 9, "{scoped:?}");
    scoped.extend(
        ["/api/v1/alerts?bureau=PSB", "/api/v1/fiscal-years/2566/charts/categories.svg?month=12&bureau=PSB"]
            .map(String::from),
    );
    for own in &scoped {
        let (status, body) = app.get_any_as(own, &token).await;
        assert!(status == 200, "{own} as reporter-psb answered {status}: {body}");
        for other in ["DHR", "NOPE"] {
            let path = own.replace("PSB", other);
            let (status, body) = app.get_any_as(&path, &token).await;
            assert_eq!(status, 404, "{path} as reporter-psb: {body}");
        }
    }
    for kind in ["bureaus", "heatmap", "kpi", "s-curve", "categories"] {
        for query in ["", "&bureau=PSB", "&bureau=DHR"] {
            let path = format!("/api/v1/fiscal-years/2566/charts/{kind}.svg?month=12{query}");
            let office_wide = matches!(kind, "bureaus" | "heatmap" | "kpi") || query.is_empty();
            let (status, body) = app.get_any_as(&path, &token).await;
            match (office_wide, query) {
                (_, "&bureau=DHR") => assert_eq!(status, 404, "{path}: {body}"),
                (true, _) => assert_eq!(status, 403, "{path}: {body}"),
                (false, _) => assert_eq!(status, 200, "{path}: {body}"),
            }
            assert!(!body.contains("สำนักดิจิทัลสิทธิมนุษยชน") || kind == "bureaus" && status == 200, "{path} leaks DHR");
        }
    }
    // Those who see every bureau ask any bureau; an unknown one is 404 for them too.
    let sg = app.token_for("sg");
    let (status, _) = app.get_any_as("/api/v1/fiscal-years/2566/charts/kpi.svg?month=12", &sg).await;
    assert_eq!(status, 200);
    let (status, _) = app.get_any_as("/api/v1/alerts?bureau=NOPE", &sg).await;
    assert_eq!(status, 404);
    let (status, body) = app.get_any_as("/api/v1/fiscal-years/2566/charts/kpi.svg?month=12&bureau=DHR", &sg).await;
    assert_eq!(status, 422, "{body}");
}
