"""A lazily explained Unsat holds its solver session weakly (:class:`~trustgraph.smt.session.SessionLink`): the
session's store keeps the answer, so a strong hold made every such answer and its session one reference cycle. The
core read after the session is gone is computed in a new session with the same options and is the same core, in the
same order, as the one read while the session lives."""

from __future__ import annotations

import gc
import weakref

from tests.smt.helpers import NOW_MS, B, allow, deny, root, session, target, user
from trustgraph.semantics.request import Action
from trustgraph.smt.question import HopQuestion
from trustgraph.smt.results import Unsat
from trustgraph.smt.session import SessionLink, SolverSession
from trustgraph.smt.solve import answer

QUESTIONS = [
    # refuted by the ground gate (DeferredCore): MFA age and token issue time cannot hold for a user without MFA
    HopQuestion(user(), target(allow(root(B), {"NumericLessThan": {"aws:MultiFactorAuthAge": "900"},
                                               "IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}),
                               allow(root(B), {"Null": {"aws:TokenIssueTime": "false"}})),
                Action.ASSUME_ROLE, (), False, NOW_MS, timeout_ms=20_000),
    # several candidates (a session whose name is free), their cores joined in order
    HopQuestion(session(session_name=None),
                target(allow({"AWS": f"arn:aws:sts::{B}:assumed-role/Ops/s2"},
                             {"Null": {"aws:MultiFactorAuthAge": "false"}}),
                       allow(root(B), {"StringEquals": {"aws:userid": "AROAOPSXXXXXXXXXXXXX:other",
                                                        "sts:ExternalId": "x"}}),
                       deny(root(B), {"StringEquals": {"sts:ExternalId": "x"}})),
                Action.ASSUME_ROLE, (), False, NOW_MS, timeout_ms=20_000),
]


def test_a_lazy_core_does_not_keep_its_session() -> None:
    gc.collect()
    gc.disable()
    try:
        lazy = 0
        for q in QUESTIONS:
            live = SolverSession()
            kept = answer(q, live)
            assert isinstance(kept, Unsat)
            lazy += not kept.core_computed
            alive = weakref.ref(live)
            del live
            assert alive() is None, "the session outlived its last reference"
        assert lazy, "no question here is explained lazily: the test checks nothing"
    finally:
        gc.enable()


def test_a_core_read_after_its_session_is_gone_is_the_same() -> None:
    for q in QUESTIONS:
        live = SolverSession()
        read_alive = answer(q, live)
        assert isinstance(read_alive, Unsat)
        want = (read_alive.core, read_alive.locations)
        orphan_session = SolverSession()
        orphan = answer(q, orphan_session)
        assert isinstance(orphan, Unsat)
        lazy = not orphan.core_computed
        del orphan_session
        gc.collect()
        assert (orphan.core, orphan.locations) == want
        assert lazy or orphan.core_computed


def test_the_link_gives_the_live_session_then_a_new_one_with_its_options() -> None:
    from trustgraph.smt.options import SolverOptions

    options = SolverOptions().without("ground_gate")
    held = SolverSession(options)
    link = SessionLink(held)
    assert link() is held
    del held
    gc.collect()
    fresh = link()
    assert isinstance(fresh, SolverSession) and fresh.options is options and len(fresh.store) == 0
