//! The database edge: the r2d2 pool of diesel connections, the migrations embedded
//! in the binary, creating the database when it is missing, and `blocking`, the one
//! way async code reaches the database.
//!
//! Invariants: diesel and r2d2 block, so no async task calls them directly; every
//! use goes through `blocking`, which runs on actix's blocking pool carrying the
//! caller's tracing span. The pool's connection timeout is short, so a database that
//! is down or a pool that is exhausted answers 503 in seconds instead of hanging.

use std::time::Duration;

use anyhow::Context;
use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::r2d2::{ConnectionManager, Pool, PooledConnection};
use diesel::Connection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};
use tracing::Instrument;

use crate::config::{redact_url, Settings};
use crate::error::AppError;

pub type PgPool = Pool<ConnectionManager<PgConnection>>;
pub type PgPooled = PooledConnection<ConnectionManager<PgConnection>>;

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

/// Builds the pool without waiting for the database: the server starts and answers
/// `/healthz` even while PostgreSQL is still coming up; `/readyz` tells the truth.
pub fn build_pool(settings: &Settings) -> PgPool {
    let manager = ConnectionManager::<PgConnection>::new(&settings.database_url);
    Pool::builder()
        .connection_customizer(Box::new(SessionSettings))
        .max_size(settings.pool_size)
        // No idle floor: r2d2 would otherwise keep reconnecting from background
        // threads, also while the database is gone (and while the process exits).
        .min_idle(Some(0))
        .connection_timeout(settings.pool_timeout)
        .test_on_check_out(true)
        .build_unchecked(manager)
}

/// Per-connection settings. JIT compilation is off: the dashboard's aggregates are
/// short, and PostgreSQL's cost estimates for them are high enough to trigger a
/// JIT pass that takes longer than the query.
#[derive(Debug)]
struct SessionSettings;

impl diesel::r2d2::CustomizeConnection<PgConnection, diesel::r2d2::Error> for SessionSettings {
    fn on_acquire(&self, conn: &mut PgConnection) -> Result<(), diesel::r2d2::Error> {
        conn.batch_execute("SET jit = off; SET application_name = 'budgetwatch'")
            .map_err(diesel::r2d2::Error::QueryError)
    }
}

/// Applies every pending embedded migration; returns how many ran.
pub fn run_migrations(conn: &mut PgConnection) -> anyhow::Result<usize> {
    // Two replicas starting together must not both migrate: serialize on a lock.
    conn.batch_execute("SELECT pg_advisory_lock(7263581)").context("taking the migration lock")?;
    let result = conn.run_pending_migrations(MIGRATIONS).map(|v| v.len());
    conn.batch_execute("SELECT pg_advisory_unlock(7263581)").context("releasing the migration lock")?;
    result.map_err(|e| anyhow::anyhow!("running migrations: {e}"))
}

/// Connects to `url`, creating its database first if the server says it does not
/// exist. Other failures (server down, wrong credentials) are returned as they are.
pub fn connect_creating(url: &str) -> anyhow::Result<PgConnection> {
    match PgConnection::establish(url) {
        Ok(c) => Ok(c),
        Err(diesel::ConnectionError::BadConnection(msg)) if msg.contains("does not exist") => {
            let (server_url, name) = split_database(url).context("DATABASE_URL has no database name")?;
            let mut admin = PgConnection::establish(&server_url)
                .with_context(|| format!("connecting to {} to create database {name}", redact_url(&server_url)))?;
            let quoted = format!("\"{}\"", name.replace('"', "\"\""));
            match admin.batch_execute(&format!("CREATE DATABASE {quoted}")) {
                Ok(()) => tracing::info!(database = %name, "created database"),
                // Someone else created it between our two attempts: fine.
                Err(e) if e.to_string().contains("already exists") => {}
                Err(e) => return Err(e).with_context(|| format!("creating database {name}")),
            }
            PgConnection::establish(url).with_context(|| format!("connecting to {}", redact_url(url)))
        }
        Err(e) => Err(anyhow::anyhow!("cannot connect to {}: {}", redact_url(url), e.to_string().trim())),
    }
}

