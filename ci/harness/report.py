"""report -- the matrix's reports, from the JUnit files ctest writes and the
one record per configuration that the run writes (run.py, record()).

    ci/report.py config --reports DIR PRESET
        one configuration's counts from DIR/PRESET.junit.xml: prints
        "passed failed skipped reused retried" (retried: run once more after
        the emulator printed nothing), then its skip reasons, ";"-joined.
    ci/report.py summary --reports DIR [--wall S] [--setup S] [--abi-exit N]
                         [--audited N] [--label-filtered] [--user-include DIR]
                         PRESET...
        DIR/summary.md, summary.json, junit.xml (every configuration's
        merged) and matrix.png (configurations x case families, drawn with
        gnuplot), from each PRESET's record (PRESET.record.json: the run's
        verdict, counts and phases) and JUnit file; prints the run's closing
        lines. Exit 0 if the run passed: no configuration failed, every
        quadrant has a passing one (unless filtered), the ABI audit exited
        0, and some test ran unless every configuration cannot run by design.
    ci/report.py reuse-key [BUILD_DIR] < ctest --show-only=json-v1
        the reuse key (reuse.py).
    ci/report.py merge --reports OUT [--abi-exit N] [--audited N] DIR...
        the same reports over several runs' report directories (one per
        GitHub job), their configurations side by side (ci/merge.sh, which
        first audits their ABI probes together).
"""
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

from . import reuse, tables

QUADRANTS = ("32le", "32be", "64le", "64be")


def version_order(name):
    """Sort key of an implementation's name: by its version numbers, then by
    the name itself ("real-3.13" before "real-3.13t"), so that a report's
    columns never depend on the order a set happens to hold them in."""
    return [int(x) for x in re.findall(r"\d+", name)], name


# The verdict line every test's runner writes (cmake/verdict.cmake), its last.
VERDICT = re.compile(r"^harness-verdict: (pass|skip|fail): ([^\n]*)", re.M)


def stated(out):
    """(verdict, text) of a test's runner, from its output's last verdict
    line; (None, "") where it wrote none (it never reached a verdict)."""
    lines = VERDICT.findall(out)
    return (lines[-1][0], lines[-1][1].strip()) if lines else (None, "")


def verdict(status, failure, out):
    """passed, failed or skipped, and a skip's reason, from the runner's
    verdict line and CTest's status, which must agree: a pass is a pass
    line of a test CTest ran and passed, a skip a skip line of a test CTest
    reported not run; anything else (no line, a fail line, the two at odds)
    is a failure, never a pass. The one rule every report uses."""
    said, text = stated(out)
    if said == "pass" and status == "run" and not failure:
        return "passed", ""
    if said == "skip" and status == "notrun":
        return "skipped", text
    return "failed", ""


def failure_reason(out):
    """Why a test failed, in its runner's words: its fail line, or ''."""
    said, text = stated(out)
    return text if said == "fail" else ""


def outcome(case):
    """verdict() of an ElementTree <testcase>."""
    return verdict(case.get("status"), case.find("failure") is not None, case.findtext("system-out") or "")


def dom_output(case):
    """The system-out of a minidom <testcase>."""
    return "".join(n.data for s in case.getElementsByTagName("system-out") for n in s.childNodes
                   if n.nodeType == n.TEXT_NODE)


def dom_outcome(case):
    """verdict() of a minidom <testcase> (the side reports read minidom)."""
    return verdict(case.getAttribute("status"), bool(case.getElementsByTagName("failure")), dom_output(case))


# Characters XML 1.0 forbids, which ctest copies from a test's output into
# its JUnit file unescaped (a failing case may print any byte).
XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def junit_text(path):
    """The JUnit file's text, with the characters XML forbids replaced."""
    with open(path, encoding="utf-8", errors="replace") as f:
        return XML_INVALID.sub("\ufffd", f.read())


def read_junit(path):
    """The JUnit file's root element, None if there is none. Characters XML
    forbids are replaced first, so that one odd byte in a test's output
    cannot hide the configuration's results."""
    if not os.path.exists(path):
        return None
    try:
        return ET.fromstring(junit_text(path))
    except ET.ParseError as e:
        print(f"report: {path} is not well-formed JUnit ({e}): its tests count as one failure", file=sys.stderr)
        root = ET.Element("testsuite")
        ET.SubElement(root, "testcase", name=f"junit.{os.path.basename(path)}", status="fail")
        return root


