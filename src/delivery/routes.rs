//! Admin's view of the outbox: what failed for good, and retrying it.

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::auth::Identity;
use crate::db;
use crate::error::{AppError, FieldError};
use crate::http::AppState;
use crate::schema::outbox;

#[derive(Deserialize)]
pub struct StatusFilter {
    pub status: Option<String>,
}

#[derive(Serialize, Queryable)]
pub struct Row {
    pub id: i64,
    pub message_id: String,
    pub channel: String,
    pub recipient: String,
    pub subject: String,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
}

pub async fn list(state: web::Data<AppState>, q: web::Query<StatusFilter>) -> Result<HttpResponse, AppError> {
    let status = q.into_inner().status.filter(|s| !s.is_empty());
    if let Some(s) = &status {
        if !["pending", "sent", "failed"].contains(&s.as_str()) {
            return Err(AppError::validation(vec![FieldError::new(
                "status",
                format!("{s:?} is not pending, sent or failed"),
            )]));
        }
    }
    let rows: Vec<Row> = db::blocking(&state.pool, move |conn| {
        let mut q = outbox::table
            .select((
                outbox::id,
                outbox::message_id,
                outbox::channel,
                outbox::recipient,
                outbox::subject,
                outbox::status,
                outbox::attempts,
                outbox::next_attempt_at,
                outbox::created_at,
                outbox::sent_at,
                outbox::last_error,
            ))
            .order(outbox::id.desc())
            .limit(500)
            .into_boxed();
        if let Some(s) = status {
            q = q.filter(outbox::status.eq(s));
        }
        Ok(q.load(conn)?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(rows))
}

/// Puts a failed message back in the queue, due now.
pub async fn retry(
    state: web::Data<AppState>,
    who: Identity,
    req: HttpRequest,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let rid = crate::ops::middleware::RequestId::of(&req);
    db::blocking(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let n = diesel::update(outbox::table.find(id).filter(outbox::status.eq("failed")))
                .set((outbox::status.eq("pending"), outbox::next_attempt_at.eq(Utc::now())))
                .execute(conn)?;
            if n == 0 {
                return Err(AppError::Conflict(format!("message {id} is not a failed message")));
            }
            crate::audit::record(
                conn,
                crate::audit::Entry {
                    user_id: Some(who.user_id),
                    request_id: rid.as_deref(),
                    action: "retry",
                    entity: "outbox",
                    entity_id: id.to_string(),
                    before: Some(serde_json::json!({"status": "failed"})),
                    after: Some(serde_json::json!({"status": "pending"})),
                },
            )?;
            Ok(())
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({"id": id, "status": "pending"})))
}
