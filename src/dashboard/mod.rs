//! The executive dashboard: the office at a glance for a fiscal year and month
//! (headline measures against plan, the cabinet target and the 97% KPI; reporting;
//! the five charts, each with its message and its numbers as a table; open
//! alerts), a bureau's page with its projects, and a project's page with its
//! months. A month picker moves through time; each chart's rows drill down (the
//! office's bureaus to the bureau, a bureau's projects to the project, a
//! project's months to the bureau's report). Thai by default, `?lang=en` for
//! English page text (the charts keep their Thai labels, marked `lang="th"`).
//! The handlers gather the data; the markup is in `views`.

pub mod views;

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde::Deserialize;

use self::views::{At, ProjectData};
use crate::alerts::routes::{list as alert_list, AlertView, Filter};
use crate::auth::Identity;
use crate::cache::RenderCache;
use crate::charts::{self, data, Chart, Kind, SCurveInput};
use crate::db;
use crate::domain::fiscal::last_ended_month;
use crate::domain::{FiscalMonth, FiscalYear};
use crate::error::AppError;
use crate::http::{parse_year, resolve_month, AppState, PageLang, ProjectCode, VisibleBureau, VisibleProject, Year};
use crate::monitoring::queries::{self, Row};
use crate::monitoring::summary::{self, BureauSummary, OfficeSummary};
use crate::views::{page, respond, see_other, Frame};

#[derive(Deserialize)]
pub struct MonthQuery {
    pub month: Option<String>,
    /// `reports` (default) or `ledger`, for those who see every bureau.
    pub source: Option<String>,
}

#[derive(Deserialize)]
pub struct PickerQuery {
    pub fy: Option<String>,
    pub month: Option<String>,
}

/// `/dashboard` goes to the last month that has ended; the month picker's GET
/// (`?fy=&month=`) lands here too and goes to the chosen year and month.
pub async fn current(
    state: web::Data<AppState>,
    PageLang(lang): PageLang,
    q: web::Query<PickerQuery>,
) -> Result<HttpResponse, AppError> {
    let location = match q.fy.as_deref() {
        Some(fy) => {
            let fy = parse_year(fy)?;
            // The month goes on as given: the year's page checks it and names it
            // when it is wrong, rather than this redirect dropping it unseen.
            match q.month.as_deref().filter(|m| !m.is_empty()) {
                Some(m) => format!(
                    "/dashboard/{fy}?{}{}",
                    serde_urlencoded::to_string([("month", m)]).unwrap_or_default(),
                    lang.query(false)
                ),
                None => format!("/dashboard/{fy}{}", lang.query(true)),
            }
        }
        None => {
            let (fy, month) = last_ended_month(state.today());
            views::office_href(lang, fy, month.number())
        }
    };
    Ok(see_other(&location))
}

fn years(conn: &mut PgConnection) -> Result<Vec<i32>, AppError> {
    Ok(crate::plans::load_years(conn, None)?.iter().map(|y| y.fiscal_year).collect())
}

/// What the office's page shows.
struct OfficeData {
    summary: OfficeSummary,
    charts: Vec<Chart>,
    /// The first five that are not resolved, most severe first.
    alerts: Vec<AlertView>,
    years: Vec<i32>,
    month: FiscalMonth,
}

/// The moment a page is asked at: today (Bangkok) and now.
#[derive(Clone, Copy)]
struct When {
    today: NaiveDate,
    now: DateTime<Utc>,
}

impl When {
    fn of(state: &AppState) -> When {
        When { today: state.today(), now: state.now() }
    }
}

fn load_office(
    conn: &mut PgConnection,
    renders: &RenderCache,
    who: &Identity,
    fy: FiscalYear,
    month: Option<&str>,
    when: When,
    source: queries::Source,
) -> Result<OfficeData, AppError> {
    let now = when.now;
    let settings = queries::require_year_settings(conn, fy)?;
    let month = resolve_month(fy, month, when.today)?;
    let summary = summary::office_from(conn, fy, month, &settings, now, source)?;
    let charts =
        charts::load_many_cached(conn, renders, &Kind::ALL, fy, month, None, &settings, Some(&summary), now, source)?;
    let filter = Filter { fy: Some(fy.to_string()), status: None, kind: None, bureau: None };
    let alerts = alert_list(conn, who, &filter)?
        .into_iter()
        .filter(|a| a.status != crate::alerts::AlertStatus::Resolved)
        .take(5)
        .collect();
    Ok(OfficeData { summary, charts, alerts, years: years(conn)?, month })
}

