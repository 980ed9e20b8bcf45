"""The scripts beside the package that judge files only, on canned input:
ci/results.py (the seed's headline results and their verdict),
ci/check-workflow.py (the GitHub workflow against the presets) and the side
reports (ci/report-*.py). Moved here from ci/test.sh: none needs a build."""
import json
import os
import re
import subprocess
import sys

import pytest

from ci.harness import report
from ci.harness.tests.conftest import ROOT, case_xml, junit

WORKFLOW = os.path.join(ROOT, ".github", "workflows", "matrix.yml")


def script(name, *args, cwd=ROOT):
    return subprocess.run([sys.executable, os.path.join(ROOT, "ci", name), *args], capture_output=True, text=True,
                          cwd=cwd)


# ---- ci/results.py --------------------------------------------------------------

COW = "scheme,heap_mib,workers,worker,heap_private_kb,heap_shared_kb\n3.11,16,4,1,16384,0\n3.12,16,4,1,0,16384\n"
COW_PYTHON = ("python,version,workers,worker,private_kb,shared_kb\npython3.11,3.11.7,4,1,4300,15000\n"
              "python3.12,3.12.1,4,1,4200,17000\n")
OVERHEAD = ("version,objects,instructions,per_operation\n3.11,mortal,0,5.50\n3.11,immortal,0,5.50\n"
            "3.12,mortal,0,9.00\n3.12,immortal,0,9.00\n")


@pytest.fixture
def results(tmp_path):
    (tmp_path / "cow.csv").write_text(COW)
    (tmp_path / "cow-python.csv").write_text(COW_PYTHON)
    (tmp_path / "overhead.csv").write_text(OVERHEAD)
    return tmp_path


def test_a_real_interpreter_that_copies_like_3_11_fails_the_results(results):
    done = script("results.py", "--tables", str(results))
    assert done.returncode == 1
    assert re.search(r"does not hold.*3\.12\.1 98%", (results / "results.md").read_text(), re.S)
    (results / "cow-python.csv").unlink()  # without those workers it holds, its cost table too
    done = script("results.py", "--tables", str(results))
    assert done.returncode == 0 and "cost of the immortality check" in (results / "results.md").read_text()


EMULATED = ("target,python,version,workers,worker,private_before_kb,private_kb,shared_kb\n"
            "s390x-linux-gnu,python3.11,3.11.2,4,0,1000,4000,9000\n"
            "s390x-linux-gnu,python3.13,3.13.5,4,0,1000,2500,9000\n"
            "riscv64-linux-gnu,python3.13,3.13.5,4,0,1000,2500,9000\n")


def test_an_emulated_interpreter_that_copies_like_3_11_fails_the_results(results):
    (results / "cow-python.csv").unlink()
    (results / "cow-emulated.csv").write_text(EMULATED)
    done = script("results.py", "--tables", str(results))
    text = (results / "results.md").read_text()
    assert done.returncode == 0, text
    assert "| s390x-linux-gnu | 3.13.5 | 1500 | 50% |" in text and "riscv64-linux-gnu | (no 3.11)" in text
    (results / "cow-emulated.csv").write_text(EMULATED.replace("3.13.5,4,0,1000,2500", "3.13.5,4,0,1000,3900"))
    done = script("results.py", "--tables", str(results))
    assert done.returncode == 1
    assert re.search(r"does not hold..: s390x-linux-gnu 3\.13\.5 97%", (results / "results.md").read_text())
    # An emulator that emulates smaps reads 0 kB everywhere: not a pass.
    (results / "cow-emulated.csv").write_text(re.sub(r",\d+,\d+,9000", ",0,0,0", EMULATED))
    done = script("results.py", "--tables", str(results))
    assert done.returncode == 1
    assert "s390x-linux-gnu: every Private_Dirty is 0 kB" in (results / "results.md").read_text()


