"""The privilege-escalation fast paths give the reference's findings, field by field: mixed searches
(``via="all"``) whose principals' assume-role searches are replayed from shared moves
(``GraphQueries.shared_assume_reach``, :mod:`trustgraph.queries.escalate`) against ``engine.search`` for each; that
stop once a source's shortest administrator answer is settled (``GraphQueries.stop_at_admin``) against searching
everything; escalation edges whose calls on targets matched alike share one answer (``Escalations.shared_calls``,
:mod:`trustgraph.graph.escalation`) against every call asked (edges and refusals compared too). On the bundled
example, the privilege-escalation fixtures, the two-account sample and small generated organizations of every
profile (random seeds 1, 2, 3 and 6 included: wildcard ``sts:AssumeRole`` grants, where a mixed search runs one
assume-role search per principal it obtains), and with undecided hops (kept with each principal's search: a later
mixed search that reaches the principal reports them too)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from twins import twin as twin_of

from tests.queries.engines import undecided
from trustgraph.api import TrustGraph, load
from trustgraph.checks.context import ScanContext
from trustgraph.checks.registry import CHECKS_BY_ID
from trustgraph.checks.runner import finding_to_plain, run_checks
from trustgraph.ingest.load import load_estate
from trustgraph.queries.options import QueryOptions
from trustgraph.queries.results import Reach
from trustgraph.smt.session import SolverSession

CHECKS = (CHECKS_BY_ID["privilege-escalation"], CHECKS_BY_ID["external-path-to-admin"])
DATA = Path(__file__).resolve().parents[1] / "data"
SAMPLE = DATA / "two-account-sample"
PRIVESC = DATA / "privesc"


def _twin(tg: TrustGraph, fast: bool, session: SolverSession, patch: Callable[[TrustGraph], None] | None
          ) -> TrustGraph:
    twin = twin_of(tg, session)
    twin.shared_assume_reach = fast
    twin.stop_at_admin = fast
    twin.lazy_reach = fast
    twin.escalations().shared_calls = fast
    if patch is not None:
        patch(twin)
    return twin


def _same(tg: TrustGraph, patch: Callable[[TrustGraph], None] | None = None) -> tuple[int, int, int]:
    """Compare the checks' findings (``scan --via all``) and every principal's administrator answer; return the
    number of findings, of answers, and of principals' assume-role searches the reference ran (each once)."""
    session = SolverSession()
    fast, reference = _twin(tg, True, session, patch), _twin(tg, False, session, patch)
    found = []
    for twin in (fast, reference):
        findings = run_checks(ScanContext(twin, via="all"), CHECKS).findings
        found.append([finding_to_plain(f) for f in findings])
    new, old = found
    assert [(f["check_id"], f["role"]) for f in new] == [(f["check_id"], f["role"]) for f in old]
    for a, b in zip(new, old, strict=True):
        assert a == b, (a["check_id"], a["role"])
    options = QueryOptions.make(via="all")
    principals = sorted(n for n, d in tg.graph.nodes(data=True) if d["kind"] in ("user", "role") and d["inside"])
    answers = 0
    for p in principals:
        a, b = fast.query(p, "admin", options)[0], reference.query(p, "admin", options)[0]
        assert (a.source, a.target, a.verdict, a.hops, a.reason, a.approximations) == (
            b.source, b.target, b.verdict, b.hops, b.reason, b.approximations), p
        answers += 1
    for p in principals:
        assert fast.escalations().edges_from(p) == reference.escalations().edges_from(p), p
        assert fast.escalations().refused(p) == reference.escalations().refused(p), p
    assert reference.escalations().shared_answers == 0
    searches = reference.assume_reaches().searches
    assert fast.assume_reaches().searches <= searches  # fewer: the searches stopped at an administrator
    assert fast.assume_reaches().shared is not None and reference.assume_reaches().shared is None
    return len(new), answers, searches


def test_bundled_example() -> None:
    assert _same(load())[1] > 0


def test_privilege_escalation_fixtures() -> None:
    findings, _, _ = _same(TrustGraph(load_estate([PRIVESC])))
    assert findings > 0


def test_two_account_sample() -> None:
    assert _same(load(SAMPLE, zone=["111122223333", "o-a1b2c3d4e5"]))[1] > 0


