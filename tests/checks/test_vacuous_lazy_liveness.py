"""vacuous-condition asking the statement's own question only when its answer is read (switch
``SolverOptions.lazy_liveness``, :meth:`trustgraph.checks.vacuous_condition.VacuousCondition._statement_lazily`)
against the reference order (every class asked first): on generated organizations, vacuous-condition's and
dead-trust-statement's findings are the same field by field (messages, statements and the rendered witnesses), each
check's own (every condition's, before a role's are grouped into one) and the scan's, each scan in a session of its
own, and the lazy path asks the statement's own question fewer times."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from small_orgs import small_org

from trustgraph.api import TrustGraph
from trustgraph.checks import base
from trustgraph.checks.context import ScanContext
from trustgraph.smt.options import SolverOptions

from .helpers import statement_check_findings, unknown_statement_alone

OFF = SolverOptions().without("lazy_liveness")


def _findings(tg: TrustGraph, options: SolverOptions, monkeypatch: pytest.MonkeyPatch) -> tuple[list[Any], int]:
    """The two checks' findings as plain data with ``options`` in a fresh session, and how many times the statement's
    own questions were asked (:func:`trustgraph.checks.base.statement_alone` calls that asked the solver)."""
    asked = [0]
    real = base.statement_alone

    def counted(ctx: ScanContext, role: str, index: int, statement: Any) -> Any:
        asked[0] += ctx.local.get(("statement-alone", role, index)) is None
        return real(ctx, role, index, statement)

    import trustgraph.checks.dead_trust_statement as dead
    import trustgraph.checks.vacuous_condition as vacuous

    for module in (base, dead, vacuous):
        monkeypatch.setattr(module, "statement_alone", counted)
    found = statement_check_findings(tg, options)
    monkeypatch.undo()
    return found, asked[0]


def _same(tg: TrustGraph, monkeypatch: pytest.MonkeyPatch) -> tuple[list[Any], int, int]:
    lazy, lazy_asked = _findings(tg, SolverOptions(), monkeypatch)
    reference, reference_asked = _findings(tg, OFF, monkeypatch)
    assert len(lazy) == len(reference)
    for new, old in zip(lazy, reference, strict=True):
        assert new == old  # finding by finding: the witness each renders included
    return lazy, lazy_asked, reference_asked


@pytest.mark.parametrize(("profile", "seed"), [("condition-heavy", 1), ("condition-heavy", 2), ("random", 3),
                                               ("federation-heavy", 1), ("vendor-heavy", 1)])
def test_generated_organizations(profile: str, seed: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    findings, lazy_asked, reference_asked = _same(small_org(profile, seed, tmp_path), monkeypatch)
    if profile == "condition-heavy":
        vacuous = [f for f in findings if f["check_id"] == "vacuous-condition"]
        assert any("is absent" in f["message"] and f["path"] for f in vacuous)  # question 1's witnesses rendered
        assert lazy_asked < reference_asked  # the statement's own question was left unasked somewhere


def test_example_and_sample(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("example", "sample"):
        _same(small_org(name, 0, tmp_path), monkeypatch)


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(min_value=3, max_value=10_000),
       profile=st.sampled_from(["condition-heavy", "random", "mix"]))
def test_any_seed(seed: int, profile: str, tmp_path_factory: pytest.TempPathFactory,
                  monkeypatch: pytest.MonkeyPatch) -> None:
    _same(small_org(profile, seed, tmp_path_factory.mktemp("org")), monkeypatch)


def test_the_switch_is_off_in_the_reference() -> None:
    assert SolverOptions().lazy_liveness and not SolverOptions.reference().lazy_liveness


@pytest.mark.parametrize("profile", ["condition-heavy", "federation-heavy"])
def test_unknown_answers(profile: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every question that reaches z3 answered Unknown: the lazy path asks the statement's own question before it
    reports an Unknown (a class not shown live has no verdict), so the Unknown findings are the reference's."""
    tg = small_org(profile, 1, tmp_path)
    lazy, _ = _findings(tg, SolverOptions(inject_unknown="injected"), monkeypatch)
    reference, _ = _findings(tg, replace(OFF, inject_unknown="injected"), monkeypatch)
    assert lazy == reference
    assert any(f["kind"].value == "unknown" for f in lazy)


@pytest.mark.parametrize(("profile", "seed"), [("condition-heavy", 1), ("condition-heavy", 2), ("random", 3)])
def test_unknown_statement_answers(profile: str, seed: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every statement's own question Unknown (:func:`helpers.unknown_statement_alone`; the verdicts are in
    tests/checks/test_vacuous_unknown_alone.py): the lazy path's vacuous-condition findings are the reference's,
    finding by finding (each check's own and the grouped scan's), some on condition-heavy Unknown. dead-trust-statement
    may say less on the lazy path, never more: a Sat answer of another question of vacuous-condition's proves the
    statement live there (``("statement-live", role, index)``), where the reference, without that hint, reports the
    statement's Unknown answer (both sound; the lazy one knows more)."""
    asked = unknown_statement_alone(monkeypatch)
    tg = small_org(profile, seed, tmp_path)
    lazy = statement_check_findings(tg, SolverOptions())
    reference = statement_check_findings(tg, OFF)
    assert asked[0] > 0
    vacuous = [f for f in lazy if f["check_id"] == "vacuous-condition"]
    assert vacuous == [f for f in reference if f["check_id"] == "vacuous-condition"]
    if profile == "condition-heavy":
        assert any(f["kind"].value == "unknown" for f in vacuous)
    dead = [f for f in lazy if f["check_id"] == "dead-trust-statement"]
    dead_reference = [f for f in reference if f["check_id"] == "dead-trust-statement"]
    assert all(f in dead_reference for f in dead)
    assert all(f["kind"].value == "unknown" for f in dead_reference if f not in dead)
