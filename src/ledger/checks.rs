//! The set-wise half of an import: over the staging table of one file, one
//! statement resolves each row's bureau, fiscal year, project, the entry it
//! refers to and its effect (`RESOLVE`), a few more list every problem as (row,
//! column, message); then `append` writes the rows in the order their
//! references need, each with its effect on ledger D and C (see the migration
//! `ledger`).
//!
//! Sized for a million-row file: every statement is a scan or a hash join over
//! the file (the ledger is probed by its indexes), the resolved rows are
//! written once rather than rewritten by an UPDATE per question, and they are
//! ANALYZEd before the problems are looked for, so that no plan nests loops
//! over the file.
//!
//! A row's fiscal year is its date's, except a row that settles or cancels an
//! entry of an earlier year: it belongs to that year (a carried-over commitment
//! paid after the year's end) and must be dated by the year's carry-over limit.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use crate::xlsx::CellError;

#[derive(QueryableByName)]
struct Problem {
    #[diesel(sql_type = BigInt)]
    line: i64,
    #[diesel(sql_type = Text)]
    col: String,
    #[diesel(sql_type = Text)]
    message: String,
}

pub struct Checked {
    pub problems: Vec<CellError>,
}

/// Money as messages write it.
const BAHT: &str = "'FM999,999,999,999,999,990.00'";

