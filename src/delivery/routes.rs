//! Admin's view of the outbox: what failed for good, and retrying it.

use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::OutboxStatus;
use crate::db;
use crate::error::{AppError, FieldError};
use crate::http::{AppState, Writer};
use crate::schema::outbox;

#[derive(Deserialize)]
pub struct StatusFilter {
    pub status: Option<String>,
}

#[derive(Serialize, Queryable, Selectable)]
#[diesel(table_name = outbox, check_for_backend(diesel::pg::Pg))]
pub struct Row {
    pub id: i64,
    pub message_id: String,
    pub channel: String,
    pub recipient: String,
    pub subject: String,
    pub status: OutboxStatus,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
}

pub async fn list(state: web::Data<AppState>, q: web::Query<StatusFilter>) -> Result<HttpResponse, AppError> {
    let status = match q.into_inner().status.filter(|s| !s.is_empty()) {
        Some(s) => {
            Some(s.parse::<OutboxStatus>().map_err(|e| AppError::validation(vec![FieldError::new("status", e)]))?)
        }
        None => None,
    };
    let rows: Vec<Row> = db::blocking(&state.pool, move |conn| {
        let mut q = outbox::table.select(Row::as_select()).order(outbox::id.desc()).limit(500).into_boxed();
        if let Some(s) = status {
            q = q.filter(outbox::status.eq(s));
        }
        Ok(q.load(conn)?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(rows))
}

/// Puts a failed message back in the queue, due now.
pub async fn retry(state: web::Data<AppState>, writer: Writer, path: web::Path<i64>) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    writer
        .write(&state.pool, move |conn, actor| {
            conn.transaction(|conn| {
                let n = diesel::update(outbox::table.find(id).filter(outbox::status.eq(OutboxStatus::Failed)))
                    .set((outbox::status.eq(OutboxStatus::Pending), outbox::next_attempt_at.eq(Utc::now())))
                    .execute(conn)?;
                if n == 0 {
                    return Err(AppError::Conflict(format!("message {id} is not a failed message")));
                }
                crate::audit::record(
                    conn,
                    crate::audit::Entry {
                        user_id: actor.user_id,
                        request_id: actor.request_id,
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