def test_an_immortality_check_that_costs_nothing_fails_the_results(results):
    (results / "cow-python.csv").unlink()
    (results / "overhead.csv").write_text("version,objects,instructions,per_operation\n3.11,mortal,0,5.50\n"
                                          "3.11,immortal,0,5.50\n3.13,mortal,0,5.50\n")
    (results / "inline.csv").write_text("configuration,operation,version,bytes,instructions\n"
                                        "host-gcc,incref,3.11,8,2\nhost-gcc,incref,3.13,8,2\n")
    done = script("results.py", "--tables", str(results))
    text = (results / "results.md").read_text().replace("\n", " ")
    assert done.returncode == 1
    assert re.search(r"does not hold..: 3\.13 mortal 5\.50\.", text)
    assert re.search(r"3\.13 mortal 5\.50\..*does not hold..: host-gcc incref 3\.13 2 \(3\.11: 2\)", text)


# ---- ci/check-workflow.py ---------------------------------------------------------

def edited_workflow(tmp_path, old, new):
    with open(WORKFLOW) as f:
        text = f.read()
    assert re.search(old, text, re.M), f"the workflow no longer has {old!r}"
    path = tmp_path / "matrix.yml"
    path.write_text(re.sub(old, new, text, flags=re.M))
    return str(path)


def test_the_workflow_names_existing_presets_and_has_a_job_for_each():
    done = script("check-workflow.py")
    assert done.returncode == 0 and "every preset has a job" in done.stdout


def test_a_workflow_naming_a_missing_preset_and_missing_one_fails(tmp_path):
    path = edited_workflow(tmp_path, r"- windows-msvc-win32$", "- windows-msvc-win32-typo")
    done = script("check-workflow.py", path)
    assert done.returncode == 1
    assert re.search(r"names preset windows-msvc-win32-typo.*preset windows-msvc-win32 has no job", done.stdout, re.S)


def test_a_workflow_whose_matrix_is_not_the_table_of_targets_fails(tmp_path):
    path = edited_workflow(tmp_path, r"python3 ci/tables.py matrix-json", 'echo "{}"')
    done = script("check-workflow.py", path)
    assert done.returncode == 1
    assert "its matrix must be fromJSON of a job that runs ci/tables.py matrix-json" in done.stdout


# ---- the reports, from JUnit --------------------------------------------------------

def test_counts_from_junit_a_declared_skip_only_is_a_skip(tmp_path, capsys):
    (tmp_path / "fake-gcc.junit.xml").write_text(junit(
        case_xml("layout.3.14", out="harness-retry: the emulator exited '1' having printed nothing\nok"),
        case_xml("layout.3.15", status="notrun", out="harness-verdict: skip: no wine32 &amp; no luck"),
        case_xml("saturation.3.14", status="notrun"),  # ctest could not run it: a failure
        case_xml("threads.3.14", status="fail", failure=True, out="F")))
    assert report.config(str(tmp_path), "fake-gcc") == 0
    assert capsys.readouterr().out.split("\n")[:2] == ["1 2 1 0 1", "no wine32 & no luck"]


def test_the_side_reports_count_a_test_not_run_without_a_declared_skip_as_failed(tmp_path):
    (tmp_path / "fake-gcc.junit.xml").write_text(junit(
        case_xml("agreement.mypyc-2.4-3.14", status="notrun"),
        case_xml("proof.saturates.3.14.LP64-le", status="notrun"),
        case_xml("agreement.real-3.14", status="notrun")))
    bindings = script("report-bindings.py", "--reports", str(tmp_path), "fake-gcc")
    proofs = script("report-proofs.py", "--reports", str(tmp_path), "fake-gcc")
    real = script("report-real.py", "--reports", str(tmp_path), "fake-gcc")
    assert "1 differ" in bindings.stdout
    assert "ran, 1 failed" in proofs.stdout
    assert "DIFFERS" in real.stdout