/// Each row resolved in one statement (a million rows are rewritten once, not
/// once per question): its bureau; what it refers to, in the ledger first, else
/// in this file (the first row of a repeated document); its fiscal year and
/// project; whether it is already in the ledger; its effect on D and C; the
/// level at which it can be appended; and the commitment it draws on.
const RESOLVE: &str = "
CREATE TEMP TABLE ledger_rows ON COMMIT DROP AS
WITH s AS MATERIALIZED (
    SELECT s.line, s.entry_date, s.document_no, s.reference, s.bureau_code, s.project_code, s.kind, s.amount,
           b.id AS bureau_id,
           (extract(year FROM s.entry_date)::int + 543
            + CASE WHEN extract(month FROM s.entry_date) >= 10 THEN 1 ELSE 0 END) AS date_year
    FROM ledger_staging s LEFT JOIN bureaus b ON b.code = s.bureau_code
),
file_commitments AS (
    SELECT DISTINCT ON (document_no) line, document_no, date_year, entry_date, project_code, bureau_code
    FROM s WHERE kind = 'commitment' ORDER BY document_no, line
),
-- Commitments and disbursements; a disbursement settles a commitment and is of its year.
others AS (
    SELECT s.*, e.id AS target_id, CASE WHEN e.id IS NULL THEN f.line END AS target_line,
           CASE WHEN e.id IS NOT NULL OR f.line IS NOT NULL THEN 'commitment' END AS target_kind,
           false AS target_settles, NULL::text AS settled_doc,
           COALESCE(e.fiscal_year, f.date_year) AS target_year,
           COALESCE(ep.code, f.project_code) AS target_project, COALESCE(eb.code, f.bureau_code) AS target_bureau,
           COALESCE(e.entry_date, f.entry_date) AS target_date, 0::bigint AS ledger_targets
    FROM s
    LEFT JOIN (ledger_entries e JOIN projects ep ON ep.id = e.project_id JOIN bureaus eb ON eb.id = e.bureau_id)
           ON s.kind = 'disbursement' AND e.document_no = s.reference AND e.kind = 'commitment'
    LEFT JOIN file_commitments f ON s.kind = 'disbursement' AND e.id IS NULL AND f.document_no = s.reference
    WHERE s.kind <> 'cancellation'
),
file_targets AS (
    SELECT DISTINCT ON (document_no) line, document_no, kind, reference, COALESCE(target_year, date_year) AS year,
           entry_date, project_code, bureau_code
    FROM others WHERE document_no IN (SELECT reference FROM s WHERE kind = 'cancellation')
    ORDER BY document_no, line
),
-- Cancellations: of a commitment or a disbursement (and then of what it settled), of its year.
cancellations AS (
    SELECT s.*, e.id AS target_id, CASE WHEN e.id IS NULL THEN f.line END AS target_line,
           COALESCE(e.kind, f.kind) AS target_kind,
           CASE WHEN e.id IS NOT NULL THEN e.refers_to IS NOT NULL
                WHEN f.line IS NOT NULL THEN f.reference IS NOT NULL ELSE false END AS target_settles,
           CASE WHEN e.id IS NOT NULL THEN e.settled_doc ELSE f.reference END AS settled_doc,
           COALESCE(e.fiscal_year, f.year) AS target_year,
           COALESCE(e.project, f.project_code) AS target_project, COALESCE(e.bureau, f.bureau_code) AS target_bureau,
           COALESCE(e.entry_date, f.entry_date) AS target_date, COALESCE(e.n, 0) AS ledger_targets
    FROM s
    LEFT JOIN LATERAL (
        SELECT e.id, e.kind, e.refers_to, e.fiscal_year, e.entry_date, p.code AS project, b.code AS bureau,
               c.document_no AS settled_doc, count(*) OVER () AS n
        FROM ledger_entries e JOIN projects p ON p.id = e.project_id JOIN bureaus b ON b.id = e.bureau_id
        LEFT JOIN ledger_entries c ON c.id = e.refers_to
        WHERE e.document_no = s.reference AND e.kind <> 'cancellation'
        ORDER BY e.kind LIMIT 1
    ) e ON true
    LEFT JOIN file_targets f ON e.id IS NULL AND f.document_no = s.reference
    WHERE s.kind = 'cancellation'
),
placed AS (
    SELECT r.*, COALESCE(r.target_year, r.date_year) AS year
    FROM (SELECT * FROM others UNION ALL SELECT * FROM cancellations) r
),
known AS (
    SELECT r.*, p.id AS project_id, f.id IS NOT NULL AS year_known,
           COALESCE(f.carry_over_until, (f.ends_on + 1 + interval '6 months' - interval '1 day')::date) AS carry_limit,
           le.id IS NOT NULL AS in_ledger, le.entry_date AS ledger_date, le.amount AS ledger_amount,
           COALESCE(le.entry_date = r.entry_date AND le.amount = r.amount AND le.project_id = p.id
                    AND le.bureau_id = r.bureau_id AND lt.document_no IS NOT DISTINCT FROM r.reference, false) AS present
    FROM placed r
    LEFT JOIN fiscal_years f ON f.id = r.year
    LEFT JOIN projects p ON p.code = r.project_code AND p.bureau_id = r.bureau_id AND p.fiscal_year = r.year
    LEFT JOIN ledger_entries le ON le.document_no = r.document_no AND le.kind = r.kind
    LEFT JOIN ledger_entries lt ON lt.id = le.refers_to
)
SELECT k.*,
       (CASE WHEN kind = 'disbursement' THEN amount
             WHEN kind = 'cancellation' AND target_kind = 'disbursement' THEN -amount ELSE 0 END)::numeric(18,2) AS d_effect,
       (CASE WHEN kind = 'commitment' THEN amount
             WHEN kind = 'disbursement' AND reference IS NOT NULL THEN -amount
             WHEN kind = 'cancellation' AND target_kind = 'commitment' THEN -amount
             WHEN kind = 'cancellation' AND target_settles THEN amount ELSE 0 END)::numeric(18,2) AS c_effect,
       CASE WHEN reference IS NULL THEN 0
            WHEN target_id IS NOT NULL OR target_kind = 'commitment' THEN 1 ELSE 2 END AS level,
       -- What settles or cancels a commitment draws on it; a cancelled payment gives back to its commitment.
       -- (A cancelled entry that names a reference gives back to what it names, whatever its kind.)
       CASE WHEN present THEN NULL
            WHEN target_settles THEN settled_doc
            WHEN kind = 'commitment' AND NOT in_ledger THEN document_no
            WHEN (target_id IS NOT NULL OR target_line IS NOT NULL)
                 AND ((kind = 'disbursement' AND reference IS NOT NULL) OR target_kind = 'commitment') THEN reference
            END AS root_doc
