# shellcheck shell=bash
# Shared helpers for the ci/ scripts (sourced, not run).
say() { printf '%s\n' "$*"; }
die() { printf '%s\n' "$*" >&2; exit 2; }
harness_cache() { local c="${HARNESS_CACHE:-$here/.cache}"; mkdir -p "$c"; (cd "$c" && pwd); }
# The orchestration (ci/harness, ci/integration.py) is Python: a bare Debian
# container has no Python yet, so the scripts that start it install it first.
need_python3() {
  command -v python3 >/dev/null && return 0
  [ "$(id -u)" = 0 ] || die "harness: python3 is needed (install Debian's python3)"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 >/dev/null; } ||
    die "harness: python3 could not be installed"
}
