"""Which roles a node may try to assume in one hop, and which nodes may try a role: the candidate lists of the
reachability search, read off the trust graph with its ``principals:ID`` / ``principals:*`` hubs expanded.

A hub stands for every principal of an account (or of every other account); its edges are listed once per hub, not
once per member, and a hub edge that needs an identity-policy allow is kept for a member only when the member's
identity policies could allow sts:AssumeRole on the role (a syntactic filter, decided once per resource shape of
the members' policies). Everything here is derived from the graph and memoised per node, hub or role for the life
of the object; the graph must not change meanwhile.

Complexity: a role session's hub edges are filtered once per (hub, resource shape) for the life of the object
(:meth:`HopCandidates.shape_targets`), not once per session or search; when a shape's Resources name literal
accounts, only the hub's edges to those accounts' roles are tested, so the filtering costs about the edges kept
(hubs have O(roles) edges and shapes grow with the accounts: testing every edge per shape is quadratic at scale).
Each session then walks its shape's list less the roles already reached.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from trustgraph.graph.nodes import NodeKind, graph_version
from trustgraph.semantics.request import Action

if TYPE_CHECKING:
    import networkx as nx

    from trustgraph.semantics.carried import Carried
    from trustgraph.semantics.request import Caller
    from trustgraph.smt.symbolic import SymbolicCaller

#: (node, the session carries MFA), and for a session that carries a source identity or transitive session tags
#: (node, MFA, what it carries): :mod:`trustgraph.queries.carry`
State = tuple[str, bool] | tuple[str, bool, "Carried"]
#: one role edge a member of a hub may take: (role, edge data marked ``via_hub``, role account, ``id`` of the
#: graph's edge data)
HubEdge = tuple[str, dict[str, Any], str, int]
#: a hub's members for in_candidates: positions of those allowed on every role, and per resource shape (shape id,
#: its literal accounts or None, statements, positions)
MemberGroups = tuple[tuple[int, ...], tuple[tuple[int, "frozenset[str] | None", tuple[Any, ...], tuple[int, ...]], ...]]
#: what in_candidates reads of a feeding hub: where the hubs it copies start in its edge list, the list, (member,
#: order key head) pairs, the members' accounts, whether they share one (:meth:`HopCandidates._feeder_record`)
FeederRecord = tuple[dict[str, tuple[int, ...]], tuple[HubEdge, ...], tuple[tuple[str, int], ...],
                     tuple["str | None", ...], bool]

#: node kinds whose hop can produce a session with MFA (an IAM user, or a symbolic AWS caller that may be one)
MFA_SOURCE_KINDS = frozenset({NodeKind.USER.value, NodeKind.ACCOUNT.value, NodeKind.EXTERNAL.value})


class HopCandidates:
    """The candidate lists of one graph (forward per node, backward per role), memoised.

    ``fast_members`` (class-level switch, reference when False): :meth:`in_candidates` expands a hub edge from
    per-hub (member, order key head) pairs and the members' accounts, read once per hub without the members'
    identity scopes (those are read only for hubs whose edges need an identity allow), with one comprehension per
    edge instead of a loop per member; an edge's entries in a feeding hub's list are found from where the hubs it
    copies start (:meth:`_block_offsets`), not from an index of every entry of every hub (:meth:`_hub_index`, which
    at 20,000 roles holds ~166,000 entries and costs ~0.3 s to build on the first query into a hub). Same entries in
    the same order (tests/queries/test_fast_members.py)."""

    fast_members = True

    def __init__(self, G: nx.MultiDiGraph, caller: Callable[[str, bool], Caller | SymbolicCaller]) -> None:
        self.G = G
        self._caller = caller
        self._assume_statements: dict[str, tuple[bool, tuple[Any, ...], int]] = {}
        self._own: dict[str, tuple[tuple[tuple[str, dict[str, Any]], ...], tuple[str, ...]]] = {}
        self._hubs: dict[str, tuple[HubEdge, ...]] = {}
        self._in: dict[str, tuple[tuple[str, dict[str, Any], tuple[int, int]], ...]] = {}
        self._version = graph_version(G)  # the graph's version the backward lists were built from
        self._shapes: dict[tuple[Any, ...], int] = {}
        self._may_memo: dict[tuple[int, str], bool] = {}
        self._mfa_in: dict[str, tuple[tuple[str, dict[str, Any]], ...]] = {}
        self._hub_users: dict[str, tuple[str, ...]] = {}
        self._direct_pos: dict[str, dict[int, int]] = {}
        self._hub_pos: dict[str, dict[int, tuple[tuple[int, dict[str, Any]], ...]]] = {}
        self._hub_members: dict[str, tuple[str, ...]] = {}
        self._hub_feeders: dict[str, tuple[str, ...]] = {}
        self._rows: dict[str, tuple[tuple[str, int, str | None, bool, tuple[Any, ...], int], ...]] = {}
        self._groups: dict[str, MemberGroups] = {}
        self._shape_lists: dict[tuple[str, int], tuple[HubEdge, ...]] = {}
        self._hub_accounts: dict[str, tuple[tuple[int, ...], dict[str, tuple[int, ...]]]] = {}
        self._pairs: dict[str, FeederRecord] = {}
        self._offsets: dict[str, dict[str, tuple[int, ...]]] = {}
        self._own_pos: dict[str, dict[int, int]] = {}

    def hop_candidates(self, node: str) -> tuple[tuple[str, dict[str, Any]], ...]:
        """The (role, edge data) pairs one hop away from ``node``: its own edges, and the edges of the hubs it is a
        member of (its account's ``principals:ID`` and, for other accounts' roles, ``principals:*``). A hub edge
        that needs an identity-policy allow is kept only when the member's identity policies could allow it."""
        return tuple(
            (role, data) for role, data in self.lazy_candidates(node)
            if not (data.get("identity_required") and data.get("via_hub")) or self.may_assume(node, role)
        )

    def lazy_candidates(self, node: str) -> Iterator[tuple[str, dict[str, Any]]]:
        """Like :meth:`hop_candidates` but without the identity filter (the caller applies it last, after cheaper
        tests), from lists cached per node and per hub: a hub's edges are listed once, not once per member."""
        direct, hubs = self._own_edges(node)
        yield from direct
        own_account = self.G.nodes[node].get("account")
        for hub in hubs:
            for role, data, role_account, _ in self._hub_targets(hub):
                if data["cross_account"] and role_account == own_account:
                    continue  # principals:* stands for other accounts' principals
                yield role, data

    def session_candidates(self, node: str, visits: Container[State],
                           pending: dict[tuple[str, int], Sequence[HubEdge]]) -> Iterator[tuple[str, dict[str, Any]]]:
        """:meth:`hop_candidates` for a role session, whose successors are sessions without MFA: the search keeps a
        copy of each hub's edge list per resource shape of the members' identity policies, filtered once by the
        identity filter, and drops the edges to roles already reached in that state once and for all (the visited
        states only grow), so that every session of a large search does not walk them again."""
        direct, hubs = self._own_edges(node)
        yield from direct
        own_account = self.G.nodes[node].get("account")
        everything, statements, shape_id = self._scope(node)
        for hub in hubs:
            # the hub's edges to roles not yet reached: all of them, or those the member's identity shape keeps (the
            # shape's list is filtered once per hub and graph, :meth:`shape_targets`)
            key = (hub, -1 if everything else shape_id)
            listed = pending.get(key)
            if listed is None:
                listed = self._hub_targets(hub) if everything else self.shape_targets(hub, shape_id, statements)
            kept = [t for t in listed if (t[0], False) not in visits]
            pending[key] = kept
            for role, data, role_account, _ in kept:
                if data["cross_account"] and role_account == own_account:
                    continue  # principals:* stands for other accounts' principals
                yield role, data

    def session_hub_lists(self, node: str) -> Iterator[tuple[str, int, tuple[HubEdge, ...]]]:
        """For each hub of ``node`` in order, (hub, -1 or the id of the node's resource shape, the hub's edges a role
        session of ``node`` keeps by the identity filter): the lists :meth:`session_candidates` walks for a search
        that has reached nothing yet, shared by every member of the hub with that shape (the cross-account filter
        is left to the caller)."""
        everything, statements, shape_id = self._scope(node)
        for hub in self._own_edges(node)[1]:
            if everything:
                yield hub, -1, self._hub_targets(hub)
            else:
                yield hub, shape_id, self.shape_targets(hub, shape_id, statements)

    def shape_targets(self, hub: str, shape_id: int, statements: tuple[Any, ...]) -> tuple[HubEdge, ...]:
        """The edges of ``hub`` (in :meth:`hub_targets` order) that a member whose assume statements have resource
        shape ``shape_id`` keeps: those needing no identity allow, and those to roles the statements may allow
        (:meth:`_may_shape`). Memoised per (hub, shape). When every Resource of the statements names literal
        accounts, only the hub's edges to roles of those accounts are tested (:meth:`_hub_by_account`), so the cost
        is that of the edges kept, not of every edge of the hub for every shape; otherwise every edge is tested."""
        key = (hub, shape_id)
        cached = self._shape_lists.get(key)
        if cached is None:
            targets = self._hub_targets(hub)
            accounts = literal_accounts(statements)
            if accounts is None:
                cached = tuple(t for t in targets
                               if not t[1].get("identity_required") or self._may_shape(shape_id, statements, t[0]))
            else:
                free, by_account = self._hub_by_account(hub)
                positions = list(free)
                for account in accounts:
                    positions.extend(j for j in by_account.get(account, ())
                                     if self._may_shape(shape_id, statements, targets[j][0]))
                positions.sort()
                cached = tuple(targets[j] for j in positions)
            self._shape_lists[key] = cached
        return cached

    def _hub_by_account(self, hub: str) -> tuple[tuple[int, ...], dict[str, tuple[int, ...]]]:
        """Positions in ``_hub_targets(hub)`` of the edges needing no identity allow, and of the others grouped by
        the account segment of the role's ARN (a role name that is not a six-segment ARN matches no six-segment
        pattern, the only kind :func:`literal_accounts` answers for: it is in no group)."""
        cached = self._hub_accounts.get(hub)
        if cached is None:
            free: list[int] = []
            grouped: dict[str, list[int]] = {}
            for j, (role, data, _, _) in enumerate(self._hub_targets(hub)):
                if not data.get("identity_required"):
                    free.append(j)
                    continue
                parts = role.split(":", 5)
                if len(parts) == 6:
                    grouped.setdefault(parts[4], []).append(j)
            cached = (tuple(free), {k: tuple(v) for k, v in grouped.items()})
            self._hub_accounts[hub] = cached
        return cached

    def own_edges(self, node: str) -> tuple[tuple[tuple[str, dict[str, Any]], ...], tuple[str, ...]]:
        """A node's own role edges and the hubs it is a member of (the lists :meth:`lazy_candidates` walks)."""
        return self._own_edges(node)

    def hub_targets(self, hub: str) -> tuple[tuple[str, dict[str, Any], str, int], ...]:
        """The role edges a member of ``hub`` may take (role, edge data, role account, edge id), in candidate
        order, before any member's filters."""
        return self._hub_targets(hub)

    def _own_edges(self, node: str) -> tuple[tuple[tuple[str, dict[str, Any]], ...], tuple[str, ...]]:
        cached = self._own.get(node)
        if cached is None:
            G = self.G
            direct = []
            hubs = []
            for _, target, data in G.out_edges(node, data=True):
                kind = G.nodes[target]["kind"]
                if kind == NodeKind.ROLE.value:
                    direct.append((target, data))
                elif kind == NodeKind.PRINCIPALS.value:
                    hubs.append(target)
            cached = (tuple(direct), tuple(hubs))
            self._own[node] = cached
        return cached

    def _hub_targets(self, hub: str) -> tuple[tuple[str, dict[str, Any], str, int], ...]:
        """The role edges a member of ``hub`` may take, in candidate order: (role, edge data marked ``via_hub``,
        role account, ``id`` of the graph's edge data)."""
        cached = self._hubs.get(hub)
        if cached is None:
            G = self.G
            out: list[tuple[str, dict[str, Any], str, int]] = []
            for _, target, data in G.out_edges(hub, data=True):
                if G.nodes[target]["kind"] == NodeKind.ROLE.value:
                    out.append((target, {**data, "via_hub": True}, G.nodes[target]["account"], id(data)))
                elif data.get("kind") == "member":
                    out.extend(self._hub_targets(target))
            cached = tuple(out)
            self._hubs[hub] = cached
        return cached

    def in_candidates(self, role: str) -> tuple[tuple[str, dict[str, Any], tuple[int, int]], ...]:
        """Every (node, edge data, order key) such that ``(role, edge data)`` is one of the node's
        :meth:`hop_candidates`: the reverse of the candidate lists, hubs expanded to their members (cached per role).

        The order key sorts a node's candidates as :meth:`hop_candidates` lists them: ``(0, i)`` for its own edge
        number ``i``, ``(1 + h, j)`` for entry ``j`` of the edges of its hub number ``h``.
        """
        G = self.G
        if graph_version(G) != self._version:  # the graph changed (graph.nodes.bump_version): new edges to roles
            self._version = graph_version(G)
            self._in.clear()
            self._hub_members.clear()
            self._rows.clear()
            self._groups.clear()
            self._mfa_in.clear()
            self._hub_users.clear()
            self._pairs.clear()
        cached = self._in.get(role)
        if cached is not None:
            return cached
        if self.fast_members:
            cached = self._in[role] = self._expanded_in(role)
            return cached
        role_account = G.nodes[role]["account"]
        parts = role.split(":", 5)
        role_segment = parts[4] if len(parts) == 6 else None  # None: in no literal account (see literal_accounts)
        out: list[tuple[str, dict[str, Any], tuple[int, int]]] = []
        for u, _, data in G.in_edges(role, data=True):
            if G.nodes[u]["kind"] != NodeKind.PRINCIPALS.value:
                out.append((u, data, (0, self._direct_index(u)[id(data)])))
                continue
            for feeder in self._feeders(u):
                entries = self._hub_index(feeder).get(id(data), ())
                if not entries:
                    continue
                cross = entries[0][1]["cross_account"]
                rows = self._member_rows(feeder)
                picked: Iterable[int] = range(len(rows))
                if entries[0][1].get("identity_required"):
                    # the members allowed on every role, and those of each resource shape that may allow this one
                    # (the members share a few shapes), in the members' order: the cost is the members kept, not
                    # every member of every feeding hub (principals:* is fed by each account's hub)
                    everyone, shapes = self._member_groups(feeder)
                    kept = list(everyone)
                    for shape_id, accounts, statements, positions in shapes:
                        if accounts is not None and role_segment not in accounts:
                            continue  # its Resources name other accounts only (literal_accounts)
                        if self._may_shape(shape_id, statements, role):
                            kept.extend(positions)
                    kept.sort()
                    picked = kept
                for i in picked:
                    member, h, account = rows[i][:3]
                    if cross and account == role_account:
                        continue  # principals:* stands for other accounts' principals
                    for j, copy in entries:
                        out.append((member, copy, (1 + h, j)))
        cached = tuple(out)
        self._in[role] = cached
        return cached

    def _expanded_in(self, role: str) -> tuple[tuple[str, dict[str, Any], tuple[int, int]], ...]:
        """:meth:`in_candidates` of ``role`` (not cached here) from :meth:`_feeder_record`: the reference loop's
        entries in its order, one comprehension per (feeding hub, edge)."""
        G = self.G
        role_account = G.nodes[role]["account"]
        parts = role.split(":", 5)
        role_segment = parts[4] if len(parts) == 6 else None  # None: in no literal account (see literal_accounts)
        out: list[tuple[str, dict[str, Any], tuple[int, int]]] = []
        extend = out.extend
        principals = NodeKind.PRINCIPALS.value
        may_memo = self._may_memo
        for u, _, data in G.in_edges(role, data=True):
            if G.nodes[u]["kind"] != principals:
                out.append((u, data, (0, self._direct_index(u)[id(data)])))
                continue
            own = self._own_positions(u).get(id(data))
            if own is None:
                continue
            for feeder in self._feeders(u):
                offsets, targets, pairs, accounts, uniform = self._feeder_record(feeder)
                if not pairs:
                    continue
                entries = [(o + own, targets[o + own][1]) for o in offsets.get(u, ())]
                if not entries:
                    continue
                first = entries[0][1]
                cross = first["cross_account"]
                if cross and uniform and accounts[0] == role_account:
                    continue  # principals:* stands for other accounts' principals: every member is of this one
                selected: Sequence[tuple[str, int]]
                if first.get("identity_required"):
                    # the members allowed on every role, and those of each resource shape that may allow this one
                    everyone, shapes = self._member_groups(feeder)
                    kept = list(everyone)
                    groups = 1 if everyone else 0
                    for shape_id, literal, statements, positions in shapes:
                        if literal is not None and role_segment not in literal:
                            continue  # its Resources name other accounts only (literal_accounts)
                        answer = may_memo.get((shape_id, role))
                        if answer is None:
                            answer = self._may_shape(shape_id, statements, role)
                        if answer:
                            kept.extend(positions)
                            groups += 1
                    if groups > 1:
                        kept.sort()  # each group's positions are in order already
                    if cross and not uniform:
                        selected = [pairs[i] for i in kept if accounts[i] != role_account]
                    else:
                        selected = [pairs[i] for i in kept]
                elif cross and not uniform:
                    selected = [p for p, a in zip(pairs, accounts, strict=True) if a != role_account]
                else:
                    selected = pairs
                if len(entries) == 1:
                    j, copy = entries[0]
                    extend([(member, copy, (h1, j)) for member, h1 in selected])
                else:
                    extend([(member, copy, (h1, j)) for member, h1 in selected for j, copy in entries])
        return tuple(out)

    def _feeder_record(self, hub: str) -> FeederRecord:
        """What :meth:`_expanded_in` reads of a feeding hub, in one lookup: its :meth:`_block_offsets` and
        :meth:`_hub_targets`, its members in
        graph order as (member, 1 + position of ``hub`` among the member's hubs), their accounts, and whether they
        all share one account (the members' identity scopes are read only by :meth:`_member_groups`, for edges that
        need an identity allow); cached per hub and graph version."""
        cached = self._pairs.get(hub)
        if cached is None:
            nodes = self.G.nodes
            members = self._members(hub)
            pairs = tuple((m, 1 + self._own_edges(m)[1].index(hub)) for m in members)
            accounts = tuple(nodes[m].get("account") for m in members)
            cached = (self._block_offsets(hub), self._hub_targets(hub), pairs, accounts, len(set(accounts)) <= 1)
            self._pairs[hub] = cached
        return cached

    def _block_offsets(self, hub: str) -> dict[str, tuple[int, ...]]:
        """For ``hub`` and each hub whose edges :meth:`_hub_targets` copies into its list (by member edges), the
        positions in ``_hub_targets(hub)`` where that hub's list starts, in order: the entries of an edge of hub
        ``u`` in the list are those offsets plus the edge's position in ``u``'s own list (:meth:`_own_positions`).
        A few ints per hub, where an index of every entry would hold one per edge of every hub it copies."""
        cached = self._offsets.get(hub)
        if cached is None:
            G = self.G
            found: dict[str, list[int]] = {hub: [0]}
            at = 0
            for _, target, data in G.out_edges(hub, data=True):
                if G.nodes[target]["kind"] == NodeKind.ROLE.value:
                    at += 1
                elif data.get("kind") == "member":
                    for inner, offsets in self._block_offsets(target).items():
                        found.setdefault(inner, []).extend(at + o for o in offsets)
                    at += len(self._hub_targets(target))
            cached = self._offsets[hub] = {k: tuple(sorted(v)) for k, v in found.items()}
        return cached

    def _own_positions(self, hub: str) -> dict[int, int]:
        """``id`` of the data of each of ``hub``'s own edges to a role -> its position in ``_hub_targets(hub)``."""
        cached = self._own_pos.get(hub)
        if cached is None:
            G = self.G
            cached = {}
            at = 0
            for _, target, data in G.out_edges(hub, data=True):
                if G.nodes[target]["kind"] == NodeKind.ROLE.value:
                    cached[id(data)] = at
                    at += 1
                elif data.get("kind") == "member":
                    at += len(self._hub_targets(target))
            self._own_pos[hub] = cached
        return cached

    def mfa_in_candidates(self, role: str) -> tuple[tuple[str, dict[str, Any]], ...]:
        """The (node, edge data) of :meth:`in_candidates` whose node is an IAM user, an outside account or
        ``external``: the callers whose hop can produce a session of ``role`` that carries MFA (cached per role;
        hubs contribute only their user members)."""
        self.in_candidates(role)  # refreshes the caches when the graph gained nodes
        cached = self._mfa_in.get(role)
        if cached is None:
            cached = self._mfa_in[role] = tuple(self._mfa_entries(role, hubs=True))
        return cached

    def mfa_session_possible(self, role: str, users_count: bool) -> bool:
        """Whether :meth:`mfa_in_candidates` of ``role`` holds an entry whose node is not an IAM user, or (when
        ``users_count``) any entry at all: the same answer as testing the list, without building it (the identity
        filter is applied to a hub's user members only until one passes)."""
        G = self.G
        if graph_version(G) != self._version:
            self.in_candidates(role)  # drops the caches built from an older graph
        listed = self._mfa_in.get(role)
        user = NodeKind.USER.value
        entries = listed if listed is not None else self._mfa_entries(role, hubs=users_count)
        return any(users_count or G.nodes[u]["kind"] != user for u, _ in entries)

    def _mfa_entries(self, role: str, *, hubs: bool) -> Iterator[tuple[str, dict[str, Any]]]:
        """The entries of :meth:`mfa_in_candidates` in order, lazily; without ``hubs``, only the direct ones (a
        hub contributes user members only)."""
        G = self.G
        role_account = G.nodes[role]["account"]
        for u, _, data in G.in_edges(role, data=True):
            kind = G.nodes[u]["kind"]
            if kind in MFA_SOURCE_KINDS:
                yield u, data
            elif kind == NodeKind.PRINCIPALS.value and hubs:
                own = self._own_positions(u).get(id(data)) if self.fast_members else None
                for feeder in self._feeders(u):
                    if own is not None:
                        offsets = self._block_offsets(feeder).get(u)
                        if not offsets:
                            continue
                        copy = self._hub_targets(feeder)[offsets[0] + own][1]
                    else:
                        entries = self._hub_index(feeder).get(id(data), ())
                        if not entries:
                            continue
                        copy = entries[0][1]
                    for member in self._user_members(feeder):
                        if copy["cross_account"] and G.nodes[member].get("account") == role_account:
                            continue
                        if copy.get("identity_required") and not self.may_assume(member, role):
                            continue
                        yield member, copy

    def _user_members(self, hub: str) -> tuple[str, ...]:
        cached = self._hub_users.get(hub)
        if cached is None:
            cached = tuple(m for m in self._members(hub) if self.G.nodes[m]["kind"] == NodeKind.USER.value)
            self._hub_users[hub] = cached
        return cached

    def _direct_index(self, node: str) -> dict[int, int]:
        cached = self._direct_pos.get(node)
        if cached is None:
            cached = {id(data): i for i, (_, data) in enumerate(self._own_edges(node)[0])}
            self._direct_pos[node] = cached
        return cached

    def _hub_index(self, hub: str) -> dict[int, tuple[tuple[int, dict[str, Any]], ...]]:
        """``id`` of a graph edge's data -> its entries (position, data marked via_hub) in ``_hub_targets(hub)``."""
        cached = self._hub_pos.get(hub)
        if cached is None and self.fast_members:
            built: dict[int, tuple[tuple[int, dict[str, Any]], ...]] = {}
            get = built.get
            for j, (_, data, _, orig) in enumerate(self._hub_targets(hub)):
                previous = get(orig)
                built[orig] = ((j, data),) if previous is None else (*previous, (j, data))
            cached = self._hub_pos[hub] = built
        if cached is None:
            index: dict[int, list[tuple[int, dict[str, Any]]]] = {}
            for j, (_, data, _, orig) in enumerate(self._hub_targets(hub)):
                index.setdefault(orig, []).append((j, data))
            cached = {k: tuple(v) for k, v in index.items()}
            self._hub_pos[hub] = cached
        return cached

    def _member_rows(self, hub: str) -> tuple[tuple[str, int, str | None, bool, tuple[Any, ...], int], ...]:
        """The members of ``hub`` in graph order, each with what :meth:`in_candidates` reads of it: the position
        of ``hub`` among its hubs, its account, and its identity scope (:meth:`_scope`); cached per hub."""
        cached = self._rows.get(hub)
        if cached is None:
            G = self.G
            cached = tuple((member, self._own_edges(member)[1].index(hub), G.nodes[member].get("account"),
                            *self._scope(member)) for member in self._members(hub))
            self._rows[hub] = cached
        return cached

    def _member_groups(self, hub: str) -> MemberGroups:
        """The positions in :meth:`_member_rows` of the members whose statements allow sts:AssumeRole on every role,
        and of the others grouped by resource shape, as (shape id, the accounts outside which none of its Resources
        matches a role or None (:func:`literal_accounts`), the statements of its first member, positions); cached
        per hub."""
        cached = self._groups.get(hub)
        if cached is None:
            everyone: list[int] = []
            shapes: dict[int, tuple[tuple[Any, ...], list[int]]] = {}
            scopes = ((self._scope(m) for m in self._members(hub)) if self.fast_members
                      else (row[3:] for row in self._member_rows(hub)))
            for i, (everything, statements, shape_id) in enumerate(scopes):
                if everything:
                    everyone.append(i)
                else:
                    shapes.setdefault(shape_id, (statements, []))[1].append(i)
            groups = []
            for shape_id, (statements, positions) in shapes.items():
                accounts = literal_accounts(statements)
                groups.append((shape_id, None if accounts is None else frozenset(accounts), statements,
                               tuple(positions)))
            cached = self._groups[hub] = (tuple(everyone), tuple(groups))
        return cached

    def _members(self, hub: str) -> tuple[str, ...]:
        """The nodes that list ``hub`` among their own hubs (its non-hub in-neighbours), in graph order."""
        cached = self._hub_members.get(hub)
        if cached is None:
            G = self.G
            cached = tuple(dict.fromkeys(
                u for u in G.predecessors(hub) if G.nodes[u]["kind"] != NodeKind.PRINCIPALS.value))
            self._hub_members[hub] = cached
        return cached

    def _feeders(self, hub: str) -> tuple[str, ...]:
        """The hubs whose ``_hub_targets`` include ``hub``'s edges: itself and the hubs with a member edge chain to
        it."""
        cached = self._hub_feeders.get(hub)
        if cached is None:
            G = self.G
            seen = {hub: None}
            stack = [hub]
            while stack:
                h = stack.pop()
                for u, _, data in G.in_edges(h, data=True):
                    if (G.nodes[u]["kind"] == NodeKind.PRINCIPALS.value and data.get("kind") == "member"
                            and u not in seen):
                        seen[u] = None
                        stack.append(u)
            cached = tuple(seen)
            self._hub_feeders[hub] = cached
        return cached

    def may_assume(self, node: str, role: str) -> bool:
        """The syntactic identity filter of :func:`trustgraph.graph.build.identity_may_allow`, per member: True
        when some Allow statement of the member's identity policies could allow sts:AssumeRole on ``role``."""
        everything, statements, shape_id = self._scope(node)
        return everything or self._may_shape(shape_id, statements, role)

    def _may_shape(self, shape_id: int, statements: tuple[Any, ...], role: str) -> bool:
        """Whether statements of one resource shape could allow sts:AssumeRole on ``role`` (memoised)."""
        key = (shape_id, role)
        answer = self._may_memo.get(key)
        if answer is None:
            from trustgraph.graph.build import resource_may_match

            answer = any(resource_may_match(st, role) for st in statements)
            self._may_memo[key] = answer
        return answer

    def _scope(self, node: str) -> tuple[bool, tuple[Any, ...], int]:
        """A member's Allow statements that may allow sts:AssumeRole: (whether one allows it on every role, the
        statements, the id of their resource shape)."""
        scope = self._assume_statements.get(node)
        if scope is None:  # (imported here: the memo answers every call but the first per member)
            from trustgraph.model.pattern import Star
            from trustgraph.model.policy import Effect
            from trustgraph.semantics.actions import statements_for_action

            caller = self._caller(node, False)
            policies = getattr(caller, "identity_policies", ())
            statements = tuple(
                st for p in policies for st in statements_for_action(p, Action.ASSUME_ROLE.value)
                if st.effect is Effect.ALLOW
            )
            everything = any(
                st.not_resources is None and (st.resources is None or any(g.pattern == (Star(),) for g in st.resources))
                for st in statements
            )
            # statements with the same resources answer alike: one answer per (resource shape, role), shared by
            # every member whose policies have that shape (policies are mostly shared managed ones)
            shape = tuple((st.resources, st.not_resources) for st in statements)
            scope = (everything, statements, self._shapes.setdefault(shape, len(self._shapes)))
            self._assume_statements[node] = scope
        return scope


