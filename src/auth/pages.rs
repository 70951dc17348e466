//! `/account`: a signed-in user's own page — their API tokens (when each was
//! last used; make one after typing the password again, shown once; revoke) and
//! a form to change the password. Every form carries the session's CSRF token.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Utc;
use serde::Deserialize;

use super::account::{self, TokenView};
use super::Identity;
use crate::audit::Actor;
use crate::db;
use crate::domain::fiscal::thai_datetime;
use crate::error::{AppError, FieldError};
use crate::http::client_addr;
use crate::http::AppState;
use crate::i18n::Lang;
use crate::ops::middleware::RequestId;
use crate::views::{self, html, Markup};

#[derive(Deserialize, Default)]
pub struct Done {
    pub done: Option<String>,
}

/// What the page shows besides the lists: a notice, errors, or a new token.
#[derive(Default)]
struct Outcome {
    notice: Option<&'static str>,
    errors: Vec<FieldError>,
    new_token: Option<String>,
}

fn render(who: &Identity, tokens: &[TokenView], outcome: &Outcome) -> Markup {
    let now = Utc::now();
    let when = |t: Option<chrono::DateTime<Utc>>| t.map(thai_datetime).unwrap_or_else(|| "-".into());
    html! {
        @if let Some(n) = outcome.notice { (views::notice(n)) }
        (views::errors(Lang::Th, &outcome.errors))
        @if let Some(token) = &outcome.new_token {
            section.notice aria-labelledby="new-token-h" {
                h2 id="new-token-h" { "โทเค็นใหม่ (แสดงครั้งเดียว)" }
                p { "คัดลอกเก็บไว้ในระบบของสำนักตอนนี้ หน้านี้จะไม่แสดงอีก:" }
                p { code id="new-token" { (token) } }
            }
        }
        section aria-labelledby="tokens-h" {
            h2 id="tokens-h" { "โทเค็นสำหรับระบบอื่น (API tokens)" }
            table {
                caption { "โทเค็นของฉัน" }
                thead { tr {
                    th scope="col" { "ชื่อ" } th scope="col" { "สร้างเมื่อ" } th scope="col" { "ใช้ล่าสุด" }
                    th scope="col" { "หมดอายุ" } th scope="col" { "สถานะ" }
                } }
                tbody {
                    @if tokens.is_empty() { tr { td colspan="5" { "ยังไม่มีโทเค็น" } } }
                    @for t in tokens {
                        tr {
                            th scope="row" { @if t.label.is_empty() { "(ไม่มีชื่อ)" } @else { (t.label) } }
                            td { (thai_datetime(t.created_at)) }
                            td { (when(t.last_used_at)) }
                            td { (thai_datetime(t.expires_at)) }
                            td {
                                @if t.is_live(now) {
                                    form method="post" action={ "/account/tokens/" (t.id) "/revoke" } {
                                        (views::csrf(who))
                                        button.secondary type="submit" aria-label={ "เพิกถอนโทเค็น " (t.label) } { "เพิกถอน" }
                                    }
                                } @else if t.revoked_at.is_some() {
                                    "เพิกถอนแล้ว " (when(t.revoked_at))
                                } @else {
                                    "หมดอายุแล้ว"
                                }
                            }
                        }
                    }
                }
            }
            h3 { "สร้างโทเค็นใหม่" }
            form.stacked method="post" action="/account/tokens" {
                (views::csrf(who))
                p { label for="label" { "ชื่อ (เช่น ระบบบัญชีของสำนัก)" } input id="label" name="label" maxlength="100"; }
                p { label for="days" { "อายุ (วัน, 1–730)" } input id="days" name="days" type="number" min="1" max="730" value="90"; }
                p {
                    label for="token-password" { "รหัสผ่านของคุณ (ยืนยันตัวตนอีกครั้ง)" }
                    input id="token-password" name="password" type="password" autocomplete="current-password" required;
                }
                p { button type="submit" { "สร้างโทเค็น" } }
            }
        }
        section aria-labelledby="password-h" {
            h2 id="password-h" { "เปลี่ยนรหัสผ่าน" }
            p { "อย่างน้อย 10 ตัวอักษร และไม่ซ้ำกับชื่อผู้ใช้ เมื่อเปลี่ยนแล้ว การเข้าสู่ระบบบนเครื่องอื่นจะสิ้นสุด" }
            form.stacked method="post" action="/account/password" {
                (views::csrf(who))
                p {
                    label for="current_password" { "รหัสผ่านปัจจุบัน" }
                    input id="current_password" name="current_password" type="password" autocomplete="current-password" required;
                }
                p {
                    label for="new_password" { "รหัสผ่านใหม่" }
                    input id="new_password" name="new_password" type="password" autocomplete="new-password" minlength="10" required;
                }
                p { button type="submit" { "เปลี่ยนรหัสผ่าน" } }
            }
        }
    }
}

