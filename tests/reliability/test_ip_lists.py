"""Long CIDR lists: the solver's encoding merges the blocks (three 1,000-CIDR lists took 60 s to encode, one masked
comparison per text); the merged blocks hold exactly the addresses the evaluator's block-by-block test accepts."""

from __future__ import annotations

import ipaddress

from hypothesis import given, settings
from hypothesis import strategies as st

from trustgraph.model.values import parse_ip_range
from trustgraph.semantics.conditions import ip_in
from trustgraph.smt.encode import ip_blocks

v4 = st.builds(lambda a, p: f"{ipaddress.IPv4Address(a)}/{p}", st.integers(0, 2**32 - 1), st.integers(0, 32))
v6 = st.builds(lambda a, p: f"{ipaddress.IPv6Address(a)}/{p}", st.integers(0, 2**128 - 1), st.integers(0, 128))
texts = st.lists(st.one_of(v4, v6, st.sampled_from(["10.0.0.1", "::1", "300.1.1.1/8", "x", "10.0.0.0/33"])),
                 max_size=12)
addresses = st.one_of(st.integers(0, 2**32 - 1).map(ipaddress.IPv4Address),
                      st.integers(0, 2**128 - 1).map(ipaddress.IPv6Address))


def in_blocks(addr: ipaddress.IPv4Address | ipaddress.IPv6Address, texts: list[str]) -> bool:
    b4, b6 = ip_blocks(tuple(texts))
    width, blocks = (32, b4) if addr.version == 4 else (128, b6)
    return any(int(addr) >> (width - prefix) == value for value, prefix in blocks)


@settings(max_examples=500, deadline=None)
@given(texts, st.lists(addresses, min_size=1, max_size=4))
def test_merged_blocks_agree_with_the_evaluator(cidrs: list[str], addrs: list[ipaddress.IPv4Address]) -> None:
    nets = [n for n in (parse_ip_range(t) for t in cidrs) if n is not None]
    # addresses at the edges of the given blocks too
    edges = [a for n in nets for a in (n.network_address, n.broadcast_address)]
    for addr in [*addrs, *edges]:
        assert in_blocks(addr, cidrs) is any(ip_in(addr, n) for n in nets)


def test_a_thousand_adjacent_blocks_merge() -> None:
    cidrs = tuple(str(ipaddress.ip_network((0x0A000000 + i * 256, 24))) for i in range(1024))
    assert ip_blocks(cidrs) == (((0x0A000000 >> 18, 14),), ())  # 10.0.0.0/14
