"""One finding per (check, role): the sources that get in, most specific first, each with its shortest path.

A check answers per source (an outside account, a federated provider, the class of every outsider...); a reviewer
reads per role. :func:`group_findings` merges the findings a check made on one role into one finding that lists every
source (:class:`~trustgraph.checks.finding.SourceReach`), most specific first, and keeps the full witness of the first
source only (the others carry their shortest path as node ids, so a report grows with its findings, not with the
number of sources times the length of their witnesses). Each source keeps the statements its answers cite, so that
the JSON report can cite the statements of the sources it lists only. The sources past the first
:data:`~trustgraph.checks.finding.MAX_LISTED_SOURCES` (which no report lists) keep only what the readers of every
source read: name, class, kind, hops, conditions, approximation, in a :class:`~trustgraph.checks.finding.SourceTail`
(random:1 at 20,000 roles: ~880,000 sources; the reference, every source in full: :func:`every_source`).

Order of sources (most specific first): a named principal, an outside account, a federated provider or a service,
any AWS principal outside the zone (``external``), anyone (``*``), then document-level findings (``-``); within a
class, fewer hops, then fewer conditions, then the name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from itertools import chain
from operator import attrgetter
from typing import Any

from trustgraph.checks.base import BaseCheck
from trustgraph.checks.finding import (
    CLASS_SPECIFICITY,
    MAX_LISTED_SOURCES,
    Finding,
    FindingKind,
    Severity,
    SourceReach,
    SourceTail,
    source_class,
)
from trustgraph.checks.ondemand import with_full_path
from trustgraph.model.location import Location

#: How many sources a message names before it says "and N more".
MESSAGE_SOURCES = 3

ConditionCount = Callable[[Location], int]
#: the message of a finding made without one (:func:`merge`)
MessageOf = Callable[[Finding], str]


def _no_conditions(_: Location) -> int:
    return 0


def source_reach(finding: Finding, conditions: ConditionCount = _no_conditions,
                 per_hop: dict[int, int] | None = None) -> SourceReach:
    """The :class:`SourceReach` of a single-source finding: its source, shortest path and condition count.

    ``per_hop`` (id of a hop's statements -> their count): the counts of the hops met before, for a caller that
    keeps those statements alive meanwhile (:func:`merge`: the paths of one role's findings share their hops; the
    sources of a federated provider's paths into an admin role, ~47 per role on random:2 at 2,000 roles, count the
    same hops again and again)."""
    path = finding.path
    nodes = (path[0].source, *(h.target for h in path)) if path else ()
    return SourceReach(source=finding.source, source_class=source_class(finding.source), nodes=nodes,
                       actions=tuple(h.action for h in path), conditions=path_conditions(path, conditions, per_hop),
                       kind=finding.kind,
                       approximate=finding.approximate, statements=finding.statements)


def path_conditions(hops: Iterable[Any], conditions: ConditionCount, per_hop: dict[int, int] | None = None) -> int:
    """The conditions of a path's hops (each hop's statements counted once), through ``per_hop`` (id of a hop's
    statements -> their count) when given (see :func:`source_reach`)."""
    if per_hop is None:
        return sum(conditions(loc) for h in hops for loc in dict.fromkeys(h.statements))
    count = 0
    known_of = per_hop.get
    for held in map(_STATEMENTS, hops):
        known = known_of(id(held))
        if known is None:
            known = per_hop[id(held)] = sum(conditions(loc) for loc in dict.fromkeys(held))
        count += known
    return count


_STATEMENTS = attrgetter("statements")


def _order(item: tuple[Reached, Finding | Pending]) -> tuple[object, ...]:
    s = item[0]  # its class is source_class(s.source), as every SourceReach is made: source_specificity, read off it
    return (s.kind is not _FINDING, CLASS_SPECIFICITY[s.source_class], s.hops or 99, s.conditions, s.source)


_FINDING = FindingKind.FINDING

#: a source's answer as :func:`merge_reaches` reads it: its :class:`SourceReach`, or a value that reads as one
#: (``source``, ``source_class``, ``kind``, ``hops``, ``conditions``, ``approximate``, ``statements``) and makes it
#: when its ``reach`` is read (:meth:`trustgraph.checks.ondemand.FlatAnswer.made_later`)
Reached = Any


class Pending:
    """A reachable answer's finding not made yet, with what :func:`merge_reaches` reads of it (its source, severity,
    statements and approximations, as the finding would hold them): made (``build(answer)``) only when it is the
    merged finding's first (:mod:`trustgraph.checks.leansources`: most of a role's ~17 outside accounts at 20,000
    roles of the vendor-heavy profile are named by the merged finding, never shown)."""

    __slots__ = ("source", "severity", "statements", "approximations", "answer", "build")

    kind = FindingKind.FINDING
    message = ""

    def __init__(self, source: str, severity: Severity, statements: tuple[Location, ...],
                 approximations: tuple[str, ...], answer: Any, build: Callable[[Any], Finding]) -> None:
        self.source, self.severity, self.statements = source, severity, statements
        self.approximations, self.answer, self.build = approximations, answer, build

    @property
    def approximate(self) -> bool:
        """As the finding's (:meth:`~trustgraph.checks.base.BaseCheck.finding`): whether it has approximations."""
        return bool(self.approximations)

    def finding(self) -> Finding:
        """The finding."""
        return self.build(self.answer)


