//! The layering rule, checked: every import points down.
//!
//! Each top-level module of the library (`src/<name>/` or `src/<name>.rs`) has a rank in `LAYERS`. A module may
//! import lower ranks and itself; never a higher rank, nor another module of its own rank (views and outbound, cli
//! and sandbox). An import is any path starting with `crate::` (`use` lines, grouped `use crate::{..}` over several
//! lines, inline paths in expressions and types) and any `super::` chain that climbs out of the file's top-level
//! module. Comments and string literals do not count; `#[cfg(test)]` code does. `src/lib.rs` and `src/main.rs` are
//! exempt. A new top-level module fails this test until it is given a rank here.
//!
//! Why, and what each layer holds: ../shared/ARCHITECTURE.md and the module map in README.md ("How it is built").
//! Std only, so it also runs alone, from the package root:
//! `rustc --edition 2024 --test tests/architecture.rs -o /tmp/arch && /tmp/arch`.
//!
//! Limits: paths are read as tokens, not resolved, so these go unseen: an item reached through a re-export at the
//! crate root (`crate::App` with `pub use context::App` in lib.rs), a path inside a string (`#[serde(with = "..")]`),
//! what a macro expands to, and `#[path]` attributes.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

#[rustfmt::skip]
const LAYERS: &[(&str, u8)] = &[
    ("domain", 0),
    ("views", 1), ("outbound", 1),
    ("context", 2),
    ("flows", 3),
    ("jobs", 4),
    ("inbound", 5),
    ("startup", 6),
    ("cli", 7), ("sandbox", 7),
    ("demo", 8),
];

fn rank(module: &str) -> Option<u8> {
    LAYERS
        .iter()
        .find(|(name, _)| *name == module)
        .map(|&(_, rank)| rank)
}

/// Every layering violation in `files`: (path from the package root, such as `src/flows/mod.rs`, source).
pub fn violations(files: &[(PathBuf, String)]) -> Vec<String> {
    let (mut found, mut unranked) = (Vec::new(), BTreeMap::new());
    for (path, source) in files {
        let Some(module) = module_path(path) else {
            continue;
        };
        let from = module[0].as_str();
        let Some(from_rank) = rank(from) else {
            unranked.entry(from.to_string()).or_insert(path);
            continue;
        };
        for (line, to) in imports(&module, source) {
            // Unranked: either listed as such (first) or an item of the crate root (a macro, a re-export).
            let Some(to_rank) = rank(&to) else { continue };
            if to != from && to_rank >= from_rank {
                let path = path.display();
                found.push(format!(
                    "{path}:{line}: {from} (rank {from_rank}) imports {to} (rank {to_rank})"
                ));
            }
        }
    }
    let hint = "add it to LAYERS in tests/architecture.rs";
    let unranked = unranked.into_iter().map(|(name, path)| {
        format!(
            "{}: top-level module `{name}` has no rank; {hint}",
            path.display()
        )
    });
    unranked.chain(found).collect()
}

/// `src/flows/checkins.rs` is `[flows, checkins]`, `src/flows/mod.rs` is `[flows]`; lib.rs and main.rs: `None`.
fn module_path(path: &Path) -> Option<Vec<String>> {
    let mut parts: Vec<String> = path
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into())
        .collect();
    if parts.first().is_some_and(|p| p == "src") {
        parts.remove(0);
    }
    let file = parts.pop()?;
    let stem = file.strip_suffix(".rs")?;
    if parts.is_empty() && (stem == "lib" || stem == "main") {
        return None;
    }
    if stem != "mod" {
        parts.push(stem.to_string());
    }
    (!parts.is_empty()).then_some(parts)
}

/// (line, top-level module) for each `crate::` path, and each `super::` chain that climbs to the crate root.
fn imports(module: &[String], source: &str) -> Vec<(usize, String)> {
    let toks = tokens(&strip(source));
    let text = |k: usize| toks.get(k).map_or("", |t| t.0.as_str());
    let mut found = Vec::new();
    let mut depth = 0usize;
    let mut inline_mods = Vec::new(); // the brace depth around each open `mod x {`
    for i in 0..toks.len() {
        let starts_path = i == 0 || text(i - 1) != "::";
        match text(i) {
            "{" => depth += 1,
            "}" => {
                depth = depth.saturating_sub(1);
                if inline_mods.last() == Some(&depth) {
                    inline_mods.pop();
                }
            }
            "mod" if text(i + 2) == "{" => inline_mods.push(depth),
            "crate" if starts_path && text(i + 1) == "::" => found.extend(targets(&toks, i + 2)),
            "super" if starts_path => {
                let mut j = i;
                while text(j) == "super" && text(j + 1) == "::" {
                    j += 2;
                }
                let levels = (j - i) / 2;
                if levels > 0 && levels >= module.len() + inline_mods.len() {
                    found.extend(targets(&toks, j));
                }
            }
            _ => {}
        }
    }
    found
}

