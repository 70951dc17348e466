//! The measures of DOMAIN.md, as pure functions over summed figures. For fiscal
//! year F as of fiscal month m, at any scope (office, bureau, project, category,
//! economic class):
//!
//! - `allocation` A(m): allocations plus adjustments effective by the end of m;
//! - `planned` P(m): monthly plans of months 1..m; `disbursed` D(m): reported
//!   disbursements of months 1..m; `committed` C(m): commitments outstanding at the
//!   end of m, from the latest submitted report of a month <= m (a stock, never
//!   summed over months, carried forward while a bureau has not reported);
//! - rates: D/A, (D+C)/A and P/A, ×100; `lag_pp` = plan rate − (D+C) rate;
//! - the year-end forecast, bounded, computed per project and then summed (so
//!   one project's lead never hides another's lag): with U = D + C, A = A(m),
//!   P12 = min(P(12), A), S = P(12) − P(m), G = max(P12 − U, 0), N = min(G, S)
//!   and pace r = min(1, U / P(m)) (1 when P(m) = 0), the forecast uses
//!   U + r·N and the best case U + N; both rates are over A, lie between the
//!   actual rate and 100, and equal the actual at month 12;
//! - KPI level and interpolated score from the year's five thresholds, of the
//!   actual rate and of the forecast.
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
    /// A(12): allocation in force at year end (the S-curve's scale).
    pub allocation_year_end: Decimal,
    /// P(m)
    pub planned: Decimal,
    /// P(12)
    pub planned_year: Decimal,
    /// D(m)
    pub disbursed: Decimal,
    /// C(m)
    pub committed: Decimal,
    /// Σ over projects of U + r·N: what the year is forecast to use.
    pub forecast_used: Decimal,
    /// Σ over projects of U + N: what it uses if everything still planned happens.
    pub best_used: Decimal,
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
            forecast_used: self.forecast_used + o.forecast_used,
            best_used: self.best_used + o.best_used,
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
    pub forecast_best_rate: Option<Decimal>,
}

/// One project's figures as of a month, with its bounded forecast terms.
pub struct Project {
    pub allocation: Decimal,
    pub allocation_year_end: Decimal,
    pub planned: Decimal,
    pub planned_year: Decimal,
    pub disbursed: Decimal,
    pub committed: Decimal,
}

impl From<Project> for Figures {
    fn from(p: Project) -> Figures {
        let used = p.disbursed + p.committed;
        let (forecast_used, best_used) = forecast_terms(p.allocation, p.planned, p.planned_year, used);
        Figures {
            allocation: p.allocation,
            allocation_year_end: p.allocation_year_end,
            planned: p.planned,
            planned_year: p.planned_year,
            disbursed: p.disbursed,
            committed: p.committed,
            forecast_used,
            best_used,
        }
    }
}

/// (U + r·N, U + N) of one project: U = D + C used so far, A = A(m), P(m) planned
/// to date and P(12) planned for the year (DOMAIN.md, Measures). The database
/// keeps the same two terms in `project_months` (migration 11); a test holds the
/// two equal to the last digit.
pub fn forecast_terms(
    allocation: Decimal,
    planned: Decimal,
    planned_year: Decimal,
    used: Decimal,
) -> (Decimal, Decimal) {
    let p12 = planned_year.min(allocation);
    let still_planned = (planned_year - planned).max(Decimal::ZERO);
    let not_yet_used = (p12 - used).max(Decimal::ZERO);
    let to_come = not_yet_used.min(still_planned);
    // r = min(U / P(m), 1), and 1 while nothing is planned yet.
    let paced = if planned <= Decimal::ZERO || used >= planned { to_come } else { share(used, to_come, planned) };
    (used + paced, used + to_come)
}

