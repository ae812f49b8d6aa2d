#!/usr/bin/env bash
# A throw-away PostgreSQL server for tests: start | stop | url. See --help.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: scripts/pg-test-server.sh start|stop|url
       scripts/pg-test-server.sh --help

A throw-away PostgreSQL server for Tandem's tests (issue 15), in its own directory under /tmp. Never for real data:
authentication is off (trust) and so is durability (fsync, synchronous_commit and full_page_writes are off).

  start  Create a fresh server and wait until it accepts connections, then print its URL on stdout:
           postgres://postgres@127.0.0.1:PORT/postgres
         (also written to DIR/url). If this directory's server is already running, print its URL and change
         nothing. A directory left by a server that is no longer running is removed and made again.
  stop   Stop the server and remove its directory (nothing to do if there is none).
  url    Print the running server's URL; fail if it is not running.

The server listens on 127.0.0.1 at a free port and on a unix socket in DIR, with trust authentication on both,
max_connections=300 (parallel tests), the C locale (text sorts by bytes, as in SQLite and Rust) and UTF-8.
When run as root it runs PostgreSQL as the `postgres` OS user (PostgreSQL refuses to run as root); otherwise as
the current user. When PostgreSQL is missing and this runs as root with apt-get, it installs Debian's package:
  apt-get install -y --no-install-recommends postgresql

Typical use:
  export TANDEM_TEST_DATABASE_URL="$(scripts/pg-test-server.sh start)"
  ...
  scripts/pg-test-server.sh stop

