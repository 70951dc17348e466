//! Delivery of alert notices through the outbox. `enqueue` runs inside the alert
//! evaluation's transaction: one Thai e-mail digest per recipient (not one mail per
//! alert) and one signed JSON POST per webhook, each with a message id receivers can
//! use to drop duplicates. The worker claims due messages with `FOR UPDATE SKIP
//! LOCKED` and a lease (so replicas never send the same message at once, and a
//! process that dies mid-send has its messages sent again after the lease: at least
//! once), records every attempt, backs off exponentially, and marks a message
//! failed after the maximum attempts; admin can see and retry failures.

pub mod routes;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use argon2::password_hash::rand_core::{OsRng, RngCore};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Jsonb, Text};
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

use crate::auth::token::hex;
use crate::config::{Delivery, SmtpTls};
use crate::schema::{bureaus, delivery_attempts, outbox, user_roles, users};

crate::text_enum! {
    /// A message's state in the outbox (`outbox.status`).
    pub enum OutboxStatus { Pending = "pending", Sent = "sent", Failed = "failed" }
}

/// A claimed message is not claimed again before this many seconds pass.
const LEASE_SECS: i32 = 60;

pub struct Raised {
    pub id: i64,
    pub bureau_id: Option<i32>,
    /// The words of `alerts::Severity` and `alerts::AlertKind` (the payload's).
    pub severity: &'static str,
    pub kind: &'static str,
    pub fiscal_year: i32,
    pub month: i16,
    pub scope_key: String,
    pub message_th: String,
    pub message_en: String,
}

fn message_id() -> String {
    let mut b = [0u8; 16];
    OsRng.fill_bytes(&mut b);
    hex(&b)
}

/// The e-mail to the executives: Thai, the office's language, from the catalogue.
fn digest(alerts: &[&Raised]) -> (String, String) {
    const TH: crate::i18n::Lang = crate::i18n::Lang::Th;
    let critical = alerts.iter().filter(|a| a.severity == "critical").count();
    let subject = if critical > 0 {
        TH.f("mail.subject_critical", &[("count", &alerts.len()), ("critical", &critical)])
    } else {
        TH.f("mail.subject", &[("count", &alerts.len())])
    };
    let mut body = TH.t("mail.opening").to_string();
    for (i, a) in alerts.iter().enumerate() {
        let severity = TH.t(if a.severity == "critical" { "mail.critical" } else { "mail.warning" });
        body.push_str(&TH.f("mail.line", &[("n", &(i + 1)), ("severity", &severity), ("message", &a.message_th)]));
    }
    body.push_str(TH.t("mail.closing"));
    (subject, body)
}

/// Writes the notices for newly raised alerts; call inside the evaluation's
/// transaction so that alerts and their notices commit together.
pub fn enqueue(conn: &mut PgConnection, raised: &[Raised], cfg: &Delivery) -> QueryResult<usize> {
    if raised.is_empty() {
        return Ok(0);
    }
    let mut recipients: BTreeMap<String, Vec<&Raised>> = BTreeMap::new();
    if !cfg.smtp_host.is_empty() {
        let mut everyone: Vec<String> = cfg.alert_emails.clone();
        let people: Vec<Option<String>> = users::table
            .inner_join(user_roles::table)
            .filter(users::active.eq(true))
            .filter(user_roles::role.eq_any(["secretary_general", "strategy"]))
            .select(users::email)
            .load(conn)?;
        everyone.extend(people.into_iter().flatten().filter(|e| !e.trim().is_empty()));
        for e in everyone {
            recipients.entry(e.to_lowercase()).or_default().extend(raised.iter());
        }
        // A bureau's head hears about its own bureau.
        let ids: Vec<i32> = raised.iter().filter_map(|r| r.bureau_id).collect();
        let heads: Vec<(i32, Option<String>)> =
            bureaus::table.filter(bureaus::id.eq_any(&ids)).select((bureaus::id, bureaus::head_email)).load(conn)?;
        for (bureau, head) in heads {
            if let Some(h) = head.filter(|h| !h.trim().is_empty()) {
                let list = recipients.entry(h.to_lowercase()).or_default();
                for r in raised.iter().filter(|r| r.bureau_id == Some(bureau)) {
                    if !list.iter().any(|x| x.id == r.id) {
                        list.push(r);
                    }
                }
            }
        }
    }
    let mut rows = Vec::new();
    for (to, alerts) in &recipients {
        let (subject, body) = digest(alerts);
        rows.push((
            outbox::message_id.eq(message_id()),
            outbox::channel.eq("email"),
            outbox::recipient.eq(to.clone()),
            outbox::subject.eq(subject.clone()),
            outbox::payload.eq(json!({"body": body, "alerts": alerts.iter().map(|a| a.id).collect::<Vec<_>>()})),
        ));
    }
    for url in &cfg.webhook_urls {
        let body = json!({
            "event": "alerts.raised",
            "alerts": raised.iter().map(|a| json!({
                "id": a.id, "kind": a.kind, "severity": a.severity, "fiscal_year": a.fiscal_year, "month": a.month,
                "scope": a.scope_key, "message_th": a.message_th, "message_en": a.message_en,
            })).collect::<Vec<_>>(),
        });
        rows.push((
            outbox::message_id.eq(message_id()),
            outbox::channel.eq("webhook"),
            outbox::recipient.eq(url.clone()),
            outbox::subject.eq("alerts.raised".to_string()),
            outbox::payload.eq(body),
        ));
    }
    diesel::insert_into(outbox::table).values(rows).execute(conn)
}