def literal_accounts(statements: tuple[Any, ...]) -> tuple[str, ...] | None:
    """The accounts outside which no role ARN can match a Resource of ``statements`` (Allow statements for
    sts:AssumeRole), or None when some Resource may match a role of any account: a NotResource, a missing Resource,
    a pattern with a policy variable (kept for every role by the syntactic filter), one of fewer than six ARN
    segments (matched as a plain glob over the whole ARN), or a wildcard in the account segment.

    Sound for :func:`trustgraph.graph.build.resource_may_match` on a six-segment ARN: a literal account segment
    matches exactly that text (ARN matching is segment-wise and case-sensitive)."""
    from trustgraph.model.pattern import Literal, split_arn_pattern, variables_of

    accounts: dict[str, None] = {}
    for st in statements:
        if st.resources is None:
            return None
        for glob in st.resources:
            if variables_of(glob.pattern):
                return None
            segments = split_arn_pattern(glob.pattern)
            if segments is None:
                return None
            account = segments[4]
            if not all(isinstance(el, Literal) for el in account):
                return None
            accounts["".join(el.text for el in account if isinstance(el, Literal))] = None
    return tuple(accounts)


__all__ = ["MFA_SOURCE_KINDS", "HopCandidates", "HubEdge", "State", "literal_accounts"]
