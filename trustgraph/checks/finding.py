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
        ``federated:arn:...``, ``service:...``) or ``-`` for document-level findings.
    message
        One sentence for the report.
    remediation
        What to change.
    path
        The hops from the source to the role, each with its witness request context.
    statements
        Where the statements involved are: export file and JSON pointer.
    approximate
        True when the answer rests on an over-approximation (``approximations`` say which construct, where).
    kind
        ``finding`` or ``unknown`` (the solver could not decide; never read as safe).
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

    @property
    def account(self) -> str:
        """The role's account id."""
        parts = self.role.split(":")
        return parts[4] if len(parts) > 4 else ""

    def to_frame(self) -> Any:
        """This finding as a one-row pandas DataFrame (:func:`trustgraph.render.frames.findings_frame`)."""
        from trustgraph.render.frames import findings_frame

        return findings_frame((self,))

    def _repr_html_(self) -> str:
        from trustgraph.render.notebook import finding_html

        return finding_html(self)
