//! The HTTP edge: what every handler takes from a request before it calls into
//! an area.
//!
//! - `state`: what every handler may reach (the pool, the clock, the settings,
//!   the render cache, the after-write alert trigger).
//! - `guard`: which bureau and project a caller may see, decided in one place
//!   with one status (`VisibleBureau`, `VisibleProject`, `QueryScope`).
//! - `path`: typed path pieces (`Year`, `YearMonth`, `ReportAt`, `ProjectCode`).
//! - `writer`: the signed-in writer and request id every audited write records.
//! - `lang`: the language a page is asked in.
//! - `client`: which address a request came from (trusted proxies).
//! - `text`: refuses what the database cannot store (a NUL) before any handler.

pub mod client;
pub mod guard;
pub mod lang;
pub mod path;
pub mod state;
pub mod text;
pub mod writer;

pub use client::client_addr;
pub use guard::{require_office, QueryScope, Scope, VisibleBureau, VisibleProject};
pub use lang::PageLang;
pub use path::{parse_month, parse_year, resolve_month, ProjectCode, ReportAt, Year, YearMonth};
pub use state::AppState;
pub use writer::Writer;
