#!/usr/bin/env bash
# matrix.sh -- the main job: python3 -m ci.harness run, with the same command
# line (ci/harness/run.py: options, reports, exit status). Kept as the entry
# a bare Debian container can start: it installs python3 first.
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/ci/lib.sh"
need_python3
exec env PYTHONPATH="$here${PYTHONPATH:+:$PYTHONPATH}" python3 -m ci.harness run "$@"
