#!/usr/bin/env python3
"""results.py -- the seed's headline results, measured here (docs/results.md;
ci/results.sh runs it):
  1. copy-on-write after fork: private vs shared memory of forked workers
     over a heap of 16 to 256 MiB, 1 to 8 workers, legacy 3.11 versus the
     immortal 3.12/3.14 and free-threaded 3.14t schemes (the model's
     encodings; cases/experiments/cow.c), and with every real CPython on
     the machine (cases/experiments/cow.py);
  2. the cost of the immortality check: instructions per Py_INCREF /
     Py_DECREF of the real headers on the host (callgrind), and the size
     and instruction count of the inlined sequences per target and
     compiler (the targets' binutils).

    ci/results.py [--publish] [OUT]   default OUT: results/ (CSV, results.md,
                                      cow.png); --publish also copies them to
                                      docs/results.md and docs/results/cow.png
    ci/results.py --tables OUT        only the tables and the plot, from the
                                      CSV files measured into OUT

Real interpreters: the host build's (Debian's 3.11, 3.13, 3.14 and 3.15 from
the amd64 sysroots, and 3.12 on PATH or under ~/.pyenv), or the ones listed
in HARNESS_PYTHONS (space-separated); and Debian's of each Linux target the
mirror serves, under its emulator (guest heap only: cow.py --guest-heap).
Exit 1 if a measurement failed or an expectation does not hold: every
immortal worker's private heap at most 1% of the heap, every legacy (3.11)
worker's at least 95%; every real 3.12+ interpreter's worker at most 75% of
a 3.11 worker's private memory."""
import csv
import datetime
import glob
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
from collections import defaultdict

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
from ci.harness import reuse, sysroots, tables  # noqa: E402

# Copy-on-write under qemu-user, in Debian's interpreters (the sysroots):
# the targets whose guest heap the emulator lets a child measure, and why
# the others are not measured.
COW_EMULATED_SKIPS = {
    "i686-linux-gnu": "qemu-i386 hangs when a dynamically linked program forks (Debian's python is one)",
}
# At most this share of what a 3.11 worker copies by touching the immortal
# objects (None, True, False, small ints, interned names), for a 3.12+ worker
# on the same target: they stay shared. Measured on qemu 7.2: 0.45 to 0.52;
# a version whose touched objects were copied again would reach 1.
COW_EMULATED_BOUND = 0.75
# The configurations whose inlined sequences are measured: one of each
# data model's quadrant but 64-bit big-endian's pair, with both compilers.
PROBE_PRESETS = ("host-gcc", "host-clang", "i686-linux-gnu-gcc", "i686-linux-gnu-clang", "powerpc-linux-gnu-gcc",
                 "powerpc-linux-gnu-clang", "s390x-linux-gnu-gcc", "s390x-linux-gnu-clang")

# The least extra cost, in instructions per Py_INCREF/Py_DECREF, of a
# version with immortality over 3.11's (docs/results.md, section 2).
COST_MIN_EXTRA = 1.0


def rows(out, name):
    path = os.path.join(out, name)
    return list(csv.DictReader(open(path))) if os.path.exists(path) else []


def machine():
    cpu = "?"
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = next((int(l.split()[1]) for l in open("/proc/meminfo") if l.startswith("MemTotal")), 0)
    return (f"{platform.node() or 'this machine'}: {cpu}, {os.cpu_count()} cores, {mem // 1024 // 1024} GiB, "
            f"Linux {platform.release()}; measured {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC")


