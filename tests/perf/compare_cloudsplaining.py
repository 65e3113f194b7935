"""Cloudsplaining and trustgraph side by side on the same exports: wall time per role.

Not a test (tests/perf/conftest.py keeps pytest from collecting or importing it): a script run by hand, because it
installs Cloudsplaining into a throwaway virtual environment.

Instructions (reproducible by anyone; nothing of the venv is committed)::

    python -m venv /tmp/cs-venv && /tmp/cs-venv/bin/pip install cloudsplaining     # once
    trustgraph synth /tmp/org20k --accounts 200 --roles-per-account 100 --seed 1     # or your own exports
    python tests/perf/compare_cloudsplaining.py /tmp/org20k --cloudsplaining /tmp/cs-venv/bin/cloudsplaining

or let the script make the venv: ``--make-venv /tmp/cs-venv``.

What is timed:

* Cloudsplaining: ``cloudsplaining scan --input-file ACCOUNT.json --output TMP --skip-open-report
  --flag-trust-policies`` once per get-account-authorization-details file (it reads one account per run), in
  sequence; the sum of the wall times.
* trustgraph: the whole ``trustgraph scan DIR --format json -o /dev/null`` process (interpreter start included).

Both are divided by the number of roles in the exports. ``trustgraph bench --cloudsplaining EXE`` makes the same
comparison (``trustgraph/bench/cloudsplaining.py`` holds the shared code). The two tools do not answer the same
question (Cloudsplaining reads permission policies and flags trust policies syntactically; trustgraph solves every
trust condition and every chain), so this compares cost, not findings.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from trustgraph.bench.cloudsplaining import account_files, make_venv, time_cloudsplaining


def time_trustgraph(directory: Path, jobs: str) -> float:
    """Seconds of the whole ``trustgraph scan DIR --format json --jobs JOBS`` process."""
    cmd = [sys.executable, "-m", "trustgraph", "scan", str(directory), "--format", "json", "-o", os.devnull,
           "--jobs", jobs]
    start = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    seconds = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"trustgraph scan failed: {proc.stderr.decode(errors='replace')[-500:]}")
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("directory", type=Path, help="a directory of exports (e.g. from `trustgraph synth`)")
    parser.add_argument("--cloudsplaining", default="cloudsplaining", help="the cloudsplaining executable")
    parser.add_argument("--make-venv", type=Path, metavar="DIR", help="create a venv in DIR and install it there")
    parser.add_argument("--accounts", type=int, metavar="N",
                        help="time Cloudsplaining on the first N account files only (per-role cost is per account)")
    parser.add_argument("--jobs", default="auto", help="trustgraph scan --jobs (default: auto, the scan's default)")
    parser.add_argument("--skip-trustgraph", action="store_true", help="time Cloudsplaining only")
    parser.add_argument("--json", action="store_true", help="print the numbers as JSON")
    args = parser.parse_args(argv)
    exe = str(make_venv(args.make_venv)) if args.make_venv else args.cloudsplaining
    files = account_files(args.directory)
    if not files:
        raise SystemExit(f"no get-account-authorization-details files in {args.directory}")
    all_roles = sum(n for _, n in files)
    cs_seconds, cs_files, cs_roles = time_cloudsplaining(exe, files, args.accounts)
    cs_version = subprocess.run([exe, "--version"], capture_output=True, text=True, check=False).stdout.strip()
    result: dict[str, object] = {
        "directory": str(args.directory), "accounts": len(files), "roles": all_roles,
        "cloudsplaining": {"version": cs_version, "files": cs_files, "roles": cs_roles,
                           "seconds": round(cs_seconds, 2), "ms_per_role": round(1000 * cs_seconds / cs_roles, 3)},
    }
    if not args.skip_trustgraph:
        tg_seconds = time_trustgraph(args.directory, args.jobs)
        result["trustgraph"] = {"roles": all_roles, "seconds": round(tg_seconds, 2), "jobs": args.jobs,
                                "ms_per_role": round(1000 * tg_seconds / all_roles, 3)}
        result["cloudsplaining_over_trustgraph_per_role"] = round(
            (cs_seconds / cs_roles) / (tg_seconds / all_roles), 2)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        cs = result["cloudsplaining"]
        print(f"{all_roles} roles in {len(files)} accounts ({args.directory})")
        print(f"cloudsplaining {cs_version}: {cs['seconds']} s for {cs_roles} roles in {cs_files} accounts = "
              f"{cs['ms_per_role']} ms/role")
        if "trustgraph" in result:
            tg = result["trustgraph"]
            print(f"trustgraph scan --format json (whole process): {tg['seconds']} s for {all_roles} roles = "
                  f"{tg['ms_per_role']} ms/role")
            print(f"Cloudsplaining time per role / trustgraph time per role: "
                  f"{result['cloudsplaining_over_trustgraph_per_role']}x (target: >= 50x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
