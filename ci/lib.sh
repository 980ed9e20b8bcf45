# Shared helpers for the ci/ scripts (sourced, not run).
say() { printf '%s\n' "$*"; }
die() { printf '%s\n' "$*" >&2; exit 2; }
harness_cache() { local c="${HARNESS_CACHE:-$here/.cache}"; mkdir -p "$c"; (cd "$c" && pwd); }
# Every cross target is one toolchain file.
harness_all_targets() { for f in "$here"/toolchains/*.cmake; do basename "$f" .cmake; done; }

# Facts about a preset, from its name and its toolchain file.
preset_target() { case $1 in host-*) echo host ;; *) local t=${1%-gcc}; t=${t%-clang-cl}; echo "${t%-clang}" ;; esac; }
preset_compiler() { case $1 in *-clang-cl) echo clang-cl ;; *-clang|host-tsan) echo clang ;; *) echo gcc ;; esac; }
# Configurations whose ABI manifests must be equal share this key
# (invariant (a) of docs/abi-audit.md).
preset_abi() {
  local t peer
  t=$(preset_target "$1")
  [ "$t" = host ] && { echo host; return; }
  peer=$(sed -n 's/^set(HARNESS_ABI_PEER \([^)]*\))/\1/p' "toolchains/$t.cmake")
  echo "${peer:-$t}"
}
host_quadrant() {
  local bits little
  bits=$(getconf LONG_BIT)
  little=$(printf '\001\000' | od -An -tu2 | tr -d ' ')
  echo "${bits}$([ "$little" = 1 ] && echo le || echo be)"
}
preset_quadrant() {
  local t
  t=$(preset_target "$1")
  if [ "$t" = host ]; then host_quadrant; return; fi
  sed -n 's/^set(HARNESS_DATA_MODEL "\([0-9]*\)-bit \(little\|big\)-endian")/\1\2/p' "toolchains/$t.cmake" |
    sed 's/little/le/; s/big/be/'
}
