//! Reading and writing Excel workbooks: calamine reads, rust_xlsxwriter writes.
//! Every upload is hostile until read within bounds: `read_sheet` first expands
//! each part of the zip into nothing, counting, and refuses a part that grows
//! past `MAX_ENTRY_BYTES` (a zip bomb) before any parser sees it; then it walks
//! the sheet cell by cell and refuses a value outside the `Bounds` the template
//! allows, naming the sheet and the cell, without allocating for it (calamine's
//! range reader would allocate the whole rectangle up to the farthest cell).
//! Reading is strict: every cell that is not what its column needs becomes a
//! `CellError` naming the row and column as Excel shows them (row 5, column G),
//! so a whole file can be refused with the full list and nothing stored. Reading
//! parses XML: callers run it on the blocking pool.

use std::io::Cursor;

use calamine::{Data, DataRef, Reader, Xlsx};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::domain::Money;
use crate::error::{AppError, FieldError};

pub const CONTENT_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct CellError {
    /// Excel's row number (1 = the header row).
    pub row: usize,
    /// Excel's column letter.
    pub column: String,
    pub message: String,
}

/// `A`, `B`, … `Z`, `AA` for a 0-based column index.
pub fn column_letter(mut index: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (index % 26) as u8);
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).expect("ASCII letters")
}

/// Refuses a whole file: every cell error in the details, field `row N, column X`.
pub fn refuse(errors: Vec<CellError>) -> AppError {
    let count = errors.len();
    let details =
        errors.into_iter().map(|e| FieldError::new(format!("row {}, column {}", e.row, e.column), e.message)).collect();
    AppError::Validation { message: format!("the file was refused: {count} cells need correcting"), details }
}

fn file_error(message: String) -> AppError {
    AppError::validation(vec![FieldError::new("file", message)])
}

/// Largest workbook accepted, in bytes.
pub const MAX_BYTES: usize = 5 * 1024 * 1024;
/// Largest size any one part of a workbook may expand to (a sheet's XML, the
/// shared strings): a zip bomb is refused before anything parses it.
pub const MAX_ENTRY_BYTES: u64 = 32 * 1024 * 1024;
/// Largest size all parts together may expand to.
pub const MAX_EXPANDED_BYTES: u64 = 64 * 1024 * 1024;
/// More parts than any workbook of ours has.
const MAX_ENTRIES: usize = 500;

/// The cells a sheet may use: rows 1..=`rows` and the first `cols` columns (A..).
/// A value outside is refused, naming the cell; nothing is allocated for it.
#[derive(Clone, Copy, Debug)]
pub struct Bounds {
    pub rows: u32,
    pub cols: u32,
}

/// `XFD1048576` for 0-based (row, column).
pub fn cell_name(row: u32, col: u32) -> String {
    format!("{}{}", column_letter(col as usize), row as u64 + 1)
}

/// More shared strings than any workbook of ours needs (a national plan has
/// about 80,000): each costs memory however short it is.
pub const MAX_SHARED_STRINGS: u64 = 200_000;
/// Excel's own limit on a cell's text.
pub const MAX_CELL_CHARS: usize = 32_767;
/// All the text one sheet may hold once its cells are read.
pub const MAX_SHEET_TEXT_BYTES: usize = 16 * 1024 * 1024;

/// What a scan of one part found.
#[derive(Default)]
struct PartScan {
    /// `<si` elements (shared strings), with or without a namespace prefix.
    strings: u64,
    /// `uniqueCount="…"` of the shared strings' root, which calamine reserves room for.
    declared: Option<u64>,
    /// The longest `r="…"` (a cell or row reference) in a sheet.
    longest_ref: usize,
}

/// Scans `data` (the part's bytes, in order, with `tail` the last bytes of the
/// chunk before) for what `check_parts` refuses.
fn scan(found: &mut PartScan, tail: &[u8], data: &[u8]) {
    let joined: Vec<u8> = tail.iter().chain(data.iter()).copied().collect();
    let from = tail.len();
    for i in 0..joined.len() {
        let at = |k: usize| joined.get(i + k).copied();
        // `<si` or `:si` followed by the end of the name; counted where it ends,
        // so a match across two chunks is counted once.
        if i + 3 >= from
            && matches!(at(0), Some(b'<' | b':'))
            && at(1) == Some(b's')
            && at(2) == Some(b'i')
            && matches!(at(3), Some(b'>' | b'/' | b' ' | b'\t' | b'\r' | b'\n'))
        {
            found.strings += 1;
        }
    }
    // Attributes are short; finding them in each chunk with its tail is enough.
    let text = String::from_utf8_lossy(&joined);
    if found.declared.is_none() {
        if let Some(i) = text.find("uniqueCount=") {
            let rest = &text[i + "uniqueCount=".len()..];
            let digits: String = rest.chars().skip(1).take_while(|c| c.is_ascii_digit()).collect();
            found.declared = Some(digits.parse::<u64>().unwrap_or(u64::MAX));
        }
    }
    for quote in ["\"", "'"] {
        let pattern = format!(" r={quote}");
        let mut rest = text.as_ref();
        while let Some(i) = rest.find(&pattern) {
            rest = &rest[i + pattern.len()..];
            let len = rest.find(quote).unwrap_or(rest.len());
            found.longest_ref = found.longest_ref.max(len);
        }
    }
}

