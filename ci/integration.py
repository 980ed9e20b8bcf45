#!/usr/bin/env python3
"""integration.py -- the project's tests, in tiers (ci/test.sh runs it):

    python3 ci/integration.py [--no-matrix]     --no-matrix: everything but the matrix
    python3 ci/integration.py tables [SCRATCH]  only the tables' promise (a new target and version)

1. setup (ci/setup.sh) and the host build;
2. the unit tests of ci/harness (pytest, with coverage: under 90% fails);
3. the self-tests that need one build tree: CTest label selftest in
   build/selftest (cmake/selftest/);
4. the integration checks that need several trees or whole runs: scratch
   builds with broken headers, models and tables, the mutant matrices of
   ci/matrix.sh --cpython-include, Ctrl-C, the runner's reuse;
5. the matrix (ci/matrix.sh), its merge as CI's jobs would bring it, and
   the headline results (ci/results.sh).

Ends with "N passed, N failed, N skipped; N retried" (matrix tests plus
self-tests; retried: run twice because the emulator printed nothing); exit
status non-zero iff anything failed.
"""
import glob
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
from ci.harness import report  # noqa: E402
from ci.harness.reuse import cache_dir  # noqa: E402

# Debian's own interpreter, where Debian's python3-* packages are (pytest,
# coverage): python3 on PATH may be another (pyenv's).
DEBIAN_PYTHON = "/usr/bin/python3"
MUTANT_PRESETS = ["host-gcc", "s390x-linux-gnu-gcc", "arm-linux-gnueabihf-gcc", "powerpc-linux-gnu-gcc",
                  "x86_64-w64-mingw32-gcc"]


def say(*lines):
    for line in lines:
        print(line, flush=True)


def sh(cmd, env=None, **kw):
    """(exit status, stdout and stderr together) of CMD, a list; ENV adds to the environment."""
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace",
                       env=dict(os.environ, **env) if env else None, **kw)
    return p.returncode, p.stdout


def quiet(*cmds, log=None):
    """Whether every command of CMDS succeeded, one after the other (output to LOG or dropped)."""
    for cmd in cmds:
        with open(log, "a") if log else open(os.devnull, "w") as out:
            if subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT).returncode:
                return False
    return True


def flat(text):
    """Lines and runs of spaces as single spaces (as `tr -s '\\n ' '  '`)."""
    return " ".join(text.split())


def matrix_totals(reports):
    """(passed, failed, skipped, retried) tests of the last matrix run, from
    its summary.json (whatever the console printed last)."""
    with open(os.path.join(reports, "summary.json")) as f:
        t = json.load(f)["tests"]
    return t["passed"], t["failed"], t["skipped"], t.get("retried", 0)


def run_case(command, timeout=60, cache=None, **extra):
    """cmake/run-case.cmake on COMMAND (a CMake list: program;arguments)."""
    return (["cmake", f"-DCOMMAND={command}", f"-DTIMEOUT={timeout}"] + ([f"-DRESULT_CACHE={cache}"] if cache else [])
            + [f"-D{k}={v}" for k, v in extra.items()] + ["-P", "cmake/run-case.cmake"])


def scratch_build(name, target, *args):
    """A host GCC build in build/NAME, quietly: whether it configured and built TARGET."""
    return quiet(["cmake", "-S", ".", "-B", f"build/{name}", "-G", "Ninja", "-DCMAKE_C_COMPILER=gcc", *args],
                 ["cmake", "--build", f"build/{name}", "--target", target])


class Tier:
    """Says how long a tier took (the README gives each tier's time)."""

    def __init__(self, name):
        self.name = name

    def __enter__(self):
        self.start = time.monotonic()

    def __exit__(self, *_):
        say(f"test: {self.name} took {time.monotonic() - self.start:.0f} s")


class SelfTests:
    """The self-tests' tally: each one said as it ends, the failures again at the end."""

    def __init__(self, fakes):
        self.fakes = fakes
        self.ok = 0
        self.bad = 0
        self.failures = []

    def passed(self, what):
        self.ok += 1
        say(f"selftest: ok: {what}")

    def failed(self, what, detail=()):
        self.bad += 1
        say(f"selftest: FAILED: {what}", *detail)
        self.failures += [f"selftest: FAILED: {what}", *detail]

    def check(self, what, good, detail=()):
        if good:
            self.passed(what)
        else:
            self.failed(what, list(detail))

    def expect(self, what, want_rc, pattern, cmd=None, *, rc=None, out=None, flatten=False, **kw):
        """CMD (or a result already had: RC and OUT) must exit WANT_RC with
        PATTERN (a regular expression, lines anchored) in its output."""
        if cmd is not None:
            rc, out = sh(cmd, **kw)
        text = flat(out) if flatten else out
        if rc == want_rc and re.search(pattern, text, re.M):
            self.passed(what)
        else:
            self.failed(f"{what} (exit {rc})", out.splitlines()[-5:])

    def fake(self, name, *lines):
        """A program that prints these lines."""
        path = os.path.join(self.fakes, name)
        with open(path, "w") as f:
            f.write("#!/bin/sh\n" + "".join(f'echo "{line}"\n' for line in lines))
        os.chmod(path, 0o755)
        return path


# ---- 2. the unit tests --------------------------------------------------------

def unit_tests(t):
    """The unit tests of the orchestration package (ci/harness/tests, Debian's
    pytest and coverage), in seconds. Each test counts as a self-test; under
    90% of the package's lines covered is a failure."""
    data = os.path.join(t.fakes, ".coverage")
    rc, out = sh([DEBIAN_PYTHON, "-m", "coverage", "run", "--branch", f"--data-file={data}", "--source=ci/harness",
                  "--omit=ci/harness/tests/*", "-m", "pytest", "-q", "-p", "no:cacheprovider", "ci/harness/tests"])
    passed, failed = (int((re.findall(rf"(\d+) {k}", out) or [0])[-1]) for k in ("passed", "failed"))
    t.ok += passed
    if rc or failed or not passed:
        t.failed(f"the unit tests of ci/harness (exit {rc}, {failed} failed)",
                 [line for line in out.splitlines() if re.match(r"(FAILED|ERROR)|.*Error", line)][:20])
    else:
        say(f"selftest: ok: {passed} unit tests of ci/harness ({out.splitlines()[-1].strip(' =')})")
    rc, out = sh([DEBIAN_PYTHON, "-m", "coverage", "report", f"--data-file={data}", "--fail-under=90"])
    total = out.splitlines()[-1] if out.strip() else "no report"
    t.check(f"the unit tests cover {total.split()[-1]} of ci/harness" if rc == 0 else
            f"the unit tests cover less than 90% of ci/harness: {total}", rc == 0)


# ---- 3. the CTest self-tests --------------------------------------------------

def ctest_selftests(t):
    """The runner's verdicts on programs that crash, hang, lie about their
    checks or claim skips they are not, minicheck's failures: CTest tests
    (label selftest, cmake/selftest/) in build/selftest."""
    log = os.path.join(t.fakes, "selftest-build.log")
    if not quiet(["cmake", "-S", ".", "-B", "build/selftest", "-G", "Ninja", "-DCMAKE_C_COMPILER=gcc",
                  "-DHARNESS_SELFTESTS=ON", "-DHARNESS_GENERATIONS=ON",
                  f"-DHARNESS_IMPLEMENTATIONS={ROOT}/cmake/selftest/wrong-mirror.cmake"],
                 ["cmake", "--build", "build/selftest", "--target", "cases_layout", "cases_agreement",
                  "cases_regressions", "minicheck_fails", "sweep_mutant", "selftest_programs"], log=log):
        t.failed("build/selftest did not configure or build", open(log).read().splitlines()[-20:])
        return
    quiet(["ctest", "--test-dir", "build/selftest", "-L", "^selftest$", "-j", "2", "--output-on-failure",
           "--no-tests=error", "--output-junit", f"{ROOT}/build/selftest/selftest.junit.xml"], log=log)
    c = report.counts("build/selftest", "selftest")
    t.ok += c["passed"]
    t.bad += c["failed"] + c["skipped"]
    say(f"selftest: CTest (label selftest): {c['passed']} passed, {c['failed']} failed")
    _, listed = sh(["ctest", "--test-dir", "build/selftest", "-L", "^selftest$", "-N"])
    registered = len(re.findall(r"Test *#", listed))
    # Without the CBMC root the proof self-tests are not registered at all
    # (and every proof is a skip): that is a broken setup, not a pass.
    if "selftest.proof-" not in listed:
        t.failed(f"the proof self-tests are not registered: no CBMC root ({cache_dir()}/cbmc-root.log)")
    text = open(log, errors="replace").read()
    if not (c["passed"] == registered > 0):
        t.failed(f"{registered} CTest self-tests registered, {c['passed']} passed", text.splitlines()[-20:])
    lines = text.splitlines()
    shown = [lines[max(0, i - 2):i + 9] for i, line in enumerate(lines) if "selftest: FAILED" in line]
    say(*[line for chunk in shown for line in chunk][:40])
    # CTest's own list of the failed ones, for the recap.
    after = text.split("tests failed out of", 1)[1] if "tests failed out of" in text else ""
    t.failures += [re.sub(r"^\s*\d+ - ", "selftest: FAILED: CTest ", line) for line in after.splitlines()
                   if re.match(r"^\s+\d+ - ", line)]


# ---- 4. the integration checks ------------------------------------------------

