//! Importing the control ledger: a CSV (UTF-8, BOM or not) or XLSX file whose
//! header names the columns in English or Thai, in any order. Rows are read one
//! at a time (the file is never whole in memory on the command line), each cell
//! checked where it stands (a date, an amount, a kind word), and streamed
//! through `COPY` into a temporary staging table; the checks that need the whole
//! file or the database — unknown bureaus and projects, dates outside a fiscal
//! year, duplicates, references to open commitments and what they can still
//! settle — are a few set-wise queries over it. Any problem refuses the whole
//! file (the first `MAX_LISTED` named by row and column, and the count) and
//! nothing is appended; the refusal itself is kept in the import history. A row
//! already in the ledger (same document number and kind, same figures) is
//! counted and not appended again, so a file imported twice adds nothing.

use std::cell::RefCell;
use std::io::{Read, Write};

use chrono::{Datelike, NaiveDate};
use diesel::pg::CopyFormat;
use diesel::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::LedgerKind;
use crate::audit::{self, Actor};
use crate::domain::Money;
use crate::error::{AppError, FieldError};
use crate::schema::ledger_imports;
use crate::xlsx::CellError;

/// How many problems a refusal lists; the rest are counted.
pub const MAX_LISTED: usize = 100;
/// The largest ledger file accepted over HTTP (the command line streams any size).
pub const MAX_UPLOAD_BYTES: usize = 20 * 1024 * 1024;
/// The advisory lock an import holds for its transaction.
const IMPORT_LOCK: i64 = 7263584;
/// A cell longer than this is refused (a document number, a code).
const MAX_CELL_CHARS: usize = 200;

diesel::table! {
    /// The rows of one import, checked cell by cell (`COPY` target; temporary).
    ledger_staging (line) {
        line -> BigInt,
        entry_date -> Date,
        document_no -> Text,
        reference -> Nullable<Text>,
        bureau_code -> Text,
        project_code -> Text,
        kind -> Text,
        amount -> Numeric,
    }
}

/// The file's format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
        }
    }

    /// XLSX when the bytes are a zip (a workbook), CSV otherwise.
    pub fn sniff(first: &[u8]) -> Format {
        if first.starts_with(b"PK\x03\x04") {
            Format::Xlsx
        } else {
            Format::Csv
        }
    }
}

/// The seven columns, by what a header may call them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Column {
    Date,
    Document,
    Reference,
    Bureau,
    Project,
    Kind,
    Amount,
}

const COLUMNS: [(Column, &str, &str); 7] = [
    (Column::Date, "date", "วันที่"),
    (Column::Document, "document_no", "เลขที่เอกสาร"),
    (Column::Reference, "reference", "อ้างอิง"),
    (Column::Bureau, "bureau_code", "รหัสสำนัก"),
    (Column::Project, "project_code", "รหัสโครงการ"),
    (Column::Kind, "kind", "ประเภท"),
    (Column::Amount, "amount", "จำนวนเงิน"),
];

fn column_of(header: &str) -> Option<Column> {
    let h = header.trim().trim_start_matches('\u{feff}').to_lowercase().replace([' ', '-'], "_");
    let alias = match h.as_str() {
        "document" | "document_number" | "doc_no" => "document_no",
        "bureau" => "bureau_code",
        "project" => "project_code",
        other => other,
    };
    COLUMNS.iter().find(|(_, en, th)| *en == alias || *th == header.trim()).map(|(c, _, _)| *c)
}

/// Where each column is in the file, from its header row.
struct Layout {
    at: Vec<(Column, usize)>,
    names: Vec<String>,
}

impl Layout {
    fn read(header: &[String]) -> Result<Layout, Vec<CellError>> {
        let mut at = Vec::new();
        let mut errors = Vec::new();
        for (i, h) in header.iter().enumerate() {
            if h.trim().is_empty() {
                continue;
            }
            match column_of(h) {
                Some(c) if at.iter().any(|(d, _)| *d == c) => {
                    errors.push(cell_error(1, i, h, "ชื่อคอลัมน์ซ้ำ (this column is named twice)"))
                }
                Some(c) => at.push((c, i)),
                None => errors.push(cell_error(
                    1,
                    i,
                    h,
                    &format!(
                        "{h:?} ไม่ใช่คอลัมน์ของบัญชีคุม ({h:?} is not a column of the ledger; the columns are {})",
                        COLUMNS.iter().map(|(_, en, th)| format!("{en} ({th})")).collect::<Vec<_>>().join(", ")
                    ),
                )),
            }
        }
        for (c, en, th) in COLUMNS {
            if c != Column::Reference && !at.iter().any(|(d, _)| *d == c) {
                errors.push(CellError {
                    row: 1,
                    column: "-".into(),
                    message: format!(
                        "ไม่มีคอลัมน์ {th} ในแถวหัวตาราง (the column {en} ({th}) is missing from the header row)"
                    ),
                });
            }
        }
        if errors.is_empty() {
            Ok(Layout { at, names: header.to_vec() })
        } else {
            Err(errors)
        }
    }

