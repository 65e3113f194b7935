"""``public-role``: any AWS principal of any account can assume the role."""

from __future__ import annotations

from collections.abc import Iterator

from trustgraph.checks.base import BaseCheck
from trustgraph.checks.context import ScanContext
from trustgraph.checks.finding import Finding, Severity
from trustgraph.graph.nodes import account_node
from trustgraph.queries.results import Reach


class PublicRole(BaseCheck):
    """Asks whether a principal of a stranger's account (an id that appears nowhere in the loaded exports, policies
    or zone, outside every zone organization) reaches the role in one hop: only a ``"*"`` principal can name it."""

    id = "public-role"
    title = "Any AWS principal of any account can assume the role"
    severity = Severity.CRITICAL
    severity_rule = "Critical."
    rationale = (
        "The trust policy admits an AWS principal of an account that nobody named: a Principal of \"*\" (or "
        "{\"AWS\": \"*\"}) whose conditions a stranger can satisfy. Conditions that look restrictive often are not: "
        "an ExternalId is not a secret (AWS: 'AWS does not treat the external ID as a secret'), ForAllValues on "
        "aws:PrincipalOrgID holds when the caller is in no organization, StringLike \"*\" only asks for presence. "
        "Pinning aws:PrincipalOrgID (StringEquals) to an organization of the zone does make the role non-public; "
        "the solver decides which case applies."
    )
    remediation = (
        "Replace Principal \"*\" with the account or role ARNs that need access, or keep \"*\" only together with "
        "\"Condition\": {\"StringEquals\": {\"aws:PrincipalOrgID\": \"<your organization id>\"}} (StringEquals, no "
        "ForAllValues, no IfExists)."
    )

    def run(self, ctx: ScanContext) -> Iterator[Finding]:
        source = account_node(ctx.fresh_account)
        options = ctx.options(max_hops=1)
        for role in ctx.roles:
            if not ctx.graph.has_edge(source, role):
                continue  # no "*" statement names a stranger's account
            for r in ctx.reach(source, role, options):
                if r.target != role or r.verdict is Reach.UNREACHABLE:
                    continue
                message = ("Any AWS principal of any account can assume the role (a principal of account "
                           f"{ctx.fresh_account}, named nowhere, gets in).")
                yield self.reach_finding(r, role=role, message=message, source="*")


CHECK = PublicRole()
