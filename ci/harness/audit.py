"""audit: the ABI audit of the object header (docs/abi-audit.md).

    python3 -m ci.harness audit [--refresh] [--build-root DIR] [--reports DIR] [PRESET...]
    python3 -m ci.harness audit extract --configuration NAME --abi-peer PEER --quadrant Q
                                        [--built-elsewhere WHERE] PROBES.TXT OUT.json
    python3 -m ci.harness audit manifests [--invariants FILE] [--report FILE.md] BASELINE_DIR RUN_DIR
    python3 -m ci.harness audit compare OLD.json NEW.json

(ci/abi-audit.sh runs the first.) For every built configuration, or those
named: read the manifests its probes carry (abi/probe, measured at compile
time: `extract`), compare them with the baselines in abi/manifests/ and
check the invariants of abi/invariants.json (`manifests`); on ELF targets,
describe each probe library with libabigail's abidw and abidiff it against
abi/abigail/, across versions and across compilers. The reports go to
REPORTS/abi/: audit.md, manifests/<preset>.json, abigail/.

--build-root: where the configurations are built (default build/; a run
with -DHARNESS_CPYTHON_INCLUDE builds in build/user/). --refresh: after
showing what changed, make this run the baselines (only for the
configurations in it): the one way baselines change. Review the diff, then
commit it with the reason.

Exit status, abidiff's bit field: 0 unchanged, 1 error, 2 usage error, 4 a
change, 8 an incompatible change (with 4). --refresh exits 0 unless there
was an error.
"""
import json
import os
import re
import shutil
import subprocess
import sys

from . import tables

ROOT = tables.ROOT
OK, ERROR, USAGE, CHANGE, INCOMPATIBLE = 0, 1, 2, 4, 8
SCHEMA = "harness-abi-manifest/2"  # 2: the ABI peer group is "abi_peer" (was "abi")
# The probe's record (abi/probe/probe.c): (key[48], value[17]) entries
# between a BEGIN and an END key, and images after 16-byte tags.
KEY_BYTES, VALUE_BYTES, TAG_BYTES = 48, 17, 16
ENTRY_BYTES = KEY_BYTES + VALUE_BYTES
KEY_CHARS = re.compile(r"[0-9A-Za-z_.-]+")
# One ABI peer group per quadrant has abidw baselines (abi/abigail/<peer>/): the JSON
# manifests cover every configuration; abidw's view adds the C types.
ABIGAIL_REFERENCES = ("host-gcc", "s390x-linux-gnu-gcc", "i686-linux-gnu-gcc", "powerpc-linux-gnu-gcc")
SUPPRESSIONS = "abi/abigail/suppressions.ini"


class AuditError(Exception):
    """The audit itself failed (exit 1), with what to say."""


class Usage(Exception):
    """A usage error (exit 2)."""


# ---- extract: probe objects to a manifest -----------------------------------

def _unique(data, needle):
    """(offset of the one place NEEDLE occurs or None, how many there are)."""
    count, at, found = 0, data.find(needle), None
    while at >= 0:
        found = at if found is None else found
        count += 1
        at = data.find(needle, at + 1)
    return found, count


def _image(data, obj, tag, size, required):
    """The SIZE bytes after TAG, as "00 c0 ..." (None if absent and not required)."""
    at, count = _unique(data, tag.encode().ljust(TAG_BYTES, b"\0"))
    if count == 0 and not required:
        return None
    if count != 1:
        raise AuditError(f"{obj}: {count} copies of the image tag '{tag}' (want one)")
    if at + TAG_BYTES + size > len(data):
        raise AuditError(f"{obj}: the image after '{tag}' runs past the end of the file")
    return " ".join(f"{b:02x}" for b in data[at + TAG_BYTES:at + TAG_BYTES + size])


def _set_path(obj, key, value):
    *parents, last = key.split(".")
    for part in parents:
        if not isinstance(obj.get(part), dict):
            obj[part] = {}
        obj = obj[part]
    obj[last] = value


def _number(impl, *path):
    """An integer at PATH of IMPL, 0 where there is none (as a missing field reads)."""
    for part in path:
        impl = impl.get(part) if isinstance(impl, dict) else None
    return impl if isinstance(impl, int) and not isinstance(impl, bool) else 0


