//! The request pipeline's security steps, in order: `security_headers` (outermost,
//! so every answer carries them), `authenticate` (bearer token or session cookie →
//! `Identity`; CSRF for cookie-borne and anonymous form writes), and, around each
//! route, `authorize` (the route's `Access` rule). Failures become responses here, never errors that
//! would skip the outer steps.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage, ResponseError};

use super::{queries, token, Identity, Via, CSRF_COOKIE, CSRF_FIELD, CSRF_HEADER, SESSION_COOKIE};
use crate::db;
use crate::error::AppError;
use crate::http::AppState;

/// Largest form body read for the CSRF check.
pub const FORM_LIMIT: usize = 256 * 1024;

pub async fn security_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    // From the configured public URL, never from a client's X-Forwarded-Proto.
    let https = req.app_data::<web::Data<AppState>>().is_some_and(|s| s.settings.is_https());
    let mut res = next.call(req).await?.map_into_boxed_body();
    let h = res.headers_mut();
    let set = |h: &mut header::HeaderMap, name: &'static str, value: &'static str| {
        h.insert(header::HeaderName::from_static(name), HeaderValue::from_static(value));
    };
    set(
        h,
        "content-security-policy",
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; \
         base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
    );
    set(h, "x-content-type-options", "nosniff");
    set(h, "x-frame-options", "DENY");
    set(h, "referrer-policy", "same-origin");
    set(h, "cross-origin-opener-policy", "same-origin");
    if https {
        set(h, "strict-transport-security", "max-age=31536000");
    }
    Ok(res)
}

fn is_write(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// The media type of the body, lower case (media types are case-insensitive,
/// as the extractors read them: a check must not be skipped by `Application/…`).
fn media_type(req: &ServiceRequest) -> String {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or("").trim().to_ascii_lowercase())
        .unwrap_or_default()
}

fn is_form(req: &ServiceRequest) -> bool {
    media_type(req) == "application/x-www-form-urlencoded"
}

fn is_multipart(req: &ServiceRequest) -> bool {
    media_type(req) == "multipart/form-data"
}

/// Most of a multipart body read to find its first field; the CSRF field must
/// come first (forms put it first), so a few kilobytes always suffice.
const MULTIPART_PREFIX_LIMIT: usize = 16 * 1024;

/// The boundary of a `multipart/form-data` content type.
fn boundary(req: &ServiceRequest) -> Option<String> {
    let ct = req.headers().get(header::CONTENT_TYPE)?.to_str().ok()?;
    let b = ct.split(';').map(str::trim).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim().eq_ignore_ascii_case("boundary").then_some(v.trim())
    })?;
    let b = b.trim_matches('"');
    (!b.is_empty() && b.len() <= 200).then(|| b.to_string())
}

/// The value of the first part of a multipart body when that part is the
/// `csrf_token` field (`None` otherwise, or when the prefix is not complete).
fn first_part_csrf(prefix: &[u8], boundary: &str) -> Option<String> {
    let find = |hay: &[u8], needle: &[u8], from: usize| {
        hay.get(from..)?.windows(needle.len()).position(|w| w == needle).map(|i| i + from)
    };
    let open = format!("--{boundary}\r\n");
    let start = find(prefix, open.as_bytes(), 0)? + open.len();
    let headers_end = find(prefix, b"\r\n\r\n", start)?;
    let headers = std::str::from_utf8(&prefix[start..headers_end]).ok()?;
    let named_csrf = headers.lines().any(|l| {
        let l = l.to_ascii_lowercase();
        l.starts_with("content-disposition:")
            && l.contains("form-data")
            && l.contains(&format!("name=\"{CSRF_FIELD}\""))
    });
    if !named_csrf {
        return None;
    }
    let value_start = headers_end + 4;
    let close = format!("\r\n--{boundary}");
    let value_end = find(prefix, close.as_bytes(), value_start)?;
    String::from_utf8(prefix[value_start..value_end].to_vec()).ok()
}

/// The `csrf_token` of a file upload form, read from the body's first part
/// (never from the URL, where it would land in history and `Referer`). The
/// bytes read are put back in front of the rest, which the handler streams.
async fn multipart_csrf(req: &mut ServiceRequest) -> Result<Option<String>, AppError> {
    use futures_util::StreamExt;
    let Some(boundary) = boundary(req) else { return Ok(None) };
    let mut rest = req.take_payload();
    let mut prefix = Vec::new();
    let mut found = None;
    while prefix.len() < MULTIPART_PREFIX_LIMIT {
        match rest.next().await {
            Some(Ok(chunk)) => prefix.extend_from_slice(&chunk),
            Some(Err(e)) => return Err(AppError::BadRequest(format!("the upload could not be read: {e}"))),
            None => break,
        }
        found = first_part_csrf(&prefix, &boundary);
        if found.is_some() {
            break;
        }
    }
    let head = futures_util::stream::once(async move { Ok(web::Bytes::from(prefix)) });
    req.set_payload(actix_web::dev::Payload::Stream { payload: Box::pin(head.chain(rest)) });
    Ok(found)
}

