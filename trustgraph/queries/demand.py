"""The reachability engine's carried-value demand: which carried values (a source identity, transitive session tags)
a search asks its hops with, and which role sessions it searches as plain ones (:class:`SessionDemand`, a base of
:class:`~trustgraph.queries.engine.ReachabilityEngine`).

Why a module of its own: the engine decides and memoises hops; what the estate demands of them (read off its
policies by :class:`~trustgraph.queries.carry.CarryDemand`, per role by
:class:`~trustgraph.queries.demandmap.DemandMap`) is a separate question with its own switches
(``per_role_demand``, ``per_role_plain``), asked by the engine's searches and by the shared, reverse and carried
searches alike (docs/semantics.md §8.7).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from trustgraph.queries.carry import CarryDemand

if TYPE_CHECKING:
    from trustgraph.model.estate import Estate
    from trustgraph.queries.demandmap import DemandMap
    from trustgraph.queries.engine import ReachabilityEngine


class SessionDemand:
    """The demand helpers of an engine: the attributes below are the engine's (set by its constructor)."""

    estate: Estate
    _demand: CarryDemand | None
    _demand_map: DemandMap | None
    _choiceless: dict[str, bool]
    #: True: a hop is asked with the demanded carried values of the kinds read downstream of its role only
    #: (queries.demandmap); False: with every demanded value (the reference)
    per_role_demand: bool
    #: True (with ``per_role_demand``): :meth:`plain_session` per role; False: the reference
    per_role_plain: bool
    #: True: :attr:`demand` read once per estate (:meth:`Estate.fact`), shared by every engine over it; False: read
    #: again by each engine (the reference)
    shared_demand: bool

    @property
    def demand(self) -> CarryDemand:
        """The carried values later policies of the estate can tell apart (queries.carry), read once per estate
        (``shared_demand``: a fresh engine over a loaded estate, the bench's cold question or a notebook's, paid
        ~15 ms of CPU at 2,000 roles to read every trust and identity policy again; a pure function of the estate,
        which never changes), else once per engine."""
        if self._demand is None:
            self._demand = (self.estate.fact(CarryDemand, CarryDemand.of) if self.shared_demand
                            else CarryDemand.of(self.estate))
        return self._demand

    def plain_session(self, node: str) -> bool:
        """Whether a session of role ``node`` carrying nothing is searched as a plain one (its candidates listed
        without the roles reached already): nothing is demanded, or, with ``per_role_demand`` and ``per_role_plain``,
        no hop from it is asked with a carried value (:meth:`DemandMap.quiet`); the reference: nothing demanded."""
        if not self.demand:
            return True
        return self.per_role_plain and self.per_role_demand and self._map().quiet(node)

    def asks_carried(self, role: str) -> bool:
        """Whether a Sat hop into ``role`` may be asked with a carried value besides its witness's: some kind is
        read after it (:meth:`demand_kinds`); with ``per_role_plain`` off: whenever anything is demanded."""
        if not (self.demand and self.per_role_plain and self.per_role_demand):
            return bool(self.demand)
        return bool(self._map().kinds(role))

    def demand_kinds(self, role: str) -> frozenset[str] | None:
        """The kinds of carried value a hop into ``role`` is asked with (:meth:`DemandMap.kinds`), None: every kind
        (``per_role_demand`` off)."""
        return self._map().kinds(role) if self.per_role_demand else None

    def chooses_nothing(self, role: str) -> bool:
        """Whether a Sat hop into ``role`` by a session carrying nothing, whose witness sets no source identity and
        passes no transitive tag, is asked with no carried value (:meth:`CarryDemand.choices` of the role's trust
        policy, ``carried`` and ``forced`` nothing, the role's :meth:`demand_kinds`, yields nothing: no demanded kind
        is read after the hop, or the trust policy may allow neither sts:SetSourceIdentity nor sts:TagSession for
        the kinds demanded). :meth:`~trustgraph.queries.engine.ReachabilityEngine.sat_leads` then gives the hop one
        lead, to the state its witness makes, and asks the engine nothing more. Memoised per role: the choices read
        only the estate's demand, the role's trust policy and the demand map, none of which changes (random-5 at
        2,000 roles: ~22,000 hops of role states carrying nothing, ~21 us each in the choices' tests)."""
        known = self._choiceless.get(role)
        if known is None:
            from trustgraph.semantics.carried import NOTHING

            trust = cast("ReachabilityEngine", self).target(role).role.trust_policy
            known = self._choiceless[role] = next(
                iter(self.demand.choices(trust, NOTHING, NOTHING, self.demand_kinds(role))), None) is None
        return known

    def _map(self) -> DemandMap:
        if self._demand_map is None:
            from trustgraph.queries.demandmap import DemandMap

            self._demand_map = DemandMap(cast("ReachabilityEngine", self))
        return self._demand_map


__all__ = ["SessionDemand"]
