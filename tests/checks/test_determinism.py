"""A scan's findings are a function of the exports and the analysis time: the same, witness requests included, with
one process or two, whatever order the roles are checked in and whatever the garbage collector's thresholds.

The organizations are ``trustgraph synth --profile random`` at 160 roles with the seeds (4 and 5) on which, before
every z3 question had a context of its own (``smt.decide.fresh_context``), vacuous-condition's witnesses of the class of
any AWS principal changed with the order the roles were checked in and with ``--jobs`` (an ``aws:PrincipalArn`` of
``.../role/ops-`` or ``.../role/ops-/+``, ``aws:TagKeys`` present or not, another ``aws:SourceIp``): the same hop
question got another z3 model depending on the questions the process had asked before it.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from trustgraph.api import TrustGraph, load
from trustgraph.checks.context import ScanContext
from trustgraph.checks.registry import CHECKS
from trustgraph.checks.runner import finding_to_plain, run_checks

NOW_MS = 1_796_083_200_000  # 2026-12-01T00:00:00Z
SEEDS = (4, 5)


@pytest.fixture(scope="module", params=SEEDS)
def org(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, TrustGraph]:
    from trustgraph.synth import synthesize

    out = tmp_path_factory.mktemp(f"random-{request.param}")
    synthesize(out, accounts=4, roles_per_account=40, seed=request.param, profile="random")
    return out, load(out)


def _findings(tg: TrustGraph, *, jobs: int = 1, roles: Sequence[str] | None = None,
              chunk: int | None = None) -> dict[str, list[dict[str, Any]]]:
    """Every finding as plain values (witness contexts and messages included), per role, on a graph with fresh
    caches (a new engine and solver session)."""
    fresh = TrustGraph(tg.estate, tg.zone, tg.graph)
    fresh.engine.now_ms = NOW_MS
    ctx = ScanContext(fresh, roles)
    out: dict[str, list[dict[str, Any]]] = {}
    for f in run_checks(ctx, CHECKS, jobs=jobs, chunk=chunk).findings:
        out.setdefault(f.role, []).append(finding_to_plain(f))
    return out


def _roles(tg: TrustGraph) -> tuple[str, ...]:
    return ScanContext(tg).roles


def _same(a: dict[str, list[dict[str, Any]]], b: dict[str, list[dict[str, Any]]]) -> None:
    assert sorted(a) == sorted(b)
    for role in a:
        assert a[role] == b[role], role


@contextmanager
def _threshold(n: int) -> Iterator[None]:
    old = gc.get_threshold()
    gc.set_threshold(n)
    try:
        yield
    finally:
        gc.set_threshold(*old)


@pytest.fixture(scope="module")
def reference(org: tuple[Path, TrustGraph]) -> dict[str, list[dict[str, Any]]]:
    found = _findings(org[1])
    assert sum(1 for fs in found.values() for f in fs if f["check_id"] == "vacuous-condition") >= 5
    return found


def test_worker_processes_change_nothing(org: tuple[Path, TrustGraph],
                                        reference: dict[str, list[dict[str, Any]]]) -> None:
    _same(_findings(org[1], jobs=2), reference)


def test_the_order_of_the_roles_changes_nothing(org: tuple[Path, TrustGraph],
                                                reference: dict[str, list[dict[str, Any]]]) -> None:
    roles = _roles(org[1])
    _same(_findings(org[1], roles=tuple(reversed(roles))), reference)
    _same(_findings(org[1], roles=roles[1::2] + roles[0::2]), reference)


def test_the_collectors_threshold_changes_nothing(org: tuple[Path, TrustGraph],
                                                  reference: dict[str, list[dict[str, Any]]]) -> None:
    with _threshold(5_000):
        _same(_findings(org[1]), reference)


def test_the_json_report_is_byte_identical_across_jobs(org: tuple[Path, TrustGraph], tmp_path: Path) -> None:
    """What README promises: ``scan --jobs 1`` and ``--jobs 2`` (worker processes forced on a small organization)
    write the same bytes."""
    from trustgraph.cli.main import main

    outs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"jobs-{jobs}.json"
        assert main(["scan", str(org[0]), "--format", "json", "--now", "2026-12-01T00:00:00Z", "--jobs", jobs,
                     "-o", str(out)]) in (0, 1)
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
