//! Rectangular linear sum assignment (maximisation), dense, exact on
//! integers.
//!
//! The algorithm is the shortest-augmenting-path method (Jonker–Volgenant
//! style, as used by `scipy.optimize.linear_sum_assignment`): rows are
//! inserted one by one; for each, a Dijkstra search over reduced costs finds
//! the cheapest alternating path to a free column, then the column
//! potentials are updated so reduced costs stay non-negative. Free columns
//! keep potential 0 throughout, which is what makes the rectangular case
//! (fewer rows than columns) optimal. `O(rows² · cols)` worst case, usually
//! far less.
//!
//! Ties are broken deterministically: among columns at the same distance a
//! free column is preferred, then the lowest index.

use std::fmt;

/// Largest absolute matrix entry accepted (2^40); keeps every path length
/// far away from `i64` overflow.
pub const MAX_ABS_ENTRY: i64 = 1 << 40;

/// A dense row-major matrix of integers up to ±2^40. Entries are kept in 32 bits while they all fit (the big-firm
/// bench's cohort matrix, 1.6 million entries, is then 6.4 MB rather than 12.9) and the solver reads them where they
/// are, without a working copy.
#[derive(Debug, Clone)]
pub struct DenseMatrix {
    rows: usize,
    cols: usize,
    data: Entries,
}

/// A matrix's entries: 32-bit while every entry fits, else 64-bit.
#[derive(Debug, Clone)]
enum Entries {
    Narrow(Vec<i32>),
    Wide(Vec<i64>),
}

impl Entries {
    /// `data` in 32 bits if every entry fits.
    fn of(data: Vec<i64>) -> Entries {
        if data.iter().all(|&x| i32::try_from(x).is_ok()) {
            Entries::Narrow(data.into_iter().map(|x| x as i32).collect())
        } else {
            Entries::Wide(data)
        }
    }

    fn get(&self, k: usize) -> i64 {
        match self {
            Entries::Narrow(d) => i64::from(d[k]),
            Entries::Wide(d) => d[k],
        }
    }

    fn len(&self) -> usize {
        match self {
            Entries::Narrow(d) => d.len(),
            Entries::Wide(d) => d.len(),
        }
    }

    /// The entries in 64 bits, from now on.
    fn widen(&mut self) -> &mut Vec<i64> {
        if let Entries::Narrow(d) = self {
            *self = Entries::Wide(d.iter().map(|&x| i64::from(x)).collect());
        }
        match self {
            Entries::Wide(d) => d,
            Entries::Narrow(_) => unreachable!("widened above"),
        }
    }
}

impl PartialEq for DenseMatrix {
    /// Equal shape and entries, however they are stored.
    fn eq(&self, other: &Self) -> bool {
        self.rows == other.rows
            && self.cols == other.cols
            && (0..self.data.len()).all(|k| self.data.get(k) == other.data.get(k))
    }
}

impl Eq for DenseMatrix {}

/// Why a matrix was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MatrixError {
    /// Rows of different lengths.
    Ragged {
        /// Index of the first row whose length differs from row 0.
        row: usize,
        /// Its length.
        len: usize,
        /// Length of row 0.
        expected: usize,
    },
    /// `data.len() != rows * cols`.
    WrongLength {
        /// Expected `rows * cols`.
        expected: usize,
        /// Actual length.
        actual: usize,
    },
    /// An entry's absolute value exceeds [`MAX_ABS_ENTRY`].
    EntryTooLarge {
        /// Row of the entry.
        row: usize,
        /// Column of the entry.
        col: usize,
    },
}

impl fmt::Display for MatrixError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MatrixError::Ragged { row, len, expected } => {
                write!(f, "row {row} has {len} entries, row 0 has {expected}")
            }
            MatrixError::WrongLength { expected, actual } => {
                write!(f, "expected {expected} entries, got {actual}")
            }
            MatrixError::EntryTooLarge { row, col } => {
                write!(f, "entry ({row}, {col}) exceeds ±2^40 in absolute value")
            }
        }
    }
}

impl std::error::Error for MatrixError {}

impl DenseMatrix {
    /// A `rows × cols` matrix filled with `value` (clamped to ±2^40).
    pub fn filled(rows: usize, cols: usize, value: i64) -> Self {
        let v = value.clamp(-MAX_ABS_ENTRY, MAX_ABS_ENTRY);
        DenseMatrix {
            rows,
            cols,
            data: match i32::try_from(v) {
                Ok(v) => Entries::Narrow(vec![v; rows * cols]),
                Err(_) => Entries::Wide(vec![v; rows * cols]),
            },
        }
    }