def test_a_copy_skipped_whole_fills_its_versions_cells(tmp_path):
    (tmp_path / "fake-gcc.junit.xml").write_text(junit(case_xml("agreement.pyo3-0.28-3.14")))
    (tmp_path / "fake-clang.junit.xml").write_text(junit(
        case_xml("agreement.pyo3-0.28", status="notrun", out="harness-verdict: skip: no Rust here")))
    bindings = script("report-bindings.py", "--reports", str(tmp_path), "fake-gcc", "fake-clang")
    assert re.search(r"\| fake-clang \| skip \[1\] \|", bindings.stdout) and "[1] no Rust here" in bindings.stdout
    assert "1 agree, 0 differ, 0 skipped; 1 copies skipped whole" in bindings.stdout


def test_the_copies_under_abi3t_are_listed_with_where_they_did_otherwise(tmp_path):
    (tmp_path / "fake-gcc.junit.xml").write_text(junit(
        case_xml("agreement.mypyc-2.4-3.14"),
        case_xml("abi3t.mypyc-2.4", out="harness-verdict: pass: abi3t.mypyc-2.4: compiles, as it must"),
        case_xml("abi3t.nanobind-2.12", out="harness-verdict: pass: abi3t.nanobind-2.12: does not compile, as it "
                 "must not:\n  nb_ft.cpp:10: error: x")))
    (tmp_path / "fake-clang.junit.xml").write_text(junit(
        case_xml("abi3t.mypyc-2.4", status="fail", failure=True,
                 out="harness-verdict: fail: abi3t.mypyc-2.4: it does not compile, and it must:\n  error: y")))
    bindings = script("report-bindings.py", "--reports", str(tmp_path), "fake-gcc", "fake-clang")
    assert "- `mypyc-2.4`: compiles, as it must on 1 of 2 configurations; FAILED on fake-clang" in bindings.stdout
    assert "- `nanobind-2.12`: does not compile, as it must not on 1 of 1 configurations" in bindings.stdout


def test_the_summary_of_a_failed_configuration_fails_its_cells_counted_by_family(tmp_path, capsys):
    (tmp_path / "fake-gcc.junit.xml").write_text(junit(
        case_xml("layout.3.14"), case_xml("layout.3.15", status="notrun", out="harness-verdict: skip: no wine32"),
        case_xml("saturation.3.14", status="notrun"), case_xml("threads.3.14", status="fail", failure=True)))
    report.write_record(str(tmp_path), dict(configuration="fake-gcc", result="FAIL", seconds=3, passed=1, failed=2,
                                            skipped=1, ran=True, reasons=["no wine32"], detail="1 passed, 2 failed"))
    assert report.summary(str(tmp_path), ["fake-gcc"], filtered=True) == 1
    assert re.search(r"\| FAIL \| fake-gcc \|.* 1/0/1 \| 0/1/0 \| 0/1/0 \|", (tmp_path / "summary.md").read_text())


def test_every_skip_must_be_one_the_table_expects(tmp_path):
    (tmp_path / "ci").mkdir()
    (tmp_path / "ci" / "expected-skips.txt").write_text(
        "# count configuration reason\n1 fake-(gcc|clang) ^no wine32\n2 fake-gcc ^never seen\n")
    reports = tmp_path / "reports"
    reports.mkdir()

    def skipped(name, why):
        return case_xml(name, status="notrun", out=f"harness-verdict: skip: {why}")
    (reports / "fake-gcc.junit.xml").write_text(junit(skipped("layout.3.14", "no wine32 here"),
                                                      skipped("proof.saturates.3.14.LP64-le", "no CBMC root")))
    (reports / "fake-clang.junit.xml").write_text(junit(skipped("layout.3.14", "no wine32 here"),
                                                        skipped("layout.3.15", "no wine32 here")))
    problems, notes = report.skip_check(str(reports), ["fake-gcc", "fake-clang"], str(tmp_path))
    assert re.fullmatch(r"fake-gcc: proof\.saturates\.3\.14\.LP64-le: a skip no row .* expects: no CBMC root",
                        problems[0])
    assert re.fullmatch(r"fake-clang: 2 skips for '\^no wine32', .*expects at most 1", problems[1])
    assert len(problems) == 2
    assert notes == ["fake-gcc: no skip for '^never seen' (ci/expected-skips.txt:3): it vanished"]


