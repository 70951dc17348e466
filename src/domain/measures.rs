//! The measures of DOMAIN.md, as pure functions over summed figures. For fiscal
//! year F as of fiscal month m, at any scope (office, bureau, project, category):
//!
//! - `allocation` A(m): allocations plus adjustments effective by the end of m;
//! - `planned` P(m): monthly plans of months 1..m; `disbursed` D(m): reported
//!   disbursements of months 1..m; `committed` C(m): commitments outstanding at the
//!   end of m (a stock, never summed over months);
//! - rates: D/A, (D+C)/A and P/A, ×100; `lag_pp` = plan rate − (D+C) rate;
//! - `forecast_year_end_rate` = ((D+C) + (P(12) − P(m))·min(r, 1)) / A(12) ·100 with
//!   r = (D+C)/P(m), or 1 when P(m) = 0;
//! - KPI level and interpolated score from the year's five thresholds.
//!
//! Figures of a wider scope are the sums of narrower ones (`Figures` adds), and
//! measures are computed from figures, never summed themselves. Everything is exact
//! `Decimal`; a zero denominator gives `None` (JSON `null`); rounding to two places
//! happens only when written out.

use std::iter::Sum;
use std::ops::Add;

use rust_decimal::Decimal;

use super::money::rate;

/// Summed inputs of the measures at one scope.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Figures {
    /// A(m)
    pub allocation: Decimal,
    /// A(12): allocation in force at year end, for the forecast.
    pub allocation_year_end: Decimal,
    /// P(m)
    pub planned: Decimal,
    /// P(12)
    pub planned_year: Decimal,
    /// D(m)
    pub disbursed: Decimal,
    /// C(m)
    pub committed: Decimal,
}

impl Add for Figures {
    type Output = Figures;
    fn add(self, o: Figures) -> Figures {
        Figures {
            allocation: self.allocation + o.allocation,
            allocation_year_end: self.allocation_year_end + o.allocation_year_end,
            planned: self.planned + o.planned,
            planned_year: self.planned_year + o.planned_year,
            disbursed: self.disbursed + o.disbursed,
            committed: self.committed + o.committed,
        }
    }
}

