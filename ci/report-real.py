#!/usr/bin/env python3
"""report-real.py -- the model-versus-real table of the matrix report:
for every configuration and every real implementation (CPython's real
headers, per version), whether the agreement case passed, where its
pyconfig.h came from (Debian's, or derived from the target compiler), or why
it was skipped. Reads REPORTS/<preset>.junit.xml; writes Markdown on stdout
and REPORTS/real.json (REPORTS: --reports, default reports). Run by
ci/matrix.sh."""
import json
import os
import re
import sys
import xml.dom.minidom as dom

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from ci.harness.report import dom_outcome, dom_output, grid_table, junit_text, version_order  # noqa: E402  (ci/harness/report.py)


def cell(case):
    out = dom_output(case)
    result, why = dom_outcome(case)
    if result == "skipped":
        return {"result": "skip", "why": why}
    origin = re.search(r"harness: implementation: (.*)", out)
    origin = origin.group(1) if origin else ""
    derived = "derived pyconfig" in origin
    ok = result == "passed"
    agreed = re.search(r"agree on (\d+) operations from (\d+) start states", out)
    return {"result": "agrees" if ok else "DIFFERS", "pyconfig": "derived" if derived else "Debian",
            "origin": origin, "operations": int(agreed.group(1)) if agreed else 0,
            "failure": "" if ok else "; ".join(l for l in out.splitlines() if ":F:" in l)[:400]}


def hygiene_cell(cases):
    """One configuration x implementation: how its header hygiene variants went."""
    clean, expected, failed, skipped = [], [], [], []
    for variant, case in sorted(cases.items()):
        out = dom_output(case)
        result, _ = dom_outcome(case)
        if result == "skipped":
            skipped.append(variant)
        elif result == "failed":
            failed.append(variant)
        elif "expected finding" in out:
            expected.append(variant + " (" + ", ".join(sorted(set(re.findall(r"expected finding ([^:]+):", out)))) + ")")
        else:
            clean.append(variant)
    parts = []
    if failed:
        parts.append("NEW DIAGNOSTICS: " + ", ".join(failed))
    if expected:
        parts.append("expected findings: " + ", ".join(expected))
    if clean:
        parts.append(f"clean: {len(clean)}")
    if skipped:
        parts.append("skipped: " + ", ".join(skipped))
    return "; ".join(parts), bool(failed)


def main(argv):
    reports = "reports"
    if argv[:1] == ["--reports"]:
        reports, argv = argv[1], argv[2:]
    presets = argv
    rows, versions = {}, set()
    hygiene = {}
    for preset in presets:
        try:
            d = dom.parseString(junit_text(f"{reports}/{preset}.junit.xml"))
        except (OSError, Exception):
            continue
        for case in d.getElementsByTagName("testcase"):
            h = re.fullmatch(r"hygiene\.(\w+-\d+\.\d+t?)\.(.+)", case.getAttribute("name"))
            if h:
                hygiene.setdefault(preset, {}).setdefault(h.group(1), {})[h.group(2)] = case
            m = re.fullmatch(r"agreement\.(\w+-\d+\.\d+t?)", case.getAttribute("name"))
            if m:
                versions.add(m.group(1))
                rows.setdefault(preset, {})[m.group(1)] = cell(case)
    versions = sorted(versions, key=version_order)
    hygiene_rows = {p: {v: hygiene_cell(c) for v, c in impls.items()} for p, impls in hygiene.items()}
    json.dump({"configurations": rows, "hygiene": {p: {v: c[0] for v, c in r.items()} for p, r in hygiene_rows.items()}},
              open(f"{reports}/real.json", "w"), indent=1)
    if not rows:
        print("No real implementation ran.")
        return 0
    def show(c):
        text = f"{c['result']} ({c['pyconfig']} pyconfig)"
        return text + (": " + c["failure"] if c["failure"] else "")

    print("\n".join(grid_table(rows, versions, show)))
    differs = sum(1 for r in rows.values() for c in r.values() if c["result"] == "DIFFERS")
    print()
    print(f"Model versus real headers: {sum(1 for r in rows.values() for c in r.values() if c['result'] == 'agrees')} "
          f"agree, {differs} differ, {sum(1 for r in rows.values() for c in r.values() if c['result'] == 'skip')} skipped.")
    if hygiene_rows:
        hv = sorted({v for r in hygiene_rows.values() for v in r}, key=version_order)
        print()
        print("Header hygiene (variants per implementation: C99/C11 -pedantic, strict C11, limited API 3.2 and 3.11, C++11):")
        print()
        print("| configuration | " + " | ".join(hv) + " |")
        print("|---|" + "---|" * len(hv))
        for preset, r in hygiene_rows.items():
            print(f"| {preset} | " + " | ".join(r[v][0].replace("|", "/") if v in r else "–" for v in hv) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