pub async fn office(
    state: web::Data<AppState>,
    who: Identity,
    Year(fy): Year,
    PageLang(lang): PageLang,
    q: web::Query<MonthQuery>,
) -> Result<HttpResponse, AppError> {
    let (me, app, when) = (who.clone(), state.clone(), When::of(&state));
    let source = crate::monitoring::routes::source_for(&who, q.source.as_deref())?;
    let d = db::blocking(&state.pool, move |conn| {
        load_office(conn, &app.renders, &me, fy, q.month.as_deref(), when, source)
    })
    .await?;
    let at = At { lang, fy, month: d.month, years: &d.years, today: when.today, source };
    let frame = Frame::new(lang, views::office_title(&at), Some(&who)).switching(views::office_href(
        lang.other(),
        fy,
        d.month.number(),
    ));
    let body = views::office_page(&at, &d.summary, &d.charts, &d.alerts, when.now);
    Ok(respond(StatusCode::OK, page(&frame, body)))
}

fn load_bureau(
    conn: &mut PgConnection,
    renders: &RenderCache,
    visible: &VisibleBureau,
    fy: FiscalYear,
    month: Option<&str>,
    when: When,
    source: queries::Source,
) -> Result<(BureauSummary, Vec<Chart>, Vec<i32>, FiscalMonth), AppError> {
    let now = when.now;
    let b = visible.load(conn)?;
    let settings = queries::require_year_settings(conn, fy)?;
    let month = resolve_month(fy, month, when.today)?;
    let s = summary::bureau_from(conn, fy, month, &settings, &b, now, source)?;
    let kinds = [Kind::SCurve, Kind::Categories];
    let charts = charts::load_many_cached(conn, renders, &kinds, fy, month, Some(&b), &settings, None, now, source)?;
    Ok((s, charts, years(conn)?, month))
}

pub async fn bureau(
    state: web::Data<AppState>,
    who: Identity,
    visible: VisibleBureau,
    Year(fy): Year,
    PageLang(lang): PageLang,
    q: web::Query<MonthQuery>,
) -> Result<HttpResponse, AppError> {
    let (app, when) = (state.clone(), When::of(&state));
    let source = crate::monitoring::routes::source_for(&who, q.source.as_deref())?;
    let (s, charts, years, month) = db::blocking(&state.pool, move |conn| {
        load_bureau(conn, &app.renders, &visible, fy, q.month.as_deref(), when, source)
    })
    .await?;
    let at = At { lang, fy, month, years: &years, today: when.today, source };
    let frame = Frame::new(lang, views::bureau_title(&at, &s), Some(&who)).switching(views::bureau_href(
        lang.other(),
        fy,
        &s.bureau.code,
        month.number(),
    ));
    let body = views::bureau_page(&at, &s, &charts, who.sees_every_bureau(), when.now);
    Ok(respond(StatusCode::OK, page(&frame, body)))
}

fn load_project(
    conn: &mut PgConnection,
    who: &Identity,
    fy: FiscalYear,
    code: &str,
    month: Option<&str>,
    today: NaiveDate,
) -> Result<(ProjectData, Vec<i32>, FiscalMonth), AppError> {
    let (project, bureau) = VisibleProject::load(conn, who, fy, code)?;
    let month = resolve_month(fy, month, today)?;
    let figures = queries::project_rows(conn, fy, month, Some(bureau.id))?
        .into_iter()
        .find(|r| r.project_id == project.id)
        .map(|r| r.figures())
        .ok_or_else(|| AppError::NotFound(format!("there is no project {code:?}")))?;
    let months = data::months(conn, fy, None, Some(project.id))?;
    let chart = charts::s_curve(&SCurveInput {
        fy,
        month,
        scope: format!("{} {}", project.code, project.name_th),
        curve: data::curve(&months, figures.allocation_year_end, Some(month)),
        last_year: None,
        targets: Vec::new(),
    })?;
    Ok((ProjectData { project, bureau, figures, chart, months }, years(conn)?, month))
}

pub async fn project(
    state: web::Data<AppState>,
    who: Identity,
    Year(fy): Year,
    ProjectCode(code): ProjectCode,
    PageLang(lang): PageLang,
    q: web::Query<MonthQuery>,
) -> Result<HttpResponse, AppError> {
    let (me, today) = (who.clone(), state.today());
    let (d, years, month) =
        db::blocking(&state.pool, move |conn| load_project(conn, &me, fy, &code, q.month.as_deref(), today)).await?;
    let at = At { lang, fy, month, years: &years, today, source: queries::Source::Reports };
    let frame = Frame::new(lang, views::project_title(&at, &d.project), Some(&who)).switching(views::project_href(
        lang.other(),
        fy,
        &d.project.code,
        month.number(),
    ));
    Ok(respond(StatusCode::OK, page(&frame, views::project_page(&at, &d))))
}
