"""ci/harness/run.py: the command line, the selection, the processes and
one configuration's verdict and record, with fake cmake and ctest."""
import json
import os
import signal
import sys
import threading
import time

import pytest

from ci.harness import report, run
from ci.harness.tests.conftest import case_xml, junit


@pytest.mark.parametrize("argv, message", [
    (["--bogus"], "unknown option '--bogus'"),
    (["--target"], "--target needs a triple"),
    (["--quadrant", "16le"], "unknown quadrant '16le'"),
    (["--compiler", "icc"], "unknown compiler 'icc'"),
    (["--free-threaded", "on"], "--pyconfig and --free-threaded go with --cpython-include"),
    (["--cpython-include", "/nonexistent"], "--cpython-include '/nonexistent' is not a directory"),
    (["--cpython-include", "/tmp"], "--cpython-include /tmp is not a CPython Include/ directory"),
])
def test_parse_refuses(argv, message):
    with pytest.raises(run.Usage, match=message):
        run.parse(argv)


def test_parse(tmp_path):
    o = run.parse(["--no-setup", "--quadrant", "64be", "--compiler", "gcc", "--label", "^family:layout$",
                   "--reports", str(tmp_path / "r"), "host-gcc"])
    assert (o["setup"], o["quadrants"], o["compiler"], o["label"], o["named"]) == (
        False, ["64be"], "gcc", "^family:layout$", ["host-gcc"])
    assert (tmp_path / "r").is_dir() and o["reports"] == str(tmp_path / "r")


def rows():
    return [r for r in run.tables.all_presets(run.ROOT) if r["host"] == "linux"]


def test_select():
    assert run.select(run.parse([]), rows())[0] == "host-gcc"  # longest first
    assert run.select(run.parse(["--quadrant", "64be", "--compiler", "clang"]), rows()) == [
        "mips64-linux-gnuabi64-clang", "powerpc64-linux-gnu-clang", "s390x-linux-gnu-clang", "sparc64-linux-gnu-clang"]
    assert run.select(run.parse(["--target", "host", "host-clang"]), rows()) == ["host-clang"]
    with pytest.raises(run.Usage, match="unknown preset 'no-such'"):
        run.select(run.parse(["no-such"]), rows())
    with pytest.raises(run.Usage, match="unknown target 'nope'"):
        run.select(run.parse(["--target", "nope"]), rows())
    with pytest.raises(run.Usage, match="no preset matches"):
        run.select(run.parse(["--target", "s390x-linux-gnu", "host-gcc"]), rows())


def test_harness_message_joins_what_cmake_wrapped():
    log = ("-- something\nCMake Error at toolchains/x.cmake:3 (message):\n  harness: unavailable: qemu-s390x is\n"
           "  not installed\nCall Stack (most recent call first):\n  CMakeLists.txt:1\n")
    assert run.harness_message(log, "harness: unavailable: ") == "qemu-s390x is not installed"
    assert run.harness_message(log, "harness: ") == "unavailable: qemu-s390x is not installed"
    assert run.harness_message("harness: broken\n\nharness: later\n", "harness: ") == "broken"
    assert run.harness_message(log, "nothing: ") == ""


def test_processes_measure_cpu_and_run_in_a_group_of_their_own(tmp_path):
    procs = run.Processes()
    out = tmp_path / "out"
    with open(out, "ab") as f:
        burn = ("import os, time; t = time.process_time()\nwhile time.process_time() - t < 0.3: pass\n"
                "print(os.getpgrp() == os.getpid())")
        rc, wall, cpu = procs.run([sys.executable, "-c", burn], f)
        assert rc == 0 and cpu >= 0.25 and wall >= cpu * 0.5
        rc, _, _ = procs.run([sys.executable, "-c", "import sys; sys.exit(3)"], f)
        assert rc == 3
        assert procs.run(["/nonexistent/program"], f)[0] == 127
    assert out.read_text().startswith("True\n") and "cannot run /nonexistent/program" in out.read_text()


