"""Answers a check can read off a trust policy exactly, without asking the solver.

Each function here decides one solver question that a check would otherwise ask, and only in the cases where the
policy's text settles it by the evaluator's own rules (:mod:`trustgraph.semantics.conditions`); everywhere else it
returns ``None`` and the check asks the solver as before. They exist because a scan asks the same kinds of question of
thousands of roles, and the common answers ("this StringEquals condition is false when its key is absent", "every
subject this GitHub trust admits starts with ``repo:acme/``") cost microseconds to read and tens of milliseconds to
prove with strings and regular expressions in z3. ``tests/checks/test_exact.py`` and
``tests/checks/test_statement_shortcuts.py`` hold each function to the solver's answer on the same question.

:func:`unconditioned_admits`, :func:`conditioned_admits`, :func:`other_value_admitted` and
:func:`mfa_dropped_admitted` settle a "yes" rather than a "no": the evaluator allows a concrete request that a
member of the caller class may send in the solver's own model of the hop (the keys it sets are free there, as a
concrete-first guess's are: :func:`caller_chooses`), a replayed witness as a solver Sat would be; they never settle
"no", which stays the solver's. :func:`true_when_present` and :func:`values_pinned` settle a "no" from the
evaluator's rules on the policy text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from functools import cache
from typing import TYPE_CHECKING

from trustgraph.model.condition import Condition, Operator, SetQualifier
from trustgraph.model.pattern import AnyChar, Literal, Pattern, Star, parse_pattern
from trustgraph.model.policy import Effect, Statement
from trustgraph.model.principal import PrincipalKind
from trustgraph.semantics.conditions import UndecidableCondition
from trustgraph.semantics.evaluate import condition_evaluator
from trustgraph.semantics.request import TAGS_PASSED_KEYS, Action, Caller, CallerKind

if TYPE_CHECKING:
    from trustgraph.semantics.request import Target
    from trustgraph.smt.results import Sat

_WEB_IDENTITY_PRINCIPALS = frozenset({PrincipalKind.ANY, PrincipalKind.OIDC_PROVIDER, PrincipalKind.WEB_IDENTITY})
_DISABLED: list[bool] = []


@contextmanager
def solver_only() -> Iterator[None]:
    """Within this block every function here answers "not decided" (None / False), and the statement checks share
    no verdict between roles (:func:`shortcuts_enabled`), so the checks ask the solver every question of every role:
    the tests compare both ways of answering."""
    _DISABLED.append(True)
    try:
        yield
    finally:
        _DISABLED.pop()


def shortcuts_enabled() -> bool:
    """False inside :func:`solver_only`."""
    return not _DISABLED


def false_when_absent(cond: Condition, *, variables: bool) -> bool:
    """True when the evaluator makes ``cond`` false for every request without its key.

    A statement holding such a condition allows no request that lacks the key, so "is the statement satisfiable with
    the key absent" is Unsat without the solver. The evaluator's rule (docs/semantics.md §2.2-§2.4) does not look at the
    policy values when the key is absent: plain positive operators are false (true with IfExists), negated operators
    and ``ForAllValues`` are true, ``ForAnyValue`` is false (true with IfExists). ``Null`` and unknown operators are
    never decided here.

    Examples
    --------
    >>> from trustgraph.ingest.policy_json import conditions_from_json
    >>> from trustgraph.model.location import MEMORY
    >>> c, = conditions_from_json({"StringEquals": {"sts:ExternalId": "x"}}, MEMORY, variables=True)
    >>> false_when_absent(c, variables=True)
    True
    >>> c, = conditions_from_json({"StringEqualsIfExists": {"sts:ExternalId": "x"}}, MEMORY, variables=True)
    >>> false_when_absent(c, variables=True)
    False
    """
    if _DISABLED or cond.operator in (Operator.NULL, Operator.UNKNOWN):
        return False
    try:
        return not condition_evaluator()(cond, {}, variables=variables)
    except UndecidableCondition:
        return False


def true_when_present(cond: Condition) -> bool:
    """True when the evaluator makes ``cond`` true for every request that carries its key: a plain ``StringLike``
    (no set qualifier) on a single-valued key of the catalog with a value made of ``*`` only, which matches every
    string (docs/semantics.md §2.2). vacuous-condition's question 3 (a request with the key present that the condition
    rejects) is then Unsat without the solver. Anything else is not claimed.

    Examples
    --------
    >>> from trustgraph.ingest.policy_json import conditions_from_json
    >>> from trustgraph.model.location import MEMORY
    >>> c, = conditions_from_json({"StringLike": {"sts:ExternalId": ["abc", "*"]}}, MEMORY, variables=True)
    >>> true_when_present(c)
    True
    >>> c, = conditions_from_json({"StringLike": {"sts:ExternalId": "a*"}}, MEMORY, variables=True)
    >>> true_when_present(c)
    False
    """
    from trustgraph.semantics.keys import key_info

    if _DISABLED or cond.operator is not Operator.STRING_LIKE or cond.qualifier is not SetQualifier.NONE:
        return False
    info = key_info(cond.key)
    if not info.known or info.multivalued:
        return False
    return any(pattern and all(isinstance(el, Star) for el in pattern) for pattern in cond.patterns)


def literal_prefix(pattern: Pattern) -> str:
    """The text every string matching ``pattern`` starts with: its leading literal elements."""
    out: list[str] = []
    for el in pattern:
        if not isinstance(el, Literal):
            break
        out.append(el.text)
    return "".join(out)


def _within(pattern: Pattern, owner_pattern: Pattern) -> bool:
    """Every string matching ``pattern`` matches ``owner_pattern``. Decided for the two shapes owner globs take, a
    literal (``pattern`` must be that same literal) or a literal followed by one ``*`` (``pattern``'s literal prefix
    must start with that literal: every string it matches starts with its literal prefix, whatever wildcards or
    variables follow); anything else is not claimed."""
    if all(isinstance(el, Literal) for el in owner_pattern):
        return all(isinstance(el, Literal) for el in pattern) and literal_prefix(pattern) == literal_prefix(
            owner_pattern)
    head, last = owner_pattern[:-1], owner_pattern[-1]
    if not isinstance(last, Star) or not all(isinstance(el, Literal) for el in head):
        return False
    return literal_prefix(pattern).startswith(literal_prefix(head))


def _pins_owner(cond: Condition, key: str, owner_of: Callable[[str], str | None],
                owner_glob: Callable[[str], str]) -> set[str] | None:
    """The owners a condition on the owner claim confines admitted tokens to, or None when it does not confine them
    (a negated, case-insensitive, IfExists or ForAllValues operator, a value whose literal prefix does not name an
    owner or is not inside that owner's glob)."""
    if cond.key != key.lower() or cond.if_exists or cond.qualifier is SetQualifier.FOR_ALL_VALUES:
        return None
    if cond.operator not in (Operator.STRING_EQUALS, Operator.STRING_LIKE):
        return None
    owners: set[str] = set()
    for pattern in cond.patterns:
        owner = owner_of(literal_prefix(pattern))
        if owner is None or not _within(pattern, parse_pattern(owner_glob(owner), wildcards=True, variables=False)):
            return None
        owners.add(owner)
    return owners


def single_owner(statements: Iterable[Statement], key: str, owner_of: Callable[[str], str | None],
                 owner_glob: Callable[[str], str]) -> str | None:
    """The one owner whose identities are the only ones a trust policy can admit from a multi-tenant issuer, or None
    when the policy's text does not show that.

    Every Allow statement that could admit a web-identity caller (its Action may match
    ``sts:AssumeRoleWithWebIdentity`` and its Principal is ``*``, an OIDC provider or a web identity provider, or it
    uses NotPrincipal) must hold a plain ``StringEquals``/``StringLike`` condition on the owner claim ``key`` whose
    every value, literal or glob, can only match values of one owner: the value's literal prefix (the text before its
    first wildcard) names the owner (``owner_of``) and lies inside ``owner_glob(owner)``. Then every admitted token's
    claim matches one such value and is that owner's (Deny statements only admit fewer): a second owner is
    impossible. ``owner_of`` and ``owner_glob`` are :meth:`Issuer.owner_of` and :meth:`Issuer.owner_glob`.
    """
    from trustgraph.graph.build import action_may_match

    if _DISABLED:
        return None
    found: set[str] = set()
    relevant = 0
    for st in statements:
        if st.effect is not Effect.ALLOW:
            continue
        if not action_may_match(st.actions, st.not_actions, Action.ASSUME_ROLE_WITH_WEB_IDENTITY.value):
            continue
        if st.principals is not None and not any(p.kind in _WEB_IDENTITY_PRINCIPALS for p in st.principals):
            continue
        relevant += 1
        pinned: set[str] | None = None
        for cond in st.conditions:
            owners = _pins_owner(cond, key, owner_of, owner_glob)
            if owners is not None:
                pinned = owners if pinned is None else pinned & owners
        if not pinned or len(pinned) != 1:
            return None
        found |= pinned
    if relevant == 0 or len(found) != 1:
        return None
    return next(iter(found))


def values_pinned(statements: Iterable[Statement], action: Action, kinds: frozenset[PrincipalKind], key: str,
                  accepted: Callable[[str], bool]) -> bool:
    """True when every request a trust policy of ``statements`` allows for ``action`` from a caller whose principal
    is of one of ``kinds`` carries ``key`` with a value ``accepted`` takes; False when the text does not show that.

    Every Allow statement whose Action may match ``action`` and that may name such a caller (its Principal holds
    ``*`` or a principal of ``kinds``, or it uses NotPrincipal) must hold a plain ``StringEquals`` or ``StringLike``
    condition on ``key`` (no set qualifier, no IfExists) whose every value is a literal (no wildcard, no policy
    variable) that ``accepted`` takes. The condition is false when the key is absent and, on a single-valued key,
    true only for one of its literals (docs/semantics.md §2.2-§2.4); Deny statements only allow fewer requests. So a
    question for such a request whose value ``accepted`` rejects (or without the key) is Unsat by the policy's text.
    """
    from trustgraph.graph.build import action_may_match
    from trustgraph.semantics.keys import key_info

    if _DISABLED or not key_info(key).known or key_info(key).multivalued:
        return False
    for st in statements:
        if st.effect is not Effect.ALLOW or not action_may_match(st.actions, st.not_actions, action.value):
            continue
        if st.principals is not None and not any(p.kind is PrincipalKind.ANY or p.kind in kinds
                                                 for p in st.principals):
            continue
        if not any(c.key == key and c.operator in (Operator.STRING_EQUALS, Operator.STRING_LIKE)
                   and c.qualifier is SetQualifier.NONE and not c.if_exists and c.patterns
                   and all(all(isinstance(el, Literal) for el in p) and accepted(literal_prefix(p))
                           for p in c.patterns)
                   for c in st.conditions):
            return False
    return True


#: The session and role names a witness caller of :func:`unconditioned_admits` uses (any valid name would do).
WITNESS_NAME = "trustgraph-witness"


def _aws_members(st: Statement, partition: str, fresh_account: str) -> Iterator[Caller]:
    """One concrete AWS principal per principal of ``st`` that an outsider of the class "any AWS principal" can be
    (smt.symbolic: any account, its identity policy allows everything, no boundary, no SCP known): a role session of
    the named account, role or of a stranger's account for ``"*"``, or the named user. Session ARNs and unique ids
    are left to the solver."""
    from trustgraph.smt.symbolic import allow_all_policy

    everything = (allow_all_policy(),)
    for p in st.principals or ():
        if p.kind is PrincipalKind.ANY:
            yield Caller(kind=CallerKind.ROLE_SESSION, arn=f"arn:{partition}:iam::{fresh_account}:role/{WITNESS_NAME}",
                         account=fresh_account, session_name=WITNESS_NAME, identity_policies=everything)
        elif p.kind is PrincipalKind.ACCOUNT and p.account is not None:
            yield Caller(kind=CallerKind.ROLE_SESSION,
                         arn=f"arn:{p.partition or partition}:iam::{p.account}:role/{WITNESS_NAME}",
                         account=p.account, session_name=WITNESS_NAME, identity_policies=everything)
        elif p.kind is PrincipalKind.ROLE and p.account is not None:
            yield Caller(kind=CallerKind.ROLE_SESSION, arn=p.text, account=p.account, session_name=WITNESS_NAME,
                         identity_policies=everything)
        elif p.kind is PrincipalKind.USER and p.account is not None:
            yield Caller(kind=CallerKind.IAM_USER, arn=p.text, account=p.account, identity_policies=everything)


def unconditioned_admits(st: Statement, label: str, caller: object, action: Action, target: Target, *,
                         fresh_account: str, now: str) -> bool:
    """True when the evaluator allows a concrete caller of the class ``label`` (as
    :func:`trustgraph.checks.base.statement_classes` names it, with its solver ``caller``) to call ``action`` on
    ``target``, whose trust policy is ``st`` alone, and ``st`` has no condition, Resource or NotResource; False when
    that is not shown (the solver decides then).

    Without conditions the request's values play no part in the trust statement, so one plain request per member
    tried settles it: a service caller for ``service:NAME``, the exported principal itself for a resolved unique
    id, and for ``aws`` one member per principal the statement names (:func:`_aws_members`). Federated classes are
    left to the solver (a token or assertion has claims STS checks). A True answer is a witness the evaluator
    allowed, so the solver's answer to the same question is Sat; False says nothing.
    """
    from trustgraph.semantics.context import build_request
    from trustgraph.semantics.evaluate import evaluate_hop

    if _DISABLED or st.conditions or st.resources is not None or st.not_resources is not None:
        return False
    if label.startswith("federated:"):
        return False  # a token or assertion has claims STS checks: left to the solver
    members = class_members(st, label, caller, target, fresh_account=fresh_account)
    return any(evaluate_hop(m, target, build_request(m, action, target=target, now=now)).allowed for m in members)


def _instance(pattern: Pattern) -> str | None:
    """One string ``pattern`` matches (``*`` as nothing, ``?`` as ``x``), or None for a pattern with a variable."""
    out: list[str] = []
    for el in pattern:
        if isinstance(el, Literal):
            out.append(el.text)
        elif isinstance(el, Star):
            continue
        elif isinstance(el, AnyChar):
            out.append("x")
        else:
            return None
    return "".join(out)


def class_members(st: Statement, label: str, caller: object, target: Target, *,
                  fresh_account: str) -> tuple[Caller, ...]:
    """The concrete members of caller class ``label`` (its solver ``caller``) that :func:`unconditioned_admits` and
    :func:`conditioned_admits` try: the caller itself when it is concrete, the service, the federated provider's
    token or assertion holder as the solver's own template for that class, one AWS principal per principal ``st``
    names (:func:`_aws_members`)."""
    if isinstance(caller, Caller):
        return (caller,)
    if label.startswith("service:"):
        return (Caller(kind=CallerKind.SERVICE, arn=label.split(":", 1)[1]),)
    if label == "aws":
        return tuple(_aws_members(st, target.role.arn.split(":")[1], fresh_account))
    kind, provider = getattr(caller, "kind", None), getattr(caller, "provider", None)
    if label.startswith("federated:") and kind in (CallerKind.WEB_IDENTITY, CallerKind.SAML) and provider:
        return (Caller(kind=kind, arn=provider),)
    return ()


def conditioned_admits(st: Statement, label: str, caller: object, action: Action, target: Target, *,
                       fresh_account: str, now: str) -> Sat | None:
    """An evaluator-confirmed witness that a concrete member of caller class ``label`` (:func:`class_members`) gets
    in under ``target``, whose trust policy is ``st`` alone, when every condition of ``st`` is a plain
    ``StringEquals``/``StringLike`` (no set qualifier) on its own key and that key is one the caller chooses
    (:func:`caller_chooses`): the request carries each key with one string the condition's first value matches
    (within the key's API limits), or, for the class of any AWS principal, is ``Bool aws:MultiFactorAuthPresent
    true`` (:func:`mfa_required`: the member then authenticated with MFA); None when that is not shown (the solver
    decides then).

    Every key the hop reads is then present with a value the caller may send in the solver's model, so the witness
    is one a concrete-first guess of the solver could be (:mod:`trustgraph.smt.guess`): the solver's answer to
    the same question is Sat, though its witness may be another. Only for a "yes" whose witness is not reported
    (vacuous-condition's counterexamples, dead-trust-statement's "alive")."""
    from trustgraph.semantics.context import build_request
    from trustgraph.semantics.evaluate import evaluate_hop
    from trustgraph.semantics.keys import key_info
    from trustgraph.smt.results import Sat

    if _DISABLED or not st.conditions or st.resources is not None or st.not_resources is not None:
        return None
    chosen: dict[str, tuple[str, ...]] = {}
    mfa = False
    for cond in st.conditions:
        if label == "aws" and mfa_required(cond):
            mfa = True  # a member of the class that authenticated with MFA (the solver's candidates include it)
            continue
        if cond.operator not in (Operator.STRING_EQUALS, Operator.STRING_LIKE) or cond.qualifier is not \
                SetQualifier.NONE or cond.key in chosen or not cond.patterns:
            return None
        value = _instance(cond.patterns[0]) if cond.operator is Operator.STRING_LIKE else str(cond.values[0])
        if value is None or not key_info(cond.key).value_ok(value):
            return None
        chosen[cond.key] = (value,)
    for member in class_members(st, label, caller, target, fresh_account=fresh_account):
        if not all(caller_chooses(member, target, action, key) for key in chosen):
            continue
        if mfa:
            member = replace(member, mfa=True)
        request = build_request(member, action, chosen, target=target, now=now)
        decision = evaluate_hop(member, target, request)
        if decision.allowed and not decision.approximations:
            return Sat(member, request, decision, ())
    return None


#: Keys whose value an AWS principal chooses freely in its request (within the API limits the evaluator checks),
#: with a value that is not a secret anybody wrote: changing it alone leaves the request one the caller can send.
CALLER_CHOSEN = {"sts:externalid": "trustgraph-other-external-id"}

#: The value :func:`other_value_admitted` gives any other caller-chosen string key (no policy names it).
OTHER_VALUE = "trustgraph-other-value"

#: Values tried next, for keys whose API limits :data:`OTHER_VALUE` breaks (an account id: twelve digits) or that
#: a condition's pattern admits.
OTHER_VALUES = ("999999999999", "trustgraph/other")


def caller_chooses(caller: Caller, target: Target, action: Action, key: str) -> bool:
    """True when the symbolic request of a hop of ``caller`` to ``target`` leaves the value of ``key`` to the caller:
    the hop's presence rule (:func:`trustgraph.smt.presence.key_mode`, which the z3 resolver builds its variables
    from and the concrete-first guesses respect) makes it free, exactly modelled, not one of the caller's own keys,
    and it is a single-valued string key that is not the clock, the tag list, a request tag, a carried identity or
    a key of the role (aws:Resource*). Then a request of ``caller`` with ``key`` present and another value of the
    key's API limits is one the solver's model lets the caller send, as a concrete-first guess is
    (:mod:`trustgraph.smt.guess`).

    The keys the solver grounds for a hop (``smt.solve``: the caller's principal keys, the role's aws:Resource* keys,
    a carried sts:SourceIdentity) are excluded here by name, so the answer depends on the caller's kind, the action,
    the provider's host and the key only (``target`` is not read), and is memoised on those; the view is that of a
    caller that is not symbolic (which frees fewer keys: an outsider's own tags stay fixed)."""
    from trustgraph.smt.symbolic import provider_host

    host = provider_host(caller.arn) if caller.kind is CallerKind.WEB_IDENTITY else None
    return _free_key(caller.kind, action, host, key, multi=False)


#: single-valued keys a caller never chooses freely here: the clock and a carried source identity
_CLOCK_AND_CARRIED = ("aws:currenttime", "aws:epochtime", "sts:sourceidentity")


@cache
def _free_key(kind: CallerKind, action: Action, host: str | None, key: str, *, multi: bool) -> bool:
    """:func:`caller_chooses` (``multi`` False: a single-valued key) or :func:`caller_chooses_set` (True: a
    multi-valued one) for a caller kind, action, provider host and key."""
    from trustgraph.semantics.keys import key_info, origin_of
    from trustgraph.smt.env import Kind
    from trustgraph.smt.presence import HopView, Mode, catalog_facts, key_mode

    facts = catalog_facts(key)
    if not facts.known or facts.kind is not Kind.STRING or bool(facts.multi) != multi:
        return False
    if key_info(key).principal_derived or key == "aws:tagkeys" or (not multi and key in _CLOCK_AND_CARRIED):
        return False  # the caller's own keys; the tag list, coupled to the request tags
    if key.startswith(("aws:requesttag/", "aws:resource")):
        return False
    view = HopView(action=action, origin=origin_of(kind, action), provider_host=host, symbolic_caller=False)
    mode = key_mode(view, key)
    return mode.mode is Mode.FREE and not mode.approximate and not mode.principal and mode.vpce is None


def caller_chooses_set(caller: Caller, action: Action, key: str) -> bool:
    """:func:`caller_chooses` for a multi-valued string key (a multi-valued SAML attribute): the hop's presence rule
    makes it free, exactly modelled, not one of the caller's own keys, and it is not one of the keys coupled to the
    request tags (:data:`~trustgraph.semantics.request.TAGS_PASSED_KEYS`: aws:TagKeys, and sts:TransitiveTagKeys,
    whose every value must be the key of a tag the request passes, ``smt.presence.tag_couplings``), a request tag or
    a key of the role (the claim couplings read single-valued claims only). Then a request of ``caller`` whose set
    for ``key`` is one value within the key's API limits is one the solver's model lets the caller send: a question
    has ``max(1, n)`` slots for the key (``smt.slots``), so a set of one value fits every question, and no axiom but
    the value's domain reads the key."""
    from trustgraph.smt.symbolic import provider_host

    if key in TAGS_PASSED_KEYS:
        return False
    host = provider_host(caller.arn) if caller.kind is CallerKind.WEB_IDENTITY else None
    return _free_key(caller.kind, action, host, key, multi=True)


#: The key of an MFA condition (:func:`mfa_required`).
MFA_KEY = "aws:multifactorauthpresent"


def mfa_required(cond: Condition) -> bool:
    """``cond`` is a plain ``Bool aws:MultiFactorAuthPresent true`` (no IfExists, no set qualifier)."""
    return (cond.key == MFA_KEY and cond.operator is Operator.BOOL and cond.qualifier is SetQualifier.NONE
            and not cond.if_exists and bool(cond.values) and all(str(v).lower() == "true" for v in cond.values))


def mfa_dropped_admitted(st: Statement, index: int, label: str, witness: object, counter: Target) -> bool:
    """True when the evaluator allows, under ``counter`` (vacuous-condition's question 3 for condition ``index``, a
    :func:`mfa_required` condition), the request of ``witness`` (a :func:`conditioned_admits` witness of the class
    of any AWS principal, ``label`` ``aws``, whose member authenticated with MFA) sent by the same member without MFA:
    the same request keys, the principal keys of a session without MFA. That member is one of the class too (the
    solver's candidates hold each AWS principal with and without MFA), so the solver's question 3 is Sat: the
    condition restricts. False when that is not shown, or when another condition of ``st`` reads an MFA key."""
    from trustgraph.model.pattern import variables_of
    from trustgraph.semantics.context import build_request
    from trustgraph.semantics.evaluate import evaluate_hop
    from trustgraph.semantics.keys import key_info
    from trustgraph.semantics.request import Request

    cond = st.conditions[index]
    request = getattr(witness, "request", None)
    caller = getattr(witness, "caller", None)
    if _DISABLED or label != "aws" or not mfa_required(cond) or not isinstance(request, Request):
        return False
    if not isinstance(caller, Caller) or caller.kind not in (CallerKind.ROLE_SESSION, CallerKind.IAM_USER) \
            or not caller.mfa:
        return False
    for j, c in enumerate(st.conditions):
        if j != index and (c.key.startswith("aws:multifactorauth") or any(
                v.key.startswith("aws:multifactorauth") for p in c.patterns for v in variables_of(p))):
            return False
    now = request.context.get("aws:currenttime", ())
    if len(now) != 1:
        return False
    plain = replace(caller, mfa=False, mfa_age=0)
    chosen = {k: v for k, v in request.context.items() if not key_info(k).principal_derived}
    changed = build_request(plain, request.action, chosen, target=counter, now=now[0],
                            duration_seconds=request.duration_seconds)
    decision = evaluate_hop(plain, counter, changed)
    return decision.allowed and not decision.approximations


def rejected_value(cond: Condition, variables: bool) -> str | None:
    """A value within the key's API limits on which ``cond`` is false when the request carries it alone
    (:data:`CALLER_CHOSEN`'s for the key, else :data:`OTHER_VALUE`, else one of :data:`OTHER_VALUES`, the first that
    is); None when none is, or when the evaluator cannot decide ``cond`` (nothing is claimed then)."""
    from trustgraph.semantics.keys import key_info

    info = key_info(cond.key)
    for value in (CALLER_CHOSEN.get(cond.key, OTHER_VALUE), *OTHER_VALUES):
        if not info.value_ok(value):
            continue
        try:
            if not condition_evaluator()(cond, {cond.key: (value,)}, variables=variables):
                return value
        except UndecidableCondition:
            return None
    return None


def other_value_admitted(st: Statement, index: int, witness: object, counter: Target, *, variables: bool,
                         multi_values: bool = False) -> bool:
    """True when the evaluator allows, under ``counter``, the request of ``witness`` (a Sat answer: a request of a
    concrete caller that trust statement ``st`` allows, its key present) with the key of condition ``index`` changed
    to a value that makes that condition false; False when that is not shown (the solver decides then).
    ``multi_values`` (vacuous-condition passes ``SolverOptions.multi_value_variants``): also a multi-valued string
    key the caller chooses (:func:`caller_chooses_set`: a multi-valued SAML attribute), its set replaced by that
    value.

    ``counter`` is vacuous-condition's question 3 (``st`` without the condition, plus Deny statements for "the
    condition holds" and "the key is absent"): an allowed request is a counterexample, so the condition restricts.
    Only for keys whose value the caller chooses in the solver's model of the hop (:func:`caller_chooses`: an
    external id, a claim of a web identity token or of a SAML assertion...), given a value within the key's API
    limits that makes the condition false (:data:`CALLER_CHOSEN`'s for an external id, else :data:`OTHER_VALUE`,
    else one of :data:`OTHER_VALUES`), read by no other condition of ``st`` (so the other conditions see the
    witness's values, which they allowed); an allowed request that rests on an approximation of the evaluator is
    not taken. The answer is the one a concrete-first guess of the solver would give (an evaluator-confirmed
    witness): it costs one evaluation instead of a hop question (tests/checks/test_statement_shortcuts.py holds it
    to the solver)."""
    from trustgraph.model.pattern import variables_of
    from trustgraph.semantics.evaluate import evaluate_hop
    from trustgraph.semantics.request import Request

    cond = st.conditions[index]
    request = getattr(witness, "request", None)
    caller = getattr(witness, "caller", None)
    if _DISABLED or not isinstance(request, Request) or not isinstance(caller, Caller):
        return False
    if cond.key not in request.context:
        return False
    for j, c in enumerate(st.conditions):
        if j != index and (c.key == cond.key or any(v.key == cond.key for p in c.patterns for v in variables_of(p))):
            return False
    other = rejected_value(cond, variables)
    if other is None:
        return False
    if not (caller_chooses(caller, counter, request.action, cond.key)
            or (multi_values and caller_chooses_set(caller, request.action, cond.key))):
        return False
    changed = Request(action=request.action, context={**request.context, cond.key: (other,)},
                      duration_seconds=request.duration_seconds)
    decision = evaluate_hop(caller, counter, changed)
    return decision.allowed and not decision.approximations


__all__ = ["CALLER_CHOSEN", "OTHER_VALUE", "OTHER_VALUES", "WITNESS_NAME", "caller_chooses", "caller_chooses_set",
           "class_members",
           "conditioned_admits", "false_when_absent", "literal_prefix", "mfa_dropped_admitted", "mfa_required",
           "other_value_admitted", "rejected_value", "shortcuts_enabled", "single_owner", "solver_only",
           "true_when_present", "unconditioned_admits", "values_pinned"]
