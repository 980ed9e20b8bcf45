"""ci/harness/sysroots.py: the Depends closure, the downloads (digests,
files the mirror no longer serves), the links that make a sysroot usable."""
import hashlib
import io
import os
import subprocess
import urllib.error

import pytest

from ci.harness import sysroots

INDEX = """Package: python3.14-minimal
Version: 3.14.1-1
Architecture: s390x
Depends: libpython3.14-minimal (= 3.14.1-1), libexpat1 (>= 2.1~beta3), zlib1g (>= 1:1.2.0)
Pre-Depends: libc6 (>= 2.38)
Description: a minimal interpreter
 with a continuation line: Depends: nothing-here
Filename: pool/main/p/python3.14/python3.14-minimal_3.14.1-1_s390x.deb
SHA256: {digest}

Package: libpython3.14-minimal
Version: 3.14.1-1
Architecture: s390x
Depends: libc6 (>= 2.38), libssl3t64 | libssl-virtual
Filename: pool/main/p/python3.14/libpython3.14-minimal_3.14.1-1_s390x.deb
SHA256: {digest}

Package: libc6
Version: 2.41-1
Architecture: s390x
Depends: libgcc-s1
Filename: pool/main/g/glibc/libc6_2.41-1_s390x.deb
SHA256: {digest}

Package: libgcc-s1
Version: 14.2.0-1
Architecture: s390x
Depends: libc6 (>= 2.35)
Filename: pool/main/g/gcc-14/libgcc-s1_14.2.0-1_s390x.deb
SHA256: {digest}

Package: provider-of-ssl
Version: 1
Architecture: s390x
Provides: libssl-virtual (= 3)
Filename: pool/main/p/provider-of-ssl_1_s390x.deb
SHA256: {digest}

Package: libexpat1
Version: 2.6-1
Architecture: s390x
Depends: libc6:any
Filename: pool/main/e/expat/libexpat1_2.6-1_s390x.deb
SHA256: {digest}

Package: zlib1g
Version: 1:1.3-1
Architecture: s390x
Depends: libc6 (>= 2.14)
Filename: pool/main/z/zlib/zlib1g_1.3-1_s390x.deb
SHA256: {digest}
"""
PAYLOAD = b"a .deb"
DIGEST = hashlib.sha256(PAYLOAD).hexdigest()


def index():
    return sysroots.parse_index(INDEX.format(digest=DIGEST))


def test_the_depends_closure_takes_the_first_alternative_the_index_has_and_virtual_names():
    packages, provides = index()
    assert sysroots.resolve(packages, provides, ["python3.14-minimal"]) == [
        "libc6", "libexpat1", "libgcc-s1", "libpython3.14-minimal", "provider-of-ssl", "python3.14-minimal", "zlib1g"]


def test_a_dependency_nothing_satisfies_is_an_error_naming_it():
    packages, provides = index()
    packages["zlib1g"]["Depends"] = "libc6, no-such-lib (>= 1) | nor-this"
    with pytest.raises(sysroots.SysrootError, match="zlib1g: nothing in the index satisfies 'no-such-lib"):
        sysroots.resolve(packages, provides, ["python3.14-minimal"])
    with pytest.raises(sysroots.SysrootError, match="python3.99-minimal is not in the index"):
        sysroots.resolve(packages, provides, ["python3.99-minimal"])


class Mirror:
    """urlopen's stand-in: the files it serves, and what it was asked."""

    def __init__(self, files):
        self.files, self.asked = files, []

    def __call__(self, url, timeout):
        self.asked.append(url)
        name = url.rsplit("/", 1)[1]
        if name not in self.files:
            raise urllib.error.HTTPError(url, 404, "Not Found", {}, None)
        return io.BytesIO(self.files[name])


def test_a_deb_is_checked_against_the_index_and_fetched_once(tmp_path):
    packages, _ = index()
    mirror = Mirror({"zlib1g_1.3-1_s390x.deb": PAYLOAD})
    path = sysroots.fetch_deb(packages["zlib1g"], str(tmp_path), mirror)
    assert open(path, "rb").read() == PAYLOAD
    assert sysroots.fetch_deb(packages["zlib1g"], str(tmp_path), mirror) == path
    assert len(mirror.asked) == 1
    assert sysroots.fetch_deb(packages["libc6"], str(tmp_path), mirror) is None  # 404
    tampered = Mirror({"libexpat1_2.6-1_s390x.deb": b"something else"})
    with pytest.raises(sysroots.SysrootError, match="its SHA-256 is not the index's"):
        sysroots.fetch_deb(packages["libexpat1"], str(tmp_path), tampered)