def grid_table(rows, columns, show):
    """Markdown lines of a configuration x column table: rows is {preset:
    {column: cell}}; show(cell) is a passed or failed cell's text. A skipped
    cell ({"result": "skip", "why": ...}) becomes "skip [n]", its reason
    numbered once below the table."""
    lines = ["| configuration | " + " | ".join(columns) + " |", "|---|" + "---|" * len(columns)]
    reasons = []
    for preset, cells in rows.items():
        shown = []
        for col in columns:
            c = cells.get(col)
            if not c:
                shown.append("–")
            elif c["result"] == "skip":
                why = c["why"].replace("|", "/")
                if why not in reasons:
                    reasons.append(why)
                shown.append(f"skip [{reasons.index(why) + 1}]")
            else:
                shown.append(show(c).replace("|", "/"))
        lines.append(f"| {preset} | " + " | ".join(shown) + " |")
    lines.append("")
    lines += [f"[{i}] {why}  " for i, why in enumerate(reasons, 1)]
    return lines


def cases(root):
    return [] if root is None else root.iter("testcase")


def counts(reports, preset):
    """One configuration's tests from its JUnit file: passed, failed,
    skipped, reused (a pass reused unchanged), retried (run once more after
    the emulator printed nothing), and the skips' reasons, sorted."""
    out = {"passed": 0, "failed": 0, "skipped": 0, "reused": 0, "retried": 0}
    reasons = set()
    for case in cases(read_junit(f"{reports}/{preset}.junit.xml")):
        result, why = outcome(case)
        out[result] += 1
        if why:
            reasons.add(why)
        text = case.findtext("system-out") or ""
        out["reused"] += "harness: reused the pass" in text
        out["retried"] += "harness-retry: " in text
    out["reasons"] = sorted(reasons)
    return out


def config(reports, preset):
    c = counts(reports, preset)
    print(c["passed"], c["failed"], c["skipped"], c["reused"], c["retried"])
    print(";".join(c["reasons"]))
    return 0


# ---- the record of one configuration -----------------------------------------
# What the run knows of a configuration, beside its JUnit file and log: its
# verdict (PASS, FAIL, SKIP) and why, its seconds, its tests' counts and skip
# reasons, and each phase's wall and CPU seconds. Written once, by run.py;
# read by the summary and the merge. "ran": ctest reported tests (so the
# configuration's probes are worth auditing, and its reasons are its skips').

def record_path(reports, preset):
    return os.path.join(reports, f"{preset}.record.json")


def write_record(reports, rec):
    with open(record_path(reports, rec["configuration"]), "w") as f:
        json.dump(rec, f, indent=1, sort_keys=True)
        f.write("\n")


def read_record(reports, preset):
    """The configuration's record; one that says FAIL when there is none, or
    it cannot be read (the runner lost the configuration)."""
    try:
        with open(record_path(reports, preset)) as f:
            rec = json.load(f)
        if isinstance(rec, dict) and rec.get("result") in ("PASS", "FAIL", "SKIP"):
            return rec
    except (OSError, ValueError):
        pass
    return {"configuration": preset, "result": "FAIL", "seconds": 0, "detail": "the runner lost this configuration",
            "ran": False}


def families(reports, preset):
    """{family: [passed, failed, skipped]} of one configuration, or None."""
    root = read_junit(f"{reports}/{preset}.junit.xml")
    if root is None:
        return None
    out = {}
    for case in cases(root):
        family = case.get("name").split(".")[0]
        out.setdefault(family, [0, 0, 0])[("passed", "failed", "skipped").index(outcome(case)[0])] += 1
    return out


def family_seconds(reports, preset):
    """{family: seconds} of one configuration's tests (ctest's own times)."""
    out = {}
    for case in cases(read_junit(f"{reports}/{preset}.junit.xml")):
        family = case.get("name").split(".")[0]
        try:
            out[family] = out.get(family, 0.0) + float(case.get("time") or 0)
        except ValueError:
            pass
    return out


