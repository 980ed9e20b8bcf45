"""profile -- where a finished matrix run's CPU goes, by kind of work
(docs/speed.md, ci/bench.sh): process starts (the emulator, once per
batch or test, a batch's child per implementation, Check's fork per check,
the CMake runner per CTest test), compiler invocations, CBMC's phases
and the exhaustive sweeps' inner loop. Each cost is measured once here, in
CPU seconds of the whole process tree, and multiplied by how often the
matrix pays it (counted from its build trees and reports): an estimate to
find the next cut, not a replacement for the matrix's own CPU figure.

    python3 -m ci.harness profile [--build DIR] [--reports DIR]
"""
import argparse
import glob
import json
import os
import re
import resource
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def cpu_of(command, repeat=1, env=None):
    """CPU seconds (user and system, children included) of one run of
    COMMAND, the mean of REPEAT runs, and whether every run exited 0."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    ok = True
    for _ in range(repeat):
        try:
            ok &= subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
                                 timeout=900).returncode == 0
        except (OSError, subprocess.SubprocessError):
            ok = False
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) / repeat, ok


def ctest_tests(build_dir):
    """The configuration's tests: [{name, command, labels, environment}] (ctest's JSON)."""
    out = subprocess.run(["ctest", "--test-dir", build_dir, "--show-only=json-v1"], capture_output=True,
                         text=True, timeout=300).stdout
    tests = []
    for t in json.loads(out or '{"tests": []}').get("tests", []):
        props = {p["name"]: p["value"] for p in t.get("properties", [])}
        tests.append({"name": t["name"], "command": t.get("command", []), "labels": props.get("LABELS", []),
                      "environment": props.get("ENVIRONMENT", [])})
    return tests


def case_command(test):
    """The case program's own command line inside a runner's -DCOMMAND=, or None."""
    for arg in test["command"]:
        if arg.startswith("-DCOMMAND="):
            return [a for a in arg[len("-DCOMMAND="):].split(";") if a]
    return None


def batch_of(test):
    """The batch TEST's program starts once for (cmake/run-case.cmake's
    BATCH): its case command without the implementation, and the
    implementations; None for a test that starts its program itself."""
    args = {a.split("=", 1)[0]: a.split("=", 1)[1] for a in test["command"] if a.startswith("-D") and "=" in a}
    command = case_command(test)
    if args.get("-DBATCH") != "ON" or not command:
        return None
    return tuple(command[:-1]), args.get("-DIMPLEMENTATIONS", "")


def emulator_of(command):
    """The emulator part of a case command (qemu-*, wine*), [] when native."""
    program = next((i for i, a in enumerate(command) if os.path.basename(a).startswith("cases_")), None)
    return command[:program] if program else []


def emulator_name(emulator):
    """The emulator's own name: past env(1) and its VAR=value settings."""
    names = [os.path.basename(a) for a in emulator if "=" not in a and os.path.basename(a) != "env"]
    return names[0] if names else "native"


def forks(test):
    """Whether Check forks for each check of TEST: not under Wine (Windows'
    Check cannot), nor with CK_FORK=no in its environment."""
    command = case_command(test) or []
    return "CK_FORK=no" not in test.get("environment", []) and not any(
        os.path.basename(a).startswith("wine") for a in emulator_of(command))


def check_counts(junit_path):
    """{test: Check's number of checks} from a configuration's JUnit report."""
    counts = {}
    if not os.path.exists(junit_path):
        return counts
    text = open(junit_path, errors="replace").read()
    for m in re.finditer(r'<testcase name="([^"]+)"(.*?)</testcase>', text, re.S):
        c = re.search(r"Checks: (\d+)", m.group(2))
        if c:
            counts[m.group(1)] = int(c.group(1))
    return counts


def ninja_steps(build_dir):
    """The compiles and the other steps (links, archives) of the
    configuration's last build: the newest .ninja_log entry of each output."""
    outputs = set()
    try:
        with open(os.path.join(build_dir, ".ninja_log")) as f:
            for line in f:
                parts = line.rstrip("\n").split("\t")
                if len(parts) >= 4 and not parts[3].endswith("build.ninja"):
                    outputs.add(parts[3])
    except OSError:
        pass
    compiles = sum(1 for o in outputs if re.search(r"\.(o|obj)$", o))
    return compiles, len(outputs) - compiles


CBMC_PHASES = ("Runtime Symex", "Runtime Postprocess Equation", "Runtime Convert SSA", "Runtime Post-process",
               "Runtime Solver", "Runtime decision procedure")


