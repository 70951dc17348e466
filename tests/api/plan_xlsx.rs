//! The plan workbook: export, round trip, refusal of bad files with row and column,
//! and the strategy bureau's plan page with its forms.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use serde_json::Value;

use crate::helpers::{spawn_app, TestApp};

enum Cell {
    S(String),
    N(f64),
}

fn workbook(rows: &[Vec<Cell>]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Plan").unwrap();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            match cell {
                Cell::S(s) => ws.write_string(r as u32, c as u16, s).unwrap(),
                Cell::N(n) => ws.write_number(r as u32, c as u16, *n).unwrap(),
            };
        }
    }
    wb.save_to_buffer().unwrap()
}

async fn download(app: &TestApp, fy: i32, token: &str) -> Vec<Vec<Data>> {
    let mut res = app
        .client
        .get(app.url(&format!("/api/v1/fiscal-years/{fy}/plan.xlsx")))
        .insert_header(("Authorization", format!("Bearer {token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers().get("content-type").unwrap().to_str().unwrap().contains("spreadsheetml"));
    let bytes = res.body().limit(10 << 20).await.unwrap();
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes.to_vec())).unwrap();
    wb.worksheet_range("Plan").unwrap().rows().map(|r| r.to_vec()).collect()
}

/// The downloaded rows as cells to write back (the check column is left out).
fn as_cells(rows: &[Vec<Data>]) -> Vec<Vec<Cell>> {
    rows.iter()
        .map(|r| {
            r.iter()
                .take(19)
                .map(|c| match c {
                    Data::Float(f) => Cell::N(*f),
                    Data::Int(i) => Cell::N(*i as f64),
                    other => Cell::S(other.to_string()),
                })
                .collect()
        })
        .collect()
}

async fn upload(app: &TestApp, fy: i32, token: &str, bytes: Vec<u8>) -> (u16, Value) {
    let mut res = app
        .client
        .post(app.url(&format!("/api/v1/fiscal-years/{fy}/plan.xlsx")))
        .insert_header(("Authorization", format!("Bearer {token}")))
        .insert_header(("Content-Type", budgetwatch::xlsx::CONTENT_TYPE))
        .send_body(bytes)
        .await
        .unwrap();
    let body = res.body().await.unwrap();
    (res.status().as_u16(), serde_json::from_slice(&body).unwrap_or(Value::Null))
}

fn planned(app: &TestApp) -> i64 {
    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    diesel::sql_query("SELECT count(*) AS n FROM monthly_plans").get_result::<N>(&mut app.db.conn()).unwrap().n
}

#[actix_web::test]
async fn the_plan_downloads_with_every_project_and_round_trips() {
    let app = spawn_app().await;
    app.load_demo();
    let token = app.token_for("strategy");
    let rows = download(&app, 2566, &token).await;
    assert_eq!(rows.len(), 49, "a header and 48 projects");
    assert_eq!(rows[0][7].to_string(), "ต.ค. 2565");
    let dhr2 = rows.iter().find(|r| r[1] == Data::String("DHR-02".into())).unwrap();
    // 3,600,000 planned plus the 300,000 transferred in during the year.
    assert_eq!(dhr2[6], Data::Float(3_900_000.0));

    let rows = download(&app, 2570, &token).await;
    let mut cells = as_cells(&rows);
    // Move 1,000.50 of PSB-01's plan from October to November, and add a project.
    let psb = cells.iter_mut().find(|r| matches!(&r[1], Cell::S(s) if s == "PSB-01")).unwrap();
    if let (Cell::N(oct), Cell::N(nov)) = (&psb[7], &psb[8]) {
        let (oct, nov) = (*oct, *nov);
        psb[7] = Cell::N(oct - 1000.5);
        psb[8] = Cell::N(nov + 1000.5);
    }
    let mut new_row = vec![
        Cell::S("PSB".into()),
        Cell::S("PSB-09".into()),
        Cell::S("จัดทำรายงานประจำปี".into()),
        Cell::S("Annual report".into()),
        Cell::S("".into()),
        Cell::S("operating".into()),
        Cell::N(12000.0),
    ];
    new_row.extend((0..12).map(|_| Cell::N(1000.0)));
    cells.push(new_row);
    let (status, body) = upload(&app, 2570, &token, workbook(&cells)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, serde_json::json!({"created": 1, "updated": 1, "unchanged": 47}));
    let again = download(&app, 2570, &token).await;
    assert_eq!(again.len(), 50);
    // The same file again changes nothing.
    let (_, body) = upload(&app, 2570, &token, workbook(&as_cells(&again))).await;
    assert_eq!(body, serde_json::json!({"created": 0, "updated": 0, "unchanged": 49}));
}

#[actix_web::test]
async fn a_bad_file_is_refused_whole_with_rows_and_columns() {
    let app = spawn_app().await;
    app.load_demo();
    let token = app.token_for("strategy");
    let rows = download(&app, 2570, &token).await;
    let mut cells = as_cells(&rows);
    cells[1][0] = Cell::S("NOPE".into()); // unknown bureau (A2)
    cells[2][8] = Cell::N(1.005); // three decimals (I3)
    cells[3][9] = Cell::S("1,000".into()); // thousands separator (J4)
    cells[4][6] = Cell::N(1.0); // allocation changed in a file (G5)
    cells[5][1] = Cell::S("PSB-02".into()); // a code twice (B6)
    cells[6][10] = Cell::N(-5.0); // negative (K7)
    let before = planned(&app);
    let (status, body) = upload(&app, 2570, &token, workbook(&cells)).await;
    assert_eq!(status, 422, "{body}");
    let fields: Vec<&str> =
        body["error"]["details"].as_array().unwrap().iter().map(|d| d["field"].as_str().unwrap()).collect();
    for f in ["row 2, column A", "row 3, column I", "row 4, column J", "row 5, column G", "row 7, column K"] {
        assert!(fields.contains(&f), "{f} missing in {fields:?}");
    }
    assert!(fields.iter().any(|f| f.starts_with("row ") && f.ends_with("column B")), "{fields:?}");
    let g5: Vec<&Value> =
        body["error"]["details"].as_array().unwrap().iter().filter(|d| d["field"] == "row 5, column G").collect();
    assert!(g5.iter().any(|d| d["message"].as_str().unwrap().contains("transfer, cut or addition")), "{g5:?}");
    assert_eq!(planned(&app), before, "nothing stored");

    for broken in [b"".to_vec(), b"not a workbook at all".to_vec(), b"PK\x03\x04broken zip".to_vec()] {
        let (status, body) = upload(&app, 2570, &token, broken).await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(body["error"]["details"][0]["field"], "file");
    }
}

#[actix_web::test]
async fn the_plan_page_takes_adjustments_and_uploads_from_forms() {
    let app = spawn_app().await;
    app.load_demo();
    let token = app.token_for("strategy");
    let (status, page) = app.get_as("/plan/2570", &token).await;
    assert_eq!(status, 200);
    assert!(
        page.contains("action=\"/plan/2570/adjustments\"") && page.contains("enctype=\"multipart/form-data\""),
        "{page}"
    );
    let (_, read_only) = app.get_as("/plan/2570", &app.token_for("executive")).await;
    assert!(!read_only.contains("<form method=\"post\" action=\"/plan"), "executives read, they do not edit");

    // The upload form: multipart with the file in the field `file` (before the
    // cut below, after which PSB-03's plans no longer add up to its allocation).
    let rows = download(&app, 2570, &token).await;
    let file = workbook(&as_cells(&rows));
    let boundary = "----budgetwatch-test";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"plan.xlsx\"\r\nContent-Type: {}\r\n\r\n",
        budgetwatch::xlsx::CONTENT_TYPE
    )
    .into_bytes();
    body.extend_from_slice(&file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let res = app
        .client
        .post(app.url("/plan/2570/upload"))
        .insert_header(("Authorization", format!("Bearer {token}")))
        .insert_header(("Content-Type", format!("multipart/form-data; boundary={boundary}")))
        .send_body(body)
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert!(res.headers().get("location").unwrap().to_str().unwrap().contains("done=import"));

    // A mistake: the page comes back with the error at the top, the field marked,
    // and everything typed kept.
    let mut res = app
        .client
        .post(app.url("/plan/2570/adjustments"))
        .insert_header(("Authorization", format!("Bearer {token}")))
        .send_form(&[
            ("kind", "cut"),
            ("project", "PSB-03"),
            ("amount", "1,000"),
            ("effective_on", "2026-11-02"),
            ("reason", "ลดงบ"),
        ])
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let body = String::from_utf8(res.body().await.unwrap().to_vec()).unwrap();
    assert!(body.contains("role=\"alert\"") && body.contains("href=\"#amount\""), "{body}");
    assert!(body.contains("id=\"amount\" name=\"amount\" type=\"text\" value=\"1,000\" aria-invalid=\"true\" aria-describedby=\"amount-error\""), "{body}");
    assert!(body.contains("value=\"ลดงบ\""), "{body}");
    let res = app
        .client
        .post(app.url("/plan/2570/adjustments"))
        .insert_header(("Authorization", format!("Bearer {token}")))
        .send_form(&[
            ("kind", "cut"),
            ("project", "PSB-03"),
            ("amount", "1000"),
            ("effective_on", "2026-11-02"),
            ("reason", "ลดงบ"),
        ])
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers().get("location").unwrap(), "/plan/2570?done=adjustment");
    let (_, page) = app.get_as("/plan/2570?done=adjustment", &token).await;
    assert!(page.contains("บันทึกการปรับปรุงงบประมาณแล้ว") && page.contains("ปรับลด"), "{page}");
}

