//! Finance's ledger page (upload and the history of imports) and the
//! reconciliation pages for finance, strategy, the secretary-general and the
//! auditor: office → bureau → the documents behind a project. Markup in `views`.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::views::{self, At, Index};
use super::{reconcile, routes};
use crate::auth::Identity;
use crate::db;
use crate::domain::fiscal::{has_ended, last_ended_month};
use crate::domain::{FiscalMonth, FiscalYear, Role};
use crate::error::{AppError, FieldError};
use crate::http::{parse_year, resolve_month, AppState, PageLang, ProjectCode, VisibleBureau, VisibleProject, Writer};
use crate::i18n::Lang;
use crate::views::{page, respond, see_other, Frame, Markup};

fn frame<'a>(lang: Lang, title: String, who: &'a Identity, here: &str) -> Frame<'a> {
    let sep = if here.contains('?') { "&" } else { "?" };
    let other = match lang.other() {
        Lang::En => format!("{here}{sep}lang=en"),
        Lang::Th => here.to_string(),
    };
    Frame::new(lang, title, Some(who)).switching(other)
}

#[derive(Deserialize)]
pub struct Done {
    pub done: Option<String>,
}

async fn index_page(
    state: &AppState,
    lang: Lang,
    who: &Identity,
    refused: &[FieldError],
    done: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let imports = db::blocking(&state.pool, |conn| routes::history(conn, 50)).await?;
    let (fy, m) = last_ended_month(state.today());
    let body = views::index(
        lang,
        who,
        &Index { imports: &imports, can_import: who.has(Role::Finance), refused, done, latest: Some((fy, m)) },
    );
    Ok(respond(status, page(&frame(lang, lang.t("ledger.title").into(), who, "/ledger"), body)))
}

pub async fn index(
    state: web::Data<AppState>,
    who: Identity,
    PageLang(lang): PageLang,
    q: web::Query<Done>,
) -> Result<HttpResponse, AppError> {
    let done = q.done.as_deref().and_then(|d| d.strip_prefix("import:")).and_then(|counts| {
        let (added, present) = counts.split_once('-')?;
        let (added, present) = (added.parse::<usize>().ok()?, present.parse::<usize>().ok()?);
        Some(lang.f("ledger.done", &[("added", &added), ("present", &present)]))
    });
    index_page(&state, lang, &who, &[], done, StatusCode::OK).await
}

