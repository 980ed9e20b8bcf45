"""The C follows .clang-format (applied once, kept since), and the check bites."""
import os
import shutil
import subprocess

from ci.harness.tests.conftest import ROOT, required_tool, tracked


def test_the_c_follows_clang_format():
    sources = tracked("*.c", "*.h")
    assert "harness/refmodel.c" in sources
    done = subprocess.run([required_tool("clang-format"), "--dry-run", "--Werror", *sources], cwd=ROOT,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]


def test_the_check_bites(tmp_path):
    shutil.copy(os.path.join(ROOT, ".clang-format"), tmp_path)
    bad = tmp_path / "bad.c"
    bad.write_text("int f(int x){\n  return x+1;}\n")
    done = subprocess.run([required_tool("clang-format"), "--dry-run", "--Werror", str(bad)], cwd=tmp_path,
                          capture_output=True, text=True)
    assert done.returncode != 0 and "code should be clang-formatted" in done.stderr
