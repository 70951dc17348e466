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
use crate::startup::{self, Application};
use crate::{db, demo, telemetry};

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
        Command::Demo { port, no_serve, today } => {
            if let Some(p) = port {
                settings.port = p;
            }
            startup::migrate(settings)?;
            let today = today.unwrap_or_else(|| bangkok_date(chrono::Utc::now()));
            let started = Instant::now();
            let mut conn = db::connect_creating(&settings.database_url)?;
            let summary = demo::load(&mut conn, today, &settings.demo_password).context("loading the demo office")?;
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
    }
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
