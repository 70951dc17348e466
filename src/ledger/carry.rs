//! Carry-over (กันเงินไว้เบิกเหลื่อมปี): the commitments of a fiscal year still
//! open on its last day, followed into the next year until they are paid or
//! lapse (`fiscal_years.carry_over_until`, by default six months after the
//! year's end: 31 March). What happened after the year's end is read from the
//! entries that settle or cancel each commitment, so one query answers for
//! every commitment of the year.

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::sql_types::{Date, Int4, Numeric, Text};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::domain::money::json;
use crate::domain::FiscalYear;

/// Where a carried-over commitment stands.
#[derive(Serialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Still to be paid, before its limit.
    Open,
    /// Nothing left.
    Settled,
    /// Past its limit with something left.
    Lapsed,
}

impl State {
    /// The catalogue key of the state's name.
    pub fn label(self) -> &'static str {
        match self {
            State::Open => "ledger.carry.open",
            State::Settled => "ledger.carry.settled",
            State::Lapsed => "ledger.carry.lapsed",
        }
    }
}

#[derive(QueryableByName, Serialize, Debug, Clone)]
pub struct Carried {
    #[diesel(sql_type = Text)]
    pub document_no: String,
    #[diesel(sql_type = Text)]
    pub bureau_code: String,
    #[diesel(sql_type = Text)]
    pub project_code: String,
    #[diesel(sql_type = Date)]
    pub entry_date: NaiveDate,
    #[diesel(sql_type = Numeric)]
    #[serde(serialize_with = "json::money")]
    pub amount: Decimal,
    /// What was open on the year's last day.
    #[diesel(sql_type = Numeric)]
    #[serde(serialize_with = "json::money")]
    pub open_at_year_end: Decimal,
    /// Paid against it since (net of cancelled payments).
    #[diesel(sql_type = Numeric)]
    #[serde(serialize_with = "json::money")]
    pub paid_since: Decimal,
    /// Cancelled of it since.
    #[diesel(sql_type = Numeric)]
    #[serde(serialize_with = "json::money")]
    pub cancelled_since: Decimal,
    #[diesel(sql_type = Numeric)]
    #[serde(serialize_with = "json::money")]
    pub remaining: Decimal,
}

#[derive(Serialize, Debug, Clone)]
pub struct CarryOver {
    pub fiscal_year: i32,
    pub year_end: NaiveDate,
    pub lapses_on: NaiveDate,
    pub state_on: NaiveDate,
    pub commitments: Vec<(Carried, State)>,
}

impl CarryOver {
    /// Per bureau: (code, commitments, open at the year's end, paid since, cancelled since, remaining).
    pub fn by_bureau(&self) -> Vec<(String, i64, Decimal, Decimal, Decimal, Decimal)> {
        let mut out: Vec<(String, i64, Decimal, Decimal, Decimal, Decimal)> = Vec::new();
        for (c, _) in &self.commitments {
            match out.iter_mut().find(|r| r.0 == c.bureau_code) {
                Some(r) => {
                    r.1 += 1;
                    r.2 += c.open_at_year_end;
                    r.3 += c.paid_since;
                    r.4 += c.cancelled_since;
                    r.5 += c.remaining;
                }
                None => out.push((
                    c.bureau_code.clone(),
                    1,
                    c.open_at_year_end,
                    c.paid_since,
                    c.cancelled_since,
                    c.remaining,
                )),
            }
        }
        out
    }
}

/// The commitments of `fy` open on its last day and where they stand `today`.
pub fn carried_over(conn: &mut PgConnection, fy: FiscalYear, today: NaiveDate) -> QueryResult<Option<CarryOver>> {
    use crate::schema::fiscal_years;
    let Some((ends_on, until)): Option<(NaiveDate, Option<NaiveDate>)> = fiscal_years::table
        .find(fy.be())
        .select((fiscal_years::ends_on, fiscal_years::carry_over_until))
        .first(conn)
        .optional()?
    else {
        return Ok(None);
    };
    // Six months after the year: 30 September → 31 March.
    let lapses_on =
        until.unwrap_or_else(|| ends_on + chrono::Days::new(1) + chrono::Months::new(6) - chrono::Days::new(1));
    let rows: Vec<Carried> = diesel::sql_query(
        "WITH c AS (
             SELECT id, document_no, bureau_id, project_id, entry_date, amount FROM ledger_entries
             WHERE fiscal_year = $1 AND kind = 'commitment' AND entry_date <= $2
         ),
         family AS (
             SELECT c.id AS root, x.entry_date, x.c_effect, x.kind, x.refers_to FROM c
             JOIN ledger_entries x ON x.refers_to = c.id
             UNION ALL
             SELECT c.id, y.entry_date, y.c_effect, y.kind, y.refers_to FROM c
             JOIN ledger_entries d ON d.refers_to = c.id AND d.kind = 'disbursement'
             JOIN ledger_entries y ON y.refers_to = d.id
         ),
         totals AS (
             SELECT c.id,
                    c.amount + COALESCE(sum(f.c_effect) FILTER (WHERE f.entry_date <= $2), 0) AS open_at_year_end,
                    COALESCE(-sum(f.c_effect) FILTER (WHERE f.entry_date > $2
                        AND NOT (f.kind = 'cancellation' AND f.refers_to = c.id)), 0) AS paid_since,
                    COALESCE(-sum(f.c_effect) FILTER (WHERE f.entry_date > $2
                        AND f.kind = 'cancellation' AND f.refers_to = c.id), 0) AS cancelled_since
             FROM c LEFT JOIN family f ON f.root = c.id
             GROUP BY c.id, c.amount
         )
         SELECT c.document_no, b.code AS bureau_code, p.code AS project_code, c.entry_date, c.amount,
                t.open_at_year_end, t.paid_since, t.cancelled_since,
                t.open_at_year_end - t.paid_since - t.cancelled_since AS remaining
         FROM c JOIN totals t ON t.id = c.id
         JOIN bureaus b ON b.id = c.bureau_id JOIN projects p ON p.id = c.project_id
         WHERE t.open_at_year_end > 0
         ORDER BY b.code, c.entry_date, c.document_no",
    )
    .bind::<Int4, _>(fy.be())
    .bind::<Date, _>(ends_on)
    .load(conn)?;
    let state = |c: &Carried| {
        if c.remaining <= Decimal::ZERO {
            State::Settled
        } else if today > lapses_on {
            State::Lapsed
        } else {
            State::Open
        }
    };
    Ok(Some(CarryOver {
        fiscal_year: fy.be(),
        year_end: ends_on,
        lapses_on,
        state_on: today,
        commitments: rows.into_iter().map(|c| (state(&c), c)).map(|(s, c)| (c, s)).collect(),
    }))
}
