"""ci/harness/audit.py: probe objects read back, manifests against their
baselines and the invariants, on the committed manifests and on mutants of
them; libabigail's part with stand-ins for abidw and abidiff."""
import copy
import json
import os
import shutil
import stat

import pytest

from ci.harness import audit
from ci.harness.tests.conftest import ROOT

MANIFESTS = os.path.join(ROOT, "abi", "manifests")
INVARIANTS = os.path.join(ROOT, "abi", "invariants.json")


def committed(name):
    with open(os.path.join(MANIFESTS, f"{name}.json")) as f:
        return json.load(f)


def leaves(obj, prefix=""):
    """The integer and boolean leaves of a manifest's implementation, as the
    probe's record holds them ("PyObject.fields.ob_type.offset")."""
    for k, v in obj.items():
        key = f"{prefix}.{k}" if prefix else k
        if isinstance(v, dict):
            yield from leaves(v, key)
        elif isinstance(v, (bool, int)):
            yield key, int(v)


def entry(key, value=0):
    return key.encode().ljust(audit.KEY_BYTES, b"\0") + f"{value:016x}".encode() + b"\0"


def probe_object(impl, garbage=b"\x7fELF" + bytes(60), begin=1, end=True, tags=None):
    """The bytes of a probe object (abi/probe/probe.c) that records IMPL."""
    record = entry("HARNESS-ABI-PROBE-BEGIN") * begin + b"".join(entry(k, v) for k, v in leaves(impl)
                                                                 if k != "source")
    record += entry("HARNESS-ABI-PROBE-END") if end else b""
    images = {"static_image": "HARNESS-STATIC:", "runtime_image": "HARNESS-RUNTIME", "pyslot_image": "HARNESS-PYSLOT:"}
    for name, tag in (images if tags is None else tags).items():
        if name in impl:
            record += bytes(7) + tag.encode().ljust(audit.TAG_BYTES, b"\0") + bytes.fromhex(impl[name])
    return garbage + record + bytes(13)


def probes_of(tmp_path, manifest, skip=()):
    """A probes.txt and its objects for every implementation of MANIFEST."""
    lines = [f"#{k}={manifest[k]}" for k in ("target", "compiler", "system") if k in manifest]
    for name, impl in manifest["implementations"].items():
        if "skipped" in impl or name in skip:
            lines.append(f"{name}|{impl['source']}|-|-|{impl.get('skipped', 'skipped here')}")
            continue
        obj = tmp_path / f"{name}.o"
        obj.write_bytes(probe_object(impl))
        lines.append(f"{name}|{impl['source']}|{obj}|{tmp_path / f'lib{name}.so'}|")
    path = tmp_path / "probes.txt"
    path.write_text("\n".join(lines) + "\n")
    return str(path)


# ---- extract ----------------------------------------------------------------

@pytest.mark.parametrize("name", ["host-gcc", "s390x-linux-gnu-gcc", "i686-linux-gnu-gcc", "powerpc-linux-gnu-gcc"])
def test_extract_reads_back_every_committed_manifest(tmp_path, name):
    m = committed(name)
    got = audit.extract(probes_of(tmp_path, m), m["configuration"], m["abi_peer"], m["quadrant"])
    assert got == m
    assert list(got) == list(m)  # the same order of keys, as the baselines are written


def test_extract_of_real_msvc_says_where_it_was_built(tmp_path):
    m = committed("host-gcc")
    got = audit.extract(probes_of(tmp_path, m), "windows-msvc-x64", "msvc-x64", "64le", "on a windows host (a CI job)")
    assert got["built_elsewhere"] == "on a windows host (a CI job)"


def extract_error(tmp_path, data, impl_name="3.14"):
    obj = tmp_path / "p.o"
    obj.write_bytes(data)
    with pytest.raises(audit.AuditError) as e:
        audit.extract_object(str(obj), {})
    return str(e.value)


