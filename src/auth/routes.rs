//! Signing in and out. The API issues a bearer token (`POST /api/v1/auth/login`);
//! the browser gets a session cookie (HttpOnly, SameSite=Lax, Secure over TLS) from
//! the Thai sign-in form, whose CSRF token is a double-submit cookie. Failures are
//! counted per user name and per address: after a few they are slowed, after
//! `MAX_FAILURES` refused with 429 and Retry-After until the window passes.

use std::time::Duration as StdDuration;

use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{account, password, queries, token, Identity, Via, CSRF_COOKIE, SESSION_COOKIE};
use crate::audit::Actor;
use crate::db;
use crate::error::{AppError, FieldError};
use crate::http::{client_addr, AppState, PageLang, Writer};
use crate::i18n::Lang;
use crate::ops::middleware::RequestId;
use crate::schema::users;
use crate::views::{page, Frame};

/// Failures in the window after which sign-in is refused for that user or address.
pub const MAX_FAILURES: i64 = 10;
/// Failures by one address (many users) after which it is refused.
pub const MAX_ADDRESS_FAILURES: i64 = 30;
pub const API_TOKEN_HOURS: i64 = 12;
pub const SESSION_HOURS: i64 = 10;

#[derive(Deserialize)]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

#[derive(Serialize)]
struct Issued {
    token: String,
    expires_at: chrono::DateTime<Utc>,
}

enum Outcome {
    Ok(queries::Issued, i64),
    Wrong,
    Throttled(i64),
}

fn request_id(req: &HttpRequest) -> Option<String> {
    RequestId::of(req)
}

/// A user name as typed, refused when it holds what no user name can (a NUL or
/// another control character), so it never reaches the database or the log.
fn typed_username(raw: &str) -> Result<String, AppError> {
    if raw.chars().any(char::is_control) {
        return Err(AppError::validation(vec![FieldError::new(
            "username",
            "contains a control character (such as NUL); a user name has letters, digits, '.', '_' and '-'",
        )]));
    }
    // Long enough for every real name (at most 64) and bounded for the record.
    Ok(raw.trim().to_lowercase().chars().take(100).collect())
}

/// Checks the throttle, verifies the password, records the attempt (and, in
/// the audit trail, a failure and the moment an address is throttled) and
/// issues a token of kind `via`, all in one blocking call.
async fn sign_in(state: &AppState, req: &HttpRequest, creds: Credentials, via: Via) -> Result<Outcome, AppError> {
    let addr = client_addr(req, &state.settings.trusted_proxies);
    let rid = request_id(req);
    let username = typed_username(&creds.username)?;
    let log_addr = addr.clone();
    let outcome = db::blocking(&state.pool, move |conn| {
        use diesel::prelude::*;
        let over = |f: &queries::Failures| f.by_user_addr >= MAX_FAILURES || f.by_addr >= MAX_ADDRESS_FAILURES;
        let attempt = match queries::begin_attempt(conn, &username, &addr, over)? {
            Ok(id) => id,
            Err(f) => {
                let waited = f.oldest.map(|o| (Utc::now() - o).num_seconds()).unwrap_or(0);
                return Ok(Outcome::Throttled((queries::WINDOW_MINUTES * 60 - waited).max(1)));
            }
        };
        let user: Option<(i64, String)> = users::table
            .filter(users::username.eq(&username))
            .filter(users::active.eq(true))
            .select((users::id, users::password_hash))
            .first(conn)
            .optional()?;
        // Verify against a decoy when the user is unknown: same cost, no oracle.
        let ok = match &user {
            Some((_, hash)) => password::verify(&creds.password, hash),
            None => {
                password::verify(&creds.password, password::decoy_hash());
                false
            }
        };
        conn.transaction(|conn| {
            let actor = Actor { user_id: user.as_ref().map(|u| u.0), request_id: rid.as_deref() };
            match (ok, user) {
                (true, Some((user_id, _))) => {
                    queries::attempt_succeeded(conn, attempt)?;
                    let (lifetime, label) = match via {
                        Via::Token => (Duration::hours(API_TOKEN_HOURS), "sign-in"),
                        Via::Session => (Duration::hours(SESSION_HOURS), "browser"),
                    };
                    let issued = queries::issue_audited(conn, user_id, via, label, lifetime, actor, "sign_in")?;
                    Ok(Outcome::Ok(issued, user_id))
                }
                _ => {
                    let audit = |action: &'static str| crate::audit::Entry {
                        user_id: actor.user_id,
                        request_id: actor.request_id,
                        action,
                        entity: "sign_in",
                        entity_id: username.clone(),
                        before: None,
                        after: Some(serde_json::json!({"remote_addr": addr})),
                    };
                    crate::audit::record(conn, audit("sign_in_failed"))?;
                    // The failure that reaches a limit starts the throttle: said once.
                    let now = queries::recent_failures(conn, &username, &addr)?;
                    if now.by_user_addr == MAX_FAILURES || now.by_addr == MAX_ADDRESS_FAILURES {
                        crate::audit::record(conn, audit("sign_in_throttled"))?;
                    }
                    Ok::<_, AppError>(Outcome::Wrong)
                }
            }
        })
    })
    .await?;
    if let Outcome::Wrong = outcome {
        tracing::warn!(remote_addr = %log_addr, "sign-in failed");
        // Slow down guessing.
        actix_web::rt::time::sleep(StdDuration::from_millis(200)).await;
    }
    Ok(outcome)
}