pub async fn upload(
    state: web::Data<AppState>,
    writer: Writer,
    PageLang(lang): PageLang,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    match routes::receive(&state, &writer, &req, payload, None).await {
        Ok(o) => Ok(see_other(&format!("/ledger?done=import:{}-{}{}", o.added, o.already_present, lang.query(false)))),
        Err(AppError::Validation { message, mut details }) => {
            details.insert(0, FieldError::new("file", message));
            index_page(&state, lang, &writer.who, &details, None, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
pub struct AtQuery {
    pub fy: Option<String>,
    pub month: Option<String>,
}

impl AtQuery {
    /// `path` with the year and month as asked (for the language switch).
    fn here(&self, path: &str) -> String {
        format!("{path}?fy={}&month={}", self.fy.as_deref().unwrap_or(""), self.month.as_deref().unwrap_or(""))
    }
}

/// The year and month asked for (by default the last ended month), the years
/// on record and the months of this one that have ended.
fn at(conn: &mut diesel::PgConnection, q: &AtQuery, today: chrono::NaiveDate, lang: Lang) -> Result<At, AppError> {
    let fy = match q.fy.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(raw) => parse_year(raw)?,
        None => last_ended_month(today).0,
    };
    let month = resolve_month(fy, q.month.as_deref(), today)?;
    let years: Vec<i32> = crate::plans::load_years(conn, None)?.iter().map(|y| y.fiscal_year).collect();
    Ok(At { lang, fy, month, years, months: FiscalMonth::all().filter(|m| has_ended(fy, *m, today)).collect() })
}

async fn show<T: Send + 'static>(
    state: &AppState,
    who: &Identity,
    lang: Lang,
    here: String,
    load: impl FnOnce(&mut diesel::PgConnection) -> Result<T, AppError> + Send + 'static,
    draw: impl FnOnce(&T) -> (String, Markup),
) -> Result<HttpResponse, AppError> {
    let data = db::blocking(&state.pool, move |conn| load(conn)).await?;
    let (title, body) = draw(&data);
    Ok(respond(StatusCode::OK, page(&frame(lang, title, who, &here), body)))
}

fn gone(fy: FiscalYear) -> AppError {
    AppError::NotFound(format!("there is no fiscal year {fy}"))
}

pub async fn office(
    state: web::Data<AppState>,
    who: Identity,
    PageLang(lang): PageLang,
    q: web::Query<AtQuery>,
) -> Result<HttpResponse, AppError> {
    let (today, q) = (state.today(), q.into_inner());
    let here = q.here("/ledger/reconciliation");
    show(
        &state,
        &who,
        lang,
        here,
        move |conn| {
            let at = at(conn, &q, today, lang)?;
            let r = reconcile::bureaus(conn, at.fy, at.month, None)?.ok_or_else(|| gone(at.fy))?;
            Ok((at, r))
        },
        |(at, r)| (lang.t("ledger.reconciliation.title").to_string(), views::office(at, r)),
    )
    .await
}

pub async fn bureau(
    state: web::Data<AppState>,
    who: Identity,
    PageLang(lang): PageLang,
    bureau: VisibleBureau,
    q: web::Query<AtQuery>,
) -> Result<HttpResponse, AppError> {
    let (today, q) = (state.today(), q.into_inner());
    let here = q.here(&format!("/ledger/reconciliation/{}", bureau.code()));
    show(
        &state,
        &who,
        lang,
        here,
        move |conn| {
            let at = at(conn, &q, today, lang)?;
            let b = bureau.load(conn)?;
            let (line, projects) = reconcile::bureau(conn, at.fy, at.month, b.id)?.ok_or_else(|| gone(at.fy))?;
            Ok((at, line, projects))
        },
        |(at, line, projects)| {
            (
                lang.f("ledger.bureau.title", &[("bureau", &format!("{} {}", line.code, line.name_th))]),
                views::bureau(at, line, projects),
            )
        },
    )
    .await
}

pub async fn documents(
    state: web::Data<AppState>,
    who: Identity,
    PageLang(lang): PageLang,
    ProjectCode(code): ProjectCode,
    q: web::Query<AtQuery>,
) -> Result<HttpResponse, AppError> {
    let (today, q, reader) = (state.today(), q.into_inner(), who.clone());
    let here = q.here(&format!("/ledger/documents/{code}"));
    show(
        &state,
        &who,
        lang,
        here,
        move |conn| {
            let at = at(conn, &q, today, lang)?;
            let (p, b) = VisibleProject::load(conn, &reader, at.fy, &code)?;
            let docs = reconcile::documents(conn, at.fy, at.month, p.id)?;
            Ok((at, b.code, p, docs))
        },
        |(at, bureau, p, docs)| {
            (
                lang.f("ledger.documents.title", &[("project", &format!("{} {}", p.code, p.name_th))]),
                views::documents(at, bureau, &p.code, docs),
            )
        },
    )
    .await
}

#[derive(Deserialize)]
pub struct YearQuery {
    pub fy: Option<String>,
}

/// `GET /ledger/carry-over?fy=`: by default the year before the current one.
pub async fn carry_over(
    state: web::Data<AppState>,
    who: Identity,
    PageLang(lang): PageLang,
    q: web::Query<YearQuery>,
) -> Result<HttpResponse, AppError> {
    let today = state.today();
    let fy = match q.fy.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(raw) => parse_year(raw)?,
        None => FiscalYear::containing(today).previous(),
    };
    show(
        &state,
        &who,
        lang,
        format!("/ledger/carry-over?fy={fy}"),
        move |conn| super::carry::carried_over(conn, fy, today)?.ok_or_else(|| gone(fy)),
        |c| (lang.f("ledger.carry.title", &[("fy", &c.fiscal_year)]), views::carry_over(lang, c)),
    )
    .await
}
