#!/usr/bin/env bash
# Compares Tandem's assignment solver with scipy on the same score matrices.
#   scripts/bench_vs_scipy.sh                 # sizes 500,2000,5000
#   SIZES=500,2000,5000,20000 scripts/bench_vs_scipy.sh
# Creates a venv under target/ (never system-wide) with numpy and scipy.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES="${SIZES:-500,2000,5000}"
REPEAT="${REPEAT:-3}"
DIR="${DUMP_DIR:-target/bench-dump}"
VENV="${VENV:-target/bench-venv}"

rm -rf "$DIR"
cargo bench --bench matching -- --sizes "$SIZES" --repeat "$REPEAT" --dump "$DIR"
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
"$VENV/bin/pip" install --quiet --disable-pip-version-check numpy scipy
"$VENV/bin/python" scripts/bench_vs_scipy.py "$DIR" "$REPEAT"
