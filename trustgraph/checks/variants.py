"""Counterexamples to vacuous-condition's question 3 read off the solver's own witness, with the evaluator.

vacuous-condition's question 3 for a condition C on key k of a trust statement S asks whether some request of the
caller class, with k present, gets in under S without C while C is false (S minus C plus two Deny statements). When
C is false for every request without k, question 2 is S alone, whose Sat answer is a concrete member of the class and
a request S allows. :func:`variant_admitted` changes that witness in k only, to a value that makes C false, and asks
the evaluator whether the changed request gets in under question 3: allowed (and resting on no approximation), it is
a counterexample, so C restricts and the solver's question 3 is Sat too. Where nothing is shown the check asks the
solver as before; this never settles a "no".

The change stays inside the solver's model of the class (``smt.symbolic``, ``smt.presence``), so the counterexample
is one the solver's question 3 admits:

- a single-valued Bool, Numeric or IP request key that the hop leaves free to the caller (``presence.key_mode``:
  free, exact, not the caller's own): only its value changes, never its presence, so presence rules (VPC endpoint
  keys against aws:SourceIp) still hold; numbers and addresses have no domain axioms, Bool is ``true``/``false``.
  String keys are :func:`trustgraph.checks.exact.other_value_admitted`'s;
- for the class of any AWS principal (label ``aws``: a symbolic outsider, whose organization, principal tags and MFA
  age are its own choice in every candidate): aws:MultiFactorAuthAge (a whole number of seconds from 0 to
  :func:`~trustgraph.semantics.context.credential_lifetime`, for a member with MFA), aws:PrincipalTag/t (another
  value of the tag it carries), aws:PrincipalOrgID (another organization id of the ``o-...`` form that the class
  does not exclude; its paths keep their shape ``ORG/r-...``) and aws:PrincipalOrgPaths (one path of the same
  organization). The request is rebuilt from the changed member with the witness's own choices
  (:func:`~trustgraph.semantics.context.build_request`), as :func:`trustgraph.checks.exact.mfa_dropped_admitted`
  rebuilds a member without MFA;
- for the class of any AWS principal calling sts:AssumeRole, aws:TagKeys and sts:TransitiveTagKeys (switch
  ``SolverOptions.tag_key_variants``): the session tags the witness passes renamed, or one more passed
  (:func:`_tag_key_variants`); the request keeps aws:TagKeys, the transitive keys and the tags in agreement, as the
  solver's couplings do. On condition-heavy-2k these were 139 of the 340 Sat question-3 runs and ~70% of their time
  (a ``ForAllValues`` list of allowed tag keys cost ~33 ms of solving each): z3 runs per scan 122 -> 92.

A condition read by another condition of S (the same key, or a policy variable on it) is not claimed. Cost: one
evaluation of a condition per value tried (at most five; for the tag keys, one per key the statement allows, plus
two) and one hop evaluation per changed request, instead of a hop question (for the class of any AWS principal, up
to a dozen encoded candidates). ``tests/checks/test_statement_variants.py`` holds every
counterexample shown here to the solver's answer to the same question.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from fractions import Fraction
from functools import cache

from trustgraph.checks.exact import OTHER_VALUE, OTHER_VALUES, shortcuts_enabled
from trustgraph.model.condition import Condition
from trustgraph.model.pattern import variables_of
from trustgraph.model.policy import Statement
from trustgraph.model.values import format_number, parse_number
from trustgraph.semantics.conditions import UndecidableCondition
from trustgraph.semantics.evaluate import condition_evaluator
from trustgraph.semantics.request import Action, Caller, CallerKind, Request, Target

#: Organization ids a changed outsider may be in (the ``o-`` + ``[a-z0-9-]+`` form of the solver's model).
OTHER_ORGS = ("o-trustgraphother", "o-trustgraphother2")

#: Addresses a changed aws:SourceIp (or another IP key) may carry: documentation ranges and a private one.
OTHER_IPS = ("203.0.113.7", "2001:db8::7", "10.11.12.13")

#: The root and OU a changed aws:PrincipalOrgPaths path names under the member's own organization.
OTHER_PATH = "r-tgot/ou-tgot-trustgraph/"

_MFA_AGE = "aws:multifactorauthage"
_ARN = "aws:principalarn"

#: The role names a changed outsider's aws:PrincipalArn may end in (IAM's ``[\\w+=,.@-]+``, no path).
OTHER_ROLE_NAMES = ("trustgraph-other-role", "TrustgraphOther")
_TAG = "aws:principaltag/"
_ORG_ID = "aws:principalorgid"
_ORG_PATHS = "aws:principalorgpaths"
_AWS_KINDS = (CallerKind.ROLE_SESSION, CallerKind.IAM_USER)

#: The session tag keys a changed request may pass instead of (or besides) the witness's (valid keys, lower case).
OTHER_TAG_KEYS = ("trustgraph-other", "trustgraph-other-2", "trustgraph-other-3")
_TAG_LIST_KEYS = ("aws:tagkeys", "sts:transitivetagkeys")
_REQUEST_TAG = "aws:requesttag/"


def variant_admitted(st: Statement, index: int, label: str, witness: object, counter: Target, *, variables: bool,
                     excluded_orgs: frozenset[str] = frozenset(), outsider: object = None,
                     principal_arns: bool = False, tag_keys: bool = False) -> bool:
    """True when the evaluator allows, under ``counter`` (vacuous-condition's question 3 for condition ``index`` of
    ``st``), the request of ``witness`` (a Sat answer of the class ``label`` under ``st`` alone) changed in the
    condition's key to a value that makes the condition false (see the module docstring for the keys and values);
    False when that is not shown. ``excluded_orgs`` are the organizations the class's members cannot be in.
    ``principal_arns`` (``SolverOptions.principal_arn_variants``) also changes aws:PrincipalArn of a role session of
    the class ``outsider`` (its ``smt.symbolic.SymbolicCaller``): :func:`_arn_variant`. ``tag_keys``
    (``SolverOptions.tag_key_variants``) also changes the session tags an AWS principal passes with sts:AssumeRole
    for a condition on aws:TagKeys or sts:TransitiveTagKeys: :func:`_tag_key_variants`."""
    cond = st.conditions[index]
    request = getattr(witness, "request", None)
    caller = getattr(witness, "caller", None)
    if not shortcuts_enabled() or not isinstance(request, Request) or not isinstance(caller, Caller):
        return False
    key = cond.key
    if key not in request.context or _read_elsewhere(st, index, key):
        return False
    from trustgraph.semantics.keys import key_info

    if key in _TAG_LIST_KEYS:
        if not tag_keys or label != "aws" or caller.kind not in _AWS_KINDS or caller.transitive_tags:
            return False
        return any(_admitted(caller, r, counter) for r in _tag_key_variants(st, index, request, variables=variables))
    if key_info(key).principal_derived:
        if label != "aws" or caller.kind not in _AWS_KINDS:
            return False
        if key == _ARN:
            changed = _arn_variant(cond, caller, counter, outsider, variables=variables) if principal_arns else None
        else:
            changed = _principal_variant(cond, caller, variables=variables, excluded_orgs=excluded_orgs)
        if changed is None:
            return False
        return _admitted(changed, _rebuilt(changed, request, counter), counter)
    value = _request_value(cond, caller, request.action, variables=variables)
    if value is None:
        return False
    changed_request = Request(action=request.action, context={**request.context, key: (value,)},
                              duration_seconds=request.duration_seconds)
    return _admitted(caller, changed_request, counter)


def _read_elsewhere(st: Statement, index: int, key: str) -> bool:
    """Another condition of ``st`` reads ``key`` (as its key or through a policy variable)."""
    return any(j != index and (c.key == key or any(v.key == key for p in c.patterns for v in variables_of(p)))
               for j, c in enumerate(st.conditions))


def _false_on(cond: Condition, values: tuple[str, ...], *, variables: bool) -> bool:
    """``cond`` is false for a request whose only key is its own, with ``values``."""
    try:
        return not condition_evaluator()(cond, {cond.key: values}, variables=variables)
    except UndecidableCondition:
        return False


def _admitted(caller: Caller, request: Request, counter: Target) -> bool:
    from trustgraph.semantics.evaluate import evaluate_hop

    decision = evaluate_hop(caller, counter, request)
    return decision.allowed and not decision.approximations


def _rebuilt(changed: Caller, request: Request, counter: Target) -> Request:
    """The witness's request sent by ``changed``: its principal keys, the witness's own choices for every other."""
    from trustgraph.semantics.context import build_request
    from trustgraph.semantics.keys import key_info

    now = request.context.get("aws:currenttime", ())
    chosen = {k: v for k, v in request.context.items() if not key_info(k).principal_derived}
    return build_request(changed, request.action, chosen, target=counter, now=now[0] if len(now) == 1 else None,
                         duration_seconds=request.duration_seconds)


def _principal_variant(cond: Condition, caller: Caller, *, variables: bool,
                       excluded_orgs: frozenset[str]) -> Caller | None:
    """The member ``caller`` changed in the principal key of ``cond`` to a value that makes it false, within the
    solver's model of an outsider; None when no such change is known."""
    from trustgraph.semantics.context import credential_lifetime

    key = cond.key
    if key == _MFA_AGE:
        if not caller.mfa or caller.kind not in _AWS_KINDS:
            return None
        limit = credential_lifetime(caller)
        for age in _numbers(cond):
            if age.denominator == 1 and 0 <= age <= limit and _false_on(cond, (str(age),), variables=variables):
                return replace(caller, mfa_age=int(age))
        return None
    if key.startswith(_TAG):
        name = key[len(_TAG):]
        if sum(1 for k, _ in caller.tags if k.lower() == name) != 1:
            return None
        for value in (OTHER_VALUE, *OTHER_VALUES):
            if _false_on(cond, (value,), variables=variables):
                return replace(caller, tags=tuple((k, value if k.lower() == name else v) for k, v in caller.tags))
        return None
    if caller.org_id is None or not caller.org_id.startswith("o-"):
        return None
    if key == _ORG_ID:
        for org in OTHER_ORGS:
            if org not in excluded_orgs and _false_on(cond, (org,), variables=variables):
                paths = tuple(f"{org}/{p.split('/', 1)[1]}" for p in caller.org_paths if "/" in p)
                if len(paths) != len(caller.org_paths):
                    return None
                return replace(caller, org_id=org, org_paths=paths)
        return None
    if key == _ORG_PATHS and len(caller.org_paths) == 1:
        paths = (f"{caller.org_id}/{OTHER_PATH}",)
        if _false_on(cond, paths, variables=variables):
            return replace(caller, org_paths=paths)
    return None


