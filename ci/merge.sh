#!/usr/bin/env bash
# merge.sh -- the whole matrix from per-configuration outputs: what one
# machine's ci/matrix.sh judges, judged again over the outputs of separate
# runs (one GitHub job per preset, docs/ci.md).
#
#   ci/merge.sh [--reports OUT] [--build-root DIR] JOB...
#
# Each JOB is one run's output directory, holding any of
#   reports/                 its ci/matrix.sh reports (<preset>.record.json,
#                            .junit.xml, .log)
#   build/<preset>/abi/      its ABI probes (probes.txt and the objects),
#                            real MSVC's (windows-msvc-*) included; or
#                            those files at its top, if it is job-<preset>
# The probes are placed in DIR/<preset>/abi (default build/merged) with
# probes.txt pointing at them, and audited together (ci/abi-audit.sh: the
# baselines and every cross-configuration invariant: one ABI's compilers
# equal, little- versus big-endian, 32- versus 64-bit, cl.exe against the
# MSVC-ABI and MinGW-w64 manifests). Then ci/report.py merges the reports
# into OUT (default reports/merged): summary.md, summary.json, junit.xml,
# matrix.png, with the audit's section.
# Exit status: 0 if the merged matrix passed and the audit exited 0.
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/ci/lib.sh"
cd "$here"

reports="$here/reports/merged" build_root="$here/build/merged" jobs=()
while [ $# -gt 0 ]; do
  case $1 in
    --reports) reports=${2:?--reports needs a directory}; shift ;;
    --build-root) build_root=${2:?--build-root needs a directory}; shift ;;
    -*) die "merge: unknown option '$1' (see the comment at the top of ci/merge.sh)" ;;
    *) [ -d "$1" ] || die "merge: '$1' is not a directory"; jobs+=("$(cd "$1" && pwd)") ;;
  esac
  shift
done
[ ${#jobs[@]} -gt 0 ] || die "merge: name at least one job's output directory"
need_python3
harness_tables
mkdir -p "$reports" "$build_root"
reports=$(cd "$reports" && pwd) build_root=$(cd "$build_root" && pwd)

# The probes, each configuration's in one place; probes.txt named its files
# by the absolute paths of the machine that built them (/ or \), rewritten
# to where they are now.
audited=() report_dirs=()
for job in "${jobs[@]}"; do
  [ -d "$job/reports" ] && report_dirs+=("$job/reports")
  # (An artifact of the one directory build/<preset>/abi/ holds its files
  # at its top: then the job directory is job-<preset>.)
  for abi in "$job"/build/*/abi "$job"; do
    [ -f "$abi/probes.txt" ] || continue
    if [ "$abi" = "$job" ]; then p=$(basename "$job"); p=${p#job-}; else p=$(basename "$(dirname "$abi")"); fi
    [ -n "${PRESET_ABI[$p]:-}" ] || die "merge: $abi: '$p' is no preset of this tree"
    rm -rf "${build_root:?}/$p"; mkdir -p "$build_root/$p"
    cp -al "$abi" "$build_root/$p/abi" 2>/dev/null || cp -a "$abi" "$build_root/$p/abi"
    rm -f "$build_root/$p/abi/probes.txt"
    python3 - "$abi/probes.txt" "$build_root/$p/abi" "$p" >"$build_root/$p/abi/probes.txt" <<'PY' ||
import re, sys
src, dest, preset = sys.argv[1:]
for line in open(src, encoding="utf-8"):
    fields = line.rstrip("\n").split("|")
    if not line.startswith("#") and len(fields) >= 4:
        for i in (2, 3):
            path = fields[i].replace("\\", "/")
            m = re.search("/" + re.escape(preset) + "/abi/(.*)$", path)
            if m:
                fields[i] = dest + "/" + m.group(1)
    print("|".join(fields))
PY
      die "merge: $abi/probes.txt could not be rewritten"
    audited+=("$p")
  done
done
[ ${#report_dirs[@]} -gt 0 ] || die "merge: no job brought reports/"

abi_rc=0
if [ ${#audited[@]} -gt 0 ]; then
  ci/abi-audit.sh --build-root "$build_root" --reports "$reports" "${audited[@]}" >"$reports/abi-audit.log" 2>&1; abi_rc=$?
  grep '^abi-audit: ' "$reports/abi-audit.log" | sed 's/^abi-audit: /merge: abi-audit: /'
else
  say "merge: abi-audit: no job brought ABI probes"
fi
python3 ci/report.py merge --reports "$reports" --abi-exit "$abi_rc" --audited "${#audited[@]}" "${report_dirs[@]}"