# ---- ci/integration.py's own judgements -------------------------------------------

def integration():
    import importlib.util
    spec = importlib.util.spec_from_file_location("integration", os.path.join(ROOT, "ci", "integration.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def user_json(tmp_path, rows):
    path = tmp_path / "user.json"
    path.write_text(json.dumps({"configurations": rows}))
    return str(path)


def row(impl, result="PASS", passed=3, failed=0, **extra):
    return {"implementation": impl, "result": result, "passed": passed, "failed": failed, **extra}


def test_user_verdict_of_the_mutant_matrices(tmp_path):
    verdict = integration().user_verdict
    rows = {"host-gcc": {"user-3.14": row("user-3.14")},
            "s390x-linux-gnu-gcc": {"user-3.14": row("user-3.14", "FAIL", 2, 1)}}
    path = user_json(tmp_path, rows)
    assert verdict(path, 1, "fail", "s390x-linux-gnu-gcc").startswith("detected exactly where expected")
    assert verdict(path, 0, "fail", "s390x-linux-gnu-gcc").startswith("NOT where expected")  # the run passed
    assert verdict(path, 1, "fail", "host-gcc").startswith("NOT where expected: ['s390x-linux-gnu-gcc']")
    rows["s390x-linux-gnu-gcc"]["user-3.14"] = row("user-3.14", pyconfig_not_used="it describes 64-bit little-endian")
    path = user_json(tmp_path, rows)
    assert verdict(path, 0, "pass", "user-3.14").startswith(
        "all user-3.14, all passed; your pyconfig.h not used on: s390x-linux-gnu-gcc (it describes 64-bit")
    assert verdict(path, 0, "pass", "user-3.14t").startswith("NOT all user-3.14t")
    assert verdict(path, 0, "each", "user-3.14").startswith("each of user-3.14, all passed")
    assert verdict(path, 0, "each", "user-3.14 user-abi3t").startswith("NOT each of")
    assert verdict(str(tmp_path / "none.json"), 1, "fail", "x").startswith("no user.json")


def test_matrix_totals_and_flat(tmp_path):
    module = integration()
    (tmp_path / "summary.json").write_text('{"tests":{"passed":7,"failed":2,"skipped":3,"retried":1}}')
    assert module.matrix_totals(str(tmp_path)) == (7, 2, 3, 1)
    with pytest.raises(FileNotFoundError):
        module.matrix_totals(str(tmp_path / "none"))
    assert module.flat("a\n  b\nc ") == "a b c"


def test_the_interpreters_table_shows_each_version_a_failure_and_a_configuration_without_one(tmp_path):
    (tmp_path / "fake-gcc.junit.xml").write_text(junit(
        case_xml("interpreter.python3.14", out="harness: interpreter summary: 3.14.10: immortal at 3221225472"),
        case_xml("interpreter.python3.15", status="fail", failure=True,
                 out="drive.py:0:F:python3.15:oracle: Py_REFCNT from 0x5: the model's bytes:0: got 1, expected 2")))
    (tmp_path / "ports-gcc.junit.xml").write_text(junit(
        case_xml("interpreter.none", status="notrun", out="harness-verdict: skip: no Debian interpreter for hppa")))
    done = script("report-interpreters.py", "--reports", str(tmp_path), "fake-gcc", "ports-gcc")
    assert "| fake-gcc | 3.14.10: immortal at 3221225472 | FAILED: python3.15:oracle: Py_REFCNT" in done.stdout
    assert "| ports-gcc | skip [1] | skip [1] |" in done.stdout and "[1] no Debian interpreter for hppa" in done.stdout
    assert "1 passed, 1 failed, 1 configurations without one" in done.stdout
    assert json.load(open(tmp_path / "interpreters.json"))["configurations"]["fake-gcc"]["3.15"]["result"] == "FAILED"
