"""The shell that is left (ci/, toolchains/, .ci/run) is shellcheck-clean,
and the check bites."""
import os
import shutil
import subprocess

import pytest

from ci.harness.tests.conftest import ROOT

FLAGS = ["-x", "-f", "gcc"]


def shellcheck():
    found = shutil.which("shellcheck")
    if not found:
        if os.environ.get("CI") == "true":
            pytest.fail("shellcheck is not installed (ci/setup.sh installs it)")
        pytest.skip("shellcheck is not installed (ci/setup.sh installs it)")
    return found


def scripts():
    listed = subprocess.run(["git", "ls-files", "*.sh", ".ci/run"], cwd=ROOT, capture_output=True, text=True,
                            check=True).stdout.split()
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