def main(out):
    md, ok = [], True
    md += ["# Results", "", "Measured by `ci/results.sh` on " + machine() + ".", ""]

    cow = rows(out, "cow.csv")
    cells = defaultdict(list)
    verdicts = []
    for r in cow:
        key = (r["scheme"], int(r["heap_mib"]), int(r["workers"]))
        cells[key].append(r)
        heap_kb = int(r["heap_mib"]) * 1024
        share = int(r["heap_private_kb"]) / heap_kb
        if r["scheme"] == "3.11" and share < 0.95 or r["scheme"] != "3.11" and share > 0.01:
            ok = False
            verdicts.append(f"{r['scheme']} {r['heap_mib']} MiB, worker {r['worker']}/{r['workers']}: "
                            f"private {share:.1%} of the heap")
    md += ["## 1. Copy-on-write after fork", "",
           "A parent builds a heap of 64-byte GC-tracked objects under each scheme (immortal schemes immortalise it "
           "first, as a pre-forking server would), forks the workers, and each walks the heap twice: an incref and "
           "a decref per object, and a collector pass that writes the GC bits of mortal objects. Each worker then "
           "reports the heap mapping's private (copied) and shared memory from `/proc/self/smaps` "
           "(`cases/experiments/cow.c`, the model's encodings).", "",
           "| scheme | heap MiB | private per worker (MiB), 1 / 2 / 4 / 8 workers | shared per worker (MiB), 1 / 2 / 4 / 8 workers | largest private / heap |",
           "|---|---|---|---|---|"]
    for scheme in sorted({k[0] for k in cells}):
        for mib in sorted({k[1] for k in cells if k[0] == scheme}):
            priv, shared, worst = [], [], 0.0
            for workers in (1, 2, 4, 8):
                rs = cells.get((scheme, mib, workers), [])
                if not rs:
                    priv.append("–"), shared.append("–")
                    continue
                priv.append(f"{statistics.mean(int(r['heap_private_kb']) for r in rs) / 1024:.1f}")
                shared.append(f"{statistics.mean(int(r['heap_shared_kb']) for r in rs) / 1024:.1f}")
                worst = max(worst, max(int(r["heap_private_kb"]) for r in rs) / (mib * 1024))
            md.append(f"| {scheme} | {mib} | {' / '.join(priv)} | {' / '.join(shared)} | {worst:.1%} |")
    md += ["", "Expectation (issue 7): immortal workers' private memory at most 1% of the heap, legacy workers' at "
           "least 95%: " + ("**holds for every worker**." if ok and cow else "**does not hold**: " + "; ".join(verdicts[:10])),
           "", "![private and shared memory per worker](cow.png)", ""]

    # The plot, as the seed showed it: each worker's memory split into what
    # it copied (private) and what it still shares, for 4 workers; model
    # schemes on the left, real interpreters on the right.
    data = os.path.join(out, "cow.dat")
    with open(data, "w") as f:
        for scheme in sorted({k[0] for k in cells}):
            for mib in (16, 64, 256):
                rs = cells.get((scheme, mib, 4), [])
                if rs:
                    f.write(f'"{scheme}\\n{mib}" {statistics.mean(int(r["heap_private_kb"]) for r in rs) / 1024:.2f} '
                            f'{statistics.mean(int(r["heap_shared_kb"]) for r in rs) / 1024:.2f}\n')
    py = rows(out, "cow-python.csv")
    pydata = os.path.join(out, "cow-python.dat")
    by_python = defaultdict(list)
    for r in py:
        by_python[f"{r['python']}\\n{r['version']}"].append(r)
    with open(pydata, "w") as f:
        for name, rs in sorted(by_python.items()):
            f.write(f'"{name}" {statistics.mean(int(r["private_kb"]) for r in rs) / 1024:.2f} '
                    f'{statistics.mean(int(r["shared_kb"]) for r in rs) / 1024:.2f}\n')
    script = (f"set terminal pngcairo size 1200,520 font ',10'\nset output '{os.path.join(out, 'cow.png')}'\n"
              "set style data histograms\nset style histogram rowstacked\nset style fill solid 0.85 border -1\n"
              "set boxwidth 0.7\nset grid ytics\nset key top left\nset multiplot layout 1,2\n"
              "set title 'Model schemes: heap memory per worker after fork (4 workers)'\n"
              "set ylabel 'MiB per worker'\nset bmargin 4\n"
              f"plot '{data}' using 2:xtic(1) title 'private (copied)' lc rgb '#c0392b', "
              f"'' using 3 title 'shared' lc rgb '#2e86c1'\n"
              "set title 'Real interpreters: process memory per worker (4 workers)'\n")
    if by_python:
        script += (f"plot '{pydata}' using 2:xtic(1) title 'private' lc rgb '#c0392b', "
                   f"'' using 3 title 'shared' lc rgb '#2e86c1'\n")
    script += "unset multiplot\n"
    subprocess.run(["gnuplot"], input=script.encode(), check=True)

    md += ["### With real interpreters", "",
           "The parent imports a sizeable part of the standard library and calls `gc.freeze()`, then forks 4 "
           "workers that touch `None`, `True`, `False`, the small ints and every module's interned names "
           "(`cases/experiments/cow.py`); each reports its whole process's private and shared memory "
           "(`/proc/self/smaps_rollup`).", ""]
    if py:
        md += ["| interpreter | private per worker (MiB) | shared per worker (MiB) |", "|---|---|---|"]
        by = defaultdict(list)
        for r in py:
            by[(r["python"], r["version"])].append(r)
        private = {}
        for (name, version), rs in sorted(by.items()):
            private[version] = statistics.mean(int(r["private_kb"]) for r in rs)
            md.append(f"| {name} ({version}) | {private[version] / 1024:.2f} | "
                      f"{statistics.mean(int(r['shared_kb']) for r in rs) / 1024:.2f} |")
        # The seed's prediction for real interpreters: workers of 3.12+ copy
        # less than 3.11's, because what they touch (None, True, False, the
        # small ints, interned names) is immortal and stays shared. The rest
        # of a worker's private memory is the interpreter's own per-process
        # state, alike in every version. Measured here: 3.12.1 and 3.13.0
        # workers 52% and 55% of 3.11.7's (2.2 and 2.3 MiB against 4.2 MiB);
        # the bound, 75%, leaves that difference room for noise while a
        # version whose touched objects were copied again would exceed it.
        base = [v for v in private if v.startswith("3.11")]
        newer = [v for v in private if not v.startswith("3.11")]
        if base and newer:
            worst = max(private[v] / private[base[0]] for v in newer)
            holds = worst <= 0.75
            ok = ok and holds
            md += ["", f"Expectation: every 3.12+ worker's private memory at most 75% of a 3.11 worker's: "
                   + (f"**holds** (at most {worst:.0%})." if holds else
                      "**does not hold**: " + ", ".join(f"{v} {private[v] / private[base[0]]:.0%}" for v in newer))]
        else:
            md += ["", "Not compared: it takes a 3.11 interpreter and a newer one on the machine."]
    else:
        md.append("No CPython 3.11-3.15 interpreter was found on this machine.")
    md.append("")
    emulated, emulated_ok = cow_emulated_table(out)
    md += emulated
    ok = ok and emulated_ok

    over = rows(out, "overhead.csv")
    cost_ok = bool(over)
    md += ["## 2. The cost of the immortality check", "",
           "Instructions per `Py_INCREF` or `Py_DECREF` (with its share of the loop) of CPython's real headers, "
           "compiled by the host's GCC at -O2, counted by callgrind over 10^6 increfs and 10^6 decrefs of "
           "mortal or immortal objects (`cases/experiments/refcount_loop.c`).", ""]
    if over:
        base = next((float(r["per_operation"]) for r in over if r["version"] == "3.11" and r["objects"] == "mortal"), None)
        md += ["| headers | mortal objects | immortal objects | mortal vs 3.11 |", "|---|---|---|---|"]
        table = defaultdict(dict)
        for r in over:
            table[r["version"]][r["objects"]] = float(r["per_operation"])
        num = lambda x: "–" if x is None else f"{x:.2f}"
        for version in sorted(table, key=lambda v: [int(x) for x in v.rstrip("t").split(".")] + [v.endswith("t")]):
            m, i = table[version].get("mortal"), table[version].get("immortal")
            rel = f"{(m / base - 1):+.0%}" if base and m else "–"
            md.append(f"| {version} | {num(m)} | {num(i)} | {rel} |")
        # The seed's claim implies that the immortality check costs: every
        # version with immortality spends at least one instruction more per
        # operation than 3.11's plain ++/-- (a compare and a branch at the
        # least; measured: +3.5 mortal, +1.5 immortal at the smallest).
        cheaper = [f"{v} {o} {n:.2f}" for v in table if v != "3.11" for o, n in table[v].items()
                   if base is None or n < base + COST_MIN_EXTRA]
        cost_ok = cost_ok and base is not None and not cheaper
        md += ["", f"Expectation: every version with immortality at least {COST_MIN_EXTRA:.0f} instruction per "
               "operation above 3.11's, since the immortality test adds a compare and a branch at the least "
               "(the smallest measured difference: +3.5 mortal, +1.5 immortal): " + ("**holds**." if base is not None and not cheaper else
                                          "**does not hold**: " + (", ".join(cheaper) if base is not None
                                                                   else "no 3.11 row to compare with") + ".")]
        md += ["", ("3.12's headers are this machine's (pyenv's): no Debian suite carries 3.12. " if "3.12" in table else
                    "Every GIL version's encoding is here but 3.12's, which no Debian suite carries and this machine "
                    "does not have; its refcount code is 3.13's (fact sheet §3). ") +
               "Code built with <= 3.11 headers (the legacy scheme) runs 3.11's row.", "",
               "These count the refcount operations alone, where the check is most of the work. The seed's "
               "\"about 2 percent\" is the whole interpreter's cost (pyperformance), where refcounting is a small "
               "part of the instructions executed; 3.14 moved to a signed test partly because MSVC did not fold "
               "the unsigned one (gh-125174, Windows +2%).", ""]
    inline = rows(out, "inline.csv")
    if inline:
        md += ["### Inlined sequences per target and compiler", "",
               "Bytes / instructions of a function holding only `Py_INCREF(op)` or `Py_DECREF(op)` (return "
               "included; -O2), read from the object with the target's binutils "
               "(`cases/experiments/inline_probe.c`).", ""]
        versions = sorted({r["version"] for r in inline}, key=lambda v: [int(x) for x in v.rstrip("t").split(".")] + [v.endswith("t")])
        md += ["| configuration | operation | " + " | ".join(versions) + " |", "|---|---|" + "---|" * len(versions)]
        cell = {(r["configuration"], r["operation"], r["version"]): f"{r['bytes']} / {r['instructions']}" for r in inline}
        count = {(r["configuration"], r["operation"], r["version"]): int(r["instructions"]) for r in inline}
        for conf in dict.fromkeys(r["configuration"] for r in inline):
            for op in ("incref", "decref"):
                md.append(f"| {conf} | {op} | " + " | ".join(cell.get((conf, op, v), "–") for v in versions) + " |")
        # The same, inlined: every immortality-aware sequence is longer than
        # 3.11's on every target and compiler (measured: one instruction at
        # the least, s390x's decref).
        shorter = [f"{c} {o} {v} {n} (3.11: {count.get((c, o, '3.11'), 'none')})" for (c, o, v), n in count.items()
                   if v != "3.11" and n < count.get((c, o, "3.11"), n + 1) + 1]
        cost_ok = cost_ok and not shorter
        md += ["", "Expectation: every immortality-aware sequence at least one instruction longer than 3.11's, on "
               "every configuration, for the same reason (the smallest measured difference: one instruction, "
               "s390x's decref of 3.14): " + ("**holds**." if not shorter else "**does not hold**: " + ", ".join(shorter) + ".")]
        md.append("")
    open(os.path.join(out, "results.md"), "w").write("\n".join(md))
    print("\n".join(md[:3]))
    if not cost_ok:
        print("results: the immortality check's cost is not what the seed implies (results.md, section 2)")
    return 0 if ok and cow and cost_ok else 1


