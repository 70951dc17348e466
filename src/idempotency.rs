//! `Idempotency-Key` for writes: the first answer to a (user, key) is stored in the
//! same transaction as the write, and a retry of the same request gets it back
//! without writing again. The same key with a different request is refused.

use actix_web::HttpRequest;
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use crate::auth::token::hex;
use crate::error::{AppError, FieldError};
use crate::schema::idempotency_keys;

pub const HEADER: &str = "idempotency-key";

/// The key a request carries, if any; refused when it is not a sane token.
pub fn key_of(req: &HttpRequest) -> Result<Option<String>, AppError> {
    let Some(v) = req.headers().get(HEADER) else { return Ok(None) };
    let v = v.to_str().unwrap_or("").trim();
    if v.is_empty() || v.len() > 200 || !v.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(AppError::validation(vec![FieldError::new(
            "Idempotency-Key",
            "must be 1-200 visible ASCII characters",
        )]));
    }
    Ok(Some(v.to_string()))
}

/// Fingerprint of what was asked: method, path and body.
pub fn fingerprint(req: &HttpRequest, body: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(req.method().as_str().as_bytes());
    h.update(b" ");
    h.update(req.path().as_bytes());
    h.update(b"\n");
    h.update(body);
    hex(&h.finalize())
}

#[derive(Debug, Clone)]
pub struct Stored {
    pub status: u16,
    pub etag: Option<String>,
    pub body: String,
}

/// The stored answer for (user, key), if the same request was answered before.
pub fn replay(conn: &mut PgConnection, user_id: i64, key: &str, fingerprint: &str) -> Result<Option<Stored>, AppError> {
    let row: Option<(String, i16, Option<String>, String)> = idempotency_keys::table
        .find((user_id, key))
        .select((
            idempotency_keys::request_sha256,
            idempotency_keys::status,
            idempotency_keys::etag,
            idempotency_keys::body,
        ))
        .first(conn)
        .optional()?;
    match row {
        None => Ok(None),
        Some((sha, status, etag, body)) if sha == fingerprint => Ok(Some(Stored { status: status as u16, etag, body })),
        Some(_) => Err(AppError::validation(vec![FieldError::new(
            "Idempotency-Key",
            "this key was already used for a different request; use a new key for a new request",
        )])),
    }
}

/// Stores the answer; call inside the write's transaction.
pub fn store(conn: &mut PgConnection, user_id: i64, key: &str, fingerprint: &str, answer: &Stored) -> QueryResult<()> {
    diesel::insert_into(idempotency_keys::table)
        .values((
            idempotency_keys::user_id.eq(user_id),
            idempotency_keys::key.eq(key),
            idempotency_keys::request_sha256.eq(fingerprint),
            idempotency_keys::status.eq(answer.status as i16),
            idempotency_keys::etag.eq(&answer.etag),
            idempotency_keys::body.eq(&answer.body),
        ))
        .execute(conn)
        .map(|_| ())
}
