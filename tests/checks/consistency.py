"""Check/query consistency: what a check claims about a statement or a source, ``query`` must answer alike.

Each check's finding is a claim that can be put to the query API as a question about the same role and source
under the same constraints; each silence of a reach check is a claim too (nobody of that class gets in). Unknown
answers on either side are compatible with anything (an unknown is never read as yes or no). :func:`disagreements`
returns one line per contradiction, so a failing test names every one.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

from trustgraph.api import TrustGraph
from trustgraph.checks.context import ScanContext
from trustgraph.checks.finding import Finding, FindingKind
from trustgraph.checks.registry import CHECKS
from trustgraph.checks.runner import run_checks
from trustgraph.checks.saml_missing_audience import SIGNIN_ENDPOINTS
from trustgraph.checks.service_confused_deputy import SOURCE_KEYS
from trustgraph.graph.nodes import EXTERNAL, NodeKind
from trustgraph.queries.options import QueryOptions
from trustgraph.queries.results import Reach

NO_EXTERNAL_ID = QueryOptions.make(without=["sts:ExternalId"])
NO_MFA = QueryOptions.make(not_like={"aws:MultiFactorAuthPresent": ["true"]})


def scan_findings(tg: TrustGraph) -> tuple[ScanContext, tuple[Finding, ...]]:
    """Every check on every role of the zone, as ``trustgraph scan`` runs them."""
    ctx = ScanContext(TrustGraph(tg.estate, tg.zone, tg.graph.copy()))
    return ctx, run_checks(ctx, CHECKS).findings


def _one(tg: TrustGraph, source: str, role: str, options: QueryOptions,
         members: Iterable[str] | None = None) -> Reach:
    """The verdict of ``query`` for one source (or class, restricted to ``members``) and one role."""
    results = [r for r in tg.query(source, role, options, members=members) if r.target == role]
    verdicts = {r.verdict for r in results}
    for v in (Reach.REACHABLE, Reach.UNKNOWN):
        if v in verdicts:
            return v
    return Reach.UNREACHABLE


def disagreements(tg: TrustGraph) -> list[str]:
    """Every contradiction between the checks' findings on ``tg`` and ``query``'s answers to the same questions."""
    ctx, findings = scan_findings(tg)
    by_check: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        by_check[f.check_id].append(f)
    out: list[str] = []
    out += _dead_statements(tg, by_check["dead-trust-statement"])
    out += _outsider_reach(tg, ctx, by_check["external-without-external-id"], NO_EXTERNAL_ID,
                           "external-without-external-id")
    out += _outsider_reach(tg, ctx, by_check["external-without-mfa"], NO_MFA, "external-without-mfa")
    out += _path_to_admin(tg, by_check["external-path-to-admin"])
    out += _public(tg, by_check["public-role"])
    out += _oidc(tg, by_check["oidc-any-subject"])
    out += _one_hop(tg, ctx, by_check["service-confused-deputy"], NodeKind.SERVICE,
                    QueryOptions.make(without=list(SOURCE_KEYS), max_hops=1), "service-confused-deputy",
                    only=lambda f: "with no aws:SourceAccount" in f.message)
    out += _one_hop(tg, ctx, by_check["saml-missing-audience"], NodeKind.SAML,
                    QueryOptions.make(not_like={"saml:aud": list(SIGNIN_ENDPOINTS)}, max_hops=1),
                    "saml-missing-audience", only=None)
    return out


def _dead_statements(tg: TrustGraph, findings: list[Finding]) -> list[str]:
    """A statement reported dead lets no source in: no one-hop answer of ``query`` into its role rests on it."""
    out: list[str] = []
    dead: dict[str, set[object]] = defaultdict(set)
    for f in findings:
        if f.kind is FindingKind.FINDING:
            dead[f.role].update(f.statements)
    for role, locations in sorted(dead.items()):
        for r in tg.who_can_reach(role, max_hops=1):
            if r.verdict is not Reach.REACHABLE or not r.hops:
                continue
            used = locations.intersection(r.hops[-1].statements)
            for loc in used:
                out.append(f"dead-trust-statement says {loc} of {role} can never be satisfied; query: {r.source} "
                           f"gets in through it")
    return out


def _reported(findings: list[Finding]) -> dict[str, Finding]:
    return {f.role: f for f in findings}


def _outsider_reach(tg: TrustGraph, ctx: ScanContext, findings: list[Finding], options: QueryOptions,
                    check: str) -> list[str]:
    """A reported source reaches the role under the check's constraints; an unreported role is reached by no AWS
    principal outside the zone."""
    out: list[str] = []
    reported = _reported(findings)
    for role in ctx.roles:
        f = reported.get(role)
        if f is not None and f.kind is FindingKind.FINDING:
            for source in _proven_sources(f):
                if _one(tg, source, role, options) is Reach.UNREACHABLE:
                    out.append(f"{check} says {source} reaches {role}; query says unreachable")
        elif f is None:
            v = _one(tg, EXTERNAL, role, options, members=(EXTERNAL,))
            if v is Reach.REACHABLE:
                out.append(f"{check} reports nothing on {role}; query: an outsider reaches it")
    return out


def _path_to_admin(tg: TrustGraph, findings: list[Finding]) -> list[str]:
    out: list[str] = []
    for f in findings:
        if f.kind is not FindingKind.FINDING:
            continue
        for source in _proven_sources(f):
            if _one(tg, source, f.role, QueryOptions()) is Reach.UNREACHABLE:
                out.append(f"external-path-to-admin says {source} reaches {f.role}; query says unreachable")
    return out


def _public(tg: TrustGraph, findings: list[Finding]) -> list[str]:
    """A role any account's principal can assume is reached by the AWS outsider of ``query``."""
    return [f"public-role says a stranger's principal assumes {f.role}; query: no outsider reaches it"
            for f in findings if f.kind is FindingKind.FINDING
            and _one(tg, EXTERNAL, f.role, QueryOptions(), members=(EXTERNAL,)) is Reach.UNREACHABLE]


