"""``external-without-mfa``: an AWS principal outside the zone reaches the role with no MFA at any hop.

Cost: as external-without-external-id, under "no MFA at any hop": O(V + E') hop questions for the searches from
``external`` and the A outside account nodes together (each state expanded once), O(its answers x their Sat hops) to
replay a source's search, shared by every role; O(1 + its sources) per role.
"""

from __future__ import annotations

from collections.abc import Iterator

from trustgraph.checks.base import BaseCheck, outside_sources, path_text, prepare_most_specific
from trustgraph.checks.context import ScanContext
from trustgraph.checks.finding import Finding, Severity
from trustgraph.queries.results import Reach


class ExternalWithoutMfa(BaseCheck):
    """Asks ``GraphQueries.query("external", role, not_like={"aws:MultiFactorAuthPresent": ["true"]})`` per role."""

    id = "external-without-mfa"
    title = "Principals outside the zone reach the role without MFA"
    severity = Severity.MEDIUM
    severity_rule = "Medium."
    rationale = (
        "An AWS principal outside the zone of trust can obtain this role's credentials with no multi-factor "
        "authentication at any hop: a leaked access key of the outside principal is enough. An ExternalId is not a "
        "second factor (AWS does not treat it as a secret). Federated routes are not reported here: "
        "AssumeRoleWithSAML and AssumeRoleWithWebIdentity never carry aws:MultiFactorAuthPresent, MFA happens at "
        "the identity provider, which the federation checks cover."
    )
    remediation = (
        "If humans of the outside account use this role, add \"Condition\": {\"Bool\": "
        "{\"aws:MultiFactorAuthPresent\": \"true\"}} (Bool, not BoolIfExists) to the statements that trust them; "
        "if a workload uses it, scope the trust to that workload's role ARN (aws:PrincipalArn) and an ExternalId, "
        "and record why MFA cannot apply."
    )

    prepare_rank = 1  # after external-path-to-admin's unconstrained searches

    def prepare(self, ctx: ScanContext) -> None:
        """The searches every role's answer reads (:func:`prepare_most_specific`)."""
        prepare_most_specific(ctx, ctx.options(not_like={"aws:MultiFactorAuthPresent": ["true"]}))

    def run(self, ctx: ScanContext) -> Iterator[Finding]:
        options = ctx.options(not_like={"aws:MultiFactorAuthPresent": ["true"]})
        for role in ctx.roles:
            for result in outside_sources(ctx, role, options):  # one per source; the runner merges them per role
                if result.verdict is Reach.REACHABLE:
                    hops = len(result.hops)
                    how = "directly" if hops == 1 else f"through a {hops}-hop chain ({path_text(result)})"
                    message = f"`{result.source}` reaches the role {how} with no MFA at any hop."
                    yield self.reach_finding(result, role=role, message=message)
                else:
                    yield self.reach_finding(result, role=role, message="")


CHECK = ExternalWithoutMfa()
