//! The action plan, managed by the Policy and Strategy Bureau: fiscal years and
//! their settings (due day, lag thresholds, ledger tolerance), KPI levels, cabinet
//! targets, projects with their monthly plans, and allocation adjustments
//! (transfers, cuts, additions) that are appended, never written over.
//!
//! Every write is one transaction with its audit record. Input is checked field by
//! field and every problem is reported at once, naming the field.

pub mod calendar;
pub mod pages;
pub mod queries;
pub mod respread;
pub mod routes;
pub mod tools;
pub mod views;
pub mod xlsx;

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::sql_types::Int4;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::json;

use crate::audit::{self, Actor};
use crate::domain::money::RawAmount;
use crate::domain::{Category, FiscalYear};
use crate::error::{AppError, FieldError};
pub use queries::{adjustments, load_years, year, AdjustmentView, Target, YearView};
use queries::{project_state, used_to_date};

use crate::schema::{
    allocation_adjustments, bureaus, cabinet_targets, fiscal_years, kpi_levels, monthly_plans, projects,
};

fn fail(errors: Vec<FieldError>) -> Result<(), AppError> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::validation(errors))
    }
}

fn pct(raw: &RawAmount, field: String, errors: &mut Vec<FieldError>) -> Option<Decimal> {
    match raw.parse() {
        Ok(m) if m.amount() <= Decimal::ONE_HUNDRED => Some(m.amount()),
        Ok(m) => {
            errors.push(FieldError::new(field, format!("{m} is above 100")));
            None
        }
        Err(e) => {
            errors.push(FieldError::new(field, e.to_string()));
            None
        }
    }
}

fn amount(raw: &RawAmount, field: String, errors: &mut Vec<FieldError>) -> Option<Decimal> {
    match raw.parse() {
        Ok(m) => Some(m.amount()),
        Err(e) => {
            errors.push(FieldError::new(field, e.to_string()));
            None
        }
    }
}

#[derive(Deserialize, Debug)]
pub struct NewYear {
    pub fiscal_year: i64,
    /// Year whose settings, KPI levels and cabinet targets are copied; default the
    /// latest existing year.
    pub copy_from: Option<i64>,
}

/// Creates a fiscal year, copying settings, KPI levels and cabinet targets.
pub fn create_year(conn: &mut PgConnection, input: &NewYear, actor: Actor<'_>) -> Result<FiscalYear, AppError> {
    let fy = FiscalYear::new(input.fiscal_year)
        .map_err(|e| AppError::validation(vec![FieldError::new("fiscal_year", e.to_string())]))?;
    conn.transaction(|conn| {
        if fiscal_years::table.find(fy.be()).count().get_result::<i64>(conn)? > 0 {
            return Err(AppError::Conflict(format!("fiscal year {fy} exists already")));
        }
        let source: Option<i32> = match input.copy_from {
            Some(y) => {
                let found: Option<i32> =
                    fiscal_years::table.find(y as i32).select(fiscal_years::id).first(conn).optional()?;
                Some(found.ok_or_else(|| {
                    AppError::validation(vec![FieldError::new("copy_from", format!("there is no fiscal year {y}"))])
                })?)
            }
            None => fiscal_years::table.select(fiscal_years::id).order(fiscal_years::id.desc()).first(conn).optional()?,
        };
        diesel::insert_into(fiscal_years::table)
            .values((fiscal_years::id.eq(fy.be()), fiscal_years::starts_on.eq(fy.start()), fiscal_years::ends_on.eq(fy.end())))
            .execute(conn)?;
        if let Some(src) = source {
            diesel::sql_query(
                "UPDATE fiscal_years t SET due_day = s.due_day, warn_lag_pp = s.warn_lag_pp,
                        critical_lag_pp = s.critical_lag_pp, ledger_tolerance_pct = s.ledger_tolerance_pct
                 FROM fiscal_years s WHERE s.id = $2 AND t.id = $1;
                 ",
            )
            .bind::<Int4, _>(fy.be())
            .bind::<Int4, _>(src)
            .execute(conn)?;
            diesel::sql_query("INSERT INTO kpi_levels SELECT $1, level, threshold_pct FROM kpi_levels WHERE fiscal_year = $2")
                .bind::<Int4, _>(fy.be())
                .bind::<Int4, _>(src)
                .execute(conn)?;
            diesel::sql_query(
                "INSERT INTO cabinet_targets SELECT $1, quarter, scope, target_pct FROM cabinet_targets WHERE fiscal_year = $2",
            )
            .bind::<Int4, _>(fy.be())
            .bind::<Int4, _>(src)
            .execute(conn)?;
        }
        let after = serde_json::to_value(year(conn, fy)?).map_err(anyhow::Error::from)?;
        audit::record(
            conn,
            audit::Entry {
                user_id: actor.user_id,
                request_id: actor.request_id,
                action: "create",
                entity: "fiscal_year",
                entity_id: fy.to_string(),
                before: None,
                after: Some(json!({"year": after, "copied_from": source})),
            },
        )?;
        Ok(fy)
    })
}

