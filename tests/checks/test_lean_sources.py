"""The reach checks with many sources per role, made cheaper per source with the same findings: a reachable
answer's message written only where the merged finding reads it (``lean_sources``,
:func:`~trustgraph.checks.grouping.grouped_findings`), and the light witnesses of the hops before a last one made once
(:class:`~trustgraph.checks.ondemand.LightMemo`). Each against its reference (every message written and merged,
:func:`~trustgraph.checks.grouping.group_findings`; every light witness made anew), field by field, on the bundled
example, the two-account sample, small organizations of several profiles (vendor-heavy: many outside accounts per
role), with undecided hops, in one process and in workers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from twins import twin as twin_of

from trustgraph.api import TrustGraph, load
from trustgraph.checks.context import ScanContext
from trustgraph.checks.external_without_external_id import ExternalWithoutExternalId
from trustgraph.checks.external_without_mfa import ExternalWithoutMfa
from trustgraph.checks.finding import Finding, FindingKind, Severity
from trustgraph.checks.grouping import group_findings, grouped_findings, merge
from trustgraph.checks.registry import CHECKS
from trustgraph.checks.runner import finding_to_plain, run_checks
from trustgraph.smt.session import SolverSession

from .helpers import unknown_every_third_role

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "two-account-sample"
DEFERRING = (ExternalWithoutMfa, ExternalWithoutExternalId)


def _findings(tg: TrustGraph, deferred: bool, session: SolverSession, jobs: int,
              patch: Callable[[TrustGraph], None] | None) -> list[dict[str, Any]]:
    fresh = twin_of(tg, session)
    if patch is not None:
        patch(fresh)
    saved = (ExternalWithoutMfa.lean_sources, ExternalWithoutExternalId.lean_sources)
    ExternalWithoutMfa.lean_sources = ExternalWithoutExternalId.lean_sources = deferred
    try:
        return [finding_to_plain(f) for f in run_checks(ScanContext(fresh), CHECKS, jobs=jobs).findings]
    finally:
        ExternalWithoutMfa.lean_sources, ExternalWithoutExternalId.lean_sources = saved


def _same(tg: TrustGraph, jobs: int = 1, patch: Callable[[TrustGraph], None] | None = None) -> list[dict[str, Any]]:
    session = SolverSession()  # one session for both: which valid witness a hop gets depends on what was asked before
    reference = _findings(tg, False, session, 1, patch)
    new = _findings(tg, True, session, jobs, patch)
    assert [(f["check_id"], f["role"]) for f in new] == [(f["check_id"], f["role"]) for f in reference]
    for a, b in zip(new, reference, strict=True):
        assert a == b, (a["check_id"], a["role"])
    return new


def _org(profile: str, seed: int, tmp_path: Path) -> TrustGraph:
    from trustgraph.synth import synthesize

    synthesize(tmp_path, accounts=3, roles_per_account=20, seed=seed, profile=profile)
    return load(tmp_path)


def _merged(found: list[dict[str, Any]]) -> int:
    """The merged findings of the deferring checks that list more than one source (a message written for the first
    source only, the others' names appended)."""
    ids = {cls.id for cls in DEFERRING}
    return sum(1 for f in found if f["check_id"] in ids and len(f["sources"]) > 1)


def test_bundled_example_and_sample() -> None:
    assert _same(load())
    assert _same(load(SAMPLE, zone=["111122223333", "o-a1b2c3d4e5"]))


@pytest.mark.parametrize(("profile", "seed"), [("vendor-heavy", 1), ("vendor-heavy", 3), ("mix", 1),
                                               ("chain-heavy", 3), ("random", 1)])
def test_profiles(profile: str, seed: int, tmp_path: Path) -> None:
    found = _same(_org(profile, seed, tmp_path))
    if profile == "vendor-heavy":  # many outside accounts per role: the merged messages are exercised
        assert _merged(found) > 5


def test_in_workers(tmp_path: Path) -> None:
    assert _merged(_same(_org("vendor-heavy", 1, tmp_path), jobs=2)) > 5


def test_undecided_hops() -> None:
    found = _same(load(), patch=unknown_every_third_role)
    assert any(f["kind"].value == "unknown" for f in found)


def _finding(source: str, message: str, hops: int = 1) -> Finding:
    from trustgraph.queries.results import HopWitness

    path = tuple(HopWitness(source=source if i == 0 else f"r{i}", target=f"r{i + 1}", action="sts:AssumeRole",
                            context={}, statements=()) for i in range(hops))
    return Finding(check_id="c", severity=Severity.HIGH, role="r", source=source, message=message, remediation="",
                   title="t", path=path, kind=FindingKind.FINDING)


def test_merge_asks_the_message_of_the_first_source_only() -> None:
    asked: list[str] = []

    def message_of(f: Finding) -> str:
        asked.append(f.source)
        return f"{f.source} gets in"

    found = [_finding("account:2", "", 2), _finding("account:1", ""), _finding("external", "")]
    merged = merge(found, message_of=message_of)
    assert asked == ["account:1"]  # the first source (fewest hops), asked once
    assert merged.message == merge([_finding(f.source, f"{f.source} gets in", len(f.path)) for f in found]).message
    assert merged.message.startswith("account:1 gets in Also: `account:2`, `external`")


def test_merge_reads_every_message_of_document_level_findings() -> None:
    found = [_finding("-", ""), _finding("-", "second.")]
    merged = merge(found, message_of=lambda f: "first.")
    assert merged.message == merge([_finding("-", "first."), _finding("-", "second.")]).message == "first. second."


def test_grouped_findings_without_a_grouped_method() -> None:
    class Plain:
        id = "c"

        def run(self, ctx: Any) -> Iterator[Finding]:
            yield _finding("account:1", "one")
            yield _finding("account:2", "two")

    assert grouped_findings(Plain(), None) == group_findings(Plain().run(None))


def _with_light_memo(tg: TrustGraph, enabled: bool, session: SolverSession, jobs: int = 1) -> list[dict[str, Any]]:
    from trustgraph.checks.ondemand import LightMemo

    saved = LightMemo.enabled
    LightMemo.enabled = enabled
    try:
        return [finding_to_plain(f) for f in run_checks(ScanContext(twin_of(tg, session)), CHECKS, jobs=jobs).findings]
    finally:
        LightMemo.enabled = saved


@pytest.mark.parametrize(("profile", "seed", "most"), [("vendor-heavy", 1, None), ("vendor-heavy", 3, 3),
                                                       ("mix", 1, None), ("random", 2, None)])
def test_light_memo_is_the_reference(profile: str, seed: int, most: int | None, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The light witnesses of the hops before a last one made once (:class:`~trustgraph.checks.ondemand.LightMemo`)
    give the findings of the reference that makes each anew, field by field; also with a memo emptied every few
    hops (``most``) and in workers."""
    from trustgraph.checks import ondemand

    if most is not None:
        monkeypatch.setattr(ondemand, "LIGHT_MEMO_MAX", most)
    tg = _org(profile, seed, tmp_path)
    session = SolverSession()
    reference = _with_light_memo(tg, False, session)
    assert _with_light_memo(tg, True, session) == reference
    if profile == "vendor-heavy":
        assert _with_light_memo(tg, True, session, jobs=2) == reference
        assert _merged(reference) > 5


def test_light_memo_makes_a_witness_once_and_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from trustgraph.checks import ondemand
    from trustgraph.checks.ondemand import Later, LightMemo

    made: list[Later] = []

    def counted(later: Later, statements_of: Any = None) -> Any:
        made.append(later)
        return ("witness", later.role)

    monkeypatch.setattr(ondemand, "light_witness", counted)
    monkeypatch.setattr(ondemand, "LIGHT_MEMO_MAX", 2)
    hops = [Later(None, ("s", False), f"r{i}", None, None) for i in range(3)]  # type: ignore[arg-type]
    memo = LightMemo()
    got: list[Any] = [memo.witness(h, lambda a: ()) for h in (hops[0], hops[1], hops[0])]
    assert got == [("witness", "r0"), ("witness", "r1"), ("witness", "r0")]
    assert made == hops[:2] and len(memo) == 2  # the second read of hops[0] is the memo's
    memo.witness(hops[2], lambda a: ())
    assert len(memo) == 1  # emptied when full, then holds the new one
    memo.witness(hops[0], lambda a: ())
    assert made == [*hops[:3], hops[0]]


def test_a_pending_finding_is_made_only_when_it_comes_first() -> None:
    from trustgraph.checks.grouping import Pending, merge_reaches, source_reach

    built: list[str] = []

    def build(f: Finding) -> Finding:
        built.append(f.source)
        return f

    near, far = _finding("account:1", "near"), _finding("account:2", "far", 2)
    pending = [(source_reach(f), Pending(f.source, f.severity, f.statements, f.approximations, f, build))
               for f in (far, near)]
    assert merge_reaches([pending[0], (source_reach(near), near)]) == merge([far, near])
    assert built == []  # second: never made
    assert merge_reaches(list(pending)) == merge([far, near])
    assert built == ["account:1"]  # first: made once


@pytest.mark.parametrize(("profile", "seed"), [("vendor-heavy", 1), ("vendor-heavy", 3), ("federation-heavy", 1)])
def test_a_first_source_is_made_with_its_full_witnesses_at_once(profile: str, seed: int, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """:func:`~trustgraph.checks.leansources.first_finding`: a merged finding's first source given as a
    :class:`~trustgraph.checks.ondemand.FlatAnswer` (an outside account's, or a federated provider's kept pair in
    external-path-to-admin) gets the full witnesses :func:`~trustgraph.checks.ondemand.materialized` makes of its
    light answer's, with no light answer built; the findings are the reference's."""
    from trustgraph.checks.ondemand import FlatAnswer, materialized

    made: list[str] = []
    comparing: list[bool] = []
    full_hops, result = FlatAnswer.full_hops, FlatAnswer.result

    def compared(self: FlatAnswer) -> Any:
        hops = full_hops(self)
        comparing.append(True)
        try:
            assert hops == materialized(self.result().hops)
        finally:
            comparing.pop()
        made.append(type(self).__name__)
        return hops

    def guarded(self: FlatAnswer) -> Any:
        assert comparing, "a merged finding's first source was built as a light answer"
        return result(self)

    monkeypatch.setattr(FlatAnswer, "full_hops", compared)
    monkeypatch.setattr(FlatAnswer, "result", guarded)
    _same(_org(profile, seed, tmp_path))
    assert "FlatAnswer" in made  # an outside account's
    if profile == "federation-heavy":
        assert "_KeptAnswer" in made  # a federated provider's (external-path-to-admin)