def test_processes_stop_every_group_and_start_no_more(tmp_path):
    procs = run.Processes()
    outcome = []

    def sleeper():
        with open(tmp_path / "out", "ab") as f:
            try:  # a shell whose child ignores TERM: the group's KILL ends both
                procs.run(["sh", "-c", "trap '' TERM; sleep 60 & wait"], f)
            except run.Stopped:
                outcome.append("stopped")
    t = threading.Thread(target=sleeper)
    t.start()
    for _ in range(50):
        if procs.running:
            break
        time.sleep(0.1)
    t0 = time.monotonic()
    procs.stop()
    t.join(10)
    assert outcome == ["stopped"] and time.monotonic() - t0 < 5
    with pytest.raises(run.Stopped):
        procs.run(["true"], None)


def test_one_matrix_per_tree(tmp_path):
    held = run.lock(str(tmp_path))
    with pytest.raises(run.Usage, match="another ci/matrix.sh is running on this tree"):
        run.lock(str(tmp_path))
    held.close()
    run.lock(str(tmp_path)).close()


def test_setup_command():
    target = {"host-gcc": "host", "s390x-linux-gnu-gcc": "s390x-linux-gnu"}
    assert run.setup_command(["host-gcc"], target) == ["ci/setup.sh", "--host-only"]
    assert run.setup_command(["s390x-linux-gnu-gcc"], target) == ["ci/setup.sh", "s390x-linux-gnu"]
    assert run.setup_command(list(target), target) == ["ci/setup.sh", "--with-host", "s390x-linux-gnu"]


# ---- one configuration, with fake cmake and ctest -----------------------------

FAKE_CMAKE = """#!/bin/sh
echo "cmake $*"
case "$*" in
  *--preset*unavailable*) printf 'CMake Error:\\n  harness: unavailable: no emulator\\n  here\\n\\n'; exit 1 ;;
  *--preset*broken*) printf 'CMake Error:\\n  harness: the toolchain is broken\\n\\n'; exit 1 ;;
esac
"""
FAKE_CTEST = """#!/bin/sh
case "$*" in *--show-only=json-v1*) echo '{"tests": []}'; exit 0 ;; esac
echo "ctest $*" >>"$FAKE_CALLS"
while [ $# -gt 0 ]; do [ "$1" = --output-junit ] && cp "$FAKE_JUNIT" "$2"; shift; done
grep -q 'status="fail"' "$FAKE_JUNIT" && { echo "50% tests passed"; exit 8; }
echo "100% tests passed"
"""


