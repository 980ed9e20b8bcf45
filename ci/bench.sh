#!/usr/bin/env bash
# bench.sh -- speed figures for the matrix (numbers to read, not pass/fail):
#   setup   ci/setup.sh into an empty cache (Check's source fetched and built
#           for every target; Debian packages already installed are not
#           reinstalled, so apt time is only in a first run on a new machine)
#   cold    the whole matrix from empty build directories
#   warm    the same again with no change
#   sweep   one 2^32 exhaustive sweep, and each proof configuration's proofs,
#           in CPU seconds, each on its own after the cold run
#   profile where the cold run's CPU goes, by kind of work (process starts,
#           compiler invocations, CBMC's phases, the sweep's inner loop:
#           python3 -m ci.harness profile)
# and the cold run's parallel efficiency: the CPU seconds of every
# configuration's configure, build and test / (matrix wall x cores), with
# where that time went (per configuration and phase, per case family).
# Writes reports/bench.md.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
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
cold_md=$(cat reports/summary.md)
t0=$SECONDS
ci/matrix.sh --no-setup >/dev/null || true
warm_s=$((SECONDS - t0))

# The per-piece goals (docs/speed.md), each measured on its own after the
# cold run, in CPU seconds of the whole process tree: one 2^32 sweep, and
# every proof configuration's proofs (which are never reused).
cpu_of() { python3 -m ci.harness profile --cpu-of "$@"; }
# "met" when a measured "N" (not "N (exit K)") is at most the goal.
within() { python3 -c 'import sys; print("met" if "exit" not in sys.argv[1] and float(sys.argv[1]) <= float(sys.argv[2]) else "NOT met")' "$@"; }
sweep_cpu=$(cpu_of build/host-gcc/cases/cases_saturation 3.14 exhaustive)
proof_rows=""
for dir in build/*/; do
  preset=$(basename "$dir")
  [ -f "$dir/CTestTestfile.cmake" ] || continue
  listed=$(ctest --test-dir "$dir" -N -L '^proof$' 2>/dev/null || true)
  [[ $listed =~ Total\ Tests:\ [1-9] ]] || continue
  goal_s=20
  [ "$preset" = host-gcc ] && goal_s=60
  cpu=$(cpu_of ctest --test-dir "$dir" -L '^proof$' -j "$(nproc)")
  proof_rows+="| the proofs of $preset, CPU | $cpu s | <= $goal_s s: $(within "$cpu" "$goal_s") |"$'\n'
done

measured=(); [[ $sweep_cpu == *exit* ]] || measured=(--sweep-seconds "$sweep_cpu") # not run twice
profile=$(python3 -m ci.harness profile "${measured[@]}" 2>&1 || true)

field() { python3 -c 'import json, sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$cold_json" "$1"; }
goal() { python3 -c 'import sys; v, op, g = float(sys.argv[1]), sys.argv[2], float(sys.argv[3]); print("met" if (v < g if op == "<" else v >= g) else "NOT met")' "$@"; }
{
  echo "# Matrix speed, $(date -u +%Y-%m-%d), $(nproc) cores, head $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
  echo
  echo "| measure | value | goal |"
  echo "|---|---|---|"
  echo "| setup into an empty cache (Check for every target, CPython's headers, the Wine prefix, the i386 root with wine32; packages already installed) | $setup_s s | < 240 s: $(goal "$setup_s" '<' 240) |"
  echo "| cold full matrix, from empty build directories ($(field passed) passed, $(field failed) failed, $(field skipped) skipped configurations) | $cold_s s | < 480 s: $(goal "$cold_s" '<' 480) |"
  echo "| warm re-run, no change | $warm_s s | < 30 s: $(goal "$warm_s" '<' 30) |"
  echo "| one 2^32 exhaustive sweep (3.14 on host-gcc), CPU | $sweep_cpu s | <= 10 s: $(within "$sweep_cpu" 10) |"
  printf '%s' "$proof_rows"
  echo "| parallel efficiency of the cold run: CPU seconds / (matrix wall x cores) | $(field cpu_efficiency) | >= 0.9: $(goal "$(field cpu_efficiency)" '>=' 0.9) |"
  echo
  echo "Cold run: $(field cpu_seconds) CPU seconds in $(field wall_seconds) s of matrix wall time on $(field cores) cores;"
  echo "configuration-seconds (each configuration's own wall time, summed) $(field busy_seconds)."
  echo
  sed -n '/^## Where the time goes$/,/^## /{/^## Model/d;p}' <<<"$cold_md" | sed 's/^## /### /'
  echo
  echo "### Where the CPU goes, by kind of work"
  echo
  echo "$profile"
} | tee reports/bench.md
