#!/usr/bin/env bash
# HTTP throughput, all in one run on loopback, each endpoint verifying the same signed event:
# a bare axum endpoint (reads header and body only), the same doing the floor's work (HMAC verify
# and borrowed parse: the ceiling of any verifying endpoint), stripe-notify's endpoint, Flask + gunicorn
# + stripe-python, Express + stripe-node. Bounded: DURATION seconds per endpoint (default 10).
#
# Needs: wrk (Debian package), and peers set up as ../shared/bench/README.md says, in $PEERS
# (a venv `py` with stripe==16.1.0 flask gunicorn, and `node` with stripe@23.1.0 express).
# Usage: PEERS=/path/to/peers bash bench/http.sh [payload.json]
set -euo pipefail
cd "$(dirname "$0")/.."
payload=${1:-../shared/bench/thin_event.json}
duration=${DURATION:-10}
secret=whsec_test_secret
: "${PEERS:?set PEERS to the folder with the py venv and node modules}"

cargo build --release -q -p stripe-notify --example bench_http --features cli --bin stripe-notify
export BODY_FILE=$(realpath "$payload") SIGNATURE=$(target/release/stripe-notify sign --secret "$secret" < "$payload")
export STRIPE_WEBHOOK_SECRET=$secret

pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
PORT=4243 target/release/examples/bench_http >/dev/null & pids+=($!)
(cd bench && "$PEERS/py/bin/gunicorn" --log-level warning -w 2 -b 127.0.0.1:4244 flask_app:app) & pids+=($!)
NODE_PATH="$PEERS/node/node_modules" PORT=4245 node bench/express_app.js & pids+=($!)
sleep 3

measure() { # name url
  local out rate bad
  out=$(wrk -t2 -c32 -d"${duration}s" -s bench/post.lua "$2")
  rate=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  bad=$(awk '/non-2xx/ {print $2}' <<<"$out")
  printf '%-40s %12s req/s  (non-2xx: %s)\n' "$1" "$rate" "$bad"
}
measure "bare axum (header + body only)" http://127.0.0.1:4243/bare
measure "bare axum + the floor's work" http://127.0.0.1:4243/floor
measure "stripe-notify endpoint" http://127.0.0.1:4243/webhook
measure "Flask + gunicorn (2) + stripe-python" http://127.0.0.1:4244/webhook
measure "Express + stripe-node" http://127.0.0.1:4245/webhook
