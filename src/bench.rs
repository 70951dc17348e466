//! National-scale synthetic data and timings. `seed` loads one fiscal year
//! (default FY2500: 400 agencies, 20,000 projects, 12 months of plans and submitted
//! reports) with set-based SQL, idempotently: a year that exists is left alone.
//! `ledger` writes a control ledger consistent with a seeded year, to time imports.
//! `time_summaries` and the other `time_*` time what the API serves, for the
//! numbers the issues ask for; tests never time anything.

use std::time::{Duration, Instant};

use anyhow::Context;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Int4};

use crate::domain::{FiscalMonth, FiscalYear};
use crate::monitoring::{queries, summary};

pub mod ledger;

#[derive(Debug, PartialEq, Eq)]
pub struct Seeded {
    pub created: bool,
    pub agencies: i64,
    pub projects: i64,
    pub report_lines: i64,
}

#[derive(QueryableByName)]
struct N {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Seeds fiscal year `fy` with `agencies` agencies (codes `AG0001`…) sharing
/// `projects` projects, plans on an S-curve and one submitted report a month each.
pub fn seed(conn: &mut PgConnection, fy: FiscalYear, agencies: i32, projects: i32) -> anyhow::Result<Seeded> {
    anyhow::ensure!((1..=9999).contains(&agencies), "--agencies must be from 1 to 9999");
    anyhow::ensure!(projects >= agencies && projects <= 1_000_000, "--projects must be from --agencies to 1,000,000");
    let per_agency = (projects + agencies - 1) / agencies;
    let count = |conn: &mut PgConnection, sql: &str| -> QueryResult<i64> {
        diesel::sql_query(sql).bind::<Int4, _>(fy.be()).get_result::<N>(conn).map(|r| r.n)
    };
    conn.transaction(|conn| {
        let exists = count(conn, "SELECT count(*) AS n FROM fiscal_years WHERE id = $1")? > 0;
        if !exists {
            let be = fy.be();
            conn.batch_execute(&format!(
                "INSERT INTO fiscal_years (id, starts_on, ends_on, plan_published)
                     VALUES ({be}, make_date({be} - 544, 10, 1), make_date({be} - 543, 9, 30), TRUE);
                 INSERT INTO kpi_levels SELECT {be}, l, (ARRAY[89, 91, 93, 95, 97])[l] FROM generate_series(1, 5) l;
                 INSERT INTO cabinet_targets
                     SELECT {be}, q, s, (ARRAY[32, 54, 77, 93])[q] - (CASE s WHEN 'capital' THEN 15 ELSE 0 END)
                     FROM generate_series(1, 4) q, unnest(ARRAY['overall', 'current', 'capital']) s;
                 INSERT INTO bureaus (code, name_th, name_en)
                     SELECT 'AG' || lpad(i::text, 4, '0'), 'หน่วยงานทดสอบ ' || i, 'Synthetic agency ' || i
                     FROM generate_series(1, {agencies}) i
                 ON CONFLICT (code) DO NOTHING;
                 CREATE TEMP TABLE bench_agencies ON COMMIT DROP AS
                     SELECT id, code FROM bureaus WHERE code ~ '^AG[0-9]{{4}}$' AND substr(code, 3)::int <= {agencies};
                 INSERT INTO projects (fiscal_year, bureau_id, code, name_th, category, allocation)
                     SELECT {be}, a.id, a.code || '-' || lpad(j::text, 3, '0'), 'โครงการทดสอบ ' || j,
                            (ARRAY['personnel', 'operating', 'investment', 'subsidy', 'other'])[1 + j % 5],
                            ((a.id * 7919 + j * 104729) % 9000 + 1000) * 1000
                     FROM bench_agencies a, generate_series(1, {per_agency}) j
                     WHERE (substr(a.code, 3)::int - 1) * {per_agency} + j <= {projects};
                 -- Plans on an S-curve: the difference of rounded cumulative shares sums exactly.
                 INSERT INTO monthly_plans (project_id, month, planned)
                     SELECT p.id, m,
                            round(p.allocation * c.cum[m + 1] / 100, 2) - round(p.allocation * c.cum[m] / 100, 2)
                     FROM projects p, generate_series(1, 12) m,
                          (SELECT ARRAY[0, 4, 10, 17, 25, 33, 42, 51, 60, 69, 79, 89, 100] AS cum) c
                     WHERE p.fiscal_year = {be};
                 INSERT INTO reports (bureau_id, fiscal_year, month, latest_revision)
                     SELECT a.id, {be}, m, 1 FROM bench_agencies a, generate_series(1, 12) m;
                 INSERT INTO report_revisions (report_id, bureau_id, fiscal_year, revision, status,
                                               created_at, submitted_at, on_time)
                     SELECT r.id, r.bureau_id, {be}, 1, 'submitted', t, t, TRUE
                     FROM reports r,
                          LATERAL (SELECT (make_date({be} - 544, 10, 1) + make_interval(months => r.month)
                                           + interval '2 days 3 hours')::timestamptz AS t) s
                     WHERE r.fiscal_year = {be};
                 INSERT INTO report_lines (revision_id, project_id, bureau_id, fiscal_year, disbursed, committed)
                     SELECT v.id, p.id, p.bureau_id, {be}, round(mp.planned * 0.9, 2),
                            CASE WHEN r.month = 12 THEN round(p.allocation * 0.02, 2)
                                 ELSE round(coalesce(nx.planned, 0) * 0.3, 2) END
                     FROM reports r JOIN report_revisions v ON v.report_id = r.id
                     JOIN projects p ON p.bureau_id = r.bureau_id AND p.fiscal_year = {be}
                     JOIN monthly_plans mp ON mp.project_id = p.id AND mp.month = r.month
                     LEFT JOIN monthly_plans nx ON nx.project_id = p.id AND nx.month = r.month + 1
                     WHERE r.fiscal_year = {be};
                 UPDATE reports r SET submitted_revision_id = v.id
                     FROM report_revisions v WHERE v.report_id = r.id AND r.fiscal_year = {be};
                 ANALYZE projects; ANALYZE monthly_plans; ANALYZE reports; ANALYZE report_revisions;
                 ANALYZE report_lines;"
            ))
            .context("seeding the synthetic year")?;
        }
        Ok(Seeded {
            created: !exists,
            agencies: count(conn, "SELECT count(DISTINCT bureau_id) AS n FROM projects WHERE fiscal_year = $1")?,
            projects: count(conn, "SELECT count(*) AS n FROM projects WHERE fiscal_year = $1")?,
            report_lines: count(conn, "SELECT count(*) AS n FROM report_lines WHERE fiscal_year = $1")?,
        })
    })
}

pub struct Timing {
    pub median: Duration,
    pub p95: Duration,
    pub min: Duration,
}

fn time<F: FnMut() -> anyhow::Result<()>>(iterations: usize, mut f: F) -> anyhow::Result<Timing> {
    f()?; // warm the caches and the plan
    let mut samples = Vec::with_capacity(iterations);
    for _ in 0..iterations {
        let start = Instant::now();
        f()?;
        samples.push(start.elapsed());
    }
    samples.sort();
    Ok(Timing {
        median: samples[samples.len() / 2],
        p95: samples[(samples.len() * 95 / 100).min(samples.len() - 1)],
        min: samples[0],
    })
}

/// Times the office summary and the summary of `bureau` (all queries and
/// assembly, as the API runs them, without HTTP).
pub fn time_summaries(
    conn: &mut PgConnection,
    fy: FiscalYear,
    month: FiscalMonth,
    bureau: &str,
    iterations: usize,
) -> anyhow::Result<(Timing, Timing)> {
    // As pooled connections are set up (see `db::build_pool`).
    conn.batch_execute("SET jit = off")?;
    let settings = queries::year_settings(conn, fy)?.with_context(|| format!("there is no fiscal year {fy}"))?;
    let b = queries::bureau_by_code(conn, bureau)?.with_context(|| format!("there is no bureau {bureau}"))?;
    let office = time(iterations, || {
        summary::office(conn, fy, month, &settings, chrono::Utc::now()).map_err(|e| anyhow::anyhow!("{e}"))?;
        Ok(())
    })?;
    let one = time(iterations, || {
        summary::bureau(conn, fy, month, &settings, &b, chrono::Utc::now()).map_err(|e| anyhow::anyhow!("{e}"))?;
        Ok(())
    })?;
    Ok((office, one))
}

/// Times drawing the S-curve (SVG) and rasterising it (PNG, 1200×675), from data
/// already loaded: the figures the issue asks for.
pub fn time_charts(
    conn: &mut PgConnection,
    fy: FiscalYear,
    month: FiscalMonth,
    iterations: usize,
) -> anyhow::Result<(Timing, Timing)> {
    conn.batch_execute("SET jit = off")?;
    let chart = crate::charts::load(conn, crate::charts::Kind::SCurve, fy, month, None, chrono::Utc::now())
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let months = crate::charts::data::months(conn, fy, None, None)?;
    let year_end = months.last().map(|m| m.allocation_year).unwrap_or_default();
    let input = crate::charts::SCurveInput {
        fy,
        month,
        scope: "ภาพรวมสำนักงาน".into(),
        curve: crate::charts::data::curve(&months, year_end, Some(month)),
        last_year: None,
        targets: vec![(3, rust_decimal::Decimal::from(32)), (6, rust_decimal::Decimal::from(54))],
    };
    let svg = time(iterations, || {
        crate::charts::s_curve(&input)?;
        Ok(())
    })?;
    let parse = time(iterations, || {
        crate::charts::parse(&chart.svg)?;
        Ok(())
    })?;
    let tree = crate::charts::parse(&chart.svg)?;
    let raster = time(iterations, || {
        crate::charts::rasterise(&tree)?;
        Ok(())
    })?;
    let pixmap = crate::charts::rasterise(&tree)?;
    let encode = time(iterations, || {
        crate::charts::encode(&pixmap)?;
        Ok(())
    })?;
    for (part, t) in [("parsing and shaping text", parse), ("rasterising", raster), ("PNG encoding", encode)] {
        println!("  of which {part}: median {:.3} ms", t.median.as_secs_f64() * 1e3);
    }
    let png = time(iterations, || {
        crate::charts::png(&chart.svg)?;
        Ok(())
    })?;
    Ok((svg, png))
}

/// Times the meeting pack as a request that misses the cache makes it: gathering
/// (summary, the five charts, narratives, alerts), then writing the PDF, and the
/// XLSX; and the same request answered from the render cache.
pub fn time_pack(
    conn: &mut PgConnection,
    fy: FiscalYear,
    month: FiscalMonth,
    iterations: usize,
) -> anyhow::Result<[(&'static str, Timing); 5]> {
    conn.batch_execute("SET jit = off")?;
    let who = crate::auth::Identity {
        user_id: 0,
        username: "bench".into(),
        display_name: "bench".into(),
        roles: vec![crate::domain::Role::Executive],
        bureau_ids: Vec::new(),
        bureau_codes: Vec::new(),
        token_id: 0,
        via: crate::auth::Via::Token,
        csrf: None,
    };
    let now = chrono::Utc::now();
    // A fresh render cache each time: what a request costs when nothing is cached.
    let load = |conn: &mut PgConnection| {
        crate::pack::load(conn, &crate::cache::RenderCache::default(), &who, fy, month, now)
            .map_err(|e| anyhow::anyhow!("{e}"))
    };
    let pack = load(conn)?;
    let gather = time(iterations, || {
        load(conn)?;
        Ok(())
    })?;
    let pdf = time(iterations, || {
        crate::pack::pdf::render(&pack)?;
        Ok(())
    })?;
    let xlsx = time(iterations, || {
        crate::pack::xlsx::render(&pack)?;
        Ok(())
    })?;
    let whole = time(iterations, || {
        let p = load(conn)?;
        crate::pack::pdf::render(&p)?;
        Ok(())
    })?;
    let cache = crate::cache::RenderCache::default();
    let cached = time(iterations, || {
        let r = crate::cache::render_cached(conn, &cache, "bench", "", None, |conn| {
            let p = crate::pack::load(conn, &crate::cache::RenderCache::default(), &who, fy, month, now)?;
            crate::pack::pdf::render(&p).map_err(crate::error::AppError::Unexpected)
        })
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        anyhow::ensure!(matches!(r, crate::cache::Rendered::Bytes { .. }));
        Ok(())
    })?;
    Ok([
        ("pack: gather data + charts", gather),
        ("pack: write PDF", pdf),
        ("pack: write XLSX", xlsx),
        ("pack PDF, whole (uncached)", whole),
        ("pack PDF, cached", cached),
    ])
}

/// Times reconciling every bureau with the ledger as of month `month` (the
/// queries and assembly the API runs); with the count of bureaus per status.
pub fn time_reconcile(
    conn: &mut PgConnection,
    fy: FiscalYear,
    month: FiscalMonth,
    iterations: usize,
) -> anyhow::Result<(Timing, Vec<(crate::ledger::reconcile::Status, usize)>)> {
    conn.batch_execute("SET jit = off")?;
    let once = |conn: &mut PgConnection| {
        crate::ledger::reconcile::bureaus(conn, fy, month, None)?
            .with_context(|| format!("there is no fiscal year {fy}"))
    };
    let r = once(conn)?;
    let mut statuses: Vec<(crate::ledger::reconcile::Status, usize)> = Vec::new();
    for b in &r.bureaus {
        match statuses.iter_mut().find(|(s, _)| *s == b.figures.status) {
            Some((_, n)) => *n += 1,
            None => statuses.push((b.figures.status, 1)),
        }
    }
    let t = time(iterations, || {
        once(conn)?;
        Ok(())
    })?;
    Ok((t, statuses))
}