def extract_object(obj, impl):
    """Adds one probe object's record and images to IMPL, an implementation's manifest."""
    try:
        with open(obj, "rb") as f:
            data = f.read()
    except OSError as e:
        raise AuditError(f"cannot read the probe object {obj}: {e.strerror}") from None
    at, count = _unique(data, b"HARNESS-ABI-PROBE-BEGIN".ljust(KEY_BYTES, b"\0"))
    if count != 1:
        why = ("an LTO object (-flto), which holds intermediate code, not the record's bytes" if b".gnu.lto_" in data
               else "not a probe object, or built by a compiler that does not keep the record")
        raise AuditError(f"{obj}: {count} probe records (want one): {why}")
    for i in range(1, 256):
        e = at + i * ENTRY_BYTES
        if e + ENTRY_BYTES > len(data):
            raise AuditError(f"{obj}: the probe record runs past the end of the file")
        raw_key, raw_value = data[e:e + KEY_BYTES], data[e + KEY_BYTES:e + ENTRY_BYTES]
        key = raw_key.split(b"\0", 1)[0].decode("latin-1")
        value = raw_value[:16].decode("latin-1")
        if (b"\0" not in raw_key or not KEY_CHARS.fullmatch(key) or raw_value[16] != 0
                or not re.fullmatch(r"[0-9a-f]{16}", value)):
            raise AuditError(f"{obj}: entry {i} of the probe record is malformed")
        if key == "HARNESS-ABI-PROBE-END":
            break
        _set_path(impl, key, bool(int(value, 16)) if key == "free_threaded" else int(value, 16))
    else:
        raise AuditError(f"{obj}: the probe record has no end")
    # 3.15's PySlot with sl_ptr 1 (abi/probe/probe.c), where there is one.
    slot = _number(impl, "PySlot", "size")
    if not 0 <= slot <= 64:
        raise AuditError(f"{obj}: PySlot.size {slot} is not plausible")
    if slot > 0:
        impl["pyslot_image"] = _image(data, obj, "HARNESS-PYSLOT:", slot, True)
    if "opaque" in impl.get("PyObject", {}):
        return  # abi3t: PyObject is opaque, no size, no images
    size = _number(impl, "PyObject", "size")
    if not 0 < size <= 64:
        raise AuditError(f"{obj}: PyObject.size {size} is not plausible")
    impl["static_image"] = _image(data, obj, "HARNESS-STATIC:", size, True)
    runtime = _image(data, obj, "HARNESS-RUNTIME", size, False)
    if runtime is not None:
        impl["runtime_image"] = runtime


# A probes.txt (abi/CMakeLists.txt writes it): "#key=value" facts, then one
# record per implementation with these fields, "|" between them.
PROBE_FIELDS = ("name", "kind", "object", "library", "skipped")


def read_probes(probes):
    """(facts, records) of a probes.txt: the facts as a dict, each record a
    tuple of PROBE_FIELDS."""
    try:
        with open(probes) as f:
            lines = f.read().splitlines()
    except OSError as e:
        raise AuditError(f"cannot read {probes}: {e.strerror} (is the configuration built?)") from None
    facts, records = {}, []
    for line in filter(None, lines):
        if line.startswith("#"):
            if "=" in line:
                key, value = line[1:].split("=", 1)
                facts[key] = value
            continue
        fields = line.split("|")
        if len(fields) < len(PROBE_FIELDS):
            raise AuditError(f"{probes}: malformed line (want name|kind|object|library|skip reason)")
        records.append(tuple(fields[:len(PROBE_FIELDS)]))
    return facts, records


def extract(probes, configuration, abi_peer, quadrant, elsewhere=None):
    """The manifest of a configuration from its probes.txt."""
    manifest = {"schema": SCHEMA, "configuration": configuration, "abi_peer": abi_peer, "quadrant": quadrant}
    if elsewhere:  # where it was built, and so where its baseline would come from
        manifest["built_elsewhere"] = elsewhere
    facts, records = read_probes(probes)
    manifest.update(facts)
    impls, probed = {}, 0
    for name, kind, obj, _, skipped in records:
        impls[name] = impl = {"source": kind}
        if skipped:
            impl["skipped"] = skipped
        else:
            extract_object(obj, impl)
            probed += 1
    if not probed:
        raise AuditError(f"{probes} lists no probe")
    manifest["implementations"] = impls
    return manifest


def write_json(path, value):
    with open(path, "w") as f:
        json.dump(value, f, indent=1, separators=(",", ": "))


# ---- flattened manifests ----------------------------------------------------

def _flatten_into(flat, prefix, value):
    if isinstance(value, dict):
        for k, v in value.items():
            _flatten_into(flat, f"{prefix}.{k}" if prefix else k, v)
    elif isinstance(value, bool):
        flat[prefix] = "true" if value else "false"
    else:
        flat[prefix] = str(value)


def _decode_image(flat, impl, image, struct, prefix):
    """An image's fields, as the structure STRUCT of the manifest lays them
    out, read in the target's byte order: "PREFIX.<field>" = value."""
    hexes, fields = impl.get(image), impl.get(struct, {}).get("fields")
    if not isinstance(hexes, str) or not isinstance(fields, dict):
        return
    data = bytes.fromhex(hexes)[:64]
    order = "big" if _number(impl, "data_model", "compiler_big_endian") else "little"
    for name, field in fields.items():
        off, size = _number(field, "offset"), _number(field, "size")
        if 1 <= size <= 8 and off >= 0 and off + size <= len(data):
            flat[f"{prefix}.{name}"] = str(int.from_bytes(data[off:off + size], order))


def flatten(impl):
    """An implementation's manifest as "path" -> value text, sorted by path,
    with the header images also decoded field by field ("static.ob_refcnt"),
    so that byte images can be compared across byte orders and word sizes."""
    flat = {}
    _flatten_into(flat, "", impl)
    _decode_image(flat, impl, "static_image", "PyObject", "static")
    _decode_image(flat, impl, "runtime_image", "PyObject", "runtime")
    _decode_image(flat, impl, "pyslot_image", "PySlot", "pyslot")
    return dict(sorted(flat.items()))


def is_binding(key):
    """Layout, images and constant values: what compiled extensions rely on.
    A change there is incompatible; an addition is only a change."""
    return key != "source"


def skip_identity(key):
    return key == "source"


def skip_raw(key):
    """Raw images differ with byte order and word size; their decoded fields
    ("static.*", "runtime.*") are compared instead."""
    return key in ("source", "static_image", "runtime_image", "pyslot_image")


# ---- the audit of manifests -------------------------------------------------