    fn get<'a>(&self, row: &'a [String], c: Column) -> (&'a str, usize) {
        match self.at.iter().find(|(d, _)| *d == c) {
            Some((_, i)) => (row.get(*i).map(|s| s.trim()).unwrap_or(""), *i),
            None => ("", usize::MAX),
        }
    }

    /// Where the column a check names by its English name is in the file.
    fn named(&self, column: &str) -> Option<usize> {
        let c = COLUMNS.iter().find(|(_, en, _)| *en == column)?.0;
        self.at.iter().find(|(d, _)| *d == c).map(|(_, i)| *i)
    }

    fn name(&self, i: usize) -> &str {
        self.names.get(i).map(|s| s.trim()).unwrap_or("-")
    }
}

fn cell_error(row: usize, col: usize, name: &str, message: &str) -> CellError {
    CellError { row, column: format!("{} ({})", crate::xlsx::column_letter(col), name.trim()), message: message.into() }
}

/// One row as it goes to the staging table.
struct Staged {
    line: i64,
    date: NaiveDate,
    document: String,
    reference: Option<String>,
    bureau: String,
    project: String,
    kind: LedgerKind,
    amount: rust_decimal::Decimal,
}

/// A date is `YYYY-MM-DD` (Christian era) or `D/M/YYYY` with a Buddhist-era
/// year, as Thai ledgers write it.
fn parse_date(s: &str) -> Result<NaiveDate, String> {
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        if d.year_ce().1 < 2400 {
            return Ok(d);
        }
    }
    let parts: Vec<&str> = s.split('/').collect();
    if let [d, m, y] = parts[..] {
        if let (Ok(d), Ok(m), Ok(y)) = (d.parse::<u32>(), m.parse::<u32>(), y.parse::<i32>()) {
            if y > 2400 {
                if let Some(date) = NaiveDate::from_ymd_opt(y - 543, m, d) {
                    return Ok(date);
                }
            }
        }
    }
    Err(format!("{s:?} ไม่ใช่วันที่ ({s:?} is not a date; write YYYY-MM-DD (2023-10-05) or D/M/YYYY in the Buddhist era (5/10/2566))"))
}

/// Checks one data row's cells; the row as staged, or its problems.
fn check_row(layout: &Layout, row_no: usize, row: &[String]) -> Result<Option<Staged>, Vec<CellError>> {
    if row.iter().all(|c| c.trim().is_empty()) {
        return Ok(None);
    }
    let mut errors = Vec::new();
    let mut bad = |c: usize, m: String| errors.push(cell_error(row_no, c, layout.name(c), &m));
    for (i, cell) in row.iter().enumerate() {
        if cell.contains('\0') {
            bad(i, "มีอักขระ NUL (contains a NUL character)".into());
        }
        if cell.chars().count() > MAX_CELL_CHARS {
            bad(i, format!("ยาวเกิน {MAX_CELL_CHARS} ตัวอักษร (longer than {MAX_CELL_CHARS} characters)"));
        }
        if layout.at.iter().all(|(_, j)| *j != i) && !cell.trim().is_empty() {
            bad(i, "มีข้อมูลในคอลัมน์ที่ไม่มีหัวตาราง (a value in a column without a heading)".into());
        }
    }
    let required = |c: Column, bad: &mut dyn FnMut(usize, String)| {
        let (v, i) = layout.get(row, c);
        if v.is_empty() {
            bad(i, "ว่างอยู่ ต้องกรอก (empty; this column is required)".into());
        }
        (v, i)
    };
    let (date, di) = required(Column::Date, &mut bad);
    let date = if date.is_empty() { None } else { parse_date(date).map_err(|m| bad(di, m)).ok() };
    let (document, _) = required(Column::Document, &mut bad);
    let (bureau, _) = required(Column::Bureau, &mut bad);
    let (project, _) = required(Column::Project, &mut bad);
    let (kind, ki) = required(Column::Kind, &mut bad);
    let kind = if kind.is_empty() {
        None
    } else {
        LedgerKind::from_word(kind)
            .ok_or_else(|| {
                bad(ki, format!("{kind:?} is not a kind; write commitment, disbursement or cancellation (ก่อหนี้ผูกพัน, เบิกจ่าย, ยกเลิก)"))
            })
            .ok()
    };
    let (amount, ai) = required(Column::Amount, &mut bad);
    let amount = if amount.is_empty() {
        None
    } else {
        match Money::parse(amount) {
            Ok(m) if m.amount() > rust_decimal::Decimal::ZERO => Some(m.amount()),
            Ok(_) => {
                bad(ai, "จำนวนเงินต้องมากกว่า 0 (0 is not an entry; amounts are more than zero; a correction is a cancellation)".into());
                None
            }
            Err(e) => {
                bad(ai, format!("{e} ({})", e.message_th()));
                None
            }
        }
    };
    let (reference, _) = layout.get(row, Column::Reference);
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Some(Staged {
        line: row_no as i64,
        date: date.expect("checked"),
        document: document.to_string(),
        reference: Some(reference.to_string()).filter(|r| !r.is_empty()),
        bureau: bureau.to_string(),
        project: project.to_string(),
        kind: kind.expect("checked"),
        amount: amount.expect("checked"),
    }))
}

