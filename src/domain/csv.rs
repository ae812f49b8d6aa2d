//! The one CSV writer: the HR exports ([`crate::domain::export`]) and `tandem match --explain-all`
//! ([`crate::domain::matching::explain_all_csv`]) both write through it. And the one reader ([`records`]), for the
//! HR exports `tandem invite --csv` takes in.
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

/// One record read from CSV text, with the line it starts on (1 for the first line), for error messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub line: usize,
    pub cells: Vec<String>,
}

/// Reads CSV text as spreadsheets write it (RFC 4180): comma-separated, CRLF or LF line ends, quoted cells that may
/// hold commas, doubled quotes and line breaks. A UTF-8 byte order mark at the start (Excel's "CSV UTF-8") is
/// skipped; blank lines are skipped (their line numbers still count). Cells are returned as written (not trimmed).
/// A quote left open at the end of the text is an error naming the line where that cell began.
pub fn records(text: &str) -> Result<Vec<Record>, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut out = Vec::new();
    let mut cells: Vec<String> = Vec::new();
    let mut cell = String::new();
    let (mut line, mut record_line, mut quote_line) = (1usize, 1usize, 1usize);
    let (mut in_quotes, mut was_quoted) = (false, false);
    let mut chars = text.chars().peekable();
    // Ends the record being read; a line with nothing on it (not even `""`) is no record.
    let finish = |cells: &mut Vec<String>,
                  cell: &mut String,
                  quoted: bool,
                  at: usize,
                  out: &mut Vec<Record>| {
        cells.push(std::mem::take(cell));
        let row = std::mem::take(cells);
        if quoted || !(row.len() == 1 && row[0].is_empty()) {
            out.push(Record {
                line: at,
                cells: row,
            });
        }
    };
    while let Some(c) = chars.next() {
        if in_quotes {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    cell.push('"');
                }
                '"' => in_quotes = false,
                '\n' => {
                    line += 1;
                    cell.push('\n');
                }
                other => cell.push(other),
            }
            continue;
        }
        match c {
            '"' if cell.is_empty() && !was_quoted => {
                in_quotes = true;
                was_quoted = true;
                quote_line = line;
            }
            ',' => {
                cells.push(std::mem::take(&mut cell));
                was_quoted = false;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => {
                finish(&mut cells, &mut cell, was_quoted, record_line, &mut out);
                was_quoted = false;
                line += 1;
                record_line = line;
            }
            other => cell.push(other),
        }
    }
    if in_quotes {
        return Err(format!(
            "line {quote_line}: a quoted cell is never closed (a \" without its closing \")"
        ));
    }
    if !cell.is_empty() || !cells.is_empty() || was_quoted {
        finish(&mut cells, &mut cell, was_quoted, record_line, &mut out);
    }
    Ok(out)
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

    #[test]
    fn records_are_read_with_the_line_they_start_on() {
        let text = "\u{feff}email,supervisor_email\r\na@firm.com,b@firm.com\r\n\r\n\"Doe, Jane\",\"two\nlines\"\nlast,\"say \"\"hi\"\"\"\n,\n";
        let r = records(text).unwrap();
        let lines: Vec<usize> = r.iter().map(|r| r.line).collect();
        assert_eq!(lines, vec![1, 2, 4, 6, 7]);
        assert_eq!(r[0].cells, vec!["email", "supervisor_email"]);
        assert_eq!(r[2].cells, vec!["Doe, Jane", "two\nlines"]);
        assert_eq!(r[3].cells, vec!["last", "say \"hi\""]);
        assert_eq!(r[4].cells, vec!["", ""], "a row of empty cells is kept");
        assert_eq!(records("a,b").unwrap()[0].cells, vec!["a", "b"]);
        assert_eq!(records("\"\"\n").unwrap()[0].cells, vec![""]);
        assert!(records("").unwrap().is_empty());
        let err = records("x\n\"open,\nstill").unwrap_err();
        assert!(err.starts_with("line 2:"), "{err}");
    }

    #[test]
    fn what_the_writer_writes_the_reader_reads_back() {
        let rows = [
            vec!["id", "name"],
            vec!["1", "Doe, Jane"],
            vec!["2", "two\nlines"],
            vec!["3", " padded "],
        ];
        let mut w = Writer::new();
        for r in &rows {
            w.row(r);
        }
        let back: Vec<Vec<String>> = records(&w.finish())
            .unwrap()
            .into_iter()
            .map(|r| r.cells)
            .collect();
        assert_eq!(
            back,
            rows.map(|r| r.iter().map(|c| c.to_string()).collect::<Vec<_>>())
        );
    }
}
