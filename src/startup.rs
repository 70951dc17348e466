//! Builds the application: connects and migrates, makes the shared state, mounts the
//! routes and middleware, and binds the listener. `Application::build` returns
//! before serving, with the bound port known, so tests can bind port 0 and ask.

use std::net::TcpListener;
use std::time::Instant;

use actix_web::dev::Server;
use actix_web::{middleware, web, App, HttpRequest, HttpResponse, HttpServer};
use anyhow::Context;

use crate::config::Settings;
use crate::db;
use crate::error::{self, AppError};
use crate::http::AppState;
use crate::{auth, ops, pages, routes};

/// The schedule: every `interval` seconds, evaluate unless another replica is.
fn schedule_alerts(state: web::Data<AppState>, interval: u64) {
    actix_web::rt::spawn(async move {
        let mut tick = actix_web::rt::time::interval(std::time::Duration::from_secs(interval));
        loop {
            tick.tick().await;
            let now = state.now();
            let delivery = state.settings.delivery.clone();
            match db::blocking(&state.pool, move |conn| crate::alerts::evaluate(conn, now, false, &delivery)).await {
                Ok(e) if !e.ran => tracing::debug!("another replica is evaluating alerts"),
                Ok(e) => tracing::info!(
                    raised = e.raised,
                    updated = e.updated,
                    resolved = e.resolved,
                    open = e.open,
                    "scheduled alert evaluation"
                ),
                Err(e) => tracing::error!(error = %e, "scheduled alert evaluation failed"),
            }
        }
    });
}

pub struct Application {
    port: u16,
    server: Server,
}

/// Largest JSON body accepted, in bytes.
pub const JSON_LIMIT: usize = 2 * 1024 * 1024;

impl Application {
    /// Connects (creating the database if it is missing), applies pending
    /// migrations and binds `host:port`.
    pub fn build(settings: Settings) -> anyhow::Result<Application> {
        let started = Instant::now();
        crate::audit::install_key(&crate::audit::key_from(&settings)?)?;
        let applied = migrate(&settings)?;
        let pool = db::build_pool(&settings);
        let listener = TcpListener::bind((settings.host.as_str(), settings.port))
            .with_context(|| format!("cannot listen on {}:{}", settings.host, settings.port))?;
        let port = listener.local_addr()?.port();
        let workers = settings.workers;
        let interval = settings.alert_interval_secs;
        let state = web::Data::new(AppState::new(pool, settings));
        let scheduled = state.clone();
        let mut server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .app_data(web::JsonConfig::default().limit(JSON_LIMIT).error_handler(error::json_error_handler))
                .app_data(web::PathConfig::default().error_handler(error::path_error_handler))
                .app_data(web::QueryConfig::default().error_handler(error::query_error_handler))
                .app_data(web::FormConfig::default().limit(auth::middleware::FORM_LIMIT))
                .app_data(web::PayloadConfig::default().limit(JSON_LIMIT))
                // The last `wrap` is the outermost: telemetry sees every answer,
                // security headers go on every answer, then who is asking; whether
                // they may is checked around each route (see `routes::configure`).
                .wrap(middleware::from_fn(auth::middleware::authenticate))
                .wrap(middleware::from_fn(crate::http::text::refuse_nul))
                .wrap(middleware::from_fn(pages::html_errors))
                .wrap(middleware::from_fn(auth::middleware::security_headers))
                .wrap(middleware::from_fn(ops::middleware::telemetry))
                .configure(routes::configure)
                .default_service(web::to(not_found))
        })
        .listen(listener)?
        .shutdown_timeout(10);
        if workers > 0 {
            server = server.workers(workers);
        }
        tracing::info!(
            port,
            migrations_applied = applied,
            startup_ms = started.elapsed().as_millis() as u64,
            "budgetwatch is ready"
        );
        let server = server.run();
        // Build is called inside the server's runtime, so these stop with it.
        crate::delivery::start_worker(scheduled.pool.clone(), scheduled.settings.delivery.clone());
        if interval > 0 {
            schedule_alerts(scheduled, interval);
        }
        Ok(Application { port, server })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

/// Creates the database when missing and applies pending migrations, as the
/// database's owner (`BUDGETWATCH_OWNER_DATABASE_URL`, else `DATABASE_URL`);
/// returns how many were applied.
pub fn migrate(settings: &Settings) -> anyhow::Result<usize> {
    let mut conn = db::connect_creating(settings.migration_url())?;
    db::run_migrations(&mut conn)
}

/// No route took the request: a path the table knows with another method is 405
/// with `Allow` (OPTIONS gets the list), anything else 404.
async fn not_found(req: HttpRequest) -> Result<HttpResponse, AppError> {
    let methods = routes::methods_at(req.path());
    if methods.is_empty() {
        let shown: String = req.path().chars().take(200).collect();
        return Err(AppError::NotFound(format!("no such path: {shown}")));
    }
    let allow = methods.iter().map(|m| m.as_str()).chain(["OPTIONS"]).collect::<Vec<_>>().join(", ");
    if req.method() == actix_web::http::Method::OPTIONS {
        return Ok(HttpResponse::NoContent().insert_header(("Allow", allow)).finish());
    }
    Err(AppError::MethodNotAllowed(allow))
}
