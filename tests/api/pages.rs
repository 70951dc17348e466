use budgetwatch::demo;
use chrono::NaiveDate;

use crate::helpers::spawn_app;

#[actix_web::test]
async fn the_front_page_says_what_to_do_when_the_office_is_empty() {
    let app = spawn_app().await;
    let (status, body) = app.get("/").await;
    assert_eq!(status, 200);
    assert!(body.contains("<html lang=\"th\">"), "{body}");
    assert!(body.contains("./run demo"), "{body}");
    assert!(!body.contains("<script"), "{body}");
}

#[actix_web::test]
async fn the_front_page_lists_each_fiscal_year_with_its_totals() {
    let app = spawn_app().await;
    let mut conn = app.db.conn();
    demo::load(&mut conn, NaiveDate::from_ymd_opt(2026, 11, 24).unwrap(), "demo-password").unwrap();
    let (status, body) = app.get("/").await;
    assert_eq!(status, 200);
    // FY2566: 48 projects worth 261,300,000.00 baht (a transfer moved money inside the year), 144 reports in 12 months.
    let row = body.split("<tr>").find(|r| r.contains("พ.ศ. 2566")).expect("a row for FY2566");
    assert!(row.contains(">48<") && row.contains(">261,300,000.00<") && row.contains(">144<"), "{row}");
    assert!(row.contains(">12 / 12<"), "{row}");
    let current = body.split("<tr>").find(|r| r.contains("พ.ศ. 2570")).expect("a row for FY2570");
    assert!(current.contains(">1 / 12<") && current.contains(">10<"), "{current}");
    // FY2568 had a 200,000-baht cut: the page shows the allocation in force.
    let cut = body.split("<tr>").find(|r| r.contains("พ.ศ. 2568")).expect("a row for FY2568");
    assert!(cut.contains(">276,778,000.00<"), "{cut}");
    let (status, css) = app.get("/assets/site.css").await;
    assert_eq!(status, 200);
    assert!(css.contains("--accent") && css.contains("url(\"/assets/fonts/Sarabun-Regular.ttf\")"));
    // The font the stylesheet names is served, whole, so Thai shows on any machine.
    let mut res = app.client.get(app.url("/assets/fonts/Sarabun-Regular.ttf")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers().get("content-type").unwrap(), "font/ttf");
    let font = res.body().await.unwrap();
    assert_eq!(&font[..], include_bytes!("../../assets/fonts/Sarabun-Regular.ttf"));
    assert_eq!(app.get("/assets/fonts/Arial.ttf").await.0, 404);
}

#[actix_web::test]
async fn a_signed_in_reporter_finds_its_months_on_the_front_page() {
    let app = spawn_app().await;
    app.load_demo();
    let (status, page) = app.get_as("/", &app.token_for("reporter-comm")).await;
    assert_eq!(status, 200);
    assert!(page.contains("href=\"/reports/2570/1/COMM\">ต.ค. 2569 · COMM</a> — ยังไม่เริ่ม"), "{page}");
    let (_, page) = app.get_as("/", &app.token_for("reporter-audit")).await;
    assert!(page.contains("AUDIT</a> — ร่าง ยังไม่ส่ง"), "{page}");
    let (_, page) = app.get_as("/", &app.token_for("strategy")).await;
    assert!(page.contains("href=\"/plan/2570\""), "{page}");
}