/// Expands every part of the zip once, counting and scanning, and keeps none of
/// it: a part that grows past `MAX_ENTRY_BYTES` (or all of them past
/// `MAX_EXPANDED_BYTES`), shared strings past `MAX_SHARED_STRINGS` (or declaring
/// more than they hold, for which a reader would reserve room), and a cell
/// reference longer than `XFD1048576` all refuse the file before any parser sees
/// it. Sizes written in the zip are not believed; bytes are counted.
fn check_parts(bytes: &[u8]) -> Result<(), AppError> {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| file_error(format!("this is not an Excel workbook (.xlsx) that can be read: {e}")))?;
    if zip.len() > MAX_ENTRIES {
        return Err(file_error(format!("the workbook has {} parts; a workbook has far fewer", zip.len())));
    }
    let mut total = 0u64;
    let mut chunk = vec![0u8; 64 * 1024];
    for i in 0..zip.len() {
        let mut part =
            zip.by_index(i).map_err(|e| file_error(format!("part {i} of the workbook cannot be read: {e}")))?;
        let name = part.name().map(|n| n.chars().take(100).collect::<String>()).unwrap_or_else(|_| format!("#{i}"));
        let lower = name.to_ascii_lowercase();
        let (strings, sheet) = (lower.ends_with("sharedstrings.xml"), lower.contains("worksheets/"));
        let limit = MAX_ENTRY_BYTES.min(MAX_EXPANDED_BYTES - total);
        let too_big = || {
            file_error(format!(
                "part {name:?} of the workbook expands beyond {} MB: it is refused unread",
                limit / 1024 / 1024
            ))
        };
        // A size written in the zip that is already too big refuses the part at
        // once; a smaller one is not believed, and the bytes are counted.
        if part.size() > limit {
            return Err(too_big());
        }
        let damaged = |e: std::io::Error| file_error(format!("part {name:?} of the workbook is damaged: {e}"));
        let mut limited = part.by_ref().take(limit + 1);
        let (mut expanded, mut found, mut tail) = (0u64, PartScan::default(), Vec::new());
        loop {
            let n = limited.read(&mut chunk).map_err(damaged)?;
            if n == 0 {
                break;
            }
            expanded += n as u64;
            if strings || sheet {
                scan(&mut found, &tail, &chunk[..n]);
                tail = chunk[n.saturating_sub(64)..n].to_vec();
            }
        }
        if expanded > limit {
            return Err(too_big());
        }
        if strings && found.strings > MAX_SHARED_STRINGS {
            return Err(file_error(format!(
                "part {name:?} holds {} shared strings, more than a budget workbook has ({MAX_SHARED_STRINGS})",
                found.strings
            )));
        }
        if strings && found.declared.is_some_and(|d| d > found.strings.max(1) * 2 + 1000) {
            return Err(file_error(format!(
                "part {name:?} declares {} shared strings but holds {}: the workbook is damaged",
                found.declared.unwrap_or_default(),
                found.strings
            )));
        }
        if sheet && found.longest_ref > 10 {
            return Err(file_error(format!(
                "part {name:?} has a cell reference {} characters long (the last cell of a sheet is XFD1048576)",
                found.longest_ref
            )));
        }
        total += expanded;
    }
    Ok(())
}

/// A cell's text as an error message may quote it: at most 60 characters.
pub fn quoted(s: &str) -> String {
    let mut out: String = s.chars().take(60).collect();
    if s.chars().count() > 60 {
        out.push('…');
    }
    format!("{out:?}")
}

/// The rows of sheet `name` (or of the only sheet, when the workbook has one),
/// read cell by cell within `bounds`: row i of the result is Excel's row i + 1,
/// and cell j its column j. Call it off the async threads (it parses XML).
pub fn read_sheet(bytes: &[u8], name: &str, bounds: Bounds) -> Result<Vec<Vec<Data>>, AppError> {
    // The checks above refuse what is known to make a reader fail; should the
    // parser still panic on some other malformed part, the file is refused and
    // the thread goes on.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| read_sheet_checked(bytes, name, bounds))).unwrap_or_else(
        |_| {
            tracing::warn!("a workbook made the reader panic; refused");
            Err(file_error("this workbook is malformed and cannot be read".into()))
        },
    )
}

