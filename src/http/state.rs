//! What every handler may reach: shared, cheap to clone, nothing a replica would
//! need from another (all state that matters lives in PostgreSQL).

use crate::cache::RenderCache;
use crate::clock::Clock;
use crate::config::Settings;
use crate::db::PgPool;
use crate::ops::metrics::Metrics;

pub struct AppState {
    pub pool: PgPool,
    pub metrics: Metrics,
    pub settings: Settings,
    pub clock: Clock,
    pub renders: RenderCache,
    /// Asks for an alert evaluation after a write (coalesced; see `alerts`).
    pub after_writes: crate::alerts::AfterWrites,
}

impl AppState {
    pub fn new(pool: PgPool, settings: Settings) -> AppState {
        let clock = Clock::new(settings.today);
        let after_writes = crate::alerts::AfterWrites::new(pool.clone(), clock, settings.delivery.clone());
        AppState { pool, metrics: Metrics::default(), settings, clock, renders: RenderCache::default(), after_writes }
    }

    /// Today in Bangkok, or the configured fixed date.
    pub fn today(&self) -> chrono::NaiveDate {
        self.clock.today()
    }

    /// Now, or noon of the configured fixed date (Bangkok).
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }
}
