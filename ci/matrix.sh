#!/usr/bin/env bash
# matrix.sh -- the main job: set up what is missing, then configure, build and
# test every preset (or a chosen subset), two at a time, one line each.
#
#   ci/matrix.sh [--no-setup] [--target TRIPLE|host]... [--quadrant Q]...
#                [--compiler gcc|clang|clang-cl] [--label REGEX] [PRESET...]
#
#   Q is 32le, 32be, 64le or 64be; --label is passed to ctest -L.
#
# Reports in reports/: summary.md (configurations x case families), summary.json,
# junit.xml (all configurations merged) and <preset>.junit.xml, <preset>.log.
# A configuration whose toolchain or emulator is unavailable is a skip with
# its reason in a whole-matrix run, and a failure when named.  A whole-matrix
# run also fails if a quadrant has no passing configuration.
# Then ci/abi-audit.sh audits the configurations that built (their headers'
# layouts against abi/, and against each other: docs/abi-audit.md); the
# matrix fails unless it exits 0.
# Passing results of unchanged test binaries are reused (cmake/run-case.cmake);
# HARNESS_RERUN=1 runs everything again.
# Exit status: 0 if nothing failed, 1 if something failed, 2 for bad usage.
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/ci/lib.sh"
cd "$here"

setup=1 label="" compiler="" targets=() quadrants=() named=()
while [ $# -gt 0 ]; do
  case $1 in
    --no-setup) setup=0 ;;
    --target) targets+=("${2:?--target needs a triple}"); shift ;;
    --quadrant) quadrants+=("${2:?--quadrant needs 32le, 32be, 64le or 64be}"); shift ;;
    --compiler) compiler=${2:?--compiler needs gcc, clang or clang-cl}; shift ;;
    --label) label=${2:?--label needs a regular expression}; shift ;;
    -*) die "matrix: unknown option '$1' (see the comment at the top of ci/matrix.sh)" ;;
    *) named+=("$1") ;;
  esac
  shift
done
for q in "${quadrants[@]}"; do
  case $q in 32le|32be|64le|64be) ;; *) die "matrix: unknown quadrant '$q' (32le, 32be, 64le, 64be)" ;; esac
done
case $compiler in ""|gcc|clang|clang-cl) ;; *) die "matrix: unknown compiler '$compiler' (gcc, clang or clang-cl)" ;; esac
for t in "${targets[@]}"; do
  [ "$t" = host ] || [ -f "toolchains/$t.cmake" ] ||
    die "matrix: unknown target '$t' (known: host $(harness_all_targets | tr '\n' ' '))"
done

