"""Regenerates tests/fixtures/lsap_*.json: seeded integer matrices and their
optimal (maximum) assignment totals from scipy.optimize.linear_sum_assignment.

Run once, from the crate root, in a venv with numpy and scipy:
    python scripts/make_fixtures.py
The Rust tests only read the JSON files; Python is not needed to run them.
"""
import json

import numpy as np
import scipy
from scipy.optimize import linear_sum_assignment

CASES = [
    # name, rows, cols, kind
    ("square_5", 5, 5, "wide_range"),
    ("square_23_ties", 23, 23, "small_ints"),
    ("wide_17x40", 17, 40, "sparse_scores"),
    ("tall_45x12", 45, 12, "negative"),
    ("square_60", 60, 60, "sparse_scores"),
    ("wide_50x60_ties", 50, 60, "small_ints"),
]


def make(rng, rows, cols, kind):
    if kind == "wide_range":
        return rng.integers(-1000, 1000, size=(rows, cols))
    if kind == "small_ints":
        return rng.integers(0, 4, size=(rows, cols))
    if kind == "negative":
        return rng.integers(-50, 10, size=(rows, cols))
    # survey-like: 0 = forbidden, else a score 35..100
    m = rng.integers(35, 101, size=(rows, cols))
    m[rng.random((rows, cols)) < 0.6] = 0
    return m


def main():
    rng = np.random.default_rng(20240611)
    for name, rows, cols, kind in CASES:
        m = make(rng, rows, cols, kind).astype(np.int64)
        r, c = linear_sum_assignment(m, maximize=True)
        total = int(m[r, c].sum())
        doc = {
            "name": name,
            "source": f"scipy {scipy.__version__} linear_sum_assignment(maximize=True)",
            "rows": rows,
            "cols": cols,
            "total": total,
            "matrix": m.tolist(),
        }
        with open(f"tests/fixtures/lsap_{name}.json", "w") as f:
            json.dump(doc, f, separators=(",", ":"))
            f.write("\n")
        print(name, rows, cols, total)


if __name__ == "__main__":
    main()
