//! Test harness. `TestDb::fresh()` clones a database from a template that holds
//! every migration (built once per migration set, under an advisory lock so that
//! parallel test processes agree), and drops it when the test ends. `spawn_app`
//! starts the real application on a free loopback port against such a database.
//!
//! The server is found through `TEST_DATABASE_URL` (any database on it; default
//! `postgres://postgres@127.0.0.1:5432/postgres`).

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;

use budgetwatch::config::Settings;
use budgetwatch::startup::Application;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use diesel_migrations::MigrationHarness;

pub fn server_url(database: &str) -> String {
    // Loopback needs no TLS, and libpq then never touches OpenSSL (whose exit-time
    // cleanup must not race a connection attempt on another thread).
    let base = std::env::var("TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable".to_string());
    let (maintenance, _) = budgetwatch::db::split_database(&base).expect("TEST_DATABASE_URL names a database");
    let at = maintenance.rfind("/postgres").expect("maintenance URL ends with /postgres");
    format!("{}/{database}{}", &maintenance[..at], &maintenance[at + "/postgres".len()..])
}

pub fn admin() -> PgConnection {
    PgConnection::establish(&server_url("postgres"))
        .expect("PostgreSQL must be reachable for the tests (./run test starts it)")
}

/// A hash of the migration files: a new or changed migration gets a new template.
fn migrations_fingerprint() -> u64 {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let mut entries: Vec<_> = walk(&dir);
    entries.sort();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for path in entries {
        let bytes = std::fs::read(&path).expect("readable migration");
        for b in path.strip_prefix(&dir).unwrap().to_string_lossy().bytes().chain(bytes) {
            h = (h ^ b as u64).wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).expect("migrations directory") {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn template() -> &'static str {
    static NAME: OnceLock<String> = OnceLock::new();
    NAME.get_or_init(|| {
        let name = format!("bw_template_{:016x}", migrations_fingerprint());
        let mut admin = admin();
        admin.batch_execute("SELECT pg_advisory_lock(90210)").unwrap();
        let exists = diesel::sql_query("SELECT count(*) AS n FROM pg_database WHERE datname = $1")
            .bind::<Text, _>(&name)
            .get_result::<Count>(&mut admin)
            .unwrap()
            .n
            > 0;
        if !exists {
            // Templates of older migration sets are no use any more.
            #[derive(QueryableByName)]
            struct Name {
                #[diesel(sql_type = Text)]
                datname: String,
            }
            let old: Vec<Name> =
                diesel::sql_query("SELECT datname FROM pg_database WHERE datname LIKE 'bw\\_template\\_%'")
                    .load(&mut admin)
                    .unwrap();
            for o in old {
                let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", o.datname));
            }
            // Build under another name and rename: a crash never leaves a half template.
            let building = format!("{name}_b{}", std::process::id());
            admin.batch_execute(&format!("DROP DATABASE IF EXISTS \"{building}\"")).unwrap();
            admin.batch_execute(&format!("CREATE DATABASE \"{building}\"")).unwrap();
            {
                let mut conn = PgConnection::establish(&server_url(&building)).unwrap();
                conn.run_pending_migrations(budgetwatch::db::MIGRATIONS).unwrap();
            }
            admin.batch_execute(&format!("ALTER DATABASE \"{building}\" RENAME TO \"{name}\"")).unwrap();
        }
        admin.batch_execute("SELECT pg_advisory_unlock(90210)").unwrap();
        name
    })
}

/// A database of this test's own, dropped when it goes out of scope.
pub struct TestDb {
    pub name: String,
    pub url: String,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

fn unique_name(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos();
    format!("{prefix}_{}_{}_{nanos}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed))
}

impl TestDb {
    /// A migrated database, cloned from the template.
    pub fn fresh() -> TestDb {
        // Whatever a test writes is audited with the tests' key.
        budgetwatch::audit::install_key(AUDIT_KEY).expect("one audit key in the tests");
        let template = template();
        let name = unique_name("bw_test");
        admin().batch_execute(&format!("CREATE DATABASE \"{name}\" TEMPLATE \"{template}\"")).unwrap();
        TestDb { url: server_url(&name), name }
    }

    /// An empty database, with no migration applied.
    pub fn empty() -> TestDb {
        let name = unique_name("bw_empty");
        admin().batch_execute(&format!("CREATE DATABASE \"{name}\"")).unwrap();
        TestDb { url: server_url(&name), name }
    }

    /// A name for a database that does not exist (dropped at the end if created).
    pub fn absent() -> TestDb {
        let name = unique_name("bw_absent");
        TestDb { url: server_url(&name), name }
    }

    pub fn conn(&self) -> PgConnection {
        PgConnection::establish(&self.url).unwrap()
    }

    pub fn exists(&self) -> bool {
        diesel::sql_query("SELECT count(*) AS n FROM pg_database WHERE datname = $1")
            .bind::<Text, _>(&self.name)
            .get_result::<Count>(&mut admin())
            .unwrap()
            .n
            > 0
    }

    /// Drops the database now, closing every connection to it.
    pub fn drop_now(&self) {
        admin().batch_execute(&format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name)).unwrap();
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Ok(mut admin) = PgConnection::establish(&server_url("postgres")) {
            let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name));
        }
    }
}

/// Settings for a test app: the given database, a free port, a short pool timeout.
pub fn settings_for(db: &TestDb) -> Settings {
    settings_with(db, &[])
}

/// `settings_for`, with some environment variables set otherwise.
pub fn settings_with(db: &TestDb, overrides: &[(&str, &str)]) -> Settings {
    let url = db.url.clone();
    let overrides: Vec<(String, String)> = overrides.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    let env = move |k: &str| match k {
        _ if overrides.iter().any(|(o, _)| o == k) => overrides.iter().find(|(o, _)| o == k).map(|(_, v)| v.clone()),
        "DATABASE_URL" => Some(url.clone()),
        "BUDGETWATCH_PORT" => Some("0".into()),
        "BUDGETWATCH_POOL_TIMEOUT_MS" => Some("500".into()),
        "BUDGETWATCH_POOL_SIZE" => Some("4".into()),
        "BUDGETWATCH_WORKERS" => Some("2".into()),
        // The demo office of the tests is the one of 24 Nov 2026, whatever the calendar says.
        "BUDGETWATCH_TODAY" => Some("2026-11-24".into()),
        // Tests evaluate alerts when they mean to; the schedule has a test of its own.
        "BUDGETWATCH_ALERT_INTERVAL_SECS" => Some("0".into()),
        "BUDGETWATCH_DELIVERY_INTERVAL_MS" => Some("0".into()),
        "BUDGETWATCH_LOG" => Some(std::env::var("TEST_LOG").unwrap_or_else(|_| "off".into())),
        "BUDGETWATCH_AUDIT_KEY" => Some(AUDIT_KEY.into()),
        _ => None,
    };
    Settings::load(&env, None).expect("valid test settings")
}

pub struct TestApp {
    pub address: String,
    pub db: TestDb,
    pub client: awc::Client,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> (u16, String) {
        let mut res = self.client.get(self.url(path)).send().await.expect("request sent");
        let body = res.body().await.expect("body read");
        (res.status().as_u16(), String::from_utf8(body.to_vec()).expect("utf-8 body"))
    }
}

/// Starts the application on its own fresh database.
pub async fn spawn_app() -> TestApp {
    spawn_app_on(TestDb::fresh()).await
}

pub async fn spawn_app_on(db: TestDb) -> TestApp {
    let settings = settings_for(&db);
    spawn_app_with(db, settings).await
}

pub async fn spawn_app_with(db: TestDb, settings: Settings) -> TestApp {
    budgetwatch::telemetry::init(settings.log_format, &settings.log_filter);
    let app = Application::build(settings).expect("application builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    actix_web::rt::spawn(app.run_until_stopped());
    let client = awc::Client::builder().timeout(std::time::Duration::from_secs(30)).disable_redirects().finish();
    TestApp { address, db, client }
}

pub const DEMO_PASSWORD: &str = "demo-password";

/// The audit chain's key in every test (the service's and the command line's).
pub const AUDIT_KEY: &str = "test-audit-key-never-used-outside-the-tests-0123456789";

impl TestApp {
    /// Loads the demo office (as of 24 Nov 2026) into this app's database.
    pub fn load_demo(&self) {
        let mut conn = self.db.conn();
        budgetwatch::demo::load(&mut conn, chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap(), DEMO_PASSWORD)
            .expect("demo loads");
    }

    /// Signs in through the API and returns the bearer token.
    pub async fn login(&self, username: &str) -> String {
        let (status, body) = self
            .send_json(
                awc::http::Method::POST,
                "/api/v1/auth/login",
                None,
                serde_json::json!({"username": username, "password": DEMO_PASSWORD}),
            )
            .await;
        assert_eq!(status, 200, "signing in as {username}: {body}");
        body["token"].as_str().unwrap().to_string()
    }

    /// A token for `username` issued straight in the database (no password hashing).
    pub fn token_for(&self, username: &str) -> String {
        use budgetwatch::schema::users;
        let mut conn = self.db.conn();
        let id: i64 = users::table.filter(users::username.eq(username)).select(users::id).first(&mut conn).unwrap();
        budgetwatch::auth::queries::issue(
            &mut conn,
            id,
            budgetwatch::auth::Via::Token,
            "test",
            chrono::Duration::hours(1),
        )
        .unwrap()
        .token
    }

    pub async fn get_as(&self, path: &str, token: &str) -> (u16, String) {
        let mut res = self
            .client
            .get(self.url(path))
            .insert_header(("Authorization", format!("Bearer {token}")))
            .send()
            .await
            .unwrap();
        let body = res.body().limit(16 * 1024 * 1024).await.unwrap();
        (res.status().as_u16(), String::from_utf8(body.to_vec()).unwrap())
    }

    /// Like `get_as`, for any body: binary bodies come back as lossy text.
    pub async fn get_any_as(&self, path: &str, token: &str) -> (u16, String) {
        let mut res = self
            .client
            .get(self.url(path))
            .insert_header(("Authorization", format!("Bearer {token}")))
            .send()
            .await
            .unwrap();
        let body = res.body().limit(16 * 1024 * 1024).await.unwrap();
        (res.status().as_u16(), String::from_utf8_lossy(&body).into_owned())
    }

    /// Sends JSON, returns the status and the body parsed as JSON (Null when empty).
    pub async fn send_json(
        &self,
        method: awc::http::Method,
        path: &str,
        token: Option<&str>,
        body: serde_json::Value,
    ) -> (u16, serde_json::Value) {
        let mut req = self.client.request(method, self.url(path));
        if let Some(t) = token {
            req = req.insert_header(("Authorization", format!("Bearer {t}")));
        }
        let mut res = req.send_json(&body).await.unwrap();
        let bytes = res.body().await.unwrap();
        let json = if bytes.is_empty() {
            serde_json::Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::String(String::from_utf8_lossy(&bytes).into()))
        };
        (res.status().as_u16(), json)
    }
}

/// A browser's session: signed in through the sign-in form (the CSRF cookie and
/// field of `/login`, then the session cookie), sending the session's CSRF token
/// in forms as the pages do.
pub struct Browser<'a> {
    pub app: &'a TestApp,
    pub session: String,
    pub csrf: String,
}

