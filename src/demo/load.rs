//! Writes the generated demo office through diesel, in one transaction, adding only
//! what is missing: bureaus and users by their unique names, a fiscal year with its
//! plan only when the year is absent, and a report only when that bureau and month
//! have none. Loading twice therefore changes nothing, and loading next month adds
//! just the month that has ended since.

use std::collections::HashMap;

use anyhow::Context;
use argon2::password_hash::{rand_core::OsRng, PasswordHasher, SaltString};
use argon2::Argon2;
use chrono::{DateTime, NaiveDate, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{Array, Int8};

use super::data::BUREAUS;
use super::generate::{self, Year};
use crate::domain::Role;
use crate::schema::{
    allocation_adjustments, bureaus, cabinet_targets, fiscal_years, holidays, kpi_levels, monthly_plans, projects,
    report_lines, report_revisions, reports, user_bureaus, user_roles, users,
};

#[derive(Debug, Default, PartialEq, Eq)]
pub struct LoadSummary {
    pub bureaus: usize,
    pub users: usize,
    pub fiscal_years: usize,
    pub projects: usize,
    pub reports: usize,
    pub revisions: usize,
    /// Control-ledger entries appended.
    pub ledger_entries: usize,
}

/// The demo sign-ins: (username, display name, roles, bureau codes).
pub fn sign_ins() -> Vec<(String, String, Vec<Role>, Vec<&'static str>)> {
    let mut out = vec![
        ("admin".to_string(), "ผู้ดูแลระบบ".to_string(), vec![Role::Admin], vec![]),
        ("strategy".to_string(), "สำนักนโยบายและยุทธศาสตร์".to_string(), vec![Role::Strategy], vec![]),
        ("finance".to_string(), "สำนักบริหารกลาง (การเงิน)".to_string(), vec![Role::Finance], vec![]),
        ("executive".to_string(), "คณะกรรมการบริหาร".to_string(), vec![Role::Executive], vec![]),
        ("sg".to_string(), "เลขาธิการ กสม.".to_string(), vec![Role::SecretaryGeneral], vec![]),
        ("auditor".to_string(), "ผู้ตรวจสอบภายใน".to_string(), vec![Role::Auditor], vec![]),
    ];
    for b in BUREAUS.iter() {
        out.push((
            format!("reporter-{}", b.code.to_ascii_lowercase()),
            format!("ผู้รายงาน {}", b.name_th),
            vec![Role::Reporter],
            vec![b.code],
        ));
    }
    out
}

/// Accounts in the database that the demo did not make: a real office's people.
/// Loading the demo there would add well-known sign-ins with a published
/// password, so the command refuses unless told `--force`.
pub fn foreign_accounts(conn: &mut PgConnection) -> QueryResult<Vec<String>> {
    let demo: Vec<String> = sign_ins().into_iter().map(|s| s.0).collect();
    users::table.filter(users::username.ne_all(demo)).select(users::username).order(users::username).limit(5).load(conn)
}

/// Loads the demo office as it stands at noon of `today` (Bangkok date).
pub fn load(conn: &mut PgConnection, today: NaiveDate, password: &str) -> anyhow::Result<LoadSummary> {
    load_office(conn, generate::office(today), today, password)
}

/// Loads the demo office as it stands at `now`: nothing in it is dated later,
/// even when the demo is started before noon.
pub fn load_now(conn: &mut PgConnection, now: DateTime<Utc>, password: &str) -> anyhow::Result<LoadSummary> {
    load_office(conn, generate::office_at(now), crate::domain::fiscal::bangkok_date(now), password)
}

fn load_office(
    conn: &mut PgConnection,
    office: generate::Office,
    today: NaiveDate,
    password: &str,
) -> anyhow::Result<LoadSummary> {
    conn.transaction(|conn| {
        let bureaus_added = diesel::insert_into(bureaus::table)
            .values(
                BUREAUS
                    .iter()
                    .map(|b| (bureaus::code.eq(b.code), bureaus::name_th.eq(b.name_th), bureaus::name_en.eq(b.name_en)))
                    .collect::<Vec<_>>(),
            )
            .on_conflict_do_nothing()
            .execute(conn)?;
        let bureau_ids: HashMap<String, i32> =
            bureaus::table.select((bureaus::code, bureaus::id)).load(conn)?.into_iter().collect();
        let mut summary = LoadSummary { bureaus: bureaus_added, ..LoadSummary::default() };
        diesel::insert_into(holidays::table)
            .values(
                super::data::HOLIDAYS
                    .iter()
                    .map(|(day, th, en)| {
                        let day: NaiveDate = day.parse().expect("a date of the demo calendar");
                        (holidays::day.eq(day), holidays::name_th.eq(*th), holidays::name_en.eq(*en))
                    })
                    .collect::<Vec<_>>(),
            )
            .on_conflict_do_nothing()
            .execute(conn)?;
        summary.users = load_users(conn, password, &bureau_ids)?;
        let user_ids: HashMap<String, i64> =
            users::table.select((users::username, users::id)).load(conn)?.into_iter().collect();
        for year in &office.years {
            load_year(conn, year, &bureau_ids, &user_ids, &mut summary)?;
        }
        let finance = user_ids.get("finance").copied();
        for file in super::ledger::files(&office) {
            summary.ledger_entries += load_ledger(conn, &file, finance)?;
        }
        if summary != LoadSummary::default() {
            crate::audit::record(
                conn,
                crate::audit::Entry {
                    user_id: None,
                    request_id: Some("demo"),
                    action: "load",
                    entity: "demo",
                    entity_id: today.to_string(),
                    before: None,
                    after: Some(serde_json::json!({
                        "bureaus": summary.bureaus, "users": summary.users, "fiscal_years": summary.fiscal_years,
                        "projects": summary.projects, "reports": summary.reports, "revisions": summary.revisions,
                        "ledger_entries": summary.ledger_entries,
                    })),
                },
            )?;
        }
        Ok(summary)
    })
}

/// Imports a year's ledger file as finance would, checked like any file; a file
/// already imported whole is not sent again (a reload adds no history). Returns
/// the entries appended.
fn load_ledger(
    conn: &mut PgConnection,
    file: &super::ledger::LedgerFile,
    finance: Option<i64>,
) -> anyhow::Result<usize> {
    use crate::schema::ledger_imports;
    let sha = crate::ledger::import::digest(&file.csv);
    let imported: bool = diesel::select(diesel::dsl::exists(
        ledger_imports::table.filter(ledger_imports::sha256.eq(&sha)).filter(ledger_imports::outcome.eq("imported")),
    ))
    .get_result(conn)?;
    if imported {
        return Ok(0);
    }
    let actor = crate::audit::Actor { user_id: finance, request_id: Some("demo") };
    match crate::ledger::import_bytes(conn, &file.filename, &file.csv, actor) {
        Ok(outcome) => Ok(outcome.added),
        Err(crate::error::AppError::Validation { message, details }) => Err(anyhow::anyhow!(
            "the demo ledger {} was refused: {message}; {}",
            file.filename,
            details.iter().map(|d| format!("{}: {}", d.field, d.message)).collect::<Vec<_>>().join("; ")
        )),
        Err(e) => Err(anyhow::Error::new(e).context(format!("importing the demo ledger {}", file.filename))),
    }
}

fn load_users(conn: &mut PgConnection, password: &str, bureau_ids: &HashMap<String, i32>) -> anyhow::Result<usize> {
    let wanted = sign_ins();
    let existing: Vec<String> = users::table
        .select(users::username)
        .filter(users::username.eq_any(wanted.iter().map(|w| w.0.as_str())))
        .load(conn)?;
    let missing: Vec<_> = wanted.iter().filter(|w| !existing.contains(&w.0)).collect();
    if missing.is_empty() {
        return Ok(0);
    }
    // One argon2id hash for every demo account: they share the published demo
    // password, and hashing once keeps the load fast.
    let salt = SaltString::generate(&mut OsRng);
    let hash = Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| anyhow::anyhow!("hashing the demo password: {e}"))?
        .to_string();
    let mut created = 0;
    for (username, name, roles, codes) in missing {
        let id: i64 = diesel::insert_into(users::table)
            .values((users::username.eq(username), users::display_name.eq(name), users::password_hash.eq(&hash)))
            .returning(users::id)
            .get_result(conn)?;
        diesel::insert_into(user_roles::table)
            .values(
                roles.iter().map(|r| (user_roles::user_id.eq(id), user_roles::role.eq(r.as_str()))).collect::<Vec<_>>(),
            )
            .execute(conn)?;
        let bindings: Vec<_> =
            codes.iter().map(|c| (user_bureaus::user_id.eq(id), user_bureaus::bureau_id.eq(bureau_ids[*c]))).collect();
        diesel::insert_into(user_bureaus::table).values(bindings).execute(conn)?;
        created += 1;
    }
    Ok(created)
}

