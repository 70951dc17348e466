//! Ledgers made for a purpose: `bench ledger`'s synthetic file for a seeded year
//! imports cleanly and agrees with every bureau's reports at month 12; the demo
//! office's ledger agrees with its reports but for the two faults it was given.

use std::process::Command;

use budgetwatch::domain::{FiscalMonth, FiscalYear};
use budgetwatch::ledger::reconcile::{self, Status};
use budgetwatch::{alerts, bench, demo};
use chrono::{NaiveDate, TimeZone, Utc};
use diesel::prelude::*;
use rust_decimal::Decimal;

use crate::helpers::{settings_for, TestDb};

const ACTOR: budgetwatch::audit::Actor<'static> = budgetwatch::audit::Actor { user_id: None, request_id: Some("test") };

fn month(m: i64) -> FiscalMonth {
    FiscalMonth::new(m).unwrap()
}

fn scratch_file(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("bw-ledger-bench-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("ledger.csv")
}

/// Each bureau's (code, status, difference rate) as of the end of `m`.
fn statuses(conn: &mut PgConnection, fy: i64, m: i64) -> Vec<(String, Status, Option<Decimal>)> {
    reconcile::bureaus(conn, FiscalYear::new(fy).unwrap(), month(m), None)
        .unwrap()
        .unwrap()
        .bureaus
        .into_iter()
        .map(|b| (b.code, b.figures.status, b.figures.difference_rate))
        .collect()
}

#[test]
fn a_bench_ledger_imports_cleanly_agrees_at_month_12_and_adds_nothing_the_second_time() {
    let db = TestDb::fresh();
    let mut conn = db.conn();
    let fy = FiscalYear::new(2501).unwrap();
    bench::seed(&mut conn, fy, 3, 12).unwrap();
    let path = scratch_file("lib");
    // 281 rows over 12 projects: 23 or 24 each, so the file has payments without
    // a commitment (an odd count) and cancellations (from 10 rows a project).
    let mut out = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    let written = bench::ledger::write(&mut conn, fy, 281, &mut out).unwrap();
    drop(out);
    assert_eq!(written, bench::ledger::Written { rows: 281, projects: 12 });
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text.lines().count(), 282);
    let kinds = |kind: &str, reference: bool| {
        text.lines()
            .filter(|l| l.split(',').nth(5) == Some(kind) && (l.split(',').nth(2) != Some("")) == reference)
            .count()
    };
    assert!(kinds("cancellation", true) > 0 && kinds("disbursement", false) > 0, "{text}");

    let first = budgetwatch::ledger::import_file(&mut conn, &path, ACTOR).unwrap();
    assert_eq!((first.rows, first.added), (281, 281));
    let r = reconcile::bureaus(&mut conn, fy, month(12), None).unwrap().unwrap();
    assert_eq!(r.bureaus.len(), 3);
    for b in &r.bureaus {
        let f = &b.figures;
        assert_eq!(f.status, Status::Agrees, "{}", b.code);
        assert_eq!(
            (f.ledger_disbursed, f.ledger_committed),
            (f.reported_disbursed, f.reported_committed),
            "{}",
            b.code
        );
    }
    let again = budgetwatch::ledger::import_file(&mut conn, &path, ACTOR).unwrap();
    assert_eq!((again.added, again.already_present), (0, 281), "a second import adds nothing");
    std::fs::remove_dir_all(path.parent().unwrap()).ok();
}

fn budgetwatch(db: &TestDb) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_budgetwatch"));
    c.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("BUDGETWATCH_LOG", "off")
        .env("BUDGETWATCH_AUDIT_KEY", crate::helpers::AUDIT_KEY)
        .env("DATABASE_URL", &db.url);
    c
}

#[test]
fn the_bench_commands_write_a_ledger_that_imports_and_reconcile_it() {
    let db = TestDb::fresh();
    let seed = budgetwatch(&db)
        .args(["bench", "seed", "--agencies", "2", "--projects", "6", "--fiscal-year", "2501"])
        .output()
        .unwrap();
    assert!(seed.status.success(), "{}", String::from_utf8_lossy(&seed.stderr));
    let path = scratch_file("cli");
    let write = |rows: &str| {
        budgetwatch(&db)
            .args(["bench", "ledger", "--rows", rows, "--fiscal-year", "2501", "--out"])
            .arg(&path)
            .output()
            .unwrap()
    };
    let few = write("11");
    assert_eq!(few.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&few.stderr);
    assert!(stderr.contains("--rows must be at least 12") && stderr.lines().count() == 1, "{stderr}");
    let out = write("40");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("40 ledger rows for 6 projects"));
    assert_eq!(std::fs::read_to_string(&path).unwrap().lines().count(), 41, "the header and 40 rows");
    let import = budgetwatch(&db).args(["import", "ledger"]).arg(&path).output().unwrap();
    assert!(import.status.success(), "{}", String::from_utf8_lossy(&import.stderr));
    assert!(String::from_utf8_lossy(&import.stdout).contains("40 rows, 40 added"));
    let timing =
        budgetwatch(&db).args(["bench", "reconcile", "--fiscal-year", "2501", "--iterations", "1"]).output().unwrap();
    assert!(timing.status.success(), "{}", String::from_utf8_lossy(&timing.stderr));
    let stdout = String::from_utf8_lossy(&timing.stdout);
    assert!(stdout.contains("median") && stdout.contains("bureaus: 2 agrees"), "{stdout}");
    std::fs::remove_dir_all(path.parent().unwrap()).ok();
}