/// The value of `name="…" value="…"` in a page.
pub fn hidden_field(page: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = page.find(&marker)? + marker.len();
    Some(page[start..start + page[start..].find('"')?].to_string())
}

fn cookie_from<S>(res: &awc::ClientResponse<S>, name: &str) -> Option<String> {
    res.headers()
        .get_all("set-cookie")
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.strip_prefix(&format!("{name}=")).map(|rest| rest.split(';').next().unwrap_or("").to_string()))
}

pub struct Answer {
    pub status: u16,
    pub location: Option<String>,
    pub body: String,
}

impl TestApp {
    /// Signs in as `user` the way a browser does.
    pub async fn browser(&self, user: &str) -> Browser<'_> {
        self.browser_with(user, DEMO_PASSWORD).await
    }

    /// `browser` with another password.
    pub async fn browser_with(&self, user: &str, password: &str) -> Browser<'_> {
        let mut res = self.client.get(self.url("/login")).send().await.unwrap();
        let cookie = cookie_from(&res, "bw_csrf").expect("the sign-in page sets its CSRF cookie");
        let page = String::from_utf8(res.body().await.unwrap().to_vec()).unwrap();
        let field = hidden_field(&page, "csrf_token").expect("the sign-in form has its CSRF field");
        let res = self
            .client
            .post(self.url("/login"))
            .insert_header(("Cookie", format!("bw_csrf={cookie}")))
            .send_form(&[("csrf_token", field.as_str()), ("username", user), ("password", password), ("next", "/")])
            .await
            .unwrap();
        assert_eq!(res.status(), 303, "signing in as {user} through the form");
        let session = cookie_from(&res, "bw_session").expect("a session cookie");
        let mut browser = Browser { app: self, session, csrf: String::new() };
        let (_, home) = browser.get("/").await;
        browser.csrf = hidden_field(&home, "csrf_token").expect("pages carry the session's CSRF token");
        browser
    }
}