def time_table(reports, rows, wall, cores):
    """Where the time goes: per configuration, each phase's wall and CPU
    seconds; per case family, the test seconds summed over configurations."""
    md = ["## Where the time goes", "",
          "Per configuration, wall / CPU seconds of each phase (CPU: user + system of its processes;",
          "ctest runs two tests at a time, so a phase's CPU can exceed its wall).", "",
          "| configuration | configure | build | test | CPU total |", "|---|---|---|---|---|"]
    totals, cpu_all, per_family = {}, 0.0, {}
    for r in sorted(rows, key=lambda r: -sum(v[1] for v in r["phases"].values())):
        ph = r["phases"]
        cpu = sum(v[1] for v in ph.values())
        cpu_all += cpu
        for k, v in ph.items():
            t = totals.setdefault(k, [0.0, 0.0])
            t[0], t[1] = t[0] + v[0], t[1] + v[1]
        cells = "".join(f" {ph[k][0]:.0f} / {ph[k][1]:.0f} |" if k in ph else " – |" for k in PHASES)
        md.append(f"| {r['configuration']} |{cells} {cpu:.0f} |")
        for fam, secs in family_seconds(reports, r["configuration"]).items():
            per_family[fam] = per_family.get(fam, 0.0) + secs
    cells = "".join(f" {totals[k][0]:.0f} / {totals[k][1]:.0f} |" if k in totals else " – |" for k in PHASES)
    md.append(f"| **all** |{cells} {cpu_all:.0f} |")
    md += ["", f"CPU {cpu_all:.0f} s in {wall} s of wall time on {cores} cores: CPU efficiency "
           f"{cpu_all / (wall * cores) if wall else 0:.2f}.", "",
           "Per case family, test seconds summed over every configuration (each test's own time):", "",
           "| family | seconds |", "|---|---|"]
    md += [f"| {f} | {v:.0f} |" for f, v in sorted(per_family.items(), key=lambda kv: -kv[1])]
    return md, cpu_all, totals, per_family


PHASES = ("configure", "build", "test")


def read_text(path, default=""):
    """A file's text, stripped (a byte that is not UTF-8 replaced: a log may
    hold any); DEFAULT if it cannot be read."""
    try:
        with open(path, errors="replace") as f:
            return f.read().strip()
    except OSError:
        return default


