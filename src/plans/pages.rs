//! The Policy and Strategy Bureau's page for a year's action plan: projects by
//! bureau with their allocation in force, the adjustments so far, a form to add a
//! transfer, cut or addition, and the plan workbook to download and upload. Others
//! who see every bureau read the same page without the forms.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::routes::write;
use super::{AdjustmentInput, AdjustmentView};
use crate::auth::{Identity, CSRF_FIELD};
use crate::db;
use crate::domain::money::{format_baht, RawAmount};
use crate::domain::{Category, FiscalYear, Role};
use crate::error::{AppError, FieldError};
use crate::monitoring::routes::parse_year;
use crate::pages::{escape, layout};
use crate::startup::AppState;

#[derive(Deserialize, Default, Clone)]
pub struct AdjustmentForm {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub project: String,
    #[serde(default)]
    pub from_project: String,
    #[serde(default)]
    pub amount: String,
    #[serde(default)]
    pub effective_on: String,
    #[serde(default)]
    pub reason: String,
}

struct View {
    year: super::YearView,
    projects: Vec<(String, String, String, String, rust_decimal::Decimal)>,
    classes: Vec<String>,
    adjustments: Vec<AdjustmentView>,
    unbalanced: Vec<super::respread::Unbalanced>,
}

fn load(conn: &mut diesel::PgConnection, fy: FiscalYear) -> Result<View, AppError> {
    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct P {
        #[diesel(sql_type = diesel::sql_types::Text)]
        bureau: String,
        #[diesel(sql_type = diesel::sql_types::Text)]
        code: String,
        #[diesel(sql_type = diesel::sql_types::Text)]
        name_th: String,
        #[diesel(sql_type = diesel::sql_types::Text)]
        category: String,
        #[diesel(sql_type = diesel::sql_types::Numeric)]
        allocation: rust_decimal::Decimal,
        #[diesel(sql_type = diesel::sql_types::Text)]
        economic_class: String,
    }
    let year = super::year(conn, fy)?;
    let rows: Vec<P> = diesel::sql_query(
        "SELECT b.code AS bureau, p.code, p.name_th, p.category,
                p.allocation + coalesce(a.total, 0) AS allocation, p.economic_class
         FROM projects p JOIN bureaus b ON b.id = p.bureau_id
         LEFT JOIN (SELECT project_id, sum(amount) AS total FROM allocation_adjustments GROUP BY project_id) a
                ON a.project_id = p.id
         WHERE p.fiscal_year = $1 ORDER BY b.code, p.code",
    )
    .bind::<diesel::sql_types::Int4, _>(fy.be())
    .load(conn)?;
    Ok(View {
        year,
        classes: rows.iter().map(|p| p.economic_class.clone()).collect(),
        projects: rows.into_iter().map(|p| (p.bureau, p.code, p.name_th, p.category, p.allocation)).collect(),
        adjustments: super::adjustments(conn, fy)?,
        unbalanced: super::respread::unbalanced(conn, fy)?,
    })
}

fn kind_th(kind: &str) -> &'static str {
    match kind {
        "transfer_in" => "รับโอน",
        "transfer_out" => "โอนออก",
        "cut" => "ปรับลด",
        "addition" => "เพิ่มเติม",
        _ => "อื่น ๆ",
    }
}

fn field_error<'a>(errors: &'a [FieldError], field: &str) -> Option<&'a FieldError> {
    errors.iter().find(|e| e.field == field)
}

/// One labelled input with its error (linked by `aria-describedby`).
fn input(name: &str, label: &str, value: &str, kind: &str, errors: &[FieldError], extra: &str) -> String {
    let error = field_error(errors, name);
    let (invalid, described, message) = match error {
        Some(e) => (
            " aria-invalid=\"true\"",
            format!(" aria-describedby=\"{name}-error\""),
            format!("<span class=\"field-error\" id=\"{name}-error\">{}</span>", escape(&e.message)),
        ),
        None => ("", String::new(), String::new()),
    };
    format!(
        "<p><label for=\"{name}\">{label}</label><input id=\"{name}\" name=\"{name}\" type=\"{kind}\" value=\"{}\"{invalid}{described}{extra}>{message}</p>",
        escape(value)
    )
}

