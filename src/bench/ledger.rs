//! `bench ledger`: a synthetic control ledger for a year `bench seed` loaded, in
//! the import file's format, so that imports can be timed at any size. Each
//! project's rows are groups of a commitment and the payment that settles part
//! of it (every tenth group also cancels part of what is left), plus, for an odd
//! count, one payment without a commitment; the groups are spread over the
//! year's months. The amounts are split so that the project's ledger D and C at
//! the year's end are its reported disbursed and committed of month 12, so
//! after an import every bureau `agrees` at month 12.
//!
//! Written as it is made, through the caller's writer: only the projects'
//! figures are held, never the file. Deterministic: the same year and row count
//! give the same bytes.

use std::io::Write;

use anyhow::Context;
use chrono::{Duration, NaiveDate};
use diesel::prelude::*;
use diesel::sql_types::{Int4, Numeric, Text};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

use crate::demo::generate::Rng;
use crate::domain::{FiscalMonth, FiscalYear};

pub const HEADER: &str = "date,document_no,reference,bureau_code,project_code,kind,amount\n";

/// What `write` wrote.
#[derive(Debug, PartialEq, Eq)]
pub struct Written {
    pub rows: u64,
    pub projects: u64,
}

#[derive(QueryableByName)]
struct Figures {
    #[diesel(sql_type = Text)]
    bureau: String,
    #[diesel(sql_type = Text)]
    project: String,
    #[diesel(sql_type = Numeric)]
    disbursed: Decimal,
    #[diesel(sql_type = Numeric)]
    committed: Decimal,
}

/// Writes about `rows` ledger rows for fiscal year `fy` to `out` (the header
/// first): exactly `rows` unless a project's figures are too small to split.
pub fn write(conn: &mut PgConnection, fy: FiscalYear, rows: u64, out: &mut impl Write) -> anyhow::Result<Written> {
    let projects: Vec<Figures> = diesel::sql_query(
        "SELECT b.code AS bureau, p.code AS project, pm.disbursed_cum AS disbursed, pm.committed
         FROM project_months pm JOIN projects p ON p.id = pm.project_id JOIN bureaus b ON b.id = p.bureau_id
         WHERE pm.fiscal_year = $1 AND pm.month = 12
         ORDER BY b.code, p.code",
    )
    .bind::<Int4, _>(fy.be())
    .load(conn)
    .context("reading the year's reported figures")?;
    anyhow::ensure!(!projects.is_empty(), "fiscal year {fy} has no projects; run `budgetwatch bench seed` first");
    let n = projects.len() as u64;
    anyhow::ensure!(
        rows >= 2 * n,
        "--rows must be at least {} (two for each of the {n} projects of FY{fy}: a commitment and its payment)",
        2 * n
    );
    let months: Vec<NaiveDate> = (1..=12).map(|m| fy.month_start(FiscalMonth::new(m).expect("month"))).collect();
    out.write_all(HEADER.as_bytes())?;
    let mut written = 0;
    for (i, p) in projects.iter().enumerate() {
        let k = rows / n + u64::from((i as u64) < rows % n);
        written += project(out, fy, &months, p, k)?;
    }
    out.flush()?;
    Ok(Written { rows: written, projects: n })
}

fn satang(x: Decimal) -> anyhow::Result<i64> {
    (x * Decimal::ONE_HUNDRED).to_i64().context("an amount beyond the ledger's range")
}

struct Baht(i64);

