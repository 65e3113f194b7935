"""Comparing two estates under one zone: findings that are new, resolved or unchanged, and guards lost.

Findings are compared by a stable id, ``(check, role ARN, source)``, one per source a grouped finding lists (the
source is ``external``, ``account:ID``, ``federated:PROVIDER``, ``service:NAME``, a principal ARN, ``*``, or ``-`` for
a finding about a document), so a finding that gains an outside account is one new entry, not a changed finding.

Guards lost (:mod:`trustgraph.report.guards`): for each role in both estates whose trust policy (or the RCPs of its
account) changed, the solver is asked, per caller class (outsiders, each service and each federated provider a policy
names), for a request NEW's policies allow and OLD's deny (:mod:`trustgraph.smt.difference`, IAM Access Analyzer's
CheckNoNewAccess question decided exactly for the hop). Each witness is replayed through the reference evaluator
against both estates, and the guard it shows lost is read off OLD's decision on it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from trustgraph.checks.finding import CheckInfo, Finding, FindingKind, Severity
from trustgraph.model.estate import Estate
from trustgraph.model.location import Location
from trustgraph.queries.graph_queries import GraphQueries
from trustgraph.queries.results import HopWitness
from trustgraph.report.guards import GUARD_KEYS, GuardLost, guard_of, guards_lost, outsider


@dataclass(frozen=True, slots=True, kw_only=True)
class DiffEntry:
    """One (check, role, source) of a finding, as the diff reports it."""

    check_id: str
    title: str
    severity: Severity
    kind: FindingKind
    role: str
    source: str
    source_class: str
    message: str
    nodes: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    witness: tuple[HopWitness, ...] = ()
    statements: tuple[Location, ...] = ()

    @property
    def id(self) -> str:
        """The stable finding id: ``check|role|source``."""
        return f"{self.check_id}|{self.role}|{self.source}"


@dataclass(frozen=True, slots=True, kw_only=True)
class DiffReport:
    """The comparison of two estates (see the module docstring)."""

    zone: Mapping[str, Any]
    zone_from: str
    analysis_time: str
    old_inputs: tuple[str, ...]
    new_inputs: tuple[str, ...]
    new: tuple[DiffEntry, ...]
    resolved: tuple[DiffEntry, ...]
    unchanged: int
    guards_lost: tuple[GuardLost, ...]
    #: The entries counted by ``unchanged`` (in both estates; SARIF lists them with ``baselineState: unchanged``).
    unchanged_entries: tuple[DiffEntry, ...] = ()
    #: The checks that ran (SARIF's rules).
    checks: tuple[CheckInfo, ...] = ()
    #: Line and column of each statement location the report cites (:meth:`with_positions`), for SARIF.
    positions: Mapping[Location, Any] = field(default_factory=dict)
    tool_version: str = "0.0.0"

    def locations(self) -> tuple[Location, ...]:
        """Every statement location the entries and lost guards cite, first seen first."""
        seen: dict[Location, None] = {}
        for e in (*self.new, *self.unchanged_entries, *self.resolved):
            seen.update(dict.fromkeys(e.statements))
        for g in self.guards_lost:
            for h in g.witness:
                seen.update(dict.fromkeys(h.statements))
        return tuple(seen)

    def with_positions(self) -> DiffReport:
        """This report with :attr:`positions` read from the export files it cites (each file once)."""
        from trustgraph.report.positions import statement_positions

        return replace(self, positions=statement_positions(self.locations()))


def expand(findings: Iterable[Finding]) -> dict[str, DiffEntry]:
    """Every (check, role, source) of grouped findings, by id; the finding's first source keeps its full witness.

    Raises
    ------
    ValueError
        For a finding whose sources past the listed ones have no path (:attr:`~trustgraph.checks.finding.Finding.
        paths_of_all`; :func:`diff_estates` scans inside :func:`~trustgraph.checks.grouping.every_source`)."""
    out: dict[str, DiffEntry] = {}
    for f in findings:
        for i, s in enumerate(f.paths_of_all):
            entry = DiffEntry(check_id=f.check_id, title=f.title, severity=f.severity, kind=s.kind, role=f.role,
                              source=s.source, source_class=s.source_class, message=f.message, nodes=s.nodes,
                              actions=s.actions, witness=f.path if i == 0 else (),
                              statements=f.statements or tuple(loc for h in f.path for loc in h.statements))
            out.setdefault(entry.id, entry)
    return out


def _order(e: DiffEntry) -> tuple[object, ...]:
    return (-e.severity.rank, e.check_id, e.role, e.source)


def compare_findings(
    old: Iterable[Finding], new: Iterable[Finding],
) -> tuple[tuple[DiffEntry, ...], tuple[DiffEntry, ...], int]:
    """(new entries, resolved entries, number unchanged), entries ordered by severity, check, role, source."""
    added, gone, same = compare_entries(old, new)
    return added, gone, len(same)


def compare_entries(
    old: Iterable[Finding], new: Iterable[Finding],
) -> tuple[tuple[DiffEntry, ...], tuple[DiffEntry, ...], tuple[DiffEntry, ...]]:
    """(new, resolved, unchanged) entries, each ordered by severity, check, role, source; an unchanged entry is
    NEW's."""
    before, after = expand(old), expand(new)
    added = sorted((e for k, e in after.items() if k not in before), key=_order)
    gone = sorted((e for k, e in before.items() if k not in after), key=_order)
    same = sorted((e for k, e in after.items() if k in before), key=_order)
    return tuple(added), tuple(gone), tuple(same)


