//! The audit trail: every write appends one row saying who, when, what, before and
//! after, and the request it came from. Rows are hash-chained: each holds the hash
//! of the row before it and SHA-256(prev_hash ‖ canonical JSON of its own content),
//! so editing or deleting any row breaks every hash after it, and `verify` names
//! the first broken row. The table refuses UPDATE and DELETE through a trigger; the
//! chain catches what a superuser does anyway.
//!
//! Invariant: `record` runs inside the transaction of the write it describes, and
//! takes a transaction-scoped advisory lock so that concurrent writers append in
//! one order.

pub mod routes;

use chrono::{DateTime, SubsecRound, Utc};
use diesel::prelude::*;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::auth::token::hex;
use crate::schema::audit_events;

const LOCK: i64 = 7263582;
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Who made a change and through which request, for the audit trail.
#[derive(Clone, Copy, Debug)]
pub struct Actor<'a> {
    pub user_id: Option<i64>,
    pub request_id: Option<&'a str>,
}

/// One write to describe.
pub struct Entry<'a> {
    pub user_id: Option<i64>,
    pub request_id: Option<&'a str>,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

#[derive(Queryable, Debug, Clone)]
pub struct Event {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub user_id: Option<i64>,
    pub request_id: Option<String>,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub prev_hash: String,
    pub hash: String,
}

/// The canonical text a row's hash covers: sorted keys, no whitespace, `at` in UTC
/// with microseconds (PostgreSQL's precision).
fn canonical(at: DateTime<Utc>, e: &Entry<'_>) -> String {
    // serde_json's map is ordered by key, so this serialisation is canonical.
    json!({
        "action": e.action,
        "after": e.after,
        "at": at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string(),
        "before": e.before,
        "entity": e.entity,
        "entity_id": e.entity_id,
        "request_id": e.request_id,
        "user_id": e.user_id,
    })
    .to_string()
}

fn chain_hash(prev: &str, content: &str) -> String {
    let mut h = Sha256::new();
    h.update(prev.as_bytes());
    h.update(b"\n");
    h.update(content.as_bytes());
    hex(&h.finalize())
}

/// Appends `entry` to the chain. Call inside the write's transaction.
pub fn record(conn: &mut PgConnection, entry: Entry<'_>) -> QueryResult<()> {
    conn.transaction(|conn| {
        diesel::select(diesel::dsl::sql::<diesel::sql_types::Bool>(&format!(
            "pg_advisory_xact_lock({LOCK}) IS NOT NULL"
        )))
        .get_result::<bool>(conn)?;
        let prev: String = audit_events::table
            .select(audit_events::hash)
            .order(audit_events::id.desc())
            .first(conn)
            .optional()?
            .unwrap_or_else(|| GENESIS.to_string());
        let at = Utc::now().trunc_subsecs(6);
        let content = canonical(at, &entry);
        let hash = chain_hash(&prev, &content);
        diesel::insert_into(audit_events::table)
            .values((
                audit_events::at.eq(at),
                audit_events::user_id.eq(entry.user_id),
                audit_events::request_id.eq(entry.request_id),
                audit_events::action.eq(entry.action),
                audit_events::entity.eq(entry.entity),
                audit_events::entity_id.eq(&entry.entity_id),
                audit_events::before.eq(&entry.before),
                audit_events::after.eq(&entry.after),
                audit_events::prev_hash.eq(&prev),
                audit_events::hash.eq(&hash),
            ))
            .execute(conn)?;
        Ok(())
    })
}

#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    Intact { rows: usize },
    Broken { id: i64, reason: String },
}

/// Recomputes the whole chain in id order, in batches.
pub fn verify(conn: &mut PgConnection) -> QueryResult<Verdict> {
    let mut prev = GENESIS.to_string();
    let mut after_id = 0i64;
    let mut rows = 0usize;
    loop {
        let batch: Vec<Event> = audit_events::table
            .filter(audit_events::id.gt(after_id))
            .order(audit_events::id.asc())
            .limit(5000)
            .load(conn)?;
        if batch.is_empty() {
            return Ok(Verdict::Intact { rows });
        }
        for e in batch {
            if e.prev_hash != prev {
                return Ok(Verdict::Broken {
                    id: e.id,
                    reason: "its prev_hash is not the hash of the row before it (a row was removed or inserted)".into(),
                });
            }
            let content = canonical(
                e.at,
                &Entry {
                    user_id: e.user_id,
                    request_id: e.request_id.as_deref(),
                    action: &e.action,
                    entity: &e.entity,
                    entity_id: e.entity_id.clone(),
                    before: e.before.clone(),
                    after: e.after.clone(),
                },
            );
            if chain_hash(&prev, &content) != e.hash {
                return Ok(Verdict::Broken {
                    id: e.id,
                    reason: "its content does not match its hash (it was edited)".into(),
                });
            }
            prev = e.hash;
            after_id = e.id;
            rows += 1;
        }
    }
}