#[derive(Deserialize, Default, Clone)]
pub struct SettingsForm {
    #[serde(default)]
    pub due_day: String,
    #[serde(default)]
    pub warn_lag_pp: String,
    #[serde(default)]
    pub critical_lag_pp: String,
    #[serde(default)]
    pub ledger_tolerance_pct: String,
    #[serde(default)]
    pub plan_published: Option<String>,
    #[serde(default)]
    pub level_1: String,
    #[serde(default)]
    pub level_2: String,
    #[serde(default)]
    pub level_3: String,
    #[serde(default)]
    pub level_4: String,
    #[serde(default)]
    pub level_5: String,
    /// `q1_overall` … `q4_capital`, in a flat map since forms are flat.
    #[serde(flatten)]
    pub targets: std::collections::BTreeMap<String, String>,
}

impl SettingsForm {
    fn from_year(y: &super::YearView) -> SettingsForm {
        let level = |i: usize| y.kpi_levels.get(i).cloned().unwrap_or_default();
        let mut targets = std::collections::BTreeMap::new();
        for t in &y.cabinet_targets {
            targets.insert(format!("q{}_{}", t.quarter, t.scope), crate::domain::money::fixed2(t.target_pct));
        }
        SettingsForm {
            due_day: y.due_day.to_string(),
            warn_lag_pp: crate::domain::money::fixed2(y.warn_lag_pp),
            critical_lag_pp: crate::domain::money::fixed2(y.critical_lag_pp),
            ledger_tolerance_pct: crate::domain::money::fixed2(y.ledger_tolerance_pct),
            plan_published: y.plan_published.then(|| "on".to_string()),
            level_1: level(0),
            level_2: level(1),
            level_3: level(2),
            level_4: level(3),
            level_5: level(4),
            targets,
        }
    }
}

fn settings_section(fy: FiscalYear, csrf: &str, f: &SettingsForm, errors: &[FieldError]) -> String {
    let levels = [&f.level_1, &f.level_2, &f.level_3, &f.level_4, &f.level_5];
    let mut level_inputs = String::new();
    for (i, v) in levels.iter().enumerate() {
        level_inputs.push_str(&input(
            &format!("level_{}", i + 1),
            &format!("ระดับ {}", i + 1),
            v,
            "text",
            errors,
            " inputmode=\"decimal\"",
        ));
    }
    let mut target_rows = String::new();
    for q in 1..=4 {
        target_rows.push_str(&format!("<tr><th scope=\"row\">ไตรมาส {q}</th>"));
        for scope in ["overall", "current", "capital"] {
            let name = format!("q{q}_{scope}");
            let value = f.targets.get(&name).map(String::as_str).unwrap_or("");
            let invalid = if field_error(errors, &name).is_some() { " aria-invalid=\"true\"" } else { "" };
            target_rows.push_str(&format!(
                "<td><input id=\"{name}\" name=\"{name}\" value=\"{}\" inputmode=\"decimal\" aria-label=\"ไตรมาส {q} {scope}\"{invalid}></td>",
                escape(value)
            ));
        }
        target_rows.push_str("</tr>");
    }
    let checked = if f.plan_published.is_some() { " checked" } else { "" };
    format!(
        "<section aria-labelledby=\"settings-h\"><h2 id=\"settings-h\">ค่ากำหนดของปีงบประมาณ</h2>\
         <form method=\"post\" action=\"/plan/{fy}/settings\" class=\"stacked\">\
         <input type=\"hidden\" name=\"{CSRF_FIELD}\" value=\"{}\">{}{}{}{}\
         <p><label><input type=\"checkbox\" name=\"plan_published\"{checked}> เผยแพร่แผนการใช้จ่ายต่อสาธารณะ</label></p>\
         <fieldset><legend>เกณฑ์ตัวชี้วัด: ร้อยละการเบิกจ่ายและก่อหนี้ผูกพัน ณ สิ้นปี</legend>{level_inputs}</fieldset>\
         <table><caption>เป้าหมายการเบิกจ่ายสะสมของคณะรัฐมนตรี (ร้อยละ)</caption><thead><tr><td></td>\
         <th scope=\"col\">ภาพรวม</th><th scope=\"col\">รายจ่ายประจำ</th><th scope=\"col\">รายจ่ายลงทุน</th></tr></thead>\
         <tbody>{target_rows}</tbody></table>\
         <p><button type=\"submit\">บันทึกค่ากำหนด</button></p></form>\
         <form method=\"post\" action=\"/fiscal-years/new\"><input type=\"hidden\" name=\"{CSRF_FIELD}\" value=\"{}\">\
         <input type=\"hidden\" name=\"fiscal_year\" value=\"{}\"><p><button type=\"submit\">สร้างปีงบประมาณ พ.ศ. {} \
         (คัดลอกค่ากำหนดจากปีนี้)</button></p></form></section>",
        escape(csrf),
        input("due_day", "วันครบกำหนดส่งรายงาน (วันที่ของเดือนถัดไป)", &f.due_day, "text", errors, " inputmode=\"numeric\""),
        input("warn_lag_pp", "ล่าช้ากว่าแผน: ระดับเตือน (จุด)", &f.warn_lag_pp, "text", errors, " inputmode=\"decimal\""),
        input(
            "critical_lag_pp",
            "ล่าช้ากว่าแผน: ระดับวิกฤต (จุด)",
            &f.critical_lag_pp,
            "text",
            errors,
            " inputmode=\"decimal\""
        ),
        input(
            "ledger_tolerance_pct",
            "ความคลาดเคลื่อนที่ยอมรับได้กับบัญชีคุมการเบิกจ่าย (ร้อยละ)",
            &f.ledger_tolerance_pct,
            "text",
            errors,
            " inputmode=\"decimal\""
        ),
        escape(csrf),
        fy.be() + 1,
        fy.be() + 1
    )
}

