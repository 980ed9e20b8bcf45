"""ci/harness/merge.py: several jobs' outputs placed side by side, their
probes rewritten to where they are now, and audited together."""
import json

import pytest

from ci.harness import merge, report, run
from ci.harness.tests.conftest import case_xml, junit


def test_rewrite_probes_moves_both_paths_of_either_slash():
    text = ("#target=host\n"
            "3.14|model|/ci/w/build/host-gcc/abi/CMakeFiles/p.o|/ci/w/build/host-gcc/abi/libharness-abi-3.14.so|\n"
            "3.14|real|D:\\a\\h\\build\\host-gcc\\abi\\p.obj|D:\\a\\h\\build\\host-gcc\\abi\\x.dll|\n"
            "short|line\n")
    assert merge.rewrite_probes(text, "/new/host-gcc/abi", "host-gcc").splitlines() == [
        "#target=host",
        "3.14|model|/new/host-gcc/abi/CMakeFiles/p.o|/new/host-gcc/abi/libharness-abi-3.14.so|",
        "3.14|real|/new/host-gcc/abi/p.obj|/new/host-gcc/abi/x.dll|",
        "short|line"]


def job_with_probes(root, job, preset, at_top=False):
    abi = root / job if at_top else root / job / "build" / preset / "abi"
    abi.mkdir(parents=True)
    (abi / "probe.o").write_bytes(b"\x7fELF")
    (abi / "probes.txt").write_text(f"3.14|model|/x/build/{preset}/abi/probe.o|/x/build/{preset}/abi/probe.o|\n")
    return root / job


def test_place_probes_of_both_layouts_and_refuse_a_stranger(tmp_path):
    known = {"host-gcc", "windows-msvc-x64"}
    out = tmp_path / "merged"
    one = job_with_probes(tmp_path, "one", "host-gcc")
    assert merge.place_probes(str(one), str(out), known) == ["host-gcc"]
    assert (out / "host-gcc" / "abi" / "probes.txt").read_text().split("|")[2] == f"{out}/host-gcc/abi/probe.o"
    assert "/x/build" in (one / "build" / "host-gcc" / "abi" / "probes.txt").read_text()  # the job's own untouched
    top = job_with_probes(tmp_path, "job-windows-msvc-x64", "windows-msvc-x64", at_top=True)
    assert merge.place_probes(str(top), str(out), known) == ["windows-msvc-x64"]
    stranger = job_with_probes(tmp_path, "three", "vax-gcc")
    with pytest.raises(merge.Usage, match="'vax-gcc' is no preset of this tree"):
        merge.place_probes(str(stranger), str(out), known)


@pytest.mark.parametrize("argv, message", [
    ([], "name at least one job's output directory"),
    (["--reports"], "--reports needs a directory"),
    (["--bogus"], "unknown option '--bogus'"),
    (["/nonexistent"], "'/nonexistent' is not a directory"),
])
def test_parse_refuses(argv, message):
    with pytest.raises(merge.Usage, match=message):
        merge.parse(argv)


def test_merge_audits_every_job_together_and_reports(tmp_path, monkeypatch, capsys):
    audit = tmp_path / "audit"
    audit.write_text("#!/bin/sh\necho \"$*\" >\"$0.args\"\necho 'abi-audit: exit 0'\n")
    audit.chmod(0o755)
    monkeypatch.setattr(run, "AUDIT", str(audit))
    for job, preset in (("one", "host-gcc"), ("two", "s390x-linux-gnu-gcc")):
        job_with_probes(tmp_path, job, preset)
        reports = tmp_path / job / "reports"
        reports.mkdir()
        (reports / f"{preset}.junit.xml").write_text(junit(case_xml("layout.3.14")))
        report.write_record(str(reports), dict(configuration=preset, result="PASS", seconds=1, passed=1, failed=0,
                                               skipped=0, ran=True, detail="1 passed"))
    argv = ["--reports", str(tmp_path / "out"), "--build-root", str(tmp_path / "b"), str(tmp_path / "one"),
            str(tmp_path / "two")]
    assert merge.main(argv) == 1  # two jobs of four quadrants: the whole matrix is incomplete
    out = capsys.readouterr().out
    assert "merge: abi-audit: exit 0" in out and "INCOMPLETE: no passing configuration in quadrant(s) 32le 32be" in out
    assert (tmp_path / "audit.args").read_text().split()[-2:] == ["host-gcc", "s390x-linux-gnu-gcc"]
    s = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert s["tests"]["passed"] == 2 and s["abi_audit"] == {"configurations": 2, "exit": 0}
    assert merge.main([str(tmp_path / "b")]) == 2 and "no job brought reports/" in capsys.readouterr().err