class Flaky(Mirror):
    """A mirror whose first FAILURES answers are the exceptions given."""

    def __init__(self, files, failures):
        super().__init__(files)
        self.failures = list(failures)

    def __call__(self, url, timeout):
        if self.failures:
            self.asked.append(url)
            raise self.failures.pop(0)
        return super().__call__(url, timeout)


def test_a_failure_that_can_pass_is_tried_again_and_one_that_cannot_is_not(tmp_path):
    packages, _ = index()
    waits = []
    dns = urllib.error.URLError(OSError(-3, "Temporary failure in name resolution"))
    busy = urllib.error.HTTPError("u", 503, "Service Unavailable", {}, None)
    mirror = Flaky({"zlib1g_1.3-1_s390x.deb": PAYLOAD}, [dns, busy, ConnectionResetError()])
    path = sysroots.fetch_deb(packages["zlib1g"], str(tmp_path), mirror, waits.append)
    assert open(path, "rb").read() == PAYLOAD and waits == [2, 4, 8] and len(mirror.asked) == 4
    waits.clear()
    down = Flaky({}, [dns] * 10)
    with pytest.raises(sysroots.SysrootError, match=r"libc6_2.41-1_s390x.deb: .*name resolution.* \(6 attempts\)"):
        sysroots.fetch_deb(packages["libc6"], str(tmp_path), down, waits.append)
    assert waits == list(sysroots.TRANSIENT_WAITS) and len(down.asked) == 6
    forbidden = Flaky({}, [urllib.error.HTTPError("u", 403, "Forbidden", {}, None)])
    with pytest.raises(sysroots.SysrootError, match="HTTP 403"):
        sysroots.fetch_deb(packages["libc6"], str(tmp_path), forbidden, waits.append)
    assert len(forbidden.asked) == 1


def test_a_file_the_mirror_no_longer_serves_is_taken_from_unstable(tmp_path):
    packages, _ = index()
    newer = dict(packages["libc6"], Version="2.43-1", Filename="pool/main/g/glibc/libc6_2.43-1_s390x.deb")
    mirror = Mirror({"zlib1g_1.3-1_s390x.deb": PAYLOAD, "libc6_2.43-1_s390x.deb": PAYLOAD})
    debs, replaced = sysroots.fetch_all([packages["zlib1g"], packages["libc6"]], str(tmp_path),
                                        lambda: {"libc6": newer}, mirror)
    assert [os.path.basename(d) for d in debs] == ["zlib1g_1.3-1_s390x.deb", "libc6_2.43-1_s390x.deb"]
    assert replaced == ["libc6 2.41-1 -> 2.43-1 (sid)"]
    with pytest.raises(sysroots.SysrootError, match="libgcc-s1_14.2.0-1_s390x.deb is not served, nor is sid's"):
        sysroots.fetch_all([packages["libgcc-s1"]], str(tmp_path), lambda: {}, mirror)


def test_links_resolve_inside_the_sysroot(tmp_path):
    root = tmp_path / "root"
    (root / "usr/lib/s390x-linux-gnu").mkdir(parents=True)
    (root / "usr/lib/s390x-linux-gnu/ld64.so.1").write_text("loader")
    (root / "usr/lib/s390x-linux-gnu/libc.so.6").write_text("libc")
    os.symlink("/usr/lib/s390x-linux-gnu/ld64.so.1", root / "usr/lib/ld64.so.1")
    sysroots.relocate_links(str(root))
    assert os.readlink(root / "usr/lib/ld64.so.1") == "s390x-linux-gnu/ld64.so.1"
    assert os.readlink(root / "lib") == "usr/lib" and os.readlink(root / "lib64") == "usr/lib"
    assert (root / "lib64/ld64.so.1").read_text() == "loader"
    assert (root / "etc/ld.so.cache").read_text() == ""  # not this machine's
    assert sysroots.multiarch_of(str(root)) == "s390x-linux-gnu"


def test_the_host_runs_with_the_sysroots_loader_and_targets_under_their_emulator():
    host = sysroots.interpreter_command("amd64", "x86_64-linux-gnu", "3.15")
    assert sysroots.run_command("/s", "amd64", "", host) == [
        "/s/lib64/ld-linux-x86-64.so.2", "--library-path", "/s/lib/x86_64-linux-gnu:/s/usr/lib/x86_64-linux-gnu",
        "/s/usr/bin/python3.15"]
    target = sysroots.interpreter_command("s390x", "s390x-linux-gnu", "3.13")
    assert sysroots.run_command("/s", "s390x", "qemu-s390x", target) == [
        "qemu-s390x", "-L", "/s", "/s/usr/bin/python3.13"]


