//! Alert notices delivered to real receivers on loopback: an SMTP server that
//! accepts digests, a webhook receiver that fails its first attempts, a message
//! that fails for good and is retried by admin, and messages left pending by a
//! stopped server that are sent after a restart.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use awc::http::Method;
use base64::Engine;
use budgetwatch::alerts;
use budgetwatch::config::{Settings, SmtpTls};
use chrono::{TimeZone, Utc};
use diesel::prelude::*;

use crate::helpers::{settings_for, spawn_app_with, TestApp, TestDb};

fn noon() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 5, 0, 0).unwrap()
}

/// A minimal SMTP server: accepts every message and keeps its DATA.
fn smtp_receiver() -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let mail = Arc::new(Mutex::new(Vec::new()));
    let store = mail.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut out) = stream else { continue };
            let mut reader = BufReader::new(out.try_clone().unwrap());
            let _ = out.write_all(b"220 receiver ESMTP\r\n");
            let mut line = String::new();
            loop {
                line.clear();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    break;
                }
                let cmd = line.trim_end().to_ascii_uppercase();
                if cmd.starts_with("EHLO") || cmd.starts_with("HELO") {
                    let _ = out.write_all(b"250-receiver\r\n250 8BITMIME\r\n");
                } else if cmd == "DATA" {
                    let _ = out.write_all(b"354 go ahead\r\n");
                    let mut data = String::new();
                    loop {
                        let mut l = String::new();
                        if reader.read_line(&mut l).unwrap_or(0) == 0 || l == ".\r\n" {
                            break;
                        }
                        data.push_str(&l);
                    }
                    store.lock().unwrap().push(data);
                    let _ = out.write_all(b"250 queued\r\n");
                } else if cmd == "QUIT" {
                    let _ = out.write_all(b"221 bye\r\n");
                    break;
                } else {
                    let _ = out.write_all(b"250 OK\r\n");
                }
            }
        }
    });
    (port, mail)
}

/// A request as received: headers (lower-case names), body, the status answered.
type Received = (Vec<(String, String)>, Vec<u8>, u16);

struct Webhook {
    port: u16,
    requests: Arc<Mutex<Vec<Received>>>,
    failures_left: Arc<AtomicUsize>,
    always_fail: Arc<AtomicBool>,
}

/// An HTTP receiver that answers 500 to its first `failures` requests, then 200.
fn webhook_receiver(failures: usize) -> Webhook {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let requests = Arc::new(Mutex::new(Vec::new()));
    let failures_left = Arc::new(AtomicUsize::new(failures));
    let always_fail = Arc::new(AtomicBool::new(false));
    let (store, left, fail) = (requests.clone(), failures_left.clone(), always_fail.clone());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut out) = stream else { continue };
            let mut reader = BufReader::new(out.try_clone().unwrap());
            let mut headers = Vec::new();
            let mut line = String::new();
            let _ = reader.read_line(&mut line);
            loop {
                line.clear();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some((k, v)) = line.trim_end().split_once(':') {
                    headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
                }
            }
            let len =
                headers.iter().find(|(k, _)| k == "content-length").and_then(|(_, v)| v.parse().ok()).unwrap_or(0);
            let mut body = vec![0u8; len];
            let _ = reader.read_exact(&mut body);
            let status = if fail.load(Ordering::SeqCst) || left.load(Ordering::SeqCst) > 0 {
                left.fetch_sub(left.load(Ordering::SeqCst).min(1), Ordering::SeqCst);
                500
            } else {
                200
            };
            store.lock().unwrap().push((headers, body, status));
            let _ = out
                .write_all(format!("HTTP/1.1 {status} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n").as_bytes());
        }
    });
    Webhook { port, requests, failures_left, always_fail }
}