/// Splits `postgres://…/name?params` into the same URL for the `postgres`
/// maintenance database and `name`.
pub fn split_database(url: &str) -> Option<(String, String)> {
    let scheme_end = url.find("://")? + 3;
    let slash = scheme_end + url[scheme_end..].find('/')?;
    let (path, query) = match url[slash + 1..].find('?') {
        Some(q) => (&url[slash + 1..slash + 1 + q], &url[slash + 1 + q..]),
        None => (&url[slash + 1..], ""),
    };
    if path.is_empty() {
        return None;
    }
    Some((format!("{}/postgres{}", &url[..slash], query), path.to_string()))
}

/// Runs `f` with a pooled connection on the blocking thread pool, inside the
/// caller's span. Pool timeouts become 503.
pub async fn blocking<T, F>(pool: &PgPool, f: F) -> Result<T, AppError>
where
    F: FnOnce(&mut PgPooled) -> Result<T, AppError> + Send + 'static,
    T: Send + 'static,
{
    let pool = pool.clone();
    let span = tracing::Span::current();
    actix_web::web::block(move || {
        let _entered = span.enter();
        let mut conn = pool.get()?;
        f(&mut conn)
    })
    .instrument(tracing::Span::current())
    .await?
}

/// How long to wait for the database at start before giving up with a message.
pub const STARTUP_WAIT: Duration = Duration::from_secs(10);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_maintenance_url_keeps_server_and_parameters() {
        assert_eq!(
            split_database("postgres://u:p@h:5432/bw?sslmode=disable"),
            Some(("postgres://u:p@h:5432/postgres?sslmode=disable".into(), "bw".into()))
        );
        assert_eq!(split_database("postgres://h/"), None);
    }
}

/// An enum stored as one of the words a column's CHECK allows: `as_str` and
/// `FromStr` for the words, serde as the word (the API's JSON keeps its strings),
/// and diesel's `Text` both ways, so rows read and write the enum, not a string
/// compared by hand. A word the enum does not know is a deserialization error.
///
/// ```ignore
/// text_enum! {
///     /// A revision's state.
///     pub enum RevisionStatus { Draft = "draft", Submitted = "submitted" }
/// }
/// ```
#[macro_export]
macro_rules! text_enum {
    ($(#[$meta:meta])* pub enum $name:ident { $($(#[$vmeta:meta])* $variant:ident = $word:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord,
                 diesel::expression::AsExpression, diesel::deserialize::FromSqlRow)]
        #[diesel(sql_type = diesel::sql_types::Text)]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $word),+ }
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s {
                    $($word => Ok($name::$variant),)+
                    other => Err(format!(
                        "{other:?} is not one of {}",
                        [$($word),+].join(", ")
                    )),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }

        impl diesel::serialize::ToSql<diesel::sql_types::Text, diesel::pg::Pg> for $name {
            fn to_sql<'b>(&'b self, out: &mut diesel::serialize::Output<'b, '_, diesel::pg::Pg>) -> diesel::serialize::Result {
                <str as diesel::serialize::ToSql<diesel::sql_types::Text, diesel::pg::Pg>>::to_sql(self.as_str(), out)
            }
        }

        impl diesel::deserialize::FromSql<diesel::sql_types::Text, diesel::pg::Pg> for $name {
            fn from_sql(bytes: diesel::pg::PgValue<'_>) -> diesel::deserialize::Result<Self> {
                let s = <String as diesel::deserialize::FromSql<diesel::sql_types::Text, diesel::pg::Pg>>::from_sql(bytes)?;
                s.parse().map_err(|e: String| e.into())
            }
        }
    };
}

#[cfg(test)]
mod text_enum_tests {
    crate::text_enum! {
        /// A test enum.
        pub enum Colour { Red = "red", DarkBlue = "dark_blue" }
    }

    #[test]
    fn a_text_enum_is_its_word_both_ways() {
        assert_eq!(Colour::DarkBlue.as_str(), "dark_blue");
        assert_eq!("red".parse::<Colour>(), Ok(Colour::Red));
        assert!("green".parse::<Colour>().unwrap_err().contains("red, dark_blue"));
        assert_eq!(serde_json::to_string(&Colour::Red).unwrap(), "\"red\"");
        assert_eq!(serde_json::from_str::<Colour>("\"dark_blue\"").unwrap(), Colour::DarkBlue);
        assert!(serde_json::from_str::<Colour>("\"blue\"").is_err());
        assert_eq!(Colour::ALL.len(), 2);
    }
}
