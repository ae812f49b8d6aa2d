#!/usr/bin/env bash
# Tandem's test command (README, "The two commands"): the whole suite on SQLite; then, when TANDEM_TEST_DATABASE_URL
# names a PostgreSQL server (scripts/pg-test-server.sh start prints one), the store tests and the end-to-end suite
# again on PostgreSQL, each test on a fresh database of that server. Without it the PostgreSQL half is skipped, with
# a line saying so. Extra arguments go to every `cargo test` (e.g. a test name filter).
set -euo pipefail
cd "$(dirname "$0")/.."

case "${1:-}" in
  -h|--help)
    sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
esac

pg_url="${TANDEM_TEST_DATABASE_URL:-}"

echo "== tests on SQLite (cargo test)"
TANDEM_TEST_DATABASE_URL= cargo test "$@"

if [ -z "${pg_url// /}" ]; then
  echo "== tests on PostgreSQL: skipped (TANDEM_TEST_DATABASE_URL is not set; to run them:" \
       "export TANDEM_TEST_DATABASE_URL=\"\$(scripts/pg-test-server.sh start)\")"
  exit 0
fi

echo "== tests on PostgreSQL (the store tests and the end-to-end suite; each test on a fresh database)"
TANDEM_TEST_DATABASE_URL="$pg_url" cargo test --lib "$@"
TANDEM_TEST_DATABASE_URL="$pg_url" cargo test --test e2e "$@"
echo "== tests on PostgreSQL: passed"
