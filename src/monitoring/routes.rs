//! `GET /api/v1/fiscal-years/{fy}/summary` and `…/bureaus/{code}/summary`.

use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::{queries, summary};
use crate::auth::Identity;
use crate::db;
use crate::error::AppError;
use crate::http::AppState;
use crate::http::{resolve_month, VisibleBureau, Year};

#[derive(Deserialize)]
pub struct MonthQuery {
    pub month: Option<String>,
    /// `reports` (default) or `ledger`.
    pub source: Option<String>,
}

/// The source asked for; the ledger's figures are for those who see every bureau.
pub fn source_for(who: &Identity, raw: Option<&str>) -> Result<queries::Source, AppError> {
    let source = queries::Source::parse(raw)?;
    if source == queries::Source::Ledger && !who.sees_every_bureau() {
        return Err(AppError::Forbidden("the ledger's figures are for those who see every bureau".into()));
    }
    Ok(source)
}

pub async fn office_summary(
    state: web::Data<AppState>,
    Year(fy): Year,
    q: web::Query<MonthQuery>,
) -> Result<HttpResponse, AppError> {
    let (today, now) = (state.today(), state.now());
    let body = db::blocking(&state.pool, move |conn| {
        let settings = queries::require_year_settings(conn, fy)?;
        let month = resolve_month(fy, q.month.as_deref(), today)?;
        let source = queries::Source::parse(q.source.as_deref())?;
        summary::office_from(conn, fy, month, &settings, now, source)
    })
    .await?;
    Ok(HttpResponse::Ok().json(body))
}

pub async fn bureau_summary(
    state: web::Data<AppState>,
    who: Identity,
    Year(fy): Year,
    bureau: VisibleBureau,
    q: web::Query<MonthQuery>,
) -> Result<HttpResponse, AppError> {
    let (today, now) = (state.today(), state.now());
    let source = source_for(&who, q.source.as_deref())?;
    let body = db::blocking(&state.pool, move |conn| {
        let b = bureau.load(conn)?;
        let settings = queries::require_year_settings(conn, fy)?;
        let month = resolve_month(fy, q.month.as_deref(), today)?;
        summary::bureau_from(conn, fy, month, &settings, &b, now, source)
    })
    .await?;
    Ok(HttpResponse::Ok().json(body))
}
