"""Unsat answers shared by a hop class (``HopClasses.share_unsat``) against the reference (every member's hop solved):
the engine's memo of every hop the searches decided holds the same verdicts, and every Unsat, once its core is read,
the member's own core and locations; the scans give the same findings; the switch does skip the solver on random
organizations; and a caller's tags are part of the key when its SCPs read a principal tag (an Unsat answer is not
replayed against the member, so the SCPs' keys must be in it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from small_orgs import small_org
from twins import twin

from tests.queries.engines import same_scans
from tests.semantics.test_evaluate import ALLOW_ASSUME, dev, pol, target, trust
from trustgraph.api import TrustGraph
from trustgraph.queries.hopclass import HopClasses
from trustgraph.queries.options import QueryOptions
from trustgraph.semantics.request import Action
from trustgraph.smt.question import HopQuestion
from trustgraph.smt.session import SolverSession
from trustgraph.smt.solve import Sat, Unknown, Unsat

OPTIONS = (QueryOptions(), QueryOptions.make(without=["sts:ExternalId"]))


def _answer(result: Any) -> Any:
    if isinstance(result, Unsat):
        return ("unsat", result.core, result.locations)
    if isinstance(result, Unknown):
        return ("unknown", result.reason)
    assert isinstance(result, Sat)
    # the order of a witness's keys may differ between two runs on one session even with the switch alike
    return ("sat", result.caller, sorted(result.request.context.items()), result.approximations)


def _memos(tg: TrustGraph, share: bool, session: SolverSession) -> tuple[dict[Any, Any], list[Any], int]:
    fresh = twin(tg, session)
    fresh.engine.classes.share_unsat = share  # type: ignore[misc]  # this engine only
    reached = [(r.source, r.target, r.verdict, tuple((h.source, h.target, h.caller, h.context) for h in r.hops))
               for options in OPTIONS for r in fresh.query("*", None, options)]
    memo = {k: _answer(v) for k, v in fresh.engine._memo.items()}
    return memo, reached, fresh.engine.classes.unsat_hits


@pytest.mark.parametrize(("profile", "seed"), [("random", 5), ("random", 8), ("random", 13), ("condition-heavy", 1),
                                               ("federation-heavy", 1)])
def test_shared_unsat_answers_are_the_members_own(profile: str, seed: int, tmp_path: Path) -> None:
    tg = small_org(profile, seed, tmp_path)
    session = SolverSession()  # one store for both runs: the same witnesses for hops both send to the solver
    fast, fast_reached, hits = _memos(tg, True, session)
    slow, slow_reached, none = _memos(tg, False, session)
    assert none == 0
    assert fast_reached == slow_reached
    assert fast.keys() == slow.keys()
    for key, answer in fast.items():
        assert answer == slow[key], key
    same_scans(f"{profile}-{seed}", tg, (HopClasses, "share_unsat"))


def test_shared_unsat_skips_the_solver_on_random_organizations(tmp_path: Path) -> None:
    hits = 0
    for seed in (5, 8):
        _, _, n = _memos(small_org("random", seed, tmp_path), True, SolverSession())
        hits += n
    assert hits > 0


@pytest.mark.parametrize(("condition", "kept"), [
    ({"StringEquals": {"aws:PrincipalTag/team": "red"}}, True),
    ({"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}, False),
    (None, False),
])
def test_unsat_keys_hold_the_tags_an_scp_reads(condition: dict[str, Any] | None, kept: bool) -> None:
    statement: dict[str, Any] = {"Effect": "Allow", "Action": "*", "Resource": "*"}
    if condition is not None:
        statement["Condition"] = condition
    scp = pol(statement, kind="scp", name="scp")
    tgt = target(trust(ALLOW_ASSUME))
    classes = HopClasses()
    keys = []
    for team in ("red", "blue"):
        caller = dev(scp_levels=((scp,),), tags=(("team", team),))
        question = HopQuestion(caller, tgt, Action.ASSUME_ROLE, now_ms=0)
        keys.append(classes.unsat_key(("r", "a", (), False, (("path",), None, None, (), False)), caller, question))
    assert (keys[0] != keys[1]) is kept


def test_unsat_keys_leave_out_what_only_picks_a_witness() -> None:
    """Two hops whose class keys differ only in the caller's path part (the keys and conditions of its whole
    policies, the projection's last caller part) share an Unsat key; any other part keeps them apart."""
    classes = HopClasses()
    caller = dev()
    question = HopQuestion(caller, target(trust(ALLOW_ASSUME)), Action.ASSUME_ROLE, now_ms=0)

    def key(kept: tuple[Any, ...], tags: Any = None) -> tuple[Any, ...]:
        return classes.unsat_key(("r", "a", (), False, (kept, None, tags, (), False)), caller, question)

    assert key(("x", "path-1")) == key(("x", "path-2"))
    assert key(("x", "path-1")) != key(("y", "path-1"))
    assert key(("x", "path-1")) != key(("x", "path-1"), (("team", "red"),))


def _identity(version: str | None, resource: str) -> Any:
    from trustgraph.ingest.policy_json import policy_from_json
    from trustgraph.model.location import Location

    document: dict[str, Any] = {"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": resource}]}
    if version is not None:
        document["Version"] = version
    return policy_from_json(document, Location(f"{version}.json", ""), kind="identity")  # type: ignore[arg-type]


def test_unsat_keys_keep_apart_policies_that_substitute_variables_and_those_that_do_not() -> None:
    """``${aws:PrincipalAccount}`` in a Resource is a variable under Version 2012-10-17 and literal text under
    2008-10-17 (or no Version), while the two statements compare equal (a glob equals another by its text): the same
    hop is allowed for one caller and denied for the other, so their Unsat keys differ, and a caller whose policies
    mix the two Versions shares no Unsat at all."""
    from tests.semantics.test_evaluate import ROOT_A, decide
    from trustgraph.semantics.request import Verdict

    resource = "arn:aws:iam::${aws:PrincipalAccount}:role/R"
    tgt = target(trust(ROOT_A))
    new, old, bare = (_identity(v, resource) for v in ("2012-10-17", "2008-10-17", None))
    assert new.statements == old.statements
    assert decide(dev(identity_policies=(new,)), tgt).verdict is Verdict.ALLOW
    assert decide(dev(identity_policies=(old,)), tgt).verdict is not Verdict.ALLOW
    classes = HopClasses()

    def key(*policies: Any) -> Any:
        caller = dev(identity_policies=policies)
        question = HopQuestion(caller, tgt, Action.ASSUME_ROLE, now_ms=0)
        return classes.unsat_key(("r", "a", (), False, (("x", "path"), None, None, (), False)), caller, question)

    assert key(new) != key(old)
    assert key(old) == key(bare)
    assert key(new, old) is None
