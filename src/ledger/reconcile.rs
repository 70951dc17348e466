//! The bureaus' reported figures against the ledger, as of a month's end: D and C
//! from the reports (carried forward as the summaries read them, `month_totals`
//! and `project_months`) and from the ledger (the sums of the entries' effects
//! to that day). The difference rate is (|ΔD| + |ΔC|) ÷ A(m) × 100, so a shift
//! between disbursed and committed shows as well as a missing document; within
//! the year's tolerance the figures agree. Three queries per scope, whatever
//! the number of bureaus or entries.

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Int2, Int4, Numeric, Text};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::domain::money::{json, rate};
use crate::domain::{FiscalMonth, FiscalYear};

/// Whether a scope's reported figures agree with the ledger.
#[derive(Serialize, Debug, Clone, Copy, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Agrees,
    Differs,
    #[default]
    NoLedger,
}

impl Status {
    /// The catalogue key of the status's name.
    pub fn label(self) -> &'static str {
        match self {
            Status::Agrees => "ledger.status.agrees",
            Status::Differs => "ledger.status.differs",
            Status::NoLedger => "ledger.status.no_ledger",
        }
    }
}

/// The four figures of a scope and the allocation they are judged against.
#[derive(Serialize, Debug, Clone, Default, PartialEq, Eq)]
pub struct Compared {
    #[serde(serialize_with = "json::money")]
    pub reported_disbursed: Decimal,
    #[serde(serialize_with = "json::money")]
    pub ledger_disbursed: Decimal,
    #[serde(serialize_with = "json::money")]
    pub reported_committed: Decimal,
    #[serde(serialize_with = "json::money")]
    pub ledger_committed: Decimal,
    #[serde(serialize_with = "json::money")]
    pub allocation: Decimal,
    /// (|ΔD| + |ΔC|) ÷ A × 100; null without an allocation or without entries.
    #[serde(serialize_with = "json::rate")]
    pub difference_rate: Option<Decimal>,
    pub status: Status,
    /// Ledger entries to the month's end.
    pub entries: i64,
}

/// Judges a scope: no entries is `no_ledger`; else the rate against the tolerance
/// (a difference with no allocation to measure it by differs).
pub fn compare(
    reported: (Decimal, Decimal),
    ledger: (Decimal, Decimal),
    allocation: Decimal,
    entries: i64,
    tolerance_pct: Decimal,
) -> Compared {
    let gap = (reported.0 - ledger.0).abs() + (reported.1 - ledger.1).abs();
    // Without entries there is nothing to measure a difference against.
    let difference_rate = if entries == 0 { None } else { rate(gap, allocation) };
    let status = if entries == 0 {
        Status::NoLedger
    } else {
        match difference_rate {
            Some(r) if r <= tolerance_pct => Status::Agrees,
            None if gap.is_zero() => Status::Agrees,
            _ => Status::Differs,
        }
    };
    Compared {
        reported_disbursed: reported.0,
        ledger_disbursed: ledger.0,
        reported_committed: reported.1,
        ledger_committed: ledger.1,
        allocation,
        difference_rate,
        status,
        entries,
    }
}

#[derive(Serialize, Debug, Clone)]
pub struct BureauLine {
    pub code: String,
    pub name_th: String,
    /// The month of the bureau's latest submitted report up to this one (0: none).
    pub reported_month: i16,
    #[serde(flatten)]
    pub figures: Compared,
}

#[derive(Serialize, Debug, Clone)]
pub struct Reconciliation {
    pub fiscal_year: i32,
    pub month: u8,
    pub as_of: NaiveDate,
    #[serde(serialize_with = "json::money")]
    pub tolerance_rate: Decimal,
    pub bureaus: Vec<BureauLine>,
}

/// The figures a scope's comparison is made of, as the queries below read them.
#[derive(QueryableByName)]
struct Sums {
    #[diesel(sql_type = Numeric)]
    allocation: Decimal,
    #[diesel(sql_type = Numeric)]
    reported_d: Decimal,
    #[diesel(sql_type = Numeric)]
    reported_c: Decimal,
    #[diesel(sql_type = Numeric)]
    ledger_d: Decimal,
    #[diesel(sql_type = Numeric)]
    ledger_c: Decimal,
    #[diesel(sql_type = BigInt)]
    entries: i64,
}

