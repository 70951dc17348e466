//! A bureau's month as an Excel sheet, for officers who work in spreadsheets:
//! `template` pre-fills the projects with allocation, plan to date and earlier
//! disbursements (locked cells), leaves this month's figures and the narrative
//! unlocked, and protects the rest; `parse` reads a filled sheet back, checking
//! that it is this year's, month's and bureau's, and turns every bad cell into a
//! row-and-column error (Thai first) so that the whole file is refused at once.

use calamine::Data;
use rust_xlsxwriter::{Format, FormatAlign, Workbook};

use super::{Context, LineInput, ReportInput};
use crate::domain::fiscal::thai_month_label;
use crate::domain::money::RawAmount;
use crate::domain::Category;
use crate::error::AppError;
use crate::xlsx::{self, CellError};

pub const SHEET: &str = "Report";
/// Excel row (1-based) of the column headers; projects start on the next row.
const HEADER_ROW: u32 = 4;
/// The narrative rows under the projects: the field and the catalogue key of the
/// label in column A (how an uploaded file's rows are recognised, too).
const NARRATIVE: [(&str, &str); 3] =
    [("obstacles", "report.obstacles"), ("limitations", "report.limitations"), ("suggestions", "report.suggestions")];
/// The template is the office's form: Thai, from the catalogue.
const TH: crate::i18n::Lang = crate::i18n::Lang::Th;

fn xe(e: rust_xlsxwriter::XlsxError) -> AppError {
    AppError::Unexpected(anyhow::anyhow!("writing the report workbook: {e}"))
}

/// Row of project `index` (0-based) in Excel numbering.
pub fn project_row(index: usize) -> usize {
    HEADER_ROW as usize + 1 + index
}

pub fn template(ctx: &Context) -> Result<Vec<u8>, AppError> {
    let mut wb = Workbook::new();
    let title = Format::new().set_bold().set_font_size(14);
    let header =
        Format::new().set_bold().set_background_color("#DCE6F2").set_text_wrap().set_align(FormatAlign::Center);
    let money = Format::new().set_num_format("#,##0.00");
    let input = Format::new().set_num_format("#,##0.00").set_unlocked().set_background_color("#FFF9DB");
    let text_input = Format::new().set_unlocked().set_text_wrap().set_background_color("#FFF9DB");
    let ws = wb.add_worksheet();
    ws.set_name(SHEET).map_err(xe)?;
    ws.write_string_with_format(
        0,
        0,
        TH.f("report.title", &[("month", &thai_month_label(ctx.fy, ctx.month)), ("bureau", &ctx.bureau_code)]),
        &title,
    )
    .map_err(xe)?;
    for (col, key) in
        [(0u16, "report.xlsx.year"), (2, "report.xlsx.month"), (4, "report.xlsx.bureau"), (6, "report.xlsx.revision")]
    {
        ws.write_string(1, col, TH.t(key)).map_err(xe)?;
    }
    ws.write_number(1, 1, ctx.fy.be() as f64).map_err(xe)?;
    ws.write_number(1, 3, ctx.month.number() as f64).map_err(xe)?;
    ws.write_string(1, 5, &ctx.bureau_code).map_err(xe)?;
    ws.write_number(1, 7, ctx.latest_revision as f64).map_err(xe)?;
    let headers = [
        "report.xlsx.code",
        "report.xlsx.name",
        "report.col.category",
        "report.col.allocation",
        "report.col.planned",
        "report.col.before",
        "report.col.disbursed",
        "report.col.committed",
        "report.xlsx.remaining",
    ]
    .map(|k| TH.t(k));
    let hr = HEADER_ROW - 1;
    for (i, h) in headers.iter().enumerate() {
        ws.write_string_with_format(hr, i as u16, *h, &header).map_err(xe)?;
    }
    ws.set_row_height(hr, 36).map_err(xe)?;
    for (col, width) in [(0u16, 12), (1, 44), (2, 14), (3, 16), (4, 16), (5, 18), (6, 18), (7, 20), (8, 18)] {
        ws.set_column_width(col, width).map_err(xe)?;
    }
    let lines = ctx.latest.as_ref().map(|l| &l.1);
    for (i, p) in ctx.projects.iter().enumerate() {
        let row = project_row(i) as u32 - 1;
        let (d, c) = lines.and_then(|l| l.get(&p.id)).copied().unwrap_or_default();
        ws.write_string(row, 0, &p.project_code).map_err(xe)?;
        ws.write_string(row, 1, &p.name_th).map_err(xe)?;
        ws.write_string(row, 2, p.category.parse::<Category>().map(|c| c.name_th()).unwrap_or("")).map_err(xe)?;
        ws.write_number_with_format(row, 3, xlsx::to_f64(p.allocation), &money).map_err(xe)?;
        ws.write_number_with_format(row, 4, xlsx::to_f64(p.planned_to_date), &money).map_err(xe)?;
        ws.write_number_with_format(row, 5, xlsx::to_f64(p.disbursed_before), &money).map_err(xe)?;
        ws.write_number_with_format(row, 6, xlsx::to_f64(d), &input).map_err(xe)?;
        ws.write_number_with_format(row, 7, xlsx::to_f64(c), &input).map_err(xe)?;
        let n = row + 1;
        ws.write_formula_with_format(row, 8, format!("=D{n}-F{n}-G{n}-H{n}").as_str(), &money).map_err(xe)?;
    }
    let rev = ctx.latest.as_ref().map(|l| &l.0);
    // project_row is Excel's 1-based number; the writer counts from 0.
    let first = project_row(ctx.projects.len()) as u32 - 1;
    for (row, (field, label)) in (first..).zip(NARRATIVE) {
        let text = match (field, rev) {
            ("obstacles", Some(r)) => r.obstacles.as_str(),
            ("limitations", Some(r)) => r.limitations.as_str(),
            ("suggestions", Some(r)) => r.suggestions.as_str(),
            _ => "",
        };
        ws.write_string_with_format(row, 0, TH.t(label), &header).map_err(xe)?;
        ws.merge_range(row, 1, row, 8, text, &text_input).map_err(xe)?;
        ws.set_row_height(row, 60).map_err(xe)?;
    }
    ws.set_freeze_panes(HEADER_ROW, 2).map_err(xe)?;
    ws.protect();
    wb.save_to_buffer().map_err(xe)
}