mapfile -t known < <(cmake --list-presets=configure 2>/dev/null | sed -n 's/^ *"\([^"]*\)".*/\1/p')
[ ${#known[@]} -gt 0 ] || die "matrix: cannot read CMakePresets.json (cmake >= 3.25 needed)"
for p in "${named[@]}"; do
  printf '%s\n' "${known[@]}" | grep -qx -- "$p" || die "matrix: unknown preset '$p' (known: ${known[*]})"
done

# Only a preset named on the command line is "asked for directly".
filtered=$(( ${#targets[@]} + ${#quadrants[@]} + ${#named[@]} )) ; [ -n "$compiler" ] && filtered=1
asked=${#named[@]}
presets=()
for p in "${known[@]}"; do
  if [ ${#named[@]} -gt 0 ]; then printf '%s\n' "${named[@]}" | grep -qx -- "$p" || continue; fi
  if [ ${#targets[@]} -gt 0 ]; then printf '%s\n' "${targets[@]}" | grep -qx -- "$(preset_target "$p")" || continue; fi
  if [ ${#quadrants[@]} -gt 0 ]; then printf '%s\n' "${quadrants[@]}" | grep -qx -- "$(preset_quadrant "$p")" || continue; fi
  if [ -n "$compiler" ] && [ "$(preset_compiler "$p")" != "$compiler" ]; then continue; fi
  presets+=("$p")
done
[ ${#presets[@]} -gt 0 ] || die "matrix: no preset matches that selection"
# Longest first: host-gcc carries the exhaustive sweeps.
mapfile -t presets < <(printf '%s\n' "${presets[@]}" | awk '{print ($0 == "host-gcc" ? 0 : 1), $0}' | sort -s -k1,1n | cut -d' ' -f2)

started=$SECONDS
if [ $setup = 1 ]; then
  mapfile -t need < <(for p in "${presets[@]}"; do t=$(preset_target "$p"); [ "$t" = host ] || echo "$t"; done | sort -u)
  if [ ${#need[@]} -gt 0 ]; then ci/setup.sh "${need[@]}"; else ci/setup.sh --host-only; fi ||
    die "matrix: setup failed"
fi
setup_s=$((SECONDS - started))

reports="$here/reports"
mkdir -p "$reports"
rm -f "$reports"/*.result "$reports"/*.counts "$reports"/*.families "$reports"/*.reasons "$reports"/*.junit.xml

run_one() {
  local p=$1 log="$reports/$1.log" t0=$SECONDS verdict detail ctest_args=()
  [ -n "$label" ] && ctest_args=(-L "$label")
  : >"$log"
  # Configure again only if what configuring reads changed since it last
  # succeeded (Ninja re-runs CMake by itself when a CMakeLists.txt changes).
  local stamp="build/$p/.harness-configured" t
  t=$(preset_target "$p")
  local configure=0
  [ -f "$stamp" ] || configure=1
  for input in CMakePresets.json toolchains/common/*.cmake "toolchains/$t.cmake"; do
    [ -f "$input" ] && [ "$input" -nt "$stamp" ] && configure=1
  done
  if [ $configure = 1 ] && ! { rm -f "$stamp"; cmake --preset "$p" >>"$log" 2>&1 && touch "$stamp"; }; then
    local why
    # CMake wraps a message over indented lines: join them again.
    why=$(awk '/harness: unavailable: /{on=1; sub(/.*harness: unavailable: /, "")}
               on && (/^$/ || /^Call Stack/){exit}
               on{sub(/^ +/, ""); printf "%s%s", sep, $0; sep=" "}' "$log")
    if [ -n "$why" ] && [ "$asked" = 0 ]; then
      verdict=SKIP; detail="unavailable: $why"
    else
      verdict=FAIL; detail="configure failed${why:+: $why} (see $log)"
    fi
  elif ! cmake --build --preset "$p" >>"$log" 2>&1; then
    verdict=FAIL; detail="build failed (see $log)"
  else
    ctest --preset "$p" "${ctest_args[@]}" --output-junit "$reports/$p.junit.xml" >>"$log" 2>&1
    # One line per test: family (the name's first part) and outcome.
    awk '/Test +#[0-9]+: /{name=$0; sub(/.*Test +#[0-9]+: /, "", name); sub(/ .*/, "", name);
           split(name, part, "."); o = /\*\*\*Skipped/ ? "skipped" : (/ Passed /||/ Passed$/ ? "passed" : "failed");
           print part[1], o}' "$log" >"$reports/$p.families"
    local passed failed skipped
    passed=$(grep -c ' passed$' "$reports/$p.families"); failed=$(grep -c ' failed$' "$reports/$p.families")
    skipped=$(grep -c ' skipped$' "$reports/$p.families")
    if [ $((passed + failed + skipped)) = 0 ]; then
      verdict=FAIL; detail="ctest ran no test (see $log)"
    else
      # A configuration that ran nothing is a skip, never a pass.
      if [ "$failed" -gt 0 ] || ! grep -q 'tests passed' "$log"; then verdict=FAIL
      elif [ "$passed" = 0 ]; then verdict=SKIP
      else verdict=PASS; fi
      detail="$passed passed, $failed failed, $skipped skipped"
      local reused
      reused=$(grep -c 'harness: reused the pass' "$reports/$p.junit.xml" 2>/dev/null)
      [ "${reused:-0}" -gt 0 ] && detail="$detail, $reused of them reused unchanged"
      if [ "$skipped" -gt 0 ]; then
        # Skipped tests' output is only in the JUnit file (XML-escaped).
        grep -ohE 'harness-skip: [^<]*' "$reports/$p.junit.xml" |
          sed 's/harness-skip: //; s/&lt;/</g; s/&gt;/>/g; s/&quot;/"/g; s/&apos;/'"'"'/g; s/&amp;/\&/g' |
          sort -u | paste -sd ';' - >"$reports/$p.reasons"
        detail="$detail ($(cat "$reports/$p.reasons"))"
      fi
      echo "$passed $failed $skipped" >"$reports/$p.counts"
    fi
  fi
  [ -f "$reports/$p.counts" ] || echo "$detail" >"$reports/$p.reasons"
  printf '%-4s %-28s %4ss  %s\n' "$verdict" "$p" "$((SECONDS - t0))" "$detail" | tee "$reports/$p.result"
}

say "matrix: ${#presets[@]} configurations, $(nproc) at a time"
for p in "${presets[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$(nproc)" ]; do wait -n; done
  run_one "$p" &
done
wait
wall=$((SECONDS - started - setup_s))

# ---- ABI audit: compile-time manifests against abi/, invariants, libabigail --
# Only configurations that built and ran in this run (stale builds are not
# audited); docs/abi-audit.md.
audited=()
for p in "${presets[@]}"; do [ -f "$reports/$p.counts" ] && [ -f "build/$p/abi/probes.txt" ] && audited+=("$p"); done
abi_rc=0
if [ ${#audited[@]} -gt 0 ]; then
  ci/abi-audit.sh "${audited[@]}" >"$reports/abi-audit.log" 2>&1; abi_rc=$?
  say ""
  grep -v '^abi-audit: ' "$reports/abi-audit.log" | head -n 40
  grep '^abi-audit: ' "$reports/abi-audit.log" | sed 's/^abi-audit: /matrix: abi-audit: /'
else
  say "matrix: abi-audit: no configuration built, nothing to audit"
fi

# ---- reports ----------------------------------------------------------------
families=$(cat "$reports"/*.families 2>/dev/null | cut -d' ' -f1 | sort -u)
pass=0 fail=0 skip=0 tp=0 tf=0 ts=0 busy=0
declare -A quadrant_ok=([32le]=0 [32be]=0 [64le]=0 [64be]=0)
json_rows=()
{
  echo "# Matrix summary"; echo
  printf '| result | configuration | quadrant | seconds |'; for f in $families; do printf ' %s |' "$f"; done; echo ' skip reasons |'
  printf '|---|---|---|---|'; for f in $families; do printf -- '---|'; done; echo '---|'
} >"$reports/summary.md"
for p in "${presets[@]}"; do
  line=$(cat "$reports/$p.result" 2>/dev/null || echo "FAIL $p 0s the runner lost this configuration")
  read -r v name secs detail <<<"$line"
  secs=${secs%s}; busy=$((busy + secs))
  q=$(preset_quadrant "$p")
  case $v in PASS) pass=$((pass+1)); quadrant_ok[$q]=$(( ${quadrant_ok[$q]:-0} + 1 ));; SKIP) skip=$((skip+1));; *) fail=$((fail+1));; esac
  a=0 b=0 c=0
  [ -f "$reports/$p.counts" ] && read -r a b c <"$reports/$p.counts"
  tp=$((tp+a)); tf=$((tf+b)); ts=$((ts+c))
  reasons=$(cat "$reports/$p.reasons" 2>/dev/null)
  {
    printf '| %s | %s | %s | %s |' "$v" "$p" "$q" "$secs"
    for f in $families; do
      if [ -f "$reports/$p.families" ]; then
        printf ' %s/%s/%s |' "$(grep -c "^$f passed" "$reports/$p.families")" \
          "$(grep -c "^$f failed" "$reports/$p.families")" "$(grep -c "^$f skipped" "$reports/$p.families")"
      else printf ' – |'; fi
    done
    printf ' %s |\n' "${reasons//|//}"
  } >>"$reports/summary.md"
  json_rows+=("$(printf '{"configuration":"%s","quadrant":"%s","result":"%s","seconds":%s,"passed":%s,"failed":%s,"skipped":%s,"detail":"%s"}' \
    "$p" "$q" "$v" "$secs" "$a" "$b" "$c" "$(sed 's/\\/\\\\/g; s/"/\\"/g' <<<"$detail")")")
done
missing=()
for q in 32le 32be 64le 64be; do [ "${quadrant_ok[$q]}" -gt 0 ] || missing+=("$q"); done
incomplete=0
if [ "$filtered" = 0 ] && [ -z "$label" ] && [ ${#missing[@]} -gt 0 ]; then incomplete=1; fi
efficiency=$(awk -v b="$busy" -v w="$wall" -v n="$(nproc)" 'BEGIN{printf "%.2f", (w > 0 ? b / (w * n) : 0)}')
{
  echo
  echo "Configurations: $pass passed, $fail failed, $skip skipped (cells: passed/failed/skipped tests)."
  echo "Tests: $tp passed, $tf failed, $ts skipped. Matrix wall time ${wall} s on $(nproc) cores, setup ${setup_s} s, parallel efficiency $efficiency."
  echo "Passing configurations per quadrant: 32le ${quadrant_ok[32le]}, 32be ${quadrant_ok[32be]}, 64le ${quadrant_ok[64le]}, 64be ${quadrant_ok[64be]}."
  [ $incomplete = 1 ] && echo "INCOMPLETE: no passing configuration in quadrant(s) ${missing[*]}."
  echo
  echo "## Model versus CPython's real headers"
  echo
  echo "Per configuration and version: the agreement case (layout, byte images, ~12,000 operations"
  echo "compared byte for byte), with where pyconfig.h came from. Details in reports/linked.json."
  echo
  python3 ci/report-linked.py "${presets[@]}"
  echo
  if [ -f reports/abi/audit.md ] && [ ${#audited[@]} -gt 0 ]; then
    sed 's/^## ABI audit$/## ABI audit (ci\/abi-audit.sh: exit '"$abi_rc"')/' reports/abi/audit.md
  else
    echo "## ABI audit"; echo; echo "Not run: no configuration built."
  fi
} >>"$reports/summary.md"
{
  printf '{"configurations":[%s],\n' "$(IFS=,; echo "${json_rows[*]}")"
  printf '"passed":%s,"failed":%s,"skipped":%s,"tests":{"passed":%s,"failed":%s,"skipped":%s},' $pass $fail $skip $tp $tf $ts
  printf '"wall_seconds":%s,"setup_seconds":%s,"busy_seconds":%s,"cores":%s,"parallel_efficiency":%s,' $wall $setup_s $busy "$(nproc)" "$efficiency"
  printf '"abi_audit":{"configurations":%s,"exit":%s},' "${#audited[@]}" "$abi_rc"
  printf '"quadrants":{"32le":%s,"32be":%s,"64le":%s,"64be":%s},"complete":%s}\n' \
    "${quadrant_ok[32le]}" "${quadrant_ok[32be]}" "${quadrant_ok[64le]}" "${quadrant_ok[64be]}" "$([ $incomplete = 0 ] && echo true || echo false)"
} >"$reports/summary.json"
{
  echo '<?xml version="1.0" encoding="UTF-8"?>'
  echo '<testsuites>'
  for p in "${presets[@]}"; do
    [ -f "$reports/$p.junit.xml" ] || continue
    sed '1{/^<?xml/d}' "$reports/$p.junit.xml" | sed "0,/<testsuite /s//<testsuite configuration=\"$p\" /"
  done
  echo '</testsuites>'
} >"$reports/junit.xml"

say ""
say "matrix: configurations: $pass passed, $fail failed, $skip skipped; wall ${wall} s, setup ${setup_s} s, efficiency $efficiency"
say "matrix: passing configurations per quadrant: 32le ${quadrant_ok[32le]}, 32be ${quadrant_ok[32be]}, 64le ${quadrant_ok[64le]}, 64be ${quadrant_ok[64be]}"
[ $incomplete = 1 ] && say "matrix: INCOMPLETE: no passing configuration in quadrant(s) ${missing[*]}"
say "matrix: reports in reports/ (summary.md, summary.json, junit.xml)"
say "$tp passed, $tf failed, $ts skipped"
[ $abi_rc != 0 ] && say "matrix: FAILED: the ABI audit exited $abi_rc (reports/abi/audit.md, docs/abi-audit.md)"
[ $fail = 0 ] && [ $incomplete = 0 ] && [ $abi_rc = 0 ]
