//! A user's own account: their long-lived API tokens (listed with when each was
//! last used, made only after the password is typed again, revoked) and their
//! password. Confirming a password goes through the sign-in throttle, so a
//! stolen session cannot be used to guess it; changing it ends the user's other
//! browser sessions. Every change is audited.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use serde::Serialize;
use serde_json::json;

use super::{password, queries, Via};
use crate::audit::{self, Actor};
use crate::error::{AppError, FieldError};
use crate::schema::{api_tokens, users};

/// An API token as its owner sees it (never the token itself).
#[derive(Queryable, Selectable, Serialize, Debug, Clone)]
#[diesel(table_name = api_tokens)]
pub struct TokenView {
    pub id: i64,
    pub label: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl TokenView {
    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        self.revoked_at.is_none() && self.expires_at > now
    }
}

/// The user's API tokens (not browser sessions), newest first.
pub fn tokens(conn: &mut PgConnection, user_id: i64) -> QueryResult<Vec<TokenView>> {
    api_tokens::table
        .filter(api_tokens::user_id.eq(user_id))
        .filter(api_tokens::kind.eq("api"))
        .order(api_tokens::id.desc())
        .limit(200)
        .select(TokenView::as_select())
        .load(conn)
}

fn wrong_password(field: &str) -> AppError {
    AppError::validation(vec![FieldError::new(field, "รหัสผ่านไม่ถูกต้อง (the password is not right)")])
}

/// Checks the password of `user_id` typed again (field `field`), through the
/// sign-in throttle of (user, address); a wrong one counts as a failed sign-in.
pub fn confirm_password(
    conn: &mut PgConnection,
    user_id: i64,
    password_typed: &str,
    field: &str,
    addr: &str,
    actor: Actor<'_>,
) -> Result<(), AppError> {
    let (username, hash): (String, String) =
        users::table.find(user_id).select((users::username, users::password_hash)).first(conn)?;
    let over = |f: &queries::Failures| {
        f.by_user_addr >= super::routes::MAX_FAILURES || f.by_addr >= super::routes::MAX_ADDRESS_FAILURES
    };
    let Ok(attempt) = queries::begin_attempt(conn, &username, addr, over)? else {
        return Err(AppError::TooManyRequests("too many wrong passwords; try again in 15 minutes".into()));
    };
    if password::verify(password_typed, &hash) {
        queries::attempt_succeeded(conn, attempt)?;
        return Ok(());
    }
    conn.transaction(|conn| {
        audit::record(
            conn,
            audit::Entry {
                user_id: actor.user_id,
                request_id: actor.request_id,
                action: "password_confirmation_failed",
                entity: "sign_in",
                entity_id: username.clone(),
                before: None,
                after: Some(json!({"remote_addr": addr})),
            },
        )
    })?;
    Err(wrong_password(field))
}

/// A new long-lived API token for the user, after the password is confirmed.
pub struct NewToken<'a> {
    pub label: &'a str,
    pub days: i64,
    pub password: &'a str,
}

pub fn check_new_token(t: &NewToken<'_>) -> Result<(), AppError> {
    let mut errors = Vec::new();
    if !(1..=730).contains(&t.days) {
        errors.push(FieldError::new("days", format!("{} is not from 1 to 730", t.days)));
    }
    if t.label.chars().count() > 100 {
        errors.push(FieldError::new("label", "must have at most 100 characters"));
    }
    if t.label.chars().any(char::is_control) {
        errors.push(FieldError::new("label", "contains a control character"));
    }
    if t.password.is_empty() {
        errors.push(FieldError::new("password", "type your password again to make a long-lived token"));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::validation(errors))
    }
}

pub fn create_token(
    conn: &mut PgConnection,
    user_id: i64,
    t: &NewToken<'_>,
    addr: &str,
    actor: Actor<'_>,
) -> Result<queries::Issued, AppError> {
    check_new_token(t)?;
    confirm_password(conn, user_id, t.password, "password", addr, actor)?;
    Ok(queries::issue_audited(conn, user_id, Via::Token, t.label.trim(), Duration::days(t.days), actor, "create")?)
}

/// Changes the user's password (the current one confirmed, the new one within
/// the policy) and ends their other browser sessions; returns how many ended.
pub fn change_password(
    conn: &mut PgConnection,
    user_id: i64,
    current: &str,
    new: &str,
    keep_token: i64,
    addr: &str,
    actor: Actor<'_>,
) -> Result<usize, AppError> {
    let username: String = users::table.find(user_id).select(users::username).first(conn)?;
    let mut errors = Vec::new();
    if current.is_empty() {
        errors.push(FieldError::new("current_password", "type your current password"));
    }
    if let Err(e) = password::check_policy(&username, new) {
        errors.push(FieldError::new("new_password", e));
    } else if new == current {
        errors.push(FieldError::new("new_password", "must differ from the current password"));
    }
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    confirm_password(conn, user_id, current, "current_password", addr, actor)?;
    let hash = password::hash(new)?;
    conn.transaction(|conn| {
        diesel::update(users::table.find(user_id)).set(users::password_hash.eq(&hash)).execute(conn)?;
        let ended = diesel::update(
            api_tokens::table
                .filter(api_tokens::user_id.eq(user_id))
                .filter(api_tokens::kind.eq("session"))
                .filter(api_tokens::revoked_at.is_null())
                .filter(api_tokens::id.ne(keep_token)),
        )
        .set(api_tokens::revoked_at.eq(Utc::now()))
        .execute(conn)?;
        audit::record(
            conn,
            audit::Entry {
                user_id: actor.user_id,
                request_id: actor.request_id,
                action: "change_password",
                entity: "user",
                entity_id: username.clone(),
                before: None,
                after: Some(json!({"other_sessions_ended": ended})),
            },
        )?;
        Ok(ended)
    })
}
