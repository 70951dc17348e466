//! Money and rates, exact. `Money` is a non-negative amount of baht with at most two
//! decimal places and below 10^16 (what NUMERIC(18,2) holds). It parses from text
//! refusing exponents, NaN, signs and thousands separators, so `"1e5"` never slips
//! in as 100000. Rates are `Decimal` percentages, rounded half away from zero to two
//! places only when they are written out.

use std::fmt;
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Serialize, Serializer};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Money(Decimal);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("is empty; enter an amount such as 1234.50")]
    Empty,
    #[error("{0:?} is not an amount; use digits with an optional point and up to two decimals, such as 1234.50")]
    NotANumber(String),
    #[error("{0} is negative; amounts must be zero or more")]
    Negative(String),
    #[error("{0} has more than two decimal places")]
    TooPrecise(String),
    #[error("{0} is too large; amounts must be below 10,000,000,000,000,000")]
    TooLarge(String),
}

/// 10^16, the first amount NUMERIC(18,2) cannot hold.
fn limit() -> Decimal {
    Decimal::from(10_000_000_000_000_000i64)
}

impl MoneyError {
    /// The same, in Thai, for bureau officers.
    pub fn message_th(&self) -> String {
        match self {
            MoneyError::Empty => "ว่างอยู่ กรุณากรอกจำนวนเงิน เช่น 1234.50 (กรอก 0 หากไม่มี)".into(),
            MoneyError::NotANumber(s) => {
                format!("{s:?} ไม่ใช่จำนวนเงิน กรุณากรอกเป็นตัวเลขอารบิก ไม่มีเครื่องหมายจุลภาค และทศนิยมไม่เกิน 2 ตำแหน่ง เช่น 1234.50")
            }
            MoneyError::Negative(s) => format!("{s} ติดลบ จำนวนเงินต้องไม่น้อยกว่า 0"),
            MoneyError::TooPrecise(s) => format!("{s} มีทศนิยมเกิน 2 ตำแหน่ง"),
            MoneyError::TooLarge(s) => format!("{s} มากเกินไป (ต้องน้อยกว่า 10,000,000,000,000,000)"),
        }
    }
}

impl Money {
    pub const ZERO: Money = Money(Decimal::ZERO);

    /// Parses plain decimal text: `123`, `123.4`, `123.45`.
    pub fn parse(text: &str) -> Result<Money, MoneyError> {
        let t = text.trim();
        if t.is_empty() {
            return Err(MoneyError::Empty);
        }
        let body = t.strip_prefix('-').unwrap_or(t);
        let (int, frac) = body.split_once('.').unwrap_or((body, ""));
        let digits_ok = !int.is_empty()
            && int.bytes().all(|b| b.is_ascii_digit())
            && frac.bytes().all(|b| b.is_ascii_digit())
            && !(body.contains('.') && frac.is_empty());
        if !digits_ok {
            return Err(MoneyError::NotANumber(t.to_string()));
        }
        if int.len() > 20 {
            return Err(MoneyError::TooLarge(t.to_string()));
        }
        let d = Decimal::from_str(t).map_err(|_| MoneyError::NotANumber(t.to_string()))?;
        Money::try_from(d).map_err(|e| match e {
            // Keep the user's own spelling in the message.
            MoneyError::TooPrecise(_) => MoneyError::TooPrecise(t.to_string()),
            other => other,
        })
    }

    pub fn amount(self) -> Decimal {
        self.0
    }
}

impl TryFrom<Decimal> for Money {
    type Error = MoneyError;

