"""Pictures: produced, non-trivial, readable (node boxes never overlap), aggregated when large, safe with hostile
names."""

from __future__ import annotations

import io
import itertools

import networkx as nx
import pytest
from matplotlib.figure import Figure
from PIL import Image

import trustgraph.plot as tplot
from trustgraph.queries.results import HopWitness, Reach, ReachResult

from .synthetic import synthetic_graph


def png_of(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def distinct_colours(png: bytes) -> int:
    img = Image.open(io.BytesIO(png)).convert("RGB")
    return len(img.getcolors(maxcolors=img.size[0] * img.size[1]) or ())


def node_boxes(fig: Figure) -> dict[str, object]:
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    out = {}
    for t in fig.axes[0].texts:
        gid = t.get_gid()
        if gid and gid.startswith("node:"):
            out[gid[5:]] = t.get_bbox_patch().get_window_extent(renderer)
    return out


def test_200_node_picture_is_drawn_node_by_node_and_non_trivial(big_graph: nx.MultiDiGraph) -> None:
    fig = tplot.plot_graph(big_graph)
    boxes = node_boxes(fig)
    # service principals are folded into role labels at this size; every other node is drawn with its own box
    services = {n for n, d in big_graph.nodes(data=True) if d["kind"] == "service"}
    assert set(boxes) == set(big_graph.nodes) - services
    png = png_of(fig)
    assert png.startswith(b"\x89PNG") and len(png) > 150_000
    assert distinct_colours(png) > 50
    # the figure grows with the node count instead of shrinking the labels
    assert fig.get_size_inches()[1] > 20


def test_node_boxes_never_overlap(big_graph: nx.MultiDiGraph) -> None:
    boxes = list(node_boxes(tplot.plot_graph(big_graph)).items())
    for (a, ba), (b, bb) in itertools.combinations(boxes, 2):
        assert not ba.overlaps(bb), (a, b)


def test_labels_are_shortened_and_hostile_names_are_plain_text(big_graph: nx.MultiDiGraph) -> None:
    fig = tplot.plot_graph(big_graph)
    texts = {t.get_gid()[5:]: t.get_text() for t in fig.axes[0].texts if (t.get_gid() or "").startswith("node:")}
    sso = "arn:aws:iam::100000000000:role/AWSReservedSSO_AdministratorAccess_3f1b2c4d5e6a7b8c"
    assert "\u2026" in texts[sso] and len(texts[sso]) <= 34 and texts[sso].startswith("\u2605")  # admin star
    assert texts["federated:arn:aws:iam::100000000001:oidc-provider/token.actions.githubusercontent.com"] == \
        "GitHub Actions (100000000001)"
    assert all(not t.get_usetex() for t in fig.axes[0].texts)
    assert png_of(fig)  # mathtext-like names ($\frac...$) do not break rendering


def test_large_graphs_are_aggregated(big_graph: nx.MultiDiGraph) -> None:
    fig = tplot.plot_graph(big_graph, max_nodes=100)
    labels = {t.get_text() for t in fig.axes[0].texts}
    assert any("aggregated" in t for t in labels)
    assert any(t.startswith("28 roles (") for t in labels) and "\u2605 2 admin roles" in labels
    big = synthetic_graph(accounts=12, roles_per_account=30)
    assert big.number_of_nodes() > tplot.DEFAULT_MAX_NODES
    fig = tplot.plot_graph(big)
    assert len(node_boxes(fig)) < 60
    assert len(png_of(fig)) > 50_000


def test_summarise_can_be_forced_off_and_services_kept_as_nodes(big_graph: nx.MultiDiGraph) -> None:
    fig = tplot.plot_graph(big_graph, max_nodes=10, summarise=False, services="nodes")
    assert len(node_boxes(fig)) == big_graph.number_of_nodes()


def test_draws_into_a_given_axes(big_graph: nx.MultiDiGraph) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = Figure(figsize=(8, 8))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    nodes = [n for n in big_graph if "100000000000" in n or big_graph.nodes[n]["kind"] == "external"]
    assert tplot.plot_graph(big_graph, nodes=nodes, ax=ax) is fig
    assert len(png_of(fig)) > 10_000


def test_example_organization_picture(example_graph: nx.MultiDiGraph) -> None:
    fig = tplot.plot_graph(example_graph, services="nodes")
    boxes = node_boxes(fig)
    assert set(boxes) == set(example_graph.nodes)
    titles = {t.get_text() for t in fig.axes[0].texts}
    assert "acct 100000000002 (example-prod)" in titles
    assert "acct 210987654321 - outside" in titles  # Example Corp: not in the organization, no name known
    assert "\u2191 outside the zone of trust" in titles
    assert distinct_colours(png_of(fig)) > 50


def test_candidate_reach_picture(example_graph: nx.MultiDiGraph) -> None:
    target = "arn:aws:iam::100000000003:role/PlatformAdminRole"
    fig = tplot.plot_reach(example_graph.copy(), target, candidates=True)  # type: ignore[arg-type]
    boxes = node_boxes(fig)
    assert target in boxes and "account:333344445555" in boxes
    assert set(boxes) <= nx.ancestors(example_graph, target) | {target}


def hop(source: str, target: str, action: str = "sts:AssumeRole", **ctx: str) -> HopWitness:
    return HopWitness(source=source, target=target, action=action, context={k: (v,) for k, v in ctx.items()})


def test_path_picture_without_a_graph() -> None:
    a = "arn:aws:iam::100000000003:role/PartnerOpsRole"
    b = "arn:aws:iam::100000000003:role/Deploy$x^{<b>}$"
    result = ReachResult(source="account:333344445555", target=b, verdict=Reach.REACHABLE,
                         hops=(hop("account:333344445555", a, **{"aws:PrincipalAccount": "333344445555"}),
                               hop(a, b, **{"aws:PrincipalArn": a})))
    fig = tplot.plot_path(result)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert any("aws:PrincipalAccount=333344445555" in t for t in texts)
    assert any(t.startswith("reachable:") for t in texts)
    assert set(node_boxes(fig)) == {"account:333344445555", a, b}
    assert len(png_of(fig)) > 10_000


def test_path_picture_of_an_unreachable_answer_shows_the_reason() -> None:
    result = ReachResult(source="external", target="arn:aws:iam::1:role/R", verdict=Reach.UNREACHABLE,
                         reason="sts:ExternalId must equal ec-123")
    fig = tplot.plot_path(result)
    assert any("sts:ExternalId must equal ec-123" in t.get_text() for t in fig.axes[0].texts)


def test_graph_of_rejects_other_objects() -> None:
    with pytest.raises(TypeError):
        tplot.graph_of(42)  # type: ignore[arg-type]


def test_importing_the_module_does_not_import_matplotlib() -> None:
    import subprocess
    import sys

    code = "import sys, trustgraph.plot; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def _arrow_count(fig: Figure) -> int:
    from matplotlib.patches import FancyArrowPatch

    return sum(1 for a in fig.axes[0].get_children() if isinstance(a, FancyArrowPatch))


def test_hub_member_edges_are_hidden_unless_asked(big_graph: nx.MultiDiGraph) -> None:
    nodes = [n for n, d in big_graph.nodes(data=True) if d.get("account") == "100000000000"]
    sub = big_graph.subgraph(nodes)
    member = sum(1 for u, v, d in sub.edges(data=True) if d["kind"] == "member")
    users = sum(1 for u, v, d in sub.edges(data=True) if d["kind"] == "member" and sub.nodes[u]["kind"] == "user")
    assert member > 20 and users == 2
    hidden = tplot.plot_graph(big_graph, nodes=nodes, services="nodes")
    shown = tplot.plot_graph(big_graph, nodes=nodes, services="nodes", members=True)
    # roles' member edges hidden, users' kept (a user reaches roles trusting its account through the hub)
    assert _arrow_count(shown) - _arrow_count(hidden) == member - users
    assert "principals:100000000000" in node_boxes(hidden)


def test_witnessed_hops_through_a_hub_become_direct_edges(big_graph: nx.MultiDiGraph) -> None:
    user = "arn:aws:iam::100000000000:user/dev-0"
    role8 = "arn:aws:iam::100000000000:role/role-0-08"
    assert not big_graph.has_edge(user, role8)          # the trust names the account: the edge is from its hub
    result = ReachResult(source=user, target=role8, verdict=Reach.REACHABLE, hops=(hop(user, role8),))
    P = tplot.results_graph(big_graph, [result])
    assert set(P.nodes) == {user, role8}
    data = P.edges[user, role8, "sts:AssumeRole"]
    assert data["via"] == "principals:100000000000" and data["kind"] == "assume"
    fig = tplot.plot_results(big_graph, [result])
    assert set(node_boxes(fig)) == {user, role8} and _arrow_count(fig) == 1
    assert tplot.hop_edge_data(big_graph, "service:x", role8, "sts:AssumeRole")["kind"] == "service"


@pytest.fixture(scope="module")
def example_tg():  # type: ignore[no-untyped-def]
    import trustgraph

    from .conftest import EXAMPLE

    return trustgraph.load(EXAMPLE, zone_file=str(EXAMPLE / "zone.toml"))


def test_reach_picture_shows_the_witnessed_chain(example_tg) -> None:  # type: ignore[no-untyped-def]
    target = "arn:aws:iam::100000000003:role/PlatformAdminRole"
    boxes = node_boxes(tplot.plot_reach(example_tg, target))
    assert {"account:333344445555", "arn:aws:iam::100000000003:role/PartnerOpsRole",
            "arn:aws:iam::100000000003:role/DeployRole", target} <= set(boxes)
    # only nodes on witnessed paths: nothing of the management account's MFA chain
    assert "arn:aws:iam::100000000001:role/security/ForensicsMfaRole" not in boxes


def test_external_picture_follows_the_zone(example_tg) -> None:  # type: ignore[no-untyped-def]
    fig = tplot.plot_external(example_tg, without=["sts:ExternalId"])
    boxes = node_boxes(fig)
    dev = "arn:aws:iam::100000000003:role/"
    assert dev + "GitHubActionsUnpinnedRole" in boxes and dev + "GitHubActionsOrgPrefixRole" in boxes
    assert dev + "GitHubActionsAppMainRole" not in boxes            # pinned to a trusted subject: inside
    assert "arn:aws:iam::100000000002:role/ExampleCorpIntegrationRole" not in boxes   # needs its external ID
    assert any(t.get_text().startswith("reachable from outside the zone without sts:ExternalId")
               for t in fig.axes[0].texts)


def test_path_picture_with_the_graph_marks_the_external_id_hop(example_tg) -> None:  # type: ignore[no-untyped-def]
    role = "arn:aws:iam::100000000002:role/ExampleCorpIntegrationRole"
    r = example_tg.can_reach("account:210987654321", role, given={"sts:ExternalId": "ec-7f3c9a1e2b-prod"})
    texts = [t.get_text() for t in tplot.plot_path(r, example_tg).axes[0].texts]
    assert "ID" in texts                                              # the badge on the hop
    note = next(t for t in texts if t.startswith("sts:AssumeRole\n"))
    assert note.splitlines()[1] == "sts:ExternalId=ec-7f3c9a1e2b-prod"  # the key the trust names comes first


def test_generated_organization_of_about_200_nodes_is_drawn_readably(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import trustgraph
    from trustgraph.synth import synthesize

    synthesize(tmp_path / "org", accounts=6, roles_per_account=30, seed=7)
    tg = trustgraph.load(tmp_path / "org")
    assert 180 <= tg.graph.number_of_nodes() <= tplot.DEFAULT_MAX_NODES
    fig = tplot.plot_graph(tg)
    boxes = list(node_boxes(fig).items())
    services = sum(1 for _, d in tg.graph.nodes(data=True) if d["kind"] == "service")
    assert len(boxes) == tg.graph.number_of_nodes() - services      # node by node, services folded
    for (a, ba), (b, bb) in itertools.combinations(boxes, 2):
        assert not ba.overlaps(bb), (a, b)
    assert all(len(t.get_text()) <= 48 for t in fig.axes[0].texts if (t.get_gid() or "").startswith("node:"))