/// A CSV field for `COPY … (FORMAT csv)`: always quoted, quotes doubled.
fn csv_field(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    for b in s.bytes() {
        if b == b'"' {
            out.push(b'"');
        }
        out.push(b);
    }
    out.push(b'"');
}

impl Staged {
    fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(format!("{},{},", self.line, self.date).as_bytes());
        csv_field(out, &self.document);
        out.push(b',');
        if let Some(r) = &self.reference {
            csv_field(out, r);
        }
        out.push(b',');
        csv_field(out, &self.bureau);
        out.push(b',');
        csv_field(out, &self.project);
        out.extend_from_slice(format!(",{},{}\n", self.kind.as_str(), self.amount).as_bytes());
    }
}

/// Where the rows come from: a CSV stream, or the rows of a workbook's first sheet.
pub enum Rows<R: Read> {
    Csv(R),
    Xlsx(Vec<Vec<String>>),
}

/// What reading the rows found.
#[derive(Default)]
struct Read_ {
    rows: usize,
    errors: Vec<CellError>,
    error_count: usize,
}

impl Read_ {
    fn push(&mut self, mut e: Vec<CellError>) {
        self.error_count += e.len();
        let room = MAX_LISTED.saturating_sub(self.errors.len());
        e.truncate(room);
        self.errors.extend(e);
    }
}

/// A row iterator over either source: (row number as the file shows it, cells).
fn for_each_row<R: Read>(rows: Rows<R>, mut f: impl FnMut(usize, Vec<String>) -> bool) -> Result<(), AppError> {
    match rows {
        Rows::Xlsx(rows) => {
            for (i, row) in rows.into_iter().enumerate() {
                if !f(i + 1, row) {
                    break;
                }
            }
            Ok(())
        }
        Rows::Csv(reader) => {
            let mut csv = ::csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(reader);
            let mut record = ::csv::ByteRecord::new();
            let mut n = 0usize;
            loop {
                match csv.read_byte_record(&mut record) {
                    Ok(false) => return Ok(()),
                    Ok(true) => {
                        n += 1;
                        let mut cells = Vec::with_capacity(record.len());
                        for (i, field) in record.iter().enumerate() {
                            let field = if n == 1 && i == 0 {
                                field.strip_prefix(b"\xef\xbb\xbf").unwrap_or(field)
                            } else {
                                field
                            };
                            match std::str::from_utf8(field) {
                                Ok(s) => cells.push(s.to_string()),
                                Err(_) => {
                                    return Err(file_error(format!(
                                        "row {n}, column {}: the file is not UTF-8 text; save it as \"CSV UTF-8\" \
                                         (ไฟล์ไม่ได้เข้ารหัสแบบ UTF-8)",
                                        crate::xlsx::column_letter(i)
                                    )))
                                }
                            }
                        }
                        if !f(n, cells) {
                            return Ok(());
                        }
                    }
                    Err(e) => return Err(file_error(format!("row {}: the CSV cannot be read: {e}", n + 1))),
                }
            }
        }
    }
}

fn file_error(message: String) -> AppError {
    AppError::validation(vec![FieldError::new("file", message)])
}

/// What an import did.
#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub import_id: i64,
    /// Data rows in the file.
    pub rows: usize,
    /// Rows appended to the ledger.
    pub added: usize,
    /// Rows already in the ledger (same document, kind and figures), not appended again.
    pub already_present: usize,
}

/// What the history keeps of a file: its name, format and SHA-256.
#[derive(Clone, Copy, Debug)]
pub struct FileInfo<'a> {
    pub filename: &'a str,
    pub format: Format,
    pub sha256: &'a str,
}

