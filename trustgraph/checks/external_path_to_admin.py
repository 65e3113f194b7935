"""``external-path-to-admin``: an outsider reaches an admin role through a chain of two or more hops.

With ``scan --via all`` it also reports outsiders that enter the zone by assuming a role and then become an
administrator of an account by privilege-escalation methods (``GraphQueries.query("external", "admin",
via="all")``): one finding per administered account, on the role where the path enters the zone. Without it the
findings are those of assume-role chains only, as before.

Cost: the searches of external-without-external-id's shape without constraints (one from ``external``, one per outside
account node) and one forward search per federated provider outside the zone, shared by every admin role, and sharing
each state's hop work (:mod:`trustgraph.queries.shared`): O(V + E') hop questions for all of them together, plus
O(its answers x their Sat hops) to replay each source's search for A outside account nodes and F providers. A
source's answers (a path rebuilt, its session names agreed) are built for the admin roles it reaches only
(:meth:`ScanContext.admin_roles`), not for every role its search reaches: O(admin roles reached x path length) per
source. A role then costs O(1 + its sources). Only a provider whose search met an undecided hop that may lead to the
role is asked again by a backward closure from the role (O(closure)). The per-pair reference
(``ScanContext(per_pair=True)``) walked a backward closure per admin role: O(admins * closure). Merging a role's
answers (:meth:`ExternalPathToAdmin.grouped`) reads each source's path once (its source reach) and makes a finding and
message for the first source only: O(its sources x their path length). In one process the federated providers'
answers are kept as their searches left them (:mod:`trustgraph.checks.leanfederated`, :attr:`ExternalPathToAdmin.
lean_federated`): five references per (provider, admin role) pair instead of an answer and a witness per hop, the
answer built for a merged finding's first source only.

The number of (source, admin role) pairs is the shape's, not the algorithm's: on the random profile the sources and
the roles each source reaches both grow with the estate (random:1, (source, admin role) pairs: 8,421 at 2,000 roles /
20 accounts, 53,659 at 5,000 / 50: 6.4x for 2.5x the roles; states its searches expand 2,200 -> 8,398), so this
check's cost grows faster than the roles there.

A finding whose path enters another admin role (from its second hop on) before its own names it
(:attr:`Finding.through_admin`, :func:`first_admin`): the path's prefix is a witness that the same source reaches that
role, which has its own finding, and fixing that one cuts this path. The message says so and folds a path longer than
:data:`FOLD_HOPS` (the hops up to that role, a count, the last :data:`TAIL_HOPS`); ``path`` keeps every hop and the
reports group such findings under the one they go through. Presentation only: the findings, their paths and
verdicts are unchanged. At 2,000 roles, of the proven findings of this check: random:8 290 of 315 (paths of 18-210
hops, each through an admin role at hop 2), chain-heavy 165 of 168, random:5 18 of 163, random:1 15 of 244, random:2
9 of 139, random:3 9 of 93, mix 5 of 12, vendor-heavy 4 of 40, condition-heavy 1 of 31, federation-heavy 0 of 132.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from itertools import chain
from operator import attrgetter
from typing import TYPE_CHECKING, Any, ClassVar

from trustgraph.checks.base import (
    BaseCheck,
    hops_text,
    outside_answers,
    outside_sources,
    path_text,
    prepare_most_specific,
)
from trustgraph.checks.context import ScanContext
from trustgraph.checks.finding import Finding, Severity, SourceReach, ThroughAdmin
from trustgraph.checks.plain import results_from_plain, results_to_plain
from trustgraph.errors import ReplayMismatch
from trustgraph.graph.nodes import EXTERNAL
from trustgraph.model.location import Location
from trustgraph.queries.options import QueryOptions
from trustgraph.queries.results import HopWitness, Reach, ReachResult

if TYPE_CHECKING:
    from trustgraph.checks.ondemand import FlatAnswer


class ExternalPathToAdmin(BaseCheck):
    """Asks ``GraphQueries.query("external", role)`` for every admin role; reports shortest paths of 2+ hops."""

    id = "external-path-to-admin"
    title = "An outsider reaches an admin role through a chain"
    severity = Severity.CRITICAL
    severity_rule = "Critical."
    rationale = (
        "A principal outside the zone of trust (an AWS principal of an outside account, or a federated identity "
        "whose provider the zone does not name) can obtain an administrator role's credentials through a chain of "
        "role assumptions. Each hop may look harmless on its own (a vendor role, a deploy role that may assume a "
        "break-glass role); together they hand the outsider full control of the account. Reviews that read one "
        "trust policy at a time miss these chains."
    )
    remediation = (
        "Cut the chain at the hop that crosses the zone boundary or at the hop into the admin role: remove the "
        "intermediate role from the admin role's trust policy (or require MFA / a specific source identity on it), "
        "and remove sts:AssumeRole on the admin role from the intermediate role's identity policies. Admin roles "
        "should be assumable only by named break-glass principals of the zone."
    )

    #: True: the federated providers' searches are the parts of the shared work (:meth:`parts`, one per provider,
    #: read by :func:`federated_sources` off what :meth:`join_parts` kept), which a worker process that has run out
    #: of local tasks shares with the scan process (:mod:`trustgraph.checks.parallel`; random:2 at 2,000 roles: 1.0-1.3
    #: s CPU of its ~1.4 s of shared work, in 86 searches); False: one :meth:`ScanContext.reach_known` call for all
    #: of them, in the scan process (the reference; set on the class)
    federated_parts: ClassVar[bool] = True

    def prepare(self, ctx: ScanContext) -> None:
        """The searches every role's answer reads in one process (:func:`prepare_most_specific`, and one for every
        federated provider outside the zone: part by part, vendor-heavy's 199 providers at 20,000 roles cost the
        scan process ~2.8 s more CPU); with worker processes, :mod:`trustgraph.checks.parallel` runs
        :meth:`prepare_head` and the parts instead."""
        self.prepare_head(ctx)
        if not _searches_federated(ctx):
            return
        if self._lean_federated(ctx):  # the providers' answers kept as their searches left them
            _lean_index(ctx)
        else:  # in one process: one search for every provider, not one per part
            ctx.reach_known(EXTERNAL, "", ctx.options(), members=_federated(ctx), targets=ctx.admin_roles())
        self._forget_witnesses(ctx)

    def prepare_head(self, ctx: ScanContext) -> None:
        """The searches from ``external`` and the outside accounts (:func:`prepare_most_specific`).

        The outside accounts' searches stay here, in the scan process, rather than being parts a worker shares
        (:meth:`parts`): each reads the hops the search from ``external`` decided just before, and the
        searches of external-without-mfa and external-without-external-id read theirs in turn. At 2,000 roles of
        vendor-heavy (400 accounts) they cost the scan process ~0.27 s CPU after ~0.5 s for the one from
        ``external``; made parts (one per account, each answer built in full for the join), a worker paid 2-4x as
        much per account without that search's hops, external-without-mfa's shared work in the scan process went
        from 0.13-0.15 to 0.29-0.34 s CPU, and the scans, byte-identical, were slower: 2.4-3.4 -> 2.7-4.8 s wall,
        2.2-2.4 -> 2.6-3.0 s CPU (three interleaved pairs, loaded machine; federation-heavy, random:2 and mix within
        noise). Forking the worker after the search from ``external`` (so it inherits those hops) left the scan
        process's CPU where it was (1.86-2.02 -> 1.79-2.05 s)."""
        admins = [role for role in ctx.roles if ctx.is_admin(role)]
        prepare_most_specific(ctx, ctx.options(), admins, targets=ctx.admin_roles())
        self._forget_witnesses(ctx)

    #: True: the engine's kept witnesses are dropped after the shared searches (:meth:`ReachabilityEngine.
    #: forget_witnesses`: the roles checked after them take almost none of their hops again; condition-heavy at
    #: 20,000 roles ~80 MB); False: kept (the reference; set on the class)
    forget_witnesses: ClassVar[bool] = True

    def _forget_witnesses(self, ctx: ScanContext) -> None:
        if self.forget_witnesses:
            ctx.engine.forget_witnesses()

    def parts(self, ctx: ScanContext) -> tuple[str, ...]:
        """The federated providers outside the zone, one search each (none with :attr:`federated_parts` off, or
        when no admin role is checked)."""
        return _federated(ctx) if self.federated_parts and _searches_federated(ctx) else ()

    def part(self, ctx: ScanContext, name: str) -> tuple[ReachResult, ...] | None:
        """The reachable and unknown answers of provider ``name`` for the admin roles: those of
        :meth:`ScanContext.reach_known` for it (one search over the whole graph, its hop work shared with the
        searches this process made before, :meth:`GraphQueries.reach_each`); None when a witness did not replay."""
        try:
            return ctx.tg.reach_each([name], ctx.options(), outside_only=True, targets=ctx.admin_roles())[name]
        except ReplayMismatch:
            return None

    def part_to_plain(self, value: tuple[ReachResult, ...] | None, memo: dict[int, Any]) -> tuple[Any, ...] | None:
        return None if value is None else results_to_plain(value, memo)

    def part_from_plain(self, plain: tuple[Any, ...] | None, memo: dict[int, Any]) -> tuple[ReachResult, ...] | None:
        return None if plain is None else results_from_plain(plain, memo)

    def join_parts(self, ctx: ScanContext, values: list[Any]) -> None:
        """Role -> the providers' answers for it, in provider order (as :meth:`ScanContext.reach_known` groups
        them); None when a search did not replay (:func:`federated_sources` then asks :meth:`ScanContext.reach_known`,
        which answers per role as it does for such a search)."""
        by_target: dict[str, tuple[ReachResult, ...]] | None = None
        if all(v is not None for v in values):
            grouped: dict[str, list[ReachResult]] = {}
            for answers in values:
                for r in answers:
                    grouped.setdefault(r.target, []).append(r)
            by_target = {t: tuple(rs) for t, rs in grouped.items()}
        ctx.once(_JOINED, lambda: by_target)

    #: True: a role's merged finding is made without a finding and message per source (:meth:`grouped`, as
    #: :mod:`trustgraph.checks.leansources` makes those of external-without-mfa): an outside account's answer is read
    #: as its :class:`~trustgraph.checks.ondemand.FlatAnswer` and made into a finding only if it comes first, and a
    #: reachable answer's message is written only where the merged finding reads it (random:1 at 5,000 roles: 53,659
    #: answers for 631 merged findings, each answer's message and path text written before); False: :meth:`run`'s
    #: findings merged (the reference; set on the class). The findings are the same
    lean_sources: ClassVar[bool] = True

    #: True (with :attr:`lean_sources`, not with ``--via all``): in one process (not the parts path, whose parts
    #: ship today's answers), the federated providers' searches keep each (provider, admin role) answer as its
    #: search left it (:mod:`trustgraph.checks.leanfederated`: five references and the hops' :class:`Later` items
    #: shared per state, instead of an answer and a witness per hop), read per role as a
    #: :class:`~trustgraph.checks.ondemand.FlatAnswer` and built only for a merged finding's first source (random:1
    #: at 20,000 roles: 918,182 answers over 7.9M hops); False: every answer built at prepare time
    #: (:meth:`ScanContext.reach_known`, the reference; set on the class). The findings are the same
    lean_federated: ClassVar[bool] = True

    def _lean_federated(self, ctx: ScanContext) -> bool:
        """Whether the federated providers' answers are kept lean (:attr:`lean_federated`): read by :meth:`grouped`
        only, so with the switches it needs on and not with ``--via all`` (which :meth:`run` merges)."""
        return self.lean_federated and self.lean_sources and ctx.via != "all" and not ctx.per_pair

    def grouped(self, ctx: ScanContext, conditions: Callable[[Location], int]) -> list[Finding]:
        """:meth:`BaseCheck.grouped` without a finding per source (:attr:`lean_sources`); with ``--via all`` (the
        escalations' findings join the roles' groups) as the reference does it."""
        if not self.lean_sources or ctx.via == "all":
            return super().grouped(ctx, conditions)
        from trustgraph.checks.grouping import Pending, merge_reaches, source_reach
        from trustgraph.checks.leansources import first_finding

        options = ctx.options()
        targets = ctx.admin_roles()
        out: list[Finding] = []
        for role in ctx.roles:
            if not ctx.is_admin(role):
                continue
            answers: list[ReachResult | FlatAnswer] = outside_answers(ctx, role, options, targets, conditions)
            if self._lean_federated(ctx):
                answers += federated_answers(ctx, role, options, conditions)
            else:
                answers += federated_sources(ctx, role, options)
            if not answers:
                continue
            severity = self.severity

            def build(answer: FlatAnswer, role: str = role) -> Finding:
                return first_finding(self, answer, role)

            def made(answer: ReachResult, role: str = role) -> Finding:
                return self.reach_finding(answer, role=role, message="")

            def message_of(f: Finding, note: str = ctx.admin_note(role)) -> str:
                return _message(f.source, note, f.path, first_admin(f.path, ctx.is_admin))

            per_hop: dict[int, int] = {}  # as merge() counts them: the findings live until the merge is over
            reaches: list[tuple[SourceReach, Finding | Pending]] = []
            for a in answers:
                if isinstance(a, ReachResult):
                    if a.verdict is not Reach.REACHABLE:
                        found = self.reach_finding(a, role=role, message="")
                        reaches.append((source_reach(found, conditions, per_hop), found))
                    elif len(a.hops) >= 2:  # a federated provider's (or a replay's) answer, its finding made if first
                        reach, statements, approximations = _reach_of(a, conditions, per_hop)
                        reaches.append((reach, Pending(a.source, severity, statements, approximations, a, made)))
                elif a.length >= 2:
                    reaches.append((a.reach, Pending(a.source, severity, a.statements, a.approximations, a, build)))
            if reaches:
                merged = merge_reaches(reaches, message_of)
                through = first_admin(merged.path, ctx.is_admin)
                out.append(merged if through is None else replace(merged, through_admin=through))
        return out

    def run(self, ctx: ScanContext) -> Iterator[Finding]:
        options = ctx.options()
        said: set[tuple[str, str]] = set()  # (source, admin role) of the unknown findings made here
        for role in ctx.roles:
            if not ctx.is_admin(role):
                continue
            results = outside_sources(ctx, role, options, ctx.admin_roles())
            results += federated_sources(ctx, role, options)  # federated identities outside the zone
            for r in results:
                if r.verdict is Reach.REACHABLE:
                    if len(r.hops) < 2:
                        continue
                    through = first_admin(r.hops, ctx.is_admin)
                    message = _message(r.source, ctx.admin_note(role), r.hops, through)
                    found = self.reach_finding(r, role=role, message=message)
                    yield found if through is None else replace(found, through_admin=through)
                else:
                    said.add((r.source, role))
                    yield self.reach_finding(r, role=role, message="")
        if ctx.via == "all":
            yield from self._escalations(ctx, said)

    def _escalations(self, ctx: ScanContext, said: set[tuple[str, str]]) -> Iterator[Finding]:
        """The findings of ``--via all`` whose path takes an escalation method (on the role where the outsider
        enters the zone), and its Unknown answers: an ``admin:ACCOUNT`` node the outsiders' search did not reach
        while it met an undecided hop (:meth:`GraphQueries._mixed`, coarse) is an unknown finding on each admin role
        of that account the scan checks, as the assume-only answers' unknowns are, in the roles' order, except where
        :meth:`run` already made one for the same source and role (``said``)."""
        def compute() -> tuple[ReachResult, ...]:
            options = ctx.options(via="all")
            return tuple(ctx.tg.query(EXTERNAL, "admin", options))

        results: tuple[ReachResult, ...] = ctx.once(("external-path-to-admin", "via-all"), compute)
        wanted = set(ctx.roles)
        for r in results:
            if r.verdict is Reach.UNKNOWN:
                account = r.target.split(":", 1)[1]
                for role in ctx.roles:
                    if (ctx.is_admin(role) and ctx.graph.nodes[role].get("account") == account
                            and (r.source, role) not in said):
                        yield self.reach_finding(r, role=role, message="")
                continue
            if r.verdict is not Reach.REACHABLE or not any(h.method for h in r.hops):
                continue
            entry = r.hops[0].target
            if entry not in wanted:
                continue
            methods = ", ".join(dict.fromkeys(h.method for h in r.hops if h.method))
            message = (f"`{r.source}` enters the zone at `{entry}` and becomes an administrator of "
                       f"{r.target.split(':', 1)[1]} by privilege escalation ({methods}): {path_text(r)}.")
            yield self.reach_finding(r, role=entry, message=message)


