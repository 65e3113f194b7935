"""Whether the MFA of a role's session can matter to anything the session does next.

The search asks a hop from a symbolic AWS caller (``external``, ``account:ID``) into a role twice when MFA matters to
the estate: once as the solver's witness has it, once for the other MFA outcome, since a session obtained by an IAM
user presenting MFA carries MFA into its next call (docs/semantics.md §8.2). The session of the role with MFA and the
one without differ only in that next call's ``aws:MultiFactorAuthPresent`` / ``aws:MultiFactorAuthAge``: they make
the same sessions (a role session never passes MFA on). When no policy evaluated on a call of the role's session
reads an MFA key (the trust policies and RCPs of every role it may try, its identity policies, boundary and SCPs), the
evaluator decides every such call the same for both, so the second state reaches nothing the first does not, one
step later in the search's order: the search keeps the first and skips asking for the other outcome.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trustgraph.semantics.request import Caller

if TYPE_CHECKING:
    from trustgraph.model.policy import Policy
    from trustgraph.queries.engine import ReachabilityEngine


def mfa_read_after(engine: ReachabilityEngine, role: str) -> bool:
    """Whether some policy evaluated on a call of a session of ``role`` reads an MFA key (directly or through a
    policy variable: :func:`trustgraph.smt.mfa_twins.policy_reads_mfa`); True when the session's caller is not an
    exported role's (nothing is known of its policies). Memoised per role in ``engine.mfa_after``; a hub's edges into
    roles that read MFA are listed once per hub (``engine.mfa_hubs``)."""
    known = engine.mfa_after.get(role)
    if known is None:
        known = engine.mfa_after[role] = _reads_mfa_after(engine, role)
    return known


def _reads_mfa_after(engine: ReachabilityEngine, role: str) -> bool:
    # the session's policies, the same with MFA or without: the state without MFA's caller, which the search has
    # already made (a caller with MFA made here for every role of a hub would be one more per role, kept)
    caller = engine.caller(role, False)
    if not isinstance(caller, Caller):
        return True
    facts = engine.session.facts
    policies: list[Policy] = [*caller.identity_policies, *caller.session_policies,
                              *(p for level in caller.scp_levels or () for p in level)]
    if caller.boundary is not None:
        policies.append(caller.boundary)
    if any(facts(p).reads_mfa for p in policies):
        return True
    candidates = engine.candidates
    direct, hubs = candidates.own_edges(role)
    if any(_target_reads_mfa(engine, target_role) for target_role, _ in direct):
        return True
    own_account = engine.G.nodes[role].get("account")
    for hub in hubs:
        # a hub's edges are many and shared by its members: the identity filter only for the edges whose role reads
        # MFA (listed once per hub)
        for target_role, data, role_account in _hub_reading_mfa(engine, hub):
            if data["cross_account"] and role_account == own_account:
                continue
            if not (data.get("identity_required") and data.get("via_hub")) or candidates.may_assume(role, target_role):
                return True
    return False


def _target_reads_mfa(engine: ReachabilityEngine, role: str) -> bool:
    """Whether the role's trust policy or RCPs read MFA (memoised per role in ``engine.mfa_roles``: a role is an
    edge of many hubs, e.g. of every account's ``principals:ID`` through ``principals:*``)."""
    known = engine.mfa_roles.get(role)
    if known is None:
        target = engine.target(role)
        facts = engine.session.facts
        known = engine.mfa_roles[role] = facts(target.role.trust_policy).reads_mfa or any(
            facts(p).reads_mfa for level in target.rcp_levels or () for p in level)
    return known


def _hub_reading_mfa(engine: ReachabilityEngine, hub: str) -> tuple[tuple[str, dict[str, Any], str], ...]:
    """The edges of ``hub`` into roles whose trust policy or RCPs read MFA, in candidate order (memoised per hub in
    ``engine.mfa_hubs``)."""
    known = engine.mfa_hubs.get(hub)
    if known is None:
        known = engine.mfa_hubs[hub] = tuple(
            (t[0], t[1], t[2]) for t in engine.candidates.hub_targets(hub) if _target_reads_mfa(engine, t[0]))
    return known


__all__ = ["mfa_read_after"]
