#!/usr/bin/env bash
# Load benchmark for the signed HTTP ingress: `tandem serve` (release build) answering signed `/mentor help`
# slash commands on loopback, with the sandbox's fake Slack behind it. Needs wrk (Debian package `wrk`; installed
# here if missing and apt-get is available).
#
#   scripts/bench-ingress.sh [duration-seconds=20] [connections=10] [threads=2]
#
# Prints requests/second, latency percentiles, idle and loaded memory (RSS) of the tandem process.
# Targets (issue 2): >= 8,000 requests/s and p99 < 5 ms with 10 connections; idle RSS < 15 MB.
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-20}
connections=${2:-10}
threads=${3:-2}

if ! command -v wrk >/dev/null; then
  echo "installing wrk..." >&2
  apt-get update -qq && apt-get install -y -qq wrk >/dev/null
fi

echo "building release binaries..." >&2
cargo build --release --quiet --bin tandem --example fake_slack

work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

target/release/examples/fake_slack >"$work/fake.out" 2>/dev/null &
pids+=($!)
for _ in $(seq 50); do [[ -s $work/fake.out ]] && break; sleep 0.1; done
api_url=$(head -n1 "$work/fake.out")

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
secret="bench-signing-secret"
SLACK_BOT_TOKEN=xoxb-0000-sandbox-bot-token SLACK_SIGNING_SECRET=$secret SLACK_API_URL=$api_url \
  DATABASE_URL="sqlite://$work/bench.db" TANDEM_LISTEN="127.0.0.1:$port" RUST_LOG=warn \
  target/release/tandem serve 2>"$work/tandem.err" &
tandem_pid=$!
pids+=($tandem_pid)
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
sleep 1
idle_rss=$(awk '/VmRSS/ {print $2}' /proc/$tandem_pid/status)

# One pre-signed request body; a signature stays valid for five minutes.
python3 - "$secret" >"$work/help.lua" <<'PY'
import hmac, hashlib, sys, time, urllib.parse
secret = sys.argv[1]
body = urllib.parse.urlencode({
    "token": "x", "team_id": "T0TANDEM", "channel_id": "C0GENERAL", "user_id": "U0BENCH", "user_name": "bench",
    "command": "/mentor", "text": "help", "response_url": "https://hooks.slack.com/commands/T/1/x",
    "trigger_id": "1.2.3",
})
ts = str(int(time.time()))
sig = "v0=" + hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
print(f'''wrk.method = "POST"
wrk.body = "{body}"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["X-Slack-Request-Timestamp"] = "{ts}"
wrk.headers["X-Slack-Signature"] = "{sig}"
local threads = {{}}
function setup(thread) table.insert(threads, thread) end
bad = 0
response = function(status, headers, body)
  if status ~= 200 or not string.find(body, "ephemeral", 1, true) then bad = bad + 1 end
end
done = function(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do total = total + t:get("bad") end
  io.write(string.format("wrong answers (not 200 with the help text): %d of %d\\n", total, summary.requests))
end''')
PY

echo "== wrk -t$threads -c$connections -d${duration}s (tandem pid $tandem_pid, idle RSS ${idle_rss} kB)"
wrk -t"$threads" -c"$connections" -d"${duration}s" --latency -s "$work/help.lua" "http://127.0.0.1:$port/slack/commands" | tee "$work/wrk.out"
loaded_rss=$(awk '/VmRSS/ {print $2}' /proc/$tandem_pid/status)
hwm=$(awk '/VmHWM/ {print $2}' /proc/$tandem_pid/status)
echo
echo "idle RSS:   $((idle_rss / 1024)) MB (${idle_rss} kB)"
echo "after load: $((loaded_rss / 1024)) MB RSS, peak $((hwm / 1024)) MB"
echo "machine:    $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -m)"
