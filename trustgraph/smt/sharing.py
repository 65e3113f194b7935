"""Sharing one hop's answer with other questions through the result cache (:mod:`trustgraph.smt.cache`):
the key of a question (:func:`cache_key`, account-free when no policy of the question can tell accounts apart), the
form an answer is stored in (:func:`cacheable`), and a stored answer re-checked for a new role
(:func:`rematerialize`: a Sat witness replayed, an Unsat core re-located)."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from trustgraph.model.condition import Family
from trustgraph.model.location import Location
from trustgraph.model.pattern import AnyChar, Star
from trustgraph.model.pattern import Literal as PatternLiteral
from trustgraph.model.policy import Policy
from trustgraph.semantics.request import Caller, Request, Target
from trustgraph.smt import cache
from trustgraph.smt.facts import digit_runs
from trustgraph.smt.results import HopResult, KeyConstraint, Sat, Unsat
from trustgraph.smt.symbolic import SymbolicCaller

if TYPE_CHECKING:
    from trustgraph.smt.facts import FactsTable
    from trustgraph.smt.question import HopQuestion


def cache_key(question: HopQuestion, paths: Any, facts: FactsTable) -> Any:
    """The result-store key of ``question`` answered with the fast paths ``paths``: everything the answer depends on,
    as data (canonical policy texts, the role's and the caller's facts); ``facts`` is the session's policy table."""
    caller, target, constraints, now_ms = question.caller, question.target, question.constraints, question.now_ms
    role = target.role
    trust = cache.canonical_policy(role.trust_policy)
    levels = cache.canonical_levels(target.rcp_levels)
    names_role = ((isinstance(caller, Caller) and any(facts(p).names_resources for p in _caller_policies(caller)))
                  or any(facts(p).names_resources for p in _target_policies(target)))
    account: Any = role.account
    if (isinstance(caller, SymbolicCaller) and not names_role and caller.arn is None
            and account_free(caller, target, constraints, now_ms, facts)):
        account = ("account-free", role.account in caller.excluded_accounts, role.account == caller.account)
    return (
        "hop/v1",
        trust,
        account,
        role.arn if names_role else None,
        role.service_linked,
        role.tags,
        (target.org_known, target.org_id, target.org_paths),
        role.max_session_duration,
        levels,
        _caller_key(caller),
        question.action,
        constraints,
        question.closed,
        now_ms,
        question.duration_seconds,
        paths,
    )


def _target_policies(target: Target) -> tuple[Policy, ...]:
    return (target.role.trust_policy, *(p for lv in target.rcp_levels or () for p in lv))


def _caller_policies(caller: Caller) -> list[Policy]:
    policies = [*caller.identity_policies, *caller.session_policies, *(p for lv in caller.scp_levels or () for p in lv)]
    if caller.boundary is not None:
        policies.append(caller.boundary)
    return policies


def resource_specific(policy: Policy) -> bool:
    """True when a statement of ``policy`` has a Resource other than ``*`` or a NotResource (then the ARN of the
    role asked for matters)."""
    return any(st.not_resources is not None or (st.resources is not None and any(g.text != "*" for g in st.resources))
               for st in policy.statements)


#: Keys whose date conditions read the pinned clock (the same for every role): not request-chosen values.
_CLOCK_KEYS = frozenset({"aws:currenttime", "aws:epochtime"})


_DIGIT = re.compile(r"[0-9]")


def account_blind(policy: Policy) -> bool:
    """True when no part of ``policy`` can tell one 12-digit account id from another that it does not name: every
    pattern with a wildcard has digit-free literal text (a wildcard is the only thing that can match an account id's
    digits without naming them), and no condition reads a value as a number, a date (other than the pinned clock) or
    binary data (an account id inside a request value would be read as part of it). A pure function of the policy:
    the session's facts table (``smt.facts``) keeps its answer per policy content."""
    for st in policy.statements:
        texts = [p.text for p in (st.principals or ()) + (st.not_principals or ())]
        texts += [g.text for g in (st.resources or ()) + (st.not_resources or ())]
        if any(("*" in t or "?" in t) and t != "*" and _DIGIT.search(t) for t in texts):
            return False
        for cond in st.conditions:
            family = cond.operator.family
            if family in (Family.NUMERIC, Family.BINARY, Family.UNKNOWN) or (
                    family is Family.DATE and cond.key not in _CLOCK_KEYS):
                return False
            if any(any(isinstance(el, (Star, AnyChar)) for el in pat)
                   and any(isinstance(el, PatternLiteral) and _DIGIT.search(el.text) for el in pat)
                   for pat in cond.patterns):
                return False
    return True


