//! The demo's control ledger (Central Administration's ทะเบียนคุมการเบิกจ่าย) for
//! FY2566 and the year holding today, written as the CSV finance would import,
//! from the bureaus' own submitted figures: per project and reported month the
//! month's payments settle the commitments still open (oldest first, the rest
//! paid without one), commitments beyond the month-end stock are cancelled and a
//! new one covers what the stock grew by. So the ledger's D and C equal the
//! reported D and C at every month's end, except for two designed faults of the
//! current year, both in its first reported month so that a later load keeps
//! them where they were:
//! - `UNREPORTED`: a payment of 2% of the bureau's allocation that its report
//!   leaves out — the bureau `differs` and `ledger_mismatch` is raised;
//! - `MISPOSTED`: one project's payment voucher posted under another project of
//!   the same bureau, which takes that project beyond its allocation — the
//!   bureau's totals still agree, `over_commitment` is raised on the project.
//!
//! Pure and deterministic: the same office gives the same bytes, and a month's
//! rows never change once its report is in, so loading again adds nothing.

use std::collections::HashMap;

use chrono::{Duration, NaiveDate};
use rust_decimal::Decimal;

use super::generate::{Office, Year, PINNED_YEAR};
use crate::domain::FiscalMonth;

/// The bureau whose first report of the current year leaves out a payment.
pub const UNREPORTED: &str = "SOUTH";
/// The project the unreported payment is charged to.
pub const UNREPORTED_PROJECT: &str = "SOUTH-02";
/// (from, to): the first month's payment of `from` is posted under `to`.
pub const MISPOSTED: (&str, &str) = ("INTL-03", "INTL-01");

/// One year's ledger file.
pub struct LedgerFile {
    pub fiscal_year: i32,
    pub filename: String,
    pub csv: Vec<u8>,
    pub rows: usize,
}

/// The files of the ledger years that have submitted reports: FY2566 and the
/// year holding today (the office's last).
pub fn files(office: &Office) -> Vec<LedgerFile> {
    let last = office.years.len().saturating_sub(1);
    office
        .years
        .iter()
        .enumerate()
        .filter(|(i, y)| y.fy.be() == PINNED_YEAR || *i == last)
        .filter_map(|(i, y)| year(y, i == last))
        .collect()
}

struct Row {
    date: NaiveDate,
    document: String,
    reference: Option<String>,
    bureau: &'static str,
    project: String,
    kind: &'static str,
    amount: Decimal,
}

/// A commitment still open: its document and what is left of it.
struct Open {
    document: String,
    amount: Decimal,
}

fn year(y: &Year, current: bool) -> Option<LedgerFile> {
    let be = y.fy.be();
    let rows = entries(y, current);
    if rows.is_empty() {
        return None;
    }
    let mut csv = b"date,document_no,reference,bureau_code,project_code,kind,amount\n".to_vec();
    for r in &rows {
        csv.extend_from_slice(
            format!(
                "{},{},{},{},{},{},{:.2}\n",
                r.date,
                r.document,
                r.reference.as_deref().unwrap_or(""),
                r.bureau,
                r.project,
                r.kind,
                r.amount
            )
            .as_bytes(),
        );
    }
    Some(LedgerFile { fiscal_year: be, filename: format!("demo-ledger-{be}.csv"), csv, rows: rows.len() })
}

