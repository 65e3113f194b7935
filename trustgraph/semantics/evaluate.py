"""The concrete decision of one assume-role hop (docs/semantics.md §1.1-§1.2).

:func:`evaluate_hop` is the executable specification the z3 encoding follows and every solver witness is replayed
through. The procedure, for the request's action and each companion action it needs (sts:TagSession when session
tags are passed, sts:SetSourceIdentity when a source identity is set or carried):

0. Callers that cannot make the call at all: the root user, GetFederationToken sessions, a caller kind that does not
   fit the action (e.g. an IAM user calling AssumeRoleWithSAML), a request value outside its API limits
   (``keys.KeyInfo.value_pattern``: ExternalId 2-1224 chars of ``[\\w+=,.@:/-]``, RoleSessionName 2-64 chars of
   ``[\\w+=,.@-]``, ...; session tags: ``tag_limits``), a chained call (role-session caller) asking for more than
   3600 seconds, or more than the role's maximum session duration, a caller of another partition than the role
   (docs/semantics.md §1.3.1), a caller whose MFA or credentials are older than the credentials can live
   (``context.credential_lifetime``), a web identity request carrying a token claim STS does not evaluate or GitHub
   claims that disagree (``semantics.claims``), a role session passing a session tag with another value for the key
   of a transitive tag it carries, a request whose ``sts:TransitiveTagKeys`` names a key of no session tag it passes
   (``semantics.carried.tag_problem``) -> IMPLICIT_DENY with the reason.
1. Explicit deny anywhere -> EXPLICIT_DENY: trust policy Deny (principal-matched), the caller's identity policies,
   permissions boundary and session policies, SCPs of the caller's account (AWS principals whose ``scp_levels`` is
   not None; never a service-linked role's session), RCPs of the role's account (``rcp_levels`` not None; never for
   a service-linked target role).
2. Trust policy Allow, always required.
3. SCPs: every level must have an Allow for the caller's action (an empty level, i.e. no policy loaded there, is
   treated as allowing and marked approximate). RCPs need no Allow (RCPFullAWSAccess is always attached).
4. Gate, for IAM users and role sessions: when the caller's account is the role's account and an allowing trust
   statement named the caller directly (its user/role/session ARN, unique id, ``*``), no identity Allow is needed,
   but the Limits apply: the permissions boundary must allow (users and roles alike: AWS "Update a role trust
   policy"); for a role-ARN or unique-id grant to a role the session policies must allow too; a session-ARN grant
   is limited by neither (row 53, [?]: when that exemption changes the outcome the decision is marked
   approximate), and for ``*`` the session policies are likewise not applied (§8.3 [?], marked when it matters).
   Otherwise (cross-account, or the trust names only the account): identity Allow AND boundary AND session
   policies. When the calling session carries a source identity, sts:SetSourceIdentity also needs an identity
   Allow whatever the Gate says [D SRCID]. Service, SAML and web-identity callers have no identity side.

Approximations (``Decision.approximations``, each with a location): a condition the evaluator cannot decide
(unknown operator) makes an Allow statement apply and a Deny statement not apply; an unresolved permissions
boundary allows; ``*`` matching a federated caller (§8.1 [?]); the row-53/§8.3 exemptions above; a condition on
aws:PrincipalOrgID/OrgPaths of a zone account whose organization membership no loaded data fixes (§5).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, NamedTuple

from trustgraph.model.arn import partition_of
from trustgraph.model.location import Location
from trustgraph.model.pattern import Star, variables_of
from trustgraph.model.policy import Effect, Glob, Policy, Statement
from trustgraph.semantics.actions import (
    index_enabled,
    statement_action_matches,
    statement_resource_matches,
    statements_for_action,
)
from trustgraph.semantics.carried import tag_problem
from trustgraph.semantics.claims import request_problem, uncertain_claims
from trustgraph.semantics.compiled_conditions import evaluate as compiled_evaluate
from trustgraph.semantics.compiled_conditions import evaluate_all
from trustgraph.semantics.conditions import UndecidableCondition, evaluate_condition, evaluate_conditions
from trustgraph.semantics.context import credential_lifetime
from trustgraph.semantics.keys import key_info, limits_problem
from trustgraph.semantics.principals import (
    AWS_CALLERS,
    DIRECT_FORMS,
    FEDERATED_CALLERS,
    MatchForm,
    any_matches_federated_is_approximate,
    caller_partition,
    own_action,
    statement_principal_match,
)
from trustgraph.semantics.request import (
    TAGS_PASSED_KEYS,
    Action,
    Caller,
    CallerKind,
    Decision,
    Request,
    Target,
    Verdict,
)
from trustgraph.semantics.tag_limits import session_tags_problem

Approximation = tuple[str, Location]
Context = Mapping[str, tuple[str, ...]]

_ACTION_BY_NAME = {a.value.lower(): a for a in Action}

#: Role chaining limits the requested session to one hour [D CHAIN].
CHAINED_MAX_SECONDS = 3600


class PolicyEval(NamedTuple):
    """The statements of a policy that apply to a request, by effect, and what was approximated."""

    allows: tuple[Statement, ...]
    denies: tuple[Statement, ...]
    approximations: tuple[Approximation, ...]


class _Scan(NamedTuple):
    allows: tuple[tuple[Statement, MatchForm | None], ...]
    denies: tuple[Statement, ...]
    approximations: tuple[Approximation, ...]
    unmet: tuple[Statement, ...] = ()  # Allow statements that matched but whose conditions do not hold


_NOTHING = _Scan((), (), (), ())


def _scan(
    policy: Policy,
    *,
    caller: Caller,
    action: str,
    resource: str,
    context: Context,
    variables: bool | None,
    principal_required: bool,
) -> _Scan:
    # the statements whose Action/NotAction covers the action, from the policy's index (document order kept, so the
    # lists below are those of the plain walk); under ``actions.plain_scan()`` every statement, tested below
    plain = not index_enabled()
    statements = policy.statements if plain else statements_for_action(policy, action)
    if not statements:
        return _NOTHING
    var = policy.variables_enabled if variables is None else variables
    act = _ACTION_BY_NAME.get(action.lower())
    allows: list[tuple[Statement, MatchForm | None]] = []
    denies: list[Statement] = []
    approx: list[Approximation] = []
    unmet: list[Statement] = []
    unknown_org = caller.org_unknown is not None and not caller.org_unknown.chosen
    for st in statements:
        form: MatchForm | None = None
        if st.principals is not None or st.not_principals is not None:
            # a statement with a Principal outside a trust policy (an RCP's mandatory "*") names the AWS principal
            # making a call that is not an STS one as it would name it calling sts:AssumeRole
            matched = act if act is not None else (Action.ASSUME_ROLE if caller.kind in AWS_CALLERS else None)
            form = statement_principal_match(st, caller, matched) if matched is not None else None
            if form is None:
                continue
        elif principal_required:
            continue
        if plain and not statement_action_matches(st, action):
            continue
        if not statement_resource_matches(st, resource, context, variables=var):
            continue
        try:
            applies = evaluate_conditions(st.conditions, context, variables=var)
        except UndecidableCondition as exc:
            applies, assumed = _assumed(st, exc)
            approx.append(assumed)
        if unknown_org and _reads_org(st):
            approx.append((f"organization membership of account {caller.account} is unknown (no organizations "
                           f"data lists it): this decision assumes "
                           f"{'organization ' + caller.org_id if caller.org_id else 'no organization'}",
                           st.location))
        if not applies:
            if st.effect is Effect.ALLOW:
                unmet.append(st)
            continue
        if st.effect is Effect.ALLOW:
            allows.append((st, form))
        else:
            denies.append(st)
    return _Scan(tuple(allows), tuple(denies), tuple(approx), tuple(unmet))


ORG_KEYS = frozenset({"aws:principalorgid", "aws:principalorgpaths"})


def _reads_org(st: Statement) -> bool:
    """Whether a statement's conditions read the caller's organization (directly or through a policy variable)."""
    for c in st.conditions:
        if c.key in ORG_KEYS or any(v.key in ORG_KEYS for p in c.patterns for v in variables_of(p)):
            return True
    return False


def evaluate_policy(
    policy: Policy,
    *,
    caller: Caller,
    action: str,
    resource: str,
    context: Context,
    variables: bool | None = None,
    principal_required: bool = False,
) -> PolicyEval:
    """The Allow and Deny statements of ``policy`` that apply to ``caller`` doing ``action`` on ``resource``.

    A statement applies when its Principal/NotPrincipal names the caller (statements without one apply unless
    ``principal_required``, which trust policies set), its Action/NotAction covers the action, its
    Resource/NotResource covers the resource and its conditions hold. ``variables`` defaults to the policy's
    Version (policy variables only under 2012-10-17). Undecidable conditions are approximated (Allow applies,
    Deny does not) and reported.
    """
    scan = _scan(policy, caller=caller, action=action, resource=resource, context=context, variables=variables,
                 principal_required=principal_required)
    return PolicyEval(tuple(s for s, _ in scan.allows), scan.denies, scan.approximations)


# ----------------------------------------------------------------------------------------------------------------
# The hop
# ----------------------------------------------------------------------------------------------------------------
class _Sides(NamedTuple):
    """Per-policy-set results for one action."""

    allows: tuple[Statement, ...]
    denies: tuple[Statement, ...]
    approximations: tuple[Approximation, ...]


def _eval_many(policies: Iterable[Policy], caller: Caller, action: Action, resource: str, ctx: Context) -> _Sides:
    allows: list[Statement] = []
    denies: list[Statement] = []
    approx: list[Approximation] = []
    for p in policies:
        r = _scan(p, caller=caller, action=action.value, resource=resource, context=ctx, variables=None,
                  principal_required=False)
        allows.extend(st for st, _ in r.allows)
        denies.extend(r.denies)
        approx.extend(r.approximations)
    return _Sides(tuple(allows), tuple(denies), tuple(approx))


def companion_actions(request: Request, caller: Caller) -> tuple[Action, ...]:
    """The actions the hop must be allowed: the request's action plus sts:TagSession when session tags are passed or
    the calling session carries transitive tags (they pass into the session being created: docs/semantics.md §1.6)
    and sts:SetSourceIdentity when a source identity is set or carried."""
    out = [request.action]
    if request.tags_passed or (caller.kind is CallerKind.ROLE_SESSION and caller.transitive_tags):
        out.append(Action.TAG_SESSION)
    if request.source_identity_set or (caller.kind is CallerKind.ROLE_SESSION and caller.source_identity):
        out.append(Action.SET_SOURCE_IDENTITY)
    return tuple(out)


def _precheck(caller: Caller, target: Target, request: Request, fast: bool = False) -> str | None:
    """Why the caller cannot make the call at all (step 0 of the module docstring), or None. With ``fast`` the API
    limits are checked on the keys that have some (``keys.limits_problem``), and only a request breaking one is
    walked key by key to name the first, as the reference names it."""
    kind = caller.kind
    if kind is CallerKind.ROOT:
        return f"the root user of {caller.account} cannot assume roles"
    if kind is CallerKind.FEDERATED_USER:
        return f"{caller.arn} is a GetFederationToken session, which cannot call {request.action.value}"
    own = own_action(kind)
    if request.action is not own:
        return f"a {kind.value} caller cannot call {request.action.value}"
    mine, theirs = caller_partition(caller), partition_of(target.role.arn)
    if mine is not None and theirs is not None and mine != theirs:
        return (f"{_who(caller)} is in partition {mine} and {target.role.arn} in {theirs}: roles delegate access "
                f"only within one partition")
    lifetime = credential_lifetime(caller)
    if not 0 <= caller.mfa_age <= lifetime or not 0 <= caller.token_age <= lifetime:
        return (f"no such caller: credentials of {caller.arn} live at most {lifetime} seconds (MFA age "
                f"{caller.mfa_age}, issued {caller.token_age} seconds ago)")
    ctx = request.context
    carried = (kind is CallerKind.ROLE_SESSION and caller.transitive_tags) or "sts:transitivetagkeys" in ctx
    problem = (tag_problem(caller, _who(caller), request) if carried else None) or session_tags_problem(ctx)
    if problem is None and kind is CallerKind.WEB_IDENTITY:
        problem = request_problem(caller.arn, ctx)
    if problem is not None:
        return problem
    for key, values in (request.context.items() if not fast or limits_problem(request.context) else ()):
        info = key_info(key)
        if info.value_pattern is None:
            continue  # no API limit on this key's values
        for v in values:
            if not info.value_ok(v):
                return f"STS rejects the request: {key} value {v!r} is outside its limits ({info.value_pattern})"
    d = request.duration_seconds
    if d is not None:
        if kind is CallerKind.ROLE_SESSION and d > CHAINED_MAX_SECONDS:
            return f"role chaining limits the session to {CHAINED_MAX_SECONDS} seconds, {d} requested"
        limit = target.role.max_session_duration
        if limit is not None and d > limit:
            return f"{target.role.arn} allows sessions of at most {limit} seconds, {d} requested"
        if d < 900:
            return f"STS rejects DurationSeconds {d} (minimum 900)"
    return None


def _is_service_linked_session(caller: Caller) -> bool:
    return caller.kind is CallerKind.ROLE_SESSION and ":role/aws-service-role/" in caller.arn


def _who(caller: Caller) -> str:
    return caller.session_arn or caller.arn


class HopEvaluation:
    """How :func:`evaluate_hop` walks a hop's policies.

    ``fast`` (class-level switch; False: the reference walk below): the same procedure in one pass per policy over
    the statements the action index selects (:func:`statements_for_action`), with what is the same for the whole hop
    taken once (the action, the caller's organization state), a statement without Resource or conditions not tested
    for them, lists made only for the statements that apply, and the request's API limits checked on the keys that
    have some. It is the cost of every hop decided by evaluation (``queries.ground``): at 20,000 roles the scan's
    longest federated search evaluates ~8,800 of them. Same decisions, field by field, statements by identity
    (tests/semantics/test_fast_hop.py).

    ``constant_levels`` (with ``fast``, and a memo from the caller of :func:`evaluate_hop`): an SCP level whose
    statements for the action have no condition, principal or Resource but ``*`` (``FullAWSAccess``), and an RCP
    level whose statements for the action are Allows without conditions (``RCPFullAWSAccess``: an RCP's Allows are
    not read), are the same part of every hop's decision (allowed or not, its Deny statements): taken from the memo
    per (level, action) instead of scanned (:func:`_constant_part`; tests/semantics/test_constant_levels.py).

    ``compiled_conditions`` (with ``fast``; also read by the concrete-first guesses, ``smt.guess``): a statement's
    conditions are tested through their compiled form (:mod:`trustgraph.semantics.compiled_conditions`: the matcher
    built once per condition that reads no policy variable, not on every evaluation), the others by the reference;
    same answers and exceptions (tests/semantics/test_compiled_conditions.py)."""

    fast = True
    constant_levels = True
    compiled_conditions = True



def condition_evaluator() -> Callable[..., bool]:
    """``evaluate_condition`` as :attr:`HopEvaluation.compiled_conditions` says (the compiled test when on): for the
    checks and the solver's gates that evaluate one condition on a ground request."""
    return compiled_evaluate if HopEvaluation.compiled_conditions else evaluate_condition

def evaluate_hop(caller: Caller, target: Target, request: Request,
                 levels: dict[tuple[Any, ...], tuple[Any, ...]] | None = None) -> Decision:
    """Decide one hop: ``caller`` calls ``request.action`` on ``target.role`` with ``request.context``.

    Returns a :class:`Decision`: ALLOW with the allowing trust (and identity) statements, EXPLICIT_DENY with every
    denying statement, or IMPLICIT_DENY with reasons in words; approximations name what was over-approximated.
    See the module docstring for the procedure. ``levels``: the owner's memo for the SCP and RCP levels that are the
    same part of every decision (:attr:`HopEvaluation.constant_levels`).
    """
    if HopEvaluation.fast and index_enabled():
        return _fast_hop(caller, target, request, levels if HopEvaluation.constant_levels else None)
    role = target.role
    resource = role.arn
    ctx = request.context
    reason = _precheck(caller, target, request)
    if reason is not None:
        return Decision(verdict=Verdict.IMPLICIT_DENY, reasons=(reason,))

    aws_caller = caller.kind in AWS_CALLERS
    apply_scps = aws_caller and caller.scp_levels is not None and not _is_service_linked_session(caller)
    apply_rcps = target.rcp_levels is not None and not role.service_linked
    actions = companion_actions(request, caller)

    denies: list[Statement] = []
    allows: list[Statement] = []
    reasons: list[str] = []
    approx: list[Approximation] = []
    if caller.kind is CallerKind.WEB_IDENTITY:
        approx.extend((what, Location(caller.arn, "")) for what in uncertain_claims(caller.arn, ctx))

    def note(items: Iterable[Approximation]) -> None:
        for a in items:
            if a not in approx:
                approx.append(a)

    for action in actions:
        trust = _scan(role.trust_policy, caller=caller, action=action.value, resource=resource, context=ctx,
                      variables=None, principal_required=True)
        note(trust.approximations)
        denies.extend(trust.denies)
        identity = boundary = sessions = None
        if aws_caller:
            identity = _eval_many(caller.identity_policies, caller, action, resource, ctx)
            note(identity.approximations)
            denies.extend(identity.denies)
            if caller.boundary is not None:
                boundary = _eval_many((caller.boundary,), caller, action, resource, ctx)
                note(boundary.approximations)
                denies.extend(boundary.denies)
            if caller.kind is CallerKind.ROLE_SESSION and caller.session_policies:
                sessions = _eval_many(caller.session_policies, caller, action, resource, ctx)
                note(sessions.approximations)
                denies.extend(sessions.denies)
        scp_levels: list[_Sides] = []
        if apply_scps:
            assert caller.scp_levels is not None
            for level in caller.scp_levels:
                side = _eval_many(level, caller, action, resource, ctx)
                note(side.approximations)
                denies.extend(side.denies)
                scp_levels.append(side)
        if apply_rcps:
            assert target.rcp_levels is not None
            for level in target.rcp_levels:
                side = _eval_many(level, caller, action, resource, ctx)
                note(side.approximations)
                denies.extend(side.denies)
        if denies:
            continue  # explicit deny wins; keep collecting denies of the other actions

        # --- allows -------------------------------------------------------------------------------------------
        if not trust.allows:
            reasons.append(_no_trust_allow(trust, resource, caller, action))
            continue
        for st, form in trust.allows:
            if form is not None and any_matches_federated_is_approximate(form, caller):
                note([(f'Principal "*" assumed to match the {caller.kind.value} caller {caller.arn} '
                       f"(open point: §8.1)", st.location)])
        ok = not apply_scps or _scps_allow(caller, [bool(side.allows) for side in scp_levels], action, resource,
                                           role.location, note, reasons)
        if aws_caller:
            assert identity is not None
            gate_ok, gate_reasons, gate_allows, gate_approx = _gate(caller, role.account, resource, action, trust,
                                                                     identity, boundary, sessions)
            note(gate_approx)
            if not gate_ok:
                reasons.extend(gate_reasons)
                ok = False
            allows_here = gate_allows
        else:
            allows_here = ()
        if ok:
            _keep_allows(allows, (st for st, _ in trust.allows), allows_here)

    return _decision(denies, reasons, allows, approx)


#: policies of at most this many statements are walked testing each statement's Action (as ``actions.plain_scan``
#: does) rather than through the action index: most trust and inline policies have one or two statements, and most
#: are asked once (each target's trust policy, each state's role policies), where the index would make and keep
#: two dictionaries per policy for one look-up
_WALKED = 2


def _fast_scan(policy: Policy, caller: Caller, act: Action, name: str, resource: str, ctx: Context,
               principal_required: bool, unknown_org: bool) -> _Scan:
    """:func:`_scan` of ``policy`` for ``act`` (named ``name``) through the action index, the hop's constants
    given."""
    statements = policy.statements
    walk = len(statements) <= _WALKED
    if not walk:
        statements = statements_for_action(policy, name)
        if not statements:
            return _NOTHING
    var = policy.variables_enabled
    allows: list[tuple[Statement, MatchForm | None]] | None = None
    denies: list[Statement] | None = None
    approx: list[Approximation] | None = None
    unmet: list[Statement] | None = None
    for st in statements:
        if walk and not statement_action_matches(st, name):
            continue
        form: MatchForm | None = None
        if st.principals is not None or st.not_principals is not None:
            form = statement_principal_match(st, caller, act)
            if form is None:
                continue
        elif principal_required:
            continue
        resources = st.resources
        if resources is not None:
            if not _any_resource(resources) and not statement_resource_matches(st, resource, ctx, variables=var):
                continue
        elif st.not_resources is not None and not statement_resource_matches(st, resource, ctx, variables=var):
            continue
        conditions = st.conditions
        applies = True
        if conditions:
            try:
                applies = (evaluate_all(conditions, ctx, variables=var) if HopEvaluation.compiled_conditions
                           else evaluate_conditions(conditions, ctx, variables=var))
            except UndecidableCondition as exc:
                if approx is None:
                    approx = []
                applies, assumed = _assumed(st, exc)
                approx.append(assumed)
            if unknown_org and _reads_org(st):
                if approx is None:
                    approx = []
                approx.append((f"organization membership of account {caller.account} is unknown (no organizations "
                               f"data lists it): this decision assumes "
                               f"{'organization ' + caller.org_id if caller.org_id else 'no organization'}",
                               st.location))
        if st.effect is Effect.ALLOW:
            if applies:
                if allows is None:
                    allows = []
                allows.append((st, form))
            else:
                if unmet is None:
                    unmet = []
                unmet.append(st)
        elif applies:
            if denies is None:
                denies = []
            denies.append(st)
    if allows is None and denies is None and approx is None and unmet is None:
        return _NOTHING
    return _Scan(() if allows is None else tuple(allows), () if denies is None else tuple(denies),
                 () if approx is None else tuple(approx), () if unmet is None else tuple(unmet))


def _any_resource(globs: tuple[Glob, ...]) -> bool:
    """Whether a Resource element holds ``*`` (a pattern of one star: every resource, whatever the request), so
    that the resource need not be matched (SCPs and RCPs, and many identity statements, say ``"Resource": "*"``)."""
    for g in globs:
        pattern = g.pattern
        if len(pattern) == 1 and pattern[0].__class__ is Star:
            return True
    return False


def _fast_side(policies: Iterable[Policy], caller: Caller, act: Action, name: str, resource: str, ctx: Context,
               unknown_org: bool, denies: list[Statement], approx: list[Approximation]) -> list[Statement]:
    """The Allow statements of ``policies`` that apply; their Deny statements appended to ``denies`` and their
    approximations noted in ``approx`` (each once, in order), as the reference notes a side's."""
    allows: list[Statement] = []
    for p in policies:
        r = _fast_scan(p, caller, act, name, resource, ctx, False, unknown_org)
        if r is _NOTHING:
            continue
        allows.extend(st for st, _ in r.allows)
        denies.extend(r.denies)
        for a in r.approximations:
            if a not in approx:
                approx.append(a)
    return allows


def _fast_companions(request: Request, caller: Caller) -> tuple[Action, ...]:
    """:func:`companion_actions`, the context's keys walked once."""
    ctx = request.context
    carrier = caller.kind is CallerKind.ROLE_SESSION
    tags = (carrier and bool(caller.transitive_tags)) or any(k in ctx for k in TAGS_PASSED_KEYS)
    if not tags:
        for k in ctx:
            if k.startswith("aws:requesttag/"):
                tags = True
                break
    source = "sts:sourceidentity" in ctx or (carrier and bool(caller.source_identity))
    if not tags and not source:
        return (request.action,)
    out = [request.action]
    if tags:
        out.append(Action.TAG_SESSION)
    if source:
        out.append(Action.SET_SOURCE_IDENTITY)
    return tuple(out)


def _constant_part(level: tuple[Policy, ...], name: str, scp: bool) -> tuple[bool, tuple[Statement, ...]] | None:
    """What an SCP (``scp``) or RCP level adds to every decision of action ``name`` when that is the same whatever
    the caller, role and request: (whether it allows, its Deny statements in order), or None when it is not."""
    allowed = False
    denies: list[Statement] = []
    for p in level:
        for st in p.statements:
            if not statement_action_matches(st, name):
                continue
            if st.conditions:
                return None
            if st.effect is Effect.ALLOW and not scp:
                continue  # an RCP's Allow adds nothing to the decision
            if not scp or st.principals is not None or st.not_principals is not None:
                return None
            if st.not_resources is not None or (st.resources is not None and not _any_resource(st.resources)):
                return None
            if st.effect is Effect.ALLOW:
                allowed = True
            else:
                denies.append(st)
    return allowed, tuple(denies)


def _level_part(level: tuple[Policy, ...], name: str, scp: bool, memo: dict[tuple[Any, ...], tuple[Any, ...]]
                ) -> tuple[bool, tuple[Statement, ...]] | None:
    """:func:`_constant_part`, kept in ``memo`` per level object (the entry holds it: it counts for that object)."""
    key = ("level-part", id(level), name, scp)
    hit = memo.get(key)
    if hit is not None and hit[0] is level:
        part: tuple[bool, tuple[Statement, ...]] | None = hit[1]
        return part
    part = _constant_part(level, name, scp)
    memo[key] = (level, part)
    return part


def _fast_hop(caller: Caller, target: Target, request: Request,
              levels: dict[tuple[Any, ...], tuple[Any, ...]] | None = None) -> Decision:
    """:func:`evaluate_hop` under :attr:`HopEvaluation.fast` (the reference's procedure, step for step)."""
    role = target.role
    resource = role.arn
    ctx = request.context
    reason = _precheck(caller, target, request, fast=True)
    if reason is not None:
        return Decision(verdict=Verdict.IMPLICIT_DENY, reasons=(reason,))

    kind = caller.kind
    aws_caller = kind in AWS_CALLERS
    apply_scps = aws_caller and caller.scp_levels is not None and not _is_service_linked_session(caller)
    apply_rcps = target.rcp_levels is not None and not role.service_linked
    unknown_org = caller.org_unknown is not None and not caller.org_unknown.chosen

    denies: list[Statement] = []
    allows: list[Statement] = []
    reasons: list[str] = []
    approx: list[Approximation] = []
    if kind is CallerKind.WEB_IDENTITY:
        approx.extend((what, Location(caller.arn, "")) for what in uncertain_claims(caller.arn, ctx))

    def note(items: Iterable[Approximation]) -> None:
        for a in items:
            if a not in approx:
                approx.append(a)

    def side(policies: Iterable[Policy], action: Action, name: str) -> list[Statement]:
        return _fast_side(policies, caller, action, name, resource, ctx, unknown_org, denies, approx)

    for action in _fast_companions(request, caller):
        name = action.value
        trust = _fast_scan(role.trust_policy, caller, action, name, resource, ctx, True, unknown_org)
        if trust.approximations:
            note(trust.approximations)
        denies.extend(trust.denies)
        identity = boundary = sessions = None
        if aws_caller:
            identity = _Sides(tuple(side(caller.identity_policies, action, name)), (), ())
            if caller.boundary is not None:
                boundary = _Sides(tuple(side((caller.boundary,), action, name)), (), ())
            if kind is CallerKind.ROLE_SESSION and caller.session_policies:
                sessions = _Sides(tuple(side(caller.session_policies, action, name)), (), ())
        scp_allowed: list[bool] = []
        if apply_scps:
            assert caller.scp_levels is not None
            for level in caller.scp_levels:
                part = _level_part(level, name, True, levels) if levels is not None else None
                if part is None:
                    scp_allowed.append(bool(side(level, action, name)))
                else:
                    scp_allowed.append(part[0])
                    denies.extend(part[1])
        if apply_rcps:
            assert target.rcp_levels is not None
            for level in target.rcp_levels:
                if levels is None or _level_part(level, name, False, levels) is None:
                    side(level, action, name)
        if denies:
            continue  # explicit deny wins; keep collecting denies of the other actions

        # --- allows (as the reference) ---------------------------------------------------------------------------
        if not trust.allows:
            reasons.append(_no_trust_allow(trust, resource, caller, action))
            continue
        if kind in FEDERATED_CALLERS:
            for st, form in trust.allows:
                if form is not None and any_matches_federated_is_approximate(form, caller):
                    note([(f'Principal "*" assumed to match the {kind.value} caller {caller.arn} '
                           f"(open point: §8.1)", st.location)])
        ok = not apply_scps or _scps_allow(caller, scp_allowed, action, resource, role.location, note, reasons)
        allows_here: tuple[Statement, ...] = ()
        if aws_caller:
            assert identity is not None
            gate_ok, gate_reasons, allows_here, gate_approx = _gate(caller, role.account, resource, action, trust,
                                                                     identity, boundary, sessions)
            if gate_approx:
                note(gate_approx)
            if not gate_ok:
                reasons.extend(gate_reasons)
                ok = False
        if ok:
            _keep_allows(allows, (st for st, _ in trust.allows), allows_here)

    return _decision(denies, reasons, allows, approx)


def _no_trust_allow(trust: _Scan, resource: str, caller: Caller, action: Action) -> str:
    """Why a hop fails when no trust statement admits the caller, naming the Allows whose conditions do not hold."""
    why = f"no trust statement of {resource} allows {_who(caller)} to call {action.value}"
    if trust.unmet:
        where = ", ".join(str(st.location) for st in trust.unmet)
        why += f" (the conditions of {where} do not hold)"
    return why


def _scps_allow(caller: Caller, allowed: list[bool], action: Action, resource: str, role_location: Location,
                note: Callable[[Iterable[Approximation]], None], reasons: list[str]) -> bool:
    """Whether every SCP level above the caller's account allows the call (``allowed``: each level's verdict, in
    order), adding a reason per level that does not and noting each level with no SCP loaded (assumed to allow)."""
    assert caller.scp_levels is not None
    ok = True
    for i, level_allows in enumerate(allowed):
        if not caller.scp_levels[i]:
            note([(f"no SCP loaded at level {i} above account {caller.account}: assumed to allow", role_location)])
            continue
        if not level_allows:
            reasons.append(f"SCPs of account {caller.account} (level {i}) do not allow {action.value} on {resource}")
            ok = False
    return ok


def _assumed(st: Statement, exc: UndecidableCondition) -> tuple[bool, Approximation]:
    """Whether a statement whose conditions cannot be decided is taken to apply, and the approximation that says so:
    an Allow is assumed to apply and a Deny not to, so that the answer errs towards access (never towards safe)."""
    if st.effect is Effect.ALLOW:
        return True, (f"{exc.reason}: Allow statement {st.label} assumed to apply", exc.location)
    return False, (f"{exc.reason}: Deny statement {st.label} assumed not to apply", exc.location)


def _keep_allows(allows: list[Statement], trust_allows: Iterable[Statement], gate_allows: Iterable[Statement]) -> None:
    """Add to ``allows`` the trust statements that admitted the caller, then the identity statements the gate read,
    each once (the reference's and the fast walk's order)."""
    for st in (*trust_allows, *gate_allows):
        if st not in allows:
            allows.append(st)


def _decision(denies: list[Statement], reasons: list[str], allows: list[Statement],
              approx: list[Approximation]) -> Decision:
    """The hop's decision from what its walk gathered (the reference's and the fast walk's last step): an explicit
    deny names each denying statement once, then any reason denies implicitly, else the allowing statements allow."""
    if denies:
        unique: list[Statement] = []
        for st in denies:
            if not any(st is u for u in unique):
                unique.append(st)
        return Decision(verdict=Verdict.EXPLICIT_DENY, statements=tuple(unique), approximations=tuple(approx))
    if reasons:
        return Decision(verdict=Verdict.IMPLICIT_DENY, reasons=tuple(reasons), approximations=tuple(approx))
    return Decision(verdict=Verdict.ALLOW, statements=tuple(allows), approximations=tuple(approx))


def _gate(
    caller: Caller,
    role_account: str,
    resource: str,
    action: Action,
    trust: _Scan,
    identity: _Sides,
    boundary: _Sides | None,
    sessions: _Sides | None,
) -> tuple[bool, list[str], tuple[Statement, ...], list[Approximation]]:
    """Gate(c, r) of §1.2 with the Limits table; returns (ok, reasons, identity statements used, approximations)."""

    def not_allowing(policies: str, verb: str = "do") -> str:  # a reason, written only when given (most gates pass)
        return f"{policies} of {_who(caller)} {verb} not allow {action.value} on {resource}"

    approx: list[Approximation] = []
    boundary_ok = True
    if caller.boundary is None and caller.boundary_unresolved:
        approx.append((f"permissions boundary of {caller.arn} is not in the export: assumed to allow",
                       Location(caller.arn, "")))
    elif boundary is not None:
        boundary_ok = bool(boundary.allows)
    sessions_ok = sessions is None or bool(sessions.allows)
    carried_source_identity = action is Action.SET_SOURCE_IDENTITY and bool(caller.source_identity)

    same_account = caller.account == role_account
    direct = [(st, form) for st, form in trust.allows if form in DIRECT_FORMS] if same_account else []
    if direct:
        forms = {form for _, form in direct}
        best_reasons: list[str] = []
        passed = False
        for form in sorted(forms, key=lambda f: f.value):
            # Limits by the form the trust named (§1.2, notes): boundary always; session policies for role grants.
            need_boundary = form is not MatchForm.SESSION_ARN
            need_sessions = form in (MatchForm.ROLE_ARN, MatchForm.UNIQUE_ID)
            rs: list[str] = []
            if need_boundary and not boundary_ok:
                rs.append(not_allowing("permissions boundary", "does"))
            if need_sessions and not sessions_ok:
                rs.append(not_allowing("session policies"))
            if not rs:
                passed = True
                if form is MatchForm.SESSION_ARN and not (boundary_ok and sessions_ok):
                    st = next(s for s, f in direct if f is form)
                    approx.append(("session-ARN grant assumed not limited by the caller's permissions boundary "
                                   "or session policies (open point: row 53)", st.location))
                if form in (MatchForm.ANY, MatchForm.NOT_PRINCIPAL) and not sessions_ok:
                    st = next(s for s, f in direct if f is form)
                    approx.append(('"*" grant assumed not limited by the caller\'s session policies '
                                   "(open point: §8.3)", st.location))
                break
            best_reasons = rs
        if passed and carried_source_identity and not identity.allows:
            return False, [not_allowing("identity policies")
                           + " (required when the calling session carries a source identity)"], (), approx
        if passed:
            return True, [], identity.allows if carried_source_identity else (), approx
        return False, best_reasons, (), approx

    rs = []
    if not identity.allows:
        rs.append(not_allowing("identity policies"))
    if not boundary_ok:
        rs.append(not_allowing("permissions boundary", "does"))
    if not sessions_ok:
        rs.append(not_allowing("session policies"))
    if rs:
        return False, rs, (), approx
    return True, [], identity.allows, approx


__all__ = ["CHAINED_MAX_SECONDS", "ORG_KEYS", "HopEvaluation", "PolicyEval", "companion_actions", "condition_evaluator",
           "evaluate_hop", "evaluate_policy"]