def _arn_variant(cond: Condition, caller: Caller, counter: Target, outsider: object, *,
                 variables: bool) -> Caller | None:
    """The role session ``caller`` (a member of the class of any AWS principal, ``outsider``) as a session of another
    role that makes ``cond`` (on aws:PrincipalArn) false: a role of :data:`OTHER_ROLE_NAMES` without a path, in the
    caller's own account or else in a fresh account; None when no such change is known.

    The changed caller stays inside the solver's model of the class (``smt.symbolic._aws_candidates``): the class
    has a generic role-session candidate for every account it may be in (each account the trust policy names, and
    a fresh one for any other), whose ARN is any ``arn:P:iam::A:role/PATH NAME`` that no principal of the trust
    policy names; its unique id and session name are the witness's (not a named unique id, and no named session is
    of a role of that name), its organization, tags and MFA unchanged. An account the class excludes, or other
    than the one it is pinned to, is not tried; a class of one named principal (``arn`` set) is not claimed. The
    fresh account is one no principal of ``counter`` names (so the fresh candidate's account expression takes it)."""
    from trustgraph.model.principal import PrincipalKind
    from trustgraph.smt.symbolic import trust_principals

    if caller.kind is not CallerKind.ROLE_SESSION or getattr(outsider, "arn", "?") is not None:
        return None
    if CallerKind.ROLE_SESSION not in getattr(outsider, "aws_kinds", ()):
        return None
    parts = caller.arn.split(":", 5)
    if len(parts) != 6 or parts[2] != "iam" or not parts[5].startswith("role/"):
        return None
    pinned: str | None = getattr(outsider, "account", None)
    excluded: frozenset[str] = getattr(outsider, "excluded_accounts", frozenset())
    principals = trust_principals(counter)
    named = {p.text for p in principals}
    if caller.unique_id in named:
        return None
    session_roles = {p.text.split(":", 5)[5].split("/")[1] for p in principals
                     if p.kind is PrincipalKind.ASSUMED_ROLE and p.text.count("/") >= 2}
    accounts = {p.account for p in principals if p.account} | {counter.role.account} | excluded
    if pinned is not None:
        accounts.add(pinned)
    fresh = next(f"{n:012d}" for n in range(999_999_999_999, 0, -1) if f"{n:012d}" not in accounts)
    tried = [caller.account] if pinned in (None, caller.account) and caller.account not in excluded else []
    if pinned is None:
        tried.append(fresh)
    for account in tried:
        for name in OTHER_ROLE_NAMES:
            arn = f"arn:{parts[1]}:iam::{account}:role/{name}"
            if arn in named or name in session_roles or not _false_on(cond, (arn,), variables=variables):
                continue
            return replace(caller, arn=arn, account=account)
    return None


