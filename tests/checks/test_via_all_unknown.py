"""``scan --via all``: an undecided hop that only a path with a privilege-escalation hop reaches.

Estate: Entry (account A, in the zone) trusts account B (outside), so the outsider assumes it; Entry may rewrite
Mid's trust policy (iam-012, an escalation edge Entry -> Mid) but may not assume Mid; Mid may assume Admin (an
administrator, its trust names Mid only). The hop Mid -> Admin is made to answer Unknown (an injected timeout). The
assume-only search from the outsiders never reaches Mid, so the assume-only answers of external-path-to-admin say
nothing undecided; only the mixed path outsider -> Entry -> (iam-012) Mid -> Admin meets the undecided hop.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import trustgraph
from trustgraph.checks.context import ScanContext
from trustgraph.checks.external_path_to_admin import CHECK as EXTERNAL_PATH
from trustgraph.checks.finding import FindingKind
from trustgraph.checks.runner import run_checks
from trustgraph.graph.nodes import EXTERNAL
from trustgraph.queries.results import Reach

from .helpers import ALLOW_ALL, ZONE, A, B, assume_policy, gaad, role, role_arn, stmt, trust, write_estate

ADMIN = role_arn("Admin")
MID = role_arn("Mid")


def _estate(tmp_path: Path) -> trustgraph.TrustGraph:
    rewrite = {"Version": "2012-10-17",
               "Statement": [{"Effect": "Allow", "Action": "iam:UpdateAssumeRolePolicy", "Resource": MID}]}
    d = write_estate(tmp_path / "exports", {A: gaad(
        role("Entry", trust(stmt({"AWS": f"arn:aws:iam::{B}:root"})), policies=[rewrite]),
        role("Mid", trust(stmt({"AWS": f"arn:aws:iam::{A}:role/Other"})), policies=[assume_policy(ADMIN)]),
        role("Admin", trust(stmt({"AWS": MID})), policies=[ALLOW_ALL]),
    )})
    return trustgraph.load(d, zone=list(ZONE))


def _undecided_into_admin(tg: trustgraph.TrustGraph) -> list[int]:
    """Every hop into Admin answers Unknown; returns a one-item list counting those answers."""
    from trustgraph.smt.solve import Unknown

    solve = tg.engine.solve
    asked = [0]

    def patched(state: Any, target: str, *args: Any, **kwargs: Any) -> Any:
        if target == ADMIN:
            asked[0] += 1
            return Unknown("timeout (injected)")
        return solve(state, target, *args, **kwargs)

    tg.engine.solve = patched  # type: ignore[method-assign]
    return asked


def test_the_estate_reaches_admin_only_through_the_escalation(tmp_path: Path) -> None:
    """Without the timeout the mixed path is a finding (the estate is what the module docstring says) and the
    assume-only scan has none."""
    tg = _estate(tmp_path)
    assert not run_checks(ScanContext(tg), (EXTERNAL_PATH,)).findings
    (f,) = run_checks(ScanContext(tg, via="all"), (EXTERNAL_PATH,)).findings
    assert f.kind is FindingKind.FINDING
    assert [h.method for h in f.path] == [None, "iam-012", None]


def test_the_external_mixed_query_answers_unknown(tmp_path: Path) -> None:
    """``GraphQueries._mixed`` answers the class ``external`` (one search, not a specific source) with an Unknown for
    an ``admin:`` node it does not reach when its search met an undecided hop, naming the hop, as a specific
    source's query does (``ExternalPathToAdmin._escalations`` reads it)."""
    tg = _estate(tmp_path)
    asked = _undecided_into_admin(tg)
    options = ScanContext(tg).options(via="all")
    (outside,) = tg.query(EXTERNAL, "admin", options)
    assert asked[0] >= 1, "the mixed search must have met the undecided hop Mid -> Admin"
    assert (outside.source, outside.target, outside.verdict) == (EXTERNAL, f"admin:{A}", Reach.UNKNOWN)
    assert f"{MID} -> {ADMIN}: timeout (injected)" in (outside.reason or "")
    (mid,) = tg.query(MID, "admin", options)  # the same hop asked from Mid, a specific source: said out loud
    assert mid.verdict is Reach.UNKNOWN


