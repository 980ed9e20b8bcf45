#!/usr/bin/env bash
# test.sh -- the project's tests: the harness's own bad-input contract, then
# the whole matrix (ci/matrix.sh, which installs what is missing first).
#
#   ci/test.sh [--no-matrix]     --no-matrix: the self-tests only
#
# Ends with "N passed, N failed, N skipped; N retried" (matrix tests plus
# self-tests; retried: run twice because the emulator printed nothing);
# exit status non-zero iff anything failed.
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/ci/lib.sh"
cd "$here" || exit 2

run_matrix=1
[ "${1:-}" = "--no-matrix" ] && run_matrix=0
ok=0 bad=0
failed() { # failed DESCRIPTION: one failed self-test, said now and recorded for the recap
  bad=$((bad+1)); say "selftest: FAILED: $1"; say "selftest: FAILED: $1" >>"$failures"
}
expect() { # expect DESCRIPTION WANT_RC PATTERN -- command...
  local what=$1 want=$2 pattern=$3; shift 4
  local out rc
  out=$("$@" 2>&1); rc=$?
  if [ "$rc" = "$want" ] && grep -qE -- "$pattern" <<<"$out"; then
    ok=$((ok+1)); say "selftest: ok: $what"
  else
    failed "$what (exit $rc)"; tail -n 5 <<<"$out" | tee -a "$failures"
  fi
}

ci/setup.sh || die "test: setup failed"

{ cmake --preset host-gcc >/dev/null && cmake --build --preset host-gcc >/dev/null; } || die "test: host build failed"
cases="$here/build/host-gcc/cases"
run_case() { # run_case COMMAND-LIST [TIMEOUT] [RESULT_CACHE]
  cmake "-DCOMMAND=$1" -DTIMEOUT="${2:-60}" ${3:+"-DRESULT_CACHE=$3"} -P cmake/run-case.cmake
}
fakes=$(mktemp -d); trap 'rm -rf "$fakes"' EXIT
# Every failure again at the end, after the matrix's long output: CI shows
# only the tail of a run.
failures="$fakes/failures"; : >"$failures"
fakes_log="$fakes/selftest-build.log"
scratch_build() { # scratch_build NAME TARGET [CMAKE-ARG...]: a host GCC build in build/NAME, quietly
  local name=$1 target=$2; shift 2
  cmake -S . -B "build/$name" -G Ninja -DCMAKE_C_COMPILER=gcc "$@" >/dev/null 2>&1 &&
    cmake --build "build/$name" --target "$target" >/dev/null 2>&1
}

# The unit tests of the orchestration package (ci/harness/tests, Debian's
# pytest and coverage), in seconds. Each test counts as a self-test; under
# 90% of the package's lines covered is a failure.
pytest_out=$("$DEBIAN_PYTHON" -m coverage run --branch --data-file="$fakes/.coverage" --source=ci/harness \
  --omit='ci/harness/tests/*' -m pytest -q -p no:cacheprovider ci/harness/tests 2>&1)