class Audit:
    """What an audit found: its exit bits, its lines and its counts."""

    def __init__(self):
        self.status = OK
        self.report = []          # markdown lines
        self.lines = 0            # lines that changed the status
        self.invariant_failures = 0
        self.checks = 0
        self.counts = dict.fromkeys(["same-abi", "stable-abi", "module-structs", "byte-order", "word-size",
                                     "model-vs-real"], 0)
        self.unreferenced = []    # configurations (c)/(d) could not check

    def note(self, bits, line):
        self.status |= bits
        self.lines += bits != 0
        print(line)
        self.report.append(f"- {line}")

    def failure(self, line):
        """An invariant that does not hold: an incompatible change."""
        self.invariant_failures += 1
        self.note(CHANGE | INCOMPATIBLE, line)

    def diff(self, what, old, new, skip=None):
        """Differences between two flattened manifests; SKIP ignores keys."""
        diffs = 0
        for key in sorted(old.keys() | new.keys()):
            if skip and skip(key):
                continue
            o, n = old.get(key), new.get(key)
            if o == n:
                continue
            bad = " [incompatible]" if o is not None and is_binding(key) else ""
            self.note(CHANGE | (INCOMPATIBLE if bad else 0),
                      f"{what}: {key}: {_shown(o)} -> {_shown(n, '(removed)')}{bad}")
            diffs += 1
        return diffs


def _shown(value, none="(absent)"):
    return none if value is None else value


def load_json(path):
    """A JSON file's value; an AuditError that says where, if it is none."""
    try:
        with open(path) as f:
            return json.load(f)
    except json.JSONDecodeError as e:
        raise AuditError(f"{path}: not JSON: {e.msg} (line {e.lineno}, column {e.colno})") from None
    except OSError as e:
        raise AuditError(f"cannot read {path}: {e.strerror}") from None


def load_manifest(path):
    m = load_json(path)
    if (not isinstance(m, dict) or m.get("schema") != SCHEMA or not isinstance(m.get("implementations"), dict)
            or not isinstance(m.get("configuration"), str)):
        raise AuditError(f'{path}: not a harness ABI manifest (want schema "{SCHEMA}", a configuration and '
                         "implementations)")
    for name, impl in m["implementations"].items():
        if "skipped" in impl:
            continue
        obj = impl.get("PyObject")
        obj = obj if isinstance(obj, dict) else {}
        if isinstance(obj.get("opaque"), int):
            continue  # abi3t: an opaque PyObject (abi/probe/probe.c)
        if (not isinstance(obj.get("size"), int) or not isinstance(obj.get("fields"), dict)
                or not isinstance(impl.get("static_image"), str)):
            raise AuditError(f"{path}: implementation {name} has no PyObject size, fields or static image")
    return m


def compare_manifests(a, old, new):
    """Two manifests of one configuration, implementation by implementation."""
    config = new["configuration"]
    old_impls, new_impls = old["implementations"], new["implementations"]
    for name, o in old_impls.items():
        n = new_impls.get(name)
        what = f"{config} {name}"
        a.checks += 1
        if n is None:
            a.note(CHANGE, f"{what}: in the baseline, not in this run")
            continue
        if "skipped" in o or "skipped" in n:
            if ("skipped" in o) != ("skipped" in n):
                a.note(CHANGE, f"{what}: " + ("skipped in this run, measured in the baseline" if "skipped" in n
                                              else "measured in this run, skipped in the baseline"))
            continue
        a.diff(what, flatten(o), flatten(n))
    for name, n in new_impls.items():
        if name in old_impls:
            continue
        # Headers of your own (-DHARNESS_CPYTHON_INCLUDE) and an install found
        # on this machine (real-3.12) have no baseline: the invariants judge
        # them, (e) against the model's version.
        source = n.get("source")
        if source == "user":
            a.note(OK, f"{config} {name}: your own headers, checked by the invariants, not against a baseline")
        elif source == "local":
            a.note(OK, f"{config} {name}: headers installed on this machine, checked by the invariants, "
                   "not against a baseline")
        else:
            a.note(CHANGE, f"{config} {name}: new implementation, not in the baseline")


# ---- invariants -------------------------------------------------------------

def version_of(impl):
    """The version an implementation's manifest is of: "3.14", "3.14t"."""
    return (f"{_number(impl, 'python', 'major')}.{_number(impl, 'python', 'minor')}"
            + ("t" if impl.get("free_threaded") is True else ""))


def _matches(want, value):
    if want is None:
        return value is None
    if isinstance(want, bool) or not isinstance(want, (int, str)):
        return False
    return value is not None and value == str(want)


def allowed(table, version, key, left, right):
    """Whether TABLE (of abi/invariants.json) allows KEY to be LEFT on the
    first side and RIGHT on the second, for VERSION or every version ("*"):
    "key": [left, right], null where the key is absent."""
    if not isinstance(table, dict):
        return False
    for entries in (table.get(version), table.get("*")):
        pair = entries.get(key) if isinstance(entries, dict) else None
        if isinstance(pair, list) and len(pair) == 2 and _matches(pair[0], left) and _matches(pair[1], right):
            return True
    return False


def _get(obj, *path):
    for part in path:
        obj = obj.get(part) if isinstance(obj, dict) else None
    return obj


