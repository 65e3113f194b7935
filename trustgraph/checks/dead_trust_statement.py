"""``dead-trust-statement``: an Allow statement of a trust policy that no request can satisfy.

Cost: O(S) for S trust statements. A statement without conditions (most of them: a service, an account, a role) is
settled by one evaluation of a plain request per principal it names until one is allowed
(:func:`trustgraph.checks.exact.unconditioned_admits`); any other costs one hop question per caller class it names,
shared with vacuous-condition on the role's view.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from trustgraph.checks.base import (
    BaseCheck,
    is_assume_grant,
    is_sat,
    is_unknown,
    statement_alone,
    statement_classes,
    target_with,
    trust_statements,
    unknown_reason,
)
from trustgraph.checks.context import ScanContext
from trustgraph.checks.exact import unconditioned_admits
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
                if not st.conditions and _admits_someone(ctx, role, st):
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


def _admits_someone(ctx: ScanContext, role: str, st: Statement) -> bool:
    """Whether the evaluator lets a concrete caller of a class the unconditioned ``st`` names in under ``st`` alone
    (then the statement is alive, as the solver would find: see :func:`unconditioned_admits`).

    Remembered for the scan per statement content and the role facts the evaluation reads: with no condition and no
    Resource element, the evaluation of a plain request reads of the role only its partition, its account (the
    Gate), its maximum session duration, whether it is service-linked, and (through the request's values, which
    must respect their limits) its tags and organization; the roles of an estate share few such combinations per
    statement text."""
    from trustgraph.model.values import format_date

    target = ctx.engine.target(role)
    r = target.role
    key = ("unconditioned-admits", st, r.arn.split(":")[1], r.account, r.max_session_duration, r.service_linked,
           r.tags, target.org_known, target.org_id, target.org_paths)

    def compute() -> bool:
        classes, _ = statement_classes(ctx, st)
        if not classes:
            return False
        only = target_with(ctx, role, (st,))
        now = format_date(ctx.engine.now_ms)
        return any(unconditioned_admits(st, c.label, c.caller, c.action, only, fresh_account=ctx.fresh_account,
                                        now=now) for c in classes)

    admits: bool = ctx.once(key, compute)
    return admits


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
