//! Per-request telemetry: a request id (the caller's `X-Request-Id` when it is sane,
//! otherwise a new one), one `request` span around the handler, one log line when
//! the response is ready, and one metrics sample. Only the method, the route
//! pattern, the status and the latency are logged: never a header, a cookie, a
//! token or a body.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage};
use tracing::Instrument;

use crate::http::AppState;

/// The id of the request being served, in request extensions.
#[derive(Clone, Debug)]
pub struct RequestId(pub String);

impl RequestId {
    /// The id of `req`, for the audit trail.
    pub fn of(req: &actix_web::HttpRequest) -> Option<String> {
        req.extensions().get::<RequestId>().map(|r| r.0.clone())
    }
}

/// The method as a metrics label: the standard ones by name, anything a client
/// makes up as `OTHER`, so that no client can add series to `/metrics`.
pub fn method_label(method: &actix_web::http::Method) -> &'static str {
    use actix_web::http::Method as M;
    match *method {
        M::GET => "GET",
        M::HEAD => "HEAD",
        M::POST => "POST",
        M::PUT => "PUT",
        M::DELETE => "DELETE",
        M::PATCH => "PATCH",
        M::OPTIONS => "OPTIONS",
        M::CONNECT => "CONNECT",
        M::TRACE => "TRACE",
        _ => "OTHER",
    }
}

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

fn request_id(req: &ServiceRequest) -> String {
    let given = req.headers().get("x-request-id").and_then(|v| v.to_str().ok());
    match given {
        Some(id) if !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') => {
            id.to_string()
        }
        _ => format!("{:x}-{:x}", std::process::id(), NEXT_ID.fetch_add(1, Ordering::Relaxed)),
    }
}

pub async fn telemetry(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody + 'static>, actix_web::Error> {
    let started = Instant::now();
    let id = request_id(&req);
    let method = method_label(req.method());
    // The route pattern, never the raw path: one label for every unmatched path.
    let route = req.match_pattern().unwrap_or_else(|| "unmatched".to_string());
    req.extensions_mut().insert(RequestId(id.clone()));
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let span = tracing::info_span!(
        "request",
        request_id = %id,
        method = %method,
        route = %route,
        user_id = tracing::field::Empty
    );

    let result = next.call(req).instrument(span.clone()).await;
    let elapsed = started.elapsed();
    let status = match &result {
        Ok(res) => res.status().as_u16(),
        Err(e) => e.as_response_error().status_code().as_u16(),
    };
    span.in_scope(|| {
        tracing::info!(status, latency_ms = elapsed.as_secs_f64() * 1000.0, "request finished");
    });
    if let Some(state) = state {
        state.metrics.record(method, &route, status, elapsed);
    }
    result.map(|mut res| {
        if let Ok(v) = HeaderValue::from_str(&id) {
            res.headers_mut().insert(HeaderName::from_static("x-request-id"), v);
        }
        res
    })
}
