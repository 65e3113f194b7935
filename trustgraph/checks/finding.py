"""Findings: what a check reports, ready for every output format."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

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
_SPECIFICITY = {"principal": 0, "account": 1, "federated": 2, "service": 2, "external": 3, "public": 4, "none": 5}


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
    return _SPECIFICITY[source_class(source)]


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
        path (:mod:`trustgraph.checks.grouping`); empty for a finding not grouped yet (then ``source`` alone).
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

    @property
    def all_sources(self) -> tuple[SourceReach, ...]:
        """``sources``, or for a finding not grouped the one source it names, with its path."""
        if self.sources:
            return self.sources
        path = self.path
        return (SourceReach(source=self.source, source_class=source_class(self.source),
                            nodes=(path[0].source, *(h.target for h in path)) if path else (),
                            actions=tuple(h.action for h in path), kind=self.kind, approximate=self.approximate,
                            statements=self.statements),)

    @property
    def exposure(self) -> tuple[int, int]:
        """(hops, conditions) of the easiest proven way in: fewest hops, then fewest conditions; (99, 99) when no
        source has a path (document-level or undecided findings). Ranks findings within a severity."""
        ways = [(s.hops, s.conditions) for s in self.all_sources if s.kind is FindingKind.FINDING and s.hops]
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
