//! The command line: `serve`, `migrate`, `demo`. Each subcommand loads the
//! configuration (environment over file over defaults), then calls into the library.
//! Failures print one line, `budgetwatch: <reason>`, on standard error and exit
//! non-zero; a bad configuration exits 2, anything else 1.

use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use chrono::NaiveDate;
use clap::{Parser, Subcommand};

use crate::config::Settings;
use crate::domain::fiscal::bangkok_date;
use crate::domain::{FiscalMonth, FiscalYear};
use crate::error::AppError;
use crate::startup::{self, Application};
use crate::{audit, auth, bench, db, demo, schema, telemetry, users};

#[derive(Parser, Debug)]
#[command(name = "budgetwatch", version, about = "Budget-disbursement monitoring for Thai public bodies")]
#[command(after_help = "Configuration: DATABASE_URL and BUDGETWATCH_* variables, over the file named by \
BUDGETWATCH_CONFIG (default ./budgetwatch.toml when present), over defaults. See README.md.")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Apply pending migrations and serve HTTP.
    Serve {
        /// Port to listen on (overrides BUDGETWATCH_PORT).
        #[arg(long)]
        port: Option<u16>,
        /// Address to listen on (overrides BUDGETWATCH_HOST).
        #[arg(long)]
        host: Option<String>,
    },
    /// Create the database if it is missing and apply pending migrations.
    Migrate,
    /// Load the demo office (idempotent), print the sign-ins, and serve.
    Demo {
        /// Port to listen on (overrides BUDGETWATCH_PORT).
        #[arg(long)]
        port: Option<u16>,
        /// Load the data and print the sign-ins, but do not serve.
        #[arg(long)]
        no_serve: bool,
        /// Build the office as it stands on this date (YYYY-MM-DD, Asia/Bangkok);
        /// default today.
        #[arg(long, value_parser = parse_date)]
        today: Option<NaiveDate>,
        /// Load even into a database that holds accounts the demo did not make.
        #[arg(long)]
        force: bool,
    },
    /// Manage user accounts.
    Users {
        #[command(subcommand)]
        command: UsersCommand,
    },
    /// Manage API tokens.
    Tokens {
        #[command(subcommand)]
        command: TokensCommand,
    },
    /// The audit trail.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Draw a chart to a file (.svg or .png).
    Chart {
        /// s-curve, bureaus, categories, heatmap or kpi.
        kind: String,
        #[arg(long)]
        fy: i64,
        #[arg(long)]
        month: i64,
        /// One bureau (the S-curve and categories), by code.
        #[arg(long)]
        bureau: Option<String>,
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// Lag alerts.
    Alerts {
        #[command(subcommand)]
        command: AlertsCommand,
    },
    /// Import data files.
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// Synthetic national-scale data and timings.
    Bench {
        #[command(subcommand)]
        command: BenchCommand,
    },
}

#[derive(Subcommand, Debug)]
pub enum ImportCommand {
    /// Import the control ledger from a CSV (UTF-8) or XLSX file, streaming it:
    /// all or nothing; a file imported again adds nothing.
    Ledger { file: std::path::PathBuf },
}

