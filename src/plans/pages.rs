//! The Policy and Strategy Bureau's page for a year's action plan: projects by
//! bureau with their allocation in force, the adjustments so far, a form to add a
//! transfer, cut or addition, and the plan workbook to download and upload. Others
//! who see every bureau read the same page without the forms.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::{AdjustmentInput, AdjustmentView};
use crate::audit::Actor;
use crate::auth::{Identity, CSRF_FIELD};
use crate::db;
use crate::domain::money::{format_baht, RawAmount};
use crate::domain::{Category, FiscalYear, Role};
use crate::error::{AppError, FieldError};
use crate::monitoring::routes::parse_year;
use crate::ops::middleware::RequestId;
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
    projects: Vec<(String, String, String, String, rust_decimal::Decimal)>,
    adjustments: Vec<AdjustmentView>,
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
    }
    super::year(conn, fy)?;
    let rows: Vec<P> = diesel::sql_query(
        "SELECT b.code AS bureau, p.code, p.name_th, p.category,
                p.allocation + coalesce(a.total, 0) AS allocation
         FROM projects p JOIN bureaus b ON b.id = p.bureau_id
         LEFT JOIN (SELECT project_id, sum(amount) AS total FROM allocation_adjustments GROUP BY project_id) a
                ON a.project_id = p.id
         WHERE p.fiscal_year = $1 ORDER BY b.code, p.code",
    )
    .bind::<diesel::sql_types::Int4, _>(fy.be())
    .load(conn)?;
    Ok(View {
        projects: rows.into_iter().map(|p| (p.bureau, p.code, p.name_th, p.category, p.allocation)).collect(),
        adjustments: super::adjustments(conn, fy)?,
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
             <form method=\"post\" action=\"/plan/{fy}/upload?{CSRF_FIELD}={csrf}\" enctype=\"multipart/form-data\" class=\"stacked\">\
             <p><label for=\"file\">ไฟล์ .xlsx ตามแบบที่ดาวน์โหลด</label><input id=\"file\" name=\"file\" type=\"file\" \
             accept=\".xlsx\" required></p><p><button type=\"submit\">นำเข้า</button></p></form></section>"
        ));
    }
    body.push_str("<table><caption>โครงการ/กิจกรรม</caption><thead><tr><th scope=\"col\">สำนัก</th><th scope=\"col\">รหัส</th>\
                   <th scope=\"col\">ชื่อ</th><th scope=\"col\">งบรายจ่าย</th><th scope=\"col\">งบประมาณหลังปรับโอน (บาท)</th></tr></thead><tbody>");
    for (bureau, code, name, category, allocation) in &view.projects {
        let cat = category.parse::<Category>().map(|c| c.name_th()).unwrap_or("");
        body.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td></tr>",
            escape(bureau),
            escape(code),
            escape(name),
            cat,
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
        _ => None,
    };
    Ok(html(StatusCode::OK, render(fy, &who, &view, &AdjustmentForm::default(), &[], notice.as_deref())))
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
    let (user_id, rid) = (who.user_id, RequestId::of(&req));
    let outcome = db::blocking(&state.pool, move |conn| {
        Ok(super::adjust(conn, fy, &input, Actor { user_id: Some(user_id), request_id: rid.as_deref() }))
    })
    .await?;
    match outcome {
        Ok(_) => Ok(see_other(format!("/plan/{fy}?done=adjustment"))),
        Err(AppError::Validation { details, .. }) => {
            let view = db::blocking(&state.pool, move |conn| load(conn, fy)).await?;
            Ok(html(StatusCode::UNPROCESSABLE_ENTITY, render(fy, &who, &view, &form, &details, None)))
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
            let (user_id, rid) = (who.user_id, RequestId::of(&req));
            db::blocking(&state.pool, move |conn| {
                Ok(super::xlsx::import(conn, fy, &bytes, Actor { user_id: Some(user_id), request_id: rid.as_deref() }))
            })
            .await?
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
                render(fy, &who, &view, &AdjustmentForm::default(), &details, None),
            ))
        }
        Err(e) => Err(e),
    }
}
