"""Findings: what a check reports, ready for every output format."""

from __future__ import annotations

import struct
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any, ClassVar, NamedTuple

from trustgraph.model.location import Location
from trustgraph.queries.results import HopWitness


class Severity(Enum):
    """Finding severities, ordered: compare with :meth:`rank`."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        """0 for low ... 3 for critical."""
        return _RANK[self]


_RANK = {Severity.LOW: 0, Severity.MEDIUM: 1, Severity.HIGH: 2, Severity.CRITICAL: 3}


class FindingKind(Enum):
    """A proven finding, or an unknown solver answer that a reviewer must look at."""

    FINDING = "finding"
    UNKNOWN = "unknown"


#: Source classes, most specific first: a named principal, an outside account, a federated provider or a service,
#: any AWS principal outside the zone, anyone, and none (a finding about a document, not about who gets in).
SOURCE_CLASSES: tuple[str, ...] = ("principal", "account", "federated", "service", "external", "public", "none")
#: :func:`source_specificity` by source class
CLASS_SPECIFICITY = {"principal": 0, "account": 1, "federated": 2, "service": 2, "external": 3, "public": 4, "none": 5}


def source_class(source: str) -> str:
    """The class of a finding's source.

    Examples
    --------
    >>> [source_class(s) for s in ("account:444455556666", "external", "*", "-", "service:config.amazonaws.com")]
    ['account', 'external', 'public', 'none', 'service']
    """
    if source == "-":
        return "none"
    if source == "*":
        return "public"
    if source == "external":
        return "external"
    prefix = source.split(":", 1)[0]
    return {"account": "account", "federated": "federated", "service": "service", "arn": "principal"}.get(
        prefix, "external")


def source_specificity(source: str) -> int:
    """0 for the most specific class (a named principal) ... 5 for none."""
    return CLASS_SPECIFICITY[source_class(source)]


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceReach:
    """One source that gets in, with its shortest path as node ids (the finding keeps the full witness of its first
    source only).

    Attributes
    ----------
    source
        ``account:ID``, ``external``, ``federated:PROVIDER``, ``service:NAME``, a principal ARN, ``*`` or ``-``.
    source_class
        :func:`source_class` of ``source``.
    nodes
        The shortest path: the source, then each role up to the finding's role (empty without a path).
    actions
        The action of each hop.
    conditions
        Condition entries of the trust statements that allow the path's hops (fewer: less stands in the way).
    kind
        ``finding`` (proven) or ``unknown`` (the solver could not decide for this source).
    approximate
        True when this source's answer rests on an over-approximation.
    statements
        The statements the answers for this source cite (its path's, or the check's own), first seen first: the JSON
        report lists a finding's statements for the sources it lists only.
    """

    source: str
    source_class: str
    nodes: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    conditions: int = 0
    kind: FindingKind = FindingKind.FINDING
    approximate: bool = False
    statements: tuple[Location, ...] = ()

    @property
    def hops(self) -> int:
        """The length of the shortest path (0 without one)."""
        return len(self.actions)


#: How many sources a finding's reports list, each with its path (the JSON, SARIF, CSV and HTML reports; the rest are
#: counted): a merged finding keeps these in full and the others as a :class:`SourceTail`.
MAX_LISTED_SOURCES = 25


class SourceSummary(NamedTuple):
    """A source past the first :data:`MAX_LISTED_SOURCES` of a merged finding kept without its path: what every
    reader of all sources reads (:attr:`Finding.exposure`, the summary's classes, suppressions, counts)."""

    source: str
    source_class: str
    kind: FindingKind
    hops: int
    conditions: int
    approximate: bool


#: hops, conditions, flags (the class's index in SOURCE_CLASSES, bit 3 unknown, bit 4 approximate) of one source
_ROW = struct.Struct("<HIB")
_UNKNOWN, _APPROXIMATE = 8, 16


@dataclass(frozen=True, slots=True)
class SourceTail:
    """The sources of a merged finding past the first :data:`MAX_LISTED_SOURCES` as two columns, not one object per
    source: their names, and per source its hops, conditions, class, kind and approximation packed in
    :data:`_ROW`'s 7 bytes. Their nodes, actions and statements are dropped: no report lists them.

    Why: random:1 at 20,000 roles merges ~972,000 sources into 19,230 findings, 872,000 of them past the listed ones,
    held until the report is written: ~338 MB as :class:`SourceReach` values with their tuples (~390 bytes each), a
    source here 15 bytes (its name is the graph's string, shared). Peak PSS of the scan, interleaved with the
    reference under load: random:1 885 -> 815 MB (the peak is now the parent's shared work and the worker phase);
    random:3 925 -> 924 MB (its peak lies elsewhere).

    ``enabled`` False (the reference, set on the class; :func:`~trustgraph.checks.grouping.every_source`): merged
    findings keep every source in full, as the diff needs (it compares and shows every source's path)."""

    names: tuple[str, ...]
    rows: bytes

    enabled: ClassVar[bool] = True

    @classmethod
    def of(cls, reaches: Sequence[SourceReach]) -> SourceTail | None:
        """The tail of ``reaches``; None when one does not fit a row (a class outside :data:`SOURCE_CLASSES`, more
        than 65,535 hops): the caller keeps them in full."""
        rows = bytearray()
        for s in reaches:
            if s.source_class not in _CLASS_INDEX or s.hops > 0xFFFF or not 0 <= s.conditions <= 0xFFFFFFFF:
                return None
            flags = (_CLASS_INDEX[s.source_class] | (_UNKNOWN if s.kind is FindingKind.UNKNOWN else 0)
                     | (_APPROXIMATE if s.approximate else 0))
            rows += _ROW.pack(s.hops, s.conditions, flags)
        return cls(tuple(s.source for s in reaches), bytes(rows))

    def __len__(self) -> int:
        return len(self.names)

    def __iter__(self) -> Iterator[SourceSummary]:
        for name, (hops, conditions, flags) in zip(self.names, _ROW.iter_unpack(self.rows), strict=True):
            yield SourceSummary(source=name, source_class=SOURCE_CLASSES[flags & 7],
                                kind=FindingKind.UNKNOWN if flags & _UNKNOWN else FindingKind.FINDING,
                                hops=hops, conditions=conditions, approximate=bool(flags & _APPROXIMATE))

    def ways(self) -> Iterator[tuple[int, int]]:
        """(hops, conditions) of each proven source with a path (:attr:`Finding.exposure`)."""
        return ((hops, conditions) for hops, conditions, flags in _ROW.iter_unpack(self.rows)
                if hops and not flags & _UNKNOWN)


_CLASS_INDEX = {c: i for i, c in enumerate(SOURCE_CLASSES)}


class ThroughAdmin(NamedTuple):
    """The first admin role on a finding's witness path before its role (``external-path-to-admin``): the prefix of the
    path up to it is a witness that the finding's source reaches that role too, which has its own finding; fixing that
    one cuts this path. Presentation only: the finding, its path and its verdict are those of the check.

    Attributes
    ----------
    role
        The admin role's ARN.
    hop
        How many hops of the path lead to it (1 ... len(path) - 1).
    check_id
        The check of the dominating finding the report holds on ``role`` that names this finding's source, set by the
        report (:class:`~trustgraph.report.scan_report.ScanReport`; empty until then); the report drops a
        ``through_admin`` whose dominating finding it does not hold."""

    role: str
    hop: int
    check_id: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckInfo:
    """What a report says about one check that ran (SARIF's "rule").

    Attributes
    ----------
    id
        Stable kebab-case id (``external-without-external-id``).
    title
        One line for headings and SARIF ``shortDescription``.
    severity
        The check's base severity (SARIF ``defaultConfiguration.level``); single findings may be raised above it.
    severity_rule
        The severity rule in words ("High; critical if the role is admin").
    rationale
        Why it matters.
    remediation
        What to change, pasteable into a ticket.
    """

    id: str
    title: str
    severity: Severity
    severity_rule: str = ""
    rationale: str = ""
    remediation: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    """One problem on one role, with the evidence a reviewer needs.

    Attributes
    ----------
    check_id
        Stable kebab-case id of the check (``external-without-external-id``).
    severity
        How bad.
    role
        ARN of the role concerned.
    source
        The most specific principal or class that gets in (``account:444455556666``, ``external``,
        ``federated:arn:...``, ``service:...``) or ``-`` for document-level findings: the first of ``sources``.
    message
        One sentence for the report.
    remediation
        What to change.
    path
        The hops from ``source`` to the role, each with its witness request context.
    statements
        Where the statements involved are: export file and JSON pointer.
    approximate
        True when the answer rests on an over-approximation (``approximations`` say which construct, where).
    kind
        ``finding`` or ``unknown`` (the solver could not decide; never read as safe).
    sources
        Every source that gets in (one finding per check and role), most specific first, each with its shortest
        path (:mod:`trustgraph.checks.grouping`); empty for a finding not grouped yet (then ``source`` alone). With
        a ``tail``, the first :data:`MAX_LISTED_SOURCES` only.
    tail
        The sources after ``sources`` without their paths (:class:`SourceTail`), or None: every source is in
        ``sources`` (at most :data:`MAX_LISTED_SOURCES` of them, or merged with ``SourceTail.enabled`` False).
    through_admin
        The first admin role on ``path`` before ``role`` (:class:`ThroughAdmin`), or None: the finding is reached
        through another admin role's finding, which reports group it under.
    """

    check_id: str
    severity: Severity
    role: str
    source: str
    message: str
    remediation: str
    title: str = ""
    path: tuple[HopWitness, ...] = ()
    statements: tuple[Location, ...] = ()
    approximate: bool = False
    approximations: tuple[str, ...] = ()
    kind: FindingKind = FindingKind.FINDING
    suppressed_by: str | None = None
    sources: tuple[SourceReach, ...] = ()
    tail: SourceTail | None = None
    through_admin: ThroughAdmin | None = None

    @property
    def all_sources(self) -> tuple[SourceReach | SourceSummary, ...]:
        """``sources`` then the ``tail``'s (without paths), or for a finding not grouped the one source it names,
        with its path. Every source with its path: a scan under :func:`~trustgraph.checks.grouping.every_source`."""
        if self.sources:
            return self.sources if self.tail is None else (*self.sources, *self.tail)
        return (self._alone(),)

    def _alone(self) -> SourceReach:
        """The source of a finding not grouped, with its path."""
        path = self.path
        return SourceReach(source=self.source, source_class=source_class(self.source),
                           nodes=(path[0].source, *(h.target for h in path)) if path else (),
                           actions=tuple(h.action for h in path), kind=self.kind, approximate=self.approximate,
                           statements=self.statements)

    @property
    def paths_of_all(self) -> tuple[SourceReach, ...]:
        """:attr:`all_sources`, each with its path.

        Raises
        ------
        ValueError
            When the finding has a ``tail`` (merged outside :func:`~trustgraph.checks.grouping.every_source`)."""
        if self.tail is not None:
            raise ValueError(f"{self.check_id} on {self.role}: the sources past the first {MAX_LISTED_SOURCES} were "
                             "kept without their paths (TrustGraph.scan(every_source=True) keeps them, as does a "
                             "scan inside trustgraph.checks.grouping.every_source())")
        return self.sources or (self._alone(),)

    @property
    def listed_sources(self) -> tuple[SourceReach, ...]:
        """The first :data:`MAX_LISTED_SOURCES` of :attr:`all_sources`, each with its path: those the reports list."""
        return self.sources[:MAX_LISTED_SOURCES] if self.sources else (self._alone(),)

    @property
    def sources_total(self) -> int:
        """``len(all_sources)``."""
        return len(self.sources) + len(self.tail or ()) if self.sources else 1

    @property
    def exposure(self) -> tuple[int, int]:
        """(hops, conditions) of the easiest proven way in: fewest hops, then fewest conditions; (99, 99) when no
        source has a path (document-level or undecided findings). Ranks findings within a severity."""
        sources = self.sources or self.all_sources
        ways = [(s.hops, s.conditions) for s in sources if s.kind is FindingKind.FINDING and s.hops]
        if self.tail is not None:
            ways += self.tail.ways()
        return min(ways, default=(99, 99))

    @property
    def account(self) -> str:
        """The role's account id."""
        parts = self.role.split(":")
        return parts[4] if len(parts) > 4 else ""

    def to_frame(self) -> Any:
        """This finding as a one-row pandas DataFrame (:func:`trustgraph.checks.frames.findings_frame`; the
        notebook's HTML display is :func:`trustgraph.render.notebook.finding_html`)."""
        from trustgraph.checks.frames import findings_frame

        return findings_frame((self,))
