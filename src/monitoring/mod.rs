//! The monitoring engine: every measure of the office, its bureaus, projects and
//! expense categories for a fiscal year as of a month, and the same month of the
//! year before. `queries` aggregates in PostgreSQL with a fixed number of queries
//! whatever the number of bureaus or projects; `summary` turns the summed figures
//! into measures with `domain::measures` (exact decimals, rounding only in JSON);
//! `routes` serves CONTRACT.md's summary endpoints.

pub mod queries;
pub mod routes;
pub mod summary;
