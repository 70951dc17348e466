//! The demo office's figures, computed without touching the database: for each
//! fiscal year from FY2565 to the one holding `today`, the projects with their
//! allocations and monthly plans, adjustments, and the bureaus' monthly reports.
//!
//! Deterministic: the same `today` always gives the same office (a seeded
//! generator, no clock, no randomness from outside). Invariants the tests check:
//! plans sum to the allocation; per project and month D + C never exceeds the
//! allocation in force; a bureau behind plan by 3 pp or more writes obstacles and
//! suggestions (the rule asks for them from 5 pp); FY2566 closes at exactly 97.00%
//! disbursed + committed for the office; nothing is dated after `today`.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use rust_decimal::Decimal;

use super::data::{self, Narrative, BUREAUS, FRONT_LOADED, NARRATIVES, PROJECTS};
use crate::domain::fiscal::{bangkok, last_ended_month};
use crate::domain::{rate, Category, FiscalMonth, FiscalYear};

pub const FIRST_YEAR: i32 = 2565;
pub const DUE_DAY: u32 = 5;
/// The year whose office total is pinned: 97.00% disbursed + committed at month 12.
pub const PINNED_YEAR: i32 = 2566;
/// The current year's lagging bureau, the one whose report is missing, and the one
/// that has only a draft.
pub const LAGGING: &str = "DHR";
pub const MISSING: &str = "COMM";
pub const DRAFT_ONLY: &str = "AUDIT";

pub struct Office {
    pub years: Vec<Year>,
}

pub struct Year {
    pub fy: FiscalYear,
    pub projects: Vec<Project>,
    pub adjustments: Vec<Adjustment>,
    pub reports: Vec<Report>,
    /// (quarter, overall, current, capital) cumulative % targets.
    pub cabinet_targets: Vec<(i16, Decimal, Decimal, Decimal)>,
    pub kpi_levels: [Decimal; 5],
}

pub struct Project {
    pub bureau: &'static str,
    pub code: String,
    pub seed: &'static data::ProjectSeed,
    pub allocation: Decimal,
    pub plans: [Decimal; 12],
}

pub struct Adjustment {
    pub project: String,
    pub kind: &'static str,
    pub amount: Decimal,
    pub effective_on: NaiveDate,
    pub reason: &'static str,
    /// Two adjustments with the same pair number are the two sides of one transfer.
    pub transfer_pair: Option<u32>,
}

pub struct Report {
    pub bureau: &'static str,
    pub month: FiscalMonth,
    pub revisions: Vec<Revision>,
}

pub struct Revision {
    pub submitted: bool,
    pub at: DateTime<Utc>,
    pub on_time: bool,
    pub narrative: Option<&'static Narrative>,
    /// (project code, disbursed in the month, committed at month end)
    pub lines: Vec<(String, Decimal, Decimal)>,
}

/// A small seeded generator (splitmix64), enough to vary the demo plausibly;
/// `bench::ledger` draws its synthetic ledger from it too.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: &str) -> Rng {
        // FNV-1a of the seed text.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in seed.bytes() {
            h = (h ^ b as u64).wrapping_mul(0x0100_0000_01b3);
        }
        Rng(h)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A decimal in [lo, hi) with four places.
    fn between(&mut self, lo: &str, hi: &str) -> Decimal {
        let (lo, hi) = (d(lo), d(hi));
        lo + (hi - lo) * Decimal::new((self.next() % 10_000) as i64, 4)
    }

    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn d(s: &str) -> Decimal {
    Decimal::from_str_exact(s).expect("literal decimal")
}

fn money(x: Decimal) -> Decimal {
    x.round_dp(2)
}

/// Generates the office as it stands at noon of `today` (a Bangkok date).
pub fn office(today: NaiveDate) -> Office {
    let noon = bangkok()
        .from_local_datetime(&today.and_time(NaiveTime::from_hms_opt(12, 0, 0).expect("noon")))
        .single()
        .expect("fixed offset")
        .with_timezone(&Utc);
    office_at(noon)
}

/// Generates the office as it stands at `now`: nothing is dated later.
pub fn office_at(now: DateTime<Utc>) -> Office {
    let today = crate::domain::fiscal::bangkok_date(now);
    let (current_fy, last_month) = last_ended_month(today);
    // Months of the year holding `today` that have ended (0 in October).
    let current = FiscalYear::containing(today);
    let months_current = if current == current_fy { last_month.number() } else { 0 };
    let holidays = super::data::holiday_dates();
    let years = (FIRST_YEAR..=current.be())
        .map(|be| {
            let fy = FiscalYear::new(be as i64).expect("demo years are valid");
            let months = if fy == current { months_current } else { 12 };
            year(fy, months, fy == current, now, &holidays)
        })
        .collect();
    Office { years }
}

