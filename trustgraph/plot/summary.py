"""Per-account aggregation of a trust graph too large to draw node by node.

One node per (band, source class): an account's users, its roles and its admin roles become three nodes; the
``external`` source and each outside ``account:ID`` stay as they are; federated providers aggregate per band and
protocol, service principals into one node. Edges between two aggregates become one edge per edge kind, carrying the
number of underlying edges (``count``) and how many of them need an ExternalId or MFA. Edges inside one aggregate
(e.g. role chaining within an account) are counted on the node (``internal_edges``). Hub ``member`` edges are not
counted: each account hub (``principals:ID``) is its own aggregate, a source like ``account:ID``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from trustgraph.plot.layout import band_of

if TYPE_CHECKING:
    import networkx as nx

_CLASS_NOUN = {"user": ("user", "users"), "role": ("role", "roles"), "admin": ("admin role", "admin roles"),
               "admin-user": ("admin user", "admin users"),
               "saml": ("SAML provider", "SAML providers"), "oidc": ("OIDC provider", "OIDC providers"),
               "web-identity": ("web IdP", "web IdPs"), "service": ("service", "services")}


def source_class(G: nx.MultiDiGraph, node: str) -> str:
    """``user``, ``role``, ``admin`` (an admin role), ``admin-user``, or the node kind for symbolic sources."""
    d = G.nodes[node]
    kind = str(d.get("kind", "role"))
    if kind == "role" and d.get("admin"):
        return "admin"
    if kind == "user" and d.get("admin"):
        return "admin-user"
    return kind


def aggregate_id(G: nx.MultiDiGraph, node: str) -> str:
    """The aggregate a node belongs to: itself for ``external`` and ``account:ID``, else ``band|class``."""
    kind = G.nodes[node].get("kind")
    if kind in ("external", "account", "principals"):
        return node
    return f"{band_of(G, node).key}|{source_class(G, node)}"


def summarise_graph(
    G: nx.MultiDiGraph, nodes: Iterable[str] | None = None, *, edges: Iterable[tuple[str, str, Any]] | None = None
) -> nx.MultiDiGraph:
    """The aggregated graph (same node/edge attribute names as the trust graph, plus ``count`` and
    ``internal_edges`` on nodes and ``count``, ``external_id_count``, ``mfa_count`` on edges).

    ``edges`` restricts the counted edges to these ``(u, v, key)`` triples (e.g. the witnessed hops of query
    results). The result keeps ``G.graph`` (zone, estate) so band titles still name the accounts.
    """
    import networkx as nx

    members = set(G.nodes if nodes is None else nodes)
    S = nx.MultiDiGraph(**G.graph)
    groups: dict[str, list[str]] = defaultdict(list)
    for n in sorted(members):
        groups[aggregate_id(G, n)].append(n)
    for agg, group in groups.items():
        first = G.nodes[group[0]]
        cls = source_class(G, group[0])
        if len(group) == 1 and cls in ("external", "account", "principals"):
            S.add_node(agg, **{k: v for k, v in first.items() if k != "entity"}, entity=None, count=1,
                       internal_edges=0)
            continue
        singular, plural = _CLASS_NOUN.get(cls, (cls, cls + "s"))
        noun = singular if len(group) == 1 else plural
        label = f"{len(group)} {noun}"
        if len(group) == 1:
            label = f"{first.get('label') or group[0]}"
        S.add_node(agg, kind="role" if cls == "admin" else first.get("kind", "role"), account=first.get("account"),
                   label=label, inside=bool(first.get("inside")), admin=cls in ("admin", "admin-user"), entity=None,
                   count=len(group), internal_edges=0, trusted_subjects=first.get("trusted_subjects", ()))
    counts: Counter[tuple[str, str, str]] = Counter()
    xid: Counter[tuple[str, str, str]] = Counter()
    mfa: Counter[tuple[str, str, str]] = Counter()
    edge_iter = ((u, v, G.edges[u, v, k]) for u, v, k in edges if G.has_edge(u, v, k)) if edges is not None \
        else G.edges(data=True)
    for u, v, d in edge_iter:
        if d.get("kind") == "member" or u not in members or v not in members:
            continue
        au, av = aggregate_id(G, u), aggregate_id(G, v)
        if au == av:
            S.nodes[au]["internal_edges"] += 1
            continue
        key = (au, av, str(d.get("kind", "assume")))
        counts[key] += 1
        xid[key] += bool(d.get("needs_external_id"))
        mfa[key] += bool(d.get("needs_mfa"))
    for (au, av, kind), n in sorted(counts.items()):
        S.add_edge(au, av, key=kind, kind=kind, action=kind, count=n, external_id_count=xid[(au, av, kind)],
                   mfa_count=mfa[(au, av, kind)], needs_external_id=xid[(au, av, kind)] == n,
                   needs_mfa=mfa[(au, av, kind)] == n, cross_account=True, statements=(), summary=f"{n} edges")
    return S


def summary_columns(S: nx.MultiDiGraph) -> dict[str, int]:
    """Columns of an aggregated picture by class: sources (outsiders, providers, services, users) 0, roles 1, admin
    roles 2 (the aggregation erases hop distances, so the columns read "who -> what -> the crown jewels")."""
    out = {}
    for n, d in S.nodes(data=True):
        kind = d.get("kind")
        if kind == "role":
            out[n] = 2 if d.get("admin") else 1
        else:
            out[n] = 0
    return out