def test_extract_refuses_what_is_not_one_probe_record(tmp_path):
    impl = committed("host-gcc")["implementations"]["3.14"]
    assert "0 probe records (want one): not a probe object" in extract_error(tmp_path, b"\x7fELF" * 100)
    assert "an LTO object (-flto)" in extract_error(tmp_path, b"\x7fELF.gnu.lto_main" * 10)
    assert "2 probe records" in extract_error(tmp_path, probe_object(impl, begin=2))
    assert "runs past the end of the file" in extract_error(tmp_path, entry("HARNESS-ABI-PROBE-BEGIN") + entry("x")[:9])
    assert "the probe record has no end" in extract_error(
        tmp_path, entry("HARNESS-ABI-PROBE-BEGIN") + entry("PyObject.size", 16) * 260)
    bad_key = entry("HARNESS-ABI-PROBE-BEGIN") + entry("PyObject size", 16) + entry("HARNESS-ABI-PROBE-END")
    assert "entry 1 of the probe record is malformed" in extract_error(tmp_path, bad_key)
    bad_value = entry("HARNESS-ABI-PROBE-BEGIN") + entry("x")[:48] + b"000000000000001G\0"
    assert "entry 1 of the probe record is malformed" in extract_error(tmp_path, bad_value + entry("HARNESS-ABI-PROBE-END"))


def test_extract_refuses_implausible_sizes_and_images(tmp_path):
    impl = copy.deepcopy(committed("host-gcc")["implementations"]["3.15"])
    assert "0 copies of the image tag 'HARNESS-PYSLOT:'" in extract_error(tmp_path, probe_object(impl, tags={}))
    no_static = probe_object(impl, tags={"pyslot_image": "HARNESS-PYSLOT:"})
    assert "0 copies of the image tag 'HARNESS-STATIC:'" in extract_error(tmp_path, no_static)
    twice = probe_object(impl) + b"HARNESS-STATIC:\0" + bytes(16)
    assert "2 copies of the image tag 'HARNESS-STATIC:'" in extract_error(tmp_path, twice)
    assert "runs past the end of the file" in extract_error(tmp_path, probe_object(impl)[:-14])
    impl["PyObject"]["size"] = 65
    assert "PyObject.size 65 is not plausible" in extract_error(tmp_path, probe_object(impl))
    impl["PySlot"]["size"] = 100
    assert "PySlot.size 100 is not plausible" in extract_error(tmp_path, probe_object(impl))


def test_extract_of_abi3t_and_of_3_11_reads_only_the_images_there_are(tmp_path):
    m = committed("host-gcc")
    for name in ("abi3t", "3.11"):
        got = {}
        obj = tmp_path / f"{name}.o"
        obj.write_bytes(probe_object(m["implementations"][name]))
        audit.extract_object(str(obj), got)
        assert got == {k: v for k, v in m["implementations"][name].items() if k != "source"}


def test_extract_refuses_bad_probe_lists(tmp_path):
    with pytest.raises(audit.AuditError, match="cannot read .*is the configuration built"):
        audit.extract(str(tmp_path / "none.txt"), "x", "x", "64le")
    (tmp_path / "short.txt").write_text("3.14|model|x.o\n")
    with pytest.raises(audit.AuditError, match="malformed line"):
        audit.extract(str(tmp_path / "short.txt"), "x", "x", "64le")
    (tmp_path / "skipped.txt").write_text("#target=host\n\n3.14|model|-|-|no compiler\n")
    with pytest.raises(audit.AuditError, match="lists no probe"):
        audit.extract(str(tmp_path / "skipped.txt"), "x", "x", "64le")
    (tmp_path / "sh.txt").write_text(f"x|model|{tmp_path / 'missing.o'}|-|\n")
    with pytest.raises(audit.AuditError, match="cannot read the probe object"):
        audit.extract(str(tmp_path / "sh.txt"), "x", "x", "64le")


def test_extract_command_writes_the_manifest_and_says_what_is_wrong(tmp_path, capsys):
    m = committed("host-gcc")
    probes, out = probes_of(tmp_path, m), tmp_path / "out.json"
    assert audit.main(["extract", "--configuration", "host-gcc", "--abi-peer", "host", "--quadrant", "64le", probes,
                       str(out)]) == 0
    assert json.loads(out.read_text()) == m
    assert audit.main(["extract", "--abi-peer", "host", probes, str(out)]) == 2
    assert "extract needs --configuration" in capsys.readouterr().err
    (tmp_path / "sh.txt").write_text("x|model|/bin/sh|-|\n")
    assert audit.main(["extract", "--configuration", "x", "--abi-peer", "x", "--quadrant", "64le", str(tmp_path / "sh.txt"),
                       str(out)]) == 1
    assert "0 probe records" in capsys.readouterr().err


