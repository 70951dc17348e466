//! The secretary-general's inbox (most severe and oldest first, with acknowledge,
//! order-a-follow-up and resolve) and a bureau's page of orders addressed to it.
//! The markup is in `views`.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::routes::{list, Filter};
use super::views::{self, Inbox, Refusal};
use crate::audit::Actor;
use crate::auth::Identity;
use crate::db;
use crate::domain::Role;
use crate::error::{AppError, FieldError};
use crate::http::{AppState, PageLang, Writer};
use crate::i18n::Lang;
use crate::views::{self as page_views, see_other, Frame};

/// Which page an action answers with.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Back {
    Inbox,
    Orders,
}

impl Back {
    fn path(self) -> &'static str {
        match self {
            Back::Inbox => "/alerts",
            Back::Orders => "/follow-ups",
        }
    }
}

/// The inbox or the orders page, answered with `status`.
async fn answer(
    state: &AppState,
    lang: Lang,
    who: &Identity,
    back: Back,
    refusal: Option<Refusal<'_>>,
    done: Option<&str>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let reader = who.clone();
    let alerts = db::blocking(&state.pool, move |conn| list(conn, &reader, &Filter::default())).await?;
    let (title, body) = match back {
        Back::Inbox => {
            let page = Inbox {
                alerts: &alerts,
                refusal,
                notice: done,
                today: state.today(),
                can_act: who.has_any(&[Role::SecretaryGeneral, Role::Strategy]),
            };
            (lang.t("alerts.title"), views::inbox(lang, who, &page))
        }
        Back::Orders => (lang.t("follow_ups.title"), views::follow_ups(lang, who, &alerts, refusal, done)),
    };
    let frame = Frame::new(lang, title, Some(who)).switching(format!("{}{}", back.path(), lang.other().query(true)));
    Ok(page_views::respond(status, page_views::page(&frame, body)))
}

#[derive(Deserialize, Default)]
pub struct Done {
    pub done: Option<String>,
}

pub async fn page(
    state: web::Data<AppState>,
    who: Identity,
    PageLang(lang): PageLang,
    q: web::Query<Done>,
) -> Result<HttpResponse, AppError> {
    let done = match q.done.as_deref() {
        Some("acknowledged") => Some(lang.t("alerts.done.acknowledged")),
        Some("ordered") => Some(lang.t("alerts.done.ordered")),
        Some("resolved") => Some(lang.t("alerts.done.resolved")),
        _ => None,
    };
    answer(&state, lang, &who, Back::Inbox, None, done, StatusCode::OK).await
}

#[derive(Deserialize, Default)]
pub struct ActionForm {
    #[serde(default)]
    pub instruction: String,
    #[serde(default)]
    pub due_on: String,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub response: String,
}

/// Runs a lifecycle action on alert or follow-up `about` and answers with its
/// page: a redirect on success, the page with the problems named otherwise.
async fn act<F>(
    state: &AppState,
    writer: &Writer,
    lang: Lang,
    about: i64,
    (back, done): (Back, &str),
    f: F,
) -> Result<HttpResponse, AppError>
where
    F: FnOnce(&mut diesel::PgConnection, Actor<'_>) -> Result<(), AppError> + Send + 'static,
{
    match writer.write(&state.pool, move |conn, actor| Ok(f(conn, actor))).await? {
        Ok(()) => Ok(see_other(&format!("{}?done={done}{}", back.path(), lang.query(false)))),
        Err(e @ (AppError::Validation { .. } | AppError::Conflict(_) | AppError::NotFound(_))) => {
            let status = e.status_code_for_page();
            let details = match e {
                AppError::Validation { details, .. } => details,
                other => {
                    vec![FieldError::new(if back == Back::Orders { "follow_up" } else { "alert" }, other.to_string())]
                }
            };
            let refusal = Refusal { about, details: &details };
            answer(state, lang, &writer.who, back, Some(refusal), None, status).await
        }
        Err(e) => Err(e),
    }
}

pub async fn acknowledge(
    state: web::Data<AppState>,
    writer: Writer,
    PageLang(lang): PageLang,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    act(&state, &writer, lang, id, (Back::Inbox, "acknowledged"), move |conn, actor| {
        super::acknowledge(conn, id, actor)
    })
    .await
}

pub async fn follow_up(
    state: web::Data<AppState>,
    writer: Writer,
    PageLang(lang): PageLang,
    path: web::Path<i64>,
    form: web::Form<ActionForm>,
) -> Result<HttpResponse, AppError> {
    let (id, form, today) = (path.into_inner(), form.into_inner(), state.today());
    act(&state, &writer, lang, id, (Back::Inbox, "ordered"), move |conn, actor| {
        super::order_follow_up(conn, id, &form.instruction, &form.due_on, None, today, actor).map(|_| ())
    })
    .await
}

pub async fn resolve(
    state: web::Data<AppState>,
    writer: Writer,
    PageLang(lang): PageLang,
    path: web::Path<i64>,
    form: web::Form<ActionForm>,
) -> Result<HttpResponse, AppError> {
    let (id, note) = (path.into_inner(), form.into_inner().note);
    act(&state, &writer, lang, id, (Back::Inbox, "resolved"), move |conn, actor| super::resolve(conn, id, &note, actor))
        .await
}

pub async fn follow_ups(
    state: web::Data<AppState>,
    who: Identity,
    PageLang(lang): PageLang,
    q: web::Query<Done>,
) -> Result<HttpResponse, AppError> {
    let done = (q.done.as_deref() == Some("responded")).then(|| lang.t("follow_ups.done"));
    answer(&state, lang, &who, Back::Orders, None, done, StatusCode::OK).await
}

pub async fn respond(
    state: web::Data<AppState>,
    writer: Writer,
    PageLang(lang): PageLang,
    path: web::Path<i64>,
    form: web::Form<ActionForm>,
) -> Result<HttpResponse, AppError> {
    let (id, response, bureaus) = (path.into_inner(), form.into_inner().response, writer.who.bureau_ids.clone());
    act(&state, &writer, lang, id, (Back::Orders, "responded"), move |conn, actor| {
        super::respond(conn, id, &response, &bureaus, actor)
    })
    .await
}
