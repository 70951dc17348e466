//! Workbooks made to hurt: a cell at the far corner of the sheet (calamine's
//! range reader would allocate the whole rectangle, half a terabyte) and a zip
//! bomb in the shared strings. Both are refused with 422 naming the sheet and the
//! cell or the part, nothing is stored, and the service goes on serving without
//! its memory growing.

use std::io::{Cursor, Read, Write};

use serde_json::Value;

use crate::helpers::{spawn_app, TestApp};

const REPORT: &str = "/api/v1/reports/2570/1/COMM";

async fn download(app: &TestApp, token: &str, path: &str) -> Vec<u8> {
    let mut res =
        app.client.get(app.url(path)).insert_header(("Authorization", format!("Bearer {token}"))).send().await.unwrap();
    assert_eq!(res.status(), 200, "{path}");
    res.body().limit(10 << 20).await.unwrap().to_vec()
}

async fn upload(app: &TestApp, token: &str, path: &str, bytes: Vec<u8>) -> (u16, Value) {
    let mut res = app
        .client
        .post(app.url(path))
        .insert_header(("Authorization", format!("Bearer {token}")))
        .insert_header(("Content-Type", budgetwatch::xlsx::CONTENT_TYPE))
        .send_body(bytes)
        .await
        .unwrap();
    let body = res.body().await.unwrap();
    (res.status().as_u16(), serde_json::from_slice(&body).unwrap_or(Value::Null))
}

/// The workbook with part `name` replaced by `edit(old text)`, every part deflated.
fn rewrite(xlsx: &[u8], name: &str, edit: impl Fn(String) -> Vec<u8>) -> Vec<u8> {
    let mut zip = zip::ZipArchive::new(Cursor::new(xlsx)).unwrap();
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated).large_file(true);
    let mut found = false;
    for i in 0..zip.len() {
        let mut part = zip.by_index(i).unwrap();
        let part_name = part.name().unwrap().to_string();
        let mut content = Vec::new();
        part.read_to_end(&mut content).unwrap();
        if part_name == name {
            found = true;
            content = edit(String::from_utf8(content).unwrap());
        }
        out.start_file(part_name, options).unwrap();
        out.write_all(&content).unwrap();
    }
    assert!(found, "no part {name}");
    out.finish().unwrap().into_inner()
}

/// The zip with the uncompressed size of part `name` written as `size` in its
/// local and central headers (ZIP64 or not), the data left as it is.
fn understate(zip: &[u8], name: &str, size: u32) -> Vec<u8> {
    let mut out = zip.to_vec();
    let name = name.as_bytes();
    let mut patched = 0;
    for (signature, name_len_at, extra_len_at, name_at, size_at) in
        [(b"PK\x03\x04", 26, 28, 30, 22), (b"PK\x01\x02", 28, 30, 46, 24)]
    {
        let mut i = 0;
        while let Some(at) = out[i..].windows(4).position(|w| w == signature).map(|p| p + i) {
            i = at + 4;
            let u16_at = |k: usize| u16::from_le_bytes([out[at + k], out[at + k + 1]]) as usize;
            let (name_len, extra_len) = (u16_at(name_len_at), u16_at(extra_len_at));
            if out.get(at + name_at..at + name_at + name_len) != Some(name) {
                continue;
            }
            let declared = u32::from_le_bytes(out[at + size_at..at + size_at + 4].try_into().unwrap());
            if declared == u32::MAX {
                // ZIP64: the real size is the first field of the 0x0001 extra block.
                let extra = at + name_at + name_len;
                let mut k = extra;
                while k + 4 <= extra + extra_len {
                    let (id, len) = (u16_at(k - at), u16_at(k - at + 2));
                    if id == 1 {
                        out[k + 4..k + 12].copy_from_slice(&u64::from(size).to_le_bytes());
                        break;
                    }
                    k += 4 + len;
                }
            } else {
                out[at + size_at..at + size_at + 4].copy_from_slice(&size.to_le_bytes());
            }
            patched += 1;
        }
    }
    assert_eq!(patched, 2, "both headers of {}", String::from_utf8_lossy(name));
    out
}

/// Peak resident memory of this process (the test and the service it runs), in KiB.
fn peak_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

fn revisions(app: &TestApp) -> i64 {
    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    diesel::sql_query("SELECT count(*) AS n FROM report_revisions").get_result::<N>(&mut app.db.conn()).unwrap().n
}

