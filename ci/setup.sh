#!/usr/bin/env bash
# setup.sh -- install what the chosen targets need and build Check for them:
# python3 -m ci.harness setup, with the same command line (ci/harness/setup.py).
# Kept as the entry a bare Debian container can start: it installs python3 first.
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/ci/lib.sh"
need_python3
exec env PYTHONPATH="$here${PYTHONPATH:+:$PYTHONPATH}" python3 -m ci.harness setup "$@"