def _rank(severity: Severity) -> int:
    return severity.rank


def made(f: Finding | Pending) -> Finding:
    """The finding of ``f`` (a :class:`Pending` made)."""
    return f.finding() if isinstance(f, Pending) else f


def merge(findings: Iterable[Finding], conditions: ConditionCount = _no_conditions,
          message_of: MessageOf | None = None) -> Finding:
    """One finding from the findings of one check on one role (see the module docstring). ``message_of``: the message
    of a finding made with an empty one (:func:`grouped_findings`), asked only where the merged finding reads it."""
    per_hop: dict[int, int] = {}  # the findings (and so their hops' statements) live until the end of the call
    return merge_reaches([(source_reach(f, conditions, per_hop), f) for f in findings], message_of)


def merge_reaches(reaches: list[tuple[Reached, Finding | Pending]], message_of: MessageOf | None = None
                  ) -> Finding:
    """:func:`merge` of findings given with their :func:`source_reach` (a finding not made yet as a
    :class:`Pending`: made only if it comes first), or with what stands for it until read (:data:`Reached`: its
    source reach made for the sources the merged finding lists only)."""
    items = sorted(reaches, key=_order)
    if not items:
        raise ValueError("merge() needs at least one finding")
    sources: dict[str, Reached] = {}
    for s, _ in items:
        sources.setdefault(s.source, s)  # one entry per source: its best (proven, shortest) answer

    def text(f: Finding | Pending) -> str:
        return f.message if f.message or message_of is None else message_of(made(f))

    head = made(items[0][1])
    first = with_full_path(head)  # the answers of outside accounts have light witnesses (checks.ondemand)
    severity = max({f.severity for _, f in items}, key=_rank)
    proven = any(f.kind is _FINDING for _, f in items)
    best = list(sources.values())
    tail = SourceTail.of(best[MAX_LISTED_SOURCES:]) if SourceTail.enabled and len(best) > MAX_LISTED_SOURCES else None
    shown: list[SourceReach] = [s if s.__class__ is SourceReach else s.reach  # a stand-in's made here
                                for s in (best if tail is None else best[:MAX_LISTED_SOURCES])]
    # a listed source cites the statements of all its answers (those of the tail are never read)
    cited: dict[str, dict[Location, None]] = {}
    if len(best) == len(items):  # one answer per source: the listed ones are the first items
        for s, f in items[:len(shown)]:
            cited[s.source] = dict.fromkeys(f.statements)
    else:
        wanted = {s.source for s in shown}
        for s, f in items:
            if s.source in wanted:
                cited.setdefault(s.source, {}).update(dict.fromkeys(f.statements))
    listed = tuple(s if s.statements == (held := tuple(cited[s.source])) else replace(s, statements=held)
                   for s in shown)  # most: their statements as they are
    message = text(head)
    others = list(sources)[1:]
    # document-level findings: each statement's own sentence (the other findings' messages are read only here)
    messages = (list(dict.fromkeys(m for _, f in items if (m := text(f))))
                if all(f.source == "-" for _, f in items) else [])
    if len(messages) > 1:
        message = " ".join(messages)
    elif others:
        named = ", ".join(f"`{o}`" for o in others[:MESSAGE_SOURCES])
        more = f" and {len(others) - MESSAGE_SOURCES} more" if len(others) > MESSAGE_SOURCES else ""
        message = f"{message} Also: {named}{more}." if message else f"Also: {named}{more}."
    # each location object once (a role's sources cite the same statements: vendor-heavy at 20,000 roles, ~1,100
    # merged findings of ~200 sources), then by value: the same first-seen order as dict.fromkeys over them all,
    # with a hash of a Location (a Python call) per distinct object only
    # (read in C: random:8 at 4,000 roles, ~1M locations over 694 merged findings)
    located = list(chain.from_iterable([f.statements for _, f in items]))
    statements = tuple(dict.fromkeys(dict(zip(map(id, located), located, strict=True)).values()))
    approximations = tuple(dict.fromkeys(chain.from_iterable(f.approximations for _, f in items)))
    return replace(first, severity=severity, kind=FindingKind.FINDING if proven else FindingKind.UNKNOWN,
                   message=message, statements=statements, approximations=approximations,
                   approximate=bool(approximations) or any(f.approximate for _, f in items), sources=listed,
                   tail=tail)