def check_pair(a, invariant, left, right, across, table, quirks):
    """LEFT against RIGHT, implementation by implementation: every difference
    must be one TABLE (and QUIRKS, for RIGHT's ABI) allows."""
    lc, rc = left["configuration"], right["configuration"]
    for name, li in left["implementations"].items():
        ri = right["implementations"].get(name)
        if ri is None or "skipped" in li or "skipped" in ri:
            continue
        version = version_of(li)
        fl, fr = flatten(li), flatten(ri)
        a.checks += 1
        a.counts[invariant] += 1
        for key in sorted(fl.keys() | fr.keys()):
            lv, rv = fl.get(key), fr.get(key)
            # Across byte orders and word sizes the decoded images are compared.
            if (across and skip_raw(key)) or skip_identity(key) or lv == rv:
                continue
            if across and (allowed(table, version, key, lv, rv) or allowed(quirks, version, key, lv, rv)):
                continue
            shown = f"{_shown(lv)} vs {_shown(rv)}"
            # Between compilers of one ABI a difference is a divergence the
            # table names (either way round), and shown even so.
            if not across and (allowed(quirks, version, key, lv, rv) or allowed(quirks, version, key, rv, lv)):
                a.note(OK, f"known divergence (abi/invariants.json same_abi): {name} {lc} vs {rc}: {key}: {shown}")
                continue
            a.failure(f"invariant {invariant}: {name} {lc} vs {rc}: {key}: {shown}, which the fact sheet does not "
                      "allow (abi/invariants.json)")


def check_module_structs(a, config, name, impl):
    """(b'): 3.15's module ABI structs (fact sheet §9), wherever a manifest
    has them: PyABIInfo is 12 bytes and PySlot 16 on every data model; a
    pointer in PySlot fills sl_uint64 on 64-bit, its low half on 32-bit
    little-endian and its high half on 32-bit big-endian (the PySlot image
    has sl_ptr = 1); under abi3t PyModuleDef_Base is absent, elsewhere present."""
    f = flatten(impl)
    what = f"invariant module-structs: {config} {name}"
    a.counts["module-structs"] += any(k in f for k in ("PyABIInfo.size", "PySlot.size", "PyModuleDef_Base.size",
                                                        "PyModuleDef_Base.absent"))
    info, slot, value = f.get("PyABIInfo.size"), f.get("PySlot.size"), f.get("pyslot.sl_uint64")
    opaque, absent = "PyObject.opaque" in f, "PyModuleDef_Base.absent" in f
    a.checks += 1
    if info is not None and info != "12":
        a.failure(f"{what}: PyABIInfo is {info} bytes, not 12")
    if slot is not None:
        high = f.get("data_model.sizeof_void_p") == "4" and f.get("data_model.PY_BIG_ENDIAN") == "1"
        want = "4294967296" if high else "1"
        if slot != "16" or value != want:
            a.failure(f"{what}: PySlot is {slot} bytes (16 wanted), and sl_ptr = 1 reads {_shown(value, 'absent')} in "
                      f"sl_uint64 ({want} wanted: "
                      f"{'the high half, on 32-bit big-endian' if high else 'the low half, or all of it'})")
    if opaque != absent or (not opaque and "PyModuleDef_Base.size" not in f):
        a.failure(f"{what}: PyObject is {'opaque' if opaque else 'complete'}, and PyModuleDef_Base "
                  f"{'absent' if absent else 'present'}")


# Unchanged since the oldest version of a build kind.
STABLE_KEPT = (
    "PyObject.size", "PyVarObject.size", "PyVarObject.fields.ob_size.offset", "PyVarObject.fields.ob_size.size",
    "PyObject.fields.ob_type.offset", "PyObject.fields.ob_type.size",
    # free-threaded
    "PyObject.fields.ob_tid.offset", "PyObject.fields.ob_ref_local.offset", "PyObject.fields.ob_ref_local.size",
    "PyObject.fields.ob_ref_shared.offset", "PyObject.fields.ob_ref_shared.size",
)


def check_stable_abi(a, m):
    """(b): the stable ABI's promises, across the versions of one build kind
    in one configuration."""
    config, impls = m["configuration"], m["implementations"]
    base = {}  # per build kind (free-threaded or not): the oldest version measured, (name, impl)
    for name, impl in impls.items():
        if "skipped" in impl or "opaque" in impl.get("PyObject", {}):
            continue
        ft = impl.get("free_threaded") is True
        if ft not in base or _number(impl, "python", "minor") < _number(base[ft][1], "python", "minor"):
            base[ft] = (name, impl)
    for name, impl in impls.items():
        if "skipped" in impl:
            continue
        check_module_structs(a, config, name, impl)
        if "opaque" in impl.get("PyObject", {}):
            continue  # abi3t: no header to hold to the stable ABI's layout
        ft = impl.get("free_threaded") is True
        base_name, base_impl = base[ft]
        f, b = flatten(impl), flatten(base_impl)
        w = f.get("data_model.sizeof_Py_ssize_t")
        what = f"invariant stable-abi: {config} {name}"
        a.checks += 1
        a.counts["stable-abi"] += 1
        # ob_refcnt's word: at 0, as wide as Py_ssize_t (3.14+ 64-bit spell it ob_refcnt_full).
        word = "ob_refcnt_full" if "PyObject.fields.ob_refcnt_full.size" in f else "ob_refcnt"
        off, size = f.get(f"PyObject.fields.{word}.offset"), f.get(f"PyObject.fields.{word}.size")
        if not ft and (off != "0" or size is None or w is None or size != w):
            a.failure(f"{what}: {word} is not a Py_ssize_t ({_shown(w, '?')} bytes) at offset 0 (offset {_shown(off, 'absent')}, "
                      f"size {_shown(size, 'absent')})")
        type_off = f.get("PyObject.fields.ob_type.offset")
        if not ft and (type_off is None or w is None or type_off != w):
            a.failure(f"{what}: ob_type at {_shown(type_off, 'absent')}, not right after ob_refcnt ({_shown(w, '?')})")
        for key in STABLE_KEPT:
            now, then = f.get(key), b.get(key)
            if now != then:
                a.failure(f"{what}: {key} is {_shown(now, 'absent')}, {_shown(then, 'absent')} in {base_name}")


