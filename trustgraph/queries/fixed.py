"""Hops the caller's fixed values rule out, decided Unsat before the solver is asked.

A hop must be allowed by the role's trust policy (docs/semantics.md §1: an identity policy alone never suffices). Of
the keys a trust statement's conditions read, some are fixed by the caller and the role whatever request the caller
makes (its principal tags, the transitive tags and source identity it carries, its ARN, organization, MFA; the pinned
time; the role's tags: the keys :mod:`trustgraph.queries.ground` calls *determined*), the others are the caller's
choice (aws:SourceIp, aws:UserAgent, session tags, sts:RoleSessionName, ...). When every Allow statement of the trust
policy that names the caller for the action has a condition on fixed keys only that is false on the caller's fixed
values, no request the caller can make is allowed: the hop is Unsat under any constraints, whatever it chooses. The
same holds for sts:TagSession (sts:SetSourceIdentity), which every call of a session carrying transitive tags (a
source identity) must also be allowed by the trust policy (docs/semantics.md §1.6).

:mod:`trustgraph.queries.ground` decides a hop by evaluation only when *every* key the hop's policies read is fixed;
a trust policy that also reads chosen keys (``aws:PrincipalTag/team`` equal to ``platform`` and ``aws:SourceIp`` in a
range) went to the solver, which built its full encoding to find the tag mismatch (random-profile organizations:
thousands of such hops per search, the sessions carrying one demanded tag value against trusts pinning another).
This test is a relaxation of the trust policy (its Allow statements with only their fixed-key conditions), so it is
sound: a request allowed by a statement meets the statement's fixed-key conditions, which hold on the fixed values
of every request of the caller. It never answers Sat; a hop it does not refute goes on as before.

Cost: one pass over the trust policy's statements per (caller state, role, action), memoised by the engine.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trustgraph.model.pattern import variables_of
from trustgraph.model.policy import Effect
from trustgraph.queries.ground import ENUMERABLE, RESOURCE_ORG_KEYS, is_determined, names_sessions
from trustgraph.semantics.evaluate import ORG_KEYS
from trustgraph.semantics.request import Action, CallerKind

if TYPE_CHECKING:
    from trustgraph.model.condition import Condition
    from trustgraph.semantics.request import Caller, Target

#: keys fixed only when the analysis time is pinned
_CLOCK = frozenset({"aws:currenttime", "aws:epochtime"})


def fixed_refutes(caller: Caller, target: Target, action: Action, now_ms: int | None) -> bool:
    """Whether the caller's fixed values rule out every Allow statement of the role's trust policy for ``action``
    (the hop is then Unsat under any constraints; see the module docstring). False when unsure."""
    from trustgraph.model.values import format_date
    from trustgraph.semantics.actions import statement_action_matches
    from trustgraph.semantics.conditions import UndecidableCondition, evaluate_conditions
    from trustgraph.semantics.context import build_request
    from trustgraph.semantics.principals import statement_principal_match

    name_free = caller.kind is CallerKind.ROLE_SESSION and caller.session_name is None
    if name_free and names_sessions(caller, target):
        return False  # which session of the role calls is a choice the trust policy tells apart
    org_free = caller.org_unknown is not None

    def fixed(key: str) -> bool:
        k = key.lower()
        if k in ENUMERABLE or (k in _CLOCK and now_ms is None):
            return False
        if k in RESOURCE_ORG_KEYS:
            return target.org_known
        return is_determined(k) and not (org_free and k in ORG_KEYS) and not (name_free and k == "aws:userid")

    def fixed_condition(c: Condition) -> bool:
        return fixed(c.key) and all(fixed(v.key) for p in c.patterns for v in variables_of(p))

    trust = target.role.trust_policy
    request: Any = None

    def may_allow(act: Action) -> bool:
        nonlocal request
        for st in trust.statements:
            if st.effect is not Effect.ALLOW or not statement_action_matches(st, act.value):
                continue
            if st.principals is None and st.not_principals is None:
                continue  # names no one: never allows in a trust policy (the evaluator requires a principal)
            if statement_principal_match(st, caller, act) is None:
                continue
            kept = [c for c in st.conditions if fixed_condition(c)]
            if not kept:
                return True
            if request is None:  # (a free session name is read only by aws:userid, which is not fixed then)
                now = format_date(now_ms) if now_ms is not None else None
                request = build_request(caller, action, {}, target=target, now=now)
            try:
                if evaluate_conditions(kept, request.context, variables=trust.variables_enabled):
                    return True
            except UndecidableCondition:
                return True
        return False

    # the action itself, and what every call of a session that carries tags or a source identity must also be allowed
    # (semantics.evaluate.companion_actions: the carried values pass into the new session)
    needed = [action]
    if caller.kind is CallerKind.ROLE_SESSION and caller.transitive_tags:
        needed.append(Action.TAG_SESSION)
    if caller.kind is CallerKind.ROLE_SESSION and caller.source_identity is not None:
        needed.append(Action.SET_SOURCE_IDENTITY)
    return not all(may_allow(a) for a in needed)


__all__ = ["fixed_refutes"]
