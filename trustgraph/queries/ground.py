"""Hops decided by plain evaluation, before the solver is asked.

When no policy that takes part in a hop (the role's trust policy, the caller's identity policies, boundary and session
policies, SCPs and RCPs) mentions a key the caller could choose — only keys derived from the caller or the role, and the
pinned time — the request is fully determined by the caller, and the reference evaluator decides the hop exactly: its
ALLOW comes with the request as witness, its denial is a proof. This is the common case in real estates (account and
role grants without conditions, aws:PrincipalOrgID guards) and it costs one evaluation instead of a solver call.
Anything else returns None and goes to :func:`trustgraph.smt.solve.solve_hop`.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from typing import Any

from trustgraph.model.policy import Policy
from trustgraph.semantics.context import DEFAULT_SESSION_NAME
from trustgraph.semantics.evaluate import ORG_KEYS
from trustgraph.semantics.keys import key_info
from trustgraph.semantics.request import Action, Caller, CallerKind, Target
from trustgraph.smt.facts import keys_read

_DETERMINED_EXTRA = frozenset({"aws:currenttime", "aws:epochtime", "aws:resourceaccount"})
#: caller-chosen keys with a small domain: every choice is tried (HTTPS or not)
ENUMERABLE: dict[str, tuple[tuple[str, ...], ...]] = {"aws:securetransport": (("true",), ("false",))}
RESOURCE_ORG_KEYS = frozenset({"aws:resourceorgid", "aws:resourceorgpaths"})


#: principal keys whose value the caller's history chooses (how long ago MFA was used, the session issued): the
#: solver keeps them symbolic (``smt.symbolic.age_builders``), so a policy reading them is not decided here
_AGES = frozenset({"aws:multifactorauthage", "aws:tokenissuetime"})


def is_determined(key: str) -> bool:
    """Whether a hop's request fixes ``key`` from the caller, the role and the pinned time alone (the caller chooses
    no value for it)."""
    if key in _AGES:
        return False
    return key in _DETERMINED_EXTRA or key.startswith("aws:resourcetag/") or key_info(key).principal_derived


def _policies(caller: Caller, target: Target) -> Iterable[tuple[Policy, bool]]:
    """The hop's policies, each with whether it is the caller's (whose statements for other actions take no part)."""
    yield target.role.trust_policy, False
    yield from ((p, True) for p in caller.identity_policies)
    if caller.boundary is not None:
        yield caller.boundary, True
    yield from ((p, True) for p in caller.session_policies)
    for level in caller.scp_levels or ():
        yield from ((p, True) for p in level)
    for level in target.rcp_levels or ():
        yield from ((p, False) for p in level)


def keys_for_action(policy: Policy, action: Action,
                    memo: dict[tuple[str, Action], frozenset[str]] | None = None) -> frozenset[str]:
    """The keys read by the statements of a caller's policy whose Action may match ``action`` (the others take no
    part in the decision of a call of ``action``, whatever the request holds), memoised per (policy text, action)
    in ``memo`` when given."""
    key = (policy.canonical_text(), action)
    hit = memo.get(key) if memo is not None else None
    if hit is not None:
        return hit
    from trustgraph.graph.build import action_may_match

    out = keys_read(policy, (st for st in policy.statements
                             if action_may_match(st.actions, st.not_actions, action.value)))
    if memo is not None:
        memo[key] = out
    return out


def decide_by_evaluation(
    caller: Caller, target: Target, action: Action, constraints: Sequence[Any], now_ms: int | None,
    memo: dict[tuple[Any, ...], tuple[Any, ...]] | None = None, memo_key: Any = None,
    keys_of: Callable[[Policy], frozenset[str]] = keys_read,
    narrowed: dict[tuple[str, Action], frozenset[str]] | None = None,
) -> Any | None:
    """Sat/Unsat by evaluating the one request the caller can make, or None when the solver is needed.

    A constraint on a key derived from the caller (``aws:MultiFactorAuthPresent`` not ``true``) is a fact of the one
    request: when the request meets it, the evaluation decides the constrained hop as it decides the plain one; when
    it does not, the solver says why. ``memo`` (owned by the caller, e.g. a reachability engine) keeps the evaluated
    requests under ``memo_key`` (the owner's name for this caller and target, e.g. its (state, role)), so that the
    same hop asked under other constraints is not evaluated again; it also keeps the keys the hop's policies read
    (:class:`HopKeys`) and the SCP and RCP levels that are the same part of every decision
    (:attr:`~trustgraph.semantics.evaluate.HopEvaluation.constant_levels`). ``keys_of`` gives the keys a policy
    reads (the owner's table of policy facts; :func:`trustgraph.smt.facts.keys_read` by default). With ``narrowed``
    (the owner's memo for :func:`keys_for_action`), a policy of the caller counts only with the statements that may
    apply to the action: a key only statements for other actions read does not make the request undetermined."""
    from trustgraph.semantics.context import build_request
    from trustgraph.semantics.evaluate import evaluate_hop
    from trustgraph.smt.solve import Sat, Unsat

    if caller.source_identity is not None or caller.transitive_tags:
        return None
    org_free = caller.org_unknown is not None  # its organization is a choice (or unknown): the solver decides
    # a role session whose name is free (any session of the role: docs/semantics.md §4.3) has one request only when
    # nothing reads the name; then it is the default one
    name_free = caller.kind is CallerKind.ROLE_SESSION and caller.session_name is None
    if name_free and names_sessions(caller, target):
        return None
    enumerated: set[str] = set()
    for k in _hop_keys(caller, target, action, keys_of, narrowed, memo):
        if k in ENUMERABLE:
            enumerated.add(k)
        elif k in RESOURCE_ORG_KEYS:
            if not target.org_known:
                return None  # the role's organization is unknown: the solver tries every one
        elif not is_determined(k) or (org_free and k in ORG_KEYS) or (name_free and k == "aws:userid"):
            return None
    if name_free:
        caller = _named(caller, memo)
    given: dict[str, tuple[str, ...]] = {}
    for c in constraints:
        key = c.key.lower()
        if key in enumerated:
            return None
        if c.op == "equals":
            if is_determined(key):
                return None  # a constraint on a derived key may contradict the caller: the solver says how
            given[key] = tuple(c.values)
        elif c.op != "absent" and c.op != "not-like" and is_determined(key):
            return None
    now = _date_text(now_ms) if now_ms is not None else None
    first: Any = None
    for choice in itertools.product(*(ENUMERABLE[k] for k in sorted(enumerated))):
        chosen = {**given, **dict(zip(sorted(enumerated), choice, strict=True))}
        mkey = (memo_key, action, tuple(sorted(chosen.items())), now)
        hit = memo.get(mkey) if memo is not None and memo_key is not None else None
        if hit is not None:
            caller, request, decision = hit
        else:
            request = build_request(caller, action, chosen, target=target, now=now)
            decision = evaluate_hop(caller, target, request, memo)
            if memo is not None and memo_key is not None:
                memo[mkey] = (caller, request, decision)
        if not _meets(request, constraints):
            return None
        if decision.allowed:
            approximations = tuple(f"{what} at {loc}" for what, loc in decision.approximations)
            return Sat(caller=caller, request=request, decision=decision, approximations=approximations)
        if first is None:
            first = (request, decision)
    request, decision = first
    core = decision.reasons or ("no trust statement allows the call",)
    locations = tuple(st.location for st in decision.statements) or _failing_conditions(caller, target, action,
                                                                                        request)
    return Unsat(core=tuple(core), locations=locations)


class HopKeys:
    """How :func:`_hop_keys` keeps what it reads in the owner's memo.

    ``by_content`` (class-level switch; False: the reference, per caller object and per target object): the keys
    of the caller's identity, boundary and session policies kept per their texts and action, those of the SCP and
    RCP levels per levels object (one per account, held by its organization and shared by every caller and target
    of the account), the trust policy's read off the owner's facts table. A federated search of a chain-heavy
    organization asks ~8,800 hops whose callers and targets are each asked once (every state a new caller, every
    target new), so the per-object memo never hits there, while the policies' texts repeat and the levels are a
    handful. Same keys (tests/queries/test_hop_keys.py)."""

    by_content = True


def _hop_keys(caller: Caller, target: Target, action: Action, keys_of: Callable[[Policy], frozenset[str]],
              narrowed: dict[tuple[str, Action], frozenset[str]] | None,
              memo: dict[tuple[Any, ...], tuple[Any, ...]] | None) -> frozenset[str]:
    """The keys the hop's policies read (:func:`_policies`; a policy of the caller with ``narrowed``: only its
    statements that may apply to ``action``), kept in ``memo`` as :class:`HopKeys` says."""
    if memo is not None and HopKeys.by_content:
        return _keys_by_content(caller, target, action, keys_of, narrowed, memo)
    own_key = ("hop-keys:caller", id(caller), action, narrowed is not None)
    role_key = ("hop-keys:target", id(target))
    own_hit = memo.get(own_key) if memo is not None else None
    role_hit = memo.get(role_key) if memo is not None else None
    own: frozenset[str]
    theirs: frozenset[str]
    if own_hit is not None and own_hit[0] is caller:
        own = own_hit[1]
    else:
        own = frozenset().union(*(keys_for_action(p, action, narrowed) if narrowed is not None else keys_of(p)
                                  for p, mine in _policies(caller, target) if mine))
        if memo is not None:
            memo[own_key] = (caller, own)
    if role_hit is not None and role_hit[0] is target:
        theirs = role_hit[1]
    else:
        theirs = frozenset().union(*(keys_of(p) for p, mine in _policies(caller, target) if not mine))
        if memo is not None:
            memo[role_key] = (target, theirs)
    return own | theirs


def _keys_by_content(caller: Caller, target: Target, action: Action, keys_of: Callable[[Policy], frozenset[str]],
                     narrowed: dict[tuple[str, Action], frozenset[str]] | None,
                     memo: dict[tuple[Any, ...], tuple[Any, ...]]) -> frozenset[str]:
    """:func:`_hop_keys` under :attr:`HopKeys.by_content`."""
    policies = caller.identity_policies
    if caller.boundary is not None or caller.session_policies:
        policies = (*policies, *((caller.boundary,) if caller.boundary is not None else ()),
                    *caller.session_policies)
    mine = narrowed is not None
    own_key = ("hop-keys:own", action, mine, *[p.canonical_text() for p in policies])
    hit = memo.get(own_key)
    if hit is None:
        hit = memo[own_key] = (frozenset().union(*(keys_for_action(p, action, narrowed) if narrowed is not None
                                                   else keys_of(p) for p in policies)),)
    out: frozenset[str] = hit[0]
    for part in (_levels_keys(caller.scp_levels, action, keys_of, narrowed, memo),
                 keys_of(target.role.trust_policy),
                 _levels_keys(target.rcp_levels, None, keys_of, None, memo)):
        if part:
            out = out | part if out else part
    return out


def _levels_keys(levels: tuple[tuple[Policy, ...], ...] | None, action: Action | None,
                 keys_of: Callable[[Policy], frozenset[str]],
                 narrowed: dict[tuple[str, Action], frozenset[str]] | None,
                 memo: dict[tuple[Any, ...], tuple[Any, ...]]) -> frozenset[str]:
    """The keys the policies of SCP or RCP ``levels`` read (those of the caller's SCPs that may apply to ``action``
    with ``narrowed``), kept per levels object (the entry holds it and counts for that very object only)."""
    if not levels:
        return frozenset()
    key = ("hop-keys:levels", id(levels), action, narrowed is not None)
    hit = memo.get(key)
    if hit is not None and hit[0] is levels:
        found: frozenset[str] = hit[1]
        return found
    found = frozenset().union(*(keys_for_action(p, action, narrowed) if narrowed is not None and action is not None
                                else keys_of(p) for level in levels for p in level))
    memo[key] = (levels, found)
    return found


def _named(caller: Caller, memo: dict[tuple[Any, ...], tuple[Any, ...]] | None) -> Caller:
    """``caller`` (a role session whose name is free) as its default session, one object per caller object."""
    key = ("named", id(caller))
    hit = memo.get(key) if memo is not None else None
    if hit is not None and hit[0] is caller:
        named: Caller = hit[1]
        return named
    named = replace(caller, session_name=DEFAULT_SESSION_NAME)
    if memo is not None:
        memo[key] = (caller, named)
    return named


_DATES: dict[int, str] = {}


def _date_text(now_ms: int) -> str:
    """``format_date(now_ms)``, memoised (an analysis pins one time for all its hops)."""
    from trustgraph.model.values import format_date

    text = _DATES.get(now_ms)
    if text is None:
        if len(_DATES) > 64:
            _DATES.clear()
        text = _DATES[now_ms] = format_date(now_ms)
    return text


def names_sessions(caller: Caller, target: Target) -> bool:
    """Whether the trust policy names a session of the caller's role (its ARN ``assumed-role/NAME/SESSION``)."""
    from trustgraph.model.principal import PrincipalKind

    marker = f":{caller.account}:assumed-role/{caller.arn.rsplit('/', 1)[-1]}/"
    return any(p.kind is PrincipalKind.ASSUMED_ROLE and marker in p.text
               for st in target.role.trust_policy.statements
               for p in (*(st.principals or ()), *(st.not_principals or ())))


def _meets(request: Any, constraints: Sequence[Any]) -> bool:
    from trustgraph.model.pattern import matches, parse_pattern

    for c in constraints:
        values = request.get(c.key)
        if c.op == "absent" and values is not None:
            return False
        if c.op == "not-like" and values is not None and any(
            matches(parse_pattern(g, wildcards=True, variables=False), v) for g in c.values for v in values
        ):
            return False
    return True


def _failing_conditions(caller: Caller, target: Target, action: Action, request: Any) -> tuple[Any, ...]:
    """Where an implicit deny comes from: the conditions that do not hold in the Allow trust statements that name
    the caller (empty when no statement names it)."""
    from trustgraph.model.policy import Effect
    from trustgraph.semantics.actions import statement_action_matches
    from trustgraph.semantics.conditions import UndecidableCondition, evaluate_condition
    from trustgraph.semantics.principals import statement_principal_match

    trust = target.role.trust_policy
    out = []
    for st in trust.statements:
        if st.effect is not Effect.ALLOW or statement_principal_match(st, caller, action) is None:
            continue
        if not statement_action_matches(st, action.value):
            continue
        for cond in st.conditions:
            try:
                holds = evaluate_condition(cond, request.context, variables=trust.variables_enabled)
            except UndecidableCondition:
                holds = True
            if not holds:
                out.append(cond.location)
    return tuple(out)