#[derive(Subcommand, Debug)]
pub enum BenchCommand {
    /// Load a synthetic fiscal year (idempotent: an existing year is left alone).
    Seed {
        #[arg(long, default_value_t = 400)]
        agencies: i32,
        #[arg(long, default_value_t = 20_000)]
        projects: i32,
        #[arg(long, default_value_t = 2500)]
        fiscal_year: i64,
    },
    /// Write a synthetic control ledger (CSV, the import format) for a seeded
    /// year, consistent with its reports: imported, every bureau agrees at month 12.
    Ledger {
        /// Rows to write, spread over the year's projects (at least two per project).
        #[arg(long)]
        rows: u64,
        #[arg(long)]
        out: std::path::PathBuf,
        #[arg(long, default_value_t = 2500)]
        fiscal_year: i64,
    },
    /// Time reconciling every bureau with the ledger (median, p95, min over N runs).
    Reconcile {
        #[arg(long, default_value_t = 2500)]
        fiscal_year: i64,
        #[arg(long, default_value_t = 12)]
        month: i64,
        #[arg(long, default_value_t = 20)]
        iterations: usize,
    },
    /// Time drawing the S-curve as SVG and rasterising it as PNG.
    Charts {
        #[arg(long, default_value_t = 2566)]
        fiscal_year: i64,
        #[arg(long, default_value_t = 12)]
        month: i64,
        #[arg(long, default_value_t = 100)]
        iterations: usize,
    },
    /// Time making the meeting pack: gathering, PDF, XLSX, whole, and from the cache.
    Pack {
        #[arg(long, default_value_t = 2566)]
        fiscal_year: i64,
        #[arg(long, default_value_t = 12)]
        month: i64,
        #[arg(long, default_value_t = 30)]
        iterations: usize,
    },
    /// Time the office and bureau summaries (median, p95, min over N runs).
    Summary {
        #[arg(long, default_value_t = 2500)]
        fiscal_year: i64,
        #[arg(long, default_value_t = 12)]
        month: i64,
        /// Bureau for the bureau summary (default: the first synthetic agency).
        #[arg(long, default_value = "AG0001")]
        bureau: String,
        #[arg(long, default_value_t = 50)]
        iterations: usize,
    },
}

#[derive(Subcommand, Debug)]
pub enum UsersCommand {
    /// Create a user. The password is read from the first line of standard input
    /// (at least 10 characters, not the user name).
    Create {
        #[arg(long)]
        username: String,
        /// admin, strategy, finance, executive, secretary_general, auditor or reporter; repeatable.
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
        /// Bureau code a reporter reports for; repeatable.
        #[arg(long = "bureau")]
        bureaus: Vec<String>,
        #[arg(long, default_value = "")]
        display_name: String,
        #[arg(long)]
        email: Option<String>,
    },
    /// Deactivate a user: sign-ins and tokens stop working, history stays.
    Deactivate { username: String },
}

#[derive(Subcommand, Debug)]
pub enum TokensCommand {
    /// Create a long-lived API token for a user and print it once.
    Create {
        #[arg(long)]
        user: String,
        /// Days until it expires (1-730).
        #[arg(long, default_value_t = 90, value_parser = clap::value_parser!(i64).range(1..=730))]
        days: i64,
        #[arg(long, default_value = "cli")]
        label: String,
    },
    /// Revoke a token by its id.
    Revoke { id: i64 },
}

#[derive(Subcommand, Debug)]
pub enum AlertsCommand {
    /// Evaluate every alert rule as of a date (default: now), raising, updating and
    /// resolving alerts; prints what changed.
    Evaluate {
        /// Evaluate as of the end of this day (YYYY-MM-DD, Asia/Bangkok).
        #[arg(long, value_parser = parse_date)]
        at: Option<NaiveDate>,
    },
}

#[derive(Subcommand, Debug)]
pub enum AuditCommand {
    /// Recompute the keyed hash chain: say it is intact, or name the first broken
    /// row; with --checkpoint, also prove nothing up to that checkpoint was cut or
    /// rewritten.
    Verify {
        /// A checkpoint written earlier by `audit checkpoint`.
        #[arg(long)]
        checkpoint: Option<std::path::PathBuf>,
        /// Accept exactly this many rows written before the chain was keyed (an
        /// installation older than the key); any other number is a failure.
        #[arg(long, default_value_t = 0)]
        accept_unkeyed: usize,
    },
    /// Write the chain's head (row count, last hash, time), signed with the audit
    /// key, to a file kept away from the database.
    Checkpoint {
        #[arg(long)]
        out: std::path::PathBuf,
    },
}

fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| format!("{s:?} is not a date of the form YYYY-MM-DD"))
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut settings = match Settings::from_env() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("budgetwatch: {e}");
            return ExitCode::from(2);
        }
    };
    telemetry::init(settings.log_format, &settings.log_filter);
    match run(cli.command, &mut settings) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let reason = format!("{e:#}").replace('\n', " ");
            eprintln!("budgetwatch: {reason}");
            ExitCode::FAILURE
        }
    }
}

fn run(command: Command, settings: &mut Settings) -> anyhow::Result<()> {
    if !matches!(command, Command::Migrate) {
        audit::install_key(&audit::key_from(settings)?)?;
    }
    match command {
        Command::Serve { port, host } => {
            if let Some(p) = port {
                settings.port = p;
            }
            if let Some(h) = host {
                settings.host = h;
            }
            serve(settings.clone())
        }
        Command::Migrate => {
            let n = startup::migrate(settings)?;
            println!("migrations applied: {n} ({})", settings.database_url_redacted());
            Ok(())
        }
        Command::Demo { port, no_serve, today, force } => {
            if let Some(p) = port {
                settings.port = p;
            }
            startup::migrate(settings)?;
            let given_today = today;
            let today = today.unwrap_or_else(|| bangkok_date(chrono::Utc::now()));
            let started = Instant::now();
            let mut conn = db::connect_creating(&settings.database_url)?;
            let foreign = demo::foreign_accounts(&mut conn)?;
            if !foreign.is_empty() && !force {
                anyhow::bail!(
                    "this database holds accounts the demo did not make ({}): the demo's sign-ins and published \
                     password never go into a real office's database; use another DATABASE_URL, or --force",
                    foreign.join(", ")
                );
            }
            let summary = match given_today {
                Some(day) => demo::load(&mut conn, day, &settings.demo_password),
                None => demo::load_now(&mut conn, chrono::Utc::now(), &settings.demo_password),
            }
            .context("loading the demo office")?;
            drop(conn);
            println!(
                "demo office as of {today}: added {} fiscal years, {} projects, {} reports ({} revisions), {} users in {} ms",
                summary.fiscal_years,
                summary.projects,
                summary.reports,
                summary.revisions,
                summary.users,
                started.elapsed().as_millis()
            );
            print_sign_ins(settings);
            if no_serve {
                Ok(())
            } else {
                serve(settings.clone())
            }
        }
        Command::Users { command } => users_command(command, settings),
        Command::Bench { command } => bench_command(command, settings),
        Command::Import { command: ImportCommand::Ledger { file } } => {
            let mut conn = db::connect_creating(&settings.database_url)?;
            let started = Instant::now();
            let actor = crate::audit::Actor { user_id: None, request_id: Some("cli") };
            let o = crate::ledger::import_file(&mut conn, &file, actor).map_err(ledger_refusal)?;
            let seconds = started.elapsed().as_secs_f64();
            println!(
                "import {}: {} rows, {} added, {} already in the ledger, in {:.2} s ({:.0} rows/s)",
                o.import_id,
                o.rows,
                o.added,
                o.already_present,
                seconds,
                o.rows as f64 / seconds.max(1e-9)
            );
            Ok(())
        }
        Command::Chart { kind, fy, month, bureau, out } => {
            let kind = crate::charts::Kind::parse(&kind)
                .with_context(|| format!("{kind:?} is not a chart: s-curve, bureaus, categories, heatmap or kpi"))?;
            let png = match out.extension().and_then(|e| e.to_str()) {
                Some("png") => true,
                Some("svg") => false,
                _ => anyhow::bail!("--out must end in .svg or .png"),
            };
            let (fy, month) = (FiscalYear::new(fy)?, FiscalMonth::new(month)?);
            let mut conn = db::connect_creating(&settings.database_url)?;
            let b = match bureau {
                Some(code) => Some(
                    crate::monitoring::queries::bureau_by_code(&mut conn, &code)?
                        .with_context(|| format!("there is no bureau {code:?}"))?,
                ),
                None => None,
            };
            let chart =
                crate::charts::load(&mut conn, kind, fy, month, b.as_ref(), chrono::Utc::now()).map_err(app_error)?;
            let bytes = if png { crate::charts::png(&chart.svg)? } else { chart.svg.into_bytes() };
            std::fs::write(&out, bytes).with_context(|| format!("writing {}", out.display()))?;
            println!("{}: {}", out.display(), chart.desc);
            Ok(())
        }
        Command::Alerts { command: AlertsCommand::Evaluate { at } } => {
            use chrono::TimeZone;
            let now = match at {
                Some(day) => crate::domain::fiscal::bangkok()
                    .from_local_datetime(&day.and_hms_opt(23, 59, 59).expect("end of day"))
                    .single()
                    .expect("fixed offset")
                    .with_timezone(&chrono::Utc),
                None => chrono::Utc::now(),
            };
            startup::migrate(settings)?;
            let mut conn = db::connect_creating(&settings.database_url)?;
            let started = Instant::now();
            let e = crate::alerts::evaluate(&mut conn, now, true, &settings.delivery).map_err(app_error)?;
            match (e.fiscal_year, e.month) {
                (Some(fy), Some(m)) => println!(
                    "alerts as of {}: FY{fy} month {m}: {} raised, {} updated, {} resolved, {} open ({} ms)",
                    now.to_rfc3339(),
                    e.raised,
                    e.updated,
                    e.resolved,
                    e.open,
                    started.elapsed().as_millis()
                ),
                _ => println!("alerts as of {}: no fiscal year to evaluate", now.to_rfc3339()),
            }
            Ok(())
        }
        Command::Tokens { command } => tokens_command(command, settings),
        Command::Audit { command: AuditCommand::Verify { checkpoint, accept_unkeyed } } => {
            let checkpoint: Option<audit::Checkpoint> = match checkpoint {
                Some(path) => {
                    let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
                    Some(
                        serde_json::from_str(&text)
                            .with_context(|| format!("{} is not a checkpoint", path.display()))?,
                    )
                }
                None => None,
            };
            let mut conn = db::connect_creating(&settings.database_url)?;
            match audit::verify(&mut conn, checkpoint.as_ref())? {
                audit::Verdict::Intact { unkeyed, .. } if unkeyed != accept_unkeyed => anyhow::bail!(
                    "audit chain not proven: its first {unkeyed} rows are not keyed (written before the key, or rewritten \
                     without it); if this installation is older than the key, check that number and pass \
                     --accept-unkeyed {unkeyed}"
                ),
                audit::Verdict::Intact { rows, unkeyed } => {
                    let since = checkpoint.map(|c| format!(", the checkpoint of {} included", c.at.to_rfc3339()));
                    let old = match unkeyed {
                        0 => String::new(),
                        n => format!(" ({n} written before the chain was keyed)"),
                    };
                    println!("audit chain intact: {rows} rows verified{old}{}", since.unwrap_or_default());
                    Ok(())
                }
                audit::Verdict::Broken { id, reason } => {
                    anyhow::bail!("audit chain broken at row {id}: {reason}")
                }
            }
        }
        Command::Audit { command: AuditCommand::Checkpoint { out } } => {
            let mut conn = db::connect_creating(&settings.database_url)?;
            let c = audit::checkpoint(&mut conn)?;
            let text = serde_json::to_string_pretty(&c)?;
            std::fs::write(&out, text + "\n").with_context(|| format!("writing {}", out.display()))?;
            println!(
                "checkpoint: {} rows up to row {} at {} written to {}",
                c.rows,
                c.last_id,
                c.at.to_rfc3339(),
                out.display()
            );
            Ok(())
        }
    }
}

