"""The graph builder's shortcuts give the graph of the plain way of building it: same nodes, edges, keys, attributes
(entities and statements field by field, locations included) and the same insertion order.

The reference is the builder with every shortcut undone by monkeypatching: identity policies and admin flags from
full callers (trustgraph.semantics.callers) and each principal's admin status decided afresh (no answer shared
between principals), every provider offered to every action (filtered afterwards by
``_action_fits_source``), sources, action matches and condition facts computed afresh at each use,
``g.pattern == (Star(),)`` for "allows everything", and edges added with ``MultiDiGraph.add_edge``. Data: the
project's test exports, the bundled example, and generated organizations (with ``"*"`` trust principals, SAML/OIDC
providers, cross-account grants and admin roles).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from deep_values import deep
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies_policy import policy_document

import trustgraph.graph.admin as admin_module
import trustgraph.graph.build as build_module
from trustgraph.graph.admin import ADMINISTRATOR_ACCESS_ARNS, admin_arns, is_admin
from trustgraph.graph.build import _action_fits_source, _Index, action_may_match, build_graph
from trustgraph.ingest.load import load_estate
from trustgraph.ingest.policy_json import policy_from_json
from trustgraph.ingest.zone_file import zone_from_options
from trustgraph.model.estate import Estate
from trustgraph.model.location import MEMORY
from trustgraph.model.pattern import Star
from trustgraph.model.policy import Effect, Glob, Policy, Statement
from trustgraph.semantics.callers import caller_for_role_session, caller_for_user
from trustgraph.synth import synthesize

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
EXAMPLE = ROOT / "datasets" / "example-org"


def _caller(estate: Estate, arn: str) -> Any:
    user = estate.user_by_arn.get(arn)
    if user is not None:
        return caller_for_user(estate, user)
    return caller_for_role_session(estate, estate.role_by_arn[arn])


def _admin_via_callers(estate: Estate, arn: str, _identity: tuple[Policy, ...] | None = None) -> bool:
    """principal_is_admin as it was first written: from a full caller."""
    user = estate.user_by_arn.get(arn)
    caller = _caller(estate, arn)
    if user is not None:
        snap = estate.account_by_id[user.account]
        groups = [snap.group_by_name[g] for g in user.groups if g in snap.group_by_name]
        managed = user.managed_policy_arns + tuple(a for g in groups for a in g.managed_policy_arns)
    else:
        managed = estate.role_by_arn[arn].managed_policy_arns
    return _is_admin_reference(caller.identity_policies, caller.boundary, managed,
                               caller.boundary_unresolved)


def _is_admin_reference(identity: tuple[Policy, ...], boundary: Policy | None, managed: tuple[str, ...],
                        unresolved: bool) -> bool:
    """is_admin as it was first written (two passes, statement lists)."""
    def allow_everything(policies: list[Policy]) -> bool:
        statements = [st for p in policies for st in p.statements]
        if any(st.effect is Effect.DENY for st in statements):
            return False
        return any(st.effect is Effect.ALLOW and not st.conditions and _is_everything_by_equality(st.actions)
                   and (st.resources is None or _is_everything_by_equality(st.resources))
                   and st.not_resources is None for st in statements)

    policies = list(identity)
    if any(st.effect is Effect.DENY for p in policies for st in p.statements):
        return False
    if not (any(a in ADMINISTRATOR_ACCESS_ARNS for a in managed) or allow_everything(policies)):
        return False
    return unresolved or boundary is None or allow_everything([boundary])


def _plain_condition_facts(self: _Index, st: Statement) -> tuple[bool, bool, frozenset[str]]:
    return (any(c.key == "sts:externalid" for c in st.conditions),
            any(c.key == "aws:multifactorauthpresent" for c in st.conditions),
            frozenset(c.key_text for c in st.conditions))


def _is_everything_by_equality(globs: tuple[Glob, ...] | None) -> bool:
    return globs is not None and any(g.pattern == (Star(),) for g in globs)


class _FreshDecider:
    """The admin decider without its memory or its quick answers: every principal decided from scratch."""

    def quick(self, *_args: Any) -> Any:
        return None

    def status(self, caller: Any) -> Any:
        return admin_module.AdminDecider().status(caller)


def reference_graph(estate: Estate, zone: Any, monkeypatch: pytest.MonkeyPatch) -> nx.MultiDiGraph:
    sources_for = _Index.sources_for
    with monkeypatch.context() as m:
        m.setattr(_Index, "identity_policies", lambda self, node: _caller(self.estate, node).identity_policies)
        m.setattr(_Index, "action_may_match", lambda self, g, n, a: action_may_match(g, n, a))
        m.setattr(_Index, "condition_facts", _plain_condition_facts)
        m.setattr(_Index, "sources_for", lambda self, p, account, action=None: sources_for(self, p, account))
        m.setattr(_Index, "fitting_sources", lambda self, p, account, action: tuple(
            (src.node, src.same_account_direct) for src in self.sources_for(p, account, action)
            if _action_fits_source(action, src.node)))
        m.setattr(build_module, "AdminDecider", _FreshDecider)
        m.setattr(build_module._EdgeBatch, "add",
                  lambda self, u, v, key, attrs: self.G.add_edge(u, v, key=key, **attrs))
        m.setattr(admin_module, "_is_everything", _is_everything_by_equality)
        m.setattr(admin_module.AdminDecider, "shared_positions", False)
        return build_graph(estate, zone)


def graph_form(G: nx.MultiDiGraph) -> Any:
    """Everything about a graph, in insertion order, with values field by field."""
    return (
        [(n, deep(dict(data))) for n, data in G.nodes(data=True)],
        [(u, v, k, deep(dict(data))) for u, v, k, data in G.edges(keys=True, data=True)],
        [(n, list(G.pred[n])) for n in G],
    )


def _write_star_export(out: Path) -> None:
    """Two accounts whose trust policies name "*" (with every assume action, NotPrincipal, conditions), users and
    roles with identity policies (admin, assume-only, a Deny, a boundary), and SAML/OIDC providers."""
    out.mkdir()
    a, b = "111122223333", "444455556666"
    allow_all = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    assume = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:Assume*",
                                                      "Resource": f"arn:aws:iam::{a}:role/*"}]}
    deny = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"},
                                                   {"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}
    trusts = [
        {"Effect": "Allow", "Principal": "*", "Action": "sts:*"},
        {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ["sts:AssumeRoleWithSAML", "sts:AssumeRole"],
         "Condition": {"StringEquals": {"sts:ExternalId": "x"}}},
        {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRoleWithWebIdentity",
         "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}, "StringLike": {"aws:PrincipalTag/t": "*"}}},
        {"Effect": "Allow", "NotPrincipal": {"AWS": f"arn:aws:iam::{b}:root"}, "NotAction": "sts:TagSession"},
        {"Effect": "Allow", "Principal": {"AWS": [f"arn:aws:iam::{b}:root", b]}, "Action": "sts:AssumeRole"},
        {"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole"},
    ]
    for account in (a, b):
        roles = []
        for i, trust in enumerate(trusts):
            roles.append({
                "RoleName": f"r{i}", "RoleId": f"AROAEXAMPLE{account}{i:03d}", "Path": "/",
                "Arn": f"arn:aws:iam::{account}:role/r{i}",
                "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [trust, trusts[0]] if i == 5
                                             else [trust, trust] if i == 1 else [trust]},
                "RolePolicyList": [{"PolicyName": "p", "PolicyDocument": [allow_all, assume, deny][i % 3]}],
                **({"PermissionsBoundary": {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn":
                    f"arn:aws:iam::{account}:policy/B"}} if i == 4 else {}),
            })
        users = [{"UserName": "u", "UserId": f"AIDAEXAMPLE{account}", "Path": "/",
                  "Arn": f"arn:aws:iam::{account}:user/u", "GroupList": [],
                  "UserPolicyList": [{"PolicyName": "p", "PolicyDocument": assume}]}]
        policies = [{"PolicyName": "B", "Arn": f"arn:aws:iam::{account}:policy/B", "DefaultVersionId": "v1",
                     "PolicyVersionList": [{"VersionId": "v1", "Document": allow_all}]}]
        (out / f"gaad-{account}.json").write_text(json.dumps({"RoleDetailList": roles, "UserDetailList": users,
                                                             "Policies": policies}))
        (out / f"iam-list-open-id-connect-providers-{account}.json").write_text(json.dumps(
            {"OpenIDConnectProviderList": [{"Arn": f"arn:aws:iam::{account}:oidc-provider/token.example.com"}]}))
        (out / f"iam-list-saml-providers-{account}.json").write_text(json.dumps(
            {"SAMLProviderList": [{"Arn": f"arn:aws:iam::{account}:saml-provider/Okta"}]}))


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    out = tmp_path_factory.mktemp("org")
    synthesize(out / "a", accounts=5, roles_per_account=60, seed=7)
    synthesize(out / "b", accounts=3, roles_per_account=25, seed=11)
    _write_star_export(out / "star")
    yield out


def _inputs(which: str, generated: Path) -> list[tuple[Estate, Any]]:
    if which == "example-org":
        estate = load_estate([EXAMPLE])
        return [(estate, zone_from_options(estate, [], str(EXAMPLE / "zone.toml"))), (estate, None)]
    if which == "iam_rejects":
        return [(load_estate([f]), None) for f in sorted((DATA / "iam_rejects").glob("*.json"))]
    paths = {"sample": DATA / "two-account-sample", "checks": DATA / "checks", "generated-a": generated / "a",
             "generated-b": generated / "b", "star": generated / "star"}
    estate = load_estate([paths[which]])
    # the default zone, and a zone of the first account only (every other account outside: account and
    # external sources)
    return [(estate, None), (estate, zone_from_options(estate, [estate.accounts[0].account_id], None))]


@pytest.mark.parametrize("which", ["sample", "checks", "iam_rejects", "example-org", "generated-a", "generated-b",
                                   "star"])
def test_graph_equals_the_reference_build(which: str, generated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for estate, zone in _inputs(which, generated):
        fast = build_graph(estate, zone)
        slow = reference_graph(estate, zone, monkeypatch)
        assert graph_form(fast) == graph_form(slow)
        assert fast.number_of_edges() == slow.number_of_edges() > 0


def test_the_data_has_the_cases_the_shortcuts_touch(generated: Path) -> None:
    """The generated organizations exercise what the shortcuts change: admins, federated sources of "*" grants,
    external-id and MFA conditions on grants to everyone."""
    G = build_graph(load_estate([generated / "a"]))
    kinds = {data["kind"] for _, data in G.nodes(data=True)}
    assert {"role", "saml", "oidc", "service", "principals"} <= kinds
    assert any(data["admin"] for _, data in G.nodes(data=True))
    assert any(u.startswith("federated:") for u, _ in G.edges())
    star = build_graph(load_estate([generated / "star"]))
    edges = list(star.edges(keys=True, data=True))
    assert {k for u, _, k, _ in edges if u.startswith("federated:")} == {
        "sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity"}
    assert any(d.get("needs_external_id") for *_, d in edges) and any(d.get("needs_mfa") for *_, d in edges)
    assert {d["admin"] for _, d in star.nodes(data=True) if d["kind"] == "role"} == {True, False}


#: principals the syntactic test missed and the solver finds: Allow * * with a Deny of s3:* still allows every IAM
#: action, so the role can delete that Deny (admin-equivalent)
NEWLY_ADMIN = {"star": {f"arn:aws:iam::{a}:role/{r}" for a in ("111122223333", "444455556666") for r in ("r2", "r5")}}


@pytest.mark.parametrize("which", ["sample", "example-org", "generated-a", "star"])
def test_admin_arns_keep_the_syntactic_admins(which: str, generated: Path) -> None:
    """Every principal the old syntactic test called admin keeps administrator power, and the only new ones are
    those it missed for a reason the solver states."""
    estate = _inputs(which, generated)[0][0]
    expected = frozenset(a for a in (*estate.user_by_arn, *estate.role_by_arn) if _admin_via_callers(estate, a))
    assert expected
    assert admin_arns(estate) == expected | NEWLY_ADMIN.get(which, set())
    statuses = admin_module.admin_statuses(estate)
    for arn in NEWLY_ADMIN.get(which, set()):
        assert statuses[arn].level == "admin-equivalent"
        assert "every IAM action" in statuses[arn].reason


@settings(max_examples=200, deadline=None)
@given(docs=st.lists(policy_document(trust=False), max_size=3), boundary=st.none() | policy_document(trust=False),
       managed=st.lists(st.sampled_from(sorted(ADMINISTRATOR_ACCESS_ARNS) + ["arn:aws:iam::aws:policy/ReadOnly"]),
                        max_size=2), unresolved=st.booleans())
def test_is_admin_equals_the_two_pass_reference(docs: list[Any], boundary: Any, managed: list[str],
                                                unresolved: bool) -> None:
    policies = tuple(policy_from_json(d, MEMORY) for d in docs)
    bound = policy_from_json(boundary, MEMORY) if boundary is not None else None
    assert is_admin(policies, bound, managed_policy_arns=managed, boundary_unresolved=unresolved) == (
        _is_admin_reference(policies, bound, tuple(managed), unresolved))
