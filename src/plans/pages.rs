//! The Policy and Strategy Bureau's page for a year's action plan: projects by
//! bureau with their allocation in force, the adjustments so far, and for
//! strategy the forms that change the plan (an adjustment, the plan workbook,
//! the year's settings, a new year). Others who see every bureau read the same
//! page without the forms. The markup is in `views`.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use diesel::prelude::*;
use serde::Deserialize;

use super::views::{self, AdjustmentForm, FormState, PlanData, SettingsForm};
use super::AdjustmentInput;
use crate::auth::Identity;
use crate::db;
use crate::domain::money::RawAmount;
use crate::domain::FiscalYear;
use crate::error::{AppError, FieldError};
use crate::http::{AppState, PageLang, Writer, Year};
use crate::i18n::Lang;
use crate::views::{respond, see_other, Frame};

/// Every project of the year with its allocation in force, the adjustments,
/// the projects to re-spread.
fn load(conn: &mut PgConnection, fy: FiscalYear) -> Result<PlanData, AppError> {
    Ok(PlanData {
        year: super::year(conn, fy)?,
        projects: super::queries::plan_rows(conn, fy)?,
        adjustments: super::adjustments(conn, fy)?,
        unbalanced: super::respread::unbalanced(conn, fy)?,
    })
}

/// The plan page, answered with `status`.
async fn answer(
    state: &AppState,
    lang: Lang,
    who: &Identity,
    fy: FiscalYear,
    status: StatusCode,
    form: FormState<'_>,
) -> Result<HttpResponse, AppError> {
    let data = db::blocking(&state.pool, move |conn| load(conn, fy)).await?;
    let frame = Frame::new(lang, lang.f("plan.title", &[("fy", &fy)]), Some(who))
        .switching(format!("/plan/{fy}{}", lang.other().query(true)));
    Ok(respond(status, crate::views::page(&frame, views::plan_page(lang, fy, who, &data, &form))))
}

/// A refused form comes back with the page and its fields named; anything else
/// is the error it is.
async fn refused(
    state: &AppState,
    lang: Lang,
    who: &Identity,
    fy: FiscalYear,
    error: AppError,
    form: impl FnOnce(&[FieldError]) -> FormState<'_>,
) -> Result<HttpResponse, AppError> {
    match error {
        AppError::Validation { details, .. } => {
            answer(state, lang, who, fy, StatusCode::UNPROCESSABLE_ENTITY, form(&details)).await
        }
        other => Err(other),
    }
}

#[derive(Deserialize)]
pub struct Notice {
    pub done: Option<String>,
}

pub async fn page(
    state: web::Data<AppState>,
    who: Identity,
    Year(fy): Year,
    PageLang(lang): PageLang,
    q: web::Query<Notice>,
) -> Result<HttpResponse, AppError> {
    let notice = match q.done.as_deref() {
        Some("adjustment") => Some(lang.t("plan.done.adjustment").to_string()),
        Some(s) if s.starts_with("import:") => Some(lang.f("plan.done.import", &[("counts", &&s[7..])])),
        Some("settings") => Some(lang.t("plan.done.settings").to_string()),
        Some("classified") => Some(lang.t("plan.done.classified").to_string()),
        Some("created") => Some(lang.f("plan.done.created", &[("fy", &fy)])),
        _ => None,
    };
    answer(&state, lang, &who, fy, StatusCode::OK, FormState { notice, ..Default::default() }).await
}

pub async fn submit_adjustment(
    state: web::Data<AppState>,
    writer: Writer,
    Year(fy): Year,
    PageLang(lang): PageLang,
    form: web::Form<AdjustmentForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let input = AdjustmentInput {
        kind: form.kind.clone(),
        project: Some(form.project.trim().to_string()),
        from_project: Some(form.from_project.trim().to_string()).filter(|s| !s.is_empty()),
        amount: RawAmount(form.amount.trim().to_string()),
        effective_on: form.effective_on.clone(),
        reason: form.reason.clone(),
    };
    match writer.write(&state.pool, move |conn, actor| Ok(super::adjust(conn, fy, &input, actor))).await? {
        Ok(_) => {
            state.after_writes.request();
            Ok(see_other(&format!("/plan/{fy}?done=adjustment{}", lang.query(false))))
        }
        Err(e) => {
            refused(&state, lang, &writer.who, fy, e, |errors| FormState {
                adjustment: form,
                errors,
                ..Default::default()
            })
            .await
        }
    }
}