/// What a filled sheet says: the report body and the revision it was made from.
pub struct Parsed {
    pub input: ReportInput,
    pub revision: i32,
}

fn err(errors: &mut Vec<CellError>, row: usize, col: usize, message: impl Into<String>) {
    errors.push(CellError { row, column: xlsx::column_letter(col), message: message.into() });
}

pub fn parse(ctx: &Context, bytes: &[u8], status: &str) -> Result<Parsed, AppError> {
    // The template's own cells: columns A-I, the header, one row per project
    // and the three narrative rows.
    let bounds = xlsx::Bounds { rows: (project_row(ctx.projects.len()) + NARRATIVE.len() - 1) as u32, cols: 9 };
    let rows = xlsx::read_sheet(bytes, SHEET, bounds)?;
    let mut errors = Vec::new();
    let meta = rows.get(1).cloned().unwrap_or_default();
    let number = |c: &Data| xlsx::text(c).parse::<f64>().ok().map(|f| f as i64);
    if number(xlsx::cell(&meta, 1)) != Some(ctx.fy.be() as i64) {
        err(&mut errors, 2, 1, format!("แบบฟอร์มนี้ไม่ใช่ของปีงบประมาณ {} (this sheet is for another fiscal year)", ctx.fy));
    }
    if number(xlsx::cell(&meta, 3)) != Some(ctx.month.number() as i64) {
        err(&mut errors, 2, 3, format!("แบบฟอร์มนี้ไม่ใช่ของเดือน {} (this sheet is for another month)", ctx.month));
    }
    if xlsx::text(xlsx::cell(&meta, 5)) != ctx.bureau_code {
        err(&mut errors, 2, 5, format!("แบบฟอร์มนี้ไม่ใช่ของ {} (this sheet is for another bureau)", ctx.bureau_code));
    }
    let revision = number(xlsx::cell(&meta, 7)).unwrap_or(-1) as i32;
    let mut lines = Vec::new();
    let mut narrative = std::collections::HashMap::new();
    for (i, cells) in rows.iter().enumerate().skip(HEADER_ROW as usize) {
        let row = i + 1;
        if xlsx::is_blank(cells) {
            continue;
        }
        let first = xlsx::text(xlsx::cell(cells, 0));
        if let Some((field, _)) = NARRATIVE.iter().find(|(_, key)| TH.t(key) == first) {
            narrative.insert(*field, xlsx::text(xlsx::cell(cells, 1)));
            continue;
        }
        if !ctx.projects.iter().any(|p| p.project_code == first) {
            err(
                &mut errors,
                row,
                0,
                format!("ไม่พบโครงการ {} ของ {} ในปีงบประมาณ {}", xlsx::quoted(&first), ctx.bureau_code, ctx.fy),
            );
            continue;
        }
        let mut amount = |col: usize, what: &str| match xlsx::cell(cells, col) {
            Data::Empty => Some(RawAmount("0".into())),
            c => match xlsx::amount(c) {
                Ok(v) => Some(RawAmount(v.to_string())),
                Err(e) => {
                    err(&mut errors, row, col, format!("{what}: {e}"));
                    None
                }
            },
        };
        let disbursed = amount(6, "เบิกจ่ายเดือนนี้ (disbursed)");
        let committed = amount(7, "ก่อหนี้ผูกพัน (committed)");
        lines.push(LineInput { project_code: first, disbursed, committed });
    }
    if !errors.is_empty() {
        return Err(xlsx::refuse(errors));
    }
    Ok(Parsed {
        input: ReportInput {
            status: status.to_string(),
            lines,
            obstacles: narrative.remove("obstacles").unwrap_or_default(),
            limitations: narrative.remove("limitations").unwrap_or_default(),
            suggestions: narrative.remove("suggestions").unwrap_or_default(),
        },
        revision,
    })
}

/// Turns a report validation error about `lines[i]` into the sheet's row and column.
pub fn locate_errors(ctx: &Context, input: &ReportInput, e: AppError) -> AppError {
    let AppError::Validation { details, .. } = e else { return e };
    let cells = details
        .into_iter()
        .map(|d| {
            let position = d.field.strip_prefix("lines[").and_then(|rest| {
                let (index, part) = rest.split_once("].")?;
                let line = input.lines.get(index.parse::<usize>().ok()?)?;
                let project = ctx.projects.iter().position(|p| p.project_code == line.project_code)?;
                Some((project_row(project), if part == "committed" { 7 } else { 6 }))
            });
            let narrative_row =
                NARRATIVE.iter().position(|(f, _)| *f == d.field).map(|i| project_row(ctx.projects.len()) + i);
            match (position, narrative_row) {
                (Some((row, col)), _) => CellError { row, column: xlsx::column_letter(col), message: d.message },
                (None, Some(row)) => CellError { row, column: "B".into(), message: d.message },
                _ => CellError { row: 2, column: "A".into(), message: format!("{}: {}", d.field, d.message) },
            }
        })
        .collect();
    xlsx::refuse(cells)
}
