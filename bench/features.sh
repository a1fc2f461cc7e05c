#!/usr/bin/env bash
# What each feature of `stripe-notify` costs a user: the crates it brings (normal dependencies,
# stripe-notify included) and a clean dev build of `stripe-notify` with them, each in a target
# folder of its own (nothing shared, nothing cached but the downloaded sources).
# Usage: bash bench/features.sh [feature ...]   (default: each feature alone, then the default set)
set -euo pipefail
cd "$(dirname "$0")/.."
features=("$@")
[ ${#features[@]} -gt 0 ] || features=("" client inbox http axum actix-web lambda inbox-sqlite inbox-postgres async-stripe cli default)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf '%-16s %7s %9s\n' feature crates "build (s)"
for feature in "${features[@]}"; do
  if [ "$feature" = default ]; then args=(); else args=(--no-default-features --features "$feature"); fi
  crates=$(cargo tree -q -p stripe-notify "${args[@]}" -e normal --prefix none | sed 's/ (\*)//' | sort -u | wc -l)
  start=$(date +%s%N)
  # Cargo's default dev profile, as a user's build has it: this workspace's own (no full debug
  # info) applies to its tests alone.
  cargo build -q -p stripe-notify "${args[@]}" --target-dir "$work/$feature-target" \
    --config 'profile.dev.debug=true' --config 'profile.dev.package."*".debug=true'
  seconds=$(( ($(date +%s%N) - start) / 1000000000 ))
  rm -rf "$work/$feature-target"
  printf '%-16s %7s %9s\n' "${feature:-none}" "$crates" "$seconds"
done
