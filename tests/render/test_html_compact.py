"""The compact HTML report (:func:`trustgraph.render.html.render_html` with ``compact``): its size grows with the
number of findings, not with the length of their paths; long path tables are folded; every hop of every path stays
reachable from the page; and a small report (the bundled example) is written as before.

The crafted export: an outsider assumes Entry, which assumes Admin1, Admin1 assumes Admin2, ... each AdminK an
admin role, so AdminK is a finding whose path has K + 1 hops: n findings hold n(n + 3)/2 hop rows.
"""

from __future__ import annotations

import datetime as dt
import html
import os
import re
from dataclasses import replace
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
from trustgraph.queries.results import HopWitness
from trustgraph.render.html import ALSO_SHOWN, COMPACT_ABOVE, FOLD_ABOVE, FOLD_KEEP, render_html
from trustgraph.render.html_compact import _account
from trustgraph.report.build import build_report
from trustgraph.report.scan_report import ScanReport

from .fixtures import HOSTILE
from .test_html import Dom, assert_inert


def _admin_chain(directory: Path, n: int, outsiders: object) -> ScanReport:
    """The report of an estate where ``outsiders`` (a trust Principal's AWS value) may assume Entry, which may
    assume Admin1, ..., each admin role the next one."""
    admins = [f"Admin{i}" for i in range(1, n + 1)]
    roles = [role("Entry", trust(stmt({"AWS": outsiders})), policies=[assume_policy(role_arn(admins[0]))])]
    prev = "Entry"
    for i, name in enumerate(admins):
        policies = [ALLOW_ALL] + ([assume_policy(role_arn(admins[i + 1]))] if i + 1 < n else [])
        roles.append(role(name, trust(stmt({"AWS": role_arn(prev)})), policies=policies))
        prev = name
    found = run_checks(load_context(write_estate(directory, {"111122223333": gaad(*roles)})), CHECKS).findings
    return build_report(found, CHECKS, zone={}, inputs=("x",), now=dt.datetime(2026, 12, 1, tzinfo=dt.UTC))


def _chain_report(tmp_path: Path, n: int) -> ScanReport:
    return _admin_chain(tmp_path / f"chain-{n}", n, f"arn:aws:iam::{B}:root")


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
    assert 0 < len(set(re.findall(r'<img src="([^"]*)"', pictured))) <= 3  # distinct pictures
    # the longest path is reached through Admin1 (listed under it, unpictured): alone, it is a pictured finding
    alone = replace(report, findings=(replace(longest, through_admin=None),))
    assert f"No path picture for a path of {n} hops" in render_html(alone, compact=True)


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


def _outsiders_report(tmp_path: Path, n: int, outsiders: int) -> ScanReport:
    """The chain of ``n`` admin roles, Entry trusted by ``outsiders`` outside accounts (so each finding has other
    sources), its statement lines placed as the command line places them."""
    accounts = [f"arn:aws:iam::{B[:-3]}{k:03d}:root" for k in range(outsiders)]
    return _admin_chain(tmp_path / f"outsiders-{n}-{outsiders}", n, accounts).with_positions()


@pytest.fixture(scope="module")
def outsiders(tmp_path_factory: pytest.TempPathFactory) -> ScanReport:
    return _outsiders_report(tmp_path_factory.mktemp("outsiders"), 15, 8)


def _defaults(page: str) -> dict[str, str]:
    """The request defaults as the page writes them: key -> value (``<code>``) or derived label (muted)."""
    block = page.split('<div id="request-defaults">', 1)[1].split("</div>", 1)[0]
    return {k: html.unescape(v or label) for k, v, label in re.findall(
        r'<li><code>([^<]*)</code> = (?:<code>([^<]*)</code>|<span class="muted">([^<]*)</span>)</li>', block)}


def _request(page: str, k: str, hop: HopWitness, defaults: dict[str, str]) -> dict[str, str]:
    """Hop entry ``k``'s witness request as a reader rebuilds it: the keys it lists, the defaults it does not say it
    lacks or overrides (a derived default read off the hop's ends)."""
    entry = re.search(rf'<tr id="hop-{k}">.*?</tr>', page)[0]  # type: ignore[index]
    request = entry.rsplit("</td><td>", 1)[1]
    listed = {key: html.unescape(v) for key, v in re.findall(r"<li><code>([^<]*)</code> = <code>([^<]*)</code></li>",
                                                               request)}
    absent = re.search(r"not in the request: (.*?)</li>", request)
    lacks = set(re.findall(r"<code>([^<]*)</code>", absent[1])) if absent else set()
    ends = {"the account of the hop's From": _account(hop.source), "the account of the hop's To": _account(hop.target)}
    if re.search(r'more keys? as in the <a href="#request-defaults">', request):
        for key, value in defaults.items():
            if key not in listed and key not in lacks:
                listed[key] = ends.get(value, value)
    return listed


