//! The monthly report as a bureau officer uses it in the browser.

use crate::helpers::{spawn_app, TestApp};

async fn post(app: &TestApp, token: &str, path: &str, fields: &[(&str, &str)]) -> (u16, String, Option<String>) {
    let mut res = app
        .client
        .post(app.url(path))
        .insert_header(("Authorization", format!("Bearer {token}")))
        .send_form(&fields)
        .await
        .unwrap();
    let location = res.headers().get("location").map(|v| v.to_str().unwrap().to_string());
    (res.status().as_u16(), String::from_utf8(res.body().await.unwrap().to_vec()).unwrap(), location)
}

#[actix_web::test]
async fn an_officer_makes_a_mistake_reads_the_error_fixes_it_and_submits() {
    let app = spawn_app().await;
    app.load_demo();
    let token = app.token_for("reporter-comm");
    let (status, page) = app.get_as("/reports/2570/1/COMM", &token).await;
    assert_eq!(status, 200);
    assert!(
        page.contains("ยังไม่เริ่ม") && page.contains("id=\"d_COMM-01\"") && page.contains("เบิกจ่ายสะสมถึงเดือนก่อน"),
        "{page}"
    );
    assert!(page.contains("name=\"revision\" value=\"0\""));

    // Thousands separators and Thai digits are refused, with everything typed kept.
    let typed = [
        ("revision", "0"),
        ("action", "submit"),
        ("d_COMM-01", "12,500"),
        ("c_COMM-01", "0"),
        ("d_COMM-02", "๕๐๐"),
        ("c_COMM-02", "0"),
        ("d_COMM-03", "0"),
        ("c_COMM-03", "0"),
        ("d_COMM-04", "0"),
        ("c_COMM-04", "0"),
        ("limitations", "บุคลากรลาคลอด"),
    ];
    let (status, page, _) = post(&app, &token, "/reports/2570/1/COMM", &typed).await;
    assert_eq!(status, 422);
    assert!(
        page.contains("role=\"alert\"") && page.contains("href=\"#d_COMM-01\"") && page.contains("href=\"#d_COMM-02\""),
        "{page}"
    );
    assert!(page.contains("id=\"d_COMM-01\" name=\"d_COMM-01\" value=\"12,500\""), "typed value kept");
    assert!(page.contains("aria-invalid=\"true\" aria-describedby=\"d_COMM-01-error\""), "{page}");
    assert!(page.contains("จุลภาค"), "the Thai reason is shown");
    assert!(page.contains(">บุคลากรลาคลอด</textarea>"), "narrative kept");

    // Preview shows the rates without saving.
    let mut fixed = typed;
    fixed[2] = ("d_COMM-01", "12500");
    fixed[4] = ("d_COMM-02", "500");
    fixed[1] = ("action", "preview");
    let (status, page, _) = post(&app, &token, "/reports/2570/1/COMM", &fixed).await;
    assert_eq!(status, 200);
    assert!(page.contains("ผลตามตัวเลขที่กรอก") && page.contains("ยังไม่เริ่ม"), "{page}");

    fixed[1] = ("action", "submit");
    let (status, _, location) = post(&app, &token, "/reports/2570/1/COMM", &fixed).await;
    assert_eq!(status, 303);
    assert_eq!(location.as_deref(), Some("/reports/2570/1/COMM?done=submitted"));
    let (_, page) = app.get_as("/reports/2570/1/COMM?done=submitted", &token).await;
    assert!(page.contains("ส่งรายงานแล้ว") && page.contains("ส่งแล้ว (ฉบับที่ 1)"), "{page}");
    assert!(page.contains("value=\"12500.00\""));

    // The form of a page read before someone else saved is refused as stale.
    let (status, page, _) = post(&app, &token, "/reports/2570/1/COMM", &fixed).await;
    assert_eq!(status, 412);
    assert!(page.contains("ถูกแก้ไขไปแล้ว"), "{page}");

    let (status, history) = app.get_as("/reports/2570/1/COMM/revisions", &token).await;
    assert_eq!(status, 200);
    assert!(history.contains("ฉบับแรก") && history.contains("13,000.00"), "{history}");
}