def summary(reports, presets, wall=0, setup=0, abi_exit=0, audited=0, filtered=False, user_include="",
            label_filtered=False):
    facts = {p["name"]: p for p in tables.all_presets(tables.ROOT)}
    host_q = tables.host_quadrant()
    rows, per_family = [], {}
    for p in presets:
        rec = read_record(reports, p)
        q = facts.get(p, {}).get("quadrant", "host")
        q = host_q if q == "host" else q
        per_family[p] = families(reports, p)
        # A configuration that ran no test has its verdict's detail for
        # reasons (why it was skipped, or failed before testing).
        reasons = ";".join(rec.get("reasons", [])) if rec.get("ran") else rec.get("detail", "")
        rows.append(dict(configuration=p, quadrant=q, result=rec["result"], seconds=int(rec.get("seconds", 0)),
                         passed=rec.get("passed", 0), failed=rec.get("failed", 0), skipped=rec.get("skipped", 0),
                         retried=rec.get("retried", 0), detail=rec.get("detail", ""), reasons=reasons,
                         phases=rec.get("phases", {})))
    all_families = sorted({f for fam in per_family.values() if fam for f in fam})
    n = {v: sum(r["result"] == v for r in rows) for v in ("PASS", "FAIL", "SKIP")}
    n["FAIL"] = len(rows) - n["PASS"] - n["SKIP"]
    tests = {k: sum(r[k] for r in rows) for k in ("passed", "failed", "skipped", "retried")}
    quadrant_ok = {q: sum(r["result"] == "PASS" and r["quadrant"] == q for r in rows) for q in QUADRANTS}
    busy = sum(r["seconds"] for r in rows)
    cores = os.cpu_count() or 1
    efficiency = f"{busy / (wall * cores):.2f}" if wall > 0 else "0.00"
    missing = [q for q in QUADRANTS if not quadrant_ok[q]]
    incomplete = not filtered and not label_filtered and bool(missing)
    not_by_design = []
    if tests["passed"] == 0:
        not_by_design = [p for p in presets if not tables.by_design(tables.ROOT, p)]
    ran_nothing = bool(not_by_design)

    times, cpu_all, phase_totals, family_totals = time_table(reports, rows, wall, cores)
    cpu_efficiency = f"{cpu_all / (wall * cores):.2f}" if wall > 0 else "0.00"
    md = ["# Matrix summary", ""]
    md.append("| result | configuration | quadrant | seconds |" + "".join(f" {f} |" for f in all_families) + " skip reasons |")
    md.append("|---|---|---|---|" + "---|" * len(all_families) + "---|")
    for r in rows:
        fam = per_family[r["configuration"]]
        cells = "".join(f" {fam[f][0] if f in fam else 0}/{fam[f][1] if f in fam else 0}/{fam[f][2] if f in fam else 0} |"
                        if fam is not None else " – |" for f in all_families)
        reasons = r["reasons"].replace("|", "/")
        md.append(f"| {r['result']} | {r['configuration']} | {r['quadrant']} | {r['seconds']} |{cells} {reasons} |")
    md.append("")
    png = draw_matrix(reports, rows, per_family, all_families)
    if png:
        md.append(f"![configurations x case families]({os.path.basename(png)}) (matrix.png: each cell a"
                  " configuration's tests of one family, coloured by outcome, with passed/failed/skipped counts)")
        md.append("")
    md.append(f"Configurations: {n['PASS']} passed, {n['FAIL']} failed, {n['SKIP']} skipped (cells: passed/failed/skipped tests).")
    retried = [f"{r['configuration']} {r['retried']}" for r in rows if r["retried"]]
    md.append(f"Tests: {tests['passed']} passed, {tests['failed']} failed, {tests['skipped']} skipped; "
              f"{tests['retried']} run twice because the emulator printed nothing the first time"
              + (f" ({', '.join(retried)})" if retried else "") + f". Matrix wall time {wall} s on "
              f"{cores} cores, setup {setup} s; parallel efficiency {efficiency} (configuration-seconds / (wall x cores)), "
              f"CPU efficiency {cpu_efficiency} (CPU seconds / (wall x cores)).")
    md.append("Passing configurations per quadrant: " + ", ".join(f"{q} {quadrant_ok[q]}" for q in QUADRANTS) + ".")
    if incomplete:
        md.append(f"INCOMPLETE: no passing configuration in quadrant(s) {' '.join(missing)}.")
    md += [""] + times
    md += ["", "## Model versus CPython's real headers", "",
           "Per configuration and version: the agreement case (layout, byte images, ~12,000 operations",
           "compared byte for byte), with where pyconfig.h came from. Details in reports/real.json.", ""]
    md.append(run_script("report-real.py", "--reports", reports, *presets))
    md += ["", "## Binding libraries versus CPython's real headers", "",
           "Per configuration and binding copy (harness/bindings/bindings.txt): whether its own operations",
           "agree with CPython's real headers of that version (the agreement case), or the first difference",
           "with both sides. Details in reports/bindings.json; what they mean in docs/findings.md.", ""]
    md.append(run_script("report-bindings.py", "--reports", reports, *presets))
    md += ["", "## Real interpreters", "",
           "Per configuration and CPython version: the interpreter family (cases/interpreters/) in that",
           "target's real interpreter, Debian's, under its emulator (ci/harness/sysroots.py; on the host also",
           "pyenv's 3.12): the static immortal value it reads, the legacy tolerance bounds a 3.11-headers",
           "abi3 module held it to (fact sheet section 4), the call-based modules (Py_LIMITED_API 3.12,",
           "abi3t) moving counts as its own references. Details in reports/interpreters.json.", ""]
    md.append(run_script("report-interpreters.py", "--reports", reports, *presets))
    md += ["", "## The limited-API generations against every runtime", "",
           "Per configuration that runs them (cases/generations.c, fact sheet §9): one extension per header",
           "set H and Py_LIMITED_API L, loaded into every GIL runtime R it is promised to. \"agrees\": every",
           "operation, a call or inline code of R's own encoding, is exactly R's own; \"tolerates [x]\": inline",
           "code of another encoding, exact on mortal counts, does [x] to R's immortal objects, as",
           "cases/expect.h derives it (asserted). Details in reports/generations.json.", ""]
    md.append(run_script("report-generations.py", "--reports", reports, *presets))
    generations_consistent = True
    try:
        with open(f"{reports}/generations.json") as f:
            generations_consistent = json.load(f).get("consistent", True)
    except (OSError, ValueError):
        pass
    md += ["", "## Proofs (CBMC, every counter value)", "",
           "Per property and implementation (the model's, and CPython's real headers: `real-*`), on each data",
           "model (docs/proofs.md): proved, or refuted exactly as expected: where the fact sheet says the claim",
           "is false, and the free-threaded witnesses that both the owner's path and another thread's are",
           "taken. Each counterexample is in reports/proofs.md.", ""]
    md.append(run_script("report-proofs.py", "--reports", reports, *presets))
    md.append("")
    if user_include:
        md.append(run_script("report-user.py", "--reports", reports, "--include", user_include, *presets))
        md.append("")
        skip_problems, skip_notes = [], []  # your headers' skips are yours to judge
    else:
        try:
            skip_problems, skip_notes = skip_check(reports, presets, tables.ROOT)
        except (OSError, ValueError, re.error) as e:  # a broken table fails the run, saying why
            skip_problems, skip_notes = [f"{tables.EXPECTED_SKIPS} cannot be read: {e}"], []
        md += ["## Skips against ci/expected-skips.txt", ""]
        md += [f"- NOT EXPECTED: {x}" for x in skip_problems] + [f"- {x}" for x in skip_notes]
        if not skip_problems and not skip_notes:
            md.append("Every skip is one the table expects, and every row it has for these configurations occurred.")
        md.append("")
    audit = read_text(f"{reports}/abi/audit.md", None)
    if audit is not None and audited:
        md.append(re.sub(r"^## ABI audit$", f"## ABI audit (ci/abi-audit.sh: exit {abi_exit})", audit, count=1, flags=re.M))
    else:
        md += ["## ABI audit", "", "Not run: no configuration built."]
    with open(f"{reports}/summary.md", "w") as f:
        f.write("\n".join(md) + "\n")

    doc = {"configurations": [{k: r[k] for k in ("configuration", "quadrant", "result", "seconds", "passed", "failed",
                                                  "skipped", "retried", "detail", "phases")} for r in rows],
           "cpu_seconds": round(cpu_all, 1),
           "cpu_efficiency": float(cpu_efficiency),
           "phase_seconds": {k: [round(v[0], 1), round(v[1], 1)] for k, v in phase_totals.items()},
           "family_test_seconds": {k: round(v, 1) for k, v in family_totals.items()},
           "passed": n["PASS"], "failed": n["FAIL"], "skipped": n["SKIP"], "tests": tests,
           "wall_seconds": wall, "setup_seconds": setup, "busy_seconds": busy, "cores": cores,
           "parallel_efficiency": float(efficiency), "abi_audit": {"configurations": audited, "exit": abi_exit}}
    user_lost = False
    if user_include:
        try:
            with open(f"{reports}/user.json") as f:
                doc["user_headers"] = json.load(f)
        except (OSError, ValueError) as e:
            print(f"report: the report on your headers is missing ({e}): the run fails", file=sys.stderr)
            doc["user_headers"], user_lost = None, True
    doc["skips"] = {"unexpected": skip_problems, "vanished": skip_notes}
    doc["quadrants"] = quadrant_ok
    doc["complete"] = not incomplete
    with open(f"{reports}/summary.json", "w") as f:
        json.dump(doc, f)
        f.write("\n")

    merged = ET.Element("testsuites")
    for p in presets:
        root = read_junit(f"{reports}/{p}.junit.xml")
        if root is None:
            continue
        suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
        for suite in suites:
            suite.set("configuration", p)
            merged.append(suite)
    ET.ElementTree(merged).write(f"{reports}/junit.xml", encoding="UTF-8", xml_declaration=True)

    rel = os.path.relpath(reports, tables.ROOT)
    rel = reports if rel.startswith("..") else rel
    print("")
    print(f"matrix: configurations: {n['PASS']} passed, {n['FAIL']} failed, {n['SKIP']} skipped; wall {wall} s, "
          f"setup {setup} s, efficiency {efficiency}, CPU {cpu_all:.0f} s (CPU efficiency {cpu_efficiency})")
    print("matrix: passing configurations per quadrant: " + ", ".join(f"{q} {quadrant_ok[q]}" for q in QUADRANTS))
    if incomplete:
        print(f"matrix: INCOMPLETE: no passing configuration in quadrant(s) {' '.join(missing)}")
    print(f"matrix: reports in {rel}/ (summary.md, summary.json, junit.xml{', matrix.png' if png else ''})")
    print(f"{tests['passed']} passed, {tests['failed']} failed, {tests['skipped']} skipped")
    if abi_exit:
        print(f"matrix: FAILED: the ABI audit exited {abi_exit} ({rel}/abi/audit.md, docs/abi-audit.md)")
    if not generations_consistent:
        print(f"matrix: FAILED: configurations of one data model give different generations tables ({rel}/summary.md)")
    for x in skip_problems:
        print(f"matrix: FAILED: skip not expected: {x}")
    for x in skip_notes:
        print(f"matrix: note: {x}")
    if ran_nothing:
        print("matrix: FAILED: no test ran, and these configurations are unavailable though nothing declares them "
              f"so by design: {' '.join(not_by_design)}")
    elif tests["passed"] == 0:
        print("matrix: no test ran: every configuration here cannot run by design ("
              + "".join(f"{p}: {tables.by_design(tables.ROOT, p)}; " for p in presets) + ")")
    return 0 if (not n["FAIL"] and not incomplete and not abi_exit and not ran_nothing and not user_lost
                 and generations_consistent and not skip_problems) else 1