async fn wait_until(mut done: impl FnMut() -> bool) -> bool {
    for _ in 0..400 {
        if done() {
            return true;
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    false
}

fn demo_db() -> TestDb {
    let db = TestDb::fresh();
    budgetwatch::demo::load(&mut db.conn(), chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap(), "demo-password")
        .unwrap();
    db
}

fn fast(mut s: Settings) -> Settings {
    s.delivery.interval_ms = 30;
    s.delivery.backoff_ms = 20;
    s
}

fn outbox_statuses(app: &TestApp) -> Vec<String> {
    budgetwatch::schema::outbox::table
        .select(budgetwatch::schema::outbox::status)
        .order(budgetwatch::schema::outbox::id)
        .load(&mut app.db.conn())
        .unwrap()
}

#[actix_web::test]
async fn each_recipient_gets_one_thai_digest_of_every_new_alert() {
    let (port, mail) = smtp_receiver();
    let db = demo_db();
    let mut settings = fast(settings_for(&db));
    settings.delivery.smtp_host = "127.0.0.1".into();
    settings.delivery.smtp_port = port;
    settings.delivery.smtp_tls = SmtpTls::None;
    settings.delivery.alert_emails = vec!["sg@nhrc.test".into(), "strategy@nhrc.test".into()];
    let delivery = settings.delivery.clone();
    let app = spawn_app_with(db, settings).await;
    let e = alerts::evaluate(&mut app.db.conn(), noon(), true, &delivery).unwrap();
    // The four lag alerts and the two of the demo ledger's designed faults
    // (demo::ledger: SOUTH's unreported payment, INTL-01 beyond its allocation).
    assert_eq!(e.raised, 6);
    assert!(wait_until(|| mail.lock().unwrap().len() == 2).await, "two digests, not twelve mails");
    for data in mail.lock().unwrap().iter() {
        assert!(data.contains("@budgetwatch>"), "a message id receivers can de-duplicate on: {data}");
        let encoded: String = data.split("\r\n\r\n").nth(1).unwrap().lines().collect();
        let body =
            String::from_utf8(base64::engine::general_purpose::STANDARD.decode(encoded.trim()).unwrap()).unwrap();
        for text in [
            "สำนักดิจิทัลสิทธิมนุษยชน ล่าช้ากว่าแผน",
            "หน่วยตรวจสอบภายใน ยังไม่ส่งรายงาน",
            "สำนักสื่อสารองค์กร ยังไม่ส่งรายงาน",
            "ไม่ตรงกับบัญชีคุมการเบิกจ่าย",
            "โครงการ INTL-01 (INTL) เบิกจ่ายและก่อหนี้ผูกพันตามบัญชีคุม",
        ] {
            assert!(body.contains(text), "{text} missing in {body}");
        }
    }
    assert!(wait_until(|| outbox_statuses(&app) == ["sent", "sent"]).await);
    // Nothing new, nothing sent again.
    alerts::evaluate(&mut app.db.conn(), noon(), true, &delivery).unwrap();
    assert_eq!(outbox_statuses(&app).len(), 2);
}

#[actix_web::test]
async fn a_signed_webhook_is_retried_with_backoff_until_it_is_accepted() {
    let hook = webhook_receiver(2);
    let db = demo_db();
    let mut settings = fast(settings_for(&db));
    settings.delivery.webhook_urls = vec![format!("http://127.0.0.1:{}/budget-alerts", hook.port)];
    settings.delivery.webhook_secret = "a-shared-webhook-secret".into();
    let delivery = settings.delivery.clone();
    let app = spawn_app_with(db, settings).await;
    alerts::evaluate(&mut app.db.conn(), noon(), true, &delivery).unwrap();
    assert!(wait_until(|| outbox_statuses(&app) == ["sent"]).await, "{:?}", outbox_statuses(&app));
    let requests = hook.requests.lock().unwrap().clone();
    assert_eq!(requests.iter().map(|r| r.2).collect::<Vec<_>>(), [500, 500, 200]);
    let header = |r: &(Vec<(String, String)>, Vec<u8>, u16), name: &str| {
        r.0.iter().find(|(k, _)| k == name).unwrap_or_else(|| panic!("no {name}")).1.clone()
    };
    let ids: Vec<String> = requests.iter().map(|r| header(r, "webhook-id")).collect();
    assert!(ids.windows(2).all(|w| w[0] == w[1]), "the same message id on every attempt");
    // Verified as a receiver would, with HMAC-SHA256 written here, not the
    // service's own function: the id, the timestamp and the body are signed.
    let verify = |r: &(Vec<(String, String)>, Vec<u8>, u16), secret: &[u8]| -> bool {
        use base64::Engine;
        use hmac::Mac;
        let (id, ts) = (header(r, "webhook-id"), header(r, "webhook-timestamp"));
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret).unwrap();
        mac.update(format!("{id}.{ts}.").as_bytes());
        mac.update(&r.1);
        let expected = format!("v1,{}", base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes()));
        header(r, "webhook-signature").split(' ').any(|s| s == expected)
    };
    for r in &requests {
        assert!(verify(r, b"a-shared-webhook-secret"), "{:?}", r.0);
        assert!(!verify(r, b"another-secret-entirely"));
        let ts: i64 = header(r, "webhook-timestamp").parse().unwrap();
        assert!((chrono::Utc::now().timestamp() - ts).abs() < 300, "a fresh timestamp, for receivers to judge");
    }
    // A replay with a new timestamp (to pass a receiver's freshness check) no
    // longer matches its signature.
    let mut replayed = requests[2].clone();
    for (k, v) in replayed.0.iter_mut() {
        if k == "webhook-timestamp" {
            *v = (v.parse::<i64>().unwrap() + 3600).to_string();
        }
    }
    assert!(!verify(&replayed, b"a-shared-webhook-secret"));
    let (_, body, _) = &requests[2];
    let json: serde_json::Value = serde_json::from_slice(body).unwrap();
    assert_eq!(json["event"], "alerts.raised");
    // The four lag alerts and the two of the demo ledger's designed faults (demo::ledger).
    assert_eq!(json["alerts"].as_array().unwrap().len(), 6);
    let attempts: Vec<bool> = budgetwatch::schema::delivery_attempts::table
        .select(budgetwatch::schema::delivery_attempts::ok)
        .order(budgetwatch::schema::delivery_attempts::id)
        .load(&mut app.db.conn())
        .unwrap();
    assert_eq!(attempts, [false, false, true], "every attempt is recorded");
    assert_eq!(hook.failures_left.load(Ordering::SeqCst), 0);
}