def test_an_undecided_hop_met_only_through_an_escalation_is_an_unknown_finding(tmp_path: Path) -> None:
    tg = _estate(tmp_path)
    _undecided_into_admin(tg)
    assert not run_checks(ScanContext(tg), (EXTERNAL_PATH,)).findings  # assume-only: nothing, rightly
    findings = run_checks(ScanContext(tg, via="all"), (EXTERNAL_PATH,)).findings
    assert [(f.kind, f.role, f.source) for f in findings] == [(FindingKind.UNKNOWN, ADMIN, EXTERNAL)]


def _undecided_rewrite(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Every iam:UpdateAssumeRolePolicy permission question answers Unknown; returns a one-item list counting them."""
    from trustgraph.smt import permissions

    real = permissions.solve_permission
    asked = [0]

    def patched(caller: Any, action: str, *args: Any, **kwargs: Any) -> Any:
        if action == "iam:UpdateAssumeRolePolicy":
            asked[0] += 1
            return permissions.PermissionUnknown("timeout (injected)")
        return real(caller, action, *args, **kwargs)

    monkeypatch.setattr(permissions, "solve_permission", patched)
    return asked


def test_an_undecided_escalation_call_is_answered_unknown(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An escalation method whose permission question is undecided makes no edge and is no refusal either
    (``Escalations.undecided``, whatever the method's target: iam-012's is a role): the mixed search counts it among
    its undecided hops, so a query from Entry itself answers Unknown naming the call, not Unreachable."""
    asked = _undecided_rewrite(monkeypatch)
    tg = _estate(tmp_path)
    entry_arn = role_arn("Entry")
    assert tg.escalations().edges_from(entry_arn) == ()
    assert tg.escalations().refused(entry_arn) == []
    undecided = (f"{entry_arn} -> {MID}: iam-012 (iam:UpdateAssumeRolePolicy): iam:UpdateAssumeRolePolicy on {MID} "
                 "undecided: timeout (injected)")
    assert undecided in tg.escalations().undecided(entry_arn)  # each role of the account is asked: all undecided
    (entry,) = tg.query(entry_arn, "admin", ScanContext(tg).options(via="all"))
    assert asked[0] >= 1
    assert entry.verdict is Reach.UNKNOWN
    assert undecided in (entry.reason or "")


def test_an_undecided_escalation_call_is_an_unknown_finding(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _undecided_rewrite(monkeypatch)
    tg = _estate(tmp_path)
    findings = run_checks(ScanContext(tg, via="all"), (EXTERNAL_PATH,)).findings
    assert [(f.kind, f.role, f.source) for f in findings] == [(FindingKind.UNKNOWN, ADMIN, EXTERNAL)]
    assert "iam-012" in findings[0].message


def test_an_unknown_the_assume_only_answers_say_is_not_repeated(tmp_path: Path) -> None:
    """When the outsiders reach the undecided hop by assuming roles only (here Mid trusts account B too), the
    assume-only answers already make the unknown finding on Admin for the class ``external``; ``--via all`` adds
    none for the same source and role (its mixed search meets the same hop)."""
    d = write_estate(tmp_path / "exports", {A: gaad(
        role("Mid", trust(stmt({"AWS": f"arn:aws:iam::{B}:root"})), policies=[assume_policy(ADMIN)]),
        role("Admin", trust(stmt({"AWS": MID})), policies=[ALLOW_ALL]),
    )})
    tg = trustgraph.load(d, zone=list(ZONE))
    _undecided_into_admin(tg)
    (alone,) = run_checks(ScanContext(tg), (EXTERNAL_PATH,)).findings
    assert (alone.kind, alone.role, alone.source) == (FindingKind.UNKNOWN, ADMIN, EXTERNAL)
    (outside,) = tg.query(EXTERNAL, "admin", ScanContext(tg).options(via="all"))
    assert outside.verdict is Reach.UNKNOWN  # said by the query, not repeated by the check
    findings = run_checks(ScanContext(tg, via="all"), (EXTERNAL_PATH,)).findings
    assert [(f.kind, f.role, f.source) for f in findings] == [(FindingKind.UNKNOWN, ADMIN, EXTERNAL)]
