//! `/healthz`, `/readyz` and `/metrics`.

use actix_web::{web, HttpResponse};
use diesel::connection::SimpleConnection;
use serde_json::json;

use crate::db;
use crate::error::AppError;
use crate::http::AppState;
use crate::ops::metrics::PoolState;

/// The process is up and serving; says nothing about the database.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok"}))
}

/// Ready to serve: the database answers a query within the pool timeout.
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let probe = db::blocking(&state.pool, |conn| {
        conn.batch_execute("SELECT 1").map_err(|e| AppError::Unavailable(e.to_string()))
    })
    .await;
    match probe {
        Ok(()) => HttpResponse::Ok().json(json!({"status": "ready"})),
        Err(e) => {
            tracing::warn!(reason = %e, "not ready");
            HttpResponse::ServiceUnavailable()
                .insert_header(("Retry-After", "1"))
                .json(json!({"status": "unavailable", "reason": "the database does not answer"}))
        }
    }
}

pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    let s = state.pool.state();
    let pool = PoolState { connections: s.connections, idle: s.idle_connections, max_size: state.pool.max_size() };
    let (hits, misses) = state.renders.counts();
    let mut text = state.metrics.render(&pool);
    for (name, help, value) in [
        ("budgetwatch_render_cache_hits_total", "Charts and packs answered from the render cache.", hits),
        (
            "budgetwatch_render_cache_misses_total",
            "Charts and packs drawn because the cache had no current copy.",
            misses,
        ),
    ] {
        text.push_str(&format!("# HELP {name} {help}\n# TYPE {name} counter\n{name} {value}\n"));
    }
    HttpResponse::Ok().content_type("text/plain; version=0.0.4; charset=utf-8").body(text)
}