pytest_rc=$?
read -r unit_passed unit_failed < <(python3 -c 'import re, sys
t = sys.stdin.read()
print(*(int((re.findall(r"(\d+) " + k, t) or [0])[-1]) for k in ("passed", "failed")))' <<<"$pytest_out")
ok=$((ok + unit_passed))
if [ "$pytest_rc" != 0 ] || [ "$unit_failed" != 0 ] || [ "$unit_passed" = 0 ]; then
  failed "the unit tests of ci/harness (exit $pytest_rc, $unit_failed failed)"; grep -E "^(FAILED|ERROR)|Error" <<<"$pytest_out" | head -n 20 | tee -a "$failures"
else
  say "selftest: ok: $unit_passed unit tests of ci/harness ($(tail -n 1 <<<"$pytest_out" | sed 's/=//g; s/^ *//'))"
fi
if coverage=$("$DEBIAN_PYTHON" -m coverage report --data-file="$fakes/.coverage" --fail-under=90 2>&1); then
  ok=$((ok+1)); say "selftest: ok: the unit tests cover $(tail -n 1 <<<"$coverage" | awk '{print $NF}') of ci/harness"
else
  failed "the unit tests cover less than 90% of ci/harness: $(tail -n 1 <<<"$coverage")"
fi

expect "unknown preset is refused" 2 "unknown preset 'no-such'" -- ci/matrix.sh --no-setup no-such
expect "unknown target is refused" 2 "unknown target 'no-such'" -- ci/setup.sh no-such
# The self-tests that need one build tree are CTest tests (label selftest,
# cmake/selftest/): the runner's verdicts on programs that crash, hang,
# lie about their checks or claim skips they are not, minicheck's failures.
if cmake -S . -B build/selftest -G Ninja -DCMAKE_C_COMPILER=gcc -DHARNESS_SELFTESTS=ON -DHARNESS_GENERATIONS=ON \
     -DHARNESS_IMPLEMENTATIONS="$here/cmake/selftest/wrong-mirror.cmake" >"$fakes_log" 2>&1 &&
   cmake --build build/selftest --target cases_layout cases_agreement cases_regressions minicheck_fails sweep_mutant selftest_programs >>"$fakes_log" 2>&1; then
  ctest --test-dir build/selftest -L '^selftest$' -j 2 --output-on-failure --no-tests=error \
    --output-junit "$here/build/selftest/selftest.junit.xml" >>"$fakes_log" 2>&1
  read -r st_passed st_failed st_skipped _ < <(python3 ci/report.py config --reports build/selftest selftest)
  ok=$((ok + ${st_passed:-0})); bad=$((bad + ${st_failed:-0} + ${st_skipped:-0}))
  say "selftest: CTest (label selftest): ${st_passed:-0} passed, ${st_failed:-0} failed"
  st_registered=$(ctest --test-dir build/selftest -L '^selftest$' -N | grep -c 'Test *#')
  # Without the CBMC root the proof self-tests are not registered at all
  # (and every proof is a skip): that is a broken setup, not a pass.
  # (Read whole first: grep -q ending a pipe early would fail it, under pipefail.)
  st_list=$(ctest --test-dir build/selftest -L '^selftest$' -N)
  grep -q 'selftest\.proof-' <<<"$st_list" ||
    failed "the proof self-tests are not registered: no CBMC root ($(harness_cache)/cbmc-root.log)"
  { [ "${st_passed:-0}" = "$st_registered" ] && [ "$st_registered" -gt 0 ]; } ||
    { failed "$st_registered CTest self-tests registered, ${st_passed:-0} passed"; tail -n 20 "$fakes_log"; }
  grep -B2 -A8 'selftest: FAILED' "$fakes_log" | head -40
  # CTest's own list of the failed ones, for the recap.
  sed -n '/tests failed out of/,$p' "$fakes_log" | grep -E '^[[:space:]]+[0-9]+ - ' |
    sed 's/^[[:space:]]*[0-9]* - /selftest: FAILED: CTest /' >>"$failures"
else
  failed "build/selftest did not configure or build"; tail -n 20 "$fakes_log"
fi
# Fake case programs: scripts that print what a case would.
fake() { # fake NAME LINE... : a program that prints these lines
  local name=$1; shift
  { echo '#!/bin/sh'; printf 'echo "%s"\n' "$@"; } >"$fakes/$name"
  chmod +x "$fakes/$name"
}
fake good "harness: x: 1 checks registered" "100%: Checks: 1, Failures: 0, Errors: 0"
reuse="$fakes/results"; mkdir -p "$reuse"
run_case "$fakes/good" 60 "$reuse" >/dev/null 2>&1
expect "an unchanged pass is reused, and says so" 0 "reused the pass" -- run_case "$fakes/good" 60 "$reuse"
# (Rewritten at once and to the same size: the digest kept for the old file,
# under its path, size and mtime, must not serve the new one.)
fake good "harness: x: 2 checks registered" "100%: Checks: 1, Failures: 0, Errors: 0"
expect "a changed program is run again, never reused" 1 "1 of 2 checks ran" -- run_case "$fakes/good" 60 "$reuse"
fake good "harness: x: 1 checks registered" "100%: Checks: 1, Failures: 0, Errors: 0"
run_case "$fakes/good" 60 "$reuse" >/dev/null 2>&1
# A pass that needed the retry (Wine's silent first exit) is never kept for
# reuse: the next run shows again whether the emulator starts the program.
cat >"$fakes/flaky" <<SH
#!/bin/sh
[ -f "$fakes/flaky.started" ] || { touch "$fakes/flaky.started"; exit 1; }
echo "harness: x: 1 checks registered"; echo "100%: Checks: 1, Failures: 0, Errors: 0"
SH
chmod +x "$fakes/flaky"
cmake "-DCOMMAND=$fakes/flaky" -DTIMEOUT=60 -DRETRY_SILENT_EXIT=1 "-DRESULT_CACHE=$reuse" -P cmake/run-case.cmake >/dev/null 2>&1
expect "a pass that needed the retry is not reused: the program runs again" 0 "^ran again$" -- \
  bash -c "cmake '-DCOMMAND=$fakes/flaky' -DTIMEOUT=60 -DRETRY_SILENT_EXIT=1 '-DRESULT_CACHE=$reuse' -P cmake/run-case.cmake 2>&1 |
           grep -q 'reused the pass' && echo reused || echo ran again"
for changed in ASAN_OPTIONS=detect_leaks=0 CK_FORK=no QEMU_CPU=max WINEDEBUG=+all; do
  expect "a pass is not reused when the environment that steers the run changed ($changed)" 0 "^ran again$" -- \
    bash -c "$(declare -f run_case); env $changed bash -c \"\$(declare -f run_case); run_case '$fakes/good' 60 '$reuse'\" 2>&1 |
             grep -q 'reused the pass' && echo reused || echo ran again"
done
expect "... nor when what else it depends on changed (IDENTITY: packages, kernel)" 0 "^ran again$" -- \
  bash -c "cmake -DCOMMAND='$fakes/good' -DTIMEOUT=60 -DRESULT_CACHE='$reuse' -DIDENTITY='qemu-user 99' -P cmake/run-case.cmake 2>&1 |
           grep -q 'reused the pass' && echo reused || echo ran again"
# A configuration is reused whole only when no test of it would run
# differently (ci/report.py reuse-key, ci/matrix.sh): the key changes with
# a file a test names, with a test's command or properties, and with the
# steering environment, and with nothing else.
key_of() { # key_of [VAR=value...]: the reuse key of a one-test configuration running $fakes/good
  printf '{"tests":[{"name":"t","command":["/usr/bin/cmake","-DCOMMAND=%s;3.14","-P","%s"],"properties":[]}]}' \
    "$fakes/good" "$here/cmake/run-case.cmake" | env "$@" python3 ci/report.py reuse-key
}
key0=$(key_of)
expect "a configuration's reuse key is stable" 0 "^same$" -- bash -c "[ '$key0' = '$(key_of)' ] && [ -n '$key0' ] && echo same"
expect "... and ignores an environment variable that steers nothing" 0 "^same$" -- \
  bash -c "[ '$key0' = '$(key_of UNRELATED_VAR=1)' ] && echo same"
expect "... and changes with the steering environment (CK_FORK=no)" 0 "^changed$" -- \
  bash -c "[ '$key0' != '$(key_of CK_FORK=no)' ] && echo changed"
fake good "harness: x: 1 checks registered" "100%: Checks: 1, Failures: 0, Errors: 0" "# edited"
expect "... and with the content of a file a test runs" 0 "^changed$" -- bash -c "[ '$key0' != '$(key_of)' ] && echo changed"
fake good "harness: x: 1 checks registered" "100%: Checks: 1, Failures: 0, Errors: 0"
# With the build directory it also follows what the compilations and the
# proofs read (a header named only in a proof's .deps, from its line
# markers) and the compilers' versions (CMakeCache.txt's compiler, asked
# for --version).
mkdir -p "$fakes/kb/cases/proofs/i" "$fakes/bin"
echo '#define HARNESS_FAKE 1' >"$fakes/proof-header.h"
echo "$fakes/proof-header.h" >"$fakes/kb/cases/proofs/i/proof.fake.deps"
printf '#!/bin/sh\necho "gcc (fake) 12.2.0"\n' >"$fakes/bin/gcc"; chmod +x "$fakes/bin/gcc"
echo "CMAKE_C_COMPILER:FILEPATH=$fakes/bin/gcc" >"$fakes/kb/CMakeCache.txt"
key_in() { printf '{"tests":[{"name":"t","command":["/usr/bin/cmake","-DCOMMAND=%s;3.14","-P","%s"],"properties":[]}]}' \
  "$fakes/good" "$here/cmake/run-case.cmake" | python3 ci/report.py reuse-key "$fakes/kb"; }
keyb=$(key_in)
expect "... and with a header a proof includes (its depfile), given the build directory" 0 "^changed$" -- \
  bash -c "$(declare -f key_in); fakes='$fakes' here='$here'; [ '$keyb' = \"\$(key_in)\" ] &&
           echo '#define HARNESS_FAKE 2' >'$fakes/proof-header.h' && [ -n \"\$(key_in)\" ] && [ '$keyb' != \"\$(key_in)\" ] && echo changed"
echo '#define HARNESS_FAKE 1' >"$fakes/proof-header.h"
expect "... and with the compiler's version" 0 "^changed$" -- \
  bash -c "$(declare -f key_in); fakes='$fakes' here='$here'; [ '$keyb' = \"\$(key_in)\" ] &&
           printf '#!/bin/sh\necho \"gcc (fake) 13.1.0\"\n' >'$fakes/bin/gcc' && [ -n \"\$(key_in)\" ] &&
           [ '$keyb' != \"\$(key_in)\" ] && grep -q '13.1.0' '$fakes/.harness-tool-versions.json' && echo changed"
expect "... and is empty (no reuse) when the tests cannot be read" 0 "^empty$" -- \
  bash -c "[ -z \"\$(echo 'not json' | python3 ci/report.py reuse-key)\" ] && echo empty"
# The trap itself: wine64 given a 32-bit Windows program prints nothing and
# exits 0 (the i686 configurations run under the i386 root's wine32 instead).
# This is how such a run would "pass" if a test passed on exit status.
if command -v wine >/dev/null && [ -f "$(harness_cache)/wine/system.reg" ] &&
   cmake --preset i686-w64-mingw32-gcc >/dev/null 2>&1 && cmake --build --preset i686-w64-mingw32-gcc >/dev/null 2>&1; then
  expect "wine64 running a 32-bit program (exit 0, nothing run) fails" 1 "printed nothing it should" -- \
    run_case "/usr/bin/env;WINEPREFIX=$(harness_cache)/wine;WINEDEBUG=-all;wine;$here/build/i686-w64-mingw32-gcc/cases/cases_layout.exe;3.14"
fi

# One table per fact (ci/tables.py): the presets and the README's table of
# configurations are generated from the toolchain files and are current,
# every target has its docs/targets.md row, and the generator's check bites.
expect "the generated files are current and every target is documented" 0 "everything generated is current" -- \
  python3 ci/tables.py check
cmake --list-presets >/dev/null 2>&1 && expect "CMake reads the generated presets" 0 "s390x-linux-gnu-clang" -- cmake --list-presets
# That the check bites (a preset edited by hand, a target without its row,
# a version held to a family cases/expect.h lacks): the unit tests above.
# CMake parses no table: it includes what ci/tables.py generated
# (cmake/harness_tables.cmake), and a version table edited since stops the
# configure, saying what to run.
rm -rf "$fakes/vt" && mkdir -p "$fakes/vt" &&
  git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$fakes/vt" 2>/dev/null
echo "# edited" >>"$fakes/vt/harness/versions.txt"
expect "a version table edited without ci/tables.py generate stops the configure" 1 \
  "versions.txt changed since cmake/harness_tables.cmake was generated: run python3 ci/tables.py generate" -- \
  bash -c "cmake -S '$fakes/vt' -B '$fakes/vt/build' -G Ninja -DCMAKE_C_COMPILER=gcc 2>&1 | tr -s '\n ' '  '; exit \${PIPESTATUS[0]}"
# ... and so does an edited binding table (harness/bindings/).
cp harness/versions.txt "$fakes/vt/harness/versions.txt"
echo "# edited" >>"$fakes/vt/harness/bindings/known-divergences.txt"
expect "a binding table edited without ci/tables.py generate stops the configure" 1 \
  "a table in $fakes/vt/harness/bindings changed since cmake/harness_tables.cmake was generated" -- \
  bash -c "cmake -S '$fakes/vt' -B '$fakes/vt/build-bindings' -G Ninja -DCMAKE_C_COMPILER=gcc 2>&1 | tr -s '\n ' '  ';
           exit \${PIPESTATUS[0]}"
# GitHub's schema, through npm's @action-validator/cli (ci/setup.sh installs it).
validator="$(harness_cache)/npm/node_modules/.bin/action-validator"
expect "the GitHub workflow is valid against GitHub's schema (action-validator)" 0 "" -- "$validator" .github/workflows/matrix.yml
sed 's/timeout-minutes:/timeout-minute:/' .github/workflows/matrix.yml >"$fakes/matrix.yml"
expect "... and a misspelled key is not (action-validator)" 1 "Additional property 'timeout-minute' is not allowed" -- \
  "$validator" "$fakes/matrix.yml"
# The fact sheet's pitfall: CPython's headers paired with another target's
# pyconfig.h (here s390x's, big-endian, on this little-endian host) must
# disagree with the model, loudly, with both sides shown. The harness
# refuses such a pairing by itself (below); HARNESS_CPYTHON_PYCONFIG_UNCHECKED
# forces it, to show that the checks would catch it.
cpython="$(harness_cache)/cpython/3.14"
if scratch_build selftest-wrong-pyconfig cases_agreement -DHARNESS_CPYTHON_INCLUDE="$cpython/include" \
     -DHARNESS_CPYTHON_PYCONFIG="$cpython/pyconfig/s390x-linux-gnu" -DHARNESS_CPYTHON_PYCONFIG_UNCHECKED=ON; then
  expect "real headers with another target's pyconfig.h disagree with the model, showing both" 1 \
    "counting word is at 4 size 4 in the implementation, at 0 size 4 in the model" -- \
    run_case "$here/build/selftest-wrong-pyconfig/cases/cases_agreement;user-3.14"
else
  failed "the build with a mismatched pyconfig.h did not configure or build"
fi
# Without that switch, the same pairing is refused: the host gets a
# pyconfig.h derived from s390x's (its feature macros, the host's sizes and
# byte order, even the indented "#  define WORDS_BIGENDIAN 1" dropped), and
# the headers agree with the model.
if scratch_build selftest-refused-pyconfig cases_agreement -DHARNESS_CPYTHON_INCLUDE="$cpython/include" \
     -DHARNESS_CPYTHON_PYCONFIG="$cpython/pyconfig/s390x-linux-gnu"; then
  expect "... without HARNESS_CPYTHON_PYCONFIG_UNCHECKED it is refused, one is derived, and the headers agree" 0 \
    "s390x-linux-gnu/pyconfig.h .*is not this target's.*100%: Checks: 3, Failures: 0" -- \
    bash -c "$(declare -f run_case); run_case '$here/build/selftest-refused-pyconfig/cases/cases_agreement;user-3.14' 2>&1 | tr '\n' ' '"
else
  failed "the build refusing a mismatched pyconfig.h did not configure or build"
fi
# The binding copies' own-operations scan (harness/bindings/bindings.cmake)
# on a fake copy whose version guards say which functions are its own, and
# which includes a header whose definitions are not
# (cmake/selftest/fake-binding/README.md): build/selftest-scan/bindings.txt
# must say exactly that, version by version.
fake_binding="$here/cmake/selftest/fake-binding"
scan_expected() { # scan_expected VERSION: what the fake copy's guards say
  case $1 in
    3.11 | 3.12 | 3.13) echo "own: try_incref=PyUnstable_TryIncRef" ;;
    3.13t) echo "own: try_incref=PyUnstable_TryIncRef is_uniquely_referenced=PyUnstable_Object_IsUniquelyReferenced" ;;
    *) echo "none" ;;
  esac
}
if cmake -S . -B build/selftest-scan -G Ninja -DCMAKE_C_COMPILER=gcc -DHARNESS_BINDINGS_TABLE="$fake_binding/fake-bindings.txt" \
     -DHARNESS_BINDINGS_ROOT="$fake_binding" >/dev/null 2>&1; then
  scan_wrong="" scan_seen=" "
  while IFS='|' read -r impl status detail; do
    version=${impl#fake-1.0-} got=$status
    [ "$status" = own ] && got="own: ${detail##*: }"
    scan_seen+="$version "
    [ "$got" = "$(scan_expected "$version")" ] || scan_wrong+=" $version is '$got';"
  done <build/selftest-scan/bindings.txt
  for version in 3.11 3.13 3.13t 3.14 3.14t 3.15; do
    [[ $scan_seen == *" $version "* ]] || scan_wrong+=" $version is missing;"
  done
  scan_seen=${scan_seen# }; scan_seen=${scan_seen% }
  expect "the own-operations scan follows each version's guards and the copy's own file only ($scan_seen)" 0 "^right$" -- \
    bash -c "if [ -z \"\$1\" ]; then echo right; else echo \"wrong:\$1\"; fi" _ "$scan_wrong"
  # ... and configure holds the scan to the committed own operations, both
  # lists shown: a changed row, and a copy without one.
  sed 's/^fake-1.0-3.13 .*/fake-1.0-3.13    try_incref,is_uniquely_referenced/; /^fake-1.0-3.14t/d' \
    "$fake_binding/own-operations.txt" >"$fakes/own-operations.txt"
  expect "a scan that finds other own operations than committed fails configure, with both lists" 1 \
    "fake-1.0-3.13: found try_incref; expected try_incref,is_uniquely_referenced.*fake-1.0-3.14t: found -;.* has no row for it" -- \
    bash -c "cmake -S . -B build/selftest-scan -DHARNESS_BINDINGS_OWN='$fakes/own-operations.txt' 2>&1 | tr '\n' ' ';
             exit \${PIPESTATUS[0]}"
  cmake -S . -B build/selftest-scan -DHARNESS_BINDINGS_OWN="$fake_binding/own-operations.txt" >/dev/null 2>&1
else
  failed "the build with a fake binding copy did not configure"
fi
# Header hygiene must fail on a diagnostic nobody knows: the 3.14 headers
# with one line added that warns.
cp -r "$cpython/include" "$fakes/include" && echo 'static int harness_selftest_unused;' >>"$fakes/include/object.h"
if cmake -S . -B build/selftest-bad-headers -G Ninja -DCMAKE_C_COMPILER=gcc -DHARNESS_CPYTHON_INCLUDE="$fakes/include" \
     -DHARNESS_CPYTHON_PYCONFIG="$cpython/pyconfig/x86_64-linux-gnu" >/dev/null 2>&1; then
  expect "a new diagnostic from CPython's headers fails the hygiene case, and is shown" 1 \
    "harness_selftest_unused.*defined but not used" -- \
    cmake -DBUILD_DIR=build/selftest-bad-headers -DTARGET=hygiene_user_3_14_c99_pedantic \
      -DIMPLEMENTATION=user-3.14 -DVARIANT=c99-pedantic -DKNOWN=harness/real/hygiene-known.txt -P cmake/hygiene.cmake
else
  failed "the build with doctored headers did not configure"
fi
# The ABI audit (docs/abi-audit.md) must bite on real probes: the model
# built with 3.14's split fields in big-endian order on this little-endian
# host, audited as host-gcc, is an incompatible change (12) whose diff names
# the fields. (Canned manifests and bad input: ci/harness/tests/test_audit.py.)
audit() { PYTHONPATH="$here" python3 -m ci.harness audit "$@"; }
if scratch_build selftest-abi-break abi_probes "-DHARNESS_MODEL_BREAK=HARNESS_MODEL_BREAK_314_ORDER;HARNESS_MODEL_BREAK_315_SLOT"; then
  mkdir -p "$fakes/abi-break"
  expect "the probes of the broken model are read back" 0 "" -- audit extract --configuration host-gcc \
    --abi host --quadrant "$(host_quadrant)" build/selftest-abi-break/abi/probes.txt "$fakes/abi-break/host-gcc.json"
  expect "a deliberate layout break fails the audit as incompatible (exit 12), naming the field" 12 \
    "host-gcc 3.14: PyObject.fields.ob_flags.offset: 6 -> 0 \\[incompatible\\]" -- \
    audit manifests --invariants abi/invariants.json abi/manifests "$fakes/abi-break"
  expect "... and the model no longer matches CPython's real 3.14 headers (invariant model-vs-real)" 12 \
    "invariant model-vs-real: host-gcc 3.14 vs real-3.14: PyObject.fields.ob_refcnt.offset: 4 -> 0" -- \
    audit manifests --invariants abi/invariants.json abi/manifests "$fakes/abi-break"
  expect "a model PySlot of 24 bytes fails the module-structs invariant (3.15's is 16 everywhere)" 12 \
    "invariant module-structs: host-gcc 3.15: PySlot is 24 bytes \\(16 wanted\\)" -- \
    audit manifests --invariants abi/invariants.json abi/manifests "$fakes/abi-break"
  abidw --no-corpus-path --no-show-locs --no-comp-dir-path --drop-private-types --suppressions abi/abigail/suppressions.ini \
    build/selftest-abi-break/abi/libharness-abi-3.14.so >"$fakes/abi-break/3.14.abi" 2>&1
  expect "libabigail sees the same break as a change of the anonymous union (abidiff exit 4)" 4 \
    "struct \\{uint16_t ob_flags; uint16_t ob_overflow; uint32_t ob_refcnt;\\}" -- \
    abidiff --no-show-locs --suppressions abi/abigail/suppressions.ini abi/abigail/host/3.14.abi "$fakes/abi-break/3.14.abi"
  # The fact sheet's pitfall again, now for the audit: the 3.14 headers with
  # s390x's pyconfig.h on this host (the build configured above).
  mkdir -p "$fakes/abi-wrong-pyconfig"
  if cmake --build build/selftest-wrong-pyconfig --target abi_probes >/dev/null 2>&1 &&
     audit extract --configuration host-gcc --abi host --quadrant "$(host_quadrant)" \
       build/selftest-wrong-pyconfig/abi/probes.txt "$fakes/abi-wrong-pyconfig/host-gcc.json"; then
    expect "headers with another target's pyconfig.h fail the audit: byte order, and the model disagrees" 12 \
      "host-gcc user-3.14: the headers say big-endian .*invariant model-vs-real: host-gcc 3.14 vs user-3.14: counting_word.offset: 0 -> 4" -- \
      bash -c "set -o pipefail; PYTHONPATH='$here' python3 -m ci.harness audit manifests --invariants abi/invariants.json abi/manifests '$fakes/abi-wrong-pyconfig' | tr '\n' ' '"
  else
    failed "the probes with a mismatched pyconfig.h did not build or read"
  fi
else
  failed "the deliberately broken model did not build"
fi
# Your own headers that cannot be used are a configure error on every
# preset, Windows included: a path that is no Include/, and headers that do
# not compile for the target.
cp -r "$cpython/include" "$fakes/broken-include" && echo '#error a deliberately broken header' >>"$fakes/broken-include/object.h"
for p in host-gcc x86_64-w64-mingw32-gcc x86_64-pc-windows-msvc-clang-cl; do
  expect "$p: a directory that is not a CPython Include/ is a clear configure error" 1 \
    "HARNESS_CPYTHON_INCLUDE=/nonexistent is not a CPython Include/" -- \
    cmake --preset "$p" -B "build/selftest-bad-include/$p" --fresh -DHARNESS_CPYTHON_INCLUDE=/nonexistent
  expect "$p: headers that do not compile for the target are a clear configure error, with the compiler's words" 1 \
    "HARNESS_CPYTHON_INCLUDE is unusable here: .*a deliberately broken header" -- \
    bash -c "set -o pipefail; cmake --preset '$p' -B 'build/selftest-bad-include/$p' --fresh \
               -DHARNESS_CPYTHON_INCLUDE='$fakes/broken-include' 2>&1 | tr -s '\n ' '  '"
done
# PyPy's headers carry CPython's version macros: refused by name, never
# judged as CPython's (cmake/selftest/fake-pypy/).
expect "PyPy's headers are refused at configure time, by a message that names PyPy" 1 \
  "these are PyPy's headers \(cpyext \"7.3.19\"\), not CPython's" -- \
  bash -c "set -o pipefail; cmake --preset host-gcc -B build/selftest-bad-include/pypy --fresh \
             -DHARNESS_CPYTHON_INCLUDE='$here/cmake/selftest/fake-pypy' 2>&1 | tr -s '\n ' '  '"
expect "the one command refuses a directory that is not an Include/ before building anything" 2 \
  "--cpython-include /tmp is not a CPython Include/" -- ci/matrix.sh --no-setup --cpython-include /tmp host-gcc

# The one command bites: three copies of the real 3.14 headers, each with
# one line changed that matters to one data model only, run through
# ci/matrix.sh --cpython-include on a configuration of each data model;
# each must fail exactly where its data model is, and pass elsewhere.
#   64-bit big-endian: the big-endian field order of the refcount struct
#     replaced by the little-endian one (the fact sheet's pyconfig pitfall);
#   32-bit: the immortal threshold _Py_IMMORTAL_MINIMUM_REFCNT halved;
#   LLP64 (64-bit Windows): the 64-bit ob_refcnt_full declared long.
mutant_presets=(host-gcc s390x-linux-gnu-gcc arm-linux-gnueabihf-gcc powerpc-linux-gnu-gcc x86_64-w64-mingw32-gcc)
# user_verdict.py USER_JSON MATRIX_EXIT fail "PRESETS" | pass IMPLEMENTATION:
# what reports/user.json says against what must be.
cat >"$fakes/user_verdict.py" <<'PY'
import json, sys
confs = json.load(open(sys.argv[1]))["configurations"]  # {preset: {implementation: row}}
rows = [(p, r) for p, impls in confs.items() for r in impls.values()]
rc, mode, want = sys.argv[2], sys.argv[3], sys.argv[4]
print({p: {i: (r["result"], r["passed"], r["failed"]) for i, r in impls.items()} for p, impls in confs.items()},
      "matrix exit", rc)
if mode == "fail":
    failed = sorted({p for p, r in rows if r["result"] != "PASS"})
    ok = failed == sorted(want.split()) and rc != "0" and all(any(r["failed"] > 0 for q, r in rows if q == p)
                                                               for p in failed)
    print("detected exactly where expected" if ok else f"NOT where expected: {failed}")
elif mode == "pass":
    ok = rc == "0" and rows and all(r["implementation"] == want and r["result"] == "PASS" and r["passed"] > 0
                                    for _, r in rows)
    unused = [f"{p} ({r['pyconfig_not_used']})" for p, r in rows if r.get("pyconfig_not_used")]
    print((f"all {want}, all passed" if ok else f"NOT all {want}") + "; your pyconfig.h not used on: " + ", ".join(unused))
else:  # each: every configuration ran exactly these implementations, each passed
    ok = rc == "0" and confs and all(sorted(impls) == sorted(want.split()) and
                                     all(r["result"] == "PASS" and r["passed"] > 0 for r in impls.values())
                                     for impls in confs.values())
    print(f"each of {want}, all passed" if ok else f"NOT each of {want}")
PY
mutant() { # mutant NAME FILE SED-EXPRESSION EXPECTED-FAILING-PRESETS
  local name=$1 file=$2 edit=$3 want=$4 dir="$fakes/mutant-$1"
  cp -r "$cpython/include" "$dir"
  sed -i "$edit" "$dir/$file"
  if cmp -s "$cpython/include/$file" "$dir/$file"; then
    failed "mutant $name: '$edit' changed nothing in $file (did the 3.14 headers change?)"; return
  fi
  expect "mutant $name ($(diff "$cpython/include/$file" "$dir/$file" | sed -n 's/^> *//p' | head -c 60)) fails exactly on: $want" 0 \
    "^detected exactly where expected" -- bash -c "
      ci/matrix.sh --no-setup --cpython-include '$dir' --pyconfig '$cpython/pyconfig/x86_64-linux-gnu' \
        --reports '$fakes/reports-$name' ${mutant_presets[*]} >'$fakes/mutant-$name.log' 2>&1
      python3 '$fakes/user_verdict.py' '$fakes/reports-$name/user.json' \$? fail '$want'"
}
mutant 64be object.h 's/^#  if PY_BIG_ENDIAN$/#  if 0 \&\& PY_BIG_ENDIAN/' "s390x-linux-gnu-gcc"
mutant 32bit refcount.h 's/^#define _Py_IMMORTAL_MINIMUM_REFCNT ((Py_ssize_t)(1L << 30))$/#define _Py_IMMORTAL_MINIMUM_REFCNT ((Py_ssize_t)(1L << 29))/' \
  "arm-linux-gnueabihf-gcc powerpc-linux-gnu-gcc"
mutant llp64 object.h 's/^        PY_INT64_T ob_refcnt_full;/        long ob_refcnt_full;/' "x86_64-w64-mingw32-gcc"

# Free-threaded or not is what the pyconfig.h used says: the unmodified 3.14
# headers with a pyconfig.h that defines Py_GIL_DISABLED are user-3.14t and
# pass as such (where one is derived, it keeps Py_GIL_DISABLED); with the
# GIL pyconfig.h they are user-3.14 and pass.
mkdir -p "$fakes/ft-pyconfig"
sed 's|^#endif /\*Py_PYCONFIG_H\*/$|#define Py_GIL_DISABLED 1\n&|' "$cpython/pyconfig/x86_64-linux-gnu/pyconfig.h" >"$fakes/ft-pyconfig/pyconfig.h"
for build in "ft user-3.14t $fakes/ft-pyconfig" "gil user-3.14 $cpython/pyconfig/x86_64-linux-gnu"; do
  read -r kind impl pyconfig <<<"$build"
  expect "the 3.14 headers with a $kind pyconfig.h pass as $impl on host, s390x and 64-bit Windows; its rows say where it was not used, and why" 0 \
    "^all $impl, all passed; your pyconfig.h not used on: s390x-linux-gnu-gcc \\(it describes 64-bit little-endian, this target is 64-bit big-endian Linux\\), x86_64-w64-mingw32-gcc \\(it describes 64-bit little-endian, this target is 64-bit Windows\\)$" -- bash -c "
      ci/matrix.sh --no-setup --cpython-include '$cpython/include' --pyconfig '$pyconfig' --reports '$fakes/reports-$kind' \
        host-gcc s390x-linux-gnu-gcc x86_64-w64-mingw32-gcc >'$fakes/$kind.log' 2>&1
      python3 '$fakes/user_verdict.py' '$fakes/reports-$kind/user.json' \$? pass $impl"
done

# A pyconfig.h that describes none of the selected targets, nor the host,
# stops the run before anything is built, showing both data models.
expect "a pyconfig.h that fits no selected configuration, nor the host, is an error showing both data models" 2 \
  "describes 64-bit big-endian; none of the selected configurations is \\(i686-linux-gnu-gcc: 32-bit little-endian\\), nor is this host \\(64-bit little-endian\\)" -- \
  ci/matrix.sh --no-setup --cpython-include "$cpython/include" --pyconfig "$cpython/pyconfig/s390x-linux-gnu" i686-linux-gnu-gcc

# From 3.15 one Include/ with a GIL pyconfig.h is three implementations:
# user-3.15, its free-threaded twin user-3.15t, and abi3t from it
# (user-abi3t), each run and passed, on Linux and 64-bit Windows.
expect "the 3.15 headers with a GIL pyconfig.h run as user-3.15, user-3.15t and user-abi3t, each passed" 0 \
  "^each of user-3.15 user-3.15t user-abi3t, all passed" -- bash -c "
    ci/matrix.sh --no-setup --cpython-include '$cpython/../3.15/include' --pyconfig '$cpython/../3.15/pyconfig/x86_64-linux-gnu' \
      --reports '$fakes/reports-315' host-gcc x86_64-w64-mingw32-gcc >'$fakes/user-315.log' 2>&1
    python3 '$fakes/user_verdict.py' '$fakes/reports-315/user.json' \$? each 'user-3.15 user-3.15t user-abi3t'"

# gh-134989 is judged on the headers' own Py_RETURN_NONE, compiled for the
# limited API of 3.11: the 3.14 headers with the 3.12 spelling (a bare
# return, one line changed) fail it; 3.13.0's real headers, where the bug
# is, pass it as present.
cp -r "$cpython/include" "$fakes/return-none-include"
sed -i 's/^#  define Py_RETURN_NONE return Py_NewRef(Py_None)$/#  define Py_RETURN_NONE return Py_None/' "$fakes/return-none-include/object.h"
if scratch_build selftest-return-none cases_regressions -DHARNESS_CPYTHON_INCLUDE="$fakes/return-none-include" \
     -DHARNESS_CPYTHON_PYCONFIG="$cpython/pyconfig/x86_64-linux-gnu"; then
  expect "headers whose Py_RETURN_NONE does not incref under the old limited API fail gh-134989, both sides shown" 1 \
    "Py_RETURN_NONE \\(limited API 3.11\\) added 0 references, expected 1" -- \
    run_case "$here/build/selftest-return-none/cases/cases_regressions;user-3.14"
else
  failed "the build with a changed Py_RETURN_NONE did not configure or build"
fi
pyenv313=$(ls -d "$HOME"/.pyenv/versions/3.13.0/include/python3.13 2>/dev/null)
if [ -n "$pyenv313" ] && scratch_build selftest-return-none cases_regressions -DHARNESS_CPYTHON_INCLUDE="$pyenv313" \
     -DHARNESS_CPYTHON_PYCONFIG=; then
  expect "CPython 3.13.0's own headers show gh-134989 present, as the fact sheet says" 0 "gh-134989 PRESENT, CPython 3.13.0" -- \
    run_case "$here/build/selftest-return-none/cases/cases_regressions;user-3.13"
fi
# A case that must not compile (mypyc's op->ob_refcnt++ against
# free-threaded headers) fails when it does compile, and when it fails for
# another reason.
expect "a must-not-compile case fails when the code compiles (mypyc's ++ on the GIL 3.14 headers)" 1 \
  "it compiled, and it must not" -- cmake -DBUILD_DIR=build/host-gcc -DTARGET=hygiene_real_3_14_c99_pedantic \
    -DNAME=selftest -DDIAGNOSTIC=ob_refcnt -P cmake/expect-compile-error.cmake
expect "... and when it fails for another reason than the one it names" 1 "it failed to compile, but not with" -- \
  cmake -DBUILD_DIR=build/host-gcc -DTARGET=mypyc_no_imm_real_3_14t -DNAME=selftest -DDIAGNOSTIC=no-such-diagnostic \
    -P cmake/expect-compile-error.cmake
# A pyconfig.h for another data model (x86_64's, 64-bit, given for armhf,
# 32-bit) is refused at configure time, before anything is compiled with it,
# and the report says why; the target gets one derived from its compiler.
# (Used as is, its SIZEOF_VOID_P 8 would select the 64-bit encoding:
# "shift count >= width of type" on _Py_STATIC_FLAG_BITS << 48.)
rm -rf build/selftest-wrong-model
if cmake --preset arm-linux-gnueabihf-gcc -B build/selftest-wrong-model -DHARNESS_CPYTHON_INCLUDE="$cpython/include" \
     -DHARNESS_CPYTHON_PYCONFIG="$cpython/pyconfig/x86_64-linux-gnu" >"$fakes/wrong-model.log" 2>&1; then
  expect "a 64-bit pyconfig.h given for a 32-bit target is not used: the harness says why, and derives one" 0 \
    "x86_64-linux-gnu/pyconfig.h .* is not this target's: it describes 64-bit little-endian, this target is 32-bit little-endian Linux.*SIZEOF_VOID_P 4" -- \
    bash -c "grep -o 'derived pyconfig: [^\"]*x86_64-linux-gnu/pyconfig.h ([^\"]*' build/selftest-wrong-model/build.ninja | head -n 1 | tr '\n' ' ';
             grep -h '^#define SIZEOF_VOID_P' build/selftest-wrong-model/pyconfig/user-3.14/pyconfig.h"
  expect "... and nothing was compiled with it" 0 "^no object yet$" -- \
    bash -c "find build/selftest-wrong-model -name '*.o' -newer '$fakes/wrong-model.log' | grep -q . && echo compiled || echo no object yet"
else
  failed "armhf with x86_64's pyconfig.h did not configure"; tail -n 5 "$fakes/wrong-model.log"
fi
rm -rf build/selftest-wrong-model
# The POSIX platform layer when fork() or waitpid() fail (interposed by the
# program): no descriptor leaks, and an unknown end of the child is an
# error, never a measurement (the old code leaked the pipe and took
# waitpid's silence for a clean exit).
if cc -std=c11 -Wall -Wextra -Werror -Icases cmake/selftest/platform_failures.c cases/platform_posix.c \
     -o "$fakes/platform-failures" -ldl; then
  expect "fork() failing leaks no descriptor, and waitpid() failing is an error, not a measurement" 0 \
    "fork fails: 0 descriptors leaked; fork\\(\\) failed waitpid fails: result -1; waitpid\\(\\) failed" -- \
    bash -c "'$fakes/platform-failures' | tr '\n' ' '"
else
  failed "cmake/selftest/platform_failures.c does not build"
fi
# Source guards for the C correctness fixes whose old form nothing at run
# time shows: object storage with a declared type handed to the
# implementations, a function pointer stored through a void *, _Py_Dealloc
# defined for the real headers with another type than theirs.
expect "no case hands an implementation storage with a declared type, nor stores a function pointer through void *" 0 \
  "^clean$" -- bash -c "grep -nE '_Alignas\\(16\\) uint8_t [a-z_]+\\[RM_MAX_HEADER\\]|\\*\\(void \\*\\*\\)&' cases/*.c || echo clean"
expect "the real headers' _Py_Dealloc and slow paths are each implementation's own" 0 "^renamed$" -- \
  bash -c "grep -q '_Py_Dealloc=\\\${symbol}_Py_Dealloc' harness/real/CMakeLists.txt &&
           ! grep -qE '_Py_(DecRefShared|MergeZeroLocalRefcount)\\(void' cases/case_main.c && echo renamed"
# A version the cases have no expectations for is refused by name, never
# judged by 3.11's (cases/expect.h used to fall back to them).
if scratch_build selftest-unknown-version cases_layout -DHARNESS_IMPLEMENTATIONS="$here/cmake/selftest/unknown-version.cmake"; then
  expect "an implementation of a version without expectations is refused, by name" 1 \
    "no expectations for version '3.16'" -- run_case "$here/build/selftest-unknown-version/cases/cases_layout;selftest-3.16"
else
  failed "the build with an implementation of an unknown version did not configure or build"
fi
expect "a missing emulator is a clear configure error" 1 "harness: unavailable: qemu-nosuch" -- \
  cmake -S . -B build/selftest-missing --fresh -DCMAKE_TOOLCHAIN_FILE=cmake/selftest/missing-emulator.cmake

# drive.py registers its checks before it runs them: a copy that lost one
# check runs fewer than it registered, and fails.
if [ -f "$cases/legacy_abi3.abi3.so" ] && command -v python3.11 >/dev/null; then
  sed '/legacy decrefs restore it/d' cases/interpreters/drive.py >"$fakes/drive.py"
  expect "an interpreter case that runs fewer checks than it registered fails" 1 "2 of 4 checks ran" -- \
    run_case "$(command -v python3.11);$fakes/drive.py;$cases/legacy_abi3.abi3.so"
fi
# The Wine warm-up passes only if a Windows program printed: with a wine
# and wineserver that exit 0 having run nothing, it fails.
wine_build=build/user/x86_64-w64-mingw32-gcc
if [ -f "$wine_build/CTestTestfile.cmake" ]; then
  mkdir -p "$fakes/silent-wine"
  for tool in wine wineserver; do printf '#!/bin/sh\nexit 0\n' >"$fakes/silent-wine/$tool"; chmod +x "$fakes/silent-wine/$tool"; done
  expect "a Wine that exits 0 having run nothing fails the warm-up" 8 "emulator.warmup .*Failed" -- \
    env PATH="$fakes/silent-wine:$PATH" ctest --test-dir "$wine_build" -R '^emulator\.warmup$'
fi
# A run that ran no test fails, unless every configuration in it cannot run
# by design (its toolchain file says so): Clang for hppa can; a target whose
# Check is missing (an empty cache) cannot.
expect "a run of configurations unavailable by design only (Clang for hppa) passes, and says why" 0 \
  "no test ran: every configuration here cannot run by design \\(hppa-linux-gnu-clang: clang has no hppa" -- \
  ci/matrix.sh --no-setup --reports "$fakes/reports-by-design" --target hppa-linux-gnu --compiler clang
rm -rf build/user/mips64-linux-gnuabi64-clang
expect "a run in which no test ran, for a reason not by design, fails" 1 \
  "no test ran, and these configurations are unavailable though nothing declares them so by design: mips64-linux-gnuabi64-clang" -- \
  env HARNESS_CACHE="$fakes/empty-cache" ci/matrix.sh --no-setup --reports "$fakes/reports-nothing" \
    --cpython-include "$cpython/include" --target mips64-linux-gnuabi64 --compiler clang
rm -rf build/user/mips64-linux-gnuabi64-clang "$fakes/empty-cache"
# What configuring found on the machine is found again when the machine
# changes: a new python3.15 on PATH re-configures, nothing new does not.
mkdir -p "$fakes/new-python"
printf '#!/bin/sh\necho 3.15\n' >"$fakes/new-python/python3.15"; chmod +x "$fakes/new-python/python3.15"
ci/matrix.sh --no-setup --label '^family:layout$' --reports "$fakes/reports-found" host-clang >/dev/null 2>&1
expect "an unchanged machine is not configured again" 0 "^not configured again$" -- \
  bash -c "ci/matrix.sh --no-setup --label '^family:layout\$' --reports '$fakes/reports-found' host-clang >/dev/null 2>&1;
           grep -q 'Configuring done' '$fakes/reports-found/host-clang.log' && echo configured again || echo not configured again"
expect "a machine with a new interpreter is configured again from scratch (--fresh: CMake finds its compilers anew), and finds it" 0 \
  "interpreter.python3.15" -- \
  bash -c "PATH='$fakes/new-python':\$PATH ci/matrix.sh --no-setup --label '^family:layout\$' --reports '$fakes/reports-found' \
             host-clang >/dev/null 2>&1; grep -q 'Configuring done' '$fakes/reports-found/host-clang.log' &&
           grep -q 'The C compiler identification is' '$fakes/reports-found/host-clang.log' &&
           ctest --test-dir build/host-clang -N | grep -o 'interpreter.python3.15'"
ci/matrix.sh --no-setup --label '^family:layout$' --reports "$fakes/reports-found" host-clang >/dev/null 2>&1 # as it was
# Ctrl-C (SIGINT to the matrix's process group) stops every configuration
# within seconds, says so, exits 130 and keeps no pass it had not finished;
# meanwhile a second matrix on the tree is refused.
# Launched as a terminal launches a foreground job (a script's background
# job starts with SIGINT ignored, which a shell cannot undo): its own
# process group, SIGINT at its default.
python3 - "$fakes/matrix.pid" "$fakes/int.log" <<'PY' &
import os, signal, subprocess, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
with open(sys.argv[2], "w") as log:
    p = subprocess.Popen(["ci/matrix.sh", "--no-setup", "--reports", os.path.dirname(sys.argv[2]) + "/reports-int",
                          "host-gcc", "host-clang"], stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                         env=dict(os.environ, HARNESS_RERUN="1"))
    open(sys.argv[1], "w").write(str(p.pid))
    log.flush()
    rc = p.wait()
with open(sys.argv[2], "a") as log:
    log.write(f"exit {rc}\n")
PY
for _ in $(seq 50); do [ -s "$fakes/matrix.pid" ] && break; sleep 0.2; done
for _ in $(seq 120); do grep -qs 'Test *#' "$fakes/reports-int/host-gcc.log" && break; sleep 1; done
expect "a second matrix on the same tree while one runs is refused" 2 "another ci/matrix.sh is running on this tree" -- \
  ci/matrix.sh --no-setup --reports "$fakes/reports-second" host-gcc
pgid=$(cat "$fakes/matrix.pid")
kill -INT -- "-$pgid"
for _ in $(seq 20); do pgrep -s "$pgid" >/dev/null || break; sleep 1; done
sleep 3
expect "Ctrl-C stops the matrix and everything it started within 20 s, says so and exits 130" 0 \
  "interrupted: stopping.*exit 130 left 0$" -- \
  bash -c "echo \$(tr '\n' ' ' <'$fakes/int.log') left \$(pgrep -s '$pgid' | wc -l)"
# (A test that finished between Ctrl-C and the moment the runner stops the
# configurations keeps its pass; the runner marks that moment.)
expect "... and no pass is written after it stopped the configurations" 0 "^0 written after$" -- \
  bash -c "[ -f '$fakes/reports-int/.stopped' ] && echo \$(find build/host-gcc/harness-results build/host-clang/harness-results -newer '$fakes/reports-int/.stopped' -name '*.pass' | wc -l) written after"
# A check that does not apply is not registered (these used to pass for
# 3.11 having asserted nothing): no immortality checks for 3.11, which has
# no immortality; 3.14's has them (so the names below are the real ones).
ran_checks() { # ran_checks FAMILY IMPLEMENTATION: the names of the checks that ran and passed
  HARNESS_LEGACY_MODULE="$cases/legacy_ext.so" CK_VERBOSITY=verbose "$cases/cases_$1" "$2" 2>&1 |
    sed -n 's/.*:P:[^:]*:\([a-z_0-9]*\):[0-9]*: Passed$/\1/p' | sort -u | tr '\n' ' '
}
immortality_checks='sticky_up_to_ceiling|immortal_decref_never_reaches_zero|interleaving_and_hazard'
expect "3.11 registers none of the checks of immortality (they asserted nothing for it)" 0 "^none$" -- \
  bash -c "echo '$(ran_checks saturation 3.11) $(ran_checks legacy_abi 3.11)' | grep -qE '$immortality_checks' && echo some || echo none"
expect "... and 3.14 runs all three" 0 "^3$" -- \
  bash -c "echo '$(ran_checks saturation 3.14) $(ran_checks legacy_abi 3.14)' | grep -oE '$immortality_checks' | sort -u | wc -l"
# The totals come from the report, whatever the console printed last (the
# audit's failure line follows the matrix's count).
mkdir -p "$fakes/totals"
echo '{"tests":{"passed":7,"failed":2,"skipped":3,"retried":1}}' >"$fakes/totals/summary.json"
expect "the matrix's totals are read from summary.json, retries included" 0 "^7 2 3 1$" -- matrix_totals "$fakes/totals"
expect "a matrix without summary.json has no totals, and says so" 1 "no summary.json" -- matrix_totals "$fakes/none"

# The tables' promise (ci/selftest-tables.sh): in a scratch copy, a new
# target takes its toolchain file and docs row, a new CPython version its
# row, model implementation and invariants; both regenerate, configure, build, run.
expect "a new target and a new version, each from its sources alone, configure, build and run" 0 \
  "a target took [12] files.*a version took [1-4] files.*ran layout and saturation of 3.16.*selftest-tables: ok" -- \
  bash -c "ci/selftest-tables.sh 2>&1 | tee '$fakes/tables.log' | tr '\n' ' '"
grep '^selftest-tables: a ' "$fakes/tables.log"
# (The reports from JUnit, the skip table, the results' verdict and the
# workflow check: ci/harness/tests/test_scripts.py, in the unit tests.)

say "selftest: $ok passed, $bad failed"
if [ "$run_matrix" = 1 ]; then
  rm -f reports/summary.json
  ci/matrix.sh --no-setup; matrix_rc=$?
  read -r tp tf ts tr < <(matrix_totals reports)
  # CI's merge job, here: this run's outputs split as one GitHub job per
  # configuration would bring them, merged again (ci/merge.sh): the same
  # totals, and one ABI audit of every configuration together that passes.
  rm -rf "$fakes/jobs" build/merged-selftest
  for record in reports/*.record.json; do
    p=$(basename "$record" .record.json)
    mkdir -p "$fakes/jobs/$p/reports"
    cp -r reports/"$p".* "$fakes/jobs/$p/reports/"
    [ -f "build/$p/abi/probes.txt" ] && python3 -c 'import json, sys; sys.exit(not json.load(open(sys.argv[1]))["ran"])' "$record" &&
      mkdir -p "$fakes/jobs/$p/build/$p" && cp -al "build/$p/abi" "$fakes/jobs/$p/build/$p/abi"
  done
  # Real MSVC's job brings its probes alone, at the top of its artifact,
  # with Windows paths: here the MSVC-ABI build's, as if cl.exe had made them.
  win="$fakes/jobs/job-windows-msvc-x64"
  if [ -f build/x86_64-pc-windows-msvc-clang-cl/abi/probes.txt ]; then
    mkdir -p "$win" && cp -al build/x86_64-pc-windows-msvc-clang-cl/abi/. "$win/" && rm "$win/probes.txt"
    sed 's#^\([^|]*|[^|]*|\)[^|]*/build/x86_64-pc-windows-msvc-clang-cl/abi/\([^|]*\)#\1D:\\a\\harness\\build\\windows-msvc-x64\\abi\\\2#' \
      build/x86_64-pc-windows-msvc-clang-cl/abi/probes.txt >"$win/probes.txt"
  fi
  expect "the merge of every configuration's separate outputs (real MSVC's probes too) reports the same totals, and its audit passes" 0 \
    "windows-msvc-x64: built on a windows host .*same $tp $tf $ts abi 0$" -- \
    bash -c "ci/merge.sh --reports '$fakes/merged' --build-root build/merged-selftest '$fakes/jobs'/* >'$fakes/merge.log' 2>&1;
             echo \$(grep -o 'windows-msvc-x64: built on a windows host[^|]*' '$fakes/merged/abi/audit.md' | head -n 1) \$(python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); t=j[\"tests\"]; print(\"same\", t[\"passed\"], t[\"failed\"], t[\"skipped\"], \"abi\", j[\"abi_audit\"][\"exit\"])' '$fakes/merged/summary.json')"
  rm -rf build/merged-selftest
  # The seed's headline results (docs/results.md): measured, tabulated and
  # plotted, and the copy-on-write expectation must hold.
  expect "ci/results.sh measures copy-on-write and refcount cost; immortal workers copy <= 1%, legacy >= 95%" 0 \
    "results: results/ \\(CSV, results.md, cow.png\\)" -- ci/results.sh
else
  matrix_rc=0
fi
# A matrix that failed without counting a failed test (a configuration that
# did not build) still counts as one failure.
lost=$(( matrix_rc != 0 && ${tf:-0} == 0 ))
if [ -s "$failures" ]; then
  say "selftest: the failed self-tests again:"; cat "$failures"
fi
# Retried: run twice because the emulator printed nothing the first time
# (docs/ci.md); counted, so that a rise is seen.
say "$(( ${tp:-0} + ok )) passed, $(( ${tf:-0} + bad + lost )) failed, ${ts:-0} skipped; ${tr:-0} retried"
[ $bad = 0 ] && [ $matrix_rc = 0 ]