fn load_year(
    conn: &mut PgConnection,
    year: &Year,
    bureau_ids: &HashMap<String, i32>,
    user_ids: &HashMap<String, i64>,
    summary: &mut LoadSummary,
) -> anyhow::Result<()> {
    let fy = year.fy.be();
    let exists: bool = diesel::select(diesel::dsl::exists(fiscal_years::table.find(fy))).get_result(conn)?;
    if !exists {
        diesel::insert_into(fiscal_years::table)
            .values((
                fiscal_years::id.eq(fy),
                fiscal_years::starts_on.eq(year.fy.start()),
                fiscal_years::ends_on.eq(year.fy.end()),
                fiscal_years::due_day.eq(generate::DUE_DAY as i16),
                fiscal_years::plan_published.eq(true),
            ))
            .execute(conn)?;
        let mut targets = Vec::new();
        for (q, overall, current, capital) in &year.cabinet_targets {
            for (scope, pct) in [("overall", overall), ("current", current), ("capital", capital)] {
                targets.push((
                    cabinet_targets::fiscal_year.eq(fy),
                    cabinet_targets::quarter.eq(*q),
                    cabinet_targets::scope.eq(scope),
                    cabinet_targets::target_pct.eq(*pct),
                ));
            }
        }
        diesel::insert_into(cabinet_targets::table).values(targets).execute(conn)?;
        let levels: Vec<_> = year
            .kpi_levels
            .iter()
            .enumerate()
            .map(|(i, t)| {
                (kpi_levels::fiscal_year.eq(fy), kpi_levels::level.eq(i as i16 + 1), kpi_levels::threshold_pct.eq(*t))
            })
            .collect();
        diesel::insert_into(kpi_levels::table).values(levels).execute(conn)?;
        let rows: Vec<_> = year
            .projects
            .iter()
            .map(|p| {
                (
                    projects::fiscal_year.eq(fy),
                    projects::bureau_id.eq(bureau_ids[p.bureau]),
                    projects::code.eq(&p.code),
                    projects::name_th.eq(p.seed.name_th),
                    projects::name_en.eq(p.seed.name_en),
                    projects::plan_name.eq(super::data::PLANS[p.seed.plan]),
                    projects::category.eq(p.seed.category.as_str()),
                    projects::allocation.eq(p.allocation),
                )
            })
            .collect();
        let ids: Vec<(i32, String)> = diesel::insert_into(projects::table)
            .values(rows)
            .returning((projects::id, projects::code))
            .get_results(conn)?;
        summary.projects += ids.len();
        let ids: HashMap<String, i32> = ids.into_iter().map(|(id, code)| (code, id)).collect();
        let plans: Vec<_> = year
            .projects
            .iter()
            .flat_map(|p| {
                let id = ids[&p.code];
                p.plans.iter().enumerate().map(move |(m, v)| {
                    (
                        monthly_plans::project_id.eq(id),
                        monthly_plans::month.eq(m as i16 + 1),
                        monthly_plans::planned.eq(*v),
                    )
                })
            })
            .collect();
        diesel::insert_into(monthly_plans::table).values(plans).execute(conn)?;
        let strategy = user_ids.get("strategy").copied();
        let mut transfers: HashMap<u32, i64> = HashMap::new();
        for a in &year.adjustments {
            let transfer_id = match a.transfer_pair {
                Some(n) => Some(match transfers.get(&n) {
                    Some(id) => *id,
                    None => {
                        let id: i64 = diesel::select(diesel::dsl::sql::<Int8>("nextval('allocation_transfers_seq')"))
                            .get_result(conn)?;
                        *transfers.entry(n).or_insert(id)
                    }
                }),
                None => None,
            };
            diesel::insert_into(allocation_adjustments::table)
                .values((
                    allocation_adjustments::project_id.eq(ids[&a.project]),
                    allocation_adjustments::kind.eq(a.kind),
                    allocation_adjustments::amount.eq(a.amount),
                    allocation_adjustments::effective_on.eq(a.effective_on),
                    allocation_adjustments::reason.eq(a.reason),
                    allocation_adjustments::transfer_id.eq(transfer_id),
                    allocation_adjustments::created_by.eq(strategy),
                ))
                .execute(conn)?;
        }
        summary.fiscal_years += 1;
    }

    if year.reports.is_empty() {
        return Ok(());
    }
    let project_ids: HashMap<String, i32> = projects::table
        .filter(projects::fiscal_year.eq(fy))
        .select((projects::code, projects::id))
        .load(conn)?
        .into_iter()
        .collect();
    let headers: Vec<_> = year
        .reports
        .iter()
        .map(|r| {
            (
                reports::bureau_id.eq(bureau_ids[r.bureau]),
                reports::fiscal_year.eq(fy),
                reports::month.eq(r.month.number() as i16),
                reports::latest_revision.eq(r.revisions.len() as i32),
                reports::created_at.eq(r.revisions[0].at),
                reports::updated_at.eq(r.revisions.last().map(|v| v.at).unwrap_or_else(Utc::now)),
            )
        })
        .collect();
    let created: Vec<(i64, i32, i16)> = diesel::insert_into(reports::table)
        .values(headers)
        .on_conflict_do_nothing()
        .returning((reports::id, reports::bureau_id, reports::month))
        .get_results(conn)?;
    if created.is_empty() {
        return Ok(());
    }
    summary.reports += created.len();
    let by_key: HashMap<(i32, i16), i64> = created.iter().map(|(id, b, m)| ((*b, *m), *id)).collect();
    let mut revision_rows = Vec::new();
    let mut pending_lines = HashMap::new();
    for r in &year.reports {
        let bureau_id = bureau_ids[r.bureau];
        let Some(&report_id) = by_key.get(&(bureau_id, r.month.number() as i16)) else { continue };
        let reporter = user_ids.get(&format!("reporter-{}", r.bureau.to_ascii_lowercase())).copied();
        for (i, v) in r.revisions.iter().enumerate() {
            let narrative = v.narrative;
            revision_rows.push((
                report_revisions::report_id.eq(report_id),
                report_revisions::bureau_id.eq(bureau_id),
                report_revisions::fiscal_year.eq(fy),
                report_revisions::revision.eq(i as i32 + 1),
                report_revisions::status.eq(if v.submitted { "submitted" } else { "draft" }),
                report_revisions::obstacles.eq(narrative.map(|n| n.obstacles).unwrap_or("")),
                report_revisions::limitations.eq(narrative.map(|n| n.limitations).unwrap_or("")),
                report_revisions::suggestions.eq(narrative.map(|n| n.suggestions).unwrap_or("")),
                report_revisions::created_by.eq(reporter),
                report_revisions::created_at.eq(v.at),
                report_revisions::submitted_at.eq(v.submitted.then_some(v.at)),
                report_revisions::on_time.eq(v.submitted.then_some(v.on_time)),
            ));
            pending_lines.insert((report_id, i as i32 + 1), (bureau_id, &v.lines));
        }
    }
    let mut revision_ids: Vec<(i64, i64, i32)> = Vec::new();
    // Chunks keep every statement under PostgreSQL's 65,535 bind parameters.
    for chunk in revision_rows.chunks(2000) {
        revision_ids.extend(
            diesel::insert_into(report_revisions::table)
                .values(chunk)
                .returning((report_revisions::id, report_revisions::report_id, report_revisions::revision))
                .get_results::<(i64, i64, i32)>(conn)?,
        );
    }
    summary.revisions += revision_ids.len();
    let mut line_rows = Vec::new();
    for (rev_id, report_id, revision) in &revision_ids {
        let (bureau_id, lines) = pending_lines[&(*report_id, *revision)];
        for (code, disbursed, committed) in lines {
            let project_id =
                *project_ids.get(code).with_context(|| format!("demo project {code} missing in FY{fy}"))?;
            line_rows.push((
                report_lines::revision_id.eq(*rev_id),
                report_lines::project_id.eq(project_id),
                report_lines::bureau_id.eq(bureau_id),
                report_lines::fiscal_year.eq(fy),
                report_lines::disbursed.eq(*disbursed),
                report_lines::committed.eq(*committed),
            ));
        }
    }
    for chunk in line_rows.chunks(5000) {
        diesel::insert_into(report_lines::table).values(chunk).execute(conn)?;
    }
    let report_ids: Vec<i64> = created.iter().map(|c| c.0).collect();
    diesel::sql_query(
        "UPDATE reports r SET submitted_revision_id = (
             SELECT v.id FROM report_revisions v
             WHERE v.report_id = r.id AND v.status = 'submitted' ORDER BY v.revision DESC LIMIT 1)
         WHERE r.id = ANY($1)",
    )
    .bind::<Array<Int8>, _>(report_ids)
    .execute(conn)?;
    Ok(())
}