fn read_sheet_checked(bytes: &[u8], name: &str, bounds: Bounds) -> Result<Vec<Vec<Data>>, AppError> {
    if bytes.is_empty() {
        return Err(file_error("the file is empty; send the filled-in .xlsx workbook".into()));
    }
    if bytes.len() > MAX_BYTES {
        return Err(file_error(format!("the file is larger than {} MB", MAX_BYTES / 1024 / 1024)));
    }
    check_parts(bytes)?;
    let mut workbook: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes))
        .map_err(|e| file_error(format!("this is not an Excel workbook (.xlsx) that can be read: {e}")))?;
    let sheets = workbook.sheet_names().to_owned();
    let sheet = if sheets.iter().any(|s| s == name) {
        name.to_string()
    } else if let Some(first) = sheets.first().filter(|_| sheets.len() == 1 || name.is_empty()) {
        first.clone()
    } else {
        let list: Vec<String> = sheets.iter().take(20).map(|s| s.chars().take(40).collect()).collect();
        return Err(file_error(format!("the workbook has no sheet named {name:?} (it has {})", list.join(", "))));
    };
    let sheet_error = |cell: String, message: String| {
        AppError::validation(vec![FieldError::new(format!("sheet {sheet:?}, cell {cell}"), message)])
    };
    let mut cells = workbook
        .worksheet_cells_reader(&sheet)
        .map_err(|e| file_error(format!("sheet {sheet:?} cannot be read: {e}")))?;
    let mut rows: Vec<Vec<Data>> = Vec::new();
    let mut text_bytes = 0usize;
    loop {
        let cell = match cells.next_cell() {
            Ok(Some(c)) => c,
            Ok(None) => break,
            Err(e) => return Err(file_error(format!("sheet {sheet:?} cannot be read: {e}"))),
        };
        let (row, col) = cell.get_position();
        let value = cell.get_value();
        // Formatting alone (an empty cell) costs nothing and is ignored wherever it is.
        if matches!(value, DataRef::Empty) {
            continue;
        }
        if row >= bounds.rows || col >= bounds.cols {
            return Err(sheet_error(
                cell_name(row, col),
                format!(
                    "อยู่นอกแบบฟอร์ม (outside the template: columns A-{}, rows 1-{}); remove it and upload again",
                    column_letter(bounds.cols.saturating_sub(1) as usize),
                    bounds.rows
                ),
            ));
        }
        let text: Option<&str> = match value {
            DataRef::String(t) | DataRef::DateTimeIso(t) | DataRef::DurationIso(t) => Some(t.as_str()),
            DataRef::SharedString(t) => Some(t),
            _ => None,
        };
        if let Some(t) = text {
            if t.contains('\0') {
                return Err(sheet_error(cell_name(row, col), "มีอักขระ NUL (contains a NUL character)".into()));
            }
            if t.chars().count() > MAX_CELL_CHARS {
                return Err(sheet_error(
                    cell_name(row, col),
                    format!("ข้อความยาวเกิน {MAX_CELL_CHARS} ตัวอักษร (longer than a cell may hold)"),
                ));
            }
            text_bytes += t.len();
            if text_bytes > MAX_SHEET_TEXT_BYTES {
                return Err(sheet_error(
                    cell_name(row, col),
                    format!("the sheet holds more than {} MB of text", MAX_SHEET_TEXT_BYTES / 1024 / 1024),
                ));
            }
        }
        let value = Data::from(value.clone());
        let (r, c) = (row as usize, col as usize);
        if rows.len() <= r {
            rows.resize_with(r + 1, Vec::new);
        }
        if rows[r].len() <= c {
            rows[r].resize(c + 1, Data::Empty);
        }
        rows[r][c] = value;
    }
    Ok(rows)
}

/// The first sheet of a workbook, read as `read_sheet` reads a named one.
pub fn read_first_sheet(bytes: &[u8], bounds: Bounds) -> Result<Vec<Vec<Data>>, AppError> {
    read_sheet(bytes, "", bounds)
}

pub fn cell(row: &[Data], col: usize) -> &Data {
    row.get(col).unwrap_or(&Data::Empty)
}

pub fn is_blank(row: &[Data]) -> bool {
    row.iter().all(|c| matches!(c, Data::Empty) || matches!(c, Data::String(s) if s.trim().is_empty()))
}

