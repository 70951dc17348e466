//! The audit trail: every write appends one row saying who, when, what, before and
//! after, and the request it came from. Rows are hash-chained with a key: each
//! holds the hash of the row before it and HMAC-SHA256(key, prev_hash ‖ canonical
//! JSON of its own content), so editing or deleting any row breaks every hash
//! after it, `verify` names the first broken row, and nobody without the key
//! (which lives in the service's configuration, never in the database) can
//! recompute the chain after rewriting it. What the chain alone cannot show is a
//! cut at its end (`TRUNCATE`, or the last rows deleted): a `Checkpoint` — the
//! row count and last hash at a moment, signed with the key and kept outside the
//! database — proves that everything up to it is still there, unchanged.
//!
//! Invariants: `record` runs inside the transaction of the write it describes,
//! and takes a transaction-scoped advisory lock so that concurrent writers append
//! in one order. The key is installed once per process (`install_key`, at start)
//! and `record` refuses to write without it. Rows written before the chain was
//! keyed (`keyed = false`) are accepted only at its beginning.

pub mod pages;
pub mod routes;
mod views;

use std::sync::OnceLock;

use chrono::{DateTime, SubsecRound, Utc};
use diesel::prelude::*;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::auth::token::hex;
use crate::schema::audit_events;

const LOCK: i64 = 7263582;
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The chain's key, from the configuration.
pub struct Key(Vec<u8>);

static KEY: OnceLock<Key> = OnceLock::new();

/// Installs the chain's key for this process. Installing the same key again is
/// harmless; another key is refused (one process, one chain key).
pub fn install_key(key: &str) -> anyhow::Result<()> {
    anyhow::ensure!(key.chars().count() >= 32, "the audit key must have at least 32 characters");
    let installed = KEY.get_or_init(|| Key(key.as_bytes().to_vec()));
    anyhow::ensure!(installed.0 == key.as_bytes(), "another audit key is already installed in this process");
    Ok(())
}

/// The key of `settings`: `BUDGETWATCH_AUDIT_KEY`, or the contents of
/// `BUDGETWATCH_AUDIT_KEY_FILE`, which is created with a random key (readable by
/// its owner only) when it does not exist yet, so that a demo needs no setup.
pub fn key_from(settings: &crate::config::Settings) -> anyhow::Result<String> {
    use anyhow::Context;
    if !settings.audit_key.is_empty() {
        return Ok(settings.audit_key.clone());
    }
    let path = &settings.audit_key_file;
    if !path.exists() {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        let key = crate::auth::token::generate();
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        use std::io::Write;
        match options.open(path) {
            Ok(mut f) => {
                f.write_all(key.as_bytes()).with_context(|| format!("writing {}", path.display()))?;
                tracing::warn!(file = %path.display(), "made a new audit key: keep this file (or set BUDGETWATCH_AUDIT_KEY) and back it up");
            }
            // Another process made it first: read theirs.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e).with_context(|| format!("creating {}", path.display())),
        }
    }
    let key =
        std::fs::read_to_string(path).with_context(|| format!("reading the audit key from {}", path.display()))?;
    Ok(key.trim().to_string())
}

fn key() -> Result<&'static Key, diesel::result::Error> {
    KEY.get().ok_or_else(|| {
        diesel::result::Error::QueryBuilderError(
            "the audit key is not installed: the audit trail cannot be written".into(),
        )
    })
}

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

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = audit_events)]
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
    /// False for rows written before the chain was keyed (plain SHA-256).
    pub keyed: bool,
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

/// The hash of a row: HMAC-SHA256 with the key, or plain SHA-256 for a row
/// written before the chain was keyed.
fn chain_hash(key: Option<&Key>, prev: &str, content: &str) -> String {
    match key {
        Some(k) => {
            let mut mac = Hmac::<Sha256>::new_from_slice(&k.0).expect("HMAC takes any key length");
            mac.update(prev.as_bytes());
            mac.update(b"\n");
            mac.update(content.as_bytes());
            hex(&mac.finalize().into_bytes())
        }
        None => {
            let mut h = Sha256::new();
            h.update(prev.as_bytes());
            h.update(b"\n");
            h.update(content.as_bytes());
            hex(&h.finalize())
        }
    }
}

/// Appends `entry` to the chain. Call inside the write's transaction.
pub fn record(conn: &mut PgConnection, entry: Entry<'_>) -> QueryResult<()> {
    let key = key()?;
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
        let hash = chain_hash(Some(key), &prev, &content);
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
                audit_events::keyed.eq(true),
            ))
            .execute(conn)?;
        Ok(())
    })
}

#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// `unkeyed` of the `rows` were written before the chain was keyed.
    Intact {
        rows: usize,
        unkeyed: usize,
    },
    Broken {
        id: i64,
        reason: String,
    },
}

