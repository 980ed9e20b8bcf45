#!/usr/bin/env bash
# matrix.sh -- the main job: set up what is missing, then configure, build and
# test every preset (or a chosen subset), as many at a time as there are
# cores, one line each.
#
#   ci/matrix.sh [--no-setup] [--target TRIPLE|host]... [--quadrant Q]...
#                [--compiler gcc|clang|clang-cl] [--label REGEX]
#                [--cpython-include DIR [--pyconfig DIR] [--free-threaded on|off]]
#                [--reports DIR] [PRESET...]
#
#   Q is 32le, 32be, 64le or 64be; --label is passed to ctest -L.
#   --cpython-include: audit your own CPython headers (an Include/ directory
#   or an installed include/python3.X) on every selected configuration, as
#   user-<version> (user-<version>t where the pyconfig.h used defines
#   Py_GIL_DISABLED, or with --free-threaded on). Each target gets a
#   pyconfig.h that describes it: the one in DIR (or --pyconfig) where it
#   does, else one derived from the target's compiler. Built in
#   build/user/<preset>, apart from the main builds; only the user-* tests
#   run, then the ABI audit; reports/summary.md has a section for them.
#   --reports: where the reports go (default reports/).
#
# Reports in reports/ (ci/report.py, from ctest's JUnit files): summary.md
# (configurations x case families), matrix.png (the same as a picture),
# summary.json, junit.xml (all configurations merged) and <preset>.junit.xml,
# <preset>.log.
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
user_include="" user_pyconfig="" user_ft=AUTO reports="$here/reports"
absolute() { (cd "$1" 2>/dev/null && pwd) || die "matrix: $2 '$1' is not a directory"; }
while [ $# -gt 0 ]; do
  case $1 in
    --no-setup) setup=0 ;;
    --cpython-include) user_include=$(absolute "${2:?--cpython-include needs a directory}" --cpython-include) || exit 2; shift ;;
    --pyconfig) user_pyconfig=$(absolute "${2:?--pyconfig needs a directory}" --pyconfig) || exit 2; shift ;;
    --free-threaded)
      case ${2:-} in on) user_ft=ON ;; off) user_ft=OFF ;; *) die "matrix: --free-threaded takes on or off" ;; esac; shift ;;
    --reports) mkdir -p "${2:?--reports needs a directory}" && reports=$(absolute "$2" --reports) || exit 2; shift ;;
    --target) targets+=("${2:?--target needs a triple}"); shift ;;
    --quadrant) quadrants+=("${2:?--quadrant needs 32le, 32be, 64le or 64be}"); shift ;;
    --compiler) compiler=${2:?--compiler needs gcc, clang or clang-cl}; shift ;;
    --label) label=${2:?--label needs a regular expression}; shift ;;
    -*) die "matrix: unknown option '$1' (see the comment at the top of ci/matrix.sh)" ;;
    *) named+=("$1") ;;
  esac
  shift
done
if [ -n "$user_include" ]; then
  [ -f "$user_include/Python.h" ] && [ -f "$user_include/patchlevel.h" ] ||
    die "matrix: --cpython-include $user_include is not a CPython Include/ directory (no Python.h or patchlevel.h)"
  [ -z "$user_pyconfig" ] || [ -f "$user_pyconfig/pyconfig.h" ] || die "matrix: no pyconfig.h in --pyconfig $user_pyconfig"
elif [ -n "$user_pyconfig" ] || [ "$user_ft" != AUTO ]; then
  die "matrix: --pyconfig and --free-threaded go with --cpython-include"
fi
# Your own headers build apart from the main builds, and only their tests run.
build_root=build
user_args=()
if [ -n "$user_include" ]; then
  build_root=build/user
  user_args=("-DHARNESS_CPYTHON_INCLUDE=$user_include" "-DHARNESS_CPYTHON_PYCONFIG=$user_pyconfig"
             "-DHARNESS_CPYTHON_FREE_THREADED=$user_ft")
fi

for q in "${quadrants[@]}"; do
  case $q in 32le|32be|64le|64be) ;; *) die "matrix: unknown quadrant '$q' (32le, 32be, 64le, 64be)" ;; esac