def find_guards_lost(old: GraphQueries, new: GraphQueries, *, timeout_ms: int | None = None) -> tuple[GuardLost, ...]:
    """Guards lost on roles present in both estates (:func:`trustgraph.report.guards.guards_lost`), asked with NEW's
    outsider (every AWS principal outside the zone) at NEW's analysis time."""
    shared = sorted(set(new.estate.role_by_arn) & set(old.estate.role_by_arn))
    return guards_lost({arn: new.engine.target(arn) for arn in shared},
                       {arn: old.engine.target(arn) for arn in shared},
                       outsider(new.estate, new.zone), now_ms=new.engine.now_ms, timeout_ms=timeout_ms,
                       inject_unknown=new.engine.session.options.inject_unknown)


def diff_estates(
    old: Estate, new: Estate, zone: Any, checks: Sequence[Any], *, zone_from: str,
    old_inputs: tuple[str, ...], new_inputs: tuple[str, ...], timeout_ms: int | None = None,
    now: datetime | None = None, via: str = "assume",
) -> DiffReport:
    """Scan both estates under ``zone`` with ``checks`` and compare them (:class:`DiffReport`).

    ``now`` pins the analysis time of both (aws:CurrentTime of every witness; the clock when None) and ``via`` is
    ``scan --via``: both estates are judged at the same moment with the same options."""
    from trustgraph.checks.context import ScanContext
    from trustgraph.checks.grouping import every_source
    from trustgraph.checks.runner import scan

    old_tg, new_tg = GraphQueries(old, zone, now=now), GraphQueries(new, zone, now=now)
    if now is None:  # one moment for both, even without a pinned time
        old_tg.engine.now_ms = new_tg.engine.now_ms
    with every_source():  # the diff compares and shows every source's path
        old_findings = scan(ScanContext(GraphQueries(old, zone, old_tg.graph.copy(), now=now),
                                        timeout_ms=timeout_ms, via=via), checks)
        new_findings = scan(ScanContext(GraphQueries(new, zone, new_tg.graph.copy(), now=now),
                                        timeout_ms=timeout_ms, via=via), checks)
    added, gone, same = compare_entries(old_findings, new_findings)
    from trustgraph.model.values import format_date

    return DiffReport(zone=zone.describe(), zone_from=zone_from, analysis_time=format_date(new_tg.engine.now_ms),
                      old_inputs=old_inputs, new_inputs=new_inputs,
                      new=added, resolved=gone, unchanged=len(same), unchanged_entries=same,
                      checks=tuple(c.info() for c in checks), tool_version=_version(),
                      guards_lost=find_guards_lost(old_tg, new_tg, timeout_ms=timeout_ms))


def _version() -> str:
    from trustgraph import __version__

    return str(__version__)


def fails(report: DiffReport, fail_on: str) -> bool:
    """True when a new entry (proven or unknown) or a lost guard reaches ``fail_on``; a lost guard counts as high."""
    threshold = Severity(fail_on).rank
    return (any(e.severity.rank >= threshold for e in report.new)
            or (bool(report.guards_lost) and Severity.HIGH.rank >= threshold))


__all__ = ["GUARD_KEYS", "DiffEntry", "DiffReport", "GuardLost", "compare_entries", "compare_findings",
           "diff_estates", "expand", "fails", "find_guards_lost", "guard_of"]
