"""``external-without-mfa``: an AWS principal outside the zone reaches the role with no MFA at any hop.

Cost: as external-without-external-id, under "no MFA at any hop": O(V + E') hop questions for the searches from
``external`` and the A outside account nodes together (each state expanded once), O(its answers x their Sat hops) to
replay a source's search, shared by every role; O(1 + its sources) per role.

A finding whose path enters another admin role before its own names it (:mod:`trustgraph.checks.through`): the
source reaches that admin role with no MFA too, this check's finding there the reviewer fixes first.
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

    #: True: the merged finding of a role made without a finding per outside account (:mod:`trustgraph.checks.
    #: leansources`, :meth:`grouped`: vendor-heavy at 20,000 roles ~181,000 answers for ~15,000 merged findings);
    #: False: :meth:`run`'s findings merged (the reference; set on the class). The findings are the same
    lean_sources: ClassVar[bool] = True

    def run(self, ctx: ScanContext) -> Iterator[Finding]:
        options = ctx.options(not_like={"aws:MultiFactorAuthPresent": ["true"]})
        for role in ctx.roles:
            for result in outside_sources(ctx, role, options):  # one per source; the runner merges them per role
                if result.verdict is Reach.REACHABLE:
                    yield self.reach_finding(result, role=role, message=_text(result.source, result.hops))
                else:
                    yield self.reach_finding(result, role=role, message="")

    def grouped(self, ctx: ScanContext, conditions: Callable[[Location], int]) -> list[Finding]:
        """:meth:`BaseCheck.grouped`, made by :func:`~trustgraph.checks.leansources.lean_grouped`
        (:attr:`lean_sources`); a finding through another admin role names it (:func:`~trustgraph.checks.through.
        name_through`)."""
        if not self.lean_sources:
            found = super().grouped(ctx, conditions)
        else:
            found = lean_grouped(self, ctx, conditions, ctx.options(not_like={"aws:MultiFactorAuthPresent": ["true"]}),
                                 lambda _: self.severity, _message)
        return name_through(found, ctx.is_admin, _message, lambda f, through: _text(f.source, f.path, through))


def _text(source: str, hops: tuple[HopWitness, ...], through: ThroughAdmin | None = None) -> str:
    """The message of a reachable answer from ``source`` over ``hops``; ``through``: the admin role the path enters
    first (:func:`~trustgraph.checks.through.admin_on_path`), named with the path folded."""
    if through is not None:
        return (f"`{source}` reaches the role through a {len(hops)}-hop chain with no MFA at any hop, "
                f"{through_clause(through)}: {through_path(source, hops, through)}.")
    how = "directly" if len(hops) == 1 else f"through a {len(hops)}-hop chain ({hops_text(source, hops)})"
    return f"`{source}` reaches the role {how} with no MFA at any hop."


def _message(finding: Finding) -> str:
    """The message of a reachable answer's finding made without one (its source and path are the answer's)."""
    return _text(finding.source, finding.path)


CHECK = ExternalWithoutMfa()
