"""ci/harness/report.py: the one verdict, the counts, the skip table and
the summary, on canned JUnit files."""
import json

import pytest

from ci.harness import report
from ci.harness.tests.conftest import case_xml, junit


@pytest.mark.parametrize("status, failure, out, want", [
    ("run", False, "harness-verdict: pass: 3 checks passed\n", ("passed", "")),
    ("run", False, "", ("failed", "")),  # no verdict: the runner never reached one
    ("run", True, "harness-verdict: pass: ok", ("failed", "")),  # CTest says otherwise
    ("run", False, "harness-verdict: fail: exited with '1'", ("failed", "")),
    ("notrun", False, "harness-verdict: skip: no emulator here\n", ("skipped", "no emulator here")),
    ("run", False, "harness-verdict: skip: but CTest ran it", ("failed", "")),
    ("notrun", False, "nothing said", ("failed", "")),
    ("fail", False, "harness-verdict: skip: too late", ("failed", "")),
    ("run", False, "harness-verdict: fail: first\nharness-verdict: pass: the last line decides", ("passed", "")),
    ("run", False, "harness-verdict: passed: a near miss", ("failed", "")),
])
def test_verdict(status, failure, out, want):
    assert report.verdict(status, failure, out) == want


def test_failure_reason():
    assert report.failure_reason("x\nharness-verdict: fail: timed out after 2 s: prog\nmore") == "timed out after 2 s: prog"
    assert report.failure_reason("harness-verdict: pass: ok") == ""


def test_version_order_is_total():
    assert sorted(["real-3.13t", "real-3.13", "real-3.9"], key=report.version_order) == [
        "real-3.9", "real-3.13", "real-3.13t"]
    assert sorted(["abi3t-3.15t", "abi3t-3.15"], key=report.version_order) == ["abi3t-3.15", "abi3t-3.15t"]


def test_forbidden_characters_do_not_hide_results(tmp_path):
    path = tmp_path / "p.junit.xml"
    path.write_text(junit(case_xml("saturation.3.14", out="odd \x01 byte")))
    root = report.read_junit(str(path))
    assert [report.outcome(c)[0] for c in report.cases(root)] == ["passed"]


def test_broken_junit_counts_as_one_failure(tmp_path, capsys):
    path = tmp_path / "p.junit.xml"
    path.write_text("<testsuite><testcase name=")
    root = report.read_junit(str(path))
    assert [report.outcome(c)[0] for c in report.cases(root)] == ["failed"]
    assert "not well-formed" in capsys.readouterr().err
    assert report.read_junit(str(tmp_path / "none.xml")) is None


def record(reports, preset, result, seconds, passed=0, failed=0, skipped=0, reasons=(), detail=""):
    """A configuration's record as the run writes it."""
    report.write_record(str(reports), dict(
        configuration=preset, result=result, seconds=seconds, passed=passed, failed=failed, skipped=skipped,
        reused=0, retried=0, reasons=list(reasons), ran=bool(passed + failed + skipped),
        detail=detail or f"{passed} passed, {failed} failed, {skipped} skipped",
        phases={"configure": [1.0, 0.5], "build": [2.0, 3.0], "test": [4.0, 5.0]}))


def canned(tmp_path):
    (tmp_path / "a.junit.xml").write_text(junit(
        case_xml("saturation.3.14", out="harness: reused the pass"),
        case_xml("layout.3.14", out="harness-retry: the emulator exited"),
        case_xml("threads.3.14", status="notrun", out="harness-verdict: skip: threads start only in static programs"),
        case_xml("proof.x", failure=True, status="fail")))
    return tmp_path


def test_config_counts_and_reasons(tmp_path, capsys):
    reports = canned(tmp_path)
    assert report.config(str(reports), "a") == 0
    assert capsys.readouterr().out.splitlines() == ["2 1 1 1 1", "threads start only in static programs"]
    assert report.counts(str(reports), "a") == {"passed": 2, "failed": 1, "skipped": 1, "reused": 1, "retried": 1,
                                                "reasons": ["threads start only in static programs"]}
    assert report.families(str(reports), "a") == {"saturation": [1, 0, 0], "layout": [1, 0, 0],
                                                  "threads": [0, 0, 1], "proof": [0, 1, 0]}


def test_phases_and_family_seconds(tmp_path):
    reports = canned(tmp_path)
    assert report.family_seconds(str(reports), "a")["proof"] == 0.5


def test_grid_table_numbers_each_skip_reason_once():
    rows = {"p": {"x": {"result": "skip", "why": "a|b"}, "y": {"result": "skip", "why": "a|b"}, "z": {"result": "ok"}}}
    lines = report.grid_table(rows, ["x", "y", "z", "w"], lambda c: c["result"])
    assert lines[2] == "| p | skip [1] | skip [1] | ok | – |"
    assert lines[-1] == "[1] a/b  "


def test_skip_check_names_unexpected_excess_and_vanished(tmp_path, monkeypatch):
    root = tmp_path / "tree"
    (root / "ci").mkdir(parents=True)
    (root / "ci/expected-skips.txt").write_text("# count configuration reason\n1  a  ^threads start\n1  b  ^gone\n")
    reports = canned(tmp_path)
    (reports / "b.junit.xml").write_text(junit(case_xml("saturation.3.14")))
    problems, notes = report.skip_check(str(reports), ["a", "b"], str(root))
    assert problems == [] and notes == ["b: no skip for '^gone' (ci/expected-skips.txt:3): it vanished"]
    (reports / "a.junit.xml").write_text(junit(
        case_xml("threads.1", status="notrun", out="harness-verdict: skip: threads start here"),
        case_xml("threads.2", status="notrun", out="harness-verdict: skip: threads start there"),
        case_xml("other", status="notrun", out="harness-verdict: skip: nobody expects this")))
    problems, _ = report.skip_check(str(reports), ["a", "b"], str(root))
    assert any("a skip no row of ci/expected-skips.txt expects: nobody expects this" in p for p in problems)
    assert any("a: 2 skips for '^threads start', ci/expected-skips.txt:2 expects at most 1" in p for p in problems)


