//! Every string a person reads — pages, e-mails, charts, the meeting pack — in one
//! catalogue per language (`th.rs`, `en.rs`), by key. Thai is the office's
//! language and the default; English is one `?lang=en` away. Page code asks for
//! text by key (`lang.t("plan.title")`, `lang.f("report.due", &[("date", &d)])`);
//! tests hold the two catalogues to the same keys and placeholders, and every key
//! the code asks for to be in them.
//!
//! Not here: validation messages, which name the rule they break in Thai with an
//! English gloss wherever the rule lives (the API and the pages show the same
//! words), and the API's JSON, which is English by contract.

use std::collections::HashMap;
use std::fmt::Display;
use std::sync::OnceLock;

use crate::domain::fiscal::{english_month_label, thai_month_label};
use crate::domain::{FiscalMonth, FiscalYear};

mod en;
mod th;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Th,
    En,
}

fn table(lang: Lang) -> &'static HashMap<&'static str, &'static str> {
    static TH: OnceLock<HashMap<&str, &str>> = OnceLock::new();
    static EN: OnceLock<HashMap<&str, &str>> = OnceLock::new();
    match lang {
        Lang::Th => TH.get_or_init(|| th::MESSAGES.iter().copied().collect()),
        Lang::En => EN.get_or_init(|| en::MESSAGES.iter().copied().collect()),
    }
}

impl Lang {
    pub fn from_query(q: Option<&str>) -> Lang {
        match q {
            Some("en") => Lang::En,
            _ => Lang::Th,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Th => "th",
            Lang::En => "en",
        }
    }

    /// The other language, for the link that switches.
    pub fn other(self) -> Lang {
        match self {
            Lang::Th => Lang::En,
            Lang::En => Lang::Th,
        }
    }

    /// `&lang=en` (or `?lang=en`) to carry English through a link; empty for Thai.
    pub fn query(self, first: bool) -> &'static str {
        match (self, first) {
            (Lang::Th, _) => "",
            (Lang::En, true) => "?lang=en",
            (Lang::En, false) => "&lang=en",
        }
    }

    /// The text of `key`; `?` (and a warning in the log) if the catalogue lacks
    /// it, which the tests make impossible for every key the code names.
    pub fn t(self, key: &str) -> &'static str {
        table(self).get(key).copied().unwrap_or_else(|| {
            tracing::warn!(key, lang = self.code(), "missing catalogue key");
            "?"
        })
    }

    /// The text of `key` with each `{name}` replaced by its value.
    pub fn f(self, key: &str, args: &[(&str, &dyn Display)]) -> String {
        fill(self.t(key), args)
    }

    /// A fiscal month as the language writes it ("พ.ย. 2569", "Nov 2026").
    pub fn month(self, fy: FiscalYear, m: FiscalMonth) -> String {
        match self {
            Lang::Th => thai_month_label(fy, m),
            Lang::En => english_month_label(fy, m),
        }
    }
}

/// `text` with each `{name}` of `args` replaced; other braces are left alone.
pub fn fill(text: &str, args: &[(&str, &dyn Display)]) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}').map(|close| (&after[..close], close)) {
            Some((name, close)) if args.iter().any(|(n, _)| *n == name) => {
                let (_, value) = args.iter().find(|(n, _)| *n == name).expect("found");
                out.push_str(&value.to_string());
                rest = &after[close + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The `{name}` placeholders of a text, sorted.
#[cfg(test)]
fn placeholders(text: &str) -> Vec<&str> {
    let mut found: Vec<&str> = text
        .split('{')
        .skip(1)
        .filter_map(|s| s.split_once('}').map(|(name, _)| name))
        .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'))
        .collect();
    found.sort_unstable();
    found.dedup();
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_catalogues_have_the_same_keys_once_each_with_the_same_placeholders() {
        for (name, list) in [("th", th::MESSAGES), ("en", en::MESSAGES)] {
            let mut seen = std::collections::HashSet::new();
            for (k, v) in list {
                assert!(seen.insert(*k), "{name}.rs has {k} twice");
                assert!(!v.trim().is_empty(), "{name}.rs: {k} is empty");
            }
        }
        let (th, en) = (table(Lang::Th), table(Lang::En));
        for k in th.keys() {
            assert!(en.contains_key(k), "en.rs lacks {k}");
        }
        for k in en.keys() {
            assert!(th.contains_key(k), "th.rs lacks {k}");
        }
        for (k, v) in th {
            assert_eq!(placeholders(v), placeholders(en[k]), "{k}: the two languages fill different blanks");
        }
    }

    #[test]
    fn every_key_the_code_names_is_in_the_catalogue_and_every_entry_is_named() {
        let sources = sources(std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/src")));
        let th = table(Lang::Th);
        for (file, text) in &sources {
            for pattern in [".t(\"", ".f(\""] {
                for piece in text.split(pattern).skip(1) {
                    let Some((key, _)) = piece.split_once('"') else { continue };
                    if key.bytes().all(|b| b.is_ascii_alphanumeric() || b"._".contains(&b)) {
                        assert!(th.contains_key(key), "{file} asks for {key:?}, which th.rs and en.rs lack");
                    }
                }
            }
        }
        // A key may also be chosen by a `match` and asked for through a variable:
        // it is named when its literal appears in the code.
        for key in th.keys() {
            let literal = format!("\"{key}\"");
            assert!(
                sources.iter().any(|(_, t)| t.contains(&literal)),
                "{key} is in the catalogues but no code names it"
            );
        }
    }

    /// Every `.rs` file under `dir` but the catalogues themselves.
    fn sources(dir: &std::path::Path) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() && !path.ends_with("i18n") {
                out.extend(sources(&path));
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push((path.display().to_string(), std::fs::read_to_string(&path).unwrap()));
            }
        }
        out
    }

    #[test]
    fn blanks_are_filled_by_name_and_other_braces_stay() {
        assert_eq!(fill("ส่งแล้ว (ฉบับที่ {n}) เมื่อ {at}", &[("n", &2), ("at", &"1 ธ.ค.")]), "ส่งแล้ว (ฉบับที่ 2) เมื่อ 1 ธ.ค.");
        assert_eq!(fill("{x} {unknown} {", &[("x", &"a")]), "a {unknown} {");
        assert_eq!(Lang::En.t("report.action.submit"), "Submit report");
        assert_eq!(Lang::Th.t("report.action.submit"), "ส่งรายงาน");
        assert_eq!(Lang::Th.t("no.such.key"), "?");
    }
}