#[derive(Deserialize, Debug)]
pub struct Settings {
    pub due_day: Option<i64>,
    pub warn_lag_pp: Option<RawAmount>,
    pub critical_lag_pp: Option<RawAmount>,
    pub ledger_tolerance_pct: Option<RawAmount>,
    /// `YYYY-MM-DD`, when this year's carried-over commitments lapse; empty: the default (31 March after the year).
    pub carry_over_until: Option<String>,
    pub plan_published: Option<bool>,
}

pub fn update_settings(
    conn: &mut PgConnection,
    fy: FiscalYear,
    s: &Settings,
    actor: Actor<'_>,
) -> Result<(), AppError> {
    conn.transaction(|conn| {
        let before = year(conn, fy)?;
        let mut errors = Vec::new();
        let due_day = match s.due_day {
            Some(d) if (1..=28).contains(&d) => d as i16,
            Some(d) => {
                errors.push(FieldError::new("due_day", format!("{d} is not a day from 1 to 28")));
                before.due_day
            }
            None => before.due_day,
        };
        let warn = s.warn_lag_pp.as_ref().and_then(|r| pct(r, "warn_lag_pp".into(), &mut errors)).unwrap_or(before.warn_lag_pp);
        let critical = s
            .critical_lag_pp
            .as_ref()
            .and_then(|r| pct(r, "critical_lag_pp".into(), &mut errors))
            .unwrap_or(before.critical_lag_pp);
        let tolerance = s
            .ledger_tolerance_pct
            .as_ref()
            .and_then(|r| pct(r, "ledger_tolerance_pct".into(), &mut errors))
            .unwrap_or(before.ledger_tolerance_pct);
        let carry = match s.carry_over_until.as_deref().map(str::trim) {
            None => before.carry_over_until,
            Some("") => None,
            Some(raw) => match chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
                Ok(d) if d > before.ends_on && d <= before.ends_on + chrono::Months::new(24) => Some(d),
                Ok(d) => {
                    errors.push(FieldError::new(
                        "carry_over_until",
                        format!(
                            "{d} ต้องอยู่หลังสิ้นปีงบประมาณไม่เกิน 2 ปี ({d} must be after the year's end, {}, and within two years of it)",
                            before.ends_on
                        ),
                    ));
                    None
                }
                Err(_) => {
                    errors.push(FieldError::new(
                        "carry_over_until",
                        format!("{raw:?} ไม่ใช่วันที่รูปแบบ YYYY-MM-DD (not a date of the form YYYY-MM-DD)"),
                    ));
                    None
                }
            },
        };
        if warn.is_zero() {
            errors.push(FieldError::new("warn_lag_pp", "must be above 0"));
        }
        if critical < warn {
            errors.push(FieldError::new(
                "critical_lag_pp",
                format!("{critical} is below the warning threshold {warn}; critical must be at least the warning"),
            ));
        }
        fail(errors)?;
        let published = s.plan_published.unwrap_or(before.plan_published);
        diesel::update(fiscal_years::table.find(fy.be()))
            .set((
                fiscal_years::due_day.eq(due_day),
                fiscal_years::warn_lag_pp.eq(warn),
                fiscal_years::critical_lag_pp.eq(critical),
                fiscal_years::ledger_tolerance_pct.eq(tolerance),
                fiscal_years::carry_over_until.eq(carry),
                fiscal_years::plan_published.eq(published),
            ))
            .execute(conn)?;
        audit::record(
            conn,
            audit::Entry {
                user_id: actor.user_id,
                request_id: actor.request_id,
                action: "update",
                entity: "fiscal_year_settings",
                entity_id: fy.to_string(),
                before: Some(json!({"due_day": before.due_day, "warn_lag_pp": before.warn_lag_pp, "critical_lag_pp": before.critical_lag_pp,
                                    "ledger_tolerance_pct": before.ledger_tolerance_pct, "carry_over_until": before.carry_over_until,
                                    "plan_published": before.plan_published})),
                after: Some(json!({"due_day": due_day, "warn_lag_pp": warn, "critical_lag_pp": critical,
                                   "ledger_tolerance_pct": tolerance, "carry_over_until": carry, "plan_published": published})),
            },
        )?;
        Ok(())
    })
}

