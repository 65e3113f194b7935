"""A trust graph built directly from the documented node/edge attributes (no exports, no solver): ~200 nodes over
several accounts, with every node kind, edge kind and marker, and long, hostile and mathtext-like names."""

from __future__ import annotations

import random

import networkx as nx

EDGE_ACTION = {"assume": "sts:AssumeRole", "saml": "sts:AssumeRoleWithSAML",
               "web-identity": "sts:AssumeRoleWithWebIdentity", "service": "sts:AssumeRole"}


def _edge(G: nx.MultiDiGraph, u: str, v: str, kind: str, *, xid: bool = False, mfa: bool = False) -> None:
    action = EDGE_ACTION[kind]
    G.add_edge(u, v, key=action, action=action, kind=kind, statements=(), trust=(), needs_external_id=xid,
               needs_mfa=mfa, cross_account=G.nodes[u].get("account") != G.nodes[v].get("account"),
               summary="unconditional")


def synthetic_graph(accounts: int = 6, roles_per_account: int = 30, seed: int = 1) -> nx.MultiDiGraph:
    """``accounts`` inside accounts of ``roles_per_account`` roles and 2 users each, two outside accounts (one with
    exported principals), ``external``, SAML/OIDC/web-identity providers and three services."""
    rng = random.Random(seed)
    G = nx.MultiDiGraph(zone=None, estate=None)
    G.add_node("external", kind="external", account=None, label="external", inside=False, admin=False, entity=None)
    outside = ["444455556666", "777788889999"]
    for acct in outside:
        G.add_node(f"account:{acct}", kind="account", account=acct, label=f"acct {acct}", inside=False, admin=False,
                   entity=None)
    vendor_role = "arn:aws:iam::777788889999:role/VendorConnector"
    G.add_node(vendor_role, kind="role", account="777788889999", label="VendorConnector", inside=False, admin=False,
               entity=None)
    providers = {
        "federated:arn:aws:iam::100000000000:saml-provider/CorpIdP": ("saml", "100000000000", True, ()),
        "federated:arn:aws:iam::100000000001:oidc-provider/token.actions.githubusercontent.com":
            ("oidc", "100000000001", False, ("repo:acme/*",)),
        "federated:cognito-identity.amazonaws.com": ("web-identity", None, False, ()),
    }
    for node, (kind, acct, inside, subjects) in providers.items():
        G.add_node(node, kind=kind, account=acct, label=node.rsplit("/", 1)[-1], inside=inside, admin=False,
                   entity=None, provider=node.split(":", 1)[1], trusted_subjects=subjects)
    services = ["service:ec2.amazonaws.com", "service:lambda.amazonaws.com", "service:config.amazonaws.com"]
    for s in services:
        G.add_node(s, kind="service", account=None, label=s.split(":")[1], inside=True, admin=False, entity=None)
    roles_by_account: dict[str, list[str]] = {}
    for a in range(accounts):
        acct = f"1000000000{a:02d}"
        names = [f"role-{a}-{i:02d}" for i in range(roles_per_account)]
        names[0] = "OrganizationAccountAccessRole"
        names[1] = "AWSReservedSSO_AdministratorAccess_3f1b2c4d5e6a7b8c"
        names[2] = "$\\frac{1}{2}$<script>alert(1)</script>"
        roles = [f"arn:aws:iam::{acct}:role/{n}" for n in names]
        roles_by_account[acct] = roles
        for i, (arn, name) in enumerate(zip(roles, names, strict=True)):
            G.add_node(arn, kind="role", account=acct, label=name, inside=True, admin=i in (0, 1), entity=None)
        for u in range(2):
            G.add_node(f"arn:aws:iam::{acct}:user/dev-{u}", kind="user", account=acct, label=f"dev-{u}", inside=True,
                       admin=False, entity=None)
    all_roles = [r for rs in roles_by_account.values() for r in rs]
    for acct, roles in roles_by_account.items():
        _edge(G, "federated:arn:aws:iam::100000000000:saml-provider/CorpIdP", roles[1], "saml")
        _edge(G, f"arn:aws:iam::{acct}:user/dev-0", roles[3], "assume", mfa=True)
        _edge(G, f"arn:aws:iam::{acct}:user/dev-1", roles[3], "assume")
        _edge(G, "account:444455556666", roles[4], "assume", xid=True)
        _edge(G, "external", roles[4], "assume", xid=True)
        _edge(G, vendor_role, roles[5], "assume")
        _edge(G, "federated:arn:aws:iam::100000000001:oidc-provider/token.actions.githubusercontent.com", roles[6],
              "web-identity")
        _edge(G, "federated:cognito-identity.amazonaws.com", roles[7], "web-identity")
        for i in range(8, len(roles)):
            r = rng.random()
            if r < 0.4:
                _edge(G, rng.choice(services), roles[i], "service")
            elif r < 0.8:
                _edge(G, roles[rng.randrange(3, i)], roles[i], "assume", mfa=rng.random() < 0.2)
            else:
                _edge(G, rng.choice(all_roles), roles[i], "assume")
        _edge(G, roles[rng.randrange(8, len(roles))], roles[0], "assume")
    _edge(G, "account:777788889999", vendor_role, "assume")
    add_hubs(G, roles_by_account)
    return G


def add_hubs(G: nx.MultiDiGraph, roles_by_account: dict[str, list[str]]) -> None:
    """The hub nodes of the current schema: ``principals:ID`` per account (member edges from its users and roles)
    and ``principals:*``; each account's hub is trusted by its role 8 (a trust naming the account)."""
    G.add_node("principals:*", kind="principals", account=None, label="any principal", inside=False, admin=False,
               entity=None)
    for acct, roles in roles_by_account.items():
        hub = f"principals:{acct}"
        G.add_node(hub, kind="principals", account=acct, label=f"principals of {acct}", inside=True, admin=False,
                   entity=None)
        for n in [n for n, d in G.nodes(data=True) if d.get("account") == acct and d["kind"] in ("user", "role")]:
            G.add_edge(n, hub, key="member", kind="member", action=None)
        G.add_edge(hub, "principals:*", key="member", kind="member", action=None)
        _edge(G, hub, roles[8], "assume")
