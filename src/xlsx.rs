//! Reading and writing Excel workbooks: calamine reads, rust_xlsxwriter writes.
//! Reading is strict: every cell that is not what its column needs becomes a
//! `CellError` naming the row and column as Excel shows them (row 5, column G),
//! so a whole file can be refused with the full list and nothing stored.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::domain::Money;
use crate::error::{AppError, FieldError};

/// Largest workbook accepted, in bytes.
pub const MAX_BYTES: usize = 5 * 1024 * 1024;

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

/// The rows of sheet `name` (or of the first sheet when it is missing and the
/// workbook has only one).
pub fn read_sheet(bytes: &[u8], name: &str) -> Result<Vec<Vec<Data>>, AppError> {
    if bytes.is_empty() {
        return Err(file_error("the file is empty; send the filled-in .xlsx workbook".into()));
    }
    if bytes.len() > MAX_BYTES {
        return Err(file_error(format!("the file is larger than {} MB", MAX_BYTES / 1024 / 1024)));
    }
    let mut workbook: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes))
        .map_err(|e| file_error(format!("this is not an Excel workbook (.xlsx) that can be read: {e}")))?;
    let sheets = workbook.sheet_names().to_owned();
    let sheet = if sheets.iter().any(|s| s == name) {
        name.to_string()
    } else if sheets.len() == 1 {
        sheets[0].clone()
    } else {
        return Err(file_error(format!("the workbook has no sheet named {name:?} (it has {})", sheets.join(", "))));
    };
    let range =
        workbook.worksheet_range(&sheet).map_err(|e| file_error(format!("sheet {sheet:?} cannot be read: {e}")))?;
    // Keep absolute positions: pad the rows and columns calamine trims away.
    let (start_row, start_col) = range.start().map(|(r, c)| (r as usize, c as usize)).unwrap_or((0, 0));
    let mut rows: Vec<Vec<Data>> = vec![Vec::new(); start_row];
    for r in range.rows() {
        let mut row = vec![Data::Empty; start_col];
        row.extend(r.iter().cloned());
        rows.push(row);
    }
    Ok(rows)
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
    use futures_util::StreamExt;
    let too_big = || file_error(format!("the file is larger than {} MB", MAX_BYTES / 1024 / 1024));
    let content_type = req.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let mut out = Vec::new();
    if content_type.starts_with("multipart/form-data") {
        let mut form = actix_multipart::Multipart::new(req.headers(), payload);
        while let Some(field) = form.next().await {
            let mut field = field.map_err(|e| file_error(format!("the upload could not be read: {e}")))?;
            let is_file = field.content_disposition().and_then(|d| d.get_name()) == Some("file");
            while let Some(chunk) = field.next().await {
                let chunk = chunk.map_err(|e| file_error(format!("the upload could not be read: {e}")))?;
                if is_file {
                    out.extend_from_slice(&chunk);
                    if out.len() > MAX_BYTES {
                        return Err(too_big());
                    }
                }
            }
            if is_file {
                return Ok(out);
            }
        }
        return Err(file_error("choose a file to upload".into()));
    }
    let mut payload = payload;
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| file_error(format!("the upload could not be read: {e}")))?;
        out.extend_from_slice(&chunk);
        if out.len() > MAX_BYTES {
            return Err(too_big());
        }
    }
    Ok(out)
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
        let Err(AppError::Validation { details, .. }) = read_sheet(b"PK\x03\x04 not really a zip", "Plan") else {
            panic!("accepted")
        };
        assert_eq!(details[0].field, "file");
    }
}
