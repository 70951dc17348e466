//! Strategy's tools beside the plan page, in the browser and the API: the
//! year's calendar (holidays, each month's due date as moved, locking and
//! reopening months with a reason), re-spreading a project's open months after
//! its allocation changed (previewed first), and a project's economic class.
//! Everyone who sees every bureau reads the calendar; only strategy changes it.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::calendar::{self, HolidayInput, HolidaysInput};
use super::respread::{self, ClassInput, RespreadInput};
use super::routes::write;
use crate::auth::Identity;
use crate::db;
use crate::domain::fiscal::{thai_date, thai_month_label};
use crate::domain::money::format_baht;
use crate::domain::{FiscalMonth, FiscalYear, Role};
use crate::error::{AppError, FieldError};
use crate::i18n::Lang;
use crate::monitoring::routes::parse_year;
use crate::startup::AppState;
use crate::views::{self, html, Markup};

fn page(title: &str, who: &Identity, status: StatusCode, body: Markup) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(views::page(Lang::Th, title, Some(who), body).into_string())
}

fn see_other(to: String) -> HttpResponse {
    HttpResponse::SeeOther().insert_header(("Location", to)).finish()
}

fn month_of(raw: &str) -> Result<FiscalMonth, AppError> {
    raw.parse::<i64>()
        .ok()
        .and_then(|m| FiscalMonth::new(m).ok())
        .ok_or_else(|| AppError::validation(vec![FieldError::new("month", "ไม่ใช่เดือนงบประมาณ 1 (ต.ค.) ถึง 12 (ก.ย.)")]))
}

// ---- the API -------------------------------------------------------------

/// `GET /api/v1/fiscal-years/{fy}/calendar`: holidays and each month's due date.
pub async fn api_calendar(state: web::Data<AppState>, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let fy = parse_year(&path)?;
    let today = state.today();
    let (holidays, months) =
        db::blocking(&state.pool, move |conn| Ok((calendar::holidays(conn, fy)?, calendar::months(conn, fy, today)?)))
            .await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({"fiscal_year": fy.be(), "holidays": holidays, "months": months})))
}

/// `PUT /api/v1/fiscal-years/{fy}/holidays`: the year's holidays, replaced.
pub async fn api_set_holidays(
    state: web::Data<AppState>,
    who: Identity,
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Json<HolidaysInput>,
) -> Result<HttpResponse, AppError> {
    let fy = parse_year(&path)?;
    let input = body.into_inner();
    let list = write(&state, &who, &req, move |conn, actor| calendar::set_holidays(conn, fy, &input, actor)).await?;
    crate::alerts::AfterWrites::request(&state);
    Ok(HttpResponse::Ok().json(serde_json::json!({"fiscal_year": fy.be(), "holidays": list})))
}

/// `POST /api/v1/fiscal-years/{fy}/projects/{code}/respread`.
pub async fn api_respread(
    state: web::Data<AppState>,
    who: Identity,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: web::Json<RespreadInput>,
) -> Result<HttpResponse, AppError> {
    let (year, code) = path.into_inner();
    let fy = parse_year(&year)?;
    let (input, today) = (body.into_inner(), state.today());
    let view =
        write(&state, &who, &req, move |conn, actor| respread::respread(conn, fy, &code, &input, today, actor)).await?;
    if view.stored {
        crate::alerts::AfterWrites::request(&state);
    }
    Ok(HttpResponse::Ok().json(view))
}

/// `PUT /api/v1/fiscal-years/{fy}/projects/{code}/classification`.
pub async fn api_classify(
    state: web::Data<AppState>,
    who: Identity,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: web::Json<ClassInput>,
) -> Result<HttpResponse, AppError> {
    let (year, code) = path.into_inner();
    let fy = parse_year(&year)?;
    let input = body.into_inner();
    let shown = code.clone();
    let class =
        write(&state, &who, &req, move |conn, actor| respread::classify(conn, fy, &code, &input, actor)).await?;
    crate::alerts::AfterWrites::request(&state);
    Ok(HttpResponse::Ok().json(serde_json::json!({"fiscal_year": fy.be(), "code": shown, "economic_class": class})))
}

