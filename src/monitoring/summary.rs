//! Assembling the summaries from each project's figures: headline measures
//! (actual and projected KPI, the cabinet's targets of every scope), bureau,
//! category and project lines, reporting completeness and the previous year.
//! Every rate comes from `domain::measures` on figures summed at its own scope;
//! the forecast is made per project and summed.
//!
//! A month is *in progress* until its reports are due: before then, a bureau
//! that has not reported is `pending`, not `missing`. A bureau that has not
//! reported month m keeps its latest reported commitments (`carried_forward`,
//! `reported_through` says from when), never zero.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use diesel::PgConnection;
use rust_decimal::Decimal;
use serde::Serialize;

use super::queries::{self, BureauRow, ReportState, Row, Scope, TotalRow, YearSettings};
use crate::domain::measures::{kpi_level, kpi_score, Figures, Measures, Thresholds};
use crate::domain::money::json::{money, rate};
use crate::domain::{Category, EconomicClass, FiscalMonth, FiscalYear};
use crate::error::AppError;

/// A scope's cabinet target for the quarter, and how far it has come.
#[derive(Serialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScopeTarget {
    #[serde(serialize_with = "rate")]
    pub target_rate: Option<Decimal>,
    #[serde(serialize_with = "rate")]
    pub disbursed_rate: Option<Decimal>,
}

#[derive(Serialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuarterTargets {
    pub overall: Option<ScopeTarget>,
    pub current: Option<ScopeTarget>,
    pub capital: Option<ScopeTarget>,
}

impl QuarterTargets {
    pub fn get(&self, scope: Scope) -> Option<ScopeTarget> {
        match scope {
            Scope::Overall => self.overall,
            Scope::Current => self.current,
            Scope::Capital => self.capital,
        }
    }
}

#[derive(Serialize, Debug, Clone)]
pub struct Headline {
    pub fiscal_year: i32,
    pub month: u8,
    pub as_of: NaiveDate,
    #[serde(serialize_with = "money")]
    pub allocation: Decimal,
    #[serde(serialize_with = "money")]
    pub planned: Decimal,
    #[serde(serialize_with = "money")]
    pub disbursed: Decimal,
    #[serde(serialize_with = "money")]
    pub committed: Decimal,
    #[serde(serialize_with = "rate")]
    pub disbursed_rate: Option<Decimal>,
    #[serde(serialize_with = "rate")]
    pub disbursed_committed_rate: Option<Decimal>,
    #[serde(serialize_with = "rate")]
    pub plan_rate: Option<Decimal>,
    #[serde(serialize_with = "rate")]
    pub lag_pp: Option<Decimal>,
    /// The overall target (kept beside `quarter_targets` for older clients).
    #[serde(serialize_with = "rate")]
    pub quarter_target_rate: Option<Decimal>,
    pub quarter_targets: QuarterTargets,
    pub kpi_level: u8,
    #[serde(serialize_with = "rate")]
    pub kpi_score: Option<Decimal>,
    #[serde(serialize_with = "rate")]
    pub forecast_year_end_rate: Option<Decimal>,
    #[serde(serialize_with = "rate")]
    pub forecast_best_rate: Option<Decimal>,
    pub kpi_level_forecast: u8,
    #[serde(serialize_with = "rate")]
    pub kpi_score_forecast: Option<Decimal>,
}

fn thresholds(settings: &YearSettings) -> Option<Thresholds> {
    settings.kpi_thresholds.clone().try_into().ok()
}

/// Figures of the whole scope and of its current and capital parts.
#[derive(Clone, Copy, Debug, Default)]
pub struct ByClass {
    pub current: Figures,
    pub capital: Figures,
}

impl ByClass {
    fn add(&mut self, class: EconomicClass, f: Figures) {
        match class {
            EconomicClass::Current => self.current = self.current + f,
            EconomicClass::Capital => self.capital = self.capital + f,
        }
    }

    fn total(&self) -> Figures {
        self.current + self.capital
    }
}