# ---- the measurements ---------------------------------------------------------

class Failed(Exception):
    """A measurement failed: what to say."""


def quiet(*cmds, log=None):
    """Whether each of CMDS succeeded, one after the other (their output to LOG, a path, or dropped)."""
    with open(log or os.devnull, "w") as out:
        return all(subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT).returncode == 0 for cmd in cmds)


def csv_lines(path, header, lines):
    with open(path, "w") as f:
        f.write(header + "\n" + "".join(line if line.endswith("\n") else line + "\n" for line in lines))


def version_of(name, prefix):
    """"3.14t" of refcount_loop_3_14t or inline_probe_3_14t."""
    return name.split(prefix, 1)[1].split(".dir")[0].replace("_", ".")


def measure_cow(out, experiments):
    print("results: 1/4 copy-on-write, model schemes", flush=True)
    lines = []
    for scheme in ("3.11", "3.12", "3.14", "3.14t"):
        for mib in (16, 64, 256):
            for workers in (1, 2, 4, 8):
                p = subprocess.run([f"{experiments}/cow_experiment", scheme, str(mib), str(workers)],
                                   stdout=subprocess.PIPE, text=True)
                if p.returncode:
                    raise Failed(f"cow_experiment {scheme} {mib} {workers} failed")
                lines.append(p.stdout)
    csv_lines(f"{out}/cow.csv", "scheme,heap_mib,workers,worker,heap_private_kb,heap_shared_kb,rollup_private_kb,"
              "rollup_shared_kb", lines)
    print("results: 2/4 copy-on-write, real interpreters", flush=True)
    # The interpreters the host build found (or was given): cases/CMakeLists.txt.
    lines = []
    for line in filter(None, open("build/host-gcc/interpreters.txt").read().split("\n")):
        command = line.split(";")  # a CMake list: Debian's are started through their sysroot's loader
        p = subprocess.run([*command, "-I", "cases/experiments/cow.py", "4"], stdout=subprocess.PIPE, text=True)
        if p.returncode:
            raise Failed(f"{command[-1]} cases/experiments/cow.py failed")
        lines.append(p.stdout)
    csv_lines(f"{out}/cow-python.csv", "python,version,workers,worker,private_kb,shared_kb", lines)