#[derive(Deserialize, Debug)]
pub struct Levels {
    pub levels: Vec<RawAmount>,
}

/// Replaces the five KPI thresholds; they must rise strictly from level 1 to 5.
pub fn set_kpi_levels(
    conn: &mut PgConnection,
    fy: FiscalYear,
    input: &Levels,
    actor: Actor<'_>,
) -> Result<(), AppError> {
    let mut errors = Vec::new();
    if input.levels.len() != 5 {
        errors
            .push(FieldError::new("levels", format!("give 5 thresholds (levels 1 to 5), not {}", input.levels.len())));
    }
    let parsed: Vec<Option<Decimal>> =
        input.levels.iter().enumerate().map(|(i, r)| pct(r, format!("levels[{i}]"), &mut errors)).collect();
    for i in 1..parsed.len() {
        if let (Some(a), Some(b)) = (parsed[i - 1], parsed[i]) {
            if b <= a {
                errors.push(FieldError::new(format!("levels[{i}]"), format!("{b} must be above level {i}'s {a}")));
            }
        }
    }
    fail(errors)?;
    conn.transaction(|conn| {
        let before = year(conn, fy)?.kpi_levels;
        diesel::delete(kpi_levels::table.filter(kpi_levels::fiscal_year.eq(fy.be()))).execute(conn)?;
        let rows: Vec<_> = parsed
            .iter()
            .enumerate()
            .map(|(i, t)| {
                (
                    kpi_levels::fiscal_year.eq(fy.be()),
                    kpi_levels::level.eq(i as i16 + 1),
                    kpi_levels::threshold_pct.eq(t.expect("checked")),
                )
            })
            .collect();
        diesel::insert_into(kpi_levels::table).values(rows).execute(conn)?;
        audit::record(
            conn,
            audit::Entry {
                user_id: actor.user_id,
                request_id: actor.request_id,
                action: "update",
                entity: "kpi_levels",
                entity_id: fy.to_string(),
                before: Some(json!(before)),
                after: Some(json!(parsed
                    .iter()
                    .map(|t| crate::domain::money::fixed2(t.expect("checked")))
                    .collect::<Vec<_>>())),
            },
        )?;
        Ok(())
    })
}

#[derive(Deserialize, Debug)]
pub struct TargetInput {
    pub quarter: i64,
    pub scope: String,
    pub target_pct: RawAmount,
}

#[derive(Deserialize, Debug)]
pub struct Targets {
    pub targets: Vec<TargetInput>,
}

/// Replaces the year's cabinet disbursement targets.
pub fn set_cabinet_targets(
    conn: &mut PgConnection,
    fy: FiscalYear,
    input: &Targets,
    actor: Actor<'_>,
) -> Result<(), AppError> {
    let mut errors = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut rows = Vec::new();
    for (i, t) in input.targets.iter().enumerate() {
        if !(1..=4).contains(&t.quarter) {
            errors.push(FieldError::new(
                format!("targets[{i}].quarter"),
                format!("{} is not a quarter from 1 to 4", t.quarter),
            ));
        }
        if !["overall", "current", "capital"].contains(&t.scope.as_str()) {
            errors.push(FieldError::new(
                format!("targets[{i}].scope"),
                format!("{:?} is not overall, current or capital", t.scope),
            ));
        }
        if !seen.insert((t.quarter, t.scope.clone())) {
            errors.push(FieldError::new(
                format!("targets[{i}]"),
                format!("quarter {} {} is given twice", t.quarter, t.scope),
            ));
        }
        if let Some(p) = pct(&t.target_pct, format!("targets[{i}].target_pct"), &mut errors) {
            rows.push((t.quarter as i16, t.scope.clone(), p));
        }
    }
    fail(errors)?;
    conn.transaction(|conn| {
        let before = year(conn, fy)?.cabinet_targets;
        diesel::delete(cabinet_targets::table.filter(cabinet_targets::fiscal_year.eq(fy.be()))).execute(conn)?;
        let values: Vec<_> = rows
            .iter()
            .map(|(q, s, p)| {
                (
                    cabinet_targets::fiscal_year.eq(fy.be()),
                    cabinet_targets::quarter.eq(*q),
                    cabinet_targets::scope.eq(s),
                    cabinet_targets::target_pct.eq(*p),
                )
            })
            .collect();
        diesel::insert_into(cabinet_targets::table).values(values).execute(conn)?;
        audit::record(
            conn,
            audit::Entry {
                user_id: actor.user_id,
                request_id: actor.request_id,
                action: "update",
                entity: "cabinet_targets",
                entity_id: fy.to_string(),
                before: Some(serde_json::to_value(&before).map_err(anyhow::Error::from)?),
                after: Some(json!(rows
                    .iter()
                    .map(|(q, s, p)| json!({"quarter": q, "scope": s, "target_pct": p}))
                    .collect::<Vec<_>>())),
            },
        )?;
        Ok(())
    })
}

