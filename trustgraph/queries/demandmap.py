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
pass through such roles only. :meth:`DemandMap.kinds` names the kinds read downstream of a role, found on first
need by a forward walk over the hop candidates (:meth:`~trustgraph.queries.candidates.HopCandidates.hop_candidates`,
the lists the search walks) through such roles, stopping at the first reader; the roles a walk settles (on the way
to a reader, or everything walked when none is found) are not walked again. Why lazy: a map of every role built at
once (backward from the readers over the in-candidates, which expands each hub's members and reads their identity
policies) cost each fresh engine 0.07-0.18 s of CPU on its first question at 2,000 roles (random-3-2k: cold
who_can_reach median 18 -> 141 ms); a question walks from the roles it asks about only. The memo is dropped when
the graph's version changes.

What the search no longer makes: the carried states of those values. An unreachable answer's reason names the hops
found blocked, and the reference also names those of the carried states; verdicts, paths, witnesses and findings are
the same (``tests/queries/test_role_demand.py``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from trustgraph.graph.nodes import graph_version
from trustgraph.model.pattern import Variable
from trustgraph.queries.carry import PRINCIPAL_TAG, REQUEST_TAG, SOURCE_IDENTITY, may_allow
from trustgraph.semantics.request import Action

if TYPE_CHECKING:
    from trustgraph.model.policy import Policy
    from trustgraph.queries.engine import ReachabilityEngine

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
    """Per role, the kinds of carried value read downstream of its sessions (:meth:`kinds`), found on first need
    for each role and memoised for the engine's graph (dropped when the graph's version changes)."""

    def __init__(self, engine: ReachabilityEngine) -> None:
        self.engine = engine
        self._reset()

    def _reset(self) -> None:
        """Forget everything read off the graph (on first use, and when the graph's version changes)."""
        self._version = graph_version(self.engine.G)
        self._wanted: frozenset[str] | None = None  # the kinds the engine demands (None: not read yet)
        self._slots: dict[str, frozenset[str]] = {}  # role -> the kinds read downstream of it
        self._interned: dict[frozenset[str], frozenset[str]] = {}
        #: kind -> role -> whether a value of the kind set on a hop into the role is read downstream (settled ones)
        self._read_after: dict[str, dict[str, bool]] = {}
        self._policies: dict[int, tuple[Policy, frozenset[str]]] = {}  # id(policy) -> (policy, its kinds)
        self._entered: dict[tuple[str, bool], bool] = {}  # (role, source identity or tag) -> _enters
        self._session_reads: dict[str, frozenset[str]] = {}  # role -> kinds its sessions' own calls read
        self._resource_reads: dict[str, frozenset[str]] = {}  # role -> kinds its trust policy and RCPs read
        #: (role, source identity or tag) -> _successors
        self._next: dict[tuple[str, bool], tuple[str, ...]] = {}
        self._quiet: dict[str, bool] = {}  # role -> quiet

    def kinds(self, role: str) -> frozenset[str]:
        """The kinds of carried value (``aws:sourceidentity``, lower-cased tag keys) the engine demands that some
        policy downstream of a session of ``role`` reads: the values a hop into ``role`` is asked with
        (:meth:`CarryDemand.choices`'s ``kinds``)."""
        if graph_version(self.engine.G) != self._version:  # a tool changed the graph (graph.nodes.bump_version)
            self._reset()
        hit = self._slots.get(role)
        if hit is None:
            found = frozenset(s for s in self._demanded() if self._read_downstream(role, s))
            hit = self._slots[role] = self._interned.setdefault(found, found)
        return hit

    def quiet(self, role: str) -> bool:
        """Whether no hop from a session of ``role`` carrying nothing is asked with a carried value: for each
        demanded kind, no role such a session may try that a carrying session may get into (:meth:`_successors`)
        has the kind read after it (:meth:`kinds`). A role it may try that a carrying session cannot get into is
        asked with no value of the kind (``CarryDemand.choices`` needs the trust policy to allow setting one,
        :meth:`_enters`' test). Then each hop leads to the plain session of its role, or to a session carrying what
        its witness must set, which gets in nowhere the plain one does not (the module docstring): the session is
        searched as a plain one (``ReachabilityEngine.plain_session``). Memoised per role."""
        if graph_version(self.engine.G) != self._version:
            self._reset()
        hit = self._quiet.get(role)
        if hit is None:
            hit = self._quiet[role] = not any(self._read_downstream(nxt, kind) for kind in self._demanded()
                                              for nxt in self._successors(role, kind))
        return hit

    def _demanded(self) -> frozenset[str]:
        """The kinds of the values the engine's carry demand names (its tags' lower-cased keys, the source
        identity)."""
        if self._wanted is None:
            demand = self.engine.demand
            wanted = {k.lower() for k, _ in (*demand.tags, *demand.forced_tags)}
            if demand.source_identities or demand.forced_identities:
                wanted.add(SOURCE_IDENTITY)
            self._wanted = frozenset(wanted)
        return self._wanted

    def _read_downstream(self, role: str, kind: str) -> bool:
        """Whether some policy after a hop into ``role`` that set a value of ``kind`` may read it: walking forward
        from ``role`` through the roles a carrying session may get into (:meth:`_enters`), one of them reads it on
        its sessions' side, or a role such a session may try reads it on its resource side (trust policy, RCPs).

        Depth-first, stopping at the first reader: the roles on the way to it are settled True; when none is found,
        every role walked is settled False (everything after them was walked). A role settled either way is not
        walked again, so the walks of all roles together cost one walk of the graph per kind at most."""
        settled = self._read_after.setdefault(kind, {})
        known = settled.get(role)
        if known is not None:
            return known
        parent: dict[str, str | None] = {role: None}
        stack = [role]
        reader: str | None = None
        while stack and reader is None:
            node = stack.pop()
            if node != role or self._enters(node, kind):
                if kind in self._session_side(node):
                    reader = node
                    break
            for nxt in self._successors(node, kind):
                if kind in self._resource_side(nxt) or settled.get(nxt) is True:
                    reader = node
                    break
                if nxt not in parent and nxt not in settled:
                    parent[nxt] = node
                    stack.append(nxt)
        if reader is None:
            for node in parent:
                settled[node] = False
            return False
        at: str | None = reader
        while at is not None:
            settled[at] = True
            at = parent[at]
        return True

    def _successors(self, role: str, kind: str) -> tuple[str, ...]:
        """The roles a session of ``role`` may try in one hop
        (:meth:`~trustgraph.queries.candidates.HopCandidates.hop_candidates`, the lists the search walks) and which a
        session carrying a value of ``kind`` may get into (:meth:`_enters`), in order, without repeats (memoised per
        role and side: source identity or tag)."""
        key = (role, kind == SOURCE_IDENTITY)
        hit = self._next.get(key)
        if hit is None:
            candidates = self.engine.candidates
            found: dict[str, None] = {}
            # hop_candidates' entries, the identity filter (the costly test) applied last, to entered roles only
            for nxt, data in candidates.lazy_candidates(role):
                if nxt not in found and self._enters(nxt, kind) and (
                        not (data.get("identity_required") and data.get("via_hub"))
                        or candidates.may_assume(role, nxt)):
                    found[nxt] = None
            hit = self._next[key] = tuple(found)
        return hit

    def _session_side(self, role: str) -> frozenset[str]:
        """The kinds the calls of a session of ``role`` read on the identity side (identity policies, boundary,
        session policies, SCPs)."""
        hit = self._session_reads.get(role)
        if hit is None:
            caller = self.engine.caller(role, False)
            policies = [*getattr(caller, "identity_policies", ()), getattr(caller, "boundary", None),
                        *getattr(caller, "session_policies", ())]
            for level in getattr(caller, "scp_levels", None) or ():
                policies.extend(level)
            hit = self._session_reads[role] = frozenset(self._kinds(policies))
        return hit

    def _resource_side(self, role: str) -> frozenset[str]:
        """The kinds a call into ``role`` reads on the resource side (trust policy, RCPs)."""
        hit = self._resource_reads.get(role)
        if hit is None:
            target = self.engine.target(role)
            policies: list[Policy | None] = [target.role.trust_policy]
            for level in target.rcp_levels or ():
                policies.extend(level)
            hit = self._resource_reads[role] = frozenset(self._kinds(policies))
        return hit

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


__all__ = ["DemandMap", "policy_slots", "slot_of"]