#[actix_web::test]
async fn a_cell_at_the_far_corner_and_a_shared_strings_bomb_are_refused_and_the_service_goes_on() {
    let app = spawn_app().await;
    app.load_demo();
    let token = app.token_for("reporter-comm");
    let template = download(&app, &token, &format!("{REPORT}/template.xlsx")).await;
    let before = revisions(&app);
    let peak_before = peak_kib();

    // One extra cell at XFD1048576: a 7 KB file.
    let corner = rewrite(&template, "xl/worksheets/sheet1.xml", |xml| {
        xml.replace(
            "</sheetData>",
            "<row r=\"1048576\"><c r=\"XFD1048576\" t=\"inlineStr\"><is><t>x</t></is></c></row></sheetData>",
        )
        .into_bytes()
    });
    assert!(corner.len() < 16 * 1024, "{} bytes", corner.len());
    let (status, body) = upload(&app, &token, &format!("{REPORT}/import"), corner).await;
    assert_eq!(status, 422, "{body}");
    let field = body["error"]["details"][0]["field"].as_str().unwrap();
    assert_eq!(field, "sheet \"Report\", cell XFD1048576", "{body}");
    assert!(body["error"]["details"][0]["message"].as_str().unwrap().contains("outside the template"), "{body}");

    // Shared strings that expand to 256 MB from a few hundred KB.
    let bomb = rewrite(&template, "xl/sharedStrings.xml", |xml| {
        let at = xml.rfind("</sst>").unwrap();
        let mut out = Vec::with_capacity(256 << 20);
        out.extend_from_slice(&xml.as_bytes()[..at]);
        out.extend_from_slice(b"<si><t>");
        out.resize(out.len() + (256 << 20), b'a');
        out.extend_from_slice(b"</t></si></sst>");
        out
    });
    assert!(bomb.len() < 2 << 20, "{} bytes", bomb.len());
    let peak_with_bomb_built = peak_kib();
    let (status, body) = upload(&app, &token, &format!("{REPORT}/import"), bomb.clone()).await;
    assert_eq!(status, 422, "{body}");
    let message = body["error"]["details"][0]["message"].as_str().unwrap();
    assert!(message.contains("xl/sharedStrings.xml") && message.contains("expands beyond"), "{body}");

    // The same bomb whose zip headers say it expands to 1 KB: the headers are not
    // believed (the bytes are counted, and the zip reader stops where the lie shows).
    let liar = understate(&bomb, "xl/sharedStrings.xml", 1024);
    let (status, body) = upload(&app, &token, &format!("{REPORT}/import"), liar).await;
    assert_eq!(status, 422, "{body}");
    let message = body["error"]["details"][0]["message"].as_str().unwrap();
    assert!(message.contains("xl/sharedStrings.xml") && message.contains("larger than its declared"), "{body}");

    // The plan upload reads through the same reader.
    let strategy = app.token_for("strategy");
    let (status, body) = upload(&app, &strategy, "/api/v1/fiscal-years/2570/plan.xlsx", bomb).await;
    assert_eq!(status, 422, "{body}");

    // Still serving, nothing stored, and the service never held the expanded bytes:
    // the peak grew by less than the 256 MB the bomb expands to.
    let (status, _) = app.get("/healthz").await;
    assert_eq!(status, 200);
    assert_eq!(revisions(&app), before);
    let grown_mib = peak_kib().saturating_sub(peak_with_bomb_built) / 1024;
    assert!(grown_mib < 64, "peak memory grew by {grown_mib} MiB (it was {} MiB at start)", peak_before / 1024);
}

#[actix_web::test]
async fn a_value_just_outside_the_template_is_named_and_a_formatted_empty_cell_is_ignored() {
    let app = spawn_app().await;
    app.load_demo();
    let token = app.token_for("reporter-comm");
    let template = download(&app, &token, &format!("{REPORT}/template.xlsx")).await;
    // Column J (just right of the template) holding a note.
    let note = rewrite(&template, "xl/worksheets/sheet1.xml", |xml| {
        xml.replace(
            "</sheetData>",
            "<row r=\"5\"><c r=\"J5\" t=\"inlineStr\"><is><t>note</t></is></c></row></sheetData>",
        )
        .into_bytes()
    });
    let (status, body) = upload(&app, &token, &format!("{REPORT}/import"), note).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["details"][0]["field"], "sheet \"Report\", cell J5", "{body}");
    // An empty, formatted cell far away is only formatting: the file goes through.
    let formatted = rewrite(&template, "xl/worksheets/sheet1.xml", |xml| {
        xml.replace("</sheetData>", "<row r=\"900000\"><c r=\"XFA900000\" s=\"1\"/></row></sheetData>").into_bytes()
    });
    let (status, body) = upload(&app, &token, &format!("{REPORT}/import"), formatted).await;
    assert_eq!(status, 200, "{body}");
}

