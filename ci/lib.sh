# shellcheck shell=bash
# Shared helpers for the ci/ scripts (sourced, not run).
say() { printf '%s\n' "$*"; }
die() { printf '%s\n' "$*" >&2; exit 2; }
# Debian's own interpreter, where Debian's python3-* packages are (pytest,
# coverage): python3 on PATH may be another (pyenv's).
export DEBIAN_PYTHON=/usr/bin/python3
harness_cache() { local c="${HARNESS_CACHE:-$here/.cache}"; mkdir -p "$c"; (cd "$c" && pwd); }
# The orchestration (ci/harness) is Python: a bare Debian container has no
# Python yet, so the scripts that start it install it first.
need_python3() {
  command -v python3 >/dev/null && return 0
  [ "$(id -u)" = 0 ] || die "harness: python3 is needed (install Debian's python3)"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 >/dev/null; } ||
    die "harness: python3 could not be installed"
}
host_quadrant() { python3 "$here/ci/tables.py" host-quadrant; }
# matrix_totals REPORTS: "passed failed skipped retried" tests of the last
# matrix run, from its summary.json.
matrix_totals() {
  [ -f "$1/summary.json" ] || { echo "matrix: no summary.json in $1" >&2; return 1; }
  python3 -c 'import json, sys; t = json.load(open(sys.argv[1]))["tests"]
print(t["passed"], t["failed"], t["skipped"], t.get("retried", 0))' "$1/summary.json"
}
