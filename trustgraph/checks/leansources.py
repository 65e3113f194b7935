"""The merged findings of the reach checks whose roles have many outside sources, without a finding per source.

external-without-mfa and external-without-external-id answer per (outside account, role) and the runner merges a
role's answers into one finding (:func:`~trustgraph.checks.grouping.merge`) that shows its first source's path and
message in full and lists every other source by its :class:`~trustgraph.checks.finding.SourceReach` (nodes, actions,
condition count, statements). At 20,000 roles of the vendor-heavy profile that is ~250,000 answers for ~15,000 merged
findings: for each, the reference builds a light witness per hop, an answer, a finding and its message, then its
source reach, to keep the source reach alone. Here an outside account's kept answer (:data:`~trustgraph.checks.
ondemand.Flat`) is read as a :class:`~trustgraph.checks.ondemand.FlatAnswer` (its source reach and the statements and
approximations its finding would hold, read off its hops) and a :class:`~trustgraph.checks.grouping.Pending` finding,
made only if it comes first; a reachable answer's message is written only where the merged finding reads it
(``message_of``). The other answers (the ``external`` class, an undecided hop, a search that did not replay) are
made into findings as before.

The reference is the check's ``run`` merged by :func:`~trustgraph.checks.grouping.group_findings` (each check's
``lean_sources`` switch, set on the class); ``tests/checks/test_lean_sources.py`` compares both field by field.

Cost: per role, O(its sources x their hops) reads of the kept hops (the hops before a last one's light witnesses made
once, :class:`~trustgraph.checks.ondemand.LightMemo`), one source reach per source, and the first source's finding,
made with its full witnesses at once (:func:`first_finding`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from trustgraph.checks.finding import Finding, Severity
from trustgraph.checks.grouping import MessageOf, Pending, Reached, merge_reaches, source_reach
from trustgraph.checks.ondemand import FlatAnswer
from trustgraph.model.location import Location
from trustgraph.queries.results import ReachResult

if TYPE_CHECKING:
    from trustgraph.checks.base import BaseCheck
    from trustgraph.checks.context import ScanContext


def lean_grouped(check: BaseCheck, ctx: ScanContext, conditions: Callable[[Location], int], options: Any,
                 severity_of: Callable[[str], Severity], message_of: MessageOf) -> list[Finding]:
    """The merged findings on ``ctx.roles`` of a check whose ``run`` yields, per role, for each of
    :func:`~trustgraph.checks.base.outside_sources` under ``options``, ``check.reach_finding(result, role=role,
    message=..., severity=severity_of(role))``, the message of a reachable one written by ``message_of`` (of its
    finding made without one) and an unknown one's empty: what :func:`~trustgraph.checks.grouping.group_findings`
    makes of them, in role order."""
    from trustgraph.checks.base import outside_answers

    deferred = FlatAnswer.lean_reads and FlatAnswer.deferred  # flat_answers made them with made_later
    out: list[Finding] = []
    for role in ctx.roles:
        answers = outside_answers(ctx, role, options, conditions=conditions)
        if not answers:
            continue
        severity = severity_of(role)

        def build(answer: FlatAnswer, role: str = role, severity: Severity = severity) -> Finding:
            return first_finding(check, answer, role, severity)

        per_hop: dict[int, int] = {}  # as merge() counts them: the findings live until the merge is over
        reaches: list[tuple[Reached, Finding | Pending]] = []
        for answer in answers:
            if isinstance(answer, ReachResult):
                found = check.reach_finding(answer, role=role, message="", severity=severity)
                reaches.append((source_reach(found, conditions, per_hop), found))
            else:  # a deferred answer stands for its source reach (made if listed: merge_reaches)
                reaches.append((answer if deferred else answer.reach, Pending(
                    answer.source, severity, answer.statements, answer.approximations, answer, build)))
        out.append(merge_reaches(reaches, message_of))
    return out


def first_finding(check: BaseCheck, answer: FlatAnswer, role: str, severity: Severity | None = None) -> Finding:
    """The finding of a merged finding's first source given as a :class:`~trustgraph.checks.ondemand.FlatAnswer`:
    ``check.reach_finding(answer.result(), role=role, message="", severity=severity)`` with the full witnesses
    :func:`~trustgraph.checks.grouping.merge_reaches` would put in place of its light ones
    (:func:`~trustgraph.checks.ondemand.with_full_path`), made at once, and the statements and approximations of
    the light answer's finding read off ``answer``. The light witnesses, that finding and its copy with the full
    path are not made: at 2,000 roles of the vendor-heavy profile they were ~40 ms of the ~270 ms the two
    outside-account checks spend per role (1,650 merged findings)."""
    return check.finding(role=role, source=answer.source, message="", severity=severity, path=answer.full_hops(),
                         statements=answer.statements, approximations=answer.approximations)


__all__ = ["first_finding", "lean_grouped"]
