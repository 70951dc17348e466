//! The set-wise half of an import: over the staging table of one file, a few
//! statements resolve each row's bureau, fiscal year, project and the entry it
//! refers to, and list every problem as (row, column, message); then `append`
//! writes the rows in the order their references need, each with its effect on
//! ledger D and C (see the migration `ledger`).
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

/// Resolves the staged rows into `ledger_rows` and lists what is wrong with them.
pub fn run(conn: &mut PgConnection) -> QueryResult<Checked> {
    let statements = [
        "CREATE TEMP TABLE ledger_rows ON COMMIT DROP AS
         SELECT s.*, b.id AS bureau_id,
                (extract(year FROM s.entry_date)::int + 543
                 + CASE WHEN extract(month FROM s.entry_date) >= 10 THEN 1 ELSE 0 END) AS date_year,
                NULL::int AS year, NULL::int AS project_id,
                NULL::bigint AS target_id, NULL::bigint AS target_line, NULL::text AS target_kind,
                false AS target_settles, NULL::int AS target_year, NULL::text AS target_project,
                NULL::text AS target_bureau, NULL::date AS target_date, false AS present, NULL::text AS root_doc,
                0::numeric(18,2) AS d_effect, 0::numeric(18,2) AS c_effect, 0 AS level
         FROM ledger_staging s LEFT JOIN bureaus b ON b.code = s.bureau_code",
        // Statistics for the self-joins below (hash joins): without them the
        // planner guesses a handful of rows, nests loops, and a million-row file
        // takes hours. No indexes: each UPDATE pass would have to maintain them.
        "ANALYZE ledger_rows",
        "CREATE TEMP TABLE ledger_problems (line BIGINT, col TEXT, message TEXT) ON COMMIT DROP",
        // Unknown bureaus.
        "INSERT INTO ledger_problems
         SELECT line, 'bureau_code', format('ไม่มีสำนักรหัส %s (there is no bureau %L)', bureau_code, bureau_code)
         FROM ledger_rows WHERE bureau_id IS NULL",
        // The same document and kind twice in the file.
        "INSERT INTO ledger_problems
         SELECT r.line, 'document_no', format('เอกสาร %s ซ้ำกับแถว %s ของไฟล์นี้ (document %s (%s) is already in row %s of this file)', r.document_no, f.first, r.document_no, r.kind, f.first)
         FROM ledger_rows r
         JOIN (SELECT document_no, kind, min(line) AS first FROM ledger_rows GROUP BY 1, 2 HAVING count(*) > 1) f
           ON f.document_no = r.document_no AND f.kind = r.kind AND r.line <> f.first",
        "INSERT INTO ledger_problems
         SELECT line, 'reference', 'รายการก่อหนี้ผูกพันไม่ต้องมีเลขอ้างอิง (a commitment refers to nothing; leave reference empty)'
         FROM ledger_rows WHERE kind = 'commitment' AND reference IS NOT NULL",
        "INSERT INTO ledger_problems
         SELECT line, 'reference', 'รายการยกเลิกต้องระบุเลขที่เอกสารที่ยกเลิกในช่องอ้างอิง (a cancellation names in reference the document it cancels)'
         FROM ledger_rows WHERE kind = 'cancellation' AND reference IS NULL",
        // Disbursements settle a commitment: in the ledger first, else in the file.
        "UPDATE ledger_rows r SET target_id = e.id, target_kind = e.kind, target_year = e.fiscal_year,
                target_project = p.code, target_bureau = b.code, target_date = e.entry_date
         FROM ledger_entries e JOIN projects p ON p.id = e.project_id JOIN bureaus b ON b.id = e.bureau_id
         WHERE r.kind = 'disbursement' AND e.document_no = r.reference AND e.kind = 'commitment'",
        "UPDATE ledger_rows r SET target_line = t.line, target_kind = 'commitment', target_year = t.date_year,
                target_project = t.project_code, target_bureau = t.bureau_code, target_date = t.entry_date
         FROM ledger_rows t
         WHERE r.kind = 'disbursement' AND r.target_id IS NULL AND r.reference IS NOT NULL
           AND t.document_no = r.reference AND t.kind = 'commitment'",
        "INSERT INTO ledger_problems
         SELECT line, 'reference', format('ไม่พบรายการก่อหนี้ผูกพันเลขที่ %s ในบัญชีคุมหรือในไฟล์นี้ (%s is not a commitment in the ledger or in this file)', reference, reference)
         FROM ledger_rows
         WHERE kind = 'disbursement' AND reference IS NOT NULL AND target_id IS NULL AND target_line IS NULL",
        // A disbursement's year: its commitment's.
        "UPDATE ledger_rows SET year = COALESCE(target_year, date_year) WHERE kind <> 'cancellation'",
        // Cancellations: a commitment or a disbursement, in the ledger first.
        "INSERT INTO ledger_problems
         SELECT r.line, 'reference', format('เลขที่ %s เป็นทั้งรายการก่อหนี้ผูกพันและรายการเบิกจ่าย ไม่ทราบว่ายกเลิกรายการใด (%s names both a commitment and a disbursement; the ledger cannot tell which is cancelled)', r.reference, r.reference)
         FROM ledger_rows r
         WHERE r.kind = 'cancellation'
           AND (SELECT count(*) FROM ledger_entries e WHERE e.document_no = r.reference AND e.kind <> 'cancellation') > 1",
        "UPDATE ledger_rows r SET target_id = e.id, target_kind = e.kind, target_settles = e.refers_to IS NOT NULL,
                target_year = e.fiscal_year, target_project = p.code, target_bureau = b.code, target_date = e.entry_date
         FROM ledger_entries e JOIN projects p ON p.id = e.project_id JOIN bureaus b ON b.id = e.bureau_id
         WHERE r.kind = 'cancellation' AND e.document_no = r.reference AND e.kind <> 'cancellation'",
        "UPDATE ledger_rows r SET target_line = t.line, target_kind = t.kind, target_settles = t.reference IS NOT NULL,
                target_year = t.year, target_project = t.project_code, target_bureau = t.bureau_code, target_date = t.entry_date
         FROM ledger_rows t
         WHERE r.kind = 'cancellation' AND r.target_id IS NULL AND r.reference IS NOT NULL
           AND t.document_no = r.reference AND t.kind <> 'cancellation'",
        "INSERT INTO ledger_problems
         SELECT line, 'reference', format('ไม่พบรายการเลขที่ %s ในบัญชีคุมหรือในไฟล์นี้ (%s is not a commitment or disbursement in the ledger or in this file)', reference, reference)
         FROM ledger_rows
         WHERE kind = 'cancellation' AND reference IS NOT NULL AND target_id IS NULL AND target_line IS NULL",
        "UPDATE ledger_rows SET year = COALESCE(target_year, date_year) WHERE kind = 'cancellation'",
        // What a row refers to is of its own project.
        "INSERT INTO ledger_problems
         SELECT line, 'project_code', format('%s เป็นรายการของโครงการ %s (%s) ไม่ใช่ %s (%s) (%s is an entry of project %s (%s); this row names %s (%s))',
                                           reference, target_project, target_bureau, project_code, bureau_code,
                                           reference, target_project, target_bureau, project_code, bureau_code)
         FROM ledger_rows
         WHERE target_project IS NOT NULL AND (target_project <> project_code OR target_bureau <> bureau_code)",
        "INSERT INTO ledger_problems
         SELECT line, 'date', format('ลงวันที่ก่อนรายการ %s ที่อ้างถึง (%s is dated before %s (%s), which it settles or cancels)', reference, entry_date, reference, target_date)
         FROM ledger_rows WHERE target_date IS NOT NULL AND entry_date < target_date",
        // The fiscal year and the project.
        "INSERT INTO ledger_problems
         SELECT r.line, 'date', format('ไม่มีปีงบประมาณ %s ในระบบ (%s is in fiscal year %s, which budgetwatch does not have)', r.year, r.entry_date, r.year)
         FROM ledger_rows r WHERE r.year IS NOT NULL AND NOT EXISTS (SELECT 1 FROM fiscal_years f WHERE f.id = r.year)",
        "UPDATE ledger_rows r SET project_id = p.id
         FROM projects p WHERE p.code = r.project_code AND p.bureau_id = r.bureau_id AND p.fiscal_year = r.year",
        "INSERT INTO ledger_problems
         SELECT r.line, 'project_code', format('ไม่มีโครงการ %s ของ %s ในปีงบประมาณ %s (there is no project %s of bureau %s in fiscal year %s)', r.project_code, r.bureau_code, r.year, r.project_code, r.bureau_code, r.year)
         FROM ledger_rows r
         WHERE r.project_id IS NULL AND r.bureau_id IS NOT NULL AND EXISTS (SELECT 1 FROM fiscal_years f WHERE f.id = r.year)",
        // A carried-over commitment is settled or cancelled by its limit.
        "INSERT INTO ledger_problems
         SELECT r.line, 'date',
                format('พ้นกำหนดเบิกจ่ายเงินกันไว้เบิกเหลื่อมปี (%s is after %s, when the commitments carried over from fiscal year %s lapsed)', r.entry_date,
                       COALESCE(f.carry_over_until, (f.ends_on + 1 + interval '6 months' - interval '1 day')::date), r.year)
         FROM ledger_rows r JOIN fiscal_years f ON f.id = r.year
         WHERE r.date_year > r.year AND r.entry_date > COALESCE(f.carry_over_until, (f.ends_on + 1 + interval '6 months' - interval '1 day')::date)",
        // Already in the ledger: the same figures count as present, others are refused.
        "UPDATE ledger_rows r SET present = true
         FROM ledger_entries e LEFT JOIN ledger_entries t ON t.id = e.refers_to
         WHERE e.document_no = r.document_no AND e.kind = r.kind AND e.entry_date = r.entry_date
           AND e.amount = r.amount AND e.project_id = r.project_id AND e.bureau_id = r.bureau_id
           AND t.document_no IS NOT DISTINCT FROM r.reference",
        "INSERT INTO ledger_problems
         SELECT r.line, 'document_no',
                format('เอกสาร %s มีในบัญชีคุมแล้วด้วยตัวเลขอื่น การแก้ไขให้บันทึกเป็นรายการยกเลิก (document %s (%s) is already in the ledger with other figures (%s, %s baht); a correction is a cancellation)', r.document_no,
                       r.document_no, r.kind, e.entry_date, to_char(e.amount, 'FM999,999,999,999,999,990.00'))
         FROM ledger_rows r JOIN ledger_entries e ON e.document_no = r.document_no AND e.kind = r.kind
         WHERE NOT r.present",
        // Each row's effect on D and C, and the order in which rows can be appended.
        "UPDATE ledger_rows SET
             d_effect = CASE WHEN kind = 'disbursement' THEN amount
                             WHEN kind = 'cancellation' AND target_kind = 'disbursement' THEN -amount ELSE 0 END,
             c_effect = CASE WHEN kind = 'commitment' THEN amount
                             WHEN kind = 'disbursement' AND reference IS NOT NULL THEN -amount
                             WHEN kind = 'cancellation' AND target_kind = 'commitment' THEN -amount
                             WHEN kind = 'cancellation' AND target_settles THEN amount ELSE 0 END,
             level = CASE WHEN reference IS NULL THEN 0
                          WHEN target_id IS NOT NULL OR target_kind = 'commitment' THEN 1 ELSE 2 END",
    ];
    for s in statements {
        diesel::sql_query(s).execute(conn)?;
    }
    // Nothing settles or cancels more than is open. Each row that touches a
    // commitment has it as its root; the commitment's open amount is the sum of
    // the C effects of its family — itself, what settles or cancels it, what
    // cancels those — in the ledger and in the file, and must not go below zero.
    let roots = [
        "UPDATE ledger_rows r SET root_doc = document_no WHERE kind = 'commitment' AND NOT present
           AND NOT EXISTS (SELECT 1 FROM ledger_entries e WHERE e.document_no = r.document_no AND e.kind = 'commitment')",
        "UPDATE ledger_rows SET root_doc = reference
         WHERE NOT present AND (target_id IS NOT NULL OR target_line IS NOT NULL)
           AND ((kind = 'disbursement' AND reference IS NOT NULL) OR target_kind = 'commitment')",
        "UPDATE ledger_rows r SET root_doc = c.document_no
         FROM ledger_entries d JOIN ledger_entries c ON c.id = d.refers_to
         WHERE NOT r.present AND r.target_settles AND r.target_id = d.id",
        "UPDATE ledger_rows r SET root_doc = t.reference
         FROM ledger_rows t WHERE NOT r.present AND r.target_settles AND r.target_line = t.line",
    ];
    for s in roots {
        diesel::sql_query(s).execute(conn)?;
    }
    diesel::sql_query(format!(
        "WITH touched AS (
             SELECT DISTINCT root_doc AS doc FROM ledger_rows
             WHERE root_doc IS NOT NULL AND NOT present AND kind <> 'commitment'
         ),
         root AS (
             SELECT t.doc, e.id FROM touched t JOIN ledger_entries e ON e.document_no = t.doc AND e.kind = 'commitment'
         ),
         effects AS (
             SELECT r.doc, e.c_effect AS open, 0::numeric AS used FROM root r
                  JOIN ledger_entries e ON e.id = r.id OR e.refers_to = r.id
             UNION ALL
             SELECT r.doc, x.c_effect, 0 FROM root r JOIN ledger_entries d ON d.refers_to = r.id
                                                   JOIN ledger_entries x ON x.refers_to = d.id
             UNION ALL
             SELECT t.doc, CASE WHEN f.kind = 'commitment' THEN f.c_effect ELSE 0 END,
                    CASE WHEN f.kind = 'commitment' THEN 0 ELSE -f.c_effect END
             FROM touched t JOIN ledger_rows f ON f.root_doc = t.doc AND NOT f.present
         ),
         over AS (SELECT doc, sum(open) AS open, sum(used) AS used FROM effects GROUP BY doc HAVING sum(open) < sum(used))
         INSERT INTO ledger_problems
         SELECT r.line, 'amount',
                format('เบิกจ่ายหรือยกเลิกเกินยอดคงค้างของรายการก่อหนี้ผูกพัน %s (commitment %s has %s baht open; the rows of this file settle or cancel %s baht of it)', o.doc,
                       o.doc, to_char(o.open, {BAHT}), to_char(o.used, {BAHT}))
         FROM over o JOIN ledger_rows r ON r.root_doc = o.doc AND NOT r.present AND r.kind <> 'commitment'"
    ))
    .execute(conn)?;
    diesel::sql_query(format!(
        "WITH disb AS (
             SELECT DISTINCT reference AS doc FROM ledger_rows
             WHERE kind = 'cancellation' AND target_kind = 'disbursement' AND NOT present
         ),
         effects AS (
             SELECT d.doc, e.d_effect AS d
             FROM disb d JOIN ledger_entries root ON root.document_no = d.doc AND root.kind = 'disbursement'
             JOIN ledger_entries e ON e.id = root.id OR (e.refers_to = root.id AND e.kind = 'cancellation')
             UNION ALL
             SELECT d.doc, r.d_effect
             FROM disb d JOIN ledger_rows r ON NOT r.present
               AND ((r.kind = 'disbursement' AND r.document_no = d.doc)
                 OR (r.kind = 'cancellation' AND r.target_kind = 'disbursement' AND r.reference = d.doc))
         ),
         over AS (SELECT doc, sum(d) AS left_over FROM effects GROUP BY doc HAVING sum(d) < 0)
         INSERT INTO ledger_problems
         SELECT r.line, 'amount', format('ยกเลิกเกินยอดเบิกจ่ายของรายการ %s (disbursement %s would be cancelled by %s baht more than it paid)', o.doc,
                                         o.doc, to_char(-o.left_over, {BAHT}))
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
