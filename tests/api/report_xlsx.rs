//! A bureau's month through the Excel template: download, fill, import; and every
//! kind of bad file refused whole, by row and column, storing nothing.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use diesel::prelude::*;
use serde_json::Value;

use crate::helpers::{spawn_app, TestApp};

const PATH: &str = "/api/v1/reports/2570/1/COMM";

async fn template(app: &TestApp, token: &str, path: &str) -> Vec<Vec<Data>> {
    let mut res = app
        .client
        .get(app.url(&format!("{path}/template.xlsx")))
        .insert_header(("Authorization", format!("Bearer {token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let bytes = res.body().limit(10 << 20).await.unwrap().to_vec();
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    let range = wb.worksheet_range("Report").unwrap();
    let mut rows = Vec::new();
    for r in 0..range.end().unwrap().0 + 1 {
        rows.push((0..9).map(|c| range.get_value((r, c)).cloned().unwrap_or(Data::Empty)).collect());
    }
    rows
}

/// Writes `rows` back as a workbook, with `edit` applied to (row, col) cells (0-based).
fn workbook(rows: &[Vec<Data>], edit: &[((u32, u16), Data)]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Report").unwrap();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let cell = edit.iter().find(|(pos, _)| *pos == (r as u32, c as u16)).map(|(_, d)| d).unwrap_or(cell);
            match cell {
                Data::Float(f) => {
                    ws.write_number(r as u32, c as u16, *f).unwrap();
                }
                Data::Int(i) => {
                    ws.write_number(r as u32, c as u16, *i as f64).unwrap();
                }
                Data::String(s) => {
                    ws.write_string(r as u32, c as u16, s).unwrap();
                }
                _ => {}
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

async fn import(app: &TestApp, token: &str, path: &str, status: &str, bytes: Vec<u8>) -> (u16, Value) {
    let mut res = app
        .client
        .post(app.url(&format!("{path}/import?status={status}")))
        .insert_header(("Authorization", format!("Bearer {token}")))
        .insert_header(("Content-Type", budgetwatch::xlsx::CONTENT_TYPE))
        .send_body(bytes)
        .await
        .unwrap();
    let body = res.body().await.unwrap();
    (res.status().as_u16(), serde_json::from_slice(&body).unwrap_or(Value::Null))
}

fn revisions(app: &TestApp) -> i64 {
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    diesel::sql_query("SELECT count(*) AS n FROM report_revisions").get_result::<N>(&mut app.db.conn()).unwrap().n
}

#[actix_web::test]
async fn the_template_is_prefilled_and_a_filled_one_is_submitted() {
    let app = spawn_app().await;
    app.load_demo();
    let token = app.token_for("reporter-comm");
    let rows = template(&app, &token, PATH).await;
    assert_eq!(rows[1][1], Data::Float(2570.0));
    assert_eq!(rows[1][5], Data::String("COMM".into()));
    assert_eq!(rows[3][6], Data::String("เบิกจ่ายเดือนนี้".into()));
    assert_eq!(rows[4][0], Data::String("COMM-01".into()));
    assert_eq!(rows[4][3], Data::Float(1_232_000.0));
    assert_eq!(rows[8][0], Data::String("ปัญหาอุปสรรค".into()));
    let filled = workbook(
        &rows,
        &[
            ((4, 6), Data::Float(15000.25)),
            ((5, 7), Data::Float(80000.0)),
            ((9, 1), Data::String("รอผู้ขายส่งมอบ".into())),
        ],
    );
    let (status, body) = import(&app, &token, PATH, "submitted", filled).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!((body["status"].as_str(), body["revision"].as_i64()), (Some("submitted"), Some(1)));
    assert_eq!(body["lines"][0]["disbursed"], "15000.25");
    assert_eq!(body["lines"][1]["committed"], "80000.00");
    assert_eq!(body["limitations"], "รอผู้ขายส่งมอบ");
}

#[actix_web::test]
async fn a_bad_file_is_refused_whole_by_row_and_column() {
    let app = spawn_app().await;
    app.load_demo();
    let token = app.token_for("reporter-comm");
    let rows = template(&app, &token, PATH).await;
    let before = revisions(&app);
    let bad = workbook(
        &rows,
        &[
            ((4, 6), Data::String("abc".into())),
            ((5, 7), Data::Float(1.005)),
            ((6, 6), Data::Float(-3.0)),
            ((7, 0), Data::String("PSB-01".into())),
        ],
    );
    let (status, body) = import(&app, &token, PATH, "submitted", bad).await;
    assert_eq!(status, 422, "{body}");
    let fields: Vec<&str> =
        body["error"]["details"].as_array().unwrap().iter().map(|d| d["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["row 5, column G", "row 6, column H", "row 7, column G", "row 8, column A"]);
    assert!(body["error"]["details"][2]["message"].as_str().unwrap().contains("ติดลบ"), "{body}");

    // Over the allocation: the figures, at the project's row.
    let over = workbook(&rows, &[((4, 6), Data::Float(1_000_000.0)), ((4, 7), Data::Float(500_000.0))]);
    let (status, body) = import(&app, &token, PATH, "submitted", over).await;
    assert_eq!(status, 422);
    assert_eq!(body["error"]["details"][0]["field"], "row 5, column G");
    assert!(body["error"]["details"][0]["message"].as_str().unwrap().contains("เกินงบประมาณ"), "{body}");

    // Another bureau's sheet, and files that are not workbooks.
    let dhr = template(&app, &app.token_for("reporter-dhr"), "/api/v1/reports/2570/1/DHR").await;
    let (status, body) = import(&app, &token, PATH, "draft", workbook(&dhr, &[])).await;
    assert_eq!(status, 422);
    assert!(body["error"]["details"].as_array().unwrap().iter().any(|d| d["field"] == "row 2, column F"), "{body}");
    for broken in [Vec::new(), b"garbage".to_vec(), b"PK\x03\x04broken".to_vec()] {
        let (status, body) = import(&app, &token, PATH, "draft", broken).await;
        assert_eq!((status, body["error"]["details"][0]["field"].as_str()), (422, Some("file")));
    }
    assert_eq!(revisions(&app), before, "nothing stored");
}

#[actix_web::test]
async fn a_template_made_before_someone_else_saved_is_refused_as_stale() {
    let app = spawn_app().await;
    app.load_demo();
    let token = app.token_for("reporter-comm");
    let rows = template(&app, &token, PATH).await;
    let (status, _) = import(&app, &token, PATH, "draft", workbook(&rows, &[])).await;
    assert_eq!(status, 200);
    let (status, body) = import(&app, &token, PATH, "draft", workbook(&rows, &[((4, 6), Data::Float(1.0))])).await;
    assert_eq!(status, 412, "{body}");
}
