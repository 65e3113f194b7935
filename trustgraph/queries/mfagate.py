"""Whether a role refuses every session that does not carry MFA: the MFA-aware bound of the carried reverse search.

In the engine's model a session carries MFA only when an IAM user presenting MFA obtained it (or an AWS outsider's
first hop took the MFA outcome, :meth:`ReachabilityEngine.flips_mfa`); a session a role session obtains never does
(docs/semantics.md §8.2, :meth:`ReachabilityEngine.next_state`). So when the target's trust policy refuses every
request whose ``aws:MultiFactorAuthPresent`` is ``false`` or absent (a role session without MFA has ``false``:
:func:`trustgraph.semantics.context.request_context`), or every request without ``aws:MultiFactorAuthAge`` (present
exactly when MFA is: docs/semantics.md, "MFA age"; e.g. ``NumericLessThan aws:MultiFactorAuthAge 3600``, false on
an absent key; seed 21 of the random profile at 2,000 roles has such a role), no role state without MFA reaches the
target by any path: its last hop would have to be Sat from a session without MFA. A landing with MFA is then within
one hop or never.
:class:`~trustgraph.queries.reverse_carried.CarriedPaths` reads that instead of proving it by a bounded search over
the whole closure (``ReachabilityEngine(mfa_bound=False)``: the reference, the search). It only prunes distances,
which count Sat hops alone: which sources reach an undecided hop is still read off the complete expansion.

The proof is the evaluator's: every Allow statement of the trust policy has a condition (no policy variable in it)
on ``aws:MultiFactorAuthPresent`` that :func:`evaluate_condition` says is false on a request whose key is ``false``
and on one without it, or on ``aws:MultiFactorAuthAge`` that it says is false on a request without it. The trust
policy must allow a hop (docs/semantics.md §1); RCPs, SCPs and boundaries only refuse more. Not used when the query
gives either key a value (``given``) or may take edges other than sts:AssumeRole* hops (``via="all"``: an
escalation edge does not pass the trust policy)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from trustgraph.queries.engine import ReachabilityEngine
    from trustgraph.queries.options import QueryOptions

MFA_PRESENT = "aws:multifactorauthpresent"
MFA_AGE = "aws:multifactorauthage"


def refuses_without_mfa(engine: ReachabilityEngine, role: str, options: QueryOptions) -> bool:
    """Whether every hop into ``role`` from a session without MFA is refused under ``options`` (module docstring);
    False when ``engine.mfa_bound`` is off, the role is not exported, or the options may lift the refusal. The trust
    policy's verdict is memoised per role in ``engine.mfa_gates``."""
    if not engine.mfa_bound or options.via != "assume" \
            or any(k.lower() in (MFA_PRESENT, MFA_AGE) for k, _ in options.given):
        return False
    known = engine.mfa_gates.get(role)
    if known is None:
        role_of = engine.estate.role_by_arn.get(role)
        known = engine.mfa_gates[role] = role_of is not None and _needs_mfa(role_of.trust_policy)
    return known


def _needs_mfa(trust: Any) -> bool:
    """Whether every Allow statement of ``trust`` (any action) has a condition on aws:MultiFactorAuthPresent that is
    false on a request whose key is ``false`` and on one without the key, or one on aws:MultiFactorAuthAge that is
    false on a request without the key (the evaluator's verdicts); a policy with no Allow statement is not claimed
    (nothing to prune: no hop into it is Sat anyway)."""
    from trustgraph.model.pattern import variables_of
    from trustgraph.model.policy import Effect
    from trustgraph.semantics.conditions import UndecidableCondition, evaluate_condition

    variables = trust.variables_enabled

    def refuses(c: Any) -> bool:
        key = c.key.lower()
        if key not in (MFA_PRESENT, MFA_AGE) or any(variables_of(p) for p in c.patterns) \
                or any("${" in t for t in c.texts):
            return False
        try:
            if key == MFA_AGE:  # absent exactly when MFA is not present
                return not evaluate_condition(c, {}, variables=variables)
            return not evaluate_condition(c, {MFA_PRESENT: ("false",)}, variables=variables) \
                and not evaluate_condition(c, {}, variables=variables)
        except UndecidableCondition:
            return False

    allows = [st for st in trust.statements if st.effect is Effect.ALLOW]
    return bool(allows) and all(any(refuses(c) for c in st.conditions) for st in allows)


__all__ = ["MFA_AGE", "MFA_PRESENT", "refuses_without_mfa"]