def measure_cow_emulated(out):
    """cow.py --guest-heap in Debian's interpreters under each Linux
    target's emulator (ci/harness/sysroots.py), 4 workers each."""
    print("results: 2b/4 copy-on-write, Debian's interpreters under qemu-user", flush=True)
    lines, cache = [], reuse.cache_dir()
    for target in tables.targets(ROOT):
        arch = tables.debian_arch(target)
        if not target["qemu"] or not arch or target["triple"] in COW_EMULATED_SKIPS:
            continue
        for version, directory, command in sysroots.interpreters(cache, arch):
            run = sysroots.run_command(directory, arch, target["qemu"], command)
            p = subprocess.run([*run, "-I", "cases/experiments/cow.py", "4", "--guest-heap"], stdout=subprocess.PIPE,
                               text=True, timeout=600)
            if p.returncode:
                raise Failed(f"{target['triple']} python{version} cases/experiments/cow.py --guest-heap failed")
            lines += [f"{target['triple']},{line}" for line in p.stdout.splitlines()]
    csv_lines(f"{out}/cow-emulated.csv", "target,python,version,workers,worker,private_before_kb,private_kb,shared_kb",
              lines)


def cow_emulated_table(out):
    """(markdown lines, whether the expectation holds) of cow-emulated.csv."""
    rs = rows(out, "cow-emulated.csv")
    md = ["### Under qemu-user, in Debian's interpreters", "",
          "The same experiment in Debian's own interpreters of each Linux target the mirror serves, run under the "
          "target's emulator (`ci/harness/sysroots.py`), 4 workers. qemu-user 7.2 emulates `/proc/self/maps` but "
          "not `smaps`, which is the host's view of the emulator's process and includes the emulator's translation "
          "buffer, which a forked child dirties; so each worker counts only the guest's own memory (its anonymous "
          "mappings, and the interpreter's binary, whose data holds the static objects), found in the host's `smaps` at "
          "the guest addresses plus the binary's offset (`cow.py --guest-heap`). Checked against the host, Debian's amd64 interpreters under qemu-x86_64 and "
          "natively (2 workers): 3.11's workers copied the same within 1%, 3.15's 16% more under the emulator, "
          "so the emulated numbers, if anything, understate the difference. (qemu 8.1 and later emulate `smaps` with every "
          "`Private_Dirty` at 0 kB: nothing to measure there.) *Copied by the touch* is what a worker's guest heap "
          "made private while touching the objects, net of what it had made private before.", ""]
    if not rs:
        return md + ["Not measured: no sysroot with an interpreter (ci/setup.sh makes them).", ""], True
    copied = defaultdict(list)
    for r in rs:
        copied[(r["target"], r["version"])].append(int(r["private_kb"]) - int(r["private_before_kb"]))
    md += ["| target | interpreter | copied by the touch per worker (KiB) | vs 3.11 |", "|---|---|---|---|"]
    verdicts, ok = [], True
    for target in dict.fromkeys(r["target"] for r in rs):
        versions = sorted({v for t, v in copied if t == target}, key=lambda v: [int(x) for x in v.split(".")])
        base = next((statistics.mean(copied[(target, v)]) for v in versions if v.startswith("3.11")), None)
        if all(int(r["private_kb"]) == 0 for r in rs if r["target"] == target):
            ok = False
            verdicts.append(f"{target}: every Private_Dirty is 0 kB (an emulator that emulates smaps?)")
        for v in versions:
            mean = statistics.mean(copied[(target, v)])
            share = mean / base if base and not v.startswith("3.11") else None
            md.append(f"| {target} | {v} | {mean:.0f} | " + ("–" if share is None else f"{share:.0%}") + " |")
            if share is not None and share > COW_EMULATED_BOUND:
                ok = False
                verdicts.append(f"{target} {v} {share:.0%}")
        if base is None:
            md.append(f"| {target} | (no 3.11) | – | not compared: Debian 12 has no interpreter for it |")
        elif len(versions) == 1:
            md.append(f"| {target} | (no 3.12+) | – | not compared: only Debian 12 has an interpreter for it |")
    for triple, why in sorted(COW_EMULATED_SKIPS.items()):
        md.append(f"| {triple} | – | not measured | {why} |")
    md += ["", f"Expectation: on every target, every 3.12+ worker copies at most {COW_EMULATED_BOUND:.0%} of what "
           "a 3.11 worker copies by touching the same objects: "
           + ("**holds**." if ok else "**does not hold**: " + "; ".join(verdicts) + "."), ""]
    return md, ok