def runner_and_reuse(t):
    """cmake/run-case.cmake's reuse of one test's pass, and the reuse key of
    a whole configuration (ci/report.py reuse-key)."""
    fakes = t.fakes
    good_lines = ["harness: x: 1 checks registered", "100%: Checks: 1, Failures: 0, Errors: 0"]
    good = t.fake("good", *good_lines)
    reuse = os.path.join(fakes, "results")
    os.makedirs(reuse)
    sh(run_case(good, 60, reuse))
    t.expect("an unchanged pass is reused, and says so", 0, "reused the pass", run_case(good, 60, reuse))
    # (Rewritten at once and to the same size: the digest kept for the old
    # file, under its path, size and mtime, must not serve the new one.)
    t.fake("good", "harness: x: 2 checks registered", good_lines[1])
    t.expect("a changed program is run again, never reused", 1, "1 of 2 checks ran", run_case(good, 60, reuse))
    t.fake("good", *good_lines)
    sh(run_case(good, 60, reuse))
    # A pass that needed the retry (Wine's silent first exit) is never kept
    # for reuse: the next run shows again whether the emulator starts the program.
    flaky = os.path.join(fakes, "flaky")
    with open(flaky, "w") as f:
        f.write(f'#!/bin/sh\n[ -f "{fakes}/flaky.started" ] || {{ touch "{fakes}/flaky.started"; exit 1; }}\n'
                + "".join(f'echo "{line}"\n' for line in good_lines))
    os.chmod(flaky, 0o755)
    sh(run_case(flaky, 60, reuse, RETRY_SILENT_EXIT=1))
    _, out = sh(run_case(flaky, 60, reuse, RETRY_SILENT_EXIT=1))
    t.check("a pass that needed the retry is not reused: the program runs again", "reused the pass" not in out)
    for changed in ("ASAN_OPTIONS=detect_leaks=0", "CK_FORK=no", "QEMU_CPU=max", "WINEDEBUG=+all"):
        name, value = changed.split("=", 1)
        _, out = sh(run_case(good, 60, reuse), env={name: value})
        t.check(f"a pass is not reused when the environment that steers the run changed ({changed})",
                "reused the pass" not in out)
    _, out = sh(run_case(good, 60, reuse, IDENTITY="qemu-user 99"))
    t.check("... nor when what else it depends on changed (IDENTITY: packages, kernel)", "reused the pass" not in out)

    # A configuration is reused whole only when no test of it would run
    # differently: the key changes with a file a test names, with a test's
    # command or properties, and with the steering environment, and with
    # nothing else.
    tests = json.dumps({"tests": [{"name": "t", "command": ["/usr/bin/cmake", f"-DCOMMAND={good};3.14", "-P",
                                                           f"{ROOT}/cmake/run-case.cmake"], "properties": []}]})

    def key(*build, env=None):
        return sh([sys.executable, "ci/report.py", "reuse-key", *build], env=env, input=tests)[1].strip()
    key0 = key()
    t.check("a configuration's reuse key is stable", key0 and key0 == key())
    t.check("... and ignores an environment variable that steers nothing", key0 == key(env={"UNRELATED_VAR": "1"}))
    t.check("... and changes with the steering environment (CK_FORK=no)", key0 != key(env={"CK_FORK": "no"}))
    t.fake("good", *good_lines, "# edited")
    t.check("... and with the content of a file a test runs", key0 != key())
    t.fake("good", *good_lines)
    # With the build directory it also follows what the compilations and the
    # proofs read (a header named only in a proof's .deps, from its line
    # markers) and the compilers' versions (CMakeCache.txt's compiler, asked
    # for --version).
    kb = os.path.join(fakes, "kb")
    os.makedirs(os.path.join(kb, "cases", "proofs", "i"))
    os.makedirs(os.path.join(fakes, "bin"))
    header, gcc = os.path.join(fakes, "proof-header.h"), os.path.join(fakes, "bin", "gcc")
    for path, text in ((header, "#define HARNESS_FAKE 1\n"), (os.path.join(kb, "cases/proofs/i/proof.fake.deps"),
                                                              header + "\n"),
                       (gcc, '#!/bin/sh\necho "gcc (fake) 12.2.0"\n'),
                       (os.path.join(kb, "CMakeCache.txt"), f"CMAKE_C_COMPILER:FILEPATH={gcc}\n")):
        with open(path, "w") as f:
            f.write(text)
    os.chmod(gcc, 0o755)
    keyb = key(kb)
    with open(header, "w") as f:
        f.write("#define HARNESS_FAKE 2\n")
    t.check("... and with a header a proof includes (its depfile), given the build directory",
            keyb and keyb != key(kb))
    with open(header, "w") as f:
        f.write("#define HARNESS_FAKE 1\n")
    same = key(kb) == keyb
    with open(gcc, "w") as f:
        f.write('#!/bin/sh\necho "gcc (fake) 13.1.0"\n')
    versions = os.path.join(fakes, ".harness-tool-versions.json")
    t.check("... and with the compiler's version", same and keyb != key(kb) and "13.1.0" in open(versions).read())
    t.check("... and is empty (no reuse) when the tests cannot be read",
            sh([sys.executable, "ci/report.py", "reuse-key"], input="not json")[1].strip() == "")


def wine_trap(t):
    """The trap itself: wine64 given a 32-bit Windows program prints nothing
    and exits 0 (the i686 configurations run under the i386 root's wine32
    instead). This is how such a run would "pass" if a test passed on exit
    status."""
    prefix = os.path.join(cache_dir(), "wine")
    if (shutil.which("wine") and os.path.isfile(os.path.join(prefix, "system.reg"))
            and quiet(["cmake", "--preset", "i686-w64-mingw32-gcc"], ["cmake", "--build", "--preset",
                                                                     "i686-w64-mingw32-gcc"])):
        t.expect("wine64 running a 32-bit program (exit 0, nothing run) fails", 1, "printed nothing it should",
                 run_case(f"/usr/bin/env;WINEPREFIX={prefix};WINEDEBUG=-all;wine;"
                          f"{ROOT}/build/i686-w64-mingw32-gcc/cases/cases_layout.exe;3.14"))


