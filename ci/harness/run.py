"""run -- the main job: set up what is missing, then configure, build and
test every preset (or a chosen subset), as many at a time as there are
cores, one line each; then the ABI audit and the reports.

    python3 -m ci.harness run [--no-setup] [--target TRIPLE|host]... [--quadrant Q]...
                              [--compiler gcc|clang|clang-cl] [--label REGEX]
                              [--cpython-include DIR [--pyconfig DIR] [--free-threaded on|off]]
                              [--reports DIR] [PRESET...]

(ci/matrix.sh runs it with the same command line.)

  Q is 32le, 32be, 64le or 64be; --label is passed to ctest -L.
  --cpython-include: audit your own CPython headers (an Include/ directory
  or an installed include/python3.X) on every selected configuration, as
  user-<version> (user-<version>t where the pyconfig.h used defines
  Py_GIL_DISABLED, or with --free-threaded on). Each target gets a
  pyconfig.h that describes it: the one in DIR (or --pyconfig) where it
  does, else one derived from the target's compiler. Built in
  build/user/<preset>, apart from the main builds; only the user-* tests
  run, then the ABI audit; reports/summary.md has a section for them.
  --reports: where the reports go (default reports/).

Per configuration, reports/ gets <preset>.junit.xml (ctest's), <preset>.log
and <preset>.record.json: the one record of what the run decided (verdict
and why, seconds, counts, skip reasons, each phase's wall and CPU seconds;
report.write_record). Then report.summary() writes summary.md, matrix.png,
summary.json and junit.xml (all configurations merged).

A configuration whose toolchain or emulator is unavailable is a skip with
its reason when no preset is named, and a failure when one is. A whole-
matrix run also fails if a quadrant has no passing configuration. Then
ci/abi-audit.sh audits the configurations that ran tests (their headers'
layouts against abi/, and against each other: docs/abi-audit.md); the
matrix fails unless it exits 0.
Passing results of unchanged test binaries are reused (cmake/run-case.cmake),
and a configuration whose every test would run as at its last complete pass
is reused whole (reuse.py); HARNESS_RERUN=1 runs everything again.
Exit status: 0 if nothing failed, 1 if something failed, 2 for bad usage,
130 when interrupted.
"""
import concurrent.futures
import contextlib
import fcntl
import glob
import io
import os
import shutil
import signal
import subprocess
import sys
import threading
import time

from . import report, reuse, tables
from .report import read_text

ROOT = tables.ROOT
BUILD = os.path.join(ROOT, "build")  # the builds, each configuration's in BUILD/<preset>
AUDIT = os.path.join(ROOT, "ci", "abi-audit.sh")
QUADRANTS = report.QUADRANTS
COMPILERS = tuple(tables.COMPILER_NAMES)


class Usage(Exception):
    """A command line or a tree the run refuses: exit 2 with this message."""


def say(*lines):
    with _print_lock:
        for line in lines:
            print(line, flush=True)


_print_lock = threading.RLock()  # reentrant: the Ctrl-C handler may interrupt a say() of the main thread


# ---- the command line ---------------------------------------------------------

def _directory(path, option):
    if not os.path.isdir(path):
        raise Usage(f"matrix: {option} '{path}' is not a directory")
    return os.path.abspath(path)


