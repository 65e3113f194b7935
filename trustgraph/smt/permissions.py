"""Effective identity permissions in z3: "may this principal do X on Y, under which request?" and "is it an
administrator?", each following :func:`trustgraph.semantics.permissions.evaluate_permission` node for node.

**One call** (:func:`solve_permission`): the action and resource are concrete, the request context symbolic (the
caller's principal keys ground, the keys a method fixes ground, every other key as the assume-role hop's presence
rules say for an AWS principal, aws:CurrentTime pinned). The formula is the evaluator's structure with each
statement's conditions encoded by ``smt.encode``: no applicable Deny in identity policies, boundary, session
policies, SCPs (and RCPs for their services); an identity Allow; the boundary's Allow; the session policies' Allow;
an Allow at every SCP level. An IAM user is asked twice, without and with MFA (exports do not list MFA devices). A
witness is decoded into a concrete context and replayed through the evaluator before it is returned.

**Administrators** (:func:`admin_decision`): every action on every resource, i.e. UNSAT of "some action and resource
are not allowed under any request the principal can send". Action and resource are symbolic strings (actions of
the shape ``service:Name``, resources ARNs) matched by the policies' globs (NotAction/NotResource included). For a
*fixed* context the allowed (action, resource) pairs form a region that z3 can describe with regular expressions
only; so the question is solved by refinement: find a pair outside every region found so far; ask whether some
request allows that pair (:func:`solve_permission`); if none does, the principal is not an administrator (that pair
is the witness, with the evaluator's reason); if one does, add the region of that request and repeat. UNSAT of the
first step proves the regions cover every pair. The loop is bounded (:data:`MAX_REFINEMENTS`): beyond it the
answer is Unknown, never "not an administrator".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

from trustgraph.errors import ReplayMismatch
from trustgraph.model.location import Location
from trustgraph.model.pattern import Pattern, Variable, split_arn_pattern, substitute
from trustgraph.model.policy import Effect, Glob, Policy, Statement
from trustgraph.model.values import format_date
from trustgraph.semantics.actions import statement_action_matches
from trustgraph.semantics.conditions import UndecidableCondition, evaluate_conditions, literal_pattern
from trustgraph.semantics.context import principal_context
from trustgraph.semantics.keys import Origin, key_info
from trustgraph.semantics.permissions import (
    RCP_SERVICES,
    evaluate_permission,
    permission_context,
    rcps_apply,
    scps_apply,
)
from trustgraph.semantics.request import Action, Caller, CallerKind, Decision
from trustgraph.smt.decide import fresh_context
from trustgraph.smt.decode import key_values
from trustgraph.smt.encode import arn_re, encode_block, glob_re
from trustgraph.smt.env import Env
from trustgraph.smt.presence import HopView, resolver, tag_couplings
from trustgraph.smt.terms import Term, and_, not_, or_, to_z3
from trustgraph.smt.z3lazy import z3

DEFAULT_TIMEOUT_MS = 5000
#: refinement rounds of the administrator question before it answers Unknown
MAX_REFINEMENTS = 24


@cache
def any_action_shape() -> z3.ReRef:
    """What an action name looks like (``service:ActionName``): the administrator question ranges over these. Built
    on first use, not at import, so that a scan whose questions all fold before z3 never imports z3
    (:mod:`trustgraph.smt.z3lazy`)."""
    return z3.Concat(z3.Plus(z3.Union(z3.Range("a", "z"), z3.Range("0", "9"), z3.Re("-"))), z3.Re(":"),
                     z3.Plus(z3.Union(z3.Range("a", "z"), z3.Range("A", "Z"), z3.Range("0", "9"))))


@cache
def any_resource_shape() -> z3.ReRef:
    """What a resource looks like: an ARN, ``arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`` (partitions ``aws`` and
    ``aws-*``); built on first use, as :func:`any_action_shape`."""
    seg = z3.Star(z3.Intersect(z3.AllChar(z3.ReSort(z3.StringSort())), z3.Complement(z3.Re(":"))))
    partition = z3.Concat(z3.Re("aws"), z3.Option(z3.Concat(z3.Re("-"), z3.Plus(z3.Union(z3.Range("a", "z"),
                                                                                         z3.Range("0", "9"),
                                                                                         z3.Re("-"))))))
    return z3.Concat(z3.Re("arn:"), partition, z3.Re(":"), seg, z3.Re(":"), seg, z3.Re(":"), seg, z3.Re(":"),
                     z3.Plus(z3.Range(" ", "~")))


#: pairs tried before the solver is asked for one (cheap refutations of most non-administrators)
PROBE_ACTIONS = ("zzprobe:ZzProbe", "iam:ZzProbe", "iam:PutUserPolicy", "iam:CreatePolicyVersion",
                 "s3:GetObject", "ec2:RunInstances", "organizations:LeaveOrganization", "sts:AssumeRole")
PROBE_RESOURCES = ("arn:aws:zzprobe:us-east-1:{account}:zz/zz", "arn:aws:iam::{account}:user/zz",
                   "arn:aws-cn:zzprobe:cn-north-1:{account}:zz", "arn:aws:s3:::zz/zz",
                   "arn:aws-zz:zzprobe:zz-1:{account}:zz:zz/zz")


# ------------------------------------------------------------------------------------------------ answers
@dataclass(frozen=True, slots=True)
class PermissionSat:
    """A request that is allowed: the caller (with MFA or not), action, resource, the full context, and the
    evaluator's replayed decision."""

    caller: Caller
    action: str
    resource: str
    context: Mapping[str, tuple[str, ...]]
    decision: Decision
    approximations: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PermissionUnsat:
    """No request is allowed: why, in words, and the statements that block (Denies) where one does."""

    reasons: tuple[str, ...]
    statements: tuple[Statement, ...] = ()


