"""drive.py --facts F --legacy L [--limited M] [--abi3t A] [--oracle O] -- run by a real
CPython (the host's, or Debian's under a target's emulator: cases/
CMakeLists.txt), one process for every check of that interpreter.

- F (facts.c): the fact sheet's expectations for this interpreter's version
  on the data model the modules were compiled for (cases/expect.h), so
  that none is spelled again here;
- L (legacy_abi3.c): an abi3 module built with CPython 3.11's headers, whose
  Py_INCREF/Py_DECREF are plain ++/-- on the whole field: the counts of
  3.11 move one for one; on 3.12+ the static immortals read the version's
  value, and the legacy tolerance bounds (fact sheet section 4) hold exactly:
  reached by storing the count next to a bound and stepping over it with
  one legacy operation, the runtime's own verdict asked before and after
  (PyUnstable_IsImmortal where it exists, and whether its Py_DecRef moves
  the count); unbalanced legacy operations below the bounds leave the
  objects immortal, and the interpreter finishes cleanly with them so;
- M, A (calls_ext.c): Py_LIMITED_API 3.12 (3.12+) and abi3t (3.15) modules,
  whose reference counting is the runtime's exported functions: their
  operations move every count exactly as the interpreter's own references.

- O (oracle.c): the model's version of each function libpython exports,
  held to the real one through ctypes, byte for byte (plan_oracle).

--expectations-of VERSION judges by another version's expectations (the
self-tests, ci/integration.py: the checks must then fail).

Each module is imported by its name, from a directory where it carries a
suffix this interpreter lists in importlib.machinery.EXTENSION_SUFFIXES.
Reported in the format cmake/run-case.cmake judges."""
import importlib
import importlib.machinery
import os
import sys
import time

V = sys.version_info[:2]
NAME = f"python{V[0]}.{V[1]} ({sys.version.split()[0]}, {'64' if sys.maxsize > 2**32 else '32'}-bit {sys.byteorder})"
WORD = 64 if sys.maxsize > 2**32 else 32
STATIC_IMMORTALS = (("None", None), ("True", True), ("1", 1))
UNBALANCED = 1000  # real legacy operations, where the bounds allow that many


def unsigned(word):
    """A Py_ssize_t word as the bits it holds."""
    return word & ((1 << WORD) - 1)


def accepted_suffix(kind):
    """The suffix this interpreter accepts for a module of KIND ("abi3",
    "abi3t"), or None: asked of the interpreter itself."""
    suffixes = importlib.machinery.EXTENSION_SUFFIXES
    return next((s for s in suffixes if s == f".{kind}.so" or s.startswith(f".{kind}-")), None)


def import_module(name, path, kind, directory):
    """(module or None, what happened) for the file PATH imported as NAME."""
    suffix = accepted_suffix(kind)
    if suffix is None:
        return None, f"no {kind} suffix among {importlib.machinery.EXTENSION_SUFFIXES}"
    os.symlink(os.path.abspath(path), os.path.join(directory, name + suffix))
    try:
        return importlib.import_module(name), f"imported as {name}{suffix}"
    except Exception as e:  # a refusal (suffix, PyABIInfo_Check) is this check's failure
        return None, f"{name}{suffix} refused: {type(e).__name__}: {e}"


class Checks:
    """The checks are planned, counted and announced before any runs, as
    the case programs register theirs: a run that stops early shows as
    fewer checks than registered."""

    def __init__(self):
        self.planned, self.results = [], []

    def plan(self, what, run):
        self.planned.append((what, run))

    def run(self):
        print(f"harness: interpreter {NAME}: {len(self.planned)} checks registered", flush=True)
        for what, run in self.planned:
            try:
                got, want = run()
            except Exception as e:  # a check that raises is a failed check, with why
                got, want = f"{type(e).__name__}: {e}", "no exception"
            self.results.append((what, got, want))
        failures = [r for r in self.results if r[1] != r[2]]
        for what, got, want in self.results:
            print(f"harness: {NAME}: {what}: {got}" + ("" if got == want else f", expected {want}"))
        for what, got, want in failures:
            print(f"drive.py:0:F:{NAME}:{what}:0: got {got}, expected {want}")
        ran = len(self.results)
        print(f"{100 * (ran - len(failures)) // max(ran, 1)}%: Checks: {ran}, Failures: {len(failures)}, Errors: 0")
        return 1 if failures else 0


def verdict(probe):
    """What the runtime says of a probe()d state: its Py_DecRef left the
    word alone (immortal) or moved it (mortal), and PyUnstable_IsImmortal."""
    stepped, after_decref, is_immortal = probe
    return ("immortal" if after_decref == stepped else "mortal", is_immortal)


