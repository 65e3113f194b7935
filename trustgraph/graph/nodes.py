"""Node identifiers of the trust graph and how to read them.

Exported users and roles are their ARNs. Symbolic sources have a prefix: ``account:ID`` (any principal of an account
outside the zone, attacker-controlled), ``external`` (any principal outside the zone), ``federated:PROVIDER`` (token
or assertion holders of a SAML/OIDC provider ARN or built-in web IdP) and ``service:NAME`` (an AWS service principal).

Grants to a whole class of principals go through hub nodes, so the graph stays linear in the size of the estate:
``principals:ID`` stands for the exported principals of one account (every user and role of the account has a
``member`` edge to it) and ``principals:*`` for the exported principals of every account (each account hub has a
``member`` edge to it). A trust policy naming an account has one edge from that account's hub; ``"Principal": "*"``
has one edge from the role's own account hub (no identity policy needed in the same account) and one from
``principals:*`` (principals of other accounts, whose identity policies must allow the call). A path through hubs is
still one hop: the caller is the member principal.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

EXTERNAL = "external"
ALL_PRINCIPALS = "principals:*"
MEMBER = "member"


class NodeKind(Enum):
    """The ``kind`` attribute of a node."""

    USER = "user"
    ROLE = "role"
    ACCOUNT = "account"
    EXTERNAL = "external"
    SAML = "saml"
    OIDC = "oidc"
    WEB_IDENTITY = "web-identity"
    SERVICE = "service"
    PRINCIPALS = "principals"  # hub: the exported principals of one account, or of every account


FEDERATED_KINDS = frozenset({NodeKind.SAML, NodeKind.OIDC, NodeKind.WEB_IDENTITY})
SYMBOLIC_KINDS = frozenset({NodeKind.ACCOUNT, NodeKind.EXTERNAL, *FEDERATED_KINDS, NodeKind.SERVICE})


def account_node(account_id: str) -> str:
    """``account:ID``."""
    return f"account:{account_id}"


def principals_node(account: str) -> str:
    """``principals:ID``, the hub of an account's exported principals."""
    return f"principals:{account}"


def federated_node(provider: str) -> str:
    """``federated:PROVIDER`` for a provider ARN or built-in IdP name."""
    return f"federated:{provider}"


def service_node(service: str) -> str:
    """``service:NAME``."""
    return f"service:{service}"


def short_label(node: str) -> str:
    """A short human label: the role/user name, ``acct 444455556666``, the provider host, the service name."""
    if node.startswith("account:"):
        return "acct " + node.split(":", 1)[1]
    if node.startswith("federated:"):
        provider = node.split(":", 1)[1]
        for marker in (":oidc-provider/", ":saml-provider/"):
            if marker in provider:
                return provider.split(marker, 1)[1]
        return provider
    if node == ALL_PRINCIPALS:
        return "any principal"
    if node.startswith("principals:"):
        return "principals of " + node.split(":", 1)[1]
    if node.startswith("service:"):
        return node.split(":", 1)[1].removesuffix(".amazonaws.com")
    if node.startswith("arn:"):
        return node.rsplit("/", 1)[-1]
    return node


def graph_version(G: Any) -> int:
    """The version of a trust graph's node and edge sets: 0 as built, raised by :func:`bump_version`. Objects that
    keep lists derived from the graph (``queries.candidates.HopCandidates``) compare it with the version they were
    built from."""
    return int(G.graph.get("version", 0))


def bump_version(G: Any) -> None:
    """Record that nodes or edges were added to or removed from ``G`` (whoever changes a built graph calls it)."""
    G.graph["version"] = graph_version(G) + 1
