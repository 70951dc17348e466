//! The HTTP edge: what every handler takes from a request before it calls into
//! an area. `guard` decides, in one place, which bureau and project a caller may
//! see.

pub mod guard;

pub use guard::{require_office, QueryScope, Scope, VisibleBureau, VisibleProject};
