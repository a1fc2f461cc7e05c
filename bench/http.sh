#!/usr/bin/env bash
# HTTP throughput, all in one run on loopback, each endpoint verifying the same signed event:
# a bare axum endpoint (reads header and body only), the same doing the floor's work (HMAC verify
# and borrowed parse: the ceiling of any verifying endpoint), stripe-notify's endpoint on axum and
# on actix-web, Flask + gunicorn + stripe-python, Express + stripe-node. The Rust endpoints are measured in ROUNDS
# alternating rounds (default 5) and each one's median round is printed, with the ratios: this
# machine drifts by ±10% between minutes, which must weigh on all three alike. Bounded: DURATION
# seconds per measure (default 5); the peers, 30 times slower, are measured once.
#
# Needs: wrk (Debian package), and peers set up as ../shared/bench/README.md says, in $PEERS
# (a venv `py` with stripe==16.1.0 flask gunicorn, and `node` with stripe@23.1.0 express); without
# PEERS the peers are left out.
# Usage: [PEERS=/path/to/peers] bash bench/http.sh [payload.json]
set -euo pipefail
cd "$(dirname "$0")/.."
payload=${1:-../shared/bench/thin_event.json}
duration=${DURATION:-5}
rounds=${ROUNDS:-5}
secret=whsec_test_secret
peers=${PEERS:-}  # without it, the Python and Node peers are left out

cargo build --release -q -p stripe-notify --example bench_http --features cli,actix-web --bin stripe-notify
export BODY_FILE=$(realpath "$payload") SIGNATURE=$(target/release/stripe-notify sign --secret "$secret" < "$payload")
export STRIPE_WEBHOOK_SECRET=$secret

pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
PORT=4243 ACTIX_PORT=4253 target/release/examples/bench_http >/dev/null & pids+=($!)
if [ -n "$peers" ]; then
  (cd bench && "$peers/py/bin/gunicorn" --log-level warning -w 2 -b 127.0.0.1:4244 flask_app:app) & pids+=($!)
  NODE_PATH="$peers/node/node_modules" PORT=4245 node bench/express_app.js & pids+=($!)
fi
sleep 3

rate() { # url: requests/s, after checking that every answer was a 2xx
  local out bad
  out=$(wrk -t2 -c32 -d"${duration}s" -s bench/post.lua "$1")
  bad=$(awk '/non-2xx/ {print $2}' <<<"$out")
  [ "$bad" = 0 ] || { echo "$1: $bad answers were not 2xx" >&2; exit 1; }
  awk '/Requests\/sec/ {print $2}' <<<"$out"
}
median() { sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

routes=(bare floor webhook actix)
url_of() { if [ "$1" = actix ]; then echo http://127.0.0.1:4253/webhook; else echo "http://127.0.0.1:4243/$1"; fi; }
declare -A rates
for _ in $(seq "$rounds"); do
  for route in "${routes[@]}"; do
    rates[$route]+="$(rate "$(url_of "$route")") "
  done
done
for route in "${routes[@]}"; do
  declare "median_$route=$(tr ' ' '\n' <<<"${rates[$route]}" | grep . | median)"
done
printf '%-40s %12.0f req/s  (median of %s rounds: %s)\n' \
  "bare axum (header + body only)" "$median_bare" "$rounds" "${rates[bare]% }" \
  "bare axum + the floor's work" "$median_floor" "$rounds" "${rates[floor]% }" \
  "stripe-notify endpoint (axum)" "$median_webhook" "$rounds" "${rates[webhook]% }" \
  "stripe-notify endpoint (actix-web)" "$median_actix" "$rounds" "${rates[actix]% }"
awk -v w="$median_webhook" -v b="$median_bare" -v f="$median_floor" -v a="$median_actix" \
  'BEGIN {printf "stripe-notify / bare axum: %.2f   stripe-notify / floor endpoint: %.2f   actix-web / axum endpoint: %.2f\n", w / b, w / f, a / w}'
[ -n "$peers" ] || exit 0
printf '%-40s %12.0f req/s\n' \
  "Flask + gunicorn (2) + stripe-python" "$(rate http://127.0.0.1:4244/webhook)" \
  "Express + stripe-node" "$(rate http://127.0.0.1:4245/webhook)"