/// Suggestions for the project fields: every code with its bureau and name.
fn datalist(view: &View) -> String {
    let options: String = view
        .projects
        .iter()
        .map(|(bureau, code, name, _, _)| {
            format!("<option value=\"{}\">{} · {}</option>", escape(code), escape(bureau), escape(name))
        })
        .collect();
    format!("<datalist id=\"project-codes\">{options}</datalist>")
}

fn render(
    fy: FiscalYear,
    who: &Identity,
    view: &View,
    form: &AdjustmentForm,
    settings: Option<&SettingsForm>,
    errors: &[FieldError],
    notice: Option<&str>,
) -> String {
    let mut body = String::new();
    if let Some(n) = notice {
        body.push_str(&format!("<div class=\"notice\" role=\"status\"><p>{}</p></div>", escape(n)));
    }
    if !errors.is_empty() {
        body.push_str(
            "<div class=\"errors\" role=\"alert\" tabindex=\"-1\" id=\"errors\"><p>ยังบันทึกไม่ได้ กรุณาแก้ไข:</p><ul>",
        );
        for e in errors {
            let anchor =
                if e.field.starts_with("row ") { String::new() } else { format!(" href=\"#{}\"", escape(&e.field)) };
            body.push_str(&format!("<li><a{anchor}>{}</a>: {}</li>", escape(&e.field), escape(&e.message)));
        }
        body.push_str("</ul></div>");
    }
    let total: rust_decimal::Decimal = view.projects.iter().map(|p| p.4).sum();
    body.push_str(&format!(
        "<p>งบประมาณตามแผนปฏิบัติการ ปีงบประมาณ พ.ศ. {fy} รวม <strong>{}</strong> บาท ({} โครงการ/กิจกรรม) · \
         <a href=\"/api/v1/fiscal-years/{fy}/plan.xlsx\">ดาวน์โหลดแผนทั้งปี (.xlsx)</a></p>",
        format_baht(total),
        view.projects.len()
    ));
    if who.has(Role::Strategy) {
        let csrf = escape(who.csrf.as_deref().unwrap_or(""));
        let selected = |k: &str| if form.kind == k { " selected" } else { "" };
        body.push_str(&format!(
            "<section aria-labelledby=\"adjust-h\"><h2 id=\"adjust-h\">ปรับปรุงงบประมาณ (โอน ลด เพิ่ม)</h2>\
             <form method=\"post\" action=\"/plan/{fy}/adjustments\" class=\"stacked\">\
             <input type=\"hidden\" name=\"{CSRF_FIELD}\" value=\"{csrf}\">\
             <p><label for=\"kind\">ประเภท</label><select id=\"kind\" name=\"kind\">\
             <option value=\"transfer\"{}>โอนระหว่างโครงการ</option><option value=\"cut\"{}>ปรับลด</option>\
             <option value=\"addition\"{}>เพิ่มเติม</option></select></p>{}{}{}{}{}\
             <p><button type=\"submit\">บันทึกการปรับปรุง</button></p>{}</form></section>",
            selected("transfer"),
            selected("cut"),
            selected("addition"),
            input(
                "from_project",
                "โอนจากโครงการ (เฉพาะการโอน)",
                &form.from_project,
                "text",
                errors,
                " list=\"project-codes\""
            ),
            input(
                "project",
                "โครงการ (ที่รับโอน / ปรับลด / เพิ่มเติม)",
                &form.project,
                "text",
                errors,
                " list=\"project-codes\" required"
            ),
            input("amount", "จำนวนเงิน (บาท)", &form.amount, "text", errors, " inputmode=\"decimal\" required"),
            input("effective_on", "มีผลตั้งแต่วันที่", &form.effective_on, "date", errors, " required"),
            input("reason", "เหตุผล", &form.reason, "text", errors, " required"),
            datalist(view),
        ));
        body.push_str(&format!(
            "<section aria-labelledby=\"upload-h\"><h2 id=\"upload-h\">นำเข้าแผนทั้งปีจากไฟล์ Excel</h2>\
             <form method=\"post\" action=\"/plan/{fy}/upload\" enctype=\"multipart/form-data\" class=\"stacked\">\
             <input type=\"hidden\" name=\"{CSRF_FIELD}\" value=\"{csrf}\">\
             <p><label for=\"file\">ไฟล์ .xlsx ตามแบบที่ดาวน์โหลด</label><input id=\"file\" name=\"file\" type=\"file\" \
             accept=\".xlsx\" required></p><p><button type=\"submit\">นำเข้า</button></p></form></section>"
        ));
        body.push_str(&super::tools::plan_sections(fy, who, &view.unbalanced).into_string());
        let current = SettingsForm::from_year(&view.year);
        body.push_str(&settings_section(fy, who.csrf.as_deref().unwrap_or(""), settings.unwrap_or(&current), errors));
    }
    if !who.has(Role::Strategy) {
        body.push_str(&format!("<p><a href=\"/plan/{fy}/calendar\">ปฏิทิน วันหยุด และกำหนดส่งรายงาน</a></p>"));
    }
    body.push_str(
        "<table><caption>โครงการ/กิจกรรม</caption><thead><tr><th scope=\"col\">สำนัก</th><th scope=\"col\">รหัส</th>\
                   <th scope=\"col\">ชื่อ</th><th scope=\"col\">งบรายจ่าย</th><th scope=\"col\">ประเภทรายจ่าย</th>\
                   <th scope=\"col\">งบประมาณหลังปรับโอน (บาท)</th></tr></thead><tbody>",
    );
    for ((bureau, code, name, category, allocation), class) in view.projects.iter().zip(&view.classes) {
        let cat = category.parse::<Category>().map(|c| c.name_th()).unwrap_or("");
        let class = class.parse::<crate::domain::EconomicClass>().map(|c| c.name_th()).unwrap_or("");
        body.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td></tr>",
            escape(bureau),
            escape(code),
            escape(name),
            cat,
            class,
            format_baht(*allocation)
        ));
    }
    body.push_str("</tbody></table>");
    body.push_str("<table><caption>การปรับปรุงงบประมาณ</caption><thead><tr><th scope=\"col\">#</th><th scope=\"col\">โครงการ</th>\
                   <th scope=\"col\">ประเภท</th><th scope=\"col\">จำนวนเงิน (บาท)</th><th scope=\"col\">มีผล</th><th scope=\"col\">เหตุผล</th></tr></thead><tbody>");
    for a in &view.adjustments {
        body.push_str(&format!(
            "<tr><td class=\"num\">{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td></tr>",
            a.id,
            escape(&a.project),
            kind_th(&a.kind),
            format_baht(a.amount),
            escape(&crate::domain::fiscal::thai_date(a.effective_on)),
            escape(&a.reason)
        ));
    }
    if view.adjustments.is_empty() {
        body.push_str("<tr><td colspan=\"6\">ยังไม่มีการปรับปรุงงบประมาณในปีนี้</td></tr>");
    }
    body.push_str("</tbody></table>");
    layout(&format!("แผนปฏิบัติการ ปีงบประมาณ พ.ศ. {fy}"), Some(who), &body)
}

