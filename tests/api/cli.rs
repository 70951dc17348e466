//! The binary as a script or a newcomer meets it: exit codes and one-line reasons.

use std::process::Command;

use crate::helpers::{server_url, TestDb};

/// Every migration of the tree (each is a folder under migrations/).
fn migration_count() -> usize {
    std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"))
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().is_dir())
        .count()
}

fn budgetwatch() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_budgetwatch"));
    c.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("BUDGETWATCH_LOG", "off")
        .env("BUDGETWATCH_AUDIT_KEY", crate::helpers::AUDIT_KEY);
    c
}

#[test]
fn a_bad_configuration_value_exits_2_with_one_line_naming_it() {
    let out = budgetwatch()
        .args(["migrate"])
        .env("BUDGETWATCH_PORT", "eighty")
        .env("BUDGETWATCH_POOL_SIZE", "-1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("budgetwatch: invalid configuration"), "{stderr}");
    assert!(stderr.contains("BUDGETWATCH_PORT") && stderr.contains("eighty"), "{stderr}");
    assert!(stderr.contains("BUDGETWATCH_POOL_SIZE"), "{stderr}");
}

#[test]
fn a_bad_config_file_is_named() {
    let dir = std::env::temp_dir().join(format!("bw-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("bad.toml");
    std::fs::write(&file, "port = [1]\n").unwrap();
    let out = budgetwatch().args(["migrate"]).env("BUDGETWATCH_CONFIG", &file).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("bad.toml") && stderr.contains("port"), "{stderr}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn an_unreachable_database_exits_1_with_one_line() {
    let out = budgetwatch()
        .args(["migrate"])
        .env("DATABASE_URL", "postgres://postgres:secret@127.0.0.1:1/nowhere")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("cannot connect to postgres://postgres:***@127.0.0.1:1/nowhere"), "{stderr}");
    assert!(!stderr.contains("secret"), "{stderr}");
}

#[test]
fn migrate_creates_a_missing_database_and_is_idempotent() {
    let db = TestDb::absent();
    assert!(!db.exists());
    let out = budgetwatch().args(["migrate"]).env("DATABASE_URL", &db.url).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(db.exists());
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains(&format!("migrations applied: {}", migration_count())), "{stdout}");
    let again = budgetwatch().args(["migrate"]).env("DATABASE_URL", &db.url).output().unwrap();
    assert!(String::from_utf8(again.stdout).unwrap().contains("migrations applied: 0"));
}

#[test]
fn demo_without_serving_loads_and_prints_every_sign_in() {
    let db = TestDb::fresh();
    let out = budgetwatch()
        .args(["demo", "--no-serve", "--today", "2026-11-24"])
        .env("DATABASE_URL", &db.url)
        .env("BUDGETWATCH_DEMO_PASSWORD", "another-secret-1")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8(out.stdout).unwrap();
    for user in ["admin", "strategy", "finance", "executive", "sg", "auditor", "reporter-psb", "reporter-hric"] {
        assert!(stdout.lines().any(|l| l.split_whitespace().next() == Some(user)), "{user} missing in {stdout}");
    }
    assert!(stdout.contains("another-secret-1"), "{stdout}");
    let bad =
        budgetwatch().args(["demo", "--today", "24/11/2026"]).env("DATABASE_URL", server_url("x")).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8(bad.stderr).unwrap().contains("YYYY-MM-DD"));
}

fn with_stdin(mut cmd: Command, input: &str) -> std::process::Output {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

#[actix_web::test]
async fn users_and_tokens_made_on_the_command_line_work_over_http() {
    let app = crate::helpers::spawn_app().await;
    app.load_demo();
    let mut create = budgetwatch();
    create.env("DATABASE_URL", &app.db.url).args([
        "users",
        "create",
        "--username",
        "malee",
        "--role",
        "reporter",
        "--bureau",
        "DHR",
        "--display-name",
        "มาลี",
    ]);
    let out = with_stdin(create, "a-good-password\n");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let mut weak = budgetwatch();
    weak.env("DATABASE_URL", &app.db.url).args(["users", "create", "--username", "weak", "--role", "executive"]);
    let out = with_stdin(weak, "weak\n");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("password: must have at least 10 characters") && err.lines().count() == 1, "{err}");

    let out = budgetwatch()
        .env("DATABASE_URL", &app.db.url)
        .args(["tokens", "create", "--user", "malee", "--days", "7"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let token = String::from_utf8(out.stdout).unwrap().trim().to_string();
    let (status, me) = app.get_as("/api/v1/me", &token).await;
    assert_eq!(status, 200);
    let me: serde_json::Value = serde_json::from_str(&me).unwrap();
    assert_eq!((me["username"].as_str(), me["bureau_codes"][0].as_str()), (Some("malee"), Some("DHR")));
    let out =
        budgetwatch().env("DATABASE_URL", &app.db.url).args(["tokens", "create", "--user", "nobody"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));

    let out = budgetwatch().env("DATABASE_URL", &app.db.url).args(["users", "deactivate", "malee"]).output().unwrap();
    assert!(out.status.success());
    assert_eq!(app.get_as("/api/v1/me", &token).await.0, 401);
}

#[test]
fn the_demo_never_goes_into_a_database_with_real_accounts_unless_forced() {
    let db = TestDb::fresh();
    let demo = |today: &str, force: bool| {
        let mut c = budgetwatch();
        c.env("DATABASE_URL", &db.url).args(["demo", "--no-serve", "--today", today]);
        if force {
            c.arg("--force");
        }
        c.output().unwrap()
    };
    let reports = || -> i64 {
        use diesel::prelude::*;
        budgetwatch::schema::reports::table.count().get_result(&mut db.conn()).unwrap()
    };
    // A demo database takes the demo again (it is idempotent).
    assert!(demo("2026-11-24", false).status.success());
    assert!(demo("2026-11-24", false).status.success());
    let before = reports();
    // A real person's account makes it refuse, naming the account, and add
    // nothing (a month later would add November's reports).
    let mut create = budgetwatch();
    create.env("DATABASE_URL", &db.url).args(["users", "create", "--username", "somchai", "--role", "executive"]);
    assert!(with_stdin(create, "a-good-password\n").status.success());
    let refused = demo("2026-12-24", false);
    assert_eq!(refused.status.code(), Some(1));
    let err = String::from_utf8(refused.stderr).unwrap();
    assert!(err.contains("somchai") && err.contains("--force") && err.lines().count() == 1, "{err}");
    assert_eq!(reports(), before, "nothing was loaded");
    assert!(demo("2026-12-24", true).status.success());
    assert!(reports() > before);
}