@dataclass(frozen=True, slots=True)
class PermissionUnknown:
    """The solver could not decide (timeout): never read as "not allowed"."""

    reason: str


PermissionResult = PermissionSat | PermissionUnsat | PermissionUnknown


# ------------------------------------------------------------------------------------------------ callers
def caller_shapes(caller: Caller) -> tuple[Caller, ...]:
    """The request shapes a caller can present: an IAM user without and with MFA (exports do not list MFA
    devices, so an exported user is assumed able to present one); a role session as it is."""
    if caller.kind is CallerKind.IAM_USER and not caller.mfa:
        return (caller, replace(caller, mfa=True))
    return (caller,)


# ------------------------------------------------------------------------------------------------ one call
def _now_text(now_ms: int | None) -> str | None:
    return None if now_ms is None else format_date(now_ms)


def _view(caller: Caller, fixed: Mapping[str, tuple[str, ...]], now_ms: int | None) -> HopView:
    ground = dict(principal_context(caller, now=_now_text(now_ms)))
    ground.update({k.lower(): tuple(v) for k, v in fixed.items()})
    # the action is not an STS call, but the presence column of an AWS principal's signed request is the same
    return HopView(action=Action.ASSUME_ROLE, origin=Origin.AWS_PRINCIPAL, ground=ground, now_ms=now_ms)


def _ground_lookup(env: Env) -> Any:
    """Resolve a policy variable from the environment when its key is ground (None: absent or symbolic)."""

    def lookup(key: str) -> str | None:
        kv = env.key(key)
        if not kv.ground or kv.pres is not True or kv.multi:
            return None
        return _text(kv.val)

    return lookup


def _text(val: Any) -> str | None:
    from trustgraph.smt.env import z3_string

    v = z3.simplify(val)
    if z3.is_string_value(v):
        return str(z3_string(v))
    return None


def _resource_bit(env: Env, st: Statement, resource: str, variables: bool) -> Term:
    """Whether the statement's Resource/NotResource covers a concrete ``resource``; an oracle (and an
    approximation) when a policy variable names a key whose value is symbolic."""
    globs = st.resources if st.resources is not None else st.not_resources
    if globs is None:
        return True
    hits: list[Term] = []
    for g in globs:
        pattern: Pattern | None = g.pattern
        assert pattern is not None
        if any(isinstance(el, Variable) for el in pattern):
            if not variables:
                pattern = literal_pattern(pattern)
            else:
                symbolic = [el for el in pattern if isinstance(el, Variable) and not env.key(el.key).ground]
                if symbolic:
                    env.approximate(f"Resource {g.text} names the symbolic key {symbolic[0].key} "
                                    f"(over-approximated)", st.location)
                    hits.append(env.oracle(f"{st.location}|{g.text}"))
                    continue
                pattern = substitute(pattern, _ground_lookup(env))
                if pattern is None:
                    continue  # an absent variable without default: the glob matches nothing
        hits.append(_concrete_resource_match(pattern, resource))
    hit = or_(*hits)
    return hit if st.resources is not None else not_(hit)