@pytest.fixture
def fake(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, text in (("cmake", FAKE_CMAKE), ("ctest", FAKE_CTEST)):
        (bin_dir / name).write_text(text)
        (bin_dir / name).chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_JUNIT", str(tmp_path / "canned.xml"))
    monkeypatch.setenv("FAKE_CALLS", str(tmp_path / "calls"))
    monkeypatch.delenv("HARNESS_RERUN", raising=False)
    (tmp_path / "canned.xml").write_text(junit(case_xml("layout.3.14"), case_xml(
        "threads.3.14", status="notrun", out="harness-verdict: skip: no threads here")))
    (tmp_path / "reports").mkdir()

    def matrix(*argv, names=("host-gcc",)):
        o = run.parse(["--reports", str(tmp_path / "reports"), *argv])
        m = run.Matrix(o, list(names), rows() + [dict(name=n, target="host") for n in names])
        m.build_root = str(tmp_path / "build")
        return m
    return tmp_path, matrix


def test_a_passing_configuration_then_its_whole_reuse(fake, capsys):
    tmp, matrix = fake
    rec = matrix().run_one("host-gcc")
    assert (rec["result"], rec["passed"], rec["skipped"], rec["reasons"], rec["ran"]) == (
        "PASS", 1, 1, ["no threads here"], True)
    assert set(rec["phases"]) == {"configure", "build", "test"}
    assert report.read_record(str(tmp / "reports"), "host-gcc") == rec
    assert "PASS host-gcc" in capsys.readouterr().out
    again = matrix().run_one("host-gcc")  # nothing changed: not configured again, no test started
    assert again["result"] == "PASS" and again["whole_reuse"] and "configure" not in again["phases"]
    assert "all reused from the configuration's last complete pass" in again["detail"]
    assert (tmp / "calls").read_text().count("ctest") == 1
    os.environ["HARNESS_RERUN"] = "1"  # (monkeypatch restores it)
    assert not matrix().run_one("host-gcc")["whole_reuse"]


def test_a_failing_test_fails_the_configuration_and_is_not_kept(fake):
    tmp, matrix = fake
    (tmp / "canned.xml").write_text(junit(case_xml("layout.3.14", status="fail", failure=True)))
    rec = matrix().run_one("host-gcc")
    assert rec["result"] == "FAIL" and rec["failed"] == 1
    assert not (tmp / "build" / "host-gcc" / ".harness-last-pass").exists()


def test_no_test_run_is_a_failure_and_only_skips_a_skip(fake):
    tmp, matrix = fake
    (tmp / "canned.xml").write_text(junit())
    rec = matrix().run_one("host-gcc")
    assert rec["result"] == "FAIL" and rec["detail"].startswith("ctest ran no test") and not rec["ran"]
    skip = case_xml("layout.3.14", status="notrun", out="harness-verdict: skip: not here")
    (tmp / "canned.xml").write_text(junit(skip))
    assert matrix().run_one("host-gcc")["result"] == "SKIP"


def test_an_unavailable_configuration_is_a_skip_unless_named(fake):
    tmp, matrix = fake
    rec = matrix(names=["unavailable-gcc"]).run_one("unavailable-gcc")
    assert (rec["result"], rec["detail"], rec["ran"]) == ("SKIP", "unavailable: no emulator here", False)
    rec = matrix("host-gcc", names=["unavailable-gcc"]).run_one("unavailable-gcc")  # a preset named
    assert rec["result"] == "FAIL" and rec["detail"].startswith("configure failed: no emulator here (see ")
    rec = matrix(names=["broken-gcc"]).run_one("broken-gcc")
    assert rec["result"] == "FAIL" and rec["detail"].startswith("configure failed: the toolchain is broken (see ")


def test_main(capsys):
    before = signal.getsignal(signal.SIGINT)
    assert run.main(["--help"]) == 0 and "python3 -m ci.harness run" in capsys.readouterr().out
    assert run.main(["--bogus"]) == 2 and "unknown option" in capsys.readouterr().err
    assert run.main(["no-such"]) == 2 and "unknown preset 'no-such'" in capsys.readouterr().err
    assert signal.getsignal(signal.SIGINT) is before  # refused before it took Ctrl-C over
    json.dumps(run.parse([]))  # the options are plain data


def test_the_whole_run_writes_the_reports(fake, monkeypatch, capsys):
    tmp, _ = fake
    monkeypatch.setattr(run, "BUILD", str(tmp / "build"))
    (tmp / "canned.xml").write_text(junit(case_xml("layout.3.14")))  # (a skip would need its row)
    rc = run.main(["--no-setup", "--reports", str(tmp / "reports"), "host-gcc", "host-clang"])
    out = capsys.readouterr().out
    assert rc == 0 and "matrix: 2 configurations" in out and "nothing to audit" in out
    s = json.loads((tmp / "reports" / "summary.json").read_text())
    assert [c["configuration"] for c in s["configurations"]] == ["host-gcc", "host-clang"]
    assert s["tests"] == {"passed": 2, "failed": 0, "skipped": 0, "retried": 0}
    assert set(s["phase_seconds"]) == {"configure", "build", "test"}


def test_an_ignored_sigint_stays_ignored(fake, monkeypatch):
    tmp, _ = fake
    monkeypatch.setattr(run, "BUILD", str(tmp / "build"))
    installed = []
    monkeypatch.setattr(run, "run_matrix", lambda m: installed.append(signal.getsignal(signal.SIGINT)) or 0)
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        assert run.main(["--no-setup", "--reports", str(tmp / "reports"), "host-gcc"]) == 0
        assert installed == [signal.SIG_IGN] and signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, previous)


