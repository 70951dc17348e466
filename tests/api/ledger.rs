//! The control ledger: imports (CSV with Thai or English headers, XLSX, the
//! command line), every kind of bad file refused whole with its rows named,
//! re-imports that add nothing, the reconciliation with hand-computed figures,
//! the two ledger alerts, and finance's pages.

use std::process::Command;

use awc::http::Method;
use budgetwatch::alerts;
use chrono::{TimeZone, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Numeric, Text};
use rust_decimal::Decimal;
use serde_json::{json, Value};

use crate::helpers::{settings_for, spawn_app, TestApp};

async fn post_file(app: &TestApp, user: &str, body: Vec<u8>) -> (u16, Value) {
    let mut res = app
        .client
        .post(app.url("/api/v1/ledger/imports?filename=test.csv"))
        .insert_header(("Authorization", format!("Bearer {}", app.token_for(user))))
        .insert_header(("Content-Type", "text/csv"))
        .send_body(body)
        .await
        .unwrap();
    let bytes = res.body().limit(1 << 20).await.unwrap();
    (res.status().as_u16(), serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

/// The entries a test imported: the demo office's own ledger (`demo-ledger-*.csv`,
/// loaded with the demo) is left out.
const IMPORTED_HERE: &str = "NOT EXISTS (SELECT 1 FROM ledger_imports i
                                       WHERE i.id = ledger_entries.import_id AND i.filename LIKE 'demo-ledger-%')";

fn entries(app: &TestApp) -> i64 {
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    diesel::sql_query(format!("SELECT count(*) AS n FROM ledger_entries WHERE {IMPORTED_HERE}"))
        .get_result::<N>(&mut app.db.conn())
        .unwrap()
        .n
}

fn fields(body: &Value) -> Vec<String> {
    body["error"]["details"].as_array().unwrap().iter().map(|d| d["field"].as_str().unwrap().to_string()).collect()
}

const THAI_HEADER: &str = "วันที่,เลขที่เอกสาร,อ้างอิง,รหัสสำนัก,รหัสโครงการ,ประเภท,จำนวนเงิน\n";
const HEADER: &str = "date,document_no,reference,bureau_code,project_code,kind,amount\n";

#[actix_web::test]
async fn a_ledger_in_thai_is_appended_once_with_each_entrys_effect() {
    let app = spawn_app().await;
    app.load_demo();
    let mut file = b"\xef\xbb\xbf".to_vec();
    file.extend_from_slice(THAI_HEADER.as_bytes());
    file.extend_from_slice(
        "2026-10-05,PO-1,,AUDIT,AUDIT-01,ก่อหนี้ผูกพัน,100000.00\n\
         2026-10-20,PV-1,PO-1,AUDIT,AUDIT-01,เบิกจ่าย,40000\n\
         2026-10-21,PV-2,,AUDIT,AUDIT-02,disbursement,5000.50\n\
         5/11/2569,CX-1,PV-2,AUDIT,AUDIT-02,ยกเลิก,500.50\n\
         6/11/2569,CX-2,PV-1,AUDIT,AUDIT-01,ยกเลิก,1000\n"
            .as_bytes(),
    );
    let (status, body) = post_file(&app, "finance", file.clone()).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(
        (body["rows"].as_i64(), body["added"].as_i64(), body["already_present"].as_i64()),
        (Some(5), Some(5), Some(0))
    );
    // The same file again adds nothing.
    let (status, again) = post_file(&app, "finance", file).await;
    assert_eq!(status, 201);
    assert_eq!((again["added"].as_i64(), again["already_present"].as_i64()), (Some(0), Some(5)));
    assert_eq!(entries(&app), 5);

    // Each entry's effect on D and C, by hand: the commitment opens 100,000;
    // PV-1 pays 40,000 of it; CX-2 takes back 1,000 of that payment, which
    // reopens 1,000 of the commitment; PV-2 is paid without a commitment and
    // 500.50 of it is cancelled.
    #[derive(QueryableByName, Debug, PartialEq)]
    struct E {
        #[diesel(sql_type = Text)]
        document_no: String,
        #[diesel(sql_type = Numeric)]
        d_effect: Decimal,
        #[diesel(sql_type = Numeric)]
        c_effect: Decimal,
    }
    let got: Vec<E> = diesel::sql_query(format!(
        "SELECT document_no, d_effect, c_effect FROM ledger_entries WHERE {IMPORTED_HERE} ORDER BY document_no"
    ))
    .load(&mut app.db.conn())
    .unwrap();
    let e = |doc: &str, d: &str, c: &str| E {
        document_no: doc.into(),
        d_effect: d.parse().unwrap(),
        c_effect: c.parse().unwrap(),
    };
    assert_eq!(
        got,
        [
            e("CX-1", "-500.50", "0"),
            e("CX-2", "-1000.00", "1000.00"),
            e("PO-1", "0", "100000.00"),
            e("PV-1", "40000.00", "-40000.00"),
            e("PV-2", "5000.50", "0")
        ]
    );
    // D = 40,000 + 5,000.50 − 500.50 − 1,000 = 43,500.00; C = 100,000 − 40,000 + 1,000 = 61,000.00.
    #[derive(QueryableByName, Debug, PartialEq)]
    struct Sums {
        #[diesel(sql_type = Numeric)]
        d: Decimal,
        #[diesel(sql_type = Numeric)]
        c: Decimal,
    }
    let sums: Sums = diesel::sql_query(format!(
        "SELECT sum(d_effect) AS d, sum(c_effect) AS c FROM ledger_entries WHERE {IMPORTED_HERE}"
    ))
    .get_result(&mut app.db.conn())
    .unwrap();
    assert_eq!(sums, Sums { d: "43500.00".parse().unwrap(), c: "61000.00".parse().unwrap() });
    // As of October's end the November cancellations are not yet in. (AUDIT has
    // submitted nothing this year, so the demo's ledger holds nothing of it.)
    let (_, r) = app.get_as("/api/v1/fiscal-years/2570/reconciliation/AUDIT?month=1", &app.token_for("auditor")).await;
    let r: Value = serde_json::from_str(&r).unwrap();
    assert_eq!((r["ledger_disbursed"].as_str(), r["ledger_committed"].as_str()), (Some("45000.50"), Some("60000.00")));
    assert_eq!(r["entries"], 3);

    let (_, history) = app.get_as("/api/v1/ledger/imports", &app.token_for("auditor")).await;
    let history: Value = serde_json::from_str(&history).unwrap();
    assert_eq!(history[0]["already_present"], 5);
    assert_eq!(history[1]["added"], 5);
    // Only finance imports.
    assert_eq!(post_file(&app, "strategy", HEADER.as_bytes().to_vec()).await.0, 403);
}

#[actix_web::test]
async fn every_kind_of_bad_file_is_refused_whole_with_its_rows_named() {
    let app = spawn_app().await;
    app.load_demo();
    let seed = format!("{HEADER}2026-10-05,PO-1,,DHR,DHR-01,commitment,100000.00\n");
    assert_eq!(post_file(&app, "finance", seed.into_bytes()).await.0, 201);
    let cases: Vec<(&str, Vec<u8>, Vec<&str>, &str)> = vec![
        ("empty file", vec![], vec!["file"], "empty"),
        ("header only", HEADER.as_bytes().to_vec(), vec!["file"], "no entries"),
        (
            "not UTF-8",
            [HEADER.as_bytes(), b"2026-10-05,PO-9,,DHR,DHR-01,commitment,1\n2026-10-05,\xe0\xb9,,DHR,DHR-01,commitment,1\n"].concat(),
            vec!["file"],
            "not UTF-8",
        ),
        (
            "a missing column",
            b"date,document_no,bureau_code,project_code,kind\n2026-10-05,PO-9,DHR,DHR-01,commitment\n".to_vec(),
            vec!["row 1, column -"],
            "amount (จำนวนเงิน) is missing",
        ),
        (
            "an unknown bureau and project",
            format!("{HEADER}2026-10-05,PO-9,,NOPE,DHR-01,commitment,1\n2026-10-05,PO-10,,DHR,DHR-99,commitment,1\n").into_bytes(),
            vec!["row 2, column D (bureau_code)", "row 3, column E (project_code)"],
            "there is no project DHR-99 of bureau DHR in fiscal year 2570",
        ),
        (
            "three decimals and a comma",
            format!("{HEADER}2026-10-05,PO-9,,DHR,DHR-01,commitment,1.005\n2026-10-05,PO-10,,DHR,DHR-01,commitment,\"1,000\"\n")
                .into_bytes(),
            vec!["row 2, column G (amount)", "row 3, column G (amount)"],
            "more than two decimal places",
        ),
        (
            "a date outside every fiscal year",
            format!("{HEADER}2040-10-05,PO-9,,DHR,DHR-01,commitment,1\n").into_bytes(),
            vec!["row 2, column A (date)"],
            "fiscal year 2584, which budgetwatch does not have",
        ),
        (
            "a document twice in the file",
            format!("{HEADER}2026-10-05,PO-9,,DHR,DHR-01,commitment,1\n2026-10-06,PO-9,,DHR,DHR-01,commitment,2\n").into_bytes(),
            vec!["row 3, column B (document_no)"],
            "already in row 2 of this file",
        ),
        (
            "a document already in the ledger with other figures",
            format!("{HEADER}2026-10-05,PO-1,,DHR,DHR-01,commitment,99\n").into_bytes(),
            vec!["row 2, column B (document_no)"],
            "a correction is a cancellation",
        ),
        (
            "a payment of more than is open, with the figures",
            format!("{HEADER}2026-10-20,PV-1,PO-1,DHR,DHR-01,disbursement,60000\n2026-10-21,PV-2,PO-1,DHR,DHR-01,disbursement,50000\n")
                .into_bytes(),
            vec!["row 2, column G (amount)", "row 3, column G (amount)"],
            "commitment PO-1 has 100,000.00 baht open; the rows of this file settle or cancel 110,000.00 baht of it",
        ),
        (
            "a NUL byte in a cell",
            [HEADER.as_bytes(), b"2026-10-05,PO-\x009,,DHR,DHR-01,commitment,1\n"].concat(),
            vec!["row 2, column B (document_no)"],
            "NUL",
        ),
        (
            "a payment against no commitment",
            format!("{HEADER}2026-10-20,PV-1,PO-404,DHR,DHR-01,disbursement,1\n").into_bytes(),
            vec!["row 2, column C (reference)"],
            "PO-404 is not a commitment in the ledger or in this file",
        ),
    ];
    for (what, file, expected, message) in cases {
        let (status, body) = post_file(&app, "finance", file).await;
        assert_eq!(status, 422, "{what}: {body}");
        assert_eq!(fields(&body), expected, "{what}: {body}");
        assert!(body.to_string().contains(message), "{what}: {body}");
        assert_eq!(entries(&app), 1, "{what}: nothing is stored");
    }
    // A 21 MB file is refused while it is read.
    let mut big = HEADER.as_bytes().to_vec();
    big.resize(21 << 20, b'x');
    let (status, body) = post_file(&app, "finance", big).await;
    assert_eq!(status, 422);
    assert!(body.to_string().contains("larger than 20 MB"), "{body}");
    // 150 bad rows: the first 100 listed, all counted; the refusal is in the history.
    let mut many = HEADER.to_string();
    for i in 0..150 {
        many.push_str(&format!("2026-10-05,X-{i},,DHR,DHR-01,commitment,-1\n"));
    }
    let (status, body) = post_file(&app, "finance", many.into_bytes()).await;
    assert_eq!(status, 422);
    assert_eq!(fields(&body).len(), 100);
    assert!(body["error"]["message"].as_str().unwrap().contains("150 problems; the first 100 are listed"), "{body}");
    let (_, history) = app.get_as("/api/v1/ledger/imports", &app.token_for("finance")).await;
    let history: Value = serde_json::from_str(&history).unwrap();
    assert_eq!((history[0]["outcome"].as_str(), history[0]["problems"].as_i64()), (Some("refused"), Some(150)));
    assert_eq!(history[0]["errors"].as_array().unwrap().len(), 100);
}

#[actix_web::test]
async fn a_workbook_and_the_command_line_import_the_same_way() {
    let app = spawn_app().await;
    app.load_demo();
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in ["วันที่", "เลขที่เอกสาร", "รหัสสำนัก", "รหัสโครงการ", "ประเภท", "จำนวนเงิน"].iter().enumerate()
    {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    let date = rust_xlsxwriter::ExcelDateTime::from_ymd(2026, 10, 5).unwrap();
    let format = rust_xlsxwriter::Format::new().set_num_format("d/m/yyyy");
    sheet.write_datetime_with_format(1, 0, &date, &format).unwrap();
    sheet.write_string(1, 1, "PO-X1").unwrap();
    sheet.write_string(1, 2, "DHR").unwrap();
    sheet.write_string(1, 3, "DHR-01").unwrap();
    sheet.write_string(1, 4, "ก่อหนี้ผูกพัน").unwrap();
    sheet.write_number(1, 5, 1234.5).unwrap();
    let bytes = book.save_to_buffer().unwrap();
    let (status, body) = post_file(&app, "finance", bytes).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["added"], 1);

    let dir = std::env::temp_dir().join(format!("ledger-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("ledger.csv");
    std::fs::write(&path, format!("{HEADER}2026-10-06,PV-X1,PO-X1,DHR,DHR-01,disbursement,1234.50\n")).unwrap();
    let run = || {
        Command::new(env!("CARGO_BIN_EXE_budgetwatch"))
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("BUDGETWATCH_LOG", "off")
            .env("BUDGETWATCH_AUDIT_KEY", crate::helpers::AUDIT_KEY)
            .env("DATABASE_URL", &app.db.url)
            .args(["import", "ledger"])
            .arg(&path)
            .output()
            .unwrap()
    };
    let out = run();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("1 rows, 1 added, 0 already in the ledger"));
    std::fs::write(&path, format!("{HEADER}2026-10-06,PV-X2,PO-X1,DHR,DHR-01,disbursement,0.01\n")).unwrap();
    let out = run();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("row 2, column G (amount): เบิกจ่ายหรือยกเลิกเกินยอดคงค้าง"), "{stderr}");
    assert!(stderr.contains("commitment PO-X1 has 0.00 baht open"), "{stderr}");
    assert_eq!(entries(&app), 2);
    std::fs::remove_dir_all(dir).ok();
}

#[actix_web::test]
async fn reconciliation_agrees_within_the_tolerance_and_the_ledger_alerts_follow_the_cause() {
    let app = spawn_app().await;
    app.load_demo();
    let auditor = app.token_for("auditor");
    let office = |body: &str, code: &str| -> Value {
        let v: Value = serde_json::from_str(body).unwrap();
        v["bureaus"].as_array().unwrap().iter().find(|b| b["code"] == code).unwrap().clone()
    };
    // The demo office's own ledger (demo::ledger) says what DHR reported for
    // October: it agrees to the baht. COMM, which has not reported, has no entries.
    let (_, r) = app.get_as("/api/v1/fiscal-years/2570/reconciliation?month=1", &auditor).await;
    assert_eq!(office(&r, "COMM")["status"], "no_ledger");
    assert_eq!(serde_json::from_str::<Value>(&r).unwrap()["tolerance_rate"], "0.50");
    let dhr = office(&r, "DHR");
    assert_eq!((dhr["difference_rate"].as_str(), dhr["status"].as_str()), (Some("0.00"), Some("agrees")), "{dhr}");
    let allocation: Decimal = dhr["allocation"].as_str().unwrap().parse().unwrap();

    // A payment the bureau did not report, of 0.5% of its allocation: still agrees
    // (the tolerance is inclusive); one of 1%: differs by 1.00.
    let half = (allocation / Decimal::from(200)).round_dp(2);
    let file = format!("{HEADER}2026-10-11,D-EXTRA-1,,DHR,DHR-01,disbursement,{half}\n");
    assert_eq!(post_file(&app, "finance", file.into_bytes()).await.0, 201);
    let (_, r) = app.get_as("/api/v1/fiscal-years/2570/reconciliation?month=1", &auditor).await;
    assert_eq!(office(&r, "DHR")["status"], "agrees", "{r}");
    let file = format!("{HEADER}2026-10-12,D-EXTRA-2,,DHR,DHR-01,disbursement,{half}\n");
    assert_eq!(post_file(&app, "finance", file.into_bytes()).await.0, 201);
    let (_, r) = app.get_as("/api/v1/fiscal-years/2570/reconciliation?month=1", &auditor).await;
    let dhr = office(&r, "DHR");
    assert_eq!((dhr["difference_rate"].as_str(), dhr["status"].as_str()), (Some("1.00"), Some("differs")), "{dhr}");

    // The alert: DHR's October report is in and differs. (The demo ledger's own
    // designed faults raise alerts on SOUTH and INTL: the lists are DHR's and LAW's.)
    let noon = Utc.with_ymd_and_hms(2026, 11, 24, 5, 0, 0).unwrap();
    alerts::evaluate(&mut app.db.conn(), noon, true, &settings_for(&app.db).delivery).unwrap();
    let (_, list) = app.get_as("/api/v1/alerts?kind=ledger_mismatch&bureau=DHR", &app.token_for("sg")).await;
    let list: Value = serde_json::from_str(&list).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    assert_eq!(list[0]["bureau_code"], "DHR");
    assert!(list[0]["message_th"].as_str().unwrap().contains("ต่างกันร้อยละ 1.00"), "{list}");

    // The cause goes (the extra payments are cancelled): the alert is resolved.
    let file = format!(
        "{HEADER}2026-10-13,X-1,D-EXTRA-1,DHR,DHR-01,cancellation,{half}\n2026-10-13,X-2,D-EXTRA-2,DHR,DHR-01,cancellation,{half}\n"
    );
    assert_eq!(post_file(&app, "finance", file.into_bytes()).await.0, 201);
    alerts::evaluate(&mut app.db.conn(), noon, true, &settings_for(&app.db).delivery).unwrap();
    let (_, list) = app.get_as("/api/v1/alerts?kind=ledger_mismatch&bureau=DHR", &app.token_for("sg")).await;
    assert_eq!(serde_json::from_str::<Value>(&list).unwrap()[0]["status"], "resolved", "{list}");

    // A commitment beyond a project's allocation: over_commitment, critical, on the project.
    let (_, p) = app.get_as("/api/v1/fiscal-years/2570/reconciliation/LAW?month=1", &auditor).await;
    let law: Value = serde_json::from_str(&p).unwrap();
    let project = &law["projects"][0];
    let code = project["code"].as_str().unwrap();
    let beyond: Decimal = project["allocation"].as_str().unwrap().parse::<Decimal>().unwrap() + Decimal::ONE;
    let file = format!("{HEADER}2026-10-15,BIG-1,,LAW,{code},commitment,{beyond}\n");
    assert_eq!(post_file(&app, "finance", file.into_bytes()).await.0, 201);
    alerts::evaluate(&mut app.db.conn(), noon, true, &settings_for(&app.db).delivery).unwrap();
    let (_, list) = app.get_as("/api/v1/alerts?kind=over_commitment&bureau=LAW", &app.token_for("sg")).await;
    let list: Value = serde_json::from_str(&list).unwrap();
    assert_eq!(
        (list[0]["severity"].as_str(), list[0]["bureau_code"].as_str()),
        (Some("critical"), Some("LAW")),
        "{list}"
    );
    assert!(list[0]["message_th"].as_str().unwrap().contains(code));
    let file = format!("{HEADER}2026-10-16,BIG-1-X,BIG-1,LAW,{code},cancellation,{beyond}\n");
    assert_eq!(post_file(&app, "finance", file.into_bytes()).await.0, 201);
    alerts::evaluate(&mut app.db.conn(), noon, true, &settings_for(&app.db).delivery).unwrap();
    let (_, list) = app.get_as("/api/v1/alerts?kind=over_commitment&bureau=LAW", &app.token_for("sg")).await;
    assert_eq!(serde_json::from_str::<Value>(&list).unwrap()[0]["status"], "resolved");
}

#[actix_web::test]
async fn finance_imports_in_the_browser_and_others_read_the_reconciliation() {
    let app = spawn_app().await;
    app.load_demo();
    let finance = app.browser("finance").await;
    assert!(finance.get("/").await.1.contains("href=\"/ledger\""), "the front page leads finance to the ledger");
    let (status, page) = finance.get("/ledger").await;
    assert_eq!(status, 200);
    assert!(page.contains("action=\"/ledger/imports\"") && page.contains("enctype=\"multipart/form-data\""), "{page}");
    let bad = format!("{HEADER}2026-10-05,PO-1,,DHR,DHR-01,commitment,1.005\n");
    let refused =
        finance.post_multipart("/ledger/imports", &[("csrf_token", &finance.csrf.clone())], bad.as_bytes()).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused.body.contains("row 2, column G (amount)") && refused.body.contains("nothing was added"),
        "{}",
        refused.body
    );
    let good = format!("{HEADER}2026-10-05,PO-1,,DHR,DHR-01,commitment,1000\n");
    let done =
        finance.post_multipart("/ledger/imports", &[("csrf_token", &finance.csrf.clone())], good.as_bytes()).await;
    assert_eq!((done.status, done.location.as_deref()), (303, Some("/ledger?done=import:1-0")));
    let (_, page) = finance.get("/ledger?done=import:1-0").await;
    assert!(page.contains("นำเข้าแล้ว: เพิ่ม 1 รายการ มีอยู่แล้ว 0 รายการ"), "{page}");
    assert!(page.contains("ไม่รับไฟล์: พบปัญหา 1 จุด"), "{page}");
    assert!(page.contains("<li>row 2, column G (amount): 1.005 has more than two decimal places"), "{page}");
    // Without the token: refused, nothing added.
    let forged = finance.post_multipart("/ledger/imports", &[], good.as_bytes()).await;
    assert_eq!(forged.status, 403);

    // The secretary-general reads office → bureau → documents, in English too.
    let sg = app.browser("sg").await;
    let (status, page) = sg.get("/ledger").await;
    assert_eq!(status, 200);
    assert!(!page.contains("action=\"/ledger/imports\""), "only finance uploads");
    let (status, page) = sg.get("/ledger/reconciliation?fy=2570&month=1&lang=en").await;
    assert_eq!(status, 200);
    assert!(
        page.contains("<html lang=\"en\"")
            && page.contains("href=\"/ledger/reconciliation/DHR?fy=2570&amp;month=1&amp;lang=en\""),
        "{page}"
    );
    let (status, page) = sg.get("/ledger/reconciliation/DHR?fy=2570&month=1").await;
    assert_eq!(status, 200);
    assert!(page.contains("href=\"/ledger/documents/DHR-01?fy=2570&amp;month=1\""), "{page}");
    let (status, page) = sg.get("/ledger/documents/DHR-01?fy=2570&month=1").await;
    assert_eq!(status, 200);
    assert!(page.contains("PO-1") && page.contains("ก่อหนี้ผูกพัน") && page.contains("1,000.00"), "{page}");
    // Bad input in the query string is named; a month not yet ended is refused.
    assert_eq!(sg.get("/ledger/reconciliation?fy=abc").await.0, 404);
    assert_eq!(sg.get("/ledger/reconciliation?fy=2570&month=13").await.0, 422);
    assert_eq!(sg.get("/ledger/documents/NOPE?fy=2570&month=1").await.0, 404);
    // A reporter has no business here.
    let reporter = app.browser("reporter-dhr").await;
    assert_eq!(reporter.get("/ledger").await.0, 403);
    assert_eq!(
        app.send_json(
            Method::GET,
            "/api/v1/fiscal-years/2570/reconciliation",
            Some(&app.token_for("reporter-dhr")),
            json!(null)
        )
        .await
        .0,
        403
    );
}

