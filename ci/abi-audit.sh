#!/usr/bin/env bash
# abi-audit.sh -- the ABI audit of the object header (docs/abi-audit.md).
#
#   ci/abi-audit.sh [--refresh] [--build-root DIR] [--reports DIR] [PRESET...]
#   ci/abi-audit.sh --tool        build abi/tool only and print its path
#
# --build-root: where the configurations are built (default build/;
# ci/matrix.sh --cpython-include builds in build/user/). --reports: where
# the report goes (default reports/; the audit's own is DIR/abi/).
#
# For every built configuration (or those named): read the manifests its
# probes carry (abi/probe, measured at compile time), compare them with the
# baselines in abi/manifests/ and check the invariants (abi/invariants.json);
# on ELF targets, describe each probe library with libabigail's abidw and
# abidiff it against the baselines in abi/abigail/, across versions and
# across compilers, with abi/abigail/suppressions.ini.
# Reports in reports/abi/: audit.md, manifests/<preset>.json, abigail/.
#
# --refresh: after showing what changed, make this run the baselines (only
# for the configurations in it). It is the one way baselines change: review
# the diff, then commit it with the reason.
#
# Exit status, abidiff's bit field: 0 unchanged, 1 error, 2 usage error,
# 4 a change, 8 an incompatible change (with 4). --refresh exits 0 unless
# there was an error.
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/ci/lib.sh"
cd "$here" || exit 2

refresh=0 tool_only=0 named=() build_root=build reports=reports
while [ $# -gt 0 ]; do
  case $1 in
    --refresh) refresh=1 ;;
    --build-root) build_root=${2:?--build-root needs a directory}; shift ;;
    --reports) reports=${2:?--reports needs a directory}; shift ;;
    --tool) tool_only=1 ;;
    -*) die "abi-audit: unknown option '$1' (see the comment at the top of ci/abi-audit.sh)" ;;
    *) named+=("$1") ;;
  esac
  shift
done
mapfile -t known < <(harness_all_presets) # real MSVC's too: ci/merge.sh brings their probes
for p in "${named[@]}"; do
  grep -qx -- "$p" < <(printf '%s\n' "${known[@]}") || die "abi-audit: unknown preset '$p' (known: ${known[*]})"
done
error() { say "abi-audit: error: $*" >&2; exit 1; }

tool_dir=build/abi-tool
mkdir -p build
if ! { cmake -S abi/tool -B "$tool_dir" -G Ninja >"$tool_dir.log" 2>&1 &&
       cmake --build "$tool_dir" >>"$tool_dir.log" 2>&1; }; then
  tail -n 20 "$tool_dir.log" >&2
  error "abi/tool did not build (it needs libjansson-dev and pkg-config: ci/setup.sh installs them)"
fi
tool=$tool_dir/harness-abi
[ $tool_only = 1 ] && { echo "$here/$tool"; exit 0; }

