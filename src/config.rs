//! Configuration: environment over a TOML file over defaults, parsed and validated
//! once at start. Every bad value is reported with the key it came from and why it
//! was refused, all at once, so a newcomer fixes them in one go. Past `Settings::load`
//! the rest of the program trusts the values.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Default file read when `BUDGETWATCH_CONFIG` does not name one (if it exists).
pub const DEFAULT_CONFIG_FILE: &str = "budgetwatch.toml";
pub const DEFAULT_DATABASE_URL: &str = "postgres://postgres@127.0.0.1:5432/budgetwatch";
pub const DEFAULT_DEMO_PASSWORD: &str = "demo-password";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    /// JSON lines when standard output is not a terminal, human text when it is.
    Auto,
    Json,
    Text,
}

#[derive(Clone, Debug)]
pub struct Settings {
    pub database_url: String,
    pub host: String,
    pub port: u16,
    pub pool_size: u32,
    pub pool_timeout: Duration,
    pub log_format: LogFormat,
    pub log_filter: String,
    pub demo_password: String,
    /// Worker threads of the HTTP server; 0 means one per core.
    pub workers: usize,
    /// A fixed "today" (Bangkok date) for demonstrations and tests; the real date
    /// when unset.
    pub today: Option<chrono::NaiveDate>,
    /// Seconds between scheduled alert evaluations; 0 turns the schedule off.
    pub alert_interval_secs: u64,
    pub delivery: Delivery,
    /// Proxies whose `X-Forwarded-For` is believed (addresses or CIDR blocks);
    /// empty: the peer's address is the client's.
    pub trusted_proxies: Vec<IpNet>,
    /// The address people use to reach the service. `https://…` makes cookies
    /// `Secure` and sends HSTS; e-mails link to it. Empty: `http://host:port`.
    pub public_url: String,
    /// A browser session ends after this many minutes without a request.
    pub session_idle_minutes: i64,
    /// Key of the audit chain's HMAC (at least 32 characters). Empty: read from
    /// `audit_key_file`, which is made with a random key when missing.
    pub audit_key: String,
    pub audit_key_file: PathBuf,
    /// The database owner's URL, for migrations; empty: `database_url`. The
    /// service itself connects as a role that may not rewrite the audit trail.
    pub owner_database_url: String,
}

/// An address or a block of addresses (`10.0.0.0/8`, `::1`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IpNet {
    pub addr: std::net::IpAddr,
    pub prefix: u8,
}