def _concrete_resource_match(pattern: Pattern, resource: str) -> bool:
    from trustgraph.model.pattern import arn_matches, matches

    if split_arn_pattern(pattern) is not None:
        return arn_matches(pattern, resource)
    return matches(pattern, resource)


def _fires(env: Env, st: Statement, policy: Policy, action: str, resource: str) -> Term:
    if not statement_action_matches(st, action):
        return False
    bit = _resource_bit(env, st, resource, policy.variables_enabled)
    if bit is False:
        return False
    return and_(bit, encode_block(env, st.conditions))


def _side(env: Env, policies: Sequence[Policy], action: str, resource: str) -> tuple[Term, Term]:
    """(some Allow applies, some Deny applies) over a set of policies."""
    allows: list[Term] = []
    denies: list[Term] = []
    for p in policies:
        for st in p.statements:
            f = _fires(env, st, p, action, resource)
            (allows if st.effect is Effect.ALLOW else denies).append(f)
    return or_(*allows), or_(*denies)


def permission_formula(env: Env, caller: Caller, action: str, resource: str,
                       rcp_levels: tuple[tuple[Policy, ...], ...] | None) -> Term:
    """The evaluator's decision as a formula over ``env``'s symbolic request (see the module docstring)."""
    if caller.kind not in (CallerKind.IAM_USER, CallerKind.ROLE_SESSION):
        return False
    parts: list[Term] = []
    denies: list[Term] = []
    allow, deny = _side(env, caller.identity_policies, action, resource)
    parts.append(allow)
    denies.append(deny)
    if caller.boundary is not None:
        allow, deny = _side(env, (caller.boundary,), action, resource)
        parts.append(allow)
        denies.append(deny)
    if caller.kind is CallerKind.ROLE_SESSION and caller.session_policies:
        allow, deny = _side(env, caller.session_policies, action, resource)
        parts.append(allow)
        denies.append(deny)
    if scps_apply(caller):
        assert caller.scp_levels is not None
        for level in caller.scp_levels:
            allow, deny = _side(env, level, action, resource)
            denies.append(deny)
            if level:
                parts.append(allow)
    if rcp_levels is not None and rcps_apply(caller, action):
        for level in rcp_levels:
            denies.append(_side(env, level, action, resource)[1])
    return and_(not_(or_(*denies)), *parts)


def _decode_context(model: Any, env: Env, caller: Caller, fixed: Mapping[str, tuple[str, ...]],
                    now_ms: int | None) -> dict[str, tuple[str, ...]]:
    ctx = permission_context(caller, fixed, now=_now_text(now_ms))
    for key, kv in env.vars.items():
        if kv.ground or key_info(key).principal_derived or key in fixed:
            continue
        vals = key_values(model, kv)
        if vals is None:
            ctx.pop(key, None)
        else:
            ctx[key] = vals
    if any(k.startswith("aws:requesttag/") for k in ctx) and "aws:tagkeys" not in env.vars:
        ctx["aws:tagkeys"] = tuple(k.split("/", 1)[1] for k in ctx if k.startswith("aws:requesttag/"))
    return ctx


