# shellcheck shell=bash
# Shared helpers for the ci/ scripts (sourced, not run).
say() { printf '%s\n' "$*"; }
die() { printf '%s\n' "$*" >&2; exit 2; }
# setup_shortfall WHAT: something the matrix can do without, at the price of
# skips (the CBMC root, the i386 root, a binding's package): a warning, but
# an error in CI (CI=true), where every skip it would cause is a broken
# setup, not a choice.
setup_shortfall() {
  if [ "${CI:-}" = true ]; then die "setup: $1 (CI=true: an error)"; fi
  say "setup: WARNING: $1"
}
# Debian's own interpreter, where Debian's python3-* packages are (pytest,
# coverage): python3 on PATH may be another (pyenv's).
export DEBIAN_PYTHON=/usr/bin/python3
harness_cache() { local c="${HARNESS_CACHE:-$here/.cache}"; mkdir -p "$c"; (cd "$c" && pwd); }
# The presets and targets come from one table (ci/tables.py: the toolchain
# files and ci/presets-base.json), read once per script.
# A bare Debian container has no Python yet: it is installed first.
need_python3() {
  command -v python3 >/dev/null && return 0
  [ "$(id -u)" = 0 ] || die "harness: python3 is needed to read the tables (install Debian's python3)"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 >/dev/null; } ||
    die "harness: python3 could not be installed"
}
declare -A PRESET_TARGET=() PRESET_QUADRANT=() PRESET_ABI=() PRESET_HOST=()
harness_tables() {
  [ ${#PRESET_TARGET[@]} -gt 0 ] && return 0
  need_python3
  local name target quadrant abi host
  while read -r name target _ quadrant abi host; do
    PRESET_TARGET[$name]=$target PRESET_QUADRANT[$name]=$quadrant PRESET_ABI[$name]=$abi
    PRESET_HOST[$name]=$host
  done < <(python3 "$here/ci/tables.py" presets)
  [ ${#PRESET_TARGET[@]} -gt 0 ] || die "harness: ci/tables.py could not read the table of presets"
}
harness_all_targets() { python3 "$here/ci/tables.py" targets; }
# Every preset, real MSVC's included (only a Windows host runs those).
harness_all_presets() { python3 "$here/ci/tables.py" presets | cut -d' ' -f1; }

# Facts about a preset, from the table.
# Configurations whose ABI manifests must be equal share this key
# (invariant (a) of docs/abi-audit.md).
preset_abi() { harness_tables; echo "${PRESET_ABI[$1]:-unknown}"; }
# Where a preset is built: linux (here), or windows (real MSVC, in CI).
preset_host() { harness_tables; echo "${PRESET_HOST[$1]:-unknown}"; }
host_quadrant() { python3 "$here/ci/tables.py" host-quadrant; }
preset_quadrant() {
  harness_tables
  local q=${PRESET_QUADRANT[$1]:-unknown}
  if [ "$q" = host ]; then host_quadrant; else echo "$q"; fi
}
# matrix_totals REPORTS: "passed failed skipped retried" tests of the last
# matrix run, from its summary.json.
matrix_totals() {
  [ -f "$1/summary.json" ] || { echo "matrix: no summary.json in $1" >&2; return 1; }
  python3 -c 'import json, sys; t = json.load(open(sys.argv[1]))["tests"]
print(t["passed"], t["failed"], t["skipped"], t.get("retried", 0))' "$1/summary.json"
}
# in_background NAME COMMAND... / finished NAME: a job's exit status kept
# in a file of $jobs_dir (the caller's own directory), not in bash's table
# of finished children, which forgets a pid
# once the kernel hands the number to a new process (with pid_max 32768 it
# wraps during the Check builds: "wait: pid N is not a child of this shell",
# and a root made long before counted as failed).
in_background() {
  local name=$1; shift
  rm -f "${jobs_dir:?}/$name"
  { "$@"; echo $? >"$jobs_dir/$name"; } &
  echo $! >"$jobs_dir/$name.pid"
}
finished() {
  local pid; pid=$(cat "${jobs_dir:?}/$1.pid")
  while [ ! -s "$jobs_dir/$1" ] && kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
  [ -s "$jobs_dir/$1" ] || echo 1 >"$jobs_dir/$1" # it died without saying
  return "$(cat "$jobs_dir/$1")"
}