FROM known k";

/// What is wrong with a row on its own (column, condition, message), listed in
/// one pass over the rows.
const ROW_PROBLEMS: [(&str, &str, &str); 12] = [
    ("bureau_code", "bureau_id IS NULL", "format('ไม่มีสำนักรหัส %s (there is no bureau %L)', bureau_code, bureau_code)"),
    (
        "reference",
        "kind = 'commitment' AND reference IS NOT NULL",
        "'รายการก่อหนี้ผูกพันไม่ต้องมีเลขอ้างอิง (a commitment refers to nothing; leave reference empty)'",
    ),
    (
        "reference",
        "kind = 'cancellation' AND reference IS NULL",
        "'รายการยกเลิกต้องระบุเลขที่เอกสารที่ยกเลิกในช่องอ้างอิง (a cancellation names in reference the document it cancels)'",
    ),
    (
        "reference",
        "kind = 'disbursement' AND reference IS NOT NULL AND target_id IS NULL AND target_line IS NULL",
        "format('ไม่พบรายการก่อหนี้ผูกพันเลขที่ %s ในบัญชีคุมหรือในไฟล์นี้ (%s is not a commitment in the ledger or in this file)', \
         reference, reference)",
    ),
    (
        "reference",
        "kind = 'cancellation' AND ledger_targets > 1",
        "format('เลขที่ %s เป็นทั้งรายการก่อหนี้ผูกพันและรายการเบิกจ่าย ไม่ทราบว่ายกเลิกรายการใด (%s names both a \
         commitment and a disbursement; the ledger cannot tell which is cancelled)', reference, reference)",
    ),
    (
        "reference",
        "kind = 'cancellation' AND reference IS NOT NULL AND target_id IS NULL AND target_line IS NULL",
        "format('ไม่พบรายการเลขที่ %s ในบัญชีคุมหรือในไฟล์นี้ (%s is not a commitment or disbursement in the ledger or \
         in this file)', reference, reference)",
    ),
    // What a row refers to is of its own project.
    (
        "project_code",
        "target_project IS NOT NULL AND (target_project <> project_code OR target_bureau <> bureau_code)",
        "format('%s เป็นรายการของโครงการ %s (%s) ไม่ใช่ %s (%s) (%s is an entry of project %s (%s); this row names %s \
         (%s))', reference, target_project, target_bureau, project_code, bureau_code, reference, target_project, \
         target_bureau, project_code, bureau_code)",
    ),
    (
        "date",
        "target_date IS NOT NULL AND entry_date < target_date",
        "format('ลงวันที่ก่อนรายการ %s ที่อ้างถึง (%s is dated before %s (%s), which it settles or cancels)', \
         reference, entry_date, reference, target_date)",
    ),
    // The fiscal year and the project.
    (
        "date",
        "year IS NOT NULL AND NOT year_known",
        "format('ไม่มีปีงบประมาณ %s ในระบบ (%s is in fiscal year %s, which budgetwatch does not have)', year, \
         entry_date, year)",
    ),
    (
        "project_code",
        "project_id IS NULL AND bureau_id IS NOT NULL AND year_known",
        "format('ไม่มีโครงการ %s ของ %s ในปีงบประมาณ %s (there is no project %s of bureau %s in fiscal year %s)', \
         project_code, bureau_code, year, project_code, bureau_code, year)",
    ),
    // A carried-over commitment is settled or cancelled by its limit.
    (
        "date",
        "year_known AND date_year > year AND entry_date > carry_limit",
        "format('พ้นกำหนดเบิกจ่ายเงินกันไว้เบิกเหลื่อมปี (%s is after %s, when the commitments carried over from \
         fiscal year %s lapsed)', entry_date, carry_limit, year)",
    ),
    // Already in the ledger: the same figures count as present, others are refused.
    (
        "document_no",
        "in_ledger AND NOT present",
        "format('เอกสาร %s มีในบัญชีคุมแล้วด้วยตัวเลขอื่น การแก้ไขให้บันทึกเป็นรายการยกเลิก (document %s (%s) is \
         already in the ledger with other figures (%s, %s baht); a correction is a cancellation)', document_no, \
         document_no, kind, ledger_date, to_char(ledger_amount, 'FM999,999,999,999,999,990.00'))",
    ),
];

