"""Writing the trust graph for other tools: a picture (PNG, SVG), GraphML or GEXF (Gephi, graph databases), or
node-link JSON, chosen by the output file's extension.

The interchange formats hold only strings, numbers and booleans, so :func:`plain_graph` converts the attributes:
model objects (``entity``, the trust statements' AST in ``trust``) are dropped, statement locations become
``file#/pointer`` strings joined with ``"; "``, tuples become strings joined the same way, ``None`` values are
omitted, and the zone is kept as a JSON string graph attribute. Node ids and edge keys stay as they are (ARNs,
``account:ID``, ``external``, ``federated:PROVIDER``, ``service:NAME``; keys are the STS action names).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trustgraph.errors import UsageError
from trustgraph.safe_text import xml_text

if TYPE_CHECKING:
    import networkx as nx

#: Output formats by file extension.
FORMATS: dict[str, str] = {".png": "png", ".svg": "svg", ".graphml": "graphml", ".gexf": "gexf", ".json": "json"}
#: Attributes that hold model objects, not data: never exported.
DROPPED = frozenset({"entity", "trust", "estate"})


def format_of(path: str | os.PathLike[str]) -> str:
    """The output format for a path, by extension (case-insensitive).

    Raises
    ------
    UsageError
        For any other extension.

    >>> format_of("out/graph.GraphML")
    'graphml'
    """
    ext = Path(path).suffix.lower()
    fmt = FORMATS.get(ext)
    if fmt is None:
        raise UsageError(f"cannot tell the output format of `{os.fspath(path)}`: use one of "
                         f"{', '.join(FORMATS)}")
    return fmt


def _plain_value(value: Any) -> str | int | float | bool | None:
    """A value the interchange formats can hold, or None to omit it."""
    if value is None:
        return None
    if isinstance(value, bool | int | float | str):
        return value
    if hasattr(value, "value") and isinstance(value.value, str):  # enums
        return str(value.value)
    if isinstance(value, tuple | list | frozenset | set):
        items = sorted(value) if isinstance(value, frozenset | set) else list(value)
        return "; ".join(str(i) for i in items)
    return str(value)


def plain_attrs(attrs: Mapping[str, Any]) -> dict[str, str | int | float | bool]:
    """Attributes with model objects dropped and every value converted (see the module docstring)."""
    out: dict[str, str | int | float | bool] = {}
    for k, v in attrs.items():
        if k in DROPPED:
            continue
        plain = _plain_value(v)
        if plain is not None:
            out[k] = plain
    return out


def plain_graph(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy of the trust graph whose attributes are strings, numbers and booleans only."""
    import networkx as nx

    P = nx.MultiDiGraph()
    zone = G.graph.get("zone")
    if zone is not None and hasattr(zone, "describe"):
        P.graph["zone"] = json.dumps(zone.describe(), sort_keys=True)
    P.graph["generator"] = "trustgraph"
    for n, d in G.nodes(data=True):
        P.add_node(n, **plain_attrs(d))
    for u, v, k, d in G.edges(keys=True, data=True):
        P.add_edge(u, v, key=k, **plain_attrs(d))
    return P


def subgraph_between(G: nx.MultiDiGraph, source: str | None = None, target: str | None = None) -> nx.MultiDiGraph:
    """The part of the graph on paths from ``source`` and/or to ``target`` (query SOURCE/TARGET syntax).

    With a source: the sources and everything reachable from them; with a target: the target roles and everything
    that reaches them; with both: the nodes on some path from a source to a target. These are candidate edges (what
    the trust policies make possible); whether a hop's conditions can be met is for ``trustgraph query``.
    Returns a view-free copy (attributes shared, graph attributes kept).
    """
    import networkx as nx

    from trustgraph.queries.specs import resolve_sources, resolve_targets

    keep: set[str] | None = None
    if source not in (None, "*"):
        resolved = resolve_sources(G, source)
        virtual = {v.node for v in resolved.virtual}  # not graph nodes: their first hops' roles stand for them
        starts = [n for n in resolved.nodes if n not in virtual]
        starts += [role for v in resolved.virtual for role, _ in v.edges]
        down = set(starts)
        for s in starts:
            down |= nx.descendants(G, s)
        keep = down
    if target not in (None, "*"):
        ends = resolve_targets(G, target).roles
        up = set(ends)
        for t in ends:
            up |= nx.ancestors(G, t)
        keep = up if keep is None else keep & up
    if keep is None:
        return G.copy()
    return G.subgraph(keep).copy()


