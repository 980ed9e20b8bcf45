"""python3 -m ci.harness: one entry point for every command."""
import os
import subprocess
import sys

from ci.harness import __main__ as entry
from ci.harness.tests.conftest import ROOT


def test_dispatch(capsys):
    assert entry.main(["tables", "versions", "kind=legacy"]) == 0
    assert capsys.readouterr().out == "legacy\n"


def test_usage(capsys):
    assert entry.main([]) == 2
    assert entry.main(["no-such-command"]) == 2
    assert "commands: tables, report, reuse-key" in capsys.readouterr().err


def test_the_wrappers_keep_their_command_lines():
    for wrapper, args, want in (("ci/tables.py", ["versions", "kind=legacy"], "legacy\n"),
                                ("ci/report.py", [], "")):
        done = subprocess.run([sys.executable, os.path.join(ROOT, wrapper), *args], capture_output=True, text=True)
        assert done.stdout == want
        assert done.returncode == (0 if args else 2)


def test_report_user_refuses_bad_input_with_a_message(tmp_path):
    script = os.path.join(ROOT, "ci", "report-user.py")
    done = subprocess.run([sys.executable, script, "--help"], capture_output=True, text=True)
    assert done.returncode == 2 and "unknown option '--help'" in done.stderr
    done = subprocess.run([sys.executable, script, "--reports", str(tmp_path), "nosuch"], capture_output=True, text=True)
    assert done.returncode == 2 and "nosuch: neither" in done.stderr and "Traceback" not in done.stderr