fn year(fy: FiscalYear, months: u8, is_current: bool, now: DateTime<Utc>, holidays: &[NaiveDate]) -> Year {
    let be = fy.be();
    // Budgets grow 3% a year from FY2566; allocations are whole thousands of baht,
    // so 97% of the office total is exact to the satang.
    let growth = Decimal::from(100 + 3 * (be - PINNED_YEAR));
    let mut projects: Vec<Project> = PROJECTS
        .iter()
        .map(|seed| {
            let allocation =
                (Decimal::from(seed.thousands) * growth / Decimal::ONE_HUNDRED).round() * Decimal::from(1000);
            Project {
                bureau: seed.bureau,
                code: format!("{}-{}", seed.bureau, seed.suffix),
                seed,
                allocation,
                plans: [Decimal::ZERO; 12],
            }
        })
        .collect();

    let adjustments = adjustments(fy, &projects);
    // Plans spread the allocation in force at year end.
    for p in &mut projects {
        let final_alloc =
            p.allocation + adjustments.iter().filter(|a| a.project == p.code).map(|a| a.amount).sum::<Decimal>();
        let profile = if is_current && p.code == format!("{LAGGING}-03") {
            FRONT_LOADED
        } else {
            data::plan_profile(p.seed.category)
        };
        let mut assigned = Decimal::ZERO;
        for (plan, share) in p.plans.iter_mut().zip(profile).take(11) {
            *plan = money(final_alloc * Decimal::from(share) / Decimal::ONE_HUNDRED);
            assigned += *plan;
        }
        p.plans[11] = final_alloc - assigned;
    }

    let reports =
        if months == 0 { Vec::new() } else { reports(fy, months, is_current, now, &projects, &adjustments, holidays) };
    let (q1, q2, q3) = match be {
        // Known: FY2565 Q3 72/79/46; FY2566 Q1 32/35/19; both years 93/98/75.
        // The other quarters are demo assumptions, entered as data like any other.
        2565 => (("32", "36", "18"), ("54", "58", "37"), ("72", "79", "46")),
        _ => (("32", "35", "19"), ("54", "57", "38"), ("77", "80", "60")),
    };
    let cabinet_targets = vec![
        (1, d(q1.0), d(q1.1), d(q1.2)),
        (2, d(q2.0), d(q2.1), d(q2.2)),
        (3, d(q3.0), d(q3.1), d(q3.2)),
        (4, d("93"), d("98"), d("75")),
    ];
    // Level 5 = 97% (the seed report); levels 1-4 are the demo's assumption.
    let kpi_levels = [d("89"), d("91"), d("93"), d("95"), d("97")];
    Year { fy, projects, adjustments, reports, cabinet_targets, kpi_levels }
}

fn adjustments(fy: FiscalYear, projects: &[Project]) -> Vec<Adjustment> {
    let month_day = |m: i64, day: u32| {
        let start = fy.month_start(FiscalMonth::new(m).expect("month"));
        start + Duration::days(day as i64 - 1)
    };
    let has = |code: &str| projects.iter().any(|p| p.code == code);
    let mut out = Vec::new();
    if fy.be() == PINNED_YEAR && has("PROT-03") && has("DHR-02") {
        let reason = "โอนเปลี่ยนแปลงงบประมาณเพื่อพัฒนาบริการออนไลน์ ตามมติคณะกรรมการบริหารสำนักงาน";
        let amount = d("300000");
        out.push(Adjustment {
            project: "PROT-03".into(),
            kind: "transfer_out",
            amount: -amount,
            effective_on: month_day(6, 15),
            reason,
            transfer_pair: Some(1),
        });
        out.push(Adjustment {
            project: "DHR-02".into(),
            kind: "transfer_in",
            amount,
            effective_on: month_day(6, 15),
            reason,
            transfer_pair: Some(1),
        });
    }
    if fy.be() == 2568 && has("COMM-04") {
        out.push(Adjustment {
            project: "COMM-04".into(),
            kind: "cut",
            amount: d("-200000"),
            effective_on: month_day(4, 10),
            reason: "ปรับลดงบประมาณตามมาตรการประหยัดงบประมาณของรัฐบาล",
            transfer_pair: None,
        });
    }
    out
}