def _tag_key_variants(st: Statement, index: int, request: Request, *, variables: bool) -> Iterator[Request]:
    """The request of a witness (an AWS principal's sts:AssumeRole that passes session tags) with its session tags
    changed so that condition ``index`` of ``st``, on aws:TagKeys or sts:TransitiveTagKeys, is false: first every key
    the condition's key lists renamed (in aws:TagKeys, sts:TransitiveTagKeys and its aws:RequestTag/k, value kept) to
    :data:`OTHER_TAG_KEYS`, then to the literal keys another condition of ``st`` on aws:TagKeys names (a
    ``ForAnyValue`` condition naming the passed key, beside a ``ForAllValues`` one listing the keys allowed, which
    the first names break; a single key is tried with each of them in turn, since another condition may read the
    tag of one: ``StringLikeIfExists aws:RequestTag/project``); then, for aws:TagKeys, one more tag passed, the first
    of :data:`OTHER_TAG_KEYS` with value ``tg``, not transitive (a ``ForAllValues`` condition listing the keys
    allowed). Each is yielded only when the condition is false on its new list.

    The changed request stays inside the solver's model of the hop: session tag keys are symbolic strings within
    STS's limits (the new names are valid keys, differ without case from every key the request passes and name no
    tag the request carries), aws:TagKeys lists exactly the passed tags and the transitive keys are among them
    (``smt.presence.tag_couplings``); the number of tags may grow by one, which the small-model bound covers
    (``smt.slots``: any set that satisfies the hop formula has a subset within the slots that does). The evaluator
    checks everything else (the other conditions, sts:TagSession on both sides, the tag limits): its ALLOW, with no
    approximation, is the counterexample."""
    from trustgraph.semantics.tag_limits import tag_key_ok

    if request.action is not Action.ASSUME_ROLE:
        return
    cond = st.conditions[index]
    context = request.context
    listed = context.get("aws:tagkeys") or ()
    transitive = context.get("sts:transitivetagkeys") or ()
    tags = {k[len(_REQUEST_TAG):].lower(): k for k in context if k.startswith(_REQUEST_TAG)}
    taken = {k.lower() for k in (*listed, *transitive)} | set(tags)
    fresh = [n for n in OTHER_TAG_KEYS if n.lower() not in taken and tag_key_ok(n)]
    literals = [t.lower() for j, c in enumerate(st.conditions) if j != index and c.key == "aws:tagkeys"
                for t in c.texts if not any(ch in t for ch in "*?$")]  # no wildcard, no policy variable
    allowed = [t for t in dict.fromkeys(literals) if t not in taken and tag_key_ok(t)]
    named = list(dict.fromkeys(k.lower() for k in context.get(cond.key) or ()))
    if not listed or {k.lower() for k in transitive} - {k.lower() for k in listed} or set(tags) - {
            k.lower() for k in listed}:
        return  # the witness's tags do not agree with its list: not claimed
    pools = [fresh, *([t] for t in allowed)] if len(named) == 1 else [fresh, allowed]
    for pool in pools:
        if not named or len(named) > len(pool):
            continue
        renamed = dict(zip(named, pool, strict=False))
        if not _false_on(cond, _renamed(context[cond.key], renamed), variables=variables):
            continue
        changed = {k: v for k, v in context.items() if not (k.startswith(_REQUEST_TAG) and k[len(
            _REQUEST_TAG):].lower() in renamed)}
        for old, new in renamed.items():
            if old in tags:
                changed[_REQUEST_TAG + new] = context[tags[old]]
        changed["aws:tagkeys"] = _renamed(listed, renamed)
        if transitive:
            changed["sts:transitivetagkeys"] = _renamed(transitive, renamed)
        yield Request(action=request.action, context=changed, duration_seconds=request.duration_seconds)
    if cond.key == "aws:tagkeys" and fresh and _false_on(cond, (*listed, fresh[0]), variables=variables):
        added = {**context, "aws:tagkeys": (*listed, fresh[0]), _REQUEST_TAG + fresh[0]: ("tg",)}
        yield Request(action=request.action, context=added, duration_seconds=request.duration_seconds)


