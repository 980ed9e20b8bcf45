#!/usr/bin/env bash
# test.sh -- the project's tests: the harness's own bad-input contract, then
# the whole matrix (ci/matrix.sh, which installs what is missing first).
#
#   ci/test.sh
#
# Ends with "N passed, N failed, N skipped" (matrix tests plus self-tests);
# exit status non-zero iff anything failed.
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/ci/lib.sh"
cd "$here"

ok=0 bad=0
expect() { # expect DESCRIPTION WANT_RC PATTERN -- command...
  local what=$1 want=$2 pattern=$3; shift 4
  local out rc
  out=$("$@" 2>&1); rc=$?
  if [ "$rc" = "$want" ] && grep -qE -- "$pattern" <<<"$out"; then
    ok=$((ok+1)); say "selftest: ok: $what"
  else
    bad=$((bad+1)); say "selftest: FAILED: $what (exit $rc)"; tail -n 5 <<<"$out"
  fi
}

ci/setup.sh >/dev/null || die "test: setup failed"
cmake --preset host-gcc >/dev/null && cmake --build --preset host-gcc >/dev/null || die "test: host build failed"
cases="$here/build/host-gcc/cases"
run_case() { cmake "-DCOMMAND=$1" -DTIMEOUT="${2:-60}" -P cmake/run-case.cmake; }

expect "unknown preset is refused" 2 "unknown preset 'no-such'" -- ci/matrix.sh --no-setup no-such
expect "unknown target is refused" 2 "unknown target 'no-such'" -- ci/setup.sh no-such
expect "unknown scheme is refused" 2 "unknown scheme '9.99'" -- "$cases/cases_layout" 9.99
expect "an emulator that exits 0 without running anything fails" 1 "printed nothing it should" -- \
  run_case "/bin/true;$cases/cases_layout;3.14"
expect "a case that crashes fails" 1 "exited with" -- \
  run_case "/bin/sh;-c;kill -SEGV \$\$;$cases/cases_layout;3.14"
expect "a case that hangs is stopped by its timeout" 1 "timed out after 2 s" -- \
  run_case "/bin/sleep;30" 2
expect "a run with fewer checks than registered fails" 1 "checks ran|printed nothing" -- \
  run_case "/bin/sh;-c;echo '5 checks registered'; echo '100%: Checks: 4, Failures: 0, Errors: 0'" 
expect "a sanitizer report fails" 1 "sanitizer report" -- \
  run_case "/bin/sh;-c;echo '1 checks registered'; echo 'x.c:1: runtime error: overflow'; echo '100%: Checks: 1, Failures: 0, Errors: 0'"
expect "a missing emulator is a clear configure error" 1 "harness: unavailable: qemu-nosuch" -- \
  cmake -S . -B build/selftest-missing --fresh -DCMAKE_TOOLCHAIN_FILE=cmake/selftest/missing-emulator.cmake

matrix_out=$(ci/matrix.sh --no-setup | tee /dev/stderr); matrix_rc=$?
read -r tp tf ts < <(tail -n 1 <<<"$matrix_out" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped$/\1 \2 \3/p')
say "selftest: $ok passed, $bad failed"
say "$(( ${tp:-0} + ok )) passed, $(( ${tf:-0} + bad + (matrix_rc != 0 && ${tf:-0} == 0) )) failed, ${ts:-0} skipped"
[ $bad = 0 ] && [ $matrix_rc = 0 ]
