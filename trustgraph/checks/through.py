"""A reach finding whose path passes through another admin role names it (:class:`~trustgraph.checks.finding.
ThroughAdmin`): the rule of ``external-without-external-id`` and ``external-without-mfa``.

Such a check reports every role a source reaches under its constraint (no sts:ExternalId, no MFA at any hop), one
hop included. The prefix of a witness path up to an admin role it enters before its last hop is a witness under the
same constraint (each hop's request is the same), so the source reaches that admin role the same way and the check has
a finding there that names it: the reviewer acts on that one first (it is the more severe or, for MFA, the one whose
fix cuts this path too). Unlike ``external-path-to-admin`` (which reports paths of two or more hops, so an admin role
entered at the first hop has no finding of its own there) the first hop counts. The report keeps the name only when
that finding of the same check is in it (:func:`~trustgraph.report.scan_report.resolve_through_admin`).

Presentation only: the finding, its path and verdict are the check's; its message names the admin role and folds a
path longer than :data:`~trustgraph.checks.external_path_to_admin.FOLD_HOPS` as ``external-path-to-admin``'s do. At
2,000 roles (proven findings, external-id / MFA): random:8 607 of 673 / 633 of 683 (paths of 3-92 hops, each through
an admin role at hop 2), vendor-heavy 57 of 372 / 200 of 1,147 (all at hop 1), random:5 41 of 617 / 23 of 679,
random:3 21 of 92 / 21 of 147 (5 / 9 at hop 1), the other six profiles none.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace

from trustgraph.checks.base import hops_text
from trustgraph.checks.finding import Finding, FindingKind, ThroughAdmin
from trustgraph.queries.results import HopWitness

#: The message of a merged finding's first source (its source and path given as the finding's).
PlainText = Callable[[Finding], str]
#: The same message for a path through ``through`` (:func:`through_path`).
ThroughText = Callable[[Finding, ThroughAdmin], str]


def admin_on_path(hops: tuple[HopWitness, ...], is_admin: Callable[[str], bool]) -> ThroughAdmin | None:
    """The first admin role (``is_admin``: :meth:`~trustgraph.checks.context.ScanContext.is_admin`) ``hops`` enter
    before their last hop's target, from the first hop on, or None."""
    for i in range(len(hops) - 1):
        if is_admin(hops[i].target):
            return ThroughAdmin(hops[i].target, i + 1)
    return None


def through_path(source: str, hops: tuple[HopWitness, ...], through: ThroughAdmin) -> str:
    """``hops`` from ``source`` as a message shows a path through ``through``: every node up to
    :data:`~trustgraph.checks.external_path_to_admin.FOLD_HOPS` hops, else the hops up to the admin role, how many it
    leaves out, and the last :data:`~trustgraph.checks.external_path_to_admin.TAIL_HOPS` (as
    ``external-path-to-admin``'s messages)."""
    from trustgraph.checks.external_path_to_admin import FOLD_HOPS, TAIL_HOPS
    from trustgraph.graph.nodes import short_label

    hidden = len(hops) - through.hop - TAIL_HOPS
    if len(hops) <= FOLD_HOPS or hidden < 2:
        return hops_text(source, hops)
    last = " -> ".join(short_label(h.target) for h in hops[len(hops) - TAIL_HOPS:])
    return f"{hops_text(source, hops[:through.hop])} -> ... {hidden} more hops ... -> {last}"


def through_clause(through: ThroughAdmin) -> str:
    """``through admin role `NAME` (its own finding, hop N)``: the words the report drops with a ``through_admin``
    whose finding it does not hold (:func:`~trustgraph.report.scan_report.resolve_through_admin`)."""
    from trustgraph.graph.nodes import short_label

    return f"through admin role `{short_label(through.role)}` (its own finding, hop {through.hop})"


def name_through(findings: Iterable[Finding], is_admin: Callable[[str], bool], plain: PlainText,
                 through_text: ThroughText) -> list[Finding]:
    """``findings`` (merged per role) with the proven ones whose path enters an admin role before their role
    (:func:`admin_on_path`) naming it: ``through_admin`` set and the first source's message (``plain`` of the
    finding, which the merged message starts with) replaced by ``through_text``; the sources it names after it
    (``Also: ...``) kept."""
    out: list[Finding] = []
    for f in findings:
        through = admin_on_path(f.path, is_admin) if f.kind is FindingKind.FINDING else None
        if through is None:
            out.append(f)
            continue
        old = plain(f)
        message = f.message
        if message.startswith(old):
            message = through_text(f, through) + message[len(old):]
        out.append(replace(f, through_admin=through, message=message))
    return out


__all__ = ["PlainText", "ThroughText", "admin_on_path", "name_through", "through_clause", "through_path"]