presets=()
if [ ${#named[@]} -gt 0 ]; then
  for p in "${named[@]}"; do
    [ -f "$build_root/$p/abi/probes.txt" ] || error "$p is not built in $build_root/ (cmake --preset $p && cmake --build --preset $p)"
    presets+=("$p")
  done
else
  for p in "${known[@]}"; do [ -f "$build_root/$p/abi/probes.txt" ] && presets+=("$p"); done
  [ ${#presets[@]} -gt 0 ] || error "no configuration is built (ci/matrix.sh builds them)"
fi

out=$reports/abi
rm -rf "$out"
mkdir -p "$out/manifests" "$out/abigail"
for p in "${presets[@]}"; do
  # Real MSVC's presets are built on a Windows runner (ci/merge.sh brings
  # their probes): without a baseline, the invariants judge them.
  elsewhere=()
  [ "$(preset_host "$p")" = linux ] || elsewhere=(--built-elsewhere "on a $(preset_host "$p") host (a CI job)")
  "$tool" extract --configuration "$p" --abi "$(preset_abi "$p")" --quadrant "$(preset_quadrant "$p")" "${elsewhere[@]}" \
    "$build_root/$p/abi/probes.txt" "$out/manifests/$p.json" || error "$p: its probes could not be read"
done

say "abi-audit: ${#presets[@]} configurations, manifests against abi/manifests/"
"$tool" audit --invariants abi/invariants.json --report "$out/manifests.md" abi/manifests "$out/manifests"
status=$?
if [ $((status & 3)) != 0 ]; then
  printf '## ABI audit\n\nThe audit itself failed (exit %s): see %s/abi-audit.log or run ci/abi-audit.sh.\n' \
    "$status" "$reports" >"$out/audit.md"
  exit "$status"
fi

# ---- libabigail -------------------------------------------------------------
# Baselines only for one ABI per quadrant (abi/abigail/<abi>/): the JSON
# manifests cover every configuration; abidw's view adds the C types.
abigail_refs=(host-gcc s390x-linux-gnu-gcc i686-linux-gnu-gcc powerpc-linux-gnu-gcc)
suppressions=abi/abigail/suppressions.ini
abigail_status=0
abigail_lines=()
abigail() { # abigail WHAT OLD NEW [SUPPRESSIONS]: abidiff, its report kept when it finds something
  local what=$1 rc report extra=()
  [ -n "${4:-}" ] && [ -f "$4" ] && extra=(--suppressions "$4")
  report=$(abidiff --no-show-locs --suppressions "$suppressions" "${extra[@]}" "$2" "$3" 2>&1); rc=$?
  abigail_count=$((abigail_count + 1))
  if [ $rc != 0 ]; then
    abigail_status=$((abigail_status | rc))
    abigail_lines+=("abidiff exit $rc: $what")
    # shellcheck disable=SC2016 # Markdown's backticks
    printf '## %s (abidiff exit %s)\n\n```\n%s\n```\n\n' "$what" "$rc" "$report" >>"$out/abigail.md"
  fi
}
if ! command -v abidw >/dev/null; then
  abigail_lines+=("skipped: abidw is not installed (Debian's abigail-tools; ci/setup.sh installs it)")
  abigail_status=1
else
  : >"$out/abigail.md"
  abigail_count=0
  declare -A first_of_abi=()
  mapfile -t version_chains < <(python3 ci/tables.py abi-chains)
  for p in "${presets[@]}"; do
    abi=$(preset_abi "$p")
    mkdir -p "$out/abigail/$p"
    while IFS='|' read -r name kind _ library _; do
      case $name in '#'*|'') continue ;; esac
      [ "$library" = - ] && continue
      abidw --no-corpus-path --no-show-locs --no-comp-dir-path --drop-private-types --suppressions "$suppressions" "$library" >"$out/abigail/$p/$name.abi" 2>"$out/abigail/$p/$name.err" ||
        { abigail_lines+=("abidw failed on $p $name: $(head -c 300 "$out/abigail/$p/$name.err")"); abigail_status=$((abigail_status | 1)); continue; }
      rm -f "$out/abigail/$p/$name.err"
      # Against the baseline of this ABI, and against the first compiler of it.
      if [ -f "abi/abigail/$abi/$name.abi" ]; then
        abigail "$p $name against abi/abigail/$abi/$name.abi" "abi/abigail/$abi/$name.abi" "$out/abigail/$p/$name.abi"
      elif [ -d "abi/abigail/$abi" ] && [ "$kind" != user ] && [ "$kind" != local ]; then # your own headers, an install's: no baseline
        abigail_lines+=("change: $p $name has no baseline in abi/abigail/$abi/"); abigail_status=$((abigail_status | 4))
      fi
      first=${first_of_abi[$abi]:-}
      if [ -n "$first" ] && [ -f "$out/abigail/$first/$name.abi" ]; then
        abigail "$name: $first against $p (one ABI, two compilers)" "$out/abigail/$first/$name.abi" "$out/abigail/$p/$name.abi"
      fi
    done <"$build_root/$p/abi/probes.txt"
    [ -n "${first_of_abi[$abi]:-}" ] || first_of_abi[$abi]=$p
    # Versions of one build kind, in order (harness/versions.txt): each
    # step's changes must be ones the suppression file accepts, with its reason.
    for chain in "${version_chains[@]}"; do
      prev=""
      for v in $chain; do
        [ -f "$out/abigail/$p/$v.abi" ] || continue
        [ -n "$prev" ] && abigail "$p: $prev -> $v" "$out/abigail/$p/$prev.abi" "$out/abigail/$p/$v.abi" \
          "abi/abigail/steps/${prev#real-}-${v#real-}.ini"
        prev=$v
      done
    done
    # abi3t (3.15, PEP 803): from the 3.15 headers to the same headers under
    # Py_TARGET_ABI3T, abidiff must show PyObject and PyVarObject turned
    # declaration-only (a change libabigail counts harmless, so --harmless).
    if [ -f "$out/abigail/$p/real-3.15.abi" ] && [ -f "$out/abigail/$p/abi3t.abi" ]; then
      abigail_count=$((abigail_count + 1))
      report=$(abidiff --no-show-locs --harmless "$out/abigail/$p/real-3.15.abi" "$out/abigail/$p/abi3t.abi" 2>&1)
      missing=()
      for type in _object PyVarObject; do
        grep -q "type struct $type was a defined type and is now a declaration-only type" <<<"$report" || missing+=("$type")
      done
      if [ ${#missing[@]} -gt 0 ]; then
        abigail_status=$((abigail_status | 8))
        abigail_lines+=("abi3t: $p: real-3.15 -> abi3t does not show struct ${missing[*]} declaration-only")
        # shellcheck disable=SC2016 # Markdown's backticks
        printf '## %s: real-3.15 -> abi3t (expected: PyObject and PyVarObject declaration-only)\n\n```\n%s\n```\n\n' \
          "$p" "$report" >>"$out/abigail.md"
      else
        abigail_lines+=("abi3t: $p: real-3.15 -> abi3t shows PyObject (struct _object) and PyVarObject declaration-only, as it must")
      fi
    fi
  done
  abigail_lines+=("$abigail_count abidiff comparisons, exit bits $abigail_status")
fi
{
  echo "## ABI audit"
  echo
  cat "$out/manifests.md"
  echo
  echo "### libabigail"
  echo
  for l in "${abigail_lines[@]}"; do echo "- $l"; done
  [ -s "$out/abigail.md" ] && echo "- abidiff's reports: $out/abigail.md"
} >"$out/audit.md"
for l in "${abigail_lines[@]}"; do say "abi-audit: libabigail: $l"; done
status=$((status | abigail_status))

if [ $refresh = 1 ]; then
  [ $((status & 3)) = 0 ] || error "not refreshing: the audit itself failed (exit $status)"
  ! grep -lq '"user-' "$out/manifests/"*.json ||
    error "not refreshing: this build has your own headers (user-*), which are not baselines; refresh from a build without -DHARNESS_CPYTHON_INCLUDE"
  mkdir -p abi/manifests
  # Headers installed on this machine (real-3.12) are not baselines either.
  python3 - "$out/manifests" abi/manifests <<'PY' || error "could not write the baselines"
import json, os, sys
src, dst = sys.argv[1:]
for f in sorted(os.listdir(src)):
    m = json.load(open(os.path.join(src, f)))
    m["implementations"] = {k: v for k, v in m["implementations"].items() if v.get("source") != "local"}
    json.dump(m, open(os.path.join(dst, f), "w"), indent=1, separators=(",", ": "))
PY
  n=0
  for p in "${abigail_refs[@]}"; do
    [ -d "$out/abigail/$p" ] || continue
    abi=$(preset_abi "$p")
    rm -rf "abi/abigail/$abi"; mkdir -p "abi/abigail/$abi"
    # The model's and Debian's only: an install's (local) or yours (user) is no baseline.
    while IFS='|' read -r name kind _; do
      case $kind in model|real) [ ! -f "$out/abigail/$p/$name.abi" ] || cp "$out/abigail/$p/$name.abi" "abi/abigail/$abi/" ;; esac
    done <"$build_root/$p/abi/probes.txt"
    n=$((n + 1))
  done
  say "abi-audit: refreshed ${#presets[@]} manifests in abi/manifests/ and $n abidw baselines in abi/abigail/:"
  say "abi-audit: review 'git diff abi/' and commit it with the reason for the change"
  exit 0
fi
say "abi-audit: report in $out/audit.md; exit $status"
exit "$status"
