"""A hop of a role state carrying nothing that is not a plain session, answered by its class with a witness that sets
nothing, given the plain lead without ``sat_leads`` when the demand's choices for its role are none
(``SharedSearches.choiceless_leads``, :meth:`~trustgraph.queries.demand.SessionDemand.chooses_nothing`) against its
reference (through ``ReachabilityEngine.sat_leads``): the same searches, moves and engine memos, the engine asked
exactly the same questions in the same order (the leads ask nothing more), and scans with the same findings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from small_orgs import small_org
from twins import twin

from tests.checks.helpers import switched
from tests.queries.engines import assert_searched_alike, same_scans, searched_with
from trustgraph.api import TrustGraph
from trustgraph.queries.demand import SessionDemand
from trustgraph.queries.shared import SharedSearches
from trustgraph.semantics.carried import NOTHING

A, B = "111111111111", "222222222222"


def _compared(tg: TrustGraph, undecided: int = 0) -> tuple[int, int]:
    """The outsider searches with the switch on and off compared; returns how many hops' roles ``chooses_nothing``
    answered True (the plain lead given without ``sat_leads``) and False for while the switch was on."""
    real = SessionDemand.chooses_nothing
    answers = {True: 0, False: 0}

    def counted(self: Any, role: str) -> bool:
        out = real(self, role)
        answers[out] += 1
        return out

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(SessionDemand, "chooses_nothing", counted)
        fast = searched_with(twin(tg), "choiceless_leads", True, undecided)
        on = dict(answers)
        slow = searched_with(twin(tg), "choiceless_leads", False, undecided)
        assert answers == on  # the reference never asks it
    assert_searched_alike(fast[:3], slow[:3])
    assert fast[3] == slow[3]  # the same questions, in the same order: the leads ask the engine nothing
    return on[True], on[False]


def _chosen_org() -> TrustGraph:
    """Outside account B -> Entry -> Mid0..Mid3 (trusting account A, allowing sts:SetSourceIdentity) -> Final (an
    administrator trusting the Mids for aws:SourceIdentity ``alice`` only). Entry's session carries nothing and is no
    plain session (its hops into the Mids are asked with ``alice``, read after them); the Mids' hops after the first
    are answered by their class, and their roles have a choice: the plain lead alone would lose the path to Final."""
    from tests.queries.builders import V, account, allow_aws, graph, role, trust
    from trustgraph.ingest.zone_file import zone_from_ids

    ids = {"PolicyName": "chain", "PolicyDocument": {"Version": V, "Statement": [
        {"Effect": "Allow", "Action": ["sts:AssumeRole", "sts:SetSourceIdentity"],
         "Resource": f"arn:aws:iam::{A}:role/*"}]}}
    mids = [f"Mid{i}" for i in range(4)]
    setting = ["sts:AssumeRole", "sts:SetSourceIdentity"]
    roles = [role(A, "Entry", trust(allow_aws(f"arn:aws:iam::{B}:root", None, "sts:AssumeRole")), inline=[ids])]
    roles += [role(A, m, trust(allow_aws(f"arn:aws:iam::{A}:root", None, setting)), inline=[ids]) for m in mids]
    roles.append(role(A, "Final", trust(allow_aws([f"arn:aws:iam::{A}:role/{m}" for m in mids],
                                                  {"StringEquals": {"aws:SourceIdentity": "alice"}}, setting)),
                      admin=True))
    return graph(account(A, roles=roles), zone=zone_from_ids([A]))


@pytest.mark.parametrize("rows", [True, False])
def test_a_role_with_a_choice_keeps_sat_leads(rows: bool) -> None:
    """The hops into roles whose trust allows setting a demanded value go through ``sat_leads`` (``chooses_nothing``
    False, the choice asked), the same as the reference: the searches reach Final with ``alice`` carried."""
    with switched(SharedSearches, "memo_rows", rows):
        skipped, kept = _compared(_chosen_org())
    assert skipped == 0 and kept > 0
    tg = _chosen_org()
    reached = tg.can_reach(f"account:{B}", f"arn:aws:iam::{A}:role/Final")
    assert reached.hops[-1].context["aws:SourceIdentity"] == ("alice",)


def test_scans_with_a_choice_are_the_same() -> None:
    same_scans("the chosen source identity", _chosen_org(), (SharedSearches, "choiceless_leads"))


@pytest.mark.parametrize("rows", [True, False])
@pytest.mark.parametrize(("seed", "some"), [(5, True), (8, False)])
def test_choiceless_leads_as_sat_leads(seed: int, some: bool, rows: bool, tmp_path: Path) -> None:
    """4 accounts of 40 roles of the random profile: seed 5 has role states carrying nothing that are not plain
    sessions, some of whose hops' roles have no carried choice; seed 8 has none at this size. On the engine's memo
    rows (``SharedSearches.memo_rows``) and without."""
    from trustgraph.api import load
    from trustgraph.synth import synthesize

    synthesize(tmp_path, accounts=4, roles_per_account=40, seed=seed, profile="random")
    with switched(SharedSearches, "memo_rows", rows):
        skipped, _ = _compared(load(tmp_path))
    assert (skipped > 0) is some


def test_chooses_nothing_is_the_demands_choices(tmp_path: Path) -> None:
    """For every role, ``chooses_nothing`` is whether ``CarryDemand.choices`` yields nothing for a session carrying
    nothing (its trust policy, the role's demanded kinds), and both answers occur."""
    tg = small_org("random", 5, tmp_path)
    engine = tg.engine
    seen = set()
    for role in sorted(n for n, d in tg.graph.nodes(data=True) if d["kind"] == "role"):
        trust = engine.target(role).role.trust_policy
        choices = list(engine.demand.choices(trust, NOTHING, NOTHING, engine.demand_kinds(role)))
        assert engine.chooses_nothing(role) is (not choices)
        assert engine.chooses_nothing(role) is (not choices)  # memoised: the same answer
        seen.add(not choices)
    assert seen == {True, False}


@pytest.mark.parametrize(("name", "seed"), [("random", 5), ("condition-heavy", 1), ("sample", 0)])
def test_choiceless_leads_with_undecided_hops(name: str, seed: int, tmp_path: Path) -> None:
    _compared(small_org(name, seed, tmp_path), undecided=3)


@pytest.mark.parametrize(("name", "seed"), [("random", 5), ("random", 8), ("condition-heavy", 1), ("sample", 0)])
def test_scans_with_choiceless_leads_off_are_the_same(name: str, seed: int, tmp_path: Path) -> None:
    same_scans(f"{name} seed {seed}", small_org(name, seed, tmp_path), (SharedSearches, "choiceless_leads"))


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(min_value=20, max_value=10_000))
def test_choiceless_leads_on_random_organizations(seed: int, tmp_path: Path) -> None:
    _compared(small_org("random", seed, tmp_path / str(seed)))
