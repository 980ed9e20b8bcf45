#!/usr/bin/env bash
# merge.sh -- the whole matrix from per-configuration outputs (CI's merge
# job): python3 -m ci.harness merge, with the same command line
# (ci/harness/merge.py: the jobs' layout, the reports, exit status).
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/ci/lib.sh"
need_python3
exec env PYTHONPATH="$here${PYTHONPATH:+:$PYTHONPATH}" python3 -m ci.harness merge "$@"