# ---- manifests against baselines and invariants -----------------------------

def manifests(tmp_path, *names, edit=None, under="run"):
    d = tmp_path / under
    d.mkdir(exist_ok=True)
    for name in names:
        m = committed(name)
        if edit:
            edit(name, m)
        (d / f"{name}.json").write_text(json.dumps(m))
    return str(d)


def test_the_committed_manifests_hold(capsys):
    status, report, summary = audit.audit_manifests(MANIFESTS, MANIFESTS, INVARIANTS)
    assert status == 0, capsys.readouterr().out
    assert "baselines unchanged; invariants hold; exit 0" in summary
    assert "- no difference" in report and "- all hold" in report
    assert "known divergence (abi/invariants.json same_abi): 3.11 m68k-linux-gnu-clang vs m68k-linux-gnu-gcc" in report
    for invariant in ("(a)", "(b)", "(b')", "(c)", "(d)", "(e)"):
        count = next(line for line in report.splitlines() if line.startswith(f"- {invariant} "))
        assert not count.endswith(": 0 implementations") and ": 0 implementation comparisons" not in count


def test_big_endian_manifest_with_the_little_endian_order_breaks_invariant_c(tmp_path, capsys):
    def edit(name, m):
        if name == "s390x-linux-gnu-gcc":
            m["implementations"]["3.14"]["PyObject"]["fields"]["ob_flags"]["offset"] = 6
    run = manifests(tmp_path, "host-gcc", "s390x-linux-gnu-gcc", edit=edit)
    status, _, _ = audit.audit_manifests(run, run, INVARIANTS)
    assert status == 12
    assert "invariant byte-order: 3.14 host-gcc vs s390x-linux-gnu-gcc: static.ob_flags: 5 vs 0" in capsys.readouterr().out


def test_compilers_of_one_abi_differing_outside_same_abi_break_invariant_a(tmp_path, capsys):
    with open(INVARIANTS) as f:
        inv = json.load(f)
    inv.pop("same_abi")
    (tmp_path / "inv.json").write_text(json.dumps(inv))
    assert audit.audit_manifests(MANIFESTS, MANIFESTS, str(tmp_path / "inv.json"))[0] == 12
    assert ("invariant same-abi: 3.11 m68k-linux-gnu-clang vs m68k-linux-gnu-gcc: PyObject.align: 4 vs 2"
            in capsys.readouterr().out)


def test_each_invariant_bites_on_its_own_mutant(tmp_path, capsys):
    def edit(name, m):
        impls = m["implementations"]
        impls["3.13"]["PyObject"]["fields"]["ob_type"]["offset"] = 4       # (b) stable ABI
        impls["3.15"]["PyABIInfo"]["size"] = 16                            # (b') module structs
        impls["real-3.14"]["constants"]["_Py_IMMORTAL_FLAGS"] = 3         # (e) model against real
        impls["3.11"]["data_model"]["PY_BIG_ENDIAN"] = 1                   # (e) byte order of pyconfig.h
        del impls["abi3t"]["PyModuleDef_Base"]                             # (b') abi3t has no PyModuleDef_Base
    run = manifests(tmp_path, "host-gcc", edit=edit)
    status, report, summary = audit.audit_manifests(MANIFESTS, run, INVARIANTS)
    out = capsys.readouterr().out
    assert status == 12 and "invariants FAIL" in summary
    for line in ("invariant stable-abi: host-gcc 3.13: ob_type at 4, not right after ob_refcnt (8)",
                 "invariant stable-abi: host-gcc 3.13: PyObject.fields.ob_type.offset is 4, 8 in 3.11",
                 "invariant module-structs: host-gcc 3.15: PyABIInfo is 16 bytes, not 12",
                 "invariant model-vs-real: host-gcc 3.14 vs real-3.14: constants._Py_IMMORTAL_FLAGS: 1 -> 3",
                 "invariant byte-order: host-gcc 3.11: the headers say big-endian",
                 "invariant module-structs: host-gcc abi3t: PyObject is opaque, and PyModuleDef_Base present",
                 "host-gcc 3.15: PyABIInfo.size: 12 -> 16 [incompatible]"):
        assert line in out
    assert "| host-gcc | host | 64le | 17 | 0 | INCOMPATIBLE (" in report