async fn answer(
    state: &AppState,
    who: Identity,
    status: StatusCode,
    outcome: Outcome,
) -> Result<HttpResponse, AppError> {
    let user_id = who.user_id;
    let tokens = db::blocking(&state.pool, move |conn| Ok(account::tokens(conn, user_id)?)).await?;
    let body = views::page(&views::Frame::new(Lang::Th, "บัญชีของฉัน", Some(&who)), render(&who, &tokens, &outcome));
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header(("Cache-Control", "no-store"))
        .body(body.into_string()))
}

pub async fn page(state: web::Data<AppState>, who: Identity, q: web::Query<Done>) -> Result<HttpResponse, AppError> {
    let notice = match q.done.as_deref() {
        Some("revoked") => Some("เพิกถอนโทเค็นแล้ว"),
        Some("password") => Some("เปลี่ยนรหัสผ่านแล้ว"),
        _ => None,
    };
    answer(&state, who, StatusCode::OK, Outcome { notice, ..Outcome::default() }).await
}

fn see_other(to: &str) -> HttpResponse {
    HttpResponse::SeeOther().insert_header(("Location", to)).finish()
}

/// A refusal the page can show (the form again, its fields named), or an error
/// for the error page.
async fn refused(state: &AppState, who: Identity, e: AppError) -> Result<HttpResponse, AppError> {
    match e {
        AppError::Validation { details, .. } => {
            answer(state, who, StatusCode::UNPROCESSABLE_ENTITY, Outcome { errors: details, ..Outcome::default() })
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
    who: Identity,
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
                return refused(&state, who, e).await;
            }
        },
    };
    let (rid, addr) = (RequestId::of(&req), client_addr(&req, &state.settings.trusted_proxies));
    let me = who.clone();
    let issued = db::blocking(&state.pool, move |conn| {
        let t = account::NewToken { label: &form.label, days, password: &form.password };
        account::create_token(
            conn,
            me.user_id,
            &t,
            &addr,
            Actor { user_id: Some(me.user_id), request_id: rid.as_deref() },
        )
    })
    .await;
    match issued {
        Ok(issued) => {
            let outcome = Outcome { new_token: Some(issued.token), ..Outcome::default() };
            answer(&state, who, StatusCode::CREATED, outcome).await
        }
        Err(e) => refused(&state, who, e).await,
    }
}

pub async fn revoke_token(
    state: web::Data<AppState>,
    who: Identity,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id: i64 = path.parse().map_err(|_| AppError::NotFound(format!("no token {:?}", path.as_str())))?;
    super::routes::revoke(&state, &who, &req, id).await?;
    Ok(see_other("/account?done=revoked"))
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
    who: Identity,
    req: HttpRequest,
    form: web::Form<PasswordForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let (rid, addr) = (RequestId::of(&req), client_addr(&req, &state.settings.trusted_proxies));
    let me = who.clone();
    let changed = db::blocking(&state.pool, move |conn| {
        account::change_password(
            conn,
            me.user_id,
            &form.current_password,
            &form.new_password,
            me.token_id,
            &addr,
            Actor { user_id: Some(me.user_id), request_id: rid.as_deref() },
        )
    })
    .await;
    match changed {
        Ok(_) => Ok(see_other("/account?done=password")),
        Err(e) => refused(&state, who, e).await,
    }
}