/// Imports a ledger file. On any problem nothing is appended and the refusal is
/// recorded in the history; the error lists the first `MAX_LISTED` problems.
pub fn import<R: Read>(
    conn: &mut PgConnection,
    file: FileInfo<'_>,
    rows: Rows<R>,
    actor: Actor<'_>,
) -> Result<Outcome, AppError> {
    let result = conn.transaction(|conn| stage_and_append(conn, file, rows, actor));
    match result {
        Err(Refused::Rows { rows, errors, count }) => {
            let id = record_refusal(conn, file, rows, &errors, count, actor)?;
            let details = errors
                .into_iter()
                .map(|e| FieldError::new(format!("row {}, column {}", e.row, e.column), e.message))
                .collect();
            let (shown, shown_th) = if count > MAX_LISTED {
                (format!("; the first {MAX_LISTED} are listed"), format!(" แสดง {MAX_LISTED} จุดแรก"))
            } else {
                (String::new(), String::new())
            };
            Err(AppError::Validation {
                message: format!(
                    "ไม่รับไฟล์ (การนำเข้าครั้งที่ {id}): พบปัญหา {count} จุด{shown_th} ไม่มีรายการใดถูกเพิ่ม \
                     (the file was refused (import {id}): {count} problems{shown}; nothing was added)"
                ),
                details,
            })
        }
        Err(Refused::Other(e)) => Err(e),
        Ok(o) => Ok(o),
    }
}

enum Refused {
    Rows { rows: usize, errors: Vec<CellError>, count: usize },
    Other(AppError),
}

impl From<diesel::result::Error> for Refused {
    fn from(e: diesel::result::Error) -> Refused {
        Refused::Other(e.into())
    }
}

impl From<AppError> for Refused {
    fn from(e: AppError) -> Refused {
        Refused::Other(e)
    }
}

fn record_refusal(
    conn: &mut PgConnection,
    file: FileInfo<'_>,
    rows: usize,
    errors: &[CellError],
    count: usize,
    actor: Actor<'_>,
) -> Result<i64, AppError> {
    let FileInfo { filename, format, sha256 } = file;
    conn.transaction(|conn| {
        let id: i64 = diesel::insert_into(ledger_imports::table)
            .values((
                ledger_imports::filename.eq(filename),
                ledger_imports::sha256.eq(sha256),
                ledger_imports::row_count.eq(rows as i32),
                ledger_imports::imported_by.eq(actor.user_id),
                ledger_imports::format.eq(format.as_str()),
                ledger_imports::outcome.eq("refused"),
                ledger_imports::error_count.eq(count.max(1) as i32),
                ledger_imports::errors.eq(serde_json::to_value(errors).unwrap_or_default()),
            ))
            .returning(ledger_imports::id)
            .get_result(conn)?;
        audit::record(
            conn,
            audit::Entry {
                user_id: actor.user_id,
                request_id: actor.request_id,
                action: "refuse",
                entity: "ledger_import",
                entity_id: id.to_string(),
                before: None,
                after: Some(serde_json::json!({"filename": filename, "rows": rows, "problems": count})),
            },
        )?;
        Ok(id)
    })
}

