"""Guards lost between two estates: for each role in both whose trust policy (or the RCPs of its account) changed,
the solver is asked, per caller class, for a request the NEW policies allow and the OLD ones deny
(:func:`trustgraph.smt.difference.solve_difference`: IAM Access Analyzer's CheckNoNewAccess question, decided
exactly for the hop). Each such request is a witness, replayed through the reference evaluator against both; the
guard it shows lost is read off OLD's decision on it:

- ``condition``: an Allow statement of OLD that names the caller has conditions the request fails (the keys are
  the guards: ``sts:ExternalId``, MFA, organization, source account/ARN, a token's subject or audience, ...);
- ``deny``: a Deny statement of OLD applies to the request (a removed or narrowed Deny), its condition keys named;
- ``principal``: no Allow statement of OLD names the caller (the trusted principals were widened);
- ``other``: OLD denies for another reason (an RCP of the account, say), named in ``old_reasons``.

Caller classes: every AWS principal outside the zone (the source is then the principal or account a policy names
that the witness belongs to, or ``external``), each service a policy names (``service:NAME``) and each SAML or OIDC
provider (``federated:PROVIDER``). Principals inside the zone are not asked (their identity side makes the question
one about paths; the new findings report those).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from trustgraph.model.policy import Effect, Policy, Statement
from trustgraph.model.principal import PrincipalKind
from trustgraph.queries.results import HopWitness, export_locations
from trustgraph.semantics.request import Action, Caller, CallerKind, Request, Target

if TYPE_CHECKING:
    from trustgraph.smt.difference import NewAccess

#: Guard keys (lower case, as the model keeps them) and the name of the guard they make up.
GUARD_KEYS: Mapping[str, str] = {
    "sts:externalid": "external id",
    "aws:multifactorauthpresent": "MFA",
    "aws:multifactorauthage": "MFA",
    "aws:principalorgid": "organization",
    "aws:principalorgpaths": "organization",
    "aws:sourceaccount": "source account",
    "aws:sourceowner": "source account",
    "aws:sourcearn": "source ARN",
    "aws:sourceorgid": "source organization",
    "aws:sourceorgpaths": "source organization",
    "saml:aud": "audience pin",
    "aws:principalarn": "principal pin",
    "aws:principalaccount": "principal pin",
    "aws:userid": "principal pin",
    "aws:username": "principal pin",
}

#: GitHub Actions token claims that tie a token to a repository or its owner (GitHub docs, "OpenID Connect
#: reference"): dropping or widening one is losing the subject pin.
REPOSITORY_CLAIMS = frozenset({"sub", "repository", "repository_owner", "repository_id", "repository_owner_id",
                               "job_workflow_ref", "environment", "ref"})


def guard_of(key: str) -> str | None:
    """The guard a condition key is part of, or None for a key that is no guard trustgraph names.

    >>> [guard_of(k) for k in ("sts:externalid", "token.actions.githubusercontent.com:sub",
    ...                        "token.actions.githubusercontent.com:repository", "aws:sourcearn", "aws:sourceip")]
    ['external id', 'subject pin', 'subject pin', 'source ARN', None]
    """
    key = key.lower()
    if key in GUARD_KEYS:
        return GUARD_KEYS[key]
    if not key.startswith(("aws:", "sts:", "saml:")) and ":" in key:
        claim = key.rsplit(":", 1)[1]
        if claim in REPOSITORY_CLAIMS:
            return "subject pin"
        if claim in ("aud", "azp"):
            return "audience pin"
        return "token claim pin"
    if key.startswith("saml:"):
        return "SAML attribute pin"
    return None


def guard_name(key: str) -> str:
    """:func:`guard_of`, or ``condition on KEY`` for any other key."""
    return guard_of(key) or f"condition on {key}"


@dataclass(frozen=True, slots=True, kw_only=True)
class GuardLost:
    """A request of ``source`` that NEW's policies of ``role`` allow and OLD's deny (see the module docstring).

    ``guard``/``key`` are the first lost guard and the spelling of its key (None for a widened principal);
    ``guards``/``keys`` all of them; ``change`` how OLD denied (``condition``, ``deny``, ``principal``, ``other``).
    ``verdict`` is ``proven`` (a witness the evaluator replayed: NEW allows, OLD denies) or ``unknown`` (the solver
    could not decide; never read as safe). ``witness`` is the one hop of the request against NEW;
    ``old_statements`` the OLD statements that kept it out (``file#pointer``), ``new_statements`` those of NEW that
    let it in."""

    role: str
    guard: str
    key: str | None
    verdict: str
    source: str
    source_class: str = "external"
    change: str = "condition"
    guards: tuple[str, ...] = ()
    keys: tuple[str, ...] = ()
    witness: tuple[HopWitness, ...] = ()
    replayed: bool = False
    approximations: tuple[str, ...] = ()
    old_decision: str = ""
    old_reasons: tuple[str, ...] = ()
    old_statements: tuple[str, ...] = ()
    new_statements: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CallerClass:
    """A class of callers the difference is asked for: its source id, class, the symbolic caller and its action."""

    source: str
    source_class: str
    caller: Any
    action: Action


def caller_classes(new: Target, old: Target, external: Any) -> list[CallerClass]:
    """The outsider (``external``: a symbolic AWS caller outside the zone), every service and provider either trust
    policy names."""
    from trustgraph.smt.symbolic import SymbolicCaller

    out: dict[str, CallerClass] = {"external": CallerClass("external", "external", external, Action.ASSUME_ROLE)}
    for st in (*new.role.trust_policy.statements, *old.role.trust_policy.statements):
        for p in st.principals or ():
            if p.kind is PrincipalKind.SERVICE:
                out.setdefault(f"service:{p.text}", CallerClass(
                    f"service:{p.text}", "service", SymbolicCaller(kind=CallerKind.SERVICE, provider=p.text),
                    Action.ASSUME_ROLE))
            elif p.kind is PrincipalKind.SAML_PROVIDER:
                out.setdefault(f"federated:{p.text}", CallerClass(
                    f"federated:{p.text}", "federated", SymbolicCaller(kind=CallerKind.SAML, provider=p.text),
                    Action.ASSUME_ROLE_WITH_SAML))
            elif p.kind in (PrincipalKind.OIDC_PROVIDER, PrincipalKind.WEB_IDENTITY):
                out.setdefault(f"federated:{p.text}", CallerClass(
                    f"federated:{p.text}", "federated",
                    SymbolicCaller(kind=CallerKind.WEB_IDENTITY, provider=p.text),
                    Action.ASSUME_ROLE_WITH_WEB_IDENTITY))
    return list(out.values())


def outsider(estate: Any, zone: Any) -> Any:
    """Every AWS principal outside the zone, as the query engine's ``external`` source stands for it: any account
    but the zone's (listed, or members and management account of a zone organization), any organization but the
    zone's."""
    from trustgraph.smt.symbolic import SymbolicCaller

    inside = set(zone.accounts) | set(zone.inside_accounts)
    for org in estate.organizations:
        if org.org_id in zone.organizations:
            inside.update(a.account_id for a in org.accounts)
            if org.management_account_id:
                inside.add(org.management_account_id)
    return SymbolicCaller(kind=CallerKind.ROLE_SESSION, excluded_accounts=frozenset(inside),
                          excluded_orgs=frozenset(zone.organizations))


def _aws_source(caller: Caller, policies: Iterable[Policy]) -> tuple[str, str]:
    """The most specific source a policy names that the witness caller belongs to."""
    names: set[str] = set()
    accounts: set[str] = set()
    for policy in policies:
        for st in policy.statements:
            for p in (*(st.principals or ()), *(st.not_principals or ())):
                if p.kind in (PrincipalKind.USER, PrincipalKind.ROLE):
                    names.add(p.text)
                if p.account:
                    accounts.add(p.account)
    if caller.arn in names:
        return caller.arn, "principal"
    if caller.account in accounts:
        return f"account:{caller.account}", "account"
    return "external", "external"


def _where(st: Statement) -> str:
    return f"{st.location.file}#{st.location.pointer}"


@dataclass(frozen=True, slots=True)
class _Loss:
    change: str
    keys: tuple[str, ...]  # spellings
    statements: tuple[str, ...]


def explain_loss(caller: Caller, old: Target, request: Request, old_decision: Any) -> _Loss:
    """Why OLD denies the witness request: the conditions of the OLD Allow statements naming the caller that it
    fails, the OLD Deny statements that apply, or no OLD Allow statement naming the caller."""
    from trustgraph.semantics.actions import statement_action_matches
    from trustgraph.semantics.conditions import UndecidableCondition, evaluate_condition
    from trustgraph.semantics.principals import statement_principal_match

    policy = old.role.trust_policy
    ctx = request.context
    denies = [st for st in old_decision.statements if st.effect is Effect.DENY]
    if old_decision.verdict.value == "explicit-deny" and denies:
        keys = tuple(dict.fromkeys(c.key_text for st in denies for c in st.conditions))
        return _Loss("deny", keys, tuple(_where(st) for st in denies))
    naming = [st for st in policy.statements
              if st.effect is Effect.ALLOW and statement_action_matches(st, request.action.value)
              and statement_principal_match(st, caller, request.action) is not None]
    if not naming:
        return _Loss("principal", (), ())
    failed: list[str] = []
    where: list[str] = []
    for st in naming:
        for c in st.conditions:
            try:
                holds = evaluate_condition(c, ctx, variables=policy.variables_enabled)
            except UndecidableCondition:
                holds = False
            if not holds:
                if c.key_text not in failed:
                    failed.append(c.key_text)
                if _where(st) not in where:
                    where.append(_where(st))
    if failed:
        return _Loss("condition", tuple(failed), tuple(where))
    return _Loss("other", (), tuple(_where(st) for st in old_decision.statements))


def guard_from(role: str, cls: CallerClass, found: NewAccess, new: Target, old: Target) -> GuardLost:
    """The lost guard a replayed new-access witness shows (:func:`explain_loss`)."""
    from trustgraph.semantics.spelling import display_key

    caller = found.caller
    if cls.source == "external":
        source, source_class = _aws_source(caller, (new.role.trust_policy, old.role.trust_policy))
    else:
        source, source_class = cls.source, cls.source_class
    loss = explain_loss(caller, old, found.request, found.old_decision)
    guards = tuple(dict.fromkeys(guard_name(k) for k in loss.keys))
    if loss.change == "principal":
        guards = ("principal widened",)
    elif loss.change == "other":
        guards = ("other",)
    elif loss.change == "deny" and not guards:
        guards = ("deny statement",)
    hop = HopWitness(source=source, target=role, action=found.request.action.value,
                     caller=caller.session_arn or caller.arn,
                     context={display_key(k): v for k, v in sorted(found.request.context.items())},
                     statements=export_locations(found.new_decision.statements),
                     approximations=found.approximations, evidence=(caller, new, found.request))
    return GuardLost(
        role=role, guard=guards[0], key=loss.keys[0] if loss.keys else None,
        verdict="proven" if found.confirmed else "unknown", source=source, source_class=source_class,
        change=loss.change, guards=guards, keys=loss.keys, witness=(hop,), replayed=found.confirmed,
        approximations=found.approximations, old_decision=found.old_decision.verdict.value,
        old_reasons=tuple(found.old_decision.reasons), old_statements=loss.statements,
        new_statements=tuple(_where(st) for st in found.new_decision.statements
                             if not st.location.file.startswith("<")))


def _changed(new: Target, old: Target) -> bool:
    return (new.role.trust_policy != old.role.trust_policy or new.rcp_levels != old.rcp_levels
            or new.role.tags != old.role.tags)


def guards_lost(new_targets: Mapping[str, Target], old_targets: Mapping[str, Target], external: Any, *,
                now_ms: int | None = None, timeout_ms: int | None = None) -> tuple[GuardLost, ...]:
    """Every lost guard of the roles in both estates whose trust policy, RCPs or tags changed (module docstring).

    One entry per (role, source, guards): candidates of one class that lose the same guards (a user and a role
    session of the same account, with and without MFA) are reported once, with the first witness."""
    from trustgraph.smt.difference import NewAccess, Undecided, solve_difference

    out: list[GuardLost] = []
    for arn in sorted(new_targets):
        old = old_targets.get(arn)
        new = new_targets[arn]
        if old is None or not _changed(new, old):
            continue
        seen: set[tuple[str, tuple[str, ...]]] = set()
        for cls in caller_classes(new, old, external):
            for answer in solve_difference(cls.caller, new, old, cls.action, timeout_ms=timeout_ms, now_ms=now_ms):
                result = answer.result
                if isinstance(result, NewAccess):
                    g = guard_from(arn, cls, result, new, old)
                    if (g.source, g.guards) not in seen:
                        seen.add((g.source, g.guards))
                        out.append(g)
                else:
                    why = (f"{answer.label}: {result.reason}" if isinstance(result, Undecided)
                           else f"{answer.label}: OLD rests on over-approximations ({'; '.join(result.approximations)})"
                           if result.approximations else None)
                    key = (cls.source, ("unknown", answer.label))
                    if why is not None and key not in seen:
                        seen.add(key)
                        out.append(GuardLost(role=arn, guard="unknown", key=None, verdict="unknown",
                                             source=cls.source, source_class=cls.source_class, change="unknown",
                                             old_reasons=(why,)))
    return tuple(out)


__all__ = ["GUARD_KEYS", "REPOSITORY_CLAIMS", "CallerClass", "GuardLost", "caller_classes", "explain_loss",
           "guard_from", "guard_name", "guard_of", "guards_lost", "outsider"]
