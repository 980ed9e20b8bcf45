#!/usr/bin/env bash
# abi-audit.sh -- the ABI audit of the object header: python3 -m ci.harness
# audit, with the same command line (ci/harness/audit.py: options, reports,
# exit status; docs/abi-audit.md).
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/ci/lib.sh"
need_python3
exec env PYTHONPATH="$here${PYTHONPATH:+:$PYTHONPATH}" python3 -m ci.harness audit "$@"
