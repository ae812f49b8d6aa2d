//! The solver against assignment totals computed once with
//! `scipy.optimize.linear_sum_assignment(maximize=True)` (see
//! `scripts/make_fixtures.py`); no Python is needed to run these.

use std::collections::BTreeSet;
use std::path::Path;

use serde::Deserialize;
use tandem::domain::matching::{DenseMatrix, assignment_total, solve_max};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Fixture {
    name: String,
    #[allow(dead_code)]
    source: String,
    rows: usize,
    cols: usize,
    total: i64,
    matrix: Vec<Vec<i64>>,
}

#[test]
fn solver_matches_scipy_totals() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .expect("fixtures dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    names.sort();
    assert!(names.len() >= 5, "expected at least 5 fixtures");
    for path in names {
        let text = std::fs::read_to_string(&path).expect("read fixture");
        let f: Fixture = serde_json::from_str(&text).expect("parse fixture");
        let m = DenseMatrix::from_rows(&f.matrix).expect("valid matrix");
        assert_eq!((m.rows(), m.cols()), (f.rows, f.cols), "{}", f.name);
        let a = solve_max(&m);
        let cols: Vec<usize> = a.iter().flatten().copied().collect();
        assert_eq!(cols.len(), f.rows.min(f.cols), "{}", f.name);
        assert_eq!(
            cols.iter().collect::<BTreeSet<_>>().len(),
            cols.len(),
            "{}",
            f.name
        );
        assert_eq!(assignment_total(&m, &a), f.total, "{}", f.name);
        // Same optimum on the transpose.
        let t = m.transposed();
        assert_eq!(
            assignment_total(&t, &solve_max(&t)),
            f.total,
            "{} transposed",
            f.name
        );
    }
}