def cbmc_phases(text):
    """{phase: seconds} from CBMC's --verbosity 9 statistics."""
    phases = {}
    for m in re.finditer(r"^(Runtime [A-Za-z -]+): ([0-9.e-]+)s$", text, re.M):
        phases[m.group(1)] = phases.get(m.group(1), 0.0) + float(m.group(2))
    return phases


def proof_profile(build_dir):
    """One real-header proof input of BUILD_DIR's: the input's CPU (preprocess,
    goto-cc, data-model check) and one proof on it with CBMC's phases."""
    tests = ctest_tests(build_dir)
    inputs = [t for t in tests if t["name"].startswith("proof-input.real-")]
    if not inputs:
        return None
    make = inputs[0]["command"]
    input_cpu, ok = cpu_of(make)
    stem = next(a[len("-DINPUT="):] for a in make if a.startswith("-DINPUT="))
    proofs = [t for t in tests if t["name"].startswith("proof.saturates." + inputs[0]["name"][len("proof-input."):])]
    if not ok or not proofs:
        return None
    args = {a.split("=", 1)[0]: a.split("=", 1)[1] for a in proofs[0]["command"] if a.startswith("-D") and "=" in a}
    cbmc = args["-DCBMC"].split(";")
    target = stem + ".gb" if os.path.exists(stem + ".gb") else stem + ".i"
    command = cbmc + ["--no-library", "--drop-unused-functions", "--unwind", "48", "--unwinding-assertions",
                      "--verbosity", "9"] + args["-DCBMC_FLAGS"].split(";") + ["--function", args["-DFUNCTION"], target]
    run = subprocess.run(command, capture_output=True, text=True, timeout=900)
    return {"input": inputs[0]["name"], "input_cpu": input_cpu, "proof": proofs[0]["name"],
            "phases": cbmc_phases(run.stdout + run.stderr)}


def sweep_cpu(build_root):
    """CPU seconds of one 2^32 exhaustive sweep (3.14, host-gcc), or None."""
    sweep = os.path.join(build_root, "host-gcc", "cases", "cases_saturation")
    if not os.path.exists(sweep):
        return None
    cpu, ok = cpu_of([sweep, "3.14", "exhaustive"])
    return cpu if ok else None