#[actix_web::test]
async fn the_narrative_is_marked_required_when_the_bureau_lags_and_history_shows_changes() {
    let app = spawn_app().await;
    app.load_demo();
    let token = app.token_for("reporter-dhr");
    let (_, page) = app.get_as("/reports/2570/1/DHR", &token).await;
    // DHR's submitted figures leave it behind plan by more than the warning.
    assert!(page.contains("(จำเป็นต้องระบุก่อนส่ง)") && page.contains("aria-required=\"true\""), "{page}");
    let revision = page.split("name=\"revision\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let mut fields: Vec<(String, String)> = vec![("revision".into(), revision), ("action".into(), "submit".into())];
    for p in ["DHR-01", "DHR-02", "DHR-03", "DHR-04"] {
        let value = |prefix: &str| {
            let marker = format!("id=\"{prefix}_{p}\" name=\"{prefix}_{p}\" value=\"");
            page.split(&marker).nth(1).unwrap().split('"').next().unwrap().to_string()
        };
        fields.push((format!("d_{p}"), value("d")));
        fields.push((format!("c_{p}"), if p == "DHR-03" { "250000".into() } else { value("c") }));
    }
    fields.push(("obstacles".into(), String::new()));
    fields.push(("suggestions".into(), "เร่งลงนามสัญญา".into()));
    let borrowed: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (status, page, _) = post(&app, &token, "/reports/2570/1/DHR", &borrowed).await;
    assert_eq!(status, 422);
    assert!(page.contains("href=\"#obstacles\"") && page.contains("aria-describedby=\"obstacles-error\""), "{page}");
    fields.retain(|(k, _)| k != "obstacles");
    fields.push(("obstacles".into(), "ผู้รับจ้างส่งมอบงานล่าช้า".into()));
    let borrowed: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (status, _, _) = post(&app, &token, "/reports/2570/1/DHR", &borrowed).await;
    assert_eq!(status, 303);
    let (_, history) = app.get_as("/reports/2570/1/DHR/revisions", &token).await;
    assert!(
        history.contains("DHR-03 ก่อหนี้ผูกพัน") && history.contains("→ 250,000.00") && history.contains("แก้ไขปัญหาอุปสรรค"),
        "{history}"
    );
}

#[actix_web::test]
async fn others_read_the_report_but_cannot_write_it() {
    let app = spawn_app().await;
    app.load_demo();
    let (status, page) = app.get_as("/reports/2570/1/DHR", &app.token_for("sg")).await;
    assert_eq!(status, 200);
    assert!(page.contains(" disabled>") && !page.contains("value=\"submit\""), "read only for the secretary-general");
    assert_eq!(app.get_as("/reports/2570/1/DHR", &app.token_for("reporter-psb")).await.0, 404);
    let (status, _, _) =
        post(&app, &app.token_for("reporter-psb"), "/reports/2570/1/DHR", &[("action", "draft")]).await;
    assert_eq!(status, 404);
}

#[actix_web::test]
async fn the_form_is_available_in_english_and_keeps_its_language_through_errors() {
    let app = spawn_app().await;
    app.load_demo();
    let token = app.token_for("reporter-comm");
    let (status, page) = app.get_as("/reports/2570/1/COMM?lang=en", &token).await;
    assert_eq!(status, 200);
    assert!(
        page.contains("<html lang=\"en\">")
            && page.contains("Disbursed this month")
            && page.contains(">Submit report<"),
        "{page}"
    );
    assert!(page.contains("href=\"/reports/2570/1/COMM\" lang=\"th\">ภาษาไทย</a>"), "a way back to Thai");
    let (status, page, _) = post(
        &app,
        &token,
        "/reports/2570/1/COMM",
        &[("revision", "0"), ("lang", "en"), ("action", "submit"), ("d_COMM-01", "x")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(page.contains("Not saved yet. Please correct:") && page.contains("name=\"lang\" value=\"en\""), "{page}");
    let (_, thai) = app.get_as("/reports/2570/1/COMM", &token).await;
    assert!(thai.contains("<html lang=\"th\">") && thai.contains("เบิกจ่ายเดือนนี้"));
}
