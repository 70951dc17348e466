//! The bureau's monthly report as a web form, Thai first. A reporter sees its
//! projects with allocation, plan to date and what was disbursed before this month,
//! types this month's figures, previews the rates and lag, saves a draft or
//! submits. On error the page comes back with everything typed, the errors listed
//! at the top (each a link to its field) and each field marked for screen readers.
//! The revision history shows what changed from one revision to the next. The
//! markup is in `views`.

use std::collections::{BTreeMap, HashMap};

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use diesel::prelude::*;
use rust_decimal::Decimal;

use super::routes::{load, locate, submit};
use super::views::{self, Change, HistoryItem, Typed};
use super::{Context, IfMatch, RevisionStatus};
use crate::auth::Identity;
use crate::db;
use crate::error::{AppError, FieldError};
use crate::http::{AppState, PageLang, ReportAt};
use crate::i18n::Lang;
use crate::schema::{report_lines, report_revisions, users};
use crate::views::{page as frame, respond, see_other, Frame};

fn answer(status: StatusCode, lang: Lang, ctx: &Context, who: &Identity, body: crate::views::Markup) -> HttpResponse {
    let frame_of =
        Frame::new(lang, views::title(lang, ctx), Some(who)).switching(views::report_href(ctx, "", lang.other()));
    respond(status, frame(&frame_of, body))
}

fn form_page(
    status: StatusCode,
    lang: Lang,
    ctx: &Context,
    who: &Identity,
    typed: &Typed,
    errors: &[FieldError],
    notice: Option<&str>,
) -> HttpResponse {
    answer(status, lang, ctx, who, views::report_page(lang, ctx, who, typed, errors, notice))
}

#[derive(serde::Deserialize)]
pub struct Done {
    pub done: Option<String>,
}

pub async fn page(
    state: web::Data<AppState>,
    who: Identity,
    at: ReportAt,
    PageLang(lang): PageLang,
    q: web::Query<Done>,
) -> Result<HttpResponse, AppError> {
    let ctx = load(&state, &at).await?;
    let notice = match q.done.as_deref() {
        Some("draft") => Some(lang.t("report.done.draft")),
        Some("submitted") => Some(lang.t("report.done.submitted")),
        _ => None,
    };
    Ok(form_page(StatusCode::OK, lang, &ctx, &who, &Typed::from_context(&ctx), &[], notice))
}

/// A save's refusal the form can show (its fields named, a stale revision or a
/// locked month as the report's problem); anything else is the error it is.
fn shown(e: AppError) -> Result<(StatusCode, Vec<FieldError>), AppError> {
    match e {
        AppError::Validation { details, .. } => Ok((StatusCode::UNPROCESSABLE_ENTITY, details)),
        e @ (AppError::PreconditionFailed(_) | AppError::Conflict(_)) => {
            Ok((e.status_code_for_page(), vec![FieldError::new("report", e.to_string())]))
        }
        e => Err(e),
    }
}

pub async fn post(
    state: web::Data<AppState>,
    who: Identity,
    at: ReportAt,
    req: HttpRequest,
    form: web::Form<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let ctx = load(&state, &at).await?;
    let typed = Typed::from_form(&ctx, &form);
    let lang = Lang::from_query(form.get("lang").map(String::as_str));
    let action = form.get("action").map(String::as_str).unwrap_or("draft");
    if action == "preview" {
        let errors = match super::check(&ctx, &typed.input(&ctx, "draft")) {
            Err(AppError::Validation { details, .. }) => details,
            _ => Vec::new(),
        };
        let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
        return Ok(form_page(status, lang, &ctx, &who, &typed, &errors, None));
    }
    let status = if action == "submit" { "submitted" } else { "draft" };
    let expected = form.get("revision").and_then(|r| r.parse::<i32>().ok()).map(IfMatch::revision);
    match submit(&state, &who, &req, &at, typed.input(&ctx, status), &[], expected).await {
        Ok(_) => {
            state.after_writes.request();
            Ok(see_other(&format!("{}?done={status}{}", views::report_href(&ctx, "", Lang::Th), lang.query(false))))
        }
        Err(e) => {
            let (code, errors) = shown(e)?;
            Ok(form_page(code, lang, &ctx, &who, &typed, &errors, None))
        }
    }
}

/// A revision as the history reads it.
#[derive(Queryable)]
struct Rev {
    id: i64,
    revision: i32,
    status: RevisionStatus,
    obstacles: String,
    limitations: String,
    suggestions: String,
    created_at: chrono::DateTime<chrono::Utc>,
    on_time: Option<bool>,
    username: Option<String>,
}

type Lines = Vec<(i64, i32, Decimal, Decimal)>;

