//! The auditor's view of the trail: filtered by user, entity and date (Bangkok
//! days), newest first, as JSON, as an HTML page and as CSV.

use actix_web::{web, HttpResponse};
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::Event;
use crate::auth::Identity;
use crate::db;
use crate::domain::fiscal::bangkok;
use crate::error::{AppError, FieldError};
use crate::http::AppState;
use crate::pages::{escape, layout};
use crate::schema::{audit_events, users};

#[derive(Deserialize, Default, Clone)]
pub struct Filter {
    pub user: Option<String>,
    pub entity: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub limit: Option<String>,
}

struct Parsed {
    user: Option<String>,
    entity: Option<String>,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    limit: i64,
}

fn start_of(day: NaiveDate) -> DateTime<Utc> {
    bangkok().from_local_datetime(&day.and_time(NaiveTime::MIN)).single().expect("fixed offset").with_timezone(&Utc)
}

impl Filter {
    fn parse(&self) -> Result<Parsed, AppError> {
        let mut errors = Vec::new();
        let date = |field: &str, v: &Option<String>, errors: &mut Vec<FieldError>| match v.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(s) => match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
                Ok(d) => Some(d),
                Err(_) => {
                    errors.push(FieldError::new(field, format!("{s:?} is not a date of the form YYYY-MM-DD")));
                    None
                }
            },
        };
        let from = date("from", &self.from, &mut errors).map(start_of);
        let to = date("to", &self.to, &mut errors).map(|d| start_of(d + Duration::days(1)));
        let limit = match self.limit.as_deref().map(str::trim) {
            None | Some("") => 200,
            Some(s) => match s.parse::<i64>() {
                Ok(n) if (1..=5000).contains(&n) => n,
                _ => {
                    errors.push(FieldError::new("limit", format!("{s:?} is not a whole number from 1 to 5000")));
                    200
                }
            },
        };
        if !errors.is_empty() {
            return Err(AppError::validation(errors));
        }
        let text = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
        Ok(Parsed { user: text(&self.user), entity: text(&self.entity), from, to, limit })
    }
}

#[derive(Serialize)]
pub struct Row {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub username: Option<String>,
    pub request_id: Option<String>,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub hash: String,
}

fn load(conn: &mut PgConnection, f: &Parsed) -> QueryResult<Vec<Row>> {
    let mut q = audit_events::table
        .left_join(users::table)
        .select((Event::as_select(), users::username.nullable()))
        .order(audit_events::id.desc())
        .limit(f.limit)
        .into_boxed();
    if let Some(u) = &f.user {
        q = q.filter(users::username.eq(u.clone()));
    }
    if let Some(e) = &f.entity {
        q = q.filter(audit_events::entity.eq(e.clone()));
    }
    if let Some(from) = f.from {
        q = q.filter(audit_events::at.ge(from));
    }
    if let Some(to) = f.to {
        q = q.filter(audit_events::at.lt(to));
    }
    Ok(q.load::<(Event, Option<String>)>(conn)?
        .into_iter()
        .map(|(e, username)| Row {
            id: e.id,
            at: e.at,
            username,
            request_id: e.request_id,
            action: e.action,
            entity: e.entity,
            entity_id: e.entity_id,
            before: e.before,
            after: e.after,
            hash: e.hash,
        })
        .collect())
}

async fn fetch(state: &AppState, filter: &Filter) -> Result<Vec<Row>, AppError> {
    let parsed = filter.parse()?;
    db::blocking(&state.pool, move |conn| Ok(load(conn, &parsed)?)).await
}

pub async fn api_list(state: web::Data<AppState>, filter: web::Query<Filter>) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(fetch(&state, &filter).await?))
}

fn json_text(v: &Option<serde_json::Value>) -> String {
    v.as_ref().map(|v| v.to_string()).unwrap_or_default()
}

