"""Where each node of a trust-graph picture goes: layers by hop distance from the sources, bands per account.

Pure Python over networkx (no matplotlib), so the layout can be tested and reused by other renderers.

The picture reads left to right: column 0 holds the sources (outsiders, federated providers, services, users and any
node nothing points to), column ``k`` the nodes first reached in ``k`` hops. Rows are grouped in horizontal *bands*,
one per account (its exported principals and its symbolic ``account:ID`` source) plus bands for ``external``, for
federated providers and for service principals. Bands outside the zone of trust come first (top), then the zone
boundary, then the bands inside. Inside a band, each column is ordered by the mean row of the node's predecessors
(one barycentre sweep, left to right), which keeps most edges short and uncrossed. Every node gets its own row slot
in its column, so labels never share a slot; the drawing sizes the figure to the row count.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import networkx as nx

#: Node kinds that start paths (column 0).
SOURCE_KINDS = frozenset({"external", "account", "saml", "oidc", "web-identity", "service", "user", "principals"})
FEDERATED = frozenset({"saml", "oidc", "web-identity"})

#: Height of a band's title, in rows.
HEADER = 0.9
#: Gap between bands, in rows.
GAP = 0.35


@dataclass(frozen=True, slots=True)
class BandKey:
    """Which band a node belongs to: ``order`` sorts bands (outside first), ``key`` identifies it."""

    order: int
    key: str
    title: str
    inside: bool


@dataclass(frozen=True, slots=True)
class Band:
    """A placed band: rows ``top`` (its title) down to ``bottom``, in row units (0 at the top, growing downwards)."""

    key: str
    title: str
    inside: bool
    top: float
    bottom: float


@dataclass(frozen=True, slots=True)
class Layout:
    """Positions in abstract units: ``x`` is the column (hop distance), ``y`` the row (0 at the top).

    Attributes
    ----------
    positions
        Node -> (column, row).
    layers
        Node -> column.
    bands
        The bands, top to bottom.
    columns
        Number of columns.
    height
        Total height in rows (bands, titles and gaps).
    boundary
        The row between the outside bands and the inside ones (None when one side is empty).
    """

    positions: Mapping[str, tuple[float, float]]
    layers: Mapping[str, int]
    bands: tuple[Band, ...]
    columns: int
    height: float
    boundary: float | None


def account_title(G: nx.MultiDiGraph, account: str) -> str:
    """``acct 100000000002 (example-prod)`` when an organization of the estate names the account."""
    estate = G.graph.get("estate")
    name = None
    if estate is not None:
        for org in getattr(estate, "organizations", ()):
            for a in org.accounts:
                if a.account_id == account and a.name:
                    name = a.name
    return f"acct {account}" + (f" ({name})" if name else "")


def band_of(G: nx.MultiDiGraph, node: str) -> BandKey:
    """The band of a node: by account for principals, account hubs (``principals:ID``) and ``account:ID``; one band
    each for ``external``, untrusted (or partly trusted) federated providers, ``principals:*``, trusted providers and
    services."""
    d = G.nodes[node]
    kind = d.get("kind", "role")
    inside = bool(d.get("inside", False))
    if kind == "principals" and d.get("account") is None:  # principals:* — every account's exported principals
        return BandKey(3, "principals-all", "exported principals of every account", True)
    if kind == "external":
        return BandKey(0, "external", "outside the zone: any principal", False)
    if kind in FEDERATED:
        if inside:
            return BandKey(3, "federated-in", "federated identities (trusted providers)", True)
        if d.get("trusted_subjects"):
            return BandKey(2, "federated-partial", "federated identities (partly trusted: some subjects)", False)
        return BandKey(2, "federated-out", "federated identities (untrusted)", False)
    if kind == "service":
        return BandKey(4, "services", "AWS service principals", True)
    account = str(d.get("account") or "?")
    if kind == "account" or not inside:
        return BandKey(1, f"account:{account}", account_title(G, account) + " - outside", False)
    return BandKey(5, f"account:{account}", account_title(G, account), True)


def sources_of(G: nx.MultiDiGraph, nodes: Iterable[str]) -> list[str]:
    """The column-0 nodes among ``nodes``: source kinds and nodes without predecessors among ``nodes``."""
    members = set(nodes)
    out = []
    for n in members:
        kind = G.nodes[n].get("kind")
        if kind in SOURCE_KINDS or not any(p in members and p != n for p in G.predecessors(n)):
            out.append(n)
    return sorted(out)


def hop_layers(G: nx.MultiDiGraph, nodes: Iterable[str], sources: Iterable[str] | None = None) -> dict[str, int]:
    """Hop distance from the nearest source, within ``nodes``; nodes only reachable through cycles are layered from
    the first of them (in sorted order) as an extra source."""
    members = set(nodes)
    start = sorted(set(sources) & members) if sources is not None else sources_of(G, members)
    layer: dict[str, int] = {}
    pending = sorted(members)
    queue: deque[str] = deque()
    for s in start:
        layer[s] = 0
        queue.append(s)
    while True:
        while queue:
            u = queue.popleft()
            for v in G.successors(u):
                if v in members and v not in layer:
                    layer[v] = layer[u] + 1
                    queue.append(v)
        rest = [n for n in pending if n not in layer]
        if not rest:
            return layer
        seed = rest[0]
        preds = [layer[p] for p in G.predecessors(seed) if p in layer]
        layer[seed] = (max(preds) + 1) if preds else 0
        queue.append(seed)


def compute_layout(
    G: nx.MultiDiGraph, nodes: Iterable[str] | None = None, *, sources: Iterable[str] | None = None,
    layers: Mapping[str, int] | None = None,
) -> Layout:
    """Lay out ``nodes`` (default: all) of ``G`` in hop columns and account bands.

    Parameters
    ----------
    G
        A trust graph (node attributes ``kind``, ``account``, ``inside``, ``label``).
    nodes
        The nodes to place.
    sources
        Column-0 nodes (default: :func:`sources_of`).
    layers
        Explicit columns (e.g. the hop index along a path); overrides the BFS layering.
    """
    members = sorted(G.nodes if nodes is None else set(nodes))
    layer = dict(layers) if layers is not None else hop_layers(G, members, sources)
    columns = (max(layer.values()) + 1) if layer else 1
    band_keys = {n: band_of(G, n) for n in members}
    ordered_bands = sorted(set(band_keys.values()), key=lambda b: (b.order, b.key))
    # rows per band = the most nodes the band has in any one column
    per_cell: dict[tuple[BandKey, int], list[str]] = defaultdict(list)
    for n in members:
        per_cell[(band_keys[n], layer[n])].append(n)
    rows_of = {b: max((len(per_cell.get((b, c), ())) for c in range(columns)), default=1) or 1
               for b in ordered_bands}
    bands: list[Band] = []
    band_top: dict[BandKey, float] = {}
    y = 0.0
    boundary: float | None = None
    seen_outside = False
    for b in ordered_bands:
        if b.inside and seen_outside and boundary is None:
            boundary = y - GAP / 2
        seen_outside = seen_outside or not b.inside
        band_top[b] = y
        bottom = y + HEADER + rows_of[b]
        bands.append(Band(b.key, b.title, b.inside, y, bottom))
        y = bottom + GAP
    height = max(y - GAP, 1.0)
    # place columns left to right, each cell ordered by the barycentre of already placed predecessors
    pos: dict[str, tuple[float, float]] = {}
    for c in range(columns):
        for b in ordered_bands:
            cell = per_cell.get((b, c), [])
            if not cell:
                continue

            def weight(n: str) -> tuple[float, str, str]:
                ys = [pos[p][1] for p in G.predecessors(n) if p in pos and p != n]
                return ((sum(ys) / len(ys)) if ys else float("inf"), _kind_rank(G, n), _label(G, n))

            cell.sort(key=weight)
            offset = (rows_of[b] - len(cell)) / 2
            for i, n in enumerate(cell):
                pos[n] = (float(c), band_top[b] + HEADER + offset + i + 0.5)
    return Layout(pos, layer, tuple(bands), columns, height, boundary)


def _kind_rank(G: nx.MultiDiGraph, n: str) -> str:
    order = {"external": "0", "account": "1", "saml": "2", "oidc": "3", "web-identity": "4", "service": "5",
             "user": "6", "role": "7"}
    return order.get(str(G.nodes[n].get("kind")), "9")


def _label(G: nx.MultiDiGraph, n: str) -> str:
    d: Any = G.nodes[n]
    return str(d.get("label") or n)
