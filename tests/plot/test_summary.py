"""Aggregation per account and source class for graphs too large to draw node by node."""

from __future__ import annotations

import networkx as nx

from trustgraph.plot.summary import aggregate_id, summarise_graph, summary_columns


def test_one_node_per_account_and_class(big_graph: nx.MultiDiGraph) -> None:
    S = summarise_graph(big_graph)
    assert "external" in S and "account:444455556666" in S
    acct = "account:100000000000"
    assert S.nodes[f"{acct}|role"]["count"] == 28
    assert S.nodes[f"{acct}|admin"]["count"] == 2 and S.nodes[f"{acct}|admin"]["admin"]
    assert S.nodes[f"{acct}|user"]["label"] == "2 users"
    assert S.nodes["services|service"]["count"] == 3
    assert S.nodes["principals:100000000000"]["count"] == 1 and "principals:*" in S
    assert sum(d["count"] for _, d in S.nodes(data=True)) == big_graph.number_of_nodes()


def test_edge_counts_add_up(big_graph: nx.MultiDiGraph) -> None:
    S = summarise_graph(big_graph)
    between = sum(d["count"] for _, _, d in S.edges(data=True))
    inner = sum(d["internal_edges"] for _, d in S.nodes(data=True))
    trust_edges = [(u, v, d) for u, v, d in big_graph.edges(data=True) if d["kind"] != "member"]
    assert between + inner == len(trust_edges) < big_graph.number_of_edges()
    xid = sum(d["external_id_count"] for _, _, d in S.edges(data=True))
    assert xid == sum(1 for u, v, d in trust_edges if d["needs_external_id"]
                      and aggregate_id(big_graph, u) != aggregate_id(big_graph, v))
    assert S.has_edge("principals:100000000000", "account:100000000000|role")


def test_restricting_edges_counts_only_those(big_graph: nx.MultiDiGraph) -> None:
    some = [(u, v, k) for u, v, k in big_graph.edges(keys=True) if u == "external"]
    S = summarise_graph(big_graph, edges=some)
    assert sum(d["count"] for _, _, d in S.edges(data=True)) == len(some)


def test_columns_sources_roles_admins(big_graph: nx.MultiDiGraph) -> None:
    cols = summary_columns(summarise_graph(big_graph))
    assert cols["external"] == 0 and cols["services|service"] == 0
    assert cols["account:100000000000|role"] == 1 and cols["account:100000000000|admin"] == 2
