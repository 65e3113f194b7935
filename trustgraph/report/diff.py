"""Comparing two estates under one zone: findings that are new, resolved or unchanged, and guards lost.

Findings are compared by a stable id, ``(check, role ARN, source)``, one per source a grouped finding lists (the
source is ``external``, ``account:ID``, ``federated:PROVIDER``, ``service:NAME``, a principal ARN, ``*``, or ``-`` for
a finding about a document), so a finding that gains an outside account is one new entry, not a changed finding.

Guards lost: for each role in both estates whose trust policy changed, and each guard key a statement of the OLD
trust policy names (``sts:ExternalId``, the MFA keys, ``aws:PrincipalOrgID``/``OrgPaths``, ``aws:SourceAccount``/
``SourceArn``/``SourceOrgID``, a token's ``sub``/``aud`` pin, ``SAML:aud``), the query engine is asked whether an
outsider reaches the role *without that key* in NEW and not in OLD. A yes is proven by NEW's witness path (replayed
through the reference evaluator); this is the per-key form of "NEW allows a request OLD denies", not the general
NEW ∧ ¬OLD question: a guard weakened but still required (a ``sub`` pattern widened) is not detected here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from trustgraph.checks.finding import Finding, FindingKind, Severity
from trustgraph.model.estate import Estate
from trustgraph.model.policy import Effect, Policy
from trustgraph.queries.graph_queries import GraphQueries
from trustgraph.queries.results import HopWitness, Reach

#: Guard keys (lower case, as the model keeps them) and the name of the guard they make up.
GUARD_KEYS: Mapping[str, str] = {
    "sts:externalid": "external id",
    "aws:multifactorauthpresent": "MFA",
    "aws:multifactorauthage": "MFA",
    "aws:principalorgid": "organization",
    "aws:principalorgpaths": "organization",
    "aws:sourceaccount": "source account or ARN",
    "aws:sourcearn": "source account or ARN",
    "aws:sourceorgid": "source account or ARN",
    "aws:sourceorgpaths": "source account or ARN",
    "saml:aud": "audience pin",
}


def guard_of(key: str) -> str | None:
    """The guard a condition key is part of, or None (``:sub`` and ``:aud`` of a token issuer are pins).

    >>> [guard_of(k) for k in ("sts:externalid", "token.actions.githubusercontent.com:sub", "aws:username")]
    ['external id', 'subject pin', None]
    """
    key = key.lower()
    if key in GUARD_KEYS:
        return GUARD_KEYS[key]
    if not key.startswith(("aws:", "sts:", "saml:")) and ":" in key:
        claim = key.rsplit(":", 1)[1]
        if claim == "sub":
            return "subject pin"
        if claim == "aud":
            return "audience pin"
    return None


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

    @property
    def id(self) -> str:
        """The stable finding id: ``check|role|source``."""
        return f"{self.check_id}|{self.role}|{self.source}"


@dataclass(frozen=True, slots=True, kw_only=True)
class GuardLost:
    """A guard OLD's trust policy of ``role`` enforced that NEW's does not: an outsider gets in without ``key``.

    ``verdict`` is ``proven`` (NEW reaches without the key, OLD does not), or ``unknown`` when one of the two
    answers is unknown (never read as safe). ``witness`` is NEW's path; ``replayed`` says the reference evaluator
    allowed every hop of it again."""

    role: str
    guard: str
    key: str
    verdict: str
    source: str
    witness: tuple[HopWitness, ...] = ()
    replayed: bool = False
    old_statements: tuple[str, ...] = ()
    new_statements: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class DiffReport:
    """The comparison of two estates (see the module docstring)."""

    zone: Mapping[str, Any]
    zone_from: str
    old_inputs: tuple[str, ...]
    new_inputs: tuple[str, ...]
    new: tuple[DiffEntry, ...]
    resolved: tuple[DiffEntry, ...]
    unchanged: int
    guards_lost: tuple[GuardLost, ...]


def expand(findings: Iterable[Finding]) -> dict[str, DiffEntry]:
    """Every (check, role, source) of grouped findings, by id; the finding's first source keeps its full witness."""
    out: dict[str, DiffEntry] = {}
    for f in findings:
        for i, s in enumerate(f.all_sources):
            entry = DiffEntry(check_id=f.check_id, title=f.title, severity=f.severity, kind=s.kind, role=f.role,
                              source=s.source, source_class=s.source_class, message=f.message, nodes=s.nodes,
                              actions=s.actions, witness=f.path if i == 0 else ())
            out.setdefault(entry.id, entry)
    return out


