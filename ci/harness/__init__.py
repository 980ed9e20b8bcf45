"""The harness's orchestration layer: one package, run as

    python3 -m ci.harness run ...         the matrix: configure, build, test, audit, report (run.py)
    python3 -m ci.harness merge ...       several runs' outputs as one matrix (merge.py)
    python3 -m ci.harness audit ...       the ABI audit of the object header (audit.py)
    python3 -m ci.harness setup ...       what the targets need: packages, roots, Check (setup.py)
    python3 -m ci.harness tables ...      the tables, read once (tables.py)
    python3 -m ci.harness report ...      the matrix's reports (report.py)
    python3 -m ci.harness reuse-key ...   the reuse key (reuse.py)
    python3 -m ci.harness profile ...     where a finished run's CPU goes (profile.py)

or through the scripts in ci/ that keep their command lines (ci/matrix.sh,
ci/merge.sh, ci/abi-audit.sh, ci/setup.sh, ci/tables.py, ci/report.py). docs/architecture.md has the data
flow and where each rule lives; ci/harness/tests/ the unit tests
(python3 -m pytest ci/harness/tests).
"""
