"""A caller's policy whose statements for an action cover every ARN (``queries.evalclass._covers_every_arn``) has one
view for every role (``EvaluatedClasses.arn_blind_views``), and a signature of such policies one set of views,
against the reference (a view per policy text, action and role): the engine must hold the same memoised answers,
filed answers and kept leads, the outsider searches and the mixed (privilege-escalation) searches the same states,
paths and undecided hops, and a scan the same findings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from small_orgs import small_org
from twins import twin

from tests.queries.engines import same_scans
from tests.queries.helpers import policy_statements
from tests.queries.test_class_moves import _engine_state, _searched
from trustgraph.api import TrustGraph
from trustgraph.graph.build import resource_may_match
from trustgraph.queries.evalclass import EvaluatedClasses, _covers_every_arn
from trustgraph.queries.options import QueryOptions

ORGS = [("example", 0), ("sample", 0), ("vendor-heavy", 1), ("federation-heavy", 2), ("mix", 1), ("chain-heavy", 3),
        ("random", 1), ("random", 2), ("random", 3), ("random", 5)]


def _mixed(tg: TrustGraph) -> list[Any]:
    """Every principal's administrator question over assume-role and escalation edges (the privilege-escalation
    check's searches): verdict, hops and reason per principal."""
    G = tg.graph
    options = QueryOptions.make(via="all")
    out = []
    for n in sorted(G.nodes):
        if G.nodes[n]["kind"] in ("user", "role") and G.nodes[n].get("inside"):
            r = tg.query(n, "admin", options)[0]
            out.append((n, r.verdict, r.hops, r.reason))
    return out


#: on which organizations each shortcut is taken (fewer views kept than with a view per role)
_TAKEN = {"arn_blind_views": lambda name, seed: name == "random",
          "literal_views": lambda name, seed: (name, seed) in (("example", 0), ("sample", 0), ("random", 3),
                                                                ("random", 5))}


@pytest.mark.parametrize("switch", ["arn_blind_views", "literal_views"])
@pytest.mark.parametrize(("name", "seed"), ORGS)
def test_views_equal_the_per_role_views(switch: str, name: str, seed: int, tmp_path: Path) -> None:
    """Same outsider searches, mixed searches and engine memos with one view per blind policy
    (``EvaluatedClasses.arn_blind_views``), or one per literal policy for the roles it does not name
    (``literal_views``), as with a view per role; the named roles keep views of their own; on some shapes the shortcut
    is taken (fewer views kept)."""
    tg = small_org(name, seed, tmp_path)
    fast_tg, slow_tg = twin(tg), twin(tg)
    setattr(fast_tg.engine.evaluated, switch, True)
    setattr(slow_tg.engine.evaluated, switch, False)
    fast, fast_engine, _, _ = _searched(fast_tg, True, True)
    slow, slow_engine, _, _ = _searched(slow_tg, True, True)
    assert fast == slow
    assert _mixed(fast_tg) == _mixed(slow_tg)
    assert _engine_state(fast_engine) == _engine_state(slow_engine)
    fast_views, slow_views = fast_engine.evaluated.view_keys(), slow_engine.evaluated.view_keys()
    assert all(arn == "" for _, _, arn in fast_views if arn not in {a for _, _, a in slow_views})
    if _TAKEN[switch](name, seed):
        assert len(fast_views) < len(slow_views)


@pytest.mark.parametrize(("switch", "name", "seed"), [
    ("arn_blind_views", "example", 0), ("arn_blind_views", "random", 2), ("arn_blind_views", "random", 5),
    ("literal_views", "federation-heavy", 1), ("literal_views", "random", 2)])
def test_scans_equal_with_per_role_views(switch: str, name: str, seed: int, tmp_path: Path) -> None:
    """Every check's findings, witnesses included, with the shortcut (``EvaluatedClasses.arn_blind_views`` or
    ``literal_views``) on and off (fresh engines)."""
    same_scans(f"{name} seed {seed}", small_org(name, seed, tmp_path), (EvaluatedClasses, switch))


@pytest.mark.parametrize(("name", "seed"), ORGS)
def test_covers_every_arn_means_every_role_matches(name: str, seed: int, tmp_path: Path) -> None:
    """A statement said to cover every ARN is kept by ``resource_may_match`` for every role of the organization and
    for ARNs of other shapes; the shortcut is not vacuous (some statements cover every ARN, some do not)."""
    tg = small_org(name, seed, tmp_path)
    arns = [*tg.estate.role_by_arn, "arn:aws:iam::999999999999:role/x", "arn:aws-cn:iam::1:role/a/b", "x", ""]
    statements = policy_statements(tg)
    blind = [st for st in statements if _covers_every_arn(st)]
    for st in blind:
        assert all(resource_may_match(st, arn) for arn in arns), st.location
    if name == "random":
        assert blind and len(blind) < len(statements)
