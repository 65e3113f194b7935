"""``privilege-escalation``: a principal of the zone that is not an administrator can become one.

For each user and role of the zone whose permissions do not already allow everything, the question
``TrustGraph.query(principal, "admin", via="all")``: assume-role chains mixed with the escalation methods of
:mod:`trustgraph.graph.methods`, each call decided on the caller's effective permissions with a replayed witness.
The runner checks one role at a time, so a role's finding is its own, and the users of an account are checked with
the first (sorted) role of that account inside the zone. Service-linked roles are not reviewed (AWS owns them).
Only principals with an escalation edge, or that can reach one in the trust graph, are searched: every other
principal has no path (escalation edges are computed once per principal, most without a solver call).
"""

from __future__ import annotations

from collections.abc import Iterator

from trustgraph.checks.base import BaseCheck, path_text
from trustgraph.checks.context import ScanContext
from trustgraph.checks.finding import Finding, Severity
from trustgraph.queries.options import QueryOptions
from trustgraph.queries.results import Reach


class PrivilegeEscalation(BaseCheck):
    """Asks, for every non-admin principal of the zone, whether it can become an administrator."""

    id = "privilege-escalation"
    title = "A principal of the zone can make itself an administrator"
    severity = Severity.CRITICAL
    severity_rule = "Critical."
    rationale = (
        "Assuming a role is only one way to obtain power. A principal that may rewrite its own policies (or a "
        "group's, or a managed policy it holds), pass a powerful role to a service it can run code in, create "
        "access keys for an administrator, or rewrite an administrator role's trust policy holds an "
        "administrator's power in all but name: whoever obtains its credentials does too."
    )
    remediation = (
        "Remove the escalation permission named on the path, or scope it: iam:PassRole to the roles the workload "
        "needs with iam:PassedToService; IAM write actions (Put*/Attach*/CreatePolicyVersion/CreateAccessKey/"
        "UpdateAssumeRolePolicy) to resources the principal cannot turn against an administrator. A permissions "
        "boundary that denies these actions, or an SCP, closes the path for every principal at once."
    )

    def run(self, ctx: ScanContext) -> Iterator[Finding]:
        G = ctx.graph
        options = QueryOptions.make(via="all", timeout_ms=ctx.timeout_ms)
        for role in ctx.roles:
            subjects = [role]
            account = G.nodes[role].get("account")
            if role == _first_role(ctx, account):
                subjects += sorted(n for n, d in G.nodes(data=True)
                                   if d["kind"] == "user" and d["account"] == account and d["inside"])
            candidates = _candidates(ctx)
            for subject in subjects:
                data = G.nodes[subject]
                if data.get("admin_kind") == "admin" or data.get("service_linked") or subject not in candidates:
                    continue
                result = ctx.tg.query(subject, "admin", options)[0]
                if result.verdict is Reach.UNREACHABLE:
                    continue
                if result.verdict is Reach.UNKNOWN:
                    yield self.reach_finding(result, role=subject, message="")
                    continue
                methods = ", ".join(dict.fromkeys(h.method for h in result.hops if h.method)) or "assume-role"
                message = (f"`{subject}` can become an administrator of {result.target.split(':', 1)[1]} "
                           f"({methods}): {path_text(result)}.")
                yield self.reach_finding(result, role=subject, message=message)


def _candidates(ctx: ScanContext) -> frozenset[str]:
    """The principals that may escalate: those with an escalation edge, and those that can reach one of them in
    the trust graph (its ancestors). Every other principal's answer is "unreachable" without a search."""

    def compute() -> frozenset[str]:
        import networkx as nx

        G = ctx.graph
        escalations = ctx.tg.escalations()
        found: set[str] = set()
        for n, d in G.nodes(data=True):
            if d["kind"] in ("user", "role") and d["inside"] and escalations.edges_from(n):
                found.add(n)
                found.update(a for a in nx.ancestors(G, n) if G.nodes[a]["kind"] in ("user", "role"))
        return frozenset(found)

    result: frozenset[str] = ctx.once(("privilege-escalation", "candidates"), compute)
    return result


def _first_role(ctx: ScanContext, account: str | None) -> str | None:
    def compute() -> dict[str, str]:
        first: dict[str, str] = {}
        for n, d in sorted(ctx.graph.nodes(data=True)):
            if d["kind"] == "role" and d["inside"] and d["account"] not in first:
                first[d["account"]] = n
        return first

    table: dict[str, str] = ctx.once(("privilege-escalation", "first-role"), compute)
    return table.get(account or "")


CHECK = PrivilegeEscalation()
