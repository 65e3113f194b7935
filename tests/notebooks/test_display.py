"""Notebook displays: the HTML of results, hops and findings (``_repr_html_`` of the collections, IPython's HTML
formatter for single values) escapes every exported string and shows paths as chains with their witness;
``to_frame`` has fixed columns."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pandas as pd
import pytest

from trustgraph.checks.finding import Finding, FindingKind, Severity
from trustgraph.model.location import Location
from trustgraph.queries.results import HopWitness, Reach, ReachResult
from trustgraph.render.frames import (
    FINDING_COLUMNS,
    HOP_COLUMNS,
    NODE_COLUMNS,
    FindingList,
    findings_frame,
    graph_frame,
    results_frame,
)
from trustgraph.render.notebook import (
    chain_html,
    finding_html,
    findings_html,
    hop_html,
    register_displays,
    result_html,
    results_html,
)

EVIL = '<script>alert("x")</script>&"\''
ROLE = f"arn:aws:iam::100000000003:role/{EVIL}"
MID = "arn:aws:iam::100000000003:role/Deploy"


def hop(source: str, target: str, **ctx: str) -> HopWitness:
    return HopWitness(source=source, target=target, action="sts:AssumeRole",
                      context={k: (v,) for k, v in ctx.items()},
                      statements=(Location(f"gaad-{EVIL}.json", "/RoleDetailList/0"),))


RESULT = ReachResult(source="account:333344445555", target=ROLE, verdict=Reach.REACHABLE,
                     hops=(hop("account:333344445555", MID, **{"aws:PrincipalAccount": "333344445555"}),
                           hop(MID, ROLE, **{"aws:PrincipalTag/team": EVIL})))
FINDING = Finding(check_id="external-path-to-admin", severity=Severity.CRITICAL, role=ROLE,
                  source="account:333344445555", message=f"outsiders reach {EVIL}", remediation=f"fix {EVIL}",
                  path=RESULT.hops, statements=(Location("gaad.json", f"/x/{EVIL}"),))


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []
        self.attrs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.extend(v or "" for _, v in attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(markup: str) -> _Collect:
    p = _Collect()
    p.feed(markup)
    return p


@pytest.mark.parametrize("markup", [
    result_html(RESULT), hop_html(RESULT.hops[1]), finding_html(FINDING), results_html([RESULT]),
    findings_html([FINDING]), FindingList((FINDING,))._repr_html_(),
])
def test_exported_strings_are_escaped(markup: str) -> None:
    assert "<script" not in markup
    parsed = parse(markup)
    assert "script" not in parsed.tags
    # the hostile name survives as text (escaped, decoded by the parser), in the content and in hover titles
    assert any(EVIL in t for t in parsed.text) or any(EVIL in a for a in parsed.attrs)


def test_chain_shows_source_roles_and_witness_on_hover_and_in_details() -> None:
    markup = chain_html(RESULT)
    parsed = parse(markup)
    text = "".join(parsed.text)
    assert re.search(r"acct 333344445555\s*→\s*Deploy\s*→", text)
    assert any(a == "sts:AssumeRole: aws:PrincipalAccount=333344445555" for a in parsed.attrs)
    assert "details" in parsed.tags and "witness (2 hops)" in text
    assert "aws:PrincipalAccount = 333344445555" in text


def test_unreachable_result_shows_its_reason() -> None:
    r = ReachResult(source="external", target=MID, verdict=Reach.UNREACHABLE, reason="sts:ExternalId <must> match")
    markup = result_html(r)
    assert "unreachable" in markup and "sts:ExternalId &lt;must&gt; match" in markup
    assert r.to_frame().empty and list(r.to_frame().columns) == HOP_COLUMNS


def test_result_and_hop_frames() -> None:
    frame = RESULT.to_frame()
    assert list(frame.columns) == HOP_COLUMNS
    assert frame["hop"].tolist() == [1, 2] and frame["role"].tolist() == [MID, ROLE]
    ctx = RESULT.hops[0].to_frame()
    assert ctx.to_dict("records") == [{"key": "aws:PrincipalAccount", "value": "333344445555"}]
    summary = results_frame([RESULT])
    assert summary.loc[0, "path"].startswith("acct 333344445555 -> Deploy -> ")


def test_findings_frame_orders_severity_and_pivots() -> None:
    low = Finding(check_id="dead-trust-statement", severity=Severity.LOW, role=MID, source="-", message="m",
                  remediation="r", kind=FindingKind.FINDING)
    frame = FindingList((low, FINDING)).to_frame()
    assert list(frame.columns) == FINDING_COLUMNS
    assert frame.sort_values("severity", ascending=False)["severity"].tolist() == ["critical", "low"]
    pivot = pd.pivot_table(frame, index="account", columns="severity", values="role", aggfunc="count",
                           observed=False, fill_value=0)
    assert pivot.loc["100000000003", "critical"] == 1 and pivot.loc["100000000003", "low"] == 1
    assert FINDING.to_frame().loc[0, "hops"] == 2
    assert findings_frame([]).empty and list(findings_frame([]).columns) == FINDING_COLUMNS


def test_finding_list_helpers() -> None:
    fl = FindingList((FINDING,))
    assert len(fl) == 1 and fl[0] is FINDING and len(fl[:1]) == 1
    assert fl.worst() is FINDING and FindingList(()).worst() is None
    assert len(fl.where(severity="critical")) == 1 and len(fl.where(check_id="public-role")) == 0
    assert repr(fl) == "<FindingList 1 findings: 1 critical>"


def test_long_collections_are_cut() -> None:
    markup = results_html([RESULT] * 5, limit=2)
    assert "&hellip; 3 more" in markup
    assert markup.count("<details>") == 2  # two result rows, each with its witness disclosure


def test_loaded_graph_display_and_frames() -> None:
    import trustgraph
    from trustgraph.ingest.load import bundled_example_path

    tg = trustgraph.load(zone_file=str(bundled_example_path() / "zone.toml"))
    nodes = tg.to_frame()
    assert list(nodes.columns) == NODE_COLUMNS and len(nodes) == tg.graph.number_of_nodes()
    edges = graph_frame(tg.graph, edges=True)
    assert len(edges) == tg.graph.number_of_edges()
    markup = tg._repr_html_()
    assert "example-prod" in markup and "100000000002" in markup and "<table" in markup


def test_displays_name_the_zone() -> None:
    """The notebook displays of a loaded graph and of its scan say which zone of trust they are relative to."""
    import trustgraph

    tg = trustgraph.load()
    assert "zone of trust: organization o-exampleorg1" in tg._repr_html_()
    assert "zone of trust: " in repr(tg)
    found = tg.scan(["public-role"])
    markup = found._repr_html_()
    assert "zone of trust: organization o-exampleorg1" in markup and "was found in a scanned directory" in markup
    assert found.where(check_id="public-role").zone == found.zone
    assert found.to_frame()["sources"].tolist() == [1] * len(found)


def test_single_values_display_as_html_in_ipython() -> None:
    """A result, a hop and a finding shown on their own in IPython get their HTML from the formatter the facade
    registers (they carry no ``_repr_html_``: they sit below the renderers)."""
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    html = shell.display_formatter.formatters["text/html"]
    assert all(html(v) is None for v in (RESULT, RESULT.hops[0], FINDING))  # nothing before registration
    assert register_displays(shell)
    assert html(RESULT) == result_html(RESULT)
    assert html(RESULT.hops[0]) == hop_html(RESULT.hops[0])
    assert html(FINDING) == finding_html(FINDING)
    assert register_displays()  # the running shell is found without being given