pub fn headline(fy: FiscalYear, month: FiscalMonth, f: &ByClass, settings: &YearSettings) -> Headline {
    let total = f.total();
    let m = total.measures();
    let t = thresholds(settings);
    let level = |r| t.map(|t| kpi_level(r, &t)).unwrap_or(0);
    let score = |r| t.and_then(|t| kpi_score(r, &t));
    let target = |scope: Scope, figures: &Figures| {
        settings.target(scope, month).map(|target_rate| ScopeTarget {
            target_rate: Some(target_rate),
            disbursed_rate: figures.measures().disbursed_rate,
        })
    };
    Headline {
        fiscal_year: fy.be(),
        month: month.number(),
        as_of: fy.month_end(month),
        allocation: total.allocation,
        planned: total.planned,
        disbursed: total.disbursed,
        committed: total.committed,
        disbursed_rate: m.disbursed_rate,
        disbursed_committed_rate: m.disbursed_committed_rate,
        plan_rate: m.plan_rate,
        lag_pp: m.lag_pp,
        quarter_target_rate: settings.quarter_target(month),
        quarter_targets: QuarterTargets {
            overall: target(Scope::Overall, &total),
            current: target(Scope::Current, &f.current),
            capital: target(Scope::Capital, &f.capital),
        },
        kpi_level: level(m.disbursed_committed_rate),
        kpi_score: score(m.disbursed_committed_rate),
        forecast_year_end_rate: m.forecast_year_end_rate,
        forecast_best_rate: m.forecast_best_rate,
        kpi_level_forecast: level(m.forecast_year_end_rate),
        kpi_score_forecast: score(m.forecast_year_end_rate),
    }
}

#[derive(Serialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reporting {
    pub expected: usize,
    pub submitted: usize,
    pub on_time: usize,
    pub late: usize,
    /// Not submitted, and the due date has passed.
    pub missing: usize,
    /// Not submitted yet, and the month is still in progress (before its due date).
    pub pending: usize,
    /// When the month's reports are due (moved past weekends and holidays).
    pub due_at: DateTime<FixedOffset>,
}

impl Reporting {
    /// Whether the month is still in progress (its reports not yet due).
    pub fn in_progress(&self, now: DateTime<Utc>) -> bool {
        now <= self.due_at
    }
}

/// `on_time`, `late` (submitted after the deadline), `draft` (saved, not
/// submitted), `pending` (nothing yet, before the deadline) or `missing`.
pub fn report_status(state: Option<&ReportState>, in_progress: bool) -> &'static str {
    match state {
        Some(s) if s.submitted && s.on_time => "on_time",
        Some(s) if s.submitted => "late",
        Some(_) => "draft",
        None if in_progress => "pending",
        None => "missing",
    }
}

/// Lines with rates, shared by bureaus, categories and projects.
#[derive(Serialize, Debug, Clone)]
pub struct Rates {
    #[serde(serialize_with = "money")]
    pub allocation: Decimal,
    #[serde(serialize_with = "money")]
    pub planned: Decimal,
    #[serde(serialize_with = "money")]
    pub disbursed: Decimal,
    #[serde(serialize_with = "money")]
    pub committed: Decimal,
    #[serde(serialize_with = "rate")]
    pub disbursed_rate: Option<Decimal>,
    #[serde(serialize_with = "rate")]
    pub disbursed_committed_rate: Option<Decimal>,
    #[serde(serialize_with = "rate")]
    pub plan_rate: Option<Decimal>,
    #[serde(serialize_with = "rate")]
    pub lag_pp: Option<Decimal>,
}

impl From<Measures> for Rates {
    fn from(m: Measures) -> Rates {
        Rates {
            allocation: m.figures.allocation,
            planned: m.figures.planned,
            disbursed: m.figures.disbursed,
            committed: m.figures.committed,
            disbursed_rate: m.disbursed_rate,
            disbursed_committed_rate: m.disbursed_committed_rate,
            plan_rate: m.plan_rate,
            lag_pp: m.lag_pp,
        }
    }
}

#[derive(Serialize, Debug, Clone)]
pub struct BureauLine {
    pub code: String,
    pub name_th: String,
    pub name_en: String,
    #[serde(flatten)]
    pub rates: Rates,
    pub report_status: &'static str,
    /// The last month with a submitted report, up to the month asked (or null).
    pub reported_through: Option<u8>,
    /// True when the month asked has no submitted report: its commitments are
    /// those of `reported_through`.
    pub carried_forward: bool,
}

