//! Builds the application: connects and migrates, makes the shared state, mounts the
//! routes and middleware, and binds the listener. `Application::build` returns
//! before serving, with the bound port known, so tests can bind port 0 and ask.

use std::net::TcpListener;
use std::time::Instant;

use actix_web::dev::Server;
use actix_web::{middleware, web, App, HttpRequest, HttpResponse, HttpServer};
use anyhow::Context;

use crate::config::Settings;
use crate::db::{self, PgPool};
use crate::error::{self, AppError};
use crate::ops::metrics::Metrics;
use crate::{auth, ops, routes};

/// What every handler may reach: shared, cheap to clone, nothing a replica would
/// need from another (all state that matters lives in PostgreSQL).
pub struct AppState {
    pub pool: PgPool,
    pub metrics: Metrics,
    pub settings: Settings,
}

impl AppState {
    /// Today in Bangkok, or the configured fixed date.
    pub fn today(&self) -> chrono::NaiveDate {
        self.settings.today.unwrap_or_else(|| crate::domain::fiscal::bangkok_date(chrono::Utc::now()))
    }
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
        let applied = migrate(&settings)?;
        let pool = db::build_pool(&settings);
        let listener = TcpListener::bind((settings.host.as_str(), settings.port))
            .with_context(|| format!("cannot listen on {}:{}", settings.host, settings.port))?;
        let port = listener.local_addr()?.port();
        let workers = settings.workers;
        let state = web::Data::new(AppState { pool, metrics: Metrics::default(), settings });
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
        Ok(Application { port, server: server.run() })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

/// Creates the database when missing and applies pending migrations; returns how
/// many were applied.
pub fn migrate(settings: &Settings) -> anyhow::Result<usize> {
    let mut conn = db::connect_creating(&settings.database_url)?;
    db::run_migrations(&mut conn)
}

async fn not_found(req: HttpRequest) -> Result<HttpResponse, AppError> {
    Err(AppError::NotFound(format!("no such path: {}", req.path())))
}
