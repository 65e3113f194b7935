"""What every check sees: the trust graph with its queries, the roles to look at, and answers shared between checks.

A :class:`ScanContext` wraps one :class:`~trustgraph.queries.graph_queries.GraphQueries`. Checks ask reachability
questions through :meth:`ScanContext.reach` (memoised per (source, target, options), so that two checks asking "who
outside reaches this role without an ExternalId" solve once) and single hops through :meth:`ScanContext.solve_hop` (a
thin front of :func:`trustgraph.smt.solve.answer` that applies the scan's timeout and uses the engine's solver
session). Apart from the few answers :mod:`trustgraph.checks.exact` reads off a policy by the evaluator's rules, every
decision a check makes is a solver answer.

``roles`` is the slice of roles this context covers; the runner checks one role at a time through a view
(:meth:`ScanContext.for_roles`) that shares the graph and the memo of its process, and whose ``local`` dictionary
holds answers the checks of that role share.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from trustgraph.errors import ReplayMismatch
from trustgraph.graph.nodes import EXTERNAL, NodeKind, account_node
from trustgraph.queries.options import QueryOptions
from trustgraph.queries.results import HopWitness, Reach, ReachResult, export_locations

if TYPE_CHECKING:
    import networkx as nx

    from trustgraph.checks.ondemand import Flat
    from trustgraph.model.estate import Estate
    from trustgraph.model.location import Location
    from trustgraph.model.zone import Zone
    from trustgraph.queries.engine import ReachabilityEngine
    from trustgraph.queries.graph_queries import GraphQueries
    from trustgraph.semantics.request import Action, Caller, Target
    from trustgraph.smt.solve import HopResult, KeyConstraint
    from trustgraph.smt.symbolic import SymbolicCaller

#: what :meth:`ScanContext.once` finds for a key not asked for yet (a computed value may be None)
_ABSENT = object()
_ACCOUNT_RE = re.compile(r"(?<!\d)\d{12}(?!\d)")


@dataclass
class _Shared:
    """State shared by every view of one scan in one process."""

    reach: dict[tuple[Any, ...], tuple[ReachResult, ...]] = field(default_factory=dict)
    reach_all: dict[tuple[Any, ...], dict[str, tuple[ReachResult, ...]] | None] = field(default_factory=dict)
    fresh_account: str = ""
    account_nodes: tuple[str, ...] = ()
    named_orgs: frozenset[str] = frozenset()
    solver_calls: int = 0
    #: values a check computes once per scan (keyed by the check's own names)
    memo: dict[Any, Any] = field(default_factory=dict)
    outsiders: tuple[str, ...] | None = None
    #: True: the checks ask per (source, role) pair as they used to (the reference the shared searches are tested
    #: against; see :attr:`ScanContext.per_pair`)
    per_pair: bool = False
    #: True: the outside accounts' answers are built when a role is checked (:mod:`trustgraph.checks.ondemand`)
    on_demand: bool = True


class ScanContext:
    """The trust graph, the roles a scan covers, and memoised answers. The graph is used as it is: checks add no
    nodes or edges to it.

    Parameters
    ----------
    tg
        The loaded estate and its trust graph.
    roles
        Role ARNs to check (default: every role of an account inside the zone, sorted; roles of exported accounts
        outside the zone belong to the attacker's side and are not reviewed).
    timeout_ms
        Per-solver-call timeout (None: the solver's default).
    via
        ``assume`` (default) or ``all``: whether reach checks also follow privilege-escalation edges
        (``scan --via all``; the privilege-escalation check always does).
    per_pair
        The reference algorithms for tests: one search per outside account and per outsider, each expanding every
        state it reaches, answers looked up per (outside account, role), and a backward closure per admin role for
        the federated sources of external-path-to-admin, instead of the shared searches (each state's hops decided
        once for every source whose search reaches it, :mod:`trustgraph.queries.shared`) read once per role. The
        findings are the same.
    """

    def __init__(self, tg: GraphQueries, roles: Iterable[str] | None = None, *, timeout_ms: int | None = None,
                 via: str = "assume", per_pair: bool = False, on_demand: bool = True,
                 _shared: _Shared | None = None) -> None:
        self.tg = tg
        self.timeout_ms = timeout_ms
        self.via = via
        if _shared is None:
            _shared = _Shared()
            _shared.account_nodes = tuple(sorted(
                n for n, d in tg.graph.nodes(data=True) if d["kind"] == NodeKind.ACCOUNT.value))
            _shared.fresh_account = fresh_account_id(tg.estate, tg.zone)
            _shared.named_orgs = named_organizations(tg.estate)
            _shared.per_pair = per_pair
            _shared.on_demand = on_demand
        self._shared = _shared
        #: answers the checks of this view share (the runner makes one view per role, so it lives as long as the role)
        self.local: dict[Any, Any] = {}
        if roles is None:
            roles = sorted(n for n, d in tg.graph.nodes(data=True) if d["kind"] == NodeKind.ROLE.value and d["inside"])
        self.roles: tuple[str, ...] = tuple(roles)

    def release(self, *, frozen: bool | None = None) -> None:
        """Let go of the graph, the estate and every answer memoised by this scan, in every view of it: for a caller
        done asking, such as a scan whose every role is checked, so that the memory they take (vendor-heavy at
        20,000 roles: the loaded estate and the shared searches, ~700 MB in the process that did them) is reused by
        the findings and the report instead of added to them. The context answers nothing afterwards
        (AttributeError), and the engine and graph are emptied even if someone else still holds them.

        The engine and the graph are the hubs of reference cycles (answers that refer back to the engine, the
        graph's cached views): their attributes are dropped, so that reference counting frees most of what they held
        at once; the rest (cycles among solver terms and closures) is handed back to the collector (``gc.unfreeze``)
        and one collection frees it (vendor-heavy, 20,000 roles: 1.9 s CPU for ~600 MB); what survives is frozen again
        if it was (the report is then built without collections walking it, as before). ``frozen``: whether objects
        are frozen now, when the caller knows (the scan's runners always are, having frozen what they built); None:
        the collector is asked (``gc.get_freeze_count`` walks every frozen object: at 20,000 roles, millions)."""
        import gc

        if frozen is None:
            frozen = gc.get_freeze_count() > 0

        shared = self._shared
        shared.reach.clear()
        shared.reach_all.clear()
        shared.memo.clear()
        shared.outsiders = None
        for hub in (self.tg.engine, self.tg.graph):
            vars(hub).clear()
        del self.tg
        self.local.clear()
        gc.unfreeze()
        gc.collect()
        if frozen:
            gc.freeze()

    # ------------------------------------------------------------------------------------------------ views
    def for_roles(self, roles: Iterable[str]) -> ScanContext:
        """A view of the same scan restricted to some roles (shares the graph and the memo)."""
        return ScanContext(self.tg, roles, timeout_ms=self.timeout_ms, via=self.via, _shared=self._shared)

    @property
    def per_pair(self) -> bool:
        """Whether the checks use the per-pair reference algorithms (see the constructor)."""
        return self._shared.per_pair

    @property
    def estate(self) -> Estate:
        """The loaded estate."""
        return self.tg.estate

    @property
    def zone(self) -> Zone:
        """The zone of trust."""
        return self.tg.zone

    @property
    def graph(self) -> nx.MultiDiGraph:
        """The trust graph."""
        return self.tg.graph

    @property
    def engine(self) -> ReachabilityEngine:
        """The reachability engine (hop answers memoised there)."""
        return self.tg.engine

    @property
    def fresh_account(self) -> str:
        """An account id that appears nowhere in the loaded exports, policies or zone (a stranger's account)."""
        return self._shared.fresh_account

    @property
    def named_organizations(self) -> frozenset[str]:
        """Organization ids that appear in the loaded trust policies or organizations files."""
        return self._shared.named_orgs

    @property
    def outside_account_nodes(self) -> tuple[str, ...]:
        """The ``account:ID`` nodes of the graph (outside accounts some trust policy names), fresh one excluded."""
        return self._shared.account_nodes

    def once(self, key: Any, compute: Callable[[], Any]) -> Any:
        """``compute()`` the first time ``key`` is asked for in this scan (any view), the same value afterwards."""
        memo = self._shared.memo
        found = memo.get(key, _ABSENT)  # one lookup when known (the per-role checks ask on every role)
        if found is _ABSENT:
            found = memo[key] = compute()
        return found

    def conditions_at(self, location: Location) -> int:
        """Condition entries of the trust statement at ``location`` (0 for any other statement), for ranking how
        much stands in the way of a path."""
        return self._condition_table().get(location, 0)

    def condition_counter(self) -> Callable[[Location], int]:
        """:meth:`conditions_at` as one function made once per scan, which reads the table directly (the grouping of
        the findings asks it of every statement of every path: ~82,000 times on random:2 at 2,000 roles)."""
        def make() -> Callable[[Location], int]:
            get = self._condition_table().get

            def count(location: Location) -> int:
                return get(location, 0)
            return count

        counter: Callable[[Location], int] = self.once(("condition-counter",), make)
        return counter

    def _condition_table(self) -> dict[Location, int]:
        table: dict[Location, int] = self.once("trust-statement-conditions", lambda: {
            st.location: len(st.conditions)
            for role in self.estate.role_by_arn.values() for st in role.trust_policy.statements})
        return table

    def admin_roles(self) -> frozenset[str]:
        """Every role of the graph with the ``admin`` attribute (read once per scan, the same set in every view)."""
        found: frozenset[str] = self.once(("admin-roles",), lambda: frozenset(
            n for n, d in self.graph.nodes(data=True) if d["kind"] == NodeKind.ROLE.value and d.get("admin")))
        return found

    def is_admin(self, role: str) -> bool:
        """The graph's ``admin`` attribute of a role."""
        return bool(self.graph.nodes[role].get("admin"))

    def admin_note(self, role: str) -> str:
        """What a message says about an admin role: empty for a plain administrator, else its kind and reason
        (``admin-equivalent: allows every IAM action ...``)."""
        data = self.graph.nodes[role]
        if data.get("admin_kind") == "admin-equivalent":
            return f" (admin-equivalent: {data.get('admin_reason', '')})"
        return ""

    def now_text(self) -> str:
        """The analysis time as the evaluator's request values spell it (:func:`~trustgraph.model.values.
        format_date` of the engine's clock), formatted once per scan."""
        from trustgraph.model.values import format_date

        text: str = self.once(("now-text",), lambda: format_date(self.engine.now_ms))
        return text

    # ---------------------------------------------------------------------------------------------- queries
    def options(self, **kwargs: Any) -> QueryOptions:
        """Query options with the scan's timeout, made once per scan for each set of arguments (the reach checks ask
        for theirs on every role: 20,000 roles made 60,000 equal values; equal options are interchangeable, they
        are the memos' keys)."""
        key = ("query-options", repr(sorted(kwargs.items()))) if kwargs else ("query-options",)
        made: QueryOptions = self.once(key, lambda: QueryOptions.make(timeout_ms=self.timeout_ms, **kwargs))
        return made

    def reach(self, source: str, target: str, options: QueryOptions) -> tuple[ReachResult, ...]:
        """``GraphQueries.query(source, target, options, per_member=True)``, memoised: a class such as ``external``
        answers per member (the AWS outsider, each federated provider outside the zone), which the checks tell
        apart."""
        key = (source, target, options)
        cached = self._shared.reach.get(key)
        if cached is None:
            try:
                cached = tuple(self.tg.query(source, target, options, per_member=True))
            except ReplayMismatch as exc:
                from trustgraph.queries.results import Reach

                cached = (ReachResult(source=source, target=target, verdict=Reach.UNKNOWN,
                                      reason=f"solver witness did not replay ({exc})"),)
            self._shared.reach[key] = cached
        return cached

    def reach_known(self, source: str, target: str, options: QueryOptions, *,
                    members: Iterable[str] | None = None, targets: frozenset[str] | None = None
                    ) -> tuple[ReachResult, ...]:
        """The reachable and unknown answers of :meth:`reach` (the unreachable ones left out), from one search per
        (source, options) over the whole graph instead of one search per target.

        The verdicts are those of :meth:`reach`: a search from a source restricted to the target's ancestors finds
        the target (at the same, shortest, depth) exactly when the unrestricted search does, and meets an undecided
        hop on the way to it exactly when the unrestricted one does. Where several shortest paths exist, the
        witnessed path may be another of them.

        ``members`` (e.g. ``("external",)``) keeps the answers of those members of the source class only, from one
        search per member: the other members are not searched (with ``external``, the hundreds of federated
        providers of an organization when only the AWS outsider's answers are read). In a scan (not
        :attr:`per_pair`) the members' searches share each state's hop work with each other and with the outside
        accounts' (:meth:`GraphQueries.reach_each`): the same answers, each state expanded once.

        ``targets`` (e.g. :meth:`admin_roles`) says which roles the caller will ever ask about with these arguments:
        the members' answers are built for those roles only (:meth:`GraphQueries.reach_each`); asking about another
        role is an error. Every call for one question must pass the same set (it is part of the memo's key).
        """
        if targets is not None and target and target not in targets:
            raise ValueError(f"{target} is not among the targets this question was asked for")
        chosen = None if members is None else tuple(members)
        key = (source, options) if chosen is None else (source, options, chosen)
        if targets is not None and chosen is not None:
            key = (*key, targets)
        try:  # one lookup when known: hashing the options is not free
            by_target = self._shared.reach_all[key]
        except KeyError:
            grouped: dict[str, list[ReachResult]] = {}
            try:
                if not self.per_pair and source == EXTERNAL and chosen is not None:
                    # the members' searches share each state's hop work (queries.shared) with each other and with
                    # the outside accounts' searches: the same answers as one search per member
                    members = [m for m in self.outsider_members() if m in chosen]
                    found: Iterable[ReachResult] = (
                        r for rs in self.tg.reach_each(members, options, outside_only=True, targets=targets).values()
                        for r in rs)
                else:
                    found = self.tg.query(source, None, options, per_member=True, members=chosen)
                for r in found:
                    grouped.setdefault(r.target, []).append(r)
                by_target = {t: tuple(rs) for t, rs in grouped.items()}
            except ReplayMismatch:
                by_target = None  # a solver defect: answer per target, where reach() makes it an UNKNOWN result
            self._shared.reach_all[key] = by_target
        if by_target is None:
            return tuple(r for r in self.reach(source, target, options) if r.verdict is not Reach.UNREACHABLE
                         and (chosen is None or r.source in chosen))
        return tuple(r for r in by_target.get(target, ()) if r.verdict is not Reach.UNREACHABLE)

    def reached_by(self, sources: Iterable[str], options: QueryOptions, *, targets: frozenset[str] | None = None
                   ) -> tuple[dict[str, tuple[ReachResult | Flat, ...]], tuple[str, ...]]:
        """Role -> the shortest reachable answer of each of ``sources`` that reaches it (in the order of
        ``sources``), read once off their forward searches, which share each state's hop work
        (:meth:`GraphQueries.reach_each`), and memoised per sources, options and ``targets``, so that a check asks
        once per role what it would otherwise ask once per (source, role) pair; and the sources whose search did
        not replay (:meth:`reach_known` answers those per target).

        ``targets`` (default: every role) are the roles the check will look up: answers (paths rebuilt, session
        names agreed) are built for those only; the others are left out of the index.

        Unless the context was made with ``on_demand=False``, an answer whose path names no session is kept as the
        search left its hops (:data:`~trustgraph.checks.ondemand.Flat`): read the index through
        :func:`~trustgraph.checks.ondemand.answers_for`."""
        chosen = tuple(sources)

        def compute() -> tuple[dict[str, tuple[ReachResult | Flat, ...]], tuple[str, ...]]:
            index: dict[str, list[ReachResult | Flat]] = {}
            failed: list[str] = []
            if self._shared.on_demand:
                from trustgraph.checks.ondemand import pending_index

                try:
                    return {t: tuple(rs) for t, rs in pending_index(self.tg, chosen, options, targets).items()}, ()
                except ReplayMismatch:
                    index = {}  # a solver defect: as below
            try:  # searches that share each state's hop work (queries.shared)
                each = self.tg.reach_each(chosen, options, targets=targets)
            except ReplayMismatch:
                each = None  # a solver defect: one search per source, and per target where that fails too
            if each is not None:
                for results in each.values():
                    for target, answers in itertools.groupby(results, key=lambda r: r.target):
                        reach = [r for r in answers if r.verdict is Reach.REACHABLE]
                        if reach:
                            index.setdefault(target, []).append(min(reach, key=lambda r: len(r.hops)))
                return {t: tuple(rs) for t, rs in index.items()}, ()
            for node in chosen:
                self.reach_known(node, "", options)
                by_target = self._shared.reach_all[(node, options)]
                if by_target is None:
                    failed.append(node)
                    continue
                for target, results in by_target.items():
                    if targets is not None and target not in targets:
                        continue
                    found = [r for r in results if r.verdict is Reach.REACHABLE and r.target == target]
                    if found:
                        index.setdefault(target, []).append(min(found, key=lambda r: len(r.hops)))
            return {t: tuple(rs) for t, rs in index.items()}, tuple(failed)

        answer: tuple[dict[str, tuple[ReachResult | Flat, ...]], tuple[str, ...]] = self.once(
            ("reached-by", chosen, options, targets), compute)
        return answer

    def outsider_members(self) -> tuple[str, ...]:
        """The members of the ``external`` class: the AWS outsider node and each federated provider outside the zone
        (resolved once)."""
        if self._shared.outsiders is None:
            from trustgraph.queries.specs import resolve_sources

            self._shared.outsiders = resolve_sources(self.graph, EXTERNAL).nodes
        return self._shared.outsiders

    def reach_to(self, source: str, target: str, options: QueryOptions, *,
                 members: Iterable[str]) -> tuple[ReachResult, ...]:
        """The reachable and unknown answers for one role from some members of a source class (e.g. the federated
        providers of ``external``), from a backward closure from the role (:mod:`trustgraph.queries.backward`):
        the work follows what can lead to the role, not everything the members reach. Memoised per question.

        The answers are those of :meth:`reach_known` for these members (same verdicts and paths), except that an
        undecided hop counts only when it leads into a role that reaches or may reach the target."""
        chosen = tuple(members)
        key = ("to", source, target, options, chosen)
        cached = self._shared.reach.get(key)
        if cached is None:
            try:
                cached = tuple(r for r in self.tg.query(source, target, options, per_member=True, members=chosen)
                               if r.verdict is not Reach.UNREACHABLE)
            except ReplayMismatch as exc:
                cached = (ReachResult(source=source, target=target, verdict=Reach.UNKNOWN,
                                      reason=f"solver witness did not replay ({exc})"),)
            self._shared.reach[key] = cached
        return cached

    def ancestors(self, role: str) -> frozenset[str]:
        """Every node with a path to ``role`` in the graph (candidates only: edges are not yet solved)."""
        import networkx as nx

        return frozenset(nx.ancestors(self.graph, role))

    # --------------------------------------------------------------------------------------------- one hop
    @property
    def hop_questions(self) -> int:
        """Hops this scan's checks asked through :meth:`solve_hop` in this process (the engine counts its own)."""
        return self._shared.solver_calls

    def solve_hop(
        self,
        caller: Caller | SymbolicCaller,
        target: Target,
        action: Action,
        constraints: tuple[KeyConstraint, ...] = (),
        *,
        closed: bool = False,
        arn_guesses: bool = False,
    ) -> HopResult:
        """One hop through the solver, with the scan's timeout (``arn_guesses``: :func:`~trustgraph.smt.solve.
        answer`'s)."""
        from trustgraph.smt.question import HopQuestion
        from trustgraph.smt.solve import answer

        question = HopQuestion(caller, target, action, constraints, closed, self.engine.now_ms,
                               timeout_ms=self.timeout_ms)
        self._shared.solver_calls += 1
        try:
            return answer(question, self.engine.session, arn_guesses=arn_guesses)
        except ReplayMismatch as exc:
            # a solver defect, never a safe answer: the question stays open and becomes an UNKNOWN finding
            from trustgraph.smt.solve import Unknown

            return Unknown(reason=f"solver witness did not replay ({exc})")

    def hop(self, node: str, role: str, action: Action, constraints: tuple[KeyConstraint, ...] = ()) -> HopResult:
        """One edge of the graph through the engine (memoised there): ``node`` (in a session without MFA) calls
        ``action`` on ``role`` under the scan's options and ``constraints``."""
        try:
            return self.engine.solve((node, False), role, action, self.options(), constraints)
        except ReplayMismatch as exc:
            from trustgraph.smt.solve import Unknown

            return Unknown(reason=f"solver witness did not replay ({exc})")

    def witness(self, source: str, role: str, action: Action, result: Any) -> HopWitness:
        """A :class:`HopWitness` from a Sat answer, spelled as the query results spell theirs."""
        from trustgraph.semantics.spelling import display_key

        return HopWitness(
            source=source,
            target=role,
            action=action.value,
            context={display_key(k): tuple(v) for k, v in sorted(result.request.context.items())},
            statements=export_locations(result.decision.statements),
            approximations=tuple(approximation_text(a) for a in result.approximations),
        )


def approximation_text(item: object) -> str:
    """An approximation as text (the solver may give strings or (construct, Location) pairs)."""
    if isinstance(item, tuple) and len(item) == 2:
        return f"{item[0]} at {item[1]}"
    return str(item)


_ORG_RE = re.compile(r"\bo-[a-z0-9]{10,32}\b")


def named_organizations(estate: Estate) -> frozenset[str]:
    """Every organization id loaded or written in a trust policy (principal or condition value)."""
    seen = {org.org_id for org in estate.organizations}
    for role in estate.role_by_arn.values():
        for st in role.trust_policy.statements:
            for c in st.conditions:
                for text in c.texts:
                    seen.update(_ORG_RE.findall(text))
    return frozenset(seen)


def fresh_account_id(estate: Estate, zone: Zone) -> str:
    """A 12-digit account id that appears nowhere: not a loaded or zone account, not named by any principal,
    condition value, ARN or organization listing (so no trust statement can name it).

    Examples
    --------
    >>> from trustgraph.model import Estate
    >>> from trustgraph.model.zone import Zone
    >>> fresh_account_id(Estate(), Zone())
    '987654321098'
    """
    seen: set[str] = set(zone.accounts)
    for acct in estate.accounts:
        seen.add(acct.account_id)
    for org in estate.organizations:
        seen.update(a.account_id for a in org.accounts)
        if org.management_account_id:
            seen.add(org.management_account_id)
    texts: list[str] = []
    for role in estate.role_by_arn.values():
        texts.append(role.arn)
        for st in role.trust_policy.statements:
            for p in (st.principals or ()) + (st.not_principals or ()):
                texts.append(p.text)
            for c in st.conditions:
                texts.extend(c.texts)
    # one search over the texts joined by a non-digit, which no 12-digit run crosses: the runs of each text alone
    seen.update(_ACCOUNT_RE.findall("\n".join(texts)))
    n = 987_654_321_098
    while f"{n:012d}" in seen:
        n -= 1
    return f"{n:012d}"


__all__ = ["EXTERNAL", "ScanContext", "account_node", "approximation_text", "fresh_account_id"]