@dataclass(frozen=True, slots=True)
class Written:
    """What :func:`export_graph` wrote: the format, and what the file shows in words (a picture's own title, so the
    numbers a command prints are the numbers the picture shows; node and edge counts of a data export)."""

    format: str
    description: str


def export_graph(
    G: nx.MultiDiGraph, path: str | os.PathLike[str], *, max_nodes: int | None = None, title: str | None = None
) -> Written:
    """Write ``G`` to ``path`` in the format its extension names.

    PNG and SVG are :func:`trustgraph.plot.plot_graph` pictures (aggregated above ``max_nodes`` nodes), written
    reproducibly (no date or software metadata; SVG ids from a fixed salt); GraphML and GEXF are :func:`plain_graph`
    copies; JSON is networkx node-link data (``nodes``, ``links``) of the same copy.
    """
    import networkx as nx

    from trustgraph.atomic_write import atomic_path

    fmt = format_of(path)
    with atomic_path(path) as target:  # a failed write leaves the previous file as it was
        if fmt in ("png", "svg"):
            import matplotlib as mpl

            from trustgraph.plot import DEFAULT_MAX_NODES, plot_graph

            fig = plot_graph(xml_safe_graph(G) if fmt == "svg" else G, title=title and xml_text(title),
                             max_nodes=max_nodes or DEFAULT_MAX_NODES)
            with mpl.rc_context({"svg.hashsalt": "trustgraph"}):
                fig.savefig(target, format=fmt, metadata={"Date": None} if fmt == "svg" else {"Software": None})
            return Written(fmt, str(fig.get_label()))
        plain = plain_graph(G)
        if fmt == "graphml":
            nx.write_graphml(xml_safe_graph(plain), target)
        elif fmt == "gexf":
            nx.write_gexf(xml_safe_graph(plain), target)
        else:
            data = nx.node_link_data(plain, edges="links")
            with open(target, "w", encoding="utf-8") as fh:
                json.dump(data, fh, indent=1, sort_keys=True)
                fh.write("\n")
    return Written(fmt, f"{plain.number_of_nodes()} nodes, {plain.number_of_edges()} edges")


def _xml_value(value: Any) -> Any:
    return xml_text(value) if isinstance(value, str) else value


def xml_safe_graph(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy of ``G`` whose node ids, edge keys and string attributes hold no character XML 1.0 forbids (each is
    replaced by its visible escape, ``\\x1b``; see :func:`trustgraph.safe_text.xml_text`), for GraphML, GEXF and SVG.

    The same graph when nothing needs escaping. Attribute values that are not strings are kept as they are (the
    picture's model objects included); an escaped id could in theory meet an id that already spells the escape, in
    which case the two nodes merge in the export.
    """
    import networkx as nx

    def dirty(value: Any) -> bool:
        return isinstance(value, str) and xml_text(value) != value

    if not any(dirty(n) or any(dirty(v) for v in d.values()) for n, d in G.nodes(data=True)) and not any(
        dirty(k) or any(dirty(v) for v in d.values()) for _, _, k, d in G.edges(keys=True, data=True)
    ) and not any(dirty(v) for v in G.graph.values()):
        return G
    S = nx.MultiDiGraph()
    S.graph.update({k: _xml_value(v) for k, v in G.graph.items()})
    for n, d in G.nodes(data=True):
        S.add_node(_xml_value(n), **{k: _xml_value(v) for k, v in d.items()})
    for u, v, k, d in G.edges(keys=True, data=True):
        S.add_edge(_xml_value(u), _xml_value(v), key=_xml_value(k), **{a: _xml_value(x) for a, x in d.items()})
    return S
