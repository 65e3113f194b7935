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
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trustgraph.model.policy import Effect
from trustgraph.semantics.request import Action, CallerKind, Request
from trustgraph.smt.results import Unsat
from trustgraph.smt.structure import MAX_STRUCTURE_BITS, Addr, hop_policies, rebuild, relevant

if TYPE_CHECKING:
    from trustgraph.model.condition import Condition
    from trustgraph.smt.cache import SolverStats
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


def ground_refuted(cand: Candidate, q: HopQuestion, ground: dict[str, tuple[str, ...]], clock: Clock) -> bool:
    """Whether every Allow statement of the role's trust policy that covers ``q.action`` and names the candidate's
    template has a condition the reference folds to False on ground keys (see the module docstring): True is a proof
    that the reference's hop formula is False, so its answer is Unsat. ``ground`` is the candidate's ground context
    (``smt.solve._ground_context``, not changed here); ``clock`` the question's time.

    Exact with the reference: a key counts only when the reference's resolver grounds it (:func:`~trustgraph.smt.
    presence.key_mode` GROUND or ABSENT on the view the reference builds), and no key a constraint names (the
    reference may ground those from the constraint); the condition is decided by the same evaluation with the same
    values. False when the hop has more statements with conditions than the structural expansion takes (the
    reference then answers Unknown)."""
    from trustgraph.model.values import parse_date
    from trustgraph.semantics.actions import statement_action_matches
    from trustgraph.semantics.conditions import UndecidableCondition, evaluate_condition
    from trustgraph.semantics.keys import origin_of
    from trustgraph.semantics.principals import statement_principal_match
    from trustgraph.smt.encode import block_keys
    from trustgraph.smt.env import Env
    from trustgraph.smt.presence import HopView, Mode, key_mode

    template, target, action = cand.template, q.target, q.action
    trust = target.role.trust_policy
    admitting = []
    for st in trust.statements:
        if (st.effect is Effect.ALLOW and statement_action_matches(st, action.value)
                and statement_principal_match(st, template, action) is not None):
            if not st.conditions:
                return False
            admitting.append(st)
    if not admitting:
        return False  # the trust gate's case (smt.trust_gate.trust_admits), not this one
    policies = hop_policies(template, target)
    if sum(1 for _, p in policies for st in p.statements if st.conditions) > MAX_STRUCTURE_BITS:
        return False
    builders: dict[str, Any] = {}
    if cand.setup is not None:  # the candidate's symbolic principal keys, as the reference's environment gets them
        env = Env(slot_bound=dict(cand.slot_bounds))
        env.scratch["now_ms"] = clock.now_ms if clock.now_ms is not None else parse_date(clock.text)
        builders = cand.setup(env)
    given = frozenset(c.key.lower() for c in q.constraints)
    view = HopView(action=action, origin=origin_of(template.kind, action),
                   ground={k: v for k, v in ground.items() if k not in builders}, builders=builders,
                   closed=q.closed, given=given, provider_host=cand.provider_host,
                   carried_source_identity=template.source_identity
                   if template.kind is CallerKind.ROLE_SESSION else None,
                   now_ms=clock.now_ms, target_tags=target.role.tags, symbolic_caller=cand.symbolic)
    variables = trust.variables_enabled

    def folds_false(cond: Condition) -> bool:
        ctx: dict[str, tuple[str, ...]] = {}
        for k in block_keys((cond,)):
            if k.lower() in given or key_mode(view, k.lower()).mode not in (Mode.GROUND, Mode.ABSENT):
                return False
            values = view.ground.get(k, ())  # read as the reference reads them (smt.reference._ground_condition)
            if values:
                ctx[k] = tuple(values)
        try:
            return not evaluate_condition(cond, ctx, variables=variables)
        except UndecidableCondition:
            return False

    return all(any(folds_false(c) for c in st.conditions) for st in admitting)


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


__all__ = ["DeferredCore", "ground_refuted", "org_refuted", "refuted", "trust_admits"]
