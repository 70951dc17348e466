//! The executive dashboard: the office and a bureau, with charts, their messages
//! and tables, drill-down, the month picker, and who may see it.

use crate::helpers::spawn_app;

#[actix_web::test]
async fn the_office_dashboard_shows_the_month_with_charts_tables_and_drill_down() {
    let app = spawn_app().await;
    app.load_demo();
    let sg = app.token_for("sg");
    let (status, page) = app.get_as("/dashboard/2566?month=12", &sg).await;
    assert_eq!(status, 200);
    for kind in ["s-curve", "bureaus", "categories", "heatmap", "kpi"] {
        assert!(page.contains(&format!("<figure class=\"chart\" id=\"{kind}\" lang=\"th\"><svg")), "{kind}");
        assert!(page.contains(&format!("<title id=\"chart-title-{kind}\">")), "{kind}: unique ids");
    }
    assert!(page.contains("<dd>97.00%</dd>") && page.contains("ส่งแล้ว 12 จาก 12"), "{page}");
    assert!(page.contains("href=\"/dashboard/2566/bureaus/PSB?month=12\""), "drill-down from the bureau table");
    assert!(
        page.contains("<option value=\"12\" selected>ก.ย. 2566</option>")
            && page.contains("<option value=\"2566\" selected>")
    );
    assert!(!page.contains("<script") && !page.contains("style="), "CSP-safe");

    // Chart elements drill down too: a heatmap cell opens the bureau at its month.
    let cell =
        "<a href=\"/dashboard/2566/bureaus/DHR?month=3\" tabindex=\"-1\" aria-hidden=\"true\"><rect class=\"hotspot\"";
    assert!(page.contains(cell), "heatmap cell link");

    let (status, current) = app.get_as("/dashboard/2570", &sg).await;
    assert_eq!(status, 200);
    assert!(current.contains("<td class=\"num\">11.62</td>"), "DHR's lag is in the bureaus table");
    assert!(
        current.contains("<a href=\"/dashboard/2570/bureaus/DHR?month=1\" tabindex=\"-1\" aria-hidden=\"true\">"),
        "a bar opens its bureau"
    );
    assert!(current.contains("<a href=\"/dashboard/2570?month=1\" tabindex=\"-1\""), "the S-curve's month opens it");
    assert!(!current.contains("<a href=\"/dashboard/2570?month=2\""), "no link to a month not yet ended");
    let (_, api_svg) = app.get_as("/api/v1/fiscal-years/2570/charts/bureaus.svg?month=1", &sg).await;
    assert!(!api_svg.contains("hotspot") && !api_svg.contains("<a "), "the SVG itself carries no links");

    let res = app
        .client
        .get(app.url("/dashboard"))
        .insert_header(("Authorization", format!("Bearer {sg}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers().get("location").unwrap(), "/dashboard/2570?month=1");
    let res = app
        .client
        .get(app.url("/dashboard?fy=2565&month=6"))
        .insert_header(("Authorization", format!("Bearer {sg}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers().get("location").unwrap(), "/dashboard/2565?month=6");
    assert_eq!(app.get_as("/dashboard/2570?month=3", &sg).await.0, 422, "a month that has not ended");
}

#[actix_web::test]
async fn a_bureau_page_lists_its_projects_and_reporters_see_only_their_own() {
    let app = spawn_app().await;
    app.load_demo();
    let (status, page) = app.get_as("/dashboard/2570/bureaus/DHR?month=1", &app.token_for("executive")).await;
    assert_eq!(status, 200);
    assert!(page.contains("id=\"s-curve\"") && page.contains("id=\"categories\"") && page.contains("DHR-03"), "{page}");
    assert!(page.contains("href=\"/reports/2570/1/DHR\""));
    let reporter = app.token_for("reporter-dhr");
    assert_eq!(app.get_as("/dashboard/2570/bureaus/DHR?month=1", &reporter).await.0, 200);
    assert_eq!(app.get_as("/dashboard/2570/bureaus/PSB?month=1", &reporter).await.0, 404);
    assert_eq!(app.get_as("/dashboard/2570?month=1", &reporter).await.0, 403);
    assert_eq!(app.get_as("/dashboard/2570?month=1", &app.token_for("admin")).await.0, 403);
}

#[actix_web::test]
async fn a_project_page_shows_its_months_and_links_each_ended_month_to_its_report() {
    let app = spawn_app().await;
    app.load_demo();
    let sg = app.token_for("sg");
    let (_, bureau) = app.get_as("/dashboard/2570/bureaus/DHR?month=1", &sg).await;
    assert!(bureau.contains("href=\"/dashboard/2570/projects/DHR-03?month=1\""), "drill-down from the bureau");
    let (status, page) = app.get_as("/dashboard/2570/projects/DHR-03?month=1", &sg).await;
    assert_eq!(status, 200);
    assert!(page.contains("id=\"s-curve\"") && page.contains("DHR-03"), "{page}");
    assert!(page.contains("<a href=\"/reports/2570/1/DHR\">ต.ค. 2569</a>"), "an ended month links to the report");
    assert!(page.contains("<th scope=\"row\">พ.ย. 2569</th>"), "a month to come has no link");
    assert!(page.contains("href=\"/dashboard/2570/bureaus/DHR?month=1\""), "back to the bureau");
    assert!(!page.contains(">ปีก่อน<") && !page.contains(">เป้าหมาย ครม.<"), "no legend for lines not drawn");
    assert!(page.contains("ล่าช้า 18.70 จุด"), "the project's lag");
    assert!(page.contains("<a href=\"/dashboard/2570/projects/DHR-03?month=1\" tabindex=\"-1\""), "S-curve month");

    let reporter = app.token_for("reporter-dhr");
    assert_eq!(app.get_as("/dashboard/2570/projects/DHR-03?month=1", &reporter).await.0, 200);
    assert_eq!(app.get_as("/dashboard/2570/projects/PSB-01?month=1", &reporter).await.0, 404, "not its bureau");
    assert_eq!(app.get_as("/dashboard/2570/projects/NOPE-1?month=1", &sg).await.0, 404);
}

#[actix_web::test]
async fn the_dashboard_speaks_english_when_asked() {
    let app = spawn_app().await;
    app.load_demo();
    let at = chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 11, 24, 5, 0, 0).unwrap();
    budgetwatch::alerts::evaluate(&mut app.db.conn(), at, true, &crate::helpers::settings_for(&app.db).delivery)
        .unwrap();
    let (status, page) = app.get_as("/dashboard/2570?month=1&lang=en", &app.token_for("executive")).await;
    assert_eq!(status, 200);
    assert!(page.contains("<html lang=\"en\">"), "screen readers are told the language");
    assert!(page.contains("Disbursement overview, fiscal year 2570 BE, as of Oct 2026"), "{page}");
    assert!(page.contains("<dt>Disbursed + committed</dt><dd>9.17%</dd>"));
    assert!(page.contains("DHR is 11.62 points behind plan in Oct 2026"), "alerts in English, months too");
    assert!(page.contains("<figure class=\"chart\" id=\"s-curve\" lang=\"th\">"), "the charts keep Thai, marked so");
    assert!(page.contains("href=\"/dashboard/2570/bureaus/DHR?month=1&amp;lang=en\""), "drill-down keeps English");
    assert!(page.contains("<a href=\"/dashboard/2570?month=1\" lang=\"th\">ภาษาไทย</a>"));
    let res = app
        .client
        .get(app.url("/dashboard?fy=2566&month=12&lang=en"))
        .insert_header(("Authorization", format!("Bearer {}", app.token_for("sg"))))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers().get("location").unwrap(), "/dashboard/2566?month=12&lang=en");
}

/// (hits, misses) of the render cache, as /metrics reports them.
async fn cache_counts(app: &crate::helpers::TestApp) -> (u64, u64) {
    let (_, text) = app.get("/metrics").await;
    let value = |name: &str| -> u64 {
        let line = text.lines().find(|l| l.starts_with(&format!("{name} "))).unwrap_or_else(|| panic!("{name}"));
        line.rsplit(' ').next().unwrap().parse().unwrap()
    };
    (value("budgetwatch_render_cache_hits_total"), value("budgetwatch_render_cache_misses_total"))
}

#[actix_web::test]
async fn the_dashboard_draws_its_charts_once_per_data_version() {
    let app = spawn_app().await;
    app.load_demo();
    let sg = app.token_for("sg");
    assert_eq!(cache_counts(&app).await, (0, 0));
    let (_, first) = app.get_as("/dashboard/2566?month=12", &sg).await;
    assert_eq!(cache_counts(&app).await, (0, 1), "the first view draws the charts");
    let (_, second) = app.get_as("/dashboard/2566?month=12", &sg).await;
    assert_eq!(cache_counts(&app).await, (1, 1), "the second is served from the cache");
    assert_eq!(first, second);
    // The pack of the same month reuses the same five charts (a hit), and draws itself (a miss).
    assert_eq!(app.get_as("/meeting-pack/2566/12", &sg).await.0, 200);
    assert_eq!(cache_counts(&app).await, (2, 2));
}

#[actix_web::test]
async fn a_browser_meets_a_bad_month_as_a_page_naming_the_field() {
    let app = spawn_app().await;
    app.load_demo();
    let sg = format!("Bearer {}", app.token_for("sg"));
    let mut res = app
        .client
        .get(app.url("/dashboard/2570?month=13"))
        .insert_header(("Authorization", sg.as_str()))
        .insert_header(("Accept", "text/html,application/xhtml+xml"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422, "the status stays");
    assert!(res.headers().get("content-type").unwrap().to_str().unwrap().starts_with("text/html"));
    assert!(res.headers().contains_key("content-security-policy"), "security headers still on");
    let page = String::from_utf8(res.body().await.unwrap().to_vec()).unwrap();
    assert!(page.contains("role=\"alert\"") && page.contains("month: &quot;13&quot; is not a fiscal month"), "{page}");
    assert!(page.contains("(sg)") && !page.contains("href=\"/login\""), "the header knows who is signed in");
    // The API keeps its JSON, whatever the client accepts.
    let res = app
        .client
        .get(app.url("/api/v1/fiscal-years/2570/summary?month=13"))
        .insert_header(("Authorization", sg.as_str()))
        .insert_header(("Accept", "text/html"))
        .send()
        .await
        .unwrap();
    assert!(res.headers().get("content-type").unwrap().to_str().unwrap().starts_with("application/json"));
    // The picker passes a bad month on to be named, instead of dropping it.
    let res = app
        .client
        .get(app.url("/dashboard?fy=2570&month=99"))
        .insert_header(("Authorization", sg.as_str()))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers().get("location").unwrap(), "/dashboard/2570?month=99");
}
