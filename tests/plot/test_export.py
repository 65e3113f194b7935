"""``trustgraph graph``: every output format written and readable again; --from/--to subgraphs; bad extensions."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pytest
from PIL import Image

from trustgraph.cli.main import main
from trustgraph.errors import UsageError
from trustgraph.model.location import Location
from trustgraph.plot.export import format_of, plain_attrs, plain_graph, subgraph_between

from .conftest import EXAMPLE

ZONE = ["--zone-file", str(EXAMPLE / "zone.toml")]
PLATFORM_ADMIN = "arn:aws:iam::100000000003:role/PlatformAdminRole"


def run_graph(tmp_path: Path, name: str, *extra: str) -> tuple[int, Path]:
    out = tmp_path / name
    code = main(["graph", str(EXAMPLE), *ZONE, *extra, "-o", str(out)])
    return code, out


def _check_plain(G: nx.MultiDiGraph, example_graph: nx.MultiDiGraph) -> None:
    assert set(G.nodes) == set(example_graph.nodes)
    assert G.number_of_edges() == example_graph.number_of_edges()
    bob = G.nodes["arn:aws:iam::100000000001:user/admin-bob"]
    assert bob["kind"] == "user" and bob["admin"] in (True, "true", "True")
    assert "entity" not in bob
    u, v = "account:333344445555", "arn:aws:iam::100000000003:role/PartnerOpsRole"
    edge = next(iter(G.get_edge_data(u, v).values()))
    assert edge["action"] == "sts:AssumeRole" and edge["kind"] == "assume"
    assert "gaad-100000000003.json#/RoleDetailList/" in edge["statements"]
    assert "trust" not in edge


def test_graphml_round_trip(tmp_path: Path, example_graph: nx.MultiDiGraph) -> None:
    code, out = run_graph(tmp_path, "g.graphml")
    assert code == 0
    G = nx.read_graphml(out, force_multigraph=True)
    _check_plain(G, example_graph)
    assert json.loads(G.graph["zone"])["accounts"] == ["100000000001", "100000000002", "100000000003"]


def test_gexf_round_trip(tmp_path: Path, example_graph: nx.MultiDiGraph) -> None:
    code, out = run_graph(tmp_path, "g.gexf")
    assert code == 0
    G = nx.read_gexf(out)
    _check_plain(nx.MultiDiGraph(G), example_graph)
    ET.parse(out)  # well-formed XML


def test_node_link_json_round_trip(tmp_path: Path, example_graph: nx.MultiDiGraph) -> None:
    code, out = run_graph(tmp_path, "g.json")
    assert code == 0
    data = json.loads(out.read_text())
    assert {"nodes", "links", "directed", "multigraph"} <= set(data)
    _check_plain(nx.node_link_graph(data, edges="links"), example_graph)


@pytest.mark.parametrize("name", ["g.png", "g.PNG"])
def test_png(tmp_path: Path, name: str) -> None:
    code, out = run_graph(tmp_path, name)
    assert code == 0
    assert out.stat().st_size > 100_000
    img = Image.open(out)
    assert img.format == "PNG" and img.size[0] > 800 and img.size[1] > 800
    assert len(img.convert("RGB").getcolors(maxcolors=1 << 20) or ()) > 50


def test_svg(tmp_path: Path) -> None:
    code, out = run_graph(tmp_path, "g.svg")
    assert code == 0
    root = ET.parse(out).getroot()
    assert root.tag.endswith("svg")
    assert out.stat().st_size > 50_000


def test_from_and_to_keep_the_paths_between(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run_graph(tmp_path, "p.json", "--from", "account:333344445555", "--to", PLATFORM_ADMIN)
    assert code == 0
    assert "4 nodes, 3 edges" in capsys.readouterr().out
    G = nx.node_link_graph(json.loads(out.read_text()), edges="links")
    assert set(G.nodes) == {"account:333344445555", "arn:aws:iam::100000000003:role/PartnerOpsRole",
                            "arn:aws:iam::100000000003:role/DeployRole", PLATFORM_ADMIN}


def test_to_only_keeps_the_ancestors(example_graph: nx.MultiDiGraph) -> None:
    sub = subgraph_between(example_graph.copy(), None, PLATFORM_ADMIN)
    assert set(sub) == nx.ancestors(example_graph, PLATFORM_ADMIN) | {PLATFORM_ADMIN}
    down = subgraph_between(example_graph.copy(), "account:333344445555", None)
    assert "arn:aws:iam::100000000003:role/DeployRole" in down and "external" not in down


def test_unknown_extension_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run_graph(tmp_path, "g.dot")
    assert code == 2 and not out.exists()
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("trustgraph: error: cannot tell the output format")


def test_bad_source_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # a principal of an exported account that its export lacks (one of an unexported account is a legal source)
    code, _ = run_graph(tmp_path, "g.json", "--from", "arn:aws:iam::100000000001:role/Nope")
    assert code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is not in the export of account 100000000001" in err


def test_source_of_an_unexported_account_keeps_what_its_first_hops_reach(tmp_path: Path) -> None:
    code, out = run_graph(tmp_path, "g.json", "--from", "arn:aws:iam::999999999999:role/Nope")
    assert code == 0 and out.exists()


def test_unwritable_output_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _ = run_graph(tmp_path, "missing-dir/g.json")
    assert code == 2
    assert "cannot write" in capsys.readouterr().err


def test_format_of() -> None:
    assert [format_of(f"x{e}") for e in (".png", ".svg", ".graphml", ".gexf", ".json")] == [
        "png", "svg", "graphml", "gexf", "json"]
    with pytest.raises(UsageError):
        format_of("graph")


def test_plain_attrs_convert_and_drop() -> None:
    attrs = {"entity": object(), "trust": (1,), "statements": (Location("f.json", "/a/0"), Location("g.json", "/b")),
             "subjects": ("repo:a/*", "repo:b/*"), "account": None, "inside": True, "count": 3}
    plain = plain_attrs(attrs)
    assert plain == {"statements": "f.json#/a/0; g.json#/b", "subjects": "repo:a/*; repo:b/*", "inside": True,
                     "count": 3}


def test_plain_graph_has_only_scalars(example_graph: nx.MultiDiGraph) -> None:
    P = plain_graph(example_graph)
    for _, d in P.nodes(data=True):
        assert all(isinstance(v, str | int | float | bool) for v in d.values())
    for _, _, d in P.edges(data=True):
        assert all(isinstance(v, str | int | float | bool) for v in d.values())


def test_svg_of_hostile_names_is_well_formed_and_inert(tmp_path: Path) -> None:
    from trustgraph.plot.export import export_graph

    from .synthetic import synthetic_graph

    out = tmp_path / "h.svg"
    export_graph(synthetic_graph(accounts=1, roles_per_account=10), out)
    text = out.read_text()
    assert "<script" not in text
    root = ET.parse(out).getroot()
    assert not [e for e in root.iter() if e.tag.rsplit("}", 1)[-1] in ("script", "foreignObject")]


def test_png_of_a_generated_organization_is_aggregated(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from trustgraph.synth import synthesize

    synthesize(tmp_path / "org", accounts=8, roles_per_account=35, seed=5)
    out = tmp_path / "org.png"
    assert main(["graph", str(tmp_path / "org"), "-o", str(out)]) == 0
    nodes = int(re.search(r"(\d+) nodes", capsys.readouterr().out).group(1))  # type: ignore[union-attr]
    assert nodes > 250
    img = Image.open(out)
    # aggregated: far smaller than one row per node would need (0.27 in per row at 100 dpi)
    assert img.size[1] < nodes * 27 / 2
    assert out.stat().st_size > 100_000


def test_max_nodes_forces_aggregation(tmp_path: Path) -> None:
    small, big = tmp_path / "small.png", tmp_path / "agg.png"
    assert main(["graph", str(EXAMPLE), *ZONE, "-o", str(small)]) == 0
    assert main(["graph", str(EXAMPLE), *ZONE, "--max-nodes", "10", "-o", str(big)]) == 0
    assert Image.open(big).size[1] < Image.open(small).size[1]
    assert main(["graph", str(EXAMPLE), "--max-nodes", "0", "-o", str(big)]) == 2