def solve_permission(
    caller: Caller,
    action: str,
    resource: str,
    *,
    fixed: Mapping[str, tuple[str, ...]] | None = None,
    rcp_levels: tuple[tuple[Policy, ...], ...] | None = None,
    now_ms: int | None = None,
    timeout_ms: int = DEFAULT_TIMEOUT_MS,
) -> PermissionResult:
    """Is there a request by ``caller`` (or its MFA shape) that may do ``action`` on ``resource``?

    ``fixed`` pins request keys the method determines (``iam:PassedToService``, ``iam:PolicyARN``); an empty
    tuple pins a key absent. Concrete first: the request that chooses nothing is tried in the evaluator; z3 is asked
    only when it is refused. A Sat witness has been replayed by the evaluator.
    """
    fixed = {k.lower(): tuple(v) for k, v in (fixed or {}).items()}
    now_text = _now_text(now_ms)
    shapes = caller_shapes(caller)
    first: Decision | None = None
    for shape in shapes:
        ctx = permission_context(shape, fixed, now=now_text)
        d = evaluate_permission(shape, action, resource, ctx, rcp_levels=rcp_levels)
        if d.allowed:
            return PermissionSat(shape, action, resource, ctx, d, _approx_text(d.approximations))
        if first is None:
            first = d
    assert first is not None
    unknown: str | None = None
    for shape in shapes:
        env = Env(resolver(_view(shape, fixed, now_ms)))
        formula = permission_formula(env, shape, action, resource, rcp_levels)
        if formula is False:
            continue
        tag_couplings(env)
        question = fresh_context()  # the model is a function of the formula alone (smt.decide.fresh_context)
        solver = z3.Solver(ctx=question)
        solver.set("timeout", timeout_ms)
        for _, ax in env.axioms:
            solver.add(to_z3(ax).translate(question))
        solver.add(to_z3(formula).translate(question))
        res = solver.check()
        if res == z3.unknown:
            unknown = solver.reason_unknown() or "solver timeout"
            continue
        if res == z3.unsat:
            continue
        model = solver.model().translate(z3.main_ctx()) if formula is not True else z3.Model()
        ctx = _decode_context(model, env, shape, fixed, now_ms)
        d = evaluate_permission(shape, action, resource, ctx, rcp_levels=rcp_levels)
        approx = list(_approx_text(d.approximations)) + [f"{w} at {loc}" for w, loc in env.approximations]
        if not d.allowed:
            if approx:
                approx.append(f"witness not confirmed by the concrete evaluator ({d.verdict.value})")
                return PermissionSat(shape, action, resource, ctx, d, tuple(dict.fromkeys(approx)))
            raise ReplayMismatch(f"permission witness for {shape.arn}: {action} on {resource} replays to "
                                 f"{d.verdict.value}: {d.reasons}; context {ctx}")
        return PermissionSat(shape, action, resource, ctx, d, tuple(dict.fromkeys(approx)))
    if unknown is not None:
        return PermissionUnknown(f"{action} on {resource}: {unknown}")
    return PermissionUnsat(_why(first), first.statements)


def _why(d: Decision) -> tuple[str, ...]:
    if d.statements:
        return tuple(f"explicit Deny at {st.location} ({st.label})" for st in d.statements)
    return d.reasons or ("not allowed",)


def _approx_text(items: Sequence[tuple[str, Location]]) -> tuple[str, ...]:
    return tuple(f"{w} at {loc}" for w, loc in items)


# ------------------------------------------------------------------------------------------------ regions
def _glob_term(glob: Glob, value: Any, *, action: bool, lookup: Any, variables: bool) -> Term:
    pattern: Pattern | None = glob.pattern
    if pattern is not None and any(isinstance(el, Variable) for el in pattern):
        pattern = substitute(pattern, lookup) if variables else literal_pattern(pattern)
    if pattern is None:
        return False
    if action:
        return z3.InRe(value, glob_re(pattern, ignore_case=True))
    if split_arn_pattern(pattern) is not None:
        return z3.InRe(value, arn_re(pattern))
    return z3.InRe(value, glob_re(pattern))


def _match_term(st: Statement, policy: Policy, a: Any, r: Any, ctx: Mapping[str, tuple[str, ...]]) -> Term:
    from trustgraph.semantics.conditions import variable_lookup

    lookup = variable_lookup(ctx)
    var = policy.variables_enabled
    if st.actions is not None:
        act = or_(*(_glob_term(g, a, action=True, lookup=lookup, variables=False) for g in st.actions))
    elif st.not_actions is not None:
        act = not_(or_(*(_glob_term(g, a, action=True, lookup=lookup, variables=False) for g in st.not_actions)))
    else:
        return False
    if st.resources is not None:
        res: Term = or_(*(_glob_term(g, r, action=False, lookup=lookup, variables=var) for g in st.resources))
    elif st.not_resources is not None:
        res = not_(or_(*(_glob_term(g, r, action=False, lookup=lookup, variables=var) for g in st.not_resources)))
    else:
        res = True
    return and_(act, res)


