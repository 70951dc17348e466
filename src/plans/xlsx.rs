//! The whole action plan of a year as one workbook: one row per project with its
//! bureau, category, allocation in force at year end and twelve monthly plans. The
//! export is also the template; the import checks every cell, refuses the whole
//! file with a list of rows, columns and reasons if anything is wrong, and
//! otherwise creates new projects and replaces the plans (and names) of existing
//! ones in one transaction. An allocation is never changed by a file: that is an
//! adjustment, with a date and a reason.

use std::collections::{HashMap, HashSet};

use diesel::prelude::*;
use diesel::sql_types::{Int4, Numeric, Text};
use rust_decimal::Decimal;
use rust_xlsxwriter::{Format, FormatAlign, Workbook};
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::audit::{self, Actor};
use crate::domain::fiscal::thai_month_label;
use crate::domain::{Category, FiscalMonth, FiscalYear};
use crate::error::AppError;
use crate::schema::{bureaus, monthly_plans, projects};
use crate::xlsx::{self, CellError};

pub const SHEET: &str = "Plan";
const FIXED: [&str; 7] = [
    "รหัสสำนัก (bureau)",
    "รหัสโครงการ (project)",
    "ชื่อโครงการ/กิจกรรม",
    "Name (English)",
    "แผนงาน (plan)",
    "งบรายจ่าย (category)",
    "งบประมาณ (allocation)",
];
const FIRST_MONTH_COL: usize = 7;
/// The header, up to 100,000 projects (a national year has 20,000), and the
/// columns through the twelve months and their check total.
const BOUNDS: xlsx::Bounds = xlsx::Bounds { rows: 100_001, cols: CLASS_COL as u32 + 1 };
/// After the twelve months and their check total: the economic class (current or
/// capital); empty keeps a project's class (a new one takes its category's).
const CLASS_COL: usize = FIRST_MONTH_COL + 13;

#[derive(QueryableByName, Debug, Clone)]
struct PlanRow {
    #[diesel(sql_type = Int4)]
    id: i32,
    #[diesel(sql_type = Text)]
    bureau: String,
    #[diesel(sql_type = Text)]
    code: String,
    #[diesel(sql_type = Text)]
    name_th: String,
    #[diesel(sql_type = Text)]
    name_en: String,
    #[diesel(sql_type = Text)]
    plan_name: String,
    #[diesel(sql_type = Text)]
    category: String,
    #[diesel(sql_type = Text)]
    economic_class: String,
    #[diesel(sql_type = Numeric)]
    allocation: Decimal,
    #[diesel(sql_type = diesel::sql_types::Array<Numeric>)]
    plans: Vec<Decimal>,
}

/// Every project of the year with its year-end allocation and plans, one query.
fn plan_rows(conn: &mut PgConnection, fy: FiscalYear) -> QueryResult<Vec<PlanRow>> {
    diesel::sql_query(
        "SELECT p.id, b.code AS bureau, p.code, p.name_th, p.name_en, p.plan_name, p.category, p.economic_class,
                allocation_on(p, 'infinity') AS allocation,
                ARRAY(SELECT coalesce(m.planned, 0) FROM generate_series(1, 12) g
                      LEFT JOIN monthly_plans m ON m.project_id = p.id AND m.month = g ORDER BY g) AS plans
         FROM projects p JOIN bureaus b ON b.id = p.bureau_id
         WHERE p.fiscal_year = $1 ORDER BY b.code, p.code",
    )
    .bind::<Int4, _>(fy.be())
    .load(conn)
}

fn xlsx_error(e: rust_xlsxwriter::XlsxError) -> AppError {
    AppError::Unexpected(anyhow::anyhow!("writing the workbook: {e}"))
}