def skip_check(reports, presets, root):
    """The run's skips against ci/expected-skips.txt: (problems, notes).
    Each skipped test is counted on the first row whose configuration
    pattern matches its configuration and whose reason pattern its reason;
    a row allows COUNT skips in each configuration it matches. A skip no row
    covers, or more than a row allows, is a problem (the run fails, naming
    them); a row that matched a configuration of this run but no skip there
    is a note (the skip vanished: worth knowing, not a failure)."""
    table = tables.expected_skips(root)
    seen = {}  # (row line, configuration) -> count
    problems, notes = [], []
    for p in presets:
        for case in cases(read_junit(f"{reports}/{p}.junit.xml")):
            result, why = outcome(case)
            if result != "skipped":
                continue
            row = next((r for r in table if r[1].fullmatch(p) and r[2].search(why)), None)
            if row is None:
                problems.append(f"{p}: {case.get('name')}: a skip no row of {tables.EXPECTED_SKIPS} expects: {why}")
                continue
            seen[(row[3], p)] = seen.get((row[3], p), 0) + 1
    for count, config, reason, line in table:
        for p in presets:
            if not config.fullmatch(p):
                continue
            n = seen.get((line, p), 0)
            if n > count:
                problems.append(f"{p}: {n} skips for '{reason.pattern}', {tables.EXPECTED_SKIPS}:{line} expects at most {count}")
            elif n == 0 and os.path.exists(f"{reports}/{p}.junit.xml"):
                notes.append(f"{p}: no skip for '{reason.pattern}' ({tables.EXPECTED_SKIPS}:{line}): it vanished")
    return problems, notes


