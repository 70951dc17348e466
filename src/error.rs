//! The one error type of the HTTP layer. Every handler returns
//! `Result<_, AppError>`; this module alone decides the status code and writes the
//! JSON body of CONTRACT.md: `{"error":{"code","message","details":[{"field","message"}]}}`.
//! An `Unexpected` error is logged with its whole chain and answered with an opaque
//! message: a 500 never leaks internals.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> FieldError {
        FieldError { field: field.into(), message: message.into() }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// 422: the request was understood but its content is refused.
    #[error("{message}")]
    Validation { message: String, details: Vec<FieldError> },
    /// 400: the request could not be read at all (malformed JSON, bad path).
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    PreconditionFailed(String),
    /// 405: the path exists, the method does not; carries the `Allow` list.
    #[error("this path answers {0} only")]
    MethodNotAllowed(String),
    /// 428: a write to something that exists must say which version it read.
    #[error("{0}")]
    PreconditionRequired(String),
    /// 429: slow down (repeated failed sign-ins).
    #[error("{0}")]
    TooManyRequests(String),
    /// 503: the database is down or the pool is exhausted; try again.
    #[error("{0}")]
    Unavailable(String),
    /// 500: a fault someone must fix. The message goes to the log only.
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl AppError {
    pub fn validation(details: Vec<FieldError>) -> AppError {
        let message = match details.as_slice() {
            [one] => format!("{}: {}", one.field, one.message),
            _ => format!("{} fields are invalid", details.len()),
        };
        AppError::Validation { message, details }
    }

    /// The status a page answers with for this error.
    pub fn status_code_for_page(&self) -> StatusCode {
        ResponseError::status_code(self)
    }

    /// The response for this error, for code that builds responses by hand.
    pub fn error_response_owned(self) -> HttpResponse {
        ResponseError::error_response(&self)
    }

    pub fn code(&self) -> &'static str {
        match self {
            AppError::Validation { .. } => "validation_failed",
            AppError::BadRequest(_) => "bad_request",
            AppError::Unauthorized(_) => "unauthorized",
            AppError::Forbidden(_) => "forbidden",
            AppError::NotFound(_) => "not_found",
            AppError::Conflict(_) => "conflict",
            AppError::PreconditionFailed(_) => "precondition_failed",
            AppError::MethodNotAllowed(_) => "method_not_allowed",
            AppError::TooManyRequests(_) => "too_many_requests",
            AppError::PreconditionRequired(_) => "precondition_required",
            AppError::Unavailable(_) => "unavailable",
            AppError::Unexpected(_) => "internal_error",
        }
    }
}

#[derive(Serialize)]
struct Body<'a> {
    error: Inner<'a>,
}

