//! `GET /api/v1/alerts` and the lifecycle actions.

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::{AlertKind, AlertStatus, FollowUpStatus, Severity};
use crate::audit::Actor;
use crate::auth::Identity;
use crate::db;
use crate::error::{AppError, FieldError};
use crate::http::AppState;
use crate::http::VisibleBureau;
use crate::ops::middleware::RequestId;
use crate::schema::{alerts, bureaus, follow_ups};

#[derive(Deserialize, Default, Clone)]
pub struct Filter {
    pub fy: Option<String>,
    pub status: Option<String>,
    pub kind: Option<String>,
    pub bureau: Option<String>,
}

#[derive(Serialize, Debug, Clone)]
pub struct FollowUpView {
    pub id: i64,
    pub bureau_code: Option<String>,
    pub instruction: String,
    pub due_on: NaiveDate,
    pub status: FollowUpStatus,
    pub response: Option<String>,
    pub responded_at: Option<DateTime<Utc>>,
}

#[derive(Serialize, Debug, Clone)]
pub struct AlertView {
    pub id: i64,
    pub kind: AlertKind,
    pub severity: Severity,
    pub fiscal_year: i32,
    pub month: i16,
    pub bureau_code: Option<String>,
    pub status: AlertStatus,
    pub message_th: String,
    pub message_en: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub resolution: Option<String>,
    pub follow_ups: Vec<FollowUpView>,
}

/// An optional word of the query string read as one of an enum's words.
fn word<T: std::str::FromStr<Err = String>>(field: &str, v: Option<&str>, errors: &mut Vec<FieldError>) -> Option<T> {
    match v.map(str::trim).filter(|s| !s.is_empty())?.parse() {
        Ok(t) => Some(t),
        Err(e) => {
            errors.push(FieldError::new(field, e));
            None
        }
    }
}

/// Alerts matching `f` that `who` may see, most severe first, oldest first within a
/// severity (the inbox order); two queries whatever their number.
pub fn list(conn: &mut PgConnection, who: &Identity, f: &Filter) -> Result<Vec<AlertView>, AppError> {
    let mut errors = Vec::new();
    let fy = match f.fy.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => match s.parse::<i32>() {
            Ok(n) => Some(n),
            Err(_) => {
                errors.push(FieldError::new("fy", format!("{s:?} is not a fiscal year")));
                None
            }
        },
        None => None,
    };
    let status: Option<AlertStatus> = word("status", f.status.as_deref(), &mut errors);
    let kind: Option<AlertKind> = word("kind", f.kind.as_deref(), &mut errors);
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    let mut q = alerts::table
        .left_join(bureaus::table)
        .select((
            alerts::id,
            alerts::kind,
            alerts::severity,
            alerts::fiscal_year,
            alerts::month,
            bureaus::code.nullable(),
            alerts::status,
            alerts::message_th,
            alerts::message_en,
            alerts::created_at,
            alerts::updated_at,
            alerts::resolution,
        ))
        .order((
            diesel::dsl::sql::<diesel::sql_types::Int4>(
                "CASE alerts.severity WHEN 'critical' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END",
            ),
            alerts::created_at.asc(),
            alerts::id.asc(),
        ))
        .into_boxed();
    if let Some(fy) = fy {
        q = q.filter(alerts::fiscal_year.eq(fy));
    }
    if let Some(s) = status {
        q = q.filter(alerts::status.eq(s));
    }
    if let Some(k) = kind {
        q = q.filter(alerts::kind.eq(k));
    }
    if let Some(code) = f.bureau.as_deref().filter(|s| !s.is_empty()) {
        let b = VisibleBureau::check(who, code)?.load(conn)?;
        q = q.filter(alerts::bureau_id.eq(b.id));
    }
    // A reporter sees the alerts of its own bureaus only.
    if !who.sees_every_bureau() {
        q = q.filter(alerts::bureau_id.eq_any(who.bureau_ids.clone()));
    }
    type Row = (
        i64,
        AlertKind,
        Severity,
        i32,
        i16,
        Option<String>,
        AlertStatus,
        String,
        String,
        DateTime<Utc>,
        DateTime<Utc>,
        Option<String>,
    );
    let rows: Vec<Row> = q.limit(1000).load(conn)?;
    let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    type F = (i64, i64, Option<String>, String, NaiveDate, FollowUpStatus, Option<String>, Option<DateTime<Utc>>);
    let fus: Vec<F> = follow_ups::table
        .left_join(bureaus::table)
        .filter(follow_ups::alert_id.eq_any(&ids))
        .order(follow_ups::id)
        .select((
            follow_ups::alert_id,
            follow_ups::id,
            bureaus::code.nullable(),
            follow_ups::instruction,
            follow_ups::due_on,
            follow_ups::status,
            follow_ups::response,
            follow_ups::responded_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| AlertView {
            id: r.0,
            kind: r.1,
            severity: r.2,
            fiscal_year: r.3,
            month: r.4,
            bureau_code: r.5,
            status: r.6,
            message_th: r.7,
            message_en: r.8,
            created_at: r.9,
            updated_at: r.10,
            resolution: r.11,
            follow_ups: fus
                .iter()
                .filter(|f| f.0 == r.0)
                .map(|f| FollowUpView {
                    id: f.1,
                    bureau_code: f.2.clone(),
                    instruction: f.3.clone(),
                    due_on: f.4,
                    status: f.5,
                    response: f.6.clone(),
                    responded_at: f.7,
                })
                .collect(),
        })
        .collect())
}

