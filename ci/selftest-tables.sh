#!/usr/bin/env bash
# selftest-tables.sh -- the tables' promise, kept (ci/test.sh runs this): in
# a scratch copy of this tree, add a target and a CPython version by
# touching only their sources, regenerate, then configure, build and run
# them. Prints how many files each took; exits non-zero if anything failed
# or either took more than its budget (a target 2 files, a version 4 plus
# baselines).
#
#   ci/selftest-tables.sh [SCRATCH]     default: build/selftest-tables
#
# The new target is x86_64-linux-gnu: this host's own GCC as a cross
# compiler, run under qemu-x86_64 (on an x86_64 host; elsewhere that part
# is a skip that says so). The new version is "3.16", with 3.15's encoding.
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/ci/lib.sh"
scratch=${1:-$here/build/selftest-tables}
# The scratch tree shares this tree's cache: Check, CPython's headers.
HARNESS_CACHE=$(harness_cache); export HARNESS_CACHE
failures=0
fail() { say "selftest-tables: FAILED: $*"; failures=$((failures + 1)); }

{ rm -rf "$scratch" && mkdir -p "$scratch"; } || die "selftest-tables: cannot make $scratch"
# shellcheck disable=SC2016 # the inner shell's own $0 and $1
(cd "$here" && git ls-files -z --cached --others --exclude-standard |
   xargs -0 -I{} sh -c '[ -e "$1" ] && cp --parents "$1" "$0"' "$scratch" {}) ||
  die "selftest-tables: cannot copy the tree"
cd "$scratch" || exit 2
{ git init -q && git add -A && git -c user.name=selftest -c user.email=selftest@invalid commit -qm base; } ||
  die "selftest-tables: git failed in $scratch"
touched() { git add -A && git diff --cached --name-only | grep -vxE 'CMakePresets.json|README.md'; }

# ---- a target: its toolchain file and its docs/targets.md row ---------------
cat >toolchains/x86_64-linux-gnu.cmake <<'EOF'
# x86_64-linux-gnu: 64-bit little-endian Linux, run under qemu-x86_64.
# harness-apt: gcc
set(HARNESS_TRIPLE x86_64-linux-gnu)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(HARNESS_DATA_MODEL "64-bit little-endian")
set(HARNESS_QEMU qemu-x86_64)
set(HARNESS_CLANG_UNAVAILABLE "no x86_64-linux-gnu sysroot under /usr for clang's --sysroot")
include(${CMAKE_CURRENT_LIST_DIR}/common/linux-cross.cmake)
EOF
python3 - <<'PY'
import re
text = open("docs/targets.md").read()
row = "| `x86_64-linux-gnu` | 64-bit | little | `qemu-x86_64` | yes | no | – | `gcc` |\n"
m = re.search(r"^\| `sparc64-linux-gnu` \|.*\n", text, re.M)
open("docs/targets.md", "w").write(text[:m.end()] + row + text[m.end():])
PY
mapfile -t target_files < <(touched)
python3 ci/tables.py generate >/dev/null || fail "ci/tables.py generate failed after adding a target"
git -c user.name=selftest -c user.email=selftest@invalid commit -qam target
python3 ci/tables.py check >/dev/null || fail "the tables do not check after adding a target"
grep -q '"preset":"x86_64-linux-gnu-gcc"' <<<"$(python3 ci/tables.py matrix-json)" || fail "the workflow's matrix has no x86_64-linux-gnu-gcc"
grep -q '"name": "x86_64-linux-gnu-gcc"' CMakePresets.json || fail "CMakePresets.json has no x86_64-linux-gnu-gcc"
# shellcheck disable=SC2016 # Markdown's backticks
grep -q '`x86_64-linux-gnu`' README.md || fail "the README's table has no x86_64-linux-gnu"

# ---- a version: its row, its model scheme, its ABI invariants ----------------
sed -i 's/^\(3\.15 .*\)$/\1\n3.16       0x03100000  314     315    -/' harness/versions.txt
python3 - <<'PY'
import json, re
src = open("harness/refmodel.c").read()
m = re.search(r"static const rm_implementation model_315 = \{.*?\n\};\n", src, re.S)
new = m.group(0).replace("model_315", "model_316").replace('"3.15"', '"3.16"')
src = src[:m.end()] + "\n" + new + src[m.end():]
src = src.replace("X(model_315) ", "X(model_315) X(model_316) ", 1)
assert "X(model_316)" in src, "harness/refmodel.c: RM_MODELS no longer lists X(model_315)"
open("harness/refmodel.c", "w").write(src)

def add(node):
    if isinstance(node, dict):
        if "3.15" in node and "3.16" not in node:
            node["3.16"] = json.loads(json.dumps(node["3.15"]))
        for v in list(node.values()):
            add(v)
inv = json.load(open("abi/invariants.json"))
add(inv)
json.dump(inv, open("abi/invariants.json", "w"), indent=1)
PY
mapfile -t version_files < <(touched)
python3 ci/tables.py generate >/dev/null || fail "ci/tables.py generate failed after adding a version"
git -c user.name=selftest -c user.email=selftest@invalid commit -qam version
python3 ci/tables.py check >/dev/null || fail "the tables do not check after adding a version"
grep -qx '3.11 3.12 3.13 3.14 3.15 3.16' <<<"$(python3 ci/tables.py abi-chains)" || fail "the ABI audit's chain does not step to 3.16"

say "selftest-tables: a target took ${#target_files[@]} files: ${target_files[*]}"
say "selftest-tables: a version took ${#version_files[@]} files: ${version_files[*]} (plus a refresh of the baselines: ci/abi-audit.sh --refresh)"
[ ${#target_files[@]} -le 2 ] || fail "a target took more than 2 files"
[ ${#version_files[@]} -le 4 ] || fail "a version took more than 4 files"

# ---- configure, build and run them -------------------------------------------
if [ "$(uname -m)" != x86_64 ] || ! command -v x86_64-linux-gnu-gcc qemu-x86_64 >/dev/null; then
  say "selftest-tables: skipped building the new target: it needs an x86_64 host with x86_64-linux-gnu-gcc and qemu-x86_64"
else
  log="$scratch/build.log"
  # Check is built per target by ci/setup.sh; the in-tree runner needs nothing.
  if ! { cmake --preset x86_64-linux-gnu-gcc -DHARNESS_CHECK_IMPL=minicheck &&
         cmake --build build/x86_64-linux-gnu-gcc --target cases_layout cases_saturation abi_probes; } >"$log" 2>&1; then
    fail "the new target with the new version did not configure and build (log: $log)"; tail -n 15 "$log"
  else
    registered=$(ctest --test-dir build/x86_64-linux-gnu-gcc -N)
    grep -q 'layout\.3\.16$' <<<"$registered" || fail "no layout.3.16 test registered"
    grep -q '^3\.16|model|' build/x86_64-linux-gnu-gcc/abi/probes.txt || fail "no ABI probe of 3.16"
    out=$(ctest --test-dir build/x86_64-linux-gnu-gcc -R '^(layout|saturation)\.3\.1[56]$' --output-on-failure 2>&1)
    grep -q '100% tests passed, 0 tests failed out of 4$' <<<"$out" ||
      { fail "layout and saturation of 3.15 and 3.16 did not pass on the new target"; tail -n 20 <<<"$out"; }
    say "selftest-tables: x86_64-linux-gnu-gcc configured, built, and ran layout and saturation of 3.16 under qemu-x86_64"
  fi
fi
say "selftest-tables: $([ $failures = 0 ] && echo "ok" || echo "$failures failures")"
[ $failures = 0 ]