fn throttled(seconds: i64) -> HttpResponse {
    tracing::warn!(retry_after = seconds, "sign-in refused: too many failures");
    let mut res =
        AppError::TooManyRequests(format!("too many failed sign-ins; try again in {} minutes", (seconds + 59) / 60))
            .error_response_owned();
    res.headers_mut().insert(header::RETRY_AFTER, header::HeaderValue::from(seconds));
    res
}

pub async fn api_login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<Credentials>,
) -> Result<HttpResponse, AppError> {
    let creds = body.into_inner();
    let mut missing = Vec::new();
    if creds.username.trim().is_empty() {
        missing.push(FieldError::new("username", "is required"));
    }
    if creds.password.is_empty() {
        missing.push(FieldError::new("password", "is required"));
    }
    if !missing.is_empty() {
        return Err(AppError::validation(missing));
    }
    match sign_in(&state, &req, creds, Via::Token).await? {
        Outcome::Ok(issued, user_id) => {
            tracing::info!(user_id, "signed in (API)");
            Ok(HttpResponse::Ok().json(Issued { token: issued.token, expires_at: issued.expires_at }))
        }
        Outcome::Wrong => Err(AppError::Unauthorized("wrong user name or password".into())),
        Outcome::Throttled(s) => Ok(throttled(s)),
    }
}

/// Revokes the token or session the request came with.
pub async fn api_logout(state: web::Data<AppState>, writer: Writer) -> Result<HttpResponse, AppError> {
    revoke_own(&state, &writer).await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn revoke_own(state: &AppState, writer: &Writer) -> Result<(), AppError> {
    let token_id = writer.who.token_id;
    writer
        .write(&state.pool, move |conn, actor| {
            queries::revoke_audited(conn, token_id, actor, "sign_out")?;
            Ok(())
        })
        .await
}

pub async fn me(who: Identity) -> HttpResponse {
    HttpResponse::Ok().json(who)
}

#[derive(Deserialize)]
pub struct NewToken {
    pub label: Option<String>,
    pub days: Option<i64>,
    /// The caller's password, typed again: a stolen session or token cannot
    /// mint long-lived tokens.
    #[serde(default)]
    pub password: String,
}

/// A long-lived API token for the signed-in user (shown once), after the
/// password is confirmed.
pub async fn create_token(
    state: web::Data<AppState>,
    writer: Writer,
    req: HttpRequest,
    body: web::Json<NewToken>,
) -> Result<HttpResponse, AppError> {
    let body = body.into_inner();
    let (addr, user_id) = (client_addr(&req, &state.settings.trusted_proxies), writer.who.user_id);
    let issued = writer
        .write(&state.pool, move |conn, actor| {
            let t = account::NewToken {
                label: body.label.as_deref().unwrap_or(""),
                days: body.days.unwrap_or(90),
                password: &body.password,
            };
            account::create_token(conn, user_id, &t, &addr, actor)
        })
        .await?;
    Ok(HttpResponse::Created().json(json!({"id": issued.id, "token": issued.token, "expires_at": issued.expires_at})))
}

/// The caller's own API tokens, with when each was last used (never the tokens).
pub async fn list_tokens(state: web::Data<AppState>, who: Identity) -> Result<HttpResponse, AppError> {
    let list = db::blocking(&state.pool, move |conn| Ok(account::tokens(conn, who.user_id)?)).await?;
    Ok(HttpResponse::Ok().json(list))
}

#[derive(Deserialize)]
pub struct PasswordChange {
    #[serde(default)]
    pub current_password: String,
    #[serde(default)]
    pub new_password: String,
}

/// Changes the caller's password; their other browser sessions end.
pub async fn change_password(
    state: web::Data<AppState>,
    writer: Writer,
    req: HttpRequest,
    body: web::Json<PasswordChange>,
) -> Result<HttpResponse, AppError> {
    let body = body.into_inner();
    let addr = client_addr(&req, &state.settings.trusted_proxies);
    let (user_id, token_id) = (writer.who.user_id, writer.who.token_id);
    writer
        .write(&state.pool, move |conn, actor| {
            account::change_password(conn, user_id, &body.current_password, &body.new_password, token_id, &addr, actor)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Revokes one of the caller's own tokens (admin: anyone's). Someone else's token
/// answers 404: its existence is not the caller's business.
pub async fn revoke(state: &AppState, writer: &Writer, id: i64) -> Result<(), AppError> {
    let (user_id, admin) = (writer.who.user_id, writer.who.has(crate::domain::Role::Admin));
    writer
        .write(&state.pool, move |conn, actor| {
            use crate::schema::api_tokens;
            use diesel::prelude::*;
            conn.transaction(|conn| {
                let owner: Option<i64> =
                    api_tokens::table.find(id).select(api_tokens::user_id).first(conn).optional()?;
                match owner {
                    Some(o) if o == user_id || admin => {}
                    _ => return Err(AppError::NotFound(format!("no token {id}"))),
                }
                if !queries::revoke_audited(conn, id, actor, "revoke")? {
                    return Err(AppError::Conflict(format!("token {id} is already revoked")));
                }
                Ok(())
            })
        })
        .await
}

pub async fn revoke_token(
    state: web::Data<AppState>,
    writer: Writer,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    revoke(&state, &writer, path.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Deserialize)]
pub struct NextQuery {
    pub next: Option<String>,
}

/// Whether `next` is a path on this site and nothing else: one leading `/`, then
/// neither `/` nor `\\` (`//host` and `/\\host` leave the site), no backslash,
/// control character or white space anywhere (browsers drop a tab or a line
/// break, so `/\t/evil.example` reads as `//evil.example`) — and the same holds
/// once more after percent-decoding, for whatever decodes it again.
pub fn is_local_path(next: &str) -> bool {
    fn plain(p: &str) -> bool {
        let mut chars = p.chars();
        chars.next() == Some('/')
            && !matches!(chars.next(), Some('/' | '\\'))
            && !p.chars().any(|c| c == '\\' || c.is_control() || c.is_whitespace())
    }
    let decoded = percent_decode(next);
    next.len() <= 2000 && plain(next) && decoded.as_deref().is_some_and(plain)
}

/// `%XX` decoded once; `None` when that is not UTF-8 (and so not a path we made).
fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match (b[i], b.get(i + 1).copied().and_then(hex), b.get(i + 2).copied().and_then(hex)) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// Where to go after signing in: `next` when it is a local path, else home.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if is_local_path(n) => n.to_string(),
        _ => "/".to_string(),
    }
}

/// Cookies are `Secure` when people reach the service over TLS, as the
/// configured public URL says (never as a client's X-Forwarded-Proto claims).
fn secure(req: &HttpRequest) -> bool {
    req.app_data::<web::Data<AppState>>().is_some_and(|s| s.settings.is_https())
}

fn login_page(req: &HttpRequest, lang: Lang, next: &str, error: Option<&str>, username: &str) -> HttpResponse {
    let csrf = token::generate();
    let body = super::views::login(lang, &csrf, next, error, username);
    let cookie = Cookie::build(CSRF_COOKIE, csrf)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure(req))
        .finish();
    let status =
        if error.is_some() { actix_web::http::StatusCode::UNAUTHORIZED } else { actix_web::http::StatusCode::OK };
    let frame = Frame::new(lang, lang.t("login.title"), None).switching(format!("/login{}", lang.other().query(true)));
    HttpResponse::build(status)
        .cookie(cookie)
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .content_type("text/html; charset=utf-8")
        .body(page(&frame, body).into_string())
}