def check_model_vs_real(a, m):
    """(e): the model's declarations of a version equal its real headers' in
    the same configuration ("real-3.14" and "user-3.14" against "3.14"); and
    the headers' byte order (pyconfig.h's) is the compiler's."""
    config, impls = m["configuration"], m["implementations"]
    for name, impl in impls.items():
        if "skipped" in impl:
            continue
        py, cc = _number(impl, "data_model", "PY_BIG_ENDIAN"), _number(impl, "data_model", "compiler_big_endian")
        if py != cc:
            a.failure(f"invariant byte-order: {config} {name}: the headers say {'big' if py else 'little'}-endian "
                      f"(PY_BIG_ENDIAN, from pyconfig.h), the compiler builds {'big' if cc else 'little'}-endian: "
                      "a pyconfig.h of another target")
        if "-" not in name:
            continue
        model_name = name.split("-", 1)[1]
        model = impls.get(model_name)
        if model is None or "skipped" in model:
            continue
        a.checks += 1
        a.counts["model-vs-real"] += 1
        diffs = a.diff(f"invariant model-vs-real: {config} {model_name} vs {name}", flatten(model), flatten(impl),
                       skip_identity)
        if diffs:
            a.invariant_failures += diffs
            a.status |= CHANGE | INCOMPATIBLE


def _reference(run, refs, system, quadrant):
    """The first configuration of SYSTEM and QUADRANT whose ABI peer group
    the references list names, in the list's order."""
    for peer in _get(refs, system, quadrant) or []:
        for m in run:
            if m.get("abi_peer") == peer:
                return m
    return None


def check_invariants(a, run, inv):
    # (a) configurations of one ABI peer group (compilers of one target, and
    # MSVC's ABI with MinGW-w64's) are equal, each against the first of its group.
    for i, m in enumerate(run):
        first = next((k for k in run[:i] if k.get("abi_peer") == m.get("abi_peer")), None)
        if first is not None:
            check_pair(a, "same-abi", first, m, False, None, _get(inv, "same_abi", m.get("abi_peer")))
        check_stable_abi(a, m)
        check_model_vs_real(a, m)
    # (c) byte order and (d) word size: each configuration against the
    # reference of its system's other quadrant.
    refs = inv.get("references")
    for m in run:
        q, system = m.get("quadrant"), m.get("system")
        if not isinstance(q, str) or len(q) != 4 or not system:
            continue
        quirks = _get(inv, "target_quirks", m.get("abi_peer"))
        if q[2:] == "be":
            ref = _reference(run, refs, system, q[:2] + "le")
            if ref is None:
                a.unreferenced.append(f"{m['configuration']} (no {q[:2]}le reference)")
            else:
                check_pair(a, "byte-order", ref, m, True, _get(inv, "byte_order", q), _get(quirks, "byte_order"))
        if q.startswith("32"):
            ref = _reference(run, refs, system, "64" + q[2:])
            if ref is None:
                a.unreferenced.append(f"{m['configuration']} (no 64{q[2:]} reference)")
            else:
                check_pair(a, "word-size", m, ref, True, _get(inv, "word_size", q[2:]), _get(quirks, "word_size"))


def load_dir(directory, missing_ok=False):
    """The manifests of a directory, by name; each must be <configuration>.json."""
    try:
        names = sorted(n for n in os.listdir(directory) if n.endswith(".json") and len(n) > 5)
    except FileNotFoundError:
        if missing_ok:
            return []
        raise AuditError(f"cannot read the directory {directory}: No such file or directory") from None
    except OSError as e:
        raise AuditError(f"cannot read the directory {directory}: {e.strerror}") from None
    out = []
    for n in names:
        path = os.path.join(directory, n)
        m = load_manifest(path)
        if f"{m['configuration']}.json" != n:
            raise AuditError(f"{path}: its configuration is {m['configuration']}")
        out.append(m)
    return out