async fn get_bytes(app: &TestApp, path: &str, user: &str) -> (u16, Vec<u8>) {
    let mut res = app
        .client
        .get(app.url(path))
        .insert_header(("Authorization", format!("Bearer {}", app.token_for(user))))
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.body().limit(50_000_000).await.unwrap().to_vec())
}

#[actix_web::test]
async fn the_meeting_pack_says_whether_its_figures_were_checked_and_what_was_carried_over() {
    let app = spawn_app().await;
    app.load_demo();
    // A year the ledger has nothing of (the demo's ledger is FY2566's and this
    // year's): the pack says its figures were not checked.
    let (_, html) = get_bytes(&app, "/meeting-pack/2569/12", "executive").await;
    let html = String::from_utf8(html).unwrap();
    assert!(html.contains("บัญชีคุมยังไม่มีรายการของปีนี้: ตัวเลขในเอกสารนี้ยังไม่ได้ตรวจกับบัญชีคุม"), "{html}");

    // DHR agrees; LAW's ledger has one payment it did not report. FY2569 left
    // 600,000 of a commitment open on 30 September; 250,000 was paid in October
    // (a carried-over payment belongs to the commitment's year).
    let mut file = HEADER.to_string();
    file.push_str("2026-10-11,LAW-PAY,,LAW,LAW-01,disbursement,5000000\n");
    file.push_str("2026-09-10,PO-2569,,DHR,DHR-01,commitment,1000000\n");
    file.push_str("2026-09-20,PV-2569,PO-2569,DHR,DHR-01,disbursement,400000\n");
    file.push_str("2026-10-15,PV-2570,PO-2569,DHR,DHR-01,disbursement,250000\n");
    let (status, body) = post_file(&app, "finance", file.into_bytes()).await;
    assert_eq!(status, 201, "{body}");
    // A payment after the carry-over lapsed (31 March 2027) is refused.
    let late = format!("{HEADER}2027-04-01,PV-LATE,PO-2569,DHR,DHR-01,disbursement,1\n");
    let (status, body) = post_file(&app, "finance", late.into_bytes()).await;
    assert_eq!(status, 422);
    assert!(
        body.to_string()
            .contains("2027-04-01 is after 2027-03-31, when the commitments carried over from fiscal year 2569 lapsed"),
        "{body}"
    );

    let (_, html) = get_bytes(&app, "/meeting-pack/2570/1", "executive").await;
    let html = String::from_utf8(html).unwrap();
    // The demo's ledger: the ten bureaus that reported October agree but SOUTH
    // (its designed unreported payment); LAW now differs too; AUDIT and COMM,
    // which have not reported, have no entries.
    assert!(html.contains("ตรงกัน 8 สำนัก · ไม่ตรงกัน 2 สำนัก · ไม่มีในบัญชีคุม 2 สำนัก"), "{html}");
    assert!(html.contains("เงินกันไว้เบิกเหลื่อมปีจากปีงบประมาณ 2569 (สิ้นสุด 31 มี.ค. 2570) ณ 31 ต.ค. 2569"), "{html}");
    // DHR: one commitment, 600,000.00 open at the year's end, 250,000.00 paid since, 350,000.00 left.
    for figure in ["600,000.00", "250,000.00", "350,000.00"] {
        assert!(html.contains(figure), "{figure} in the carry-over table");
    }
    // The PDF says it too (where pdftotext is installed: ./run test installs it).
    let (_, pdf) = get_bytes(&app, "/meeting-pack/2570/1.pdf", "executive").await;
    let path = std::env::temp_dir().join(format!("pack-ledger-{}.pdf", std::process::id()));
    std::fs::write(&path, &pdf).unwrap();
    if let Ok(out) = Command::new("pdftotext").args(["-layout"]).arg(&path).arg("-").output() {
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("เทียบกับบัญชีควบคุมการเบิกจ่าย") && text.contains("ไม่ตรงกัน"), "{text}");
        assert!(text.contains("เงินกันไว้เบิกเหลื่อมปี"), "{text}");
    }
    std::fs::remove_file(&path).ok();
    let (_, xlsx) = get_bytes(&app, "/meeting-pack/2570/1.xlsx", "executive").await;
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx)).unwrap();
    use calamine::Reader;
    let check = wb.worksheet_range("เทียบบัญชีคุม").unwrap();
    let law = check.rows().find(|r| r.first().map(|c| c.to_string()) == Some("LAW".into())).expect("LAW's row");
    assert_eq!(law.last().unwrap().to_string(), "ไม่ตรงกัน");
    let carry = wb.worksheet_range("เงินกันเหลื่อมปี").unwrap();
    let dhr = carry.rows().find(|r| r.first().map(|c| c.to_string()) == Some("DHR".into())).expect("DHR's row");
    assert_eq!(dhr.iter().map(|c| c.to_string()).collect::<Vec<_>>(), ["DHR", "1", "600000", "250000", "0", "350000"]);

    // The carry-over page, in either language.
    let sg = app.browser("sg").await;
    let (status, page) = sg.get("/ledger/carry-over?fy=2569").await;
    assert_eq!(status, 200);
    assert!(page.contains("PO-2569") && page.contains("รอเบิกจ่าย") && page.contains("350,000.00"), "{page}");
    let (status, page) = sg.get("/ledger/carry-over?fy=2569&lang=en").await;
    assert_eq!(status, 200);
    assert!(page.contains("Carried over from fiscal year 2569") && page.contains(">Open<"), "{page}");
    assert_eq!(sg.get("/ledger/carry-over?fy=9999").await.0, 404);

    // The limit is the year's setting: strategy moves it to 31 January 2027,
    // and a payment on 1 February is refused; a date before the year's end is not a limit.
    let strategy = app.token_for("strategy");
    let path = "/api/v1/fiscal-years/2569/settings";
    let (status, body) =
        app.send_json(Method::PUT, path, Some(&strategy), json!({"carry_over_until": "2026-09-01"})).await;
    assert_eq!(status, 422);
    assert!(body.to_string().contains("carry_over_until"), "{body}");
    let (status, body) =
        app.send_json(Method::PUT, path, Some(&strategy), json!({"carry_over_until": "2027-01-31"})).await;
    assert!(status < 300, "{status} {body}");
    let late = format!("{HEADER}2027-02-01,PV-FEB,PO-2569,DHR,DHR-01,disbursement,1\n");
    let (status, body) = post_file(&app, "finance", late.into_bytes()).await;
    assert_eq!(status, 422);
    assert!(body.to_string().contains("is after 2027-01-31"), "{body}");
    let (_, page) = sg.get("/ledger/carry-over?fy=2569").await;
    assert!(page.contains("31 ม.ค. 2570"), "{page}");
}

