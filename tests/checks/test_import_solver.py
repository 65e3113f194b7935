"""The solver's modules are imported once, in the scan's parent process, before it forks its workers
(:func:`trustgraph.checks.runner.import_solver`): the workers forked before the shared work no longer import them
again, and the list names only modules a scan would import anyway."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from trustgraph.checks.runner import SOLVER_MODULES

#: run in a fresh interpreter (this one has imported everything already), with ``jobs`` from the command line: the
#: modules the checks import while they run (one process), or those each worker imports after its fork
_SCRIPT = r"""
import json, sys
import trustgraph.checks.parallel as parallel
from trustgraph.api import load
from trustgraph.checks.context import ScanContext
from trustgraph.checks.registry import CHECKS
from trustgraph.checks.runner import run_checks

record, jobs = sys.argv[1], int(sys.argv[2])
worker = parallel._worker

def recording(*args, **kwargs):
    before = set(sys.modules)
    try:
        return worker(*args, **kwargs)
    finally:
        with open(record, "a") as fh:
            fh.write(json.dumps(sorted(set(sys.modules) - before)) + "\n")

parallel._worker = recording
ctx = ScanContext(load())
before = set(sys.modules)
findings = run_checks(ctx, CHECKS, jobs=jobs, chunk=1).findings
print(json.dumps({"imported": sorted(set(sys.modules) - before), "findings": len(findings)}))
"""


def _run(tmp_path: Path, jobs: int) -> tuple[list[str], list[list[str]], int]:
    """(modules the run imported, modules each worker imported, findings)."""
    record = tmp_path / f"workers-{jobs}.jsonl"
    done = subprocess.run([sys.executable, "-c", _SCRIPT, str(record), str(jobs)], capture_output=True, text=True,
                          check=True)
    out = json.loads(done.stdout.strip().splitlines()[-1])
    workers = [json.loads(line) for line in record.read_text().splitlines()] if record.exists() else []
    return out["imported"], workers, out["findings"]


def test_solver_modules_are_what_the_checks_import_and_workers_import_none_again(tmp_path: Path) -> None:
    imported, workers, one = _run(tmp_path, 1)
    # every listed module is one the checks import lazily while they run: none is imported for nothing
    assert set(SOLVER_MODULES) <= set(imported)
    assert workers == []
    imported, workers, two = _run(tmp_path, 2)
    assert two == one and set(SOLVER_MODULES) <= set(imported)
    assert workers  # the run forked workers, early ones among them (chunk 1: tasks enough for each)
    for new in workers:
        assert not set(new) & set(SOLVER_MODULES), new
