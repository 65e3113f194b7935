"""``dead-trust-statement``: an Allow statement of a trust policy that no request can satisfy.

Cost: O(S) for S trust statements, and at most one settling per distinct (statement, role facts) pair
(:func:`trustgraph.checks.base.alone_key`: the same statement in roles alike is alive for all of them). A statement
without conditions (most of them: a service, an account, a role) is settled by one evaluation of a plain request per
principal it names until one is allowed (:func:`trustgraph.checks.exact.unconditioned_admits`), one whose conditions are
all plain string conditions on keys the caller chooses (an external id, a token's claims, a SAML attribute) by one
evaluation of a request that satisfies them per caller class (:func:`trustgraph.checks.exact.conditioned_admits`,
shared with vacuous-condition on the role's view); any other costs one hop question per caller class it names, shared
with vacuous-condition on the role's view. A statement not shown alive is asked for its own role.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from trustgraph.checks.base import (
    BaseCheck,
    alone_key,
    is_assume_grant,
    is_sat,
    is_unknown,
    statement_alone,
    statement_classes,
    statement_witnesses,
    target_with,
    trust_statements,
    unknown_reason,
)
from trustgraph.checks.context import ScanContext
from trustgraph.checks.exact import shortcuts_enabled, unconditioned_admits
from trustgraph.checks.finding import Finding, Severity
from trustgraph.model.policy import Statement
from trustgraph.model.principal import PrincipalKind


class DeadTrustStatement(BaseCheck):
    """Per Allow statement that grants an assume action: the solver on a trust policy holding only that statement,
    from a symbolic caller of each class the statement names (any AWS principal, the named federated provider, the
    named service; a unique id that resolves to an exported principal is that principal). Unsat for every class:
    the statement is dead."""

    id = "dead-trust-statement"
    title = "A trust statement that no request can satisfy"
    severity = Severity.LOW
    severity_rule = "Low."
    rationale = (
        "This Allow statement of the trust policy can never let anyone in: its principal no longer exists (a unique "
        "id such as AROA.../AIDA... is what IAM shows once the named user or role was deleted; a recreated principal "
        "with the same name is NOT trusted), its conditions contradict each other, or they need a key the caller "
        "kind never sends (an ExternalId on AssumeRoleWithWebIdentity or AssumeRoleWithSAML). Dead statements hide "
        "intent: someone believes access exists that does not, and may 'fix' it by widening the trust policy."
    )
    remediation = (
        "Remove the statement, or repair it: name the current principal ARN (re-save the trust policy after "
        "recreating a deleted principal), drop the condition the caller kind cannot satisfy, or resolve the "
        "contradiction between its conditions."
    )

    def run(self, ctx: ScanContext) -> Iterator[Finding]:
        for role in ctx.roles:
            for index, st in trust_statements(ctx, role):
                if not is_assume_grant(st):
                    continue
                if _alive(ctx, role, index, st):
                    continue
                pairs, complete = statement_alone(ctx, role, index, st)
                classes = [c for c, _ in pairs]
                if not complete:
                    continue
                if not classes:
                    yield self.finding(
                        role=role, source="-", statements=(st.location,),
                        message=(f"Trust statement {st.label} names no principal that can call an assume action it "
                                 f"allows."))
                    continue
                answers = [a for _, a in pairs]
                if any(is_sat(a) for a in answers):
                    continue
                unknown = [a for a in answers if is_unknown(a)]
                if unknown:
                    yield self.unknown(role=role, source="-", reason=unknown_reason(unknown[0]),
                                       statements=(st.location,))
                    continue
                yield self.finding(
                    role=role, source="-", statements=(st.location,),
                    message=f"Trust statement {st.label} can never be satisfied by any request: "
                            f"{_why(ctx, st, answers)}.")


def _alive(ctx: ScanContext, role: str, index: int, st: Statement) -> bool:
    """Whether a caller of a class ``st`` names gets in under ``st`` alone (then the statement is not dead), shared by
    the roles whose statement and facts are equal (:func:`alone_key`); False also when that was not shown (the
    check then asks for this role). A statement without conditions is settled by the evaluator
    (:func:`unconditioned_admits`), any other by the solver's answers (:func:`statement_alone`)."""
    def compute() -> bool:
        if st.conditions and any(w is not None for _, w in statement_witnesses(ctx, role, index, st)):
            return True  # an evaluator-confirmed request of a class gets in (conditions on keys the caller chooses)
        if not st.conditions:
            classes, _ = statement_classes(ctx, st)
            only = target_with(ctx, role, (st,))
            now = ctx.now_text()
            if any(unconditioned_admits(st, c.label, c.caller, c.action, only, fresh_account=ctx.fresh_account,
                                        now=now) for c in classes):
                return True
        if ctx.engine.session.options.lazy_liveness and ctx.local.get(("statement-live", role, index)):
            return True  # vacuous-condition found a request that gets in under the statement alone (its own question
            # has fewer requirements, so the solver's answer to it is Sat: the statement is not dead)
        pairs, _ = statement_alone(ctx, role, index, st)
        return any(is_sat(a) for _, a in pairs)

    if not shortcuts_enabled():
        return False
    alive: bool = ctx.once(("dead-trust-statement", "alive", *alone_key(ctx, role, st)), compute)
    return alive


def _why(ctx: ScanContext, st: Statement, answers: Sequence[object]) -> str:
    """The reason in words: stale unique ids named, else the solver's unsat cores (candidate labels dropped)."""
    stale = [p.text for p in st.principals or () if p.kind is PrincipalKind.UNIQUE_ID
             and p.text not in ctx.estate.role_by_id and p.text not in ctx.estate.user_by_id]
    if stale and len(stale) == len(st.principals or ()):
        return (f"it names {', '.join(f'`{t}`' for t in stale)}, the unique id of a deleted principal, which no caller "
                f"has")
    reasons: list[str] = []
    for a in answers:
        for item in getattr(a, "core", ()):
            text = re.sub(r"^\[[^\]]*\]\s*", "", str(item))
            if text not in reasons and not text.startswith("decision:"):
                reasons.append(text)
    conditions = [r for r in reasons if r.startswith("condition ")]
    return "; ".join((conditions or reasons)[:3]) or "the solver found no request"


CHECK = DeadTrustStatement()
