//! The secretary-general's inbox (most severe and oldest first, with acknowledge,
//! order-a-follow-up and resolve) and a bureau's page of orders addressed to it.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::routes::{list, AlertView, Filter};
use crate::audit::Actor;
use crate::auth::{Identity, CSRF_FIELD};
use crate::db;
use crate::domain::fiscal::thai_datetime;
use crate::domain::Role;
use crate::error::{AppError, FieldError};
use crate::http::AppState;
use crate::ops::middleware::RequestId;
use crate::pages::{escape, layout};

pub(crate) fn kind_th(k: &str) -> &'static str {
    match k {
        "behind_plan" => "ล่าช้ากว่าแผน",
        "below_target" => "ต่ำกว่าเป้าหมาย ครม.",
        "missing_report" => "ยังไม่ส่งรายงาน",
        "kpi_at_risk" => "ตัวชี้วัดมีความเสี่ยง",
        "over_commitment" => "ก่อหนี้เกินงบประมาณ",
        "ledger_mismatch" => "ไม่ตรงกับบัญชีคุม",
        _ => "อื่น ๆ",
    }
}

pub(crate) fn status_th(s: &str) -> &'static str {
    match s {
        "open" => "ใหม่",
        "acknowledged" => "รับทราบแล้ว",
        "follow_up" => "สั่งการแล้ว",
        "responded" => "สำนักตอบแล้ว",
        "resolved" => "ปิดแล้ว",
        _ => "-",
    }
}

fn html(status: StatusCode, body: String) -> HttpResponse {
    HttpResponse::build(status).content_type("text/html; charset=utf-8").body(body)
}

fn errors_box(errors: &[FieldError]) -> String {
    if errors.is_empty() {
        return String::new();
    }
    let items: String =
        errors.iter().map(|e| format!("<li>{}: {}</li>", escape(&e.field), escape(&e.message))).collect();
    format!("<div class=\"errors\" role=\"alert\"><p>ยังบันทึกไม่ได้ กรุณาแก้ไข:</p><ul>{items}</ul></div>")
}

fn render_inbox(
    who: &Identity,
    alerts: &[AlertView],
    errors: &[FieldError],
    notice: Option<&str>,
    today: chrono::NaiveDate,
) -> String {
    let can_act = who.has_any(&[Role::SecretaryGeneral, Role::Strategy]);
    let csrf = escape(who.csrf.as_deref().unwrap_or(""));
    let mut body = String::new();
    if let Some(n) = notice {
        body.push_str(&format!("<div class=\"notice\" role=\"status\"><p>{}</p></div>", escape(n)));
    }
    body.push_str(&errors_box(errors));
    let open: Vec<&AlertView> = alerts.iter().filter(|a| a.status != "resolved").collect();
    body.push_str(&format!("<p>การแจ้งเตือนที่ยังไม่ปิด {} รายการ เรียงตามความรุนแรงและเวลาที่ค้าง</p>", open.len()));
    if open.is_empty() {
        body.push_str("<p>ไม่มีการแจ้งเตือนค้าง</p>");
    }
    for a in open {
        let age = (today - a.created_at.date_naive()).num_days().max(0);
        let mut actions = String::new();
        if can_act {
            if a.status == "open" {
                actions.push_str(&format!(
                    "<form method=\"post\" action=\"/alerts/{}/acknowledge\"><input type=\"hidden\" name=\"{CSRF_FIELD}\" value=\"{csrf}\">\
                     <button type=\"submit\" class=\"secondary\">รับทราบ</button></form>",
                    a.id
                ));
            }
            actions.push_str(&format!(
                "<form method=\"post\" action=\"/alerts/{id}/follow-up\" class=\"inline\"><input type=\"hidden\" name=\"{CSRF_FIELD}\" value=\"{csrf}\">\
                 <label for=\"instruction-{id}\">สั่งการให้เร่งรัด</label><input id=\"instruction-{id}\" name=\"instruction\" required>\
                 <label for=\"due-{id}\">ภายในวันที่</label><input id=\"due-{id}\" name=\"due_on\" type=\"date\" required>\
                 <button type=\"submit\">สั่งการ</button></form>\
                 <form method=\"post\" action=\"/alerts/{id}/resolve\" class=\"inline\"><input type=\"hidden\" name=\"{CSRF_FIELD}\" value=\"{csrf}\">\
                 <label for=\"note-{id}\">บันทึกการปิด</label><input id=\"note-{id}\" name=\"note\">\
                 <button type=\"submit\" class=\"secondary\">ปิดเรื่อง</button></form>",
                id = a.id
            ));
        }
        let follow_ups: String = a
            .follow_ups
            .iter()
            .map(|f| {
                format!(
                    "<li>สั่งการ: {} (ภายใน {}) — {}{}</li>",
                    escape(&f.instruction),
                    f.due_on,
                    if f.status == "ordered" {
                        "รอสำนักตอบ"
                    } else {
                        "สำนักตอบแล้ว"
                    },
                    f.response.as_deref().map(|r| format!(": {}", escape(r))).unwrap_or_default()
                )
            })
            .collect();
        body.push_str(&format!(
            "<article class=\"alert {sev}\" aria-labelledby=\"alert-{id}\"><h2 id=\"alert-{id}\"><span class=\"badge\">{}</span> {} · {}</h2>\
             <p>{}</p><p class=\"meta\">{} · แจ้งเมื่อ {} · ค้าง {age} วัน</p><ul>{follow_ups}</ul>{actions}</article>",
            if a.severity == "critical" { "วิกฤต" } else { "เตือน" },
            kind_th(&a.kind),
            escape(a.bureau_code.as_deref().unwrap_or("ภาพรวมสำนักงาน")),
            escape(&a.message_th),
            status_th(&a.status),
            escape(&thai_datetime(a.created_at)),
            sev = if a.severity == "critical" { "critical" } else { "warning" },
            id = a.id
        ));
    }
    layout("การแจ้งเตือนและการสั่งการ", Some(who), &body)
}

