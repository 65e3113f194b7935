"""The compact HTML report's text (trustgraph.render.html_compact): a message's path, which the finding's Path line
shows, is written ``see Path``, only when it is that finding's own path; each approximation is written once and linked
from every finding that names it; a full page writes both as before."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from trustgraph.checks.base import hops_text
from trustgraph.checks.finding import Finding, Severity, ThroughAdmin
from trustgraph.checks.through import through_path
from trustgraph.queries.results import HopWitness
from trustgraph.render.html import render_html
from trustgraph.render.html_compact import short_message
from trustgraph.report.scan_report import ScanReport

from .test_html import Dom
from .test_html_compact import _chain_report

R = "arn:aws:iam::111122223333:role/"


def _finding(n: int, message: str, source: str = "account:444455556666") -> Finding:
    path = tuple(HopWitness(source=source if i == 0 else f"{R}R{i}", target=f"{R}R{i + 1}", action="sts:AssumeRole")
                 for i in range(n))
    return Finding(check_id="external-without-mfa", severity=Severity.MEDIUM, role=f"{R}R{n}", source=source,
                   message=message, remediation="x", path=path)


def test_a_messages_own_path_becomes_see_path() -> None:
    f = _finding(3, "")
    chain = hops_text(f.source, f.path)
    assert chain == "acct 444455556666 -> R1 -> R2 -> R3"
    f = replace(f, message=f"`{f.source}` reaches the role through a 3-hop chain ({chain}) with no MFA at any hop.")
    assert short_message(f) == (f"`{f.source}` reaches the role through a 3-hop chain (see Path) with no MFA at "
                                "any hop.")


def test_a_folded_path_becomes_see_path() -> None:
    f = _finding(12, "")
    folded = through_path(f.source, f.path, ThroughAdmin(f"{R}R2", 2))
    assert "... 8 more hops ..." in folded
    f = replace(f, message=f"x, through admin role `R2` (its own finding, hop 2): {folded}. Also: `external`.")
    assert short_message(f) == "x, through admin role `R2` (its own finding, hop 2): see Path. Also: `external`."


def test_another_path_or_a_direct_reach_is_left_as_it_is() -> None:
    f = _finding(3, "")
    other = hops_text("account:999988887777", f.path)  # another source's path: not what the Path line shows
    assert short_message(replace(f, message=f"({other})")) == f"({other})"
    shorter = hops_text(f.source, f.path[:2])  # a prefix only
    assert short_message(replace(f, message=f"({shorter}).")) == f"({shorter})."
    one = _finding(1, "")
    direct = f"{hops_text(one.source, one.path)} directly."
    assert short_message(replace(one, message=direct)) == direct


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory) -> ScanReport:
    return _chain_report(tmp_path_factory.mktemp("text"), 14)


def _articles(page: str) -> list[str]:
    return re.findall(r'<article class="finding[^"]*" id="finding-\d+">.*?</article>', page, re.S)


def test_compact_messages_leave_their_paths_to_the_path_line(chain: ScanReport) -> None:
    page = render_html(chain, pictures=False, compact=True)
    articles = _articles(page)
    assert len(articles) == len(chain.active)
    shortened = [a for a in articles if "see Path" in a]
    assert len(shortened) >= len(chain.active) // 2  # the chain findings, external-path-to-admin and the others
    for a in shortened:
        assert "<dt>Path</dt>" in a and 'class="hopline"' in a
        message = re.search(r"<dt>Message</dt><dd>(.*?)</dd>", a)[1]  # type: ignore[index]
        assert " -&gt; " not in message
    full = render_html(chain, pictures=False, compact=False)
    assert "see Path" not in full
    assert sum(a.count(" -&gt; ") for a in _articles(full)) > 0


def test_approximations_are_written_once_and_linked(chain: ScanReport) -> None:
    notes = ("session name s of role X assumed to be chosen by the hop that assumed it", "a <b>hostile</b> note")
    marked = tuple(replace(f, approximate=True, approximations=notes[: 1 + i % 2]) if f.path else f
                   for i, f in enumerate(chain.findings))
    report = replace(chain, findings=marked)
    page = render_html(report, pictures=False, compact=True)
    assert page.count(notes[0]) == 1 and page.count("a &lt;b&gt;hostile&lt;/b&gt; note") == 1
    entries = dict(re.findall(r'<li id="(approximation-\d+)">([^<]*)</li>', page))
    assert sorted(entries.values()) == sorted([notes[0], "a &lt;b&gt;hostile&lt;/b&gt; note"])
    links = re.findall(r'href="#(approximation-\d+)"', page)
    assert set(links) == set(entries)  # every link lands and every entry is linked
    assert len(links) == sum(len(f.approximations) for f in report.active)
    hrefs = [a.get("href") or "" for a in Dom(page).tags("a")]
    assert all(re.fullmatch(r"#(finding|hop|approximation)-\d+|#hops|#request-defaults|#approximations|#check-[a-z-]+",
                            h) for h in hrefs)
    full = render_html(report, pictures=False, compact=False)
    assert full.count(notes[0]) == sum(notes[0] in f.approximations for f in report.active)
    assert "approximation-" not in full


def test_example_page_keeps_its_messages_and_approximations(tmp_path: Path) -> None:
    """A full page (no compact parts) writes a message with its path and no Approximations section."""
    f = _finding(3, "")
    f = replace(f, message=f"({hops_text(f.source, f.path)})", approximate=True, approximations=("n",))
    page = render_html(ScanReport(findings=(f,)), pictures=False)
    assert f"({hops_text(f.source, f.path)})".replace(">", "&gt;") in page
    assert 'id="approximations"' not in page and "<li>n</li>" in page
