//! Assembling the summaries from summed figures: headline measures, bureau,
//! category and project lines, reporting completeness and the previous year.
//! Every rate comes from `domain::measures` on figures summed at its own scope.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use diesel::PgConnection;
use rust_decimal::Decimal;
use serde::Serialize;

use super::queries::{self, FigureRow, ReportState, YearSettings};
use crate::domain::measures::{kpi_level, kpi_score, Figures, Measures, Thresholds};
use crate::domain::money::json::{money, rate};
use crate::domain::{Category, FiscalMonth, FiscalYear};
use crate::error::AppError;

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
    #[serde(serialize_with = "rate")]
    pub quarter_target_rate: Option<Decimal>,
    pub kpi_level: u8,
    #[serde(serialize_with = "rate")]
    pub kpi_score: Option<Decimal>,
    #[serde(serialize_with = "rate")]
    pub forecast_year_end_rate: Option<Decimal>,
}

fn thresholds(settings: &YearSettings) -> Option<Thresholds> {
    settings.kpi_thresholds.clone().try_into().ok()
}

pub fn headline(fy: FiscalYear, month: FiscalMonth, f: &Figures, settings: &YearSettings) -> Headline {
    let m = f.measures();
    let t = thresholds(settings);
    Headline {
        fiscal_year: fy.be(),
        month: month.number(),
        as_of: fy.month_end(month),
        allocation: f.allocation,
        planned: f.planned,
        disbursed: f.disbursed,
        committed: f.committed,
        disbursed_rate: m.disbursed_rate,
        disbursed_committed_rate: m.disbursed_committed_rate,
        plan_rate: m.plan_rate,
        lag_pp: m.lag_pp,
        quarter_target_rate: settings.quarter_target(month),
        kpi_level: t.map(|t| kpi_level(m.disbursed_committed_rate, &t)).unwrap_or(0),
        kpi_score: t.and_then(|t| kpi_score(m.disbursed_committed_rate, &t)),
        forecast_year_end_rate: m.forecast_year_end_rate,
    }
}

#[derive(Serialize, Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reporting {
    pub expected: usize,
    pub submitted: usize,
    pub on_time: usize,
    pub late: usize,
    pub missing: usize,
}

/// `on_time`, `late` (submitted after the deadline), `draft` (saved, not
/// submitted) or `missing` (nothing saved).
pub fn report_status(state: Option<&ReportState>) -> &'static str {
    match state {
        Some(s) if s.submitted && s.on_time => "on_time",
        Some(s) if s.submitted => "late",
        Some(_) => "draft",
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
    pub reporting: Reporting,
    pub previous_year: Option<Headline>,
    pub projects: Vec<ProjectLine>,
    pub categories: Vec<CategoryLine>,
}

fn category_of(row: &FigureRow) -> Category {
    row.category.parse().unwrap_or(Category::Other)
}

fn categories(rows: &[FigureRow]) -> Vec<CategoryLine> {
    let mut by: BTreeMap<Category, Figures> = BTreeMap::new();
    for r in rows {
        let sum = by.entry(category_of(r)).or_default();
        *sum = *sum + r.figures();
    }
    by.into_iter()
        .map(|(c, f)| CategoryLine { category: c, name_th: c.name_th(), rates: f.measures().into() })
        .collect()
}

/// Expected: active bureaus with an allocation; of those, who submitted and when.
fn reporting(expected: impl Iterator<Item = i32>, states: &[ReportState]) -> Reporting {
    let mut r = Reporting::default();
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
            _ => r.missing += 1,
        }
    }
    r
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
    let rows = match bureau {
        None => queries::office_figures(conn, prev, month)?,
        Some(b) => queries::bureau_figures(conn, prev, month, b)?,
    };
    let total: Figures = rows.iter().map(FigureRow::figures).sum();
    Ok(Some(headline(prev, month, &total, &settings)))
}

pub fn office(
    conn: &mut PgConnection,
    fy: FiscalYear,
    month: FiscalMonth,
    settings: &YearSettings,
) -> Result<OfficeSummary, AppError> {
    let rows = queries::office_figures(conn, fy, month)?;
    let states = queries::report_states(conn, fy, month, None)?;
    let total: Figures = rows.iter().map(FigureRow::figures).sum();
    // Rows come ordered by bureau code; fold each bureau's categories together.
    let mut bureaus: Vec<(FigureRow, Figures)> = Vec::new();
    for r in &rows {
        match bureaus.last_mut() {
            Some((first, f)) if first.key == r.key => *f = *f + r.figures(),
            _ => bureaus.push((r.clone(), r.figures())),
        }
    }
    let expected = bureaus
        .iter()
        .filter(|(b, f)| b.active && f.allocation > Decimal::ZERO)
        .map(|(b, _)| b.key)
        .collect::<Vec<_>>();
    Ok(OfficeSummary {
        headline: headline(fy, month, &total, settings),
        reporting: reporting(expected.into_iter(), &states),
        previous_year: previous_year(conn, fy, month, None)?,
        bureaus: bureaus
            .iter()
            .map(|(b, f)| BureauLine {
                code: b.code.clone(),
                name_th: b.name_th.clone(),
                name_en: b.name_en.clone(),
                rates: f.measures().into(),
                report_status: report_status(states.iter().find(|s| s.bureau_id == b.key)),
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
    b: &queries::BureauRow,
) -> Result<BureauSummary, AppError> {
    let rows = queries::bureau_figures(conn, fy, month, b.id)?;
    let states = queries::report_states(conn, fy, month, Some(b.id))?;
    let total: Figures = rows.iter().map(FigureRow::figures).sum();
    let expected = (b.active && total.allocation > Decimal::ZERO).then_some(b.id);
    Ok(BureauSummary {
        headline: headline(fy, month, &total, settings),
        bureau: BureauRef { code: b.code.clone(), name_th: b.name_th.clone(), name_en: b.name_en.clone() },
        report_status: report_status(states.first()),
        reporting: reporting(expected.into_iter(), &states),
        previous_year: previous_year(conn, fy, month, Some(b.id))?,
        projects: rows
            .iter()
            .map(|r| ProjectLine {
                code: r.code.clone(),
                name_th: r.name_th.clone(),
                name_en: r.name_en.clone(),
                category: category_of(r),
                rates: r.figures().measures().into(),
            })
            .collect(),
        categories: categories(&rows),
    })
}