#[actix_web::test]
async fn a_message_that_fails_for_good_is_shown_to_admin_and_can_be_retried() {
    let hook = webhook_receiver(0);
    hook.always_fail.store(true, Ordering::SeqCst);
    let db = demo_db();
    let mut settings = fast(settings_for(&db));
    settings.delivery.webhook_urls = vec![format!("http://127.0.0.1:{}/x", hook.port)];
    settings.delivery.webhook_secret = "a-shared-webhook-secret".into();
    settings.delivery.max_attempts = 2;
    let delivery = settings.delivery.clone();
    let app = spawn_app_with(db, settings).await;
    alerts::evaluate(&mut app.db.conn(), noon(), true, &delivery).unwrap();
    assert!(wait_until(|| outbox_statuses(&app) == ["failed"]).await);
    let admin = app.token_for("admin");
    let (status, body) = app.get_as("/api/v1/outbox?status=failed", &admin).await;
    assert_eq!(status, 200);
    let failed: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(failed[0]["attempts"], 2);
    assert!(failed[0]["last_error"].as_str().unwrap().contains("HTTP 500"), "{failed}");
    hook.always_fail.store(false, Ordering::SeqCst);
    let id = failed[0]["id"].as_i64().unwrap();
    let (status, _) =
        app.send_json(Method::POST, &format!("/api/v1/outbox/{id}/retry"), Some(&admin), serde_json::json!({})).await;
    assert_eq!(status, 200);
    assert!(wait_until(|| outbox_statuses(&app) == ["sent"]).await);
    let (status, _) =
        app.send_json(Method::POST, &format!("/api/v1/outbox/{id}/retry"), Some(&admin), serde_json::json!({})).await;
    assert_eq!(status, 409, "only a failed message is retried");
}

#[actix_web::test]
async fn messages_left_by_a_stopped_server_are_sent_after_a_restart() {
    let (port, mail) = smtp_receiver();
    let db = demo_db();
    let mut settings = fast(settings_for(&db));
    settings.delivery.smtp_host = "127.0.0.1".into();
    settings.delivery.smtp_port = port;
    settings.delivery.smtp_tls = SmtpTls::None;
    settings.delivery.alert_emails = vec!["sg@nhrc.test".into()];
    // No server: the evaluation writes its notices and nobody sends them.
    alerts::evaluate(&mut db.conn(), noon(), true, &settings.delivery).unwrap();
    // A worker that died mid-send: it had claimed the message under a lease…
    let claimed = budgetwatch::delivery::claim(&mut db.conn(), 10).unwrap();
    assert_eq!(claimed.len(), 1);
    // …which has run out by the time the server is back.
    diesel::sql_query("UPDATE outbox SET next_attempt_at = now()").execute(&mut db.conn()).unwrap();
    let app = spawn_app_with(db, settings).await;
    assert!(wait_until(|| mail.lock().unwrap().len() == 1).await);
    assert!(wait_until(|| outbox_statuses(&app) == ["sent"]).await);
}