impl Sums {
    fn compared(&self, tolerance_pct: Decimal) -> Compared {
        compare(
            (self.reported_d, self.reported_c),
            (self.ledger_d, self.ledger_c),
            self.allocation,
            self.entries,
            tolerance_pct,
        )
    }
}

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = Text)]
    code: String,
    #[diesel(sql_type = Text)]
    name_th: String,
    #[diesel(sql_type = Int2)]
    reported_month: i16,
    #[diesel(embed)]
    sums: Sums,
}

/// The year's tolerance, in percent of the allocation.
pub fn tolerance(conn: &mut PgConnection, fy: FiscalYear) -> QueryResult<Option<Decimal>> {
    use crate::schema::fiscal_years;
    fiscal_years::table.find(fy.be()).select(fiscal_years::ledger_tolerance_pct).first(conn).optional()
}

/// Every bureau (of `only`, when given) as of the end of month `m`.
pub fn bureaus(
    conn: &mut PgConnection,
    fy: FiscalYear,
    m: FiscalMonth,
    only: Option<&[i32]>,
) -> QueryResult<Option<Reconciliation>> {
    let Some(tolerance_pct) = tolerance(conn, fy)? else { return Ok(None) };
    let as_of = fy.month_end(m);
    let rows: Vec<Row> = diesel::sql_query(
        "SELECT b.code, b.name_th,
                COALESCE(t.reported, 0)::int2 AS reported_month,
                COALESCE(t.allocation, 0) AS allocation, COALESCE(t.d, 0) AS reported_d, COALESCE(t.c, 0) AS reported_c,
                COALESCE(l.d, 0) AS ledger_d, COALESCE(l.c, 0) AS ledger_c, COALESCE(l.n, 0) AS entries
         FROM bureaus b
         JOIN (SELECT bureau_id, sum(allocation) AS allocation, sum(disbursed_cum) AS d, sum(committed) AS c,
                      max(reported_max) AS reported
               FROM month_totals WHERE fiscal_year = $1 AND month = $2 GROUP BY bureau_id) t ON t.bureau_id = b.id
         LEFT JOIN (SELECT bureau_id, sum(d_effect) AS d, sum(c_effect) AS c, count(*) AS n
                    FROM ledger_entries WHERE fiscal_year = $1 AND entry_date <= $3 GROUP BY bureau_id) l
                ON l.bureau_id = b.id
         WHERE $4::int4[] IS NULL OR b.id = ANY($4)
         ORDER BY b.code",
    )
    .bind::<Int4, _>(fy.be())
    .bind::<Int2, _>(m.number() as i16)
    .bind::<Date, _>(as_of)
    .bind::<diesel::sql_types::Nullable<diesel::sql_types::Array<Int4>>, _>(only.map(|o| o.to_vec()))
    .load(conn)?;
    Ok(Some(Reconciliation {
        fiscal_year: fy.be(),
        month: m.number(),
        as_of,
        tolerance_rate: tolerance_pct,
        bureaus: rows
            .into_iter()
            .map(|r| BureauLine {
                code: r.code,
                name_th: r.name_th,
                reported_month: r.reported_month,
                figures: r.sums.compared(tolerance_pct),
            })
            .collect(),
    }))
}

#[derive(Serialize, Debug, Clone)]
pub struct ProjectLine {
    pub code: String,
    pub name_th: String,
    #[serde(flatten)]
    pub figures: Compared,
}

#[derive(QueryableByName)]
struct ProjectRow {
    #[diesel(sql_type = Text)]
    code: String,
    #[diesel(sql_type = Text)]
    name_th: String,
    #[diesel(embed)]
    sums: Sums,
}

/// One bureau's projects as of the end of month `m`.
pub fn projects(
    conn: &mut PgConnection,
    fy: FiscalYear,
    m: FiscalMonth,
    bureau_id: i32,
    tolerance_pct: Decimal,
) -> QueryResult<Vec<ProjectLine>> {
    let rows: Vec<ProjectRow> = diesel::sql_query(
        "SELECT p.code, p.name_th, pm.allocation, pm.disbursed_cum AS reported_d, pm.committed AS reported_c,
                COALESCE(l.d, 0) AS ledger_d, COALESCE(l.c, 0) AS ledger_c, COALESCE(l.n, 0) AS entries
         FROM project_months pm JOIN projects p ON p.id = pm.project_id
         LEFT JOIN (SELECT project_id, sum(d_effect) AS d, sum(c_effect) AS c, count(*) AS n
                    FROM ledger_entries WHERE fiscal_year = $1 AND bureau_id = $3 AND entry_date <= $4
                    GROUP BY project_id) l ON l.project_id = p.id
         WHERE pm.fiscal_year = $1 AND pm.month = $2 AND pm.bureau_id = $3
         ORDER BY p.code",
    )
    .bind::<Int4, _>(fy.be())
    .bind::<Int2, _>(m.number() as i16)
    .bind::<Int4, _>(bureau_id)
    .bind::<Date, _>(fy.month_end(m))
    .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| ProjectLine { code: r.code, name_th: r.name_th, figures: r.sums.compared(tolerance_pct) })
        .collect())
}