def plan_legacy_one_for_one(checks, legacy):
    """3.11: no immortality; legacy operations count one for one."""
    for label, obj in (("None", None), ("1", 1)):
        def up(obj=obj):
            r0 = legacy.refcnt(obj)
            legacy.incref(obj, UNBALANCED)
            return legacy.refcnt(obj) - r0, UNBALANCED

        def down(obj=obj):
            r0 = legacy.refcnt(obj)
            legacy.decref(obj, UNBALANCED)
            return legacy.refcnt(obj) - r0, -UNBALANCED
        checks.plan(f"{label}: {UNBALANCED} legacy increfs add {UNBALANCED} to a mortal count", up)
        checks.plan(f"{label}: {UNBALANCED} legacy decrefs take them off again", down)


def plan_immortal(checks, facts, legacy):
    """3.12+: the static immortals' values, and the legacy tolerance bounds."""
    has_is_immortal = hasattr(sys, "_is_immortal")
    api = legacy.runtime_is_immortal(None) != -1
    # 3.14 added PyUnstable_IsImmortal (and sys._is_immortal): where the
    # probe cannot find it, its verdicts would rest on Py_DecRef alone.
    checks.plan("PyUnstable_IsImmortal is exported (3.14+)", lambda: (api, V >= (3, 14)))
    for label, obj in STATIC_IMMORTALS:
        checks.plan(f"{label}: sys.getrefcount is the static immortal value",
                    lambda obj=obj: (sys.getrefcount(obj), facts["static_refcnt"]))
        if has_is_immortal:
            checks.plan(f"{label}: sys._is_immortal", lambda obj=obj: (sys._is_immortal(obj), True))
    static = next(row for row in facts["tolerance"] if row[0] == "static")
    _, initial, lose_after_decrefs, lose_after_increfs = static
    for label, obj in (("None", None), ("1", 1)):
        for ops, bound, sign in (("decrefs", lose_after_decrefs, -1), ("increfs", lose_after_increfs, 1)):
            for net, becomes in ((bound - 1, "immortal"), (bound, "mortal")):
                # One legacy operation from the count NET - 1 operations leave.
                start = initial + sign * (net - 1)

                def step(obj=obj, start=start, sign=sign, becomes=becomes):
                    probe = legacy.probe(obj, start, sign)
                    if unsigned(probe[0]) != unsigned(start + sign):
                        return f"the legacy step stored {unsigned(probe[0]):#x}", "one step"
                    return verdict(probe), (becomes, int(becomes == "immortal") if api else -1)
                checks.plan(f"{label}: {net:,} net legacy {ops} from {initial:#x}: {becomes} "
                            f"(one step from {unsigned(start):#x})", step)
        # Real unbalanced operations, as many as the bounds allow (up to UNBALANCED).
        for ops, bound, sign in (("decrefs", lose_after_decrefs, -1), ("increfs", lose_after_increfs, 1)):
            n = min(bound - 1, UNBALANCED)
            if n == 0:
                continue

            def unbalanced(obj=obj, n=n, sign=sign):
                (legacy.decref if sign < 0 else legacy.incref)(obj, n)
                still = verdict(legacy.probe(obj, legacy.refcnt(obj), 0))
                (legacy.incref if sign < 0 else legacy.decref)(obj, n)
                return still, ("immortal", 1 if api else -1)
            checks.plan(f"{label}: {n} unbalanced legacy {ops} leave it immortal", unbalanced)
    # Left at the furthest state the decrefs' bound allows, the objects stay
    # immortal while the interpreter works on, and it finishes cleanly (the
    # process's exit status is part of the verdict).
    far = initial - (lose_after_decrefs - 1)
    for label, obj in (("None", None), ("1", 1)):
        def left_there(obj=obj):
            legacy.store(obj, far)
            held = [[obj] * 100 for _ in range(1000)]
            del held
            return verdict(legacy.probe(obj, legacy.refcnt(obj), 0)), ("immortal", 1 if api else -1)
        checks.plan(f"{label}: left at {unsigned(far):#x} ({lose_after_decrefs - 1:,} net legacy decrefs), "
                    f"immortal after 100,000 of the interpreter's references", left_there)