/// Resolves the staged rows into `ledger_rows` and lists what is wrong with them.
pub fn run(conn: &mut PgConnection) -> QueryResult<Checked> {
    // A file's sorts and hashes (a million documents) are done in memory, for
    // this transaction only, unless the server already allows more; compiling
    // these one-off statements (JIT) costs more than it saves, as on the pool's
    // connections.
    diesel::sql_query(
        "SELECT set_config('work_mem', '64MB', true) FROM pg_settings WHERE name = 'work_mem' AND setting::bigint < 65536
         UNION ALL SELECT set_config('jit', 'off', true)",
    )
    .execute(conn)?;
    diesel::sql_query(RESOLVE).execute(conn)?;
    // The statements below plan on what the file holds.
    diesel::sql_query("ANALYZE ledger_rows").execute(conn)?;
    diesel::sql_query("CREATE TEMP TABLE ledger_problems (line BIGINT, col TEXT, message TEXT) ON COMMIT DROP")
        .execute(conn)?;
    let any = ROW_PROBLEMS.iter().map(|(_, when, _)| format!("({when})")).collect::<Vec<_>>().join(" OR ");
    let each = ROW_PROBLEMS
        .iter()
        .map(|(col, when, message)| format!("('{col}', CASE WHEN {when} THEN {message} END)"))
        .collect::<Vec<_>>()
        .join(",\n");
    diesel::sql_query(format!(
        "INSERT INTO ledger_problems
         SELECT r.line, p.col, p.message
         FROM (SELECT * FROM ledger_rows WHERE {any}) r CROSS JOIN LATERAL (VALUES {each}) p(col, message)
         WHERE p.message IS NOT NULL"
    ))
    .execute(conn)?;
    // The same document and kind twice in the file.
    diesel::sql_query(
        "INSERT INTO ledger_problems
         SELECT r.line, 'document_no',
                format('เอกสาร %s ซ้ำกับแถว %s ของไฟล์นี้ (document %s (%s) is already in row %s of this file)',
                       r.document_no, f.first, r.document_no, r.kind, f.first)
         FROM ledger_staging r
         JOIN (SELECT document_no, kind, min(line) AS first FROM ledger_staging GROUP BY 1, 2 HAVING count(*) > 1) f
           ON f.document_no = r.document_no AND f.kind = r.kind AND r.line <> f.first",
    )
    .execute(conn)?;
    // Nothing settles or cancels more than is open. A commitment's open amount
    // is the sum of the C effects of its family — itself, what settles or
    // cancels it, what cancels those — in the ledger and in the file, and must
    // not go below zero; the ledger's part is read only for the commitments this
    // file draws on.
    diesel::sql_query(format!(
        "WITH file AS (
             SELECT root_doc AS doc,
                    sum(CASE WHEN kind = 'commitment' THEN c_effect ELSE 0 END) AS open,
                    sum(CASE WHEN kind = 'commitment' THEN 0 ELSE -c_effect END) AS used,
                    bool_or(kind <> 'commitment') AS touched
             FROM ledger_rows WHERE root_doc IS NOT NULL AND NOT present GROUP BY root_doc
         ),
         ledger AS (
             SELECT f.doc, c.c_effect
                    + COALESCE((SELECT sum(e.c_effect) FROM ledger_entries e WHERE e.refers_to = c.id), 0)
                    + COALESCE((SELECT sum(x.c_effect) FROM ledger_entries d JOIN ledger_entries x ON x.refers_to = d.id
                                WHERE d.refers_to = c.id), 0) AS open
             FROM file f JOIN ledger_entries c ON c.document_no = f.doc AND c.kind = 'commitment'
             WHERE f.touched
         ),
         over AS (
             SELECT f.doc, f.open + COALESCE(l.open, 0) AS open, f.used
             FROM file f LEFT JOIN ledger l ON l.doc = f.doc
             WHERE f.touched AND f.open + COALESCE(l.open, 0) < f.used
         )
         INSERT INTO ledger_problems
         SELECT r.line, 'amount',
                format('เบิกจ่ายหรือยกเลิกเกินยอดคงค้างของรายการก่อหนี้ผูกพัน %s (commitment %s has %s baht open; \
                        the rows of this file settle or cancel %s baht of it)',
                       o.doc, o.doc, to_char(o.open, {BAHT}), to_char(o.used, {BAHT}))
         FROM over o JOIN ledger_rows r ON r.root_doc = o.doc AND NOT r.present AND r.kind <> 'commitment'"
    ))
    .execute(conn)?;
    diesel::sql_query(format!(
        "WITH disb AS (
             SELECT DISTINCT reference AS doc FROM ledger_rows
             WHERE kind = 'cancellation' AND target_kind = 'disbursement' AND NOT present
         ),
         effects AS (
             SELECT d.doc, root.d_effect AS d
             FROM disb d JOIN ledger_entries root ON root.document_no = d.doc AND root.kind = 'disbursement'
             UNION ALL
             SELECT d.doc, e.d_effect
             FROM disb d JOIN ledger_entries root ON root.document_no = d.doc AND root.kind = 'disbursement'
             JOIN ledger_entries e ON e.refers_to = root.id AND e.kind = 'cancellation'
             UNION ALL
             SELECT d.doc, r.d_effect
             FROM disb d JOIN ledger_rows r ON NOT r.present AND r.kind = 'disbursement' AND r.document_no = d.doc
             UNION ALL
             SELECT d.doc, r.d_effect
             FROM disb d JOIN ledger_rows r ON NOT r.present AND r.kind = 'cancellation'
                                           AND r.target_kind = 'disbursement' AND r.reference = d.doc
         ),
         over AS (SELECT doc, sum(d) AS left_over FROM effects GROUP BY doc HAVING sum(d) < 0)
         INSERT INTO ledger_problems
         SELECT r.line, 'amount',
                format('ยกเลิกเกินยอดเบิกจ่ายของรายการ %s (disbursement %s would be cancelled by %s baht more than it paid)',
                       o.doc, o.doc, to_char(-o.left_over, {BAHT}))
         FROM over o JOIN ledger_rows r ON r.kind = 'cancellation' AND r.reference = o.doc AND NOT r.present"
    ))
    .execute(conn)?;
    let problems: Vec<Problem> =
        diesel::sql_query("SELECT DISTINCT line, col, message FROM ledger_problems ORDER BY line, col, message")
            .load(conn)?;
    Ok(Checked {
        problems: problems
            .into_iter()
            .map(|p| CellError { row: p.line as usize, column: p.col, message: p.message })
            .collect(),
    })
}

/// Appends the checked rows not already present, references first; the number appended.
pub fn append(conn: &mut PgConnection, import_id: i64) -> QueryResult<usize> {
    let mut added = 0;
    for level in 0..3 {
        added += diesel::sql_query(
            "INSERT INTO ledger_entries (fiscal_year, bureau_id, project_id, entry_date, kind, amount, document_no,
                                         import_id, reference, refers_to, d_effect, c_effect)
             SELECT r.year, r.bureau_id, r.project_id, r.entry_date, r.kind, r.amount, r.document_no,
                    $1, r.reference, COALESCE(r.target_id, t.id), r.d_effect, r.c_effect
             FROM ledger_rows r
             LEFT JOIN ledger_entries t ON r.target_id IS NULL AND r.target_line IS NOT NULL
                                       AND t.document_no = r.reference AND t.kind = r.target_kind
             WHERE NOT r.present AND r.level = $2
             ORDER BY r.line",
        )
        .bind::<BigInt, _>(import_id)
        .bind::<diesel::sql_types::Integer, _>(level)
        .execute(conn)?;
    }
    Ok(added)
}