@pytest.mark.parametrize(("profile", "seed"), [
    ("mix", 1), ("federation-heavy", 1), ("chain-heavy", 1), ("vendor-heavy", 1), ("condition-heavy", 1),
    ("random", 1), ("random", 2), ("random", 3), ("random", 6),
])
def test_generated_organizations(profile: str, seed: int, tmp_path: Path) -> None:
    from trustgraph.synth import synthesize

    synthesize(tmp_path, accounts=3, roles_per_account=30, seed=seed, profile=profile)
    _, answers, searches = _same(load(tmp_path))
    assert answers > 0
    if profile == "random":  # wildcard sts:AssumeRole grants: principals reached on the way are searched
        assert searches > 0
    if profile == "random" and seed == 2:  # iam:UpdateAssumeRolePolicy on role/*: one answer for many roles
        assert _shared_answers(tmp_path) > 0


def _shared_answers(path: Path) -> int:
    """The calls the escalation edges of a loaded organization answer from another target's answer."""
    tg = load(path)
    escalations = tg.escalations()
    for n, d in tg.graph.nodes(data=True):
        if d["kind"] in ("user", "role"):
            escalations.edges_from(n)
    return int(escalations.shared_answers)


@pytest.mark.parametrize("every", [2, 5])
def test_undecided_hops(every: int, tmp_path: Path) -> None:
    from trustgraph.synth import synthesize

    synthesize(tmp_path, accounts=3, roles_per_account=20, seed=2, profile="random")
    tg = load(tmp_path)
    assert _same(tg, undecided(every))[1] > 0
    twin = _twin(tg, True, SolverSession(), undecided(every))
    principals = sorted(n for n, d in tg.graph.nodes(data=True) if d["kind"] in ("user", "role") and d["inside"])
    verdicts = {twin.query(p, "admin", QueryOptions.make(via="all"))[0].verdict.value for p in principals}
    assert "unknown" in verdicts


def test_undecided_hops_of_a_kept_search_are_reported_again(tmp_path: Path) -> None:
    """A principal's assume-role search is kept for the later mixed searches with its undecided hops: each answer,
    asked after the others, is the one a fresh ``GraphQueries`` gives (before, a kept search's undecided hops were
    dropped: here ``eks/eks-service-19`` was unreachable after the others, unknown on its own)."""
    from trustgraph.synth import synthesize

    synthesize(tmp_path, accounts=3, roles_per_account=20, seed=2, profile="random")
    tg = load(tmp_path)
    session = SolverSession()
    options = QueryOptions.make(via="all")
    principals = sorted(n for n, d in tg.graph.nodes(data=True) if d["kind"] in ("user", "role") and d["inside"])
    warm = _twin(tg, True, session, undecided(2))
    answers = {p: warm.query(p, "admin", options)[0] for p in principals}
    for p in principals:
        a = answers[p]
        b = _twin(tg, True, session, undecided(2)).query(p, "admin", options)[0]
        assert (a.verdict, a.hops, a.reason) == (b.verdict, b.hops, b.reason), p
    assert any(a.verdict is Reach.UNKNOWN for a in answers.values())


def _answers(tg: TrustGraph, principals: list[str], targets: tuple[str | None, ...]) -> list[tuple[Any, ...]]:
    """Every principal's answers to each target, asked target by target (the whole mixed search for None)."""
    options = QueryOptions.make(via="all")
    out = []
    for target in targets:
        for p in principals:
            for r in tg.query(p, target, options):
                out.append((p, target, r.source, r.target, r.verdict, r.hops, r.reason, r.approximations))
    return out


@pytest.mark.parametrize("seed", [1, 3])
def test_layered_mixed_searches(seed: int, tmp_path: Path) -> None:
    """Mixed searches that read each principal's assume-role search and escalation edges only as deep as they go
    (``GraphQueries.lazy_reach``) against reading them whole when the principal is obtained, everything else
    alike: each principal's administrator answer (a search stopped at its first administrator length) and every
    target it reaches (a whole search, undecided hops included), asked in both orders (a principal's kept search
    read whole by one query and layer by layer by a later one, and the other way round), with undecided hops."""
    from trustgraph.synth import synthesize

    synthesize(tmp_path, accounts=3, roles_per_account=30, seed=seed, profile="random")
    tg = load(tmp_path)
    principals = sorted(n for n, d in tg.graph.nodes(data=True) if d["kind"] in ("user", "role") and d["inside"])
    for patch in (None, undecided(3)):
        session = SolverSession()
        reference = _twin(tg, True, session, patch)
        reference.lazy_reach = False
        for targets in (("admin", None), (None, "admin")):
            lazy = _twin(tg, True, session, patch)
            assert lazy.lazy_reach
            expected = _answers(reference, principals, targets)
            assert _answers(lazy, principals, targets) == expected
            assert any(a[4] is Reach.REACHABLE and a[3].startswith("admin:") and len(a[5]) > 1 for a in expected)
            if patch is not None:
                assert any(a[4] is Reach.UNKNOWN for a in expected)
