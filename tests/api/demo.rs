//! The demo office as CONTRACT.md promises it, loaded into a real database.

use argon2::{Argon2, PasswordHash, PasswordVerifier};
use budgetwatch::demo;
use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Nullable, Numeric, Text};
use rust_decimal::Decimal;

use crate::helpers::TestDb;

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

#[derive(QueryableByName, Debug, PartialEq)]
struct Fingerprint {
    #[diesel(sql_type = Text)]
    t: String,
    #[diesel(sql_type = BigInt)]
    rows: i64,
    #[diesel(sql_type = Text)]
    digest: String,
}

/// Row count and an order-independent digest of every row of every table.
fn fingerprint(conn: &mut PgConnection) -> Vec<Fingerprint> {
    let tables = [
        "fiscal_years",
        "bureaus",
        "projects",
        "allocation_adjustments",
        "monthly_plans",
        "cabinet_targets",
        "kpi_levels",
        "reports",
        "report_revisions",
        "report_lines",
        "users",
        "user_roles",
        "user_bureaus",
    ];
    let sql = tables
        .iter()
        .map(|t| {
            format!(
                "SELECT '{t}' AS t, count(*) AS rows, coalesce(md5(string_agg(md5(x::text), '' ORDER BY md5(x::text))), '') AS digest FROM {t} x"
            )
        })
        .collect::<Vec<_>>()
        .join(" UNION ALL ");
    diesel::sql_query(sql).load(conn).unwrap()
}

#[test]
fn loading_the_demo_twice_changes_nothing() {
    let db = TestDb::fresh();
    let mut conn = db.conn();
    let first = demo::load(&mut conn, day("2026-11-24"), "demo-password").unwrap();
    assert!(first.reports > 500 && first.projects >= 240, "{first:?}");
    let before = fingerprint(&mut conn);
    let second = demo::load(&mut conn, day("2026-11-24"), "demo-password").unwrap();
    assert_eq!(second, demo::LoadSummary::default());
    assert_eq!(fingerprint(&mut conn), before);
}

#[derive(QueryableByName)]
struct YearEnd {
    #[diesel(sql_type = Numeric)]
    allocation: Decimal,
    #[diesel(sql_type = Numeric)]
    disbursed: Decimal,
    #[diesel(sql_type = Numeric)]
    committed: Decimal,
    #[diesel(sql_type = Nullable<Integer>)]
    level: Option<i32>,
}

#[test]
fn fy2566_ends_at_exactly_97_percent_disbursed_and_committed_which_is_level_5() {
    let db = TestDb::fresh();
    let mut conn = db.conn();
    demo::load(&mut conn, day("2026-11-24"), "demo-password").unwrap();
    // Written from DOMAIN.md's definitions, independently of the generator:
    // A(12) = allocations + adjustments effective by 30 Sep; D = all months'
    // disbursements of the latest submitted revisions; C = month 12's commitments.
    let y: YearEnd = diesel::sql_query(
        "WITH a AS (SELECT sum(p.allocation) + coalesce((SELECT sum(x.amount) FROM allocation_adjustments x
                         JOIN projects q ON q.id = x.project_id
                         WHERE q.fiscal_year = 2566 AND x.effective_on <= DATE '2023-09-30'), 0) AS allocation
                    FROM projects p WHERE p.fiscal_year = 2566),
              u AS (SELECT coalesce(sum(l.disbursed), 0) AS disbursed,
                           coalesce(sum(l.committed) FILTER (WHERE r.month = 12), 0) AS committed
                    FROM reports r JOIN report_lines l ON l.revision_id = r.submitted_revision_id
                    WHERE r.fiscal_year = 2566)
         SELECT a.allocation, u.disbursed, u.committed,
                (SELECT max(level)::int FROM kpi_levels k WHERE k.fiscal_year = 2566
                   AND k.threshold_pct <= (u.disbursed + u.committed) * 100 / a.allocation) AS level
         FROM a, u",
    )
    .get_result(&mut conn)
    .unwrap();
    let rate = (y.disbursed + y.committed) * Decimal::ONE_HUNDRED / y.allocation;
    assert_eq!(rate, Decimal::from(97), "{} + {} of {}", y.disbursed, y.committed, y.allocation);
    assert_eq!(y.level, Some(5));
}

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = Text)]
    k: String,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn counts(conn: &mut PgConnection, sql: &str) -> std::collections::HashMap<String, i64> {
    diesel::sql_query(sql).load::<Row>(conn).unwrap().into_iter().map(|r| (r.k, r.n)).collect()
}