/// The first segment of the path at `toks[at]`, or of each item of a `{..}` group there.
fn targets(toks: &[(String, usize)], at: usize) -> Vec<(usize, String)> {
    let is_name = |t: &str| t.starts_with(|c: char| c.is_alphabetic() || c == '_') && t != "self";
    let mut found = Vec::new();
    match toks.get(at) {
        Some((t, line)) if is_name(t) => found.push((*line, t.clone())),
        Some((t, _)) if t == "{" => {
            let (mut level, mut at_item) = (0, false);
            for (t, line) in &toks[at..] {
                match t.as_str() {
                    "{" => level += 1,
                    "}" if level == 1 => break,
                    "}" => level -= 1,
                    "," => {}
                    _ if at_item && is_name(t) => found.push((*line, t.clone())),
                    _ => {}
                }
                at_item = level == 1 && (t == "{" || t == ",");
            }
        }
        _ => {}
    }
    found
}

/// `source` with comments, string and char literals blanked out; newlines are kept, so line numbers still hold.
fn strip(source: &str) -> String {
    let c: Vec<char> = source.chars().collect();
    let at = |k: usize| c.get(k).copied().unwrap_or('\0');
    let find = |from: usize, ch: char| (from..c.len()).find(|&k| c[k] == ch).unwrap_or(c.len());
    let mut out = String::with_capacity(source.len());
    let mut i = 0;
    while i < c.len() {
        let after_ident = i > 0 && (c[i - 1].is_alphanumeric() || c[i - 1] == '_');
        let end = match (at(i), at(i + 1), at(i + 2)) {
            ('/', '/', _) => Some(find(i, '\n')),
            ('/', '*', _) => Some(block_comment_end(&c, i)),
            ('"', _, _) => Some(string_end(&c, i + 1)),
            ('\'', '\\', _) => Some(find(i + 3, '\'') + 1), // '\n', '\'', '\u{..}'
            ('\'', _, '\'') => Some(i + 3),                 // 'x'; a lifetime has no closing quote
            _ if !after_ident => raw_string_end(&c, i),
            _ => None,
        };
        let Some(end) = end.map(|end| end.min(c.len())) else {
            out.push(c[i]);
            i += 1;
            continue;
        };
        for &ch in &c[i..end] {
            out.push(if ch == '\n' { ch } else { ' ' });
        }
        i = end;
    }
    out
}

/// Just past a `/* .. */` comment starting at `i`; they nest.
fn block_comment_end(c: &[char], mut i: usize) -> usize {
    let mut nesting = 0;
    while i + 1 < c.len() {
        match (c[i], c[i + 1]) {
            ('/', '*') => nesting += 1,
            ('*', '/') => nesting -= 1,
            _ => {
                i += 1;
                continue;
            }
        }
        i += 2;
        if nesting == 0 {
            return i;
        }
    }
    c.len()
}

/// Just past the closing quote of a string whose contents start at `i`.
fn string_end(c: &[char], mut i: usize) -> usize {
    while i < c.len() && c[i] != '"' {
        i += if c[i] == '\\' { 2 } else { 1 };
    }
    i + 1
}

/// If a raw string (`r".."`, `r#".."#`, `br".."`, `cr".."`) starts at `i`, just past its end.
fn raw_string_end(c: &[char], i: usize) -> Option<usize> {
    let r = i + usize::from(matches!(c.get(i), Some('b' | 'c')));
    let hashes = c.iter().skip(r + 1).take_while(|&&ch| ch == '#').count();
    let open = r + 1 + hashes;
    if c.get(r) != Some(&'r') || c.get(open) != Some(&'"') {
        return None;
    }
    let closing: Vec<char> = std::iter::once('"')
        .chain(std::iter::repeat_n('#', hashes))
        .collect();
    let close = (open + 1..c.len()).find(|&k| c[k..].starts_with(&closing));
    Some(close.map_or(c.len(), |k| k + closing.len()))
}

/// Identifiers (and numbers), `::`, and single punctuation characters, each with its line (from 1).
fn tokens(code: &str) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    let mut line = 1;
    let mut chars = code.chars().peekable();
    while let Some(ch) = chars.next() {
        if ch == '\n' {
            line += 1;
        } else if ch.is_alphanumeric() || ch == '_' {
            let mut word = ch.to_string();
            while let Some(next) = chars.next_if(|&n| n.is_alphanumeric() || n == '_') {
                word.push(next);
            }
            out.push((word, line));
        } else if ch == ':' && chars.next_if_eq(&':').is_some() {
            out.push(("::".to_string(), line));
        } else if !ch.is_whitespace() {
            out.push((ch.to_string(), line));
        }
    }
    out
}

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("read a directory under src/") {
        let path = entry.expect("read a directory entry under src/").path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            found.push(path);
        }
    }
}