/// The `csrf_token` of a form body; the body is put back for the handler.
async fn form_csrf(req: &mut ServiceRequest) -> Result<Option<String>, AppError> {
    let bytes = req
        .extract::<web::Bytes>()
        .await
        .map_err(|e| AppError::BadRequest(format!("the form could not be read: {e}")))?;
    if bytes.len() > FORM_LIMIT {
        return Err(AppError::BadRequest(format!("the form is larger than {FORM_LIMIT} bytes")));
    }
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes).unwrap_or_default();
    req.set_payload(actix_web::dev::Payload::from(bytes));
    Ok(pairs.into_iter().find(|(k, _)| k == CSRF_FIELD).map(|(_, v)| v))
}

fn csrf_refused() -> AppError {
    AppError::Forbidden("the form's security token is missing or stale; reload the page and try again".into())
}

pub async fn authenticate(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    match resolve(&mut req).await {
        Ok(Some(identity)) => {
            tracing::Span::current().record("user_id", identity.user_id);
            req.extensions_mut().insert(identity);
        }
        Ok(None) => {}
        Err(e) => return Ok(req.error_response(e)),
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}

async fn resolve(req: &mut ServiceRequest) -> Result<Option<Identity>, AppError> {
    let state = req.app_data::<web::Data<AppState>>().cloned().ok_or_else(|| anyhow::anyhow!("no app state"))?;
    let bearer = match req.headers().get(header::AUTHORIZATION) {
        None => None,
        Some(v) => {
            let v = v.to_str().unwrap_or_default();
            match v.strip_prefix("Bearer ").map(str::trim) {
                Some(t) if token::well_formed(t) => Some(t.to_string()),
                _ => {
                    return Err(AppError::Unauthorized(
                        "malformed Authorization header: send Authorization: Bearer TOKEN".into(),
                    ))
                }
            }
        }
    };
    let cookie = req.cookie(SESSION_COOKIE).map(|c| c.value().to_string()).filter(|t| token::well_formed(t));
    let identity = match (bearer, cookie) {
        (Some(t), _) => Some(lookup(&state, t, Via::Token).await?),
        (None, Some(c)) => match lookup(&state, c, Via::Session).await {
            Ok(identity) => Some(identity),
            Err(AppError::Unauthorized(_)) => None,
            Err(e) => return Err(e),
        },
        (None, None) => None,
    };
    let Some(identity) = identity else {
        // Anonymous (or a dead session, which is the same thing): form writes
        // (the sign-in form) need the double-submit token.
        if is_write(req.method()) && is_form(req) {
            let field = form_csrf(req).await?;
            let cookie = req.cookie(CSRF_COOKIE).map(|c| c.value().to_string());
            match (field, cookie) {
                (Some(f), Some(c)) if !f.is_empty() && token::constant_time_eq(&f, &c) => {}
                _ => return Err(csrf_refused()),
            }
        }
        return Ok(None);
    };
    if identity.via == Via::Session && is_write(req.method()) {
        let expected = identity.csrf.clone().unwrap_or_default();
        let header = req.headers().get(CSRF_HEADER).and_then(|v| v.to_str().ok()).map(str::to_string);
        let given = match header {
            Some(h) => Some(h),
            None if is_form(req) => form_csrf(req).await?,
            None if is_multipart(req) => multipart_csrf(req).await?,
            None => None,
        };
        if !given.is_some_and(|g| !expected.is_empty() && token::constant_time_eq(&g, &expected)) {
            tracing::warn!(user_id = identity.user_id, "write refused: CSRF token missing or wrong");
            return Err(csrf_refused());
        }
    }
    Ok(Some(identity))
}

/// The identity behind a credential: for a token that is unknown, expired or
/// revoked, 401; for a session, `Err` too (the caller treats it as signed out).
async fn lookup(state: &AppState, credential: String, via: Via) -> Result<Identity, AppError> {
    let hash = token::hash(&credential);
    let idle = state.settings.session_idle_minutes;
    db::blocking(&state.pool, move |conn| Ok(queries::identity_by_token(conn, &hash, via, idle)?))
        .await?
        .ok_or_else(|| AppError::Unauthorized("the token is unknown, expired or revoked".into()))
}

/// Applies a route's access rule (wrapped around each route by `routes::configure`).
/// Pages send a signed-out visitor to the sign-in page; the API answers 401.
pub async fn authorize(
    access: super::Access,
    req: ServiceRequest,
    next: Next<BoxBody>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let verdict = {
        let ext = req.extensions();
        access.allows(ext.get::<Identity>())
    };
    match verdict {
        Ok(()) => next.call(req).await,
        Err(AppError::Unauthorized(_)) if !req.path().starts_with("/api/") => {
            let target = match req.query_string() {
                "" => req.path().to_string(),
                q => format!("{}?{q}", req.path()),
            };
            let location = format!("/login?{}", serde_urlencoded::to_string([("next", target)]).unwrap_or_default());
            let res = actix_web::HttpResponse::SeeOther().insert_header((header::LOCATION, location)).finish();
            Ok(req.into_response(res))
        }
        Err(e) => {
            if !matches!(e, AppError::Unauthorized(_)) {
                tracing::warn!(path = %req.path(), "refused by access rule");
            }
            let res = e.error_response();
            Ok(req.into_response(res))
        }
    }
}