def test_ctrl_c_stops_every_configuration_and_reports_nothing(fake, tmp_path):
    tmp, _ = fake
    (tmp / "bin" / "ctest").write_text("#!/bin/sh\ncase \"$*\" in *json-v1*) echo '{\"tests\": []}'; exit 0 ;; esac\n"
                                       "touch \"$FAKE_CALLS\"; sleep 60\n")
    # As a terminal starts a foreground job: SIGINT at its default, whatever
    # this test inherited (a background job's is ignored, and stays so).
    script = (f"import signal, sys; sys.path.insert(0, {run.ROOT!r}); from ci.harness import run\n"
              "signal.signal(signal.SIGINT, signal.default_int_handler)\n"
              f"run.BUILD = {str(tmp / 'build')!r}\n"
              f"sys.exit(run.main(['--no-setup', '--reports', {str(tmp / 'reports')!r}, 'host-gcc', 'host-clang']))\n")
    p = run.subprocess.Popen([sys.executable, "-c", script], stdout=run.subprocess.PIPE, text=True,
                             start_new_session=True)
    for _ in range(100):
        if (tmp / "calls").exists():
            break
        time.sleep(0.1)
    os.killpg(p.pid, signal.SIGINT)
    out, _ = p.communicate(timeout=20)
    assert p.returncode == 130
    assert "interrupted: stopping every configuration" in out and "reports nothing" in out
    assert (tmp / "reports" / ".stopped").exists() and not list((tmp / "reports").glob("*.record.json"))
    assert run.subprocess.run(["pgrep", "-s", str(p.pid)], capture_output=True).stdout == b""


FAKE_AUDIT = """#!/bin/sh
while [ $# -gt 0 ]; do [ "$1" = --reports ] && reports=$2; shift; done
mkdir -p "$reports/abi" && echo "## ABI audit" >"$reports/abi/audit.md"
echo "a detail line"; echo "abi-audit: exit $FAKE_AUDIT_EXIT"; echo x >>"$FAKE_CALLS.audit"; exit $FAKE_AUDIT_EXIT
"""


def test_the_audit_runs_on_what_ran_and_a_pass_is_reused(fake, monkeypatch, capsys):
    tmp, matrix = fake
    (tmp / "audit").write_text(FAKE_AUDIT)
    (tmp / "audit").chmod(0o755)
    monkeypatch.setattr(run, "AUDIT", str(tmp / "audit"))
    monkeypatch.setenv("FAKE_AUDIT_EXIT", "0")
    m = matrix()
    assert m.audit([{"configuration": "host-gcc", "ran": True}]) == (0, 0)  # no probes: nothing to audit
    (tmp / "build" / "host-gcc" / "abi").mkdir(parents=True)
    (tmp / "build" / "host-gcc" / "abi" / "probes.txt").write_text("probe\n")
    ran = [{"configuration": "host-gcc", "ran": True}, {"configuration": "s390x-linux-gnu-gcc", "ran": False}]
    assert m.audit(ran) == (0, 1)
    assert "matrix: abi-audit: exit 0" in capsys.readouterr().out
    assert m.audit(ran) == (0, 1)  # the same inputs: its reports reused
    assert "its reports are reused" in capsys.readouterr().out
    assert (tmp / "reports" / "abi" / "audit.md").exists() and (tmp / "calls.audit").read_text() == "x\n"
    (tmp / "build" / "host-gcc" / "abi" / "probes.txt").write_text("another probe\n")
    monkeypatch.setenv("FAKE_AUDIT_EXIT", "1")
    assert m.audit(ran) == (1, 1)  # a probe changed: audited again, and a failure is not kept
    assert m.audit(ran) == (1, 1) and (tmp / "calls.audit").read_text() == "x\nx\nx\n"


def test_a_failed_setup_and_a_pyconfig_that_fits_nothing_stop_the_run(fake, monkeypatch, capsys):
    tmp, _ = fake
    before = signal.getsignal(signal.SIGINT)
    monkeypatch.setattr(run, "BUILD", str(tmp / "build"))
    monkeypatch.setattr(run, "setup_command", lambda presets, target: ["false"])
    assert run.main(["--reports", str(tmp / "reports"), "host-gcc"]) == 2
    assert "matrix: setup failed" in capsys.readouterr().err
    include = tmp / "include"
    include.mkdir()
    for h in ("Python.h", "patchlevel.h"):
        (include / h).write_text("\n")
    (include / "pyconfig.h").write_text("#define SIZEOF_VOID_P 4\n#define WORDS_BIGENDIAN 1\n")
    assert run.main(["--no-setup", "--cpython-include", str(include), "host-gcc"]) == 2
    assert "fits no selected configuration: " in capsys.readouterr().err
    assert signal.getsignal(signal.SIGINT) is before  # given back
