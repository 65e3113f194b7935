"""The carry demand read once per estate (``ReachabilityEngine(shared_demand=True)``, :meth:`Estate.fact`) against
the reference (``shared_demand=False``: each engine reads every trust and identity policy again): every engine over
one estate gets the very value one read of the estate gives, a replaced estate reads its own, and the answers of
engines with and without the sharing are the same field by field (:func:`engines.compare_engines`) on small
organizations whose policies read carried values (so the demand is not empty and the searches ask carried hops)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from twins import twin

from tests.queries.engines import compare_engines
from tests.small_orgs import small_org
from trustgraph.queries.carry import CarryDemand
from trustgraph.smt.session import SolverSession


@pytest.mark.parametrize(("name", "seed"), [("condition-heavy", 1), ("condition-heavy", 4)])
def test_engines_over_one_estate_share_its_demand(name: str, seed: int, tmp_path: Path) -> None:
    tg = small_org(name, seed, tmp_path)
    expected = CarryDemand.of(tg.estate)
    assert expected, f"{name}:{seed} must read a carried value (else the demand is empty and nothing is shared)"
    first, second = twin(tg), twin(tg)
    assert first.engine.demand == expected
    assert second.engine.demand is first.engine.demand  # read once for the estate
    reference = twin(tg)
    reference.engine.shared_demand = False
    assert reference.engine.demand == expected
    assert reference.engine.demand is not first.engine.demand  # read again by the engine
    other = replace(tg.estate)  # another estate (equal content): its own fact, read anew
    assert other.fact(CarryDemand, CarryDemand.of) == expected
    assert other.fact(CarryDemand, CarryDemand.of) is not first.engine.demand


@pytest.mark.parametrize(("name", "seed"), [("condition-heavy", 2), ("mix", 3)])
def test_shared_demand_answers_as_the_reference(name: str, seed: int, tmp_path: Path) -> None:
    tg = small_org(name, seed, tmp_path)
    session = SolverSession()
    fast, slow = twin(tg, session), twin(tg, session)
    slow.engine.shared_demand = False
    twin(tg).engine.demand  # noqa: B018 - the estate's demand read by an earlier engine, as the bench's cold questions
    compared = compare_engines(f"{name}:{seed}", {"shared": fast, "reference": slow}, sources=(None,),
                               same_questions=True)
    assert sum(compared.verdicts.values()), "no answer compared"
    assert fast.engine.demand is tg.estate.fact(CarryDemand, CarryDemand.of)
    assert slow.engine.demand is not fast.engine.demand
