"""Carried values asked per role: the kinds of carried value (the source identity, each tag key) a policy after a
hop into one role can read, so that the hop is asked with the demanded values of those kinds only
(docs/semantics.md §8.7; the demand itself: :class:`~trustgraph.queries.carry.CarryDemand`).

The search asks a hop into a role again with each demanded value set (a source identity, a transitive session tag),
so that a later policy reading it (``aws:SourceIdentity``, ``aws:PrincipalTag/KEY``) may let the carried session in
where a plain one cannot. A value set on the hop into role ``R`` is read only by the policies of the calls made
after it: the identity side of every call a session of ``R`` or of a later role of the chain makes (identity
policies, boundary, session policies, SCPs) and the resource side of every role called (trust policy, RCPs). When
none of those policies, on any chain of hop candidates from ``R``, reads a key of the value's kind, the carried
session of ``R`` gets in nowhere the session of the same hop without it gets in:

- every condition of every later call evaluates the same on both, except on the keys the carried session sends and
  the other may set itself (``sts:SourceIdentity``, ``aws:RequestTag/KEY``): it can send the same request, and then
  carries what the carried one carries;
- the carried session must also be allowed ``sts:SetSourceIdentity`` / ``sts:TagSession`` on every later call and
  cannot pass another value of a carried tag: it is held to more, never to less.

So the carried state's paths are those of the state the hop leads to without the value (listed first, reached no
later), and the search may leave the value out. A key of either side (``aws:SourceIdentity``,
``sts:SourceIdentity``, ``aws:PrincipalTag/KEY``, ``aws:RequestTag/KEY``) counts as a read, and so does a policy
variable naming one in a condition value or a Resource. A session carrying a value gets into a role only when its
trust policy may allow the companion action (``sts:SetSourceIdentity``, ``sts:TagSession``): the chains that carry it
pass through such roles only. :meth:`DemandMap.kinds` names the kinds read downstream of a role, found by walking
the hop candidates backward (:meth:`~trustgraph.queries.candidates.HopCandidates.
in_candidates`, the lists the search walks) from the readers once per kind: linear in the graph, once per engine
(again when the graph changes).

What the search no longer makes: the carried states of those values. An unreachable answer's reason names the hops
found blocked, and the reference also names those of the carried states; verdicts, paths, witnesses and findings are
the same (``tests/queries/test_role_demand.py``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from trustgraph.graph.nodes import NodeKind, graph_version
from trustgraph.model.pattern import Variable
from trustgraph.queries.carry import PRINCIPAL_TAG, REQUEST_TAG, SOURCE_IDENTITY, may_allow
from trustgraph.semantics.request import Action

if TYPE_CHECKING:
    from trustgraph.model.policy import Policy
    from trustgraph.queries.engine import ReachabilityEngine

_NONE: frozenset[str] = frozenset()
#: the set-side key of the source identity
_STS_SOURCE_IDENTITY = "sts:sourceidentity"


def slot_of(key: str) -> str | None:
    """The carried kind a (lower-cased) condition key or variable reads: ``aws:sourceidentity`` for the source
    identity (either side), the lower-cased tag key for a principal or request tag, else None.

    >>> slot_of("aws:principaltag/team"), slot_of("sts:sourceidentity"), slot_of("aws:username")
    ('team', 'aws:sourceidentity', None)
    """
    if key in (SOURCE_IDENTITY, _STS_SOURCE_IDENTITY):
        return SOURCE_IDENTITY
    for prefix in (PRINCIPAL_TAG, REQUEST_TAG):
        if key.startswith(prefix):
            return key[len(prefix):]
    return None


def _text_slots(text: str) -> set[str]:
    """The carried kinds named by the policy variables of a resource text (``${aws:PrincipalTag/team}``)."""
    out: set[str] = set()
    low = text.lower()
    start = low.find("${")
    while start >= 0:
        end = low.find("}", start)
        if end < 0:
            break
        slot = slot_of(low[start + 2:end].split(",", 1)[0].strip())
        if slot is not None:
            out.add(slot)
        start = low.find("${", end)
    return out


def policy_slots(policy: Policy) -> frozenset[str]:
    """The carried kinds ``policy`` reads: by a condition key, a policy variable in a condition value, or a policy
    variable in a Resource/NotResource (see the module docstring)."""
    out: set[str] = set()
    for st in policy.statements:
        for c in st.conditions:
            slot = slot_of(c.key.lower())
            if slot is not None:
                out.add(slot)
            for pattern in c.patterns:
                for el in pattern:
                    if isinstance(el, Variable):
                        slot = slot_of(el.key)
                        if slot is not None:
                            out.add(slot)
        for globs in (st.resources, st.not_resources):
            for g in globs or ():
                if "${" in g.text:
                    out |= _text_slots(g.text)
    return frozenset(out)


class DemandMap:
    """Per role, the kinds of carried value read downstream of its sessions (:meth:`kinds`); built on first use
    for the engine's graph, again when the graph changes."""

    def __init__(self, engine: ReachabilityEngine) -> None:
        self.engine = engine
        self._version = -1
        self._slots: dict[str, frozenset[str]] = {}  # role -> the kinds read downstream of it (absent: none)
        self._policies: dict[int, tuple[Policy, frozenset[str]]] = {}  # id(policy) -> (policy, its kinds)
        self._entered: dict[tuple[str, bool], bool] = {}  # (role, source identity or tag) -> _enters

    def kinds(self, role: str) -> frozenset[str]:
        """The kinds of carried value (``aws:sourceidentity``, lower-cased tag keys) the engine demands that some
        policy downstream of a session of ``role`` reads: the values a hop into ``role`` is asked with
        (:meth:`CarryDemand.choices`'s ``kinds``)."""
        self._build()
        return self._slots.get(role, _NONE)

    def _kinds(self, policies: Iterable[Policy | None]) -> set[str]:
        out: set[str] = set()
        cache = self._policies
        for p in policies:
            if p is None:
                continue
            hit = cache.get(id(p))
            if hit is None:
                hit = cache[id(p)] = (p, policy_slots(p))  # the policy kept: its id stays its own
            out |= hit[1]
        return out

    def _enters(self, role: str, kind: str) -> bool:
        """Whether a session carrying a value of ``kind`` may get into ``role``: its trust policy may allow the
        action a carrying call must also be allowed (``sts:SetSourceIdentity`` for the source identity,
        ``sts:TagSession`` for a transitive tag, :func:`~trustgraph.semantics.evaluate.companion_actions`)."""
        key = (role, kind == SOURCE_IDENTITY)
        hit = self._entered.get(key)
        if hit is None:
            action = Action.SET_SOURCE_IDENTITY if key[1] else Action.TAG_SESSION
            hit = self._entered[key] = may_allow(self.engine.target(role).role.trust_policy, action)
        return hit

    def _build(self) -> None:
        engine = self.engine
        G = engine.G
        if graph_version(G) == self._version:
            return
        self._version = graph_version(G)
        self._slots = {}
        demand = engine.demand
        wanted = {k.lower() for k, _ in (*demand.tags, *demand.forced_tags)}
        if demand.source_identities or demand.forced_identities:
            wanted.add(SOURCE_IDENTITY)
        if not wanted:
            return
        role_kind = NodeKind.ROLE.value
        roles = [n for n, a in G.nodes(data=True) if a["kind"] == role_kind]
        # seeds per kind: a role whose own sessions' calls read it (identity side) and which a carrying session may
        # get into, and every role one hop before a role whose resource side reads it and which one may get into
        seeds: dict[str, set[str]] = {s: set() for s in wanted}
        for role in roles:
            entered = {k for k in wanted if self._enters(role, k)}  # a session of the role may carry these
            if entered:
                caller = engine.caller(role, False)
                session_side = [*getattr(caller, "identity_policies", ()), getattr(caller, "boundary", None),
                                *getattr(caller, "session_policies", ())]
                for level in getattr(caller, "scp_levels", None) or ():
                    session_side.extend(level)
                for s in self._kinds(session_side) & entered:
                    seeds[s].add(role)
            target = engine.target(role)
            resource_side: list[Policy | None] = [target.role.trust_policy]
            for level in target.rcp_levels or ():
                resource_side.extend(level)
            read = {k for k in self._kinds(resource_side) & wanted if self._enters(role, k)}
            if read:
                for node, _, _ in engine.in_candidates(role):
                    if G.nodes[node]["kind"] == role_kind:
                        for s in read:
                            seeds[s].add(node)
        slots: dict[str, set[str]] = {}
        for s, found in seeds.items():
            reached = set(found)
            stack = list(found)
            while stack:
                role = stack.pop()
                if not self._enters(role, s):
                    continue  # a session carrying a value of this kind never gets in: no way back through it
                for node, _, _ in engine.in_candidates(role):
                    if node not in reached and G.nodes[node]["kind"] == role_kind:
                        reached.add(node)
                        stack.append(node)
            for role in reached:
                slots.setdefault(role, set()).add(s)
        interned: dict[frozenset[str], frozenset[str]] = {}
        for role, found in slots.items():
            kinds = frozenset(found)
            self._slots[role] = interned.setdefault(kinds, kinds)


__all__ = ["DemandMap", "policy_slots", "slot_of"]