#[derive(Deserialize, Debug)]
pub struct NewProject {
    pub bureau_code: String,
    pub code: String,
    pub name_th: String,
    #[serde(default)]
    pub name_en: String,
    #[serde(default)]
    pub plan_name: String,
    pub category: String,
    pub allocation: RawAmount,
    /// Twelve monthly plans, October first; they must add up to the allocation.
    pub plans: Vec<RawAmount>,
    /// `current` or `capital`; by default from the category (investment is capital).
    #[serde(default)]
    pub economic_class: Option<String>,
}

fn valid_project_code(c: &str) -> bool {
    let b = c.as_bytes();
    !b.is_empty()
        && b.len() <= 32
        && b[0].is_ascii_alphanumeric()
        && b.iter().all(|x| x.is_ascii_alphanumeric() || b"._-".contains(x))
}

/// Checks twelve monthly plans adding up to `total`; returns them.
fn check_plans(plans: &[RawAmount], total: Option<Decimal>, errors: &mut Vec<FieldError>) -> Vec<Decimal> {
    if plans.len() != 12 {
        errors.push(FieldError::new(
            "plans",
            format!("give 12 monthly plans (October to September), not {}", plans.len()),
        ));
        return Vec::new();
    }
    let parsed: Vec<Option<Decimal>> =
        plans.iter().enumerate().map(|(i, r)| amount(r, format!("plans[{i}]"), errors)).collect();
    if parsed.iter().all(Option::is_some) {
        let sum: Decimal = parsed.iter().flatten().sum();
        if let Some(total) = total {
            if sum != total {
                errors.push(FieldError::new(
                    "plans",
                    format!(
                        "the monthly plans add up to {} but the allocation is {}",
                        crate::domain::money::fixed2(sum),
                        crate::domain::money::fixed2(total)
                    ),
                ));
            }
        }
    }
    parsed.into_iter().map(|p| p.unwrap_or_default()).collect()
}

pub fn create_project(
    conn: &mut PgConnection,
    fy: FiscalYear,
    p: &NewProject,
    actor: Actor<'_>,
) -> Result<i32, AppError> {
    let mut errors = Vec::new();
    if !valid_project_code(&p.code) {
        errors.push(FieldError::new("code", format!("{:?} must be 1-32 letters, digits, '.', '_' or '-'", p.code)));
    }
    if p.name_th.trim().is_empty() {
        errors.push(FieldError::new("name_th", "is required"));
    }
    let category = p.category.parse::<Category>().map_err(|e| errors.push(FieldError::new("category", e))).ok();
    let class = match p.economic_class.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        Some(c) => c
            .parse::<crate::domain::EconomicClass>()
            .map_err(|e| errors.push(FieldError::new("economic_class", e)))
            .ok(),
        None => category.map(crate::domain::EconomicClass::of),
    };
    let allocation = amount(&p.allocation, "allocation".into(), &mut errors);
    let plans = check_plans(&p.plans, allocation, &mut errors);
    conn.transaction(|conn| {
        year(conn, fy)?;
        let bureau: Option<i32> =
            bureaus::table.filter(bureaus::code.eq(&p.bureau_code)).select(bureaus::id).first(conn).optional()?;
        if bureau.is_none() {
            errors.push(FieldError::new("bureau_code", format!("there is no bureau {:?}", p.bureau_code)));
        }
        fail(std::mem::take(&mut errors))?;
        let (bureau, category, allocation) =
            (bureau.expect("checked"), category.expect("checked"), allocation.expect("checked"));
        let id: Option<i32> = diesel::insert_into(projects::table)
            .values((
                projects::fiscal_year.eq(fy.be()),
                projects::bureau_id.eq(bureau),
                projects::code.eq(&p.code),
                projects::name_th.eq(p.name_th.trim()),
                projects::name_en.eq(p.name_en.trim()),
                projects::plan_name.eq(p.plan_name.trim()),
                projects::category.eq(category.as_str()),
                projects::allocation.eq(allocation),
                projects::economic_class.eq(class.unwrap_or(crate::domain::EconomicClass::of(category)).as_str()),
            ))
            .on_conflict((projects::fiscal_year, projects::code))
            .do_nothing()
            .returning(projects::id)
            .get_result(conn)
            .optional()?;
        let Some(id) = id else {
            return Err(AppError::Conflict(format!("FY{fy} already has a project {:?}", p.code)));
        };
        let rows: Vec<_> = plans
            .iter()
            .enumerate()
            .map(|(m, v)| {
                (monthly_plans::project_id.eq(id), monthly_plans::month.eq(m as i16 + 1), monthly_plans::planned.eq(*v))
            })
            .collect();
        diesel::insert_into(monthly_plans::table).values(rows).execute(conn)?;
        audit::record(
            conn,
            audit::Entry {
                user_id: actor.user_id,
                request_id: actor.request_id,
                action: "create",
                entity: "project",
                entity_id: format!("{fy}/{}", p.code),
                before: None,
                after: Some(json!({"bureau": p.bureau_code, "name_th": p.name_th.trim(), "category": category,
                                   "allocation": allocation, "plans": plans})),
            },
        )?;
        Ok(id)
    })
}

