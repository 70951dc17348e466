//! The pack as a workbook: a cover sheet, then one sheet per table (the pack's
//! tables, then each chart's numbers), header row frozen, money and rates as
//! numbers with formats so that they can be summed and charted again.

use rust_decimal::Decimal;
use rust_xlsxwriter::{Format, FormatAlign, Workbook, Worksheet, XlsxError};

use super::{Cell, Pack, Table, OFFICE_TH};
use crate::domain::fiscal::thai_date;
use crate::xlsx::to_f64;

/// The pack is the committee's document: Thai, from the catalogue.
const TH: crate::i18n::Lang = crate::i18n::Lang::Th;

struct Formats {
    header: Format,
    money: Format,
    rate: Format,
    text: Format,
}

fn sheet(ws: &mut Worksheet, t: &Table, f: &Formats) -> Result<(), XlsxError> {
    ws.set_name(t.sheet)?;
    for (i, c) in t.columns.iter().enumerate() {
        ws.write_string_with_format(0, i as u16, &c.heading, &f.header)?;
        ws.set_column_width(i as u16, (c.width * 140.0).clamp(10.0, 60.0) as f64)?;
    }
    ws.set_row_height(0, 32)?;
    ws.set_freeze_panes(1, 0)?;
    for (r, row) in t.rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, cell) in row.iter().enumerate() {
            let c = c as u16;
            match cell {
                Cell::Text(s) => ws.write_string_with_format(r, c, excel_text(s), &f.text)?,
                Cell::Money(d) => ws.write_number_with_format(r, c, to_f64(*d), &f.money)?,
                Cell::Rate(Some(d)) => ws.write_number_with_format(r, c, to_f64(*d), &f.rate)?,
                Cell::Rate(None) => ws.write_blank(r, c, &f.rate)?,
                Cell::Int(n) => ws.write_number(r, c, *n as f64)?,
            };
        }
    }
    Ok(())
}

/// A chart's table cell: numbers as printed ("1,234.50", "97.00") become numbers.
fn chart_cell(s: &str) -> Cell {
    match s.replace(',', "").parse::<Decimal>() {
        Ok(d) if s.contains(',') => Cell::Money(d),
        Ok(d) if d.scale() == 0 => d.to_string().parse().map(Cell::Int).unwrap_or(Cell::Money(d)),
        Ok(d) => Cell::Rate(Some(d)),
        Err(_) => Cell::text(s),
    }
}

pub fn render(p: &Pack) -> Result<Vec<u8>, XlsxError> {
    let f = Formats {
        header: Format::new()
            .set_bold()
            .set_background_color("#DCE6F2")
            .set_text_wrap()
            .set_align(FormatAlign::Center)
            .set_align(FormatAlign::VerticalCenter),
        money: Format::new().set_num_format("#,##0.00"),
        rate: Format::new().set_num_format("0.00"),
        text: Format::new().set_text_wrap().set_align(FormatAlign::Top),
    };
    let mut wb = Workbook::new();
    let cover = wb.add_worksheet();
    cover.set_name(TH.t("pack.cover"))?;
    cover.set_column_width(0, 24)?;
    cover.set_column_width(1, 70)?;
    let bold = Format::new().set_bold();
    for (r, (k, v)) in [
        (TH.t("pack.cover.office"), OFFICE_TH.to_string()),
        (TH.t("pack.cover.subject"), p.title()),
        (TH.t("pack.cover.as_of"), p.as_of_th()),
        (TH.t("pack.cover.made_on"), thai_date(p.generated)),
        (TH.t("pack.cover.fiscal_year"), p.fy.to_string()),
        (TH.t("pack.cover.month"), p.month.number().to_string()),
    ]
    .iter()
    .enumerate()
    {
        cover.write_string_with_format(r as u32, 0, *k, &bold)?;
        cover.write_string(r as u32, 1, v)?;
    }
    for t in p.tables() {
        sheet(wb.add_worksheet(), &t, &f)?;
    }
    let names = [
        "pack.sheet.s_curve",
        "pack.sheet.chart_bureaus",
        "pack.sheet.chart_categories",
        "pack.sheet.chart_lag",
        "pack.sheet.chart_kpi",
    ]
    .map(|k| TH.t(k));
    for (chart, name) in p.charts.iter().zip(names) {
        let t = Table {
            sheet: name,
            title: chart.title.clone(),
            columns: chart.columns.iter().map(|c| super::col(c, 0.12)).collect(),
            rows: chart
                .rows
                .iter()
                .map(|r| {
                    r.iter().enumerate().map(|(i, c)| if i == 0 { Cell::text(c) } else { chart_cell(c) }).collect()
                })
                .collect(),
            empty: "",
        };
        sheet(wb.add_worksheet(), &t, &f)?;
    }
    wb.save_to_buffer()
}

/// Text as a cell may hold it: Excel refuses more than 32,767 characters, so a
/// longer text (many follow-ups joined, say) is cut there, saying so.
fn excel_text(s: &str) -> std::borrow::Cow<'_, str> {
    const MAX: usize = 32_767;
    if s.chars().count() <= MAX {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut cut: String = s.chars().take(MAX - 30).collect();
    cut.push_str(TH.t("pack.cut"));
    std::borrow::Cow::Owned(cut)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_text_longer_than_a_cell_holds_is_cut_and_says_so() {
        assert_eq!(super::excel_text("สั้น"), "สั้น");
        let long = "ก".repeat(40_000);
        let cut = super::excel_text(&long);
        assert!(cut.chars().count() <= 32_767 && cut.ends_with("(ตัดเกินความยาวของเซลล์)"));
    }
}
