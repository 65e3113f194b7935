"""Drawing a laid-out trust graph with matplotlib (imported lazily; Agg canvas unless the caller passes an Axes).

Units: when the figure is ours, one data unit is one inch, so font sizes, box widths and gaps are known in advance
and the figure is sized to the node count (a 200-node graph gets a tall figure rather than overlapping labels).
Boxes are measured after the text is placed (the renderer's extent), and edges end at the box borders.

Encoding, kept in the legend: box colour = source class (outsiders red, federated amber, services green, users teal,
internal roles blue, principals of outside accounts pink); a thick dark-red border and a star = admin; line style and
colour = edge kind (assume solid, SAML dashed, web identity dotted, service dash-dot); ``ID`` / ``MFA`` badges near
the arrow head = every trust statement of the hop has a condition on sts:ExternalId / aws:MultiFactorAuthPresent
(edge attributes ``needs_external_id`` / ``needs_mfa``; whether it really blocks is the solver's answer); band
shading = outside (rose) or inside (blue) the zone of trust, with the boundary drawn as a dashed red rule. Labels are
drawn with ``parse_math=False`` (a ``$`` in a role name is text) and non-printable characters replaced.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from trustgraph.plot.layout import FEDERATED, Layout, compute_layout

if TYPE_CHECKING:
    import networkx as nx
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

#: Longest node label, in characters, before the middle is elided.
MAX_LABEL = 30
FONT = 7.0
ROW = 0.27          # inches per row
COL = 2.75          # inches per column
LEFT = 0.25
RIGHT = 0.25
TOP = 0.75          # title and column headers
BOTTOM = 1.0        # legend

EDGE_STYLE: dict[str, tuple[str, Any]] = {
    "assume": ("#3d4f66", "solid"),
    "saml": ("#d35400", (0, (5, 2))),
    "web-identity": ("#8e44ad", (0, (1, 1.5))),
    "service": ("#2e7d32", (0, (6, 2, 1, 2))),
    "member": ("#9aa5b1", (0, (1, 2))),
}
EDGE_NAMES = {"assume": "sts:AssumeRole", "saml": "AssumeRoleWithSAML", "web-identity": "AssumeRoleWithWebIdentity",
              "service": "service principal", "member": "member of a hub"}


@dataclass(frozen=True, slots=True)
class NodeStyle:
    """Face and border colour of a source class, and its legend text."""

    face: str
    edge: str
    legend: str


NODE_STYLE: dict[str, NodeStyle] = {
    "external": NodeStyle("#f4b6bd", "#a4161a", "external (any principal outside)"),
    "account": NodeStyle("#f8cfc4", "#a4161a", "outside account (account:ID)"),
    "federated": NodeStyle("#ffd59e", "#b35c00", "federated provider"),
    "service": NodeStyle("#cfe8cf", "#2e7d32", "AWS service"),
    "user": NodeStyle("#c9ede8", "#1c6e64", "IAM user"),
    "role": NodeStyle("#d7e4f5", "#36506e", "IAM role"),
    "outside-principal": NodeStyle("#f3d9ea", "#7b2d5b", "principal of an outside account"),
    "hub": NodeStyle("#ffffff", "#6b7785", "any principal of an account (hub)"),
}
ADMIN_EDGE = "#8b0000"
INSIDE_FILL = "#eef4fb"
OUTSIDE_FILL = "#fdecec"
BOUNDARY = "#b00020"


def node_class(d: Mapping[str, Any]) -> str:
    """The style class of a node from its attributes."""
    kind = d.get("kind", "role")
    if kind == "principals":
        return "hub"
    if kind in FEDERATED:
        return "federated"
    if kind in ("external", "account", "service"):
        return str(kind)
    if not d.get("inside", True):
        return "outside-principal"
    return "user" if kind == "user" else "role"


def clean(text: str) -> str:
    """Printable characters only (others become U+FFFD)."""
    return "".join(ch if ch.isprintable() or ch == "\n" else "\ufffd" for ch in text)


def elide(text: str, limit: int = MAX_LABEL) -> str:
    """Shorten the middle of an over-long label, keeping both ends (names often differ at the end)."""
    text = clean(text)
    if len(text) <= limit:
        return text
    head = (limit - 1) * 3 // 5
    tail = limit - 1 - head
    return text[:head] + "\u2026" + text[-tail:]


#: Friendly names of well-known identity providers (OIDC hosts and built-in web IdPs).
IDP_NAMES = {"token.actions.githubusercontent.com": "GitHub Actions", "cognito-identity.amazonaws.com": "Cognito",
             "accounts.google.com": "Google", "graph.facebook.com": "Facebook", "www.amazon.com": "Login with Amazon",
             "app.terraform.io": "Terraform Cloud", "gitlab.com": "GitLab"}


def provider_label(G: nx.MultiDiGraph, n: str, short: Callable[[str], str]) -> str:
    """``GitHub Actions (100000000003)``, ``Identity Center (100000000001)``, ``CorpIdP (100000000002)``: providers of
    the same name in different accounts stay distinguishable."""
    d = G.nodes[n]
    name = short(n)
    if name.startswith("AWSSSO_"):
        name = "Identity Center"
    name = IDP_NAMES.get(name, name)
    account = d.get("account")
    return f"{elide(name, 22)} ({account})" if account else elide(name)


def node_text(G: nx.MultiDiGraph, n: str, short: Callable[[str], str], suffix: str = "") -> str:
    """The label drawn in a node's box: the short name (aggregates: their count label), a star for admins, and
    ``suffix`` (e.g. folded service principals)."""
    d = G.nodes[n]
    label = d.get("label") if d.get("count") else None
    if label:
        text = elide(str(label), 40)
    elif d.get("kind") in FEDERATED:
        text = provider_label(G, n, short)
    else:
        text = elide(short(n), MAX_LABEL - (4 if suffix else 0))
    text += suffix
    if d.get("internal_edges"):
        text += f" ({d['internal_edges']} inner edges)"
    if d.get("admin"):
        text = "\u2605 " + text
    return text


def _bezier(p0: tuple[float, float], p2: tuple[float, float], rad: float, t: float) -> tuple[float, float]:
    """A point on matplotlib's ``arc3`` curve (quadratic Bezier, control point offset by ``rad``)."""
    (x1, y1), (x2, y2) = p0, p2
    cx, cy = (x1 + x2) / 2 + rad * (y2 - y1), (y1 + y2) / 2 - rad * (x2 - x1)
    a, b, c = (1 - t) ** 2, 2 * (1 - t) * t, t * t
    return (a * x1 + b * cx + c * x2, a * y1 + b * cy + c * y2)


