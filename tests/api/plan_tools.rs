//! Strategy's tools: the holiday calendar (API and page), locking and reopening
//! a month on the page with a reason, re-spreading a project's open months after
//! a cut (previewed, then stored and audited), and a project's economic class in
//! the page, the API and the plan workbook.

use awc::http::Method;
use serde_json::{json, Value};

use crate::figures::hand_built_office;

#[actix_web::test]
async fn holidays_move_due_dates_and_strategy_keeps_them_in_the_api_and_the_page() {
    let app = hand_built_office("2022-12-06", &[]).await;
    let strategy = app.token_for("strategy");
    let (status, body) = app.get_as("/api/v1/fiscal-years/2566/calendar", &strategy).await;
    assert_eq!(status, 200);
    let cal: Value = serde_json::from_str(&body).unwrap();
    let nov = &cal["months"][1];
    assert_eq!(
        (nov["nominal"].as_str(), nov["due_on"].as_str(), nov["moved"].as_bool()),
        (Some("2022-12-05"), Some("2022-12-06"), Some(true))
    );
    assert_eq!(cal["months"][0]["due_on"], "2022-11-07", "a Saturday moves to Monday");
    // A bad list is refused whole, every problem named.
    let (status, body) = app
        .send_json(
            Method::PUT,
            "/api/v1/fiscal-years/2566/holidays",
            Some(&strategy),
            json!({"holidays": [{"day": "2023-10-13", "name_th": "x"}, {"day": "13/10/2022", "name_th": "x"}, {"day": "2022-10-13", "name_th": ""}]}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["details"].as_array().unwrap().len(), 3);
    // Readers may not change the calendar.
    let (status, _) = app
        .send_json(
            Method::PUT,
            "/api/v1/fiscal-years/2566/holidays",
            Some(&app.token_for("sg")),
            json!({"holidays": []}),
        )
        .await;
    assert_eq!(status, 403);

    // The page: strategy adds 7 November 2022 as a holiday (the form), and
    // October's report moves to Tuesday the 8th.
    let browser = app.browser_with("strategy", "a-good-password").await;
    let (status, page) = browser.get("/plan/2566/calendar").await;
    assert_eq!(status, 200);
    assert!(page.contains("7 พ.ย. 2565 (เลื่อนจาก 5 พ.ย. 2565"), "{page}");
    let a = browser.post_form("/plan/2566/holidays", &[("day", "2022-11-07"), ("name_th", "วันหยุดพิเศษ")]).await;
    assert_eq!((a.status, a.location.as_deref()), (303, Some("/plan/2566/calendar?done=holiday")));
    let (_, page) = browser.get("/plan/2566/calendar").await;
    assert!(page.contains("8 พ.ย. 2565 (เลื่อนจาก 5 พ.ย. 2565"), "{page}");
    let a = browser.post_form("/plan/2566/holidays", &[("day", "2024-01-01"), ("name_th", "นอกปี")]).await;
    assert_eq!(a.status, 422);
    assert!(a.body.contains("role=\"alert\"") && a.body.contains("day"), "{}", a.body);
    let a = browser.post_form("/plan/2566/holidays/2022-11-07/delete", &[]).await;
    assert_eq!(a.status, 303);
    let (_, body) = app.get_as("/api/v1/fiscal-years/2566/calendar", &strategy).await;
    assert!(body.contains("\"due_on\":\"2022-11-07\""), "{body}");
}

#[actix_web::test]
async fn a_month_is_locked_and_reopened_on_the_page_with_a_reason() {
    let app = hand_built_office("2022-12-06", &[1]).await;
    let browser = app.browser_with("strategy", "a-good-password").await;
    let a = browser.post_form("/plan/2566/months/1/lock", &[]).await;
    assert_eq!((a.status, a.location.as_deref()), (303, Some("/plan/2566/calendar?done=lock")));
    let (_, page) = browser.get("/plan/2566/calendar").await;
    assert!(page.contains("ปิดแล้ว") && page.contains("action=\"/plan/2566/months/1/reopen\""), "{page}");
    // A locked month takes no report.
    let aaa = app.token_for("reporter-aaa");
    let req = app
        .client
        .put(app.url("/api/v1/reports/2566/1/AAA"))
        .insert_header(("Authorization", format!("Bearer {aaa}")))
        .insert_header(("If-Match", "*"));
    assert_eq!(req.send_json(&json!({"status": "draft", "lines": []})).await.unwrap().status(), 409);
    // Reopening needs a reason.
    let a = browser.post_form("/plan/2566/months/1/reopen", &[("reason", " ")]).await;
    assert_eq!(a.status, 422);
    assert!(a.body.contains("reason"), "{}", a.body);
    let a = browser.post_form("/plan/2566/months/1/reopen", &[("reason", "แก้ไขตัวเลขตามบัญชีคุม")]).await;
    assert_eq!(a.status, 303);
    use diesel::prelude::*;
    let reasons: Vec<String> = budgetwatch::schema::month_lock_events::table
        .filter(budgetwatch::schema::month_lock_events::action.eq("reopen"))
        .select(budgetwatch::schema::month_lock_events::reason)
        .load(&mut app.db.conn())
        .unwrap();
    assert_eq!(reasons, ["แก้ไขตัวเลขตามบัญชีคุม"]);
    // Only ended months can be locked; only strategy may.
    let a = browser.post_form("/plan/2566/months/5/lock", &[]).await;
    assert_eq!(a.status, 303, "a month not yet ended may be locked ahead: no report can be written anyway");
    let reporter = app.browser_with("reporter-aaa", "a-good-password").await;
    assert_eq!(reporter.post_form("/plan/2566/months/1/lock", &[]).await.status, 403);
}

#[actix_web::test]
async fn a_cut_projects_open_months_are_re_spread_after_a_preview() {
    // 10 January 2023: October to December have ended.
    let app = hand_built_office("2023-01-10", &[1, 2, 3]).await;
    let strategy = app.token_for("strategy");
    let browser = app.browser_with("strategy", "a-good-password").await;
    let (_, page) = browser.get("/plan/2566").await;
    // B1 plans 1,200,000 against 1,080,000 after its cut: listed.
    assert!(
        page.contains("BBB B1 โครงการ B1") && page.contains("1,080,000.00") && page.contains("1,200,000.00"),
        "{page}"
    );
    // The preview stores nothing: nine open months share 1,080,000 − 300,000 =
    // 780,000 in proportion to their 100,000 each: 86,666.67 for the first six
    // (the satang left over) and 86,666.66 for the last three.
    let a = browser.post_form("/plan/2566/projects/B1/respread", &[("method", "proportional"), ("preview", "1")]).await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert!(
        a.body.contains("86666.67") && a.body.contains("86666.66") && a.body.contains("ยืนยันและบันทึกแผนใหม่"),
        "{}",
        a.body
    );
    let plans = |app: &crate::helpers::TestApp| -> Vec<String> {
        use diesel::prelude::*;
        diesel::sql_query(
            "SELECT m.planned::text AS v FROM monthly_plans m JOIN projects p ON p.id = m.project_id
             WHERE p.code = 'B1' ORDER BY m.month",
        )
        .load::<V>(&mut app.db.conn())
        .unwrap()
        .into_iter()
        .map(|v| v.v)
        .collect()
    };
    #[derive(diesel::QueryableByName)]
    struct V {
        #[diesel(sql_type = diesel::sql_types::Text)]
        v: String,
    }
    assert_eq!(plans(&app), vec!["100000.00"; 12], "a preview stores nothing");
    let a = browser.post_form("/plan/2566/projects/B1/respread", &[("method", "proportional")]).await;
    assert_eq!(a.status, 200);
    let mut expected = vec!["100000.00"; 3];
    expected.extend(vec!["86666.67"; 6]);
    expected.extend(vec!["86666.66"; 3]);
    assert_eq!(plans(&app), expected);
    let (_, page) = browser.get("/plan/2566").await;
    assert!(page.contains("แผนรายเดือนของทุกโครงการรวมได้เท่างบประมาณ"), "{page}");
    // Evenly, over the API; audited.
    let (status, body) = app
        .send_json(
            Method::POST,
            "/api/v1/fiscal-years/2566/projects/B2/respread",
            Some(&strategy),
            json!({"method": "even", "preview": true}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["after"][3], "0.00",
        "B2's plan already adds up: its open months stay as they are, nothing to spread"
    );
    let (status, body) = app
        .send_json(
            Method::POST,
            "/api/v1/fiscal-years/2566/projects/B1/respread",
            Some(&strategy),
            json!({"method": "sideways"}),
        )
        .await;
    assert_eq!((status, body["error"]["details"][0]["field"].as_str()), (422, Some("method")));
    use diesel::prelude::*;
    let audited: i64 = budgetwatch::schema::audit_events::table
        .filter(budgetwatch::schema::audit_events::action.eq("respread"))
        .count()
        .get_result(&mut app.db.conn())
        .unwrap();
    assert_eq!(audited, 1);
}

#[actix_web::test]
async fn a_projects_economic_class_is_changed_on_the_page_in_the_api_and_in_the_workbook() {
    let app = hand_built_office("2023-01-10", &[1, 2, 3]).await;
    let strategy = app.token_for("strategy");
    let browser = app.browser_with("strategy", "a-good-password").await;
    let a = browser.post_form("/plan/2566/classification", &[("project", "A3"), ("economic_class", "capital")]).await;
    assert_eq!((a.status, a.location.as_deref()), (303, Some("/plan/2566?done=classified")));
    let (_, s) = app.get_as("/api/v1/fiscal-years/2566/bureaus/AAA/summary?month=3", &app.token_for("sg")).await;
    assert!(s.contains("\"code\":\"A3\"") && s.contains("\"economic_class\":\"capital\""), "{s}");
    let (status, body) = app
        .send_json(
            Method::PUT,
            "/api/v1/fiscal-years/2566/projects/A3/classification",
            Some(&strategy),
            json!({"economic_class": "investment"}),
        )
        .await;
    assert_eq!((status, body["error"]["details"][0]["field"].as_str()), (422, Some("economic_class")));
    let (status, _) = app
        .send_json(
            Method::PUT,
            "/api/v1/fiscal-years/2566/projects/NOPE/classification",
            Some(&strategy),
            json!({"economic_class": "capital"}),
        )
        .await;
    assert_eq!(status, 404);
    // The workbook carries the class and changes it back.
    let mut res = app
        .client
        .get(app.url("/api/v1/fiscal-years/2566/plan.xlsx"))
        .insert_header(("Authorization", format!("Bearer {strategy}")))
        .send()
        .await
        .unwrap();
    let bytes = res.body().limit(10 << 20).await.unwrap().to_vec();
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let range = wb.worksheet_range("Plan").unwrap();
    let rows: Vec<Vec<calamine::Data>> = range.rows().map(|r| r.to_vec()).collect();
    let header: Vec<String> = rows[0].iter().map(|c| c.to_string()).collect();
    let col = header.iter().position(|h| h.contains("current/capital")).unwrap();
    let a3 = rows.iter().position(|r| r[1] == "A3").unwrap();
    assert_eq!(rows[a3][col].to_string(), "capital");
    // B1 was cut after its months were set: it comes back unchanged and passes,
    // but an edited month that still does not balance is refused on its row.
    let b1 = rows.iter().position(|r| r[1] == "B1").unwrap();
    let (status, body) = import_plan(&app, &strategy, &rows, &[(b1, 7, calamine::Data::Float(90000.0))]).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["details"][0]["field"], format!("row {}, column G", b1 + 1));
    let (status, body) =
        import_plan(&app, &strategy, &rows, &[(a3, col, calamine::Data::String("current".into()))]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["updated"], 1, "{body}");
    let (_, s) = app.get_as("/api/v1/fiscal-years/2566/bureaus/AAA/summary?month=3", &app.token_for("sg")).await;
    let s: Value = serde_json::from_str(&s).unwrap();
    let a3 = s["projects"].as_array().unwrap().iter().find(|p| p["code"] == "A3").unwrap().clone();
    assert_eq!(a3["economic_class"], "current");
}

/// Writes `rows` back as a plan workbook with `edits` (row, column, value) applied
/// and imports it as `token`.
async fn import_plan(
    app: &crate::helpers::TestApp,
    token: &str,
    rows: &[Vec<calamine::Data>],
    edits: &[(usize, usize, calamine::Data)],
) -> (u16, Value) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Plan").unwrap();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let value = edits.iter().find(|(er, ec, _)| (*er, *ec) == (r, c)).map_or(cell, |(_, _, v)| v);
            match value {
                calamine::Data::Float(f) => {
                    ws.write_number(r as u32, c as u16, *f).unwrap();
                }
                calamine::Data::Int(i) => {
                    ws.write_number(r as u32, c as u16, *i as f64).unwrap();
                }
                calamine::Data::String(s) => {
                    ws.write_string(r as u32, c as u16, s).unwrap();
                }
                _ => {}
            }
        }
    }
    let file = wb.save_to_buffer().unwrap();
    let mut res = app
        .client
        .post(app.url("/api/v1/fiscal-years/2566/plan.xlsx"))
        .insert_header(("Authorization", format!("Bearer {token}")))
        .insert_header(("Content-Type", budgetwatch::xlsx::CONTENT_TYPE))
        .send_body(file)
        .await
        .unwrap();
    let body: Value = serde_json::from_slice(&res.body().await.unwrap()).unwrap();
    (res.status().as_u16(), body)
}
