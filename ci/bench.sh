#!/usr/bin/env bash
# bench.sh -- speed figures for the matrix (numbers to read, not pass/fail):
#   setup   ci/setup.sh into an empty cache (Check's source fetched and built
#           for every target; Debian packages already installed are not
#           reinstalled, so apt time is only in a first run on a new machine)
#   cold    the whole matrix from empty build directories
#   warm    the same again with no change
# and the cold run's parallel efficiency: sum of per-configuration seconds /
# (wall x cores). Writes reports/bench.md.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/ci/lib.sh"
cd "$here"

fresh_cache=$(mktemp -d)
t0=$SECONDS
HARNESS_CACHE=$fresh_cache ci/setup.sh >/dev/null
setup_s=$((SECONDS - t0))
rm -rf "$fresh_cache"

ci/setup.sh >/dev/null # the cache the builds use
rm -rf build
t0=$SECONDS
ci/matrix.sh --no-setup >/dev/null || true
cold_s=$((SECONDS - t0))
cold_json=$(cat reports/summary.json)
t0=$SECONDS
ci/matrix.sh --no-setup >/dev/null || true
warm_s=$((SECONDS - t0))

field() { python3 -c 'import json, sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$cold_json" "$1"; }
{
  echo "# Matrix speed, $(date -u +%Y-%m-%d), $(nproc) cores"
  echo
  echo "| measure | seconds |"
  echo "|---|---|"
  echo "| setup into an empty cache (Check for every target) | $setup_s |"
  echo "| cold full matrix ($(field passed) passed, $(field failed) failed, $(field skipped) skipped configurations) | $cold_s |"
  echo "| warm re-run, no change | $warm_s |"
  echo
  echo "Cold run: $(field busy_seconds) configuration-seconds in $(field wall_seconds) s of matrix wall time on $(field cores) cores: parallel efficiency $(field parallel_efficiency)."
} | tee reports/bench.md
