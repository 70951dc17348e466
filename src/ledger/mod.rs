//! The Central Administration Bureau's control ledger (บัญชีควบคุมการเบิกจ่าย):
//! `import` (a CSV or XLSX file, streamed through `COPY`, checked set-wise in
//! `checks`, appended all or nothing), `reconcile` (the bureaus' reported D and C
//! against the ledger's, per bureau, project and month, with the year's
//! tolerance), the API in `routes`, and finance's pages in `pages` and `views`.
//! Entries are append-only; a correction is a cancellation.

pub mod carry;
pub mod checks;
pub mod import;
pub mod pages;
pub mod reconcile;
pub mod routes;
mod views;

use std::io::Read;

use crate::audit::Actor;
use crate::error::{AppError, FieldError};

crate::text_enum! {
    /// What a ledger entry records.
    pub enum LedgerKind {
        Commitment = "commitment",
        Disbursement = "disbursement",
        Cancellation = "cancellation",
    }
}

impl LedgerKind {
    /// The kind a file names, in English or Thai.
    pub fn from_word(word: &str) -> Option<LedgerKind> {
        match word.trim().to_lowercase().as_str() {
            "commitment" | "ก่อหนี้ผูกพัน" | "ก่อหนี้" => {
                Some(LedgerKind::Commitment)
            }
            "disbursement" | "เบิกจ่าย" => Some(LedgerKind::Disbursement),
            "cancellation" | "ยกเลิก" => Some(LedgerKind::Cancellation),
            _ => None,
        }
    }

    /// The catalogue key of the kind's name.
    pub fn label(self) -> &'static str {
        match self {
            LedgerKind::Commitment => "ledger.kind.commitment",
            LedgerKind::Disbursement => "ledger.kind.disbursement",
            LedgerKind::Cancellation => "ledger.kind.cancellation",
        }
    }
}

/// Imports an uploaded file held in memory (at most `import::MAX_UPLOAD_BYTES`).
pub fn import_bytes(
    conn: &mut diesel::PgConnection,
    filename: &str,
    bytes: &[u8],
    actor: Actor<'_>,
) -> Result<import::Outcome, AppError> {
    if bytes.is_empty() {
        return Err(AppError::validation(vec![FieldError::new(
            "file",
            "the file is empty; send the ledger as CSV (UTF-8) or XLSX (ไฟล์ว่าง)",
        )]));
    }
    let sha = import::digest(bytes);
    match import::Format::sniff(bytes) {
        import::Format::Csv => {
            let file = import::FileInfo { filename, format: import::Format::Csv, sha256: &sha };
            import::import(conn, file, import::Rows::Csv(bytes), actor)
        }
        import::Format::Xlsx => {
            let rows = sheet_rows(bytes)?;
            let file = import::FileInfo { filename, format: import::Format::Xlsx, sha256: &sha };
            import::import(conn, file, import::Rows::<&[u8]>::Xlsx(rows), actor)
        }
    }
}

/// Imports a file from disk, streaming it (the command line: any size).
pub fn import_file(
    conn: &mut diesel::PgConnection,
    path: &std::path::Path,
    actor: Actor<'_>,
) -> Result<import::Outcome, AppError> {
    let open = || {
        std::fs::File::open(path)
            .map_err(|e| AppError::validation(vec![FieldError::new("file", format!("{}: {e}", path.display()))]))
    };
    let mut head = [0u8; 4];
    let n = open()?.read(&mut head).unwrap_or(0);
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    if import::Format::sniff(&head[..n]) == import::Format::Xlsx {
        let bytes = std::fs::read(path)
            .map_err(|e| AppError::validation(vec![FieldError::new("file", format!("{}: {e}", path.display()))]))?;
        return import_bytes(conn, &name, &bytes, actor);
    }
    let mut hasher = <sha2::Sha256 as sha2::Digest>::new();
    std::io::copy(&mut open()?, &mut hasher)
        .map_err(|e| AppError::validation(vec![FieldError::new("file", e.to_string())]))?;
    let sha = crate::auth::token::hex(&sha2::Digest::finalize(hasher));
    let reader = std::io::BufReader::with_capacity(1 << 20, open()?);
    let file = import::FileInfo { filename: &name, format: import::Format::Csv, sha256: &sha };
    import::import(conn, file, import::Rows::Csv(reader), actor)
}

/// The first sheet of a workbook as text rows, read within bounds.
fn sheet_rows(bytes: &[u8]) -> Result<Vec<Vec<String>>, AppError> {
    let rows = crate::xlsx::read_first_sheet(bytes, crate::xlsx::Bounds { rows: 200_000, cols: 7 })?;
    let cell = |c: &calamine::Data| match c {
        // Days since 1899-12-30, Excel's (1900 system) epoch.
        calamine::Data::DateTime(d) => chrono::NaiveDate::from_ymd_opt(1899, 12, 30)
            .and_then(|epoch| epoch.checked_add_signed(chrono::Duration::days(d.as_f64().floor() as i64)))
            .map(|day| day.to_string())
            .unwrap_or_else(|| c.to_string()),
        other => crate::xlsx::text(other),
    };
    Ok(rows.iter().map(|r| r.iter().map(cell).collect()).collect())
}