def account_free(caller: SymbolicCaller, target: Target, constraints: tuple[KeyConstraint, ...], now_ms: int | None,
                 facts: FactsTable) -> bool:
    """Whether the answer for ``target`` is the answer for the same role in any other account the question does not
    name, so that the store may key it without the account (only its relation to the symbolic caller's fixed and
    excluded accounts).

    The argument: let A be the role's account and A' another 12-digit id, neither written in the trust policy, the
    RCPs, the constraints, the symbolic caller's provider, the tags or the pinned time, and each in the same relation
    to the symbolic caller (both or neither among its excluded accounts, both or neither its fixed account: the key
    records the relation), so that swapping A and A' leaves the caller class as it is. Swapping A and A' in every
    request value maps the requests of the question for A one to one onto those for A' (aws:ResourceAccount,
    same-account callers and their ARNs move with it), and leaves every condition's verdict unchanged when the
    policies are account-blind (:func:`account_blind`): literal comparisons cannot see the swap (the literals name
    neither id), wildcards match digits whatever they are, and no value is read as a number or a date. Concrete
    callers are never keyed this way (their own account may equal A). A Sat hit is still replayed against the new
    role; an Unsat hit is the same proof, with its locations moved to the new role's policy.

    "Written" is decided on data: the runs of 12 or more digits of each policy's literal texts (its facts) and of the
    question's own texts (constraint keys and values, the provider, the role's tags, the pinned time).
    """
    account = target.role.account
    policies = _target_policies(target)
    if any(facts(p).writes_account(account) for p in policies):
        return False
    own = (*(text for c in constraints for text in (c.key, *c.values)), caller.provider or "",
           *(text for tag in target.role.tags for text in tag), str(now_ms))
    if any(account in run for run in digit_runs(own)):
        return False
    if not all(facts(p).account_blind for p in policies):
        return False
    return not any(c.op == "not-like" and any(("*" in v or "?" in v) and _DIGIT.search(v) for v in c.values)
                   for c in constraints)


def _caller_key(caller: Caller | SymbolicCaller) -> Any:
    if isinstance(caller, SymbolicCaller):
        return caller
    return (
        caller.kind, caller.arn, caller.account, caller.unique_id, caller.session_name, caller.user_name,
        tuple(cache.canonical_policy(p) for p in caller.identity_policies), cache.canonical_policy(caller.boundary),
        caller.boundary_unresolved, tuple(cache.canonical_policy(p) for p in caller.session_policies),
        cache.canonical_levels(caller.scp_levels), caller.org_id, caller.org_paths, caller.org_unknown, caller.tags,
        caller.mfa,
        caller.source_identity, caller.transitive_tags,
    )


def cacheable(result: HopResult, target: Target) -> Any:
    if isinstance(result, Sat):
        return ("sat", result.caller, result.request, result.approximations, target.role.account)
    assert isinstance(result, Unsat)
    return ("unsat", result, target.role.trust_policy)


def rematerialize(hit: Any, target: Target) -> HopResult | None:
    """A stored answer as the answer for ``target``: a Sat witness replayed against the role (moved to its account
    when the entry is account-free), None when it no longer gets through (solve afresh); an Unsat core re-located."""
    from trustgraph.semantics.evaluate import evaluate_hop

    if hit[0] == "sat":
        _, caller, request, approx, old_account = hit
        ctx = dict(request.context)
        new_account = target.role.account
        if old_account != new_account:  # an account-free entry (see account_free): the witness moves with the role
            caller = _moved_caller(caller, old_account, new_account)
            ctx = {k: tuple(_moved_value(v, old_account, new_account) for v in vs) for k, vs in ctx.items()}
        ctx["aws:resourceaccount"] = (new_account,)
        ctx.update(target.resource_org_context())
        request = Request(action=request.action, context=ctx, duration_seconds=request.duration_seconds)
        decision = evaluate_hop(caller, target, request)
        if not decision.allowed and not approx:
            return None  # not the same question after all: solve afresh
        return Sat(caller, request, decision, approx)
    _, unsat, old_trust = hit
    return _relocate(unsat, old_trust, target.role.trust_policy)


def _moved_value(value: str, old: str, new: str) -> str:
    """``value`` with account ``old`` replaced by ``new`` where it is an account: the value itself, or the account
    field of an ARN (``arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE``). Anything else is kept: a chosen value that
    merely contains the digits is not an account, and the replay decides whether the moved witness still holds."""
    if value == old:
        return new
    if value.startswith("arn:"):
        parts = value.split(":", 5)
        if len(parts) == 6 and parts[4] == old:
            parts[4] = new
            return ":".join(parts)
    return value


#: the account move of a value, for the renamed forms of :mod:`trustgraph.smt.renaming`
moved_value = _moved_value


def _moved_caller(caller: Caller, old: str, new: str) -> Caller:
    """The witness caller as the same principal of account ``new`` instead of ``old`` (its account and ARN; its
    policies are the symbolic candidate's own and name no account of the question; names are kept)."""
    account = None if caller.account is None else _moved_value(caller.account, old, new)
    return replace(caller, arn=_moved_value(caller.arn, old, new), account=account)


def _relocate(unsat: Unsat, old: Policy, new: Policy) -> Unsat:
    """The cached core with the old role's trust-policy locations replaced by the new role's (lazily when the
    cached core is not computed yet)."""
    if old.location == new.location:
        return unsat
    if not unsat.core_computed:
        def explain() -> tuple[tuple[str, ...], tuple[Location, ...]]:
            unsat.core  # noqa: B018 - computes the cached answer's core first
            moved = _relocate(unsat, old, new)
            return moved.core, moved.locations
        return Unsat(explain=explain)
    old_file, new_file = str(old.location), str(new.location)
    core = tuple(c.replace(old_file, new_file) for c in unsat.core)
    locs = tuple(Location(new.location.file, new.location.pointer + loc.pointer[len(old.location.pointer):])
                 if loc.file == old.location.file and loc.pointer.startswith(old.location.pointer) else loc
                 for loc in unsat.locations)
    return Unsat(core, locs)


__all__ = ["account_blind", "account_free", "cache_key", "cacheable", "moved_value", "rematerialize",
           "resource_specific"]