def new_figure(width: float, height: float, dpi: int = 100) -> tuple[Figure, Axes]:
    """A figure on the Agg canvas (no display needed, no pyplot state) with one axes filling it."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=dpi)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    return fig, ax


def draw_layout(
    G: nx.MultiDiGraph,
    nodes: Iterable[str] | None = None,
    *,
    edges: Iterable[tuple[str, str, Any]] | None = None,
    highlight: Iterable[tuple[str, str]] | None = None,
    edge_notes: Mapping[tuple[str, str], str] | None = None,
    layers: Mapping[str, int] | None = None,
    sources: Iterable[str] | None = None,
    ax: Axes | None = None,
    title: str | None = None,
    col_width: float | None = None,
    short: Callable[[str], str] | None = None,
    column_names: Callable[[int], str] | None = None,
    suffixes: Mapping[str, str] | None = None,
    row_height: float = ROW,
) -> Figure:
    """Draw ``nodes`` of ``G`` (default all) and ``edges`` among them (default all edges between them).

    Parameters
    ----------
    G
        Trust graph or aggregated graph (:func:`trustgraph.plot.summary.summarise_graph`).
    edges
        ``(u, v, key)`` triples to draw; default every edge of ``G`` between drawn nodes.
    highlight
        ``(u, v)`` pairs drawn bold; the other edges are drawn faint. None: every edge normal.
    edge_notes
        Text drawn under an edge (e.g. a hop's witness context).
    layers
        Explicit columns (default: hop distance from the sources).
    col_width
        Column pitch in inches (default: from the longest label).
    suffixes
        Text appended to some node labels (folded service principals).
    row_height
        Inches per row (aggregated pictures use more, for the edge count labels).
    ax
        Draw into this axes instead of a new, auto-sized figure.
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import FancyArrowPatch, Patch, Rectangle

    from trustgraph.graph.nodes import short_label

    short = short or short_label
    members = sorted(G.nodes if nodes is None else set(nodes))
    layout: Layout = compute_layout(G, members, sources=sources, layers=layers)
    labels = {n: node_text(G, n, short, (suffixes or {}).get(n, "")) for n in members}
    if col_width is None:
        longest = max((len(t) for t in labels.values()), default=10)
        col_width = max(2.0, longest * 0.6 * FONT / 72 + 0.95)
    width = LEFT + layout.columns * col_width + RIGHT
    height = TOP + layout.height * row_height + BOTTOM
    if edge_notes:  # room under the bands for the notes hanging below the edges
        lines = max((note.count("\n") + 1 for note in edge_notes.values()), default=0)
        height += lines * (FONT - 1) / 72 * 1.25 + 0.2
    own = ax is None
    if ax is None:
        fig, ax = new_figure(max(width, 7.0), height)
    else:
        fig = ax.figure  # type: ignore[assignment]
    assert ax is not None
    ax.set_xlim(0, max(width, 7.0))
    ax.set_ylim(-height, 0)
    if not own:
        ax.set_aspect("equal", adjustable="datalim")
    ax.axis("off")

    def xy(n: str) -> tuple[float, float]:
        c, r = layout.positions[n]
        return (LEFT + c * col_width + col_width / 2, -(TOP + r * row_height))

    # bands, zone boundary, column headers
    x0, x1 = LEFT, LEFT + layout.columns * col_width
    for band in layout.bands:
        top, bottom = -(TOP + band.top * row_height), -(TOP + band.bottom * row_height)
        ax.add_artist(Rectangle((x0, bottom), x1 - x0, top - bottom, facecolor=INSIDE_FILL if band.inside
                               else OUTSIDE_FILL, edgecolor="#9aa5b1", linewidth=0.6, zorder=0))
        ax.text(x0 + 0.06, top - 0.05, clean(band.title), ha="left", va="top", fontsize=FONT, fontweight="bold",
                color="#333f4d" if band.inside else "#7a1020", parse_math=False, zorder=4,
                bbox={"boxstyle": "square,pad=0.1", "facecolor": INSIDE_FILL if band.inside else OUTSIDE_FILL,
                      "edgecolor": "none", "alpha": 0.9})
    if layout.boundary is not None:
        yb = -(TOP + layout.boundary * row_height)
        ax.plot([x0 - 0.15, x1 + 0.1], [yb, yb], color=BOUNDARY, linewidth=1.8, linestyle=(0, (6, 3)), zorder=1)
        ax.text(x1, yb + 0.04, "\u2191 outside the zone of trust", ha="right", va="bottom", fontsize=FONT - 0.5,
                color=BOUNDARY, fontstyle="italic", zorder=1)
        ax.text(x1, yb - 0.04, "\u2193 inside the zone of trust", ha="right", va="top", fontsize=FONT - 0.5,
                color=BOUNDARY, fontstyle="italic", zorder=1)
    names = column_names or (lambda c: "sources" if c == 0 else f"{c} hop" + ("s" if c > 1 else ""))
    for c in range(layout.columns):
        ax.text(LEFT + c * col_width + col_width / 2, -(TOP - 0.12), names(c), ha="center", va="bottom",
                fontsize=FONT + 0.5, color="#555555", zorder=1)
    if title:
        ax.text(LEFT, -0.12, clean(title), ha="left", va="top", fontsize=FONT + 3, fontweight="bold",
                parse_math=False)

    # nodes
    texts: dict[str, Any] = {}
    classes_seen: set[str] = set()
    any_admin = False
    for n in members:
        d = G.nodes[n]
        cls = node_class(d)
        classes_seen.add(cls)
        style = NODE_STYLE[cls]
        admin = bool(d.get("admin"))
        any_admin = any_admin or admin
        x, y = xy(n)
        texts[n] = ax.text(
            x, y, labels[n], ha="center", va="center", fontsize=FONT, parse_math=False,
            fontweight="bold" if admin else "normal", zorder=4, gid=f"node:{n}",
            bbox={"boxstyle": "round,pad=0.28", "facecolor": style.face,
                  "edgecolor": ADMIN_EDGE if admin else style.edge, "linewidth": 1.8 if admin else 0.7},
        )
    half = _half_widths(fig, ax, texts)
    placer = _Placer()
    for n in members:
        x, y = xy(n)
        placer.occupy(x - half[n], y - 0.11, x + half[n], y + 0.11)

    # edges
    chosen = list(edges) if edges is not None else [(u, v, k) for u, v, k in G.edges(keys=True)]
    member_set = set(members)
    chosen = [(u, v, k) for u, v, k in chosen if u in member_set and v in member_set and u != v]
    bold = set(highlight) if highlight is not None else None
    parallel: dict[tuple[str, str], int] = defaultdict(int)
    kinds_seen: set[str] = set()
    badges_seen: set[str] = set()
    for u, v, k in chosen:
        d = G.edges[u, v, k] if G.has_edge(u, v, k) else {"kind": "assume"}
        kind = str(d.get("kind", "assume"))
        kinds_seen.add(kind)
        colour, style = EDGE_STYLE.get(kind, EDGE_STYLE["assume"])
        (xu, yu), (xv, yv) = xy(u), xy(v)
        i = parallel[(u, v)]
        parallel[(u, v)] += 1
        if xv > xu:
            p0, p2 = (xu + half[u], yu), (xv - half[v], yv)
            rad = 0.12 * i * (1 if i % 2 else -1)
        else:  # same column or backwards: a bow out to the right of both boxes, bulging ~0.3 in whatever the span
            p0, p2 = (xu + half[u], yu), (xv + half[v], yv)
            span = max(math.dist(p0, p2), 0.05)
            rad = min(0.6, max(0.06, (0.3 + 0.08 * i) / span))
            rad = -rad if yv < yu else rad
        strong = bold is None or (u, v) in bold
        ax.add_artist(FancyArrowPatch(
            p0, p2, arrowstyle="-|>", mutation_scale=7 if strong else 5, color=colour, linestyle=style,
            linewidth=(1.5 if bold is not None else 0.9) if strong else 0.5, alpha=1.0 if strong else 0.35,
            connectionstyle=f"arc3,rad={rad}", shrinkA=0, shrinkB=1, zorder=3 if strong else 2,
        ))
        badge = _badge(d)
        if badge:
            badges_seen.add(badge)
            # near the arrow head (about 0.4 in before it) on forward edges, mid-bow on the others
            t0 = max(0.5, 1 - 0.4 / max(math.dist(p0, p2), 0.4)) if xv > xu else 0.5
            bx, by = placer.place(p0, p2, rad, badge, FONT - 2, (t0, t0 - 0.1, t0 - 0.2, t0 - 0.3, 0.4, 0.3))
            ax.text(bx, by, badge, ha="center", va="center", fontsize=FONT - 2, color="#4a3b00", zorder=6,
                    bbox={"boxstyle": "round,pad=0.12", "facecolor": "#fff3a6", "edgecolor": "#b59b00",
                          "linewidth": 0.5})
        if d.get("count"):
            text = _count_text(d)
            mx, my = placer.place(p0, p2, rad, text, FONT - 1, (0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8, 0.15, 0.85))
            ax.text(mx, my, text, ha="center", va="center", fontsize=FONT - 1, zorder=5,
                    bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": colour,
                          "linewidth": 0.5})
        note = (edge_notes or {}).get((u, v))
        if note:
            mx, _ = _bezier(p0, p2, rad, 0.5)
            ax.text(mx, min(p0[1], p2[1]) - 0.2, clean(note), ha="center", va="top", fontsize=FONT - 1,
                    color="#333333", parse_math=False, zorder=4.5, family="DejaVu Sans Mono",
                    bbox={"boxstyle": "round,pad=0.2", "facecolor": "#fbfbf4", "edgecolor": "#cccccc",
                          "linewidth": 0.4})

    # legend
    handles: list[Any] = [Patch(facecolor=NODE_STYLE[c].face, edgecolor=NODE_STYLE[c].edge, label=NODE_STYLE[c].legend)
                          for c in NODE_STYLE if c in classes_seen]
    if any_admin:
        handles.append(Patch(facecolor="white", edgecolor=ADMIN_EDGE, linewidth=1.8, label="\u2605 admin"))
    handles += [Line2D([0], [0], color=EDGE_STYLE[k][0], linestyle=EDGE_STYLE[k][1], linewidth=1.4,
                       label=EDGE_NAMES[k]) for k in EDGE_STYLE if k in kinds_seen]
    if "ID" in badges_seen or "ID+MFA" in badges_seen:
        handles.append(Patch(facecolor="#fff3a6", edgecolor="#b59b00", label="ID: trust conditions on sts:ExternalId"))
    if "MFA" in badges_seen or "ID+MFA" in badges_seen:
        handles.append(Patch(facecolor="#fff3a6", edgecolor="#b59b00", label="MFA: trust conditions on MFA"))
    handles.append(Patch(facecolor=OUTSIDE_FILL, edgecolor="#9aa5b1", label="outside the zone"))
    handles.append(Patch(facecolor=INSIDE_FILL, edgecolor="#9aa5b1", label="inside the zone"))
    if own:
        ncol = max(1, min(len(handles), int(max(width, 7.0) // 2.3)))
        fig.legend(handles=handles, loc="lower center", ncol=ncol, fontsize=FONT, frameon=False,
                   bbox_to_anchor=(0.5, 0.05 / height))
    else:
        ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=3, fontsize=FONT,
                  frameon=False)
    return fig


class _Placer:
    """Greedy placement of small edge labels: the first candidate point along the edge whose box overlaps no node box
    and no label placed before (the first candidate when all overlap). Units are inches on our own figures."""

    def __init__(self) -> None:
        self.boxes: list[tuple[float, float, float, float]] = []

    def occupy(self, x0: float, y0: float, x1: float, y1: float) -> None:
        self.boxes.append((x0, y0, x1, y1))

    def free(self, box: tuple[float, float, float, float]) -> bool:
        x0, y0, x1, y1 = box
        return all(x1 <= a or x0 >= c or y1 <= b or y0 >= d for a, b, c, d in self.boxes)

    def place(self, p0: tuple[float, float], p2: tuple[float, float], rad: float, text: str, size: float,
              candidates: Iterable[float]) -> tuple[float, float]:
        w = len(text) * 0.6 * size / 72 / 2 + 0.05
        h = size / 72 * 0.6 + 0.03
        first = None
        for t in candidates:
            if not 0.05 <= t <= 0.95:
                continue
            x, y = _bezier(p0, p2, rad, t)
            box = (x - w, y - h, x + w, y + h)
            if first is None:
                first = (x, y, box)
            if self.free(box):
                self.boxes.append(box)
                return (x, y)
        assert first is not None
        self.boxes.append(first[2])
        return (first[0], first[1])


def _count_text(d: Mapping[str, Any]) -> str:
    parts = [str(d["count"])]
    extra = []
    if d.get("external_id_count"):
        extra.append(f"{d['external_id_count']} ID")
    if d.get("mfa_count"):
        extra.append(f"{d['mfa_count']} MFA")
    return parts[0] + (f" ({', '.join(extra)})" if extra else "")


def _badge(d: Mapping[str, Any]) -> str:
    if d.get("count"):
        return ""  # aggregated edges carry the counts in their label
    xid, mfa = bool(d.get("needs_external_id")), bool(d.get("needs_mfa"))
    return "ID+MFA" if xid and mfa else "ID" if xid else "MFA" if mfa else ""


def _half_widths(fig: Figure, ax: Axes, texts: Mapping[str, Any]) -> dict[str, float]:
    """Half the drawn width of each node box, in data units (measured; estimated when no renderer exists)."""
    pad_in = 0.28 * FONT / 72 + 0.02
    try:
        renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    except AttributeError:
        renderer = None
    out: dict[str, float] = {}
    inv = ax.transData.inverted()
    for n, t in texts.items():
        if renderer is not None:
            bb = t.get_window_extent(renderer)
            (a, _), (b, _) = inv.transform([(bb.x0, bb.y0), (bb.x1, bb.y0)])
            (p0, _), (p1, _) = inv.transform([(0, 0), (pad_in * fig.dpi, 0)])
            out[n] = abs(b - a) / 2 + abs(p1 - p0)
        else:
            out[n] = len(t.get_text()) * 0.55 * FONT / 72 / 2 + pad_in
        if not math.isfinite(out[n]):
            out[n] = 0.5
    return out
