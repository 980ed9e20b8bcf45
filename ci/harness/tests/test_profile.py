"""profile: the counts it reads and the table it prints, on canned build
trees and reports (the measuring itself is stubbed)."""
import os

from ci.harness import profile


def test_cpu_of_measures_children_and_their_exit():
    cpu, ok = profile.cpu_of(["true"], repeat=2)
    assert ok and 0 <= cpu < 1
    assert profile.cpu_of(["false"])[1] is False
    assert profile.cpu_of(["/no/such/program"])[1] is False


def test_cpu_of_command_line(capsys):
    assert profile.main(["--cpu-of", "sh", "-c", "exit 0"]) == 0
    assert profile.main(["--cpu-of", "sh", "-c", "exit 3"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].replace(".", "").isdigit() and out[1].endswith(" (exit not 0)")


def test_check_counts_reads_each_cases_checks(tmp_path):
    junit = tmp_path / "p.junit.xml"
    junit.write_text('<testsuite><testcase name="layout.3.14" status="run"><system-out>100%: Checks: 16, Failures: 0'
                     '</system-out></testcase><testcase name="proof.x" status="run"><system-out>no checks here'
                     '</system-out></testcase></testsuite>')
    assert profile.check_counts(str(junit)) == {"layout.3.14": 16}
    assert profile.check_counts(str(tmp_path / "missing.xml")) == {}


def test_ninja_steps_counts_each_output_once(tmp_path):
    (tmp_path / ".ninja_log").write_text("# ninja log v5\n0\t500\t1\ta.c.o\t1\n0\t300\t2\ta.c.o\t2\n"
                                         "10\t210\t3\tb.obj\t3\n0\t900\t4\tprogram\t4\n0\t9\t5\tbuild.ninja\t5\n")
    assert profile.ninja_steps(str(tmp_path)) == (2, 1)
    assert profile.ninja_steps(str(tmp_path / "none")) == (0, 0)


def test_emulator_name_skips_env_and_its_settings():
    assert profile.emulator_name(["/usr/bin/env", "WINEPREFIX=/p", "WINEDEBUG=-all", "/usr/bin/wine"]) == "wine"
    assert profile.emulator_name(["/usr/bin/qemu-s390x", "-L", "/usr/s390x"]) == "qemu-s390x"
    assert profile.emulator_name([]) == "native"


def test_cbmc_phases_sums_each_phase():
    text = "Runtime Symex: 0.25s\nsize of program expression: 12\nRuntime Solver: 0.5s\nRuntime Symex: 0.25s\n"
    assert profile.cbmc_phases(text) == {"Runtime Symex": 0.5, "Runtime Solver": 0.5}


def test_the_case_command_and_its_emulator():
    test = {"command": ["cmake", "-DTIMEOUT=1", "-DCOMMAND=/usr/bin/qemu-s390x;-L;/usr/s390x;/b/cases/cases_layout;3.14;",
                        "-P", "run-case.cmake"]}
    cmd = profile.case_command(test)
    assert cmd == ["/usr/bin/qemu-s390x", "-L", "/usr/s390x", "/b/cases/cases_layout", "3.14"]
    assert profile.emulator_of(cmd) == ["/usr/bin/qemu-s390x", "-L", "/usr/s390x"]
    assert profile.emulator_of(["/b/cases/cases_layout", "3.14"]) == []
    assert profile.case_command({"command": ["cmake", "-P", "x"]}) is None


def test_table_estimates_cost_times_events():
    out = profile.table([("a start", 0.02, 100), ("one sweep value, in nanoseconds", 2.5, None), ("counted", None, 7)],
                        2, 100, 40)
    assert "2 configurations' build trees (100 CTest tests, 40 Check forks" in out
    assert "| a start | 0.020 s | 100 | 2 s |" in out
    assert "| one sweep value, in nanoseconds | 2.5 |  |  |" in out
    assert "| counted |  | 7 |  |" in out


def test_measure_on_a_canned_matrix(tmp_path, monkeypatch):
    build, reports = tmp_path / "build", tmp_path / "reports"
    for preset in ("host-gcc", "s390x-gcc", "not-run"):
        (build / preset).mkdir(parents=True)
        (build / preset / "CTestTestfile.cmake").write_text("")
    (build / "host-gcc" / ".ninja_log").write_text("# ninja log v5\n0\t1000\t1\ta.c.o\t1\n")
    reports.mkdir()
    (reports / "summary.json").write_text('{"phase_seconds": {"build": [20.0, 12.5]}}')
    for preset, checks in (("host-gcc", 10), ("s390x-gcc", 20)):
        (reports / f"{preset}.junit.xml").write_text(f'<testcase name="layout.3.14" status="run"><system-out>'
                                                     f'Checks: {checks}, Failures: 0</system-out></testcase>')
    (build / "host-gcc" / "cases").mkdir()
    (build / "host-gcc" / "cases" / "cases_saturation").write_text("")
    stem = str(build / "host-gcc" / "i" / "proof-input.real-3.14.LP64-le")
    tests = {
        "host-gcc": [{"name": "layout.3.14", "labels": ["family:layout"],
                      "command": ["cmake", "-DCOMMAND=/b/cases/cases_layout;3.14", "-P", "r"]},
                     {"name": "hygiene.real-3.14.c99", "labels": ["family:hygiene"], "command": ["cmake"]},
                     {"name": "proof-input.real-3.14.LP64-le", "labels": ["proof"],
                      "command": ["cmake", f"-DINPUT={stem}", "-P", "run-proof.cmake"]},
                     {"name": "proof.saturates.real-3.14.LP64-le", "labels": ["proof"],
                      "command": ["cmake", "-DCBMC=loader;cbmc", f"-DINPUT={stem}", "-DCBMC_FLAGS=--LP64;--little-endian",
                                  "-DFUNCTION=proof_saturates", "-P", "run-proof.cmake"]}],
        # A batch of two (cmake/run-case.cmake's BATCH): one start, a child each.
        "s390x-gcc": [{"name": f"layout.{v}", "labels": ["family:layout"], "environment": ["CK_FORK=no"],
                       "command": ["cmake", "-DBATCH=ON", "-DIMPLEMENTATIONS=3.14,3.12",
                                   f"-DCOMMAND=/usr/bin/qemu-s390x;/b/cases/cases_layout;{v};", "-P", "r"]}
                      for v in ("3.14", "3.12")],
    }
    monkeypatch.setattr(profile, "ctest_tests", lambda d: tests[os.path.basename(d)])
    monkeypatch.setattr(profile, "cpu_of", lambda cmd, repeat=1, env=None: (
        (0.5 if env and env.get("CK_FORK") == "yes" else 0.3 if env else 0.01), True))
    ran = []

    class Done:
        stdout, stderr = "Runtime Symex: 0.3s\nRuntime Solver: 0.05s\n", ""

    monkeypatch.setattr(profile.subprocess, "run", lambda cmd, **kw: ran.append(cmd) or Done())
    rows, configs, n_tests, forks = profile.measure(str(build), str(reports))
    # A sweep already measured (ci/bench.sh) is not run again.
    assert dict((r[0], r[1]) for r in profile.measure(str(build), str(reports), sweep=42.0)[0])[
        "one 2^32 exhaustive sweep (3.14, host-gcc)"] == 42.0
    assert (configs, n_tests, forks) == (2, 6, 10)
    what = {r[0]: r for r in rows}
    assert what["the CMake runner of one CTest test (cmake -P)"][2] == 6
    assert what["a case program's start, qemu-s390x (its usage message)"][2] == 1
    assert what["a batch's child per implementation, qemu-s390x (its fork and usage message)"][2] == 2
    assert what["a case program's start, native (its usage message)"][2] == 1
    fork = what["Check's fork per check, native (layout.3.14 on host-gcc: 10 checks)"]
    assert abs(fork[1] - 0.02) < 1e-9 and fork[2] == 10
    # Measured under qemu too, but none paid there (CK_FORK=no).
    assert what["Check's fork per check, qemu-s390x (layout.3.14 on s390x-gcc: 20 checks)"][2] == 0
    assert profile.batch_of(tests["s390x-gcc"][1]) == (("/usr/bin/qemu-s390x", "/b/cases/cases_layout"), "3.14,3.12")
    assert profile.batch_of(tests["host-gcc"][0]) is None
    assert what["a step of the build: 1 compiles and 0 links and archives (the build phase's CPU over its steps)"][1:] \
        == (12.5, 1)
    assert what["a test that compiles (hygiene, abi3t's expected failures): counted, its cost is in its family"][2] == 1
    assert what["  proof.saturates.real-3.14.LP64-le: CBMC's symex"][1] == 0.3
    assert ran[0][:2] == ["loader", "cbmc"] and ran[0][-1] == stem + ".i"
    assert "one 2^32 exhaustive sweep (3.14, host-gcc)" in what


def test_forks_only_where_check_can_and_may():
    native = {"command": ["cmake", "-DCOMMAND=/b/cases/cases_layout;3.14"], "environment": []}
    assert profile.forks(native)
    assert not profile.forks(dict(native, environment=["CK_FORK=no"]))
    assert not profile.forks({"command": ["cmake", "-DCOMMAND=/usr/bin/wine;/b/cases/cases_layout.exe;3.14"]})


def test_main_refuses_without_reports(tmp_path, capsys):
    assert profile.main(["--build", str(tmp_path), "--reports", str(tmp_path)]) == 2
    assert "no reports" in capsys.readouterr().err
