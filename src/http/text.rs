//! Text the database cannot store never reaches it. PostgreSQL refuses a NUL
//! character in text ("invalid byte sequence for encoding UTF8: 0x00"), so a
//! `%00` in a path or query, or a `\u0000` in a JSON or form field, is refused
//! here, at the edge, for every route at once: 400 for the path or the query,
//! 422 naming the field for a body. Bodies are read within the same limits as
//! the handlers' extractors and put back untouched.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::web;

use crate::error::{AppError, FieldError};

fn decode(s: &str) -> Vec<u8> {
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
            (b'+', _, _) => {
                out.push(b' ');
                i += 1;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

/// The first JSON path (`lines[0].project_code`) holding a NUL, in a key or a string.
fn nul_path(v: &serde_json::Value, at: &str) -> Option<String> {
    use serde_json::Value;
    let join = |key: &str| if at.is_empty() { key.to_string() } else { format!("{at}.{key}") };
    match v {
        Value::String(s) if s.contains('\0') => Some(if at.is_empty() { "body".into() } else { at.to_string() }),
        Value::Array(items) => items.iter().enumerate().find_map(|(i, x)| nul_path(x, &format!("{at}[{i}]"))),
        Value::Object(map) => map.iter().find_map(|(k, x)| {
            if k.contains('\0') {
                Some(join(&k.replace('\0', "\\u0000")))
            } else {
                nul_path(x, &join(k))
            }
        }),
        _ => None,
    }
}

fn nul_field(field: String) -> AppError {
    // A field's name is the client's: quoted back at most 100 characters of it.
    let field: String = field.chars().take(100).collect();
    AppError::validation(vec![FieldError::new(
        field,
        "มีอักขระ NUL ซึ่งบันทึกไม่ได้ (contains a NUL character, which cannot be stored)",
    )])
}

fn content_type(req: &ServiceRequest) -> String {
    req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_ascii_lowercase()
}

/// The request's own problem, if it has one.
async fn check(req: &mut ServiceRequest) -> Result<(), AppError> {
    if decode(req.path()).contains(&0) {
        return Err(AppError::BadRequest("the path contains a NUL character".into()));
    }
    if let Some((name, _)) = serde_urlencoded::from_bytes::<Vec<(String, String)>>(req.query_string().as_bytes())
        .unwrap_or_default()
        .into_iter()
        .find(|(k, v)| k.contains('\0') || v.contains('\0'))
    {
        let name: String = name.replace('\0', "\\u0000").chars().take(100).collect();
        return Err(AppError::BadRequest(format!("the query's {name:?} contains a NUL character")));
    }
    if decode(req.query_string()).contains(&0) {
        return Err(AppError::BadRequest("the query contains a NUL character".into()));
    }
    let ct = content_type(req);
    let media = ct.split(';').next().unwrap_or("").trim();
    // Any JSON body (application/json, application/…+json) and any form.
    let json = media == "application/json" || media.ends_with("+json");
    let form = media == "application/x-www-form-urlencoded";
    if !(json || form) {
        return Ok(());
    }
    let bytes = req
        .extract::<web::Bytes>()
        .await
        .map_err(|e| AppError::BadRequest(format!("the request body could not be read: {e}")))?;
    let found = if json {
        // A NUL can only be written \u0000 (a raw one is not JSON): look closer only then.
        let escaped = bytes.windows(6).any(|w| w.eq_ignore_ascii_case(b"\\u0000"));
        match escaped.then(|| serde_json::from_slice::<serde_json::Value>(&bytes)) {
            Some(Ok(v)) => nul_path(&v, ""),
            _ => None,
        }
    } else {
        serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
            .unwrap_or_default()
            .into_iter()
            .find(|(k, v)| k.contains('\0') || v.contains('\0'))
            .map(|(k, _)| k.replace('\0', "\\u0000"))
    };
    req.set_payload(actix_web::dev::Payload::from(bytes));
    match found {
        Some(field) => Err(nul_field(field)),
        None => Ok(()),
    }
}

pub async fn refuse_nul(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if let Err(e) = check(&mut req).await {
        tracing::warn!(path = %req.match_pattern().unwrap_or_else(|| "unmatched".into()), "refused: a NUL character");
        return Ok(req.error_response(e));
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_path_to_a_nul_is_named() {
        let v: serde_json::Value =
            serde_json::from_str(r#"{"status":"draft","lines":[{"project_code":"A"},{"project_code":"B\u0000"}]}"#)
                .unwrap();
        assert_eq!(nul_path(&v, "").as_deref(), Some("lines[1].project_code"));
        let v: serde_json::Value = serde_json::from_str(r#"{"obstacles":"a\u0000"}"#).unwrap();
        assert_eq!(nul_path(&v, "").as_deref(), Some("obstacles"));
        let v: serde_json::Value = serde_json::from_str(r#"{"ok":"text \\u0000 as text"}"#).unwrap();
        assert_eq!(nul_path(&v, ""), None, "an escaped backslash is text, not a NUL");
        assert_eq!(decode("/a/%00"), b"/a/\0");
        assert!(!decode("/a/%2500").contains(&0));
    }
}