def test_pyslot_on_32_bit_big_endian_holds_the_pointer_in_its_high_half(tmp_path, capsys):
    def edit(name, m):
        m["implementations"]["3.15"]["pyslot_image"] = "00 00 00 00 00 00 00 00 01 00 00 00 00 00 00 00"
    run = manifests(tmp_path, "powerpc-linux-gnu-gcc", edit=edit)
    assert audit.audit_manifests(run, run, INVARIANTS)[0] == 12
    assert "sl_ptr = 1 reads 72057594037927936 in sl_uint64 (4294967296 wanted: the high half" in capsys.readouterr().out


def test_the_baseline_comparison_names_every_kind_of_change(tmp_path, capsys):
    def edit(name, m):
        impls = m["implementations"]
        impls["3.11"] = {"source": "model", "skipped": "no compiler"}
        impls.pop("3.12")
        impls["3.16"] = copy.deepcopy(impls["3.15"])
        impls["user-3.14"] = copy.deepcopy(impls["real-3.14"]) | {"source": "user"}
        impls["real-3.12"] = copy.deepcopy(impls["real-3.13"]) | {"source": "local"}
        impls["3.13"]["constants"]["_Py_NEW"] = 1
        del impls["3.14"]["runtime_image"]
    run = manifests(tmp_path, "host-gcc", edit=edit)
    (tmp_path / "run" / "new-config.json").write_text(json.dumps(committed("host-clang") | {"configuration": "new-config"}))
    elsewhere = committed("host-clang") | {"configuration": "windows-msvc-x64", "built_elsewhere": "on a windows host"}
    (tmp_path / "run" / "windows-msvc-x64.json").write_text(json.dumps(elsewhere))
    status, report, summary = audit.audit_manifests(MANIFESTS, run, None)
    out = capsys.readouterr().out
    assert status == 12 and "baselines INCOMPATIBLE" in summary
    for line in ("host-gcc 3.11: skipped in this run, measured in the baseline",
                 "host-gcc 3.12: in the baseline, not in this run",
                 "host-gcc 3.13: constants._Py_NEW: (absent) -> 1",
                 "host-gcc 3.14: runtime_image: 00 00 00 c0 00 00 01 00 00 00 00 00 00 00 00 00 -> (removed) [incompatible]",
                 "host-gcc 3.16: new implementation, not in the baseline",
                 "host-gcc user-3.14: your own headers, checked by the invariants, not against a baseline",
                 "host-gcc real-3.12: headers installed on this machine",
                 "new-config: no baseline (a new configuration",
                 "windows-msvc-x64: built on a windows host, no baseline here: checked by the invariants"):
        assert line in out
    assert "| windows-msvc-x64 | host | 64le | 17 | 0 | invariants only |" in report
    assert "| new-config | host | 64le | 17 | 0 | no baseline (1) |" in report
    assert "Skipped (1): no compiler: host-gcc 3.11." in report
    assert "(36 not in this run, 1 without one)" in summary


def test_compare_command(tmp_path, capsys):
    def edit(name, m):
        m["implementations"]["3.15"]["PyObject"]["fields"]["ob_flags"]["offset"] = 4
        m["implementations"]["3.11"]["skipped"] = "gone"
    run = manifests(tmp_path, "host-gcc", edit=edit)
    base = os.path.join(MANIFESTS, "host-gcc.json")
    assert audit.main(["compare", base, base]) == 0
    assert audit.main(["compare", base, os.path.join(run, "host-gcc.json")]) == 12
    out = capsys.readouterr().out
    assert "host-gcc 3.15: PyObject.fields.ob_flags.offset: 6 -> 4 [incompatible]" in out
    assert "host-gcc 3.11: skipped in this run" in out
    assert audit.main(["compare", base]) == 2


