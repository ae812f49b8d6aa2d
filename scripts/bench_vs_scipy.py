"""Times scipy.optimize.linear_sum_assignment(maximize=True) on the score
matrices dumped by `cargo bench --bench matching -- --dump DIR` and checks
that its optimal totals equal Tandem's.

Usage: python scripts/bench_vs_scipy.py DIR [REPEAT]
Each DIR/cohort_N.npy is the exact matrix Tandem's solver saw (rows = the
smaller side, reverse mentors x senior slots or its transpose; 0 = forbidden
or "leave unmatched", > 0 = pair score); DIR/cohort_N.json holds Tandem's
total and best solve time.
"""
import glob
import json
import os
import sys
import time

import numpy as np
import scipy
from scipy.optimize import linear_sum_assignment


def main():
    d = sys.argv[1]
    repeat = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    metas = []
    for path in glob.glob(os.path.join(d, "cohort_*.json")):
        with open(path) as f:
            metas.append((json.load(f), path[: -len(".json")] + ".npy"))
    metas.sort(key=lambda m: m[0]["participants"])
    print(f"scipy {scipy.__version__}, numpy {np.__version__}; best of {repeat} runs each")
    print(f"{'people':>7} {'matrix':>13} {'tandem s':>9} {'scipy s':>9} {'scipy/tandem':>12}  totals")
    ok = True
    for meta, npy in metas:
        m = np.load(npy)
        assert m.shape == (meta["rows"], meta["cols"]), (m.shape, meta)
        mf = m.astype(np.float64)  # scipy works in float64; convert outside the timing
        best = float("inf")
        for _ in range(repeat):
            t = time.perf_counter()
            r, c = linear_sum_assignment(mf, maximize=True)
            best = min(best, time.perf_counter() - t)
        total = int(m[r, c].sum())
        same = total == meta["total"]
        ok &= same
        tandem = meta["solve_seconds"]
        print(
            f"{meta['participants']:>7} {str(m.shape[0]) + 'x' + str(m.shape[1]):>13} "
            f"{tandem:>9.3f} {best:>9.3f} {best / tandem:>12.2f}  "
            f"{'equal' if same else 'DIFFER'} ({total} vs {meta['total']})"
        )
    if not ok:
        sys.exit("totals differ")


if __name__ == "__main__":
    main()
