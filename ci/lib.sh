# Shared helpers for the ci/ scripts (sourced, not run).
say() { printf '%s\n' "$*"; }
die() { printf '%s\n' "$*" >&2; exit 2; }
harness_cache() { local c="${HARNESS_CACHE:-$here/.cache}"; mkdir -p "$c"; (cd "$c" && pwd); }
# Every cross target is one toolchain file.
harness_all_targets() { for f in "$here"/toolchains/*.cmake; do basename "$f" .cmake; done; }
