"""The HTML report: self-contained, escaped, and inert when opened in a real browser (headless Chromium).

The browser test needs Debian's ``chromium`` (``.ci/run`` installs it). Without it the test fails with a message
saying how to install it: a missing browser must not turn the XSS test into a silent skip.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from trustgraph.checks.finding import Severity
from trustgraph.render.html import CSP, render_html
from trustgraph.render.report import ScanReport

from .fixtures import HOSTILE, IMG, JS_URL, SCRIPT

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)


class Dom(HTMLParser):
    """Elements (tag, attributes) and text of a page, as a browser-independent parse."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def tags(self, name: str) -> list[dict[str, str | None]]:
        return [attrs for tag, attrs in self.elements if tag == name]

    @property
    def joined(self) -> str:
        return "".join(self.text)


def assert_inert(dom: Dom, report: ScanReport) -> None:
    """No script, no event handlers, no links out of the page (only ``#finding-N``, and in a compact report
    ``#hop-N``, ``#hops``, ``#request-defaults``, ``#approximations``, ``#approximation-N`` and ``#check-ID``),
    images only our data: PNGs; hostile strings present as text."""
    assert dom.tags("script") == []
    assert dom.tags("iframe") == [] and dom.tags("object") == []
    links = (r"#finding-\d+|#hop-\d+|#hops|#request-defaults|#approximations|#approximation-\d+"
             r"|#check-[a-z0-9][a-z0-9-]*")
    assert all(re.fullmatch(links, a.get("href") or "") and set(a) == {"href"} for a in dom.tags("a"))
    for tag, attrs in dom.elements:
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            assert name not in {"srcdoc", "formaction", "action"}, (tag, name)
            assert name != "href" or tag == "a", tag
            assert "javascript:" not in (value or ""), (tag, name)
    imgs = dom.tags("img")
    pictured = [f for f in report.active if f.severity in (Severity.CRITICAL, Severity.HIGH) and f.path]
    assert len(imgs) == len(pictured)
    for img in imgs:
        src = img["src"] or ""
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1]).startswith(b"\x89PNG")
    text = dom.joined
    for s in HOSTILE:
        assert s in text, s
    for f in report.active:
        assert f.role in text


def test_static_page_is_escaped_and_self_contained(report: ScanReport) -> None:
    page = render_html(report)
    assert page.startswith("<!DOCTYPE html>")
    head = page[: page.index("</head>")]
    assert head.index("Content-Security-Policy") < head.index("<title>")
    assert f'content="{CSP}"'.replace("'", "&#x27;") in head
    for s in HOSTILE[:2]:
        assert s not in page
    style = page[page.index("<style>"): page.index("</style>")]
    assert "url(" not in style and "@import" not in style
    dom = Dom(page)
    assert all("://" not in (v or "") for _, attrs in dom.elements for v in attrs.values())  # nothing to fetch
    assert_inert(dom, report)
    assert "5 findings: 2 critical, 1 high, 1 medium, 1 low; 1 unknown; 1 suppressed" in dom.joined


def test_sections_and_order(report: ScanReport) -> None:
    dom = Dom(render_html(report, pictures=False))
    ids = [attrs.get("id") for _, attrs in dom.elements if attrs.get("id")]
    assert ids.index("severity-critical") < ids.index("severity-high") < ids.index("severity-medium")
    assert {"summary", "zone", "inputs", "findings", "suppressed", "suppressions", "checks"} <= set(ids)
    assert dom.tags("img") == []
    text = dom.joined
    assert "AcceptedRisk" in text  # listed among suppressed findings
    assert "unknown: solver could not decide" in text
    assert "/RoleDetailList/1/AssumeRolePolicyDocument/Statement/0" in text
    assert "zones/<script>alert(1)</script>.toml" in text
    assert 'repo:acme/"><img src=x onerror=alert(1)>:*' in text


def test_attributes_never_carry_data(report: ScanReport) -> None:
    dom = Dom(render_html(report))
    for _, attrs in dom.elements:
        for value in attrs.values():
            for s in HOSTILE + ("111122223333", "exports/"):
                assert s not in (value or "")


def _chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.fail(
            "headless Chromium is required for the HTML report's XSS test and was not found on PATH; "
            "install Debian's package: apt-get update && apt-get install -y chromium (.ci/run does this)"
        )
    return path


