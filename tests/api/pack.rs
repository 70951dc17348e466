//! The meeting pack: HTML for A4 print, PDF (Thai text extracted with
//! pdftotext), XLSX (numbers as numbers, one sheet per table, frozen headers).

use std::io::Write;
use std::process::Command;

use calamine::{Data, Reader, Xlsx};

use crate::helpers::spawn_app;

async fn fetch(app: &crate::helpers::TestApp, path: &str, token: &str) -> (u16, String, Vec<u8>) {
    let mut res =
        app.client.get(app.url(path)).insert_header(("Authorization", format!("Bearer {token}"))).send().await.unwrap();
    let ct = res.headers().get("content-type").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    let body = res.body().limit(50_000_000).await.unwrap().to_vec();
    (res.status().as_u16(), ct, body)
}

#[actix_web::test]
async fn the_html_pack_has_every_part_for_a4_print() {
    let app = spawn_app().await;
    app.load_demo();
    let sg = app.token_for("sg");
    let (status, ct, body) = fetch(&app, "/meeting-pack/2570/1", &sg).await;
    assert_eq!(status, 200);
    assert!(ct.starts_with("text/html"));
    let page = String::from_utf8(body).unwrap();
    assert!(page.contains("ข้อมูล ณ วันที่ 31 ต.ค. 2569"), "cover with the as-of date in BE");
    for part in ["id=\"สรุป\"", "id=\"รายสำนัก\"", "id=\"สำนักที่ล่าช้า\"", "id=\"การแจ้งเตือน\"", "id=\"การส่งรายงาน\""]
    {
        assert!(page.contains(part), "{part}");
    }
    for kind in ["s-curve", "bureaus", "categories", "heatmap", "kpi"] {
        assert!(page.contains(&format!("<figure class=\"chart\" id=\"{kind}\" lang=\"th\"><svg")), "{kind}");
    }
    assert!(page.contains("<details open>"), "chart tables print open");
    // DHR lags 11.62 pp: first in the bureau table, and its obstacles are quoted.
    let bureaus = &page[page.find("id=\"รายสำนัก\"").unwrap()..];
    let first_row = &bureaus[bureaus.find("<tbody><tr>").unwrap()..];
    assert!(first_row[..200].contains("DHR"), "sorted by lag: {}", &first_row[..200]);
    let lagging = &page[page.find("id=\"สำนักที่ล่าช้า\"").unwrap()..page.find("id=\"การแจ้งเตือน\"").unwrap()];
    assert!(lagging.contains("DHR") && lagging.contains("11.62"), "{lagging}");
    assert!(!lagging.contains("PSB "), "a bureau on plan is not lagging");
    assert!(page.contains("ส่งแล้ว 10 จาก 12 (ทันกำหนด 9, เกินกำหนด 1, ยังไม่ส่ง 2)"), "completeness");
    assert!(page.contains("href=\"/meeting-pack/2570/1.pdf\"") && page.contains("href=\"/meeting-pack/2570/1.xlsx\""));
    assert!(!page.contains("<script") && !page.contains("style="), "CSP-safe");
}

