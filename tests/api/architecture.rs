//! The architecture of docs/ARCHITECTURE.md, held by reading the source: which
//! module may import which, that HTML is built only in views (maud), that no
//! page escapes by hand or slips raw text into a page, and that route handlers
//! stay short. A change that breaks a rule fails here, naming the file and line.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `src`, by its path relative to `src`.
fn files() -> BTreeMap<String, String> {
    fn walk(dir: &Path, base: &Path, out: &mut BTreeMap<String, String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, base, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path.strip_prefix(base).unwrap().to_string_lossy().replace('\\', "/");
                out.insert(rel, std::fs::read_to_string(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(&src(), &src(), &mut out);
    out
}

/// The top-level module a file belongs to: `plans/views.rs` → `plans`, `csv.rs` → `csv`.
fn module_of(file: &str) -> &str {
    file.split('/').next().unwrap().trim_end_matches(".rs")
}

/// The code of a file without its `#[cfg(test)]` module (tests may reach further).
fn code(text: &str) -> &str {
    match text.find("#[cfg(test)]\nmod tests") {
        Some(i) => &text[..i],
        None => text,
    }
}

/// What each module must not reach (crate modules by name, outside crates by
/// their path prefix). From ARCHITECTURE.md's module table.
const FORBIDDEN: &[(&str, &[&str])] = &[
    (
        "domain",
        &["actix_web::", "diesel::", "crate::db", "crate::schema", "crate::http", "crate::views", "crate::pages"],
    ),
    ("config", &["actix_web::", "diesel::"]),
    ("telemetry", &["actix_web::", "diesel::"]),
    ("clock", &["actix_web::", "diesel::", "crate::db"]),
    ("i18n", &["actix_web::", "diesel::", "crate::db", "crate::views"]),
    ("csv", &["actix_web::", "diesel::", "crate::db"]),
    (
        "views",
        &[
            "diesel::",
            "crate::db",
            "crate::schema",
            "crate::monitoring::queries",
            "crate::pages",
            "crate::http::AppState",
        ],
    ),
    (
        "http",
        &[
            "crate::dashboard",
            "crate::pack",
            "crate::reports",
            "crate::plans",
            "crate::pages",
            "crate::views",
            "crate::charts",
        ],
    ),
    ("xlsx", &["crate::db", "crate::schema", "crate::http", "crate::views"]),
    (
        "monitoring",
        &["crate::dashboard", "crate::pack", "crate::charts", "crate::pages", "crate::views", "crate::alerts"],
    ),
    ("delivery", &["crate::alerts", "crate::views", "crate::pages"]),
    ("audit", &["crate::dashboard", "crate::reports", "crate::plans", "crate::pack", "crate::charts"]),
    ("bench", &["actix_web::", "crate::http", "crate::views"]),
    ("demo", &["actix_web::", "crate::http", "crate::views"]),
    ("db", &["crate::http", "crate::views", "crate::routes"]),
    ("error", &["crate::db", "crate::schema", "crate::views"]),
    ("cache", &["crate::views", "crate::pages", "crate::http::AppState"]),
];

#[test]
fn no_module_reaches_what_the_architecture_forbids() {
    let mut broken = Vec::new();
    for (file, text) in files() {
        let module = module_of(&file);
        let Some((_, forbidden)) = FORBIDDEN.iter().find(|(m, _)| *m == module) else { continue };
        for (n, line) in code(&text).lines().enumerate() {
            let line = line.trim_start();
            if line.starts_with("//") {
                continue;
            }
            for f in *forbidden {
                if line.contains(f) {
                    broken.push(format!("src/{file}:{}: {module} must not use {f}: {line}", n + 1));
                }
            }
        }
    }
    // No area reaches back into the application's assembly or the command line.
    for (file, text) in files() {
        if matches!(module_of(&file), "startup" | "cli" | "main" | "lib") {
            continue;
        }
        for (n, line) in code(&text).lines().enumerate() {
            if line.contains("crate::startup") || line.contains("crate::cli") {
                broken.push(format!("src/{file}:{}: only main and cli reach startup or cli: {}", n + 1, line.trim()));
            }
        }
    }
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}

/// Whether a file may write markup as text: views (maud, and `views/figure.rs`
/// splicing the chart's own SVG), and charts, which write SVG.
fn may_write_markup(file: &str) -> bool {
    file.starts_with("views/") || file.ends_with("/views.rs") || file.starts_with("charts/")
}

#[test]
fn html_is_built_in_views_and_escaped_by_construction() {
    let mut broken = Vec::new();
    for (file, text) in files() {
        for (n, line) in code(&text).lines().enumerate() {
            let trimmed = line.trim_start();
            if trimmed.starts_with("//") {
                continue;
            }
            // A tag in a string: `"<p>"`, `format!("<table…`, `"</div>"`.
            let tag = line
                .match_indices("\"<")
                .any(|(i, _)| line[i + 2..].chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '/'));
            if tag && !may_write_markup(&file) {
                broken.push(format!("src/{file}:{}: markup outside views: {}", n + 1, line.trim()));
            }
            for hand_made in ["pages::escape", "views::trusted", "PreEscaped("] {
                let allowed = hand_made == "PreEscaped(" && (file.starts_with("views/") || file == "pack/routes.rs");
                if line.contains(hand_made) && !allowed {
                    broken.push(format!("src/{file}:{}: {hand_made} puts unescaped text in a page", n + 1));
                }
            }
        }
    }
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}

/// The handlers `routes.rs` names: (file, function).
fn handlers() -> Vec<(String, String)> {
    let table = std::fs::read_to_string(src().join("routes.rs")).unwrap();
    let mut out = Vec::new();
    for line in table.lines().filter(|l| l.trim_start().starts_with("rule!(")) {
        let path = line.trim().trim_end_matches(',').trim_end_matches(')').rsplit(", ").next().unwrap().to_string();
        let mut parts: Vec<&str> = path.split("::").collect();
        let function = parts.pop().unwrap().to_string();
        let dir = src().join(parts.join("/"));
        let file = if dir.with_extension("rs").is_file() {
            format!("{}.rs", parts.join("/"))
        } else {
            format!("{}/mod.rs", parts.join("/"))
        };
        out.push((file, function));
    }
    out
}

#[test]
fn every_route_handler_is_at_most_sixty_lines() {
    let files = files();
    let found = handlers();
    assert!(found.len() > 80, "the route table names {} handlers", found.len());
    let mut long = Vec::new();
    for (file, function) in found {
        let text = files.get(&file).unwrap_or_else(|| panic!("routes.rs names {file}, which is not there"));
        let start = text
            .find(&format!("pub async fn {function}("))
            .unwrap_or_else(|| panic!("{file} has no `pub async fn {function}(`"));
        let body = &text[start..];
        let end = body.find("\n}\n").map(|i| i + 2).unwrap_or(body.len());
        let lines = body[..end].lines().count();
        if lines > 60 {
            long.push(format!("src/{file}: {function} is {lines} lines"));
        }
    }
    assert!(long.is_empty(), "split these into smaller functions:\n{}", long.join("\n"));
}