    fn try_from(d: Decimal) -> Result<Money, MoneyError> {
        if d.is_sign_negative() && !d.is_zero() {
            return Err(MoneyError::Negative(d.to_string()));
        }
        if d.normalize().scale() > 2 {
            return Err(MoneyError::TooPrecise(d.to_string()));
        }
        if d >= limit() {
            return Err(MoneyError::TooLarge(d.to_string()));
        }
        let mut d = d.abs();
        d.rescale(2);
        Ok(Money(d))
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", fixed2(self.0))
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

/// An amount as a client sent it: a JSON string, or a JSON number turned into its
/// decimal text. Parsed with `Money::parse` where the field's name is known, so the
/// error can name it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawAmount(pub String);

impl<'de> serde::Deserialize<'de> for RawAmount {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<RawAmount, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = RawAmount;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an amount such as \"1234.50\"")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<RawAmount, E> {
                Ok(RawAmount(v.to_string()))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<RawAmount, E> {
                Ok(RawAmount(v.to_string()))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<RawAmount, E> {
                Ok(RawAmount(v.to_string()))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<RawAmount, E> {
                Ok(RawAmount(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

impl RawAmount {
    pub fn parse(&self) -> Result<Money, MoneyError> {
        Money::parse(&self.0)
    }
}

/// `part / whole · 100`, exact; `None` when `whole` is zero.
pub fn rate(part: Decimal, whole: Decimal) -> Option<Decimal> {
    if whole.is_zero() {
        return None;
    }
    part.checked_mul(Decimal::ONE_HUNDRED)?.checked_div(whole)
}

/// Rounds half away from zero to two places: the only rounding rates ever get.
pub fn round_output(d: Decimal) -> Decimal {
    let mut r = d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    r.rescale(2);
    r
}

/// A decimal written with exactly two places, rounded half away from zero.
pub fn fixed2(d: Decimal) -> String {
    round_output(d).to_string()
}

/// `1,234,567.50`: two places and thousands separators, for pages and documents.
pub fn format_baht(d: Decimal) -> String {
    let text = fixed2(d);
    let (sign, text) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest.to_string()),
        None => ("", text),
    };
    let (int, frac) = text.split_once('.').unwrap_or((&text, "00"));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{sign}{grouped}.{frac}")
}

/// Serde helpers for JSON: money and rates as strings with exactly two decimals
/// (`"1234.50"`), a rate that cannot be computed as `null`.
pub mod json {
    use rust_decimal::Decimal;
    use serde::Serializer;

    pub fn money<S: Serializer>(d: &Decimal, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::fixed2(*d))
    }

    pub fn rate<S: Serializer>(d: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_str(&super::fixed2(*d)),
            None => s.serialize_none(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str_exact(s).unwrap()
    }

    #[test]
    fn plain_amounts_parse_and_print_with_two_decimals() {
        assert_eq!(Money::parse("1234.5").unwrap().to_string(), "1234.50");
        assert_eq!(Money::parse(" 0 ").unwrap().to_string(), "0.00");
        assert_eq!(Money::parse("9999999999999999.99").unwrap().to_string(), "9999999999999999.99");
    }

    #[test]
    fn every_kind_of_bad_amount_is_refused() {
        assert_eq!(Money::parse(""), Err(MoneyError::Empty));
        for bad in ["1e5", "NaN", "inf", "1,000", "๑๒", "+5", "1.", ".5", "12a", "0x10"] {
            assert!(matches!(Money::parse(bad), Err(MoneyError::NotANumber(_))), "{bad}");
        }
        assert!(matches!(Money::parse("-0.01"), Err(MoneyError::Negative(_))));
        assert!(matches!(Money::parse("1.005"), Err(MoneyError::TooPrecise(s)) if s == "1.005"));
        assert!(matches!(Money::parse("10000000000000000"), Err(MoneyError::TooLarge(_))));
        assert!(matches!(Money::parse("123456789012345678901234567890"), Err(MoneyError::TooLarge(_))));
    }

    #[test]
    fn rates_are_exact_and_null_for_a_zero_whole() {
        assert_eq!(rate(dec("97"), dec("100")), Some(dec("97")));
        assert_eq!(rate(dec("1"), dec("0")), None);
        assert_eq!(fixed2(rate(dec("1"), dec("3")).unwrap()), "33.33");
    }

    #[test]
    fn baht_are_grouped_by_thousands() {
        assert_eq!(format_baht(dec("1234567.5")), "1,234,567.50");
        assert_eq!(format_baht(dec("999")), "999.00");
        assert_eq!(format_baht(dec("-1000")), "-1,000.00");
        assert_eq!(format_baht(dec("0")), "0.00");
    }

    #[test]
    fn output_rounding_is_half_away_from_zero() {
        assert_eq!(fixed2(dec("2.345")), "2.35");
        assert_eq!(fixed2(dec("2.355")), "2.36");
        assert_eq!(fixed2(dec("-2.345")), "-2.35");
        assert_eq!(fixed2(dec("7")), "7.00");
    }
}