#[test]
fn imports_point_down_the_layers() {
    // Cargo always sets CARGO_MANIFEST_DIR; the fallback lets plain rustc run this from the package root.
    let root = Path::new(option_env!("CARGO_MANIFEST_DIR").unwrap_or("."));
    let mut paths = Vec::new();
    rust_files(&root.join("src"), &mut paths);
    paths.sort();
    let mut files = Vec::new();
    for path in paths {
        let source = fs::read_to_string(&path).expect("read a source file under src/");
        let relative = path.strip_prefix(root).expect("a path under the root");
        files.push((relative.to_path_buf(), source));
    }
    let found = violations(&files);
    let (count, list) = (found.len(), found.join("\n"));
    assert!(
        found.is_empty(),
        "{count} layering violations (see tests/architecture.rs):\n{list}"
    );
}

#[cfg(test)]
mod scanner {
    use super::*;

    fn check(files: &[(&str, &str)]) -> Vec<String> {
        let files: Vec<_> = files
            .iter()
            .map(|(p, s)| (PathBuf::from(p), s.to_string()))
            .collect();
        violations(&files)
    }

    #[test]
    fn grouped_use_over_several_lines() {
        let source =
            "use crate::{\n    domain::model::Id,\n    outbound::{store::Store, slack_api},\n};\n";
        let found = check(&[("src/views/home.rs", source)]);
        assert_eq!(
            found,
            ["src/views/home.rs:3: views (rank 1) imports outbound (rank 1)"]
        );
    }

    #[test]
    fn inline_paths_in_types_and_expressions() {
        let source =
            "fn f(app: &crate::context::App) {\n    crate::outbound::store::Store::open(app);\n}\n";
        let found = check(&[("src/domain/schedule.rs", source)]);
        let expected = [
            "src/domain/schedule.rs:1: domain (rank 0) imports context (rank 2)",
            "src/domain/schedule.rs:2: domain (rank 0) imports outbound (rank 1)",
        ];
        assert_eq!(found, expected);
    }

    #[test]
    fn comments_and_literals_are_ignored() {
        let source = r##"//! See [`crate::flows`].
/// Unlike crate::jobs, /* and */ crate::inbound.
/* crate::cli /* nested */ crate::demo */
fn f<'a>(x: &'a str) -> char {
    let _ = ("crate::demo \" crate::jobs", r#"a " crate::jobs"#, b"crate::jobs", br"crate::cli");
    let _ = ('"', '\'', '{', crate::views::text(x));
    'x'
}
"##;
        let found = check(&[("src/domain/model.rs", source)]);
        assert_eq!(
            found,
            ["src/domain/model.rs:6: domain (rank 0) imports views (rank 1)"]
        );
    }

    #[test]
    fn super_is_resolved_against_the_file_module() {
        let found = check(&[
            ("src/views/mod.rs", "use super::context::App;\n"),
            (
                "src/flows/checkins.rs",
                "use super::home;\nuse super::super::jobs::Kind;\n",
            ),
            (
                "src/domain/matching/solver.rs",
                "use super::super::model::Side;\nuse super::super::super::views;\n",
            ),
            (
                "src/cli.rs",
                "pub(super) fn g() {\n    super::sandbox::run()\n}\n",
            ),
        ]);
        let expected = [
            "src/views/mod.rs:1: views (rank 1) imports context (rank 2)",
            "src/flows/checkins.rs:2: flows (rank 3) imports jobs (rank 4)",
            "src/domain/matching/solver.rs:2: domain (rank 0) imports views (rank 1)",
            "src/cli.rs:2: cli (rank 7) imports sandbox (rank 7)",
        ];
        assert_eq!(found, expected);
    }

    #[test]
    fn inline_mod_blocks_add_a_level_until_they_close() {
        let source = "#[cfg(test)]\nmod helpers;\nmod tests {\n    use super::*;\n    \
            use super::super::views::Table;\n    use super::super::super::views::x;\n    \
            mod inner { use super::super::super::Thing; }\n    fn f() { if true {} }\n}\n\
            use super::super::flows::f;\n";
        // Line 5 is domain::views, a submodule of domain that happens to share a layer's name.
        let found = check(&[("src/domain/reports.rs", source)]);
        let expected = [
            "src/domain/reports.rs:6: domain (rank 0) imports views (rank 1)",
            "src/domain/reports.rs:10: domain (rank 0) imports flows (rank 3)",
        ];
        assert_eq!(found, expected);
    }

    #[test]
    fn downward_imports_and_exempt_roots_pass() {
        let found = check(&[
            ("src/lib.rs", "pub mod demo;\nuse crate::demo::x;\n"),
            ("src/main.rs", "fn main() { tandem::demo::run() }\n"),
            (
                "src/flows/home.rs",
                "use crate::{context::App, domain::model, flows::x, views};\n",
            ),
            (
                "src/demo/mod.rs",
                "use crate::{cli, sandbox::Fake, startup::Server, a_macro};\n",
            ),
        ]);
        assert_eq!(found, Vec::<String>::new());
    }

    #[test]
    fn an_unranked_module_must_be_added_to_the_table() {
        let found = check(&[
            ("src/app.rs", "use crate::demo;\n"),
            ("src/telemetry/mod.rs", ""),
        ]);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found[0].starts_with("src/app.rs: top-level module `app` has no rank; add it"));
        assert!(found[1].starts_with("src/telemetry/mod.rs: top-level module `telemetry`"));
    }
}
