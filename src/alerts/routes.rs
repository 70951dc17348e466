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

#[derive(Serialize, Queryable, Debug, Clone)]
pub struct FollowUpView {
    #[serde(skip)]
    pub alert_id: i64,
    pub id: i64,
    pub bureau_code: Option<String>,
    pub instruction: String,
    pub due_on: NaiveDate,
    pub status: FollowUpStatus,
    pub response: Option<String>,
    pub responded_at: Option<DateTime<Utc>>,
}

/// An alert as listed, without its follow-ups (read in a second query).
#[derive(Queryable)]
struct Listed {
    id: i64,
    kind: AlertKind,
    severity: Severity,
    fiscal_year: i32,
    month: i16,
    bureau_code: Option<String>,
    status: AlertStatus,
    message_th: String,
    message_en: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    resolution: Option<String>,
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
    let rows: Vec<Listed> = q.limit(1000).load(conn)?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let found: Vec<FollowUpView> = follow_ups::table
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
    let mut by_alert: std::collections::HashMap<i64, Vec<FollowUpView>> = std::collections::HashMap::new();
    for f in found {
        by_alert.entry(f.alert_id).or_default().push(f);
    }
    Ok(rows
        .into_iter()
        .map(|r| {
            let mine = by_alert.remove(&r.id).unwrap_or_default();
            AlertView {
                id: r.id,
                kind: r.kind,
                severity: r.severity,
                fiscal_year: r.fiscal_year,
                month: r.month,
                bureau_code: r.bureau_code,
                status: r.status,
                message_th: r.message_th,
                message_en: r.message_en,
                created_at: r.created_at,
                updated_at: r.updated_at,
                resolution: r.resolution,
                follow_ups: mine,
            }
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
