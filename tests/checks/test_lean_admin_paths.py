"""external-path-to-admin's merged findings made without a finding and message per source
(``ExternalPathToAdmin.lean_sources``, :meth:`~trustgraph.checks.external_path_to_admin.ExternalPathToAdmin.grouped`)
against its reference (:meth:`run`'s findings merged by :func:`~trustgraph.checks.grouping.group_findings`), field by
field: on the bundled example, the two-account sample, small organizations of the random and federation-heavy
profiles (admin roles with many outside sources, both outside accounts and federated providers), with undecided hops,
in one process and in workers, and with ``--via all`` (which the fast path leaves to the reference)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from twins import twin as twin_of

from trustgraph.api import TrustGraph, load
from trustgraph.checks.context import ScanContext
from trustgraph.checks.external_path_to_admin import ExternalPathToAdmin
from trustgraph.checks.registry import CHECKS
from trustgraph.checks.runner import finding_to_plain, run_checks
from trustgraph.smt.session import SolverSession

from .helpers import switched, unknown_every_third_role

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "two-account-sample"


def _findings(tg: TrustGraph, lean: bool, session: SolverSession, jobs: int, via: str,
              patch: Callable[[TrustGraph], None] | None) -> list[dict[str, Any]]:
    fresh = twin_of(tg, session)
    if patch is not None:
        patch(fresh)
    with switched(ExternalPathToAdmin, "lean_sources", lean):
        return [finding_to_plain(f) for f in run_checks(ScanContext(fresh, via=via), CHECKS, jobs=jobs).findings]


def _same(tg: TrustGraph, jobs: int = 1, via: str = "assume",
          patch: Callable[[TrustGraph], None] | None = None) -> list[dict[str, Any]]:
    session = SolverSession()  # one session for both: which valid witness a hop gets depends on what was asked before
    reference = _findings(tg, False, session, 1, via, patch)
    new = _findings(tg, True, session, jobs, via, patch)
    assert [(f["check_id"], f["role"]) for f in new] == [(f["check_id"], f["role"]) for f in reference]
    for a, b in zip(new, reference, strict=True):
        assert a == b, (a["check_id"], a["role"])
    return new


def _merged(found: list[dict[str, Any]]) -> int:
    """external-path-to-admin's merged findings that list more than one source (the message written for the first
    source only, the others' names appended)."""
    return sum(1 for f in found if f["check_id"] == ExternalPathToAdmin.id and len(f["sources"]) > 1)


def _org(profile: str, seed: int, tmp_path: Path, accounts: int = 3, roles: int = 20) -> TrustGraph:
    from trustgraph.synth import synthesize

    synthesize(tmp_path, accounts=accounts, roles_per_account=roles, seed=seed, profile=profile)
    return load(tmp_path)


def test_bundled_example_and_sample() -> None:
    assert _same(load())
    assert _same(load(SAMPLE, zone=["111122223333", "o-a1b2c3d4e5"]))


@pytest.mark.parametrize(("profile", "seed"), [("random", 1), ("random", 2), ("federation-heavy", 1),
                                               ("chain-heavy", 3), ("vendor-heavy", 1)])
def test_profiles(profile: str, seed: int, tmp_path: Path) -> None:
    _same(_org(profile, seed, tmp_path))


def test_many_sources_per_admin_role_in_workers(tmp_path: Path) -> None:
    """The random profile's admin roles are reached by many sources: the merged messages are exercised."""
    tg = _org("random", 1, tmp_path, accounts=6, roles=30)
    assert _merged(_same(tg)) > 5
    assert _merged(_same(tg, jobs=2)) > 5


def test_via_all() -> None:
    assert _same(load(), via="all")


def test_undecided_hops() -> None:
    found = _same(load(), patch=unknown_every_third_role)
    assert any(f["check_id"] == ExternalPathToAdmin.id and f["kind"].value == "unknown" for f in found)