pub async fn submit_upload(
    state: web::Data<AppState>,
    writer: Writer,
    Year(fy): Year,
    PageLang(lang): PageLang,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    let outcome = match crate::xlsx::read_upload(&req, payload).await {
        Ok(bytes) => {
            writer.write(&state.pool, move |conn, actor| Ok(super::xlsx::import(conn, fy, &bytes, actor))).await?
        }
        Err(e) => Err(e),
    };
    match outcome {
        Ok(r) => {
            state.after_writes.request();
            Ok(see_other(&format!(
                "/plan/{fy}?done=import:{}+created,+{}+updated,+{}+unchanged{}",
                r.created,
                r.updated,
                r.unchanged,
                lang.query(false)
            )))
        }
        Err(e) => refused(&state, lang, &writer.who, fy, e, |errors| FormState { errors, ..Default::default() }).await,
    }
}

/// The settings form as the three API inputs, with the form's name of each target.
fn settings_inputs(form: &SettingsForm) -> (super::Settings, super::Levels, super::Targets, Vec<String>) {
    let mut names = Vec::new();
    let mut targets = Vec::new();
    for q in 1..=4 {
        for scope in ["overall", "current", "capital"] {
            let name = format!("q{q}_{scope}");
            if let Some(v) = form.targets.get(&name).map(|v| v.trim()).filter(|v| !v.is_empty()) {
                targets.push(super::TargetInput {
                    quarter: q,
                    scope: scope.to_string(),
                    target_pct: RawAmount(v.to_string()),
                });
                names.push(name);
            }
        }
    }
    let settings = super::Settings {
        due_day: Some(form.due_day.trim().parse::<i64>().unwrap_or(0)),
        warn_lag_pp: Some(RawAmount(form.warn_lag_pp.trim().to_string())),
        critical_lag_pp: Some(RawAmount(form.critical_lag_pp.trim().to_string())),
        ledger_tolerance_pct: Some(RawAmount(form.ledger_tolerance_pct.trim().to_string())),
        carry_over_until: Some(form.carry_over_until.clone()),
        plan_published: Some(form.plan_published.is_some()),
    };
    let levels = super::Levels { levels: form.levels().iter().map(|v| RawAmount(v.trim().to_string())).collect() };
    (settings, levels, super::Targets { targets }, names)
}

/// The API's field names (`levels[2]`, `targets[4].target_pct`) as the form's inputs.
fn form_field(field: &str, target_names: &[String]) -> String {
    if let Some(rest) = field.strip_prefix("levels[") {
        let i = rest.trim_end_matches(']').parse::<usize>().unwrap_or(0);
        return format!("level_{}", i + 1);
    }
    if let Some(rest) = field.strip_prefix("targets[") {
        if let Some(name) =
            rest.split(']').next().and_then(|i| i.parse::<usize>().ok()).and_then(|i| target_names.get(i))
        {
            return name.clone();
        }
    }
    field.to_string()
}

/// Settings, KPI levels and cabinet targets from one form, all or nothing, with
/// every problem named against its input.
pub async fn submit_settings(
    state: web::Data<AppState>,
    writer: Writer,
    Year(fy): Year,
    PageLang(lang): PageLang,
    form: web::Form<SettingsForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let (settings, levels, targets, names) = settings_inputs(&form);
    let outcome = writer
        .write(&state.pool, move |conn, actor| {
            Ok(conn.transaction(|conn| {
                let mut details = Vec::new();
                for result in [
                    super::update_settings(conn, fy, &settings, actor),
                    super::set_kpi_levels(conn, fy, &levels, actor),
                    super::set_cabinet_targets(conn, fy, &targets, actor),
                ] {
                    match result {
                        Ok(()) => {}
                        Err(AppError::Validation { details: d, .. }) => details
                            .extend(d.into_iter().map(|e| FieldError::new(form_field(&e.field, &names), e.message))),
                        Err(e) => return Err(e),
                    }
                }
                if details.is_empty() {
                    Ok(())
                } else {
                    Err(AppError::validation(details))
                }
            }))
        })
        .await?;
    match outcome {
        Ok(()) => Ok(see_other(&format!("/plan/{fy}?done=settings{}", lang.query(false)))),
        Err(e) => {
            refused(&state, lang, &writer.who, fy, e, |errors| FormState {
                settings: Some(form),
                errors,
                ..Default::default()
            })
            .await
        }
    }
}

#[derive(Deserialize)]
pub struct NewYearForm {
    pub fiscal_year: String,
}

/// Opens the next fiscal year, copying the settings of the one before it.
pub async fn submit_new_year(
    state: web::Data<AppState>,
    writer: Writer,
    PageLang(lang): PageLang,
    form: web::Form<NewYearForm>,
) -> Result<HttpResponse, AppError> {
    let fy = form
        .fiscal_year
        .trim()
        .parse::<i64>()
        .map_err(|_| AppError::validation(vec![FieldError::new("fiscal_year", "is not a year")]))?;
    let created = writer
        .write(&state.pool, move |conn, actor| {
            super::create_year(conn, &super::NewYear { fiscal_year: fy, copy_from: Some(fy - 1) }, actor)
        })
        .await?;
    Ok(see_other(&format!("/plan/{created}?done=created{}", lang.query(false))))
}