def measure_overhead(out, experiments):
    print("results: 3/4 instructions per refcount operation (callgrind)", flush=True)
    lines = []
    for loop in sorted(glob.glob(f"{experiments}/refcount_loop_*")):
        version = version_of(os.path.basename(loop), "refcount_loop_")
        for objects in ("mortal", "immortal"):
            p = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
                                "--toggle-collect=harness_refcount_loop*", loop, objects],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace")
            m = re.search(r"Collected : (\d+)", p.stdout)
            if not m or int(m.group(1)) <= 0:
                raise Failed(f"callgrind measured nothing for {loop} {objects}")
            n = int(m.group(1))
            # 1000 rounds x 1000 objects x (one incref + one decref)
            lines.append(f"{version},{objects},{n},{n / 2000000:.2f}")
    csv_lines(f"{out}/overhead.csv", "version,objects,instructions,per_operation", lines)


def measure_inline(out):
    print("results: 4/4 inlined Py_INCREF/Py_DECREF per target and compiler", flush=True)
    lines = []
    for p in PROBE_PRESETS:
        log = f"{out}/inline-{p}.log"
        if not quiet(["cmake", "--preset", p], ["cmake", "--build", "--preset", p, "--target", "inline_probes"],
                     log=log):
            print(f"results: {p}: not measured (see {log})")
            continue
        tool = "" if p.startswith("host-") else re.sub(r"-(gcc|clang)$", "", p) + "-"
        for o in sorted(glob.glob(f"build/{p}/cases/experiments/CMakeFiles/inline_probe_*.dir/inline_probe.c.o")):
            version = version_of(o, "inline_probe_")
            symbols = subprocess.run([f"{tool}nm", "-S", o], stdout=subprocess.PIPE, text=True).stdout
            for op in ("incref", "decref"):
                found = [f.split() for f in symbols.splitlines() if f.split()[-1:] == [f"harness_probe_{op}"]]
                if not found or len(found[0]) < 4:
                    raise Failed(f"no harness_probe_{op} in {o}")
                start, size = int(found[0][0], 16), int(found[0][1], 16)
                dump = subprocess.run([f"{tool}objdump", "-d", "--no-show-raw-insn", f"--start-address={start}",
                                       f"--stop-address={start + size}", o], stdout=subprocess.PIPE, text=True).stdout
                count = len(re.findall(r"^ +[0-9a-f]+:", dump, re.M))
                lines.append(f"{p},{version},{op},{size},{count}")
    csv_lines(f"{out}/inline.csv", "configuration,version,operation,bytes,instructions", lines)


