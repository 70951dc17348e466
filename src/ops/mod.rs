//! Operations endpoints and the request middleware: `/healthz` (the process is up),
//! `/readyz` (the database answers), `/metrics` (Prometheus text), and one tracing
//! span plus one metrics sample per request.

pub mod metrics;
pub mod middleware;
pub mod routes;