#[derive(Serialize, Debug, Clone)]
pub struct CategoryLine {
    pub category: Category,
    pub name_th: &'static str,
    #[serde(flatten)]
    pub rates: Rates,
}

#[derive(Serialize, Debug, Clone)]
pub struct ProjectLine {
    pub code: String,
    pub name_th: String,
    pub name_en: String,
    pub category: Category,
    pub economic_class: EconomicClass,
    #[serde(flatten)]
    pub rates: Rates,
}

#[derive(Serialize, Debug)]
pub struct OfficeSummary {
    #[serde(flatten)]
    pub headline: Headline,
    pub reporting: Reporting,
    pub previous_year: Option<Headline>,
    pub bureaus: Vec<BureauLine>,
    pub categories: Vec<CategoryLine>,
}

#[derive(Serialize, Debug, Clone)]
pub struct BureauRef {
    pub code: String,
    pub name_th: String,
    pub name_en: String,
}

#[derive(Serialize, Debug)]
pub struct BureauSummary {
    #[serde(flatten)]
    pub headline: Headline,
    pub bureau: BureauRef,
    pub report_status: &'static str,
    pub reported_through: Option<u8>,
    pub carried_forward: bool,
    pub reporting: Reporting,
    pub previous_year: Option<Headline>,
    pub projects: Vec<ProjectLine>,
    pub categories: Vec<CategoryLine>,
}

fn categories<R: Row>(rows: &[R]) -> Vec<CategoryLine> {
    let mut by: BTreeMap<Category, Figures> = BTreeMap::new();
    for r in rows {
        let sum = by.entry(r.category()).or_default();
        *sum = *sum + r.figures();
    }
    by.into_iter()
        .map(|(c, f)| CategoryLine { category: c, name_th: c.name_th(), rates: f.measures().into() })
        .collect()
}

fn by_class<R: Row>(rows: &[R]) -> ByClass {
    let mut f = ByClass::default();
    for r in rows {
        f.add(r.class(), r.figures());
    }
    f
}

/// Expected: active bureaus with an allocation; of those, who submitted and when.
fn reporting(
    expected: impl Iterator<Item = i32>,
    states: &[ReportState],
    due_at: DateTime<FixedOffset>,
    now: DateTime<Utc>,
) -> Reporting {
    let mut r = Reporting { expected: 0, submitted: 0, on_time: 0, late: 0, missing: 0, pending: 0, due_at };
    let in_progress = r.in_progress(now);
    for bureau in expected {
        r.expected += 1;
        match states.iter().find(|s| s.bureau_id == bureau) {
            Some(s) if s.submitted => {
                r.submitted += 1;
                if s.on_time {
                    r.on_time += 1
                } else {
                    r.late += 1
                }
            }
            _ if in_progress => r.pending += 1,
            _ => r.missing += 1,
        }
    }
    r
}

/// `reported_through` and `carried_forward` of a bureau from its rows.
fn reported<R: Row>(rows: &[&R], month: FiscalMonth) -> (Option<u8>, bool) {
    let through = rows.iter().map(|r| r.reported_month()).max().filter(|m| *m > 0).map(|m| m as u8);
    (through, through != Some(month.number()))
}

/// The previous year's headline at the same month, if that year exists.
fn previous_year(
    conn: &mut PgConnection,
    fy: FiscalYear,
    month: FiscalMonth,
    bureau: Option<i32>,
) -> Result<Option<Headline>, AppError> {
    let prev = fy.previous();
    let Some(settings) = queries::year_settings(conn, prev)? else { return Ok(None) };
    let rows = queries::month_totals(conn, prev, month, bureau)?;
    Ok(Some(headline(prev, month, &by_class(&rows), &settings)))
}

pub fn office(
    conn: &mut PgConnection,
    fy: FiscalYear,
    month: FiscalMonth,
    settings: &YearSettings,
    now: DateTime<Utc>,
) -> Result<OfficeSummary, AppError> {
    office_from(conn, fy, month, settings, now, queries::Source::Reports)
}

