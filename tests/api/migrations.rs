//! The schema: every migration goes up, down and up again, and the database
//! itself refuses what the domain forbids.

use budgetwatch::db::MIGRATIONS;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use diesel_migrations::MigrationHarness;

use crate::helpers::TestDb;

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn user_tables(conn: &mut PgConnection) -> i64 {
    diesel::sql_query(
        "SELECT count(*) AS n FROM pg_tables WHERE schemaname = 'public' AND tablename <> '__diesel_schema_migrations'",
    )
    .get_result::<Count>(conn)
    .unwrap()
    .n
}

#[test]
fn every_migration_runs_up_then_down_then_up_again() {
    let db = TestDb::empty();
    let mut conn = db.conn();
    let applied = conn.run_pending_migrations(MIGRATIONS).unwrap().len();
    let folders = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations")).unwrap().count();
    assert_eq!(applied, folders);
    let tables = user_tables(&mut conn);
    assert!(tables >= 24, "only {tables} tables");
    conn.revert_all_migrations(MIGRATIONS).unwrap();
    assert_eq!(user_tables(&mut conn), 0, "a down.sql left tables behind");
    let leftovers = diesel::sql_query(
        "SELECT count(*) AS n FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'
         UNION ALL SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                   WHERE n.nspname = 'public' AND c.relkind = 'S'",
    )
    .load::<Count>(&mut conn)
    .unwrap();
    assert!(leftovers.iter().all(|c| c.n == 0), "functions or sequences left behind");
    conn.run_pending_migrations(MIGRATIONS).unwrap();
    assert_eq!(user_tables(&mut conn), tables);
}

/// Runs `sql` after the setup and expects PostgreSQL to refuse it.
fn refused(conn: &mut PgConnection, sql: &str) -> String {
    conn.batch_execute("SAVEPOINT s").unwrap();
    let err = conn.batch_execute(sql).expect_err(sql).to_string();
    conn.batch_execute("ROLLBACK TO SAVEPOINT s").unwrap();
    err
}

#[test]
fn the_database_refuses_what_the_domain_forbids() {
    let db = TestDb::fresh();
    let mut conn = db.conn();
    conn.batch_execute(
        "BEGIN;
         INSERT INTO fiscal_years (id, starts_on, ends_on) VALUES (2566, '2022-10-01', '2023-09-30');
         INSERT INTO bureaus (code, name_th, name_en) VALUES ('PSB', 'สำนักนโยบายและยุทธศาสตร์', 'Policy'),
                                                             ('CAB', 'สำนักบริหารกลาง', 'Central');
         INSERT INTO projects (fiscal_year, bureau_id, code, name_th, category, allocation)
              SELECT 2566, id, code || '-01', 'โครงการ', 'operating', 1000 FROM bureaus;
         INSERT INTO reports (bureau_id, fiscal_year, month) SELECT id, 2566, 1 FROM bureaus WHERE code = 'PSB';
         INSERT INTO report_revisions (report_id, bureau_id, fiscal_year, revision, status)
              SELECT id, bureau_id, 2566, 1, 'draft' FROM reports;",
    )
    .unwrap();
    let cases = [
        ("negative allocation", "UPDATE projects SET allocation = -1"),
        ("an allocation of 10^16", "UPDATE projects SET allocation = 10000000000000000"),
        ("unknown category", "UPDATE projects SET category = 'capital'"),
        ("month 13", "INSERT INTO monthly_plans SELECT id, 13, 1 FROM projects LIMIT 1"),
        ("negative plan", "INSERT INTO monthly_plans SELECT id, 1, -5 FROM projects LIMIT 1"),
        (
            "fiscal year with wrong dates",
            "INSERT INTO fiscal_years (id, starts_on, ends_on) VALUES (2567, '2023-01-01', '2023-12-31')",
        ),
        ("bad bureau code", "INSERT INTO bureaus (code, name_th, name_en) VALUES ('psb x', 'x', 'x')"),
        (
            "second report for the same month",
            "INSERT INTO reports (bureau_id, fiscal_year, month) SELECT bureau_id, 2566, 1 FROM reports",
        ),
        (
            "a line for another bureau's project",
            "INSERT INTO report_lines (revision_id, project_id, bureau_id, fiscal_year, disbursed, committed)
             SELECT v.id, p.id, v.bureau_id, 2566, 1, 0 FROM report_revisions v, projects p WHERE p.code = 'CAB-01'",
        ),
        (
            "a negative disbursement",
            "INSERT INTO report_lines (revision_id, project_id, bureau_id, fiscal_year, disbursed, committed)
             SELECT v.id, p.id, v.bureau_id, 2566, -1, 0 FROM report_revisions v, projects p WHERE p.code = 'PSB-01'",
        ),
        (
            "a submitted revision without a submission time",
            "INSERT INTO report_revisions (report_id, bureau_id, fiscal_year, revision, status)
             SELECT id, bureau_id, 2566, 2, 'submitted' FROM reports",
        ),
        (
            "a cut with a positive amount",
            "INSERT INTO allocation_adjustments (project_id, kind, amount, effective_on, reason)
             SELECT id, 'cut', 100, '2023-01-01', 'ลดงบ' FROM projects LIMIT 1",
        ),
        ("a cabinet target above 100%", "INSERT INTO cabinet_targets VALUES (2566, 1, 'overall', 101)"),
        ("a plain-text password", "INSERT INTO users (username, password_hash) VALUES ('someone', 'demo-password')"),
    ];
    for (what, sql) in cases {
        let err = refused(&mut conn, sql);
        assert!(!err.is_empty(), "{what}");
    }

    // One open alert per kind, scope, year and month; a resolved one frees the slot.
    let alert = "INSERT INTO alerts (kind, severity, fiscal_year, month, scope_key, message_th)
                 VALUES ('behind_plan', 'warning', 2566, 3, 'office', 'ล่าช้ากว่าแผน')";
    conn.batch_execute(alert).unwrap();
    assert!(refused(&mut conn, alert).contains("alerts_one_open_idx"));
    conn.batch_execute("UPDATE alerts SET status = 'resolved', resolved_at = now()").unwrap();
    conn.batch_execute(alert).unwrap();

    // History is append-only.
    conn.batch_execute(&format!(
        "INSERT INTO audit_events (action, entity, entity_id, prev_hash, hash) VALUES ('create', 'bureau', '1', '{}', '{}')",
        "0".repeat(64),
        "a".repeat(64)
    ))
    .unwrap();
    assert!(refused(&mut conn, "UPDATE audit_events SET action = 'x'").contains("append-only"));
    assert!(refused(&mut conn, "DELETE FROM audit_events").contains("append-only"));
    conn.batch_execute("ROLLBACK").unwrap();
}

