"""The compact HTML report (:func:`trustgraph.render.html.render_html` with ``compact``): its size grows with the
number of findings, not with the length of their paths; long path tables are folded; every hop of every path stays
reachable from the page; and a small report (the bundled example) is written as before.

The crafted export: an outsider assumes Entry, which assumes Admin1, Admin1 assumes Admin2, ... each AdminK an
admin role, so AdminK is a finding whose path has K + 1 hops: n findings hold n(n + 3)/2 hop rows.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from tests.checks.helpers import (
    ALLOW_ALL,
    B,
    assume_policy,
    gaad,
    load_context,
    role,
    role_arn,
    stmt,
    trust,
    write_estate,
)
from trustgraph.checks.registry import CHECKS
from trustgraph.checks.runner import run_checks
from trustgraph.render.html import COMPACT_ABOVE, FOLD_ABOVE, FOLD_KEEP, render_html
from trustgraph.report.build import build_report
from trustgraph.report.scan_report import ScanReport

from .fixtures import HOSTILE
from .test_html import Dom, assert_inert


def _chain_report(tmp_path: Path, n: int) -> ScanReport:
    admins = [f"Admin{i}" for i in range(1, n + 1)]
    outsider = stmt({"AWS": f"arn:aws:iam::{B}:root"})
    roles = [role("Entry", trust(outsider), policies=[assume_policy(role_arn(admins[0]))])]
    prev = "Entry"
    for i, name in enumerate(admins):
        policies = [ALLOW_ALL] + ([assume_policy(role_arn(admins[i + 1]))] if i + 1 < n else [])
        roles.append(role(name, trust(stmt({"AWS": role_arn(prev)})), policies=policies))
        prev = name
    directory = write_estate(tmp_path / f"chain-{n}", {"111122223333": gaad(*roles)})
    found = run_checks(load_context(directory), CHECKS).findings
    return build_report(found, CHECKS, zone={}, inputs=("x",), now=dt.datetime(2026, 12, 1, tzinfo=dt.UTC))


@pytest.fixture(scope="module")
def chains(tmp_path_factory: pytest.TempPathFactory) -> dict[int, ScanReport]:
    base = tmp_path_factory.mktemp("chains")
    return {n: _chain_report(base, n) for n in (20, 40)}


def _epa(report: ScanReport) -> list[int]:
    return sorted(len(f.path) for f in report.active if f.check_id == "external-path-to-admin")


def test_the_crafted_chain_has_quadratically_many_hops(chains: dict[int, ScanReport]) -> None:
    assert _epa(chains[40]) == list(range(2, 42))


def test_compact_size_grows_with_findings_not_with_their_paths(chains: dict[int, ScanReport]) -> None:
    full = {n: len(render_html(r, pictures=False, compact=False)) for n, r in chains.items()}
    compact = {n: len(render_html(r, pictures=False, compact=True)) for n, r in chains.items()}
    # twice the findings: the full page grows with the hop rows (about 3.7 times), the compact one about twice
    assert full[40] / full[20] > 3.0
    assert compact[40] / compact[20] < 2.4
    per_finding = compact[40] / len(chains[40].active)
    assert per_finding < 8_000, per_finding


def _entries(page: str) -> dict[str, tuple[str, str, str]]:
    """The Hops section's entries: number -> (from, action, to)."""
    return {k: (src, action, dst) for k, src, action, dst in re.findall(
        r'<tr id="hop-(\d+)"><td>\d+</td><td><code>([^<]*)</code></td><td><code>([^<]*)</code></td>'
        r"<td><code>([^<]*)</code>", page)}


def _hops_of(page: str, number: int) -> list[str]:
    """The hop entries finding ``number``'s path reaches, following its links as a reader would: its rows, the
    folded line, and a folded prefix's finding."""
    article = page.split(f'id="finding-{number}">', 1)[1].split("</article>", 1)[0]
    before, _, after = article.partition('<details class="hops">')
    first = re.findall(r'href="#hop-(\d+)"', before)
    if not after:
        return first
    folded, _, last = after.partition("</details>")
    n = int(re.search(r" of (\d+)\)</summary>", folded)[1])  # type: ignore[index]
    prefix = re.search(r'Hops 1-(\d+) are the path of <a href="#finding-(\d+)">', folded)
    middle = _hops_of(page, int(prefix[2]))[len(first):int(prefix[1])] if prefix else []
    ends = re.findall(r'href="#hop-(\d+)"', last)
    return (first + middle + re.findall(r'href="#hop-(\d+)"', folded))[:n - len(ends)] + ends


def test_long_tables_are_folded_and_every_hop_stays_reachable(chains: dict[int, ScanReport]) -> None:
    report = chains[40]
    page = render_html(report, pictures=False, compact=True)
    dom = Dom(page)
    hop_ids = {attrs["id"] for _, attrs in dom.elements if (attrs.get("id") or "").startswith("hop-")}
    assert set(re.findall(r'href="#(hop-\d+)"', page)) == hop_ids  # every entry is linked and every link lands
    longest = max(report.active, key=lambda f: len(f.path))
    n = len(longest.path)
    assert f"{n - 2 * FOLD_KEEP} more hops ({FOLD_KEEP + 1}-{n - FOLD_KEEP} of {n})" in page
    assert "are the path of" in page  # the chain's paths share their prefixes
    entries = _entries(page)
    numbered = [f for finding, under in report.grouped_active() for f in (finding, *under)]
    for number, finding in enumerate(numbered, start=1):
        reached = [entries[k] for k in _hops_of(page, number)]
        assert reached == [(h.source, h.action, h.target) for h in finding.path], number
    pictured = render_html(report, compact=True, max_pictures=3)
    assert f"No path picture for a path of {n} hops" in pictured
    assert 0 < len(set(re.findall(r'<img src="([^"]*)"', pictured))) <= 3  # distinct pictures


def test_full_page_folds_long_tables_but_keeps_their_rows(chains: dict[int, ScanReport]) -> None:
    page = render_html(chains[20], pictures=False, compact=False)
    assert 'id="hops"' not in page and "href=\"#hop-" not in page
    assert "15 more hops (4-18 of 21)" in page
    longest = max(chains[20].active, key=lambda f: len(f.path))
    for hop in longest.path:  # each hop's witness row is still in the page (folded)
        assert f"<td><code>{hop.target}</code><ul" in page


def test_small_reports_are_not_compact() -> None:
    import trustgraph
    from trustgraph.checks.context import ScanContext

    found = run_checks(ScanContext(trustgraph.load()), CHECKS).findings
    report = build_report(found, CHECKS, zone={}, inputs=("x",), now=dt.datetime(2026, 12, 1, tzinfo=dt.UTC))
    assert len(report.active) <= COMPACT_ABOVE
    assert max(len(f.path) for f in report.active) <= FOLD_ABOVE
    page = render_html(report)
    assert page == render_html(report, compact=False)
    assert 'id="hops"' not in page and "<details class=\"hops\">" not in page


def test_compact_page_of_hostile_strings_is_inert(report: ScanReport) -> None:
    page = render_html(report, compact=True)
    assert 'id="hops"' in page and 'id="compact-note"' in page
    for s in HOSTILE[:2]:
        assert s not in page
    dom = Dom(page)
    assert_inert(dom, report)
    for _, attrs in dom.elements:
        for value in attrs.values():
            for s in HOSTILE + ("111122223333", "exports/"):
                assert s not in (value or "")