def test_summary_of_a_passing_and_a_failing_configuration(tmp_path, capsys):
    reports = tmp_path
    (reports / "host-gcc.junit.xml").write_text(junit(case_xml("saturation.3.14"), case_xml("layout.3.14")))
    record(reports, "host-gcc", "PASS", 12, passed=2)
    (reports / "s390x-linux-gnu-gcc.junit.xml").write_text(junit(case_xml("saturation.3.14", failure=True)))
    record(reports, "s390x-linux-gnu-gcc", "FAIL", 30, failed=1)
    rc = report.summary(str(reports), ["host-gcc", "s390x-linux-gnu-gcc"], wall=40, filtered=True)
    assert rc == 1
    s = json.loads((reports / "summary.json").read_text())
    assert (s["passed"], s["failed"], s["skipped"]) == (1, 1, 0)
    assert s["tests"] == {"passed": 2, "failed": 1, "skipped": 0, "retried": 0}
    assert s["quadrants"]["64be"] == 0
    md = (reports / "summary.md").read_text()
    assert "| PASS | host-gcc | 64le | 12 |" in md and "| FAIL | s390x-linux-gnu-gcc | 64be | 30 |" in md
    assert (reports / "junit.xml").exists()


def test_summary_fails_a_missing_quadrant_unless_filtered(tmp_path, capsys):
    (tmp_path / "host-gcc.junit.xml").write_text(junit(case_xml("saturation.3.14")))
    record(tmp_path, "host-gcc", "PASS", 12, passed=1)
    assert report.summary(str(tmp_path), ["host-gcc"], wall=12) == 1
    assert "INCOMPLETE: no passing configuration in quadrant(s) 32le 32be 64be" in (tmp_path / "summary.md").read_text()
    assert report.summary(str(tmp_path), ["host-gcc"], wall=12, filtered=True) == 0


def test_a_configuration_the_runner_lost_fails(tmp_path, capsys):
    assert report.summary(str(tmp_path), ["host-gcc"], wall=1, filtered=True) == 1
    assert "the runner lost this configuration" in (tmp_path / "summary.md").read_text()
    (tmp_path / "host-gcc.record.json").write_text('{"result": "MAYBE"}')  # not a record the run writes
    assert report.read_record(str(tmp_path), "host-gcc")["result"] == "FAIL"


def test_a_configuration_that_ran_nothing_has_its_detail_for_reasons(tmp_path, capsys):
    record(tmp_path, "s390x-linux-gnu-clang", "SKIP", 1, detail="unavailable: no qemu-s390x")
    record(tmp_path, "host-gcc", "PASS", 3, passed=1, skipped=1, reasons=["no wine32"])
    (tmp_path / "host-gcc.junit.xml").write_text(junit(case_xml("layout.3.14")))
    report.summary(str(tmp_path), ["host-gcc", "s390x-linux-gnu-clang"], wall=4, filtered=True)
    md = (tmp_path / "summary.md").read_text()
    assert "| SKIP | s390x-linux-gnu-clang | 64be | 1 | – | unavailable: no qemu-s390x |" in md
    assert "| PASS | host-gcc | 64le | 3 | 1/0/0 | no wine32 |" in md
    s = json.loads((tmp_path / "summary.json").read_text())
    assert s["phase_seconds"] == {"configure": [2.0, 1.0], "build": [4.0, 6.0], "test": [8.0, 10.0]}
    assert s["cpu_seconds"] == 17.0


def test_merge_needs_some_results(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert report.merge(str(tmp_path / "out"), [str(tmp_path / "empty")]) == 2


def test_main_usage(capsys):
    assert report.main([]) == 2
    assert report.main(["nonsense"]) == 2


def test_merge_puts_runs_side_by_side(tmp_path, capsys):
    for job, preset, quadrant_ok in (("one", "host-gcc", True), ("two", "s390x-linux-gnu-gcc", True)):
        d = tmp_path / job
        d.mkdir()
        (d / f"{preset}.junit.xml").write_text(junit(case_xml("saturation.3.14")))
        record(d, preset, "PASS", 5, passed=1)
        (d / "summary.json").write_text(json.dumps({"wall_seconds": 7, "setup_seconds": 3}))
    out = tmp_path / "merged"
    report.merge(str(out), [str(tmp_path / "one"), str(tmp_path / "two")], abi_exit=0, audited=2)
    s = json.loads((out / "summary.json").read_text())
    assert [c["configuration"] for c in s["configurations"]] == ["host-gcc", "s390x-linux-gnu-gcc"]
    assert s["wall_seconds"] == 7 and s["setup_seconds"] == 3 and s["tests"]["passed"] == 2


def test_merge_carries_what_the_side_reports_read(tmp_path, capsys):
    d = tmp_path / "job"
    (d / "p.proof-traces").mkdir(parents=True)
    (d / "p.junit.xml").write_text(junit(case_xml("saturation.3.14")))
    record(d, "p", "PASS", 5, passed=1)
    (d / "p.bindings.txt").write_text("nanobind-2.5-3.11|none|no operation of its own\n")
    (d / "p.proof-traces" / "proof.x.trace").write_text("trace\n")
    report.merge(str(tmp_path / "out"), [str(d)])
    assert (tmp_path / "out" / "p.bindings.txt").read_text().startswith("nanobind-2.5-3.11|none")
    assert (tmp_path / "out" / "p.proof-traces" / "proof.x.trace").read_text() == "trace\n"