#[derive(Deserialize)]
pub struct Notice {
    pub done: Option<String>,
}

pub async fn page(
    state: web::Data<AppState>,
    who: Identity,
    path: web::Path<String>,
    q: web::Query<Notice>,
) -> Result<HttpResponse, AppError> {
    let fy = parse_year(&path)?;
    let view = db::blocking(&state.pool, move |conn| load(conn, fy)).await?;
    let notice = match q.done.as_deref() {
        Some("adjustment") => Some("บันทึกการปรับปรุงงบประมาณแล้ว".to_string()),
        Some(s) if s.starts_with("import:") => Some(format!("นำเข้าแผนแล้ว ({})", &s[7..])),
        Some("settings") => Some("บันทึกค่ากำหนดแล้ว".to_string()),
        Some("classified") => Some("บันทึกการจัดประเภทรายจ่ายแล้ว".to_string()),
        Some("created") => Some(format!("สร้างปีงบประมาณ พ.ศ. {fy} แล้ว: เพิ่มโครงการด้วยไฟล์แผนทั้งปี")),
        _ => None,
    };
    Ok(html(StatusCode::OK, render(fy, &who, &view, &AdjustmentForm::default(), None, &[], notice.as_deref())))
}

fn html(status: StatusCode, body: String) -> HttpResponse {
    HttpResponse::build(status).content_type("text/html; charset=utf-8").body(body)
}

