//! Charts as SVG and PNG: accessible, in Thai, for who may see them.

use std::process::Command;

use crate::helpers::{spawn_app, TestApp};

async fn fetch(app: &TestApp, user: &str, path: &str) -> (u16, Option<String>, Vec<u8>) {
    let mut res = app
        .client
        .get(app.url(path))
        .insert_header(("Authorization", format!("Bearer {}", app.token_for(user))))
        .send()
        .await
        .unwrap();
    let ct = res.headers().get("content-type").map(|v| v.to_str().unwrap().to_string());
    (res.status().as_u16(), ct, res.body().limit(20 << 20).await.unwrap().to_vec())
}

fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "a PNG");
    (u32::from_be_bytes(bytes[16..20].try_into().unwrap()), u32::from_be_bytes(bytes[20..24].try_into().unwrap()))
}

#[actix_web::test]
async fn every_chart_comes_as_an_accessible_svg_and_a_png() {
    let app = spawn_app().await;
    app.load_demo();
    for kind in ["s-curve", "bureaus", "categories", "heatmap", "kpi"] {
        let (status, ct, svg) =
            fetch(&app, "sg", &format!("/api/v1/fiscal-years/2566/charts/{kind}.svg?month=12")).await;
        assert_eq!(status, 200, "{kind}: {}", String::from_utf8_lossy(&svg));
        assert!(ct.unwrap().starts_with("image/svg+xml"));
        let svg = String::from_utf8(svg).unwrap();
        assert!(
            svg.contains("role=\"img\"")
                && svg.contains(&format!("<title id=\"chart-title-{kind}\">"))
                && svg.contains(&format!("<desc id=\"chart-desc-{kind}\">")),
            "{kind}"
        );
        assert!(svg.contains("ปีงบประมาณ พ.ศ. 2566") && svg.contains("font-family=\"Sarabun\""), "{kind}");
        let (status, ct, png) =
            fetch(&app, "sg", &format!("/api/v1/fiscal-years/2566/charts/{kind}.png?month=12")).await;
        assert_eq!((status, ct.as_deref()), (200, Some("image/png")), "{kind}");
        assert_eq!(png_size(&png), (1200, 675), "{kind}");
    }
    let (_, _, kpi) = fetch(&app, "sg", "/api/v1/fiscal-years/2566/charts/kpi.svg?month=12").await;
    let kpi = String::from_utf8(kpi).unwrap();
    assert!(kpi.contains("คาดการณ์ ณ สิ้นปีร้อยละ 97.00 อยู่ในระดับ 5"), "the description states the message");
    let (_, _, dhr) = fetch(&app, "sg", "/api/v1/fiscal-years/2570/charts/s-curve.svg?month=1&bureau=DHR").await;
    assert!(String::from_utf8(dhr).unwrap().contains("ล่าช้ากว่าแผน 11.62 จุด"));
}

#[actix_web::test]
async fn who_may_see_which_chart_and_bad_requests_are_named() {
    let app = spawn_app().await;
    app.load_demo();
    assert_eq!(
        fetch(&app, "reporter-dhr", "/api/v1/fiscal-years/2570/charts/s-curve.svg").await.0,
        403,
        "office charts"
    );
    assert_eq!(fetch(&app, "reporter-dhr", "/api/v1/fiscal-years/2570/charts/s-curve.svg?bureau=DHR").await.0, 200);
    assert_eq!(fetch(&app, "reporter-dhr", "/api/v1/fiscal-years/2570/charts/s-curve.svg?bureau=PSB").await.0, 404);
    // The office-wide kinds, whatever bureau is named (the reproduction).
    for kind in ["bureaus", "heatmap", "kpi"] {
        let path = format!("/api/v1/fiscal-years/2566/charts/{kind}.svg?month=12&bureau=DHR");
        assert_eq!(fetch(&app, "reporter-dhr", &path).await.0, 403, "{path}");
    }
    assert_eq!(fetch(&app, "admin", "/api/v1/fiscal-years/2570/charts/kpi.svg").await.0, 403);
    assert_eq!(fetch(&app, "sg", "/api/v1/fiscal-years/2570/charts/pie.svg").await.0, 404);
    assert_eq!(fetch(&app, "sg", "/api/v1/fiscal-years/2570/charts/kpi.gif").await.0, 404);
    assert_eq!(fetch(&app, "sg", "/api/v1/fiscal-years/2599/charts/kpi.svg").await.0, 404);
    let (status, _, body) = fetch(&app, "sg", "/api/v1/fiscal-years/2570/charts/kpi.svg?month=2").await;
    assert_eq!(status, 422);
    assert!(String::from_utf8(body).unwrap().contains("\"field\":\"month\""));
    let (status, _, body) = fetch(&app, "sg", "/api/v1/fiscal-years/2570/charts/s-curve.svg?bureau=NOPE").await;
    assert_eq!(status, 404);
    let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(body["error"]["message"], "there is no bureau \"NOPE\" for you");
}

#[actix_web::test]
async fn the_command_line_draws_a_chart_to_a_file() {
    let app = spawn_app().await;
    app.load_demo();
    let dir = std::env::temp_dir().join(format!("bw-chart-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("s.png");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_budgetwatch"))
            .args(args)
            .env("DATABASE_URL", &app.db.url)
            .env("BUDGETWATCH_LOG", "off")
            .env("BUDGETWATCH_AUDIT_KEY", crate::helpers::AUDIT_KEY)
            .output()
            .unwrap()
    };
    let ok = run(&["chart", "s-curve", "--fy", "2566", "--month", "12", "--out", out.to_str().unwrap()]);
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    assert_eq!(png_size(&std::fs::read(&out).unwrap()), (1200, 675));
    assert!(String::from_utf8(ok.stdout).unwrap().contains("เบิกจ่ายรวมก่อหนี้ผูกพันร้อยละ 97.00"));
    let bad = run(&["chart", "pie", "--fy", "2566", "--month", "12", "--out", out.to_str().unwrap()]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8(bad.stderr).unwrap().contains("is not a chart"));
    let bad = run(&["chart", "kpi", "--fy", "2566", "--month", "12", "--out", dir.join("k.jpg").to_str().unwrap()]);
    assert!(String::from_utf8(bad.stderr).unwrap().contains(".svg or .png"));
    std::fs::remove_dir_all(dir).unwrap();
}