/// u·n / p to a hundredth of a satang (half away from zero), exactly, so that
/// sums over any number of projects are exact in any order and equal to the
/// database's. For u, n ≥ 0 and p > 0.
fn share(u: Decimal, n: Decimal, p: Decimal) -> Decimal {
    let exact = || -> Option<Decimal> {
        // All three at one scale s: u·n / p = U·N / (P·10^s) for their mantissas.
        let s = u.scale().max(n.scale()).max(p.scale());
        let mantissa = |x: Decimal| {
            let mut x = x;
            x.rescale(s);
            (x.scale() == s).then(|| x.mantissa())
        };
        let (u, n, p) = (mantissa(u)?, mantissa(n)?, mantissa(p)?);
        let den = p.checked_mul(10i128.checked_pow(s)?)?.checked_mul(2)?;
        let num = u.checked_mul(n)?.checked_mul(20_000)?.checked_add(den / 2)?;
        Decimal::try_from_i128_with_scale(num / den, 4).ok()
    };
    // Beyond i128 (no money this office will see) the ratio is rounded once more.
    exact()
        .unwrap_or_else(|| (u / p * n).round_dp_with_strategy(4, rust_decimal::RoundingStrategy::MidpointAwayFromZero))
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
            forecast_year_end_rate: rate(self.forecast_used, self.allocation),
            forecast_best_rate: rate(self.best_used, self.allocation),
        }
    }
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

    fn project(a: &str, a12: &str, p: &str, p12: &str, d_: &str, c: &str) -> Figures {
        Project {
            allocation: d(a),
            allocation_year_end: d(a12),
            planned: d(p),
            planned_year: d(p12),
            disbursed: d(d_),
            committed: d(c),
        }
        .into()
    }

    #[test]
    fn a_zero_allocation_gives_no_rates_and_no_division_error() {
        let m = project("0", "0", "5", "5", "1", "0").measures();
        assert_eq!(
            (m.disbursed_rate, m.disbursed_committed_rate, m.plan_rate, m.lag_pp, m.forecast_year_end_rate),
            (None, None, None, None, None)
        );
        assert_eq!(m.forecast_best_rate, None);
    }

    #[test]
    fn lag_is_plan_minus_disbursed_and_committed() {
        let m = project("1000", "1000", "300", "1000", "150", "50").measures();
        assert_eq!(m.plan_rate, Some(d("30")));
        assert_eq!(m.disbursed_committed_rate, Some(d("20")));
        assert_eq!(m.lag_pp, Some(d("10")));
        // U = 200, S = 700, G = 800, N = 700, r = 200/300: 200 + 466.6667 = 66.67%; best 90%.
        assert_eq!(crate::domain::round_output(m.forecast_year_end_rate.unwrap()), d("66.67"));
        assert_eq!(m.forecast_best_rate, Some(d("90")));
    }

    #[test]
    fn the_paced_share_is_exact_to_a_hundredth_of_a_satang_half_away_from_zero() {
        // 1 · 0.01 / 200 = 0.00005 exactly: away from zero, where banker's rounding
        // would give 0.0000.
        assert_eq!(share(d("1"), d("0.01"), d("200")), d("0.0001"));
        assert_eq!(share(d("2"), d("1"), d("3")), d("0.6667"));
        assert_eq!(share(d("1"), d("1"), d("3")), d("0.3333"));
        // National amounts stay exact: 123,456,789.01 · 98,765,432.10 / 99,999,999.99.
        assert_eq!(
            share(d("123456789.01"), d("98765432.10"), d("99999999.99")),
            (d("123456789.01") * d("98765432.10") / d("99999999.99")).round_dp(4)
        );
    }

    #[test]
    fn an_annual_contract_signed_in_october_is_not_counted_twice() {
        // The whole year's 1,200 committed in month 1 against a plan of 100 a
        // month: nothing more is to come (G = 0), so the forecast is 100%, where
        // the old formula added the 1,100 still planned and said 191.67%.
        let m = project("1200", "1200", "100", "1200", "0", "1200").measures();
        assert_eq!(m.disbursed_committed_rate, Some(d("100")));
        assert_eq!(m.forecast_year_end_rate, Some(d("100")));
        assert_eq!(m.forecast_best_rate, Some(d("100")));
    }

    #[test]
    fn one_projects_lead_does_not_hide_anothers_lag() {
        // A is ahead (its whole allocation used), B has used nothing of its plan.
        let a = project("1000", "1000", "500", "1000", "600", "400");
        let b = project("1000", "1000", "500", "1000", "0", "0");
        let both = (a + b).measures();
        // A: 1000 (nothing left to come). B: U = 0, r = 0, N = 500: forecast 0, best 500.
        assert_eq!(both.forecast_year_end_rate, Some(d("50")));
        assert_eq!(both.forecast_best_rate, Some(d("75")));
        // Summed first, the two would have looked on plan: U = 1000 = P(m).
        let pooled: Figures = Project {
            allocation: d("2000"),
            allocation_year_end: d("2000"),
            planned: d("1000"),
            planned_year: d("2000"),
            disbursed: d("600"),
            committed: d("400"),
        }
        .into();
        assert_eq!(pooled.measures().forecast_year_end_rate, Some(d("100")));
    }

    fn amount() -> impl Strategy<Value = Decimal> {
        (0i64..=1_000_000_000_000i64).prop_map(|c| Decimal::new(c, 2))
    }

    prop_compose! {
        /// A project as of month `m`: plans cover the allocation, D + C within it
        /// (the validation rule), plans to date a share of the year's.
        fn project_at()(a in amount(), m in 1u32..=12, dm in 0u32..=100, cm in 0u32..=100, extra in 0u32..=30)
            -> (u32, Figures)
        {
            let planned_year = a;
            let planned = if m == 12 { a } else { (a * Decimal::from(m) / Decimal::from(12)).round_dp(2) };
            let disbursed = (a * Decimal::from(dm) / Decimal::ONE_HUNDRED).round_dp(2);
            let committed = ((a - disbursed) * Decimal::from(cm) / Decimal::ONE_HUNDRED).round_dp(2);
            // Some years plan more than they are given (a cut after planning).
            let planned_year = planned_year + (planned_year * Decimal::from(extra) / Decimal::ONE_HUNDRED).round_dp(2);
            let planned = if m == 12 { planned_year } else { planned };
            (m, Project { allocation: a, allocation_year_end: a, planned, planned_year, disbursed, committed }.into())
        }
    }

    proptest! {
        #[test]
        fn wider_scopes_are_sums_of_narrower_ones(parts in proptest::collection::vec(project_at(), 1..20)) {
            let parts: Vec<Figures> = parts.into_iter().map(|(_, f)| f).collect();
            let total: Figures = parts.iter().copied().sum();
            let by_halves = parts[..parts.len() / 2].iter().copied().sum::<Figures>()
                + parts[parts.len() / 2..].iter().copied().sum::<Figures>();
            prop_assert_eq!(total, by_halves);
            // Each field is the sum of the same field, none mixed with another.
            let sum = |f: fn(&Figures) -> Decimal| parts.iter().map(f).sum::<Decimal>();
            prop_assert_eq!(total.allocation, sum(|p| p.allocation));
            prop_assert_eq!(total.allocation_year_end, sum(|p| p.allocation_year_end));
            prop_assert_eq!(total.planned, sum(|p| p.planned));
            prop_assert_eq!(total.planned_year, sum(|p| p.planned_year));
            prop_assert_eq!(total.disbursed, sum(|p| p.disbursed));
            prop_assert_eq!(total.committed, sum(|p| p.committed));
            prop_assert_eq!(total.forecast_used, sum(|p| p.forecast_used));
            prop_assert_eq!(total.best_used, sum(|p| p.best_used));
        }

        /// DOMAIN.md: for every scope and month, actual <= forecast <= best <= 100,
        /// and forecast = actual at month 12.
        #[test]
        fn the_forecast_lies_between_the_actual_and_100(parts in proptest::collection::vec(project_at(), 1..20)) {
            for scope in [parts[..1].to_vec(), parts.clone()] {
                let f: Figures = scope.iter().map(|(_, f)| *f).sum();
                let m = f.measures();
                if f.allocation.is_zero() {
                    prop_assert!(m.forecast_year_end_rate.is_none());
                    continue;
                }
                let (actual, forecast, best) =
                    (m.disbursed_committed_rate.unwrap(), m.forecast_year_end_rate.unwrap(), m.forecast_best_rate.unwrap());
                prop_assert!(Decimal::ZERO <= m.disbursed_rate.unwrap() && m.disbursed_rate.unwrap() <= actual);
                prop_assert!(actual <= forecast && forecast <= best && best <= Decimal::ONE_HUNDRED,
                             "{} {} {}", actual, forecast, best);
                if scope.iter().all(|(month, _)| *month == 12) {
                    prop_assert_eq!(forecast, actual);
                    prop_assert_eq!(best, actual);
                }
            }
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
