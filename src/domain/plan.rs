//! Re-spreading a project's plan after its allocation changed: the months that
//! have not yet ended take what the allocation leaves after the months that
//! have, either in proportion to what they plan now or evenly, to the satang,
//! so that the twelve months add up to the allocation exactly.

use rust_decimal::Decimal;

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Spread {
    /// In proportion to the current plan of the open months (evenly if they plan nothing).
    Proportional,
    Evenly,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpreadError {
    #[error("every month of the year has ended: there is nothing left to spread")]
    NoOpenMonth,
    #[error("the months that have ended already plan {planned}, more than the allocation {allocation}")]
    PastExceeds { planned: Decimal, allocation: Decimal },
}

/// The twelve months of `current` with months `first_open..12` (0-based) re-spread
/// so that all twelve add up to `allocation`.
pub fn respread(
    current: &[Decimal; 12],
    first_open: usize,
    allocation: Decimal,
    how: Spread,
) -> Result<[Decimal; 12], SpreadError> {
    if first_open >= 12 {
        return Err(SpreadError::NoOpenMonth);
    }
    let past: Decimal = current[..first_open].iter().sum();
    if past > allocation {
        return Err(SpreadError::PastExceeds { planned: past, allocation });
    }
    let left = allocation - past;
    let open = &current[first_open..];
    let total: Decimal = open.iter().sum();
    let weights: Vec<Decimal> = match how {
        Spread::Proportional if !total.is_zero() => open.to_vec(),
        _ => vec![Decimal::ONE; open.len()],
    };
    let weight_sum: Decimal = weights.iter().sum();
    // Shares in whole satang, rounded down; the satang left over go, one each,
    // to the months with the largest remainders (the earliest on a tie).
    let satang = (left * Decimal::ONE_HUNDRED).trunc();
    let exact: Vec<Decimal> = weights.iter().map(|w| satang * w / weight_sum).collect();
    let mut shares: Vec<Decimal> = exact.iter().map(|e| e.trunc()).collect();
    let mut short = satang - shares.iter().sum::<Decimal>();
    let mut order: Vec<usize> = (0..shares.len()).collect();
    order.sort_by(|a, b| (exact[*b] - shares[*b]).cmp(&(exact[*a] - shares[*a])).then(a.cmp(b)));
    for i in order.iter().cycle() {
        if short <= Decimal::ZERO {
            break;
        }
        shares[*i] += Decimal::ONE;
        short -= Decimal::ONE;
    }
    let mut out = *current;
    for (k, s) in shares.into_iter().enumerate() {
        out[first_open + k] = (s / Decimal::ONE_HUNDRED).round_dp(2);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str_exact(s).unwrap()
    }

    #[test]
    fn a_cut_is_taken_from_the_open_months_in_proportion() {
        // 1,200 planned as 100 a month; two months have ended; the allocation is
        // cut to 1,000: the ten open months share 800 as they shared 1,000 — 80 each.
        let plan = [d("100"); 12];
        let out = respread(&plan, 2, d("1000"), Spread::Proportional).unwrap();
        assert_eq!(&out[..2], &[d("100"), d("100")]);
        assert!(out[2..].iter().all(|m| *m == d("80")), "{out:?}");
        assert_eq!(out.iter().sum::<Decimal>(), d("1000"));
    }

    #[test]
    fn satang_left_over_go_to_the_largest_remainders() {
        // 100.00 over three open months evenly: 33.34, 33.33, 33.33.
        let mut plan = [Decimal::ZERO; 12];
        plan[9] = d("5");
        let out = respread(&plan, 9, d("100"), Spread::Evenly).unwrap();
        assert_eq!(&out[9..], &[d("33.34"), d("33.33"), d("33.33")]);
        // In proportion to 1:2 of 10.00 after the past: 3.33 and 6.67.
        let mut plan = [Decimal::ZERO; 12];
        plan[10] = d("1");
        plan[11] = d("2");
        let out = respread(&plan, 10, d("10"), Spread::Proportional).unwrap();
        assert_eq!(&out[10..], &[d("3.33"), d("6.67")]);
    }

    #[test]
    fn nothing_planned_spreads_evenly_and_impossible_cases_are_named() {
        let plan = [Decimal::ZERO; 12];
        let out = respread(&plan, 6, d("60"), Spread::Proportional).unwrap();
        assert!(out[6..].iter().all(|m| *m == d("10")));
        assert_eq!(respread(&plan, 12, d("60"), Spread::Evenly), Err(SpreadError::NoOpenMonth));
        let plan = [d("100"); 12];
        assert!(matches!(respread(&plan, 6, d("500"), Spread::Evenly), Err(SpreadError::PastExceeds { .. })));
    }

    proptest! {
        #[test]
        fn the_twelve_months_always_add_up_to_the_allocation_exactly(
            cents in proptest::collection::vec(0i64..10_000_000, 12),
            first_open in 0usize..12,
            extra in 0i64..100_000_000,
            even in proptest::bool::ANY,
        ) {
            let plan: [Decimal; 12] = std::array::from_fn(|i| Decimal::new(cents[i], 2));
            let past: Decimal = plan[..first_open].iter().sum();
            let allocation = past + Decimal::new(extra, 2);
            let how = if even { Spread::Evenly } else { Spread::Proportional };
            let out = respread(&plan, first_open, allocation, how).unwrap();
            prop_assert_eq!(out.iter().sum::<Decimal>(), allocation);
            prop_assert_eq!(&out[..first_open], &plan[..first_open]);
            prop_assert!(out.iter().all(|m| *m >= Decimal::ZERO && m.scale() <= 2));
        }
    }
}