#[actix_web::test]
async fn the_pdf_pack_keeps_thai_text_extractable() {
    let app = spawn_app().await;
    app.load_demo();
    let (status, ct, pdf) = fetch(&app, "/meeting-pack/2570/1.pdf", &app.token_for("executive")).await;
    assert_eq!(status, 200);
    assert_eq!(ct, "application/pdf");
    assert!(pdf.starts_with(b"%PDF-"));
    if Command::new("pdftotext").arg("-v").output().is_err() {
        assert_ne!(
            std::env::var("BUDGETWATCH_PDFTOTEXT_REQUIRED").as_deref(),
            Ok("1"),
            "./run test found pdftotext, but the test cannot run it"
        );
        eprintln!("SKIPPED the text check: pdftotext (Debian's poppler-utils) is not installed");
        return;
    }
    let mut file = tempfile_in_target("pack.pdf");
    file.1.write_all(&pdf).unwrap();
    let out = Command::new("pdftotext").args(["-layout", file.0.to_str().unwrap(), "-"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    for expected in [
        "สำนักงานคณะกรรมการสิทธิมนุษยชนแห่งชาติ",
        "ข้อมูล ณ วันที่ 31 ต.ค. 2569",
        "ผลการดำเนินงานเทียบเป้าหมาย",
        "ผลการเบิกจ่ายรายสำนัก เรียงตามความล่าช้ากว่าแผน",
        "ปัญหาอุปสรรค",
        "ความครบถ้วนของการรายงาน",
        "11.62",
    ] {
        assert!(text.contains(expected), "{expected:?} is not in the PDF's text:\n{text}");
    }
    let info = Command::new("pdffonts").arg(file.0.to_str().unwrap()).output().unwrap();
    let fonts = String::from_utf8_lossy(&info.stdout);
    assert!(fonts.contains("Sarabun") && !fonts.contains(" no "), "fonts embedded:\n{fonts}");
    let pages =
        String::from_utf8(Command::new("pdfinfo").arg(file.0.to_str().unwrap()).output().unwrap().stdout).unwrap();
    assert!(pages.contains("595.28 x 841.89") || pages.contains("595.28 x 841.9"), "A4:\n{pages}");
}

#[actix_web::test]
async fn the_xlsx_pack_has_numbers_as_numbers_and_a_sheet_per_table() {
    let app = spawn_app().await;
    app.load_demo();
    let (status, _, bytes) = fetch(&app, "/meeting-pack/2566/12.xlsx", &app.token_for("strategy")).await;
    assert_eq!(status, 200);
    let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let names = wb.sheet_names();
    for sheet in ["ปก", "สรุป", "รายสำนัก", "งบรายจ่าย", "สำนักที่ล่าช้า", "การแจ้งเตือน", "การส่งรายงาน", "แผนภูมิ S-curve"]
    {
        assert!(names.iter().any(|n| n == sheet), "{sheet} in {names:?}");
    }
    let summary = wb.worksheet_range("สรุป").unwrap();
    let row = summary.rows().find(|r| r[0].to_string().starts_with("ร้อยละเบิกจ่าย+ก่อหนี้ผูกพัน")).unwrap();
    assert_eq!(row[1], Data::Float(97.0), "FY2566 closes at 97.00%, as a number");
    let bureaus = wb.worksheet_range("รายสำนัก").unwrap();
    assert_eq!(bureaus.get((0, 0)), Some(&Data::String("รหัส".into())));
    assert!(matches!(bureaus.get((1, 2)), Some(Data::Float(a)) if *a > 0.0), "allocation is a number");
    let cover = wb.worksheet_range("ปก").unwrap();
    assert!(cover.rows().any(|r| r[1] == Data::String("30 ก.ย. 2566".into())), "as-of date in BE");
}

#[actix_web::test]
async fn the_pack_refuses_what_it_cannot_give() {
    let app = spawn_app().await;
    app.load_demo();
    let sg = app.token_for("sg");
    let (status, _, body) = fetch(&app, "/meeting-pack/2570/3.pdf", &sg).await;
    assert_eq!(status, 422, "a month that has not ended: {}", String::from_utf8_lossy(&body));
    assert_eq!(fetch(&app, "/meeting-pack/2570/13", &sg).await.0, 422);
    assert_eq!(fetch(&app, "/meeting-pack/2570/1.docx", &sg).await.0, 404);
    assert_eq!(fetch(&app, "/meeting-pack/2400/1", &sg).await.0, 404);
    assert_eq!(fetch(&app, "/meeting-pack/abc/1", &sg).await.0, 404, "a path that names no year, as elsewhere");
    assert_eq!(fetch(&app, "/meeting-pack/2570/1", &app.token_for("reporter-dhr")).await.0, 403);
}

/// A file under target/ (tests write nothing outside the build tree).
fn tempfile_in_target(name: &str) -> (std::path::PathBuf, std::fs::File) {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
    let path = dir.join(format!("{}-{name}", std::process::id()));
    let file = std::fs::File::create(&path).unwrap();
    (path, file)
}

/// GETs `path` as `token` with an optional If-None-Match: (status, ETag, X-Cache, body).
async fn conditional(
    app: &crate::helpers::TestApp,
    path: &str,
    token: &str,
    etag: Option<&str>,
) -> (u16, String, String, Vec<u8>) {
    let mut req = app.client.get(app.url(path)).insert_header(("Authorization", format!("Bearer {token}")));
    if let Some(e) = etag {
        req = req.insert_header(("If-None-Match", e));
    }
    let mut res = req.send().await.unwrap();
    let header = |n: &str| res.headers().get(n).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    let (etag, cache) = (header("etag"), header("x-cache"));
    let body = res.body().limit(50_000_000).await.unwrap().to_vec();
    (res.status().as_u16(), etag, cache, body)
}

#[actix_web::test]
async fn charts_and_packs_are_drawn_once_per_data_version() {
    let app = spawn_app().await;
    app.load_demo();
    let token = app.token_for("strategy");
    for path in ["/api/v1/fiscal-years/2570/charts/s-curve.png?month=1", "/meeting-pack/2570/1.pdf"] {
        let (status, etag, cache, first) = conditional(&app, path, &token, None).await;
        assert_eq!((status, cache.as_str()), (200, "miss"), "{path}");
        let (status, again, cache, second) = conditional(&app, path, &token, None).await;
        assert_eq!((status, cache.as_str()), (200, "hit"), "{path}: a repeated request is not drawn again");
        assert_eq!((etag.as_str(), &first), (again.as_str(), &second));
        let (status, _, _, body) = conditional(&app, path, &token, Some(&etag)).await;
        assert_eq!((status, body.len()), (304, 0), "{path}: the client's copy is current");

        // An adjustment changes the allocation: drawn afresh, with a new ETag.
        let (status, rows) = app
            .send_json(
                awc::http::Method::POST,
                "/api/v1/fiscal-years/2570/adjustments",
                Some(&token),
                serde_json::json!({"kind": "addition", "project": "PSB-01", "amount": "5000000", "effective_on": "2026-10-01", "reason": "งบกลางเพิ่มเติม"}),
            )
            .await;
        assert_eq!(status, 201, "{rows}");
        let (status, changed, cache, third) = conditional(&app, path, &token, Some(&etag)).await;
        assert_eq!((status, cache.as_str()), (200, "miss"), "{path}: invalidated by the adjustment");
        assert_ne!(changed, etag);
        assert_ne!(third, first, "{path}: the new allocation shows");
    }
}