def copy_tree(dest):
    """This tree's files (tracked and new, not ignored) into DEST."""
    _, listed = sh(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"])
    for rel in filter(None, listed.split("\0")):
        if os.path.exists(rel):
            os.makedirs(os.path.join(dest, os.path.dirname(rel)), exist_ok=True)
            shutil.copy(rel, os.path.join(dest, rel))


def tables_and_workflow(t):
    """One table per fact (ci/tables.py): the presets and the README's table
    are generated from the toolchain files and are current, every target has
    its docs/targets.md row; CMake parses no table, and one edited since its
    generation stops the configure. (That the check bites: the unit tests.)"""
    t.expect("the generated files are current and every target is documented", 0, "everything generated is current",
             [sys.executable, "ci/tables.py", "check"])
    t.expect("CMake reads the generated presets", 0, "s390x-linux-gnu-clang", ["cmake", "--list-presets"])
    vt = os.path.join(t.fakes, "vt")
    copy_tree(vt)
    with open(os.path.join(vt, "harness", "versions.txt"), "a") as f:
        f.write("# edited\n")
    t.expect("a version table edited without ci/tables.py generate stops the configure", 1,
             "versions.txt changed since cmake/harness_tables.cmake was generated: run python3 ci/tables.py generate",
             ["cmake", "-S", vt, "-B", f"{vt}/build", "-G", "Ninja", "-DCMAKE_C_COMPILER=gcc"], flatten=True)
    shutil.copy("harness/versions.txt", os.path.join(vt, "harness", "versions.txt"))
    with open(os.path.join(vt, "harness", "bindings", "known-divergences.txt"), "a") as f:
        f.write("# edited\n")
    t.expect("a binding table edited without ci/tables.py generate stops the configure", 1,
             f"a table in {re.escape(vt)}/harness/bindings changed since cmake/harness_tables.cmake was generated",
             ["cmake", "-S", vt, "-B", f"{vt}/build-bindings", "-G", "Ninja", "-DCMAKE_C_COMPILER=gcc"], flatten=True)
    # GitHub's schema, through npm's @action-validator/cli (ci/setup.sh installs it).
    validator = os.path.join(cache_dir(), "npm", "node_modules", ".bin", "action-validator")
    t.expect("the GitHub workflow is valid against GitHub's schema (action-validator)", 0, "",
             [validator, ".github/workflows/matrix.yml"])
    misspelled = os.path.join(t.fakes, "matrix.yml")
    with open(misspelled, "w") as f:
        f.write(open(".github/workflows/matrix.yml").read().replace("timeout-minutes:", "timeout-minute:"))
    t.expect("... and a misspelled key is not (action-validator)", 1,
             "Additional property 'timeout-minute' is not allowed", [validator, misspelled])


def headers_and_pyconfig(t, cpython):
    """The fact sheet's pitfall: CPython's headers paired with another
    target's pyconfig.h (here s390x's, big-endian, on this little-endian
    host) must disagree with the model, loudly, with both sides shown. The
    harness refuses such a pairing by itself; HARNESS_CPYTHON_PYCONFIG_UNCHECKED
    forces it, to show that the checks would catch it."""
    s390x = f"-DHARNESS_CPYTHON_PYCONFIG={cpython}/pyconfig/s390x-linux-gnu"
    if scratch_build("selftest-wrong-pyconfig", "cases_agreement", f"-DHARNESS_CPYTHON_INCLUDE={cpython}/include",
                     s390x, "-DHARNESS_CPYTHON_PYCONFIG_UNCHECKED=ON"):
        t.expect("real headers with another target's pyconfig.h disagree with the model, showing both", 1,
                 "counting word is at 4 size 4 in the implementation, at 0 size 4 in the model",
                 run_case(f"{ROOT}/build/selftest-wrong-pyconfig/cases/cases_agreement;user-3.14"))
    else:
        t.failed("the build with a mismatched pyconfig.h did not configure or build")
    # Without that switch, the same pairing is refused: the host gets a
    # pyconfig.h derived from s390x's (its feature macros, the host's sizes
    # and byte order, even the indented "#  define WORDS_BIGENDIAN 1"
    # dropped), and the headers agree with the model.
    if scratch_build("selftest-refused-pyconfig", "cases_agreement", f"-DHARNESS_CPYTHON_INCLUDE={cpython}/include",
                     s390x):
        t.expect("... without HARNESS_CPYTHON_PYCONFIG_UNCHECKED it is refused, one is derived, and the headers agree",
                 0, "s390x-linux-gnu/pyconfig.h .*is not this target's.*100%: Checks: 3, Failures: 0",
                 run_case(f"{ROOT}/build/selftest-refused-pyconfig/cases/cases_agreement;user-3.14"), flatten=True)
    else:
        t.failed("the build refusing a mismatched pyconfig.h did not configure or build")


def binding_scan(t):
    """The binding copies' own-operations scan (harness/bindings/bindings.cmake)
    on a fake copy whose version guards say which functions are its own (one
    of them defined on every version, but calling CPython's from 3.14), and
    which includes a header whose definitions are not
    (cmake/selftest/fake-binding/README.md): build/selftest-scan/bindings.txt
    must say exactly that, version by version."""
    fake_binding = f"{ROOT}/cmake/selftest/fake-binding"

    def expected(version):
        if version in ("3.11", "3.12", "3.13"):
            return "own: try_incref=fake_try_inc_ref"
        if version == "3.13t":
            return "own: try_incref=fake_try_inc_ref is_uniquely_referenced=PyUnstable_Object_IsUniquelyReferenced"
        if version in ("3.14", "3.14t", "3.15", "3.15t"):
            return "none: fake_try_inc_ref calls CPython's"
        return "none"
    if not quiet(["cmake", "-S", ".", "-B", "build/selftest-scan", "-G", "Ninja", "-DCMAKE_C_COMPILER=gcc",
                  f"-DHARNESS_BINDINGS_TABLE={fake_binding}/fake-bindings.txt",
                  f"-DHARNESS_BINDINGS_ROOT={fake_binding}"]):
        t.failed("the build with a fake binding copy did not configure")
        return
    wrong, seen = [], []
    for line in open("build/selftest-scan/bindings.txt").read().splitlines():
        impl, status, detail = (line.split("|") + ["", ""])[:3]
        version = impl.removeprefix("fake-1.0-")
        got = (f"own: {detail.rsplit(': ', 1)[-1]}" if status == "own"
               else "none: fake_try_inc_ref calls CPython's" if "(fake_try_inc_ref: CPython's, called)" in detail
               else status)
        seen.append(version)
        if got != expected(version):
            wrong.append(f"{version} is '{got}'")
    wrong += [f"{v} is missing" for v in ("3.11", "3.13", "3.13t", "3.14", "3.14t", "3.15") if v not in seen]
    t.check(f"the own-operations scan follows each version's guards and the copy's own file only ({' '.join(seen)})",
            not wrong, ["wrong: " + "; ".join(wrong)])
    # ... and configure holds the scan to the committed own operations, both
    # lists shown: a changed row, and a copy without one.
    own = os.path.join(t.fakes, "own-operations.txt")
    with open(own, "w") as f:
        for line in open(f"{fake_binding}/own-operations.txt").read().splitlines(keepends=True):
            if line.startswith("fake-1.0-3.14t"):
                continue
            f.write("fake-1.0-3.13    try_incref,is_uniquely_referenced\n" if line.startswith("fake-1.0-3.13 ")
                    else line)
    t.expect("a scan that finds other own operations than committed fails configure, with both lists", 1,
             "fake-1.0-3.13: found try_incref; expected try_incref,is_uniquely_referenced.*fake-1.0-3.14t: found -;"
             ".* has no row for it", ["cmake", "-S", ".", "-B", "build/selftest-scan", f"-DHARNESS_BINDINGS_OWN={own}"],
             flatten=True)
    quiet(["cmake", "-S", ".", "-B", "build/selftest-scan", f"-DHARNESS_BINDINGS_OWN={fake_binding}/own-operations.txt"])


def rust_shims(t):
    """The Rust copies (ci/harness/rustshims.py, binding_rust.c) must bite:
    PyO3 0.28 built with pyo3-build-config told 3.11 where the headers are
    3.14's, or 3.13 where they are 3.15's (the cfgs select another branch,
    silently), fails the agreement; and a shim that setup could not build,
    or did not build, is a configure error naming it."""
    from ci.harness import rustshims
    cache = cache_dir()
    real = os.path.join(cache, "rust-shims")
    if not os.path.isfile(os.path.join(real, "pyo3-0.28", "x86_64-linux-gnu", ".key")):
        t.failed(f"no PyO3 shims for the host in {real} (ci/setup.sh builds them; see {cache}/rust-shims.log)")
        return
    shims = os.path.join(t.fakes, "rust-shims")
    shutil.copytree(real, shims)
    row = next(r for r in rustshims.rust_rows(ROOT) if r["name"] == "pyo3-0.28")
    builder = rustshims.Builder(cache, ROOT, os.path.join(cache, "cbmc-root"),
                                os.path.join(cache, "apt-cpython", "lists"), log=lambda *a: None)
    wrong = os.path.join(t.fakes, "rust-wrong")
    try:
        builder.build(row, "amd64", "x86_64-linux-gnu", "x86_64-linux-gnu", ["3.14", "3.15"],
                      os.path.join(ROOT, "harness", "bindings", row["header"]), out_root=wrong,
                      configured_as={"3.14": "3.11", "3.15": "3.13"})
    except rustshims.RustError as e:
        t.failed(f"the misconfigured PyO3 shims did not build: {e}")
        return
    for v in ("3.14", "3.15"):
        for ext in (".o", ".own"):
            shutil.copy(os.path.join(wrong, "pyo3-0.28", "x86_64-linux-gnu", v + ext),
                        os.path.join(shims, "pyo3-0.28", "x86_64-linux-gnu", v + ext))
    if not scratch_build("selftest-bindings", "cases_agreement", f"-DHARNESS_RUST_SHIMS_ROOT={shims}"):
        t.failed("the build with misconfigured PyO3 shims did not configure or build")
        return
    agreement = f"{ROOT}/build/selftest-bindings/cases/cases_agreement"
    t.expect("PyO3's Py_INCREF configured for 3.11 over 3.14's headers fails the agreement, both sides shown", 1,
             r"3\.14 after .*\(incref: Py_INCREF\): binding \[.*\], CPython \[",
             run_case(f"{agreement};pyo3-0.28-3.14"), flatten=True)
    rc, out = sh(run_case(f"{agreement};pyo3-0.28-3.15"))
    t.expect("... and configured for 3.13 over 3.15's (it counts on past 3<<30, where 3.15 saturates)", 1,
             r"3\.15 after .*\(incref: Py_INCREF\): binding \[01 00 00 c0 .*\], CPython \[00 00 00 c0 ", rc=rc,
             out=out, flatten=True)
    t.expect("... where the early saturation the regression pins no longer holds", 1,
             r"1000 of the binding's Py_INCREF from 0x7fffffff: counting word 0x800003e7, not the first immortal",
             rc=rc, out=out, flatten=True)
    configure = ["cmake", "-S", ".", "-B", "build/selftest-bindings"]
    with open(os.path.join(shims, "pyo3-0.22", "x86_64-linux-gnu.FAILED"), "w") as f:
        f.write("librust-pyo3-ffi-dev 0.22.6 (pyo3-0.22) does not build for amd64: error[E0425] (self-test)\n")
    t.expect("a shim setup could not build is a configure error naming the package and the target", 1,
             r"pyo3-0\.22 \(Debian trixie's librust-pyo3-ffi-dev\) could not be built for x86_64-linux-gnu in setup: "
             r".*error\[E0425\] \(self-test\)", configure, flatten=True)
    os.remove(os.path.join(shims, "pyo3-0.22", "x86_64-linux-gnu.FAILED"))
    shutil.rmtree(os.path.join(shims, "pyo3-0.22", "x86_64-linux-gnu"))
    t.expect("... and one setup did not build, too", 1,
             r"no pyo3-0\.22 shims for x86_64-linux-gnu in .*: run ci/setup\.sh for this target", configure,
             flatten=True)
    quiet(configure + [f"-DHARNESS_RUST_SHIMS_ROOT={real}"])


def pybind11_copies(t):
    """pybind11's own free-threaded code (binding_pybind11.cpp) must bite:
    its 3.1 headers with try_incref no longer refusing a merged zero (an
    object being freed), or enable_try_inc_ref no longer leaving a flagged
    shared field alone, fail the agreement's free-threaded states with the
    state and both sides; a C++ copy with no adapter of its project's is a
    configure error."""
    real = os.path.join(cache_dir(), "bindings")
    if not os.path.isdir(os.path.join(real, "pybind11-dev_sid")):
        t.failed(f"no pybind11 headers in {real} (ci/setup.sh unpacks Debian's pybind11-dev)")
        return
    fake = os.path.join(t.fakes, "bindings")
    shutil.copytree(real, fake)
    detail = os.path.join(fake, "pybind11-dev_sid", "usr", "include", "pybind11", "detail")

    def mutate(name, old, new):
        path = os.path.join(detail, name)
        text = open(path).read()
        if old not in text:
            t.failed(f"pybind11's {name} no longer has '{old}': the self-test's mutant needs another line")
            return False
        with open(path, "w") as f:
            f.write(text.replace(old, new, 1))
        return True
    agreement = run_case(f"{ROOT}/build/selftest-bindings/cases/cases_agreement;pybind11-3.1-3.13t")
    merged = ("type_caster_base.h", "if (shared == 0 || shared == _Py_REF_MERGED) {", "if (shared == 0) {")
    if not mutate(*merged) or not scratch_build("selftest-bindings", "cases_agreement",
                                                f"-DHARNESS_BINDINGS_ROOT={fake}"):
        t.failed("the build with doctored pybind11 headers did not configure or build")
        return
    t.expect("pybind11's try_incref taking a reference to a merged zero fails the agreement, state shown", 1,
             r"another thread as owner, ob_ref_local 0x0, ob_ref_shared 0x3 \(try_incref: PyUnstable_TryIncRef\): "
             r"PyUnstable_TryIncRef returned 1, CPython 0", agreement, flatten=True)
    flags = ("class.h", "if ((shared & _Py_REF_SHARED_FLAG_MASK) != 0) {", "if (false) {")
    if not mutate(merged[0], merged[2], merged[1]) or not mutate(*flags) or not quiet(
            ["cmake", "--build", "build/selftest-bindings", "--target", "cases_agreement"]):
        t.failed("the build with pybind11's enable_try_inc_ref doctored did not build")
        return
    t.expect("... and its enable_try_inc_ref setting the flag of one already flagged (queued), both sides shown", 1,
             r"ob_ref_shared 0x[0-9a-f]+ \(enable_try_incref: PyUnstable_EnableTryIncRef\): binding \[.*\], "
             r"CPython \[", agreement, flatten=True)
    adapter = f"{ROOT}/harness/bindings/binding_pybind11.cpp"
    os.rename(adapter, adapter + ".away")
    try:
        t.expect("a C++ copy whose project has no adapter is a configure error naming the file", 1,
                 r"pybind11-3\.1 is C\+\+ and has no adapter: .*binding_pybind11\.cpp",
                 ["cmake", "-S", ".", "-B", "build/selftest-bindings"], flatten=True)
    finally:
        os.rename(adapter + ".away", adapter)
    quiet(["cmake", "-S", ".", "-B", "build/selftest-bindings", f"-DHARNESS_BINDINGS_ROOT={real}"])


def cython_copies(t):
    """Cython's uniqueness test (binding_cython.c, over the module setup code
    Cython generated in setup) must bite: its test doctored to Py_REFCNT <=
    1 fails the agreement, both answers shown, though the known divergence
    says "== 1"; doctored to CPython's own test, the declared divergence no
    longer shows, and the run fails saying so; doctored to read no
    Py_REFCNT, the scan no longer finds it its own (a configure error); a
    copy whose C setup did not make is a configure error naming the
    package."""
    real = os.path.join(cache_dir(), "bindings")
    generated = os.path.join(real, "cython3_sid", "harness-generated", "cython_uses_setup.h")
    if not os.path.isfile(generated):
        t.failed(f"no {generated} (ci/setup.sh has Cython generate it)")
        return
    fake = os.path.join(t.fakes, "bindings-cython")
    shutil.copytree(real, fake)
    header = os.path.join(fake, "cython3_sid", "harness-generated", "cython_uses_setup.h")
    text = open(header).read()
    test = "PyList_CheckExact(obj) && Py_REFCNT(obj) == 1"
    if test not in text:
        t.failed(f"Cython's setup code no longer has '{test}': the self-test's mutants need another line")
        return
    agreement = run_case(f"{ROOT}/build/selftest-bindings/cases/cases_agreement;cython-3.1-3.13t")
    fixed = "PyList_CheckExact(obj) && Py_REFCNT(obj) == 1 && _Py_IsOwnedByCurrentThread(obj) && " \
            "(obj)->ob_ref_local == 1 && (obj)->ob_ref_shared == 0"
    for mutant, what, want in (
            ("PyList_CheckExact(obj) && Py_REFCNT(obj) <= 1",
             "Cython's test doctored to Py_REFCNT <= 1 fails the agreement, both answers shown",
             r"PyUnstable_Object_IsUniquelyReferenced 1, CPython 0"),
            (fixed, "... and doctored to CPython's test, the declared divergence that no longer shows fails the run",
             r"declared divergence is_uniquely_referenced:Py_REFCNT=0x1 .* did not show")):
        with open(header, "w") as f:
            f.write(text.replace(test, mutant))
        if not scratch_build("selftest-bindings", "cases_agreement", f"-DHARNESS_BINDINGS_ROOT={fake}"):
            t.failed("the build with doctored Cython setup code did not configure or build")
            return
        t.expect(what, 1, want, agreement, flatten=True)
    with open(header, "w") as f:
        f.write(text.replace(test, "PyList_CheckExact(obj) && 0"))
    t.expect("... and doctored to read no Py_REFCNT, the scan says it is no longer its own: a configure error", 1,
             r"cython-3\.1-3\.13t: found -; expected is_uniquely_referenced",
             ["cmake", "-S", ".", "-B", "build/selftest-bindings"], flatten=True)
    shutil.rmtree(os.path.dirname(header))
    t.expect("a Cython copy whose C setup did not make is a configure error naming the package", 1,
             r"cython-3\.1 \(Debian sid's cython3\): no cython_uses_setup\.h in .*: run ci/setup\.sh",
             ["cmake", "-S", ".", "-B", "build/selftest-bindings"], flatten=True)
    quiet(["cmake", "-S", ".", "-B", "build/selftest-bindings", f"-DHARNESS_BINDINGS_ROOT={real}"])


def binding_abi3t(t):
    """The copies under abi3t (harness/bindings/abi3t.txt) must bite: with a
    table that says mypyc 2.4 must not compile and nanobind 2.12 must, both
    tests fail saying so; a copy the table has no row for is a configure
    error."""
    table = os.path.join(t.fakes, "abi3t.txt")
    rows = open(f"{ROOT}/harness/bindings/abi3t.txt").read()
    with open(table, "w") as f:
        f.write(re.sub(r"^mypyc-2\.4 .*$", r"mypyc-2.4  error  mypyc_util\\.h.*never", re.sub(
            r"^nanobind-2\.12 .*$", "nanobind-2.12  compiles  -", rows, flags=re.M), flags=re.M))
    if not quiet(["cmake", "-S", ".", "-B", "build/selftest-abi3t", "-G", "Ninja", "-DCMAKE_C_COMPILER=gcc",
                  f"-DHARNESS_BINDINGS_ABI3T={table}"]):
        t.failed("the build with a doctored abi3t table did not configure")
        return
    ctest = ["ctest", "--test-dir", "build/selftest-abi3t", "--output-on-failure", "-R"]
    t.expect("a copy abi3t.txt says must not compile, and that compiles, fails", 8,
             r"abi3t\.mypyc-2\.4: it compiled, and it must not", ctest + [r"^abi3t\.mypyc-2\.4$"])
    t.expect("... and one it says must compile, and that does not, fails with its errors", 8,
             r"abi3t\.nanobind-2\.12: it does not compile, and it must:.*nb_ft\.cpp.*error",
             ctest + [r"^abi3t\.nanobind-2\.12$"], flatten=True)
    with open(table, "w") as f:
        f.write(re.sub(r"^numpy-2\.4 .*$", "", rows, flags=re.M))
    t.expect("a copy abi3t.txt has no row for is a configure error", 1,
             r"has no row for numpy-2\.4: add what it does under abi3t",
             ["cmake", "-S", ".", "-B", "build/selftest-abi3t", f"-DHARNESS_BINDINGS_ABI3T={table}"], flatten=True)


def hygiene(t, cpython):
    """Header hygiene must fail on a diagnostic nobody knows: the 3.14 headers
    with one line added that warns."""
    include = os.path.join(t.fakes, "include")
    shutil.copytree(f"{cpython}/include", include)
    with open(os.path.join(include, "object.h"), "a") as f:
        f.write("static int harness_selftest_unused;\n")
    if quiet(["cmake", "-S", ".", "-B", "build/selftest-bad-headers", "-G", "Ninja", "-DCMAKE_C_COMPILER=gcc",
              f"-DHARNESS_CPYTHON_INCLUDE={include}", f"-DHARNESS_CPYTHON_PYCONFIG={cpython}/pyconfig/x86_64-linux-gnu"]):
        t.expect("a new diagnostic from CPython's headers fails the hygiene case, and is shown", 1,
                 "harness_selftest_unused.*defined but not used",
                 ["cmake", "-DBUILD_DIR=build/selftest-bad-headers", "-DTARGET=hygiene_user_3_14_c99_pedantic",
                  "-DIMPLEMENTATION=user-3.14", "-DVARIANT=c99-pedantic", "-DKNOWN=harness/real/hygiene-known.txt",
                  "-P", "cmake/hygiene.cmake"])
    else:
        t.failed("the build with doctored headers did not configure")


def abi_audit(t, quadrant):
    """The ABI audit (docs/abi-audit.md) must bite on real probes: the model
    built with 3.14's split fields in big-endian order on this little-endian
    host, audited as host-gcc, is an incompatible change (12) whose diff
    names the fields. (Canned manifests and bad input: test_audit.py.)"""
    audit = [sys.executable, "-m", "ci.harness", "audit"]
    if not scratch_build("selftest-abi-break", "abi_probes",
                         "-DHARNESS_MODEL_BREAK=HARNESS_MODEL_BREAK_314_ORDER;HARNESS_MODEL_BREAK_315_SLOT"):
        t.failed("the deliberately broken model did not build")
        return
    broken = os.path.join(t.fakes, "abi-break")
    os.makedirs(broken)
    t.expect("the probes of the broken model are read back", 0, "",
             audit + ["extract", "--configuration", "host-gcc", "--abi-peer", "host", "--quadrant", quadrant,
                      "build/selftest-abi-break/abi/probes.txt", f"{broken}/host-gcc.json"])
    manifests = audit + ["manifests", "--invariants", "abi/invariants.json", "abi/manifests", broken]
    rc, out = sh(manifests)
    t.expect("a deliberate layout break fails the audit as incompatible (exit 12), naming the field", 12,
             r"host-gcc 3.14: PyObject.fields.ob_flags.offset: 6 -> 0 \[incompatible\]", rc=rc, out=out)
    t.expect("... and the model no longer matches CPython's real 3.14 headers (invariant model-vs-real)", 12,
             "invariant model-vs-real: host-gcc 3.14 vs real-3.14: PyObject.fields.ob_refcnt.offset: 4 -> 0",
             rc=rc, out=out)
    t.expect("a model PySlot of 24 bytes fails the module-structs invariant (3.15's is 16 everywhere)", 12,
             r"invariant module-structs: host-gcc 3.15: PySlot is 24 bytes \(16 wanted\)", rc=rc, out=out)
    suppressions = ["--suppressions", "abi/abigail/suppressions.ini"]
    with open(f"{broken}/3.14.abi", "w") as f:
        subprocess.run(["abidw", "--no-corpus-path", "--no-show-locs", "--no-comp-dir-path", "--drop-private-types",
                        *suppressions, "build/selftest-abi-break/abi/libharness-abi-3.14.so"], stdout=f,
                       stderr=subprocess.STDOUT)
    t.expect("libabigail sees the same break as a change of the anonymous union (abidiff exit 4)", 4,
             r"struct \{uint16_t ob_flags; uint16_t ob_overflow; uint32_t ob_refcnt;\}",
             ["abidiff", "--no-show-locs", *suppressions, "abi/abigail/host/3.14.abi", f"{broken}/3.14.abi"])
    # The fact sheet's pitfall again, now for the audit: the 3.14 headers
    # with s390x's pyconfig.h on this host (the build configured before).
    wrong = os.path.join(t.fakes, "abi-wrong-pyconfig")
    os.makedirs(wrong)
    if (quiet(["cmake", "--build", "build/selftest-wrong-pyconfig", "--target", "abi_probes"])
            and quiet(audit + ["extract", "--configuration", "host-gcc", "--abi-peer", "host", "--quadrant", quadrant,
                               "build/selftest-wrong-pyconfig/abi/probes.txt", f"{wrong}/host-gcc.json"])):
        t.expect("headers with another target's pyconfig.h fail the audit: byte order, and the model disagrees", 12,
                 "host-gcc user-3.14: the headers say big-endian .*invariant model-vs-real: host-gcc 3.14 vs "
                 "user-3.14: counting_word.offset: 0 -> 4",
                 audit + ["manifests", "--invariants", "abi/invariants.json", "abi/manifests", wrong], flatten=True)
    else:
        t.failed("the probes with a mismatched pyconfig.h did not build or read")


def bad_includes(t, cpython):
    """Your own headers that cannot be used are a configure error on every
    preset, Windows included: a path that is no Include/, and headers that
    do not compile for the target; PyPy's are refused by name."""
    broken = os.path.join(t.fakes, "broken-include")
    shutil.copytree(f"{cpython}/include", broken)
    with open(os.path.join(broken, "object.h"), "a") as f:
        f.write("#error a deliberately broken header\n")
    for p in ("host-gcc", "x86_64-w64-mingw32-gcc", "x86_64-pc-windows-msvc-clang-cl"):
        at = ["cmake", "--preset", p, "-B", f"build/selftest-bad-include/{p}", "--fresh"]
        t.expect(f"{p}: a directory that is not a CPython Include/ is a clear configure error", 1,
                 "HARNESS_CPYTHON_INCLUDE=/nonexistent is not a CPython Include/",
                 at + ["-DHARNESS_CPYTHON_INCLUDE=/nonexistent"])
        t.expect(f"{p}: headers that do not compile for the target are a clear configure error, with the "
                 "compiler's words", 1, "HARNESS_CPYTHON_INCLUDE is unusable here: .*a deliberately broken header",
                 at + [f"-DHARNESS_CPYTHON_INCLUDE={broken}"], flatten=True)
    # PyPy's headers carry CPython's version macros: refused by name, never
    # judged as CPython's (cmake/selftest/fake-pypy/).
    t.expect("PyPy's headers are refused at configure time, by a message that names PyPy", 1,
             r"these are PyPy's headers \(cpyext \"7.3.19\"\), not CPython's",
             ["cmake", "--preset", "host-gcc", "-B", "build/selftest-bad-include/pypy", "--fresh",
              f"-DHARNESS_CPYTHON_INCLUDE={ROOT}/cmake/selftest/fake-pypy"], flatten=True)
    t.expect("the one command refuses a directory that is not an Include/ before building anything", 2,
             "--cpython-include /tmp is not a CPython Include/",
             ["ci/matrix.sh", "--no-setup", "--cpython-include", "/tmp", "host-gcc"])


def user_verdict(user_json, rc, mode, want):
    """What reports/user.json says against what must be: "fail" (exactly
    the configurations WANT failed, each with a failed test), "pass" (all
    of implementation WANT, all passed), "each" (every configuration ran
    exactly the implementations WANT, each passed)."""
    try:
        with open(user_json) as f:
            confs = json.load(f)["configurations"]  # {preset: {implementation: row}}
    except (OSError, ValueError, KeyError) as e:
        return f"no user.json ({e}); matrix exit {rc}"
    rows = [(p, r) for p, impls in confs.items() for r in impls.values()]
    shown = {p: {i: (r["result"], r["passed"], r["failed"]) for i, r in impls.items()} for p, impls in confs.items()}
    if mode == "fail":
        failed = sorted({p for p, r in rows if r["result"] != "PASS"})
        ok = (failed == sorted(want.split()) and rc != 0
              and all(any(r["failed"] > 0 for q, r in rows if q == p) for p in failed))
        verdict = "detected exactly where expected" if ok else f"NOT where expected: {failed}"
    elif mode == "pass":
        ok = rc == 0 and rows and all(r["implementation"] == want and r["result"] == "PASS" and r["passed"] > 0
                                      for _, r in rows)
        unused = [f"{p} ({r['pyconfig_not_used']})" for p, r in rows if r.get("pyconfig_not_used")]
        verdict = (f"all {want}, all passed" if ok else f"NOT all {want}") + "; your pyconfig.h not used on: " + \
            ", ".join(unused)
    else:
        ok = rc == 0 and confs and all(sorted(impls) == sorted(want.split()) and
                                       all(r["result"] == "PASS" and r["passed"] > 0 for r in impls.values())
                                       for impls in confs.values())
        verdict = f"each of {want}, all passed" if ok else f"NOT each of {want}"
    return f"{verdict}\n{shown} matrix exit {rc}"


def user_matrix(t, name, include, pyconfig, presets):
    """ci/matrix.sh --cpython-include on PRESETS: (exit status, reports/user.json)."""
    reports = os.path.join(t.fakes, f"reports-{name}")
    with open(os.path.join(t.fakes, f"{name}.log"), "w") as log:
        rc = subprocess.run(["ci/matrix.sh", "--no-setup", "--cpython-include", include, "--pyconfig", pyconfig,
                             "--reports", reports, *presets], stdout=log, stderr=subprocess.STDOUT).returncode
    return rc, os.path.join(reports, "user.json")


def mutant_matrices(t, cpython):
    """The one command bites: three copies of the real 3.14 headers, each
    with one line changed that matters to one data model only, run through
    ci/matrix.sh --cpython-include on a configuration of each data model;
    each must fail exactly where its data model is, and pass elsewhere.
      64-bit big-endian: the big-endian field order of the refcount struct
        replaced by the little-endian one (the fact sheet's pyconfig pitfall);
      32-bit: the immortal threshold _Py_IMMORTAL_MINIMUM_REFCNT halved;
      LLP64 (64-bit Windows): the 64-bit ob_refcnt_full declared long."""
    host_pyconfig = f"{cpython}/pyconfig/x86_64-linux-gnu"
    for name, file, line, new, want in (
            ("64be", "object.h", r"^#  if PY_BIG_ENDIAN$", "#  if 0 && PY_BIG_ENDIAN", "s390x-linux-gnu-gcc"),
            ("32bit", "refcount.h", r"^#define _Py_IMMORTAL_MINIMUM_REFCNT \(\(Py_ssize_t\)\(1L << 30\)\)$",
             "#define _Py_IMMORTAL_MINIMUM_REFCNT ((Py_ssize_t)(1L << 29))",
             "arm-linux-gnueabihf-gcc powerpc-linux-gnu-gcc"),
            ("llp64", "object.h", r"^        PY_INT64_T ob_refcnt_full;", "        long ob_refcnt_full;",
             "x86_64-w64-mingw32-gcc")):
        d = os.path.join(t.fakes, f"mutant-{name}")
        shutil.copytree(f"{cpython}/include", d)
        text = open(os.path.join(d, file)).read()
        mutated = re.sub(line, new.replace("\\", "\\\\"), text, flags=re.M)
        if mutated == text:
            t.failed(f"mutant {name}: '{line}' matches no line of {file} (did the 3.14 headers change?)")
            continue
        with open(os.path.join(d, file), "w") as f:
            f.write(mutated)
        rc, user = user_matrix(t, f"mutant-{name}", d, host_pyconfig, MUTANT_PRESETS)
        t.expect(f"mutant {name} ({new.strip()[:60]}) fails exactly on: {want}", 0,
                 "^detected exactly where expected", rc=0, out=user_verdict(user, rc, "fail", want))

    # Free-threaded or not is what the pyconfig.h used says: the unmodified
    # 3.14 headers with a pyconfig.h that defines Py_GIL_DISABLED are
    # user-3.14t and pass as such (where one is derived, it keeps
    # Py_GIL_DISABLED); with the GIL pyconfig.h they are user-3.14 and pass.
    ft = os.path.join(t.fakes, "ft-pyconfig")
    os.makedirs(ft)
    with open(os.path.join(ft, "pyconfig.h"), "w") as f:
        f.write(open(f"{host_pyconfig}/pyconfig.h").read().replace(
            "#endif /*Py_PYCONFIG_H*/\n", "#define Py_GIL_DISABLED 1\n#endif /*Py_PYCONFIG_H*/\n"))
    unused = (r"your pyconfig.h not used on: s390x-linux-gnu-gcc \(it describes 64-bit little-endian, this target is "
              r"64-bit big-endian Linux\), x86_64-w64-mingw32-gcc \(it describes 64-bit little-endian, this target "
              r"is 64-bit Windows\)$")
    for kind, impl, pyconfig in (("ft", "user-3.14t", ft), ("gil", "user-3.14", host_pyconfig)):
        rc, user = user_matrix(t, kind, f"{cpython}/include", pyconfig,
                               ["host-gcc", "s390x-linux-gnu-gcc", "x86_64-w64-mingw32-gcc"])
        t.expect(f"the 3.14 headers with a {kind} pyconfig.h pass as {impl} on host, s390x and 64-bit Windows; its "
                 "rows say where it was not used, and why", 0, f"^all {impl}, all passed; " + unused, rc=0,
                 out=user_verdict(user, rc, "pass", impl))
    # A pyconfig.h that describes none of the selected targets, nor the
    # host, stops the run before anything is built, showing both data models.
    t.expect("a pyconfig.h that fits no selected configuration, nor the host, is an error showing both data models", 2,
             r"describes 64-bit big-endian; none of the selected configurations is \(i686-linux-gnu-gcc: 32-bit "
             r"little-endian\), nor is this host \(64-bit little-endian\)",
             ["ci/matrix.sh", "--no-setup", "--cpython-include", f"{cpython}/include", "--pyconfig",
              f"{cpython}/pyconfig/s390x-linux-gnu", "i686-linux-gnu-gcc"])
    # From 3.15 one Include/ with a GIL pyconfig.h is three implementations:
    # user-3.15, its free-threaded twin user-3.15t, and abi3t from it
    # (user-abi3t), each run and passed, on Linux and 64-bit Windows.
    want = "user-3.15 user-3.15t user-abi3t"
    cpython315 = os.path.join(os.path.dirname(cpython), "3.15")
    rc, user = user_matrix(t, "user-315", f"{cpython315}/include", f"{cpython315}/pyconfig/x86_64-linux-gnu",
                           ["host-gcc", "x86_64-w64-mingw32-gcc"])
    t.expect(f"the 3.15 headers with a GIL pyconfig.h run as {', '.join(want.split()[:2])} and user-abi3t, each "
             "passed", 0, f"^each of {want}, all passed", rc=0, out=user_verdict(user, rc, "each", want))


def regressions_and_guards(t, cpython, cases):
    """gh-134989 on the headers' own Py_RETURN_NONE, must-not-compile cases,
    a pyconfig.h of another data model, the POSIX layer's failures, source
    guards, an unknown version, a missing emulator."""
    # gh-134989 is judged on the headers' own Py_RETURN_NONE, compiled for
    # the limited API of 3.11: the 3.14 headers with the 3.12 spelling (a
    # bare return, one line changed) fail it; 3.13.0's real headers, where
    # the bug is, pass it as present.
    include = os.path.join(t.fakes, "return-none-include")
    shutil.copytree(f"{cpython}/include", include)
    object_h = os.path.join(include, "object.h")
    text = open(object_h).read()
    with open(object_h, "w") as f:
        f.write(text.replace("#  define Py_RETURN_NONE return Py_NewRef(Py_None)\n",
                             "#  define Py_RETURN_NONE return Py_None\n"))
    if scratch_build("selftest-return-none", "cases_regressions", f"-DHARNESS_CPYTHON_INCLUDE={include}",
                     f"-DHARNESS_CPYTHON_PYCONFIG={cpython}/pyconfig/x86_64-linux-gnu"):
        t.expect("headers whose Py_RETURN_NONE does not incref under the old limited API fail gh-134989, both sides "
                 "shown", 1, r"Py_RETURN_NONE \(limited API 3.11\) added 0 references, expected 1",
                 run_case(f"{ROOT}/build/selftest-return-none/cases/cases_regressions;user-3.14"))
    else:
        t.failed("the build with a changed Py_RETURN_NONE did not configure or build")
    pyenv313 = os.path.expanduser("~/.pyenv/versions/3.13.0/include/python3.13")
    if os.path.isdir(pyenv313) and scratch_build("selftest-return-none", "cases_regressions",
                                                 f"-DHARNESS_CPYTHON_INCLUDE={pyenv313}", "-DHARNESS_CPYTHON_PYCONFIG="):
        t.expect("CPython 3.13.0's own headers show gh-134989 present, as the fact sheet says", 0,
                 "gh-134989 PRESENT, CPython 3.13.0",
                 run_case(f"{ROOT}/build/selftest-return-none/cases/cases_regressions;user-3.13"))
    # A case that must not compile (mypyc's op->ob_refcnt++ against
    # free-threaded headers) fails when it does compile, and when it fails
    # for another reason.
    t.expect("a must-not-compile case fails when the code compiles (mypyc's ++ on the GIL 3.14 headers)", 1,
             "it compiled, and it must not",
             ["cmake", "-DBUILD_DIR=build/host-gcc", "-DTARGET=hygiene_real_3_14_c99_pedantic", "-DNAME=selftest",
              "-DDIAGNOSTIC=ob_refcnt", "-P", "cmake/expect-compile-error.cmake"])
    t.expect("... and when it fails for another reason than the one it names", 1, "it failed to compile, but not with",
             ["cmake", "-DBUILD_DIR=build/host-gcc", "-DTARGET=mypyc_no_imm_real_3_14t", "-DNAME=selftest",
              "-DDIAGNOSTIC=no-such-diagnostic", "-P", "cmake/expect-compile-error.cmake"])
    # A pyconfig.h for another data model (x86_64's, 64-bit, given for
    # armhf, 32-bit) is refused at configure time, before anything is
    # compiled with it, and the report says why; the target gets one derived
    # from its compiler. (Used as is, its SIZEOF_VOID_P 8 would select the
    # 64-bit encoding: "shift count >= width of type" on _Py_STATIC_FLAG_BITS << 48.)
    shutil.rmtree("build/selftest-wrong-model", ignore_errors=True)
    log = os.path.join(t.fakes, "wrong-model.log")
    if quiet(["cmake", "--preset", "arm-linux-gnueabihf-gcc", "-B", "build/selftest-wrong-model",
              f"-DHARNESS_CPYTHON_INCLUDE={cpython}/include",
              f"-DHARNESS_CPYTHON_PYCONFIG={cpython}/pyconfig/x86_64-linux-gnu"], log=log):
        ninja = open("build/selftest-wrong-model/build.ninja", errors="replace").read()
        said = re.search(r'derived pyconfig: [^"\n]*x86_64-linux-gnu/pyconfig.h \([^"\n]*', ninja)
        sizes = [line for line in open("build/selftest-wrong-model/pyconfig/user-3.14/pyconfig.h").read().splitlines()
                 if line.startswith("#define SIZEOF_VOID_P")]
        t.expect("a 64-bit pyconfig.h given for a 32-bit target is not used: the harness says why, and derives one", 0,
                 "x86_64-linux-gnu/pyconfig.h .* is not this target's: it describes 64-bit little-endian, this target "
                 "is 32-bit little-endian Linux.*SIZEOF_VOID_P 4", rc=0,
                 out=(said.group(0) if said else "") + " " + " ".join(sizes))
        since = os.path.getmtime(log)
        compiled = [o for o in glob.glob("build/selftest-wrong-model/**/*.o", recursive=True)
                    if os.path.getmtime(o) > since]
        t.check("... and nothing was compiled with it", not compiled, compiled[:3])
    else:
        t.failed("armhf with x86_64's pyconfig.h did not configure", open(log).read().splitlines()[-5:])
    shutil.rmtree("build/selftest-wrong-model", ignore_errors=True)
    # The POSIX platform layer when fork() or waitpid() fail (interposed by
    # the program): no descriptor leaks, and an unknown end of the child is
    # an error, never a measurement.
    program = os.path.join(t.fakes, "platform-failures")
    if quiet(["cc", "-std=c11", "-Wall", "-Wextra", "-Werror", "-Icases", "cmake/selftest/platform_failures.c",
              "cases/platform_posix.c", "-o", program, "-ldl"]):
        t.expect("fork() failing leaks no descriptor, and waitpid() failing is an error, not a measurement", 0,
                 r"fork fails: 0 descriptors leaked; fork\(\) failed waitpid fails: result -1; waitpid\(\) failed",
                 [program], flatten=True)
    else:
        t.failed("cmake/selftest/platform_failures.c does not build")
    # Source guards for the C correctness fixes whose old form nothing at run
    # time shows: object storage with a declared type handed to the
    # implementations, a function pointer stored through a void *,
    # _Py_Dealloc defined for the real headers with another type than theirs.
    bad = [f"{path}: {line.strip()}" for path in sorted(glob.glob("cases/*.c")) for line in open(path)
           if re.search(r"_Alignas\(16\) uint8_t [a-z_]+\[RM_MAX_HEADER\]|\*\(void \*\*\)&", line)]
    t.check("no case hands an implementation storage with a declared type, nor stores a function pointer through "
            "void *", not bad, bad)
    t.check("the real headers' _Py_Dealloc and slow paths are each implementation's own",
            "_Py_Dealloc=${symbol}_Py_Dealloc" in open("harness/real/CMakeLists.txt").read()
            and not re.search(r"_Py_(DecRefShared|MergeZeroLocalRefcount)\(void", open("cases/case_main.c").read()))
    # A version the cases have no expectations for is refused by name, never
    # judged by 3.11's (cases/expect.h used to fall back to them).
    if scratch_build("selftest-unknown-version", "cases_layout",
                     f"-DHARNESS_IMPLEMENTATIONS={ROOT}/cmake/selftest/unknown-version.cmake"):
        t.expect("an implementation of a version without expectations is refused, by name", 1,
                 "no expectations for version '3.16'",
                 run_case(f"{ROOT}/build/selftest-unknown-version/cases/cases_layout;selftest-3.16"))
    else:
        t.failed("the build with an implementation of an unknown version did not configure or build")
    t.expect("a missing emulator is a clear configure error", 1, "harness: unavailable: qemu-nosuch",
             ["cmake", "-S", ".", "-B", "build/selftest-missing", "--fresh",
              "-DCMAKE_TOOLCHAIN_FILE=cmake/selftest/missing-emulator.cmake"])


def interpreters(t, cases):
    """The interpreter family (cases/interpreters/) on Debian's 3.14 from the
    amd64 sysroot: each of its checks fails on a broken input."""
    commands = [line.split(";") for line in open(f"{ROOT}/build/host-gcc/interpreters.txt").read().splitlines()
                if line.endswith("python3.14")]
    if not commands:
        t.failed("no python3.14 in build/host-gcc/interpreters.txt (ci/setup.sh makes the amd64 sysroots)")
        return
    python, here = commands[0], f"{cases}/interpreters"  # -I -S: as cases/interpreters/CMakeLists.txt runs it
    drive = ["-I", "-S", f"{ROOT}/cases/interpreters/drive.py", "--facts", f"{here}/harness_facts.so"]
    modules = ["--legacy", f"{here}/legacy_abi3.so", "--limited", f"{here}/limited312.so"]

    def run(*args):
        return run_case(";".join(python + drive + list(args)), timeout=120)
    t.expect("the interpreter family passes on Debian's python3.14 (the self-tests' baseline)", 0,
             r"Checks: [1-9][0-9]*, Failures: 0", run(*modules))
    # Judged by 3.13's expectations, 3.14's values and bounds fail.
    t.expect("python3.14 judged by 3.13's expectations fails: the static immortal value, the bounds", 1,
             r"sys\.getrefcount is the static immortal value: 3221225472, expected 4294967295",
             run(*modules, "--expectations-of", "3.13"))
    # The limited-API module built for Py_LIMITED_API 3.11 (3.13's inline
    # code, not calls): its increments move a 3.14 immortal's count, which
    # 3.13's decrements, seeing it immortal, leave.
    pyconfig, include = (f"{cache_dir()}/cpython/3.13/{d}" for d in ("pyconfig/x86_64-linux-gnu", "include"))
    inline = os.path.join(t.fakes, "limited-inline.so")
    rc, out = sh(["cc", "-shared", "-fPIC", "-fwrapv", "-O1", "-DCALLS_MODULE=limited312", "-DPy_LIMITED_API=0x030b0000",
                  "-isystem", pyconfig, "-isystem", include, "-o", inline, "cases/interpreters/calls_ext.c"])
    t.check("the inline limited-API mutant compiles", rc == 0, out.splitlines()[-5:])
    t.expect("a limited-API module with 3.13's inline code instead of calls fails on python3.14", 1,
             r"on True move its count as 5 references do: \(5, 5\), expected \(0, 0\)",
             run("--legacy", f"{here}/legacy_abi3.so", "--limited", inline))
    # The legacy module built with 3.14's headers (saturating, not ++/--):
    # the steps over the bounds do not move the count, and fail.
    pyconfig, include = (f"{cache_dir()}/cpython/3.14/{d}" for d in ("pyconfig/x86_64-linux-gnu", "include"))
    saturating = os.path.join(t.fakes, "legacy-saturating.so")
    rc, out = sh(["cc", "-shared", "-fPIC", "-fwrapv", "-O1", "-isystem", pyconfig, "-isystem", include, "-o", saturating,
                  "cases/interpreters/legacy_abi3.c", "-ldl"])
    t.check("the saturating legacy mutant compiles", rc == 0, out.splitlines()[-5:])
    t.expect("a legacy module with 3.14's saturating code instead of ++/-- fails its steps on python3.14", 1,
             r"net legacy increfs .*: the legacy step stored", run("--legacy", saturating))
    # libpython as the oracle of the model: a model whose _Py_SetImmortal
    # (3.14) overwrites an immortal's word, where libpython returns early,
    # differs from libpython's bytes.
    source = open("harness/refmodel.c").read()
    early = "    if (is_immortal_314(rt, obj))\n        return; /* a static immortal keeps its flags */\n"
    mutant_model, oracle = os.path.join(t.fakes, "refmodel-mutant.c"), os.path.join(t.fakes, "oracle-mutant.so")
    with open(mutant_model, "w") as f:
        f.write(source.replace(early, ""))
    rc, out = sh(["cc", "-shared", "-fPIC", "-O1", "-std=c11", "-Icases", "-Iharness", "-Ibuild/host-gcc/generated",
                  "-o", oracle, "cases/interpreters/oracle.c", mutant_model])
    t.check("the oracle's model mutant (no early return in 3.14's _Py_SetImmortal) compiles",
            rc == 0 and early in source, out.splitlines()[-5:])
    t.expect("a model whose 3.14 _Py_SetImmortal degrades an immortal differs from libpython's, and fails", 1,
             r"oracle: _Py_SetImmortal from 0x50000c0000000: the model's bytes: .*, expected",
             run("--legacy", f"{here}/legacy_abi3.so", "--oracle", oracle))
    t.expect("the oracle with the model as built passes on python3.14", 0, r"Checks: [1-9][0-9]*, Failures: 0",
             run("--legacy", f"{here}/legacy_abi3.so", "--oracle", f"{here}/harness_oracle.so"))
    # A module that registers checks but runs none of them fails.
    lost = os.path.join(t.fakes, "drive.py")
    with open(lost, "w") as f:
        f.writelines(line for line in open("cases/interpreters/drive.py")
                     if "self.results.append((what, got, want))" not in line)
    drive[drive.index(f"{ROOT}/cases/interpreters/drive.py")] = lost
    t.expect("an interpreter case that runs fewer checks than it registered fails", 1, "0 of [1-9][0-9]* checks ran",
             run(*modules))
    t.expect("an interpreter named in HARNESS_PYTHONS that does not run is a configure error naming it", 1,
             r"HARNESS_PYTHONS names /nonexistent/python3\.14",
             ["cmake", "-S", ".", "-B", os.path.join(t.fakes, "bad-pythons"), "-G", "Ninja",
              "-DHARNESS_PYTHONS=/nonexistent/python3.14"], flatten=True)
    t.expect("an interpreter case without its modules is refused", 1, r"--facts and --legacy required",
             run_case(";".join(python + ["-I", "-S", f"{ROOT}/cases/interpreters/drive.py"]), timeout=120))


def runs_of_the_matrix(t, cpython):
    """The runner's judgement of whole runs: the Wine warm-up, runs that ran
    no test, configuring again when the machine changed, Ctrl-C and the lock."""
    fakes = t.fakes
    # The Wine warm-up passes only if a Windows program printed: with a wine
    # and wineserver that exit 0 having run nothing, it fails.
    wine_build = "build/user/x86_64-w64-mingw32-gcc"
    if os.path.isfile(f"{wine_build}/CTestTestfile.cmake"):
        silent = os.path.join(fakes, "silent-wine")
        os.makedirs(silent)
        for name in ("wine", "wineserver"):
            with open(os.path.join(silent, name), "w") as f:
                f.write("#!/bin/sh\nexit 0\n")
            os.chmod(os.path.join(silent, name), 0o755)
        t.expect("a Wine that exits 0 having run nothing fails the warm-up", 8, "emulator.warmup .*Failed",
                 ["ctest", "--test-dir", wine_build, "-R", "^emulator\\.warmup$"],
                 env={"PATH": f"{silent}:{os.environ['PATH']}"})
    # A run that ran no test fails, unless every configuration in it cannot
    # run by design (its toolchain file says so): Clang for hppa can; a
    # target whose Check is missing (an empty cache) cannot.
    t.expect("a run of configurations unavailable by design only (Clang for hppa) passes, and says why", 0,
             r"no test ran: every configuration here cannot run by design \(hppa-linux-gnu-clang: clang has no hppa",
             ["ci/matrix.sh", "--no-setup", "--reports", f"{fakes}/reports-by-design", "--target", "hppa-linux-gnu",
              "--compiler", "clang"])
    shutil.rmtree("build/user/mips64-linux-gnuabi64-clang", ignore_errors=True)
    t.expect("a run in which no test ran, for a reason not by design, fails", 1,
             "no test ran, and these configurations are unavailable though nothing declares them so by design: "
             "mips64-linux-gnuabi64-clang",
             ["ci/matrix.sh", "--no-setup", "--reports", f"{fakes}/reports-nothing", "--cpython-include",
              f"{cpython}/include", "--target", "mips64-linux-gnuabi64", "--compiler", "clang"],
             env={"HARNESS_CACHE": f"{fakes}/empty-cache"})
    shutil.rmtree("build/user/mips64-linux-gnuabi64-clang", ignore_errors=True)
    # What configuring found on the machine is found again when the machine
    # changes: a new python3.15 on PATH re-configures, nothing new does not.
    new_python = os.path.join(fakes, "new-python")
    os.makedirs(new_python)
    with open(os.path.join(new_python, "python3.15"), "w") as f:
        f.write("#!/bin/sh\necho 3.15\n")
    os.chmod(os.path.join(new_python, "python3.15"), 0o755)
    layout = ["ci/matrix.sh", "--no-setup", "--label", "^family:layout$", "--reports", f"{fakes}/reports-found",
              "host-clang"]
    found_log = f"{fakes}/reports-found/host-clang.log"
    sh(layout)
    sh(layout)
    t.check("an unchanged machine is not configured again", "Configuring done" not in open(found_log).read())
    sh(layout, env={"PATH": f"{new_python}:{os.environ['PATH']}"})
    text = open(found_log).read()
    _, listed = sh(["ctest", "--test-dir", "build/host-clang", "-N"])
    t.check("a machine with a new interpreter is configured again from scratch (--fresh: CMake finds its compilers "
            "anew), and finds it", "Configuring done" in text and "The C compiler identification is" in text
            and "interpreter.python3.15" in listed)
    sh(layout)  # as it was
    interrupted(t)


def interrupted(t):
    """Ctrl-C (SIGINT to the matrix's process group) stops every
    configuration within seconds, says so, exits 130 and keeps no pass it
    had not finished; meanwhile a second matrix on the tree is refused.
    Launched as a terminal launches a foreground job: its own process
    group, SIGINT at its default (a script's background job starts with
    SIGINT ignored)."""
    fakes = t.fakes
    reports = os.path.join(fakes, "reports-int")
    log_path = os.path.join(fakes, "int.log")
    with open(log_path, "w") as log:
        p = subprocess.Popen(["ci/matrix.sh", "--no-setup", "--reports", reports, "host-gcc", "host-clang"],
                             stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                             env=dict(os.environ, HARNESS_RERUN="1"),
                             preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    for _ in range(120):
        if re.search(r"Test *#", open(os.path.join(reports, "host-gcc.log")).read()
                     if os.path.isfile(os.path.join(reports, "host-gcc.log")) else ""):
            break
        time.sleep(1)
    t.expect("a second matrix on the same tree while one runs is refused", 2,
             "another ci/matrix.sh is running on this tree",
             ["ci/matrix.sh", "--no-setup", "--reports", f"{fakes}/reports-second", "host-gcc"])
    os.killpg(p.pid, signal.SIGINT)
    try:
        rc = p.wait(timeout=20)
    except subprocess.TimeoutExpired:
        rc = "none (still running)"

    def left():
        return len(sh(["pgrep", "-s", str(p.pid)])[1].split())
    for _ in range(20):
        if not left():
            break
        time.sleep(1)
    time.sleep(3)
    t.expect("Ctrl-C stops the matrix and everything it started within 20 s, says so and exits 130", 0,
             "interrupted: stopping.*exit 130 left 0$", rc=0,
             out=flat(open(log_path).read()) + f" exit {rc} left {left()}")
    # (A test that finished between Ctrl-C and the moment the runner stops
    # the configurations keeps its pass; the runner marks that moment.)
    stopped = os.path.join(reports, ".stopped")
    after = [f for d in ("build/host-gcc/harness-results", "build/host-clang/harness-results")
             for f in glob.glob(f"{d}/**/*.pass", recursive=True)
             if os.path.isfile(stopped) and os.path.getmtime(f) > os.path.getmtime(stopped)]
    t.check("... and no pass is written after it stopped the configurations", os.path.isfile(stopped) and not after,
            after[:5])
    if p.poll() is None:
        os.killpg(p.pid, signal.SIGKILL)


def checks_that_apply(t, cases):
    """A check that does not apply is not registered (these used to pass for
    3.11 having asserted nothing): no immortality checks for 3.11, which has
    no immortality; 3.14's has them (so the names below are the real ones)."""
    def ran(family, impl):
        _, out = sh([f"{cases}/cases_{family}", impl],
                    env={"HARNESS_LEGACY_MODULE": f"{cases}/legacy_ext.so", "CK_VERBOSITY": "verbose"})
        return set(re.findall(r":P:[^:\n]*:([a-z_0-9]*):[0-9]*: Passed$", out, re.M))
    immortality = {"sticky_up_to_ceiling", "immortal_decref_never_reaches_zero", "interleaving_and_hazard"}
    t.check("3.11 registers none of the checks of immortality (they asserted nothing for it)",
            not immortality & (ran("saturation", "3.11") | ran("legacy_abi", "3.11")))
    t.check("... and 3.14 runs all three", immortality <= (ran("saturation", "3.14") | ran("legacy_abi", "3.14")))


# ---- the tables' promise -------------------------------------------------------

NEW_TARGET = """# x86_64-linux-gnu: 64-bit little-endian Linux, run under qemu-x86_64.
# harness-apt: gcc
set(HARNESS_TRIPLE x86_64-linux-gnu)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(HARNESS_DATA_MODEL "64-bit little-endian")
set(HARNESS_QEMU qemu-x86_64)
set(HARNESS_CLANG_UNAVAILABLE "no x86_64-linux-gnu sysroot under /usr for clang's --sysroot")
include(${CMAKE_CURRENT_LIST_DIR}/common/linux-cross.cmake)
"""


def tables_promise(scratch):
    """In a scratch copy of this tree, add a target and a CPython version by
    touching only their sources, regenerate, then configure, build and run
    them: (failures, lines to say). A target may take 2 files, a version 4
    plus baselines. The new target is x86_64-linux-gnu: this host's own GCC
    as a cross compiler, run under qemu-x86_64 (on an x86_64 host; elsewhere
    that part is a skip that says so). The new version is "3.16", with
    3.15's encoding. The scratch tree shares this tree's cache."""
    failures, said = [], []
    shutil.rmtree(scratch, ignore_errors=True)
    copy_tree(scratch)
    env = {"HARNESS_CACHE": cache_dir()}
    git = ["git", "-c", "user.name=selftest", "-c", "user.email=selftest@invalid"]

    def run(*cmd):
        return sh(list(cmd), cwd=scratch, env=env)

    def touched():
        run("git", "add", "-A")
        names = run("git", "diff", "--cached", "--name-only")[1].split()
        return [n for n in names if n not in ("CMakePresets.json", "README.md")]

    def edit(rel, change):
        path = os.path.join(scratch, rel)
        with open(path) as f:
            text = f.read()
        with open(path, "w") as f:
            f.write(change(text))
    if run("git", "init", "-q")[0] or run("git", "add", "-A")[0] or run(*git, "commit", "-qm", "base")[0]:
        return [f"git failed in {scratch}"], said
    # ---- a target: its toolchain file and its docs/targets.md row
    with open(os.path.join(scratch, "toolchains", "x86_64-linux-gnu.cmake"), "w") as f:
        f.write(NEW_TARGET)
    row = "| `x86_64-linux-gnu` | 64-bit | little | `qemu-x86_64` | yes | no | – | `gcc` |\n"
    edit("docs/targets.md", lambda text: re.sub(r"^(\| `sparc64-linux-gnu` \|.*\n)", lambda m: m.group(1) + row, text,
                                                flags=re.M))
    target_files = touched()
    tables = [sys.executable, "ci/tables.py"]
    if run(*tables, "generate")[0]:
        failures.append("ci/tables.py generate failed after adding a target")
    run(*git, "commit", "-qam", "target")
    if run(*tables, "check")[0]:
        failures.append("the tables do not check after adding a target")
    if '"preset":"x86_64-linux-gnu-gcc"' not in run(*tables, "matrix-json")[1]:
        failures.append("the workflow's matrix has no x86_64-linux-gnu-gcc")
    if '"name": "x86_64-linux-gnu-gcc"' not in open(os.path.join(scratch, "CMakePresets.json")).read():
        failures.append("CMakePresets.json has no x86_64-linux-gnu-gcc")
    if "`x86_64-linux-gnu`" not in open(os.path.join(scratch, "README.md")).read():
        failures.append("the README's table has no x86_64-linux-gnu")
    # ---- a version: its row, its model scheme, its ABI invariants
    edit("harness/versions.txt", lambda text: re.sub(r"^(3\.15 .*)$", r"\1\n3.16       0x03100000  314     315    -",
                                                     text, count=1, flags=re.M))

    def model(src):
        m = re.search(r"static const rm_implementation model_315 = \{.*?\n\};\n", src, re.S)
        new = m.group(0).replace("model_315", "model_316").replace('"3.15"', '"3.16"')
        src = src[:m.end()] + "\n" + new + src[m.end():]
        return src.replace("X(model_315) ", "X(model_315) X(model_316) ", 1)
    edit("harness/refmodel.c", model)
    if "X(model_316)" not in open(os.path.join(scratch, "harness", "refmodel.c")).read():
        failures.append("harness/refmodel.c: RM_MODELS no longer lists X(model_315)")

    def add(node):
        if isinstance(node, dict):
            if "3.15" in node and "3.16" not in node:
                node["3.16"] = json.loads(json.dumps(node["3.15"]))
            for v in list(node.values()):
                add(v)
        return node
    edit("abi/invariants.json", lambda text: json.dumps(add(json.loads(text)), indent=1))
    version_files = touched()
    if run(*tables, "generate")[0]:
        failures.append("ci/tables.py generate failed after adding a version")
    run(*git, "commit", "-qam", "version")
    if run(*tables, "check")[0]:
        failures.append("the tables do not check after adding a version")
    if "3.11 3.12 3.13 3.14 3.15 3.16" not in run(*tables, "abi-chains")[1].splitlines():
        failures.append("the ABI audit's chain does not step to 3.16")
    said += [f"selftest-tables: a target took {len(target_files)} files: {' '.join(target_files)}",
             f"selftest-tables: a version took {len(version_files)} files: {' '.join(version_files)} (plus a refresh "
             "of the baselines: ci/abi-audit.sh --refresh)"]
    if len(target_files) > 2:
        failures.append("a target took more than 2 files")
    if len(version_files) > 4:
        failures.append("a version took more than 4 files")
    # ---- configure, build and run them
    if platform.machine() != "x86_64" or not (shutil.which("x86_64-linux-gnu-gcc") and shutil.which("qemu-x86_64")):
        said.append("selftest-tables: skipped building the new target: it needs an x86_64 host with "
                    "x86_64-linux-gnu-gcc and qemu-x86_64")
        return failures, said
    log = os.path.join(scratch, "build.log")
    # Check is built per target by ci/setup.sh; the in-tree runner needs nothing.
    rc, out = run("cmake", "--preset", "x86_64-linux-gnu-gcc", "-DHARNESS_CHECK_IMPL=minicheck")
    if rc == 0:
        rc, built = run("cmake", "--build", "build/x86_64-linux-gnu-gcc", "--target", "cases_layout",
                        "cases_saturation", "abi_probes")
        out += built
    with open(log, "w") as f:
        f.write(out)
    if rc:
        failures.append(f"the new target with the new version did not configure and build (log: {log})\n"
                        + "\n".join(out.splitlines()[-15:]))
        return failures, said
    registered = run("ctest", "--test-dir", "build/x86_64-linux-gnu-gcc", "-N")[1]
    if not re.search(r"layout\.3\.16$", registered, re.M):
        failures.append("no layout.3.16 test registered")
    if not re.search(r"^3\.16\|model\|", open(os.path.join(scratch, "build/x86_64-linux-gnu-gcc/abi/probes.txt")).read(),
                     re.M):
        failures.append("no ABI probe of 3.16")
    rc, out = run("ctest", "--test-dir", "build/x86_64-linux-gnu-gcc", "-R", r"^(layout|saturation)\.3\.1[56]$",
                  "--output-on-failure")
    if not re.search(r"100% tests passed, 0 tests failed out of 4$", out, re.M):
        failures.append("layout and saturation of 3.15 and 3.16 did not pass on the new target\n"
                        + "\n".join(out.splitlines()[-20:]))
    said.append("selftest-tables: x86_64-linux-gnu-gcc configured, built, and ran layout and saturation of 3.16 "
                "under qemu-x86_64")
    return failures, said


def tables_selftest(t):
    failures, said = tables_promise(os.path.join(ROOT, "build", "selftest-tables"))
    say(*said)
    t.check("a new target and a new version, each from its sources alone, configure, build and run",
            not failures and any(re.search("a target took [12] files", s) for s in said)
            and any(re.search("a version took [1-4] files", s) for s in said)
            and any("ran layout and saturation of 3.16" in s for s in said), failures)


# ---- 5. the matrix, its merge, the results ---------------------------------------

def merge_as_ci(t, totals):
    """CI's merge job, here: this run's outputs split as one GitHub job per
    configuration would bring them, merged again (ci/merge.sh): the same
    totals, and one ABI audit of every configuration together that passes."""
    jobs = os.path.join(t.fakes, "jobs")
    shutil.rmtree("build/merged-selftest", ignore_errors=True)
    for record in sorted(glob.glob("reports/*.record.json")):
        p = os.path.basename(record)[:-len(".record.json")]
        os.makedirs(f"{jobs}/{p}/reports")
        for f in glob.glob(f"reports/{p}.*"):
            (shutil.copytree if os.path.isdir(f) else shutil.copy)(f, f"{jobs}/{p}/reports/{os.path.basename(f)}")
        if os.path.isfile(f"build/{p}/abi/probes.txt") and json.load(open(record))["ran"]:
            shutil.copytree(f"build/{p}/abi", f"{jobs}/{p}/build/{p}/abi", copy_function=os.link)
    # Real MSVC's job brings its probes alone, at the top of its artifact,
    # with Windows paths: here the MSVC-ABI build's, as if cl.exe had made them.
    msvc = "build/x86_64-pc-windows-msvc-clang-cl/abi"
    win = f"{jobs}/job-windows-msvc-x64"
    if os.path.isfile(f"{msvc}/probes.txt"):
        shutil.copytree(msvc, win, copy_function=os.link)
        os.remove(f"{win}/probes.txt")
        with open(f"{win}/probes.txt", "w") as f:
            for line in open(f"{msvc}/probes.txt"):
                f.write(re.sub(r"^([^|]*\|[^|]*\|)[^|]*/build/x86_64-pc-windows-msvc-clang-cl/abi/([^|]*)",
                               lambda m: m.group(1) + "D:\\a\\harness\\build\\windows-msvc-x64\\abi\\" + m.group(2),
                               line))
    merged = os.path.join(t.fakes, "merged")
    with open(os.path.join(t.fakes, "merge.log"), "w") as log:
        subprocess.run(["ci/merge.sh", "--reports", merged, "--build-root", "build/merged-selftest",
                        *sorted(glob.glob(f"{jobs}/*"))], stdout=log, stderr=subprocess.STDOUT)
    try:
        audit_md = open(f"{merged}/abi/audit.md").read()
        j = json.load(open(f"{merged}/summary.json"))
        m = re.search(r"windows-msvc-x64: built on a windows host[^|\n]*", audit_md)
        got = (f"{m.group(0) if m else ''} same {j['tests']['passed']} {j['tests']['failed']} "
               f"{j['tests']['skipped']} abi {j['abi_audit']['exit']}")
    except (OSError, ValueError, KeyError) as e:
        got = f"no merged report: {e}"
    passed, failed, skipped, _ = totals
    t.expect("the merge of every configuration's separate outputs (real MSVC's probes too) reports the same totals, and "
             "its audit passes", 0, f"windows-msvc-x64: built on a windows host .*same {passed} {failed} {skipped} "
             "abi 0$", rc=0, out=got)
    shutil.rmtree("build/merged-selftest", ignore_errors=True)


def main(argv):
    os.chdir(ROOT)
    os.environ["PYTHONPATH"] = ROOT + (os.pathsep + os.environ["PYTHONPATH"] if os.environ.get("PYTHONPATH") else "")
    if argv[:1] == ["tables"]:
        failures, said = tables_promise(argv[1] if len(argv) > 1 else os.path.join(ROOT, "build", "selftest-tables"))
        say(*said, *[f"selftest-tables: FAILED: {f}" for f in failures],
            f"selftest-tables: {'ok' if not failures else f'{len(failures)} failures'}")
        return 1 if failures else 0
    if argv not in ([], ["--no-matrix"]):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    run_matrix = not argv
    with Tier("setup"):
        if subprocess.run(["ci/setup.sh"]).returncode:
            say("test: setup failed")
            return 2
    with Tier("the host build"):
        if not quiet(["cmake", "--preset", "host-gcc"], ["cmake", "--build", "--preset", "host-gcc"]):
            say("test: host build failed")
            return 2
    cases = f"{ROOT}/build/host-gcc/cases"
    cpython = os.path.join(cache_dir(), "cpython", "3.14")
    quadrant = sh([sys.executable, "ci/tables.py", "host-quadrant"])[1].strip()
    with tempfile.TemporaryDirectory() as fakes:
        t = SelfTests(fakes)
        with Tier("the unit tests"):
            unit_tests(t)
        with Tier("the CTest self-tests"):
            t.expect("unknown preset is refused", 2, "unknown preset 'no-such'",
                     ["ci/matrix.sh", "--no-setup", "no-such"])
            t.expect("unknown target is refused", 2, "unknown target 'no-such'", ["ci/setup.sh", "no-such"])
            ctest_selftests(t)
        with Tier("the integration checks"):
            runner_and_reuse(t)
            wine_trap(t)
            tables_and_workflow(t)
            headers_and_pyconfig(t, cpython)
            binding_scan(t)
            rust_shims(t)
            pybind11_copies(t)
            cython_copies(t)
            binding_abi3t(t)
            hygiene(t, cpython)
            abi_audit(t, quadrant)
            bad_includes(t, cpython)
            with Tier("the mutant matrices"):
                mutant_matrices(t, cpython)
            regressions_and_guards(t, cpython, cases)
            interpreters(t, cases)
            runs_of_the_matrix(t, cpython)
            checks_that_apply(t, cases)
            tables_selftest(t)
        say(f"selftest: {t.ok} passed, {t.bad} failed")
        totals, matrix_rc = (0, 0, 0, 0), 0
        if run_matrix:
            if os.path.exists("reports/summary.json"):
                os.remove("reports/summary.json")
            with Tier("the matrix"):
                matrix_rc = subprocess.run(["ci/matrix.sh", "--no-setup"]).returncode
            try:
                totals = matrix_totals("reports")
            except (OSError, ValueError, KeyError) as e:
                say(f"matrix: no totals ({e})")
            with Tier("the merge"):
                merge_as_ci(t, totals)
            # The seed's headline results (docs/results.md): measured,
            # tabulated and plotted, and the copy-on-write expectation must hold.
            with Tier("the results"):
                t.expect("ci/results.sh measures copy-on-write and refcount cost; immortal workers copy <= 1%, "
                         "legacy >= 95%", 0, r"results: results/ \(CSV, results.md, cow.png\)", ["ci/results.sh"])
        # A matrix that failed without counting a failed test (a
        # configuration that did not build) still counts as one failure.
        lost = int(matrix_rc != 0 and totals[1] == 0)
        if t.failures:
            say("selftest: the failed self-tests again:", *t.failures)
        # Retried: run twice because the emulator printed nothing the first
        # time (docs/ci.md); counted, so that a rise is seen.
        say(f"{totals[0] + t.ok} passed, {totals[1] + t.bad + lost} failed, {totals[2]} skipped; {totals[3]} retried")
        return 0 if t.bad == 0 and matrix_rc == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
