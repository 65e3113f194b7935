"""The outside accounts' kept answers read with their source reach made when first read (``FlatAnswer.deferred``:
:meth:`~trustgraph.checks.ondemand.FlatAnswer.made_later`, which a merged finding reads for its listed sources only,
its tail and its order read off the stand-in) against the reference, each answer made with its source reach
(:func:`~trustgraph.checks.ondemand.lean_flat`): every answer's stand-in reads as that source reach, field by field,
and the findings of whole scans are the same, field by field, on an estate whose merged findings have tails (41
outside accounts), with every source kept in full, in workers, and on small organizations of several profiles with
one source listed (so that every merged finding of several sources has a tail)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from twins import twin

from trustgraph.api import TrustGraph, load
from trustgraph.checks import grouping
from trustgraph.checks.context import ScanContext
from trustgraph.checks.external_without_mfa import ExternalWithoutMfa
from trustgraph.checks.finding import SourceReach
from trustgraph.checks.grouping import every_source
from trustgraph.checks.ondemand import FlatAnswer, LightMemo, flat_answers
from trustgraph.checks.registry import CHECKS
from trustgraph.checks.runner import finding_to_plain, run_checks
from trustgraph.smt.session import SolverSession

from .helpers import switched
from .test_source_tail import OUTSIDE, _estate


def _scan(tg: TrustGraph, session: SolverSession, deferred: bool, jobs: int = 1) -> list[dict[str, Any]]:
    with switched(FlatAnswer, "deferred", deferred):
        return [finding_to_plain(f) for f in run_checks(ScanContext(twin(tg, session)), CHECKS, jobs=jobs).findings]


def _same(tg: TrustGraph, jobs: int = 1) -> list[dict[str, Any]]:
    session = SolverSession()  # one session for both: which valid witness a hop gets depends on what was asked before
    reference = _scan(tg, session, False)
    new = _scan(tg, session, True, jobs)
    assert [(f["check_id"], f["role"]) for f in new] == [(f["check_id"], f["role"]) for f in reference]
    for a, b in zip(new, reference, strict=True):
        assert a == b, (a["check_id"], a["role"])
    return new


@pytest.fixture(scope="module")
def estate(tmp_path_factory: pytest.TempPathFactory) -> TrustGraph:
    return _estate(tmp_path_factory.mktemp("deferred") / "exports", OUTSIDE)


def _tails(found: list[dict[str, Any]]) -> int:
    return sum(1 for f in found if f["tail"] is not None)


def test_findings_with_tails(estate: TrustGraph) -> None:
    assert _tails(_same(estate)) >= 3  # the three merged findings of 41 and 30 sources


def test_findings_every_source(estate: TrustGraph) -> None:
    with every_source():
        assert _tails(_same(estate)) == 0


def test_findings_in_workers(estate: TrustGraph) -> None:
    _same(estate, jobs=2)


def _org(profile: str, seed: int, tmp_path: Path) -> TrustGraph:
    from trustgraph.synth import synthesize

    synthesize(tmp_path, accounts=6, roles_per_account=15, seed=seed, profile=profile)
    return load(tmp_path)


@pytest.mark.parametrize(("profile", "seed"), [("vendor-heavy", 1), ("vendor-heavy", 2), ("mix", 1),
                                               ("chain-heavy", 3), ("random", 2)])
def test_profiles_with_one_listed(profile: str, seed: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(grouping, "MAX_LISTED_SOURCES", 1)  # merge_reaches' cut: a merged finding of two has a tail
    found = _same(_org(profile, seed, tmp_path))
    if profile == "vendor-heavy":
        assert _tails(found) > 0


def _reads(stand_in: FlatAnswer, reach: SourceReach) -> None:
    """``stand_in`` reads as ``reach`` wherever merge_reaches and SourceTail.of read it, and makes it."""
    for name in ("source", "source_class", "kind", "hops", "conditions", "approximate", "statements"):
        assert getattr(stand_in, name) == getattr(reach, name), name
    assert stand_in.length == reach.hops
    assert stand_in.reach == reach
    assert stand_in.reach is stand_in.reach  # made once


def test_each_answer_reads_as_its_source_reach(estate: TrustGraph, tmp_path: Path) -> None:
    checked = 0
    for tg in (estate, _org("vendor-heavy", 3, tmp_path)):
        ctx = ScanContext(twin(tg, SolverSession()))
        options = ctx.options(not_like={"aws:MultiFactorAuthPresent": ["true"]})  # as ExternalWithoutMfa asks
        index, failed = ctx.reached_by(ctx.outside_account_nodes, options)
        assert not failed
        conditions = ctx.condition_counter()
        memo = LightMemo()
        for role, kept in index.items():
            with switched(FlatAnswer, "deferred", False):
                reference = flat_answers(ctx.engine, role, kept, None, conditions)
            new = flat_answers(ctx.engine, role, kept, memo, conditions)
            assert len(new) == len(reference)
            for a, b in zip(new, reference, strict=True):
                if isinstance(b, FlatAnswer):
                    assert isinstance(a, FlatAnswer)
                    assert (a.source, a.length, a.approximations) == (b.source, b.length, b.approximations)
                    _reads(a, b.reach)
                    _reads(b, b.reach)  # the reference's answer reads as its own too (merge_reaches reads either)
                    assert a.flat() == b.flat()
                    checked += 1
                else:
                    assert a == b
    assert checked > 40
    assert ExternalWithoutMfa.lean_sources  # the check that reads them this way
