"""The scan report: one value that every output format is rendered from.

``trustgraph scan`` builds one :class:`ScanReport` (findings, zone, inputs, checks run, suppressions, tool version and
the time of the run; :func:`trustgraph.report.build.build_report`) and hands it to a pure renderer
``render_X(report) -> str`` (:mod:`trustgraph.render`). Keeping the time of the run in the report, rather than reading
the clock inside a renderer, makes every output reproducible byte for byte, which the tests and diff-based reviews of
nightly scans rely on.

Findings that a suppression matched stay in the report (with ``suppressed_by`` set) so that machine formats can carry
them, marked; counts in :attr:`ScanReport.summary` cover only the findings that are not suppressed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from itertools import groupby
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from trustgraph.checks.finding import SOURCE_CLASSES, CheckInfo, Finding, FindingKind, Severity
from trustgraph.model.location import Location

if TYPE_CHECKING:
    from trustgraph.report.positions import Position

#: Severities from the most to the least severe: the order reports group and sort by.
SEVERITY_ORDER: tuple[Severity, ...] = tuple(sorted(Severity, key=lambda s: s.rank, reverse=True))


@dataclass(frozen=True, slots=True, kw_only=True)
class SuppressionRecord:
    """One entry of the suppressions file, as reports show it.

    Attributes
    ----------
    check_id, role, source
        What the entry matches (``role`` is an ARN glob; ``source`` None matches any source).
    reason
        The mandatory justification.
    expires
        ISO date after which the entry no longer applies, or None.
    location
        Where the entry is (``file#/pointer``), for the reader to find it.
    matched
        How many findings it suppressed in this run.
    """

    check_id: str
    role: str
    reason: str
    source: str | None = None
    expires: str | None = None
    location: str = ""
    matched: int = 0

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict with a fixed key order."""
        return {
            "check_id": self.check_id,
            "role": self.role,
            "source": self.source,
            "reason": self.reason,
            "expires": self.expires,
            "location": self.location,
            "matched": self.matched,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class Suppressions:
    """The suppressions of a run: those that matched, those past their expiry, those that matched nothing."""

    applied: tuple[SuppressionRecord, ...] = ()
    expired: tuple[SuppressionRecord, ...] = ()
    unused: tuple[SuppressionRecord, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Summary:
    """Counts over the findings that are not suppressed.

    Attributes
    ----------
    total
        Findings not suppressed (proven and unknown).
    by_severity
        Count per severity value, every severity present, critical first.
    by_kind
        Count per kind value (``finding``, ``unknown``).
    suppressed
        Findings a suppression matched.
    approximate
        Findings (not suppressed) that rest on an over-approximation.
    highest
        The highest severity among the findings not suppressed, or None when there are none.
    by_source_class
        Per source class (:data:`~trustgraph.checks.finding.SOURCE_CLASSES`): ``findings`` that list a source of
        that class and the number of ``sources`` of that class they list.
    """

    total: int
    by_severity: Mapping[str, int]
    by_kind: Mapping[str, int]
    suppressed: int
    approximate: int
    highest: Severity | None
    by_source_class: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    through_admin: int = 0

    def line(self) -> str:
        """The one-line summary: ``7 findings: 2 critical, 3 high, 1 medium, 1 low; 1 unknown; 0 suppressed``, then,
        when some critical findings are reached through another admin role's finding (:attr:`through_admin`),
        ``; 5 critical through another admin role`` (the counts before it are unchanged)."""
        noun = "finding" if self.total == 1 else "findings"
        parts = ", ".join(f"{self.by_severity[s.value]} {s.value}" for s in SEVERITY_ORDER)
        unknown = self.by_kind[FindingKind.UNKNOWN.value]
        line = f"{self.total} {noun}: {parts}; {unknown} unknown; {self.suppressed} suppressed"
        if self.through_admin:
            line += f"; {self.through_admin} critical through another admin role"
        return line

    def sources_line(self) -> str:
        """Findings per source class: ``sources: account 16 findings (21 sources), public 1 finding (1 source)``."""
        parts = [f"{c} {n['findings']} finding{'s' if n['findings'] != 1 else ''} ({n['sources']} "
                 f"source{'s' if n['sources'] != 1 else ''})"
                 for c, n in self.by_source_class.items() if n["findings"] and c != "none"]
        return "sources: " + ", ".join(parts) if parts else ""

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict with a fixed key order."""
        return {
            "total": self.total,
            "by_severity": dict(self.by_severity),
            "by_kind": dict(self.by_kind),
            "suppressed": self.suppressed,
            "approximate": self.approximate,
            "highest_severity": self.highest.value if self.highest is not None else None,
            "by_source_class": {k: dict(v) for k, v in self.by_source_class.items()},
            **({"through_admin": self.through_admin} if self.through_admin else {}),
        }


#: The check whose finding on a role names the dominating finding first (:func:`resolve_through_admin`).
DOMINATING_CHECK = "external-path-to-admin"


def resolve_through_admin(findings: tuple[Finding, ...]) -> tuple[Finding, ...]:
    """``findings`` with each ``through_admin`` (:class:`~trustgraph.checks.finding.ThroughAdmin`) naming the check
    of its dominating finding: the report's finding on that admin role that names the same source, not suppressed
    unless the dominated one is; for an ``external-path-to-admin`` finding one of that check first, then the most
    severe; for another check's (:mod:`trustgraph.checks.through`) one of the same check only (its path's prefix is a
    witness of that finding, not of another check's). A ``through_admin`` without such a finding is dropped (and the
    message's "its own finding" with it): a report groups a finding only under one it shows."""
    if not any(f.through_admin is not None for f in findings):
        return findings
    on_role: dict[str, list[Finding]] = {}
    for f in findings:
        on_role.setdefault(f.role, []).append(f)
    out: list[Finding] = []
    for f in findings:
        through = f.through_admin
        if through is not None:
            candidates = sorted((g for g in on_role.get(through.role, ()) if g is not f
                                 and (f.check_id == DOMINATING_CHECK or g.check_id == f.check_id)
                                 and (g.suppressed_by is None or f.suppressed_by is not None)
                                 and any(s.source == f.source for s in g.all_sources)),
                                key=lambda g: (g.check_id != DOMINATING_CHECK, -g.severity.rank, g.check_id))
            if not candidates:  # the message claims no finding the report does not hold
                claim = f" (its own finding, hop {through.hop})"
                f = replace(f, through_admin=None, message=f.message.replace(claim, f" (hop {through.hop})"))
            elif candidates[0].check_id != through.check_id:
                f = replace(f, through_admin=through._replace(check_id=candidates[0].check_id))
        out.append(f)
    return tuple(out)


def finding_sort_key(finding: Finding) -> tuple[Any, ...]:
    """The stable report order: severity (critical first); within a severity, roles outsiders reach in fewer hops,
    then with fewer conditions in the way (:attr:`Finding.exposure`), first; then check id, role, source, and the
    rest as tie-breaks."""
    return (
        -finding.severity.rank,
        *finding.exposure,
        finding.check_id,
        finding.role,
        finding.source,
        finding.kind.value,
        finding.message,
        tuple((h.source, h.target, h.action) for h in finding.path),
        tuple((loc.file, loc.pointer) for loc in finding.statements),
    )


def _head_key(finding: Finding) -> tuple[Any, ...]:
    """The leading fields of :func:`finding_sort_key`: all but its path and statements."""
    return (-finding.severity.rank, *finding.exposure, finding.check_id, finding.role, finding.source,
            finding.kind.value, finding.message)


def ordered_findings(findings: Iterable[Finding], *, grouped: bool = True) -> tuple[Finding, ...]:
    """``findings`` sorted by :func:`finding_sort_key` (stable).

    ``grouped``: sorted by :func:`_head_key`, then each run of findings with equal heads (rare: one check, role,
    source and message) by the whole key, which gives the same order; False sorts by the whole key at once, the
    reference. The whole keys of every finding, held together while sorting, were the peak of the report's memory
    (a tuple per hop and per statement: 5,000 roles, random profile, 13.9 MB traced for a 9.5 MB report)."""
    if not grouped:
        return tuple(sorted(findings, key=finding_sort_key))
    items = tuple(findings)
    heads = [_head_key(f) for f in items]  # each made once (the exposure walks the sources)
    out: list[Finding] = []
    for _, run in groupby(sorted(range(len(items)), key=heads.__getitem__), key=heads.__getitem__):
        same = [items[i] for i in run]
        out.extend(same if len(same) == 1 else sorted(same, key=finding_sort_key))
    return tuple(out)


@dataclass(frozen=True, slots=True, kw_only=True)
class ScanReport:
    """Everything a scan found and under which assumptions, ready for any format.

    Attributes
    ----------
    findings
        All findings, suppressed ones included (``suppressed_by`` set). Renderers use :attr:`ordered`.
    zone
        The zone of trust as :meth:`trustgraph.model.zone.Zone.describe` returns it.
    inputs
        The export files (or directories) scanned, as given.
    tool_version
        trustgraph's version.
    generated_at
        When the scan ran, ISO 8601 UTC (``2026-11-28T15:00:00Z``); passed in so outputs are reproducible.
    checks_run
        The checks that ran, in catalog order.
    suppressions
        Applied, expired and unused suppressions.
    tool_name
        The tool's name in reports.
    positions
        Line and column where each cited statement starts in its export file (:meth:`with_positions`); reports show
        ``file:line`` and SARIF regions from it. Empty: only file and JSON pointer are known.
    read_keys
        The condition keys each cited statement reads (lowercase, as the model normalises them), so that the HTML
        report can show a witness's telling keys first and fold the rest. Empty: unknown.
    grouped_order
        How :attr:`ordered` sorts (:func:`ordered_findings`' ``grouped``; False: the reference sort).
    """

    findings: tuple[Finding, ...] = ()
    zone: Mapping[str, Any] = field(default_factory=dict)
    inputs: tuple[str, ...] = ()
    tool_version: str = "0.0.0"
    generated_at: str = "1970-01-01T00:00:00Z"
    checks_run: tuple[CheckInfo, ...] = ()
    suppressions: Suppressions = field(default_factory=Suppressions)
    tool_name: str = "trustgraph"
    positions: Mapping[Location, Position] = field(default_factory=dict)
    read_keys: Mapping[Location, frozenset[str]] = field(default_factory=dict)
    grouped_order: bool = field(default=True, compare=False)
    #: :attr:`ordered`, sorted at its first use (renderers read it several times: the findings, the summary)
    _ordered: tuple[Finding, ...] | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        checks_run = tuple(self.checks_run)
        titles = {c.id: c.title for c in checks_run}
        findings = tuple(
            replace(f, title=titles[f.check_id]) if not f.title and titles.get(f.check_id) else f
            for f in self.findings
        )
        # a finding without a title gets its check's title; a through_admin names its dominating finding
        object.__setattr__(self, "findings", resolve_through_admin(findings))
        object.__setattr__(self, "inputs", tuple(self.inputs))
        object.__setattr__(self, "checks_run", checks_run)
        object.__setattr__(self, "zone", MappingProxyType(dict(self.zone)))
        object.__setattr__(self, "positions", MappingProxyType(dict(self.positions)))
        object.__setattr__(self, "read_keys", MappingProxyType(dict(self.read_keys)))

    def with_positions(self) -> ScanReport:
        """This report with :attr:`positions` read from the export files its findings cite (each file once)."""
        from trustgraph.report.positions import statement_positions

        return replace(self, positions=statement_positions(self.locations()))

    def with_read_keys(self, statements: Iterable[Any]) -> ScanReport:
        """This report with :attr:`read_keys` from the given model statements (those its findings cite are kept)."""
        cited = set(self.locations())
        keys = {st.location: frozenset(c.key.lower() for c in st.conditions)
                for st in statements if st.location in cited}
        return replace(self, read_keys=keys)

    def locations(self) -> tuple[Location, ...]:
        """Every statement location the findings mention (their statements and their hops'), first seen first."""
        seen: dict[Location, None] = {}
        for f in self.findings:
            for loc in f.statements:
                seen[loc] = None
            for hop in f.path:
                for loc in hop.statements:
                    seen[loc] = None
        return tuple(seen)

    def where(self, loc: Location) -> str:
        """``file:line`` when the statement's line is known, else ``file#pointer``."""
        pos = self.positions.get(loc)
        return f"{loc.file}:{pos.line}" if pos is not None else str(loc)

    @property
    def ordered(self) -> tuple[Finding, ...]:
        """All findings in the stable report order (see :func:`finding_sort_key`)."""
        if self._ordered is None:
            object.__setattr__(self, "_ordered", ordered_findings(self.findings, grouped=self.grouped_order))
        assert self._ordered is not None
        return self._ordered

    @property
    def active(self) -> tuple[Finding, ...]:
        """The findings not suppressed, in report order."""
        return tuple(f for f in self.ordered if f.suppressed_by is None)

    @property
    def suppressed(self) -> tuple[Finding, ...]:
        """The findings a suppression matched, in report order."""
        return tuple(f for f in self.ordered if f.suppressed_by is not None)

    @property
    def summary(self) -> Summary:
        """Counts by severity and kind over the findings not suppressed, the suppressed count, the highest severity."""
        active = self.active
        by_severity = {s.value: sum(1 for f in active if f.severity is s) for s in SEVERITY_ORDER}
        by_kind = {k.value: sum(1 for f in active if f.kind is k) for k in FindingKind}
        highest = max((f.severity for f in active), key=lambda s: s.rank, default=None)
        by_class = {c: {"findings": 0, "sources": 0} for c in SOURCE_CLASSES}
        for f in active:
            classes = [s.source_class for s in f.all_sources]
            for c in set(classes):
                by_class[c]["findings"] += 1
            for c in classes:
                by_class[c]["sources"] += 1
        return Summary(
            by_source_class=MappingProxyType({c: MappingProxyType(v) for c, v in by_class.items()}),
            total=len(active),
            by_severity=MappingProxyType(by_severity),
            by_kind=MappingProxyType(by_kind),
            suppressed=len(self.findings) - len(active),
            approximate=sum(1 for f in active if f.approximate),
            highest=highest,
            through_admin=sum(1 for _, under in self.grouped_active() for f in under
                              if f.severity is Severity.CRITICAL),
        )

    def dominating(self, finding: Finding) -> Finding | None:
        """The finding ``finding`` is reached through: its ``through_admin``'s finding, followed to one that is not
        itself reached through another (None: not reached through one, or the chain loops)."""
        return self._root(finding, {(f.check_id, f.role): f for f in self.findings})

    def grouped_active(self) -> tuple[tuple[Finding, tuple[Finding, ...]], ...]:
        """The active findings in report order, each finding reached through another admin role's finding
        (:meth:`dominating`) moved under it: (finding, the findings reached through it), the root causes only at the
        top level. Every active finding appears once; one is moved only under an active finding at least as severe
        (a critical finding is never read after a high one)."""
        active = self.active
        index = {(f.check_id, f.role): f for f in self.findings}
        under: dict[tuple[str, str], list[Finding]] = {}
        roots: dict[int, Finding] = {}
        for f in active:
            root = self._root(f, index)
            if root is not None and root.suppressed_by is None and root.severity.rank >= f.severity.rank:
                roots[id(f)] = root
                under.setdefault((root.check_id, root.role), []).append(f)
        return tuple((f, tuple(under.get((f.check_id, f.role), ()))) for f in active if id(f) not in roots)

    @staticmethod
    def _root(finding: Finding, index: Mapping[tuple[str, str], Finding]) -> Finding | None:
        """:meth:`dominating` over a prepared index; None also when the chain loops back (no root)."""
        seen = {(finding.check_id, finding.role)}
        head: Finding | None = None
        current = finding
        while current.through_admin is not None:
            key = (current.through_admin.check_id, current.through_admin.role)
            nxt = index.get(key)
            if nxt is None:
                break
            if key in seen:
                return None
            seen.add(key)
            head = current = nxt
        return head

    def check(self, check_id: str) -> CheckInfo | None:
        """The metadata of a check that ran, or None."""
        return next((c for c in self.checks_run if c.id == check_id), None)

    def rules(self) -> tuple[CheckInfo, ...]:
        """The checks that ran, plus a minimal entry for any check id a finding names that is not among them."""
        known = {c.id for c in self.checks_run}
        extra: dict[str, CheckInfo] = {}
        for f in self.ordered:
            if f.check_id not in known and f.check_id not in extra:
                extra[f.check_id] = CheckInfo(
                    id=f.check_id, title=f.title or f.check_id, severity=f.severity, remediation=f.remediation
                )
        return self.checks_run + tuple(sorted(extra.values(), key=lambda c: c.id))


__all__ = ["SEVERITY_ORDER", "CheckInfo", "ScanReport", "Summary", "SuppressionRecord", "Suppressions",
           "finding_sort_key"]
