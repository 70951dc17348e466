//! Database side of authentication: resolving a token to an identity (one query),
//! issuing and revoking tokens, and counting sign-in failures.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Int4, Nullable, Text, Timestamptz};

use super::{token, Identity, Via};
use crate::domain::Role;
use crate::schema::{api_tokens, sign_in_attempts};

#[derive(QueryableByName)]
struct IdentityRow {
    #[diesel(sql_type = BigInt)]
    token_id: i64,
    #[diesel(sql_type = Nullable<Text>)]
    csrf_secret: Option<String>,
    #[diesel(sql_type = BigInt)]
    user_id: i64,
    #[diesel(sql_type = Text)]
    username: String,
    #[diesel(sql_type = Text)]
    display_name: String,
    #[diesel(sql_type = Array<Text>)]
    roles: Vec<String>,
    #[diesel(sql_type = Array<Int4>)]
    bureau_ids: Vec<i32>,
    #[diesel(sql_type = Array<Text>)]
    bureau_codes: Vec<String>,
}

/// The active user behind a live token of the given kind, with roles and
/// bureaus. A browser session is also dead after `idle_minutes` without use.
pub fn identity_by_token(
    conn: &mut PgConnection,
    token_hash: &str,
    via: Via,
    idle_minutes: i64,
) -> QueryResult<Option<Identity>> {
    let kind = match via {
        Via::Token => "api",
        Via::Session => "session",
    };
    let row: Option<IdentityRow> = diesel::sql_query(
        "SELECT t.id AS token_id, t.csrf_secret, u.id AS user_id, u.username, u.display_name,
                coalesce((SELECT array_agg(r.role ORDER BY r.role) FROM user_roles r WHERE r.user_id = u.id),
                         '{}') AS roles,
                coalesce((SELECT array_agg(b.id ORDER BY b.code) FROM user_bureaus ub
                          JOIN bureaus b ON b.id = ub.bureau_id WHERE ub.user_id = u.id), '{}') AS bureau_ids,
                coalesce((SELECT array_agg(b.code ORDER BY b.code) FROM user_bureaus ub
                          JOIN bureaus b ON b.id = ub.bureau_id WHERE ub.user_id = u.id), '{}') AS bureau_codes
         FROM api_tokens t JOIN users u ON u.id = t.user_id
         WHERE t.token_hash = $1 AND t.kind = $2 AND t.revoked_at IS NULL AND t.expires_at > now() AND u.active
           AND (t.kind <> 'session' OR coalesce(t.last_used_at, t.created_at) > now() - make_interval(mins => $3))",
    )
    .bind::<Text, _>(token_hash)
    .bind::<Text, _>(kind)
    .bind::<Int4, _>(idle_minutes.clamp(1, 100_000) as i32)
    .get_result(conn)
    .optional()?;
    let Some(row) = row else { return Ok(None) };
    // Remember use, so reads stay (mostly) reads: a session every minute (its
    // idle time is counted from it), a token every five.
    let every = match via {
        Via::Session => Duration::minutes(1),
        Via::Token => Duration::minutes(5),
    };
    diesel::update(api_tokens::table.find(row.token_id))
        .filter(api_tokens::last_used_at.is_null().or(api_tokens::last_used_at.lt(Utc::now() - every)))
        .set(api_tokens::last_used_at.eq(Utc::now()))
        .execute(conn)?;
    Ok(Some(Identity {
        user_id: row.user_id,
        username: row.username,
        display_name: row.display_name,
        roles: row.roles.iter().filter_map(|r| r.parse::<Role>().ok()).collect(),
        bureau_ids: row.bureau_ids,
        bureau_codes: row.bureau_codes,
        token_id: row.token_id,
        via,
        csrf: row.csrf_secret,
    }))
}

pub struct Issued {
    pub id: i64,
    pub token: String,
    pub csrf: Option<String>,
    pub expires_at: DateTime<Utc>,
}

/// Issues a token for `user_id`; the token itself is returned once, only its hash kept.
pub fn issue(conn: &mut PgConnection, user_id: i64, via: Via, label: &str, lifetime: Duration) -> QueryResult<Issued> {
    let token = token::generate();
    let csrf = (via == Via::Session).then(token::generate);
    let expires_at = Utc::now() + lifetime;
    let id = diesel::insert_into(api_tokens::table)
        .values((
            api_tokens::user_id.eq(user_id),
            api_tokens::token_hash.eq(token::hash(&token)),
            api_tokens::kind.eq(match via {
                Via::Token => "api",
                Via::Session => "session",
            }),
            api_tokens::label.eq(label),
            api_tokens::csrf_secret.eq(&csrf),
            api_tokens::expires_at.eq(expires_at),
        ))
        .returning(api_tokens::id)
        .get_result(conn)?;
    Ok(Issued { id, token, csrf, expires_at })
}

