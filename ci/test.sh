#!/usr/bin/env bash
# test.sh -- the project's tests, in tiers (unit tests, self-tests,
# integration checks, the matrix): python3 ci/integration.py, with the same
# command line. Kept as the README's command a bare Debian container can start.
#
#   ci/test.sh [--no-matrix]     --no-matrix: all but the matrix
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/ci/lib.sh"
need_python3
exec python3 "$here/ci/integration.py" "$@"
