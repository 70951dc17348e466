//! Strategy's tools beside the plan page, in the browser and the API: the
//! year's calendar (holidays, each month's due date as moved, locking and
//! reopening months with a reason), re-spreading a project's open months after
//! its allocation changed (previewed first), and a project's economic class.
//! Everyone who sees every bureau reads the calendar; only strategy changes it.
//! The markup is in `views`.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::calendar::{self, HolidayInput, HolidaysInput};
use super::respread::{self, ClassInput, RespreadInput};
use super::views::{self, CalendarData, CalendarState, HolidayForm};
use crate::audit::Actor;
use crate::auth::Identity;
use crate::db;
use crate::domain::FiscalYear;
use crate::error::{AppError, FieldError};
use crate::http::{AppState, PageLang, ProjectCode, Writer, Year, YearMonth};
use crate::i18n::Lang;
use crate::views::{page, respond, see_other, Frame};

async fn calendar_data(state: &AppState, fy: FiscalYear) -> Result<CalendarData, AppError> {
    let today = state.today();
    db::blocking(&state.pool, move |conn| {
        Ok(CalendarData { holidays: calendar::holidays(conn, fy)?, months: calendar::months(conn, fy, today)? })
    })
    .await
}

// ---- the API -------------------------------------------------------------

/// `GET /api/v1/fiscal-years/{fy}/calendar`: holidays and each month's due date.
pub async fn api_calendar(state: web::Data<AppState>, Year(fy): Year) -> Result<HttpResponse, AppError> {
    let data = calendar_data(&state, fy).await?;
    Ok(HttpResponse::Ok()
        .json(serde_json::json!({"fiscal_year": fy.be(), "holidays": data.holidays, "months": data.months})))
}

/// `PUT /api/v1/fiscal-years/{fy}/holidays`: the year's holidays, replaced.
pub async fn api_set_holidays(
    state: web::Data<AppState>,
    writer: Writer,
    Year(fy): Year,
    body: web::Json<HolidaysInput>,
) -> Result<HttpResponse, AppError> {
    let input = body.into_inner();
    let list = writer.write(&state.pool, move |conn, actor| calendar::set_holidays(conn, fy, &input, actor)).await?;
    state.after_writes.request();
    Ok(HttpResponse::Ok().json(serde_json::json!({"fiscal_year": fy.be(), "holidays": list})))
}

/// `POST /api/v1/fiscal-years/{fy}/projects/{code}/respread`.
pub async fn api_respread(
    state: web::Data<AppState>,
    writer: Writer,
    Year(fy): Year,
    ProjectCode(code): ProjectCode,
    body: web::Json<RespreadInput>,
) -> Result<HttpResponse, AppError> {
    let (input, today) = (body.into_inner(), state.today());
    let view =
        writer.write(&state.pool, move |conn, actor| respread::respread(conn, fy, &code, &input, today, actor)).await?;
    if view.stored {
        state.after_writes.request();
    }
    Ok(HttpResponse::Ok().json(view))
}

/// `PUT /api/v1/fiscal-years/{fy}/projects/{code}/classification`.
pub async fn api_classify(
    state: web::Data<AppState>,
    writer: Writer,
    Year(fy): Year,
    ProjectCode(code): ProjectCode,
    body: web::Json<ClassInput>,
) -> Result<HttpResponse, AppError> {
    let input = body.into_inner();
    let shown = code.clone();
    let class =
        writer.write(&state.pool, move |conn, actor| respread::classify(conn, fy, &code, &input, actor)).await?;
    state.after_writes.request();
    Ok(HttpResponse::Ok().json(serde_json::json!({"fiscal_year": fy.be(), "code": shown, "economic_class": class})))
}

// ---- the calendar page ---------------------------------------------------

#[derive(Deserialize, Default)]
pub struct Done {
    pub done: Option<String>,
}

#[derive(Deserialize, Default, Clone)]
pub struct ReasonForm {
    #[serde(default)]
    pub reason: String,
}

async fn calendar_answer(
    state: &AppState,
    (lang, who, fy): (Lang, &Identity, FiscalYear),
    status: StatusCode,
    st: CalendarState<'_>,
) -> Result<HttpResponse, AppError> {
    let data = calendar_data(state, fy).await?;
    let frame = Frame::new(lang, lang.f("calendar.title", &[("fy", &fy)]), Some(who))
        .switching(format!("/plan/{fy}/calendar{}", lang.other().query(true)));
    Ok(respond(status, page(&frame, views::calendar_page(lang, fy, who, &data, &st))))
}

pub async fn calendar_page(
    state: web::Data<AppState>,
    who: Identity,
    Year(fy): Year,
    PageLang(lang): PageLang,
    q: web::Query<Done>,
) -> Result<HttpResponse, AppError> {
    let notice = match q.done.as_deref() {
        Some("holiday") => Some(lang.t("calendar.done.holiday")),
        Some("lock") => Some(lang.t("calendar.done.lock")),
        Some("reopen") => Some(lang.t("calendar.done.reopen")),
        _ => None,
    };
    calendar_answer(&state, (lang, &who, fy), StatusCode::OK, CalendarState { notice, ..Default::default() }).await
}

