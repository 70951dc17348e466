//! CSV as spreadsheets read it (RFC 4180 quoting, CRLF rows), with formula
//! injection neutralised: a text cell that begins with `=`, `+`, `-`, `@`, a tab
//! or a carriage return would run as a formula in Excel or LibreOffice, so it is
//! written with a leading apostrophe (OWASP's advice). Numbers are written as
//! numbers: only text cells go through `text`.

/// A text cell, neutralised and quoted when it must be.
pub fn text(s: &str) -> String {
    let neutral = match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}"),
        _ => s.to_string(),
    };
    quote(&neutral)
}

/// A cell that is a number (never neutralised: `-5.00` stays a number).
pub fn number(n: impl std::fmt::Display) -> String {
    quote(&n.to_string())
}

fn quote(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// One row: cells joined by commas, ended by CRLF.
pub fn row<S: AsRef<str>>(cells: impl IntoIterator<Item = S>) -> String {
    let mut out = cells.into_iter().map(|c| c.as_ref().to_string()).collect::<Vec<_>>().join(",");
    out.push_str("\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_neutralised_and_numbers_are_not() {
        assert_eq!(text("=HYPERLINK(\"http://evil\",\"x\")"), "\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\"");
        for bad in ["+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"] {
            assert!(text(bad).trim_start_matches('"').starts_with('\''), "{bad:?} -> {}", text(bad));
        }
        assert_eq!(text("สำนักกฎหมาย"), "สำนักกฎหมาย");
        assert_eq!(text("a,b"), "\"a,b\"");
        assert_eq!(number("-5.00"), "-5.00");
        assert_eq!(row([text("x"), number(1)]), "x,1\r\n");
    }
}