def _proven_sources(f: Finding) -> list[str]:
    """Every source a finding (one per check and role) says gets in, the undecided ones left out."""
    return [s.source for s in f.all_sources if s.kind is FindingKind.FINDING]


_VALUE = re.compile(r"with (\S+) = `([^`]*)`")


def _oidc(tg: TrustGraph, findings: list[Finding]) -> list[str]:
    """Both tokens the finding names (the owner claim's two values) get in, each asked with its value given."""
    out: list[str] = []
    for f in findings:
        if f.kind is not FindingKind.FINDING:
            continue
        for key, value in _VALUE.findall(f.message):
            options = QueryOptions.make(given={key: value}, max_hops=1)
            if _one(tg, f.source, f.role, options) is Reach.UNREACHABLE:
                out.append(f"oidc-any-subject says a token with {key} = {value!r} gets into {f.role}; query says "
                           f"unreachable")
    return out


def _one_hop(tg: TrustGraph, ctx: ScanContext, findings: list[Finding], kind: NodeKind, options: QueryOptions,
             check: str, only: object) -> list[str]:
    """Per (role, source of ``kind``): a finding's source gets in under the check's constraints; a pair without a
    finding does not (for the question ``options`` asks)."""
    out: list[str] = []
    claimed = {(f.role, s): f for f in findings for s in _proven_sources(f) or [f.source]}
    G = tg.graph
    for role in ctx.roles:
        for source in sorted({u for u, _ in G.in_edges(role) if G.nodes[u]["kind"] == kind.value}):
            f = claimed.get((role, source))
            v = _one(tg, source, role, options)
            if f is not None and f.kind is FindingKind.FINDING and (only is None or only(f)):  # type: ignore[operator]
                if v is Reach.UNREACHABLE:
                    out.append(f"{check} says {source} gets into {role}; query says unreachable")
            elif f is None and v is Reach.REACHABLE and kind is NodeKind.SAML:
                out.append(f"{check} reports nothing for {source} on {role}; query: it gets in")
    return out