/// The text of a cell (numbers as written by Excel).
pub fn text(c: &Data) -> String {
    match c {
        Data::String(s) => s.trim().to_string(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => f.to_string(),
        Data::Empty => String::new(),
        other => other.to_string(),
    }
}

/// An amount: a number cell, or text that `Money::parse` accepts.
pub fn amount(c: &Data) -> Result<Decimal, String> {
    let raw = match c {
        Data::Float(f) if !f.is_finite() => return Err("is not a finite number".into()),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::String(s) if s.trim().chars().count() > 40 => {
            return Err(format!("is {} characters of text, not an amount", s.trim().chars().count()))
        }
        Data::String(s) => s.trim().to_string(),
        Data::Empty => return Err("is empty; enter 0 if there is nothing".into()),
        Data::Error(e) => return Err(format!("holds the Excel error {e:?}")),
        other => return Err(format!("{other} is not an amount")),
    };
    Money::parse(&raw).map(Money::amount).map_err(|e| format!("{} ({e})", e.message_th()))
}

/// The workbook of an upload: the raw body (any content type but a form), or the
/// field `file` of a multipart form. Size-limited while reading.
pub async fn read_upload(req: &actix_web::HttpRequest, payload: actix_web::web::Payload) -> Result<Vec<u8>, AppError> {
    read_upload_named(req, payload, MAX_BYTES).await.map(|(bytes, _)| bytes)
}

/// An uploaded file of at most `max` bytes and the name a form gave it: the raw
/// body, or the field `file` of a multipart form. Refused as soon as it grows
/// past `max`, so nothing a client sends is held beyond that.
pub async fn read_upload_named(
    req: &actix_web::HttpRequest,
    payload: actix_web::web::Payload,
    max: usize,
) -> Result<(Vec<u8>, Option<String>), AppError> {
    use futures_util::StreamExt;
    let too_big = || file_error(format!("the file is larger than {} MB; nothing was stored", max / 1024 / 1024));
    let content_type = req.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let mut out = Vec::new();
    if content_type.starts_with("multipart/form-data") {
        let mut form = actix_multipart::Multipart::new(req.headers(), payload);
        while let Some(field) = form.next().await {
            let mut field = field.map_err(|e| file_error(format!("the upload could not be read: {e}")))?;
            let disposition = field.content_disposition();
            let is_file = disposition.and_then(|d| d.get_name()) == Some("file");
            let name = disposition.and_then(|d| d.get_filename()).map(str::to_string);
            while let Some(chunk) = field.next().await {
                let chunk = chunk.map_err(|e| file_error(format!("the upload could not be read: {e}")))?;
                if is_file {
                    out.extend_from_slice(&chunk);
                    if out.len() > max {
                        return Err(too_big());
                    }
                }
            }
            if is_file {
                return Ok((out, name));
            }
        }
        return Err(file_error("choose a file to upload".into()));
    }
    let mut payload = payload;
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| file_error(format!("the upload could not be read: {e}")))?;
        out.extend_from_slice(&chunk);
        if out.len() > max {
            return Err(too_big());
        }
    }
    Ok((out, None))
}

/// Amount as Excel's number (pixels and cells may be floats; the figure itself is
/// checked again when read back).
pub fn to_f64(d: Decimal) -> f64 {
    d.to_string().parse().unwrap_or(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_lettered_as_excel_does() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(27), "AB");
        assert_eq!(column_letter(18), "S");
    }

    #[test]
    fn amounts_from_cells_are_exact_or_refused() {
        assert_eq!(amount(&Data::Float(1234.56)).unwrap().to_string(), "1234.56");
        assert_eq!(amount(&Data::Int(5)).unwrap().to_string(), "5.00");
        assert_eq!(amount(&Data::String(" 10.5 ".into())).unwrap().to_string(), "10.50");
        assert!(amount(&Data::Float(1.005)).unwrap_err().contains("two decimal"));
        assert!(amount(&Data::Float(-1.0)).unwrap_err().contains("negative"));
        assert!(amount(&Data::String("1,000".into())).is_err());
        assert!(amount(&Data::String("1e5".into())).is_err());
        assert!(amount(&Data::Empty).unwrap_err().contains("empty"));
    }

    #[test]
    fn a_broken_file_is_refused_naming_the_file() {
        let Err(AppError::Validation { details, .. }) =
            read_sheet(b"PK\x03\x04 not really a zip", "Plan", Bounds { rows: 10, cols: 10 })
        else {
            panic!("accepted")
        };
        assert_eq!(details[0].field, "file");
    }
}