#[derive(QueryableByName, Debug, Clone)]
pub struct Claimed {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    #[diesel(sql_type = Text)]
    pub message_id: String,
    #[diesel(sql_type = Text)]
    pub channel: String,
    #[diesel(sql_type = Text)]
    pub recipient: String,
    #[diesel(sql_type = Text)]
    pub subject: String,
    #[diesel(sql_type = Jsonb)]
    pub payload: Value,
    #[diesel(sql_type = Integer)]
    pub attempts: i32,
}

/// Claims up to `limit` due messages under a lease, counting the attempt.
pub fn claim(conn: &mut PgConnection, limit: i64) -> QueryResult<Vec<Claimed>> {
    diesel::sql_query(
        "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = now() + make_interval(secs => $2)
         WHERE id IN (SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= now()
                      ORDER BY next_attempt_at, id LIMIT $1 FOR UPDATE SKIP LOCKED)
         RETURNING id, message_id, channel, recipient, subject, payload, attempts",
    )
    .bind::<BigInt, _>(limit)
    .bind::<Integer, _>(LEASE_SECS)
    .load(conn)
}

/// Records an attempt's outcome: sent, retried later with backoff, or failed.
pub fn settle(
    conn: &mut PgConnection,
    m: &Claimed,
    result: Result<(), String>,
    took: Duration,
    cfg: &Delivery,
) -> QueryResult<()> {
    conn.transaction(|conn| {
        diesel::insert_into(delivery_attempts::table)
            .values((
                delivery_attempts::outbox_id.eq(m.id),
                delivery_attempts::ok.eq(result.is_ok()),
                delivery_attempts::error.eq(result.as_ref().err()),
                delivery_attempts::duration_ms.eq(took.as_millis().min(i32::MAX as u128) as i32),
            ))
            .execute(conn)?;
        match &result {
            Ok(()) => {
                diesel::update(outbox::table.find(m.id))
                    .set((outbox::status.eq(OutboxStatus::Sent), outbox::sent_at.eq(chrono::Utc::now()), outbox::last_error.eq(None::<String>)))
                    .execute(conn)?;
                tracing::info!(outbox_id = m.id, channel = %m.channel, attempts = m.attempts, "notice delivered");
            }
            Err(e) if m.attempts >= cfg.max_attempts => {
                diesel::update(outbox::table.find(m.id))
                    .set((outbox::status.eq(OutboxStatus::Failed), outbox::last_error.eq(e)))
                    .execute(conn)?;
                tracing::error!(outbox_id = m.id, channel = %m.channel, attempts = m.attempts, error = %e, "notice failed for good");
            }
            Err(e) => {
                let delay = cfg.backoff_ms.saturating_mul(1u64 << (m.attempts - 1).clamp(0, 20) as u32).min(600_000);
                diesel::update(outbox::table.find(m.id))
                    .set((
                        outbox::next_attempt_at.eq(chrono::Utc::now() + chrono::Duration::milliseconds(delay as i64)),
                        outbox::last_error.eq(e),
                    ))
                    .execute(conn)?;
                tracing::warn!(outbox_id = m.id, channel = %m.channel, attempts = m.attempts, retry_in_ms = delay, error = %e, "notice not delivered yet");
            }
        }
        Ok(())
    })
}