/// The year's entries, by date.
fn entries(y: &Year, current: bool) -> Vec<Row> {
    let be = y.fy.be();
    // Each project's (disbursed in the month, committed at its end) of the
    // months its bureau submitted: the latest submitted revision, as measured.
    let mut reported: HashMap<&str, [Option<(Decimal, Decimal)>; 12]> = HashMap::new();
    for r in &y.reports {
        let Some(v) = r.revisions.iter().rev().find(|v| v.submitted) else { continue };
        for (code, d, c) in &v.lines {
            reported.entry(code.as_str()).or_insert([None; 12])[r.month.number() as usize - 1] = Some((*d, *c));
        }
    }

    // The designed faults go in the first month each bureau reported this year.
    let first_month = |code: &str| {
        let months = reported.get(code)?;
        months.iter().position(Option::is_some).map(|i| FiscalMonth::new(i as i64 + 1).expect("month"))
    };
    let misposted = if current { first_month(MISPOSTED.0) } else { None };
    let unreported = if current { first_month(UNREPORTED_PROJECT) } else { None };

    let mut rows = Vec::new();
    for p in &y.projects {
        let Some(months) = reported.get(p.code.as_str()) else { continue };
        let mut open: Vec<Open> = Vec::new();
        for (i, figures) in months.iter().enumerate() {
            let Some((disbursed, committed)) = *figures else { continue };
            let month = FiscalMonth::new(i as i64 + 1).expect("month");
            let start = y.fy.month_start(month);
            let day = |n: i64| start + Duration::days(n - 1);
            let doc = |prefix: &str, seq: usize| format!("{prefix}-{be}-{}-{:02}-{seq}", p.code, month.number());
            let entry = |date, document, reference, kind, amount| Row {
                date,
                document,
                reference,
                bureau: p.bureau,
                project: p.code.clone(),
                kind,
                amount,
            };
            // Payments settle the oldest commitments first; the rest is paid without one.
            let mut to_pay = disbursed;
            let mut seq = 0;
            for o in open.iter_mut() {
                if to_pay.is_zero() {
                    break;
                }
                let x = o.amount.min(to_pay);
                seq += 1;
                rows.push(entry(day(20), doc("PV", seq), Some(o.document.clone()), "disbursement", x));
                o.amount -= x;
                to_pay -= x;
            }
            if to_pay > Decimal::ZERO {
                seq += 1;
                let mut paid = entry(day(20), doc("PV", seq), None, "disbursement", to_pay);
                if misposted == Some(month) && p.code == MISPOSTED.0 {
                    paid.project = MISPOSTED.1.to_string();
                }
                rows.push(paid);
            }
            if unreported == Some(month) && p.code == UNREPORTED_PROJECT {
                let share = Decimal::new(2, 2) * bureau_allocation(y, p.bureau, y.fy.month_end(month));
                seq += 1;
                rows.push(entry(day(28), doc("PV", seq), None, "disbursement", share.round_dp(2)));
            }
            open.retain(|o| o.amount > Decimal::ZERO);
            // The month-end stock: cancel what is beyond it, or commit what it grew by.
            let stock: Decimal = open.iter().map(|o| o.amount).sum();
            let mut excess = stock - committed;
            let mut cancelled = 0;
            for o in open.iter_mut() {
                if excess <= Decimal::ZERO {
                    break;
                }
                let x = o.amount.min(excess);
                cancelled += 1;
                rows.push(entry(day(25), doc("CX", cancelled), Some(o.document.clone()), "cancellation", x));
                o.amount -= x;
                excess -= x;
            }
            open.retain(|o| o.amount > Decimal::ZERO);
            if committed > stock {
                let document = doc("PO", 1);
                rows.push(entry(day(5), document.clone(), None, "commitment", committed - stock));
                open.push(Open { document, amount: committed - stock });
            }
        }
    }
    // A ledger is kept by date.
    rows.sort_by(|a, b| (a.date, &a.document, a.kind).cmp(&(b.date, &b.document, b.kind)));
    rows
}