impl Sum for Figures {
    fn sum<I: Iterator<Item = Figures>>(iter: I) -> Figures {
        iter.fold(Figures::default(), Add::add)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Measures {
    pub figures: Figures,
    pub disbursed_rate: Option<Decimal>,
    pub disbursed_committed_rate: Option<Decimal>,
    pub plan_rate: Option<Decimal>,
    pub lag_pp: Option<Decimal>,
    pub forecast_year_end_rate: Option<Decimal>,
}

impl Figures {
    pub fn used(&self) -> Decimal {
        self.disbursed + self.committed
    }

    pub fn measures(&self) -> Measures {
        let disbursed_committed_rate = rate(self.used(), self.allocation);
        let plan_rate = rate(self.planned, self.allocation);
        Measures {
            figures: *self,
            disbursed_rate: rate(self.disbursed, self.allocation),
            disbursed_committed_rate,
            plan_rate,
            lag_pp: plan_rate.zip(disbursed_committed_rate).map(|(p, u)| p - u),
            forecast_year_end_rate: forecast(self),
        }
    }
}

/// The year-end disbursed+committed rate if the rest of the plan is spent at the
/// pace achieved so far (never faster than plan).
pub fn forecast(f: &Figures) -> Option<Decimal> {
    let pace = if f.planned.is_zero() { Decimal::ONE } else { (f.used() / f.planned).min(Decimal::ONE) };
    let remaining = (f.planned_year - f.planned).max(Decimal::ZERO);
    rate(f.used() + remaining * pace, f.allocation_year_end)
}

/// KPI thresholds T1..T5 of a fiscal year (year-end disbursed+committed %).
pub type Thresholds = [Decimal; 5];

/// The highest level whose threshold the rate reaches; 0 when none (or no rate).
pub fn kpi_level(rate: Option<Decimal>, t: &Thresholds) -> u8 {
    let Some(x) = rate else { return 0 };
    t.iter().rposition(|threshold| x >= *threshold).map(|i| i as u8 + 1).unwrap_or(0)
}

/// 0 below T1, 5 at or above T5, otherwise L + (x − T_L)/(T_{L+1} − T_L) for the
/// level L reached; rounded to two places (half away from zero) by the caller.
pub fn kpi_score(rate: Option<Decimal>, t: &Thresholds) -> Option<Decimal> {
    let x = rate?;
    let level = kpi_level(Some(x), t);
    Some(match level {
        0 => Decimal::ZERO,
        5 => Decimal::from(5),
        l => {
            let (lo, hi) = (t[l as usize - 1], t[l as usize]);
            let span = hi - lo;
            let step = if span.is_zero() { Decimal::ZERO } else { (x - lo) / span };
            Decimal::from(l) + step
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str_exact(s).unwrap()
    }

    fn levels() -> Thresholds {
        [d("89"), d("91"), d("93"), d("95"), d("97")]
    }

    #[test]
    fn the_seed_year_end_is_level_5() {
        assert_eq!(kpi_level(Some(d("97.00")), &levels()), 5);
        assert_eq!(kpi_score(Some(d("97.00")), &levels()), Some(d("5")));
        assert_eq!(kpi_level(Some(d("96.99")), &levels()), 4);
        assert_eq!(kpi_score(Some(d("96")), &levels()), Some(d("4.5")));
        assert_eq!(kpi_score(Some(d("88.99")), &levels()), Some(Decimal::ZERO));
        assert_eq!(kpi_level(None, &levels()), 0);
        assert_eq!(kpi_score(None, &levels()), None);
    }

    #[test]
    fn a_zero_allocation_gives_no_rates_and_no_division_error() {
        let m = Figures { planned: d("5"), disbursed: d("1"), ..Figures::default() }.measures();
        assert_eq!(
            (m.disbursed_rate, m.disbursed_committed_rate, m.plan_rate, m.lag_pp, m.forecast_year_end_rate),
            (None, None, None, None, None)
        );
    }

    #[test]
    fn lag_is_plan_minus_disbursed_and_committed() {
        let f = Figures {
            allocation: d("1000"),
            allocation_year_end: d("1000"),
            planned: d("300"),
            planned_year: d("1000"),
            disbursed: d("150"),
            committed: d("50"),
        };
        let m = f.measures();
        assert_eq!(m.plan_rate, Some(d("30")));
        assert_eq!(m.disbursed_committed_rate, Some(d("20")));
        assert_eq!(m.lag_pp, Some(d("10")));
        // r = 200/300; remaining plan 700 at that pace: 200 + 466.66… = 66.67%
        assert_eq!(crate::domain::round_output(m.forecast_year_end_rate.unwrap()), d("66.67"));
    }

    fn amount() -> impl Strategy<Value = Decimal> {
        (0i64..=1_000_000_000_000i64).prop_map(|c| Decimal::new(c, 2))
    }

    prop_compose! {
        fn figures()(a in amount(), pm in 0u32..=100, dm in 0u32..=100, cm in 0u32..=100) -> Figures {
            // Plans cover the allocation; D + C never exceed it (the validation rule).
            let planned_year = a;
            let planned = (planned_year * Decimal::from(pm) / Decimal::ONE_HUNDRED).round_dp(2);
            let disbursed = (a * Decimal::from(dm) / Decimal::ONE_HUNDRED).round_dp(2);
            let committed = ((a - disbursed) * Decimal::from(cm) / Decimal::ONE_HUNDRED).round_dp(2);
            Figures { allocation: a, allocation_year_end: a, planned, planned_year, disbursed, committed }
        }
    }

    proptest! {
        #[test]
        fn wider_scopes_are_sums_of_narrower_ones(parts in proptest::collection::vec(figures(), 1..20)) {
            let total: Figures = parts.iter().copied().sum();
            let by_halves = parts[..parts.len() / 2].iter().copied().sum::<Figures>()
                + parts[parts.len() / 2..].iter().copied().sum::<Figures>();
            prop_assert_eq!(total, by_halves);
            prop_assert_eq!(total.disbursed, parts.iter().map(|p| p.disbursed).sum::<Decimal>());
        }

        #[test]
        fn rates_lie_where_their_inputs_put_them(f in figures()) {
            let m = f.measures();
            if f.allocation.is_zero() {
                prop_assert!(m.disbursed_committed_rate.is_none());
            } else {
                let dr = m.disbursed_rate.unwrap();
                let ur = m.disbursed_committed_rate.unwrap();
                prop_assert!(Decimal::ZERO <= dr && dr <= ur && ur <= Decimal::ONE_HUNDRED);
                prop_assert!(m.plan_rate.unwrap() <= Decimal::ONE_HUNDRED);
                // The forecast never predicts less than what is already used.
                prop_assert!(m.forecast_year_end_rate.unwrap() >= ur);
            }
        }

        #[test]
        fn the_forecast_at_month_12_is_the_actual(f in figures()) {
            let year_end = Figures { planned: f.planned_year, allocation_year_end: f.allocation, ..f };
            let m = year_end.measures();
            prop_assert_eq!(m.forecast_year_end_rate, m.disbursed_committed_rate);
        }

        #[test]
        fn the_kpi_score_grows_with_the_rate(x in 0u32..=10_000, y in 0u32..=10_000) {
            let (lo, hi) = (Decimal::new(x.min(y) as i64, 2), Decimal::new(x.max(y) as i64, 2));
            let (a, b) = (kpi_score(Some(lo), &levels()).unwrap(), kpi_score(Some(hi), &levels()).unwrap());
            prop_assert!(a <= b && b <= Decimal::from(5) && a >= Decimal::ZERO);
            prop_assert_eq!(kpi_level(Some(hi), &levels()) as i64, b.trunc().to_string().parse::<i64>().unwrap().min(5));
        }

        #[test]
        fn rounding_happens_only_at_output(cents in 0i64..1_000_000, den in 1i64..1_000_000) {
            let exact = rate(Decimal::new(cents, 2), Decimal::new(den, 2)).unwrap();
            let shown = crate::domain::round_output(exact);
            prop_assert!((shown - exact).abs() <= Decimal::new(5, 3));
            prop_assert_eq!(shown.scale(), 2);
        }
    }
}