def _run_chromium(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / "profile"
    profile.mkdir(exist_ok=True)
    env = dict(os.environ, HOME=str(tmp_path))
    return subprocess.run(
        [_chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True, text=True, timeout=180, env=env, stdin=subprocess.DEVNULL, check=False,
    )


def test_page_renders_inert_in_headless_chromium(report: ScanReport, tmp_path: Path) -> None:
    page_file = tmp_path / "report.html"
    page_file.write_text(render_html(report), encoding="utf-8")
    proc = _run_chromium(["--dump-dom", page_file.as_uri()], tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    dom_text = proc.stdout
    assert "<html" in dom_text, proc.stderr[-2000:]
    dom = Dom(dom_text)
    assert "5 findings: 2 critical, 1 high, 1 medium, 1 low; 1 unknown; 1 suppressed" in dom.joined
    assert [attrs.get("id") for attrs in dom.tags("p") if attrs.get("id")] == ["summary-line"]
    assert_inert(dom, report)
    # the hostile strings are still literal text inside the elements they were written to
    role_cells = [s for s in dom.text if SCRIPT in s or IMG in s or JS_URL in s]
    assert role_cells


def test_screenshot_is_taken(report: ScanReport, tmp_path: Path) -> None:
    page_file = tmp_path / "report.html"
    page_file.write_text(render_html(report), encoding="utf-8")
    shot = tmp_path / "shot.png"
    proc = _run_chromium(["--window-size=1200,1600", f"--screenshot={shot}", page_file.as_uri()], tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert shot.read_bytes().startswith(b"\x89PNG")


def test_browser_check_catches_a_missing_escape(report: ScanReport, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Negative control: with escaping switched off, the same browser check sees the injected elements."""
    import trustgraph.render.html as html_module

    monkeypatch.setattr(html_module, "esc", str)
    page_file = tmp_path / "broken.html"
    page_file.write_text(html_module.render_html(report, pictures=False), encoding="utf-8")
    proc = _run_chromium(["--dump-dom", page_file.as_uri()], tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    dom = Dom(proc.stdout)
    assert dom.tags("script") or any("onerror" in attrs for attrs in dom.tags("img"))
    with pytest.raises(AssertionError):
        assert_inert(dom, report)


def test_picture_budget(report: ScanReport) -> None:
    dom = Dom(render_html(report, max_pictures=1))
    assert len(dom.tags("img")) == 1
    assert "Path picture left out (more than 1 pictures)." in dom.joined


def test_index_links_every_finding_in_severity_order(report: ScanReport) -> None:
    page = render_html(report, pictures=False)
    dom = Dom(page)
    ids = [attrs["id"] for _, attrs in dom.elements if (attrs.get("id") or "").startswith("finding-")]
    assert ids == [f"finding-{i}" for i in range(1, len(report.active) + 1)]
    index = page[page.index('<section id="index">'):page.index("</section>", page.index('<section id="index">'))]
    assert page.index('<section id="index">') < page.index('<section id="findings">')
    linked = re.findall(r'href="#(finding-\d+)"', index)
    assert sorted(set(linked), key=lambda x: int(x.split("-")[1])) == ids
    badges = re.findall(r'<span class="badge (\w+)">', index)
    assert badges == ["critical", "critical", "high", "medium", "low"]


def test_witness_context_folds_what_the_policy_does_not_read(report: ScanReport) -> None:
    """Keys the hop's statement reads (and the few always telling ones) are shown; the rest is in <details>."""
    from dataclasses import replace

    chain = next(f for f in report.active if f.check_id == "external-path-to-admin")
    first_hop = chain.path[0]
    keyed = replace(report, read_keys={first_hop.statements[0]: frozenset({"aws:sourceip"})})
    page = render_html(keyed, pictures=False)
    article = page[page.index(f'id="finding-{[f.check_id for f in report.active].index(chain.check_id) + 1}"'):]
    article = article[:article.index("</article>")]
    start = article.index("<tbody><tr><td>1</td>")
    row = article[start:article.index("</tr>", start)]
    shown, folded = row.split("<details>", 1)
    assert "aws:SourceIp" in shown and "aws:PrincipalTag/team" not in shown
    assert "aws:PrincipalTag/team" in folded and "1 more key of the request" in folded
    second = article[article.index("<tr><td>2</td>"):]
    assert "sts:ExternalId" in second.split("<details>", 1)[0]  # always telling


def test_checks_table_has_fixed_readable_columns(report: ScanReport) -> None:
    page = render_html(report, pictures=False)
    checks = page[page.index('<section id="checks">'):]
    assert '<table class="checks fixed"><colgroup>' in checks
    assert "overflow-wrap:anywhere" not in page.split("<style>")[1].split("</style>")[0].split("code,.mono")[1][80:]


def test_statements_show_file_and_line_when_known(report: ScanReport) -> None:
    from dataclasses import replace

    from trustgraph.render.positions import Position

    loc = next(f for f in report.active if f.check_id == "oidc-any-subject").statements[0]
    page = render_html(replace(report, positions={loc: Position(42, 9)}), pictures=False)
    assert f"<code>{loc.file}:42</code>" in page


def test_path_picture_classes() -> None:
    from trustgraph.render.pathplot import COLOURS, LEGEND, node_class

    zone = {"111122223333"}
    assert node_class("account:444455556666", zone) == "outside"
    assert node_class("account:111122223333", zone) == "inside"
    assert node_class("external", zone) == node_class("*", zone) == "outside"
    assert node_class("federated:arn:aws:iam::111122223333:oidc-provider/x", zone) == "federated"
    assert node_class("service:ec2.amazonaws.com", zone) == "service"
    assert node_class("arn:aws:iam::444455556666:role/Vendor", zone) == "outside"
    assert node_class("arn:aws:iam::111122223333:role/Ours", zone) == "inside"
    assert len({COLOURS[k] for k in ("outside", "federated", "service", "inside")}) == 4
    assert "dashed line" in LEGEND


def test_screenshots_at_two_widths(report: ScanReport, tmp_path: Path) -> None:
    """The page lays out at 1400 and 800 pixels (looked at by a person when the layout changes; here: it renders)."""
    page_file = tmp_path / "report.html"
    page_file.write_text(render_html(report), encoding="utf-8")
    for width in (1400, 800):
        shot = tmp_path / f"shot-{width}.png"
        proc = _run_chromium([f"--window-size={width},2000", f"--screenshot={shot}", page_file.as_uri()], tmp_path)
        assert proc.returncode == 0, proc.stderr[-2000:]
        assert shot.read_bytes().startswith(b"\x89PNG")
