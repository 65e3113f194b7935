"""``oidc-any-subject``: a multi-tenant OIDC issuer is trusted with conditions that admit more than one owner.

Cost: one question per (OIDC or web-identity provider, role) edge, most of them settled from the policy text
(:mod:`trustgraph.checks.exact`): O(S) for S trust statements.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from trustgraph.checks.base import BaseCheck, hop_path, is_sat, is_unknown, target_with, unknown_reason
from trustgraph.checks.context import ScanContext
from trustgraph.checks.exact import single_owner
from trustgraph.checks.finding import Finding, Severity
from trustgraph.checks.issuers import Issuer, issuer_for
from trustgraph.graph.nodes import NodeKind
from trustgraph.model.policy import Effect, Statement
from trustgraph.queries.results import export_locations
from trustgraph.semantics.request import Action, Request


class OidcAnySubject(BaseCheck):
    """Two solver questions per (role, multi-tenant provider), with the claim formats of
    :mod:`trustgraph.checks.issuers`: (1) a token admitted by the trust policy whose owner claim has the issuer's
    format, giving an owner; (2) an admitted token whose owner claim is *not like* that owner's glob. A second
    witness means identities of another owner get in. A trust policy whose every subject condition names one owner
    (:func:`trustgraph.checks.exact.single_owner`) is answered without the solver."""

    id = "oidc-any-subject"
    title = "A multi-tenant OIDC issuer is trusted for identities of any owner"
    severity = Severity.CRITICAL
    severity_rule = "Critical."
    rationale = (
        "The role trusts an OIDC issuer that signs tokens for everybody (GitHub Actions, GitLab.com, HCP Terraform, "
        "Google, Cognito identity pools, ...), and its conditions do not pin the owner: no `sub` condition, a "
        "subject pattern such as `repo:acme*` that also matches `repo:acme-evil/...`, a wildcard in the owner "
        "part, or a Cognito trust without the identity pool `aud`. Anyone who can run a workflow or sign in to "
        "their own app at that issuer obtains the role's credentials (Datadog Security Labs, 2023: roles in the wild "
        "trusting GitHub with only aud = sts.amazonaws.com). The solver found a token of a second owner that the "
        "trust policy admits."
    )
    remediation = (
        "Pin the owner in the trust policy: for GitHub Actions \"StringLike\": "
        "{\"token.actions.githubusercontent.com:sub\": \"repo:<org>/<repo>:ref:refs/heads/<branch>\"} (the slash "
        "after the organization is essential; prefer a full repository and branch or environment), for GitLab "
        "`project_path:<group>/<project>:...`, for HCP Terraform `organization:<org>:project:<p>:workspace:<w>:*`, "
        "for Cognito identity pools \"StringEquals\": {\"cognito-identity.amazonaws.com:aud\": \"<pool id>\"} "
        "(plus amr), for Google the OAuth client id in accounts.google.com:aud. Always keep the aud condition too."
    )

    def run(self, ctx: ScanContext) -> Iterator[Finding]:
        from trustgraph.smt.solve import KeyConstraint
        from trustgraph.smt.symbolic import provider_host

        G = ctx.graph
        fed = (NodeKind.OIDC.value, NodeKind.WEB_IDENTITY.value)
        for role in ctx.roles:
            for source in sorted(G.pred[role]):  # the sources of the role's in-edges
                if G.nodes[source]["kind"] not in fed:
                    continue
                provider = G.nodes[source]["provider"]
                host = provider_host(provider)
                issuer = issuer_for(host)
                if issuer is None or issuer.tenant_in_issuer:
                    continue
                yield from self._check(ctx, role, source, provider, host, issuer, KeyConstraint)

    def _check(self, ctx: ScanContext, role: str, source: str, provider: str, host: str, issuer: Issuer,
               key_constraint: type) -> Iterator[Finding]:
        action = Action.ASSUME_ROLE_WITH_WEB_IDENTITY
        key = issuer.owner_key(host)
        trust = ctx.estate.role_by_arn[role].trust_policy.statements
        if single_owner(trust, key, issuer.owner_of, issuer.owner_glob) is not None:
            return  # every admitted token is one owner's: the second question is Unsat by the policy's text
        target = target_with(ctx, role, _in_format(trust, key, issuer))
        caller = ctx.engine.caller(source, False)
        nonempty = ((key_constraint(key, "not-like", (issuer.empty_owner_glob,)),)
                    if issuer.empty_owner_glob is not None else ())
        first = ctx.solve_hop(caller, target, action, nonempty)
        if is_unknown(first):
            yield self.unknown(role=role, source=source, reason=unknown_reason(first))
            return
        if not is_sat(first):
            return
        values = first.request.get(key) or ()
        owner = issuer.owner_of(values[0]) if values else None
        if owner is None:
            yield self.unknown(role=role, source=source,
                               reason=f"the witness token's {key} ({values!r}) has no owner in {issuer.name}'s format")
            return
        same_owner = _same_owner_claims(host, issuer, first.request, key_constraint)
        second = ctx.solve_hop(caller, target, action,
                               (*nonempty, key_constraint(key, "not-like", (issuer.owner_glob(owner),)),
                                *same_owner))
        if is_unknown(second):
            yield self.unknown(role=role, source=source, reason=unknown_reason(second))
            return
        if not is_sat(second):
            return
        other = (second.request.get(key) or ("?",))[0]
        message = (f"The role trusts {issuer.name} ({host}) for identities of more than one owner: a token with "
                   f"{key} = `{values[0]}` (owner `{owner}`) and one with {key} = `{other}` (another owner) are "
                   f"both admitted.")
        yield self.finding(role=role, source=source, message=message,
                           path=hop_path(ctx, source, role, action, second),
                           statements=export_locations(second.decision.statements))


def _same_owner_claims(host: str, issuer: Issuer, request: Request, key_constraint: type) -> tuple[Any, ...]:
    """What a token of another owner cannot share with the first witness: the immutable ids that determine its owner
    (:data:`Issuer.owner_determined_by`, e.g. GitHub's ``repository_id`` determines the repository and so its owner,
    ``repository_owner_id`` the owner). A claim of the first witness becomes "not like that value" in the second
    question; values holding glob characters are left out (no id has them)."""
    out = []
    for claim in issuer.owner_determined_by:
        values = request.get(f"{host}:{claim}")
        if values and not any(ch in values[0] for ch in "*?$"):
            out.append(key_constraint(f"{host}:{claim}", "not-like", (values[0],)))
    return tuple(out)


def _in_format(statements: tuple[Statement, ...], key: str, issuer: Issuer) -> tuple[Statement, ...]:
    """The trust statements with ``StringLike key format_glob`` added to every Allow statement (ANDed with its
    conditions), so that only tokens whose owner claim is in the issuer's format get in. The statement keeps its own
    conditions on the key; the added one is another Condition of the model (the solver's cache key lists conditions
    one by one, so two ``StringLike`` conditions on one key stay two).
    """
    from trustgraph.ingest.policy_json import conditions_from_json
    from trustgraph.model.location import Location

    out = []
    for st in statements:
        if st.effect is not Effect.ALLOW:
            out.append(st)
            continue
        extra = conditions_from_json({"StringLike": {key: issuer.format_glob}},
                                     Location("<trustgraph-question>", "/issuer-format"), variables=False)
        out.append(replace(st, conditions=st.conditions + extra))
    return tuple(out)


CHECK = OidcAnySubject()
