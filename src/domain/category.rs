//! Expense categories (งบรายจ่าย) of the Thai budget. Investment is capital spending;
//! the other four are current spending (รายจ่ายประจำ), which is how the cabinet's
//! `current` and `capital` targets split the budget.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Personnel,
    Operating,
    Investment,
    Subsidy,
    Other,
}

impl Category {
    pub const ALL: [Category; 5] =
        [Category::Personnel, Category::Operating, Category::Investment, Category::Subsidy, Category::Other];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Personnel => "personnel",
            Category::Operating => "operating",
            Category::Investment => "investment",
            Category::Subsidy => "subsidy",
            Category::Other => "other",
        }
    }

    pub fn name_th(self) -> &'static str {
        match self {
            Category::Personnel => "งบบุคลากร",
            Category::Operating => "งบดำเนินงาน",
            Category::Investment => "งบลงทุน",
            Category::Subsidy => "งบเงินอุดหนุน",
            Category::Other => "งบรายจ่ายอื่น",
        }
    }

    pub fn is_capital(self) -> bool {
        self == Category::Investment
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Category {
    type Err = String;

    fn from_str(s: &str) -> Result<Category, String> {
        Category::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| format!("{s:?} is not one of personnel, operating, investment, subsidy, other"))
    }
}

/// The economic classification of a project (รายจ่ายประจำ / รายจ่ายลงทุน), which
/// the cabinet's current and capital targets are judged on. It defaults from the
/// category (investment is capital) and may be changed (a capital subsidy).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EconomicClass {
    Current,
    Capital,
}

impl EconomicClass {
    pub const ALL: [EconomicClass; 2] = [EconomicClass::Current, EconomicClass::Capital];

    pub fn of(category: Category) -> EconomicClass {
        if category.is_capital() {
            EconomicClass::Capital
        } else {
            EconomicClass::Current
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            EconomicClass::Current => "current",
            EconomicClass::Capital => "capital",
        }
    }

    pub fn name_th(self) -> &'static str {
        match self {
            EconomicClass::Current => "รายจ่ายประจำ",
            EconomicClass::Capital => "รายจ่ายลงทุน",
        }
    }
}

impl FromStr for EconomicClass {
    type Err = String;

    fn from_str(s: &str) -> Result<EconomicClass, String> {
        EconomicClass::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| format!("{s:?} is not one of current, capital"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_round_trip_and_only_investment_is_capital() {
        for c in Category::ALL {
            assert_eq!(c.as_str().parse::<Category>().unwrap(), c);
        }
        assert!("capital".parse::<Category>().is_err());
        assert_eq!(Category::ALL.iter().filter(|c| c.is_capital()).count(), 1);
        assert_eq!(EconomicClass::of(Category::Investment), EconomicClass::Capital);
        assert_eq!(EconomicClass::of(Category::Subsidy), EconomicClass::Current);
        assert_eq!("capital".parse::<EconomicClass>(), Ok(EconomicClass::Capital));
        assert!("investment".parse::<EconomicClass>().is_err());
    }
}
