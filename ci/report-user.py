#!/usr/bin/env python3
"""report-user.py -- the "your headers" section of the matrix report, for
ci/matrix.sh --cpython-include: per configuration, how the user-* tests
went (passed, failed, skipped), which pyconfig.h the headers were paired
with, and every failing check with both sides as the case printed them.
Reads REPORTS/<preset>.junit.xml; writes Markdown on stdout and
REPORTS/user.json.

  report-user.py --reports DIR --include DIR PRESET..."""
import json
import os
import re
import sys
import xml.dom.minidom as dom

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from ci.harness.report import dom_outcome, failure_reason, junit_text, record_path, stated  # noqa: E402  (ci/harness/report.py)
from ci.harness.report import dom_output as output  # noqa: E402  (ci/harness/report.py)


def failing_checks(out):
    """Check's failure lines (file:line:F|E:tcase:test:i: message), a
    hygiene case's new diagnostics, or the runner's own verdict."""
    lines = [l.strip() for l in out.splitlines()]
    checks = [l for l in lines if re.search(r":[FE]:[^:]*:[^:]*:\d+: ", l)]
    if not checks:
        checks = [l for l in lines if re.search(r"(warning|error): ", l)]
    if not checks:
        checks = [failure_reason(out) or "(no failing check printed: see the log)"]
    return checks[:20]


def main(argv):
    reports, include, presets = "reports", "", []
    while argv:
        if argv[0] == "--reports":
            reports, argv = argv[1], argv[2:]
        elif argv[0] == "--include":
            include, argv = argv[1], argv[2:]
        elif argv[0].startswith("-"):
            print(f"report-user: unknown option '{argv[0]}'\n{__doc__}", file=sys.stderr)
            return 2
        else:
            presets, argv = presets + [argv[0]], argv[1:]
    rows = {}  # (preset, implementation): row; your 3.15+ headers are user-3.15, user-3.15t and user-abi3t
    for preset in presets:
        def new_row():
            return {"implementation": "", "pyconfig": "", "passed": 0, "failed": 0, "skipped": 0, "failures": [],
                    "skip_reasons": []}
        try:
            cases = dom.parseString(junit_text(f"{reports}/{preset}.junit.xml")).getElementsByTagName("testcase")
        except Exception:
            # Not tested at all: the matrix's own verdict (SKIP with its
            # reason, or FAIL) and why.
            row = new_row()
            try:
                with open(record_path(reports, preset)) as f:
                    record = json.load(f)
            except (OSError, ValueError):
                print(f"report-user: {preset}: neither {reports}/{preset}.junit.xml nor its record can be read",
                      file=sys.stderr)
                return 2
            row["result"] = record.get("result", "FAIL")
            row["detail"] = record.get("detail", "")
            rows[(preset, "")] = row
            continue
        mine = {}
        for case in cases:
            name = case.getAttribute("name")
            out = output(case)
            m = re.search(r"\.(user-\d+\.\d+t?)(\.|$)", name)
            if re.search(r"\.abi3t-user-|^abi3t\.user-[^.]+\.[^.]+\.symbols$", name):
                impl = "user-abi3t"
            elif m:
                impl = m.group(1)
            elif stated(out)[0] != "skip":
                continue  # the emulator's warm-up fixture; a skip for every implementation counts
            else:
                impl = ""
            row = mine.setdefault(impl, new_row())
            row["implementation"] = impl
            origin = re.search(r"harness: implementation: (.*)", out)
            if origin and not row["pyconfig"] and not impl.endswith("abi3t"):
                row["pyconfig"] = origin.group(1)
            result, why = dom_outcome(case)
            if result == "skipped":
                row["skipped"] += 1
                if why not in row["skip_reasons"]:
                    row["skip_reasons"].append(why)
            elif result == "failed":
                row["failed"] += 1
                row["failures"].append({"test": name, "checks": failing_checks(out)})
            else:
                row["passed"] += 1
        if not mine:
            mine[""] = new_row()
        for impl, row in sorted(mine.items()):
            row["result"] = "FAIL" if row["failed"] else "PASS" if row["passed"] else "SKIP" if row["skipped"] else "FAIL"
            # Your pyconfig.h not used here (a derived one was), and why.
            unused = re.search(r"is not this target's: (it describes [^()]*, this target is [^()]*?)\)?$", row["pyconfig"])
            row["pyconfig_not_used"] = unused.group(1) if unused else ""
            rows[(preset, impl)] = row
    configurations = {}
    for (preset, impl), row in rows.items():
        configurations.setdefault(preset, {})[impl or "-"] = row
    json.dump({"include": include, "configurations": configurations}, open(f"{reports}/user.json", "w"), indent=1)

    print(f"## Your headers ({include})")
    print()
    print("Each configuration ran the user-* tests of every family on these headers, each paired with a")
    print("pyconfig.h that describes its target (yours where it does, else derived from its compiler).")
    print()
    print("| configuration | implementation | result | passed | failed | skipped | pyconfig.h |")
    print("|---|---|---|---|---|---|---|")
    for (preset, _), r in rows.items():
        # The implementation's summary ends with where its pyconfig.h came from, in parentheses.
        m = re.search(r"\((.*)\)$", r["pyconfig"])
        where = m.group(1) if m else r["pyconfig"] or r.get("detail", "") or "; ".join(r["skip_reasons"])
        unused = r.get("pyconfig_not_used")
        result = f"{r['result']} (your pyconfig.h not used: {unused})" if unused else r["result"]
        print(f"| {preset} | {r['implementation'] or '–'} | {result} | {r['passed']} | {r['failed']} | "
              f"{r['skipped']} | {where.replace('|', '/')} |")
    failures = [(p, f) for (p, _), r in rows.items() for f in r["failures"]]
    if failures:
        print()
        print("### What failed (both sides as the checks printed them)")
        for preset, f in failures:
            print()
            print(f"- **{preset}** `{f['test']}`:")
            for check in f["checks"]:
                print(f"  - `{check.replace('`', chr(39))}`")
    reasons = sorted({w for r in rows.values() for w in r["skip_reasons"]})
    if reasons:
        print()
        print("Skip reasons: " + "; ".join(reasons))
    print()
    count = {v: sum(1 for r in rows.values() if r["result"] == v) for v in ("PASS", "FAIL", "SKIP")}
    print(f"Your headers: {count['PASS']} rows (configuration, implementation) passed, "
          f"{len(rows) - count['PASS'] - count['SKIP']} failed, {count['SKIP']} skipped (with the reasons above).")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
