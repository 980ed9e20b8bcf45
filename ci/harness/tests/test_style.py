"""The C follows .clang-format (applied once, kept since), and the check bites."""
import os
import shutil
import subprocess

import pytest

from ci.harness.tests.conftest import ROOT


def clang_format():
    found = shutil.which("clang-format")
    if not found:
        if os.environ.get("CI") == "true":
            pytest.fail("clang-format is not installed (ci/setup.sh installs it)")
        pytest.skip("clang-format is not installed (ci/setup.sh installs it)")
    return found


def sources():
    listed = subprocess.run(["git", "ls-files", "*.c", "*.h"], cwd=ROOT, capture_output=True, text=True,
                            check=True).stdout.split()
    assert "harness/refmodel.c" in listed
    return listed


def test_the_c_follows_clang_format():
    done = subprocess.run([clang_format(), "--dry-run", "--Werror", *sources()], cwd=ROOT, capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr[-3000:]


def test_the_check_bites(tmp_path):
    shutil.copy(os.path.join(ROOT, ".clang-format"), tmp_path)
    bad = tmp_path / "bad.c"
    bad.write_text("int f(int x){\n  return x+1;}\n")
    done = subprocess.run([clang_format(), "--dry-run", "--Werror", str(bad)], cwd=tmp_path, capture_output=True,
                          text=True)
    assert done.returncode != 0 and "code should be clang-formatted" in done.stderr
