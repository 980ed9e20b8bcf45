"""ci/harness/reuse.py: the key changes with anything a test depends on, and
with nothing else."""
import json

from ci.harness import reuse


def ctest_json(command, env=()):
    props = [{"name": "ENVIRONMENT", "value": list(env)}] if env else []
    return json.dumps({"tests": [{"name": "t", "command": command, "properties": props}]})


def test_unreadable_input_gives_no_key():
    assert reuse.reuse_key("not json") == ""
    assert reuse.reuse_key("{}") == ""


def test_the_key_follows_the_files_a_test_names(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    program = tmp_path / "prog"
    program.write_text("one")
    text = ctest_json([str(program), "3.14"])
    first = reuse.reuse_key(text)
    assert first and first == reuse.reuse_key(text)
    program.write_text("two")
    assert reuse.reuse_key(text) != first


def test_the_key_follows_files_in_definitions_and_environment(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    module = tmp_path / "ext.so"
    module.write_text("a")
    by_define = ctest_json(["cmake", f"-DCOMMAND={module};x"])
    by_env = ctest_json(["prog"], [f"HARNESS_LEGACY_MODULE={module}"])
    keys = reuse.reuse_key(by_define), reuse.reuse_key(by_env)
    module.write_text("b")
    assert reuse.reuse_key(by_define) != keys[0]
    assert reuse.reuse_key(by_env) != keys[1]


def test_the_key_follows_the_steering_environment_only(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    text = ctest_json(["true"])
    monkeypatch.delenv("CK_FORK", raising=False)
    base = reuse.reuse_key(text)
    monkeypatch.setenv("SOMETHING_ELSE", "1")
    assert reuse.reuse_key(text) == base
    monkeypatch.setenv("CK_FORK", "no")
    assert reuse.reuse_key(text) != base


def test_steering_names():
    for name in ("HARNESS_LEGACY_MODULE", "ASAN_OPTIONS", "CK_FORK", "QEMU_LD_PREFIX", "WINEDEBUG"):
        assert reuse.STEERING.match(name), name
    for name in ("HOME", "PATH", "HARNESS_RERUN"):
        assert not reuse.STEERING.match(name), name


def test_a_build_directory_adds_its_depfiles_and_compilers(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    build = tmp_path / "build" / "p"
    (build / "cases" / "proofs" / "i").mkdir(parents=True)
    header = tmp_path / "refcount.h"
    header.write_text("v1")
    (build / "cases" / "proofs" / "i" / "proof.x.deps").write_text(f"{header}\n")
    (build / "CMakeCache.txt").write_text("CMAKE_C_COMPILER:FILEPATH=/bin/true\n")
    text = ctest_json(["true"])
    first = reuse.reuse_key(text, str(build))
    assert first != reuse.reuse_key(text)
    header.write_text("v2")
    assert reuse.reuse_key(text, str(build)) != first
    assert (tmp_path / "build" / ".harness-tool-versions.json").exists()


def test_the_key_follows_what_every_runner_includes(tmp_path, monkeypatch):
    tables, verdict = tmp_path / "harness_tables.cmake", tmp_path / "verdict.cmake"
    tables.write_text("set(A 1)\n")
    verdict.write_text("function(harness_verdict)\n")
    monkeypatch.setattr(reuse, "RUNNERS_INCLUDE", (str(tables), str(verdict)))
    text = ctest_json(["cmake", "-P", "run-case.cmake"])
    first = reuse.reuse_key(text)
    verdict.write_text("function(harness_verdict) # changed\n")
    assert reuse.reuse_key(text) != first


# ---- the other keys ---------------------------------------------------------------

def test_the_configure_key_follows_what_configure_read():
    base = reuse.configure_key("findings", ["-B", "b"], "qemu-user 1", "#define X 1")
    assert base == reuse.configure_key("findings", ["-B", "b"], "qemu-user 1", "#define X 1")
    for changed in (("other", ["-B", "b"], "qemu-user 1", "#define X 1"), ("findings", ["-B", "c"], "qemu-user 1", ""),
                    ("findings", ["-B", "b"], "qemu-user 2", "#define X 1"),
                    ("findings", ["-B", "b"], "qemu-user 1", "#define X 2")):
        assert reuse.configure_key(*changed) != base


def test_the_audit_key_follows_the_probes_and_the_baselines(tmp_path, monkeypatch):
    monkeypatch.setattr(reuse, "ROOT", str(tmp_path))
    (tmp_path / "abi" / "manifests").mkdir(parents=True)
    (tmp_path / "abi" / "manifests" / "host-gcc.json").write_text("{}")
    probes = tmp_path / "build" / "host-gcc" / "abi"
    probes.mkdir(parents=True)
    (probes / "probes.txt").write_text("3.14|model|p.o|-|\n")
    key = reuse.audit_key("build", "reports", ["host-gcc"])
    assert key == reuse.audit_key("build", "reports", ["host-gcc"])
    assert key != reuse.audit_key("build", "reports", ["host-gcc", "host-clang"])
    (probes / "probes.txt").write_text("3.14|model|q.o|-|\n")
    changed = reuse.audit_key("build", "reports", ["host-gcc"])
    assert changed != key
    (tmp_path / "abi" / "manifests" / "host-gcc.json").write_text('{"x": 1}')
    assert reuse.audit_key("build", "reports", ["host-gcc"]) != changed


def test_setup_keys(tmp_path, monkeypatch):
    monkeypatch.setattr(reuse, "ROOT", str(tmp_path))
    (tmp_path / "toolchains" / "common").mkdir(parents=True)
    (tmp_path / "toolchains" / "t.cmake").write_text("set(A 1)")
    (tmp_path / "toolchains" / "common" / "linux.cmake").write_text("set(B 1)")
    (tmp_path / "src" / "debian").mkdir(parents=True)
    (tmp_path / "src" / "debian" / "changelog").write_text("check (0.15.2-2)")
    key = reuse.check_build_key(str(tmp_path / "src"), "t")
    (tmp_path / "toolchains" / "common" / "linux.cmake").write_text("set(B 2)")
    assert reuse.check_build_key(str(tmp_path / "src"), "t") != key
    debs = [("libpython3.14-dev", "amd64", "sid")]
    assert reuse.downloads_key(debs, []) != reuse.downloads_key(debs, [("nanobind-dev", "trixie", "usr")])
    assert reuse.debootstrap_key("trixie", "amd64", ["cbmc"]) == "debootstrap trixie amd64 minbase: cbmc"
