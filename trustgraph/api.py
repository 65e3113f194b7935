"""The Python API for notebooks and scripts: ``trustgraph.load(...)`` and the :class:`TrustGraph` it returns.

The facade sits above every analysis layer and below the CLI (``docs/architecture.md``): it is
:class:`~trustgraph.queries.graph_queries.GraphQueries` plus what a notebook user calls on top of the queries — the
security checks (:meth:`TrustGraph.scan`), the inventory, tables (``to_frame``) and Jupyter displays. Keeping those
here is what lets ``queries`` know nothing of ``checks``, ``report`` or ``render``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from trustgraph.model.zone import Zone
from trustgraph.queries import graph_queries
from trustgraph.queries.graph_queries import GraphQueries

if TYPE_CHECKING:
    import pandas as pd

    from trustgraph.render.frames import FindingList

__all__ = ["TrustGraph", "ReachResults", "load"]


@dataclass(frozen=True, slots=True)
class ReachResults(graph_queries.ReachResults):
    """An ordered collection of :class:`~trustgraph.queries.results.ReachResult` with a table view (``to_frame``) and
    a notebook display."""

    def to_frame(self, *, hops: bool = False) -> pd.DataFrame:
        """One row per result, or with ``hops=True`` one row per hop (source, target, hop number, context)."""
        from trustgraph.render.frames import results_frame

        return results_frame(self.results, hops=hops)

    def _repr_html_(self) -> str:
        from trustgraph.render.notebook import results_html

        return results_html(self.results)


class TrustGraph(GraphQueries):
    """Loaded exports, their trust graph under a zone, and the reachability queries over it, with the checks and the
    notebook views.

    Examples
    --------
    >>> import trustgraph
    >>> tg = trustgraph.load()                     # the bundled example organization
    >>> isinstance(len(tg.graph), int)
    True
    """

    results_type: ClassVar[type[graph_queries.ReachResults]] = ReachResults

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from trustgraph.render.notebook import register_displays

        register_displays()  # in IPython: single results, hops and findings display as HTML

    def __del__(self) -> None:
        """Let the graph die with this object by reference counting (:func:`_forget_graph_views`)."""
        graph = vars(self).get("graph")
        if graph is not None:
            _forget_graph_views(graph)

    def scan(self, checks: Iterable[str] | None = None, *, timeout_ms: int | None = None,
             every_source: bool = False) -> FindingList:
        """Run the security checks of ``trustgraph scan`` (all, or those ids) on every role; a
        :class:`~trustgraph.render.frames.FindingList` (``to_frame()``, notebook table). The checks ask on an engine
        of their own (their hop answers are not kept in this object's).

        A finding keeps the path of its first :data:`~trustgraph.checks.finding.MAX_LISTED_SOURCES` sources (those
        the reports list); the others are named and counted without it (``Finding.tail``). ``every_source=True``
        keeps every source's path (``Finding.paths_of_all``; :func:`~trustgraph.checks.grouping.every_source`)."""
        from trustgraph.checks.context import ScanContext
        from trustgraph.checks.grouping import every_source as full
        from trustgraph.checks.registry import select_checks
        from trustgraph.checks.runner import scan
        from trustgraph.render.frames import FindingList

        ctx = ScanContext(GraphQueries(self.estate, self.zone, self.graph), timeout_ms=timeout_ms)
        if every_source:
            with full():
                return FindingList(scan(ctx, select_checks(checks)), self.zone.describe())
        return FindingList(scan(ctx, select_checks(checks)), self.zone.describe())

    def to_frame(self, *, edges: bool = False) -> pd.DataFrame:
        """One row per node (kind, account, label, inside, admin, in/out degree) or, with ``edges=True``, one row per
        edge (source, target, action, kind, needs_external_id, needs_mfa, cross_account, summary)."""
        from trustgraph.render.frames import graph_frame

        return graph_frame(self.graph, edges=edges)

    def inventory(self) -> pd.DataFrame:
        """One row per principal (as ``trustgraph inventory``), with the admin column; ``statements`` is a whole-number
        column (pandas ``Int64``: empty for identity providers, which have no permission policies)."""
        import pandas as pd

        from trustgraph.render.inventory import inventory_rows, row_to_json

        frame = pd.DataFrame([row_to_json(r) for r in inventory_rows(self.estate, self.zone)])
        if "statements" in frame:
            frame["statements"] = frame["statements"].astype("Int64")
        return frame

    def __repr__(self) -> str:
        from trustgraph.render.zone_text import zone_lines

        roles = sum(1 for _, d in self.graph.nodes(data=True) if d["kind"] == "role")
        return (f"<TrustGraph {len(self.estate.accounts)} accounts, {roles} roles, {self.graph.number_of_nodes()} "
                f"nodes, {self.graph.number_of_edges()} edges; {zone_lines(self.zone.describe())[0]}>")

    def _repr_html_(self) -> str:
        from trustgraph.render.notebook import graph_html

        return graph_html(self)


def _forget_graph_views(graph: Any) -> None:
    """Drop the views the graph caches that hold the graph itself.

    networkx caches ``G.edges``, ``G.in_edges``, ``G.degree`` and the like on the graph (``functools.cached_property``)
    and each such view keeps the graph: a graph whose edges were read once is a reference cycle, and with it the
    estate it carries (``G.graph["estate"]``) waits for a full garbage collection, rare in a notebook holding millions
    of long-lived objects. A dropped :class:`TrustGraph` drops them (its engine holds no cycle,
    :mod:`trustgraph.queries.unowned`), so that loading again in the same process frees the last load at once. Whoever
    still holds the graph keeps a working graph: the views are made again when next read."""
    cached = vars(graph)
    for name in [name for name, value in cached.items() if getattr(value, "_graph", None) is graph]:
        del cached[name]


def load(
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]] | None = None,
    *,
    zone: Zone | Sequence[str] | None = None,
    zone_file: str | None = None,
) -> TrustGraph:
    """Load exports (a file, files or a directory; None = the bundled example) and build the trust graph.

    ``zone`` is a :class:`Zone` or a list of account ids / o- organization ids; ``zone_file`` a zone.toml path. With
    neither, a directory's own ``zone.toml`` is the zone (as on the command line), else the default zone.
    """
    from trustgraph.ingest.load import bundled_example_path, load_estate
    from trustgraph.ingest.zone_file import zone_from_options

    if paths is None:
        path_list = [str(bundled_example_path())]
    elif isinstance(paths, (str, os.PathLike)):
        path_list = [os.fspath(paths)]
    else:
        path_list = [os.fspath(p) for p in paths]
    estate = load_estate(path_list)
    resolved: Any
    if isinstance(zone, Zone):
        resolved = zone
    else:
        resolved = zone_from_options(estate, list(zone or ()), zone_file, paths=path_list)
    return TrustGraph(estate, resolved)