fn bench_command(command: BenchCommand, settings: &Settings) -> anyhow::Result<()> {
    startup::migrate(settings)?;
    let mut conn = db::connect_creating(&settings.database_url)?;
    match command {
        BenchCommand::Seed { agencies, projects, fiscal_year } => {
            let fy = FiscalYear::new(fiscal_year)?;
            let started = Instant::now();
            let s = bench::seed(&mut conn, fy, agencies, projects)?;
            println!(
                "FY{fy}: {} ({} agencies, {} projects, {} report lines) in {} ms",
                if s.created { "seeded" } else { "already there" },
                s.agencies,
                s.projects,
                s.report_lines,
                started.elapsed().as_millis()
            );
        }
        BenchCommand::Ledger { rows, out, fiscal_year } => {
            let fy = FiscalYear::new(fiscal_year)?;
            let started = Instant::now();
            let file = std::fs::File::create(&out).with_context(|| format!("creating {}", out.display()))?;
            let mut writer = std::io::BufWriter::with_capacity(1 << 20, file);
            let w = bench::ledger::write(&mut conn, fy, rows, &mut writer)?;
            writer.into_inner().map_err(|e| e.into_error()).with_context(|| format!("writing {}", out.display()))?;
            println!(
                "FY{fy}: {} ledger rows for {} projects written to {} in {} ms",
                w.rows,
                w.projects,
                out.display(),
                started.elapsed().as_millis()
            );
        }
        BenchCommand::Reconcile { fiscal_year, month, iterations } => {
            let (fy, month) = (FiscalYear::new(fiscal_year)?, FiscalMonth::new(month)?);
            anyhow::ensure!(iterations >= 1, "--iterations must be at least 1");
            let (t, statuses) = bench::time_reconcile(&mut conn, fy, month, iterations)?;
            println!(
                "{:<28} median {:>8.2} ms   p95 {:>8.2} ms   min {:>8.2} ms   ({iterations} runs, FY{fy} month {month})",
                "reconciliation (bureaus)",
                t.median.as_secs_f64() * 1e3,
                t.p95.as_secs_f64() * 1e3,
                t.min.as_secs_f64() * 1e3
            );
            let statuses: Vec<String> = statuses
                .iter()
                .map(|(s, n)| {
                    format!(
                        "{n} {}",
                        serde_json::to_value(s).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default()
                    )
                })
                .collect();
            println!("bureaus: {}", statuses.join(", "));
        }
        BenchCommand::Charts { fiscal_year, month, iterations } => {
            let (fy, month) = (FiscalYear::new(fiscal_year)?, FiscalMonth::new(month)?);
            anyhow::ensure!(iterations >= 1, "--iterations must be at least 1");
            let (svg, png) = bench::time_charts(&mut conn, fy, month, iterations)?;
            for (name, t) in [("S-curve SVG", svg), ("S-curve PNG 1200x675", png)] {
                println!(
                    "{name:<28} median {:>8.3} ms   p95 {:>8.3} ms   min {:>8.3} ms   ({iterations} runs)",
                    t.median.as_secs_f64() * 1e3,
                    t.p95.as_secs_f64() * 1e3,
                    t.min.as_secs_f64() * 1e3
                );
            }
        }
        BenchCommand::Pack { fiscal_year, month, iterations } => {
            let (fy, month) = (FiscalYear::new(fiscal_year)?, FiscalMonth::new(month)?);
            anyhow::ensure!(iterations >= 1, "--iterations must be at least 1");
            for (name, t) in bench::time_pack(&mut conn, fy, month, iterations)? {
                println!(
                    "{name:<28} median {:>8.3} ms   p95 {:>8.3} ms   min {:>8.3} ms   ({iterations} runs)",
                    t.median.as_secs_f64() * 1e3,
                    t.p95.as_secs_f64() * 1e3,
                    t.min.as_secs_f64() * 1e3
                );
            }
        }
        BenchCommand::Summary { fiscal_year, month, bureau, iterations } => {
            let fy = FiscalYear::new(fiscal_year)?;
            let month = FiscalMonth::new(month)?;
            anyhow::ensure!(iterations >= 1, "--iterations must be at least 1");
            let (office, one) = bench::time_summaries(&mut conn, fy, month, &bureau, iterations)?;
            for (name, t) in [("office summary", office), (&*format!("bureau summary ({bureau})"), one)] {
                println!(
                    "{name:<28} median {:>8.2} ms   p95 {:>8.2} ms   min {:>8.2} ms   ({iterations} runs, FY{fy} month {month})",
                    t.median.as_secs_f64() * 1e3,
                    t.p95.as_secs_f64() * 1e3,
                    t.min.as_secs_f64() * 1e3
                );
            }
        }
    }
    Ok(())
}