def measure(build_root, reports, sweep=None):
    """The table's rows: (what, cost per event, events, estimated CPU
    seconds). SWEEP: the sweep's CPU if already measured (ci/bench.sh)."""
    rows = []
    configs = sorted(d for d in glob.glob(os.path.join(build_root, "*")) if os.path.exists(os.path.join(d, "CTestTestfile.cmake"))
                     and os.path.basename(d) in {os.path.basename(p)[:-len(".junit.xml")]
                                                 for p in glob.glob(os.path.join(reports, "*.junit.xml"))})
    tests = {os.path.basename(d): ctest_tests(d) for d in configs}
    n_tests = sum(len(t) for t in tests.values())

    # The CMake runner per test (cmake -P run-case.cmake around a program that does nothing).
    runner, _ = cpu_of(["cmake", "-DCOMMAND=true", "-DTIMEOUT=60", "-P", os.path.join(ROOT, "cmake", "run-case.cmake")],
                       repeat=10)
    rows.append(("the CMake runner of one CTest test (cmake -P)", runner, n_tests))

    # Each emulator's start, and Check's fork under it, on one configuration each.
    by_emulator = {}
    for preset, ts in tests.items():
        for t in ts:
            cmd = case_command(t)
            if cmd:
                key = emulator_name(emulator_of(cmd))
                by_emulator.setdefault(key, []).append((preset, t, cmd))
    forks_total = 0
    checks_of = {preset: check_counts(os.path.join(reports, f"{preset}.junit.xml")) for preset in tests}
    for key, entries in sorted(by_emulator.items()):
        paid = sum(checks_of[preset].get(t["name"], 0) for preset, t, _ in entries if forks(t))
        forks_total += paid
        preset, t, cmd = next((e for e in entries if "family:layout" in e[1]["labels"]), entries[0])
        program = cmd[:next(i for i, a in enumerate(cmd) if os.path.basename(a).startswith("cases_")) + 1]
        start, _ = cpu_of(program, repeat=5)
        # A batch starts its program once, and forks a child per test.
        batched = [(preset, batch_of(e)) for preset, e, _ in entries if batch_of(e)]
        starts = len(entries) - len(batched) + len(set(batched))
        rows.append((f"a case program's start, {key} (its usage message)", start, starts))
        if batched:
            with tempfile.TemporaryDirectory() as records:
                one, _ = cpu_of(program + ["--batch", records, "60", "-", "no-such"], repeat=3)
                five, _ = cpu_of(program + ["--batch", records, "60", "-"] + ["no-such"] * 5, repeat=3)
            rows.append((f"a batch's child per implementation, {key} (its fork and usage message)",
                         max(five - one, 0.0) / 4, len(batched)))
        # Measured where Check can fork, whether or not the matrix lets it:
        # the events are the forks it paid.
        env = dict(os.environ)
        checks = checks_of[preset].get(t["name"], 0)
        if forks(dict(t, environment=[])) and checks:
            forked, ok1 = cpu_of(cmd, repeat=3, env=dict(env, CK_FORK="yes"))
            unforked, ok2 = cpu_of(cmd, repeat=3, env=dict(env, CK_FORK="no"))
            if ok1 and ok2:
                rows.append((f"Check's fork per check, {key} ({t['name']} on {preset}: {checks} checks)",
                             max(forked - unforked, 0.0) / checks, paid))

    # The build's steps: the build phase's CPU (the run's own measure, in
    # summary.json) over its compiles and links; and the compiles the tests
    # make (hygiene, expected compile failures).
    steps = [ninja_steps(d) for d in configs]
    compiles, others = sum(s[0] for s in steps), sum(s[1] for s in steps)
    try:
        build_cpu = json.load(open(os.path.join(reports, "summary.json")))["phase_seconds"]["build"][1]
    except (OSError, ValueError, KeyError, IndexError, TypeError):
        build_cpu = None
    rows.append((f"a step of the build: {compiles} compiles and {others} links and archives (the build phase's CPU "
                 "over its steps)", build_cpu / (compiles + others) if build_cpu and compiles + others else None,
                 compiles + others))
    test_compiles = sum(1 for ts in tests.values() for t in ts
                        if any(l in ("family:hygiene", "family:abi3t") for l in t["labels"]))
    rows.append(("a test that compiles (hygiene, abi3t's expected failures): counted, its cost is in its family",
                 None, test_compiles))

    # CBMC, on one real-header configuration with proofs.
    for d in configs:
        p = proof_profile(d)
        if p:
            rows.append((f"one proof input ({p['input']} on {os.path.basename(d)}: preprocess, goto-cc, data model)",
                         p["input_cpu"], None))
            for phase in CBMC_PHASES:
                if phase in p["phases"]:
                    rows.append((f"  {p['proof']}: CBMC's {phase[len('Runtime '):].lower()}", p["phases"][phase], None))
            break

    # The exhaustive sweep's inner loop.
    cpu = sweep if sweep is not None else sweep_cpu(build_root)
    if cpu is not None:
        rows.append(("one value of the 2^32 exhaustive sweep (3.14, host-gcc), in nanoseconds", cpu / 2**32 * 1e9, None))
        rows.append(("one 2^32 exhaustive sweep (3.14, host-gcc)", cpu, None))
    return rows, len(configs), n_tests, forks_total


def table(rows, configs, n_tests, forks):
    lines = [f"Measured on {configs} configurations' build trees ({n_tests} CTest tests, {forks} Check forks "
             "counted from the reports); CPU seconds, user and system, children included.", "",
             "| what | CPU per event | events in the matrix | estimated CPU |", "|---|---|---|---|"]
    for what, cost, events in rows:
        per = "" if cost is None else (f"{cost:.1f}" if "nanoseconds" in what else f"{cost:.3f} s")
        est = f"{cost * events:.0f} s" if cost is not None and events else ""
        lines.append(f"| {what} | {per} | {events if events is not None else ''} | {est} |")
    return "\n".join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python3 -m ci.harness profile", description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--reports", default=os.path.join(ROOT, "reports"))
    ap.add_argument("--sweep-seconds", type=float, help="the sweep's CPU, already measured: not measured again")
    ap.add_argument("--cpu-of", nargs=argparse.REMAINDER, metavar="COMMAND",
                    help="only print COMMAND's CPU seconds (children included), with its exit status if not 0")
    a = ap.parse_args(argv)
    if a.cpu_of:
        cpu, ok = cpu_of(a.cpu_of)
        print(f"{cpu:.1f}" + ("" if ok else " (exit not 0)"))
        return 0
    if not glob.glob(os.path.join(a.reports, "*.junit.xml")):
        print(f"profile: no reports in {a.reports}: run the matrix first (ci/matrix.sh)", file=sys.stderr)
        return 2
    print(table(*measure(a.build, a.reports, a.sweep_seconds)))
    return 0