async fn inbox(
    state: &AppState,
    who: &Identity,
    errors: &[FieldError],
    notice: Option<&str>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let who2 = who.clone();
    let alerts = db::blocking(&state.pool, move |conn| list(conn, &who2, &Filter::default())).await?;
    Ok(html(status, render_inbox(who, &alerts, errors, notice, state.today())))
}

#[derive(Deserialize, Default)]
pub struct Done {
    pub done: Option<String>,
}

pub async fn page(state: web::Data<AppState>, who: Identity, q: web::Query<Done>) -> Result<HttpResponse, AppError> {
    let notice = match q.done.as_deref() {
        Some("acknowledged") => Some("รับทราบแล้ว"),
        Some("ordered") => Some("สั่งการแล้ว สำนักจะเห็นคำสั่งในหน้าของสำนัก"),
        Some("resolved") => Some("ปิดเรื่องแล้ว"),
        _ => None,
    };
    inbox(&state, &who, &[], notice, StatusCode::OK).await
}

#[derive(Deserialize, Default)]
pub struct ActionForm {
    #[serde(default)]
    pub instruction: String,
    #[serde(default)]
    pub due_on: String,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub response: String,
}

/// Runs a lifecycle action and answers with the inbox: a redirect on success, the
/// page with the errors otherwise.
async fn act<F>(
    state: &AppState,
    who: &Identity,
    req: &HttpRequest,
    done: &str,
    back: &str,
    f: F,
) -> Result<HttpResponse, AppError>
where
    F: FnOnce(&mut diesel::PgConnection, Actor<'_>) -> Result<(), AppError> + Send + 'static,
{
    let (user, rid) = (who.user_id, RequestId::of(req));
    let outcome =
        db::blocking(&state.pool, move |conn| Ok(f(conn, Actor { user_id: Some(user), request_id: rid.as_deref() })))
            .await?;
    match outcome {
        Ok(()) => Ok(HttpResponse::SeeOther().insert_header(("Location", format!("{back}?done={done}"))).finish()),
        Err(e @ (AppError::Validation { .. } | AppError::Conflict(_) | AppError::NotFound(_))) => {
            let status = e.status_code_for_page();
            let details = match e {
                AppError::Validation { details, .. } => details,
                other => vec![FieldError::new("alert", other.to_string())],
            };
            if back == "/follow-ups" {
                follow_ups_page(state, who, &details, None, status).await
            } else {
                inbox(state, who, &details, None, status).await
            }
        }
        Err(e) => Err(e),
    }
}

pub async fn acknowledge(
    state: web::Data<AppState>,
    who: Identity,
    req: HttpRequest,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    act(&state, &who, &req, "acknowledged", "/alerts", move |conn, actor| super::acknowledge(conn, id, actor)).await
}

pub async fn follow_up(
    state: web::Data<AppState>,
    who: Identity,
    req: HttpRequest,
    path: web::Path<i64>,
    form: web::Form<ActionForm>,
) -> Result<HttpResponse, AppError> {
    let (id, form, today) = (path.into_inner(), form.into_inner(), state.today());
    act(&state, &who, &req, "ordered", "/alerts", move |conn, actor| {
        super::order_follow_up(conn, id, &form.instruction, &form.due_on, None, today, actor).map(|_| ())
    })
    .await
}

pub async fn resolve(
    state: web::Data<AppState>,
    who: Identity,
    req: HttpRequest,
    path: web::Path<i64>,
    form: web::Form<ActionForm>,
) -> Result<HttpResponse, AppError> {
    let (id, note) = (path.into_inner(), form.into_inner().note);
    act(&state, &who, &req, "resolved", "/alerts", move |conn, actor| super::resolve(conn, id, &note, actor)).await
}

async fn follow_ups_page(
    state: &AppState,
    who: &Identity,
    errors: &[FieldError],
    notice: Option<&str>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let who2 = who.clone();
    let alerts = db::blocking(&state.pool, move |conn| list(conn, &who2, &Filter::default())).await?;
    let csrf = escape(who.csrf.as_deref().unwrap_or(""));
    let mut body = String::new();
    if let Some(n) = notice {
        body.push_str(&format!("<div class=\"notice\" role=\"status\"><p>{}</p></div>", escape(n)));
    }
    body.push_str(&errors_box(errors));
    let mut any = false;
    for a in alerts.iter().filter(|a| a.status != "resolved") {
        for f in &a.follow_ups {
            any = true;
            let answer = if f.status == "ordered" {
                format!(
                    "<form method=\"post\" action=\"/follow-ups/{id}/respond\" class=\"stacked\"><input type=\"hidden\" name=\"{CSRF_FIELD}\" value=\"{csrf}\">\
                     <p><label for=\"response-{id}\">ผลการดำเนินการของสำนัก</label><textarea id=\"response-{id}\" name=\"response\" rows=\"3\" required></textarea></p>\
                     <p><button type=\"submit\">ส่งผลการดำเนินการ</button></p></form>",
                    id = f.id
                )
            } else {
                format!("<p>ตอบแล้ว: {}</p>", escape(f.response.as_deref().unwrap_or("")))
            };
            body.push_str(&format!(
                "<article class=\"alert {}\"><h2>คำสั่งการ: {}</h2><p>ภายในวันที่ {} · เรื่อง: {}</p>{answer}</article>",
                if a.severity == "critical" { "critical" } else { "warning" },
                escape(&f.instruction),
                f.due_on,
                escape(&a.message_th)
            ));
        }
    }
    if !any {
        body.push_str("<p>ไม่มีคำสั่งการที่ค้างอยู่</p>");
    }
    Ok(html(status, layout("คำสั่งการถึงสำนัก", Some(who), &body)))
}

pub async fn follow_ups(
    state: web::Data<AppState>,
    who: Identity,
    q: web::Query<Done>,
) -> Result<HttpResponse, AppError> {
    let notice = (q.done.as_deref() == Some("responded")).then_some("ส่งผลการดำเนินการแล้ว");
    follow_ups_page(&state, &who, &[], notice, StatusCode::OK).await
}

pub async fn respond(
    state: web::Data<AppState>,
    who: Identity,
    req: HttpRequest,
    path: web::Path<i64>,
    form: web::Form<ActionForm>,
) -> Result<HttpResponse, AppError> {
    let (id, response, bureaus) = (path.into_inner(), form.into_inner().response, who.bureau_ids.clone());
    act(&state, &who, &req, "responded", "/follow-ups", move |conn, actor| {
        super::respond(conn, id, &response, &bureaus, actor)
    })
    .await
}