// ---- the calendar page ---------------------------------------------------

#[derive(Deserialize, Default)]
pub struct Done {
    pub done: Option<String>,
}

#[derive(Deserialize, Default, Clone)]
pub struct HolidayForm {
    #[serde(default)]
    pub day: String,
    #[serde(default)]
    pub name_th: String,
}

#[derive(Deserialize, Default, Clone)]
pub struct ReasonForm {
    #[serde(default)]
    pub reason: String,
}

fn calendar_body(
    fy: FiscalYear,
    who: &Identity,
    holidays: &[calendar::Holiday],
    months: &[calendar::MonthDue],
    notice: Option<&str>,
    errors: &[FieldError],
    form: &HolidayForm,
) -> Markup {
    let strategy = who.has(Role::Strategy);
    html! {
        @if let Some(n) = notice { (views::notice(n)) }
        (views::errors("ยังบันทึกไม่ได้ กรุณาแก้ไข:", errors))
        p { a href={ "/plan/" (fy) } { "กลับไปหน้าแผนปฏิบัติการ" } }
        table {
            caption { "กำหนดส่งรายงานและการปิดเดือน" }
            thead { tr {
                th scope="col" { "เดือน" } th scope="col" { "กำหนดส่ง" } th scope="col" { "สถานะ" }
                @if strategy { th scope="col" { "ดำเนินการ" } }
            } }
            tbody {
                @for m in months {
                    @let fm = FiscalMonth::new(m.month as i64).expect("a fiscal month");
                    tr {
                        th scope="row" { (thai_month_label(fy, fm)) }
                        td {
                            (thai_date(m.due_on))
                            @if m.moved { " (เลื่อนจาก " (thai_date(m.nominal)) " เพราะตรงกับวันหยุด)" }
                        }
                        td {
                            @if m.locked { "ปิดแล้ว" } @else if m.ended { "เปิดรับรายงาน" } @else { "ยังไม่สิ้นเดือน" }
                        }
                        @if strategy {
                            td {
                                @if m.locked {
                                    form.inline method="post" action={ "/plan/" (fy) "/months/" (m.month) "/reopen" } {
                                        (views::csrf(who))
                                        label for={ "reason-" (m.month) } { "เหตุผลที่เปิด " }
                                        input id={ "reason-" (m.month) } name="reason" required maxlength="2000";
                                        " " button.secondary type="submit" { "เปิดเดือน" }
                                    }
                                } @else if m.ended {
                                    form.inline method="post" action={ "/plan/" (fy) "/months/" (m.month) "/lock" } {
                                        (views::csrf(who))
                                        button.secondary type="submit" aria-label={ "ปิดเดือน " (thai_month_label(fy, fm)) } { "ปิดเดือน" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        table {
            caption { "วันหยุดราชการ ปีงบประมาณ พ.ศ. " (fy) }
            thead { tr {
                th scope="col" { "วันที่" } th scope="col" { "วันหยุด" }
                @if strategy { th scope="col" { "ดำเนินการ" } }
            } }
            tbody {
                @if holidays.is_empty() { tr { td colspan="3" { "ยังไม่มีวันหยุดในปีนี้" } } }
                @for h in holidays {
                    tr {
                        th scope="row" { (thai_date(h.day)) }
                        td { (h.name_th) }
                        @if strategy {
                            td {
                                form.inline method="post" action={ "/plan/" (fy) "/holidays/" (h.day) "/delete" } {
                                    (views::csrf(who))
                                    button.secondary type="submit" aria-label={ "ลบวันหยุด " (thai_date(h.day)) } { "ลบ" }
                                }
                            }
                        }
                    }
                }
            }
        }
        @if strategy {
            section aria-labelledby="holiday-h" {
                h2 id="holiday-h" { "เพิ่มวันหยุด" }
                form.stacked method="post" action={ "/plan/" (fy) "/holidays" } {
                    (views::csrf(who))
                    p {
                        label for="day" { "วันที่" }
                        input id="day" name="day" type="date" required value=(form.day)
                            min=(fy.start()) max=(fy.end());
                    }
                    p {
                        label for="name_th" { "ชื่อวันหยุด" }
                        input id="name_th" name="name_th" required maxlength="200" value=(form.name_th);
                    }
                    p { button type="submit" { "เพิ่มวันหยุด" } }
                }
            }
        }
    }
}

async fn calendar_answer(
    state: &AppState,
    who: Identity,
    fy: FiscalYear,
    status: StatusCode,
    notice: Option<&str>,
    errors: &[FieldError],
    form: &HolidayForm,
) -> Result<HttpResponse, AppError> {
    let today = state.today();
    let (holidays, months) =
        db::blocking(&state.pool, move |conn| Ok((calendar::holidays(conn, fy)?, calendar::months(conn, fy, today)?)))
            .await?;
    let body = calendar_body(fy, &who, &holidays, &months, notice, errors, form);
    Ok(page(&format!("ปฏิทินและการปิดเดือน ปีงบประมาณ พ.ศ. {fy}"), &who, status, body))
}

pub async fn calendar_page(
    state: web::Data<AppState>,
    who: Identity,
    path: web::Path<String>,
    q: web::Query<Done>,
) -> Result<HttpResponse, AppError> {
    let fy = parse_year(&path)?;
    let notice = match q.done.as_deref() {
        Some("holiday") => Some("บันทึกวันหยุดแล้ว"),
        Some("lock") => Some("ปิดเดือนแล้ว: ไม่รับการแก้ไขรายงานของเดือนนั้นอีก"),
        Some("reopen") => Some("เปิดเดือนแล้ว"),
        _ => None,
    };
    calendar_answer(&state, who, fy, StatusCode::OK, notice, &[], &HolidayForm::default()).await
}

/// A write from the calendar page: on success back to the page; a refusal the
/// page can show comes back with the page, its fields named.
async fn calendar_write<F>(
    state: web::Data<AppState>,
    who: Identity,
    req: HttpRequest,
    fy: FiscalYear,
    form: HolidayForm,
    done: &str,
    f: F,
) -> Result<HttpResponse, AppError>
where
    F: FnOnce(&mut diesel::PgConnection, crate::audit::Actor<'_>) -> Result<(), AppError> + Send + 'static,
{
    match write(&state, &who, &req, move |conn, actor| Ok(f(conn, actor))).await? {
        Ok(()) => {
            crate::alerts::AfterWrites::request(&state);
            Ok(see_other(format!("/plan/{fy}/calendar?done={done}")))
        }
        Err(e @ (AppError::Validation { .. } | AppError::Conflict(_))) => {
            let status = e.status_code_for_page();
            let details = match e {
                AppError::Validation { details, .. } => details,
                other => vec![FieldError::new("month", other.to_string())],
            };
            calendar_answer(&state, who, fy, status, None, &details, &form).await
        }
        Err(e) => Err(e),
    }
}

pub async fn add_holiday(
    state: web::Data<AppState>,
    who: Identity,
    req: HttpRequest,
    path: web::Path<String>,
    form: web::Form<HolidayForm>,
) -> Result<HttpResponse, AppError> {
    let fy = parse_year(&path)?;
    let form = form.into_inner();
    let input = HolidayInput { day: form.day.clone(), name_th: form.name_th.clone(), name_en: String::new() };
    calendar_write(state, who, req, fy, form, "holiday", move |conn, actor| {
        calendar::add_holiday(conn, fy, &input, actor)
    })
    .await
}

pub async fn remove_holiday(
    state: web::Data<AppState>,
    who: Identity,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (year, day) = path.into_inner();
    let fy = parse_year(&year)?;
    let day = chrono::NaiveDate::parse_from_str(&day, "%Y-%m-%d")
        .map_err(|_| AppError::NotFound(format!("{:?} is not a date", day.chars().take(20).collect::<String>())))?;
    calendar_write(state, who, req, fy, HolidayForm::default(), "holiday", move |conn, actor| {
        calendar::remove_holiday(conn, fy, day, actor)
    })
    .await
}

pub async fn lock_month(
    state: web::Data<AppState>,
    who: Identity,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (year, month) = path.into_inner();
    let (fy, m) = (parse_year(&year)?, month_of(&month)?);
    calendar_write(state, who, req, fy, HolidayForm::default(), "lock", move |conn, actor| {
        crate::reports::set_lock(conn, fy, m, true, "", actor)
    })
    .await
}

pub async fn reopen_month(
    state: web::Data<AppState>,
    who: Identity,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    form: web::Form<ReasonForm>,
) -> Result<HttpResponse, AppError> {
    let (year, month) = path.into_inner();
    let (fy, m) = (parse_year(&year)?, month_of(&month)?);
    let reason = form.into_inner().reason;
    calendar_write(state, who, req, fy, HolidayForm::default(), "reopen", move |conn, actor| {
        crate::reports::set_lock(conn, fy, m, false, &reason, actor)
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

fn respread_body(who: &Identity, v: &respread::Respread) -> Markup {
    let fy = FiscalYear::new(v.fiscal_year as i64).expect("a stored year");
    html! {
        p {
            "โครงการ " strong { (v.code) } " งบประมาณ ณ สิ้นปี " (format_baht(v.allocation)) " บาท · "
            "กระจายเดือนที่ยังไม่สิ้นสุด (ตั้งแต่เดือนที่ " (v.first_month) ") "
            @match v.method { crate::domain::plan::Spread::Proportional => "ตามสัดส่วนแผนเดิม", crate::domain::plan::Spread::Evenly => "เท่ากันทุกเดือน" }
        }
        table {
            caption { "แผนรายเดือน ก่อนและหลังการกระจาย (บาท)" }
            thead { tr { th scope="col" { "เดือน" } th scope="col" { "แผนเดิม" } th scope="col" { "แผนใหม่" } } }
            tbody {
                @for (i, (b, a)) in v.before.iter().zip(&v.after).enumerate() {
                    @let m = FiscalMonth::new(i as i64 + 1).expect("a fiscal month");
                    tr { th scope="row" { (thai_month_label(fy, m)) } td.num { (b) } td.num { (a) } }
                }
            }
        }
        @if v.stored {
            (views::notice("บันทึกแผนใหม่แล้ว"))
            p { a href={ "/plan/" (fy) } { "กลับไปหน้าแผนปฏิบัติการ" } }
        } @else {
            form method="post" action={ "/plan/" (fy) "/projects/" (v.code) "/respread" } {
                (views::csrf(who))
                input type="hidden" name="method" value=(match v.method { crate::domain::plan::Spread::Proportional => "proportional", crate::domain::plan::Spread::Evenly => "even" });
                button type="submit" { "ยืนยันและบันทึกแผนใหม่" }
                " " a href={ "/plan/" (fy) } { "ยกเลิก" }
            }
        }
    }
}

pub async fn respread_form(
    state: web::Data<AppState>,
    who: Identity,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    form: web::Form<RespreadForm>,
) -> Result<HttpResponse, AppError> {
    let (year, code) = path.into_inner();
    let fy = parse_year(&year)?;
    let form = form.into_inner();
    let input = RespreadInput { method: Some(form.method.clone()), preview: form.preview == "1" };
    let today = state.today();
    let view =
        write(&state, &who, &req, move |conn, actor| respread::respread(conn, fy, &code, &input, today, actor)).await?;
    if view.stored {
        crate::alerts::AfterWrites::request(&state);
    }
    let title = if view.stored {
        "กระจายแผนใหม่แล้ว"
    } else {
        "ตรวจดูก่อนกระจายแผนใหม่"
    };
    Ok(page(title, &who, StatusCode::OK, respread_body(&who, &view)))
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
    who: Identity,
    req: HttpRequest,
    path: web::Path<String>,
    form: web::Form<ClassForm>,
) -> Result<HttpResponse, AppError> {
    let fy = parse_year(&path)?;
    let form = form.into_inner();
    let code = form.project.trim().to_string();
    let input = ClassInput { economic_class: form.economic_class };
    write(&state, &who, &req, move |conn, actor| respread::classify(conn, fy, &code, &input, actor)).await?;
    crate::alerts::AfterWrites::request(&state);
    Ok(see_other(format!("/plan/{fy}?done=classified")))
}

/// The plan page's sections for these tools (strategy only): projects whose
/// months and allocation differ, each with a re-spread form; the class form.
pub fn plan_sections(fy: FiscalYear, who: &Identity, unbalanced: &[respread::Unbalanced]) -> Markup {
    html! {
        p { a href={ "/plan/" (fy) "/calendar" } { "ปฏิทิน วันหยุด กำหนดส่งรายงาน และการปิดเดือน" } }
        @if who.has(Role::Strategy) {
            section aria-labelledby="unbalanced-h" {
                h2 id="unbalanced-h" { "โครงการที่แผนรายเดือนไม่เท่างบประมาณ" }
                @if unbalanced.is_empty() {
                    p { "แผนรายเดือนของทุกโครงการรวมได้เท่างบประมาณ ณ สิ้นปี" }
                } @else {
                    table {
                        caption { "แผน 12 เดือนไม่เท่างบประมาณหลังปรับปรุง (บาท)" }
                        thead { tr {
                            th scope="col" { "โครงการ" } th scope="col" { "งบประมาณ ณ สิ้นปี" }
                            th scope="col" { "แผน 12 เดือน" } th scope="col" { "กระจายเดือนที่เหลือใหม่" }
                        } }
                        tbody {
                            @for u in unbalanced {
                                tr {
                                    th scope="row" { (u.bureau) " " (u.code) " " (u.name_th) }
                                    td.num { (format_baht(u.allocation)) }
                                    td.num { (format_baht(u.planned)) }
                                    td {
                                        form.inline method="post" action={ "/plan/" (fy) "/projects/" (u.code) "/respread" } {
                                            (views::csrf(who))
                                            input type="hidden" name="preview" value="1";
                                            label for={ "method-" (u.code) } { "วิธี " }
                                            select id={ "method-" (u.code) } name="method" {
                                                option value="proportional" { "ตามสัดส่วนแผนเดิม" }
                                                option value="even" { "เท่ากันทุกเดือน" }
                                            }
                                            " " button.secondary type="submit" { "ดูตัวอย่าง" }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            section aria-labelledby="class-h" {
                h2 id="class-h" { "การจัดประเภทรายจ่าย (ประจำ/ลงทุน)" }
                p { "งบลงทุนเป็นรายจ่ายลงทุนโดยอัตโนมัติ เปลี่ยนได้ เช่น เงินอุดหนุนที่เป็นรายจ่ายลงทุน" }
                form.stacked method="post" action={ "/plan/" (fy) "/classification" } {
                    (views::csrf(who))
                    p { label for="class-project" { "โครงการ" } input id="class-project" name="project" list="project-codes" required; }
                    p {
                        label for="economic_class" { "ประเภทรายจ่าย" }
                        select id="economic_class" name="economic_class" {
                            option value="current" { "รายจ่ายประจำ" }
                            option value="capital" { "รายจ่ายลงทุน" }
                        }
                    }
                    p { button type="submit" { "บันทึกการจัดประเภท" } }
                }
            }
        }
    }
}
