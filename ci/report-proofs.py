#!/usr/bin/env python3
"""report-proofs.py -- the proofs' table of the matrix report (docs/proofs.md):
property x implementation x data model, each cell "proved", "refuted as
expected" (the fact sheet says the claim is false there: its counterexample
trace is in REPORTS/proofs.md), FAILED, or a skip with its reason. Reads
REPORTS/<preset>.junit.xml for tests named proof.<property>.<impl>.<model>;
writes Markdown on stdout, the traces to REPORTS/proofs.md and the counts to
REPORTS/proofs.json. Run by ci/report.py."""
import json
import os
import re
import sys
import xml.dom.minidom as dom

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from ci.harness.report import dom_outcome, failure_reason, grid_table, junit_text  # noqa: E402  (ci/harness/report.py)
from ci.harness.report import dom_output as output  # noqa: E402  (ci/harness/report.py)

DATA_MODELS = ["ILP32-le", "ILP32-be", "LP64-le", "LP64-be", "LLP64-le"]
RANK = {"proved": 0, "skip": 1, "FAILED": 2}


def read_trace(reports, preset, test):
    """The counterexamples run-proof.cmake kept in the build tree (ctest keeps
    only the start of a passing test's output), which ci/matrix.sh copies to
    REPORTS/<preset>.proof-traces/."""
    path = os.path.join(reports, f"{preset}.proof-traces", f"{test}.trace")
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return f"(no trace at {path})"


def main(argv):
    reports = "reports"
    if argv[:1] == ["--reports"]:
        reports, argv = argv[1], argv[2:]
    rows, traces, totals = {}, [], {"proofs": 0, "proved_claims": 0, "refuted_as_expected": 0,
                                    "assumptions_reachable": 0, "cbmc_checks": 0, "failed": 0,
                                    "skipped": 0, "milliseconds": 0}
    for preset in argv:
        try:
            d = dom.parseString(junit_text(f"{reports}/{preset}.junit.xml"))
        except Exception:
            continue
        for case in d.getElementsByTagName("testcase"):
            m = re.fullmatch(r"proof\.([a-z-]+)\.((?:real-)?[0-9.]+t?|legacy)\.([A-Z0-9]+-[a-z]+)", case.getAttribute("name"))
            if not m:
                continue
            prop, impl, model = m.groups()
            out = output(case)
            result, why = dom_outcome(case)
            done = re.search(r"harness-proof: \S+ \([^)]*\): (\d+) claims proved, (\d+) refuted as expected, "
                             r"(\d+) assumptions reachable, (\d+) CBMC checks held, in (\d+) ms", out)
            row = f"{prop} · {impl}"
            if result == "skipped":
                cell = {"result": "skip", "why": why}
                totals["skipped"] += 1
            elif result == "passed" and done:
                proved, refuted, reachable, checks, ms = map(int, done.groups())
                totals["assumptions_reachable"] += reachable
                totals["cbmc_checks"] += checks
                totals["proofs"] += 1
                totals["proved_claims"] += proved
                totals["refuted_as_expected"] += refuted
                totals["milliseconds"] += ms
                cell = {"result": "proved", "refuted": refuted}
                if refuted:
                    trace = read_trace(reports, preset, case.getAttribute("name"))
                    claims = sorted(set(re.findall(r"Violated property:\s*\n\s*file [^\n]*\n\s*([^\n]+)", trace)))
                    traces.append((f"{row} · {model}", claims, trace))
            else:
                first = next((l.strip() for l in out.splitlines() if "REFUTED, expected" in l or "HOLDS, expected" in l),
                             failure_reason(out) or "failed")
                cell = {"result": "FAILED", "why": first}
                totals["failed"] += 1
            # Two configurations proving the same cell: the worse result shows.
            prior = rows.setdefault(row, {}).get(model)
            if prior is None or RANK[cell["result"]] > RANK[prior["result"]]:
                rows[row][model] = cell
    with open(f"{reports}/proofs.json", "w") as f:
        json.dump({"cells": rows, "totals": totals}, f, indent=1)
    if not rows:
        print("No proof ran.")
        return 0

    def show(c):
        if c["result"] == "FAILED":
            return "FAILED: " + c["why"]
        return "proved" + (f", {c['refuted']} refuted as expected" if c["refuted"] else "")

    print("\n".join(grid_table(rows, DATA_MODELS, show)).replace("| configuration |", "| property · implementation |", 1))
    print()
    print(f"Proofs: {totals['proofs']} ran, {totals['failed']} failed, {totals['skipped']} skipped; "
          f"{totals['proved_claims']} of the proofs' own claims proved, "
          f"{totals['refuted_as_expected']} refuted exactly as expected (where the fact sheet says a version is weak, "
          f"and the free-threaded witnesses that both the owner's path and another thread's are taken), "
          f"{totals['assumptions_reachable']} assumptions shown reachable; besides, {totals['cbmc_checks']} of "
          f"CBMC's own checks (pointers, overflow, unwinding) held in the functions the proofs reach; CBMC time "
          f"{totals['milliseconds'] / 1000:.0f} s in all.")
    if traces:
        print()
        print("Refuted as expected (counterexample traces in reports/proofs.md):")
        print()
        for where, claims, _ in traces:
            print(f"- {where}: " + "; ".join(claims))
    with open(f"{reports}/proofs.md", "w") as f:
        f.write("# Counterexamples of the claims refuted as expected\n\n")
        for where, claims, trace in traces:
            f.write(f"## {where}\n\n```\n{trace}\n```\n\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
