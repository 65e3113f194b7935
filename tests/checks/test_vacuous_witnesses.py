"""vacuous-condition's question 1 ("the statement holds with the key absent") and the statement's own question
answered by concrete guesses for an outsider renamed after the trust policy's aws:PrincipalArn patterns before z3
(switch ``checks.base.ArnWitnesses``, ``smt.solve.answer``'s ``arn_guesses``): every printed witness of a
vacuous-condition finding is a Sat answer that replays through the concrete evaluator (its target, the statement
alone or with more statements, allows it; a key question 1 requires absent is absent), with the switch on and off,
and the findings are the same both ways but for those witnesses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from small_orgs import small_org
from twins import twin

from trustgraph.api import TrustGraph
from trustgraph.checks.base import ArnWitnesses
from trustgraph.checks.context import ScanContext
from trustgraph.checks.vacuous_condition import CHECK
from trustgraph.semantics.evaluate import evaluate_hop
from trustgraph.smt.session import SolverSession
from trustgraph.smt.solve import Sat

from .helpers import switched

ORGS = [("example", 0), ("sample", 0), ("condition-heavy", 1), ("condition-heavy", 2), ("random", 3)]


def _scan(tg: TrustGraph, monkeypatch: pytest.MonkeyPatch) -> tuple[list[Any], list[tuple[Any, ...]], int]:
    """vacuous-condition's findings in a fresh session, every Sat answer of its questions (caller, target, action,
    constraints, answer), and the session's z3 runs."""
    asked: list[tuple[Any, ...]] = []
    original = ScanContext.solve_hop

    def solve_hop(self: ScanContext, caller: Any, target: Any, action: Any, constraints: Any = (),
                  **kwargs: Any) -> Any:
        result = original(self, caller, target, action, constraints, **kwargs)
        if isinstance(result, Sat):
            asked.append((caller, target, action, constraints, result))
        return result

    session = SolverSession()
    with monkeypatch.context() as m:
        m.setattr(ScanContext, "solve_hop", solve_hop)
        ctx = ScanContext(twin(tg, session))
        found = list(CHECK.run(ctx))
    return found, asked, session.stats.solver_calls


def _replays(found: list[Any], asked: list[tuple[Any, ...]], ctx_witness: Any) -> int:
    """Asserts every finding with a witness prints a Sat answer's that the evaluator allows on its target (a key
    required absent is absent: an "absent" finding's witness is question 1's); the number of such findings."""
    sats = [(q, ctx_witness(q)) for q in asked]
    for _, target, _, constraints, answer in (q for q, _ in sats):
        decision = evaluate_hop(answer.caller, target, answer.request)
        assert decision.allowed, decision
        for c in constraints:
            assert c.op != "absent" or c.key.lower() not in answer.request.context
    count = 0
    for f in found:
        if not f.path:
            continue
        count += 1
        printed = f.path[0].context
        matching = [q for q, w in sats if w.context == printed]
        assert matching, f.message
        if "is absent" in f.message:
            assert any(c.op == "absent" for q in matching for c in q[3])
    return count


@pytest.mark.parametrize(("profile", "seed"), ORGS)
def test_every_absent_witness_replays_both_ways(profile: str, seed: int, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    tg = small_org(profile, seed, tmp_path)
    ctx = ScanContext(tg)

    def witness(q: tuple[Any, ...]) -> Any:
        return ctx.witness("-", q[1].role.arn, q[2], q[4])

    fast, fast_asked, fast_z3 = _scan(tg, monkeypatch)
    with switched(ArnWitnesses, "enabled", False):
        slow, slow_asked, slow_z3 = _scan(tg, monkeypatch)
    # the verdicts: the same findings in the same order, the same texts and statements
    assert [(f.role, f.message, f.statements) for f in fast] == [(f.role, f.message, f.statements) for f in slow]
    assert _replays(fast, fast_asked, witness) == _replays(slow, slow_asked, witness)
    assert fast_z3 <= slow_z3
    if profile == "condition-heavy":
        assert any("is absent" in f.message for f in fast) and any("every value" in f.message for f in fast)


def test_the_guesses_spare_z3(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """On a condition-heavy organization some question-1 witnesses come from the renamed outsiders (fewer z3 runs,
    and a witness whose principal ARN follows a pattern of the statement instead of the solver's name)."""
    tg = small_org("condition-heavy", 1, tmp_path)
    fast, _, fast_z3 = _scan(tg, monkeypatch)
    with switched(ArnWitnesses, "enabled", False):
        slow, _, slow_z3 = _scan(tg, monkeypatch)
    assert fast_z3 < slow_z3
    assert [f.path[0].context for f in fast if "is absent" in f.message] != [
        f.path[0].context for f in slow if "is absent" in f.message]


def test_an_answer_does_not_depend_on_which_way_was_asked_first(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """A question asked both with the renamed guesses and without them gets each way's own answer, whichever came
    first in the session (their store keys differ): else a witness, and a report, would depend on what a process
    asked before, and so on how the roles were split between processes."""
    from trustgraph.smt import solve

    asked: list[Any] = []
    original = solve.answer

    def answer(question: Any, session: Any, *, arn_guesses: bool = False) -> Any:
        if arn_guesses:
            asked.append(question)
        return original(question, session, arn_guesses=arn_guesses)

    tg = small_org("condition-heavy", 1, tmp_path)
    with monkeypatch.context() as m:
        m.setattr(solve, "answer", answer)
        list(CHECK.run(ScanContext(twin(tg, SolverSession()))))

    def alone(question: Any, arn_guesses: bool) -> Any:
        return original(question, SolverSession(), arn_guesses=arn_guesses)

    def after(question: Any, first: bool) -> Any:
        session = SolverSession()
        original(question, session, arn_guesses=first)
        return original(question, session, arn_guesses=not first)

    differ = 0
    for question in dict.fromkeys(asked):
        renamed, plain = alone(question, True), alone(question, False)
        if not (isinstance(renamed, Sat) and isinstance(plain, Sat)) or renamed.request == plain.request:
            continue
        differ += 1
        assert after(question, False).request == renamed.request
        assert after(question, True).request == plain.request
    assert differ  # some questions have a different witness each way, so the test can fail