def audit_manifests(baselines, run_dir, invariants=None):
    """Every manifest of RUN_DIR against its baseline in BASELINES, and the
    invariants between them: (exit bits, the report's markdown, summary line)."""
    inv = load_json(invariants) if invariants else {}
    base = {m["configuration"]: m for m in load_dir(baselines, missing_ok=True)}
    run = load_dir(run_dir)
    if not run:
        raise AuditError(f"{run_dir} holds no manifest (did the configurations build?)")
    a = Audit()
    a.report.append(f"### Against the baselines in {baselines}\n")
    missing, verdicts = 0, []
    for m in run:
        config, elsewhere = m["configuration"], m.get("built_elsewhere")
        b = base.get(config)
        before, status = a.lines, a.status
        a.status = OK
        if b is None and elsewhere:
            # Built on another host (real MSVC on a Windows runner): no
            # baseline can be made here, the invariants judge it.
            a.note(OK, f"{config}: built {elsewhere}, no baseline here: checked by the invariants")
        elif b is None:
            missing += 1
            a.note(CHANGE, f"{config}: no baseline (a new configuration: refresh the baselines, docs/abi-audit.md)")
        else:
            compare_manifests(a, b, m)
        verdict = (("invariants only" if elsewhere else "no baseline") if b is None
                   else "INCOMPATIBLE" if a.status & INCOMPATIBLE else "changed" if a.status else "equal")
        verdicts.append(verdict + (f" ({a.lines - before})" if a.lines != before else ""))
        a.status |= status
    changes = a.status
    if not changes:
        a.report.append("- no difference")
    a.report += ["", "| configuration | ABI peer group | quadrant | measured | skipped | against the baseline |",
                 "|---|---|---|---|---|---|"]
    reasons = {}
    for m, verdict in zip(run, verdicts):
        impls = m["implementations"].items()
        skipped = [f"{m['configuration']} {name}" for name, impl in impls if "skipped" in impl]
        a.report.append(f"| {m['configuration']} | {m.get('abi_peer')} | {m.get('quadrant')} | "
                        f"{len(impls) - len(skipped)} | {len(skipped)} | {verdict} |")
        for name, impl in impls:
            if "skipped" in impl:
                reasons.setdefault(impl["skipped"], []).append(f"{m['configuration']} {name}")
    for why, who in reasons.items():  # every skip with its reason, once
        a.report += ["", f"Skipped ({len(who)}): {why}: {', '.join(who)}."]
    a.report += ["", "### Invariants", ""]
    check_invariants(a, run, inv)
    if not a.invariant_failures:
        a.report.append("- all hold")
    c = a.counts
    a.report += [
        f"- (a) one ABI, every compiler: {c['same-abi']} implementation comparisons",
        f"- (b) stable-ABI promises across versions: {c['stable-abi']} implementations",
        f"- (b') module structs (PyABIInfo, PySlot, PyModuleDef_Base): {c['module-structs']} implementations",
        f"- (c) little- against big-endian, only the documented field order: {c['byte-order']} implementation "
        "comparisons",
        f"- (d) 32- against 64-bit, only where the fact sheet says: {c['word-size']} implementation comparisons",
        f"- (e) the model's declarations against CPython's real headers: {c['model-vs-real']} implementation "
        "comparisons"]
    if a.unreferenced:
        a.report.append(f"- not checked for (c)/(d): {', '.join(a.unreferenced)}")
    only_base = sum(1 for config in base if config not in {m["configuration"] for m in run})
    summary = (f"abi-audit: {len(run)} configurations against {len(base)} baselines ({only_base} not in this run, "
               f"{missing} without one); {a.checks} comparisons; baselines "
               f"{'INCOMPATIBLE' if changes & INCOMPATIBLE else 'CHANGED' if changes else 'unchanged'}; invariants "
               f"{'FAIL' if a.invariant_failures else 'hold'}; exit {a.status}")
    print(summary)
    a.report += ["", summary]
    return a.status, "\n".join(a.report) + "\n", summary


# ---- libabigail -------------------------------------------------------------

