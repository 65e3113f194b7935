"""A merged finding's sources past the first ``MAX_LISTED_SOURCES`` kept as a compact tail (names and facts, no paths:
:class:`~trustgraph.checks.finding.SourceTail`) against the reference, every source in full
(:func:`~trustgraph.checks.grouping.every_source`): the same text in every report format, the same summary, exposure,
suppressions, frames and notebook table, the same diff; and the tail itself against the sources it was made from.

The estate: roles of 41 outside accounts may assume ``Hop``, which may assume ``Admin``; ``Admin`` also trusts an
outside account and a GitHub provider directly; ``Wide`` trusts 30 outside accounts, 10 of them with an external id.
A merged finding made of given sources puts the easiest way in (the class of every outsider, one hop) 41st, behind 40
more specific accounts two hops away: its exposure and class come from the tail."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from twins import twin

from trustgraph.api import TrustGraph, load
from trustgraph.checks.context import ScanContext
from trustgraph.checks.finding import (
    MAX_LISTED_SOURCES,
    SOURCE_CLASSES,
    Finding,
    FindingKind,
    Severity,
    SourceReach,
    SourceSummary,
    SourceTail,
    source_class,
)
from trustgraph.checks.grouping import Pending, every_source, merge_reaches
from trustgraph.checks.registry import CHECKS
from trustgraph.checks.runner import finding_to_plain, run_checks
from trustgraph.model.location import Location
from trustgraph.render.diff import render_diff
from trustgraph.render.diff_sarif import render_diff_sarif
from trustgraph.render.report import FORMATS, render
from trustgraph.report.build import build_report
from trustgraph.report.diff import diff_estates, expand
from trustgraph.report.suppressions import Suppression
from trustgraph.smt.session import SolverSession

from .helpers import ALLOW_ALL, GITHUB, ZONE, A, B, assume_policy, gaad, role, role_arn, stmt, trust, write_estate

NOW = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
OUTSIDE = [str(500000000000 + i) for i in range(40)]
LAST = "999999999999"  # Hop's 41st source: in the tail


def _estate(directory: Path, accounts: list[str]) -> TrustGraph:
    hop = role("Hop", trust(stmt({"AWS": [f"arn:aws:iam::{a}:role/Vendor" for a in [*accounts, LAST]]})),
               policies=[assume_policy(role_arn("Admin"))])
    admin = role("Admin", trust(stmt({"AWS": role_arn("Hop")}), stmt({"AWS": f"arn:aws:iam::{B}:root"}),
                                stmt({"Federated": GITHUB}, "sts:AssumeRoleWithWebIdentity")),
                 policies=[ALLOW_ALL])
    wide = role("Wide", trust(stmt({"AWS": [f"arn:aws:iam::{a}:root" for a in accounts[:30]]}),
                              stmt({"AWS": [f"arn:aws:iam::{a}:root" for a in accounts[30:]]},
                                   condition={"StringEquals": {"sts:ExternalId": "x"}})))
    tg = load(write_estate(directory, {A: gaad(hop, admin, wide)}), zone=list(ZONE))
    return TrustGraph(tg.estate, tg.zone, now=NOW)


@contextmanager
def _tails(on: bool) -> Iterator[None]:
    if on:
        yield
    else:
        with every_source():
            yield


def _scan(tg: TrustGraph, session: SolverSession, tails: bool, jobs: int = 1) -> tuple[Finding, ...]:
    with _tails(tails):
        return run_checks(ScanContext(twin(tg, session)), CHECKS, jobs=jobs).findings


@pytest.fixture(scope="module")
def scans(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tg = _estate(tmp_path_factory.mktemp("tail") / "exports", OUTSIDE)
    session = SolverSession()  # one session for all: which valid witness a hop gets depends on what was asked before
    reference = _scan(tg, session, False)
    return {"tg": tg, "reference": reference, "tails": _scan(tg, session, True),
            "workers": _scan(tg, session, True, jobs=2)}


def _admin(findings: tuple[Finding, ...]) -> Finding:
    return next(f for f in findings if f.check_id == "external-path-to-admin" and f.role == role_arn("Admin"))


def test_the_estate_has_tails(scans: dict[str, Any]) -> None:
    reference, tails = scans["reference"], scans["tails"]
    assert all(f.tail is None for f in reference)
    long = [f for f in tails if f.tail is not None]
    assert {(f.check_id, f.role.rsplit("/", 1)[-1]) for f in long} >= {
        ("external-path-to-admin", "Admin"), ("external-without-external-id", "Hop"),
        ("external-without-external-id", "Wide")}
    for f in long:
        assert len(f.sources) == MAX_LISTED_SOURCES < f.sources_total


def _merged(tails: bool) -> Finding:
    """40 outside accounts two hops away, then the class of every outsider one hop away (41st: in the tail)."""
    reaches: list[tuple[SourceReach, Finding | Pending]] = []
    for i, source in enumerate([*(f"account:{a}" for a in OUTSIDE), "external"]):
        hops = 1 if source == "external" else 2
        found = Finding(check_id="c", severity=Severity.HIGH if i % 7 else Severity.LOW, role=role_arn("R"),
                        source=source, message=f"{source} gets in.", remediation="fix",
                        statements=(Location("f.json", f"/{i}"),), approximate=i % 5 == 0)
        reaches.append((SourceReach(source=source, source_class=source_class(source),
                                    nodes=(source, *(f"arn:aws:iam::{A}:role/n{i}-{h}" for h in range(hops))),
                                    actions=("sts:AssumeRole",) * hops, conditions=i % 3, approximate=i % 5 == 0,
                                    statements=found.statements), found))
    with _tails(tails):
        return merge_reaches(reaches)


def test_exposure_and_classes_read_past_the_listed_sources() -> None:
    new, old = _merged(True), _merged(False)
    assert new.tail is not None and old.tail is None
    listed = min((s.hops, s.conditions) for s in new.sources if s.hops)
    assert new.exposure == old.exposure == (1, 1) != listed
    reports = [build_report([f], CHECKS, zone={}, inputs=(), now=NOW) for f in (old, new)]
    assert reports[0].summary == reports[1].summary
    assert reports[1].summary.by_source_class["external"] == {"findings": 1, "sources": 1}
    assert (new.statements, new.message, new.approximations) == (old.statements, old.message, old.approximations)
    for fmt in FORMATS:
        assert render(reports[1], fmt, width=160) == render(reports[0], fmt, width=160), fmt


def test_every_source_read_as_the_reference(scans: dict[str, Any]) -> None:
    reference, tails = scans["reference"], scans["tails"]
    assert [(f.check_id, f.role) for f in tails] == [(f.check_id, f.role) for f in reference]
    for new, old in zip(tails, reference, strict=True):
        assert new.sources_total == len(old.all_sources)
        assert new.listed_sources == old.all_sources[:MAX_LISTED_SOURCES]
        assert [_summary(s) for s in new.all_sources] == [_summary(s) for s in old.all_sources]
        assert new.exposure == old.exposure
        assert (new.message, new.statements, new.path, new.severity) == (old.message, old.statements, old.path,
                                                                         old.severity)
        if new.tail is None:
            assert new.paths_of_all == old.paths_of_all
        else:
            with pytest.raises(ValueError, match="every_source"):
                new.paths_of_all  # noqa: B018


def test_workers_carry_the_tail(scans: dict[str, Any]) -> None:
    assert [finding_to_plain(f) for f in scans["workers"]] == [finding_to_plain(f) for f in scans["tails"]]


def _summary(s: SourceReach | SourceSummary) -> SourceSummary:
    return SourceSummary(source=s.source, source_class=s.source_class, kind=s.kind, hops=s.hops,
                         conditions=s.conditions, approximate=s.approximate)


@pytest.mark.parametrize("entries", [
    (),
    (Suppression(check_id="external-without-mfa", role="*", reason="r", source="account:*"),
     Suppression(check_id="external-without-external-id", role="*", reason="r", source="account:5*")),
    (Suppression(check_id="external-path-to-admin", role="*", reason="r", source="*"),),
])
def test_every_format_renders_the_same(scans: dict[str, Any], entries: tuple[Suppression, ...]) -> None:
    reports = [build_report(scans[k], CHECKS, zone=scans["tg"].zone.describe(), inputs=("x",), entries=entries,
                            now=NOW) for k in ("reference", "tails")]
    assert reports[0].summary == reports[1].summary
    assert [f.suppressed_by for f in reports[0].ordered] == [f.suppressed_by for f in reports[1].ordered]
    if len(entries) == 2:  # Hop's 41st source is in the tail: the second entry does not match it
        suppressed = {(f.check_id, f.role.rsplit("/", 1)[-1]) for f in reports[1].findings if f.suppressed_by}
        assert ("external-without-external-id", "Hop") not in suppressed
        assert {("external-without-mfa", "Hop"), ("external-without-external-id", "Wide")} <= suppressed
    for fmt in FORMATS:
        assert render(reports[1], fmt, width=160) == render(reports[0], fmt, width=160), fmt


def test_frames_and_notebook_read_the_same(scans: dict[str, Any]) -> None:
    pytest.importorskip("pandas")
    from trustgraph.checks.frames import findings_frame
    from trustgraph.render.notebook import findings_html

    reference, tails = list(scans["reference"]), list(scans["tails"])
    assert findings_frame(tails).equals(findings_frame(reference))
    assert findings_html(tails) == findings_html(reference)


def test_diff_keeps_every_path(scans: dict[str, Any], tmp_path: Path) -> None:
    """The diff compares and shows every source's path: it scans with every source in full whatever the switch, and
    refuses findings that dropped them."""
    old = _estate(tmp_path / "old", OUTSIDE[:-3]).estate  # three accounts fewer: Admin's 38th-40th are new
    new = scans["tg"]

    def diff() -> Any:
        return diff_estates(old, new.estate, new.zone, CHECKS, zone_from="test", old_inputs=("o",), new_inputs=("n",),
                            now=NOW)

    fast = diff()
    with every_source():
        reference = diff()
    assert fast == reference
    assert any(e.role == role_arn("Admin") and e.nodes for e in fast.new)
    for fmt in ("json", "table", "markdown"):
        assert render_diff(fast, fmt) == render_diff(reference, fmt)
    assert render_diff_sarif(fast) == render_diff_sarif(reference)
    with pytest.raises(ValueError, match="every_source"):
        expand(scans["tails"])
    assert expand(scans["reference"])


_REACHES = st.lists(st.builds(
    SourceReach, source=st.text(min_size=1, max_size=8), source_class=st.sampled_from(SOURCE_CLASSES),
    actions=st.lists(st.sampled_from(["sts:AssumeRole", "sts:AssumeRoleWithSAML"]), max_size=5).map(tuple),
    conditions=st.integers(0, 2**32 - 1), kind=st.sampled_from(list(FindingKind)), approximate=st.booleans()),
    max_size=12)


@given(_REACHES)
def test_tail_holds_what_the_readers_read(reaches: list[SourceReach]) -> None:
    tail = SourceTail.of(reaches)
    assert tail is not None and len(tail) == len(reaches)
    assert list(tail) == [_summary(s) for s in reaches]
    assert sorted(tail.ways()) == sorted((s.hops, s.conditions) for s in reaches
                                         if s.hops and s.kind is FindingKind.FINDING)


def test_a_source_that_does_not_fit_keeps_the_tail_out() -> None:
    assert SourceTail.of([SourceReach(source="x", source_class="elsewhere")]) is None
    assert SourceTail.of([SourceReach(source="x", source_class="account", actions=("a",) * 70_000)]) is None
    assert SourceTail.of([SourceReach(source="x", source_class="account", conditions=2**32)]) is None