@contextmanager
def every_source() -> Iterator[None]:
    """Inside the block, merged findings keep every source with its path (``SourceTail.enabled`` False, restored
    after it): what the diff compares and what an analyst asks for every source's path
    (:meth:`trustgraph.api.TrustGraph.scan` ``every_source=True``). Workers forked inside the block inherit it."""
    saved = SourceTail.enabled
    SourceTail.enabled = False
    try:
        yield
    finally:
        SourceTail.enabled = saved


def group_findings(findings: Iterable[Finding], conditions: ConditionCount = _no_conditions,
                   message_of: MessageOf | None = None) -> list[Finding]:
    """The findings merged per (check, role), in the order each pair first appears (``message_of`` as
    :func:`merge`)."""
    groups: dict[tuple[str, str], list[Finding]] = {}
    for f in findings:
        key = (f.check_id, f.role)
        group = groups.get(key)
        if group is None:
            groups[key] = [f]
        else:
            group.append(f)
    return [merge(group, conditions, message_of) for group in groups.values()]


def grouped_findings(check: Any, ctx: Any, conditions: ConditionCount = _no_conditions) -> list[Finding]:
    """A check's findings on the roles of ``ctx``, merged per role (:func:`group_findings`): what the runner keeps.

    A check with a ``grouped(ctx, conditions)`` method makes them itself (:meth:`~trustgraph.checks.base.BaseCheck.
    grouped`): the reach checks with many sources per role write the message of a reachable answer only for the
    source the merged finding shows first (a merged finding's message is its first source's, then the others' names;
    vendor-heavy at 20,000 roles: ~250,000 answers for ~15,000 merged findings), the others made with an empty one
    and ``message_of`` passed to :func:`merge`."""
    grouped = getattr(type(check), "grouped", None)
    if grouped is None or grouped is BaseCheck.grouped:  # BaseCheck.grouped's own work without its call (8 of 11)
        return group_findings(check.run(ctx), conditions)
    found: list[Finding] = grouped(check, ctx, conditions)
    return found


__all__ = ["MESSAGE_SOURCES", "ConditionCount", "MessageOf", "Pending", "Reached", "every_source", "group_findings",
           "grouped_findings", "made", "merge", "merge_reaches", "path_conditions", "source_reach"]
