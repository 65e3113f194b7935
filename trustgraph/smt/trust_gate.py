"""A candidate no Allow statement of the role's trust policy can name: Unsat without the guesses and the encoding.

A hop must be allowed by the role's trust policy (docs/semantics.md §1: an identity policy alone never suffices), and
a trust statement applies only when its Principal/NotPrincipal names the caller and its Action covers the action.
Within a candidate of ``smt.symbolic`` the principal matching is fixed (the reference's structural expansion reads it
off the candidate's template, ``smt.structure.relevant``): when no Allow statement of the trust policy covers the
action and names the template, every evaluation the reference makes denies, the hop formula folds to False and the
reference answers Unsat without z3. The vendor roles of a large organization are such hops for the AWS outsider (a
principal of a fresh account): each trusts its vendor's account with an ``sts:ExternalId`` of its own, so every
trust text differs, the result store never hits, and each question paid the concrete-first guesses (which cannot
succeed: a guess is kept only when the evaluator allows it) and the whole encoding to learn what the Principal
element already says.

:func:`trust_admits` is the test (conditions aside, so it over-approximates the trust policy: "no" is a proof).
When it says no, ``smt.solve`` skips the guesses, and :func:`refuted` builds the reference's own Unsat directly when
the reference would read nothing else: no constraint, no statement with conditions that can apply to the hop in any
of its policies (trust, RCPs, the caller's identity, boundary, session and SCPs), no transitive tag carried. Then the
reference's expansion has no bit and no free flag, and its one evaluation (the conditioned statements that cannot
apply dropped, ``smt.structure.rebuild``) is made here the same way: the same reasons and locations. Anything else
goes to the reference encoding (still without guesses), which folds to the same Unsat.

Switch: ``SolverOptions.trust_gate``; tests: tests/smt/test_trust_gate.py (against the reference path).

:func:`ground_refuted` goes one step further, for candidates the trust gate lets through: every admitting Allow
statement has a condition over keys the reference grounds (the caller's fixed principal keys, the role's, keys absent
in this hop) that the concrete evaluator finds false on those values, exactly the fold the reference makes
(``smt.reference._ground_condition``), so each such statement is dropped in every evaluation of its structural
expansion and the hop formula folds to False. Random-profile organizations ask about a thousand such candidates per
scan (a user without MFA against ``aws:MultiFactorAuthAge``, a role's session against ``Null aws:TokenIssueTime``,
...); the reference paid the concrete-first guesses and the encoding of every condition (z3 terms) for each. Its
answer is :class:`DeferredCore`: the reference's core for that one candidate is computed when read, and
``smt.solve`` joins it with the other candidates' cores in their order, as the reference does. Switch:
``SolverOptions.ground_gate``; tests: tests/smt/test_ground_gate.py.

:func:`ground_denied` is its mirror for Deny statements: a Deny statement of the trust policy that covers
``q.action``, names the candidate's template and whose every condition the reference folds to True on the keys it
grounds is kept, its conditions removed, in every evaluation of the structural expansion, and it denies each one (an
explicit Deny matching the principal and the action). vacuous-condition's third question asks exactly such hops
(``Deny`` "the condition holds" with ``StringEquals aws:PrincipalType AssumedRole`` for a role session, ``Deny`` "the
key is absent" with ``Null aws:MultiFactorAuthPresent true`` for a user without MFA): condition-heavy's scan paid the
concrete-first guesses and the encoding of every condition of some 160 of them to fold to the same Unsat. Switch:
``SolverOptions.ground_deny_gate``; tests: tests/smt/test_ground_deny_gate.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trustgraph.model.policy import Effect
from trustgraph.semantics.conditions import UndecidableCondition
from trustgraph.semantics.evaluate import condition_evaluator
from trustgraph.semantics.request import TAGS_PASSED_KEYS, Action, CallerKind, Request
from trustgraph.smt.encode import block_keys
from trustgraph.smt.presence import Mode, key_mode
from trustgraph.smt.results import Unsat
from trustgraph.smt.structure import MAX_STRUCTURE_BITS, Addr, hop_policies, rebuild, relevant

if TYPE_CHECKING:
    from trustgraph.model.condition import Condition
    from trustgraph.model.policy import Policy
    from trustgraph.smt.cache import SolverStats
    from trustgraph.smt.env import Env
    from trustgraph.smt.presence import HopView
    from trustgraph.smt.question import HopQuestion
    from trustgraph.smt.reference import Clock
    from trustgraph.smt.symbolic import Candidate


def trust_admits(cand: Candidate, q: HopQuestion) -> bool:
    """Whether some Allow statement of the role's trust policy covers ``q.action`` and names the candidate's
    template (its conditions aside). False is a proof that no request of the candidate is allowed."""
    from trustgraph.semantics.actions import statement_action_matches
    from trustgraph.semantics.principals import statement_principal_match

    template, action = cand.template, q.action
    for st in q.target.role.trust_policy.statements:
        if (st.effect is Effect.ALLOW and statement_action_matches(st, action.value)
                and statement_principal_match(st, template, action) is not None):
            return True
    return False


def org_refuted(cand: Candidate, q: HopQuestion) -> bool:
    """Whether every Allow statement of the role's trust policy that covers ``q.action`` and names the candidate's
    template requires, with a plain ``StringEquals`` (no ``IfExists``, no set qualifier) on ``aws:PrincipalOrgID``,
    an organization the candidate cannot be in: an outsider of :mod:`trustgraph.smt.symbolic` is in no organization
    (the key absent: the condition is false) or in one that is not among its excluded ones (``excluded_orgs``), so a
    statement whose values are all excluded organizations never applies. True is a proof that no request of the
    candidate is allowed (a role is assumed only through an Allow statement of its trust policy); the statements
    whose principal or action do not match are ruled out as in :func:`trust_admits`. A role trusted by its own
    organization (``Principal: *`` with ``aws:PrincipalOrgID``) is such a hop for every outsider, and the reference
    pays z3 to learn it."""
    from trustgraph.model.condition import Operator, SetQualifier
    from trustgraph.semantics.actions import statement_action_matches
    from trustgraph.semantics.principals import statement_principal_match

    excluded = cand.excluded_orgs
    template, action = cand.template, q.action
    if not cand.symbolic or not excluded or template.org_id is not None or template.org_unknown is not None:
        return False
    for st in q.target.role.trust_policy.statements:
        if (st.effect is not Effect.ALLOW or not statement_action_matches(st, action.value)
                or statement_principal_match(st, template, action) is None):
            continue
        if not any(c.key == "aws:principalorgid" and c.operator is Operator.STRING_EQUALS
                   and c.qualifier is SetQualifier.NONE and not c.if_exists and c.values
                   and all(isinstance(v, str) and v in excluded for v in c.values) for c in st.conditions):
            return False
    return True


class DeferredCore(Unsat):
    """An Unsat of one candidate proved without the encoding (:func:`ground_refuted`) whose core, the reference's for
    that candidate, is computed when read; ``smt.solve`` joins it with the other candidates' cores in their order
    (a plain lazy Unsat makes it recompute every candidate's). Never leaves ``smt.solve``."""

    __slots__ = ()


def ground_refuted(cand: Candidate, q: HopQuestion, ground: dict[str, tuple[str, ...]], clock: Clock,
                   ground_constraints: bool, shared: SharedView | None = None) -> bool:
    """Whether the reference's hop formula for the candidate folds to False (see the module docstring) because
    every evaluation of its structural expansion denies, for one of two reasons the keys it grounds prove:

    - every Allow statement of the role's trust policy that covers ``q.action`` and names the candidate's template
      has a condition the reference folds to False (``smt.reference._ground_condition``: every key it reads
      grounded, the evaluator's answer on those values), so each is dropped from every evaluation;
    - a constraint grounds a session tag present (``aws:RequestTag/*``, ``aws:TagKeys``,
      ``sts:TransitiveTagKeys``), so every evaluation's
      request passes tags and must also be allowed ``sts:TagSession``; the caller is an IAM user or role session,
      no statement of its identity policies can allow ``sts:TagSession`` on the role (conditions aside), and the
      role, when in the caller's account, has no trust statement naming the caller itself for it (a form of
      ``DIRECT_FORMS``; naming its account does not grant without the identity): the gate
      (``semantics.evaluate._gate``) then fails in every evaluation.

    ``ground`` is the candidate's ground context (``smt.solve._ground_context``, not changed here); ``clock`` the
    question's time; ``ground_constraints`` the option the reference is asked with. The view of the keys is the
    reference's own: its builders (the candidate's symbolic principal keys) and constraints grounded the same way
    (:func:`~trustgraph.smt.reference.pin_constraints`), each key's mode by :func:`~trustgraph.smt.presence.key_mode`.
    False when the hop has more statements with conditions than the structural expansion takes (the reference then
    answers Unknown) or when a constraint alone proves the answer (the reference says why). ``shared``: the
    candidate's view made once for the gates that read it in turn (:class:`SharedView`; None: made here)."""
    from trustgraph.semantics.actions import statement_action_matches
    from trustgraph.semantics.principals import statement_principal_match

    template, target, action = cand.template, q.target, q.action
    trust = target.role.trust_policy
    admitting = []
    for st in trust.statements:
        if (st.effect is Effect.ALLOW and statement_action_matches(st, action.value)
                and statement_principal_match(st, template, action) is not None):
            admitting.append(st)
    if not admitting:
        return False  # the trust gate's case (smt.trust_gate.trust_admits), not this one
    by_conditions = all(st.conditions for st in admitting)
    tagging = template.kind in (CallerKind.IAM_USER, CallerKind.ROLE_SESSION) and any(
        c.op == "equals" and c.values and _tag_key(c.key.lower()) for c in q.constraints)
    if not by_conditions and not tagging:
        return False
    policies = hop_policies(template, target)
    if sum(1 for _, p in policies for st in p.statements if st.conditions) > MAX_STRUCTURE_BITS:
        return False
    viewed = shared() if shared is not None else candidate_view(cand, q, ground, clock, ground_constraints)
    if viewed is None:
        return False
    view = viewed[1]
    if by_conditions and all(any(_folds_false(c, view, trust.variables_enabled) or _untagged_transitive(c, view)
                                 for c in st.conditions) for st in admitting):
        return True
    return tagging and _tag_session_refused(cand, q, view, policies)


def ground_denied(cand: Candidate, q: HopQuestion, ground: dict[str, tuple[str, ...]], clock: Clock,
                  ground_constraints: bool, shared: SharedView | None = None) -> bool:
    """Whether the reference's hop formula for the candidate folds to False because a Deny statement of the role's
    trust policy applies in every evaluation of its structural expansion (see the module docstring): it covers
    ``q.action`` and names the candidate's template, has no Resource element, has conditions, and the reference
    folds each of them to True (``smt.reference._ground_condition``: every key it reads grounded, the evaluator's
    answer on those values). The reference then keeps the statement without its conditions in every evaluation, and
    the evaluator denies each. Arguments as for :func:`ground_refuted`; False when no Allow statement names the
    candidate (the trust gate's case), when the hop has more statements with conditions than the structural
    expansion takes (the reference answers Unknown) or when a constraint alone proves the answer (the reference says
    why)."""
    from trustgraph.semantics.actions import statement_action_matches
    from trustgraph.semantics.principals import statement_principal_match

    template, target, action = cand.template, q.target, q.action
    trust = target.role.trust_policy
    denying = [st for st in trust.statements
               if st.effect is Effect.DENY and st.conditions and not st.resources and not st.not_resources
               and statement_action_matches(st, action.value)]
    if not denying:
        return False  # most trust policies have none: no principal matching is paid
    denying = [st for st in denying if statement_principal_match(st, template, action) is not None]
    if not denying or not any(st.effect is Effect.ALLOW and statement_action_matches(st, action.value)
                              and statement_principal_match(st, template, action) is not None
                              for st in trust.statements):
        return False
    if sum(1 for _, p in hop_policies(template, target) for st in p.statements if st.conditions) > MAX_STRUCTURE_BITS:
        return False
    viewed = shared() if shared is not None else candidate_view(cand, q, ground, clock, ground_constraints)
    if viewed is None:
        return False
    view = viewed[1]
    return any(all(_folds_to(c, view, trust.variables_enabled, True) for c in st.conditions) for st in denying)


def candidate_view(cand: Candidate, q: HopQuestion, ground: dict[str, tuple[str, ...]], clock: Clock,
                   ground_constraints: bool) -> tuple[Env | None, HopView] | None:
    """The reference's view of the hop's keys for one candidate: an environment holding the candidate's key builders
    (its symbolic principal keys; None for a candidate without them) and the :class:`~trustgraph.smt.presence.HopView`
    over those builders and ``ground``, the constraints pinned as the reference pins them
    (:func:`~trustgraph.smt.reference.pin_constraints`); None when a constraint alone proves the answer (the
    reference says why). The gates read keys through this view, so they see each key as the reference does."""
    from trustgraph.model.values import parse_date
    from trustgraph.semantics.keys import origin_of
    from trustgraph.smt.env import Env
    from trustgraph.smt.presence import HopView
    from trustgraph.smt.reference import pin_constraints

    template, action = cand.template, q.action
    env: Env | None = None
    builders: dict[str, Any] = {}
    if cand.setup is not None:
        env = Env(slot_bound=dict(cand.slot_bounds))
        env.scratch["now_ms"] = clock.now_ms if clock.now_ms is not None else parse_date(clock.text)
        builders = cand.setup(env)
    pinned = {k: v for k, v in ground.items() if k not in builders}
    if isinstance(pin_constraints(cand, q, pinned, builders, ground_constraints=ground_constraints), Unsat):
        return None
    view = HopView(action=action, origin=origin_of(template.kind, action), ground=pinned, builders=builders,
                   closed=q.closed, given=frozenset(c.key.lower() for c in q.constraints),
                   provider_host=cand.provider_host, carried_source_identity=template.source_identity
                   if template.kind is CallerKind.ROLE_SESSION else None,
                   now_ms=clock.now_ms, target_tags=q.target.role.tags, symbolic_caller=cand.symbolic)
    return env, view


class SharedView:
    """:func:`candidate_view` of one candidate's question, made when first read and then handed to each gate that
    reads it in turn (``smt.solve._solve_candidate``: :func:`ground_refuted`, :func:`ground_denied`, then
    :func:`~trustgraph.smt.principal_gate.principal_refuted`), instead of once per gate (switch
    ``SolverOptions.shared_views``). The view is the same value for every gate (a function of the candidate, the
    question, its ground keys, the clock and the option); the first two only read it (``smt.presence.key_mode``
    reads the view, never the environment), and the principal gate, which adds its axioms to the environment, reads
    it last. Only the symbolic candidate's key builders (z3 names, shared by z3 whenever made) are made once instead
    of up to three times."""

    __slots__ = ("_args", "_made", "_value")

    def __init__(self, cand: Candidate, q: HopQuestion, ground: dict[str, tuple[str, ...]], clock: Clock,
                 ground_constraints: bool) -> None:
        self._args = (cand, q, ground, clock, ground_constraints)
        self._made = False
        self._value: tuple[Env | None, HopView] | None = None

    def __call__(self) -> tuple[Env | None, HopView] | None:
        """The view (made on the first call)."""
        if not self._made:
            self._value = candidate_view(*self._args)
            self._made = True
        return self._value


def _folds_false(cond: Condition, view: HopView, variables: bool) -> bool:
    """Whether the reference folds ``cond`` to False: every key it reads grounded in ``view`` and the evaluator
    false on their values, read as ``smt.reference._ground_condition`` reads them."""
    return _folds_to(cond, view, variables, False)


def _folds_to(cond: Condition, view: HopView, variables: bool, value: bool) -> bool:
    """Whether the reference folds ``cond`` to ``value``: every key it reads grounded in ``view`` and the evaluator's
    answer on their values ``value``, read as ``smt.reference._ground_condition`` reads them."""
    ctx: dict[str, tuple[str, ...]] = {}
    for k in block_keys((cond,)):
        if key_mode(view, k.lower()).mode not in (Mode.GROUND, Mode.ABSENT):
            return False
        values = view.ground.get(k, ())
        if values:
            ctx[k] = tuple(values)
    try:
        return condition_evaluator()(cond, ctx, variables=variables) is value
    except UndecidableCondition:
        return False


def _untagged_transitive(cond: Condition, view: HopView) -> bool:
    """Whether ``cond`` is a ForAnyValue condition on sts:TransitiveTagKeys (without IfExists) that no member the
    request may pass satisfies: every transitive key is the key of a session tag the same request passes (the
    reference's coupling ``smt.presence.transitive_couplings``; the evaluator refuses an untagged transitive key), and
    ForAnyValue over the members is false when

    - aws:TagKeys is absent in the view (no tag passed, no member; any operator but Null), or
    - the operator is StringEquals or StringEqualsIgnoreCase with literal values only and the tag of each value
      (``aws:RequestTag/<value>``, keys compared without case) is absent in the view.

    vacuous-condition asks "aws:TagKeys can be omitted" and "aws:RequestTag/team can be omitted" (a constraint
    grounding the key absent) of trusts that also require ForAnyValue sts:TransitiveTagKeys [team]: each Unsat, each
    encoded before (condition-heavy-2k 37 of 290 encodings, random:5-2k 82 of 493 with :func:`within_bits`' too)."""
    from trustgraph.model.condition import Operator, SetQualifier
    from trustgraph.model.pattern import Literal

    if (cond.key.lower() != "sts:transitivetagkeys" or cond.qualifier is not SetQualifier.FOR_ANY_VALUE
            or cond.if_exists or cond.operator in (Operator.NULL, Operator.UNKNOWN)):
        return False
    if _absent(view, "aws:tagkeys"):
        return True
    if cond.operator not in (Operator.STRING_EQUALS, Operator.STRING_EQUALS_IGNORE_CASE) or not cond.patterns:
        return False
    for pattern in cond.patterns:
        if not all(isinstance(el, Literal) for el in pattern):
            return False
        text = "".join(el.text for el in pattern if isinstance(el, Literal))
        if not text or not _absent(view, f"aws:requesttag/{text.lower()}"):
            return False
    return True


def _absent(view: HopView, key: str) -> bool:
    """Whether ``key`` (lower-cased) is absent from every request of the view."""
    mode = key_mode(view, key)
    return mode.mode is Mode.ABSENT or (mode.mode is Mode.GROUND and not mode.values)


def _tag_key(key: str) -> bool:
    """Whether a (lower-cased) key's presence means session tags are passed (``Request.tags_passed``)."""
    return key.startswith("aws:requesttag/") or key in TAGS_PASSED_KEYS


def _tag_session_refused(cand: Candidate, q: HopQuestion, view: HopView, policies: list[tuple[Addr, Policy]]) -> bool:
    """Whether every evaluation of the reference passes session tags and fails the gate for ``sts:TagSession`` (the
    second reason of :func:`ground_refuted`)."""
    from trustgraph.semantics.actions import statement_action_matches
    from trustgraph.semantics.principals import DIRECT_FORMS, statement_principal_match

    forced = False
    for c in q.constraints:  # each constrained key enters the reference's environment; a ground present one fixes
        k = c.key.lower()    # its "tags passed" flag to True
        if _tag_key(k) and view.ground.get(k):
            forced = forced or key_mode(view, k).mode is Mode.GROUND
    if not forced:
        return False
    template, role = cand.template, q.target.role
    tag = Action.TAG_SESSION
    if template.account == role.account and any(
            st.effect is Effect.ALLOW and statement_action_matches(st, tag.value)
            and statement_principal_match(st, template, tag) in DIRECT_FORMS for st in role.trust_policy.statements):
        return False  # a trust statement naming the caller itself in its account grants it without the identity
    for addr, policy in policies:
        if addr[0] != "identity":
            continue
        for si, st in enumerate(policy.statements):
            if st.effect is Effect.ALLOW and relevant(st, (*addr, si), template, (tag,), role.arn):
                return False
    return True


def within_bits(cand: Candidate, q: HopQuestion) -> bool:
    """Whether the reference's structural expansion of the candidate's hop stays within its limit: the hop's policies
    have at most ``MAX_STRUCTURE_BITS`` statements with conditions (each group of bits holds one or more of them), so
    the reference never answers Unknown for the size. For a candidate :func:`trust_admits` rules out, every evaluation
    of that expansion denies (no Allow trust statement names it), the hop formula is False and the reference answers
    Unsat whatever the constraints and conditions: ``smt.solve`` answers it so without the encoding when no core is
    wanted (``SolverOptions.trust_gate_deferred``). vacuous-condition's "aws:TagKeys can be omitted" asks it of every
    other account's candidates of a trust requiring ForAnyValue sts:TransitiveTagKeys (Unsat since the transitive keys
    must name passed tags): on condition-heavy-2k 162 of 290 encodings."""
    policies = hop_policies(cand.template, q.target)
    return sum(1 for _, p in policies for st in p.statements if st.conditions) <= MAX_STRUCTURE_BITS


def refuted(cand: Candidate, q: HopQuestion, clock: Clock, stats: SolverStats) -> Unsat | None:
    """The reference's Unsat for a candidate :func:`trust_admits` rules out, when the reference would encode nothing
    (see the module docstring); None otherwise (the caller then asks the reference encoding)."""
    from trustgraph.semantics.context import build_request
    from trustgraph.semantics.evaluate import evaluate_hop

    template, target, action = cand.template, q.target, q.action
    if q.constraints:
        return None
    session = template.kind is CallerKind.ROLE_SESSION
    if session and template.transitive_tags:
        return None
    hop_actions = (action, Action.TAG_SESSION, Action.SET_SOURCE_IDENTITY)
    choice: dict[Addr, bool] = {}
    for addr, policy in hop_policies(template, target):
        for si, st in enumerate(policy.statements):
            if not st.conditions:
                continue
            if relevant(st, (*addr, si), template, hop_actions, target.role.arn):
                return None
            choice[(*addr, si)] = False
    carried = template.source_identity if session else None
    c2, t2 = rebuild(template, target, choice)
    extra: dict[str, tuple[str, ...]] = {"sts:sourceidentity": (carried,)} if carried else {}
    req = build_request(c2, action, extra, target=t2, duration_seconds=q.duration_seconds, now=clock.text)
    ctx = dict(req.context)
    if not carried:
        ctx.pop("sts:sourceidentity", None)
    d = evaluate_hop(c2, t2, Request(action=action, context=ctx, duration_seconds=q.duration_seconds))
    if d.allowed:  # cannot happen (the trust policy names no one here); the reference decides
        return None
    stats.count("trust_gate")
    core = list(d.reasons) or ["no combination of the statements' conditions allows the hop"]
    return Unsat(tuple(dict.fromkeys(core)), tuple(dict.fromkeys(st.location for st in d.statements)))


__all__ = ["DeferredCore", "SharedView", "candidate_view", "ground_denied", "ground_refuted", "org_refuted", "refuted",
           "trust_admits", "within_bits"]