def test_the_plan_covers_each_architecture_and_suite_the_lists_hold(tmp_path):
    for suite, arch in (("bookworm", "amd64"), ("sid", "amd64"), ("trixie", "s390x")):
        (tmp_path / f"deb.debian.org_debian_dists_{suite}_main_binary-{arch}_Packages.lz4").write_text("")
    plans = sysroots.plans(sysroots.tables.ROOT, str(tmp_path))
    assert ("amd64", "bookworm", ["3.11"]) in plans and ("amd64", "sid", ["3.14", "3.15"]) in plans
    assert ("s390x", "trixie", ["3.13"]) in plans and len(plans) == 3


def test_a_sysroot_that_cannot_be_made_leaves_why_for_its_tests(tmp_path, monkeypatch):
    monkeypatch.setattr(sysroots, "plans", lambda root, lists: [("s390x", "trixie", ["3.13"])])

    def broken(cache, lists, arch, suite, versions, qemu, log):
        raise sysroots.SysrootError("python3.13 does not run from the s390x trixie sysroot:\n  Illegal instruction")
    monkeypatch.setattr(sysroots, "make_sysroot", broken)
    (tmp_path / "sysroots").mkdir()
    failures = sysroots.make_all(str(tmp_path), "root", {"s390x": ("qemu-s390x", "s390x-linux-gnu")})
    assert failures == {("s390x", "trixie"): "python3.13 does not run from the s390x trixie sysroot:\n  Illegal instruction"}
    assert (tmp_path / "sysroots" / "s390x-trixie.FAILED").read_text() == (
        "multiarch s390x-linux-gnu\nversions 3.13\n"
        "why no s390x trixie sysroot: python3.13 does not run from the s390x trixie sysroot: Illegal instruction\n")
    monkeypatch.setattr(sysroots, "make_sysroot", lambda *a: [])
    assert sysroots.make_all(str(tmp_path), "root", {}) == {("s390x", "trixie"): None}
    assert not (tmp_path / "sysroots" / "s390x-trixie.FAILED").exists()


def test_lists_older_than_the_mirror_are_fetched_again_once(tmp_path, monkeypatch):
    monkeypatch.setattr(sysroots, "plans", lambda root, lists: [("s390x", "sid", ["3.15"]), ("arm64", "sid", ["3.15"])])
    made, refreshed = [], []

    def make(cache, lists, arch, suite, versions, qemu, log):
        if not refreshed:
            raise sysroots.NotServed("pool/main/g/glibc/libc6_2.43-1_s390x.deb is not served, nor is sid's libc6")
        made.append(arch)
        return []
    monkeypatch.setattr(sysroots, "make_sysroot", make)
    (tmp_path / "sysroots").mkdir()
    logged = []
    failures = sysroots.make_all(str(tmp_path), "root", {}, logged.append, refresh=lambda: refreshed.append(1))
    assert failures == {("s390x", "sid"): None, ("arm64", "sid"): None}
    assert refreshed == [1] and sorted(made) == ["arm64", "s390x"]
    assert "fetching the package lists again" in logged[0]
    # Still not served after one refresh: a failure that says so.
    refreshed.clear()
    monkeypatch.setattr(sysroots, "make_sysroot", lambda *a: (_ for _ in ()).throw(sysroots.NotServed("gone")))
    failures = sysroots.make_all(str(tmp_path), "root", {}, logged.append, refresh=lambda: refreshed.append(1))
    assert failures == {("s390x", "sid"): "gone", ("arm64", "sid"): "gone"} and refreshed == [1]


def build_deb(tmp_path, package, version, files, links=()):
    """A real .deb (dpkg-deb --build) of FILES ({path: text}) and symbolic LINKS ((path, target))."""
    tree = tmp_path / f"tree-{package}"
    (tree / "DEBIAN").mkdir(parents=True)
    (tree / "DEBIAN" / "control").write_text(f"Package: {package}\nVersion: {version}\nArchitecture: s390x\n"
                                             "Maintainer: nobody <nobody@example.org>\nDescription: a test\n")
    for path, text in files.items():
        (tree / path).parent.mkdir(parents=True, exist_ok=True)
        (tree / path).write_text(text)
        (tree / path).chmod(0o755)
    for path, target in links:
        (tree / path).parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target, tree / path)
    deb = tmp_path / f"{package}_{version}_s390x.deb"
    assert subprocess.run(["dpkg-deb", "--root-owner-group", "--build", str(tree), str(deb)],
                          capture_output=True).returncode == 0
    return deb.read_bytes()