#[actix_web::test]
async fn the_dashboard_and_the_summary_can_show_the_ledgers_figures_to_compare() {
    let app = spawn_app().await;
    app.load_demo();
    let exec = app.token_for("executive");
    let summary = |body: String| serde_json::from_str::<Value>(&body).unwrap();
    let reports = summary(app.get_as("/api/v1/fiscal-years/2570/bureaus/DHR/summary?month=1", &exec).await.1);
    // The demo's ledger says what DHR reported: the same summary, to the last
    // project, forecast included.
    let ledger =
        summary(app.get_as("/api/v1/fiscal-years/2570/bureaus/DHR/summary?month=1&source=ledger", &exec).await.1);
    assert_eq!(ledger, reports);
    // One unreported payment of 1% of the allocation: the ledger's disbursed rate is 1.00 point higher.
    let allocation: Decimal = reports["allocation"].as_str().unwrap().parse().unwrap();
    let one = (allocation / Decimal::from(100)).round_dp(2);
    let file = format!("{HEADER}2026-10-12,D-EXTRA,,DHR,DHR-01,disbursement,{one}\n");
    assert_eq!(post_file(&app, "finance", file.into_bytes()).await.0, 201);
    let ledger =
        summary(app.get_as("/api/v1/fiscal-years/2570/bureaus/DHR/summary?month=1&source=ledger", &exec).await.1);
    let rate = |v: &Value| v["disbursed_rate"].as_str().unwrap().parse::<Decimal>().unwrap();
    assert_eq!(rate(&ledger) - rate(&reports), Decimal::ONE, "{ledger}");
    let office = summary(app.get_as("/api/v1/fiscal-years/2570/summary?month=1&source=ledger", &exec).await.1);
    assert_eq!(
        office["bureaus"].as_array().unwrap().iter().find(|b| b["code"] == "DHR").unwrap()["disbursed_rate"],
        ledger["disbursed_rate"]
    );

    // The pages say which figures they show and lead to the other.
    let browser = app.browser("executive").await;
    let (status, page) = browser.get("/dashboard/2570?month=1").await;
    assert_eq!(status, 200);
    assert!(page.contains("href=\"/dashboard/2570?month=1&amp;source=ledger\""), "{page}");
    let (status, page) = browser.get("/dashboard/2570/bureaus/DHR?month=1&source=ledger").await;
    assert_eq!(status, 200);
    assert!(page.contains("มาจากบัญชีควบคุมการเบิกจ่าย ไม่ใช่จากรายงานของสำนัก"), "{page}");
    // The charts follow the source: the S-curve's cumulative disbursed rate at
    // October is the ledger's, one point above the reports'.
    let cumulative = |page: &str| -> Decimal {
        let at = page.find("เบิกจ่ายสะสมร้อยละ ").expect("the S-curve's description") + "เบิกจ่ายสะสมร้อยละ ".len();
        page[at..].split_whitespace().next().unwrap().parse().unwrap()
    };
    let (_, reported_page) = browser.get("/dashboard/2570/bureaus/DHR?month=1").await;
    assert_eq!(cumulative(&page) - cumulative(&reported_page), Decimal::ONE);
    // Bad or forbidden sources.
    let (status, body) = app.get_as("/api/v1/fiscal-years/2570/summary?month=1&source=gfmis", &exec).await;
    assert_eq!(status, 422);
    assert!(body.contains("\"field\":\"source\""), "{body}");
    let reporter = app.token_for("reporter-dhr");
    assert_eq!(
        app.get_as("/api/v1/fiscal-years/2570/bureaus/DHR/summary?month=1&source=ledger", &reporter).await.0,
        403
    );
    assert_eq!(app.get_as("/api/v1/fiscal-years/2570/bureaus/DHR/summary?month=1", &reporter).await.0, 200);
}

#[actix_web::test]
async fn two_imports_of_the_same_file_at_once_add_it_once() {
    let app = spawn_app().await;
    app.load_demo();
    let mut file = HEADER.to_string();
    for i in 0..200 {
        file.push_str(&format!("2026-10-05,PO-R{i},,DHR,DHR-01,commitment,1.00\n"));
    }
    let (a, b) = futures_util::future::join(
        post_file(&app, "finance", file.clone().into_bytes()),
        post_file(&app, "finance", file.into_bytes()),
    )
    .await;
    assert_eq!((a.0, b.0), (201, 201), "{} {}", a.1, b.1);
    let mut added = [a.1["added"].as_i64().unwrap(), b.1["added"].as_i64().unwrap()];
    added.sort();
    assert_eq!(added, [0, 200]);
    assert_eq!(entries(&app), 200);
}