def test_compact_hops_list_only_what_differs_from_the_request_defaults(chains: dict[int, ScanReport]) -> None:
    report = chains[40]
    page = render_html(report, pictures=False, compact=True)
    defaults = _defaults(page)
    # the keys every hop of the chain shares, and the accounts each hop's ends give
    now = str(report.active[0].path[0].context_json()["aws:CurrentTime"])
    assert defaults["aws:CurrentTime"] == now and defaults["aws:SecureTransport"] == "true"
    assert defaults["aws:PrincipalAccount"] == "the account of the hop's From"
    numbered = [f for finding, under in report.grouped_active() for f in (finding, *under)]
    seen: dict[str, HopWitness] = {}
    for number, finding in enumerate(numbered, start=1):
        seen.update(zip(_hops_of(page, number), finding.path, strict=True))
    assert len(seen) == len(set(re.findall(r'<tr id="hop-(\d+)">', page)))
    for k, hop in seen.items():  # every hop's whole request can be read back from its entry and the defaults
        expected = {key: ", ".join(map(str, v)) if isinstance(v, list) else str(v)
                    for key, v in hop.context_json().items()}
        assert _request(page, k, hop, defaults) == expected, k
    entry = re.search(r'<tr id="hop-2">.*?</tr>', page)[0]  # type: ignore[index]
    assert "aws:CurrentTime" not in entry and now not in entry  # written once, in the defaults
    full = render_html(report, pictures=False, compact=False)
    assert 'id="request-defaults"' not in full and full.count("aws:CurrentTime") > len(seen)


def test_compact_what_to_change_links_to_the_checks_row(outsiders: ScanReport) -> None:
    page = render_html(outsiders, pictures=False, compact=True)
    dom = Dom(page)
    ids = {attrs["id"] for _, attrs in dom.elements if attrs.get("id")}
    for article in re.findall(r'<article .*?</article>', page, re.S):
        check_id = re.search(r"</span> <code>([^<]*)</code>", article)[1]  # type: ignore[index]
        finding = next(f for f in outsiders.active if f.check_id == check_id)
        info = outsiders.check(check_id)
        assert info is not None
        if finding.remediation == info.remediation:
            assert f'<dt>What to change</dt><dd><a href="#check-{check_id}">as in Checks run</a></dd>' in article
            assert f"check-{check_id}" in ids
            row = re.search(rf'<tr id="check-{check_id}">.*?</tr>', page)[0]  # type: ignore[index]
            assert html.escape(info.remediation, quote=True) in row  # the text is there, once
    assert 'id="check-' not in render_html(outsiders, pictures=False, compact=False)


def test_compact_statements_are_file_and_line_and_other_sources_fold(outsiders: ScanReport) -> None:
    page = render_html(outsiders, pictures=False, compact=True)
    full = render_html(outsiders, pictures=False, compact=False)
    loc = outsiders.active[0].statements[0]
    pos = outsiders.positions[loc]
    base = os.path.dirname(loc.file) + os.sep
    assert f"relative to <code>{html.escape(base)}</code>" in page
    assert f"<code>{os.path.basename(loc.file)}:{pos.line}</code>" in page
    assert f"#{loc.pointer}" not in page  # the pointers are in the JSON report
    assert f"<code>{loc.file}:{pos.line}</code> " in full and f"<code>#{loc.pointer}</code>" in full
    sources = [f for f in outsiders.active if len(f.all_sources) > ALSO_SHOWN + 2]
    assert sources
    for f in sources:
        article = page.split(f'id="finding-{_number(outsiders, f)}">', 1)[1].split("</article>", 1)[0]
        also = re.search(r"<dt>Also</dt><dd>(.*?)</dd>", article)[1]  # type: ignore[index]
        shown, _, folded = also.partition("<details>")
        assert shown.count("<li>") == ALSO_SHOWN
        more = len(f.all_sources) - 1 - ALSO_SHOWN
        link = re.search(rf'{more} more sources: as listed in <a href="#finding-(\d+)">', folded or also)
        if link:  # the same folded list was written once, at an earlier finding
            first = page.split(f'id="finding-{link[1]}">', 1)[1].split("</article>", 1)[0]
            assert f"<summary>{more} more sources</summary>" in first
        else:
            assert folded.startswith(f"<summary>{more} more sources</summary>")
    assert "more sources: as listed in" in page  # the chain's findings share their sources


def _number(report: ScanReport, finding: object) -> int:
    numbered = [f for g, under in report.grouped_active() for f in (g, *under)]
    return numbered.index(finding) + 1  # type: ignore[arg-type]


def test_compact_size_per_finding_on_the_crafted_chain(chains: dict[int, ScanReport]) -> None:
    """The defaults, hop lines and check links: under 3 kB a finding (8 kB before them)."""
    compact = {n: len(render_html(r, pictures=False, compact=True)) for n, r in chains.items()}
    assert compact[40] / len(chains[40].active) < 3_000, compact
    assert compact[40] / compact[20] < 2.2, compact


def test_the_example_page_is_written_in_full() -> None:
    import trustgraph
    from trustgraph.checks.context import ScanContext

    found = run_checks(ScanContext(trustgraph.load()), CHECKS).findings
    report = build_report(found, CHECKS, zone={}, inputs=("x",),
                          now=dt.datetime(2026, 12, 1, tzinfo=dt.UTC)).with_positions()
    page = render_html(report, pictures=False)
    for marker in ('id="request-defaults"', 'href="#check-', "as in Checks run", 'class="hopline"', "relative to"):
        assert marker not in page
    for f in report.active:  # statements with their pointers, requests in full
        for loc in f.statements:
            assert f"<code>#{html.escape(loc.pointer, quote=True)}</code>" in page
