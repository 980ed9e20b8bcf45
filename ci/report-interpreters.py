#!/usr/bin/env python3
"""report-interpreters.py -- the real interpreters' table of the matrix
report: for every configuration and CPython version, what the interpreter
family (cases/interpreters/) showed with that target's real interpreter
(Debian's, under the target's emulator; on the host also pyenv's 3.12):
its immortal value and the legacy tolerance bounds it held, or the first
failure, or why there is none. Reads REPORTS/<preset>.junit.xml; writes
Markdown on stdout and REPORTS/interpreters.json (REPORTS: --reports,
default reports). Run by ci/matrix.sh."""
import json
import os
import re
import sys
import xml.dom.minidom as dom

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from ci.harness.report import dom_outcome, dom_output, grid_table, junit_text, version_order  # noqa: E402


def cell(case):
    out = dom_output(case)
    result, why = dom_outcome(case)
    if result == "skipped":
        return {"result": "skip", "why": why}
    summary = re.search(r"harness: interpreter summary: (.*)", out)
    failures = [line.split(":F:", 1)[1] for line in out.splitlines() if ":F:" in line]
    return {"result": "passed" if result == "passed" else "FAILED",
            "summary": summary.group(1).strip() if summary else "",
            "failure": "; ".join(failures)[:400] or ("" if result == "passed" else "no summary line: see its log")}


def main(argv):
    reports = "reports"
    if argv[:1] == ["--reports"]:
        reports, argv = argv[1], argv[2:]
    rows, versions, none = {}, set(), {}
    for preset in argv:
        try:
            d = dom.parseString(junit_text(f"{reports}/{preset}.junit.xml"))
        except (OSError, Exception):
            continue
        for case in d.getElementsByTagName("testcase"):
            name = case.getAttribute("name")
            m = re.fullmatch(r"interpreter\.python(\d+\.\d+)", name)
            if m:
                versions.add(m.group(1))
                rows.setdefault(preset, {})[m.group(1)] = cell(case)
            elif name == "interpreter.none":
                none[preset] = cell(case)
    versions = sorted(versions, key=version_order)
    for preset, c in none.items():  # no interpreter at all: the reason in every column
        rows[preset] = {v: c for v in versions} or {"–": c}
    json.dump({"configurations": rows}, open(f"{reports}/interpreters.json", "w"), indent=1)
    if not rows:
        print("No interpreter test ran.")
        return 0

    def show(c):
        return (c["summary"] or "passed") if c["result"] == "passed" else f"FAILED: {c['failure']}"
    print("\n".join(grid_table(rows, versions or ["–"], show)))
    cells = [c for r in rows.values() for c in r.values()]
    print()
    print(f"Real interpreters: {sum(c['result'] == 'passed' for c in cells)} passed, "
          f"{sum(c['result'] == 'FAILED' for c in cells)} failed, "
          f"{len(none)} configurations without one.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