def parse(argv):
    """The options as a dict; Usage for anything wrong."""
    o = dict(setup=True, targets=[], quadrants=[], compiler="", label="", named=[], include="", pyconfig="",
             free_threaded="AUTO", reports=os.path.join(ROOT, "reports"))
    needs = {"--cpython-include": "a directory", "--pyconfig": "a directory", "--free-threaded": "on or off",
             "--reports": "a directory", "--target": "a triple", "--quadrant": "32le, 32be, 64le or 64be",
             "--compiler": "gcc, clang or clang-cl", "--label": "a regular expression"}
    args = list(argv)
    while args:
        arg = args.pop(0)
        if arg in needs:
            if not args:
                raise Usage(f"matrix: {arg} needs {needs[arg]}")
            value = args.pop(0)
        if arg == "--no-setup":
            o["setup"] = False
        elif arg == "--cpython-include":
            o["include"] = _directory(value, arg)
        elif arg == "--pyconfig":
            o["pyconfig"] = _directory(value, arg)
        elif arg == "--free-threaded":
            if value not in ("on", "off"):
                raise Usage("matrix: --free-threaded takes on or off")
            o["free_threaded"] = value.upper()
        elif arg == "--reports":
            os.makedirs(value, exist_ok=True)
            o["reports"] = os.path.abspath(value)
        elif arg == "--target":
            o["targets"].append(value)
        elif arg == "--quadrant":
            if value not in QUADRANTS:
                raise Usage(f"matrix: unknown quadrant '{value}' (32le, 32be, 64le, 64be)")
            o["quadrants"].append(value)
        elif arg == "--compiler":
            if value not in COMPILERS:
                raise Usage(f"matrix: unknown compiler '{value}' (gcc, clang or clang-cl)")
            o["compiler"] = value
        elif arg == "--label":
            o["label"] = value
        elif arg.startswith("-"):
            raise Usage(f"matrix: unknown option '{arg}' (see python3 -m ci.harness run --help, or ci/harness/run.py)")
        else:
            o["named"].append(arg)
    if o["include"]:
        if not all(os.path.isfile(os.path.join(o["include"], h)) for h in ("Python.h", "patchlevel.h")):
            raise Usage(f"matrix: --cpython-include {o['include']} is not a CPython Include/ directory "
                        "(no Python.h or patchlevel.h)")
        if o["pyconfig"] and not os.path.isfile(os.path.join(o["pyconfig"], "pyconfig.h")):
            raise Usage(f"matrix: no pyconfig.h in --pyconfig {o['pyconfig']}")
    elif o["pyconfig"] or o["free_threaded"] != "AUTO":
        raise Usage("matrix: --pyconfig and --free-threaded go with --cpython-include")
    return o


def select(o, rows):
    """The presets to run, longest first (host-gcc carries the exhaustive
    sweeps), from this machine's presets (tables.all_presets' rows)."""
    known = [r["name"] for r in rows]
    triples = [t["triple"] for t in tables.targets(ROOT)]
    for t in o["targets"]:
        if t != "host" and t not in triples:
            raise Usage(f"matrix: unknown target '{t}' (known: host {' '.join(triples)} )")
    for p in o["named"]:
        if p not in known:
            raise Usage(f"matrix: unknown preset '{p}' (known: {' '.join(known)})")
    host_q = tables.host_quadrant()
    chosen = []
    for r in rows:
        quadrant = host_q if r["quadrant"] == "host" else r["quadrant"]
        if ((o["named"] and r["name"] not in o["named"]) or (o["targets"] and r["target"] not in o["targets"])
                or (o["quadrants"] and quadrant not in o["quadrants"])
                or (o["compiler"] and r["compiler"] != o["compiler"])):
            continue
        chosen.append(r["name"])
    if not chosen:
        raise Usage("matrix: no preset matches that selection")
    return sorted(chosen, key=lambda p: p != "host-gcc")


def harness_message(text, prefix):
    """The first CMake message with PREFIX, joined again (CMake wraps a
    message over indented lines, and ends it with an empty line or its
    call stack)."""
    out, on = [], False
    for line in text.splitlines():
        if prefix in line:
            on, line = True, line[line.rindex(prefix) + len(prefix):]
        if on and (line == "" or line.startswith("Call Stack")):
            break
        if on:
            out.append(line.lstrip(" "))
    return " ".join(out)


# ---- processes: each in a process group of its own, stopped whole ------------

class Stopped(Exception):
    """The run is being stopped (Ctrl-C, SIGTERM): a configuration stops
    where it is, writing nothing more."""


