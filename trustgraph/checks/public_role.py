"""``public-role``: any AWS principal of any account can assume the role.

Cost: one hop question per role that trusts ``"*"`` (or a NotPrincipal) through the ``external`` edge: O(R).
"""

from __future__ import annotations

from collections.abc import Iterator

from trustgraph.checks.base import BaseCheck, hop_path, is_sat, is_unknown, unknown_reason
from trustgraph.checks.context import ScanContext
from trustgraph.checks.finding import Finding, Severity
from trustgraph.graph.nodes import EXTERNAL, account_node
from trustgraph.model.principal import PrincipalKind
from trustgraph.semantics.request import Action, CallerKind


class PublicRole(BaseCheck):
    """One solver question per role whose trust policy has a ``"*"`` principal: can a principal of a stranger's
    account (an id that appears nowhere in the loaded exports, policies or zone; in no organization of the zone and
    in none that a policy names) assume it in one hop, under the whole trust policy (Deny statements and RCPs
    included)?"""

    id = "public-role"
    title = "Any AWS principal of any account can assume the role"
    severity = Severity.CRITICAL
    severity_rule = "Critical."
    rationale = (
        "The trust policy admits an AWS principal of an account that nobody named: a Principal of \"*\" (or "
        "{\"AWS\": \"*\"}) whose conditions a stranger can satisfy. Conditions that look restrictive often are not: "
        "an ExternalId is not a secret (AWS: 'AWS does not treat the external ID as a secret'), ForAllValues on "
        "aws:PrincipalOrgID holds when the caller is in no organization, StringLike \"*\" only asks for presence. "
        "Pinning aws:PrincipalOrgID (StringEquals) to an organization does make the role non-public; the solver "
        "decides which case applies."
    )
    remediation = (
        "Replace Principal \"*\" with the account or role ARNs that need access, or keep \"*\" only together with "
        "\"Condition\": {\"StringEquals\": {\"aws:PrincipalOrgID\": \"<your organization id>\"}} (StringEquals, no "
        "ForAllValues, no IfExists)."
    )

    def run(self, ctx: ScanContext) -> Iterator[Finding]:
        from trustgraph.smt.symbolic import SymbolicCaller

        stranger = ctx.once((self.id, "stranger"), lambda: SymbolicCaller(
            kind=CallerKind.ROLE_SESSION, account=ctx.fresh_account,
            excluded_orgs=frozenset(ctx.zone.organizations) | ctx.named_organizations))
        source = account_node(ctx.fresh_account)
        action = Action.ASSUME_ROLE
        G = ctx.graph
        for role in ctx.roles:
            if not G.has_edge(EXTERNAL, role, key=action.value):
                continue
            trust = G.edges[EXTERNAL, role, action.value]["trust"]
            if not any(st.not_principals is not None or any(p.kind is PrincipalKind.ANY for p in st.principals or ())
                       for st in trust):
                continue  # no "*" (or NotPrincipal) statement: a stranger's account cannot be named
            result = ctx.solve_hop(stranger, ctx.engine.target(role), action)
            if is_unknown(result):
                yield self.unknown(role=role, source="*", reason=unknown_reason(result))
            elif is_sat(result):
                yield self.finding(
                    role=role, source="*", path=hop_path(ctx, source, role, action, result),
                    message=("Any AWS principal of any account can assume the role (a principal of account "
                             f"{ctx.fresh_account}, named nowhere, gets in)."))


CHECK = PublicRole()
