//! The domain: pure types and functions for money, rates, the Thai fiscal calendar
//! and expense categories. Nothing here knows about actix or diesel, nothing does
//! I/O, and every constructor refuses bad input, so code past the edge of the
//! program can trust a `Money`, a `FiscalYear` or a `FiscalMonth` it is handed.

pub mod category;
pub mod fiscal;
pub mod measures;
pub mod money;
pub mod plan;
pub mod role;

pub use category::{Category, EconomicClass};
pub use fiscal::{FiscalMonth, FiscalYear};
pub use money::{rate, round_output, Money, MoneyError};
pub use role::Role;
