//! The ledger's API: `POST /api/v1/ledger/imports` (finance; the file as the body
//! or the `file` field of a form), the import history, and the reconciliation of
//! a month for the office and for one bureau.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

use super::{import, reconcile};
use crate::db;
use crate::error::AppError;
use crate::http::{resolve_month, AppState, VisibleBureau, Writer, Year};

#[derive(Deserialize)]
pub struct ImportQuery {
    /// The file's name for the history (`Content-Disposition` of a form names it too).
    pub filename: Option<String>,
}

/// A file name fit for the history: printable, at most 200 characters.
pub(super) fn clean_name(name: Option<&str>) -> String {
    let n: String = name.unwrap_or("").chars().filter(|c| !c.is_control()).take(200).collect();
    if n.trim().is_empty() {
        "ledger".into()
    } else {
        n.trim().to_string()
    }
}

/// Reads the upload (bounded) and imports it on the blocking pool.
pub(super) async fn receive(
    state: &AppState,
    writer: &Writer,
    req: &HttpRequest,
    payload: web::Payload,
    filename: Option<&str>,
) -> Result<import::Outcome, AppError> {
    let (bytes, sent_name) = crate::xlsx::read_upload_named(req, payload, import::MAX_UPLOAD_BYTES).await?;
    let name = clean_name(filename.or(sent_name.as_deref()));
    let outcome = writer.write(&state.pool, move |conn, actor| super::import_bytes(conn, &name, &bytes, actor)).await?;
    state.after_writes.request();
    Ok(outcome)
}

pub async fn create_import(
    state: web::Data<AppState>,
    writer: Writer,
    req: HttpRequest,
    payload: web::Payload,
    q: web::Query<ImportQuery>,
) -> Result<HttpResponse, AppError> {
    let outcome = receive(&state, &writer, &req, payload, q.filename.as_deref()).await?;
    Ok(HttpResponse::Created().json(outcome))
}

/// One import as the history shows it.
#[derive(Serialize, diesel::Queryable, Debug, Clone)]
pub struct ImportView {
    pub id: i64,
    pub filename: String,
    pub format: String,
    pub outcome: String,
    pub rows: i32,
    pub added: i32,
    pub already_present: i32,
    pub problems: i32,
    pub errors: serde_json::Value,
    pub imported_by: Option<String>,
    pub imported_at: chrono::DateTime<chrono::Utc>,
}

/// The latest imports first.
pub fn history(conn: &mut diesel::PgConnection, limit: i64) -> Result<Vec<ImportView>, AppError> {
    use crate::schema::{ledger_imports as i, users};
    use diesel::prelude::*;
    Ok(i::table
        .left_join(users::table)
        .order((i::imported_at.desc(), i::id.desc()))
        .limit(limit)
        .select((
            i::id,
            i::filename,
            i::format,
            i::outcome,
            i::row_count,
            i::rows_added,
            i::rows_present,
            i::error_count,
            i::errors,
            users::username.nullable(),
            i::imported_at,
        ))
        .load(conn)?)
}

pub async fn list_imports(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(db::blocking(&state.pool, |conn| history(conn, 200)).await?))
}

#[derive(Deserialize)]
pub struct MonthQuery {
    pub month: Option<String>,
}

pub async fn reconciliation(
    state: web::Data<AppState>,
    Year(fy): Year,
    q: web::Query<MonthQuery>,
) -> Result<HttpResponse, AppError> {
    let today = state.today();
    let body = db::blocking(&state.pool, move |conn| {
        let m = resolve_month(fy, q.month.as_deref(), today)?;
        reconcile::bureaus(conn, fy, m, None)?
            .ok_or_else(|| AppError::NotFound(format!("there is no fiscal year {fy}")))
    })
    .await?;
    Ok(HttpResponse::Ok().json(body))
}

#[derive(Serialize)]
struct BureauReconciliation {
    fiscal_year: i32,
    month: u8,
    #[serde(flatten)]
    bureau: reconcile::BureauLine,
    projects: Vec<reconcile::ProjectLine>,
}

pub async fn bureau_reconciliation(
    state: web::Data<AppState>,
    Year(fy): Year,
    bureau: VisibleBureau,
    q: web::Query<MonthQuery>,
) -> Result<HttpResponse, AppError> {
    let today = state.today();
    let body = db::blocking(&state.pool, move |conn| {
        let m = resolve_month(fy, q.month.as_deref(), today)?;
        let b = bureau.load(conn)?;
        let gone = || AppError::NotFound(format!("bureau {} has no plan in fiscal year {fy}", b.code));
        let (line, projects) = reconcile::bureau(conn, fy, m, b.id)?.ok_or_else(gone)?;
        Ok(BureauReconciliation { fiscal_year: fy.be(), month: m.number(), bureau: line, projects })
    })
    .await?;
    Ok(HttpResponse::Ok().json(body))
}
