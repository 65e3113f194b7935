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
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from trustgraph.model.policy import Effect
from trustgraph.semantics.request import Action, CallerKind, Request
from trustgraph.smt.results import Unsat
from trustgraph.smt.structure import Addr, hop_policies, rebuild, relevant

if TYPE_CHECKING:
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


__all__ = ["org_refuted", "refuted", "trust_admits"]
