//! `GET /api/v1/fiscal-years/{fy}/summary` and `…/bureaus/{code}/summary`.

use actix_web::{web, HttpResponse};
use chrono::NaiveDate;
use serde::Deserialize;

use super::{queries, summary};
use crate::db;
use crate::domain::fiscal::{has_ended, last_ended_month, thai_date};
use crate::domain::{FiscalMonth, FiscalYear};
use crate::error::{AppError, FieldError};
use crate::http::VisibleBureau;
use crate::startup::AppState;

#[derive(Deserialize)]
pub struct MonthQuery {
    pub month: Option<String>,
}

/// The fiscal year from the path; 404 for anything that is not a plausible BE year.
pub fn parse_year(raw: &str) -> Result<FiscalYear, AppError> {
    raw.parse::<i64>()
        .ok()
        .and_then(|n| FiscalYear::new(n).ok())
        .ok_or_else(|| AppError::NotFound(format!("there is no fiscal year {raw:?}")))
}

/// The month asked for, or by default the last ended month of the year; a month
/// that has not ended yet cannot be summarised.
pub fn resolve_month(fy: FiscalYear, raw: Option<&str>, today: NaiveDate) -> Result<FiscalMonth, AppError> {
    let month_error = |msg: String| AppError::validation(vec![FieldError::new("month", msg)]);
    let month =
        match raw.map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) => s.parse::<i64>().ok().and_then(|n| FiscalMonth::new(n).ok()).ok_or_else(|| {
                month_error(format!("{s:?} is not a fiscal month from 1 (October) to 12 (September)"))
            })?,
            None if fy.end() < today => FiscalMonth::LAST,
            None => match last_ended_month(today) {
                (year, m) if year == fy => m,
                _ => return Err(month_error(format!("no month of FY{fy} has ended yet"))),
            },
        };
    if !has_ended(fy, month, today) {
        return Err(month_error(format!(
            "month {month} of FY{fy} ends on {}; it cannot be summarised before it ends",
            thai_date(fy.month_end(month))
        )));
    }
    Ok(month)
}

pub async fn office_summary(
    state: web::Data<AppState>,
    path: web::Path<String>,
    q: web::Query<MonthQuery>,
) -> Result<HttpResponse, AppError> {
    let fy = parse_year(&path)?;
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
    bureau: VisibleBureau,
    path: web::Path<(String, String)>,
    q: web::Query<MonthQuery>,
) -> Result<HttpResponse, AppError> {
    let fy = parse_year(&path.0)?;
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