/// Issues a token and records it in the audit trail, in one transaction.
pub fn issue_audited(
    conn: &mut PgConnection,
    user_id: i64,
    via: Via,
    label: &str,
    lifetime: Duration,
    actor: crate::audit::Actor<'_>,
    action: &str,
) -> QueryResult<Issued> {
    conn.transaction(|conn| {
        let issued = issue(conn, user_id, via, label, lifetime)?;
        crate::audit::record(
            conn,
            crate::audit::Entry {
                user_id: actor.user_id,
                request_id: actor.request_id,
                action,
                entity: "token",
                entity_id: issued.id.to_string(),
                before: None,
                after: Some(serde_json::json!({
                    "user_id": user_id,
                    "kind": if via == Via::Token { "api" } else { "session" },
                    "label": label,
                    "expires_at": issued.expires_at,
                })),
            },
        )?;
        Ok(issued)
    })
}

/// Revokes a live token and records it in the audit trail; false when the token
/// was not live (nothing is recorded then).
pub fn revoke_audited(
    conn: &mut PgConnection,
    id: i64,
    actor: crate::audit::Actor<'_>,
    action: &str,
) -> QueryResult<bool> {
    conn.transaction(|conn| {
        if !revoke(conn, id)? {
            return Ok(false);
        }
        crate::audit::record(
            conn,
            crate::audit::Entry {
                user_id: actor.user_id,
                request_id: actor.request_id,
                action,
                entity: "token",
                entity_id: id.to_string(),
                before: None,
                after: None,
            },
        )?;
        Ok(true)
    })
}

/// Revokes token `id` if it is live; returns whether it was.
pub fn revoke(conn: &mut PgConnection, id: i64) -> QueryResult<bool> {
    let n = diesel::update(api_tokens::table.find(id))
        .filter(api_tokens::revoked_at.is_null())
        .set(api_tokens::revoked_at.eq(Utc::now()))
        .execute(conn)?;
    Ok(n == 1)
}

pub const WINDOW_MINUTES: i64 = 15;

#[derive(QueryableByName, Debug)]
pub struct Failures {
    /// Failures for this user name from this address.
    #[diesel(sql_type = BigInt)]
    pub by_user_addr: i64,
    /// Failures from this address, whatever the user name.
    #[diesel(sql_type = BigInt)]
    pub by_addr: i64,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub oldest: Option<DateTime<Utc>>,
}

/// Failed sign-ins in the last window from this address, for this user name and
/// for any. Failures elsewhere do not count: a guesser somewhere else cannot
/// lock the user out.
pub fn recent_failures(conn: &mut PgConnection, username: &str, addr: &str) -> QueryResult<Failures> {
    diesel::sql_query(
        "SELECT count(*) FILTER (WHERE username = $1) AS by_user_addr, count(*) AS by_addr, min(at) AS oldest
         FROM sign_in_attempts
         WHERE NOT ok AND at > now() - make_interval(mins => $3) AND remote_addr = $2",
    )
    .bind::<Text, _>(username)
    .bind::<Text, _>(addr)
    .bind::<Int4, _>(WINDOW_MINUTES as i32)
    .get_result(conn)
}

/// Counts an attempt before its password is checked, as a failure until it is
/// known to have succeeded: guesses sent at once are counted as they come, so
/// none slips past the limit. Attempts from one address are counted one at a
/// time (a transaction-scoped advisory lock on the address). Returns the
/// attempt's id, or the failures that refuse it.
pub fn begin_attempt(
    conn: &mut PgConnection,
    username: &str,
    addr: &str,
    refuse: impl Fn(&Failures) -> bool,
) -> QueryResult<Result<i64, Failures>> {
    conn.transaction(|conn| {
        diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended('sign-in:' || $1, 0))")
            .bind::<Text, _>(addr)
            .execute(conn)?;
        let failures = recent_failures(conn, username, addr)?;
        if refuse(&failures) {
            return Ok(Err(failures));
        }
        let id = diesel::insert_into(sign_in_attempts::table)
            .values((
                sign_in_attempts::username.eq(username),
                sign_in_attempts::remote_addr.eq(addr),
                sign_in_attempts::ok.eq(false),
            ))
            .returning(sign_in_attempts::id)
            .get_result(conn)?;
        diesel::delete(sign_in_attempts::table.filter(sign_in_attempts::at.lt(Utc::now() - Duration::days(1))))
            .execute(conn)?;
        Ok(Ok(id))
    })
}

/// The attempt turned out right: it no longer counts as a failure.
pub fn attempt_succeeded(conn: &mut PgConnection, id: i64) -> QueryResult<()> {
    diesel::update(sign_in_attempts::table.find(id)).set(sign_in_attempts::ok.eq(true)).execute(conn).map(|_| ())
}
