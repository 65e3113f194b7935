"""The principal gate's formula texts kept per session (``smt.formula_texts.FormulaTexts``, switch
``SolverOptions.formula_texts``): every renamed form (``smt.principal_gate.renamed_key``) of hypothesis-drawn
questions is the same with the texts read from a store shared by every candidate as spelled by z3 each time; the
store holds a formula's text once however often it is spelled; a formula of another z3 context is spelled afresh;
and analyses of generated organizations are the same with the switch on and off, field by field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from trustgraph.api import load
from trustgraph.smt import principal_gate
from trustgraph.smt.cache import SolvedFormulas
from trustgraph.smt.formula_texts import FormulaTexts, sexpr
from trustgraph.smt.options import SolverOptions
from trustgraph.smt.question import HopQuestion
from trustgraph.smt.z3lazy import z3

from .test_principal_gate import _grounded_candidates, questions
from .test_principal_gate_renamed import _users
from .test_renaming import same_analyses

OFF = SolverOptions().without("formula_texts")


def _forms(q: HopQuestion, texts: FormulaTexts | None, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every renamed form the gate makes for the candidates of ``q`` (members off: each small problem is formed)."""
    forms: list[Any] = []
    real = principal_gate.renamed_key

    def recording(*args: Any, **kwargs: Any) -> Any:
        out = real(*args, **kwargs)
        forms.append(out)
        return out

    monkeypatch.setattr(principal_gate, "renamed_key", recording)
    renamed: dict[Any, bool] = {}
    for cand, ground, clock in _grounded_candidates(q):
        principal_gate.principal_refuted(cand, q, dict(ground), clock, True, SolvedFormulas(), renamed=renamed,
                                         texts=texts)
    monkeypatch.setattr(principal_gate, "renamed_key", real)
    return forms


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(q=questions())
def test_the_same_forms_with_the_texts_kept(q: HopQuestion, monkeypatch: pytest.MonkeyPatch) -> None:
    texts = FormulaTexts()
    # twice with the same store: the second pass reads every text from it
    assert _forms(q, texts, monkeypatch) == _forms(q, None, monkeypatch) == _forms(q, texts, monkeypatch)


def test_the_condition_heavy_problem_spelled_once_per_formula(monkeypatch: pytest.MonkeyPatch) -> None:
    """The users of one account against ``...:role/ops-*`` (with and without MFA: the same axioms and goal): a form
    is made for each and the store holds each formula's text once; the forms are z3's spelling."""
    cond = {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/ops-*"}}
    texts = FormulaTexts()
    kept = _forms(_users("222222222222", cond), texts, monkeypatch)
    spelled = _forms(_users("222222222222", cond), None, monkeypatch)
    assert kept == spelled and len(kept) == 2 and kept[0] is not None and kept[0] == kept[1]
    assert 0 < len(texts) <= kept[0][1].count("\n") + 1


def test_a_text_is_z3s_and_another_context_is_spelled_afresh() -> None:
    texts = FormulaTexts()
    f = z3.Length(z3.String("k")) > 2
    assert texts.text(f) == sexpr(f) == f.sexpr() and len(texts) == 1
    assert texts.text(f) == f.sexpr() and len(texts) == 1
    other = f.translate(z3.Context())
    assert texts.text(other) == other.sexpr() and len(texts) == 1
    texts.clear()
    assert len(texts) == 0


def test_reference_options_switch_it_off() -> None:
    assert SolverOptions().formula_texts and not SolverOptions.reference().formula_texts


@pytest.mark.parametrize(("profile", "seed"), [("condition-heavy", 1), ("condition-heavy", 3)])
def test_generated_organizations(profile: str, seed: int, tmp_path: Path) -> None:
    from trustgraph.synth import synthesize

    synthesize(tmp_path, accounts=3, roles_per_account=12, seed=seed, profile=profile)
    same_analyses(load(tmp_path), off=OFF)


def test_past_its_bound_a_formula_is_spelled_afresh() -> None:
    texts = FormulaTexts(bound=1)
    f, g = z3.Length(z3.String("k")) > 2, z3.Length(z3.String("j")) > 3
    assert texts.text(f) == f.sexpr() and texts.text(g) == g.sexpr() and texts.text(g) == g.sexpr()
    assert len(texts) == 1