done
case $compiler in ""|gcc|clang|clang-cl) ;; *) die "matrix: unknown compiler '$compiler' (gcc, clang or clang-cl)" ;; esac
for t in "${targets[@]}"; do
  [ "$t" = host ] || [ -f "toolchains/$t.cmake" ] ||
    die "matrix: unknown target '$t' (known: host $(harness_all_targets | tr '\n' ' '))"
done

# The presets are generated from the toolchain files (ci/tables.py): a
# stale CMakePresets.json would run yesterday's matrix.
need_python3
python3 ci/tables.py check >/dev/null || die "matrix: generated files are stale or a table is wrong: see python3 ci/tables.py check"
harness_tables
mapfile -t known < <(cmake --list-presets=configure 2>/dev/null | sed -n 's/^ *"\([^"]*\)".*/\1/p')
[ ${#known[@]} -gt 0 ] || die "matrix: cannot read CMakePresets.json (cmake >= 3.25 needed)"
for p in "${named[@]}"; do
  grep -qx -- "$p" < <(printf '%s\n' "${known[@]}") || die "matrix: unknown preset '$p' (known: ${known[*]})"
done

# Only a preset named on the command line is "asked for directly".
filtered=$(( ${#targets[@]} + ${#quadrants[@]} + ${#named[@]} )) ; [ -n "$compiler" ] && filtered=1
asked=${#named[@]}
presets=()
for p in "${known[@]}"; do
  if [ ${#named[@]} -gt 0 ]; then grep -qx -- "$p" < <(printf '%s\n' "${named[@]}") || continue; fi
  if [ ${#targets[@]} -gt 0 ]; then grep -qx -- "$(preset_target "$p")" < <(printf '%s\n' "${targets[@]}") || continue; fi
  if [ ${#quadrants[@]} -gt 0 ]; then grep -qx -- "$(preset_quadrant "$p")" < <(printf '%s\n' "${quadrants[@]}") || continue; fi
  if [ -n "$compiler" ] && [ "$(preset_compiler "$p")" != "$compiler" ]; then continue; fi
  presets+=("$p")
done
[ ${#presets[@]} -gt 0 ] || die "matrix: no preset matches that selection"
# Your pyconfig.h is used where it describes the target, else one is
# derived (and the report says so); one that describes no selected target,
# nor this host, is a mistake worth stopping for.
if [ -n "$user_include" ]; then
  user_pyconfig_dir=${user_pyconfig:-$user_include}
  if [ -f "$user_pyconfig_dir/pyconfig.h" ]; then
    why=$(python3 ci/tables.py pyconfig-fits "$user_pyconfig_dir" "${presets[@]}") ||
      die "matrix: your pyconfig.h fits no selected configuration: $why"
  fi
fi
# Longest first: host-gcc carries the exhaustive sweeps.
mapfile -t presets < <(printf '%s\n' "${presets[@]}" | awk '{print ($0 == "host-gcc" ? 0 : 1), $0}' | sort -s -k1,1n | cut -d' ' -f2)

# One matrix at a time on a tree: a second one refuses, it never interleaves
# with the first in build/ and reports/.
mkdir -p build
exec 9>build/.matrix.lock
flock -n 9 || die "matrix: another ci/matrix.sh is running on this tree (it holds build/.matrix.lock): wait for it, or stop it"

# Ctrl-C (SIGINT to this process group) or SIGTERM stops every configuration
# at once: each runs in a process group of its own (below), stopped whole.
interrupted() {
  trap - INT TERM
  say "matrix: interrupted: stopping every configuration"
  local j
  # The moment the configurations are stopped: a test that finished before
  # it keeps its pass, none after it writes one (ci/test.sh checks).
  touch "$reports/.stopped"
  for j in $(jobs -p); do kill -TERM -- "-$j" 2>/dev/null; done
  sleep 2
  for j in $(jobs -p); do kill -KILL -- "-$j" 2>/dev/null; done
  wait 2>/dev/null
  rm -f "$reports/summary.json" "$reports"/*.result "$reports"/*.counts
  say "matrix: interrupted: this run reports nothing, and none of its unfinished tests was kept as a pass"
  exit 130
}
trap interrupted INT TERM

started=$SECONDS
if [ $setup = 1 ]; then
  mapfile -t need < <(for p in "${presets[@]}"; do t=$(preset_target "$p"); [ "$t" = host ] || echo "$t"; done | sort -u)
  # (9>&-: nothing the matrix starts holds its lock, Wine's lingering server least of all)
  with_host=()
  for p in "${presets[@]}"; do [ "$(preset_target "$p")" = host ] && with_host=(--with-host); done
  if [ ${#need[@]} -gt 0 ]; then ci/setup.sh "${with_host[@]}" "${need[@]}" 9>&-; else ci/setup.sh --host-only 9>&-; fi ||
    die "matrix: setup failed"
fi
setup_s=$((SECONDS - started))

findings=$(machine_findings)
mkdir -p "$reports"
rm -f "$reports"/*.result "$reports"/*.counts "$reports"/*.reasons "$reports"/*.junit.xml "$reports"/*.phases \
  "$reports/matrix.png" "$reports/.stopped"

# harness_message LOG PREFIX: the first CMake message with PREFIX, joined
# again (CMake wraps a message over indented lines).
harness_message() {
  awk -v prefix="$2" 'index($0, prefix){on=1; sub(".*" prefix, "")}
       on && (/^$/ || /^Call Stack/){exit}
       on{sub(/^ +/, ""); printf "%s%s", sep, $0; sep=" "}' "$1"
}

# phase NAME COMMAND...: runs COMMAND with its output in $log and appends
# "NAME wall-seconds cpu-seconds" (its processes' user + system time) to
# $phases, for where the time goes (ci/report.py, docs/speed.md).
phase() {
  local name=$1 TIMEFORMAT='%R %U %S' rc times; shift
  times=$(mktemp)
  { time "$@" >>"$log" 2>&1; } 2>"$times"; rc=$?
  awk -v n="$name" 'NF == 3 {printf "%s %.1f %.1f\n", n, $1, $2 + $3}' "$times" >>"$phases"
  rm -f "$times"
  return $rc
}

run_one() {
  local p=$1 log="$reports/$1.log" t0=$SECONDS verdict detail ctest_args=() phases="$reports/$1.phases"
  local dir="$build_root/$p"
  [ -n "$label" ] && ctest_args=(-L "$label")
  : >"$log"; : >"$phases"
  # Configure again only if what configuring reads changed since it last
  # succeeded (Ninja re-runs CMake by itself when a CMakeLists.txt changes):
  # the presets and toolchain files, what it finds on the machine, the
  # target's packages, and for your own headers the directories and
  # pyconfig.h given.
  local stamp="$dir/.harness-configured" t want
  t=$(preset_target "$p")
  local configure=0 configure_args=()
  if [ -n "$user_include" ]; then
    configure_args=(-B "$dir" "${user_args[@]}")
    ctest_args+=(-L '^implementation:user-')
  fi
  want=$(printf '%s\n' "$findings" "${configure_args[@]}"; target_packages "$t";
         cat "$user_include/pyconfig.h" "$user_pyconfig/pyconfig.h" 2>/dev/null | cksum)
  # What the machine has changed (a compiler, an emulator, a package): from
  # scratch (--fresh), since CMake keeps what it found of the compilers.
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" != "$want" ]; then configure_args+=(--fresh); fi
  [ "$(cat "$stamp" 2>/dev/null)" = "$want" ] || configure=1
  for input in CMakePresets.json toolchains/common/*.cmake "toolchains/$t.cmake"; do
    [ -f "$input" ] && [ "$input" -nt "$stamp" ] && configure=1
  done
  if [ $configure = 1 ] && ! { rm -f "$stamp"; phase configure cmake --preset "$p" "${configure_args[@]}" &&
                                 printf '%s\n' "$want" >"$stamp"; }; then
    local why
    why=$(harness_message "$log" "harness: unavailable: ")
    if [ -n "$why" ] && [ "$asked" = 0 ]; then
      verdict=SKIP; detail="unavailable: $why"
    else
      [ -n "$why" ] || why=$(harness_message "$log" "harness: ")
      verdict=FAIL; detail="configure failed${why:+: $why} (see $log)"
    fi
  elif ! phase build cmake --build "$dir"; then
    verdict=FAIL; detail="build failed (see $log)"
  else
    # A configuration whose tests would all run exactly as at its last
    # complete pass (same commands and properties, same content of every
    # file they name, same steering environment: ci/harness/reuse.py,
    # the per-test rule of cmake/run-case.cmake at once) reuses that pass
    # whole, without starting a test. HARNESS_RERUN=1 runs everything.
    local last="$dir/.harness-last-pass" key="" whole_reuse=0
    if [ -z "$user_include" ] && [ -z "${HARNESS_RERUN:-}" ]; then
      key=$(ctest --preset "$p" "${ctest_args[@]}" --show-only=json-v1 2>/dev/null | python3 ci/report.py reuse-key "$dir")
      if [ -n "$key" ] && [ "$(cat "$last/key" 2>/dev/null)" = "$key" ] && [ -f "$last/junit.xml" ]; then
        cp "$last/junit.xml" "$reports/$p.junit.xml"
        echo "harness: nothing any test of $p runs changed since its last complete pass: reused whole" >>"$log"
        whole_reuse=1
      fi
    fi
    if [ $whole_reuse = 1 ]; then
      :
    elif [ -n "$user_include" ]; then # the presets' test settings, in this tree
      phase test ctest --test-dir "$dir" --output-on-failure -j 2 --no-tests=error "${ctest_args[@]}" \
        --output-junit "$reports/$p.junit.xml"
    else
      rm -rf "$last"
      phase test ctest --preset "$p" "${ctest_args[@]}" --output-junit "$reports/$p.junit.xml"
    fi
    # What the side reports need of the build tree, beside the JUnit file,
    # so that they read reports/ only (and a merge of several runs has it):
    # which binding copies had no operation of their own, and the proofs'
    # counterexamples (ctest keeps only the start of a passing test's output).
    rm -rf "$reports/$p.bindings.txt" "$reports/$p.proof-traces"
    [ -f "$dir/bindings.txt" ] && cp "$dir/bindings.txt" "$reports/$p.bindings.txt"
    if compgen -G "$dir/cases/proofs/i/*.trace" >/dev/null; then
      mkdir -p "$reports/$p.proof-traces" && cp "$dir"/cases/proofs/i/*.trace "$reports/$p.proof-traces/"
    fi
    # The outcome, from the JUnit file (ci/report.py): a skip only where the
    # harness declared one, anything else not run a failure.
    local passed failed skipped reused retried
    read -r passed failed skipped reused retried < <(python3 ci/report.py config --reports "$reports" "$p")
    if [ "$((${passed:-0} + ${failed:-0} + ${skipped:-0}))" = 0 ]; then
      verdict=FAIL; detail="ctest ran no test (see $log)"
    else
      # A configuration that ran nothing is a skip, never a pass.
      if [ "$failed" -gt 0 ] || { [ $whole_reuse = 0 ] && ! grep -q 'tests passed' "$log"; }; then verdict=FAIL
      elif [ "$passed" = 0 ]; then verdict=SKIP
      else verdict=PASS; fi
      detail="$passed passed, $failed failed, $skipped skipped"
      if [ $whole_reuse = 1 ]; then
        detail="$detail, all reused from the configuration's last complete pass"
      elif [ "$reused" -gt 0 ]; then
        detail="$detail, $reused of them reused unchanged"
      fi
      [ "${retried:-0}" -gt 0 ] && detail="$detail, $retried run twice: the emulator printed nothing the first time"
      if [ $whole_reuse = 0 ] && [ -n "$key" ] && [ "$verdict" = PASS ]; then
        # Keyed again now: the run itself wrote the depfiles of what its
        # tests compiled (hygiene, proofs), which the next key will hash.
        key=$(ctest --preset "$p" "${ctest_args[@]}" --show-only=json-v1 2>/dev/null | python3 ci/report.py reuse-key "$dir")
        [ -n "$key" ] && mkdir -p "$last" && cp "$reports/$p.junit.xml" "$last/junit.xml" && echo "$key" >"$last/key"
      fi
      [ "$skipped" -gt 0 ] && detail="$detail ($(cat "$reports/$p.reasons"))"
    fi
  fi
  [ -f "$reports/$p.counts" ] || echo "$detail" >"$reports/$p.reasons"
  printf '%-4s %-28s %4ss  %s\n' "$verdict" "$p" "$((SECONDS - t0))" "$detail" | tee "$reports/$p.result"
}

say "matrix: ${#presets[@]} configurations, $(nproc) at a time"
for p in "${presets[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$(nproc)" ]; do wait -n; done
  set -m # job control for this job only: a process group of its own
  run_one "$p" 9>&- &
  set +m
done
wait
wall=$((SECONDS - started - setup_s))

# ---- ABI audit: compile-time manifests against abi/, invariants, libabigail --
# Only configurations that built and ran in this run (stale builds are not
# audited); docs/abi-audit.md.
audited=()
for p in "${presets[@]}"; do [ -f "$reports/$p.counts" ] && [ -f "$build_root/$p/abi/probes.txt" ] && audited+=("$p"); done
abi_rc=0
if [ ${#audited[@]} -gt 0 ]; then
  # An audit of exactly the same inputs (every audited configuration's
  # probes, abi/ with its baselines and tool, the scripts, libabigail's
  # version) that passed before is reused with its reports.
  last_audit="$build_root/.harness-last-audit" audit_key=""
  if [ -z "${HARNESS_RERUN:-}" ]; then
    audit_dirs=(); for p in "${audited[@]}"; do audit_dirs+=("$build_root/$p/abi"); done
    audit_key=$( { printf '%s\n' "$build_root" "$reports" "${audited[@]}"; abidw --version 2>&1;
                   find abi ci/abi-audit.sh ci/tables.py ci/harness/tables.py harness/versions.txt "${audit_dirs[@]}" -type f -print0 |
                     sort -z | xargs -0 sha256sum; } | sha256sum | cut -d' ' -f1)
  fi
  if [ -n "$audit_key" ] && [ "$(cat "$last_audit/key" 2>/dev/null)" = "$audit_key" ] && [ -d "$last_audit/abi" ]; then
    rm -rf "$reports/abi" && cp -r "$last_audit/abi" "$reports/abi" && cp "$last_audit/abi-audit.log" "$reports/abi-audit.log"
    say ""
    say "matrix: abi-audit: nothing it reads changed since its last passing run: its reports are reused (HARNESS_RERUN=1 audits again)"
  else
    rm -rf "$last_audit"
    ci/abi-audit.sh --build-root "$build_root" --reports "$reports" "${audited[@]}" >"$reports/abi-audit.log" 2>&1 9>&-; abi_rc=$?
    if [ $abi_rc = 0 ] && [ -n "$audit_key" ]; then
      mkdir -p "$last_audit" && cp -r "$reports/abi" "$last_audit/abi" && cp "$reports/abi-audit.log" "$last_audit/" &&
        echo "$audit_key" >"$last_audit/key"
    fi
    say ""
  fi
  grep -v '^abi-audit: ' "$reports/abi-audit.log" | head -n 40
  grep '^abi-audit: ' "$reports/abi-audit.log" | sed 's/^abi-audit: /matrix: abi-audit: /'
else
  say "matrix: abi-audit: no configuration built, nothing to audit"
fi

# ---- reports (ci/report.py: summary.md and .json, junit.xml, matrix.png) ------
report_args=(--reports "$reports" --wall "$wall" --setup "$setup_s" --abi-exit "$abi_rc" --audited "${#audited[@]}")
[ "$filtered" = 0 ] || report_args+=(--filtered)
[ -z "$label" ] || report_args+=(--label-filtered)
[ -z "$user_include" ] || report_args+=(--user-include "$user_include")
python3 ci/report.py summary "${report_args[@]}" "${presets[@]}"