#[derive(Deserialize, Debug)]
pub struct PlanInput {
    pub plans: Vec<RawAmount>,
}

/// Replaces a project's twelve monthly plans; they must add up to its allocation
/// in force at year end (adjustments included).
pub fn set_plans(
    conn: &mut PgConnection,
    fy: FiscalYear,
    code: &str,
    input: &PlanInput,
    actor: Actor<'_>,
) -> Result<(), AppError> {
    conn.transaction(|conn| {
        let project = project_state(conn, fy, code, "project")
            .map_err(|_| AppError::NotFound(format!("FY{fy} has no project {code:?}")))?;
        let mut errors = Vec::new();
        let plans = check_plans(&input.plans, Some(project.year_end_allocation), &mut errors);
        fail(errors)?;
        let before: Vec<Decimal> = monthly_plans::table
            .filter(monthly_plans::project_id.eq(project.id))
            .order(monthly_plans::month)
            .select(monthly_plans::planned)
            .load(conn)?;
        diesel::delete(monthly_plans::table.filter(monthly_plans::project_id.eq(project.id))).execute(conn)?;
        let rows: Vec<_> = plans
            .iter()
            .enumerate()
            .map(|(m, v)| {
                (
                    monthly_plans::project_id.eq(project.id),
                    monthly_plans::month.eq(m as i16 + 1),
                    monthly_plans::planned.eq(*v),
                )
            })
            .collect();
        diesel::insert_into(monthly_plans::table).values(rows).execute(conn)?;
        audit::record(
            conn,
            audit::Entry {
                user_id: actor.user_id,
                request_id: actor.request_id,
                action: "update",
                entity: "monthly_plans",
                entity_id: format!("{fy}/{code}"),
                before: Some(json!(before)),
                after: Some(json!(plans)),
            },
        )?;
        Ok(())
    })
}

#[derive(Deserialize, Debug)]
pub struct AdjustmentInput {
    /// `transfer`, `cut` or `addition`.
    pub kind: String,
    /// The project that gains (addition, transfer) or loses (cut).
    pub project: Option<String>,
    /// For a transfer: the project money leaves.
    pub from_project: Option<String>,
    pub amount: RawAmount,
    pub effective_on: String,
    pub reason: String,
}

