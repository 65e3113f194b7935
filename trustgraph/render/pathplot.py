"""A picture of one finding's path: principals as boxes from the source (top) to the role (bottom), hops as arrows.

Boxes are coloured by what they are (:data:`COLOURS`): an account or principal outside the zone of trust, a federated
identity provider, an AWS service, a principal inside the zone, and the role of the finding; a dashed line labelled
"zone of trust" is drawn where the path crosses into the zone. :data:`LEGEND` says it in words for the page.

Drawn with matplotlib's Agg backend (imported lazily, so ``import trustgraph.render`` stays light) and returned as PNG
bytes: pixels cannot carry markup, so labels taken from hostile exports are harmless in the HTML report, whereas SVG
text would have to be escaped. Labels are drawn with ``parse_math=False`` so a ``$`` in a role name is text, not
mathtext (which could fail to parse), and are shortened so long ARNs fit. Output is deterministic for a given
matplotlib version (no timestamp or software metadata in the PNG).
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Collection, Sequence

from trustgraph.queries.results import HopWitness

#: Box colours (face) by node class.
COLOURS: dict[str, str] = {
    "outside": "#fbd3a5",    # an account or principal outside the zone (orange)
    "federated": "#dcc9f2",  # a SAML/OIDC/web identity provider (purple)
    "service": "#c6ecd6",    # an AWS service principal (green)
    "inside": "#e8eef7",     # a principal inside the zone (blue-grey)
    "target": "#fde0dc",     # the role of the finding (red tint)
}
#: The colours in words, for a caption.
LEGEND = ("orange: outside the zone of trust; purple: federated identity provider; green: AWS service; "
          "blue-grey: inside the zone; red tint: the role of the finding; dashed line: the zone boundary")

#: Longest label line, in characters, before wrapping.
WRAP = 38
#: Longest label, in characters, before the middle is elided.
MAX_LABEL = 110


def node_label(node: str) -> str:
    """A short label for a graph node: ``role/Name`` plus the account for ARNs, the node itself otherwise.

    >>> node_label("arn:aws:iam::111122223333:role/ops/Deploy")
    'role/ops/Deploy\\n(111122223333)'
    >>> node_label("account:444455556666")
    'account:444455556666'
    """
    parts = node.split(":", 5)
    if len(parts) == 6 and parts[0] == "arn" and parts[2] == "iam":
        label = f"{parts[5]}\n({parts[4]})" if parts[4] else parts[5]
    else:
        label = node
    return _fit(label)


def path_nodes(hops: Sequence[HopWitness]) -> list[str]:
    """The nodes of a path in order: the first hop's source, then each hop's target."""
    if not hops:
        return []
    return [hops[0].source] + [h.target for h in hops]


def node_class(node: str, zone_accounts: Collection[str] = ()) -> str:
    """``outside``, ``federated``, ``service`` or ``inside`` for a path node, by its kind and account.

    Symbolic outsiders (``external``, ``*``) are outside; ``account:ID``, hubs and ARNs are inside when their
    account is one of ``zone_accounts`` (ARNs also when no zone accounts are known: the exported estate).

    >>> node_class("account:444455556666", {"111122223333"}), node_class("service:ec2.amazonaws.com")
    ('outside', 'service')
    """
    if node.startswith("federated:"):
        return "federated"
    if node.startswith("service:"):
        return "service"
    if node in ("external", "*", "principals:*"):
        return "outside"
    if node.startswith(("account:", "principals:")):
        return "inside" if node.split(":", 1)[1] in zone_accounts else "outside"
    parts = node.split(":")
    if len(parts) > 4 and parts[0] == "arn":
        return "inside" if not zone_accounts or parts[4] in zone_accounts else "outside"
    return "outside"


def draw_path(hops: Sequence[HopWitness], *, dpi: int = 96, zone_accounts: Collection[str] = ()) -> bytes:
    """The path as a PNG image (bytes); an empty path draws a single "no path" box.

    Parameters
    ----------
    hops
        The finding's path.
    dpi
        Resolution; the default keeps a five-hop picture under ~100 kB.
    zone_accounts
        The zone's account ids, to colour nodes and draw the zone line (:func:`node_class`).
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import FancyArrowPatch

    nodes = path_nodes(hops) or ["(no path)"]
    n = len(nodes)
    step = 1.6
    fig = Figure(figsize=(3.85, 0.9 + step * 0.62 * n), dpi=dpi)
    FigureCanvasAgg(fig)  # Agg, whatever pyplot's backend is: no display needed
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    ax.set_xlim(0, 10)
    ax.set_ylim(-(n - 1) * step - 0.8, 0.8)
    ax.axis("off")
    classes = [node_class(node, zone_accounts) for node in nodes]
    for i, node in enumerate(nodes):
        y = -i * step
        colour = COLOURS["target"] if i == n - 1 and n > 1 else COLOURS[classes[i]]
        ax.text(5, y, node_label(node), ha="center", va="center", fontsize=8.5, family="DejaVu Sans",
                parse_math=False, wrap=False,
                bbox={"boxstyle": "round,pad=0.45", "facecolor": colour, "edgecolor": "#44546a", "linewidth": 0.8})
    for i in range(1, n):
        if classes[i - 1] != "inside" and classes[i] == "inside":
            y = -(i - 0.5) * step
            ax.plot([0.1, 4.8], [y, y], linestyle=(0, (5, 3)), color="#2e7d32", linewidth=1.2)
            ax.text(0.15, y - 0.08, "zone of trust \u2193", ha="left", va="top", fontsize=7.5, color="#2e7d32",
                    family="DejaVu Sans", parse_math=False)
    for i, hop in enumerate(hops):
        y0, y1 = -i * step - 0.42, -(i + 1) * step + 0.42
        ax.add_patch(FancyArrowPatch((5, y0), (5, y1), arrowstyle="-|>", mutation_scale=12, color="#44546a",
                                     linewidth=1.0))
        note = _fit(hop.action.removeprefix("sts:"), 24)
        keys = len(hop.context)
        if keys:
            note += f"\n{keys} context key{'s' if keys != 1 else ''}"
        if hop.approximations:
            note += "\n(approximate)"
        ax.text(5.25, (y0 + y1) / 2, note, ha="left", va="center", fontsize=7.5, color="#333333",
                family="DejaVu Sans", parse_math=False)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()


def _fit(text: str, limit: int = MAX_LABEL) -> str:
    """Elide the middle of over-long text and wrap each line to :data:`WRAP` characters."""
    text = "".join(ch if ch.isprintable() or ch == "\n" else "\ufffd" for ch in text)
    if len(text) > limit:
        half = (limit - 1) // 2
        text = text[:half] + "\u2026" + text[-half:]
    lines: list[str] = []
    for line in text.split("\n"):
        lines.extend(textwrap.wrap(line, WRAP, break_long_words=True, break_on_hyphens=False) or [""])
    return "\n".join(lines)