pub async fn login_form(req: HttpRequest, PageLang(lang): PageLang, q: web::Query<NextQuery>) -> HttpResponse {
    login_page(&req, lang, &safe_next(q.next.as_deref()), None, "")
}

#[derive(Deserialize)]
pub struct LoginForm {
    pub username: String,
    pub password: String,
    pub next: Option<String>,
}

pub async fn login_submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    PageLang(lang): PageLang,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let next = safe_next(form.next.as_deref());
    let username = form.username.clone();
    match sign_in(&state, &req, Credentials { username: form.username, password: form.password }, Via::Session).await? {
        Outcome::Ok(issued, user_id) => {
            tracing::info!(user_id, "signed in (browser)");
            let cookie = Cookie::build(SESSION_COOKIE, issued.token)
                .path("/")
                .http_only(true)
                .same_site(SameSite::Lax)
                .secure(secure(&req))
                .max_age(actix_web::cookie::time::Duration::hours(SESSION_HOURS))
                .finish();
            Ok(HttpResponse::SeeOther().cookie(cookie).insert_header((header::LOCATION, next)).finish())
        }
        Outcome::Wrong => Ok(login_page(&req, lang, &next, Some(lang.t("login.wrong")), &username)),
        Outcome::Throttled(s) => {
            let wait = lang.f("login.throttled", &[("minutes", &((s + 59) / 60))]);
            let mut res = login_page(&req, lang, &next, Some(&wait), &username);
            *res.status_mut() = actix_web::http::StatusCode::TOO_MANY_REQUESTS;
            res.headers_mut().insert(header::RETRY_AFTER, header::HeaderValue::from(s));
            Ok(res)
        }
    }
}

pub async fn logout(state: web::Data<AppState>, writer: Writer) -> Result<HttpResponse, AppError> {
    revoke_own(&state, &writer).await?;
    let mut gone = Cookie::build(SESSION_COOKIE, "").path("/").finish();
    gone.make_removal();
    Ok(HttpResponse::SeeOther().cookie(gone).insert_header((header::LOCATION, "/")).finish())
}
