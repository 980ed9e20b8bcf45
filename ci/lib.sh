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
# matrix_totals REPORTS: "passed failed skipped" tests of the last matrix
# run, from its summary.json.
matrix_totals() {
  [ -f "$1/summary.json" ] || { echo "matrix: no summary.json in $1" >&2; return 1; }
  python3 -c 'import json, sys; t = json.load(open(sys.argv[1]))["tests"]; print(t["passed"], t["failed"], t["skipped"])' \
    "$1/summary.json"
}
# Why a preset cannot run, by design: its toolchain file says its compiler
# cannot build or link for the target (HARNESS_CLANG_UNAVAILABLE,
# HARNESS_CLANG_COMPILE_ONLY). Empty for every other preset.
preset_by_design() {
  local t c
  t=$(preset_target "$1"); c=$(preset_compiler "$1")
  { [ "$t" = host ] || [ "$c" != clang ]; } && return 0
  sed -n 's/^set(HARNESS_CLANG_\(UNAVAILABLE\|COMPILE_ONLY\) "\(.*\)")$/\2/p' "$here/toolchains/$t.cmake"
}
# What configuring finds on this machine beyond the tree (CPython's headers
# fetched, installs and interpreters, emulators and compilers, their
# packages' versions, the kernel), as one digest: a configuration whose
# digest changed is configured again, so that no finding outlives its cause.
machine_findings() {
  {
    cat "$(harness_cache)/cpython/.fetched" 2>/dev/null
    ls -d "$HOME"/.pyenv/versions/3.* 2>/dev/null
    for m in 11 12 13 14 15; do command -v "python3.$m" "python3.$m-config"; done
    command -v wine wineserver clang clang-cl-14 qemu-s390x 2>/dev/null
    uname -r
    dpkg-query -W -f='${Package} ${Version}\n' qemu-user wine64 wine gcc clang libc6 2>/dev/null
  } | cksum
}
# The versions of a target's packages (its toolchain file's harness-apt line).
target_packages() {
  [ "$1" = host ] && return 0
  # shellcheck disable=SC2046
  dpkg-query -W -f='${Package} ${Version}\n' $(sed -n 's/^# harness-apt: *//p' "$here/toolchains/$1.cmake") 2>/dev/null
}