#[derive(Serialize)]
struct Inner<'a> {
    code: &'a str,
    message: String,
    details: &'a [FieldError],
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::Validation { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::PreconditionFailed(_) => StatusCode::PRECONDITION_FAILED,
            AppError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            AppError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::PreconditionRequired(_) => StatusCode::PRECONDITION_REQUIRED,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Unexpected(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let message = match self {
            AppError::Unexpected(e) => {
                tracing::error!(error = format!("{e:#}"), "unexpected error");
                "an internal error occurred; it has been logged".to_string()
            }
            // The reason (a driver's message, with host and port) is for the log only.
            AppError::Unavailable(m) => {
                tracing::warn!(reason = %m, "service unavailable");
                "the service is unavailable for a moment; try again shortly".to_string()
            }
            other => other.to_string(),
        };
        let details = match self {
            AppError::Validation { details, .. } => details.as_slice(),
            _ => &[],
        };
        let mut builder = HttpResponse::build(self.status_code());
        if matches!(self, AppError::Unavailable(_)) {
            builder.insert_header(("Retry-After", "1"));
        }
        if let AppError::MethodNotAllowed(allow) = self {
            builder.insert_header(("Allow", allow.as_str()));
        }
        if matches!(self, AppError::Unauthorized(_)) {
            builder.insert_header(("WWW-Authenticate", "Bearer"));
        }
        builder.json(Body { error: Inner { code: self.code(), message, details } })
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> AppError {
        use diesel::result::{DatabaseErrorKind, Error};
        match e {
            Error::NotFound => AppError::NotFound("not found".into()),
            Error::DatabaseError(DatabaseErrorKind::ClosedConnection, info) => {
                AppError::Unavailable(format!("the database connection was lost: {}", info.message()))
            }
            Error::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => {
                AppError::Conflict("a concurrent change got there first; try again".into())
            }
            // The edge refuses NUL characters; this is the last line, should one slip by.
            Error::DatabaseError(_, info) if info.message().contains("invalid byte sequence") => {
                tracing::warn!(reason = info.message(), "text the database cannot store");
                AppError::BadRequest("the request holds text that cannot be stored (a NUL character)".into())
            }
            other => AppError::Unexpected(anyhow::Error::new(other).context("database query")),
        }
    }
}

impl From<diesel::r2d2::PoolError> for AppError {
    fn from(e: diesel::r2d2::PoolError) -> AppError {
        AppError::Unavailable(format!("the database is not available: {e}"))
    }
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(e: actix_web::error::BlockingError) -> AppError {
        AppError::Unexpected(anyhow::anyhow!("blocking task failed: {e}"))
    }
}

/// Extractor failures (bad JSON, bad path or query) answered with the JSON body.
pub fn json_error_handler(err: actix_web::error::JsonPayloadError, _: &actix_web::HttpRequest) -> actix_web::Error {
    use actix_web::error::JsonPayloadError as J;
    match &err {
        J::Deserialize(e) if e.is_data() => AppError::validation(vec![FieldError::new("body", e.to_string())]).into(),
        J::Overflow { .. } | J::OverflowKnownLength { .. } => {
            AppError::BadRequest(format!("the request body is too large: {err}")).into()
        }
        J::ContentType => AppError::BadRequest("send the body as application/json".into()).into(),
        _ => AppError::BadRequest(format!("the request body is not valid JSON: {err}")).into(),
    }
}

pub fn path_error_handler(err: actix_web::error::PathError, _: &actix_web::HttpRequest) -> actix_web::Error {
    AppError::NotFound(format!("no such resource: {err}")).into()
}

pub fn query_error_handler(err: actix_web::error::QueryPayloadError, _: &actix_web::HttpRequest) -> actix_web::Error {
    AppError::validation(vec![FieldError::new("query", err.to_string())]).into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::body::to_bytes;

    #[actix_web::test]
    async fn a_500_answers_with_an_opaque_message() {
        let err = AppError::Unexpected(anyhow::anyhow!("password=hunter2 in connection string"));
        let resp = err.error_response();
        assert_eq!(resp.status(), 500);
        let body = to_bytes(resp.into_body()).await.unwrap();
        let text = String::from_utf8(body.to_vec()).unwrap();
        assert!(!text.contains("hunter2"), "{text}");
        assert!(text.contains("\"code\":\"internal_error\""), "{text}");
    }

    #[actix_web::test]
    async fn a_503_says_only_that_the_service_is_unavailable() {
        let err = AppError::Unavailable("could not connect to server at 10.1.2.3:5432: Connection refused".into());
        let resp = err.error_response();
        assert_eq!(resp.status(), 503);
        assert_eq!(resp.headers().get("retry-after").unwrap(), "1");
        let body = to_bytes(resp.into_body()).await.unwrap();
        let text = String::from_utf8(body.to_vec()).unwrap();
        assert!(!text.contains("10.1.2.3") && !text.contains("5432") && !text.contains("refused"), "{text}");
        assert!(text.contains("\"code\":\"unavailable\""), "{text}");
    }

    #[actix_web::test]
    async fn validation_errors_name_their_fields() {
        let err = AppError::validation(vec![FieldError::new("lines[0].disbursed", "must not be negative")]);
        let resp = err.error_response();
        assert_eq!(resp.status(), 422);
        let body: serde_json::Value = serde_json::from_slice(&to_bytes(resp.into_body()).await.unwrap()).unwrap();
        assert_eq!(body["error"]["code"], "validation_failed");
        assert_eq!(body["error"]["details"][0]["field"], "lines[0].disbursed");
        assert_eq!(body["error"]["message"], "lines[0].disbursed: must not be negative");
    }
}