def _reach_of(answer: ReachResult, conditions: Callable[[Location], int], per_hop: dict[int, int]
              ) -> tuple[SourceReach, tuple[Location, ...], tuple[str, ...]]:
    """What :func:`~trustgraph.checks.grouping.source_reach` reads of the finding :meth:`BaseCheck.reach_finding`
    makes of a reachable ``answer`` (its source reach, statements and approximations), without making it; the
    conditions counted per hop as ``source_reach`` counts them (``per_hop``, shared with the role's other answers)."""
    from trustgraph.checks.finding import FindingKind, source_class
    from trustgraph.checks.grouping import path_conditions

    hops = answer.hops
    # each read hop by hop in C (map, chain): random:8 at 4,000 roles ~16 hops a path, the deepest 210
    statements = tuple(dict.fromkeys(chain.from_iterable(map(_STATEMENTS, hops))))
    approximations = tuple(dict.fromkeys(chain(answer.approximations, chain.from_iterable(map(_APPROXIMATIONS,
                                                                                                  hops)))))
    count = path_conditions(hops, conditions, per_hop)
    nodes = (hops[0].source, *map(_TARGET, hops)) if hops else ()
    reach = SourceReach(source=answer.source, source_class=source_class(answer.source), nodes=nodes,
                        actions=tuple(map(_ACTION, hops)), conditions=count, kind=FindingKind.FINDING,
                        approximate=bool(approximations), statements=statements)
    return reach, statements, approximations