const CLI_ACTOR: users::Actor<'static> = users::Actor { user_id: None, request_id: Some("cli") };

/// A refused ledger file: the summary, then each problem on its own line.
fn ledger_refusal(e: AppError) -> anyhow::Error {
    match e {
        AppError::Validation { message, details } => anyhow::anyhow!(
            "{message}\n{}",
            details.iter().map(|d| format!("  {}: {}", d.field, d.message)).collect::<Vec<_>>().join("\n")
        ),
        other => app_error(other),
    }
}

fn app_error(e: AppError) -> anyhow::Error {
    match e {
        AppError::Validation { details, .. } => anyhow::anyhow!(
            "{}",
            details.iter().map(|d| format!("{}: {}", d.field, d.message)).collect::<Vec<_>>().join("; ")
        ),
        AppError::Unexpected(e) => e,
        other => anyhow::anyhow!("{other}"),
    }
}

fn users_command(command: UsersCommand, settings: &Settings) -> anyhow::Result<()> {
    let mut conn = db::connect_creating(&settings.database_url)?;
    match command {
        UsersCommand::Create { username, roles, bureaus, display_name, email } => {
            let mut password = String::new();
            std::io::stdin().read_line(&mut password).context("reading the password from standard input")?;
            let password = password.trim_end_matches(['\r', '\n']).to_string();
            let input = users::NewUser { username: username.clone(), display_name, email, password, roles, bureaus };
            users::create(&mut conn, &input, CLI_ACTOR).map_err(app_error)?;
            println!("created user {username}");
        }
        UsersCommand::Deactivate { username } => {
            users::deactivate(&mut conn, &username, CLI_ACTOR).map_err(app_error)?;
            println!("deactivated {username}; their tokens are revoked");
        }
    }
    Ok(())
}

