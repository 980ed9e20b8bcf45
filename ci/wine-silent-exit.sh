#!/usr/bin/env bash
# wine-silent-exit.sh -- how often Wine exits without starting the program
# (non-zero, nothing printed: the case run-case.cmake retries), and when.
# A measurement that prints numbers, as ci/bench.sh does; docs/ci.md keeps
# the results.
#
#   ci/wine-silent-exit.sh [RUNS]    default 200 runs per circumstance
#   ci/wine-silent-exit.sh --configurations N
#                    the whole x86_64-w64-mingw32-clang test suite (where the
#                    matrix has seen it), N times alone and N times beside
#                    x86_64-w64-mingw32-gcc's, every pass run afresh
#                    (HARNESS_RERUN=1); counts the retries (harness-retry:)
#
# Each run is one short case program (cases_layout.exe 3.14, about 0.5 s),
# from the x86_64-w64-mingw32-gcc build (and i686-w64-mingw32-gcc's, inside
# the i386 root, where it is built). Circumstances:
#   warm        one persistent wineserver (as the matrix's warm-up leaves it)
#   cold        the server stopped before every run (each run starts one)
#   parallel    warm, two runners at once beside two busy cores' worth of load
#   i386-root   warm, 32-bit, through toolchains/common/wine32-root.c (ci/setup.sh builds it)
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/ci/lib.sh"
cd "$here" || exit 2
if [ "${1:-}" = --configurations ]; then
  n=${2:-10}
  [[ $n =~ ^[1-9][0-9]*$ ]] || die "wine-silent-exit: --configurations N: a positive number, not '$n'"
  out=$(mktemp -d); trap 'rm -rf "$out"' EXIT
  suite() { # suite PRESET RUN: one run of a configuration's tests; prints its tests and retries
    local rc=0
    HARNESS_RERUN=1 ctest --preset "$1" --output-junit "$out/$1-$2.xml" >"$out/$1-$2.log" 2>&1 || rc=$?
    echo "$1 $(grep -c '<testcase' "$out/$1-$2.xml") tests, $(grep -c 'harness-retry:' "$out/$1-$2.xml") retried, ctest exit $rc"
  }
  for ((i = 1; i <= n; i++)); do suite x86_64-w64-mingw32-clang "alone-$i"; done | tee "$out/alone"
  for ((i = 1; i <= n; i++)); do
    suite x86_64-w64-mingw32-gcc "beside-$i" >/dev/null & suite x86_64-w64-mingw32-clang "beside-$i"; wait
  done | tee "$out/beside"
  for kind in alone beside; do
    read -r tests retried < <(awk '{t += $2; r += $4} END {print t, r}' "$out/$kind")
    printf 'wine-silent-exit: %s: %d runs of x86_64-w64-mingw32-clang, %d tests, %d retried\n' "$kind" "$n" "$tests" "$retried"
  done
  exit 0
fi
runs=${1:-200}
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "wine-silent-exit: RUNS must be a positive number, not '$runs'"
cache=$(harness_cache)
exe64=build/x86_64-w64-mingw32-gcc/cases/cases_layout.exe
exe32=build/i686-w64-mingw32-gcc/cases/cases_layout.exe
[ -f "$exe64" ] || die "wine-silent-exit: no $exe64: build the preset first (cmake --preset x86_64-w64-mingw32-gcc && cmake --build --preset x86_64-w64-mingw32-gcc)"
command -v wine >/dev/null || die "wine-silent-exit: no wine (ci/setup.sh installs it)"
export WINEPREFIX="$cache/wine" WINEDEBUG=-all
out=$(mktemp -d); trap 'rm -rf "$out"; kill $(jobs -p) 2>/dev/null' EXIT

# loop NAME COUNT COMMAND...: COUNT runs; one line per run: "silent", "ok" or "other rc"
loop() {
  local name=$1 count=$2; shift 2
  local i rc text
  for ((i = 0; i < count; i++)); do
    [ -n "${COLD:-}" ] && wineserver -k >/dev/null 2>&1 && sleep 0.2
    text=$("$@" 2>&1); rc=$?
    if [ "$rc" != 0 ] && [[ $text =~ ^[[:space:]]*$ ]]; then echo silent
    elif [ "$rc" = 0 ] && grep -q "100%: Checks:" <<<"$text"; then echo ok
    else echo "other $rc"; fi
  done >>"$out/$name"
}
report() { # report NAME WHAT
  local n silent other
  n=$(wc -l <"$out/$1"); silent=$(grep -c '^silent' "$out/$1"); other=$(grep -c '^other' "$out/$1")
  printf 'wine-silent-exit: %-10s %4d runs, %3d silent exits (%.2f%%), %d other failures  (%s)\n' \
    "$1" "$n" "$silent" "$(echo "100 * $silent / $n" | bc -l)" "$other" "$2"
}

wineserver -p120 </dev/null >/dev/null 2>&1; wine cmd /c echo >/dev/null 2>&1
loop warm "$runs" wine "$exe64" 3.14; report warm "persistent wineserver, one run at a time"
COLD=1 loop cold "$runs" wine "$exe64" 3.14; report cold "wineserver started by every run"
wineserver -p120 </dev/null >/dev/null 2>&1; wine cmd /c echo >/dev/null 2>&1
hogs=(); for _ in 1 2; do (while :; do :; done) & hogs+=($!); done
loop parallel $(( (runs + 1) / 2 )) wine "$exe64" 3.14 & a=$!
loop parallel $(( runs / 2 )) wine "$exe64" 3.14 & b=$!
wait $a $b; kill "${hogs[@]}" 2>/dev/null; wait "${hogs[@]}" 2>/dev/null
report parallel "two runners at once, two busy loops beside them"
if [ -f "$exe32" ] && [ -f "$cache/i386-root/.ready" ]; then
  root32=("$cache/wine32-root/wine32-root" "$cache/i386-root" /usr/bin/env WINEPREFIX=/root/wine32 WINEDEBUG=-all)
  "${root32[@]}" wineserver -p120 </dev/null >/dev/null 2>&1; "${root32[@]}" wine cmd /c echo >/dev/null 2>&1
  loop i386-root "$runs" "${root32[@]}" wine "$exe32" 3.14; report i386-root "32-bit, inside the i386 root's namespace"
else
  say "wine-silent-exit: i386-root  not measured: no $exe32 or no i386 root (ci/setup.sh makes it)"
fi