/// Allocation of `code` in force at the end of fiscal month `m`.
fn allocation_at(fy: FiscalYear, p: &Project, adjustments: &[Adjustment], m: usize) -> Decimal {
    let end = fy.month_end(FiscalMonth::new(m as i64).expect("month"));
    p.allocation
        + adjustments.iter().filter(|a| a.project == p.code && a.effective_on <= end).map(|a| a.amount).sum::<Decimal>()
}

fn reports(
    fy: FiscalYear,
    months: u8,
    is_current: bool,
    now: DateTime<Utc>,
    projects: &[Project],
    adjustments: &[Adjustment],
    holidays: &[NaiveDate],
) -> Vec<Report> {
    let be = fy.be();
    let mut rng = Rng::new(&format!("year:{be}"));
    // Two bureaus lag in each past year (never CAB, whose budget is salaries).
    let laggards: Vec<&str> = {
        let pool: Vec<&str> = BUREAUS.iter().map(|b| b.code).filter(|c| *c != "CAB").collect();
        let a = pool[rng.below(pool.len() as u64) as usize];
        let b = pool[rng.below(pool.len() as u64) as usize];
        if is_current {
            vec![LAGGING]
        } else {
            vec![a, b]
        }
    };

    // Per project: pace s (G(F) = F·(1 − s·(1 − F)), s > 0 lags the plan), the
    // year-end disbursed+committed total T, and the commitments left at year end.
    struct Path {
        totals: Decimal,
        pace: Decimal,
        commit_factor: Decimal,
        c12: Decimal,
    }
    let a12: Vec<Decimal> = projects.iter().map(|p| allocation_at(fy, p, adjustments, 12)).collect();
    let mut paths: Vec<Path> = projects
        .iter()
        .zip(&a12)
        .map(|(p, a)| {
            let mut r = Rng::new(&format!("project:{be}:{}", p.code));
            let lagging = laggards.contains(&p.bureau);
            let pace = if is_current && lagging {
                d("0.9")
            } else if lagging {
                r.between("0.55", "0.75")
            } else {
                r.between("-0.15", "0.35")
            };
            let ratio = if lagging { r.between("0.86", "0.93") } else { r.between("0.92", "0.995") };
            let commit_factor = if is_current && lagging { d("0.2") } else { r.between("0.5", "1.2") };
            Path { totals: money(*a * ratio), pace, commit_factor, c12: Decimal::ZERO }
        })
        .collect();
    if be == PINNED_YEAR {
        pin_office_total(&mut paths.iter_mut().map(|p| &mut p.totals).collect::<Vec<_>>(), &a12, d("0.97"));
    }
    for (i, p) in projects.iter().enumerate() {
        let mut r = Rng::new(&format!("c12:{be}:{}", p.code));
        paths[i].c12 = if p.seed.category == Category::Personnel {
            Decimal::ZERO
        } else {
            money(paths[i].totals * r.between("0.02", "0.06"))
        };
    }

    // Cumulative disbursed and commitments per project and month.
    let mut cum_d = vec![[Decimal::ZERO; 13]; projects.len()];
    let mut commit = vec![[Decimal::ZERO; 13]; projects.len()];
    for (i, p) in projects.iter().enumerate() {
        let path = &paths[i];
        let d_final = path.totals - path.c12;
        let total_plan: Decimal = p.plans.iter().sum();
        let mut f_cum = Decimal::ZERO;
        let fracs: Vec<Decimal> = (0..12)
            .map(|m| {
                f_cum += p.plans[m];
                if total_plan.is_zero() {
                    Decimal::ONE
                } else {
                    f_cum / total_plan
                }
            })
            .collect();
        for m in 1..=12usize {
            let f = fracs[m - 1];
            let g = f * (Decimal::ONE - path.pace * (Decimal::ONE - f));
            let alloc = allocation_at(fy, p, adjustments, m);
            cum_d[i][m] = if m == 12 { d_final } else { money(d_final * g).min(alloc).max(cum_d[i][m - 1]) };
            commit[i][m] = if m == 12 {
                path.c12
            } else if p.seed.category == Category::Personnel {
                Decimal::ZERO
            } else {
                let ahead = fracs[(m + 1).min(11)] - f;
                money(path.totals * path.commit_factor * ahead).min(alloc - cum_d[i][m]).max(Decimal::ZERO)
            };
        }
    }

    let mut out = Vec::new();
    for b in BUREAUS.iter() {
        let idx: Vec<usize> = (0..projects.len()).filter(|&i| projects[i].bureau == b.code).collect();
        for m in 1..=months as usize {
            let month = FiscalMonth::new(m as i64).expect("month");
            let latest = m == months as usize;
            if is_current && latest && b.code == MISSING {
                continue;
            }
            // Bureau lag at m decides whether the narrative is needed.
            let sum = |f: &dyn Fn(usize) -> Decimal| idx.iter().map(|&i| f(i)).sum::<Decimal>();
            let alloc = sum(&|i| allocation_at(fy, &projects[i], adjustments, m));
            let planned = sum(&|i| projects[i].plans[..m].iter().sum());
            let used = sum(&|i| cum_d[i][m] + commit[i][m]);
            let lag = match (rate(planned, alloc), rate(used, alloc)) {
                (Some(p), Some(u)) => p - u,
                _ => Decimal::ZERO,
            };
            let mut r = Rng::new(&format!("report:{be}:{}:{m}", b.code));
            let narrative = (lag >= Decimal::from(3)).then(|| &NARRATIVES[r.below(NARRATIVES.len() as u64) as usize]);
            let lines: Vec<(String, Decimal, Decimal)> =
                idx.iter().map(|&i| (projects[i].code.clone(), cum_d[i][m] - cum_d[i][m - 1], commit[i][m])).collect();

            let due = fy.due_at(month, DUE_DAY, holidays).with_timezone(&Utc);
            let late = r.below(100) < 8;
            let at = if late {
                due + Duration::days(1 + r.below(3) as i64) - Duration::hours(10)
            } else {
                due - Duration::days(1 + r.below(4) as i64) - Duration::minutes(300 + r.below(240) as i64)
            };
            let month_over = bangkok()
                .from_local_datetime(&fy.month_end(month).succ_opt().expect("date").and_time(NaiveTime::MIN))
                .single()
                .expect("fixed offset")
                .with_timezone(&Utc);
            // Nothing is dated in the future: a report not yet sent by `now` is left out.
            let at = at.min(now - Duration::hours(1));
            if at <= month_over + Duration::hours(8) {
                continue;
            }
            let on_time = at <= due;
            let mut revisions = Vec::new();
            if is_current && latest && b.code == DRAFT_ONLY {
                revisions.push(Revision { submitted: false, at, on_time: false, narrative, lines });
            } else if r.below(100) < 12 && at - Duration::days(1) > month_over + Duration::hours(8) {
                // A first submission with a slip, corrected a day later.
                let mut first = lines.clone();
                if let Some(line) = first.iter_mut().max_by_key(|l| l.1) {
                    line.1 = money(line.1 * d("0.9"));
                }
                let first_at = at - Duration::days(1);
                revisions.push(Revision {
                    submitted: true,
                    at: first_at,
                    on_time: first_at <= due,
                    narrative,
                    lines: first,
                });
                revisions.push(Revision { submitted: true, at, on_time, narrative, lines });
            } else {
                revisions.push(Revision { submitted: true, at, on_time, narrative, lines });
            }
            out.push(Report { bureau: b.code, month, revisions });
        }
    }
    out
}

