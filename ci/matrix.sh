#!/usr/bin/env bash
# matrix.sh -- the main job: set up what is missing, then configure, build and
# test every preset (or the ones named), two at a time, one line each.
#
#   ci/matrix.sh [--no-setup] [PRESET...]
#
# Writes reports/<preset>.junit.xml, reports/<preset>.log and
# reports/summary.md. A configuration whose toolchain is unavailable is a
# skip with its reason in a whole-matrix run, and a failure when asked for by
# name. Exit status: 0 if nothing failed, 1 if something failed, 2 for bad
# usage.
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/ci/lib.sh"
cd "$here"

setup=1
[ "${1:-}" = "--no-setup" ] && { setup=0; shift; }
mapfile -t known < <(cmake --list-presets=configure 2>/dev/null | sed -n 's/^ *"\([^"]*\)".*/\1/p')
[ ${#known[@]} -gt 0 ] || die "matrix: cannot read CMakePresets.json (cmake >= 3.25 needed)"
named=$#
presets=("$@")
[ $named -gt 0 ] || presets=("${known[@]}")
for p in "${presets[@]}"; do
  printf '%s\n' "${known[@]}" | grep -qx -- "$p" || die "matrix: unknown preset '$p' (known: ${known[*]})"
done

started=$SECONDS
if [ $setup = 1 ]; then
  targets=()
  for p in "${presets[@]}"; do
    t=${p%-gcc}; t=${t%-clang}
    [ -f "toolchains/$t.cmake" ] && targets+=("$t")
  done
  mapfile -t targets < <(printf '%s\n' "${targets[@]}" | sort -u | sed '/^$/d')
  ci/setup.sh "${targets[@]}" || die "matrix: setup failed"
fi
setup_s=$((SECONDS - started))

reports="$here/reports"
mkdir -p "$reports"
rm -f "$reports"/*.result "$reports"/*.counts "$reports"/*.junit.xml

run_one() {
  local p=$1 log="$reports/$1.log" t0=$SECONDS verdict detail
  : >"$log"
  if ! cmake --preset "$p" --fresh >>"$log" 2>&1; then
    local why
    # CMake wraps a message over indented lines: join them again.
    why=$(awk '/harness: unavailable: /{on=1; sub(/.*harness: unavailable: /, "")}
               on && (/^$/ || /^Call Stack/){exit}
               on{sub(/^ +/, ""); printf "%s%s", sep, $0; sep=" "}' "$log")
    if [ -n "$why" ] && [ "$named" = 0 ]; then
      verdict=SKIP; detail="unavailable: $why"
    else
      verdict=FAIL; detail="configure failed${why:+: $why} (see $log)"
    fi
  elif ! cmake --build --preset "$p" >>"$log" 2>&1; then
    verdict=FAIL; detail="build failed (see $log)"
  else
    ctest --preset "$p" --output-junit "$reports/$p.junit.xml" >>"$log" 2>&1
    local total passed failed skipped
    total=$(grep -oE 'tests failed out of [0-9]+' "$log" | tail -n 1 | grep -oE '[0-9]+$')
    failed=$(grep -oE '[0-9]+ tests failed out of' "$log" | tail -n 1 | grep -oE '^[0-9]+')
    skipped=$(grep -cE '\(Skipped\)$' "$log")
    if [ -z "$total" ]; then
      verdict=FAIL; detail="ctest printed no result (see $log)"; total=0; failed=0
    else
      passed=$((total - failed - skipped))
      if [ "$failed" -gt 0 ]; then verdict=FAIL; else verdict=PASS; fi
      detail="$passed passed, $failed failed, $skipped skipped"
      if [ "$skipped" -gt 0 ]; then
        detail="$detail ($(grep -ohE 'harness-skip: .*' "$reports/$p.junit.xml" "$log" | sed 's/harness-skip: //; s/&quot;/"/g; s/&lt;/</g; s/&gt;/>/g; s/<\/.*//' | sort -u | head -n 3 | paste -sd ';' -))"
      fi
      echo "$passed $failed $skipped" >"$reports/$p.counts"
    fi
  fi
  local secs=$((SECONDS - t0))
  printf '%-4s %-26s %4ss  %s\n' "$verdict" "$p" "$secs" "$detail" | tee "$reports/$p.result"
}

say "matrix: ${#presets[@]} configurations, 2 at a time"
jobs_max=$(nproc); [ "$jobs_max" -ge 2 ] || jobs_max=2
for p in "${presets[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do wait -n; done
  run_one "$p" &
done
wait

pass=0 fail=0 skip=0 tp=0 tf=0 ts=0
{
  echo "# Matrix summary"; echo
  echo "| result | configuration | seconds | detail |"; echo "|---|---|---|---|"
} >"$reports/summary.md"
for p in "${presets[@]}"; do
  line=$(cat "$reports/$p.result" 2>/dev/null || echo "FAIL $p 0s runner lost this configuration")
  case $line in PASS*) pass=$((pass+1));; SKIP*) skip=$((skip+1));; *) fail=$((fail+1));; esac
  if [ -f "$reports/$p.counts" ]; then
    read -r a b c <"$reports/$p.counts"; tp=$((tp+a)); tf=$((tf+b)); ts=$((ts+c))
  fi
  read -r v name secs detail <<<"$line"
  echo "| $v | $name | ${secs%s} | $detail |" >>"$reports/summary.md"
done
total_s=$((SECONDS - started))
say ""
say "matrix: configurations: $pass passed, $fail failed, $skip skipped; setup ${setup_s} s, total ${total_s} s"
say "matrix: tests: $tp passed, $tf failed, $ts skipped"
echo >>"$reports/summary.md"
echo "Configurations: $pass passed, $fail failed, $skip skipped. Tests: $tp passed, $tf failed, $ts skipped. Wall time ${total_s} s (setup ${setup_s} s)." >>"$reports/summary.md"
say "$tp passed, $tf failed, $ts skipped"
[ $fail = 0 ] || exit 1
