"""Pictures of the trust graph (matplotlib, imported only when a picture is drawn).

>>> import trustgraph, trustgraph.plot
>>> tg = trustgraph.load()                                   # doctest: +SKIP
>>> trustgraph.plot.plot_graph(tg)                           # doctest: +SKIP
>>> trustgraph.plot.plot_reach(tg, "admin")                  # doctest: +SKIP
>>> trustgraph.plot.plot_external(tg, without=["sts:ExternalId"])   # doctest: +SKIP
>>> trustgraph.plot.plot_path(tg.can_reach("external", arn), tg)    # doctest: +SKIP

Every function returns a :class:`matplotlib.figure.Figure` drawn on the Agg canvas (no display needed, no pyplot
state; in Jupyter it displays as a PNG) unless ``ax`` is given, in which case it draws into that axes and returns its
figure. Save with ``fig.savefig("graph.png")`` or ``"graph.svg"``. Pictures read left to right by hop distance from
the sources, accounts are horizontal bands, the zone boundary is a dashed red rule between the shaded outside (top)
and inside (bottom) bands; see :mod:`trustgraph.plot.draw` for the full encoding. Graphs with more than
``max_nodes`` nodes are drawn aggregated per account and source class (:func:`summarise_graph`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from trustgraph.plot.summary import summarise_graph, summary_columns

if TYPE_CHECKING:
    import networkx as nx
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from trustgraph.queries.graph_queries import GraphQueries, ReachResults
    from trustgraph.queries.results import ReachResult

__all__ = ["plot_graph", "plot_reach", "plot_external", "plot_path", "plot_results", "summarise_graph", "graph_of",
           "results_graph", "hop_edge_data", "without_member_edges", "DEFAULT_MAX_NODES"]

#: Above this many nodes a picture is aggregated per account and source class.
DEFAULT_MAX_NODES = 250


def graph_of(tg_or_G: GraphQueries | nx.MultiDiGraph) -> nx.MultiDiGraph:
    """The networkx graph of a :class:`~trustgraph.api.TrustGraph`, or the graph itself."""
    import networkx as nx

    if isinstance(tg_or_G, nx.Graph):
        return tg_or_G
    G = getattr(tg_or_G, "graph", None)
    if isinstance(G, nx.Graph):
        return G
    raise TypeError(f"expected a TrustGraph or a networkx graph, got {type(tg_or_G).__name__}")


def plot_graph(
    tg_or_G: GraphQueries | nx.MultiDiGraph,
    *,
    nodes: Iterable[str] | None = None,
    edges: Iterable[tuple[str, str, Any]] | None = None,
    highlight: Iterable[tuple[str, str]] | None = None,
    ax: Axes | None = None,
    title: str | None = None,
    max_nodes: int = DEFAULT_MAX_NODES,
    summarise: bool | None = None,
    services: str = "auto",
    members: bool = False,
) -> Figure:
    """The trust graph, or the subgraph on ``nodes``, in hop columns and account bands.

    Parameters
    ----------
    tg_or_G
        A loaded :class:`~trustgraph.api.TrustGraph` or its networkx graph.
    nodes
        Restrict to these nodes (default: all).
    edges
        Draw only these ``(u, v, key)`` edges (default: every edge between drawn nodes).
    highlight
        ``(u, v)`` pairs drawn bold, the rest faint.
    ax
        Draw into an existing axes (the figure is then not resized).
    title
        Title above the picture (default: a count of what is drawn).
    max_nodes
        Above this node count the picture is aggregated per account and source class.
    summarise
        Force (True) or forbid (False) aggregation; None decides by ``max_nodes``.
    services
        ``"nodes"`` draws service principals as source nodes; ``"fold"`` drops them and appends ``<- ec2`` to the
        label of each role they can assume (columns still count the service hop), which removes the longest edges
        of a large picture; ``"auto"`` folds when more than 60 nodes are drawn.
    members
        Draw every ``member`` edge (each principal to its account hub ``principals:ID``, account hubs to
        ``principals:*``). By default only users' member edges are drawn: the bands already show which account a
        role belongs to, and the hubs are drawn as sources ("principals of ACCOUNT").
    """
    from trustgraph.plot.draw import draw_layout

    G = graph_of(tg_or_G)
    if not members:
        G = without_member_edges(G)
    member_nodes = sorted(G.nodes if nodes is None else set(nodes) & set(G.nodes))
    edge_list = list(edges) if edges is not None else None
    aggregate = summarise if summarise is not None else len(member_nodes) > max_nodes
    if aggregate:
        S = summarise_graph(G, member_nodes, edges=edge_list)
        heading = title or (f"{len(member_nodes)} nodes aggregated into {S.number_of_nodes()} groups "
                            f"(per account and source class)")
        fig = draw_layout(S, ax=ax, title=heading, layers=summary_columns(S), col_width=3.4, row_height=0.4,
                          column_names=lambda c: ("sources", "roles", "admin roles")[c] if c < 3 else "")
    else:
        n_edges = len(edge_list) if edge_list is not None else G.subgraph(member_nodes).number_of_edges()
        heading = title or f"trust graph: {len(member_nodes)} nodes, {n_edges} edges"
        fold = services == "fold" or (services == "auto" and len(member_nodes) > 60)
        layers = suffixes = None
        drawn = member_nodes
        if fold:
            drawn, layers, suffixes = _fold_services(G, member_nodes, edge_list)
            if suffixes:
                heading += " (service principals folded into role labels: \u2190 name)"
        fig = draw_layout(G, drawn, edges=edge_list, highlight=highlight, ax=ax, title=heading, layers=layers,
                          suffixes=suffixes)
    fig.set_label(heading)  # what the picture says it shows, for callers that report it (``trustgraph graph``)
    _register_display()
    return fig


def without_member_edges(G: nx.MultiDiGraph, *, keep_users: bool = True) -> nx.MultiDiGraph:
    """A read-only view of ``G`` without the hub ``member`` edges (graph attributes shared). With ``keep_users``
    the edges from IAM users to their account hub stay: users are few, and without that edge a user whose way in
    is a trust naming its account would look unconnected."""
    import networkx as nx

    def keep(u: str, v: str, k: str) -> bool:
        if G.edges[u, v, k].get("kind") != "member":
            return True
        return keep_users and G.nodes[u].get("kind") == "user"

    view = nx.subgraph_view(G, filter_edge=keep)
    return view


def hop_edge_data(G: nx.MultiDiGraph, source: str, target: str, action: str) -> dict[str, Any]:
    """The edge data behind one witnessed hop: the direct edge, else the edge from a hub (``principals:ID`` or
    ``principals:*``) the caller belongs to, else just the edge kind inferred from the action."""
    if G.has_edge(source, target, action):
        return dict(G.edges[source, target, action])
    attrs = dict(G.nodes[source]) if source in G else _infer_attrs(source)
    if attrs.get("kind") not in ("user", "role"):
        return {"kind": _edge_kind(source, action), "action": action}
    for hub in G.predecessors(target):
        if G.nodes[hub].get("kind") != "principals" or not G.has_edge(hub, target, action):
            continue
        hub_account = G.nodes[hub].get("account")
        if hub_account is None or hub_account == attrs.get("account"):  # principals:* or the caller's account
            data = dict(G.edges[hub, target, action])
            data["via"] = hub
            return data
    return {"kind": _edge_kind(source, action), "action": action}


def results_graph(G: nx.MultiDiGraph, results: Iterable[ReachResult], extra_nodes: Iterable[str] = ()
                  ) -> nx.MultiDiGraph:
    """The witnessed paths of ``results`` as their own graph: each hop one edge from the caller to the role (hub
    edges resolved to the caller), node attributes copied from ``G`` (inferred when ``G`` lacks the node)."""
    import networkx as nx

    P = nx.MultiDiGraph(**G.graph)
    for r in results:
        for n in ([r.hops[0].source, *(h.target for h in r.hops)] if r.hops else []):
            if n not in P:
                P.add_node(n, **(dict(G.nodes[n]) if n in G else _infer_attrs(n)))
        for h in r.hops:
            if not P.has_edge(h.source, h.target, h.action):
                P.add_edge(h.source, h.target, key=h.action, **hop_edge_data(G, h.source, h.target, h.action))
    for n in extra_nodes:
        if n not in P:
            P.add_node(n, **(dict(G.nodes[n]) if n in G else _infer_attrs(n)))
    return P


def _fold_services(
    G: nx.MultiDiGraph, members: list[str], edges: list[tuple[str, str, Any]] | None
) -> tuple[list[str], dict[str, int], dict[str, str]]:
    """Members without service principals, the hop columns computed with them, and ``<- svc`` label suffixes."""
    from trustgraph.graph.nodes import short_label
    from trustgraph.plot.layout import hop_layers

    member_set = set(members)
    services = {n for n in members if G.nodes[n].get("kind") == "service"}
    layers = hop_layers(G, members)
    by_role: dict[str, list[str]] = {}
    pairs = ((u, v) for u, v, _ in edges) if edges is not None else ((u, v) for u, v in G.edges())
    for u, v in pairs:
        if u in services and v in member_set:
            by_role.setdefault(v, [])
            if short_label(u) not in by_role[v]:
                by_role[v].append(short_label(u))
    suffixes = {}
    for role, names in by_role.items():
        first = names[0] if len(names[0]) <= 14 else names[0][:13] + "\u2026"
        suffixes[role] = f" \u2190 {first}" + (f" +{len(names) - 1}" if len(names) > 1 else "")
    drawn = [n for n in members if n not in services]
    return drawn, {n: layers[n] for n in drawn}, suffixes


def plot_results(
    tg: GraphQueries | nx.MultiDiGraph, results: ReachResults | Sequence[ReachResult], *, ax: Axes | None = None,
    title: str | None = None, extra_nodes: Iterable[str] = (), max_nodes: int = DEFAULT_MAX_NODES,
) -> Figure:
    """The witnessed paths of query results (:func:`results_graph`): every hop of every result, each node once."""
    P = results_graph(graph_of(tg), results, extra_nodes)
    return plot_graph(P, ax=ax, title=title, max_nodes=max_nodes)


def plot_reach(
    tg: GraphQueries, target: str, *, ax: Axes | None = None, candidates: bool = False, title: str | None = None,
    max_nodes: int = DEFAULT_MAX_NODES, **options: Any,
) -> Figure:
    """Everything that can reach ``target`` (a role ARN, a glob, ``admin``).

    By default the picture shows the witnessed paths of :meth:`TrustGraph.who_can_reach` (the solver's answer, each
    source's shortest path; ``options`` as for that method). With ``candidates=True`` it shows every edge the trust
    policies make possible towards the target before any condition is solved (all graph ancestors).
    """
    import networkx as nx

    from trustgraph.queries.specs import resolve_targets

    G = graph_of(tg)
    roles = resolve_targets(G, target).roles
    if candidates:
        nodes: set[str] = set(roles)
        for r in roles:
            nodes |= nx.ancestors(G, r)
        heading = title or f"candidate edges towards {_short(target)}: {len(nodes)} nodes (before solving)"
        return plot_graph(G, nodes=nodes, ax=ax, title=heading, max_nodes=max_nodes, members=True)
    results = tg.who_can_reach(target, **options)
    reach = [r for r in results if r.hops]
    sources = len({r.source for r in reach})
    heading = title or f"who can reach {_short(target)}: {sources} sources, {len(reach)} witnessed paths"
    return plot_results(tg, reach, ax=ax, title=heading, extra_nodes=roles if len(roles) <= 20 else (),
                        max_nodes=max_nodes)


def plot_external(
    tg: GraphQueries, *, without: Sequence[str] = (), target: str | None = None, ax: Axes | None = None,
    title: str | None = None, max_nodes: int = DEFAULT_MAX_NODES, **options: Any,
) -> Figure:
    """Everything principals outside the zone reach (:meth:`TrustGraph.external_access`), as witnessed paths."""
    results = tg.external_access(without=without, target=target, **options)
    reach = [r for r in results if r.hops]
    roles = len({r.target for r in reach})
    cond = f" without {', '.join(without)}" if without else ""
    heading = title or f"reachable from outside the zone{cond}: {roles} roles"
    return plot_results(tg, reach, ax=ax, title=heading, max_nodes=max_nodes)


def plot_path(
    result: ReachResult, graph: GraphQueries | nx.MultiDiGraph | None = None, *, ax: Axes | None = None,
    title: str | None = None, max_context: int = 4,
) -> Figure:
    """One result's path, left to right, each hop annotated with its action and witness request context.

    ``graph`` supplies node attributes (account, zone side, admin); without it they are inferred from the node ids.
    An unreachable or unknown result draws its source and target with the reason.
    """
    from trustgraph.plot.draw import draw_layout

    G = graph_of(graph) if graph is not None else None
    path = [result.hops[0].source, *(h.target for h in result.hops)] if result.hops else [result.source,
                                                                                          result.target]
    P = _path_graph(result, path, G)
    notes = {(h.source, h.target): _hop_note(h, max_context, _condition_keys(P, h)) for h in result.hops}
    layers = {n: i for i, n in enumerate(dict.fromkeys(path))}
    verdict = result.verdict.value
    heading = title or f"{verdict}: {_short(result.source)} \u2192 {_short(result.target)}"
    if not result.hops and result.reason:
        heading += f"\n{result.reason}"
    fig = draw_layout(P, list(layers), layers=layers, edge_notes=notes, ax=ax, title=heading, col_width=3.6,
                      column_names=lambda c: "source" if c == 0 else f"hop {c}")
    _register_display()
    return fig


def _condition_keys(P: nx.MultiDiGraph, h: Any) -> frozenset[str]:
    """Lower-cased condition keys of the hop's trust statements (shown first in its note)."""
    if not P.has_edge(h.source, h.target, h.action):
        return frozenset()
    trust = P.edges[h.source, h.target, h.action].get("trust") or ()
    return frozenset(c.key_text.lower() for st in trust for c in getattr(st, "conditions", ()))


def _hop_note(h: Any, max_context: int, mentioned: frozenset[str] = frozenset()) -> str:
    """The action and the most telling context keys: those the trust conditions name, then the rest, routine keys
    (time, region, session name...) last (:func:`trustgraph.render.notebook.ordered_context`)."""
    from trustgraph.plot.draw import elide
    from trustgraph.render.notebook import ordered_context

    lines = [h.action]
    items = ordered_context(h, mentioned)
    for k, v in items[:max_context]:
        lines.append(elide(f"{k}={v}", 44))
    if len(items) > max_context:
        lines.append(f"\u2026 {len(items) - max_context} more keys")
    if h.approximations:
        lines.append("(approximate)")
    return "\n".join(lines)


def _path_graph(result: ReachResult, path: list[str], G: nx.MultiDiGraph | None) -> nx.MultiDiGraph:
    import networkx as nx

    P = nx.MultiDiGraph(**(G.graph if G is not None else {}))
    for n in path:
        P.add_node(n, **(dict(G.nodes[n]) if G is not None and n in G else _infer_attrs(n)))
    for h in result.hops:
        data = hop_edge_data(G, h.source, h.target, h.action) if G is not None else {
            "kind": _edge_kind(h.source, h.action)}
        P.add_edge(h.source, h.target, key=h.action, **data)
    if not result.hops:
        P.add_edge(result.source, result.target, key="none", kind="assume")
    return P


def _infer_attrs(node: str) -> dict[str, Any]:
    from trustgraph.graph.nodes import short_label

    if node == "external":
        return {"kind": "external", "account": None, "inside": False, "label": "external", "admin": False}
    if node.startswith("account:"):
        return {"kind": "account", "account": node.split(":", 1)[1], "inside": False, "label": short_label(node),
                "admin": False}
    if node.startswith("federated:"):
        provider = node.split(":", 1)[1]
        kind = "saml" if ":saml-provider/" in provider else "oidc" if ":oidc-provider/" in provider else "web-identity"
        return {"kind": kind, "account": None, "inside": False, "label": short_label(node), "admin": False}
    if node.startswith("service:"):
        return {"kind": "service", "account": None, "inside": True, "label": short_label(node), "admin": False}
    parts = node.split(":")
    kind = "user" if len(parts) > 5 and parts[5].startswith("user/") else "role"
    return {"kind": kind, "account": parts[4] if len(parts) > 4 else None, "inside": True,
            "label": short_label(node), "admin": False}


def _edge_kind(source: str, action: str) -> str:
    if source.startswith("service:"):
        return "service"
    return {"sts:AssumeRoleWithSAML": "saml", "sts:AssumeRoleWithWebIdentity": "web-identity"}.get(action, "assume")


def _short(spec: str) -> str:
    from trustgraph.graph.nodes import short_label

    return short_label(spec) if spec.startswith(("arn:", "account:", "federated:", "service:")) else spec


_REGISTERED = False


def _register_display() -> None:
    """In IPython, show our Agg figures as PNG (pyplot's inline backend only handles pyplot figures)."""
    global _REGISTERED
    if _REGISTERED:
        return
    import sys

    if "IPython" not in sys.modules:  # not in a notebook or IPython shell: nothing to register (and no import)
        return
    import importlib

    # Looked up by name: IPython's typing of get_ipython differs between releases, and this works with all of them.
    ip = importlib.import_module("IPython").get_ipython()
    if ip is None:
        return
    import io

    from matplotlib.figure import Figure

    def png(fig: Figure) -> bytes:
        buf = io.BytesIO()
        fig.savefig(buf, format="png", metadata={"Software": None})
        return buf.getvalue()

    formatter = ip.display_formatter.formatters["image/png"]
    formatter.for_type(Figure, png)
    _REGISTERED = True