/// `office` with disbursed and committed from `source`.
pub fn office_from(
    conn: &mut PgConnection,
    fy: FiscalYear,
    month: FiscalMonth,
    settings: &YearSettings,
    now: DateTime<Utc>,
    source: queries::Source,
) -> Result<OfficeSummary, AppError> {
    let rows = match source {
        queries::Source::Reports => queries::month_totals(conn, fy, month, None)?,
        queries::Source::Ledger => queries::month_totals_from_ledger(conn, fy, month, None)?,
    };
    let bureau_rows = queries::bureaus(conn)?;
    let states = queries::report_states(conn, fy, month, None)?;
    let mut per_bureau: BTreeMap<i32, Vec<&TotalRow>> = BTreeMap::new();
    for r in &rows {
        per_bureau.entry(r.bureau_id).or_default().push(r);
    }
    let due_at = settings.due_at(fy, month);
    let in_progress = now <= due_at;
    let mut bureaus: Vec<(&BureauRow, Figures, Vec<&TotalRow>)> = bureau_rows
        .iter()
        .filter_map(|b| per_bureau.remove(&b.id).map(|rs| (b, rs.iter().map(|r| r.figures()).sum(), rs)))
        .collect();
    bureaus.sort_by(|a, b| a.0.code.cmp(&b.0.code));
    let state_of: BTreeMap<i32, &ReportState> = states.iter().map(|s| (s.bureau_id, s)).collect();
    let expected: Vec<i32> =
        bureaus.iter().filter(|(b, f, _)| b.active && f.allocation > Decimal::ZERO).map(|(b, _, _)| b.id).collect();
    Ok(OfficeSummary {
        headline: headline(fy, month, &by_class(&rows), settings),
        reporting: reporting(expected.into_iter(), &states, due_at, now),
        previous_year: previous_year(conn, fy, month, None)?,
        bureaus: bureaus
            .iter()
            .map(|(b, f, rs)| {
                let (reported_through, carried_forward) = reported(rs, month);
                BureauLine {
                    code: b.code.clone(),
                    name_th: b.name_th.clone(),
                    name_en: b.name_en.clone(),
                    rates: f.measures().into(),
                    report_status: report_status(state_of.get(&b.id).copied(), in_progress),
                    reported_through,
                    carried_forward,
                }
            })
            .collect(),
        categories: categories(&rows),
    })
}

pub fn bureau(
    conn: &mut PgConnection,
    fy: FiscalYear,
    month: FiscalMonth,
    settings: &YearSettings,
    b: &BureauRow,
    now: DateTime<Utc>,
) -> Result<BureauSummary, AppError> {
    bureau_from(conn, fy, month, settings, b, now, queries::Source::Reports)
}

/// `bureau` with disbursed and committed from `source`.
pub fn bureau_from(
    conn: &mut PgConnection,
    fy: FiscalYear,
    month: FiscalMonth,
    settings: &YearSettings,
    b: &BureauRow,
    now: DateTime<Utc>,
    source: queries::Source,
) -> Result<BureauSummary, AppError> {
    let rows = match source {
        queries::Source::Reports => queries::project_rows(conn, fy, month, Some(b.id))?,
        queries::Source::Ledger => queries::project_rows_from_ledger(conn, fy, month, Some(b.id))?,
    };
    let names = queries::project_names(conn, fy, b.id)?;
    let states = queries::report_states(conn, fy, month, Some(b.id))?;
    let figures = by_class(&rows);
    let expected = (b.active && figures.total().allocation > Decimal::ZERO).then_some(b.id);
    let due_at = settings.due_at(fy, month);
    let (reported_through, carried_forward) = reported(&rows.iter().collect::<Vec<_>>(), month);
    Ok(BureauSummary {
        headline: headline(fy, month, &figures, settings),
        bureau: BureauRef { code: b.code.clone(), name_th: b.name_th.clone(), name_en: b.name_en.clone() },
        report_status: report_status(states.first(), now <= due_at),
        reported_through,
        carried_forward,
        reporting: reporting(expected.into_iter(), &states, due_at, now),
        previous_year: previous_year(conn, fy, month, Some(b.id))?,
        projects: names
            .iter()
            .filter_map(|n| {
                let r = rows.iter().find(|r| r.project_id == n.id)?;
                Some(ProjectLine {
                    code: n.code.clone(),
                    name_th: n.name_th.clone(),
                    name_en: n.name_en.clone(),
                    category: r.category(),
                    economic_class: r.class(),
                    rates: r.figures().measures().into(),
                })
            })
            .collect(),
        categories: categories(&rows),
    })
}