#[test]
fn the_demo_ledger_agrees_but_for_one_bureau_and_takes_one_project_beyond_its_allocation() {
    let db = TestDb::fresh();
    let mut conn = db.conn();
    let today = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
    let loaded = demo::load(&mut conn, today, "demo-password").unwrap();
    assert!(loaded.ledger_entries > 1000, "{loaded:?}");

    // FY2566 agrees with every bureau, month by month.
    for m in [1, 6, 12] {
        let s = statuses(&mut conn, 2566, m);
        assert_eq!(s.len(), 12);
        assert!(
            s.iter().all(|(_, status, rate)| *status == Status::Agrees && *rate == Some(Decimal::ZERO)),
            "{m}: {s:?}"
        );
    }
    // The current year's latest reported month: one bureau differs, by the 2% it
    // did not report; the two that have not reported have no entries.
    let s = statuses(&mut conn, 2570, 1);
    let differs: Vec<_> = s.iter().filter(|(_, status, _)| *status == Status::Differs).collect();
    assert_eq!(differs, [&(demo::ledger::UNREPORTED.to_string(), Status::Differs, Some(Decimal::from(2)))]);
    let no_ledger: Vec<&str> =
        s.iter().filter(|(_, status, _)| *status == Status::NoLedger).map(|(c, _, _)| c.as_str()).collect();
    assert_eq!(no_ledger, ["AUDIT", "COMM"]);
    // INTL agrees in total; its projects show the misposted voucher: INTL-01
    // holds it, INTL-03, whose only October entry it was, has none.
    let intl: i32 = budgetwatch::schema::bureaus::table
        .filter(budgetwatch::schema::bureaus::code.eq("INTL"))
        .select(budgetwatch::schema::bureaus::id)
        .first(&mut conn)
        .unwrap();
    let projects =
        reconcile::projects(&mut conn, FiscalYear::new(2570).unwrap(), month(1), intl, Decimal::new(5, 1)).unwrap();
    let got: Vec<(&str, Status)> = projects.iter().map(|p| (p.code.as_str(), p.figures.status)).collect();
    assert_eq!(
        got,
        [
            ("INTL-01", Status::Differs),
            ("INTL-02", Status::Agrees),
            ("INTL-03", Status::NoLedger),
            ("INTL-04", Status::Agrees)
        ]
    );
    assert_eq!(demo::ledger::MISPOSTED, ("INTL-03", "INTL-01"));

    // The alerts: one over_commitment, on the misposted-to project.
    let noon = Utc.with_ymd_and_hms(2026, 11, 24, 5, 0, 0).unwrap();
    alerts::evaluate(&mut conn, noon, true, &settings_for(&db).delivery).unwrap();
    use budgetwatch::schema::{alerts as a, projects as p};
    let over: Vec<String> =
        a::table.inner_join(p::table).filter(a::kind.eq("over_commitment")).select(p::code).load(&mut conn).unwrap();
    assert_eq!(over, [demo::ledger::MISPOSTED.1]);

    // In the import history as finance imported them; loading again adds nothing.
    use budgetwatch::schema::{ledger_imports as i, users as u};
    let history = || -> Vec<(String, String, Option<String>)> {
        i::table
            .left_join(u::table)
            .order(i::id)
            .select((i::filename, i::outcome, u::username.nullable()))
            .load(&mut db.conn())
            .unwrap()
    };
    let finance = Some("finance".to_string());
    assert_eq!(
        history(),
        [
            ("demo-ledger-2566.csv".to_string(), "imported".to_string(), finance.clone()),
            ("demo-ledger-2570.csv".to_string(), "imported".to_string(), finance)
        ]
    );
    let entries = || -> i64 { budgetwatch::schema::ledger_entries::table.count().get_result(&mut db.conn()).unwrap() };
    let before = entries();
    assert_eq!(demo::load(&mut conn, today, "demo-password").unwrap(), demo::LoadSummary::default());
    assert_eq!((entries(), history().len()), (before, 2));
}