def measure(out, publish):
    os.chdir(ROOT)
    # The inline probes' targets, and those whose Debian interpreters run the copy-on-write experiment.
    if subprocess.run(["ci/setup.sh", "--with-host", "i686-linux-gnu", "powerpc-linux-gnu", "s390x-linux-gnu", "aarch64-linux-gnu",
                       "arm-linux-gnueabihf", "powerpc64le-linux-gnu", "riscv64-linux-gnu"],
                      stdout=subprocess.DEVNULL).returncode:
        raise Failed("setup failed")
    if not (shutil.which("gnuplot") and shutil.which("valgrind")):
        raise Failed("gnuplot and valgrind are needed (ci/setup.sh installs them)")
    os.makedirs(out, exist_ok=True)
    # HARNESS_PYTHONS (space-separated) is passed on every time, so that an
    # empty one goes back to finding them.
    pythons = ";".join(os.environ.get("HARNESS_PYTHONS", "").split())
    if not quiet(["cmake", "--preset", "host-gcc", f"-DHARNESS_PYTHONS={pythons}"],
                 ["cmake", "--build", "--preset", "host-gcc", "--target", "all", "experiments"]):
        raise Failed("the host build failed")
    experiments = "build/host-gcc/cases/experiments"
    measure_cow(out, experiments)
    measure_cow_emulated(out)
    measure_overhead(out, experiments)
    measure_inline(out)
    if main(out):
        raise Failed(f"the expectations do not hold (see {out}/results.md)")
    if publish:
        os.makedirs("docs/results", exist_ok=True)
        shutil.copy(f"{out}/cow.png", "docs/results/cow.png")
        with open("docs/results.md", "w") as f:
            f.write(open(f"{out}/results.md").read().replace("](cow.png)", "](results/cow.png)"))
        print("results: published to docs/results.md and docs/results/cow.png")
    print(f"results: {out}/ (CSV, results.md, cow.png)")
    return 0


if __name__ == "__main__":
    args = sys.argv[1:]
    if args[:1] == ["--tables"] and len(args) == 2:
        sys.exit(main(args[1]))
    publish = args[:1] == ["--publish"]
    args = args[1:] if publish else args
    if len(args) > 1 or any(a.startswith("-") for a in args):
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    try:
        sys.exit(measure(args[0] if args else "results", publish))
    except Failed as e:
        print(f"results: {e}", file=sys.stderr)
        sys.exit(1)
