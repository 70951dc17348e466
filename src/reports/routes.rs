//! `GET|PUT /api/v1/reports/{fy}/{month}/{bureau_code}`, its revisions, and month
//! locks. A reporter may reach only its own bureau's reports; anyone else's answer
//! 404, because their existence is not the reporter's business.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::{Context, ProjectContext, ReportInput};
use crate::audit::Actor;
use crate::auth::Identity;
use crate::db;
use crate::domain::fiscal::has_ended;
use crate::domain::money::json as dj;
use crate::domain::{FiscalMonth, FiscalYear, Role};
use crate::error::{AppError, FieldError};
use crate::http::{AppState, ReportAt, Writer, YearMonth};
use crate::idempotency;
use crate::monitoring::queries;
use crate::ops::middleware::RequestId;

#[derive(Serialize, Debug)]
pub struct LineView {
    #[serde(flatten)]
    pub project: ProjectContext,
    #[serde(serialize_with = "dj::money")]
    pub disbursed: rust_decimal::Decimal,
    #[serde(serialize_with = "dj::money")]
    pub committed: rust_decimal::Decimal,
}

#[derive(Serialize, Debug)]
pub struct ReportView {
    pub fiscal_year: i32,
    pub month: u8,
    pub bureau_code: String,
    /// `not_started`, `draft` or `submitted` (the latest revision's state).
    pub status: String,
    pub revision: i32,
    pub submitted_at: Option<DateTime<Utc>>,
    pub on_time: Option<bool>,
    pub due_at: DateTime<Utc>,
    pub locked: bool,
    pub obstacles: String,
    pub limitations: String,
    pub suggestions: String,
    pub lines: Vec<LineView>,
}

pub fn view(ctx: &Context) -> ReportView {
    let (status, rev, lines) = match &ctx.latest {
        Some((r, lines)) => (r.status.as_str().to_string(), Some(r), Some(lines)),
        None => ("not_started".to_string(), None, None),
    };
    ReportView {
        fiscal_year: ctx.fy.be(),
        month: ctx.month.number(),
        bureau_code: ctx.bureau_code.clone(),
        status,
        revision: ctx.latest_revision,
        submitted_at: rev.and_then(|r| r.submitted_at),
        on_time: rev.and_then(|r| r.on_time),
        due_at: ctx.due_at,
        locked: ctx.locked,
        obstacles: rev.map(|r| r.obstacles.clone()).unwrap_or_default(),
        limitations: rev.map(|r| r.limitations.clone()).unwrap_or_default(),
        suggestions: rev.map(|r| r.suggestions.clone()).unwrap_or_default(),
        lines: ctx
            .projects
            .iter()
            .map(|p| {
                let (d, c) = lines.and_then(|l| l.get(&p.id)).copied().unwrap_or_default();
                LineView { project: p.clone(), disbursed: d, committed: c }
            })
            .collect(),
    }
}

/// The report's bureau row, the month checked to have ended (422 otherwise; the
/// year and the bureau's visibility were decided by `ReportAt`).
pub fn locate(
    conn: &mut PgConnection,
    at: &ReportAt,
    today: chrono::NaiveDate,
) -> Result<(FiscalYear, FiscalMonth, queries::BureauRow), AppError> {
    let (fy, month) = (at.fy, at.month);
    let bureau = at.bureau.load(conn)?;
    if !has_ended(fy, month, today) {
        return Err(AppError::validation(vec![FieldError::new(
            "month",
            format!(
                "เดือนนี้ยังไม่สิ้นสุด (สิ้นสุด {}) จึงยังรายงานไม่ได้ (a month that has not ended cannot be reported)",
                crate::domain::fiscal::thai_date(fy.month_end(month))
            ),
        )]));
    }
    Ok((fy, month, bureau))
}

/// The context of the report at `at` (422 for a month that has not ended).
pub async fn load(state: &AppState, at: &ReportAt) -> Result<Context, AppError> {
    let (at, today) = (at.clone(), state.today());
    db::blocking(&state.pool, move |conn| {
        let (fy, m, b) = locate(conn, &at, today)?;
        super::context(conn, fy, m, b.id, &b.code)
    })
    .await
}