/// Found by a hostile review: a shared-strings part that declares a hundred
/// billion strings (a reader reserves room for them), one long string used by
/// many cells (each cell a copy), and cell references too long for a sheet (a
/// reader's arithmetic overflows) — each refused with 422, in bounded memory.
#[actix_web::test]
async fn declared_counts_repeated_long_strings_and_overlong_references_are_refused() {
    let app = spawn_app().await;
    app.load_demo();
    let token = app.token_for("reporter-comm");
    let template = download(&app, &token, &format!("{REPORT}/template.xlsx")).await;
    let path = format!("{REPORT}/import");
    let peak_before = peak_kib();

    let declared = rewrite(&template, "xl/sharedStrings.xml", |xml| {
        let start = xml.find("uniqueCount=\"").unwrap() + "uniqueCount=\"".len();
        let end = start + xml[start..].find('"').unwrap();
        format!("{}100000000000{}", &xml[..start], &xml[end..]).into_bytes()
    });
    let (status, body) = upload(&app, &token, &path, declared).await;
    assert_eq!(status, 422, "{body}");
    assert!(body["error"]["details"][0]["message"].as_str().unwrap().contains("declares 100000000000"), "{body}");

    // One 40,000-character string, used by a narrative cell: more than a cell holds.
    let index_of_new = |xml: &str| xml.matches("<si>").count();
    let long = rewrite(&template, "xl/sharedStrings.xml", |xml| {
        xml.replace("</sst>", &format!("<si><t>{}</t></si></sst>", "ก".repeat(40_000))).into_bytes()
    });
    let strings_xml = {
        let mut zip = zip::ZipArchive::new(Cursor::new(&template)).unwrap();
        let mut s = String::new();
        zip.by_name("xl/sharedStrings.xml").unwrap().read_to_string(&mut s).unwrap();
        s
    };
    let n = index_of_new(&strings_xml);
    let long = rewrite(&long, "xl/worksheets/sheet1.xml", |xml| {
        xml.replace("</sheetData>", &format!("<row r=\"9\"><c r=\"B9\" t=\"s\"><v>{n}</v></c></row></sheetData>"))
            .into_bytes()
    });
    let (status, body) = upload(&app, &token, &path, long).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["details"][0]["field"], "sheet \"Report\", cell B9", "{body}");

    // A 30,000-character string in 600 cells of a plan: 18 MB of text once read.
    let strategy = app.token_for("strategy");
    let plan = download(&app, &strategy, "/api/v1/fiscal-years/2570/plan.xlsx").await;
    let plan_strings = {
        let mut zip = zip::ZipArchive::new(Cursor::new(&plan)).unwrap();
        let mut s = String::new();
        zip.by_name("xl/sharedStrings.xml").unwrap().read_to_string(&mut s).unwrap();
        s
    };
    let n = index_of_new(&plan_strings);
    let plan = rewrite(&plan, "xl/sharedStrings.xml", |xml| {
        xml.replace("</sst>", &format!("<si><t>{}</t></si></sst>", "x".repeat(30_000))).into_bytes()
    });
    let plan = rewrite(&plan, "xl/worksheets/sheet1.xml", |xml| {
        let cells: String =
            (1000..1600).map(|r| format!("<row r=\"{r}\"><c r=\"C{r}\" t=\"s\"><v>{n}</v></c></row>")).collect();
        xml.replace("</sheetData>", &format!("{cells}</sheetData>")).into_bytes()
    });
    assert!(plan.len() < 64 * 1024, "{} bytes", plan.len());
    let (status, body) = upload(&app, &strategy, "/api/v1/fiscal-years/2570/plan.xlsx", plan).await;
    assert_eq!(status, 422, "{body}");
    assert!(body.to_string().contains("MB of text"), "{body}");
    assert!(body.to_string().len() < 64 * 1024, "the refusal does not echo the text back");

    for reference in ["AAAAAAAAAAAAAAAAAAAAA1", "A99999999999999999999"] {
        let bad = rewrite(&template, "xl/worksheets/sheet1.xml", |xml| {
            xml.replace("</sheetData>", &format!("<row r=\"5\"><c r=\"{reference}\"><v>1</v></c></row></sheetData>"))
                .into_bytes()
        });
        let (status, body) = upload(&app, &token, &path, bad).await;
        assert_eq!(status, 422, "{reference}: {body}");
        assert!(body["error"]["details"][0]["message"].as_str().unwrap().contains("cell reference"), "{body}");
    }
    let (status, _) = app.get("/healthz").await;
    assert_eq!(status, 200);
    let grown_mib = peak_kib().saturating_sub(peak_before) / 1024;
    assert!(grown_mib < 128, "peak memory grew by {grown_mib} MiB");
}