impl std::fmt::Display for Baht {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

/// `total` in `parts` random shares of at least `least` each (`total >= parts × least`).
fn split(total: i64, parts: usize, least: i64, rng: &mut Rng) -> Vec<i64> {
    if parts == 0 {
        return Vec::new();
    }
    let weights: Vec<i64> = (0..parts).map(|_| 1 + rng.below(1000) as i64).collect();
    let sum: i64 = weights.iter().sum();
    let free = total - least * parts as i64;
    let mut out: Vec<i64> = weights.iter().map(|w| least + (free as i128 * *w as i128 / sum as i128) as i64).collect();
    let given: i64 = out.iter().sum();
    out[parts - 1] += total - given;
    out
}

/// One project's `k` rows; the number written.
fn project(out: &mut impl Write, fy: FiscalYear, months: &[NaiveDate], p: &Figures, k: u64) -> anyhow::Result<u64> {
    let (d, c) = (satang(p.disbursed)?, satang(p.committed)?);
    let mut rng = Rng::new(&format!("ledger:{fy}:{}", p.project));
    let (bureau, code, be) = (&p.bureau, &p.project, fy.be());
    if d <= 0 {
        // Nothing paid: what is committed is one commitment, left open.
        if c <= 0 {
            return Ok(0);
        }
        writeln!(out, "{},PO{be}-{code}-1,,{bureau},{code},commitment,{}", months[0] + Duration::days(4), Baht(c))?;
        return Ok(1);
    }
    // Groups of a commitment and its payment; every tenth group (three rows)
    // also cancels part of what is left; an odd row is a payment without one.
    let k = k as i64;
    let mut triples = k / 10;
    let mut groups = triples + (k - 3 * triples) / 2;
    let mut direct = (k - 3 * triples) % 2;
    if d < groups + direct {
        // Too little to pay in so many parts: fewer groups.
        (groups, triples, direct) = (d.min(groups), 0, 0);
    }
    let paid = split(d, (groups + direct) as usize, 1, &mut rng);
    let left_open = split(c, groups as usize, 0, &mut rng);
    // The groups that also cancel, spread over the year.
    let stride = if triples > 0 { groups / triples } else { 0 };
    let mut written = 0;
    for g in 0..groups as usize {
        let month = months[g * 12 / groups as usize];
        let committed_on = month + Duration::days(rng.below(10) as i64);
        let paid_on = committed_on + Duration::days(rng.below(15) as i64);
        let g_ = g as i64;
        let cancelled = if stride > 0 && g_ % stride == 0 && g_ / stride < triples { (paid[g] / 5).max(1) } else { 0 };
        let commitment = paid[g] + left_open[g] + cancelled;
        let n = g + 1;
        writeln!(out, "{committed_on},PO{be}-{code}-{n},,{bureau},{code},commitment,{}", Baht(commitment))?;
        writeln!(out, "{paid_on},PV{be}-{code}-{n},PO{be}-{code}-{n},{bureau},{code},disbursement,{}", Baht(paid[g]))?;
        written += 2;
        if cancelled > 0 {
            let on = month + Duration::days(27);
            writeln!(out, "{on},CX{be}-{code}-{n},PO{be}-{code}-{n},{bureau},{code},cancellation,{}", Baht(cancelled))?;
            written += 1;
        }
    }
    if direct > 0 {
        let on = months[rng.below(12) as usize] + Duration::days(rng.below(28) as i64);
        writeln!(out, "{on},PV{be}-{code}-0,,{bureau},{code},disbursement,{}", Baht(paid[groups as usize]))?;
        written += 1;
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// D and C of rows written by `project`, from each kind's effect.
    fn effects(text: &str) -> (i64, i64, usize) {
        let (mut d, mut c) = (0, 0);
        let mut n = 0;
        for line in text.lines() {
            let f: Vec<&str> = line.split(',').collect();
            let amount = satang(f[6].parse().unwrap()).unwrap();
            assert!(amount > 0, "{line}");
            match (f[5], f[2].is_empty()) {
                ("commitment", true) => c += amount,
                ("disbursement", true) => d += amount,
                ("disbursement", false) => {
                    d += amount;
                    c -= amount
                }
                ("cancellation", false) => c -= amount,
                _ => panic!("{line}"),
            }
            n += 1;
        }
        (d, c, n)
    }

    #[test]
    fn any_row_count_ends_the_year_at_the_reported_figures() {
        let fy = FiscalYear::new(2501).unwrap();
        let months: Vec<NaiveDate> = (1..=12).map(|m| fy.month_start(FiscalMonth::new(m).unwrap())).collect();
        for (d, c) in [("1234567.89", "4321.00"), ("0.05", "7.00"), ("1000.00", "0"), ("0", "55.55"), ("0", "0")] {
            for k in [2, 3, 9, 10, 11, 37, 50] {
                let p = Figures {
                    bureau: "AG0001".into(),
                    project: "AG0001-001".into(),
                    disbursed: d.parse().unwrap(),
                    committed: c.parse().unwrap(),
                };
                let mut out = Vec::new();
                let n = project(&mut out, fy, &months, &p, k).unwrap();
                let text = String::from_utf8(out).unwrap();
                let (ld, lc, lines) = effects(&text);
                assert_eq!((ld, lc), (satang(p.disbursed).unwrap(), satang(p.committed).unwrap()), "{d} {c} {k}");
                assert_eq!(n as usize, lines);
                if satang(p.disbursed).unwrap() >= 100 {
                    assert_eq!(n, k, "{d} {c}: every row asked for");
                }
                for line in text.lines() {
                    let day: NaiveDate = line[..10].parse().unwrap();
                    assert!(fy.start() <= day && day <= fy.end(), "{line}");
                }
            }
        }
    }
}