/// A bureau's allocation in force on `day`.
fn bureau_allocation(y: &Year, bureau: &str, day: NaiveDate) -> Decimal {
    y.projects
        .iter()
        .filter(|p| p.bureau == bureau)
        .map(|p| {
            p.allocation
                + y.adjustments
                    .iter()
                    .filter(|a| a.project == p.code && a.effective_on <= day)
                    .map(|a| a.amount)
                    .sum::<Decimal>()
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, HashSet};

    use super::*;
    use crate::demo::generate::office;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    /// Ledger D and C per key (bureau or project) at the end of `month`, from the
    /// entries' effects as the migration `ledger` defines them.
    fn ledger_figures(
        rows: &[Row],
        end: NaiveDate,
        key: impl Fn(&Row) -> String,
    ) -> BTreeMap<String, (Decimal, Decimal)> {
        let kind_of: HashMap<&str, &str> = rows.iter().map(|r| (r.document.as_str(), r.kind)).collect();
        let mut out: BTreeMap<String, (Decimal, Decimal)> = BTreeMap::new();
        for r in rows.iter().filter(|r| r.date <= end) {
            let f = out.entry(key(r)).or_default();
            match (r.kind, &r.reference) {
                ("commitment", _) => f.1 += r.amount,
                ("disbursement", None) => f.0 += r.amount,
                ("disbursement", Some(_)) => {
                    f.0 += r.amount;
                    f.1 -= r.amount
                }
                ("cancellation", Some(target)) => {
                    assert_eq!(kind_of[target.as_str()], "commitment", "the demo cancels only commitments");
                    f.1 -= r.amount
                }
                other => panic!("unexpected entry {other:?}"),
            }
        }
        out
    }

    /// Reported D (summed over submitted months) and C (the last submitted stock) per bureau at `month`.
    fn reported_figures(y: &Year, month: u8) -> BTreeMap<String, (Decimal, Decimal)> {
        let mut out: BTreeMap<String, (Decimal, Decimal)> = BTreeMap::new();
        let mut reports: Vec<_> = y.reports.iter().filter(|r| r.month.number() <= month).collect();
        reports.sort_by_key(|r| r.month);
        for r in reports {
            let Some(v) = r.revisions.iter().rev().find(|v| v.submitted) else { continue };
            let f = out.entry(r.bureau.to_string()).or_default();
            f.0 += v.lines.iter().map(|l| l.1).sum::<Decimal>();
            f.1 = v.lines.iter().map(|l| l.2).sum();
        }
        out.retain(|_, f| *f != (Decimal::ZERO, Decimal::ZERO));
        out
    }

    #[test]
    fn the_ledger_agrees_with_every_reported_month_but_for_the_unreported_payment() {
        for today in ["2026-11-24", "2027-06-15"] {
            let office = office(day(today));
            let last = office.years.len() - 1;
            for (i, y) in office.years.iter().enumerate().filter(|(i, y)| y.fy.be() == PINNED_YEAR || *i == last) {
                let rows = entries(y, i == last);
                let months = y.reports.iter().map(|r| r.month.number()).max().unwrap();
                for m in 1..=months {
                    let end = y.fy.month_end(FiscalMonth::new(m as i64).unwrap());
                    let mut ledger = ledger_figures(&rows, end, |r| r.bureau.to_string());
                    if i == last {
                        // The one payment SOUTH did not report: 2% of its allocation.
                        let f = ledger.get_mut(UNREPORTED).unwrap();
                        f.0 -= (bureau_allocation(y, UNREPORTED, end) * Decimal::new(2, 2)).round_dp(2);
                    }
                    assert_eq!(ledger, reported_figures(y, m), "FY{} month {m} as of {today}", y.fy);
                }
            }
        }
    }

    #[test]
    fn the_misposted_voucher_takes_its_project_beyond_its_allocation_and_no_other() {
        for today in ["2026-11-24", "2027-11-24", "2028-11-24"] {
            let office = office(day(today));
            let y = office.years.last().unwrap();
            let rows = entries(y, true);
            let used = ledger_figures(&rows, y.fy.end(), |r| r.project.clone());
            let over: Vec<&str> = y
                .projects
                .iter()
                .filter(|p| used.get(&p.code).is_some_and(|(d, c)| d + c > project_allocation(y, &p.code)))
                .map(|p| p.code.as_str())
                .collect();
            assert_eq!(over, [MISPOSTED.1], "as of {today}");
        }
    }

    fn project_allocation(y: &Year, project: &str) -> Decimal {
        let p = y.projects.iter().find(|p| p.code == project).unwrap();
        p.allocation + y.adjustments.iter().filter(|a| a.project == project).map(|a| a.amount).sum::<Decimal>()
    }

    #[test]
    fn a_later_load_keeps_every_row_it_had_so_reloading_never_conflicts() {
        let file = |today: &str| {
            let f = files(&office(day(today)));
            f.into_iter().map(|f| (f.fiscal_year, String::from_utf8(f.csv).unwrap())).collect::<BTreeMap<_, _>>()
        };
        let (now, later) = (file("2026-11-24"), file("2027-02-24"));
        assert_eq!(now.keys().collect::<Vec<_>>(), [&2566, &2570]);
        assert_eq!(now, file("2026-11-24"), "the same day gives the same bytes");
        for (fy, text) in &now {
            let after: HashSet<&str> = later[fy].lines().collect();
            assert!(text.lines().all(|l| after.contains(l)), "FY{fy}");
        }
        assert!(later[&2570].lines().count() > now[&2570].lines().count());
    }
}
