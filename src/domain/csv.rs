//! The one CSV writer: the HR exports ([`crate::domain::export`]) and `tandem match --explain-all`
//! ([`crate::domain::matching::explain_all_csv`]) both write through it.
//!
//! Guarantees: RFC 4180 text, CRLF after every row (the header included). Every cell passes the one formula guard
//! ([`guard`]): a cell starting with `=`, `+`, `-`, `@`, tab or CR gets a leading `'`, so spreadsheets do not run it
//! as a formula. A cell holding a comma, quote, CR or LF, or starting or ending with a space, is then quoted (inner
//! quotes doubled), so readers that trim unquoted fields keep the spaces.

use std::borrow::Cow;

/// Prefixes `'` to a cell a spreadsheet would read as a formula (starting with `=`, `+`, `-`, `@`, tab or CR).
pub fn guard(raw: &str) -> Cow<'_, str> {
    if raw.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{raw}"))
    } else {
        Cow::Borrowed(raw)
    }
}

/// One cell as written: [`guard`]ed, then quoted when needed.
pub fn cell(raw: &str) -> String {
    let guarded = guard(raw);
    let needs_quotes = guarded.contains([',', '"', '\r', '\n'])
        || guarded.starts_with(' ')
        || guarded.ends_with(' ');
    if needs_quotes {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded.into_owned()
    }
}

/// Builds CSV text a row at a time.
#[derive(Debug, Default)]
pub struct Writer {
    out: String,
}

impl Writer {
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends one row: each cell through [`cell`], joined by commas, ended by CRLF.
    pub fn row(&mut self, cells: &[&str]) {
        for (i, c) in cells.iter().enumerate() {
            if i > 0 {
                self.out.push(',');
            }
            self.out.push_str(&cell(c));
        }
        self.out.push_str("\r\n");
    }

    /// The text written so far.
    pub fn finish(self) -> String {
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_quoted_and_guarded() {
        assert_eq!(cell("plain"), "plain");
        assert_eq!(cell(""), "");
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("two\nlines"), "\"two\nlines\"");
        assert_eq!(cell(" padded "), "\" padded \"");
        assert_eq!(cell("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(cell("=1,2"), "\"'=1,2\"");
        for bad in ["=HYPERLINK(\"x\")", "+1", "-1+2", "@SUM(A1)", "\tx", "\rx"] {
            let c = cell(bad);
            let inner = c.trim_start_matches('"');
            assert!(inner.starts_with('\''), "{bad:?} → {c:?}");
        }
        assert_eq!(guard("12"), "12");
    }

    #[test]
    fn rows_end_with_crlf() {
        let mut w = Writer::new();
        w.row(&["id", "name"]);
        w.row(&["1", "Doe, Jane"]);
        assert_eq!(w.finish(), "id,name\r\n1,\"Doe, Jane\"\r\n");
    }
}