/// Every revision of the report with its lines (none for a report not started).
fn revisions(conn: &mut PgConnection, ctx: &Context) -> Result<(Vec<Rev>, Lines), AppError> {
    let Some(report_id) = ctx.report_id else { return Ok((Vec::new(), Vec::new())) };
    let revs: Vec<Rev> = report_revisions::table
        .left_join(users::table)
        .filter(report_revisions::report_id.eq(report_id))
        .order(report_revisions::revision.asc())
        .select((
            report_revisions::id,
            report_revisions::revision,
            report_revisions::status,
            report_revisions::obstacles,
            report_revisions::limitations,
            report_revisions::suggestions,
            report_revisions::created_at,
            report_revisions::on_time,
            users::username.nullable(),
        ))
        .load(conn)?;
    let ids: Vec<i64> = revs.iter().map(|r| r.id).collect();
    let lines = report_lines::table
        .filter(report_lines::revision_id.eq_any(&ids))
        .select((report_lines::revision_id, report_lines::project_id, report_lines::disbursed, report_lines::committed))
        .load(conn)?;
    Ok((revs, lines))
}

/// What changed from one revision to the next, oldest first.
fn history_items(ctx: &Context, revs: &[Rev], lines: Lines) -> Vec<HistoryItem> {
    let code_of: HashMap<i32, &str> = ctx.projects.iter().map(|p| (p.id, p.project_code.as_str())).collect();
    let mut by_rev: HashMap<i64, BTreeMap<String, (Decimal, Decimal)>> = HashMap::new();
    for (rev, project, d, c) in lines {
        by_rev.entry(rev).or_default().insert(code_of.get(&project).copied().unwrap_or("?").to_string(), (d, c));
    }
    let empty = BTreeMap::new();
    revs.iter()
        .enumerate()
        .map(|(i, r)| {
            let now = by_rev.get(&r.id).unwrap_or(&empty);
            let mut changes = Vec::new();
            match i.checked_sub(1).map(|p| &revs[p]) {
                None => changes.push(Change::First),
                Some(p) => {
                    let before = by_rev.get(&p.id).unwrap_or(&empty);
                    for (code, (d, c)) in now {
                        let (od, oc) = before.get(code).copied().unwrap_or_default();
                        if od != *d {
                            changes.push(Change::Disbursed { code: code.clone(), from: od, to: *d });
                        }
                        if oc != *c {
                            changes.push(Change::Committed { code: code.clone(), from: oc, to: *c });
                        }
                    }
                    for (key, old, new) in [
                        ("report.obstacles", &p.obstacles, &r.obstacles),
                        ("report.limitations", &p.limitations, &r.limitations),
                        ("report.suggestions", &p.suggestions, &r.suggestions),
                    ] {
                        if old != new {
                            changes.push(Change::Narrative(key));
                        }
                    }
                }
            }
            HistoryItem {
                revision: r.revision,
                submitted: r.status == RevisionStatus::Submitted,
                on_time: r.on_time,
                at: r.created_at,
                by: r.username.clone(),
                total: now.values().map(|(d, _)| *d).sum(),
                changes,
            }
        })
        .collect()
}

/// Revision history: every revision, newest first, with what changed from the one
/// before (lines and narrative).
pub async fn history(
    state: web::Data<AppState>,
    who: Identity,
    at: ReportAt,
    PageLang(lang): PageLang,
) -> Result<HttpResponse, AppError> {
    let today = state.today();
    let (ctx, revs, lines) = db::blocking(&state.pool, move |conn| {
        let (fy, m, b) = locate(conn, &at, today)?;
        let ctx = super::context(conn, fy, m, b.id, &b.code)?;
        let (revs, lines) = revisions(conn, &ctx)?;
        Ok((ctx, revs, lines))
    })
    .await?;
    let mut items = history_items(&ctx, &revs, lines);
    items.reverse();
    let title =
        lang.f("report.history.title", &[("month", &lang.month(ctx.fy, ctx.month)), ("bureau", &ctx.bureau_code)]);
    let frame_of = Frame::new(lang, title, Some(&who)).switching(views::report_href(&ctx, "/revisions", lang.other()));
    Ok(respond(StatusCode::OK, frame(&frame_of, views::history_page(lang, &ctx, &items))))
}

/// The page's Excel upload: saved as a draft, or the page again with the file's
/// errors by row and column.
pub async fn import(
    state: web::Data<AppState>,
    who: Identity,
    at: ReportAt,
    PageLang(lang): PageLang,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    match super::routes::import_file(&state, &who, &req, &at, Some("draft"), payload).await {
        Ok(_) => {
            state.after_writes.request();
            let ctx_href = format!("/reports/{}/{}/{}", at.fy, at.month, at.bureau.code());
            Ok(see_other(&format!("{ctx_href}?done=draft{}", lang.query(false))))
        }
        Err(e) => {
            let (code, errors) = shown(e)?;
            let ctx = load(&state, &at).await?;
            Ok(form_page(code, lang, &ctx, &who, &Typed::from_context(&ctx), &errors, None))
        }
    }
}
