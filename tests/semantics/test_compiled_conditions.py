"""``HopEvaluation.compiled_conditions`` (``semantics.compiled_conditions``) against the reference
``evaluate_condition``: the same answer, or the same exception from the same condition, on generated conditions and
request contexts (hypothesis, values drawn from the condition's own texts so that matches happen); the same Kleene
AND over a block; the same decisions for every hop a scan of small condition-heavy organizations evaluates; and the
same report from a whole scan (the concrete-first guesses read the switch too)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.semantics.test_statement_index import _plain, _record_scan
from tests.strategies_policy import condition_block, policy_text
from trustgraph.ingest.policy_json import conditions_from_json
from trustgraph.model.condition import Condition
from trustgraph.model.location import MEMORY
from trustgraph.semantics import evaluate
from trustgraph.semantics.compiled_conditions import compiled, evaluate_all
from trustgraph.semantics.compiled_conditions import evaluate as compiled_evaluate
from trustgraph.semantics.conditions import UndecidableCondition, evaluate_condition, evaluate_conditions
from trustgraph.semantics.evaluate import HopEvaluation


def _outcome(f: Any, *args: Any, **kw: Any) -> tuple[str, Any]:
    try:
        return "value", f(*args, **kw)
    except UndecidableCondition as exc:
        return "undecidable", (id(exc.condition), exc.reason)


_EXTRA = st.sampled_from(["", "x", "1", "0", "true", "false", "10.0.0.1", "2001:db8::1", "2026-01-01T00:00:00Z",
                          "arn:aws:iam::111122223333:root", "o-mine", "${aws:username}"])


@st.composite
def _case(draw: st.DrawFn) -> tuple[list[Condition], dict[str, tuple[str, ...]], bool]:
    variables = draw(st.booleans())
    conds = list(conditions_from_json(draw(condition_block), MEMORY, variables=variables))
    texts = [t for c in conds for t in c.texts] + [t + "x" for c in conds for t in c.texts]
    value = st.one_of(st.sampled_from(texts) if texts else _EXTRA, _EXTRA, policy_text)
    keys = [c.key for c in conds] + ["aws:username", "aws:userid"]
    ctx = draw(st.dictionaries(st.sampled_from(keys), st.lists(value, max_size=3).map(tuple), max_size=4))
    return conds, ctx, variables


@settings(max_examples=400, deadline=None)
@given(case=_case())
def test_compiled_condition_answers_as_the_reference(case: tuple[list[Condition], dict[str, Any], bool]) -> None:
    conds, ctx, variables = case
    for c in conds:
        assert _outcome(compiled_evaluate, c, ctx, variables=variables) == \
            _outcome(evaluate_condition, c, ctx, variables=variables), (c, ctx)
    assert _outcome(evaluate_all, conds, ctx, variables=variables) == \
        _outcome(evaluate_conditions, conds, ctx, variables=variables), (conds, ctx)


def test_conditions_read_from_the_request_are_not_compiled() -> None:
    (var,) = conditions_from_json({"StringEquals": {"aws:PrincipalTag/team": "${aws:username}"}}, MEMORY,
                                  variables=True)
    (bad,) = conditions_from_json({"NullIfExists": {"aws:SourceIp": "true"}}, MEMORY, variables=True)
    assert compiled(var, True) is None
    assert compiled(var, False) is not None  # Version 2008: the variable is literal text
    assert compiled(bad, True) is None
    assert compiled_evaluate(var, {"aws:principaltag/team": ("bob",), "aws:username": ("bob",)}, variables=True)
    with pytest.raises(UndecidableCondition):
        compiled_evaluate(bad, {}, variables=True)


@pytest.mark.parametrize("seed", [1, 2])
def test_scan_hops_decide_alike(seed: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from trustgraph.api import load
    from trustgraph.synth.write import synthesize

    assert HopEvaluation.compiled_conditions
    synthesize(tmp_path, accounts=3, roles_per_account=15, seed=seed, profile="condition-heavy")
    seen = _record_scan(load(tmp_path), monkeypatch)
    assert seen
    monkeypatch.setattr(HopEvaluation, "compiled_conditions", False)
    for caller, target, request, decision in seen:
        assert _plain(decision) == _plain(evaluate.evaluate_hop(caller, target, request)), (caller.arn,
                                                                                             target.role.arn)


def test_scan_reports_alike(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from trustgraph.cli.main import main
    from trustgraph.synth.write import synthesize

    org = tmp_path / "org"
    synthesize(org, accounts=3, roles_per_account=12, seed=3, profile="condition-heavy")
    args = ["scan", str(org), "--format", "json", "--jobs", "1", "--now", "2026-12-01T00:00:00Z", "-o"]
    main([*args, str(tmp_path / "fast.json")])
    monkeypatch.setattr(HopEvaluation, "compiled_conditions", False)
    main([*args, str(tmp_path / "reference.json")])
    fast, reference = (tmp_path / "fast.json").read_bytes(), (tmp_path / "reference.json").read_bytes()
    assert b'"vacuous-condition"' in reference
    assert fast == reference