/// The year's plan as a workbook (with only the header row, it is the template).
pub fn export(conn: &mut PgConnection, fy: FiscalYear) -> Result<Vec<u8>, AppError> {
    super::year(conn, fy)?;
    let rows = plan_rows(conn, fy)?;
    let mut wb = Workbook::new();
    let header =
        Format::new().set_bold().set_background_color("#DCE6F2").set_text_wrap().set_align(FormatAlign::Center);
    let money = Format::new().set_num_format("#,##0.00");
    let ws = wb.add_worksheet();
    ws.set_name(SHEET).map_err(xlsx_error)?;
    for (i, title) in FIXED.iter().enumerate() {
        ws.write_string_with_format(0, i as u16, *title, &header).map_err(xlsx_error)?;
    }
    for m in FiscalMonth::all() {
        let col = (FIRST_MONTH_COL + m.number() as usize - 1) as u16;
        ws.write_string_with_format(0, col, thai_month_label(fy, m), &header).map_err(xlsx_error)?;
        ws.set_column_width(col, 14).map_err(xlsx_error)?;
    }
    let total_col = (FIRST_MONTH_COL + 12) as u16;
    ws.write_string_with_format(0, total_col, "รวม 12 เดือน (ตรวจสอบ)", &header).map_err(xlsx_error)?;
    let class_col = CLASS_COL as u16;
    ws.write_string_with_format(0, class_col, "ประเภทรายจ่าย (current/capital)", &header).map_err(xlsx_error)?;
    ws.set_column_width(class_col, 18).map_err(xlsx_error)?;
    for (col, width) in [(0, 12), (1, 14), (2, 48), (3, 32), (4, 36), (5, 14), (6, 18), (total_col, 18)] {
        ws.set_column_width(col, width).map_err(xlsx_error)?;
    }
    ws.set_row_height(0, 36).map_err(xlsx_error)?;
    ws.set_freeze_panes(1, 2).map_err(xlsx_error)?;
    for (i, r) in rows.iter().enumerate() {
        let row = i as u32 + 1;
        for (col, value) in
            [r.bureau.as_str(), &r.code, &r.name_th, &r.name_en, &r.plan_name, &r.category].into_iter().enumerate()
        {
            ws.write_string(row, col as u16, value).map_err(xlsx_error)?;
        }
        ws.write_number_with_format(row, 6, xlsx::to_f64(r.allocation), &money).map_err(xlsx_error)?;
        for (m, v) in r.plans.iter().enumerate() {
            ws.write_number_with_format(row, (FIRST_MONTH_COL + m) as u16, xlsx::to_f64(*v), &money)
                .map_err(xlsx_error)?;
        }
        let first = xlsx::column_letter(FIRST_MONTH_COL);
        let last = xlsx::column_letter(FIRST_MONTH_COL + 11);
        let formula = format!("=SUM({first}{n}:{last}{n})", n = row + 1);
        ws.write_formula_with_format(row, total_col, formula.as_str(), &money).map_err(xlsx_error)?;
        ws.write_string(row, class_col, &r.economic_class).map_err(xlsx_error)?;
    }
    wb.save_to_buffer().map_err(xlsx_error)
}

struct Parsed {
    row: usize,
    bureau: String,
    code: String,
    name_th: String,
    name_en: String,
    plan_name: String,
    category: Category,
    /// `None`: keep the project's class (or the category's for a new one).
    class: Option<crate::domain::EconomicClass>,
    allocation: Decimal,
    plans: Vec<Decimal>,
}