#[derive(QueryableByName)]
struct Column {
    #[diesel(sql_type = diesel::sql_types::Text)]
    table_name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    column_name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    udt_name: String,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    nullable: bool,
}

/// `src/schema.rs` is what `diesel print-schema` writes for the migrated
/// database (see diesel.toml), never edited by hand: every table, every column
/// in order, with its type and nullability. A migration that adds a table or a
/// column fails here until the schema is regenerated.
#[test]
fn schema_rs_is_the_migrated_database_as_print_schema_writes_it() {
    let db = TestDb::fresh();
    let mut conn = db.conn();
    let columns: Vec<Column> = diesel::sql_query(
        "SELECT c.table_name::text, c.column_name::text, c.udt_name::text, c.is_nullable = 'YES' AS nullable
         FROM information_schema.columns c JOIN information_schema.tables t
              ON t.table_schema = c.table_schema AND t.table_name = c.table_name
         WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
           AND c.table_name <> '__diesel_schema_migrations'
         ORDER BY c.table_name, c.ordinal_position",
    )
    .load(&mut conn)
    .unwrap();
    let diesel_type = |udt: &str| match udt {
        "int2" => "Int2",
        "int4" => "Int4",
        "int8" => "Int8",
        "text" | "varchar" => "Text",
        "numeric" => "Numeric",
        "bool" => "Bool",
        "date" => "Date",
        "timestamptz" => "Timestamptz",
        "jsonb" => "Jsonb",
        "bytea" => "Bytea",
        other => panic!("a column of type {other}: teach this test its diesel name"),
    };
    let mut expected = String::new();
    let mut table = "";
    for c in &columns {
        if c.table_name != table {
            table = &c.table_name;
            expected.push_str(&format!("table {table}\n"));
        }
        let ty = diesel_type(&c.udt_name);
        let ty = if c.nullable { format!("Nullable<{ty}>") } else { ty.to_string() };
        expected.push_str(&format!("    {} -> {ty}\n", c.column_name));
    }
    let schema = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/schema.rs")).unwrap();
    let mut written = String::new();
    let mut in_table = false;
    for line in schema.lines() {
        let t = line.trim();
        if line.starts_with("    ") && t.ends_with('{') && !t.starts_with("diesel") {
            written.push_str(&format!("table {}\n", t.split_whitespace().next().unwrap()));
            in_table = true;
        } else if in_table && t.contains(" -> ") {
            let (name, ty) = t.trim_end_matches(',').split_once(" -> ").unwrap();
            let name = name.trim_start_matches("r#");
            written.push_str(&format!("    {name} -> {ty}\n"));
        } else if t == "}" {
            in_table = false;
        }
    }
    assert_eq!(written, expected, "regenerate src/schema.rs: diesel migration run && diesel print-schema");
}