/// A write from the calendar page: on success back to the page; a refusal the
/// page can show comes back with the page, its fields named.
async fn calendar_write<F>(
    state: web::Data<AppState>,
    writer: Writer,
    (lang, fy): (Lang, FiscalYear),
    form: HolidayForm,
    done: &str,
    f: F,
) -> Result<HttpResponse, AppError>
where
    F: FnOnce(&mut diesel::PgConnection, Actor<'_>) -> Result<(), AppError> + Send + 'static,
{
    match writer.write(&state.pool, move |conn, actor| Ok(f(conn, actor))).await? {
        Ok(()) => {
            state.after_writes.request();
            Ok(see_other(&format!("/plan/{fy}/calendar?done={done}{}", lang.query(false))))
        }
        Err(e @ (AppError::Validation { .. } | AppError::Conflict(_))) => {
            let status = e.status_code_for_page();
            let details = match e {
                AppError::Validation { details, .. } => details,
                other => vec![FieldError::new("month", other.to_string())],
            };
            calendar_answer(
                &state,
                (lang, &writer.who, fy),
                status,
                CalendarState { notice: None, errors: &details, form },
            )
            .await
        }
        Err(e) => Err(e),
    }
}

pub async fn add_holiday(
    state: web::Data<AppState>,
    writer: Writer,
    Year(fy): Year,
    PageLang(lang): PageLang,
    form: web::Form<HolidayForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let input = HolidayInput { day: form.day.clone(), name_th: form.name_th.clone(), name_en: String::new() };
    calendar_write(state, writer, (lang, fy), form, "holiday", move |conn, actor| {
        calendar::add_holiday(conn, fy, &input, actor)
    })
    .await
}

pub async fn remove_holiday(
    state: web::Data<AppState>,
    writer: Writer,
    Year(fy): Year,
    PageLang(lang): PageLang,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let day = &path.1;
    let day = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d")
        .map_err(|_| AppError::NotFound(format!("{:?} is not a date", day.chars().take(20).collect::<String>())))?;
    calendar_write(state, writer, (lang, fy), HolidayForm::default(), "holiday", move |conn, actor| {
        calendar::remove_holiday(conn, fy, day, actor)
    })
    .await
}

pub async fn lock_month(
    state: web::Data<AppState>,
    writer: Writer,
    at: YearMonth,
    PageLang(lang): PageLang,
) -> Result<HttpResponse, AppError> {
    let YearMonth { fy, month } = at;
    calendar_write(state, writer, (lang, fy), HolidayForm::default(), "lock", move |conn, actor| {
        crate::reports::set_lock(conn, fy, month, true, "", actor)
    })
    .await
}

pub async fn reopen_month(
    state: web::Data<AppState>,
    writer: Writer,
    at: YearMonth,
    PageLang(lang): PageLang,
    form: web::Form<ReasonForm>,
) -> Result<HttpResponse, AppError> {
    let (YearMonth { fy, month }, reason) = (at, form.into_inner().reason);
    calendar_write(state, writer, (lang, fy), HolidayForm::default(), "reopen", move |conn, actor| {
        crate::reports::set_lock(conn, fy, month, false, &reason, actor)
    })
    .await
}

// ---- re-spreading and classifying from the plan page ----------------------

#[derive(Deserialize, Default)]
pub struct RespreadForm {
    #[serde(default)]
    pub method: String,
    /// `1`: show the preview; anything else: store.
    #[serde(default)]
    pub preview: String,
}

pub async fn respread_form(
    state: web::Data<AppState>,
    writer: Writer,
    Year(fy): Year,
    ProjectCode(code): ProjectCode,
    PageLang(lang): PageLang,
    form: web::Form<RespreadForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let input = RespreadInput { method: Some(form.method.clone()), preview: form.preview == "1" };
    let today = state.today();
    let view =
        writer.write(&state.pool, move |conn, actor| respread::respread(conn, fy, &code, &input, today, actor)).await?;
    if view.stored {
        state.after_writes.request();
    }
    let title = lang.t(if view.stored { "respread.title_stored" } else { "respread.title_preview" });
    let frame = Frame::new(lang, title, Some(&writer.who));
    Ok(respond(StatusCode::OK, page(&frame, views::respread_page(lang, &writer.who, &view))))
}

#[derive(Deserialize, Default)]
pub struct ClassForm {
    #[serde(default)]
    pub project: String,
    #[serde(default)]
    pub economic_class: String,
}

pub async fn classify_form(
    state: web::Data<AppState>,
    writer: Writer,
    Year(fy): Year,
    PageLang(lang): PageLang,
    form: web::Form<ClassForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let code = form.project.trim().to_string();
    let input = ClassInput { economic_class: form.economic_class };
    writer.write(&state.pool, move |conn, actor| respread::classify(conn, fy, &code, &input, actor)).await?;
    state.after_writes.request();
    Ok(see_other(&format!("/plan/{fy}?done=classified{}", lang.query(false))))
}