pub async fn api_list(
    state: web::Data<AppState>,
    who: Identity,
    f: web::Query<Filter>,
) -> Result<HttpResponse, AppError> {
    let f = f.into_inner();
    Ok(HttpResponse::Ok().json(db::blocking(&state.pool, move |conn| list(conn, &who, &f)).await?))
}

fn actor_of(who: &Identity, req: &HttpRequest) -> (Option<i64>, Option<String>) {
    (Some(who.user_id), RequestId::of(req))
}

pub async fn acknowledge(
    state: web::Data<AppState>,
    who: Identity,
    req: HttpRequest,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let (user, rid) = actor_of(&who, &req);
    let id = path.into_inner();
    db::blocking(&state.pool, move |conn| {
        super::acknowledge(conn, id, Actor { user_id: user, request_id: rid.as_deref() })
    })
    .await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({"id": id, "status": "acknowledged"})))
}

#[derive(Deserialize, Default)]
pub struct FollowUpInput {
    #[serde(default)]
    pub instruction: String,
    #[serde(default)]
    pub due_on: String,
    pub bureau_code: Option<String>,
}

pub async fn follow_up(
    state: web::Data<AppState>,
    who: Identity,
    req: HttpRequest,
    path: web::Path<i64>,
    body: web::Json<FollowUpInput>,
) -> Result<HttpResponse, AppError> {
    let (user, rid) = actor_of(&who, &req);
    let (id, input, today) = (path.into_inner(), body.into_inner(), state.today());
    let fid = db::blocking(&state.pool, move |conn| {
        super::order_follow_up(
            conn,
            id,
            &input.instruction,
            &input.due_on,
            input.bureau_code.as_deref(),
            today,
            Actor { user_id: user, request_id: rid.as_deref() },
        )
    })
    .await?;
    Ok(HttpResponse::Created().json(serde_json::json!({"id": fid, "alert_id": id, "status": "ordered"})))
}

#[derive(Deserialize, Default)]
pub struct Note {
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub response: String,
}

pub async fn resolve(
    state: web::Data<AppState>,
    who: Identity,
    req: HttpRequest,
    path: web::Path<i64>,
    body: Option<web::Json<Note>>,
) -> Result<HttpResponse, AppError> {
    let (user, rid) = actor_of(&who, &req);
    let (id, note) = (path.into_inner(), body.map(|b| b.into_inner().note).unwrap_or_default());
    db::blocking(&state.pool, move |conn| {
        super::resolve(conn, id, &note, Actor { user_id: user, request_id: rid.as_deref() })
    })
    .await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({"id": id, "status": "resolved"})))
}

pub async fn respond(
    state: web::Data<AppState>,
    who: Identity,
    req: HttpRequest,
    path: web::Path<i64>,
    body: web::Json<Note>,
) -> Result<HttpResponse, AppError> {
    let (user, rid) = actor_of(&who, &req);
    let (id, response, bureaus) = (path.into_inner(), body.into_inner().response, who.bureau_ids.clone());
    db::blocking(&state.pool, move |conn| {
        super::respond(conn, id, &response, &bureaus, Actor { user_id: user, request_id: rid.as_deref() })
    })
    .await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({"id": id, "status": "responded"})))
}
