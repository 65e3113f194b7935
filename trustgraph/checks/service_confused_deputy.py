"""``service-confused-deputy``: a service that acts for other customers' resources may assume the role for them.

Cost: one hop question per (service principal, role) edge: O(S) for S trust statements.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from trustgraph.checks.base import BaseCheck, hop_path, in_edges_by_source, is_sat, is_unknown, unknown_reason
from trustgraph.checks.context import ScanContext
from trustgraph.checks.finding import Finding, Severity
from trustgraph.checks.services import service_info
from trustgraph.graph.nodes import NodeKind
from trustgraph.semantics.request import Action

SOURCE_KEYS = ("aws:SourceAccount", "aws:SourceArn", "aws:SourceOrgID")


class ServiceConfusedDeputy(BaseCheck):
    """Two solver questions per (role, service) edge of a service in :mod:`trustgraph.checks.services` that acts for
    other customers: (1) the service assumes the role with aws:SourceAccount, aws:SourceArn and aws:SourceOrgID all
    absent; (2) it assumes the role on behalf of a resource of a foreign account (aws:SourceAccount a stranger's
    account, aws:SourceArn naming no account of the zone, aws:SourceOrgID no zone organization)."""

    id = "service-confused-deputy"
    title = "A service may assume the role on behalf of another customer's resource"
    severity = Severity.MEDIUM
    severity_rule = "Medium."
    rationale = (
        "The role trusts an AWS service principal of a service that assumes roles on behalf of resources, and the "
        "service may belong to any customer's resource: without aws:SourceAccount / aws:SourceArn / "
        "aws:SourceOrgID tying the request to this account's resources, another customer can configure their "
        "resource with this role's ARN and the service will act in this account for them (the cross-service "
        "confused deputy, AWS IAM User Guide 'The confused deputy problem'). Services that get roles only through "
        "iam:PassRole by a principal of the role's own account (EC2, Lambda, ECS tasks, ...) are not flagged: a role "
        "cannot be passed across accounts. Service-linked roles are not flagged: AWS owns their trust policy."
    )
    remediation = (
        "Add \"Condition\": {\"StringEquals\": {\"aws:SourceAccount\": \"<this account id>\"}, \"ArnLike\": "
        "{\"aws:SourceArn\": \"arn:aws:<service>:<region>:<this account id>:<resource>\"}} to the statement that "
        "trusts the service (or aws:SourceOrgID for organization-wide resources)."
    )

    def run(self, ctx: ScanContext) -> Iterator[Finding]:
        from trustgraph.smt.solve import KeyConstraint

        G = ctx.graph
        action = Action.ASSUME_ROLE
        absent, foreign = ctx.once((self.id, "constraints"), lambda: _constraints(ctx, KeyConstraint))
        for role in ctx.roles:
            if G.nodes[role].get("service_linked"):
                continue
            for source, data in in_edges_by_source(G, role):
                if G.nodes[source]["kind"] != NodeKind.SERVICE.value or data["action"] != action.value:
                    continue
                principal = source.split(":", 1)[1]
                info = service_info(principal)
                if info is None or not info.acts_for_others:
                    continue
                for constraints, how in ((absent, "with no aws:SourceAccount, aws:SourceArn or aws:SourceOrgID"),
                                         (foreign, f"on behalf of a resource of account {ctx.fresh_account}, "
                                                   "outside the zone")):
                    result = ctx.hop(source, role, action, constraints)
                    if is_unknown(result):
                        yield self.unknown(role=role, source=source, reason=unknown_reason(result))
                        break
                    if is_sat(result):
                        yield self.finding(
                            role=role, source=source, path=hop_path(ctx, source, role, action, result),
                            message=f"{info.name} ({principal}) can assume the role {how}.")
                        break


def _constraints(ctx: ScanContext, key_constraint: Any) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """The two questions' constraints (the same for every role of a scan): the source keys absent; a resource of a
    stranger's account, naming no account of the zone, in no organization of the zone."""
    absent = tuple(key_constraint(k, "absent") for k in SOURCE_KEYS)
    inside = sorted(ctx.engine._inside_accounts() | ctx.zone.accounts)
    foreign = [key_constraint("aws:SourceAccount", "equals", (ctx.fresh_account,))]
    if inside:
        foreign.append(key_constraint("aws:SourceArn", "not-like", tuple(f"arn:*:*:*:{a}:*" for a in inside)))
    if ctx.zone.organizations:
        foreign.append(key_constraint("aws:SourceOrgID", "not-like", tuple(sorted(ctx.zone.organizations))))
    return absent, tuple(foreign)


CHECK = ServiceConfusedDeputy()