fn see_other(location: String) -> HttpResponse {
    HttpResponse::SeeOther().insert_header(("Location", location)).finish()
}

pub async fn submit_adjustment(
    state: web::Data<AppState>,
    who: Identity,
    req: HttpRequest,
    path: web::Path<String>,
    form: web::Form<AdjustmentForm>,
) -> Result<HttpResponse, AppError> {
    let fy = parse_year(&path)?;
    let form = form.into_inner();
    let input = AdjustmentInput {
        kind: form.kind.clone(),
        project: Some(form.project.trim().to_string()),
        from_project: Some(form.from_project.trim().to_string()).filter(|s| !s.is_empty()),
        amount: RawAmount(form.amount.trim().to_string()),
        effective_on: form.effective_on.clone(),
        reason: form.reason.clone(),
    };
    let outcome = write(&state, &who, &req, move |conn, actor| Ok(super::adjust(conn, fy, &input, actor))).await?;
    match outcome {
        Ok(_) => {
            crate::alerts::AfterWrites::request(&state);
            Ok(see_other(format!("/plan/{fy}?done=adjustment")))
        }
        Err(AppError::Validation { details, .. }) => {
            let view = db::blocking(&state.pool, move |conn| load(conn, fy)).await?;
            Ok(html(StatusCode::UNPROCESSABLE_ENTITY, render(fy, &who, &view, &form, None, &details, None)))
        }
        Err(e) => Err(e),
    }
}

pub async fn submit_upload(
    state: web::Data<AppState>,
    who: Identity,
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    let fy = parse_year(&path)?;
    let outcome = match crate::xlsx::read_upload(&req, payload).await {
        Ok(bytes) => {
            write(&state, &who, &req, move |conn, actor| Ok(super::xlsx::import(conn, fy, &bytes, actor))).await?
        }
        Err(e) => Err(e),
    };
    match outcome {
        Ok(r) => Ok(see_other(format!(
            "/plan/{fy}?done=import:{}+created,+{}+updated,+{}+unchanged",
            r.created, r.updated, r.unchanged
        ))),
        Err(AppError::Validation { details, .. }) => {
            let view = db::blocking(&state.pool, move |conn| load(conn, fy)).await?;
            Ok(html(
                StatusCode::UNPROCESSABLE_ENTITY,
                render(fy, &who, &view, &AdjustmentForm::default(), None, &details, None),
            ))
        }
        Err(e) => Err(e),
    }
}