def _applies(st: Statement, policy: Policy, ctx: Mapping[str, tuple[str, ...]]) -> bool:
    """The statement's conditions under a concrete context, as the evaluator reads them (an undecidable condition
    makes an Allow apply and a Deny not)."""
    try:
        return evaluate_conditions(st.conditions, ctx, variables=policy.variables_enabled)
    except UndecidableCondition:
        return st.effect is Effect.ALLOW


def _region_side(policies: Sequence[Policy], a: Any, r: Any, ctx: Mapping[str, tuple[str, ...]]
                 ) -> tuple[Term, Term]:
    allows: list[Term] = []
    denies: list[Term] = []
    for p in policies:
        for st in p.statements:
            if not _applies(st, p, ctx):
                continue
            (allows if st.effect is Effect.ALLOW else denies).append(_match_term(st, p, a, r, ctx))
    return or_(*allows), or_(*denies)


def region(caller: Caller, a: Any, r: Any, ctx: Mapping[str, tuple[str, ...]],
           rcp_levels: tuple[tuple[Policy, ...], ...] | None) -> Term:
    """The (action, resource) pairs that ``caller`` may act on with the concrete request ``ctx``, as a formula
    over symbolic ``a`` and ``r``: :func:`~trustgraph.semantics.permissions.evaluate_permission` with the
    conditions decided on ``ctx`` and the matching left symbolic."""
    parts: list[Term] = []
    denies: list[Term] = []
    allow, deny = _region_side(caller.identity_policies, a, r, ctx)
    parts.append(allow)
    denies.append(deny)
    if caller.boundary is not None:
        allow, deny = _region_side((caller.boundary,), a, r, ctx)
        parts.append(allow)
        denies.append(deny)
    if caller.kind is CallerKind.ROLE_SESSION and caller.session_policies:
        allow, deny = _region_side(caller.session_policies, a, r, ctx)
        parts.append(allow)
        denies.append(deny)
    if scps_apply(caller):
        assert caller.scp_levels is not None
        for level in caller.scp_levels:
            allow, deny = _region_side(level, a, r, ctx)
            denies.append(deny)
            if level:
                parts.append(allow)
    if rcp_levels is not None and not (caller.kind is CallerKind.ROLE_SESSION
                                       and ":role/aws-service-role/" in caller.arn):
        any_text = z3.Star(z3.AllChar(z3.ReSort(z3.StringSort())))
        rcp_service = or_(*(z3.InRe(a, z3.Concat(z3.Re(s + ":"), any_text)) for s in sorted(RCP_SERVICES)))
        for level in rcp_levels:
            denies.append(and_(rcp_service, _region_side(level, a, r, ctx)[1]))
    return and_(not_(or_(*denies)), *parts)


# ------------------------------------------------------------------------------------------------ administrators
@dataclass(frozen=True, slots=True)
class AdminAnswer:
    """Whether a principal's effective permissions cover every action on every resource (``scope`` ``*``), or
    every IAM action (``scope`` ``iam``).

    ``verdict`` is ``yes``, ``no`` or ``unknown``; for ``no`` the witness pair (``action``, ``resource``) and the
    evaluator's reasons say what is not allowed; ``requests`` counts the refinement rounds.
    """

    verdict: str
    reasons: tuple[str, ...] = ()
    action: str | None = None
    resource: str | None = None
    statements: tuple[Statement, ...] = ()
    approximations: tuple[str, ...] = ()
    rounds: int = 0
    contexts: tuple[Mapping[str, tuple[str, ...]], ...] = field(default=(), compare=False)