def run_script(name, *args):
    """A side report, ci/<name>: its output, its errors passed on."""
    done = subprocess.run([sys.executable, os.path.join(tables.ROOT, "ci", name), *args], capture_output=True, text=True)
    if done.returncode:
        sys.stderr.write(done.stderr)
    return done.stdout.rstrip("\n")


def draw_matrix(reports, rows, per_family, all_families):
    """matrix.png: configurations (rows) x case families (columns), each cell
    coloured by outcome: failed (any test), passed, skipped (all skipped),
    not applicable (no test of that family registered). None without gnuplot."""
    gnuplot = shutil.which("gnuplot")
    if not gnuplot or not rows or not all_families:
        return None
    colours = {"not applicable": 0xE0E0E0, "skipped": 0xF2C94C, "passed": 0x6FCF97, "failed": 0xEB5757}
    data = []
    for y, r in enumerate(rows):
        fam = per_family[r["configuration"]] or {}
        for x, f in enumerate(all_families):
            c = fam.get(f)
            if c is None:
                state, label = ("failed" if r["result"] == "FAIL" and not fam else "not applicable"), ""
            else:
                state = "failed" if c[1] else "passed" if c[0] else "skipped"
                label = f"{c[0]}/{c[1]}/{c[2]}"
            data.append(f'{x} {y} {colours[state]} "{label}"')
    dat = f"{reports}/matrix.dat"
    with open(dat, "w") as f:
        f.write("\n".join(data) + "\n")
    png = f"{reports}/matrix.png"
    height = 140 + 22 * len(rows)
    width = 420 + 95 * len(all_families)
    ytics = ", ".join(f'"{r["configuration"]} ({r["result"]})" {y}' for y, r in enumerate(rows))
    xtics = ", ".join(f'"{f}" {x}' for x, f in enumerate(all_families))
    legend = ", ".join(f'NaN with boxes fs solid 1.0 lc rgb "#{rgb:06x}" title "{state}"' for state, rgb in colours.items())
    script = f"""
set terminal pngcairo noenhanced size {width},{height} font "sans,9"
set output "{png}"
set title "Configurations x case families (cells: passed/failed/skipped tests)"
set xrange [-0.5:{len(all_families) - 0.5}]
set yrange [{len(rows) - 0.5}:-0.5]
set xtics ({xtics}) rotate by 30 right
set ytics ({ytics})
set tics scale 0
set key outside right top
set style fill solid 1.0 border lc rgb "white"
plot "{dat}" using 1:2:(0.5):(0.5):3 with boxxyerror lc rgb variable notitle, \\
     "" using 1:2:4 with labels notitle, {legend}
"""
    done = subprocess.run([gnuplot], input=script, capture_output=True, text=True)
    os.remove(dat)
    if done.returncode or not os.path.exists(png):
        sys.stderr.write(f"report: gnuplot could not draw {png}: {done.stderr.strip()[:300]}\n")
        return None
    return png