_STATEMENTS = attrgetter("statements")
_APPROXIMATIONS = attrgetter("approximations")
_TARGET = attrgetter("target")
_ACTION = attrgetter("action")


def first_admin(hops: tuple[HopWitness, ...], is_admin: Callable[[str], bool]) -> ThroughAdmin | None:
    """The first admin role (``is_admin``: the check's own test, :meth:`ScanContext.is_admin`) a path enters at its
    second hop or later, before its last hop's target, or None. The path's prefix up to it is itself a witness of 2+
    hops: the source reaches that role, a finding of this check (a shortest path's prefix is a shortest path). An
    admin role entered at the first hop is left out: the source assumes it directly, which this check does not
    report (condition-heavy at 2,000 roles: a SAML provider's own admin role, 20 paths)."""
    for i in range(1, len(hops) - 1):
        if is_admin(hops[i].target):
            return ThroughAdmin(hops[i].target, i + 1)
    return None


#: A message shows every node of a path of up to this many hops; a longer path through another admin role is folded
#: (:func:`_message`): random:8 at 2,000 roles has paths of 92-210 hops, each through an admin role at hop 2 or 4.
FOLD_HOPS = 8
#: The last hops a folded message shows.
TAIL_HOPS = 2


def _message(source: str, note: str, hops: tuple[HopWitness, ...], through: ThroughAdmin | None = None) -> str:
    """The message of a reachable answer from ``source`` over ``hops`` (2 or more) into an admin role (``note``:
    :meth:`ScanContext.admin_note`). A path through another admin role (``through``: :func:`first_admin`) names it,
    and when longer than :data:`FOLD_HOPS` shows the hops up to it, how many it leaves out, and the last
    :data:`TAIL_HOPS` (the finding's ``path`` holds them all)."""
    if through is None:
        return f"`{source}` reaches the admin role{note} in {len(hops)} hops: {hops_text(source, hops)}."
    from trustgraph.graph.nodes import short_label

    head = f"`{source}` reaches the admin role{note} in {len(hops)} hops through admin role " \
           f"`{short_label(through.role)}` (its own finding, hop {through.hop})"
    hidden = len(hops) - through.hop - TAIL_HOPS
    if len(hops) <= FOLD_HOPS or hidden < 2:
        return f"{head}: {hops_text(source, hops)}."
    shown = hops_text(source, hops[:through.hop])
    last = " -> ".join(short_label(h.target) for h in hops[len(hops) - TAIL_HOPS:])
    return f"{head}: {shown} -> ... {hidden} more hops ... -> {last}."