def test_a_sysroot_is_made_from_the_index_and_kept_while_its_key_holds(tmp_path, monkeypatch):
    debs = {"python3.15-minimal_3.15.2-1_s390x.deb": build_deb(tmp_path, "python3.15-minimal", "3.15.2-1",
                                                               {"usr/bin/python3.15": "an interpreter"}),
            "libpython3.15-stdlib_3.15.2-1_s390x.deb": build_deb(tmp_path, "libpython3.15-stdlib", "3.15.2-1",
                                                                 {"usr/lib/python3.15/ctypes/__init__.py": ""}),
            "libc6_2.43-1_s390x.deb": build_deb(tmp_path, "libc6", "2.43-1",
                                                {"usr/lib/s390x-linux-gnu/libc.so.6": "libc"},
                                                [("usr/lib/ld64.so.1", "/usr/lib/s390x-linux-gnu/libc.so.6")])}
    lists = tmp_path / "lists"
    lists.mkdir()
    (lists / "deb.debian.org_debian_dists_sid_main_binary-s390x_Packages").write_text("".join(
        f"Package: {name.split('_')[0]}\nVersion: {name.split('_')[1]}\nArchitecture: s390x\n"
        + ("Depends: libc6 (>= 2.38)\n" if not name.startswith("libc6") else "")
        + f"Filename: pool/main/x/{name}\nSHA256: {hashlib.sha256(data).hexdigest()}\n\n"
        for name, data in debs.items()))
    mirror = Mirror(debs)
    monkeypatch.setattr(sysroots.urllib.request, "urlopen", mirror)
    # The emulator's stand-in: runs "python3.15 -I -c ..." by saying its version.
    qemu = tmp_path / "qemu-s390x"
    qemu.write_text("#!/bin/sh\necho 3.15\n")
    qemu.chmod(0o755)
    (tmp_path / "cache").mkdir()
    logged = []
    ready = sysroots.make_sysroot(str(tmp_path / "cache"), str(lists), "s390x", "sid", ["3.15"], str(qemu),
                                  logged.append)
    assert ready == [("3.15", "3.15.2-1", ["@SYSROOT@/usr/bin/python3.15"])]
    root = tmp_path / "cache" / "sysroots" / "s390x-sid"
    assert (root / "MULTIARCH").read_text() == "s390x-linux-gnu\n"
    assert os.readlink(root / "usr/lib/ld64.so.1") == "s390x-linux-gnu/libc.so.6"
    assert "sysroot s390x-sid (python3.15, 3 packages) made" in logged[0]
    assert sysroots.interpreters(str(tmp_path / "cache"), "s390x") == [("3.15", str(root), ready[0][2])]
    # Again: the same packages, nothing fetched or unpacked.
    asked = len(mirror.asked)
    assert sysroots.make_sysroot(str(tmp_path / "cache"), str(lists), "s390x", "sid", ["3.15"], str(qemu)) == ready
    assert len(mirror.asked) == asked
    # A standard library that does not byte-compile is an error that says why.
    qemu.write_text('#!/bin/sh\ncase "$*" in *compileall*) echo "SyntaxError: bad.py"; exit 1;; esac; echo 3.15\n')
    (root / ".key").write_text("another key\n")
    with pytest.raises(sysroots.SysrootError, match="python3.15's standard library does not byte-compile in the "
                                                    "s390x sysroot: SyntaxError: bad.py"):
        sysroots.make_sysroot(str(tmp_path / "cache"), str(lists), "s390x", "sid", ["3.15"], str(qemu))
    # An interpreter that does not run is an error that says what it printed.
    qemu.write_text("#!/bin/sh\necho 'error while loading shared libraries: libz.so.1'; exit 127\n")
    (root / ".key").write_text("another key\n")
    with pytest.raises(sysroots.SysrootError, match="python3.15 does not run from the s390x sid sysroot: error while"):
        sysroots.make_sysroot(str(tmp_path / "cache"), str(lists), "s390x", "sid", ["3.15"], str(qemu))


def test_the_hosts_sysroots_are_made_before_the_others(tmp_path, monkeypatch):
    monkeypatch.setattr(sysroots, "plans", lambda root, lists: [("arm64", "sid", ["3.15"]), ("amd64", "sid", ["3.15"]),
                                                                ("s390x", "sid", ["3.15"])])
    order = []
    monkeypatch.setattr(sysroots, "make_sysroot", lambda cache, lists, arch, *a: order.append(arch))
    (tmp_path / "sysroots").mkdir()
    assert set(sysroots.make_all(str(tmp_path), "root", {}).values()) == {None}
    assert order[0] == "amd64" and sorted(order[1:]) == ["arm64", "s390x"]