class Processes:
    """Every process the run has started and not yet reaped, so that Ctrl-C
    (SIGINT) or SIGTERM stops them all at once: each runs in a process group
    of its own (a configuration's ctest with all its tests), killed whole."""

    def __init__(self):
        self.lock = threading.RLock()  # reentrant: stop() runs in a signal handler of the main thread
        self.running = set()
        self.stopping = False

    def run(self, cmd, out, env=None):
        """Run cmd with its output appended to the file out; returns (exit
        status, wall seconds, CPU seconds: user + system of the process and
        every descendant it waited for)."""
        t0 = time.monotonic()
        with self.lock:
            if self.stopping:
                raise Stopped()
            try:
                p = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     process_group=0, cwd=ROOT, env=env)
            except OSError as e:
                out.write(f"matrix: cannot run {cmd[0]}: {e}\n".encode())
                return 127, 0.0, 0.0
            self.running.add(p.pid)
        _, status, usage = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)  # reaped here, for its rusage
        with self.lock:
            self.running.discard(p.pid)
            if self.stopping:
                raise Stopped()
        return p.returncode, time.monotonic() - t0, usage.ru_utime + usage.ru_stime

    def stop(self):
        """TERM to every process group, KILL two seconds later; none starts after."""
        with self.lock:
            self.stopping = True
            groups = list(self.running)
        for sig in (signal.SIGTERM, signal.SIGKILL):
            for g in groups:
                with contextlib.suppress(OSError):
                    os.killpg(g, sig)
            if sig == signal.SIGTERM and groups:
                time.sleep(2)


# ---- one configuration ------------------------------------------------------

