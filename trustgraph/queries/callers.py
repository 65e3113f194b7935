"""The callers and targets of an engine's hop questions (:class:`EngineCallers`, a base of
:class:`~trustgraph.queries.engine.ReachabilityEngine`): the caller standing for a graph node in a search state
(concrete for exported principals, symbolic for outsiders, accounts, providers and services; the session that carries
a source identity or transitive tags, :mod:`trustgraph.queries.carry`) and the target a role is, each built once per
engine.

Why a module of its own: who asks and who is asked are read off the estate, the zone and the graph's node attributes
alone; the engine's hop decisions and searches only use them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from trustgraph.graph.nodes import NodeKind
from trustgraph.queries.carry import state_of
from trustgraph.semantics.request import Caller, CallerKind

if TYPE_CHECKING:
    import networkx as nx

    from trustgraph.model.estate import Estate
    from trustgraph.model.zone import Zone
    from trustgraph.queries.candidates import State
    from trustgraph.queries.virtual import VirtualSource
    from trustgraph.semantics.carried import Carried
    from trustgraph.semantics.request import Target
    from trustgraph.smt.symbolic import SymbolicCaller


class EngineCallers:
    """The caller and target builders of an engine: the attributes below are the engine's (set by its constructor)."""

    G: nx.MultiDiGraph
    estate: Estate
    zone: Zone
    _callers: dict[State, Caller | SymbolicCaller]
    _inside: frozenset[str] | None
    _targets: dict[str, Target]
    #: sources that are not graph nodes (queries.virtual), by their ARN
    _virtual: dict[str, VirtualSource]

    def caller(self, node: str, mfa: bool, carried: Carried | None = None) -> Caller | SymbolicCaller:
        """The caller standing for a node in a state (concrete for exported principals, symbolic otherwise); a role
        session that ``carried`` a source identity or transitive tags is that session (queries.carry)."""
        if carried:
            carried_key = state_of(node, mfa, carried)
            hit = self._callers.get(carried_key)
            if hit is None:
                from trustgraph.semantics.carried import session_caller

                base = self.caller(node, mfa)
                hit = session_caller(base, carried) if isinstance(base, Caller) else base
                self._callers[carried_key] = hit
            return hit
        key = (node, mfa)
        cached = self._callers.get(key)
        if cached is not None:
            return cached
        from trustgraph.semantics.callers import caller_for_role_session, caller_for_user
        from trustgraph.smt.symbolic import SymbolicCaller

        virtual = self._virtual.get(node)
        if virtual is not None:
            self._callers[key] = virtual.caller
            return virtual.caller
        attrs = self.G.nodes[node]
        kind = attrs["kind"]
        caller: Caller | SymbolicCaller
        if kind == NodeKind.USER.value:
            caller = caller_for_user(self.estate, attrs["entity"], mfa_present=mfa, zone=self.zone)
        elif kind == NodeKind.ROLE.value:
            caller = caller_for_role_session(self.estate, attrs["entity"], mfa=mfa, zone=self.zone)
        elif kind == NodeKind.EXTERNAL.value:
            caller = SymbolicCaller(
                kind=CallerKind.ROLE_SESSION,
                excluded_accounts=self._inside_accounts(),
                excluded_orgs=frozenset(self.zone.organizations),
            )
        elif kind == NodeKind.ACCOUNT.value:
            caller = SymbolicCaller(
                kind=CallerKind.ROLE_SESSION,
                account=attrs["account"],
                excluded_orgs=frozenset(self.zone.organizations),
            )
        elif kind == NodeKind.SAML.value:
            caller = SymbolicCaller(kind=CallerKind.SAML, provider=attrs["provider"])
        elif kind in (NodeKind.OIDC.value, NodeKind.WEB_IDENTITY.value):
            caller = SymbolicCaller(kind=CallerKind.WEB_IDENTITY, provider=attrs["provider"])
        else:
            caller = SymbolicCaller(kind=CallerKind.SERVICE, provider=node.split(":", 1)[1])
        self._callers[key] = caller
        return caller

    def _inside_accounts(self) -> frozenset[str]:
        if self._inside is not None:
            return self._inside
        inside = set(self.zone.accounts)
        for org in self.estate.organizations:
            if org.org_id in self.zone.organizations:
                inside.update(a.account_id for a in org.accounts)
                if org.management_account_id:
                    inside.add(org.management_account_id)
        self._inside = frozenset(inside)
        return self._inside

    def target(self, role_arn: str) -> Target:
        """The role with the RCPs of its account."""
        cached = self._targets.get(role_arn)
        if cached is None:
            from trustgraph.semantics.callers import target_for_role

            cached = target_for_role(self.estate, self.estate.role_by_arn[role_arn])
            self._targets[role_arn] = cached
        return cached


__all__ = ["EngineCallers"]