fn stage_and_append<R: Read>(
    conn: &mut PgConnection,
    file: FileInfo<'_>,
    rows: Rows<R>,
    actor: Actor<'_>,
) -> Result<Outcome, Refused> {
    let FileInfo { filename, format, sha256 } = file;
    // One import at a time: a second waits, then finds the first's rows present
    // instead of colliding with them.
    diesel::sql_query(format!("SELECT pg_advisory_xact_lock({IMPORT_LOCK})")).execute(conn)?;
    let started = std::time::Instant::now();
    diesel::sql_query(
        "CREATE TEMP TABLE ledger_staging (
             line BIGINT PRIMARY KEY, entry_date DATE NOT NULL, document_no TEXT NOT NULL, reference TEXT,
             bureau_code TEXT NOT NULL, project_code TEXT NOT NULL, kind TEXT NOT NULL, amount NUMERIC(18,2) NOT NULL
         ) ON COMMIT DROP",
    )
    .execute(conn)?;
    // The rows go to COPY as they are read; the callback runs once.
    let found = RefCell::new(Read_::default());
    let source = RefCell::new(Some(rows));
    let failure: RefCell<Option<AppError>> = RefCell::new(None);
    let shape: RefCell<Option<Layout>> = RefCell::new(None);
    diesel::copy_from(ledger_staging::table)
        .from_raw_data(ledger_staging::all_columns, |out: &mut dyn Write| -> Result<(), diesel::result::Error> {
            let Some(rows) = source.borrow_mut().take() else { return Ok(()) };
            let mut layout = shape.borrow_mut();
            let mut buffer = Vec::with_capacity(1 << 16);
            let mut write_error = None;
            let read = for_each_row(rows, |n, cells| {
                let mut found = found.borrow_mut();
                let Some(layout) = layout.as_ref() else {
                    match Layout::read(&cells) {
                        Ok(l) => *layout = Some(l),
                        Err(e) => {
                            found.push(e);
                            return false;
                        }
                    }
                    return true;
                };
                match check_row(layout, n, &cells) {
                    Ok(None) => {}
                    Ok(Some(staged)) => {
                        found.rows += 1;
                        staged.write(&mut buffer);
                    }
                    Err(e) => {
                        found.rows += 1;
                        found.push(e);
                    }
                }
                if buffer.len() >= 1 << 16 {
                    if let Err(e) = out.write_all(&buffer) {
                        write_error = Some(e);
                        return false;
                    }
                    buffer.clear();
                }
                true
            });
            if let Err(e) = read {
                *failure.borrow_mut() = Some(e);
            } else if layout.is_none() && found.borrow().error_count == 0 {
                *failure.borrow_mut() =
                    Some(file_error("the file is empty; it needs a header row and at least one entry".into()));
            }
            let io = |e: std::io::Error| diesel::result::Error::SerializationError(Box::new(e));
            if let Some(e) = write_error {
                return Err(io(e));
            }
            out.write_all(&buffer).map_err(io)
        })
        .with_format(CopyFormat::Csv)
        .execute(conn)?;
    if let Some(e) = failure.into_inner() {
        return Err(Refused::Other(e));
    }
    let mut found = found.into_inner();
    if found.rows == 0 && found.error_count == 0 {
        return Err(Refused::Other(file_error("the file has a header row but no entries (ไม่มีรายการในไฟล์)".into())));
    }
    diesel::sql_query("ANALYZE ledger_staging").execute(conn)?;
    let staged = started.elapsed();
    let checks = super::checks::run(conn)?;
    let checked = started.elapsed();
    let shape = shape.into_inner();
    found.push(
        checks
            .problems
            .into_iter()
            .map(|p| match shape.as_ref().and_then(|l| l.named(&p.column)) {
                Some(i) => cell_error(p.row, i, shape.as_ref().map(|l| l.name(i)).unwrap_or(""), &p.message),
                None => p,
            })
            .collect(),
    );
    if found.error_count > 0 {
        found.errors.sort_by_key(|e| e.row);
        return Err(Refused::Rows { rows: found.rows, errors: found.errors, count: found.error_count });
    }
    let id: i64 = diesel::insert_into(ledger_imports::table)
        .values((
            ledger_imports::filename.eq(filename),
            ledger_imports::sha256.eq(sha256),
            ledger_imports::row_count.eq(found.rows as i32),
            ledger_imports::imported_by.eq(actor.user_id),
            ledger_imports::format.eq(format.as_str()),
            ledger_imports::outcome.eq("imported"),
        ))
        .returning(ledger_imports::id)
        .get_result(conn)?;
    let added = super::checks::append(conn, id)?;
    let ms = |d: std::time::Duration| d.as_millis() as u64;
    tracing::info!(
        import_id = id,
        rows = found.rows,
        added,
        staged_ms = ms(staged),
        checked_ms = ms(checked - staged),
        appended_ms = ms(started.elapsed() - checked),
        "ledger imported"
    );
    let present = found.rows - added;
    diesel::update(ledger_imports::table.find(id))
        .set((ledger_imports::rows_added.eq(added as i32), ledger_imports::rows_present.eq(present as i32)))
        .execute(conn)?;
    audit::record(
        conn,
        audit::Entry {
            user_id: actor.user_id,
            request_id: actor.request_id,
            action: "import",
            entity: "ledger_import",
            entity_id: id.to_string(),
            before: None,
            after: Some(
                serde_json::json!({"filename": filename, "rows": found.rows, "added": added, "already_present": present}),
            ),
        },
    )?;
    // The work tables go now rather than at the commit, so that a caller's longer
    // transaction (the demo loads a ledger per year in one) can import again.
    diesel::sql_query("DROP TABLE ledger_staging, ledger_rows, ledger_problems").execute(conn)?;
    Ok(Outcome { import_id: id, rows: found.rows, added, already_present: present })
}

/// SHA-256 of the file, hex.
pub fn digest(bytes: &[u8]) -> String {
    crate::auth::token::hex(&Sha256::digest(bytes))
}