class Matrix:
    def __init__(self, o, presets, rows):
        self.o, self.presets = o, presets
        self.reports = o["reports"]
        # Your own headers build apart from the main builds.
        self.build_root = os.path.join(BUILD, "user") if o["include"] else BUILD
        self.target = {r["name"]: r["target"] for r in rows}
        self.procs = Processes()
        self.findings = ""
        self.rerun = bool(os.environ.get("HARNESS_RERUN"))

    def user_args(self):
        o = self.o
        return [f"-DHARNESS_CPYTHON_INCLUDE={o['include']}", f"-DHARNESS_CPYTHON_PYCONFIG={o['pyconfig']}",
                f"-DHARNESS_CPYTHON_FREE_THREADED={o['free_threaded']}"]

    def ctest_labels(self):
        labels = ["-L", self.o["label"]] if self.o["label"] else []
        return labels + (["-L", "^implementation:user-"] if self.o["include"] else [])

    def key(self, p, build):
        """The reuse key of the configuration's tests as they are now ('' if
        ctest cannot list them)."""
        done = subprocess.run(["ctest", "--preset", p, *self.ctest_labels(), "--show-only=json-v1"],
                              capture_output=True, text=True, cwd=ROOT)
        return reuse.reuse_key(done.stdout, build) if done.returncode == 0 else ""

    def configure_wanted(self, p, build, stamp):
        """(configure or not, its extra arguments, the stamp's new content).
        Configured again only if what configuring reads changed since it
        last succeeded (Ninja re-runs CMake by itself when a CMakeLists.txt
        changes): the presets and toolchain files, what it finds on the
        machine, the target's packages, and for your own headers the
        directories and pyconfig.h given. A changed machine configures from
        scratch (--fresh), since CMake keeps what it found of the compilers."""
        t = self.target[p]
        args = ["-B", build, *self.user_args()] if self.o["include"] else []
        given = [d for d in (self.o["include"], self.o["pyconfig"]) if d]
        pyconfigs = "".join(read_text(os.path.join(d, "pyconfig.h")) for d in given)
        want = reuse.configure_key(self.findings, args, reuse.target_packages(t), pyconfigs)
        old = read_text(stamp) if os.path.isfile(stamp) else None
        configure = old != want
        if old is not None and old != want:
            args.append("--fresh")
        inputs = [os.path.join(ROOT, "CMakePresets.json"), *glob.glob(os.path.join(ROOT, "toolchains/common/*.cmake")),
                  os.path.join(ROOT, "toolchains", f"{t}.cmake")]
        if old is not None:
            mtime = os.path.getmtime(stamp)
            configure = configure or any(os.path.isfile(i) and os.path.getmtime(i) > mtime for i in inputs)
        return configure, args, want

    def run_one(self, p):
        t0 = time.monotonic()
        reports, build = self.reports, os.path.join(self.build_root, p)
        log_path = os.path.join(reports, f"{p}.log")
        rec = {"configuration": p, "phases": {}, "ran": False, "whole_reuse": False}
        open(log_path, "wb").close()
        with open(log_path, "ab") as log:  # appended to, as the run's own lines are
            def phase(name, cmd):
                log.flush()
                rc, wall, cpu = self.procs.run(cmd, log)
                old = rec["phases"].get(name, [0.0, 0.0])
                rec["phases"][name] = [round(old[0] + wall, 1), round(old[1] + cpu, 1)]
                return rc == 0
            verdict, detail = self.configure_build_test(p, build, log_path, rec, phase)
        rec.update(result=verdict, detail=detail, seconds=int(time.monotonic() - t0))
        report.write_record(reports, rec)
        say(f"{verdict:<4} {p:<28} {rec['seconds']:>4}s  {detail}")
        return rec

    def configure_build_test(self, p, build, log_path, rec, phase):
        """(verdict, detail) of one configuration; rec gets its counts."""
        reports, o = self.reports, self.o
        stamp = os.path.join(build, ".harness-configured")
        configure, args, want = self.configure_wanted(p, build, stamp)
        if configure:
            with contextlib.suppress(OSError):
                os.remove(stamp)
            if not phase("configure", ["cmake", "--preset", p, *args]):
                text = read_text(log_path)
                why = harness_message(text, "harness: unavailable: ")
                if why and not o["named"]:
                    return "SKIP", f"unavailable: {why}"
                why = why or harness_message(text, "harness: ")
                return "FAIL", f"configure failed{': ' + why if why else ''} (see {log_path})"
            os.makedirs(build, exist_ok=True)
            with open(stamp, "w") as f:
                f.write(want)
        if not phase("build", ["cmake", "--build", build]):
            return "FAIL", f"build failed (see {log_path})"
        # A configuration whose tests would all run exactly as at its last
        # complete pass reuses that pass whole, without starting a test
        # (reuse.py; the per-test rule of cmake/run-case.cmake at once).
        junit = os.path.join(reports, f"{p}.junit.xml")
        last, key = os.path.join(build, ".harness-last-pass"), ""
        if not o["include"] and not self.rerun:
            key = self.key(p, build)
            kept = os.path.join(last, "junit.xml")
            if key and read_text(os.path.join(last, "key")).strip() == key and os.path.isfile(kept):
                shutil.copy(kept, junit)
                with open(log_path, "a") as f:
                    f.write(f"harness: nothing any test of {p} runs changed since its last complete pass: "
                            "reused whole\n")
                rec["whole_reuse"] = True
        if rec["whole_reuse"]:
            pass
        elif o["include"]:  # the presets' test settings, in this tree
            phase("test", ["ctest", "--test-dir", build, "--output-on-failure", "-j", "2", "--no-tests=error",
                           *self.ctest_labels(), "--output-junit", junit])
        else:
            shutil.rmtree(last, ignore_errors=True)
            phase("test", ["ctest", "--preset", p, *self.ctest_labels(), "--output-junit", junit])
        self.keep_side_inputs(p, build)
        c = report.counts(reports, p)
        rec.update({k: c[k] for k in ("passed", "failed", "skipped", "reused", "retried", "reasons")})
        if c["passed"] + c["failed"] + c["skipped"] == 0:
            return "FAIL", f"ctest ran no test (see {log_path})"
        rec["ran"] = True
        if c["failed"] or (not rec["whole_reuse"] and "tests passed" not in read_text(log_path)):
            verdict = "FAIL"
        else:
            verdict = "SKIP" if c["passed"] == 0 else "PASS"  # one that ran nothing is a skip, never a pass
        detail = f"{c['passed']} passed, {c['failed']} failed, {c['skipped']} skipped"
        if rec["whole_reuse"]:
            detail += ", all reused from the configuration's last complete pass"
        elif c["reused"]:
            detail += f", {c['reused']} of them reused unchanged"
        if c["retried"]:
            detail += f", {c['retried']} run twice: the emulator printed nothing the first time"
        if not rec["whole_reuse"] and key and verdict == "PASS":
            # Keyed again now: the run itself wrote the depfiles of what its
            # tests compiled (hygiene, proofs), which the next key will hash.
            key = self.key(p, build)
            if key:
                os.makedirs(last, exist_ok=True)
                shutil.copy(junit, os.path.join(last, "junit.xml"))
                with open(os.path.join(last, "key"), "w") as f:
                    f.write(key + "\n")
        if c["skipped"]:
            detail += f" ({';'.join(c['reasons'])})"
        return verdict, detail

    def keep_side_inputs(self, p, build):
        """What the side reports need of the build tree, beside the JUnit
        file, so that they read reports/ only (and a merge of several runs
        has it): which binding copies had no operation of their own, and the
        proofs' counterexamples (ctest keeps only the start of a passing
        test's output)."""
        bindings = os.path.join(self.reports, f"{p}.bindings.txt")
        traces = os.path.join(self.reports, f"{p}.proof-traces")
        with contextlib.suppress(OSError):
            os.remove(bindings)
        shutil.rmtree(traces, ignore_errors=True)
        if os.path.isfile(os.path.join(build, "bindings.txt")):
            shutil.copy(os.path.join(build, "bindings.txt"), bindings)
        found = glob.glob(os.path.join(build, "cases", "proofs", "i", "*.trace"))
        if found:
            os.makedirs(traces)
            for f in found:
                shutil.copy(f, traces)

    # ---- the ABI audit ------------------------------------------------------

    def audit(self, records):
        """ci/abi-audit.sh over the configurations that ran tests in this run
        (stale builds are not audited; docs/abi-audit.md): (exit status,
        how many audited). An audit of exactly the same inputs (every
        audited configuration's probes, abi/ with its baselines and tool,
        the scripts, libabigail's version) that passed before is reused with
        its reports."""
        audited = [r["configuration"] for r in records if r["ran"]
                   and os.path.isfile(os.path.join(self.build_root, r["configuration"], "abi", "probes.txt"))]
        if not audited:
            say("matrix: abi-audit: no configuration built, nothing to audit")
            return 0, 0
        last = os.path.join(self.build_root, ".harness-last-audit")
        log_path = os.path.join(self.reports, "abi-audit.log")
        key = "" if self.rerun else reuse.audit_key(self.build_root, self.reports, audited)
        rc = 0
        if key and read_text(os.path.join(last, "key")).strip() == key and os.path.isdir(os.path.join(last, "abi")):
            shutil.rmtree(os.path.join(self.reports, "abi"), ignore_errors=True)
            shutil.copytree(os.path.join(last, "abi"), os.path.join(self.reports, "abi"))
            shutil.copy(os.path.join(last, "abi-audit.log"), log_path)
            say("", "matrix: abi-audit: nothing it reads changed since its last passing run: its reports are reused "
                "(HARNESS_RERUN=1 audits again)")
        else:
            shutil.rmtree(last, ignore_errors=True)
            with open(log_path, "wb") as log:
                rc, _, _ = self.procs.run(audit_command(self.build_root, self.reports, audited), log)
            if rc == 0 and key:
                shutil.copytree(os.path.join(self.reports, "abi"), os.path.join(last, "abi"))
                shutil.copy(log_path, last)
                with open(os.path.join(last, "key"), "w") as f:
                    f.write(key + "\n")
            say("")
        lines = read_text(log_path).splitlines()
        say(*[line for line in lines if not line.startswith("abi-audit: ")][:40])
        say(*audit_verdicts(log_path, "matrix: "))
        return rc, len(audited)


