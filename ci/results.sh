#!/usr/bin/env bash
# results.sh -- the seed's headline results, measured here (docs/results.md):
#   1. copy-on-write after fork: private vs shared memory of forked workers
#      over a heap of 16 to 256 MiB, 1 to 8 workers, legacy 3.11 versus the
#      immortal 3.12/3.14 and free-threaded 3.14t schemes (the model's
#      encodings; cases/experiments/cow.c), and with every real CPython on
#      the machine (cases/experiments/cow.py);
#   2. the cost of the immortality check: instructions per Py_INCREF /
#      Py_DECREF of the real headers on the host (callgrind), and the size
#      and instruction count of the inlined sequences per target and
#      compiler (the targets' binutils).
#
#   ci/results.sh [--publish] [OUT]   default OUT: results/ (CSV, results.md,
#                                     cow.png); --publish also copies them to
#                                     docs/results.md and docs/results/cow.png
#
# Real interpreters: the host build's (python3.11 ... python3.15 on PATH or
# under ~/.pyenv), or the ones listed in HARNESS_PYTHONS (space-separated).
#
# Exit status non-zero if a measurement failed or the copy-on-write
# expectation does not hold (immortal workers' private heap <= 1% of the
# heap, legacy ones' >= 95%).
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/ci/lib.sh"
cd "$here" || exit 2
publish=0
[ "${1:-}" = "--publish" ] && { publish=1; shift; }
out=${1:-results}
probe_presets=(host-gcc host-clang i686-linux-gnu-gcc i686-linux-gnu-clang powerpc-linux-gnu-gcc
               powerpc-linux-gnu-clang s390x-linux-gnu-gcc s390x-linux-gnu-clang)

ci/setup.sh i686-linux-gnu powerpc-linux-gnu s390x-linux-gnu >/dev/null || die "results: setup failed"
{ command -v gnuplot >/dev/null && command -v valgrind >/dev/null; } || die "results: gnuplot and valgrind are needed (ci/setup.sh installs them)"
mkdir -p "$out"
# HARNESS_PYTHONS (space-separated) is passed on every time, so that an
# empty one goes back to finding them.
{ cmake --preset host-gcc "-DHARNESS_PYTHONS=$(tr ' ' ';' <<<"${HARNESS_PYTHONS:-}")" >/dev/null &&
    cmake --build --preset host-gcc >/dev/null; } || die "results: the host build failed"
bin=build/host-gcc/cases/experiments

say "results: 1/4 copy-on-write, model schemes"
echo "scheme,heap_mib,workers,worker,heap_private_kb,heap_shared_kb,rollup_private_kb,rollup_shared_kb" >"$out/cow.csv"
for scheme in 3.11 3.12 3.14 3.14t; do
  for mib in 16 64 256; do
    for workers in 1 2 4 8; do
      "$bin/cow_experiment" "$scheme" "$mib" "$workers" >>"$out/cow.csv" || die "results: cow_experiment $scheme $mib $workers failed"
    done
  done
done

say "results: 2/4 copy-on-write, real interpreters"
echo "python,version,workers,worker,private_kb,shared_kb" >"$out/cow-python.csv"
# The interpreters the host build found (or was given): cases/CMakeLists.txt.
mapfile -t pythons < <(grep -v '^$' build/host-gcc/interpreters.txt)
for py in "${pythons[@]}"; do
  "$py" cases/experiments/cow.py 4 >>"$out/cow-python.csv" || die "results: $py cases/experiments/cow.py failed"
done

say "results: 3/4 instructions per refcount operation (callgrind)"
echo "version,objects,instructions,per_operation" >"$out/overhead.csv"
for loop in "$bin"/refcount_loop_*; do
  version=${loop##*refcount_loop_}; version=${version//_/.}
  for objects in mortal immortal; do
    n=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null --toggle-collect='harness_refcount_loop*' \
          "$loop" "$objects" 2>&1 | sed -n 's/.*Collected : //p')
    { [ -n "$n" ] && [ "$n" -gt 0 ]; } || die "results: callgrind measured nothing for $loop $objects"
    # 1000 rounds x 1000 objects x (one incref + one decref)
    echo "$version,$objects,$n,$(awk -v n="$n" 'BEGIN{printf "%.2f", n / 2000000}')" >>"$out/overhead.csv"
  done
done

say "results: 4/4 inlined Py_INCREF/Py_DECREF per target and compiler"
echo "configuration,version,operation,bytes,instructions" >"$out/inline.csv"
for p in "${probe_presets[@]}"; do
  if ! { cmake --preset "$p" && cmake --build --preset "$p" --target inline_probes; } >"$out/inline-$p.log" 2>&1; then
    say "results: $p: not measured (see $out/inline-$p.log)"; continue
  fi
  case $p in host-*) tool= ;; *) tool=${p%-gcc}; tool=${tool%-clang}- ;; esac
  for o in build/"$p"/cases/experiments/CMakeFiles/inline_probe_*.dir/inline_probe.c.o; do
    version=${o##*inline_probe_}; version=${version%%.dir*}; version=${version//_/.}
    for op in incref decref; do
      read -r start size < <("${tool}nm" -S "$o" | awk -v s="harness_probe_$op" '$NF == s {print $1, $2}')
      [ -n "${size:-}" ] || die "results: no harness_probe_$op in $o"
      count=$("${tool}objdump" -d --no-show-raw-insn --start-address=$((16#$start)) \
                --stop-address=$((16#$start + 16#$size)) "$o" | grep -cE '^ +[0-9a-f]+:')
      echo "$p,$version,$op,$((16#$size)),$count" >>"$out/inline.csv"
    done
  done
done

python3 ci/results.py "$out" || die "results: the expectations do not hold (see $out/results.md)"
if [ $publish = 1 ]; then
  mkdir -p docs/results
  cp "$out/cow.png" docs/results/cow.png
  sed 's|](cow.png)|](results/cow.png)|' "$out/results.md" >docs/results.md
  say "results: published to docs/results.md and docs/results/cow.png"
fi
say "results: $out/ (CSV, results.md, cow.png)"