def test_bad_manifests_are_errors_that_say_where(tmp_path, capsys):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "host-gcc.json").write_text(open(os.path.join(MANIFESTS, "host-gcc.json")).read()[:200])
    assert audit.main(["manifests", MANIFESTS, str(bad)]) == 1
    assert "host-gcc.json: not JSON: " in capsys.readouterr().err
    for text, said in ((json.dumps({"schema": "other"}), "not a harness ABI manifest"),
                       (json.dumps(committed("host-clang")), "its configuration is host-clang"),
                       (json.dumps(committed("host-gcc") | {"implementations": {"3.14": {"source": "model"}}}),
                        "implementation 3.14 has no PyObject size, fields or static image")):
        (bad / "host-gcc.json").write_text(text)
        with pytest.raises(audit.AuditError, match=said):
            audit.audit_manifests(MANIFESTS, str(bad))
    with pytest.raises(audit.AuditError, match="holds no manifest"):
        audit.audit_manifests(MANIFESTS, str(tmp_path / "run"), None) if (tmp_path / "run").mkdir() is None else None
    with pytest.raises(audit.AuditError, match="cannot read the directory"):
        audit.audit_manifests(MANIFESTS, str(tmp_path / "none"))
    (tmp_path / "inv.json").write_text("{")
    with pytest.raises(audit.AuditError, match="inv.json: not JSON"):
        audit.audit_manifests(MANIFESTS, MANIFESTS, str(tmp_path / "inv.json"))
    assert audit.main(["manifests", MANIFESTS]) == 2
    assert "manifests needs BASELINE_DIR and RUN_DIR" in capsys.readouterr().err
    assert audit.main(["manifests", "--report"]) == 2
    assert audit.main(["--what"]) == 2
    assert "unknown option '--what'" in capsys.readouterr().err


def test_a_report_that_cannot_be_written_is_an_error(tmp_path, capsys):
    (tmp_path / "file").write_text("")
    assert audit.main(["manifests", "--report", str(tmp_path / "file" / "r.md"), MANIFESTS, MANIFESTS]) == 1
    assert "abi-audit: error: " in capsys.readouterr().err


def test_an_unknown_preset_is_a_usage_error(capsys):
    assert audit.main(["no-such"]) == 2
    assert "unknown preset 'no-such'" in capsys.readouterr().err


# ---- the whole audit, libabigail included -----------------------------------

def fake_tool(bin_dir, name, body):
    path = bin_dir / name
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)


@pytest.fixture
def audit_tree(tmp_path, monkeypatch):
    """A tree with abi/ (host-gcc's baselines only), host-gcc's probes built
    in build/, and stand-ins for abidw (the library's name and size) and
    abidiff (exit 4 and both files when they differ)."""
    for rel in ("abi/invariants.json", "abi/abigail/suppressions.ini", "abi/abigail/steps"):
        src, dst = os.path.join(ROOT, rel), tmp_path / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        (shutil.copytree if os.path.isdir(src) else shutil.copy)(src, dst)
    (tmp_path / "abi" / "manifests").mkdir()
    shutil.copy(os.path.join(MANIFESTS, "host-gcc.json"), tmp_path / "abi" / "manifests")
    m = committed("host-gcc")
    build = tmp_path / "build" / "host-gcc" / "abi"
    build.mkdir(parents=True)
    probes_of(build, m)
    for name in m["implementations"]:
        (build / f"lib{name}.so").write_text(f"library {name.replace('user-', 'real-')}\n")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake_tool(bin_dir, "abidw", 'for a; do :; done; case $a in *broken*) echo "abidw: no debug info" >&2; exit 1;; esac\n'
              'cat "$a"\n')
    fake_tool(bin_dir, "abidiff", 'for a; do old=$new; new=$a; done\n'
              'case "$*" in *--harmless*) echo "type struct _object was a defined type and is now a declaration-only type"; '
              'echo "type struct PyVarObject was a defined type and is now a declaration-only type"; exit 0;; esac\n'
              'cmp -s "$old" "$new" && exit 0; cat "$old" "$new"; exit 4\n')
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_whole_audit_with_libabigail(audit_tree, capsys):
    # A first run has no abidw baselines: the refresh makes them.
    assert audit.audit(["host-gcc"], refresh_baselines=True) == 0
    out = capsys.readouterr().out
    assert "refreshed 1 manifests in abi/manifests/ and 1 abidw baselines" in out
    baselines = sorted(os.listdir(audit_tree / "abi" / "abigail" / "host"))
    assert "3.14.abi" in baselines and "real-3.14.abi" in baselines and "user-3.14.abi" not in baselines
    assert "user-3.14" not in (audit_tree / "abi" / "manifests" / "host-gcc.json").read_text()
    # Then an audit of the same probes finds nothing; the steps along each
    # chain of versions differ (another library each): a change, reported.
    status = audit.audit([])
    out = capsys.readouterr().out
    report = (audit_tree / "reports" / "abi" / "audit.md").read_text()
    assert status == 4, out
    assert "abidiff exit 4: host-gcc: 3.11 -> 3.12" in report
    assert "abi3t: host-gcc: real-3.15 -> abi3t shows PyObject (struct _object) and PyVarObject declaration-only" in out
    assert "- abidiff's reports: reports/abi/abigail.md" in report
    assert "## host-gcc: 3.11 -> 3.12 (abidiff exit 4)" in (audit_tree / "reports" / "abi" / "abigail.md").read_text()