impl Browser<'_> {
    fn request(&self, method: awc::http::Method, path: &str) -> awc::ClientRequest {
        self.app
            .client
            .request(method, self.app.url(path))
            .insert_header(("Cookie", format!("bw_session={}", self.session)))
            .insert_header(("Accept", "text/html"))
    }

    async fn answer<S>(mut res: awc::ClientResponse<S>) -> Answer
    where
        S: futures_util::Stream<Item = Result<actix_web::web::Bytes, awc::error::PayloadError>> + Unpin,
    {
        let location = res.headers().get("location").map(|l| l.to_str().unwrap().to_string());
        let body = res.body().limit(16 << 20).await.unwrap();
        Answer { status: res.status().as_u16(), location, body: String::from_utf8_lossy(&body).into_owned() }
    }

    pub async fn get(&self, path: &str) -> (u16, String) {
        let a = Self::answer(self.request(awc::http::Method::GET, path).send().await.unwrap()).await;
        (a.status, a.body)
    }

    /// Posts a form with the session's CSRF token first, as the pages' forms do.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Answer {
        let mut all = vec![("csrf_token", self.csrf.as_str())];
        all.extend_from_slice(fields);
        self.post_form_as_is(path, &all).await
    }

    /// Posts exactly these fields (to show what happens without the token).
    pub async fn post_form_as_is(&self, path: &str, fields: &[(&str, &str)]) -> Answer {
        Self::answer(self.request(awc::http::Method::POST, path).send_form(&fields).await.unwrap()).await
    }

    /// Posts a file upload form: `fields` first (in order), then the file in
    /// the field `file`.
    pub async fn post_multipart(&self, path: &str, fields: &[(&str, &str)], file: &[u8]) -> Answer {
        let boundary = "----budgetwatch-browser";
        let mut body = Vec::new();
        for (name, value) in fields {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                    .as_bytes(),
            );
        }
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"upload.xlsx\"\r\n\
                 Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(file);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let req = self
            .request(awc::http::Method::POST, path)
            .insert_header(("Content-Type", format!("multipart/form-data; boundary={boundary}")));
        Self::answer(req.send_body(body).await.unwrap()).await
    }
}
