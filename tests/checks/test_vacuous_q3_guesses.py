"""vacuous-condition's question 3 asked with the witness guesses renamed after the trust policy's aws:PrincipalArn
patterns (``smt.solve.answer``'s ``arn_guesses``, switch ``checks.base.ArnWitnesses.enabled``): only its verdict is
read (a Sat answer shows the condition restricts; its witness is never printed), so the findings are the same both
ways (``tests/checks/test_vacuous_witnesses.py``), and a Sat answer the plain guesses miss no longer goes to z3."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from small_orgs import small_org
from twins import twin

from trustgraph.checks import vacuous_condition
from trustgraph.checks.base import ArnWitnesses
from trustgraph.checks.context import ScanContext
from trustgraph.checks.vacuous_condition import CHECK
from trustgraph.semantics.evaluate import evaluate_hop
from trustgraph.smt.session import SolverSession
from trustgraph.smt.solve import Sat

from .helpers import switched


def _question_threes(tg: Any, monkeypatch: pytest.MonkeyPatch) -> tuple[list[Any], list[tuple[Any, Any, int]]]:
    """The check's findings in a fresh session and each question-3 answer with its target and the z3 runs it took."""
    session = SolverSession()
    seen: list[tuple[Any, Any, int]] = []
    original = vacuous_condition._question_three

    def counted(ctx: Any, st: Any, j: int, c: Any, question: Any) -> object:
        before = session.stats.solver_calls
        out = original(ctx, st, j, c, question)
        seen.append((question, out, session.stats.solver_calls - before))
        return out

    with monkeypatch.context() as m:
        m.setattr(vacuous_condition, "_question_three", counted)
        found = list(CHECK.run(ScanContext(twin(tg, session))))
    return found, seen


@pytest.mark.parametrize("seed", [1, 2])
def test_question_three_is_answered_without_z3_where_a_renamed_outsider_gets_in(
        seed: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tg = small_org("condition-heavy", seed, tmp_path)
    fast, fast_seen = _question_threes(tg, monkeypatch)
    with switched(ArnWitnesses, "enabled", False):
        slow, slow_seen = _question_threes(tg, monkeypatch)
    # the same findings (question 1's printed witnesses follow the switch too: tests/checks/test_vacuous_witnesses.py)
    assert [(f.role, f.message, f.statements) for f in fast] == [(f.role, f.message, f.statements) for f in slow]
    # the same questions with the same verdicts
    assert [(type(a).__name__, q.role.arn) for q, a, _ in fast_seen] == \
        [(type(a).__name__, q.role.arn) for q, a, _ in slow_seen]
    for question, answer, _ in fast_seen:  # every Sat answer is a request the question's target allows
        if isinstance(answer, Sat):
            assert evaluate_hop(answer.caller, question, answer.request).allowed
    spared = sum(s - f for (_, _, f), (_, _, s) in zip(fast_seen, slow_seen, strict=True))
    assert spared > 0 and all(f <= s for (_, _, f), (_, _, s) in zip(fast_seen, slow_seen, strict=True))
