"""Layout: hop columns from the sources, bands per account with the outside ones first, one slot per node."""

from __future__ import annotations

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from trustgraph.plot.layout import GAP, HEADER, band_of, compute_layout, hop_layers

from .synthetic import _edge, synthetic_graph


def test_columns_are_hop_distances_from_the_sources(big_graph: nx.MultiDiGraph) -> None:
    layout = compute_layout(big_graph)
    assert layout.layers["external"] == 0
    assert layout.layers["account:444455556666"] == 0
    assert layout.layers["service:ec2.amazonaws.com"] == 0
    assert layout.layers["arn:aws:iam::777788889999:role/VendorConnector"] == 1
    sources = [n for n, c in layout.layers.items() if c == 0]
    dist = nx.multi_source_dijkstra_path_length(big_graph, sources)
    for n, c in layout.layers.items():
        assert c == dist[n], n


def test_bands_outside_first_then_boundary_then_inside(big_graph: nx.MultiDiGraph) -> None:
    layout = compute_layout(big_graph)
    inside = [b.inside for b in layout.bands]
    assert inside == sorted(inside)  # False (outside) bands before True (inside) ones
    assert layout.boundary is not None
    assert all(b.bottom <= layout.boundary for b in layout.bands if not b.inside)
    assert all(b.top >= layout.boundary for b in layout.bands if b.inside)
    keys = [b.key for b in layout.bands]
    assert keys[0] == "external"
    assert "account:100000000000" in keys and "account:777788889999" in keys


def test_every_node_has_its_own_slot_inside_its_band(big_graph: nx.MultiDiGraph) -> None:
    layout = compute_layout(big_graph)
    slots = list(layout.positions.values())
    assert len(set(slots)) == len(slots) == big_graph.number_of_nodes()
    bands = {b.key: b for b in layout.bands}
    for n, (_, row) in layout.positions.items():
        band = bands[band_of(big_graph, n).key]
        assert band.top + HEADER <= row <= band.bottom, n
    # bands do not overlap
    for a, b in zip(layout.bands, layout.bands[1:], strict=False):
        assert b.top >= a.bottom + GAP - 1e-9


def test_exported_outside_principals_share_their_account_band(big_graph: nx.MultiDiGraph) -> None:
    assert band_of(big_graph, "arn:aws:iam::777788889999:role/VendorConnector") == band_of(
        big_graph, "account:777788889999")
    assert not band_of(big_graph, "account:777788889999").inside


def test_trusted_and_partly_trusted_providers_are_banded_apart(big_graph: nx.MultiDiGraph) -> None:
    corp = band_of(big_graph, "federated:arn:aws:iam::100000000000:saml-provider/CorpIdP")
    gh = band_of(big_graph, "federated:arn:aws:iam::100000000001:oidc-provider/token.actions.githubusercontent.com")
    assert corp.inside and not gh.inside
    assert "partly trusted" in gh.title


def test_nodes_only_reachable_through_a_cycle_are_layered() -> None:
    G = synthetic_graph(accounts=1, roles_per_account=10)
    a, b = "arn:aws:iam::100000000000:role/loop-a", "arn:aws:iam::100000000000:role/loop-b"
    for n in (a, b):
        G.add_node(n, kind="role", account="100000000000", label=n, inside=True, admin=False, entity=None)
    _edge(G, a, b, "assume")
    _edge(G, b, a, "assume")
    layers = hop_layers(G, G.nodes)
    assert layers[a] == 0 and layers[b] == 1


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 4), st.integers(9, 20), st.integers(0, 10_000))
def test_layout_is_total_and_deterministic(accounts: int, roles: int, seed: int) -> None:
    G = synthetic_graph(accounts, roles, seed)
    first, second = compute_layout(G), compute_layout(G)
    assert first == second
    assert set(first.positions) == set(G.nodes)
    assert first.columns == max(first.layers.values()) + 1