#[derive(Serialize, Debug, PartialEq, Eq)]
pub struct ImportResult {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

fn err(errors: &mut Vec<CellError>, row: usize, col: usize, message: impl Into<String>) {
    errors.push(CellError { row, column: xlsx::column_letter(col), message: message.into() });
}

/// Imports a plan workbook for `fy`: all rows or none.
pub fn import(
    conn: &mut PgConnection,
    fy: FiscalYear,
    bytes: &[u8],
    actor: Actor<'_>,
) -> Result<ImportResult, AppError> {
    let sheet = xlsx::read_sheet(bytes, SHEET, BOUNDS)?;
    conn.transaction(|conn| {
        super::year(conn, fy)?;
        let known_bureaus: HashSet<String> = bureaus::table.select(bureaus::code).load::<String>(conn)?.into_iter().collect();
        let existing: HashMap<String, PlanRow> = plan_rows(conn, fy)?.into_iter().map(|r| (r.code.clone(), r)).collect();
        let mut errors = Vec::new();
        let mut parsed = Vec::new();
        let mut seen = HashMap::new();
        for (i, cells) in sheet.iter().enumerate().skip(1) {
            let row = i + 1;
            if xlsx::is_blank(cells) {
                continue;
            }
            let before = errors.len();
            let bureau = xlsx::text(xlsx::cell(cells, 0));
            if !known_bureaus.contains(&bureau) {
                err(&mut errors, row, 0, format!("there is no bureau {}", xlsx::quoted(&bureau)));
            }
            let code = xlsx::text(xlsx::cell(cells, 1));
            if code.is_empty() || code.len() > 32 || !code.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b)) {
                err(&mut errors, row, 1, format!("{} is not a project code (1-32 letters, digits, '.', '_' or '-')", xlsx::quoted(&code)));
            } else if let Some(first) = seen.insert(code.clone(), row) {
                err(&mut errors, row, 1, format!("project {code} is already on row {first}"));
            }
            let name_th = xlsx::text(xlsx::cell(cells, 2));
            if name_th.is_empty() {
                err(&mut errors, row, 2, "the project's Thai name is required");
            }
            let category = xlsx::text(xlsx::cell(cells, 5)).parse::<Category>();
            if let Err(e) = &category {
                err(&mut errors, row, 5, e.clone());
            }
            let class = match xlsx::text(xlsx::cell(cells, CLASS_COL)).as_str() {
                "" => None,
                c => match c.parse::<crate::domain::EconomicClass>() {
                    Ok(c) => Some(c),
                    Err(_) => {
                        err(&mut errors, row, CLASS_COL, format!("{} is not current or capital", xlsx::quoted(c)));
                        None
                    }
                },
            };
            let allocation = xlsx::amount(xlsx::cell(cells, 6));
            if let Err(e) = &allocation {
                err(&mut errors, row, 6, format!("allocation {e}"));
            }
            let mut plans = Vec::new();
            for m in 0..12 {
                match xlsx::amount(xlsx::cell(cells, FIRST_MONTH_COL + m)) {
                    Ok(v) => plans.push(v),
                    Err(e) => err(&mut errors, row, FIRST_MONTH_COL + m, format!("plan {e}")),
                }
            }
            if errors.len() > before {
                continue;
            }
            let (category, allocation) = (category.expect("checked"), allocation.expect("checked"));
            let sum: Decimal = plans.iter().sum();
            // A project left unbalanced by an adjustment may come back unchanged
            // (it waits on the plan page for a respread); new or edited months must balance.
            let unchanged_plans = existing.get(&code).is_some_and(|old| old.plans == plans);
            if sum != allocation && !unchanged_plans {
                err(&mut errors, row, 6, format!("the twelve months add up to {sum:.2} but the allocation is {allocation:.2}"));
            }
            if let Some(old) = existing.get(&code) {
                if old.bureau != bureau {
                    err(&mut errors, row, 0, format!("{code} belongs to {}; a project never changes bureau", old.bureau));
                }
                if old.category != category.as_str() {
                    err(&mut errors, row, 5, format!("{code} is {}; a project never changes category", old.category));
                }
                if old.allocation != allocation {
                    err(
                        &mut errors,
                        row,
                        6,
                        format!(
                            "{code}'s allocation is {:.2}; change it with a transfer, cut or addition, not in this file",
                            old.allocation
                        ),
                    );
                }
            }
            parsed.push(Parsed {
                row,
                bureau,
                code,
                name_th,
                name_en: xlsx::text(xlsx::cell(cells, 3)),
                plan_name: xlsx::text(xlsx::cell(cells, 4)),
                class,
                category,
                allocation,
                plans,
            });
        }
        if parsed.is_empty() && errors.is_empty() {
            err(&mut errors, 2, 0, "the sheet has no project rows");
        }
        if !errors.is_empty() {
            return Err(xlsx::refuse(errors));
        }
        let bureau_ids: HashMap<String, i32> = bureaus::table.select((bureaus::code, bureaus::id)).load(conn)?.into_iter().collect();
        let mut result = ImportResult { created: 0, updated: 0, unchanged: 0 };
        for p in &parsed {
            match existing.get(&p.code) {
                None => {
                    let id: i32 = diesel::insert_into(projects::table)
                        .values((
                            projects::fiscal_year.eq(fy.be()),
                            projects::bureau_id.eq(bureau_ids[&p.bureau]),
                            projects::code.eq(&p.code),
                            projects::name_th.eq(&p.name_th),
                            projects::name_en.eq(&p.name_en),
                            projects::plan_name.eq(&p.plan_name),
                            projects::category.eq(p.category.as_str()),
                            projects::economic_class
                                .eq(p.class.unwrap_or(crate::domain::EconomicClass::of(p.category)).as_str()),
                            projects::allocation.eq(p.allocation),
                        ))
                        .returning(projects::id)
                        .get_result(conn)?;
                    insert_plans(conn, id, &p.plans)?;
                    result.created += 1;
                }
                Some(old) => {
                    let same_names = old.name_th == p.name_th && old.name_en == p.name_en && old.plan_name == p.plan_name;
                    let class_changed = p.class.is_some_and(|c| c.as_str() != old.economic_class);
                    if class_changed {
                        let class = p.class.expect("changed").as_str();
                        diesel::update(projects::table.find(old.id)).set(projects::economic_class.eq(class)).execute(conn)?;
                    }
                    if old.plans == p.plans && same_names && !class_changed {
                        result.unchanged += 1;
                        continue;
                    }
                    if !same_names {
                        diesel::update(projects::table.find(old.id))
                            .set((projects::name_th.eq(&p.name_th), projects::name_en.eq(&p.name_en), projects::plan_name.eq(&p.plan_name)))
                            .execute(conn)?;
                    }
                    if old.plans != p.plans {
                        diesel::delete(monthly_plans::table.filter(monthly_plans::project_id.eq(old.id))).execute(conn)?;
                        insert_plans(conn, old.id, &p.plans)?;
                    }
                    result.updated += 1;
                }
            }
        }
        let digest = crate::auth::token::hex(&Sha256::digest(bytes));
        audit::record(
            conn,
            audit::Entry {
                user_id: actor.user_id,
                request_id: actor.request_id,
                action: "import",
                entity: "plan",
                entity_id: fy.to_string(),
                before: None,
                after: Some(json!({
                    "sha256": digest, "created": result.created, "updated": result.updated, "unchanged": result.unchanged,
                    "rows": parsed.iter().map(|p| json!({"row": p.row, "project": p.code, "allocation": p.allocation, "plans": p.plans, "economic_class": p.class})).collect::<Vec<_>>(),
                })),
            },
        )?;
        Ok(result)
    })
}

fn insert_plans(conn: &mut PgConnection, project_id: i32, plans: &[Decimal]) -> QueryResult<usize> {
    let rows: Vec<_> = plans
        .iter()
        .enumerate()
        .map(|(m, v)| {
            (
                monthly_plans::project_id.eq(project_id),
                monthly_plans::month.eq(m as i16 + 1),
                monthly_plans::planned.eq(*v),
            )
        })
        .collect();
    diesel::insert_into(monthly_plans::table).values(rows).execute(conn)
}
