//! The HTTP edge: what every handler takes from a request before it calls into
//! an area. `guard` decides, in one place, which bureau and project a caller may
//! see; `client` says which address a request came from; `text` refuses what
//! the database cannot store (a NUL) before any handler sees it.

pub mod client;
pub mod guard;
pub mod text;

pub use client::client_addr;
pub use guard::{require_office, QueryScope, Scope, VisibleBureau, VisibleProject};