/// One bureau and its projects as of the end of month `m`; `None` when the year
/// does not exist or the bureau has no plan in it.
pub fn bureau(
    conn: &mut PgConnection,
    fy: FiscalYear,
    m: FiscalMonth,
    bureau_id: i32,
) -> QueryResult<Option<(BureauLine, Vec<ProjectLine>)>> {
    let Some(r) = bureaus(conn, fy, m, Some(&[bureau_id]))? else { return Ok(None) };
    let tolerance_pct = r.tolerance_rate;
    let Some(line) = r.bureaus.into_iter().next() else { return Ok(None) };
    Ok(Some((line, projects(conn, fy, m, bureau_id, tolerance_pct)?)))
}

/// A ledger entry as the documents list shows it.
#[derive(Serialize, Queryable, Debug, Clone)]
pub struct Document {
    pub entry_date: NaiveDate,
    pub document_no: String,
    pub kind: super::LedgerKind,
    pub reference: Option<String>,
    #[serde(serialize_with = "json::money")]
    pub amount: Decimal,
    #[serde(serialize_with = "json::money")]
    pub d_effect: Decimal,
    #[serde(serialize_with = "json::money")]
    pub c_effect: Decimal,
    pub import_id: Option<i64>,
}

/// The entries behind a project's ledger figures to the end of month `m`.
pub fn documents(
    conn: &mut PgConnection,
    fy: FiscalYear,
    m: FiscalMonth,
    project_id: i32,
) -> QueryResult<Vec<Document>> {
    use crate::schema::ledger_entries as e;
    e::table
        .filter(e::fiscal_year.eq(fy.be()))
        .filter(e::project_id.eq(project_id))
        .filter(e::entry_date.le(fy.month_end(m)))
        .order((e::entry_date, e::id))
        .select((
            e::entry_date,
            e::document_no,
            e::kind,
            e::reference,
            e::amount,
            e::d_effect,
            e::c_effect,
            e::import_id,
        ))
        .limit(5000)
        .load(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn the_difference_is_both_gaps_over_the_allocation_and_the_tolerance_is_inclusive() {
        // ΔD 3,000 + ΔC 2,000 = 5,000 of 1,000,000 = 0.50% — agrees at 0.5.
        let c = compare((dec("103000"), dec("48000")), (dec("100000"), dec("50000")), dec("1000000"), 4, dec("0.5"));
        assert_eq!((c.difference_rate, c.status), (Some(dec("0.5")), Status::Agrees));
        // One baht more: differs.
        let c = compare((dec("103001"), dec("48000")), (dec("100000"), dec("50000")), dec("1000000"), 4, dec("0.5"));
        assert_eq!(c.status, Status::Differs);
        // A shift from committed to disbursed is a difference, not a wash.
        let c = compare((dec("110000"), dec("40000")), (dec("100000"), dec("50000")), dec("1000000"), 4, dec("0.5"));
        assert_eq!((c.difference_rate, c.status), (Some(dec("2")), Status::Differs));
        // No entries: no_ledger, whatever the figures.
        let none = compare((dec("5"), dec("0")), (dec("0"), dec("0")), dec("100"), 0, dec("0.5"));
        assert_eq!((none.status, none.difference_rate), (Status::NoLedger, None));
        // No allocation: equal figures agree, others differ.
        assert_eq!(compare((dec("0"), dec("0")), (dec("0"), dec("0")), dec("0"), 1, dec("0.5")).status, Status::Agrees);
        assert_eq!(
            compare((dec("1"), dec("0")), (dec("0"), dec("0")), dec("0"), 1, dec("0.5")).status,
            Status::Differs
        );
    }
}
