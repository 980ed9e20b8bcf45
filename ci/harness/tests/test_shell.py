"""The shell that is left (ci/, toolchains/, .ci/run) is shellcheck-clean,
and the check bites."""
import subprocess

from ci.harness.tests.conftest import ROOT, required_tool, tracked

FLAGS = ["-x", "-f", "gcc"]


def shellcheck():
    return required_tool("shellcheck")


def scripts():
    listed = tracked("*.sh", ".ci/run")
    assert "ci/matrix.sh" in listed and ".ci/run" in listed
    return listed


def test_every_script_is_shellcheck_clean():
    done = subprocess.run([shellcheck(), *FLAGS, *scripts()], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_check_bites(tmp_path):
    broken = tmp_path / "broken.sh"
    broken.write_text("#!/usr/bin/env bash\ncd \"$1\"\nprintf 'see $reports/x.log\\n'\n")
    done = subprocess.run([shellcheck(), *FLAGS, str(broken)], capture_output=True, text=True)
    assert done.returncode != 0 and "SC2164" in done.stdout and "SC2016" in done.stdout
