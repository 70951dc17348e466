//! `GET /api/v1/fiscal-years/{fy}/summary` and `…/bureaus/{code}/summary`.

use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::{queries, summary};
use crate::db;
use crate::error::AppError;
use crate::http::AppState;
use crate::http::{resolve_month, VisibleBureau, Year};

#[derive(Deserialize)]
pub struct MonthQuery {
    pub month: Option<String>,
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
        summary::office(conn, fy, month, &settings, now)
    })
    .await?;
    Ok(HttpResponse::Ok().json(body))
}

pub async fn bureau_summary(
    state: web::Data<AppState>,
    Year(fy): Year,
    bureau: VisibleBureau,
    q: web::Query<MonthQuery>,
) -> Result<HttpResponse, AppError> {
    let (today, now) = (state.today(), state.now());
    let body = db::blocking(&state.pool, move |conn| {
        let b = bureau.load(conn)?;
        let settings = queries::require_year_settings(conn, fy)?;
        let month = resolve_month(fy, q.month.as_deref(), today)?;
        summary::bureau(conn, fy, month, &settings, &b, now)
    })
    .await?;
    Ok(HttpResponse::Ok().json(body))
}
