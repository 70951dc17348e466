//! Black-box tests over HTTP and the binary, against a real PostgreSQL. Each test
//! gets its own database cloned from a migrated template (see `helpers`), so tests
//! run in parallel and never see each other's data.

mod a11y;
mod account;
mod alerts;
mod architecture;
mod audit;
mod auth;
mod authorization;
mod browser;
mod charts;
mod cli;
mod dashboard;
mod delivery;
mod demo;
mod figures;
mod health;
mod helpers;
mod hostile_files;
mod ledger;
mod ledger_bench;
mod migrations;
mod nul;
mod pack;
mod pages;
mod plan_tools;
mod plan_xlsx;
mod plans;
mod report_form;
mod report_xlsx;
mod reports;
mod security;
mod summary;
mod totals;
