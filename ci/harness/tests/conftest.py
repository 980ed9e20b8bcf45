"""Shared fixtures: a copy of the tree's tables in a temporary root, and a
reports directory made of canned JUnit files."""
import os
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
sys.path.insert(0, ROOT)


@pytest.fixture
def tree(tmp_path):
    """A copy of what the tables read (toolchains, versions, bindings,
    presets, skips, README, docs/targets.md, cases/expect.h), to break."""
    for rel in ("toolchains", "harness/versions.txt", "harness/bindings/bindings.txt",
                "harness/bindings/own-operations.txt", "harness/bindings/known-divergences.txt",
                "harness/bindings/abi3t.txt", "ci/presets-base.json",
                "ci/expected-skips.txt", "README.md", "CMakePresets.json", "docs/targets.md", "cases/expect.h",
                "cmake/harness_tables.cmake"):
        src, dst = os.path.join(ROOT, rel), tmp_path / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        if os.path.isdir(src):
            shutil.copytree(src, dst)
        else:
            shutil.copy(src, dst)
    return tmp_path


def case_xml(name, status="run", out="", failure=False, time="0.5"):
    """One ctest JUnit <testcase>; a passing one ends with its runner's pass
    line (cmake/verdict.cmake) unless out has a verdict line of its own."""
    if status == "run" and not failure and "harness-verdict: " not in out:
        out += "\nharness-verdict: pass: ok"
    fail = "<failure message=\"Failed\"/>" if failure else ""
    return (f'<testcase name="{name}" classname="{name}" time="{time}" status="{status}">{fail}'
            f"<system-out>{out}</system-out></testcase>")


def junit(*cases):
    return '<?xml version="1.0" encoding="UTF-8"?>\n<testsuite name="t">' + "".join(cases) + "</testsuite>\n"


def required_tool(name):
    """A tool setup installs (shellcheck, clang-format): missing, a failure in
    CI and a skip that says why elsewhere."""
    found = shutil.which(name)
    if not found:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{name} is not installed (ci/setup.sh installs it)")
        pytest.skip(f"{name} is not installed (ci/setup.sh installs it)")
    return found


def tracked(*patterns):
    """The files git tracks that match PATTERNS."""
    return subprocess.run(["git", "ls-files", *patterns], cwd=ROOT, capture_output=True, text=True,
                          check=True).stdout.split()