fn respond(status: u16, etag: Option<&str>, body: String) -> HttpResponse {
    let mut res =
        HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap_or(actix_web::http::StatusCode::OK));
    res.content_type("application/json");
    if let Some(e) = etag {
        res.insert_header((header::ETAG, e.to_string()));
    }
    res.body(body)
}

pub async fn get_report(state: web::Data<AppState>, at: ReportAt) -> Result<HttpResponse, AppError> {
    let ctx = load(&state, &at).await?;
    let body = serde_json::to_string(&view(&ctx)).map_err(anyhow::Error::from)?;
    Ok(respond(200, Some(&super::etag(ctx.latest_revision)), body))
}

/// Only the bureau's own reporters write its reports.
fn may_write(who: &Identity, bureau_id: i32) -> Result<(), AppError> {
    if who.has(Role::Reporter) && who.bureau_ids.contains(&bureau_id) {
        Ok(())
    } else {
        Err(AppError::NotFound("there is no report of this bureau for you to write".into()))
    }
}

/// Checks and saves a report body for the caller; the shared path of the API, the
/// web form and the Excel import. Returns the stored answer (status, ETag, JSON).
pub async fn submit(
    state: &AppState,
    who: &Identity,
    req: &HttpRequest,
    at: &ReportAt,
    input: ReportInput,
    body_for_key: &[u8],
    expected: Option<super::IfMatch>,
) -> Result<idempotency::Stored, AppError> {
    let key = idempotency::key_of(req)?;
    let fingerprint = idempotency::fingerprint(req, body_for_key);
    let (who, at, today, now, rid) = (who.clone(), at.clone(), state.today(), state.now(), RequestId::of(req));
    db::blocking(&state.pool, move |conn| {
        let (fy, m, b) = locate(conn, &at, today)?;
        may_write(&who, b.id)?;
        conn.transaction(|conn| {
            if let Some(k) = &key {
                if let Some(stored) = idempotency::replay(conn, who.user_id, k, &fingerprint)? {
                    return Ok(stored);
                }
            }
            let ctx = super::context(conn, fy, m, b.id, &b.code)?;
            let checked = super::check(&ctx, &input)?;
            let saved = super::save(
                conn,
                &ctx,
                &checked,
                expected,
                now,
                Actor { user_id: Some(who.user_id), request_id: rid.as_deref() },
            )?;
            let answer = idempotency::Stored {
                status: 200,
                etag: Some(super::etag(saved.revision)),
                body: serde_json::to_string(&view(&saved.context)).map_err(anyhow::Error::from)?,
            };
            if let Some(k) = &key {
                idempotency::store(conn, who.user_id, k, &fingerprint, &answer)?;
            }
            tracing::info!(fiscal_year = fy.be(), month = m.number(), bureau = %b.code, revision = saved.revision,
                           submitted = checked.submit, "report saved");
            Ok(answer)
        })
    })
    .await
}

pub async fn put_report(
    state: web::Data<AppState>,
    who: Identity,
    at: ReportAt,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let input: ReportInput = serde_json::from_slice(&body).map_err(|e| {
        if e.is_data() {
            AppError::validation(vec![FieldError::new("body", e.to_string())])
        } else {
            AppError::BadRequest(format!("the request body is not valid JSON: {e}"))
        }
    })?;
    let expected = super::if_match(req.headers().get_all(header::IF_MATCH));
    let answer = submit(&state, &who, &req, &at, input, &body, expected).await?;
    state.after_writes.request();
    Ok(respond(answer.status, answer.etag.as_deref(), answer.body))
}

pub async fn list_revisions(state: web::Data<AppState>, at: ReportAt) -> Result<HttpResponse, AppError> {
    let today = state.today();
    let list = db::blocking(&state.pool, move |conn| {
        let (fy, m, b) = locate(conn, &at, today)?;
        let ctx = super::context(conn, fy, m, b.id, &b.code)?;
        match ctx.report_id {
            Some(id) => Ok(super::revisions(conn, id)?),
            None => Ok(Vec::new()),
        }
    })
    .await?;
    Ok(HttpResponse::Ok().json(list))
}