def audit_command(build_root, reports, presets):
    """ci/abi-audit.sh over these presets' probes (in BUILD_ROOT/<preset>/abi)."""
    return [AUDIT, "--build-root", build_root, "--reports", reports, *presets]


def audit_verdicts(log_path, prefix):
    """The audit's own summary lines ("abi-audit: ..."), each under PREFIX."""
    return [prefix + line for line in read_text(log_path).splitlines() if line.startswith("abi-audit: ")]


# ---- the run ----------------------------------------------------------------

def setup_command(presets, target):
    """ci/setup.sh for the targets these presets need."""
    need = sorted({target[p] for p in presets if target[p] != "host"})
    with_host = ["--with-host"] if any(target[p] == "host" for p in presets) else []
    return ["ci/setup.sh", *with_host, *need] if need else ["ci/setup.sh", "--host-only"]


def lock(build):
    """One matrix at a time on a tree: a second one refuses, it never
    interleaves with the first in build/ and reports/. The lock is held as
    long as the returned file is open (no child inherits it)."""
    os.makedirs(build, exist_ok=True)
    f = open(os.path.join(build, ".matrix.lock"), "w")
    try:
        fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        f.close()
        raise Usage("matrix: another ci/matrix.sh is running on this tree (it holds build/.matrix.lock): "
                    "wait for it, or stop it")
    return f