def plan_calls(checks, label, module, opaque):
    """A module whose reference counting is the runtime's exported functions:
    its increments and decrements move each count as the interpreter's own
    references do; under abi3t its Py_REFCNT is the runtime's too."""
    for name, make in (("None", lambda: None), ("True", lambda: True), ("1", lambda: 1),
                       ("a fresh object", object), ("a fresh list", list)):
        def same_as_own(make=make):
            obj = make()
            r0 = sys.getrefcount(obj)
            held = [obj] * 5
            own = sys.getrefcount(obj) - r0
            del held
            module.incref(obj, 5)
            ext = sys.getrefcount(obj) - r0
            module.decref(obj, 5)
            return (ext, sys.getrefcount(obj) - r0), (own, 0)
        checks.plan(f"{label}: 5 Py_INCREF then 5 Py_DECREF on {name} move its count as 5 references do",
                    same_as_own)
        if opaque:
            checks.plan(f"{label}: Py_REFCNT of {name} is the runtime's",
                        lambda make=make: (module.refcnt(make()), sys.getrefcount(make())))


# The functions libpython exports that the model has a version of
# (cases/interpreters/oracle.c): (name, argument types after the object,
# result type, the oracle's arguments for each call).
ORACLE_FUNCTIONS = ("_Py_IncRef", "_Py_DecRef", "_Py_SetRefcnt", "Py_REFCNT", "_Py_SetImmortal",
                    "PyUnstable_SetImmortal")


def oracle_states(facts):
    """The start words: mortal counts, and the immortal words of the fact
    sheet with the counts next to each legacy bound (section 4)."""
    words = {2, 5, 1000}
    for _, initial, down, up in facts["tolerance"]:
        words |= {initial, initial - 1, initial + 1, initial - (down - 1), initial - down, initial + up - 1,
                  initial + up}
    if not facts["immortality"]:
        words.add(999999999)  # 3.11's core-immortal value, an ordinary count
    return sorted(w for w in words if 2 <= unsigned(w) < (1 << (WORD - 1)))


