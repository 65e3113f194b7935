"""``saml-missing-audience``: a SAML trust admits an assertion whose SAML:aud is not an AWS sign-in endpoint.

Cost: one hop question per (SAML provider, role) edge: O(S) for S trust statements; none for an edge whose trust
policy pins SAML:aud to sign-in endpoints in every statement that may admit the provider's assertions (read off the
text, :func:`trustgraph.checks.exact.values_pinned`: the question is Unsat).
"""

from __future__ import annotations

from collections.abc import Iterator

from trustgraph.checks.base import BaseCheck, hop_path, in_edges_by_source, is_sat, is_unknown, unknown_reason
from trustgraph.checks.context import ScanContext
from trustgraph.checks.exact import values_pinned
from trustgraph.checks.finding import Finding, Severity
from trustgraph.graph.nodes import NodeKind
from trustgraph.model.principal import PrincipalKind
from trustgraph.semantics.request import Action

#: The AWS sign-in SAML endpoints an assertion for AWS is addressed to (IAM User Guide, "Configure SAML assertions
#: for the authentication response": Recipient https://signin.aws.amazon.com/saml or a regional
#: https://REGION.signin.aws.amazon.com/saml; the China and GovCloud partitions have their own hosts).
SIGNIN_ENDPOINTS: tuple[str, ...] = (
    "https://signin.aws.amazon.com/saml",
    "https://*.signin.aws.amazon.com/saml",
    "https://signin.amazonaws.cn/saml",
    "https://*.signin.amazonaws.cn/saml",
    "https://signin.amazonaws-us-gov.com/saml",
    "https://*.signin.amazonaws-us-gov.com/saml",
)


class SamlMissingAudience(BaseCheck):
    """Asks, per (role, SAML provider) edge, for an admitted assertion whose SAML:aud is like none of
    :data:`SIGNIN_ENDPOINTS`."""

    id = "saml-missing-audience"
    title = "A SAML trust does not pin the assertion's audience to AWS sign-in"
    severity = Severity.LOW
    severity_rule = "Low."
    rationale = (
        "The role accepts SAML assertions from the provider whatever their audience (SAML:aud). An assertion the "
        "identity provider issued for another service provider (another SaaS application that trusts the same IdP) "
        "could then be replayed to AWS STS AssumeRoleWithSAML. AWS's own trust policy template for SAML "
        "federation pins SAML:aud to https://signin.aws.amazon.com/saml."
    )
    remediation = (
        "Add \"Condition\": {\"StringEquals\": {\"SAML:aud\": \"https://signin.aws.amazon.com/saml\"}} (or the "
        "regional sign-in endpoint your IdP posts to) to the statement that trusts the SAML provider."
    )

    def run(self, ctx: ScanContext) -> Iterator[Finding]:
        from trustgraph.smt.constraints import ground_satisfies
        from trustgraph.smt.solve import KeyConstraint

        G = ctx.graph
        action = Action.ASSUME_ROLE_WITH_SAML
        constraint = (KeyConstraint("saml:aud", "not-like", SIGNIN_ENDPOINTS),)

        def pinned(role: str) -> bool:
            statements = ctx.estate.role_by_arn[role].trust_policy.statements
            return values_pinned(statements, action, frozenset({PrincipalKind.SAML_PROVIDER}), "saml:aud",
                                 lambda v: not ground_satisfies(constraint[0], (v,)))
        for role in ctx.roles:
            for source, data in in_edges_by_source(G, role):
                if G.nodes[source]["kind"] != NodeKind.SAML.value or data["action"] != action.value:
                    continue
                if pinned(role):
                    continue  # every admitted assertion's SAML:aud is a sign-in endpoint: the question is Unsat
                result = ctx.hop(source, role, action, constraint)
                if is_unknown(result):
                    yield self.unknown(role=role, source=source, reason=unknown_reason(result))
                elif is_sat(result):
                    aud = (result.request.get("saml:aud") or ("(absent)",))[0]
                    yield self.finding(
                        role=role, source=source, path=hop_path(ctx, source, role, action, result),
                        message=(f"The role admits SAML assertions from `{G.nodes[source]['label']}` whose audience "
                                 f"is not an AWS sign-in endpoint (e.g. SAML:aud = `{aud}`)."))


CHECK = SamlMissingAudience()
