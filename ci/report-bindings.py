#!/usr/bin/env python3
"""report-bindings.py -- the binding libraries' table of the matrix report:
for every binding copy and CPython version (harness/bindings/bindings.txt)
and every configuration, whether its own operations agree with CPython's
real headers (the agreement case), or the first difference with both sides,
or why it was skipped; then the findings the cases reported
("harness-finding:") and the copies with no operation of their own (the
build trees' bindings.txt, which ci/matrix.sh copies to REPORTS/<preset>.bindings.txt).
Reads REPORTS/<preset>.junit.xml; writes
Markdown on stdout and REPORTS/bindings.json. Run by ci/report.py."""
import json
import os
import re
import sys
import xml.dom.minidom as dom

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from ci.harness import tables  # noqa: E402  (ci/harness/tables.py)
from ci.harness.report import dom_outcome, grid_table, junit_text  # noqa: E402  (ci/harness/report.py)
from ci.harness.report import dom_output as output  # noqa: E402  (ci/harness/report.py)


def cell(case):
    out = output(case)
    result, why = dom_outcome(case)
    if result == "skipped":
        return {"result": "skip", "why": why}
    ok = result == "passed"
    own = re.search(r"harness-binding: [^;]*; own operations: [^(]*\(([^)]*)\)", out)
    agreed = re.search(r"agree with \S+ on (\d+) operations", out)
    first = next((l.split(":F:", 1)[1] for l in out.splitlines() if ":F:" in l), "")
    return {"result": "agrees" if ok else "DIFFERS", "own": own.group(1) if own else "",
            "operations": int(agreed.group(1)) if agreed else 0,
            "failure": "" if ok else (re.sub(r"^[^:]*:\d+: ", "", first) or "failed")[:400]}


def main(argv):
    reports = "reports"
    if argv[:1] == ["--reports"]:
        reports, argv = argv[1], argv[2:]
    presets = argv
    copies = [b["name"] for b in tables.bindings(tables.ROOT)]
    name_re = re.compile(r"(agreement|regressions)\.((" + "|".join(map(re.escape, copies)) + r")-(\d+\.\d+t?))")
    # A copy that cannot be built for a configuration at all (no Rust
    # standard library there) is one skip, for each of its versions' cells.
    whole_re = re.compile(r"agreement\.(" + "|".join(map(re.escape, copies)) + ")")
    abi3t_re = re.compile(r"abi3t\.(" + "|".join(map(re.escape, copies)) + ")")
    grid, findings, regressions, whole, abi3t = {}, {}, {}, {}, {}
    for preset in presets:
        try:
            d = dom.parseString(junit_text(f"{reports}/{preset}.junit.xml"))
        except Exception:
            continue
        for case in d.getElementsByTagName("testcase"):
            m = name_re.fullmatch(case.getAttribute("name"))
            w = whole_re.fullmatch(case.getAttribute("name"))
            if w:
                whole.setdefault(preset, {})[w.group(1)] = cell(case)
            a = abi3t_re.fullmatch(case.getAttribute("name"))
            if a:
                verdict = re.search(r"harness-verdict: \w+: \S+ ([^:\n]*)", output(case))
                abi3t.setdefault(a.group(1), {})[preset] = (dom_outcome(case)[0],
                                                            verdict.group(1) if verdict else "no verdict")
            if not m:
                continue
            family, impl = m.group(1), m.group(2)
            out = output(case)
            for line in re.findall(r"harness-finding: (.*)", out):
                findings.setdefault(impl, {}).setdefault(re.sub(r" \((first seen|known).*\)$", "", line), set()).add(preset)
            if family == "agreement":
                grid.setdefault(preset, {})[impl] = cell(case)
            else:
                c = cell(case)
                regressions.setdefault(impl, {})[preset] = {"agrees": "passed", "DIFFERS": "FAILED"}.get(c["result"], "skipped")
    none = {}
    for preset in presets:
        path = os.path.join(reports, f"{preset}.bindings.txt")  # the build tree's, copied by ci/matrix.sh
        if os.path.exists(path):
            for line in open(path):
                impl, status, detail = (line.rstrip("\n").split("|", 2) + ["", ""])[:3]
                if status == "none":
                    none[impl] = detail
    order = lambda i: [c for c in copies if i.startswith(c + "-")][:1] + [[int(x) for x in re.findall(r"\d+", i.rsplit("-", 1)[1])], i]
    impls = sorted({i for r in grid.values() for i in r}, key=order)
    for preset, skipped in whole.items():
        for copy, c in skipped.items():
            for i in impls:
                if i.startswith(copy + "-") and re.fullmatch(r"\d+\.\d+t?", i[len(copy) + 1:]):
                    grid.setdefault(preset, {}).setdefault(i, dict(c, whole_copy=True))
    json.dump({"abi3t": abi3t, "configurations": grid, "findings": {i: {f: sorted(p) for f, p in fs.items()} for i, fs in findings.items()},
               "regressions": regressions, "no_own_operations": none},
              open(f"{reports}/bindings.json", "w"), indent=1)
    if not impls:
        print("No binding library's copy ran.")
        return 0
    print("\n".join(grid_table(grid, impls, lambda c: "DIFFERS: " + c["failure"] if c["failure"] else "agrees")))
    print()
    count = lambda r: sum(1 for cells in grid.values() for c in cells.values() if c["result"] == r
                          and not c.get("whole_copy"))
    copies_skipped = sum(len(s) for s in whole.values())
    print(f"Bindings versus CPython's real headers: {count('agrees')} agree, {count('DIFFERS')} differ, "
          f"{count('skip')} skipped; {copies_skipped} copies skipped whole (no build of the copy there: its "
          "versions' cells say why).")
    print()
    print("Own operations (what each copy defines itself for that version; the rest is CPython's own code):")
    print()
    for i in impls:
        own = next((c["own"] for cells in grid.values() for c in [cells.get(i)] if c and c.get("own")), "")
        regs = regressions.get(i, {})
        reg = f"; regressions passed on {sum(v == 'passed' for v in regs.values())} of {len(regs)}" if regs else ""
        print(f"- `{i}`: {own or '(skipped everywhere)'}{reg}")
    if findings:
        print()
        print("Findings (docs/findings.md), each with the number of configurations that showed it:")
        print()
        for i in impls:
            for f, where in sorted(findings.get(i, {}).items()):
                print(f"- `{i}` ({len(where)}): {f.replace('|', '/')}")
    if abi3t:
        print()
        print("Under abi3t (harness/bindings/abi3t.txt; docs/findings.md), as an extension that uses it would be "
              "compiled:")
        print()
        for copy in [c for c in copies if c in abi3t]:
            runs = abi3t[copy]
            said = sorted({what for outcome, what in runs.values() if outcome == "passed"})
            failed = sorted(p for p, (outcome, _) in runs.items() if outcome != "passed")
            print(f"- `{copy}`: {'; '.join(said) or 'nowhere as the table says'} on "
                  f"{len(runs) - len(failed)} of {len(runs)} configurations"
                  + (f"; FAILED on {', '.join(failed)}" if failed else ""))
    if none:
        # One line per copy and reason, with the versions it concerns.
        grouped = {}
        for i, d in sorted(none.items(), key=lambda x: order(x[0])):
            copy, version = i.rsplit("-", 1)
            grouped.setdefault((copy, re.sub(r" for \S+$", "", d)), []).append(version)
        print()
        print("No operation of their own, so not registered:")
        print()
        for (copy, d), vs in grouped.items():
            print(f"- `{copy}` on {', '.join(vs)}: {d.replace('|', '/')}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
