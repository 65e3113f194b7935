"""Path pictures: PNG bytes, deterministic, robust to hostile and mathtext-like labels."""

from __future__ import annotations

from trustgraph.queries.results import HopWitness
from trustgraph.render.pathplot import draw_path, node_label, path_nodes

from .fixtures import LONG_ROLE, chain_of, make_report

PNG = b"\x89PNG\r\n\x1a\n"


def test_draws_png_deterministically() -> None:
    chain = chain_of(make_report())
    first = draw_path(chain.path)
    assert first.startswith(PNG)
    assert first == draw_path(chain.path)


def test_mathtext_and_markup_in_labels_do_not_break_drawing() -> None:
    hop = HopWitness(source="account:$\\frac{1}{$", target="arn:aws:iam::1:role/$x^{<script>", action="sts:$$",
                     context={"k": ("$\\undefinedmacro$",)})
    assert draw_path((hop,)).startswith(PNG)


def test_empty_path_draws_placeholder() -> None:
    assert draw_path(()).startswith(PNG)


def test_nodes_and_labels() -> None:
    chain = chain_of(make_report())
    assert path_nodes(chain.path) == [chain.path[0].source, chain.path[0].target, chain.path[1].target]
    label = node_label(LONG_ROLE)
    assert "\u2026" in label and label.endswith("(111122223333)")
    assert all(len(line) <= 38 for line in label.splitlines())
    assert node_label("service:ec2.amazonaws.com") == "service:ec2.amazonaws.com"