def covers_everything(
    caller: Caller,
    *,
    rcp_levels: tuple[tuple[Policy, ...], ...] | None = None,
    action_shape: Any = None,
    now_ms: int | None = None,
    timeout_ms: int = DEFAULT_TIMEOUT_MS,
) -> AdminAnswer:
    """Refinement loop of the module docstring: is every (action, resource) pair allowed under some request?

    ``action_shape`` narrows the actions (a z3 regex; default every ``service:Name``), e.g. to ``iam:*``.
    """
    a = z3.String("action")
    r = z3.String("resource")
    shape = any_action_shape() if action_shape is None else z3.Intersect(any_action_shape(), action_shape)
    question = fresh_context()  # the probes the models pick depend on the question alone (smt.decide.fresh_context)
    solver = z3.Solver(ctx=question)
    solver.set("timeout", timeout_ms)
    solver.add(z3.InRe(a, shape).translate(question), z3.InRe(r, any_resource_shape()).translate(question))
    now_text = _now_text(now_ms)
    contexts: list[Mapping[str, tuple[str, ...]]] = []
    approx: list[str] = []
    seen: set[tuple[bool, frozenset[tuple[str, tuple[str, ...]]]]] = set()

    def exclude(who: Caller, ctx: Mapping[str, tuple[str, ...]]) -> None:
        """Add the region of one request (once per distinct request)."""
        key = (who.mfa, frozenset(ctx.items()))
        if key in seen:
            return
        seen.add(key)
        solver.add(to_z3(not_(region(who, a, r, ctx, rcp_levels))).translate(question))
        contexts.append(ctx)

    for shape_caller in caller_shapes(caller):  # the requests that choose nothing: usually cover everything
        exclude(shape_caller, permission_context(shape_caller, now=now_text))
    for act, res_text in _probes(caller, action_shape is None):
        answer = solve_permission(caller, act, res_text, rcp_levels=rcp_levels, now_ms=now_ms,
                                  timeout_ms=timeout_ms)
        if isinstance(answer, PermissionUnsat):
            return AdminAnswer("no", reasons=answer.reasons, action=act, resource=res_text,
                               statements=answer.statements)
        if isinstance(answer, PermissionSat):
            exclude(answer.caller, answer.context)
    for rounds in range(1, MAX_REFINEMENTS + 1):
        res = solver.check()
        if res == z3.unsat:
            return AdminAnswer("yes", approximations=tuple(dict.fromkeys(approx)), rounds=rounds,
                               contexts=tuple(contexts))
        if res == z3.unknown:
            return AdminAnswer("unknown", reasons=(solver.reason_unknown() or "solver timeout",), rounds=rounds)
        model = solver.model().translate(z3.main_ctx())
        act = str(_text(model.eval(a, model_completion=True)))
        res_text = str(_text(model.eval(r, model_completion=True)))
        answer = solve_permission(caller, act, res_text, rcp_levels=rcp_levels, now_ms=now_ms,
                                  timeout_ms=timeout_ms)
        if isinstance(answer, PermissionUnsat):
            return AdminAnswer("no", reasons=answer.reasons, action=act, resource=res_text,
                               statements=answer.statements, rounds=rounds)
        if isinstance(answer, PermissionUnknown):
            return AdminAnswer("unknown", reasons=(answer.reason,), action=act, resource=res_text, rounds=rounds)
        approx.extend(answer.approximations)
        exclude(answer.caller, answer.context)
    return AdminAnswer("unknown", reasons=(f"no proof after {MAX_REFINEMENTS} refinements",),
                       rounds=MAX_REFINEMENTS)


def _probes(caller: Caller, every_service: bool) -> list[tuple[str, str]]:
    account = caller.account or "123456789012"
    actions = [a for a in PROBE_ACTIONS if every_service or a.startswith("iam:")]
    return [(a, r.format(account=account)) for a in actions for r in PROBE_RESOURCES]


def iam_actions_shape() -> Any:
    """The regex of IAM action names (``iam:...``)."""
    return z3.Concat(z3.Re("iam:"), z3.Star(z3.AllChar(z3.ReSort(z3.StringSort()))))


__all__ = [
    "any_action_shape", "AdminAnswer", "MAX_REFINEMENTS", "PermissionResult", "PermissionSat", "PermissionUnknown",
    "PermissionUnsat", "any_resource_shape", "caller_shapes", "covers_everything", "iam_actions_shape",
    "permission_formula", "region", "solve_permission",
]
