"""merge -- the whole matrix from per-configuration outputs: what one
machine's run judges, judged again over the outputs of separate runs (one
GitHub job per preset, docs/ci.md).

    python3 -m ci.harness merge [--reports OUT] [--build-root DIR] JOB...

(ci/merge.sh runs it with the same command line.)

Each JOB is one run's output directory, holding any of
  reports/                 its run's reports (<preset>.record.json,
                           .junit.xml, .log)
  build/<preset>/abi/      its ABI probes (probes.txt and the objects),
                           real MSVC's (windows-msvc-*) included; or
                           those files at its top, if it is job-<preset>
The probes are placed in DIR/<preset>/abi (default build/merged) with
probes.txt pointing at them, and audited together (ci/abi-audit.sh: the
baselines and every cross-configuration invariant: one ABI's compilers
equal, little- versus big-endian, 32- versus 64-bit, cl.exe against the
MSVC-ABI and MinGW-w64 manifests). Then report.merge() merges the reports
into OUT (default reports/merged): summary.md, summary.json, junit.xml,
matrix.png, with the audit's section.
Exit status: 0 if the merged matrix passed and the audit exited 0; 2 for
bad usage.
"""
import glob
import os
import re
import shutil
import subprocess
import sys

from . import audit, report, run, tables
from .run import Usage

ROOT = tables.ROOT


def rewrite_probes(text, dest, preset):
    """probes.txt named its files by the absolute paths of the machine that
    built them (/ or \\): rewritten to DEST, where they are now. A record's
    object and library are paths; comments and short lines stay."""
    paths = [audit.PROBE_FIELDS.index(f) for f in ("object", "library")]
    out = []
    for line in text.splitlines():
        fields = line.split("|")
        if not line.startswith("#") and len(fields) > max(paths):
            for i in paths:
                m = re.search("/" + re.escape(preset) + "/abi/(.*)$", fields[i].replace("\\", "/"))
                if m:
                    fields[i] = dest + "/" + m.group(1)
        out.append("|".join(fields))
    return "\n".join(out) + "\n"


def place_probes(job, build_root, known):
    """Each configuration's probes of one job in BUILD_ROOT/<preset>/abi:
    the presets placed. (An artifact of the one directory build/<preset>/abi/
    holds its files at its top: then the job directory is job-<preset>.)"""
    placed = []
    for abi in sorted(glob.glob(os.path.join(job, "build", "*", "abi"))) + [job]:
        if not os.path.isfile(os.path.join(abi, "probes.txt")):
            continue
        preset = re.sub(r"^job-", "", os.path.basename(job)) if abi == job else os.path.basename(os.path.dirname(abi))
        if preset not in known:
            raise Usage(f"merge: {abi}: '{preset}' is no preset of this tree")
        dest = os.path.join(build_root, preset, "abi")
        shutil.rmtree(os.path.dirname(dest), ignore_errors=True)
        try:
            shutil.copytree(abi, dest, copy_function=os.link)
        except OSError:  # another file system: copied
            shutil.rmtree(dest, ignore_errors=True)
            shutil.copytree(abi, dest)
        with open(os.path.join(abi, "probes.txt"), encoding="utf-8") as f:
            text = rewrite_probes(f.read(), dest, preset)
        os.remove(os.path.join(dest, "probes.txt"))  # a link to the job's: replaced, not written through
        with open(os.path.join(dest, "probes.txt"), "w", encoding="utf-8") as f:
            f.write(text)
        placed.append(preset)
    return placed


def parse(argv):
    o = {"reports": os.path.join(ROOT, "reports", "merged"), "build_root": os.path.join(ROOT, "build", "merged"),
         "jobs": []}
    args = list(argv)
    while args:
        arg = args.pop(0)
        if arg in ("--reports", "--build-root"):
            if not args:
                raise Usage(f"merge: {arg} needs a directory")
            o[arg[2:].replace("-", "_")] = os.path.abspath(args.pop(0))
        elif arg.startswith("-"):
            raise Usage(f"merge: unknown option '{arg}' (see ci/harness/merge.py)")
        elif not os.path.isdir(arg):
            raise Usage(f"merge: '{arg}' is not a directory")
        else:
            o["jobs"].append(os.path.abspath(arg))
    if not o["jobs"]:
        raise Usage("merge: name at least one job's output directory")
    return o


def merge(o):
    known = {p["name"] for p in tables.all_presets(ROOT)}  # real MSVC's too
    os.makedirs(o["reports"], exist_ok=True)
    os.makedirs(o["build_root"], exist_ok=True)
    report_dirs, audited = [], []
    for job in o["jobs"]:
        if os.path.isdir(os.path.join(job, "reports")):
            report_dirs.append(os.path.join(job, "reports"))
        audited += place_probes(job, o["build_root"], known)
    if not report_dirs:
        raise Usage("merge: no job brought reports/")
    abi_rc = 0
    if audited:
        log_path = os.path.join(o["reports"], "abi-audit.log")
        with open(log_path, "w") as log:
            abi_rc = subprocess.run(run.audit_command(o["build_root"], o["reports"], audited),
                                    stdout=log, stderr=subprocess.STDOUT, cwd=ROOT).returncode
        print("\n".join(run.audit_verdicts(log_path, "merge: ")))
    else:
        print("merge: abi-audit: no job brought ABI probes")
    sys.stdout.flush()
    return report.merge(o["reports"], report_dirs, abi_exit=abi_rc, audited=len(audited))


def main(argv):
    try:
        return merge(parse(argv))
    except Usage as e:
        print(e, file=sys.stderr)
        return 2