def run(o):
    # The presets are generated from the toolchain files: a stale
    # CMakePresets.json would run yesterday's matrix.
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            stale = tables.check(ROOT)
        rows = [r for r in tables.all_presets(ROOT) if r["host"] == "linux"]
    except (OSError, ValueError) as e:
        raise Usage(f"matrix: a table cannot be read: {e}")
    if stale:
        raise Usage("matrix: generated files are stale or a table is wrong: see python3 ci/tables.py check")
    presets = select(o, rows)
    # Your pyconfig.h is used where it describes the target, else one is
    # derived (and the report says so); one that describes no selected
    # target, nor this host, is a mistake worth stopping for.
    if o["include"]:
        where = o["pyconfig"] or o["include"]
        if os.path.isfile(os.path.join(where, "pyconfig.h")):
            misfit = tables.pyconfig_misfit(ROOT, where, presets)
            if misfit:
                raise Usage(f"matrix: your pyconfig.h fits no selected configuration: {misfit}")
    held = lock(BUILD)
    m = Matrix(o, presets, rows)
    reports = o["reports"]
    os.makedirs(reports, exist_ok=True)

    def interrupted(signum, frame):
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        say("matrix: interrupted: stopping every configuration")
        # The moment the configurations are stopped: a test that finished
        # before it keeps its pass, none after it writes one (ci/test.sh checks).
        open(os.path.join(reports, ".stopped"), "w").close()
        m.procs.stop()
        for f in [os.path.join(reports, "summary.json"), *glob.glob(os.path.join(reports, "*.record.json"))]:
            with contextlib.suppress(OSError):
                os.remove(f)
        say("matrix: interrupted: this run reports nothing, and none of its unfinished tests was kept as a pass")
        held.close()
        os._exit(130)  # the worker threads are blocked on processes just killed

    # (A signal ignored from the start, as nohup or a background job of a
    # script leaves SIGINT, stays ignored: the shell this replaces did so.)
    handlers = {sig: signal.signal(sig, interrupted) for sig in (signal.SIGINT, signal.SIGTERM)
                if signal.getsignal(sig) is not signal.SIG_IGN}
    try:
        return run_matrix(m)
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
        held.close()


def run_matrix(m):
    """Setup, every configuration, the audit and the reports: the exit status."""
    o, presets, reports = m.o, m.presets, m.o["reports"]
    started = time.monotonic()
    if o["setup"]:
        rc, _, _ = m.procs.run(setup_command(presets, m.target), sys.stdout.buffer)
        if rc:
            raise Usage("matrix: setup failed")
    setup_s = int(time.monotonic() - started)
    m.findings = reuse.machine_findings()
    os.makedirs(reports, exist_ok=True)
    for pattern in ("*.record.json", "*.junit.xml", "matrix.png", ".stopped"):
        for f in glob.glob(os.path.join(reports, pattern)):
            os.remove(f)
    cores = os.cpu_count() or 1
    say(f"matrix: {len(presets)} configurations, {cores} at a time")
    with concurrent.futures.ThreadPoolExecutor(max_workers=cores) as pool:
        futures = [pool.submit(m.run_one, p) for p in presets]
        pending = set(futures)
        while pending:  # with a timeout, so that Ctrl-C is handled at once
            _, pending = concurrent.futures.wait(pending, timeout=1)
        records = []
        for p, f in zip(presets, futures):
            if f.exception():
                say(f"FAIL {p:<28}    0s  the runner failed: {f.exception()!r}")
                records.append(report.read_record(reports, p))
            else:
                records.append(f.result())
    wall = int(time.monotonic() - started) - setup_s
    abi_rc, audited = m.audit(records)
    filtered = bool(o["targets"] or o["quadrants"] or o["named"] or o["compiler"])
    sys.stdout.flush()
    return report.summary(reports, presets, wall=wall, setup=setup_s, abi_exit=abi_rc, audited=audited,
                          filtered=filtered, user_include=o["include"], label_filtered=bool(o["label"]))


def main(argv):
    if argv and argv[0] in ("-h", "--help"):
        print(__doc__.strip())
        return 0
    try:
        return run(parse(argv))
    except Usage as e:
        print(e, file=sys.stderr)
        return 2