def test_whole_audit_says_what_failed(audit_tree, capsys):
    (audit_tree / "build" / "host-gcc" / "abi" / "lib3.13.so").rename(audit_tree / "build" / "host-gcc" / "abi" / "broken")
    probes = audit_tree / "build" / "host-gcc" / "abi" / "probes.txt"
    probes.write_text(probes.read_text().replace("lib3.13.so", "broken"))
    status = audit.audit(["host-gcc"])
    assert status & audit.ERROR
    assert "abidw failed on host-gcc 3.13: abidw: no debug info" in capsys.readouterr().out
    with pytest.raises(audit.AuditError, match="not refreshing: the audit itself failed"):
        audit.audit(["host-gcc"], refresh_baselines=True)
    with pytest.raises(audit.AuditError, match="s390x-linux-gnu-gcc is not built in build/"):
        audit.audit(["s390x-linux-gnu-gcc"])
    shutil.rmtree(audit_tree / "build")
    with pytest.raises(audit.AuditError, match="no configuration is built"):
        audit.audit([])


def test_whole_audit_without_abidw_or_with_user_headers(audit_tree, monkeypatch, capsys):
    with_tools = os.environ["PATH"]
    monkeypatch.setenv("PATH", "/usr/bin/nonexistent")
    status = audit.audit(["host-gcc"])
    assert status & audit.ERROR
    assert "skipped: abidw is not installed" in (audit_tree / "reports" / "abi" / "audit.md").read_text()
    monkeypatch.setenv("PATH", with_tools)
    m = committed("host-gcc")
    m["implementations"]["user-3.14"] = m["implementations"]["real-3.14"] | {"source": "user"}
    probes_of(audit_tree / "build" / "host-gcc" / "abi", m)
    (audit_tree / "build" / "host-gcc" / "abi" / "libuser-3.14.so").write_text("library real-3.14\n")
    with pytest.raises(audit.AuditError, match="your own headers"):
        audit.audit(["host-gcc"], refresh_baselines=True)
    assert "host-gcc user-3.14: your own headers" in capsys.readouterr().out


def test_whole_audit_with_a_probe_it_cannot_read(audit_tree):
    (audit_tree / "build" / "host-gcc" / "abi" / "3.14.o").write_bytes(b"\x7fELF")
    with pytest.raises(audit.AuditError, match="host-gcc: its probes could not be read"):
        audit.audit(["host-gcc"])
    (audit_tree / "abi" / "manifests" / "host-gcc.json").write_text("{")
    (audit_tree / "build" / "host-gcc" / "abi" / "3.14.o").write_bytes(probe_object(
        committed("host-gcc")["implementations"]["3.14"]))
    with pytest.raises(audit.AuditError, match="not JSON"):
        audit.audit(["host-gcc"])
    assert "The audit itself failed" in (audit_tree / "reports" / "abi" / "audit.md").read_text()