/// Appends an adjustment (two rows for a transfer) and returns them.
pub fn adjust(
    conn: &mut PgConnection,
    fy: FiscalYear,
    input: &AdjustmentInput,
    actor: Actor<'_>,
) -> Result<Vec<AdjustmentView>, AppError> {
    let mut errors = Vec::new();
    let amount = match input.amount.parse() {
        Ok(m) if m.amount() > Decimal::ZERO => Some(m.amount()),
        Ok(_) => {
            errors.push(FieldError::new("amount", "must be above 0"));
            None
        }
        Err(e) => {
            errors.push(FieldError::new("amount", e.to_string()));
            None
        }
    };
    let effective_on = match NaiveDate::parse_from_str(input.effective_on.trim(), "%Y-%m-%d") {
        Ok(d) if d >= fy.start() && d <= fy.end() => Some(d),
        Ok(d) => {
            errors.push(FieldError::new(
                "effective_on",
                format!("{d} is outside FY{fy} ({} to {})", fy.start(), fy.end()),
            ));
            None
        }
        Err(_) => {
            errors.push(FieldError::new(
                "effective_on",
                format!("{:?} is not a date of the form YYYY-MM-DD", input.effective_on),
            ));
            None
        }
    };
    if input.reason.trim().is_empty() {
        errors.push(FieldError::new("reason", "say why the allocation changes"));
    }
    let kind = input.kind.as_str();
    if !["transfer", "cut", "addition"].contains(&kind) {
        errors.push(FieldError::new("kind", format!("{kind:?} is not transfer, cut or addition")));
    }
    if input.project.as_deref().unwrap_or("").is_empty() {
        errors.push(FieldError::new("project", "name the project"));
    }
    if kind == "transfer" {
        match input.from_project.as_deref() {
            None | Some("") => {
                errors.push(FieldError::new("from_project", "a transfer needs the project the money leaves"))
            }
            Some(f) if Some(f) == input.project.as_deref() => {
                errors.push(FieldError::new("from_project", "a transfer moves money between two different projects"))
            }
            _ => {}
        }
    }
    fail(std::mem::take(&mut errors))?;
    let (amount, effective_on) = (amount.expect("checked"), effective_on.expect("checked"));
    let target = input.project.clone().unwrap_or_default();
    conn.transaction(|conn| {
        year(conn, fy)?;
        let to = project_state(conn, fy, &target, "project")?;
        let mut legs: Vec<(i32, String, &str, Decimal)> = Vec::new();
        match kind {
            "addition" => legs.push((to.id, target.clone(), "addition", amount)),
            "cut" => legs.push((to.id, target.clone(), "cut", -amount)),
            _ => {
                let from_code = input.from_project.clone().unwrap_or_default();
                let from = project_state(conn, fy, &from_code, "from_project")?;
                legs.push((from.id, from_code, "transfer_out", -amount));
                legs.push((to.id, target.clone(), "transfer_in", amount));
            }
        }
        // Money leaving a project may not take it below zero or below what it has used.
        for (id, code, leg, delta) in &legs {
            if *delta < Decimal::ZERO {
                let state = project_state(conn, fy, code, "project")?;
                let used = used_to_date(conn, *id)?;
                let after = state.year_end_allocation + delta;
                if after < used {
                    let field = if *leg == "transfer_out" { "from_project" } else { "amount" };
                    return Err(AppError::validation(vec![FieldError::new(
                        field,
                        format!(
                            "{code} would be left with {} but has already disbursed and committed {}",
                            crate::domain::money::fixed2(after),
                            crate::domain::money::fixed2(used)
                        ),
                    )]));
                }
            }
        }
        let transfer_id: Option<i64> = if legs.len() == 2 {
            Some(
                diesel::select(diesel::dsl::sql::<diesel::sql_types::BigInt>("nextval('allocation_transfers_seq')"))
                    .get_result(conn)?,
            )
        } else {
            None
        };
        let mut out = Vec::new();
        for (id, code, leg, delta) in legs {
            let row_id: i64 = diesel::insert_into(allocation_adjustments::table)
                .values((
                    allocation_adjustments::project_id.eq(id),
                    allocation_adjustments::kind.eq(leg),
                    allocation_adjustments::amount.eq(delta),
                    allocation_adjustments::effective_on.eq(effective_on),
                    allocation_adjustments::reason.eq(input.reason.trim()),
                    allocation_adjustments::transfer_id.eq(transfer_id),
                    allocation_adjustments::created_by.eq(actor.user_id),
                ))
                .returning(allocation_adjustments::id)
                .get_result(conn)?;
            out.push(AdjustmentView {
                id: row_id,
                project: code,
                kind: leg.to_string(),
                amount: delta,
                effective_on,
                reason: input.reason.trim().to_string(),
                transfer_id,
            });
        }
        audit::record(
            conn,
            audit::Entry {
                user_id: actor.user_id,
                request_id: actor.request_id,
                action: "create",
                entity: "allocation_adjustment",
                entity_id: out.iter().map(|a| a.id.to_string()).collect::<Vec<_>>().join(","),
                before: None,
                after: Some(serde_json::to_value(&out).map_err(anyhow::Error::from)?),
            },
        )?;
        Ok(out)
    })
}