def plan_oracle(checks, path, facts):
    """libpython as the oracle of the model: each exported function this
    interpreter has, called through ctypes on a real object whose header
    was set to a start state, against the model of this version applied to
    the same bytes (oracle.c); the bytes after, and what it returns, must be
    the model's. The object's own header is put back after each call."""
    import ctypes
    lib = ctypes.CDLL(path)
    lib.harness_oracle_header_size.argtypes = [ctypes.c_char_p]
    lib.harness_oracle_apply.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_longlong,
                                         ctypes.POINTER(ctypes.c_longlong)]
    version = f"{V[0]}.{V[1]}".encode()
    size = lib.harness_oracle_header_size(version)
    api = ctypes.pythonapi

    def model(function, header, argument):
        buf = ctypes.create_string_buffer(header, len(header))
        result = ctypes.c_longlong()
        status = lib.harness_oracle_apply(version, function.encode(), buf, argument, ctypes.byref(result))
        return status, buf.raw[:len(header)], result.value

    def real(function, obj, word, argument):
        real_function = getattr(api, function)
        real_function.argtypes = [ctypes.c_void_p] + ([ctypes.c_ssize_t] if function == "_Py_SetRefcnt" else [])
        real_function.restype = {"Py_REFCNT": ctypes.c_ssize_t, "PyUnstable_SetImmortal": ctypes.c_int}.get(function)
        address = id(obj)
        kept = ctypes.string_at(address, size)
        ctypes.c_ssize_t.from_address(address).value = word
        start = ctypes.string_at(address, size)
        try:
            returned = real_function(address, *([argument] if function == "_Py_SetRefcnt" else []))
            after = ctypes.string_at(address, size)
        finally:
            ctypes.memmove(address, kept, size)
        return start, after, returned

    def one(function, make, word, argument=0):
        def run():
            obj = make()
            start, after, returned = real(function, obj, word, argument)
            status, want, model_returned = model(function, start, argument)
            if status < 0:
                return "the model has no code for it", "model code"
            got = (after.hex(), returned if function in ("Py_REFCNT", "PyUnstable_SetImmortal") else None)
            return got, (want.hex(), model_returned if got[1] is not None else None)
        return run

    fresh = lambda: float(len(ORACLE_FUNCTIONS)) / 7  # a new, untracked object each time
    present = [f for f in ORACLE_FUNCTIONS if hasattr(api, f)]
    for function in present:
        if function == "PyUnstable_SetImmortal":
            for what, make, word, is_str in (("a uniquely referenced object", fresh, 1, 0),
                                             ("an object with a second reference", fresh, 2, 0),
                                             ("a uniquely referenced str", lambda: "".join(["oracle", "-str"]), 1, 1)):
                checks.plan(f"oracle: {function} of {what}: the model's bytes and result", one(function, make, word,
                                                                                               is_str))
            continue
        arguments = [3, 0x7FFFFFFF] + ([0x80000005, 0x100000005] if WORD == 64 else [])
        for word in oracle_states(facts):
            header = word.to_bytes(WORD // 8, sys.byteorder, signed=True) + bytes(size - WORD // 8)
            if function == "_Py_DecRef" and model(function, header, 0)[0] == 1:
                continue  # it would free the real object
            for argument in (arguments if function == "_Py_SetRefcnt" else [0]):
                label = f" with {argument:#x}" if function == "_Py_SetRefcnt" else ""
                checks.plan(f"oracle: {function}{label} from {unsigned(word):#x}: the model's bytes",
                            one(function, fresh, word, argument))


OPTIONS = ("--facts", "--legacy", "--limited", "--abi3t", "--oracle", "--expectations-of")
REQUIRED = ("--facts", "--legacy")
USAGE = ("usage: drive.py --facts F --legacy L [--limited M] [--abi3t A] [--oracle O] [--expectations-of VERSION]\n"
         "  (--expectations-of: judge by another version's expectations; the self-tests' checks must then fail)")


def parse(argv):
    """{option: value} of ARGV, or None having said why (argparse would
    cost a fifth of a run under an emulator: its imports)."""
    args = {}
    while argv:
        if argv[0] not in OPTIONS or len(argv) < 2 or argv[0] in args:
            print(f"drive.py: bad argument {argv[0]!r}\n{USAGE}", file=sys.stderr)
            return None
        args[argv[0]], argv = argv[1], argv[2:]
    missing = [o for o in REQUIRED if o not in args]
    if missing:
        print(f"drive.py: {' and '.join(missing)} required\n{USAGE}", file=sys.stderr)
        return None
    return args


class ModuleDirectory:
    """A directory of its own for the modules' names (tempfile, with its
    imports, would cost as much as argparse)."""

    def __enter__(self):
        base = os.environ.get("TMPDIR") or "/tmp"
        self.path = os.path.join(base, f"harness-interpreter-{os.getpid()}-{time.monotonic_ns()}")
        os.mkdir(self.path, 0o700)
        return self.path

    def __exit__(self, *_):
        for name in os.listdir(self.path):
            os.unlink(os.path.join(self.path, name))
        os.rmdir(self.path)


def main():
    args = parse(sys.argv[1:])
    if args is None:
        return 2
    checks = Checks()
    with ModuleDirectory() as directory:
        sys.path.insert(0, directory)
        facts_module, how = import_module("harness_facts", args["--facts"], "abi3", directory)
        if facts_module is None:
            print(f"harness: {NAME}: the expectations module: {how}")
            return 1
        facts = facts_module.facts(args.get("--expectations-of") or f"{V[0]}.{V[1]}")
        print(f"harness: {NAME}: expectations for {facts['data_model']} (cases/expect.h)")
        modules = [("legacy", "legacy_abi3", args["--legacy"], "abi3", (3, 11))]
        if "--limited" in args:
            modules.append(("limited", "limited312", args["--limited"], "abi3", (3, 12)))
        if "--abi3t" in args:
            modules.append(("abi3t", "abi3t_calls", args["--abi3t"], "abi3t", (3, 15)))
        loaded = {}
        for role, name, path, kind, since in modules:
            if V < since:
                continue  # the stable ABI promises it only to later interpreters
            module, how = import_module(name, path, kind, directory)
            checks.plan(f"{name} ({kind}, built for {since[0]}.{since[1]}+): imports",
                        lambda how=how, ok=module is not None: (how, how if ok else "imported"))
            if module is not None:
                loaded[role] = module
        if "limited" in loaded:
            plan_calls(checks, "limited312 (Py_LIMITED_API 3.12)", loaded["limited"], False)
        if "abi3t" in loaded:
            plan_calls(checks, "abi3t_calls (abi3t)", loaded["abi3t"], True)
        if "--oracle" in args:
            plan_oracle(checks, args["--oracle"], facts)
        # Last: it leaves the immortals at a bound.
        legacy = loaded.get("legacy")
        if legacy is not None:
            if facts["immortality"]:
                plan_immortal(checks, facts, legacy)
            else:
                plan_legacy_one_for_one(checks, legacy)
        # One line for the matrix report's table (ci/report-interpreters.py).
        if facts["immortality"]:
            _, _, down, up = next(row for row in facts["tolerance"] if row[0] == "static")
            what = (f"immortal at {facts['static_refcnt']}; legacy bounds {down:,} decrefs / {up:,} increfs")
        else:
            what = "no immortality; legacy counts one for one"
        calls = [name for role, name, *_ in modules if role != "legacy" and role in loaded]
        print(f"harness: interpreter summary: {sys.version.split()[0]}: {what}"
              + (f"; {', '.join(calls)} as its own" if calls else ""))
        return checks.run()


if __name__ == "__main__":
    sys.exit(main())