impl IpNet {
    pub fn contains(&self, ip: std::net::IpAddr) -> bool {
        use std::net::IpAddr::{V4, V6};
        match (self.addr, ip) {
            (V4(net), V4(ip)) => {
                let mask = u32::MAX.checked_shl(32 - self.prefix as u32).unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (V6(net), V6(ip)) => {
                let mask = u128::MAX.checked_shl(128 - self.prefix as u32).unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl std::str::FromStr for IpNet {
    type Err = String;
    fn from_str(s: &str) -> Result<IpNet, String> {
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let addr: std::net::IpAddr =
            addr.trim().parse().map_err(|_| format!("{s:?} is not an address or a CIDR block"))?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p
                .trim()
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("{s:?} has a bad prefix length"))?,
        };
        Ok(IpNet { addr, prefix })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SmtpTls {
    /// Plain SMTP (a relay on the same host or a test receiver).
    None,
    /// STARTTLS upgrade (usually port 587).
    StartTls,
    /// TLS from the first byte (usually port 465).
    Tls,
}

/// Where alert notices go and how they are sent.
#[derive(Clone, Debug)]
pub struct Delivery {
    /// SMTP server; empty turns e-mail off.
    pub smtp_host: String,
    pub smtp_port: u16,
    pub smtp_tls: SmtpTls,
    pub smtp_username: String,
    pub smtp_password: String,
    pub smtp_from: String,
    /// Recipients of every digest, besides the secretary-general's and strategy's
    /// accounts with an e-mail and a bureau's head for its own bureau.
    pub alert_emails: Vec<String>,
    pub webhook_urls: Vec<String>,
    /// HMAC-SHA256 key of the webhook signature header.
    pub webhook_secret: String,
    /// Milliseconds between outbox polls; 0 turns the worker off.
    pub interval_ms: u64,
    pub max_attempts: i32,
    /// First retry delay; it doubles with each attempt (at most 10 minutes).
    pub backoff_ms: u64,
}

/// One setting: its name in the environment, its name in the file, its default.
struct Key {
    env: &'static str,
    file: &'static str,
    default: &'static str,
}

const KEYS: &[Key] = &[
    Key { env: "DATABASE_URL", file: "database_url", default: DEFAULT_DATABASE_URL },
    Key { env: "BUDGETWATCH_HOST", file: "host", default: "127.0.0.1" },
    Key { env: "BUDGETWATCH_PORT", file: "port", default: "8080" },
    Key { env: "BUDGETWATCH_POOL_SIZE", file: "pool_size", default: "10" },
    Key { env: "BUDGETWATCH_POOL_TIMEOUT_MS", file: "pool_timeout_ms", default: "2000" },
    Key { env: "BUDGETWATCH_LOG_FORMAT", file: "log_format", default: "auto" },
    Key { env: "BUDGETWATCH_LOG", file: "log", default: "info" },
    Key { env: "BUDGETWATCH_DEMO_PASSWORD", file: "demo_password", default: DEFAULT_DEMO_PASSWORD },
    Key { env: "BUDGETWATCH_WORKERS", file: "workers", default: "0" },
    Key { env: "BUDGETWATCH_TODAY", file: "today", default: "" },
    Key { env: "BUDGETWATCH_ALERT_INTERVAL_SECS", file: "alert_interval_secs", default: "300" },
    Key { env: "BUDGETWATCH_TRUSTED_PROXIES", file: "trusted_proxies", default: "" },
    Key { env: "BUDGETWATCH_PUBLIC_URL", file: "public_url", default: "" },
    Key { env: "BUDGETWATCH_SESSION_IDLE_MINUTES", file: "session_idle_minutes", default: "30" },
    Key { env: "BUDGETWATCH_AUDIT_KEY", file: "audit_key", default: "" },
    Key { env: "BUDGETWATCH_AUDIT_KEY_FILE", file: "audit_key_file", default: ".budgetwatch/audit.key" },
    Key { env: "BUDGETWATCH_OWNER_DATABASE_URL", file: "owner_database_url", default: "" },
    Key { env: "BUDGETWATCH_SMTP_HOST", file: "smtp_host", default: "" },
    Key { env: "BUDGETWATCH_SMTP_PORT", file: "smtp_port", default: "587" },
    Key { env: "BUDGETWATCH_SMTP_TLS", file: "smtp_tls", default: "starttls" },
    Key { env: "BUDGETWATCH_SMTP_USERNAME", file: "smtp_username", default: "" },
    Key { env: "BUDGETWATCH_SMTP_PASSWORD", file: "smtp_password", default: "" },
    Key { env: "BUDGETWATCH_SMTP_FROM", file: "smtp_from", default: "budgetwatch <budgetwatch@localhost>" },
    Key { env: "BUDGETWATCH_ALERT_EMAILS", file: "alert_emails", default: "" },
    Key { env: "BUDGETWATCH_WEBHOOK_URLS", file: "webhook_urls", default: "" },
    Key { env: "BUDGETWATCH_WEBHOOK_SECRET", file: "webhook_secret", default: "" },
    Key { env: "BUDGETWATCH_DELIVERY_INTERVAL_MS", file: "delivery_interval_ms", default: "1000" },
    Key { env: "BUDGETWATCH_DELIVERY_MAX_ATTEMPTS", file: "delivery_max_attempts", default: "8" },
    Key { env: "BUDGETWATCH_DELIVERY_BACKOFF_MS", file: "delivery_backoff_ms", default: "2000" },
];

/// Where a value came from, for error messages.
#[derive(Clone, Debug)]
enum Source {
    Env(&'static str),
    File(PathBuf, &'static str),
    Default(&'static str),
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Env(k) => write!(f, "environment variable {k}"),
            Source::File(p, k) => write!(f, "{k} in {}", p.display()),
            Source::Default(k) => write!(f, "default of {k}"),
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub problems: Vec<String>,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid configuration: {}", self.problems.join("; "))
    }
}

impl std::error::Error for ConfigError {}

impl Settings {
    /// Loads from the process environment and the file it names (or the default
    /// file when present).
    pub fn from_env() -> Result<Settings, ConfigError> {
        let lookup = |k: &str| std::env::var(k).ok();
        let file = match lookup("BUDGETWATCH_CONFIG") {
            Some(p) if !p.is_empty() => Some(PathBuf::from(p)),
            _ => {
                let p = PathBuf::from(DEFAULT_CONFIG_FILE);
                p.exists().then_some(p)
            }
        };
        Settings::load(&lookup, file.as_deref())
    }

    /// The pure core of loading: `env` answers environment look-ups, `file` is an
    /// optional TOML file whose keys are the lower-case names in `KEYS`.
    pub fn load(env: &dyn Fn(&str) -> Option<String>, file: Option<&Path>) -> Result<Settings, ConfigError> {
        let mut problems = Vec::new();
        let file_values = match file {
            Some(path) => read_file(path).unwrap_or_else(|e| {
                problems.push(e);
                BTreeMap::new()
            }),
            None => BTreeMap::new(),
        };
        let raw = |name: &str| -> (String, Source) {
            let key = KEYS.iter().find(|k| k.file == name).expect("known key");
            if let Some(v) = env(key.env) {
                return (v, Source::Env(key.env));
            }
            if let (Some(v), Some(path)) = (file_values.get(key.file), file) {
                return (v.clone(), Source::File(path.to_path_buf(), key.file));
            }
            (key.default.to_string(), Source::Default(key.env))
        };

        let (database_url, src) = raw("database_url");
        if !(database_url.starts_with("postgres://") || database_url.starts_with("postgresql://")) {
            problems.push(format!("{src}: {database_url:?} is not a postgres:// URL"));
        }
        let (host, src) = raw("host");
        if host.trim().is_empty() || host.contains(char::is_whitespace) {
            problems.push(format!("{src}: {host:?} is not a host name or address"));
        }
        let port = parse_num::<u16>(
            raw("port"),
            0,
            u16::MAX as u64,
            "a port number (0-65535; 0 picks a free one)",
            &mut problems,
        );
        let pool_size = parse_num::<u32>(raw("pool_size"), 1, 500, "a pool size from 1 to 500", &mut problems);
        let pool_timeout_ms =
            parse_num::<u64>(raw("pool_timeout_ms"), 50, 60_000, "milliseconds from 50 to 60000", &mut problems);
        let workers =
            parse_num::<usize>(raw("workers"), 0, 256, "a thread count from 0 (one per core) to 256", &mut problems);
        let (fmt_raw, src) = raw("log_format");
        let log_format = match fmt_raw.to_ascii_lowercase().as_str() {
            "auto" => LogFormat::Auto,
            "json" => LogFormat::Json,
            "text" => LogFormat::Text,
            _ => {
                problems.push(format!("{src}: {fmt_raw:?} is not one of auto, json, text"));
                LogFormat::Auto
            }
        };
        let (log_filter, src) = raw("log");
        if tracing_subscriber::EnvFilter::try_new(&log_filter).is_err() {
            problems.push(format!("{src}: {log_filter:?} is not a log filter (e.g. info or budgetwatch=debug)"));
        }
        let (demo_password, src) = raw("demo_password");
        if demo_password.chars().count() < 10 {
            problems.push(format!("{src}: the demo password must have at least 10 characters"));
        }

        let alert_interval_secs =
            parse_num::<u64>(raw("alert_interval_secs"), 0, 86_400, "seconds from 0 (off) to 86400", &mut problems);
        let delivery = parse_delivery(&raw, &mut problems);
        let (proxies, src) = raw("trusted_proxies");
        let trusted_proxies = list(&proxies)
            .iter()
            .filter_map(|p| p.parse::<IpNet>().map_err(|e| problems.push(format!("{src}: {e}"))).ok())
            .collect();
        let (public_url, src) = raw("public_url");
        let public_url = public_url.trim().trim_end_matches('/').to_string();
        if !public_url.is_empty()
            && (!(public_url.starts_with("http://") || public_url.starts_with("https://"))
                || public_url.contains(char::is_whitespace))
        {
            problems.push(format!("{src}: {public_url:?} is not an http(s) URL such as https://budget.example.go.th"));
        }
        let session_idle_minutes =
            parse_num::<i64>(raw("session_idle_minutes"), 1, 24 * 60, "minutes from 1 to 1440", &mut problems);
        let (audit_key, src) = raw("audit_key");
        if !audit_key.is_empty() && audit_key.chars().count() < 32 {
            problems.push(format!("{src}: the audit key must have at least 32 characters"));
        }
        let audit_key_file = PathBuf::from(raw("audit_key_file").0);
        let (owner_database_url, src) = raw("owner_database_url");
        let postgres = |u: &str| u.starts_with("postgres://") || u.starts_with("postgresql://");
        if !owner_database_url.is_empty() && !postgres(&owner_database_url) {
            problems.push(format!("{src}: {owner_database_url:?} is not a postgres:// URL"));
        }
        let (today_raw, src) = raw("today");
        let today = match today_raw.trim() {
            "" => None,
            t => match chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d") {
                Ok(d) => Some(d),
                Err(_) => {
                    problems.push(format!("{src}: {t:?} is not a date of the form YYYY-MM-DD"));
                    None
                }
            },
        };

        if !problems.is_empty() {
            return Err(ConfigError { problems });
        }
        Ok(Settings {
            database_url,
            host,
            port,
            pool_size,
            pool_timeout: Duration::from_millis(pool_timeout_ms),
            log_format,
            log_filter,
            demo_password,
            workers,
            today,
            alert_interval_secs,
            delivery,
            trusted_proxies,
            public_url,
            session_idle_minutes,
            audit_key,
            audit_key_file,
            owner_database_url,
        })
    }

    /// The address people reach the service at, without a trailing slash.
    pub fn public_url(&self) -> String {
        if self.public_url.is_empty() {
            format!("http://{}:{}", self.host, self.port)
        } else {
            self.public_url.clone()
        }
    }

    /// Whether people reach the service over TLS (cookies `Secure`, HSTS sent).
    pub fn is_https(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    /// The URL migrations run with: the owner's, or `DATABASE_URL` when unset.
    pub fn migration_url(&self) -> &str {
        if self.owner_database_url.is_empty() {
            &self.database_url
        } else {
            &self.owner_database_url
        }
    }

    /// `DATABASE_URL` with any password hidden, for logs and messages.
    pub fn database_url_redacted(&self) -> String {
        redact_url(&self.database_url)
    }
}

fn list(value: &str) -> Vec<String> {
    value.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect()
}

fn parse_delivery(raw: &dyn Fn(&str) -> (String, Source), problems: &mut Vec<String>) -> Delivery {
    let (smtp_host, _) = raw("smtp_host");
    let smtp_port = parse_num::<u16>(raw("smtp_port"), 1, u16::MAX as u64, "a port number (1-65535)", problems);
    let (tls, src) = raw("smtp_tls");
    let smtp_tls = match tls.to_ascii_lowercase().as_str() {
        "none" => SmtpTls::None,
        "starttls" => SmtpTls::StartTls,
        "tls" => SmtpTls::Tls,
        _ => {
            problems.push(format!("{src}: {tls:?} is not one of none, starttls, tls"));
            SmtpTls::StartTls
        }
    };
    let (smtp_from, src) = raw("smtp_from");
    if smtp_from.parse::<lettre::message::Mailbox>().is_err() {
        problems.push(format!("{src}: {smtp_from:?} is not a sender address such as budgetwatch <bw@example.org>"));
    }
    let (emails, src) = raw("alert_emails");
    let alert_emails = list(&emails);
    for e in &alert_emails {
        if e.parse::<lettre::Address>().is_err() {
            problems.push(format!("{src}: {e:?} is not an e-mail address"));
        }
    }
    let (urls, src) = raw("webhook_urls");
    let webhook_urls = list(&urls);
    for u in &webhook_urls {
        if !(u.starts_with("http://") || u.starts_with("https://")) {
            problems.push(format!("{src}: {u:?} is not an http(s) URL"));
        }
    }
    let (webhook_secret, src) = raw("webhook_secret");
    if !webhook_urls.is_empty() && webhook_secret.len() < 16 {
        problems.push(format!("{src}: webhooks need a secret of at least 16 characters to sign with"));
    }
    Delivery {
        smtp_host: smtp_host.trim().to_string(),
        smtp_port,
        smtp_tls,
        smtp_username: raw("smtp_username").0,
        smtp_password: raw("smtp_password").0,
        smtp_from,
        alert_emails,
        webhook_urls,
        webhook_secret,
        interval_ms: parse_num::<u64>(
            raw("delivery_interval_ms"),
            0,
            3_600_000,
            "milliseconds from 0 (off) to 3600000",
            problems,
        ),
        max_attempts: parse_num::<i32>(
            raw("delivery_max_attempts"),
            1,
            100,
            "a number of attempts from 1 to 100",
            problems,
        ),
        backoff_ms: parse_num::<u64>(
            raw("delivery_backoff_ms"),
            10,
            600_000,
            "milliseconds from 10 to 600000",
            problems,
        ),
    }
}

fn parse_num<T: TryFrom<u64> + Default>(
    (value, src): (String, Source),
    min: u64,
    max: u64,
    what: &str,
    problems: &mut Vec<String>,
) -> T {
    match value.trim().parse::<u64>() {
        Ok(n) if (min..=max).contains(&n) => T::try_from(n).unwrap_or_default(),
        _ => {
            problems.push(format!("{src}: {value:?} is not {what}"));
            T::default()
        }
    }
}

fn read_file(path: &Path) -> Result<BTreeMap<String, String>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("config file {}: {e}", path.display()))?;
    let table: toml::Table =
        text.parse().map_err(|e: toml::de::Error| format!("config file {}: {}", path.display(), e.message()))?;
    let mut out = BTreeMap::new();
    for (k, v) in table {
        if !KEYS.iter().any(|key| key.file == k) {
            let known: Vec<_> = KEYS.iter().map(|k| k.file).collect();
            return Err(format!("config file {}: unknown key {k:?} (known: {})", path.display(), known.join(", ")));
        }
        let s = match v {
            toml::Value::String(s) => s,
            toml::Value::Integer(i) => i.to_string(),
            other => {
                return Err(format!(
                    "config file {}: {k} must be a string or a number, not a {}",
                    path.display(),
                    other.type_str()
                ))
            }
        };
        out.insert(k, s);
    }
    Ok(out)
}

/// Replaces the password of a URL's user-info with `***`.
pub fn redact_url(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else { return url.to_string() };
    let rest = &url[scheme_end + 3..];
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    match (authority.rfind('@'), authority.find(':')) {
        (Some(at), Some(colon)) if colon < at => {
            format!("{}{}:***{}", &url[..scheme_end + 3], &authority[..colon], &rest[at..])
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |k| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string())
    }

    #[test]
    fn defaults_apply_when_nothing_is_set() {
        let s = Settings::load(&env_of(&[]), None).unwrap();
        assert_eq!(s.port, 8080);
        assert_eq!(s.database_url, DEFAULT_DATABASE_URL);
        assert_eq!(s.pool_timeout, Duration::from_millis(2000));
        assert_eq!(s.demo_password, "demo-password");
    }

    #[test]
    fn every_bad_value_is_named_with_its_source() {
        let err = Settings::load(
            &env_of(&[
                ("BUDGETWATCH_PORT", "eighty"),
                ("BUDGETWATCH_POOL_SIZE", "0"),
                ("DATABASE_URL", "mysql://x"),
                ("BUDGETWATCH_LOG_FORMAT", "xml"),
            ]),
            None,
        )
        .unwrap_err();
        let all = err.to_string();
        assert_eq!(err.problems.len(), 4, "{all}");
        assert!(all.contains("BUDGETWATCH_PORT") && all.contains("eighty"), "{all}");
        assert!(all.contains("BUDGETWATCH_POOL_SIZE"), "{all}");
        assert!(all.contains("DATABASE_URL") && all.contains("postgres://"), "{all}");
        assert!(all.contains("BUDGETWATCH_LOG_FORMAT"), "{all}");
    }

    #[test]
    fn environment_wins_over_file_which_wins_over_defaults() {
        let dir = std::env::temp_dir().join(format!("bw-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("budgetwatch.toml");
        std::fs::write(&path, "port = 9000\npool_size = 3\n").unwrap();
        let s = Settings::load(&env_of(&[("BUDGETWATCH_PORT", "9100")]), Some(&path)).unwrap();
        assert_eq!(s.port, 9100);
        assert_eq!(s.pool_size, 3);
        assert_eq!(s.host, "127.0.0.1");
        std::fs::write(&path, "prot = 9000\n").unwrap();
        let err = Settings::load(&env_of(&[]), Some(&path)).unwrap_err();
        assert!(err.to_string().contains("unknown key \"prot\""), "{err}");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn trusted_proxies_are_addresses_or_blocks_and_bad_ones_are_named() {
        let s = Settings::load(&env_of(&[("BUDGETWATCH_TRUSTED_PROXIES", "10.0.0.0/8, 127.0.0.1,::1")]), None).unwrap();
        let ip = |a: &str| a.parse::<std::net::IpAddr>().unwrap();
        assert!(s.trusted_proxies[0].contains(ip("10.200.3.4")) && !s.trusted_proxies[0].contains(ip("11.0.0.1")));
        assert!(s.trusted_proxies[1].contains(ip("127.0.0.1")) && !s.trusted_proxies[1].contains(ip("127.0.0.2")));
        assert!(s.trusted_proxies[2].contains(ip("::1")) && !s.trusted_proxies[2].contains(ip("127.0.0.1")));
        let err = Settings::load(&env_of(&[("BUDGETWATCH_TRUSTED_PROXIES", "10.0.0.0/33,proxy")]), None).unwrap_err();
        assert_eq!(err.problems.len(), 2, "{err}");
        let err = Settings::load(&env_of(&[("BUDGETWATCH_PUBLIC_URL", "budget.example")]), None).unwrap_err();
        assert!(err.to_string().contains("BUDGETWATCH_PUBLIC_URL"), "{err}");
        let s = Settings::load(&env_of(&[("BUDGETWATCH_PUBLIC_URL", "https://budget.example/")]), None).unwrap();
        assert!(s.is_https() && s.public_url() == "https://budget.example");
        assert!(!Settings::load(&env_of(&[]), None).unwrap().is_https());
    }

    #[test]
    fn a_password_in_the_database_url_is_never_shown() {
        assert_eq!(redact_url("postgres://bw:s3cret@db:5432/bw"), "postgres://bw:***@db:5432/bw");
        assert_eq!(redact_url("postgres://postgres@127.0.0.1/bw"), "postgres://postgres@127.0.0.1/bw");
    }
}