#[actix_web::test]
async fn the_year_settings_form_saves_all_or_nothing_and_opens_the_next_year() {
    let app = spawn_app().await;
    app.load_demo();
    let token = app.token_for("strategy");
    let (_, page) = app.get_as("/plan/2570", &token).await;
    assert!(
        page.contains("name=\"q1_overall\" value=\"32.00\"")
            && page.contains("name=\"level_5\" type=\"text\" value=\"97.00\""),
        "{page}"
    );
    let post = |fields: Vec<(&'static str, &'static str)>| {
        let req =
            app.client.post(app.url("/plan/2570/settings")).insert_header(("Authorization", format!("Bearer {token}")));
        async move { req.send_form(&fields).await.unwrap() }
    };
    let good: Vec<(&str, &str)> = vec![
        ("due_day", "7"),
        ("warn_lag_pp", "4"),
        ("critical_lag_pp", "12"),
        ("ledger_tolerance_pct", "0.5"),
        ("level_1", "88"),
        ("level_2", "90"),
        ("level_3", "92"),
        ("level_4", "94"),
        ("level_5", "97"),
        ("q1_overall", "30"),
        ("q2_overall", "52"),
        ("q3_overall", "75"),
        ("q4_overall", "93"),
    ];
    let mut bad = good.clone();
    bad[0] = ("due_day", "40");
    bad[6] = ("level_3", "1e2");
    bad[10] = ("q2_overall", "150");
    let mut res = post(bad).await;
    assert_eq!(res.status(), 422);
    let body = String::from_utf8(res.body().await.unwrap().to_vec()).unwrap();
    for field in ["due_day", "level_3"] {
        assert!(body.contains(&format!("id=\"{field}\" name=\"{field}\" type=\"text\" value=\"")), "{field}");
        assert!(body.contains(&format!("href=\"#{field}\"")), "{field} not listed at the top");
    }
    assert!(body.contains("id=\"q2_overall\" name=\"q2_overall\" value=\"150\" inputmode=\"decimal\" aria-label=\"ไตรมาส 2 ภาพรวม\" aria-invalid=\"true\""), "{body}");
    let (_, year) = app.get_as("/api/v1/fiscal-years/2570", &token).await;
    assert!(year.contains("\"due_day\":5"), "nothing was saved: {year}");

    let res = post(good).await;
    assert_eq!(res.status(), 303);
    let (_, year) = app.get_as("/api/v1/fiscal-years/2570", &token).await;
    let year: Value = serde_json::from_str(&year).unwrap();
    assert_eq!(year["due_day"], 7);
    assert_eq!(year["kpi_levels"][0], "88.00");
    assert_eq!(year["cabinet_targets"].as_array().unwrap().len(), 4, "only the targets entered are kept");

    let res = app
        .client
        .post(app.url("/fiscal-years/new"))
        .insert_header(("Authorization", format!("Bearer {token}")))
        .send_form(&[("fiscal_year", "2571")])
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers().get("location").unwrap(), "/plan/2571?done=created");
    let (_, year) = app.get_as("/api/v1/fiscal-years/2571", &token).await;
    assert!(year.contains("\"due_day\":7"), "copied from FY2570: {year}");
}
