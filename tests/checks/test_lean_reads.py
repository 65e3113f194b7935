"""The flat answers of the reach checks' outside accounts made in fewer steps (``FlatAnswer.lean_reads``:
:func:`~trustgraph.checks.ondemand.lean_flat`, conditions counted once per tuple of locations, a source's class once
per source) against the reference (:func:`~trustgraph.checks.ondemand.flat_answers` hop by hop): for every role of
small organizations of several profiles, under the three options of the reach checks, with the light memo and
without it, the same answers in the same order (source, length, source reach, statements, approximations, the items
they were read off); and a scan the same findings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from small_orgs import small_org
from twins import twin

from trustgraph.api import TrustGraph
from trustgraph.checks.context import ScanContext
from trustgraph.checks.ondemand import FlatAnswer, Later, LightMemo, flat_answers
from trustgraph.checks.registry import CHECKS
from trustgraph.checks.runner import finding_to_plain, run_checks
from trustgraph.queries.results import ReachResult


def _item(item: Any) -> Any:
    """An item of a kept answer as a value of its own (a :class:`Later` without the engine it refers to)."""
    return (item.state, item.role, item.action, item.answer) if isinstance(item, Later) else item


def _read(tg: TrustGraph, lean: bool, memo: bool) -> list[Any]:
    """Every role's flat answers under the three options of the reach checks, as comparable values."""
    ctx = ScanContext(tg)
    out: list[Any] = []
    saved = FlatAnswer.lean_reads
    FlatAnswer.lean_reads = lean
    try:
        for options in (ctx.options(), ctx.options(not_like={"aws:MultiFactorAuthPresent": ["true"]}),
                        ctx.options(without=("sts:ExternalId",))):
            index, _ = ctx.reached_by(ctx.outside_account_nodes, options)
            light = LightMemo() if memo else None
            for role in ctx.roles:
                for answer in flat_answers(ctx.engine, role, index.get(role, ()), light, ctx.condition_counter()):
                    if isinstance(answer, ReachResult):
                        out.append((role, "result", answer))
                    else:
                        out.append((role, answer.source, answer.length, answer.reach, answer.statements,
                                    answer.approximations, [_item(i) for i in answer._items]))
    finally:
        FlatAnswer.lean_reads = saved
    return out


ORGS = [("example", 0), ("sample", 0), ("vendor-heavy", 1), ("vendor-heavy", 3), ("federation-heavy", 1),
        ("mix", 1), ("chain-heavy", 3), ("random", 1), ("random", 2)]


@pytest.mark.parametrize(("name", "seed"), ORGS)
@pytest.mark.parametrize("memo", [True, False])
def test_lean_reads_equal_the_reference(name: str, seed: int, memo: bool, tmp_path: Path) -> None:
    tg = small_org(name, seed, tmp_path)
    lean = _read(twin(tg), True, memo)
    reference = _read(twin(tg), False, memo)
    assert lean == reference
    if name == "vendor-heavy":  # many outside accounts per role: flat answers of several hops are read
        assert sum(1 for a in lean if a[1] != "result" and a[2] > 1) > 5


@pytest.mark.parametrize(("name", "seed"), [("vendor-heavy", 1), ("random", 2)])
def test_scan_findings_equal_the_reference(name: str, seed: int, tmp_path: Path) -> None:
    tg = small_org(name, seed, tmp_path)
    found = []
    saved = FlatAnswer.lean_reads
    try:
        for lean in (True, False):
            FlatAnswer.lean_reads = lean
            found.append([finding_to_plain(f) for f in run_checks(ScanContext(twin(tg)), CHECKS, jobs=1).findings])
    finally:
        FlatAnswer.lean_reads = saved
    assert found[0] == found[1]
    assert found[0]