fn tokens_command(command: TokensCommand, settings: &Settings) -> anyhow::Result<()> {
    use diesel::prelude::*;
    let mut conn = db::connect_creating(&settings.database_url)?;
    match command {
        TokensCommand::Create { user, days, label } => {
            let user_id: Option<i64> = schema::users::table
                .filter(schema::users::username.eq(&user))
                .filter(schema::users::active.eq(true))
                .select(schema::users::id)
                .first(&mut conn)
                .optional()?;
            let Some(user_id) = user_id else { anyhow::bail!("there is no active user {user:?}") };
            let lifetime = chrono::Duration::days(days);
            let issued = auth::queries::issue_audited(
                &mut conn,
                user_id,
                auth::Via::Token,
                &label,
                lifetime,
                CLI_ACTOR,
                "create",
            )?;
            eprintln!(
                "token {} for {user}, expires {}; it is shown only now:",
                issued.id,
                issued.expires_at.to_rfc3339()
            );
            println!("{}", issued.token);
        }
        TokensCommand::Revoke { id } => {
            if !auth::queries::revoke_audited(&mut conn, id, CLI_ACTOR, "revoke")? {
                anyhow::bail!("there is no live token {id}");
            }
            println!("revoked token {id}");
        }
    }
    Ok(())
}

fn print_sign_ins(settings: &Settings) {
    println!("demo sign-ins (password: {}):", settings.demo_password);
    for (username, name, roles, _) in demo::sign_ins() {
        let roles: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
        println!("  {username:<16} {:<18} {name}", roles.join(","));
    }
}

fn serve(settings: Settings) -> anyhow::Result<()> {
    actix_web::rt::System::new().block_on(async move {
        let host = settings.host.clone();
        let app = Application::build(settings)?;
        println!("budgetwatch is serving on http://{host}:{}/", app.port());
        app.run_until_stopped().await.context("serving HTTP")
    })
}
