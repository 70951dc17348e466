//! `/account`: a signed-in user's own page — their API tokens (when each was
//! last used; make one after typing the password again, shown once; revoke) and
//! a form to change the password. Every form carries the session's CSRF token.
//! The markup is in `views`.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::account;
use super::views::{self, Outcome};
use super::Identity;
use crate::db;
use crate::error::{AppError, FieldError};
use crate::http::{client_addr, AppState, PageLang, Writer};
use crate::i18n::Lang;
use crate::views::{respond, see_other, Frame};

#[derive(Deserialize, Default)]
pub struct Done {
    pub done: Option<String>,
}

async fn answer(
    state: &AppState,
    (lang, who): (Lang, &Identity),
    status: StatusCode,
    outcome: Outcome,
) -> Result<HttpResponse, AppError> {
    let user_id = who.user_id;
    let tokens = db::blocking(&state.pool, move |conn| Ok(account::tokens(conn, user_id)?)).await?;
    let frame =
        Frame::new(lang, lang.t("account.title"), Some(who)).switching(format!("/account{}", lang.other().query(true)));
    let mut res = respond(status, crate::views::page(&frame, views::account(lang, who, &tokens, &outcome)));
    res.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    Ok(res)
}

pub async fn page(
    state: web::Data<AppState>,
    who: Identity,
    PageLang(lang): PageLang,
    q: web::Query<Done>,
) -> Result<HttpResponse, AppError> {
    let notice = match q.done.as_deref() {
        Some("revoked") => Some(lang.t("account.done.revoked")),
        Some("password") => Some(lang.t("account.done.password")),
        _ => None,
    };
    answer(&state, (lang, &who), StatusCode::OK, Outcome { notice, ..Outcome::default() }).await
}

/// A refusal the page can show (the form again, its fields named), or an error
/// for the error page.
async fn refused(state: &AppState, page_of: (Lang, &Identity), e: AppError) -> Result<HttpResponse, AppError> {
    match e {
        AppError::Validation { details, .. } => {
            answer(state, page_of, StatusCode::UNPROCESSABLE_ENTITY, Outcome { errors: details, ..Outcome::default() })
                .await
        }
        other => Err(other),
    }
}

#[derive(Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    pub label: String,
    #[serde(default)]
    pub days: String,
    #[serde(default)]
    pub password: String,
}

pub async fn create_token(
    state: web::Data<AppState>,
    writer: Writer,
    PageLang(lang): PageLang,
    req: HttpRequest,
    form: web::Form<TokenForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let days = match form.days.trim() {
        "" => 90,
        d => match d.parse::<i64>() {
            Ok(n) => n,
            Err(_) => {
                let e = AppError::validation(vec![FieldError::new("days", format!("{d:?} is not a number of days"))]);
                return refused(&state, (lang, &writer.who), e).await;
            }
        },
    };
    let (addr, user_id) = (client_addr(&req, &state.settings.trusted_proxies), writer.who.user_id);
    let issued = writer
        .write(&state.pool, move |conn, actor| {
            let t = account::NewToken { label: &form.label, days, password: &form.password };
            account::create_token(conn, user_id, &t, &addr, actor)
        })
        .await;
    match issued {
        Ok(issued) => {
            let outcome = Outcome { new_token: Some(issued.token), ..Outcome::default() };
            answer(&state, (lang, &writer.who), StatusCode::CREATED, outcome).await
        }
        Err(e) => refused(&state, (lang, &writer.who), e).await,
    }
}

pub async fn revoke_token(
    state: web::Data<AppState>,
    writer: Writer,
    PageLang(lang): PageLang,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id: i64 = path.parse().map_err(|_| AppError::NotFound(format!("no token {:?}", path.as_str())))?;
    super::routes::revoke(&state, &writer, id).await?;
    Ok(see_other(&format!("/account?done=revoked{}", lang.query(false))))
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    pub current_password: String,
    #[serde(default)]
    pub new_password: String,
}

pub async fn change_password(
    state: web::Data<AppState>,
    writer: Writer,
    PageLang(lang): PageLang,
    req: HttpRequest,
    form: web::Form<PasswordForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let addr = client_addr(&req, &state.settings.trusted_proxies);
    let (user_id, token_id) = (writer.who.user_id, writer.who.token_id);
    let changed = writer
        .write(&state.pool, move |conn, actor| {
            account::change_password(conn, user_id, &form.current_password, &form.new_password, token_id, &addr, actor)
        })
        .await;
    match changed {
        Ok(_) => Ok(see_other(&format!("/account?done=password{}", lang.query(false)))),
        Err(e) => refused(&state, (lang, &writer.who), e).await,
    }
}
