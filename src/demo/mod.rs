//! The demo office: twelve bureaus (the seed report's four among them), 48 action-plan
//! items a year over all five expense categories, FY2565 to the year holding today,
//! monthly reports with revisions and Thai narratives, and the demo sign-ins.
//! `generate` computes the figures (pure, deterministic for a given date), `ledger`
//! the control ledger that agrees with them but for two designed faults; `load`
//! writes what is not there yet, in one transaction, so loading twice changes nothing.

pub mod data;
pub mod generate;
pub mod ledger;
pub mod load;

pub use load::{foreign_accounts, load, load_now, sign_ins, LoadSummary};
