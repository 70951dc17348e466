//! Tables: a caption, column headings, and rows whose first cell is the row's
//! header (linked when it leads somewhere); numbers right-aligned; line breaks
//! in text kept.

use super::{html, Markup};

/// One cell.
#[derive(Clone, Debug)]
pub enum Cell {
    Text(String),
    /// Right-aligned (money, rates, counts).
    Num(String),
    /// Text linked to a page.
    Link(String, String),
    /// Markup built by a view (a form, a list).
    Markup(Markup),
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }

    pub fn num(s: impl Into<String>) -> Cell {
        Cell::Num(s.into())
    }
}

/// A table to draw.
pub struct Table<'a> {
    pub caption: &'a str,
    pub headings: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

fn lines(text: &str) -> Markup {
    html! {
        @for (i, line) in text.split('\n').enumerate() {
            @if i > 0 { br; }
            (line)
        }
    }
}

fn content(cell: &Cell) -> Markup {
    match cell {
        Cell::Text(t) | Cell::Num(t) => lines(t),
        Cell::Link(t, href) => html! { a href=(href) { (lines(t)) } },
        Cell::Markup(m) => m.clone(),
    }
}

pub fn table(t: &Table<'_>) -> Markup {
    html! {
        table {
            caption { (t.caption) }
            thead { tr { @for h in &t.headings { th scope="col" { (h) } } } }
            tbody {
                @for row in &t.rows {
                    tr {
                        @for (i, cell) in row.iter().enumerate() {
                            @if i == 0 {
                                th scope="row" { (content(cell)) }
                            } @else if matches!(cell, Cell::Num(_)) {
                                td.num { (content(cell)) }
                            } @else {
                                td { (content(cell)) }
                            }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_escaped_numbers_aligned_and_the_first_cell_heads_its_row() {
        let t = Table {
            caption: "<caption>",
            headings: vec!["a&b".into()],
            rows: vec![vec![
                Cell::Link("x<y".into(), "/p?a=1&b=\"2\"".into()),
                Cell::num("1,000.00"),
                Cell::text("one\ntwo"),
            ]],
        };
        let html = table(&t).into_string();
        assert!(html.contains("<caption>&lt;caption&gt;</caption>"), "{html}");
        assert!(html.contains("<th scope=\"col\">a&amp;b</th>"), "{html}");
        assert!(html.contains("<th scope=\"row\"><a href=\"/p?a=1&amp;b=&quot;2&quot;\">x&lt;y</a></th>"), "{html}");
        assert!(html.contains("<td class=\"num\">1,000.00</td>"), "{html}");
        assert!(html.contains("<td>one<br>two</td>"), "{html}");
    }
}