Environment:
  TANDEM_PG_DIR   the server's directory (default: /tmp/tandem-pg-test); several may run side by side
  TANDEM_PG_PORT  the TCP port (default: the first free one from 55432)
  TANDEM_PG_BIN   directory of initdb/pg_ctl/postgres (default: the newest /usr/lib/postgresql/*/bin)
EOF
}

dir="${TANDEM_PG_DIR:-/tmp/tandem-pg-test}"
data="${dir}/data"
marker="${dir}/.tandem-pg-test"
log="${dir}/server.log"
url_file="${dir}/url"

say() { echo "pg-test-server: $*" >&2; }
die() {
  say "$*"
  exit 1
}

# Runs a PostgreSQL program as the user that owns the server (`postgres` when we are root).
as_owner() {
  if [[ "$(id -u)" -eq 0 ]]; then
    if command -v runuser >/dev/null 2>&1; then
      runuser -u postgres -- "$@"
    else
      su postgres -s /bin/sh -c "$(printf '%q ' "$@")"
    fi
  else
    "$@"
  fi
}

find_bin() {
  if [[ -n "${TANDEM_PG_BIN:-}" ]]; then
    [[ -x "${TANDEM_PG_BIN}/initdb" ]] || die "TANDEM_PG_BIN=${TANDEM_PG_BIN} has no initdb"
    echo "${TANDEM_PG_BIN}"
    return
  fi
  local found
  found="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5,5n | tail -n 1 || true)"
  if [[ -n "${found}" && -x "${found}/initdb" ]]; then
    echo "${found}"
  fi
}

ensure_installed() {
  local bin
  bin="$(find_bin)"
  if [[ -z "${bin}" ]]; then
    if [[ "$(id -u)" -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
      say "PostgreSQL is not installed: installing Debian's postgresql package"
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq >&2
      apt-get install -y -qq --no-install-recommends postgresql >&2
      bin="$(find_bin)"
    fi
    [[ -n "${bin}" ]] || die "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb); on Debian or Ubuntu: sudo apt-get install --no-install-recommends postgresql, or set TANDEM_PG_BIN"
  fi
  if [[ "$(id -u)" -eq 0 ]] && ! id postgres >/dev/null 2>&1; then
    die "running as root, but there is no 'postgres' OS user to run the server as (Debian's postgresql package creates it)"
  fi
  echo "${bin}"
}

# 0 when this directory's server is running and answering.
running() {
  [[ -f "${marker}" && -f "${url_file}" && -f "${data}/postmaster.pid" ]] || return 1
  local bin port
  bin="$(find_bin)"
  [[ -n "${bin}" ]] || return 1
  as_owner "${bin}/pg_ctl" status -D "${data}" >/dev/null 2>&1 || return 1
  port="$(cat "${dir}/port" 2>/dev/null || true)"
  [[ -n "${port}" ]] || return 1
  "${bin}/pg_isready" -q -h 127.0.0.1 -p "${port}" -U postgres -d postgres
}

port_free() {
  # Something answers on the port: taken. (A refused connection means free.)
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

stop_server() {
  if [[ ! -e "${dir}" ]]; then
    say "no server in ${dir}: nothing to stop"
    return 0
  fi
  [[ -f "${marker}" ]] || die "${dir} exists but was not made by this script (no ${marker}); not touching it"
  local bin
  bin="$(find_bin)"
  if [[ -n "${bin}" && -f "${data}/postmaster.pid" ]]; then
    if ! as_owner "${bin}/pg_ctl" stop -D "${data}" -m fast -w -t 30 >/dev/null 2>&1; then
      as_owner "${bin}/pg_ctl" stop -D "${data}" -m immediate -w -t 30 >/dev/null 2>&1 || true
    fi
  fi
  if [[ -f "${data}/postmaster.pid" ]] && [[ -n "${bin}" ]] && as_owner "${bin}/pg_ctl" status -D "${data}" >/dev/null 2>&1; then
    die "the server in ${data} would not stop; see ${log}"
  fi
  rm -rf -- "${dir}"
  say "stopped; removed ${dir}"
}

start_server() {
  if running; then
    say "already running in ${dir}"
    cat "${url_file}"
    return 0
  fi
  if [[ -e "${dir}" ]]; then
    [[ -f "${marker}" ]] || die "${dir} exists but was not made by this script (no ${marker}); not touching it (set TANDEM_PG_DIR)"
    say "removing ${dir}, left by a server that is not running"
    stop_server 2>/dev/null
  fi

  if [[ -n "${TANDEM_PG_PORT:-}" ]]; then
    port_free "${TANDEM_PG_PORT}" || die "TANDEM_PG_PORT=${TANDEM_PG_PORT} is taken"
  fi
  local bin
  bin="$(ensure_installed)"

  mkdir -p -- "${dir}"
  touch "${marker}"
  chmod 755 "${dir}"
  if [[ "$(id -u)" -eq 0 ]]; then
    chown -R postgres: "${dir}"
  fi

  if ! as_owner "${bin}/initdb" -D "${data}" -U postgres -A trust -E UTF8 --no-locale --no-sync \
    >"${dir}/initdb.log" 2>&1; then
    cat "${dir}/initdb.log" >&2
    die "initdb failed (output above)"
  fi
  as_owner sh -c "cat > '${data}/pg_hba.conf'" <<'EOF'
# Throw-away test server (scripts/pg-test-server.sh): anyone on this machine may connect, as any user.
local   all   all                 trust
host    all   all   127.0.0.1/32  trust
EOF

  local port="" candidate attempt
  for attempt in $(seq 0 99); do
    if [[ -n "${TANDEM_PG_PORT:-}" ]]; then
      candidate="${TANDEM_PG_PORT}"
      port_free "${candidate}" || die "TANDEM_PG_PORT=${candidate} is taken"
    else
      candidate=$((55432 + attempt))
      port_free "${candidate}" || continue
    fi
    as_owner sh -c "cat > '${data}/conf.d.tandem.conf'" <<EOF
# scripts/pg-test-server.sh: a throw-away server for tests. Never for real data.
listen_addresses = '127.0.0.1'
port = ${candidate}
unix_socket_directories = '${dir}'
max_connections = 300
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
    if ! grep -q "^include_if_exists = 'conf.d.tandem.conf'" "${data}/postgresql.conf"; then
      as_owner sh -c "echo \"include_if_exists = 'conf.d.tandem.conf'\" >> '${data}/postgresql.conf'"
    fi
    if as_owner "${bin}/pg_ctl" start -D "${data}" -l "${log}" -w -t 60 >/dev/null 2>&1; then
      port="${candidate}"
      break
    fi
    if [[ -z "${TANDEM_PG_PORT:-}" ]] && grep -q "could not bind\|Address already in use" "${log}" 2>/dev/null; then
      continue # someone took the port meanwhile: try the next one
    fi
    tail -n 20 "${log}" >&2 || true
    die "PostgreSQL did not start (log above, in ${log})"
  done
  [[ -n "${port}" ]] || die "no free port between 55432 and 55531 (set TANDEM_PG_PORT)"

  local i
  for i in $(seq 1 60); do
    if "${bin}/pg_isready" -q -h 127.0.0.1 -p "${port}" -U postgres -d postgres; then
      break
    fi
    [[ "${i}" -lt 60 ]] || die "PostgreSQL started but does not accept connections on 127.0.0.1:${port} (see ${log})"
    sleep 0.5
  done

  local url="postgres://postgres@127.0.0.1:${port}/postgres" stop_hint=""
  [[ -z "${TANDEM_PG_DIR:-}" ]] || stop_hint="TANDEM_PG_DIR=${dir} "
  echo "${port}" >"${dir}/port"
  echo "${url}" >"${url_file}"
  say "PostgreSQL $("${bin}/postgres" --version | awk '{print $3}') running in ${dir} (socket in that directory, port ${port}); stop it with: ${stop_hint}scripts/pg-test-server.sh stop"
  echo "${url}"
}

case "${1:-}" in
  start) start_server ;;
  stop) stop_server ;;
  url)
    if running; then
      cat "${url_file}"
    else
      die "no server running in ${dir}; start one with: scripts/pg-test-server.sh start"
    fi
    ;;
  -h | --help | help) usage ;;
  "")
    usage >&2
    exit 2
    ;;
  *)
    say "unknown command: $1"
    usage >&2
    exit 2
    ;;
esac