/// Sends one e-mail (blocking: call on the blocking pool).
pub fn send_email(cfg: &Delivery, m: &Claimed) -> Result<(), String> {
    use lettre::message::header::{ContentTransferEncoding, ContentType};
    use lettre::message::SinglePart;
    use lettre::transport::smtp::authentication::Credentials;
    use lettre::{Message, SmtpTransport, Transport};
    let body = m.payload["body"].as_str().unwrap_or_default().to_string();
    let email = Message::builder()
        .from(cfg.smtp_from.parse().map_err(|e| format!("sender: {e}"))?)
        .to(m.recipient.parse().map_err(|e| format!("recipient: {e}"))?)
        .subject(m.subject.clone())
        .message_id(Some(format!("<{}@budgetwatch>", m.message_id)))
        .singlepart(
            SinglePart::builder().header(ContentType::TEXT_PLAIN).header(ContentTransferEncoding::Base64).body(body),
        )
        .map_err(|e| format!("building the message: {e}"))?;
    let builder = match cfg.smtp_tls {
        SmtpTls::None => SmtpTransport::builder_dangerous(&cfg.smtp_host),
        SmtpTls::StartTls => SmtpTransport::starttls_relay(&cfg.smtp_host).map_err(|e| e.to_string())?,
        SmtpTls::Tls => SmtpTransport::relay(&cfg.smtp_host).map_err(|e| e.to_string())?,
    };
    let mut builder = builder.port(cfg.smtp_port).timeout(Some(Duration::from_secs(10)));
    if !cfg.smtp_username.is_empty() {
        builder = builder.credentials(Credentials::new(cfg.smtp_username.clone(), cfg.smtp_password.clone()));
    }
    builder.build().send(&email).map(|_| ()).map_err(|e| format!("SMTP: {e}"))
}

/// The key a webhook secret stands for: a Standard Webhooks secret
/// (`whsec_` and base64) is its decoded bytes, anything else its own bytes.
fn webhook_key(secret: &str) -> Vec<u8> {
    use base64::Engine;
    secret
        .strip_prefix("whsec_")
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
        .unwrap_or_else(|| secret.as_bytes().to_vec())
}

/// The `webhook-signature` of the Standard Webhooks scheme: `v1,` and the
/// base64 of HMAC-SHA256 over `id.timestamp.body`. Signing the id and the time
/// with the body lets a receiver refuse a captured call replayed later.
pub fn signature(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> String {
    use base64::Engine;
    let mut mac = Hmac::<Sha256>::new_from_slice(&webhook_key(secret)).expect("HMAC takes any key length");
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("v1,{}", base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes()))
}

/// One attempt: the message id stays (receivers drop duplicates on it), the
/// timestamp is this attempt's.
pub async fn send_webhook(client: &awc::Client, cfg: &Delivery, m: &Claimed) -> Result<(), String> {
    let body = serde_json::to_vec(&m.payload).map_err(|e| e.to_string())?;
    let timestamp = chrono::Utc::now().timestamp();
    let res = client
        .post(&m.recipient)
        .insert_header(("Content-Type", "application/json"))
        .insert_header(("webhook-id", m.message_id.as_str()))
        .insert_header(("webhook-timestamp", timestamp.to_string()))
        .insert_header(("webhook-signature", signature(&cfg.webhook_secret, &m.message_id, timestamp, &body)))
        .timeout(Duration::from_secs(10))
        .send_body(body)
        .await
        .map_err(|e| format!("webhook: {e}"))?;
    if res.status().is_success() {
        Ok(())
    } else {
        Err(format!("webhook answered HTTP {}", res.status().as_u16()))
    }
}

/// One pass of the worker: claim, send, settle. Returns how many were attempted.
pub async fn run_once(
    pool: &crate::db::PgPool,
    cfg: &Delivery,
    client: &awc::Client,
) -> Result<usize, crate::error::AppError> {
    let claimed = crate::db::blocking(pool, |conn| Ok(claim(conn, 20)?)).await?;
    let n = claimed.len();
    for m in claimed {
        let started = Instant::now();
        let result = match m.channel.as_str() {
            "email" => {
                let (cfg2, m2) = (cfg.clone(), m.clone());
                actix_web::web::block(move || send_email(&cfg2, &m2)).await.unwrap_or_else(|e| Err(e.to_string()))
            }
            _ => send_webhook(client, cfg, &m).await,
        };
        let (cfg2, took) = (cfg.clone(), started.elapsed());
        crate::db::blocking(pool, move |conn| Ok(settle(conn, &m, result, took, &cfg2)?)).await?;
    }
    Ok(n)
}

/// The worker loop inside the server.
pub fn start_worker(pool: crate::db::PgPool, cfg: Delivery) {
    if cfg.interval_ms == 0 {
        return;
    }
    actix_web::rt::spawn(async move {
        let client = awc::Client::builder().timeout(Duration::from_secs(10)).finish();
        let mut tick = actix_web::rt::time::interval(Duration::from_millis(cfg.interval_ms));
        loop {
            tick.tick().await;
            if let Err(e) = run_once(&pool, &cfg, &client).await {
                tracing::warn!(error = %e, "delivery pass failed; will try again");
            }
        }
    });
}
