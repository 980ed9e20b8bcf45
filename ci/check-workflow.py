#!/usr/bin/python3
"""check-workflow.py -- the GitHub Actions workflow must parse, name only
presets that exist, and give every preset a job (the unit tests run this:
ci/harness/tests/test_scripts.py; the workflow itself cannot run on this
machine).  Exit 0 if so, 1 with the reasons otherwise.

    ci/check-workflow.py [WORKFLOW]    default: .github/workflows/matrix.yml"""
import json
import re
import subprocess
import sys

import yaml

WORKFLOW = ".github/workflows/matrix.yml"


def main():
    workflow = sys.argv[1] if len(sys.argv) > 1 else WORKFLOW
    with open("CMakePresets.json") as f:
        presets = json.load(f)
    configure = {p["name"] for p in presets["configurePresets"] if not p.get("hidden")}
    workflows = {p["name"] for p in presets.get("workflowPresets", [])}
    with open(workflow) as f:
        flow = yaml.safe_load(f)
    problems = []
    named = set()
    for job_name, job in flow["jobs"].items():
        matrix = job.get("strategy", {}).get("matrix", {})
        if isinstance(matrix, str):
            # The table's matrix, emitted by a job that runs ci/tables.py.
            m = re.fullmatch(r"\$\{\{\s*fromJSON\(needs\.(\w+)\.outputs\.(\w+)\)\s*\}\}", matrix.strip())
            producer = flow["jobs"].get(m.group(1), {}) if m else {}
            runs = " ".join(step.get("run", "") for step in producer.get("steps", []))
            if not m or "ci/tables.py matrix-json" not in runs:
                problems.append(f"job {job_name}: its matrix must be fromJSON of a job that runs ci/tables.py matrix-json")
                continue
            matrix = json.loads(subprocess.run([sys.executable, "ci/tables.py", "matrix-json"], check=True,
                                               capture_output=True, text=True).stdout)
            wanted = [entry["preset"] for entry in matrix["include"]]
        else:
            wanted = matrix.get("preset", [])
        for preset in wanted:
            named.add(preset)
            if preset not in configure:
                problems.append(f"job {job_name} names preset {preset}, which CMakePresets.json does not have")
        steps = " ".join(step.get("run", "") for step in job.get("steps", []))
        if "--workflow" in steps:
            for preset in wanted:
                if preset not in workflows:
                    problems.append(f"job {job_name} runs workflow preset {preset}, which does not exist")
    for preset in sorted(configure - named):
        problems.append(f"preset {preset} has no job in {workflow}")
    for p in problems:
        print(p)
    print(f"{workflow}: {len(flow['jobs'])} jobs, {len(named)} presets, "
          + ("every preset has a job" if not problems else f"{len(problems)} problems"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