def merge(out, dirs, abi_exit=0, audited=0):
    """Several runs' reports as one: their per-configuration files copied
    side by side, then one summary; the ABI audit is the one ci/merge.sh
    ran over every configuration together (its exit and size given)."""
    os.makedirs(out, exist_ok=True)
    presets, wall, setup = [], 0, 0
    for d in dirs:
        s = {}
        if os.path.exists(f"{d}/summary.json"):
            with open(f"{d}/summary.json") as f:
                s = json.load(f)
            wall, setup = max(wall, s.get("wall_seconds", 0)), max(setup, s.get("setup_seconds", 0))
        for name in sorted(os.listdir(d)):
            m = re.fullmatch(r"(.+)\.record\.json", name)
            if m and m.group(1) not in presets:
                presets.append(m.group(1))
            if re.search(r"\.(record\.json|junit\.xml|log|bindings\.txt)$", name):
                shutil.copy(os.path.join(d, name), os.path.join(out, name))
            elif name.endswith(".proof-traces"):
                shutil.copytree(os.path.join(d, name), os.path.join(out, name), dirs_exist_ok=True)
    if not presets:
        print(f"report: no configuration's results in {' '.join(dirs)}", file=sys.stderr)
        return 2
    return summary(out, presets, wall=wall, setup=setup, abi_exit=abi_exit, audited=audited)


def main(argv):
    if argv and argv[0] == "reuse-key":
        return reuse.main(argv[1:])
    if not argv or argv[0] not in ("config", "summary", "merge"):
        print(__doc__, file=sys.stderr)
        return 2
    command, argv = argv[0], argv[1:]
    opts = {"--reports": "reports", "--wall": "0", "--setup": "0", "--abi-exit": "0", "--audited": "0",
            "--user-include": ""}
    flags = {"--filtered": False, "--label-filtered": False}
    rest = []
    while argv:
        if argv[0] in opts and len(argv) > 1:
            opts[argv[0]], argv = argv[1], argv[2:]
        elif argv[0] in flags:
            flags[argv[0]], argv = True, argv[1:]
        else:
            rest, argv = rest + [argv[0]], argv[1:]
    reports = opts["--reports"]
    if command == "config":
        return config(reports, rest[0])
    if command == "merge":
        return merge(reports, rest, abi_exit=int(opts["--abi-exit"]), audited=int(opts["--audited"]))
    return summary(reports, rest, wall=int(opts["--wall"]), setup=int(opts["--setup"]), abi_exit=int(opts["--abi-exit"]),
                   audited=int(opts["--audited"]), filtered=flags["--filtered"], user_include=opts["--user-include"],
                   label_filtered=flags["--label-filtered"])