/// Sets `totals` so that they add up to exactly `share` of the allocations, each
/// staying within its own allocation: scale, then settle the rounding residue.
fn pin_office_total(totals: &mut [&mut Decimal], allocations: &[Decimal], share: Decimal) {
    let target = money(allocations.iter().sum::<Decimal>() * share);
    let current: Decimal = totals.iter().map(|t| **t).sum();
    for (t, a) in totals.iter_mut().zip(allocations) {
        **t = money(**t * target / current).min(*a);
    }
    let mut residue = target - totals.iter().map(|t| **t).sum::<Decimal>();
    for (t, a) in totals.iter_mut().zip(allocations) {
        if residue.is_zero() {
            break;
        }
        let step = if residue > Decimal::ZERO { residue.min(*a - **t) } else { residue.max(-**t) };
        **t += step;
        residue -= step;
    }
    debug_assert!(residue.is_zero());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()
    }

    fn office_rate(y: &Year, m: usize) -> Decimal {
        let alloc: Decimal = y.projects.iter().map(|p| allocation_at(y.fy, p, &y.adjustments, m)).sum();
        let mut used = Decimal::ZERO;
        for r in &y.reports {
            let Some(rev) = r.revisions.iter().rev().find(|r| r.submitted) else { continue };
            if (r.month.number() as usize) < m {
                // Only disbursements of earlier months count; their commitments do not.
                used += rev.lines.iter().map(|l| l.1).sum::<Decimal>();
            } else if r.month.number() as usize == m {
                used += rev.lines.iter().map(|l| l.1 + l.2).sum::<Decimal>();
            }
        }
        rate(used, alloc).unwrap()
    }

    #[test]
    fn fy2566_closes_at_exactly_97_percent_for_the_office() {
        let office = office(today());
        let y = office.years.iter().find(|y| y.fy.be() == 2566).unwrap();
        assert_eq!(office_rate(y, 12), d("97"));
    }

    #[test]
    fn the_same_day_gives_the_same_office() {
        let a = office(today());
        let b = office(today());
        let fingerprint = |o: &Office| {
            o.years
                .iter()
                .flat_map(|y| {
                    y.reports.iter().flat_map(|r| r.revisions.iter().flat_map(|v| v.lines.iter().map(|l| l.1 + l.2)))
                })
                .sum::<Decimal>()
        };
        assert_eq!(fingerprint(&a), fingerprint(&b));
        assert!(fingerprint(&a) > Decimal::ZERO);
    }

    #[test]
    fn plans_sum_to_allocations_and_no_month_overspends() {
        for y in office(today()).years {
            for p in &y.projects {
                let total: Decimal = p.plans.iter().sum();
                assert_eq!(total, allocation_at(y.fy, p, &y.adjustments, 12), "{}", p.code);
                assert!(p.plans.iter().all(|x| *x >= Decimal::ZERO));
            }
            let mut cum: std::collections::HashMap<&str, Decimal> = Default::default();
            let mut reports: Vec<&Report> = y.reports.iter().collect();
            reports.sort_by_key(|r| r.month);
            for r in reports {
                let rev = r.revisions.last().unwrap();
                for (code, disbursed, committed) in &rev.lines {
                    assert!(*disbursed >= Decimal::ZERO && *committed >= Decimal::ZERO);
                    let p = y.projects.iter().find(|p| &p.code == code).unwrap();
                    let c = cum.entry(p.code.as_str()).or_default();
                    *c += *disbursed;
                    let alloc = allocation_at(y.fy, p, &y.adjustments, r.month.number() as usize);
                    assert!(
                        *c + *committed <= alloc,
                        "{} {} month {}: {} + {} > {}",
                        y.fy,
                        code,
                        r.month,
                        c,
                        committed,
                        alloc
                    );
                }
            }
        }
    }

    #[test]
    fn every_category_appears_and_there_are_enough_projects() {
        let office = office(today());
        let y = &office.years[0];
        assert!(y.projects.len() >= 40);
        for c in Category::ALL {
            assert!(y.projects.iter().any(|p| p.seed.category == c), "{c}");
        }
    }

    #[test]
    fn the_current_year_has_a_laggard_a_missing_report_and_nothing_in_the_future() {
        let office = office(today());
        let y = office.years.last().unwrap();
        assert_eq!(y.fy.be(), 2570);
        assert!(y.reports.iter().all(|r| r.month.number() == 1));
        assert!(!y.reports.iter().any(|r| r.bureau == MISSING));
        let lagging = y.reports.iter().find(|r| r.bureau == LAGGING).unwrap();
        assert!(lagging.revisions[0].narrative.is_some());
        let noon = Utc.with_ymd_and_hms(2026, 11, 24, 5, 0, 0).unwrap();
        assert!(office.years.iter().flat_map(|y| &y.reports).flat_map(|r| &r.revisions).all(|v| v.at < noon));
    }

    #[test]
    fn started_before_dawn_the_demo_dates_nothing_after_now() {
        // 03:35 on 1 December in Bangkok, before anyone is at work: October's
        // reports are in, and nothing was sent later than now.
        let now = Utc.with_ymd_and_hms(2026, 11, 30, 20, 35, 0).unwrap();
        let office = office_at(now);
        let revisions: Vec<_> = office.years.iter().flat_map(|y| &y.reports).flat_map(|r| &r.revisions).collect();
        assert!(revisions.iter().all(|v| v.at < now), "none is dated after now");
        let current = office.years.last().unwrap();
        assert!(current.reports.iter().any(|r| r.month.number() == 1));
    }

    #[test]
    fn in_october_the_new_year_has_plans_but_no_reports() {
        let office = office(NaiveDate::from_ymd_opt(2026, 10, 20).unwrap());
        let y = office.years.last().unwrap();
        assert_eq!(y.fy.be(), 2570);
        assert!(y.reports.is_empty());
        let previous = &office.years[office.years.len() - 2];
        assert_eq!(previous.reports.iter().filter(|r| r.month.number() == 12).count(), BUREAUS.len());
    }
}
