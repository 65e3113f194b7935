"""What the reachability search carries from hop to hop besides MFA: a session's source identity and transitive
session tags (:class:`trustgraph.semantics.carried.Carried`, docs/semantics.md §1.6, §8.7).

A search state is ``(node, session carries MFA)`` for a session that carries nothing (every start, and almost every
state of a search), and ``(node, MFA, carried)`` for a session that carries a source identity or transitive tags:
such a session is a different caller (its next call must be allowed sts:SetSourceIdentity / sts:TagSession, it sends
its source identity, its principal tags are the carried ones), so it is a different state, and equal carried facts
make equal states (:class:`Carried` is canonical and hashable), which the search merges.

Which carried facts a hop yields:

- the one its witness request carries (the caller's, plus a source identity or transitive tags the call sets). The
  witness that sets nothing is preferred when the hop allows one, so that later hops are not held to a choice the
  caller did not need to make;
- on demand, the ones a later policy can tell apart (:class:`CarryDemand`): when some trust or role identity policy
  of the estate reads ``aws:SourceIdentity`` (present only on a session that carries one) or ``aws:PrincipalTag/K``,
  a hop into a role whose trust policy may allow sts:SetSourceIdentity (sts:TagSession) is also asked with each value
  those policies name set as the source identity (passed as a transitive tag K), one at a time. A later hop is then
  decided on the carried value exactly, and the hop that set it allowed that value: a condition at hop 3 is met only
  by values hop 1 allows.

A carrying session's next call is asked with no constraint on session tags of the carried keys: the encoding holds
such a tag to the carried value (``smt.reference`` / ``smt.difference``, as ``semantics.carried.tag_problem`` refuses
another one), so a witness passes it again only when the hop needs it, as a trust requiring the key in
``sts:TransitiveTagKeys`` does (that key names only the call's own tags: conformance 118f). Holding it absent lost 4
external-path-to-admin findings of random:3-20k.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from trustgraph.model.pattern import AnyChar, Literal, Star, Variable
from trustgraph.model.policy import Effect, Policy
from trustgraph.semantics.carried import NOTHING, Carried
from trustgraph.semantics.request import Action

if TYPE_CHECKING:
    from trustgraph.model.estate import Estate
    from trustgraph.model.pattern import Pattern
    from trustgraph.queries.candidates import State
    from trustgraph.smt.results import KeyConstraint

SOURCE_IDENTITY = "aws:sourceidentity"
PRINCIPAL_TAG = "aws:principaltag/"
REQUEST_TAG = "aws:requesttag/"
#: a value for a condition that needs the key present but names no value (``Null false``, a negated operator):
#: valid as a source identity and a tag value (2-64 characters of ``[\w+=,.@-]``)
GENERIC = "tg-carried"


def state_of(node: str, mfa: bool, carried: Carried = NOTHING) -> State:
    """The search state of a session of ``node``: ``(node, mfa)`` when it carries nothing, else with ``carried``."""
    return (node, mfa, carried) if carried else (node, mfa)


def carried_of(state: State) -> Carried:
    """What the session of a state carries."""
    return state[2] if len(state) == 3 else NOTHING


def _fill(pattern: Pattern) -> str | None:
    """One value a glob matches (``*`` and ``?`` filled), None when it holds a policy variable."""
    out: list[str] = []
    for el in pattern:
        if isinstance(el, Literal):
            out.append(el.text)
        elif isinstance(el, Star):
            out.append("")
        elif isinstance(el, AnyChar):
            out.append("x")
        elif isinstance(el, Variable):
            return None
    return "".join(out)


@dataclass(frozen=True)
class CarryDemand:
    """The carried values later policies of the estate can tell apart (see the module docstring).

    ``source_identities`` and ``tags`` are asked on every hop that may set them, when some policy reads the carried
    key (``aws:SourceIdentity``, ``aws:PrincipalTag/KEY``): a session that carries a value may get in where one
    that carries none cannot. ``forced_identities`` and ``forced_tags`` (every value either side names) are asked
    only on a hop whose witness must set one (its trust requires it): the value it chooses is then sent again by
    every later call (``sts:SourceIdentity``; a carried tag key cannot be passed with another value), so which one
    matters even when nothing reads the carried key."""

    source_identities: tuple[str, ...] = ()
    tags: tuple[tuple[str, str], ...] = ()
    forced_identities: tuple[str, ...] = ()
    forced_tags: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, estate: Estate) -> CarryDemand:
        """Read off every trust policy and role identity policy of ``estate``: the values of conditions on the
        carried keys (aws:SourceIdentity, aws:PrincipalTag/KEY) and on the setting keys (sts:SourceIdentity,
        aws:RequestTag/KEY); a read key also gets the values its setting key names, so that a value one side pins
        and the other matches by a glob is tried."""
        read: dict[str, set[str]] = {}
        set_side: dict[str, set[str]] = {}
        for policy in _policies(estate):
            for st in policy.statements:
                for c in st.conditions:
                    key = c.key.lower()
                    carried_key = key == SOURCE_IDENTITY or key.startswith(PRINCIPAL_TAG)
                    if carried_key:
                        slot = SOURCE_IDENTITY if key == SOURCE_IDENTITY else key[len(PRINCIPAL_TAG):]
                        bucket = read.setdefault(slot, set())
                    elif key == "sts:sourceidentity":
                        bucket = set_side.setdefault(SOURCE_IDENTITY, set())
                    elif key.startswith(REQUEST_TAG):
                        bucket = set_side.setdefault(key[len(REQUEST_TAG):], set())
                    else:
                        continue
                    values = {v for v in (_fill(p) for p in c.patterns) if v and len(v) >= 2}
                    op = c.operator.value.lower()
                    if carried_key and (op.startswith("null") or "not" in op or not values):
                        values.add(GENERIC)
                    bucket.update(values)
        every = {slot: set(values) for slot, values in set_side.items()}
        for slot, values in read.items():
            values.update(set_side.get(slot, ()))
            every.setdefault(slot, set()).update(values)
        identities = tuple(sorted(read.pop(SOURCE_IDENTITY, ())))
        tags = tuple(sorted((k, v) for k, values in read.items() for v in values))
        forced_identities = tuple(sorted(every.pop(SOURCE_IDENTITY, ())))
        forced_tags = tuple(sorted((k, v) for k, values in every.items() for v in values))
        return cls(identities, tags, forced_identities, forced_tags)

    def __bool__(self) -> bool:
        """Whether some policy reads a carried key (a carried session may get in where a plain one cannot)."""
        return bool(self.source_identities or self.tags)

    def choices(self, trust: Policy, carried: Carried, forced: Carried = NOTHING,
                kinds: frozenset[str] | None = None) -> Iterator[tuple[KeyConstraint, ...]]:
        """The constraint sets a hop into a role with trust policy ``trust`` is also asked under, by a session that
        carries ``carried`` and whose witness for the hop must set ``forced``: each demanded source identity (when
        it carries none and the trust policy may allow sts:SetSourceIdentity), each demanded tag as a transitive
        session tag (when it carries none and the trust policy may allow sts:TagSession); the forced values of the
        keys the witness must set. A session carries at most one demanded value of each kind, so the carried facts
        of the states of one role number at most (1 + source identities) x (1 + tags) besides what witnesses set:
        the search stays linear in the demand, not exponential.

        ``kinds`` (None: every kind): only the values of these kinds (``aws:sourceidentity``, a lower-cased tag
        key), those read after the hop (:mod:`trustgraph.queries.demandmap`), each where the whole demand asks it."""
        from trustgraph.smt.results import KeyConstraint

        identities = self.source_identities or (self.forced_identities if forced.source_identity else ())
        if kinds is not None and SOURCE_IDENTITY not in kinds:
            identities = ()
        if identities and carried.source_identity is None and may_allow(trust, Action.SET_SOURCE_IDENTITY):
            for v in identities:
                yield (KeyConstraint("sts:SourceIdentity", "equals", (v,)),)
        must = {k.lower() for k, _ in forced.transitive_tags}
        tags = self.tags or tuple((k, v) for k, v in self.forced_tags if k in must)
        if kinds is not None:
            tags = tuple((k, v) for k, v in tags if k.lower() in kinds)
        if tags and not carried.transitive_tags and may_allow(trust, Action.TAG_SESSION):
            for k, v in tags:
                yield (KeyConstraint(f"aws:RequestTag/{k}", "equals", (v,)),
                       KeyConstraint("sts:TransitiveTagKeys", "equals", (k,)))


def _policies(estate: Estate) -> Iterable[Policy]:
    from trustgraph.semantics.callers import identity_policies_of_role

    for role in estate.role_by_arn.values():
        yield role.trust_policy
        yield from identity_policies_of_role(estate, role)


def may_allow(trust: Policy, action: Action) -> bool:
    """Whether some Allow statement of ``trust`` may name ``action`` (its Action/NotAction globs)."""
    from trustgraph.graph.build import action_may_match

    return any(st.effect is Effect.ALLOW and action_may_match(st.actions, st.not_actions, action.value)
               for st in trust.statements)


__all__ = ["CarryDemand", "carried_of", "may_allow", "state_of"]