def _federated(ctx: ScanContext) -> tuple[str, ...]:
    return tuple(m for m in ctx.outsider_members() if m != EXTERNAL)


def _searches_federated(ctx: ScanContext) -> bool:
    """Whether the shared work searches from the federated providers (an admin role is checked; not per pair)."""
    return not ctx.per_pair and any(ctx.is_admin(role) for role in ctx.roles)


#: the memo key (:meth:`ScanContext.once`) of the federated providers' answers joined from the parts
_JOINED = ("external-path-to-admin", "federated-parts")
#: what :func:`federated_sources` finds under :data:`_JOINED` when no part was joined
_NOT_JOINED = object()


def federated_sources(ctx: ScanContext, role: str, options: QueryOptions) -> list[ReachResult]:
    """The reachable and unknown answers of the federated providers outside the zone for one role.

    Read off one forward search per provider over the whole graph (:meth:`ScanContext.reach_known`): a reachable
    answer is the one a search pruned to the role gives (same shortest path and witnesses). A provider whose search
    met an undecided hop that may lead to the role is asked again by the backward closure from the role
    (:meth:`ScanContext.reach_to`, the reference), which counts an undecided hop only when it leads into a role that
    reaches or may reach the target, so the answers are those of the reference. With ``ctx.per_pair`` every answer
    comes from the reference.
    """
    federated = _federated(ctx)
    if not federated:
        return []
    if ctx.per_pair:
        return [r for r in ctx.reach_to(EXTERNAL, role, options, members=federated)
                if r.source != EXTERNAL and r.verdict is not Reach.UNREACHABLE]
    out: list[ReachResult] = []
    joined = ctx.once(_JOINED, lambda: _NOT_JOINED)  # the parts' answers, when the shared work came in parts
    if joined is None or joined is _NOT_JOINED:  # the reference (or a search that did not replay)
        known = ctx.reach_known(EXTERNAL, role, options, members=federated, targets=ctx.admin_roles())
    else:
        known = joined.get(role, ())
    for r in known:
        if r.verdict is Reach.REACHABLE:
            out.append(r)
        else:  # undecided: the reference decides whether the undecided hop matters for this role
            out += [a for a in ctx.reach_to(EXTERNAL, role, options, members=(r.source,))
                    if a.verdict is not Reach.UNREACHABLE]
    return out