    /// From row-major data.
    pub fn from_vec(rows: usize, cols: usize, data: Vec<i64>) -> Result<Self, MatrixError> {
        if rows.checked_mul(cols) != Some(data.len()) {
            return Err(MatrixError::WrongLength {
                expected: rows.saturating_mul(cols),
                actual: data.len(),
            });
        }
        if let Some(k) = data
            .iter()
            .position(|x| x.unsigned_abs() > MAX_ABS_ENTRY as u64)
        {
            return Err(MatrixError::EntryTooLarge {
                row: k / cols.max(1),
                col: k % cols.max(1),
            });
        }
        Ok(DenseMatrix {
            rows,
            cols,
            data: Entries::of(data),
        })
    }

    /// From a slice of equally long rows.
    pub fn from_rows(rows: &[Vec<i64>]) -> Result<Self, MatrixError> {
        let cols = rows.first().map_or(0, Vec::len);
        if let Some((row, r)) = rows.iter().enumerate().find(|(_, r)| r.len() != cols) {
            return Err(MatrixError::Ragged {
                row,
                len: r.len(),
                expected: cols,
            });
        }
        let data = rows.iter().flatten().copied().collect();
        Self::from_vec(rows.len(), cols, data)
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Number of columns.
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// Entry `(r, c)`. Panics if out of range.
    pub fn get(&self, r: usize, c: usize) -> i64 {
        self.data.get(r * self.cols + c)
    }

    /// Sets entry `(r, c)` (clamped to ±2^40). Panics if out of range.
    pub fn set(&mut self, r: usize, c: usize, value: i64) {
        let v = value.clamp(-MAX_ABS_ENTRY, MAX_ABS_ENTRY);
        let k = r * self.cols + c;
        match (&mut self.data, i32::try_from(v)) {
            (Entries::Narrow(d), Ok(v)) => d[k] = v,
            (data, _) => data.widen()[k] = v,
        }
    }

    /// Row `r`.
    pub fn row(&self, r: usize) -> Vec<i64> {
        (0..self.cols).map(|c| self.get(r, c)).collect()
    }

    /// Sets row `r` to `values` (`cols` of them; the caller keeps them within ±2^40).
    pub(super) fn set_row(&mut self, r: usize, values: &[i64]) {
        let range = r * self.cols..(r + 1) * self.cols;
        if let Entries::Narrow(d) = &mut self.data {
            let row = &mut d[range.clone()];
            if values.iter().all(|&x| i32::try_from(x).is_ok()) {
                for (cell, &x) in row.iter_mut().zip(values) {
                    *cell = x as i32;
                }
                return;
            }
        }
        self.data.widen()[range].copy_from_slice(values);
    }

    /// Copies row `from` over row `to`.
    pub(super) fn copy_row(&mut self, from: usize, to: usize) {
        let c = self.cols;
        match &mut self.data {
            Entries::Narrow(d) => d.copy_within(from * c..(from + 1) * c, to * c),
            Entries::Wide(d) => d.copy_within(from * c..(from + 1) * c, to * c),
        }
    }

    /// Row-major entries.
    pub fn to_vec(&self) -> Vec<i64> {
        (0..self.data.len()).map(|k| self.data.get(k)).collect()
    }

    /// Bytes per entry as stored: 4 while every entry fits in 32 bits, else 8.
    pub fn entry_bytes(&self) -> usize {
        match self.data {
            Entries::Narrow(_) => 4,
            Entries::Wide(_) => 8,
        }
    }

    /// The transpose.
    pub fn transposed(&self) -> DenseMatrix {
        let mut data = vec![0; self.data.len()];
        for r in 0..self.rows {
            for c in 0..self.cols {
                data[c * self.rows + r] = self.get(r, c);
            }
        }
        DenseMatrix {
            rows: self.cols,
            cols: self.rows,
            data: Entries::of(data),
        }
    }
}

/// Solves the rectangular assignment problem, maximising the sum of the
/// chosen entries. Returns, for each row, the column assigned to it.
///
/// Exactly `min(rows, cols)` rows are assigned, each to a distinct column
/// (a row gets `None` only when there are more rows than columns). To allow
/// "leave unmatched", encode non-edges as 0 and keep real edges positive,
/// then drop assignments on non-edges afterwards (this is what
/// [`propose`](fn@super::propose) does).
pub fn solve_max(m: &DenseMatrix) -> Vec<Option<usize>> {
    if m.rows <= m.cols {
        sap_max(m)
    } else {
        let t = m.transposed();
        let col_for_row = sap_max(&t);
        let mut out = vec![None; m.rows];
        for (c, r) in col_for_row.into_iter().enumerate() {
            if let Some(r) = r {
                out[r] = Some(c);
            }
        }
        out
    }
}

/// Convenience wrapper over [`solve_max`] for a slice of rows.
pub fn solve_max_rows(rows: &[Vec<i64>]) -> Result<Vec<Option<usize>>, MatrixError> {
    DenseMatrix::from_rows(rows).map(|m| solve_max(&m))
}

/// Sum of the entries picked by an assignment (as returned by
/// [`solve_max`]).
pub fn assignment_total(m: &DenseMatrix, assignment: &[Option<usize>]) -> i64 {
    assignment
        .iter()
        .enumerate()
        .filter_map(|(r, c)| c.map(|c| m.get(r, c)))
        .sum()
}

const NONE: u32 = u32::MAX;

/// Largest entry, in absolute value, solved with 32-bit arithmetic. The search reads entries as costs `hi - x`
/// (see [`sap_max`]); with every entry within ±`I32_RANGE`, costs lie in `[0, 2·range]` and every value the search
/// handles stays within `±8·range`, so keys of `2·dist + 1` fit comfortably in `i32`.
const I32_RANGE: i64 = 1 << 25;

/// Shortest augmenting path for `rows <= cols`, maximising: the search minimises the costs `hi - x` (non-negative,
/// `hi` the largest entry), read from the entries where they are stored.
fn sap_max(m: &DenseMatrix) -> Vec<Option<usize>> {
    let (n, nc) = (m.rows, m.cols);
    debug_assert!(n <= nc);
    if n == 0 {
        return Vec::new();
    }
    let col4row = match &m.data {
        Entries::Narrow(d) => {
            let hi = d.iter().copied().max().unwrap_or(0);
            let lo = d.iter().copied().min().unwrap_or(0);
            if i64::from(lo) >= -I32_RANGE && i64::from(hi) <= I32_RANGE {
                sap(d, hi, n, nc)
            } else {
                let wide: Vec<i64> = d.iter().map(|&x| i64::from(x)).collect();
                sap(&wide, i64::from(hi), n, nc)
            }
        }
        Entries::Wide(d) => sap(d, d.iter().copied().max().unwrap_or(0), n, nc),
    };
    col4row
        .into_iter()
        .map(|c| (c != NONE).then_some(c as usize))
        .collect()
}

/// Integer type the search runs on.
trait Num:
    Copy
    + Ord
    + std::ops::Add<Output = Self>
    + std::ops::Sub<Output = Self>
    + std::ops::BitOr<Output = Self>
    + std::ops::Shl<u32, Output = Self>
{
    const ZERO: Self;
    const ONE: Self;
    const MAX: Self;
}

impl Num for i32 {
    const ZERO: Self = 0;
    const ONE: Self = 1;
    const MAX: Self = i32::MAX;
}

impl Num for i64 {
    const ZERO: Self = 0;
    const ONE: Self = 1;
    const MAX: Self = i64::MAX;
}

/// Lanes per chunk of the relaxation loop (lets the compiler vectorise the
/// chunk and keep the arg-min bookkeeping out of the hot path).
const LANES: usize = 16;

/// Relaxes every column from a row of entries and returns the arg-min of the
/// column keys.
///
/// For each column `k`, with cost `hi - row[k]` and `hh = h + hi`:
/// `nd = h + cost - v[k] = hh - row[k] - v[k]`; if `nd < dist[k]`, take it
/// with predecessor `r`. The key of a column is `2·dist + tag` where `tag`
/// is 0 for a free column, 1 for an assigned one and `MAX` for a settled
/// one (so `key == MAX`): the minimum key is the nearest column, free ones
/// first, lowest index first. Settled columns are never updated because
/// `nd >= lowest >= dist[k]` for them.
#[inline(always)]
fn relax<T: Num>(
    row: &[T],
    hh: T,
    r: u32,
    v: &[T],
    tag: &[T],
    dist: &mut [T],
    pred: &mut [u32],
) -> (T, usize) {
    let mut best = T::MAX;
    let mut best_j = usize::MAX;
    let chunks = row
        .chunks_exact(LANES)
        .zip(v.chunks_exact(LANES))
        .zip(tag.chunks_exact(LANES))
        .zip(dist.chunks_exact_mut(LANES))
        .zip(pred.chunks_exact_mut(LANES));
    let mut base = 0;
    for ((((rc, vc), tc), dc), pc) in chunks {
        let mut keys = [T::MAX; LANES];
        for i in 0..LANES {
            let nd = hh - rc[i] - vc[i];
            let old = dc[i];
            // Branch-free so the chunk vectorises.
            let mask = u32::from(nd < old).wrapping_neg();
            let d = nd.min(old);
            dc[i] = d;
            pc[i] = (r & mask) | (pc[i] & !mask);
            keys[i] = (d << 1) | tc[i];
        }
        let mut m = T::MAX;
        for &k in &keys {
            m = if k < m { k } else { m };
        }
        if m < best {
            best = m;
            best_j = base + keys.iter().position(|&k| k == m).unwrap_or(0);
        }
        base += LANES;
    }
    for k in base..row.len() {
        let nd = hh - row[k] - v[k];
        if nd < dist[k] {
            dist[k] = nd;
            pred[k] = r;
        }
        let key = (dist[k] << 1) | tag[k];
        if key < best {
            best = key;
            best_j = k;
        }
    }
    (best, best_j)
}

/// The search on the costs `hi - x` of the entries `x` (`hi` the largest; costs in `[0, R]`), `n <= nc`.
///
/// Invariants (min-cost form, duals `u` for rows, `v` for columns):
/// `u_i + v_j <= c_ij`, equality on assigned pairs; free columns have
/// `v = 0`, others `v <= 0`. Hence for assigned rows `u_i ∈ [0, R]` (a free
/// column always exists while rows are inserted) and `v_j ∈ [-R, 0]`; every
/// distance lies in `[0, 3R]`.
fn sap<T: Num>(values: &[T], hi: T, n: usize, nc: usize) -> Vec<u32> {
    let mut v = vec![T::ZERO; nc];
    let mut tag = vec![T::ZERO; nc];
    let mut row4col = vec![NONE; nc];
    let mut col4row = vec![NONE; n];
    let mut dist = vec![T::ZERO; nc];
    let mut pred = vec![0u32; nc];
    let mut scanned: Vec<usize> = Vec::new();

    for cur in 0..n {
        scanned.clear();
        // Distances straight from `cur` (its dual is implicitly 0): with
        // dist = MAX everywhere, relaxing with h = 0 takes every column.
        dist.fill(T::MAX);
        let row = &values[cur * nc..(cur + 1) * nc];
        let (mut best, mut best_j) = relax(row, hi, cur as u32, &v, &tag, &mut dist, &mut pred);
        let (sink, lowest) = loop {
            debug_assert!(best < T::MAX, "a free column always exists");
            let j = best_j;
            let dj = dist[j];
            let free = tag[j] == T::ZERO;
            tag[j] = T::MAX;
            scanned.push(j);
            if free {
                break (j, dj);
            }
            // Extend the tree through the row holding column j:
            // u_r = c[r][j] - v[j]; new distance = dj + c[r][k] - v[k] - u_r, with c = hi - x, so
            // h = dj - u_r and hh = h + hi = dj + x[r][j] + v[j].
            let r = row4col[j] as usize;
            let row = &values[r * nc..(r + 1) * nc];
            let hh = dj + row[j] + v[j];
            (best, best_j) = relax(row, hh, r as u32, &v, &tag, &mut dist, &mut pred);
        };
        // Potentials of settled columns; all of them are assigned from now on.
        for &j in &scanned {
            v[j] = v[j] + dist[j] - lowest;
            tag[j] = T::ONE;
        }
        // Augment along the predecessor chain.
        let mut j = sink;
        loop {
            let i = pred[j] as usize;
            row4col[j] = i as u32;
            let prev = col4row[i];
            col4row[i] = j as u32;
            if i == cur {
                break;
            }
            j = prev as usize;
        }
    }
    col4row
}
