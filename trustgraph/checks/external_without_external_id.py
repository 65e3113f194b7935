"""``external-without-external-id``: an AWS principal outside the zone reaches the role without an ExternalId.

Cost: a forward search from ``external`` and, when it reaches a role of the scan, one from each of the A outside
account nodes, all under "no sts:ExternalId" and shared with every role
(:func:`~trustgraph.checks.base.prepare_most_specific`). The searches share each state's hop work
(:mod:`trustgraph.queries.shared`): a state (node, MFA) is expanded once for all of them, so O(V + E') hop questions
in all for V nodes and E' candidate hops (edges, account hubs expanded per member), each memoised by the engine and
the solver cache; a source then replays the moves of the states it reaches, O(its answers x their Sat hops), without
asking. The accounts' answers are inverted once into role -> sources
(:meth:`~trustgraph.checks.context.ScanContext.reached_by`), so a role costs O(1 + its sources), not O(A). The
per-pair reference (``ScanContext(per_pair=True)``) expands every state once per source that reaches it:
O((1 + A) * (V + E')) hop asks.

A finding whose path enters another admin role before its own names it (:mod:`trustgraph.checks.through`): the
source reaches that role without an ExternalId too, a critical finding of this check the reviewer fixes first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import ClassVar

from trustgraph.checks.base import BaseCheck, hops_text, outside_sources, prepare_most_specific
from trustgraph.checks.context import ScanContext
from trustgraph.checks.finding import Finding, Severity, ThroughAdmin
from trustgraph.checks.leansources import lean_grouped
from trustgraph.checks.through import name_through, through_clause, through_path
from trustgraph.model.location import Location
from trustgraph.queries.results import HopWitness, Reach


class ExternalWithoutExternalId(BaseCheck):
    """Asks ``GraphQueries.query("external", role, without=("sts:ExternalId",))`` per role."""

    id = "external-without-external-id"
    title = "Principals outside the zone reach the role without an ExternalId"
    severity = Severity.HIGH
    severity_rule = "High; critical when the role is an admin role."
    rationale = (
        "An AWS principal outside the zone of trust can obtain this role's credentials, directly or through a chain "
        "of roles, without ever presenting sts:ExternalId. When the outsider is a vendor that assumes roles for many "
        "customers, any other customer of the vendor can hand it this role's ARN and have the vendor act on this "
        "account (the cross-account confused deputy, AWS IAM User Guide 'The confused deputy problem'); when the "
        "outsider is anyone else, the role simply trusts principals the zone does not control. Federated identities "
        "(SAML, OIDC) cannot send an ExternalId at all; they are covered by oidc-any-subject, "
        "saml-missing-audience and external-path-to-admin instead of being reported here."
    )
    remediation = (
        "Require the per-customer external id on every statement that trusts an outside account: add "
        "\"Condition\": {\"StringEquals\": {\"sts:ExternalId\": \"<id issued by the vendor>\"}} (StringEquals, not "
        "StringLike, not ...IfExists), or remove the outside account from the trust policy. For a chain, also "
        "restrict the intermediate roles' trust policies and identity policies so that the outsider's session "
        "cannot continue."
    )

    prepare_rank = 2  # after external-path-to-admin's unconstrained searches

    def prepare(self, ctx: ScanContext) -> None:
        """The searches every role's answer reads (:func:`prepare_most_specific`)."""
        prepare_most_specific(ctx, ctx.options(without=("sts:ExternalId",)))

    #: True: the merged finding of a role made without a finding per outside account (:mod:`trustgraph.checks.
    #: leansources`, :meth:`grouped`); False: :meth:`run`'s findings merged (the reference; set on the class). The
    #: findings are the same
    lean_sources: ClassVar[bool] = True

    def run(self, ctx: ScanContext) -> Iterator[Finding]:
        options = ctx.options(without=("sts:ExternalId",))
        for role in ctx.roles:
            severity = self._severity(ctx, role)
            for result in outside_sources(ctx, role, options):  # one per source; the runner merges them per role
                if result.verdict is Reach.REACHABLE:
                    message = self._text(ctx, role, result.source, result.hops, severity)
                    yield self.reach_finding(result, role=role, message=message, severity=severity)
                else:
                    yield self.reach_finding(result, role=role, message="", severity=severity)

    def grouped(self, ctx: ScanContext, conditions: Callable[[Location], int]) -> list[Finding]:
        """:meth:`BaseCheck.grouped`, made by :func:`~trustgraph.checks.leansources.lean_grouped`
        (:attr:`lean_sources`); a finding through another admin role names it (:func:`~trustgraph.checks.through.
        name_through`)."""
        if not self.lean_sources:
            found = super().grouped(ctx, conditions)
        else:
            found = lean_grouped(self, ctx, conditions, ctx.options(without=("sts:ExternalId",)),
                                 lambda role: self._severity(ctx, role),
                                 lambda f: self._text(ctx, f.role, f.source, f.path, f.severity))
        return name_through(found, ctx.is_admin, lambda f: self._text(ctx, f.role, f.source, f.path, f.severity),
                            lambda f, through: self._text(ctx, f.role, f.source, f.path, f.severity, through))

    @staticmethod
    def _severity(ctx: ScanContext, role: str) -> Severity:
        return Severity.CRITICAL if ctx.is_admin(role) else Severity.HIGH

    @staticmethod
    def _text(ctx: ScanContext, role: str, source: str, hops: tuple[HopWitness, ...], severity: Severity,
              through: ThroughAdmin | None = None) -> str:
        """The message of a reachable answer from ``source`` over ``hops`` into ``role``; ``through``: the admin
        role the path enters first (:func:`~trustgraph.checks.through.admin_on_path`), named with the path folded."""
        admin = f" It is an admin role{ctx.admin_note(role)}." if severity is Severity.CRITICAL else ""
        if through is not None:
            return (f"`{source}` reaches the role through a {len(hops)}-hop chain without presenting "
                    f"sts:ExternalId, {through_clause(through)}: {through_path(source, hops, through)}.{admin}")
        how = "directly" if len(hops) == 1 else f"through a {len(hops)}-hop chain ({hops_text(source, hops)})"
        return f"`{source}` reaches the role {how} without presenting sts:ExternalId.{admin}"


CHECK = ExternalWithoutExternalId()