#: the memo key (:meth:`ScanContext.once`) of the federated providers' answers kept lean
_LEAN = ("external-path-to-admin", "lean-federated")
#: the memo key of the source reaches' sequences of actions (:class:`~trustgraph.checks.leanfederated.ActionSequences`)
_ACTIONS = ("external-path-to-admin", "action-sequences")


def _lean_index(ctx: ScanContext) -> dict[str, Any] | None:
    """The federated providers' answers for the admin roles kept as their searches left them
    (:func:`~trustgraph.checks.leanfederated.federated_index`), made once per scan; None when a search did not
    replay (:func:`federated_sources` then asks :meth:`ScanContext.reach_known`, which answers per role)."""
    def compute() -> dict[str, Any] | None:
        from trustgraph.checks.leanfederated import federated_index

        try:
            return federated_index(ctx.tg, _federated(ctx), ctx.options(), ctx.admin_roles())
        except ReplayMismatch:
            return None

    index: dict[str, Any] | None = ctx.once(_LEAN, compute)
    return index


def federated_answers(ctx: ScanContext, role: str, options: QueryOptions, conditions: Callable[[Location], int]
                      ) -> list[ReachResult | FlatAnswer]:
    """:func:`federated_sources` with the reachable answers kept lean (``ExternalPathToAdmin.lean_federated``) given
    as :class:`~trustgraph.checks.ondemand.FlatAnswer` (:func:`~trustgraph.checks.leanfederated.lean_answers`), in
    the same order; the parts' answers (when the shared work came in parts) and a search that did not replay as
    :func:`federated_sources` reads them."""
    from trustgraph.checks.leanfederated import ActionSequences, Undecided, lean_answers
    from trustgraph.checks.ondemand import LightMemo

    federated = _federated(ctx)
    if not federated:
        return []
    joined = ctx.once(_JOINED, lambda: _NOT_JOINED)
    index = _lean_index(ctx) if joined is _NOT_JOINED else None
    if index is None:
        return list(federated_sources(ctx, role, options))
    memo = ctx.once(("light-memo",), LightMemo) if LightMemo.enabled else None
    shared = ctx.once(_ACTIONS, ActionSequences) if ActionSequences.shared else None
    out: list[ReachResult | FlatAnswer] = []
    for a in lean_answers(ctx.engine, role, index.get(role, ()), memo, conditions, shared):
        if isinstance(a, Undecided):  # the reference decides whether the undecided hop matters for this role
            out += [r for r in ctx.reach_to(EXTERNAL, role, options, members=(a.source,))
                    if r.verdict is not Reach.UNREACHABLE]
        else:
            out.append(a)
    return out


CHECK = ExternalPathToAdmin()