class Abigail:
    """abidw's descriptions of the probe libraries, abidiff'd against the
    baselines of abi/abigail/, across compilers of one ABI, along each chain
    of versions, and from 3.15 to abi3t."""

    def __init__(self, out):
        self.out = out            # REPORTS/abi
        self.status = OK
        self.lines = []
        self.count = 0
        self.reports = []         # abigail.md's sections

    def _abidiff(self, *args):
        p = subprocess.run(["abidiff", "--no-show-locs", *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, errors="replace")
        self.count += 1
        return p.returncode, p.stdout.rstrip("\n")

    def compare(self, what, old, new, suppressions=None):
        """abidiff, its report kept when it finds something."""
        extra = ["--suppressions", suppressions] if suppressions and os.path.isfile(suppressions) else []
        rc, report = self._abidiff("--suppressions", SUPPRESSIONS, *extra, old, new)
        if rc:
            self.status |= rc
            self.lines.append(f"abidiff exit {rc}: {what}")
            self.reports.append(f"## {what} (abidiff exit {rc})\n\n```\n{report}\n```\n\n")

    def describe(self, preset, name, library):
        """abidw's description of LIBRARY, in abigail/PRESET/NAME.abi (None if it failed)."""
        d = os.path.join(self.out, "abigail", preset)
        path, err = os.path.join(d, f"{name}.abi"), os.path.join(d, f"{name}.err")
        with open(path, "w") as out, open(err, "w") as log:
            rc = subprocess.run(["abidw", "--no-corpus-path", "--no-show-locs", "--no-comp-dir-path",
                                 "--drop-private-types", "--suppressions", SUPPRESSIONS, library],
                                stdout=out, stderr=log).returncode
        if rc:
            with open(err, errors="replace") as f:
                self.lines.append(f"abidw failed on {preset} {name}: {f.read(300)}")
            self.status |= ERROR
            return None
        os.remove(err)
        return path

    def abi3t(self, preset):
        """abi3t (3.15, PEP 803): from the 3.15 headers to the same headers
        under Py_TARGET_ABI3T, abidiff must show PyObject and PyVarObject
        turned declaration-only (a change libabigail counts harmless)."""
        d = os.path.join(self.out, "abigail", preset)
        _, report = self._abidiff("--harmless", os.path.join(d, "real-3.15.abi"), os.path.join(d, "abi3t.abi"))
        missing = [t for t in ("_object", "PyVarObject")
                   if f"type struct {t} was a defined type and is now a declaration-only type" not in report]
        if missing:
            self.status |= INCOMPATIBLE
            self.lines.append(f"abi3t: {preset}: real-3.15 -> abi3t does not show struct {' '.join(missing)} "
                              "declaration-only")
            self.reports.append(f"## {preset}: real-3.15 -> abi3t (expected: PyObject and PyVarObject "
                                f"declaration-only)\n\n```\n{report}\n```\n\n")
        else:
            self.lines.append(f"abi3t: {preset}: real-3.15 -> abi3t shows PyObject (struct _object) and PyVarObject "
                              "declaration-only, as it must")

    def run(self, presets, probes_of, peer_of):
        chains = tables.abi_chains(ROOT)
        first_of_peer = {}
        for p in presets:
            peer = peer_of[p]
            here = os.path.join(self.out, "abigail", p)
            os.makedirs(here, exist_ok=True)
            for name, kind, library in probes_of(p):
                if library == "-":
                    continue
                described = self.describe(p, name, library)
                if described is None:
                    continue
                # Against the baseline of this peer group, and against its first configuration.
                baseline = os.path.join("abi", "abigail", peer, f"{name}.abi")
                if os.path.isfile(baseline):
                    self.compare(f"{p} {name} against {baseline}", baseline, described)
                elif os.path.isdir(os.path.dirname(baseline)) and kind not in ("user", "local"):
                    # your own headers, an install's: no baseline
                    self.lines.append(f"change: {p} {name} has no baseline in abi/abigail/{peer}/")
                    self.status |= CHANGE
                first = first_of_peer.get(peer)
                theirs = first and os.path.join(self.out, "abigail", first, f"{name}.abi")
                if theirs and os.path.isfile(theirs):
                    self.compare(f"{name}: {first} against {p} (one ABI, two compilers)", theirs, described)
            first_of_peer.setdefault(peer, p)
            # Versions of one build kind, in order (harness/versions.txt): each
            # step's changes must be ones the suppression file accepts, with its reason.
            for chain in chains:
                prev = None
                for v in chain:
                    if not os.path.isfile(os.path.join(here, f"{v}.abi")):
                        continue
                    if prev:
                        step = f"abi/abigail/steps/{prev.removeprefix('real-')}-{v.removeprefix('real-')}.ini"
                        self.compare(f"{p}: {prev} -> {v}", os.path.join(here, f"{prev}.abi"),
                                     os.path.join(here, f"{v}.abi"), step)
                    prev = v
            if all(os.path.isfile(os.path.join(here, f"{n}.abi")) for n in ("real-3.15", "abi3t")):
                self.abi3t(p)
        self.lines.append(f"{self.count} abidiff comparisons, exit bits {self.status}")


# ---- the whole audit --------------------------------------------------------

def probes_rows(path):
    """(name, kind, library) of each probe of a probes.txt."""
    return [(name, kind, library) for name, kind, _, library, _ in read_probes(path)[1]]


def refresh(out, presets, build_root, peer_of):
    """This run's manifests and abidw descriptions become the baselines."""
    manifests = os.path.join(out, "manifests")
    for n in sorted(os.listdir(manifests)):
        with open(os.path.join(manifests, n)) as f:
            if '"user-' in f.read():
                raise AuditError("not refreshing: this build has your own headers (user-*), which are not "
                                 "baselines; refresh from a build without -DHARNESS_CPYTHON_INCLUDE")
    os.makedirs("abi/manifests", exist_ok=True)
    for n in sorted(os.listdir(manifests)):
        m = load_manifest(os.path.join(manifests, n))
        # Headers installed on this machine (real-3.12) are not baselines either.
        m["implementations"] = {k: v for k, v in m["implementations"].items() if v.get("source") != "local"}
        write_json(os.path.join("abi", "manifests", n), m)
    refreshed = 0
    for p in ABIGAIL_REFERENCES:
        if p not in presets or not os.path.isdir(os.path.join(out, "abigail", p)):
            continue
        target = os.path.join("abi", "abigail", peer_of[p])
        shutil.rmtree(target, ignore_errors=True)
        os.makedirs(target)
        # The model's and Debian's only: an install's (local) or yours (user) is no baseline.
        for name, kind, _ in probes_rows(os.path.join(build_root, p, "abi", "probes.txt")):
            described = os.path.join(out, "abigail", p, f"{name}.abi")
            if kind in ("model", "real") and os.path.isfile(described):
                shutil.copy(described, target)
        refreshed += 1
    print(f"abi-audit: refreshed {len(presets)} manifests in abi/manifests/ and {refreshed} abidw baselines in "
          "abi/abigail/:")
    print("abi-audit: review 'git diff abi/' and commit it with the reason for the change")


def audit(presets, build_root="build", reports="reports", refresh_baselines=False):
    """The whole audit of these presets' probes (every built one if none):
    its exit status."""
    known = {row["name"]: row for row in tables.all_presets(ROOT)}  # real MSVC's too: merge brings their probes
    for p in presets:
        if p not in known:
            raise Usage(f"abi-audit: unknown preset '{p}' (known: {' '.join(known)})")

    def probes(p):
        return os.path.join(build_root, p, "abi", "probes.txt")
    if presets:
        for p in presets:
            if not os.path.isfile(probes(p)):
                raise AuditError(f"{p} is not built in {build_root}/ (cmake --preset {p} && cmake --build --preset {p})")
    else:
        presets = [p for p in known if os.path.isfile(probes(p))]
        if not presets:
            raise AuditError("no configuration is built (ci/matrix.sh builds them)")
    peer_of = {p: known[p]["abi_peer"] for p in presets}
    out = os.path.join(reports, "abi")
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(os.path.join(out, "manifests"))
    os.makedirs(os.path.join(out, "abigail"))
    for p in presets:
        row = known[p]
        quadrant = tables.host_quadrant() if row["quadrant"] == "host" else row["quadrant"]
        # Real MSVC's presets are built on a Windows runner (merge brings
        # their probes): without a baseline, the invariants judge them.
        elsewhere = None if row["host"] == "linux" else f"on a {row['host']} host (a CI job)"
        try:
            write_json(os.path.join(out, "manifests", f"{p}.json"),
                       extract(probes(p), p, row["abi_peer"], quadrant, elsewhere))
        except AuditError as e:
            raise AuditError(f"{e}\n{p}: its probes could not be read") from None
    print(f"abi-audit: {len(presets)} configurations, manifests against abi/manifests/")
    try:
        status, manifests_md, _ = audit_manifests("abi/manifests", os.path.join(out, "manifests"),
                                                  "abi/invariants.json")
    except AuditError:
        with open(os.path.join(out, "audit.md"), "w") as f:
            f.write(f"## ABI audit\n\nThe audit itself failed (exit 1): see {reports}/abi-audit.log or run "
                    "ci/abi-audit.sh.\n")
        raise
    abigail = Abigail(out)
    if shutil.which("abidw"):
        abigail.run(presets, lambda p: probes_rows(probes(p)), peer_of)
    else:
        abigail.lines.append("skipped: abidw is not installed (Debian's abigail-tools; ci/setup.sh installs it)")
        abigail.status = ERROR
    if abigail.reports:
        with open(os.path.join(out, "abigail.md"), "w") as f:
            f.write("".join(abigail.reports))
    with open(os.path.join(out, "audit.md"), "w") as f:
        f.write(f"## ABI audit\n\n{manifests_md}\n### libabigail\n\n")
        f.write("".join(f"- {line}\n" for line in abigail.lines))
        if abigail.reports:
            f.write(f"- abidiff's reports: {out}/abigail.md\n")
    for line in abigail.lines:
        print(f"abi-audit: libabigail: {line}")
    status |= abigail.status
    if refresh_baselines:
        if status & (ERROR | USAGE):
            raise AuditError(f"not refreshing: the audit itself failed (exit {status})")
        refresh(out, presets, build_root, peer_of)
        return OK
    print(f"abi-audit: report in {out}/audit.md; exit {status}")
    return status


# ---- the command line -------------------------------------------------------

def _options(argv, flags, valued):
    """(options, positional arguments) of ARGV."""
    opts, args, argv = {}, [], list(argv)
    while argv:
        a = argv.pop(0)
        if a in flags:
            opts[a] = True
        elif a in valued:
            if not argv:
                raise Usage(f"{a} needs a value")
            opts[a] = argv.pop(0)
        elif a.startswith("-"):
            raise Usage(f"unknown option '{a}'")
        else:
            args.append(a)
    return opts, args


def _extract_command(argv):
    opts, args = _options(argv, (), ("--configuration", "--abi-peer", "--quadrant", "--built-elsewhere"))
    if len(args) != 2 or not all(k in opts for k in ("--configuration", "--abi-peer", "--quadrant")):
        raise Usage("extract needs --configuration, --abi-peer, --quadrant, PROBES.TXT and OUT.json")
    write_json(args[1], extract(args[0], opts["--configuration"], opts["--abi-peer"], opts["--quadrant"],
                                opts.get("--built-elsewhere")))
    return OK


def _manifests_command(argv):
    opts, args = _options(argv, (), ("--invariants", "--report"))
    if len(args) != 2:
        raise Usage("manifests needs BASELINE_DIR and RUN_DIR")
    status, report, _ = audit_manifests(*args, opts.get("--invariants"))
    if "--report" in opts:
        with open(opts["--report"], "w") as f:
            f.write(report)
    return status


def _compare_command(argv):
    if len(argv) != 2:
        raise Usage("compare needs OLD.json and NEW.json")
    a = Audit()
    compare_manifests(a, load_manifest(argv[0]), load_manifest(argv[1]))
    return a.status


def main(argv):
    commands = {"extract": _extract_command, "manifests": _manifests_command, "compare": _compare_command}
    try:
        if argv and argv[0] in commands:
            return commands[argv[0]](argv[1:])
        opts, presets = _options(argv, ("--refresh",), ("--build-root", "--reports"))
        os.chdir(ROOT)
        return audit(presets, opts.get("--build-root", "build"), opts.get("--reports", "reports"),
                     opts.get("--refresh", False))
    except Usage as e:
        print(f"abi-audit: {e}\n{__doc__.split(chr(10) + chr(10))[0]}", file=sys.stderr)
        return USAGE
    except AuditError as e:
        print(f"abi-audit: error: {e}", file=sys.stderr)
        return ERROR
    except OSError as e:  # a report or baseline that cannot be written
        print(f"abi-audit: error: {e}", file=sys.stderr)
        return ERROR