/// Where the chain stood at a moment, signed with the key: kept outside the
/// database, it shows whether anything up to that moment was cut or rewritten.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub rows: u64,
    pub last_id: i64,
    pub last_hash: String,
    pub at: DateTime<Utc>,
    /// HMAC-SHA256 with the chain's key over the four fields above.
    pub signature: String,
}

impl Checkpoint {
    fn signed_text(rows: u64, last_id: i64, last_hash: &str, at: DateTime<Utc>) -> String {
        format!(
            "budgetwatch audit checkpoint\nrows={rows}\nlast_id={last_id}\nlast_hash={last_hash}\nat={}",
            at.to_rfc3339()
        )
    }

    fn sign(key: &Key, text: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&key.0).expect("HMAC takes any key length");
        mac.update(text.as_bytes());
        hex(&mac.finalize().into_bytes())
    }

    fn signature_is_valid(&self, key: &Key) -> bool {
        let text = Self::signed_text(self.rows, self.last_id, &self.last_hash, self.at);
        crate::auth::token::constant_time_eq(&Self::sign(key, &text), &self.signature)
    }
}

/// The chain's head now, signed.
pub fn checkpoint(conn: &mut PgConnection) -> QueryResult<Checkpoint> {
    let key = key()?;
    let (rows, head): (i64, Option<(i64, String)>) = conn.transaction(|conn| {
        let rows = audit_events::table.count().get_result(conn)?;
        let head = audit_events::table
            .select((audit_events::id, audit_events::hash))
            .order(audit_events::id.desc())
            .first(conn)
            .optional()?;
        Ok::<_, diesel::result::Error>((rows, head))
    })?;
    let (last_id, last_hash) = head.unwrap_or((0, GENESIS.to_string()));
    let at = Utc::now().trunc_subsecs(0);
    let signature = Checkpoint::sign(key, &Checkpoint::signed_text(rows as u64, last_id, &last_hash, at));
    Ok(Checkpoint { rows: rows as u64, last_id, last_hash, at, signature })
}

/// Recomputes the whole chain in id order, in batches; with a checkpoint, also
/// proves that the rows it counted are all still there, unchanged.
pub fn verify(conn: &mut PgConnection, checkpoint: Option<&Checkpoint>) -> QueryResult<Verdict> {
    let key = key()?;
    if let Some(c) = checkpoint {
        if !c.signature_is_valid(key) {
            return Ok(Verdict::Broken {
                id: c.last_id,
                reason: "the checkpoint's signature does not match its content or this key (it was altered, or signed with another key)".into(),
            });
        }
    }
    let mut prev = GENESIS.to_string();
    let mut after_id = 0i64;
    let (mut rows, mut unkeyed) = (0usize, 0usize);
    let mut seen_keyed = false;
    let mut reached_checkpoint = checkpoint.is_none_or(|c| c.rows == 0);
    loop {
        let batch: Vec<Event> = audit_events::table
            .filter(audit_events::id.gt(after_id))
            .order(audit_events::id.asc())
            .limit(5000)
            .select(Event::as_select())
            .load(conn)?;
        if batch.is_empty() {
            break;
        }
        for e in batch {
            if e.prev_hash != prev {
                return Ok(Verdict::Broken {
                    id: e.id,
                    reason: "its prev_hash is not the hash of the row before it (a row was removed or inserted)".into(),
                });
            }
            if !e.keyed && seen_keyed {
                return Ok(Verdict::Broken {
                    id: e.id,
                    reason: "it is not keyed, yet rows before it are (it was written without the key)".into(),
                });
            }
            seen_keyed |= e.keyed;
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
            if chain_hash(e.keyed.then_some(key), &prev, &content) != e.hash {
                return Ok(Verdict::Broken {
                    id: e.id,
                    reason: "its content does not match its hash (it was edited, or hashed with another key)".into(),
                });
            }
            rows += 1;
            unkeyed += usize::from(!e.keyed);
            if let Some(c) = checkpoint.filter(|c| c.last_id == e.id) {
                if c.rows != rows as u64 || c.last_hash != e.hash {
                    return Ok(Verdict::Broken {
                        id: e.id,
                        reason: format!(
                            "the checkpoint of {} counted {} rows up to this one, with hash {}; the chain has {rows} with hash {} (history before it was rewritten)",
                            c.at.to_rfc3339(),
                            c.rows,
                            c.last_hash,
                            e.hash
                        ),
                    });
                }
                reached_checkpoint = true;
            }
            prev = e.hash;
            after_id = e.id;
        }
    }
    match checkpoint {
        Some(c) if !reached_checkpoint => Ok(Verdict::Broken {
            id: c.last_id,
            reason: format!(
                "the checkpoint of {} counted {} rows up to row {}; the chain now has {rows} rows and that row is gone (the trail was cut)",
                c.at.to_rfc3339(),
                c.rows,
                c.last_id
            ),
        }),
        _ => Ok(Verdict::Intact { rows, unkeyed }),
    }
}
