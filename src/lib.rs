//! budgetwatch: budget-disbursement monitoring for Thai public bodies.
//!
//! The crate is one library with a thin binary (`src/main.rs`). `docs/ARCHITECTURE.md`
//! is the map; the short version: `domain` is pure (no actix, no diesel), `db` owns
//! the pool and migrations, `startup` wires HTTP routes onto them, `demo` writes the
//! demo office through diesel, and `cli` turns the command line into calls.

pub mod alerts;
pub mod audit;
pub mod auth;
pub mod bench;
pub mod cache;
pub mod charts;
pub mod cli;
pub mod clock;
pub mod config;
pub mod csv;
pub mod dashboard;
pub mod db;
pub mod delivery;
pub mod demo;
pub mod domain;
pub mod error;
pub mod http;
pub mod i18n;
pub mod idempotency;
pub mod ledger;
pub mod monitoring;
pub mod ops;
pub mod pack;
pub mod pages;
pub mod plans;
pub mod reports;
pub mod routes;
pub mod schema;
pub mod startup;
pub mod telemetry;
pub mod users;
pub mod views;
pub mod xlsx;
