"""``dead-trust-statement``: an Allow statement of a trust policy that no request can satisfy."""

from __future__ import annotations

from collections.abc import Iterator

from trustgraph.checks.base import (
    BaseCheck,
    is_assume_grant,
    is_sat,
    is_unknown,
    statement_classes,
    target_with,
    trust_statements,
    unknown_reason,
)
from trustgraph.checks.context import ScanContext
from trustgraph.checks.finding import Finding, Severity


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
            for _, st in trust_statements(ctx, role):
                if not is_assume_grant(st):
                    continue
                classes, complete = statement_classes(ctx, st)
                if not complete:
                    continue
                if not classes:
                    yield self.finding(
                        role=role, source="-", statements=(st.location,),
                        message=(f"Trust statement {st.label} names no principal that can call an assume action it "
                                 f"allows."))
                    continue
                target = target_with(ctx, role, (st,))
                answers = [ctx.solve_hop(c.caller, target, c.action) for c in classes]
                if any(is_sat(a) for a in answers):
                    continue
                unknown = [a for a in answers if is_unknown(a)]
                if unknown:
                    yield self.unknown(role=role, source="-", reason=unknown_reason(unknown[0]),
                                       statements=(st.location,))
                    continue
                core = sorted({str(c) for a in answers for c in getattr(a, "core", ())})
                why = f": {'; '.join(core[:4])}" if core else ""
                yield self.finding(
                    role=role, source="-", statements=(st.location,),
                    message=f"Trust statement {st.label} can never be satisfied by any request{why}.")


CHECK = DeadTrustStatement()