#[derive(Deserialize, Default)]
pub struct Reason {
    #[serde(default)]
    pub reason: String,
}

async fn lock_or_reopen(
    state: web::Data<AppState>,
    writer: Writer,
    at: YearMonth,
    body: Option<web::Json<Reason>>,
    lock: bool,
) -> Result<HttpResponse, AppError> {
    let YearMonth { fy, month } = at;
    let reason = body.map(|b| b.into_inner().reason).unwrap_or_default();
    writer.write(&state.pool, move |conn, actor| super::set_lock(conn, fy, month, lock, &reason, actor)).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({"fiscal_year": fy.be(), "month": month.number(), "locked": lock})))
}

pub async fn lock_month(
    state: web::Data<AppState>,
    writer: Writer,
    at: YearMonth,
    body: Option<web::Json<Reason>>,
) -> Result<HttpResponse, AppError> {
    lock_or_reopen(state, writer, at, body, true).await
}

pub async fn reopen_month(
    state: web::Data<AppState>,
    writer: Writer,
    at: YearMonth,
    body: Option<web::Json<Reason>>,
) -> Result<HttpResponse, AppError> {
    lock_or_reopen(state, writer, at, body, false).await
}

pub async fn template(state: web::Data<AppState>, at: ReportAt) -> Result<HttpResponse, AppError> {
    let ctx = load(&state, &at).await?;
    let name = format!("report-{}-{:02}-{}.xlsx", ctx.fy, ctx.month.number(), ctx.bureau_code);
    let bytes = web::block(move || super::xlsx::template(&ctx)).await??;
    Ok(HttpResponse::Ok()
        .content_type(crate::xlsx::CONTENT_TYPE)
        .insert_header(("Content-Disposition", format!("attachment; filename=\"{name}\"")))
        .body(bytes))
}

#[derive(Deserialize)]
pub struct ImportQuery {
    /// `draft` (default: the officer checks it in the form, then submits) or `submitted`.
    pub status: Option<String>,
}

/// Reads a filled template and saves it like a PUT (the revision it was made from
/// is its If-Match), refusing the whole file with rows and columns on any error.
pub async fn import(
    state: web::Data<AppState>,
    who: Identity,
    at: ReportAt,
    req: HttpRequest,
    q: web::Query<ImportQuery>,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    let answer = import_file(&state, &who, &req, &at, q.status.as_deref(), payload).await?;
    state.after_writes.request();
    Ok(respond(answer.status, answer.etag.as_deref(), answer.body))
}

pub async fn import_file(
    state: &AppState,
    who: &Identity,
    req: &HttpRequest,
    at: &ReportAt,
    status: Option<&str>,
    payload: web::Payload,
) -> Result<idempotency::Stored, AppError> {
    let status = match status.unwrap_or("draft") {
        s @ ("draft" | "submitted") => s.to_string(),
        other => {
            return Err(AppError::validation(vec![FieldError::new(
                "status",
                format!("{other:?} ต้องเป็น draft หรือ submitted"),
            )]))
        }
    };
    let bytes = crate::xlsx::read_upload(req, payload).await?;
    let today = state.today();
    let (who2, at2) = (who.clone(), at.clone());
    // The workbook is read on the blocking pool, like the database work.
    let (ctx, parsed, bytes) = db::blocking(&state.pool, move |conn| {
        let (fy, m, b) = locate(conn, &at2, today)?;
        may_write(&who2, b.id)?;
        let ctx = super::context(conn, fy, m, b.id, &b.code)?;
        let parsed = super::xlsx::parse(&ctx, &bytes, &status)?;
        Ok((ctx, parsed, bytes))
    })
    .await?;
    let input = parsed.input.clone();
    let expected = Some(super::IfMatch::revision(parsed.revision));
    submit(state, who, req, at, parsed.input, &bytes, expected)
        .await
        .map_err(|e| super::xlsx::locate_errors(&ctx, &input, e))
}