/// Settings, KPI levels and cabinet targets from one form, all or nothing, with
/// every problem named against its input.
pub async fn submit_settings(
    state: web::Data<AppState>,
    who: Identity,
    req: HttpRequest,
    path: web::Path<String>,
    form: web::Form<SettingsForm>,
) -> Result<HttpResponse, AppError> {
    let fy = parse_year(&path)?;
    let form = form.into_inner();
    let mut target_names = Vec::new();
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
                target_names.push(name);
            }
        }
    }
    let settings = super::Settings {
        due_day: Some(form.due_day.trim().parse::<i64>().unwrap_or(0)),
        warn_lag_pp: Some(RawAmount(form.warn_lag_pp.trim().to_string())),
        critical_lag_pp: Some(RawAmount(form.critical_lag_pp.trim().to_string())),
        ledger_tolerance_pct: Some(RawAmount(form.ledger_tolerance_pct.trim().to_string())),
        plan_published: Some(form.plan_published.is_some()),
    };
    let levels = super::Levels {
        levels: [&form.level_1, &form.level_2, &form.level_3, &form.level_4, &form.level_5]
            .iter()
            .map(|v| RawAmount(v.trim().to_string()))
            .collect(),
    };
    let outcome = write(&state, &who, &req, move |conn, actor| {
        use diesel::Connection;
        let result = conn.transaction(|conn| {
            let mut details = Vec::new();
            let mut keep = |r: Result<(), AppError>, rename: &dyn Fn(&str) -> String| match r {
                Ok(()) => Ok(()),
                Err(AppError::Validation { details: d, .. }) => {
                    details.extend(d.into_iter().map(|e| FieldError::new(rename(&e.field), e.message)));
                    Ok(())
                }
                Err(e) => Err(e),
            };
            keep(super::update_settings(conn, fy, &settings, actor), &|f| f.to_string())?;
            keep(super::set_kpi_levels(conn, fy, &levels, actor), &|f| {
                f.strip_prefix("levels[")
                    .and_then(|r| r.trim_end_matches(']').parse::<usize>().ok())
                    .map(|i| format!("level_{}", i + 1))
                    .unwrap_or_else(|| "level_1".to_string())
            })?;
            keep(super::set_cabinet_targets(conn, fy, &super::Targets { targets }, actor), &|f| {
                f.strip_prefix("targets[")
                    .and_then(|r| r.split(']').next())
                    .and_then(|i| i.parse::<usize>().ok())
                    .and_then(|i| target_names.get(i).cloned())
                    .unwrap_or_else(|| f.to_string())
            })?;
            if details.is_empty() {
                Ok(())
            } else {
                Err(AppError::validation(details))
            }
        });
        Ok(result)
    })
    .await?;
    match outcome {
        Ok(()) => Ok(see_other(format!("/plan/{fy}?done=settings"))),
        Err(AppError::Validation { details, .. }) => {
            let view = db::blocking(&state.pool, move |conn| load(conn, fy)).await?;
            Ok(html(
                StatusCode::UNPROCESSABLE_ENTITY,
                render(fy, &who, &view, &AdjustmentForm::default(), Some(&form), &details, None),
            ))
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
pub struct NewYearForm {
    pub fiscal_year: String,
}

/// Opens the next fiscal year, copying the settings of the one before it.
pub async fn submit_new_year(
    state: web::Data<AppState>,
    who: Identity,
    req: HttpRequest,
    form: web::Form<NewYearForm>,
) -> Result<HttpResponse, AppError> {
    let fy = form
        .fiscal_year
        .trim()
        .parse::<i64>()
        .map_err(|_| AppError::validation(vec![FieldError::new("fiscal_year", "is not a year")]))?;
    let created = write(&state, &who, &req, move |conn, actor| {
        super::create_year(conn, &super::NewYear { fiscal_year: fy, copy_from: Some(fy - 1) }, actor)
    })
    .await?;
    Ok(see_other(format!("/plan/{created}?done=created")))
}