def _renamed(keys: tuple[str, ...], renamed: dict[str, str]) -> tuple[str, ...]:
    """``keys`` with each key ``renamed`` names (by its lower-case form) replaced."""
    return tuple(renamed.get(k.lower(), k) for k in keys)


def _numbers(cond: Condition) -> list[Fraction]:
    """Numbers around each value of a numeric condition (the value, one above, one below) and zero."""
    out: list[Fraction] = []
    for text in cond.texts:
        n = parse_number(text)
        if n is not None:
            out += [n, n + 1, n - 1]
    return [*out, Fraction(0)]


def _request_value(cond: Condition, caller: Caller, action: Action, *, variables: bool) -> str | None:
    """A value of the request key of ``cond`` that makes it false and that the caller may send in the solver's model
    of the hop (:func:`_free_typed_key`), or None."""
    from trustgraph.smt.env import Kind
    from trustgraph.smt.symbolic import provider_host

    host = provider_host(caller.arn) if caller.kind is CallerKind.WEB_IDENTITY else None
    kind = _free_typed_key(caller.kind, action, host, cond.key)
    if kind is None:
        return None
    if kind is Kind.BOOL:
        options: tuple[str, ...] = ("true", "false")
    elif kind is Kind.NUMERIC:
        options = tuple(format_number(n) for n in _numbers(cond))
    else:
        options = OTHER_IPS
    for value in options:
        if _false_on(cond, (value,), variables=variables):
            return value
    return None


@cache
def _free_typed_key(kind: CallerKind, action: Action, host: str | None, key: str) -> object | None:
    """The type (``smt.env.Kind``) of a single-valued Bool, Numeric or IP key that a hop of a caller of ``kind``
    leaves to the caller (free in ``presence.key_mode``, exact, not a principal key), else None."""
    from trustgraph.semantics.keys import key_info, origin_of
    from trustgraph.smt.env import Kind
    from trustgraph.smt.presence import HopView, Mode, catalog_facts, key_mode

    facts = catalog_facts(key)
    if not facts.known or facts.multi or facts.kind not in (Kind.BOOL, Kind.NUMERIC, Kind.IP):
        return None
    if key_info(key).principal_derived or key in ("aws:currenttime", "aws:epochtime"):
        return None
    view = HopView(action=action, origin=origin_of(kind, action), provider_host=host, symbolic_caller=False)
    mode = key_mode(view, key)
    if mode.mode is not Mode.FREE or mode.approximate or mode.principal:
        return None
    return facts.kind


__all__ = ["OTHER_IPS", "OTHER_ORGS", "OTHER_PATH", "OTHER_ROLE_NAMES", "OTHER_TAG_KEYS", "variant_admitted"]
