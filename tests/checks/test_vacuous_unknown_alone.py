"""vacuous-condition when the statement's own question (:func:`trustgraph.checks.base.statement_alone`: "does a request
of the class get in under the statement alone") is Unknown: the class may be live, so its conditions are still
decided when another question proves the verdict (a Sat question 1 shows the condition holds without its key; a Sat
question 3 shows it restricts; question 1 and 2 Unsat show the class is not live), and otherwise the condition gets an
Unknown finding, one per condition as the check's other Unknown answers. Before, such a class was read as "not live"
and its conditions were silently reported as restricting. The reference (every class asked first) and the lazy path
(``SolverOptions.lazy_liveness``) give the same findings (here, and on generated organizations in
test_vacuous_lazy_liveness.py).

Only that question is made Unknown (:func:`helpers.unknown_statement_alone`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.counting import count_calls
from trustgraph.api import TrustGraph
from trustgraph.checks.finding import FindingKind
from trustgraph.smt.options import SolverOptions

from .helpers import A, B, gaad, role, statement_check_findings, stmt, trust, unknown_statement_alone, write_estate

B_ROOT = {"AWS": f"arn:aws:iam::{B}:root"}
OFF = SolverOptions().without("lazy_liveness")


@pytest.fixture
def alone_unknown(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The statement's own question answers Unknown; the count of those answers."""
    return unknown_statement_alone(monkeypatch)


def _estate(tmp_path: Path, conditions: dict[str, dict[str, Any]]) -> TrustGraph:
    import trustgraph

    d = write_estate(tmp_path / "exports", {A: gaad(role("R", trust(stmt(B_ROOT, condition=conditions))))})
    return trustgraph.load(d, zone=[A])


def _vacuous(tg: TrustGraph, options: SolverOptions) -> list[dict[str, Any]]:
    """vacuous-condition's own findings (before grouping), the same with the lazy path and the reference."""
    found = statement_check_findings(tg, options)
    lazy = statement_check_findings(tg, SolverOptions() if options == OFF else OFF)
    assert found == lazy
    return [f for f in found[:len(found) // 2] if f["check_id"] == "vacuous-condition"]


@pytest.mark.parametrize("options", [SolverOptions(), OFF], ids=["lazy", "reference"])
def test_every_value_condition_is_unknown(options: SolverOptions, tmp_path: Path, alone_unknown: list[int]) -> None:
    """``StringLike sts:ExternalId "*"`` holds for every value; whether an AWS principal gets in at all is
    undecided: one Unknown finding for the condition, not silence."""
    found = _vacuous(_estate(tmp_path, {"StringLike": {"sts:ExternalId": "*"}}), options)
    assert alone_unknown[0] > 0
    assert [f["kind"] for f in found] == [FindingKind.UNKNOWN]
    assert "timeout (injected)" in found[0]["message"]


@pytest.mark.parametrize("options", [SolverOptions(), OFF], ids=["lazy", "reference"])
def test_one_unknown_per_condition(options: SolverOptions, tmp_path: Path, alone_unknown: list[int]) -> None:
    """Two conditions each false without their key, neither decided without the statement's own answer: one
    Unknown finding each."""
    found = _vacuous(_estate(tmp_path, {"StringLike": {"sts:ExternalId": "*", "aws:PrincipalTag/team": "*"}}),
                     options)
    assert [f["kind"] for f in found] == [FindingKind.UNKNOWN, FindingKind.UNKNOWN]
    assert len({tuple(map(str, f["statements"])) for f in found}) == 2


@pytest.mark.parametrize("options", [SolverOptions(), OFF], ids=["lazy", "reference"])
def test_question_one_still_proves(options: SolverOptions, tmp_path: Path, alone_unknown: list[int]) -> None:
    """``StringEqualsIfExists`` on a key the caller omits: question 1 is Sat (a request without the key gets in), a
    proof that does not need the statement's own answer."""
    found = _vacuous(_estate(tmp_path, {"StringEqualsIfExists": {"sts:ExternalId": "x-1"}}), options)
    assert [f["kind"] for f in found] == [FindingKind.FINDING]
    assert "is absent" in found[0]["message"] and found[0]["path"]


@pytest.mark.parametrize("options", [SolverOptions(), OFF], ids=["lazy", "reference"])
def test_question_three_still_proves(options: SolverOptions, tmp_path: Path, alone_unknown: list[int],
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A condition on a principal tag that restricts (a principal tagged otherwise is refused), false without its
    key, so question 2 is the statement's own (Unknown): question 3 is asked without a witness and its Sat answer
    proves the condition restricts, so no finding rather than an Unknown one."""
    import trustgraph.checks.vacuous_condition as vacuous

    asked = count_calls(monkeypatch, vacuous, "_question_three")
    found = _vacuous(_estate(tmp_path, {"StringLike": {"aws:PrincipalTag/team": "x-*"}}), options)
    assert asked[0] > 0 and alone_unknown[0] > 0
    assert found == []