#[test]
fn the_demo_office_has_what_the_contract_promises() {
    let db = TestDb::fresh();
    let mut conn = db.conn();
    demo::load(&mut conn, day("2026-11-24"), "demo-password").unwrap();

    let bureaus = counts(&mut conn, "SELECT code AS k, 1::bigint AS n FROM bureaus");
    assert!(bureaus.len() >= 10);
    for code in ["PSB", "CAB", "DHR", "HRIC"] {
        assert!(bureaus.contains_key(code), "{code}");
    }
    let names = counts(&mut conn, "SELECT code || '=' || name_th AS k, 1::bigint AS n FROM bureaus");
    for n in ["PSB=สำนักนโยบายและยุทธศาสตร์", "CAB=สำนักบริหารกลาง", "DHR=สำนักดิจิทัลสิทธิมนุษยชน", "HRIC=ศูนย์สารสนเทศสิทธิมนุษยชน"]
    {
        assert!(names.contains_key(n), "{n}");
    }

    // Complete years: every bureau's twelve months submitted.
    let months = counts(
        &mut conn,
        "SELECT fiscal_year::text AS k, count(*) AS n FROM reports WHERE submitted_revision_id IS NOT NULL GROUP BY 1",
    );
    assert_eq!(months["2565"], 12 * bureaus.len() as i64);
    assert_eq!(months["2566"], 12 * bureaus.len() as i64);

    for fy in [2565, 2566, 2570] {
        let cats = counts(
            &mut conn,
            &format!("SELECT category AS k, count(*) AS n FROM projects WHERE fiscal_year = {fy} GROUP BY 1"),
        );
        assert_eq!(cats.len(), 5, "FY{fy}: {cats:?}");
        assert!(cats.values().sum::<i64>() >= 40);
    }

    // The current year (today 24 Nov 2026 = FY2570, month 1 ended): one report
    // missing, one only a draft, and a bureau behind plan that explained why.
    let current = counts(
        &mut conn,
        "SELECT b.code AS k, count(r.submitted_revision_id) AS n FROM bureaus b
         LEFT JOIN reports r ON r.bureau_id = b.id AND r.fiscal_year = 2570 AND r.month = 1 GROUP BY 1",
    );
    assert_eq!(current["COMM"], 0);
    assert_eq!(current["AUDIT"], 0);
    assert_eq!(current.values().filter(|n| **n == 1).count(), bureaus.len() - 2);
    let explained = counts(
        &mut conn,
        "SELECT b.code AS k, count(*) AS n FROM reports r JOIN bureaus b ON b.id = r.bureau_id
         JOIN report_revisions v ON v.id = r.submitted_revision_id
         WHERE r.fiscal_year = 2570 AND v.obstacles <> '' AND v.suggestions <> '' GROUP BY 1",
    );
    assert!(explained.contains_key("DHR"), "{explained:?}");

    // Revisions: some reports were corrected after a first submission.
    let corrected = counts(&mut conn, "SELECT 'x' AS k, count(*) AS n FROM reports WHERE latest_revision > 1");
    assert!(corrected["x"] > 0);

    // Every contract sign-in exists with its role; reporters are bound to their bureau.
    let roles = counts(
        &mut conn,
        "SELECT u.username || ':' || r.role || ':' || coalesce(b.code, '') AS k, 1::bigint AS n FROM users u
         JOIN user_roles r ON r.user_id = u.id LEFT JOIN user_bureaus ub ON ub.user_id = u.id
         LEFT JOIN bureaus b ON b.id = ub.bureau_id",
    );
    for r in [
        "admin:admin:",
        "strategy:strategy:",
        "finance:finance:",
        "executive:executive:",
        "sg:secretary_general:",
        "auditor:auditor:",
        "reporter-psb:reporter:PSB",
        "reporter-hric:reporter:HRIC",
    ] {
        assert!(roles.contains_key(r), "{r} in {roles:?}");
    }
    let hash: String = diesel::sql_query("SELECT password_hash AS k, 0::bigint AS n FROM users WHERE username = 'sg'")
        .get_result::<Row>(&mut conn)
        .unwrap()
        .k;
    let parsed = PasswordHash::new(&hash).unwrap();
    assert!(Argon2::default().verify_password(b"demo-password", &parsed).is_ok());
    assert!(Argon2::default().verify_password(b"wrong-password", &parsed).is_err());
}

#[test]
fn loading_a_month_later_adds_only_what_has_ended_since_and_keeps_what_is_there() {
    let db = TestDb::fresh();
    let mut conn = db.conn();
    demo::load(&mut conn, day("2026-11-24"), "demo-password").unwrap();
    let later = demo::load(&mut conn, day("2026-12-24"), "demo-password").unwrap();
    assert_eq!((later.fiscal_years, later.projects, later.users), (0, 0, 0));
    let added =
        counts(&mut conn, "SELECT month::text AS k, count(*) AS n FROM reports WHERE fiscal_year = 2570 GROUP BY 1");
    // Month 2 arrives for every bureau but the one that is late again; COMM's
    // month 1 arrives late; AUDIT's month-1 draft is left as it was.
    assert_eq!(added["1"], 12);
    assert_eq!(added["2"], 11);
    let audit_m1 = counts(
        &mut conn,
        "SELECT v.status AS k, count(*) AS n FROM reports r JOIN bureaus b ON b.id = r.bureau_id
         JOIN report_revisions v ON v.report_id = r.id WHERE b.code = 'AUDIT' AND r.fiscal_year = 2570 AND r.month = 1 GROUP BY 1",
    );
    assert_eq!(audit_m1.get("draft"), Some(&1));
    assert_eq!(audit_m1.get("submitted"), None);
}