pub async fn csv(state: web::Data<AppState>, filter: web::Query<Filter>) -> Result<HttpResponse, AppError> {
    let rows = fetch(&state, &filter).await?;
    let mut out = String::from("id,at,username,request_id,action,entity,entity_id,before,after,hash\r\n");
    for r in &rows {
        out.push_str(&crate::csv::row([
            crate::csv::number(r.id),
            crate::csv::text(&r.at.to_rfc3339()),
            crate::csv::text(r.username.as_deref().unwrap_or_default()),
            crate::csv::text(r.request_id.as_deref().unwrap_or_default()),
            crate::csv::text(&r.action),
            crate::csv::text(&r.entity),
            crate::csv::text(&r.entity_id),
            crate::csv::text(&json_text(&r.before)),
            crate::csv::text(&json_text(&r.after)),
            crate::csv::text(&r.hash),
        ]));
    }
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(("Content-Disposition", "attachment; filename=\"audit-log.csv\""))
        .body(out))
}

pub async fn page(
    state: web::Data<AppState>,
    who: Identity,
    filter: web::Query<Filter>,
) -> Result<HttpResponse, AppError> {
    let filter = filter.into_inner();
    let v = |o: &Option<String>| escape(o.as_deref().unwrap_or(""));
    let form = format!(
        "<form method=\"get\" action=\"/audit\" class=\"filters\">\
         <label>ผู้ใช้ <input name=\"user\" value=\"{}\"></label>\
         <label>ประเภทข้อมูล <input name=\"entity\" value=\"{}\"></label>\
         <label>ตั้งแต่วันที่ <input name=\"from\" type=\"date\" value=\"{}\"></label>\
         <label>ถึงวันที่ <input name=\"to\" type=\"date\" value=\"{}\"></label>\
         <button type=\"submit\">กรอง</button></form>",
        v(&filter.user),
        v(&filter.entity),
        v(&filter.from),
        v(&filter.to)
    );
    let body = match fetch(&state, &filter).await {
        Ok(rows) => {
            let query = serde_urlencoded::to_string(&[
                ("user", filter.user.clone().unwrap_or_default()),
                ("entity", filter.entity.clone().unwrap_or_default()),
                ("from", filter.from.clone().unwrap_or_default()),
                ("to", filter.to.clone().unwrap_or_default()),
            ])
            .unwrap_or_default();
            let mut t = format!(
                "<p><a href=\"/audit.csv?{}\">ดาวน์โหลด CSV</a> · {} รายการ</p>\
                 <table><caption>บันทึกการแก้ไขข้อมูล (ล่าสุดก่อน)</caption><thead><tr>\
                 <th scope=\"col\">#</th><th scope=\"col\">เวลา</th><th scope=\"col\">ผู้ใช้</th>\
                 <th scope=\"col\">การกระทำ</th><th scope=\"col\">ข้อมูล</th><th scope=\"col\">ก่อน</th>\
                 <th scope=\"col\">หลัง</th></tr></thead><tbody>",
                escape(&query),
                rows.len()
            );
            for r in &rows {
                t.push_str(&format!(
                    "<tr><td class=\"num\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{} {}</td>\
                     <td><code>{}</code></td><td><code>{}</code></td></tr>",
                    r.id,
                    escape(&r.at.with_timezone(&bangkok()).format("%Y-%m-%d %H:%M:%S").to_string()),
                    escape(r.username.as_deref().unwrap_or("ระบบ")),
                    escape(&r.action),
                    escape(&r.entity),
                    escape(&r.entity_id),
                    escape(&json_text(&r.before)),
                    escape(&json_text(&r.after))
                ));
            }
            t.push_str("</tbody></table>");
            t
        }
        Err(AppError::Validation { details, .. }) => {
            let items: String =
                details.iter().map(|d| format!("<li>{}: {}</li>", escape(&d.field), escape(&d.message))).collect();
            format!("<div class=\"errors\" role=\"alert\"><p>กรุณาแก้ไขตัวกรอง</p><ul>{items}</ul></div>")
        }
        Err(e) => return Err(e),
    };
    Ok(HttpResponse::Ok().content_type("text/html; charset=utf-8").body(layout(
        "บันทึกการตรวจสอบ (audit log)",
        Some(&who),
        &format!("{form}{body}"),
    )))
}
