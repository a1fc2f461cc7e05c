#!/usr/bin/env bash
# The inbox's benchmarks, on loopback with a real PostgreSQL server and a SQLite file:
# 1. enqueue on PostgreSQL (verify, parse, insert) beside a bare single-row
#    `INSERT ... ON CONFLICT DO NOTHING` of the same rows, same driver and pool, same durability
#    (the server's synchronous_commit, printed), alternating rounds;
# 2. the endpoint storing into a PostgreSQL inbox under wrk, beside the endpoint handling in the
#    request (no-op callback): requests/s and p50/p99 latency, each request a distinct event,
#    ROUNDS alternating rounds of DURATION seconds (medians);
# 3. end to end: EVENTS events (default 100,000) through 4 workers with a no-op callback
#    (events/s), and the delay from receipt to the callback's start at a steady 500 events/s;
#    on PostgreSQL and on SQLite; on PostgreSQL also with the workers on a second inbox, as on
#    another server that does not store (woken by LISTEN/NOTIFY).
# Bounded: every loop has a fixed count or duration. Needs wrk (Debian package).
# Usage: bash bench/inbox.sh   (STRIPE_NOTIFY_POSTGRES_URL, else .ci/postgres starts one)
set -euo pipefail
cd "$(dirname "$0")/.."
url=${STRIPE_NOTIFY_POSTGRES_URL:-$(bash .ci/postgres)}
duration=${DURATION:-5}
rounds=${ROUNDS:-3}
events=${EVENTS:-100000}
work=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; rm -rf "$work"' EXIT

cargo build --release -q -p stripe-notify --example bench_http --example bench_inbox
bench=target/release/examples/bench_inbox
echo "synchronous_commit: $(psql "$url" -qtAc 'SHOW synchronous_commit')"

echo "== enqueue on PostgreSQL"
$bench enqueue "$url" 8 20000 5

echo "== the endpoint under wrk (2 threads, 32 connections), median of $rounds rounds of ${duration}s"
psql "$url" -qc "DROP SCHEMA IF EXISTS stripe_notify_bench_http CASCADE; CREATE SCHEMA stripe_notify_bench_http"
separator='?'; [[ $url == *\?* ]] && separator='&'
STRIPE_INBOX="$url${separator}options=-csearch_path%3Dstripe_notify_bench_http" \
  STRIPE_WEBHOOK_SECRET=whsec_test_secret PORT=4246 target/release/examples/bench_http >/dev/null & pids+=($!)
sleep 2
measure() { # route tag: "req/s p50 p99"
  $bench requests 200000 "$2" > "$work/requests"
  local out bad
  out=$(REQUESTS="$work/requests" WRK_THREADS=2 wrk -t2 -c32 -d"${duration}s" --latency \
    -s bench/deliveries.lua "http://127.0.0.1:4246/$1")
  bad=$(awk '/non-2xx/ {print $2}' <<<"$out")
  [ "$bad" = 0 ] || { echo "$1: $bad answers were not 2xx" >&2; exit 1; }
  awk '/Requests\/sec/ {r = $2} / 50%/ {p50 = $2} / 99%/ {p99 = $2} END {print r, p50, p99}' <<<"$out"
}
declare -A results
for round in $(seq "$rounds"); do
  for route in webhook inbox; do
    results[$route]+="$(measure "$route" "r${round}_$route")"$'\n'
  done
done
for route in webhook inbox; do
  median=$(grep . <<<"${results[$route]}" | sort -g | awk '{v[NR] = $0} END {print v[int((NR + 1) / 2)]}')
  read -r rate p50 p99 <<<"$median"
  printf '%-44s %8.0f req/s  p50 %s  p99 %s   (rounds: %s)\n' \
    "$([ "$route" = inbox ] && echo "endpoint + PostgreSQL inbox (stores)" || echo "endpoint handling in the request (no-op)")" \
    "$rate" "$p50" "$p99" "$(grep . <<<"${results[$route]}" | awk '{printf "%s ", $1}')"
done

echo "== end to end: $events events through 4 workers; delay at 500 events/s"
$bench drain "$url" "$events" 4
$bench delay "$url" 500 10 4
$bench delay "$url" 500 10 4 apart
$bench drain "sqlite:$work/inbox.sqlite" "$events" 4
$bench delay "sqlite:$work/inbox.sqlite" 500 10 4