def _order(e: DiffEntry) -> tuple[object, ...]:
    return (-e.severity.rank, e.check_id, e.role, e.source)


def compare_findings(
    old: Iterable[Finding], new: Iterable[Finding],
) -> tuple[tuple[DiffEntry, ...], tuple[DiffEntry, ...], int]:
    """(new entries, resolved entries, number unchanged), entries ordered by severity, check, role, source."""
    before, after = expand(old), expand(new)
    added = sorted((e for k, e in after.items() if k not in before), key=_order)
    gone = sorted((e for k, e in before.items() if k not in after), key=_order)
    return tuple(added), tuple(gone), sum(1 for k in after if k in before)


def _guard_keys(policy: Policy) -> dict[str, str]:
    """Guard keys (lower case -> spelling) named by the Allow statements of a trust policy."""
    keys: dict[str, str] = {}
    for st in policy.statements:
        if st.effect is Effect.ALLOW:
            for c in st.conditions:
                if guard_of(c.key) is not None:
                    keys.setdefault(c.key, c.key_text)
    return keys


def _statements_with(policy: Policy, key: str) -> tuple[str, ...]:
    return tuple(f"{st.location.file}#{st.location.pointer}" for st in policy.statements
                 if any(c.key == key for c in st.conditions))


def _replays(hops: Sequence[HopWitness]) -> bool:
    try:
        return bool(hops) and all(h.evidence is not None and h.replay().allowed for h in hops)
    except Exception:  # a witness that cannot be replayed is reported as not replayed, never as proven safe
        return False


def find_guards_lost(old: GraphQueries, new: GraphQueries) -> tuple[GuardLost, ...]:
    """Guards lost on roles present in both estates whose trust policy changed (see the module docstring)."""
    old_roles = old.estate.role_by_arn
    out: list[GuardLost] = []
    for arn, role in sorted(new.estate.role_by_arn.items()):
        before = old_roles.get(arn)
        if before is None or before.trust_policy == role.trust_policy:
            continue
        for key, spelling in sorted(_guard_keys(before.trust_policy).items()):
            now = new.can_reach("external", arn, without=[spelling])
            if now.verdict is Reach.UNREACHABLE:
                continue
            then = old.can_reach("external", arn, without=[spelling])
            if then.verdict is Reach.REACHABLE:
                continue  # OLD was already reachable without the key: nothing lost
            proven = now.verdict is Reach.REACHABLE and then.verdict is Reach.UNREACHABLE
            out.append(GuardLost(
                role=arn, guard=guard_of(key) or key, key=spelling, verdict="proven" if proven else "unknown",
                source=now.hops[0].source if now.hops else now.source, witness=now.hops,
                replayed=_replays(now.hops), old_statements=_statements_with(before.trust_policy, key),
                new_statements=_statements_with(role.trust_policy, key)))
    return tuple(out)


def diff_estates(
    old: Estate, new: Estate, zone: Any, checks: Sequence[Any], *, zone_from: str,
    old_inputs: tuple[str, ...], new_inputs: tuple[str, ...], timeout_ms: int | None = None,
) -> DiffReport:
    """Scan both estates under ``zone`` with ``checks`` and compare them (:class:`DiffReport`)."""
    from trustgraph.checks.context import ScanContext
    from trustgraph.checks.runner import scan

    old_tg, new_tg = GraphQueries(old, zone), GraphQueries(new, zone)
    old_findings = scan(ScanContext(GraphQueries(old, zone, old_tg.graph.copy()), timeout_ms=timeout_ms), checks)
    new_findings = scan(ScanContext(GraphQueries(new, zone, new_tg.graph.copy()), timeout_ms=timeout_ms), checks)
    added, gone, same = compare_findings(old_findings, new_findings)
    return DiffReport(zone=zone.describe(), zone_from=zone_from, old_inputs=old_inputs, new_inputs=new_inputs,
                      new=added, resolved=gone, unchanged=same, guards_lost=find_guards_lost(old_tg, new_tg))


def fails(report: DiffReport, fail_on: str) -> bool:
    """True when a new entry (proven or unknown) or a lost guard reaches ``fail_on``; a lost guard counts as high."""
    threshold = Severity(fail_on).rank
    return (any(e.severity.rank >= threshold for e in report.new)
            or (bool(report.guards_lost) and Severity.HIGH.rank >= threshold))


__all__ = ["GUARD_KEYS", "DiffEntry", "DiffReport", "GuardLost", "compare_findings", "diff_estates", "expand",
           "fails", "find_guards_lost", "guard_of"]
