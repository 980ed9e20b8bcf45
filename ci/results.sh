#!/usr/bin/env bash
# results.sh -- the seed's headline results, measured here (docs/results.md):
# python3 ci/results.py, with the same command line (its docstring says what
# it measures and when it fails).
#
#   ci/results.sh [--publish] [OUT]   default OUT: results/
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
exec python3 "$here/ci/results.py" "$@"
