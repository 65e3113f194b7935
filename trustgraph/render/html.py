"""The HTML report: one self-contained file (no network, no script) a reviewer can open or attach to a ticket.

Contents: title, summary counts, an index of the findings by severity (each linked to its entry), zone of trust,
inputs, findings grouped by severity (role, who gets in, message, remediation, statements as ``file:line`` and JSON
pointer, the path as a table of hops whose witness context shows the keys the hop's statements read, and a few that
always matter, first, with the rest folded in a ``<details>`` element), for each critical or high finding a picture of
its path (:mod:`trustgraph.render.pathplot`, an inline base64 PNG, with the zone boundary and colours for outsiders,
federated and service sources), suppressed findings, suppressions and the checks that ran.

Size: a path table over :data:`FOLD_ABOVE` hops shows its first and last :data:`FOLD_KEEP` hops, the others in a
collapsed ``<details>``. A report of more than :data:`COMPACT_ABOVE` findings is *compact*, so that its size grows with
the number of findings and not with the length of their paths (a page says so above its findings): each distinct hop
(full ARNs, statements and witness request) is written once in a Hops section, the request keys most hops share once
as request defaults (an entry lists only the keys that differ); a finding's path is a line of its hops linked to
their entries, folded past :data:`FOLD_ABOVE` hops, those on a prefix that is another finding's whole path a link to
that finding; statements are ``file:line`` relative to their common directory (JSON pointers in the JSON report),
those on the path left to the hops' entries and the others past the first few folded; other sources past
:data:`ALSO_SHOWN` folded; a folded list another finding already shows is a link to it; What to change, when it is
the check's own text, a link to the check's row in Checks run; a message's path (which the Path line shows) replaced
by "see Path"; each approximation written once and linked (:mod:`trustgraph.render.html_compact`); at most
:data:`COMPACT_PICTURES` pictures, none of a path over :data:`FOLD_ABOVE` hops. random:8 at 2,000 roles (2,207
findings, paths of up to 92 hops): 56 MB and 62-75 s in headless Chromium before any of this, 12.6 MB with hops once
and folded paths, 7.3 MB with folded lists, request defaults and linked remediations, 6.5 MB with messages without
their paths, approximations once and the external-without-* findings grouped under the admin roles they pass through.
Every hop of every path stays reachable by links; the JSON report holds the same findings.

Safety: exports are attacker-controlled text (role names, tags, condition values). Every such string passes through
:func:`esc` (``html.escape`` with ``quote=True``) and lands only in element content or in quoted attributes that
contain no data (``id``/``class`` values come from fixed vocabularies, image ``src`` is base64 of bytes we drew, and the
only links are in-page: ``href="#finding-N"``, and in a compact report ``#hop-N``, ``#hops``, ``#request-defaults``,
``#approximations``, ``#approximation-N`` and ``#check-ID`` for a check id of the catalog's form, :data:`_CHECK_ID`).
The page has no ``<script>`` and no link out of the page, and a Content-Security-Policy meta tag (``default-src
'none'; img-src data:; style-src 'unsafe-inline'``) as the first element of ``<head>``, so even a missed escape could
neither run script nor fetch anything.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from trustgraph.checks.finding import MAX_LISTED_SOURCES, Finding, FindingKind, Severity
from trustgraph.model.location import Location
from trustgraph.queries.results import HopWitness
from trustgraph.render.zone_text import zone_lines, zone_origin
from trustgraph.report.scan_report import SEVERITY_ORDER, ScanReport, SuppressionRecord

if TYPE_CHECKING:
    from trustgraph.render.html_compact import Default, Hops

#: The Content-Security-Policy of the report page.
CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"

#: Paths over this many hops are folded in their table: the first and last FOLD_KEEP hops shown, the others in a
#: collapsed ``<details>`` (random:8's chains run to 92 hops).
FOLD_ABOVE = 12
FOLD_KEEP = 3

#: Reports with more active findings than this are compact (:class:`Hops`): the bundled example (34) is not; at
#: random:8 (2,207 findings) the full page was 56 MB and headless Chromium took 62-75 s over it, and random:2's
#: 199 findings were 11.5 MB (162 pictures, 6.4 MB).
COMPACT_ABOVE = 100

#: At most this many path pictures (~36 kB each) in a compact report.
COMPACT_PICTURES = 30

#: A compact report's finding lists this many of its other sources (``Also``), the rest folded.
ALSO_SHOWN = 3

#: Check ids that may stand in an ``id``/``href`` (the catalog's ids all do).
_CHECK_ID = re.compile(r"[a-z0-9][a-z0-9-]*")

#: Severities that get a path picture.
PICTURED: frozenset[Severity] = frozenset({Severity.CRITICAL, Severity.HIGH})

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:0;color:#1d232b;
background:#f6f7f9}
main{max-width:1100px;margin:0 auto;padding:1.5em}
h1{margin:.2em 0}h2{border-bottom:2px solid #d5dae1;padding-bottom:.2em;margin-top:1.6em}
code,.mono{font-family:"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:12.5px;overflow-wrap:anywhere}
table{border-collapse:collapse;width:100%;margin:.5em 0}
th,td{border:1px solid #d5dae1;padding:.3em .5em;text-align:left;vertical-align:top;overflow-wrap:break-word}
table.fixed{table-layout:fixed}
table.checks col.c-id{width:19%}table.checks col.c-title{width:19%}table.checks col.c-sev{width:12%}
table.index col.c-n{width:3em}table.index col.c-sev{width:6.5em}table.index col.c-check{width:24%}
table.index col.c-who{width:30%}
a{color:#1f5fa8;text-decoration:none}a:hover{text-decoration:underline}
details>summary{cursor:pointer;color:#1f5fa8}
details.through{margin:0 0 1.2em 2em;padding-left:.8em;border-left:3px solid #c9d6e8}
.layout{display:grid;grid-template-columns:minmax(0,1fr) auto;gap:1em;align-items:start}
@media (max-width:1000px){.layout{grid-template-columns:minmax(0,1fr)}}

th{background:#eef1f5}
.counts td,.counts th{text-align:center;width:12%}
table.path{table-layout:fixed}
table.path th:nth-child(1){width:2.2em}table.path th:nth-child(2){width:22%}table.path th:nth-child(3){width:14%}
table.path th:nth-child(4){width:26%}
th{overflow-wrap:normal}
.finding{background:#fff;border:1px solid #d5dae1;border-left:6px solid #888;border-radius:4px;padding:.6em 1em;
margin:1em 0}
.sev-critical{border-left-color:#8b0000}.sev-high{border-left-color:#d9342b}.sev-medium{border-left-color:#e0a800}
.sev-low{border-left-color:#2b7bb9}
.badge{display:inline-block;border-radius:3px;padding:0 .45em;font-size:12px;font-weight:600;color:#fff;
background:#888;margin-right:.3em}
.badge.critical{background:#8b0000}.badge.high{background:#d9342b}.badge.medium{background:#b58900}
.badge.low{background:#2b7bb9}.badge.unknown{background:#6c3483}.badge.approximate{background:#5d6d7e}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2em 1em;margin:.5em 0}dt{font-weight:600}dd{margin:0}
ul.plain{margin:0;padding-left:1.1em}
figure{margin:0;max-width:370px}figure img{width:100%;border:1px solid #d5dae1;background:#fff}
figcaption{font-size:12px}
.summary-line{font-size:1.1em;font-weight:600}
.muted{color:#5d6d7e}
"""


def esc(value: object) -> str:
    """Escape any value for HTML text or a quoted attribute (``&``, ``<``, ``>``, ``"`` and ``'``)."""
    return html.escape(str(value), quote=True)


def render_html(report: ScanReport, *, pictures: bool = True, max_pictures: int = 200,
                compact: bool | None = None) -> str:
    """The report as one self-contained HTML page.

    Parameters
    ----------
    report
        The scan report.
    pictures
        Draw a path picture for each critical or high finding (matplotlib); False for a faster, text-only page.
    max_pictures
        At most this many distinct pictures (each ~20 kB); findings past it say that their picture was left out.
    compact
        Write each distinct hop once (:class:`Hops`) and at most :data:`COMPACT_PICTURES` pictures, none of a path
        over :data:`FOLD_ABOVE` hops; None: when the report has more than :data:`COMPACT_ABOVE` active findings.
    """
    summary = report.summary
    if compact is None:
        compact = len(report.active) > COMPACT_ABOVE
    if compact:
        from trustgraph.render.html_compact import Hops
    hops = Hops(report) if compact else None
    if compact:
        max_pictures = min(max_pictures, COMPACT_PICTURES)
    drawn: dict[tuple[tuple[str, str, str, int, bool], ...], str] = {}
    parts: list[str] = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        f'<meta http-equiv="Content-Security-Policy" content="{esc(CSP)}">',
        '<meta charset="utf-8">',
        '<meta name="referrer" content="no-referrer">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(report.tool_name)} scan report</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        "<main>",
        f"<h1>{esc(report.tool_name)} scan report</h1>",
        f'<p class="muted">Generated {esc(report.generated_at)} by {esc(report.tool_name)} '
        f"{esc(report.tool_version)}.</p>",
        *(f'<p class="muted zone-line">{esc(line)}</p>' for line in zone_lines(report.zone)[:1]),
        '<section id="summary">',
        "<h2>Summary</h2>",
        f'<p class="summary-line" id="summary-line">{esc(summary.line())}</p>',
        '<table class="counts"><thead><tr>',
        *(f"<th>{esc(s.value)}</th>" for s in SEVERITY_ORDER),
        "<th>unknown</th><th>approximate</th><th>suppressed</th></tr></thead><tbody><tr>",
        *(f"<td>{summary.by_severity[s.value]}</td>" for s in SEVERITY_ORDER),
        f"<td>{summary.by_kind[FindingKind.UNKNOWN.value]}</td><td>{summary.approximate}</td>"
        f"<td>{summary.suppressed}</td></tr></tbody></table>",
        "</section>",
        _index_section(report),
        _zone_section(report.zone),
        '<section id="inputs"><h2>Inputs</h2>',
        _list((f"<code>{esc(i)}</code>" for i in report.inputs), empty="(none)"),
        "</section>",
        '<section id="findings"><h2>Findings</h2>',
    ]
    active = report.active
    if not active:
        parts.append("<p>No findings.</p>")
    if hops is not None:
        relative = (f" Statement files are named relative to <code>{esc(hops.base)}</code>." if hops.base else "")
        parts.append(f'<p class="muted" id="compact-note">{len(active)} findings, written compactly: each path is a '
                     f'line of its hops, each linked to its entry in <a href="#hops">Hops</a>, where every distinct '
                     f"hop (full ARNs, statements and witness request) is written once, and request keys most hops "
                     f"share once as defaults; paths over {FOLD_ABOVE} hops show the first and last {FOLD_KEEP} with "
                     f"the others folded; statements are given by file and line, their JSON pointers are in the "
                     f"JSON report (--format json), which holds the same findings; a check's standard change is in "
                     f"Checks run; a message's path is left to the Path line (see Path); approximations are "
                     f'written once in <a href="#approximations">Approximations</a>; at most {max_pictures} path '
                     f"pictures, none of a path over {FOLD_ABOVE} hops."
                     f"{relative}</p>")
    number = 0
    grouped = report.grouped_active()
    for severity in SEVERITY_ORDER:
        group = [(f, under) for f, under in grouped if f.severity is severity]
        if not group:
            continue
        count = sum(1 + len(under) for _, under in group)
        parts.append(f'<h3 id="severity-{severity.value}">{esc(severity.value.capitalize())} ({count})</h3>')
        for finding, under in group:
            number += 1
            parts.append(_finding(finding, number, pictures and severity in PICTURED, drawn, max_pictures, report,
                                  hops))
            if under:
                parts.append(f'<details class="through"><summary>{esc(_through_line(finding, under))}</summary>')
                for child in under:
                    number += 1
                    parts.append(_finding(child, number, False, drawn, max_pictures, report, hops))
                parts.append("</details>")
    parts.append("</section>")
    if hops is not None:
        parts.append(hops.section())
        parts.append(hops.approximations_section())
    parts.append(_suppressed_section(report.suppressed))
    parts.append(_suppressions_section(report))
    parts.append(_checks_section(report, anchored=compact))
    parts += ["</main>", "</body>", "</html>", ""]
    return "\n".join(parts)


def _index_section(report: ScanReport) -> str:
    """The findings by severity, one row each (check, role, who gets in), each linked to its entry below."""
    from trustgraph.render.table import reached_noun, source_label

    out = ['<section id="index"><h2>Index of findings</h2>']
    active = report.active
    if not active:
        out.append("<p>No findings.</p></section>")
        return "\n".join(out)
    out.append('<table class="index fixed"><colgroup><col class="c-n"><col class="c-sev"><col class="c-check">'
               '<col class="c-role"><col class="c-who"></colgroup><thead><tr><th>#</th><th>Severity</th>'
               "<th>Check</th><th>Role</th><th>Who gets in</th></tr></thead><tbody>")
    number = 0
    for severity in SEVERITY_ORDER:
        for f, under in ((f, u) for f, u in report.grouped_active() if f.severity is severity):
            number += 1
            check = esc(f.check_id) + (" (unknown)" if f.kind is FindingKind.UNKNOWN else "")
            who = esc(source_label(f.source)) if f.source not in ("-", "") else '<span class="muted">-</span>'
            if under:
                who += f' <span class="muted">(+{len(under)} {reached_noun(under)} ' \
                       f'through it: #{number + 1}-#{number + len(under)})</span>'
            out.append(
                f'<tr><td><a href="#finding-{number}">{number}</a></td>'
                f'<td><span class="badge {severity.value}">{esc(severity.value)}</span></td>'
                f"<td><code>{check}</code></td>"
                f'<td><a href="#finding-{number}"><code>{esc(_role_name(f.role))}</code></a> '
                f'<span class="muted">{esc(f.account)}</span></td><td>{who}</td></tr>'
            )
            number += len(under)  # they are numbered after it, under it
    out.append("</tbody></table></section>")
    return "\n".join(out)


def _through_line(finding: Finding, under: tuple[Finding, ...]) -> str:
    """The heading of the findings reached through ``finding`` (:meth:`ScanReport.grouped_active`)."""
    n = len(under)
    from trustgraph.render.table import reached_noun

    return (f"Also reaches {n} more {reached_noun(under)} through it (fixing this finding cuts "
            f"{'their paths' if n != 1 else 'its path'}): " + ", ".join(_role_name(f.role) for f in under[:5])
            + (f" and {n - 5} more" if n > 5 else ""))


def _role_name(arn: str) -> str:
    """The role's name with its path (``role/ops/Deploy`` -> ``ops/Deploy``), or the ARN when it is not one."""
    resource = arn.split(":", 5)[5] if arn.count(":") >= 5 else arn
    return resource.split("/", 1)[1] if "/" in resource else resource


def _finding(finding: Finding, number: int, picture: bool,
             drawn: dict[tuple[tuple[str, str, str, int, bool], ...], str], max_pictures: int,
             report: ScanReport | None = None, hops: Hops | None = None) -> str:
    from trustgraph.render import html_compact as _compact
    from trustgraph.render.table import path_text, who_gets_in

    report = report if report is not None else ScanReport()
    sev = finding.severity.value
    badges = [f'<span class="badge {sev}">{esc(sev)}</span>']
    if finding.kind is FindingKind.UNKNOWN:
        badges.append('<span class="badge unknown">unknown: solver could not decide</span>')
    if finding.approximate:
        badges.append('<span class="badge approximate">approximate</span>')
    title = finding.title or finding.check_id
    who = who_gets_in(finding)
    out = [
        f'<article class="finding sev-{sev}" id="finding-{number}">',
        f"<h4>{number}. {''.join(badges)} <code>{esc(finding.check_id)}</code> {esc(title)}</h4>",
        '<div class="layout"><div>',
        "<dl>",
        f"<dt>Role</dt><dd><code>{esc(finding.role)}</code></dd>",
        f"<dt>Who gets in</dt><dd>{esc(who) if who else '-'} <span class=\"muted\">(source "
        f"<code>{esc(finding.source)}</code>)</span></dd>",
        *_other_sources(finding, folded=(hops, number) if hops is not None else None),
    ]
    if finding.path:
        out.append(f"<dt>Path</dt><dd><code>{esc(path_text(finding.path))}</code></dd>")
    out += [
        f"<dt>Message</dt><dd>{esc(finding.message if hops is None else _compact.short_message(finding))}</dd>",
        f"<dt>What to change</dt><dd>{_remediation(finding, report, hops)}</dd>",
        "<dt>Statements</dt><dd>" + (_locations(finding.statements, report) if hops is None else
                                     _compact.statements(finding, report, hops, number)) + "</dd>",
    ]
    if finding.approximations:
        listed = (_list(esc(a) for a in finding.approximations) if hops is None else
                  hops.approximations(finding.approximations))
        out.append(f"<dt>Approximations</dt><dd>{listed}</dd>")
    out.append("</dl></div>")
    if finding.path and picture and hops is not None and len(finding.path) > FOLD_ABOVE:
        out.append(f'<p class="muted">No path picture for a path of {len(finding.path)} hops: see its table.</p>')
    elif finding.path and picture:
        data = _picture(finding.path, drawn, max_pictures, report)
        if data is None:
            out.append(f'<p class="muted">Path picture left out (more than {max_pictures} pictures).</p>')
        else:
            from trustgraph.render.pathplot import LEGEND

            out.append(
                f'<figure><img src="data:image/png;base64,{data}" alt="Path picture of finding {number}">'
                f'<figcaption class="muted">{esc(LEGEND)}.</figcaption></figure>'
            )
    out.append("</div>")
    if finding.path:
        out.append(_path_table(finding.path, report, hops))
    out.append("</article>")
    return "\n".join(out)


def _picture(hops: tuple[HopWitness, ...], drawn: dict[tuple[tuple[str, str, str, int, bool], ...], str],
             max_pictures: int, report: ScanReport | None = None) -> str | None:
    """Base64 PNG of a path, drawn once per distinct picture; None past ``max_pictures``."""
    key = tuple((h.source, h.target, h.action, len(h.context), bool(h.approximations)) for h in hops)
    if key not in drawn:
        if len(drawn) >= max_pictures:
            return None
        from trustgraph.render.pathplot import draw_path

        zone = report.zone if report is not None else {}
        accounts = tuple(str(a) for a in (zone.get("inside_accounts") or zone.get("accounts") or ()))
        drawn[key] = base64.b64encode(draw_path(hops, zone_accounts=accounts)).decode("ascii")
    return drawn[key]


def _path_table(hops: Iterable[HopWitness], report: ScanReport | None = None, index: Hops | None = None) -> str:
    """The path as a table, one row per hop; over :data:`FOLD_ABOVE` hops the middle rows are folded in a
    ``<details>`` (still in the page). With ``index`` each row links to its hop's entry in :class:`Hops` instead of
    repeating its statements and witness request, and the folded hops are one line of linked role names."""
    report = report if report is not None else ScanReport()
    path = list(hops)
    if index is not None:
        from trustgraph.render.html_compact import hop_line

        return hop_line(path, index)
    head = ('<table class="path"><thead><tr><th>#</th><th>From</th><th>Action</th><th>To (allowed by)</th>'
            "<th>Witness request (keys the policy reads first)</th></tr></thead><tbody>")

    def row(i: int, hop: HopWitness) -> str:
        return (f"<tr><td>{i}</td><td><code>{esc(hop.source)}</code></td><td><code>{esc(hop.action)}</code></td>"
                f"<td><code>{esc(hop.target)}</code>{_locations(hop.statements, report)}</td>"
                f"<td>{_context(hop, report)}</td></tr>")

    if len(path) <= FOLD_ABOVE:
        return head + "".join(row(i, hop) for i, hop in enumerate(path, start=1)) + "</tbody></table>"
    middle = path[FOLD_KEEP:-FOLD_KEEP]
    last_first = len(path) - FOLD_KEEP + 1
    inner = head + "".join(row(i, hop) for i, hop in enumerate(middle, start=FOLD_KEEP + 1)) + "</tbody></table>"
    return (head + "".join(row(i, hop) for i, hop in enumerate(path[:FOLD_KEEP], start=1)) + "</tbody></table>"
            f'<details class="hops"><summary>{len(middle)} more hops ({FOLD_KEEP + 1}-{last_first - 1} of '
            f"{len(path)})</summary>{inner}</details>"
            + head + "".join(row(i, hop) for i, hop in enumerate(path[-FOLD_KEEP:], start=last_first))
            + "</tbody></table>")


#: Context keys shown unfolded whenever present: what a reviewer checks first in any witness (lowercase).
TELLING_KEYS = frozenset({
    "sts:externalid", "aws:multifactorauthpresent", "aws:principalarn", "aws:principalorgid", "aws:sourceaccount",
    "aws:sourcearn", "aws:sourceidentity", "saml:aud", "saml:sub",
})


def telling_keys(hop: HopWitness, report: ScanReport) -> list[str]:
    """The hop's context keys a reviewer should see first: those its statements read, the :data:`TELLING_KEYS`
    and token claims ``...:sub``/``...:aud`` (in context order); the rest can be folded."""
    read = set(TELLING_KEYS)
    for loc in hop.statements:
        read |= report.read_keys.get(loc, frozenset())
    return [k for k in sorted(hop.context) if k.lower() in read or k.lower().endswith((":sub", ":aud"))]


def _shown(value: Any) -> str:
    """A request value as the page shows it."""
    return ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)


def _context(hop: HopWitness, report: ScanReport, defaults: Mapping[str, Default] | None = None) -> str:
    """The hop's witness request: its :func:`telling_keys` (and approximations) shown, the other keys folded; with
    ``defaults`` (:meth:`Hops.defaults`) the folded part lists only the keys that differ from them."""
    ctx = hop.context_json()

    def item(key: str) -> str:
        return f"<code>{esc(key)}</code> = <code>{esc(_shown(ctx[key]))}</code>"

    first = telling_keys(hop, report)
    rest = [k for k in sorted(ctx) if k not in first]
    items = [item(k) for k in first]
    if hop.approximations:
        items += [f'<span class="muted">approximate: {esc(a)}</span>' for a in hop.approximations]
    out = _list(items, empty='<span class="muted">(no key the policy reads)</span>')
    if defaults is not None:
        from trustgraph.render.html_compact import against_defaults

        return out + against_defaults(hop, ctx, rest, defaults)
    if rest:
        out += (f"<details><summary>{len(rest)} more key{'s' if len(rest) != 1 else ''} of the request</summary>"
                f"{_list(item(k) for k in rest)}</details>")
    return out


def _relative(file: str, base: str) -> str:
    return file[len(base):] if base and file.startswith(base) else file


def _locations(locs: Iterable[Location], report: ScanReport | None = None, *, base: str | None = None) -> str:
    """Statements as ``file:line`` and JSON pointer; with ``base`` (a compact report) as file (relative to
    ``base``) and line only, the pointers left to the JSON report."""
    positions = report.positions if report is not None else {}

    def one(loc: Location) -> str:
        pos = positions.get(loc)
        if pos is None:
            return f"<code>{esc(loc)}</code>"
        if base is not None:
            return f"<code>{esc(_relative(loc.file, base))}:{pos.line}</code>"
        return (f"<code>{esc(loc.file)}:{pos.line}</code> "
                f'<span class="muted"><code>#{esc(loc.pointer)}</code></span>')

    return _list((one(loc) for loc in locs), empty='<span class="muted">(none)</span>')


def _list(items: Iterable[str], *, empty: str = "") -> str:
    """A list of already-escaped HTML fragments."""
    items = list(items)
    if not items:
        return empty
    return '<ul class="plain">' + "".join(f"<li>{i}</li>" for i in items) + "</ul>"


def _other_sources(finding: Finding, limit: int = MAX_LISTED_SOURCES, *,
                   folded: tuple[Hops, int] | None = None) -> list[str]:
    """``Also`` with the other sources that get in (each with its hop count), at most ``limit`` listed; ``folded``
    (a compact report's hops and the finding's number): the first :data:`ALSO_SHOWN` shown, the others in a
    collapsed ``<details>``, written once (:meth:`~trustgraph.render.html_compact.Hops.once`)."""
    others = finding.all_sources[1:]
    if not others:
        return []
    items = [f"<code>{esc(s.source)}</code> ({s.hops} hop{'s' if s.hops != 1 else ''})" if s.hops else
             f"<code>{esc(s.source)}</code>" for s in others[:limit]]
    if len(others) > limit:
        items.append(f"and {len(others) - limit} more")
    if folded is not None and len(items) > ALSO_SHOWN + 1:
        hops, number = folded
        more = f"{len(others) - ALSO_SHOWN} more sources"
        return [f"<dt>Also</dt><dd>{_list(items[:ALSO_SHOWN])}"
                f"{hops.once(f'<details><summary>{more}</summary>{_list(items[ALSO_SHOWN:])}</details>', number, more)}"
                "</dd>"]
    return [f"<dt>Also</dt><dd>{_list(items)}</dd>"]


def _remediation(finding: Finding, report: ScanReport, hops: Hops | None) -> str:
    """What to change: in a compact report a link to the check's row in Checks run when the finding's text is the
    check's own (random:8: 2,207 findings, 1 MB of the same few texts)."""
    check = report.check(finding.check_id) if hops is not None else None
    if check is None or finding.remediation != check.remediation or not _CHECK_ID.fullmatch(check.id):
        return esc(finding.remediation)
    return f'<a href="#check-{check.id}">as in Checks run</a>'


def _zone_section(zone: Mapping[str, Any]) -> str:
    out = ['<section id="zone"><h2>Zone of trust</h2><dl>']
    for key in ("accounts", "organizations"):
        values = _list((f"<code>{esc(v)}</code>" for v in zone.get(key) or []), empty="(none)")
        out.append(f"<dt>{esc(key.capitalize())}</dt><dd>{values}</dd>")
    providers = []
    for p in zone.get("identity_providers") or []:
        entry: Mapping[str, Any] = p if isinstance(p, Mapping) else {"provider": p}
        subjects = entry.get("subjects")
        text = f"<code>{esc(entry.get('provider', ''))}</code>"
        if subjects is not None:
            text += " subjects: " + ", ".join(f"<code>{esc(s)}</code>" for s in subjects)
        providers.append(text)
    out.append(f"<dt>Identity providers</dt><dd>{_list(providers, empty='(none)')}</dd>")
    out.append(f"<dt>IAM Identity Center</dt><dd>{esc(zone.get('identity_center', 'inside'))}</dd>")
    out.append(f"<dt>Given by</dt><dd>{esc(zone_origin(zone))}</dd>")
    notes = [esc(n) for n in zone.get("notes") or []]
    if notes:
        out.append(f"<dt>Notes</dt><dd>{_list(notes, empty='')}</dd>")
    out.append("</dl></section>")
    return "\n".join(out)


def _suppressed_section(findings: tuple[Finding, ...]) -> str:
    out = [f'<section id="suppressed"><h2>Suppressed findings ({len(findings)})</h2>']
    if not findings:
        out.append("<p>None.</p>")
    else:
        out.append("<table><thead><tr><th>Severity</th><th>Check</th><th>Role</th><th>Source</th>"
                   "<th>Suppressed by</th></tr></thead><tbody>")
        for f in findings:
            out.append(
                f"<tr><td>{esc(f.severity.value)}</td><td><code>{esc(f.check_id)}</code></td>"
                f"<td><code>{esc(f.role)}</code></td><td><code>{esc(f.source)}</code></td>"
                f"<td>{esc(f.suppressed_by)}</td></tr>"
            )
        out.append("</tbody></table>")
    out.append("</section>")
    return "\n".join(out)


def _suppressions_section(report: ScanReport) -> str:
    sup = report.suppressions
    out = ['<section id="suppressions"><h2>Suppressions</h2>']
    for label, records in (("Applied", sup.applied), ("Expired", sup.expired), ("Unused", sup.unused)):
        out.append(f"<h3>{label} ({len(records)})</h3>")
        out.append(_suppression_table(records))
    out.append("</section>")
    return "\n".join(out)


def _suppression_table(records: tuple[SuppressionRecord, ...]) -> str:
    if not records:
        return "<p>None.</p>"
    rows = ["<table><thead><tr><th>Check</th><th>Role glob</th><th>Source</th><th>Reason</th><th>Expires</th>"
            "<th>Matched</th><th>Where</th></tr></thead><tbody>"]
    for r in records:
        rows.append(
            f"<tr><td><code>{esc(r.check_id)}</code></td><td><code>{esc(r.role)}</code></td>"
            f"<td><code>{esc(r.source if r.source is not None else '*')}</code></td><td>{esc(r.reason)}</td>"
            f"<td>{esc(r.expires or '')}</td><td>{r.matched}</td><td><code>{esc(r.location)}</code></td></tr>"
        )
    rows.append("</tbody></table>")
    return "".join(rows)


def _checks_section(report: ScanReport, *, anchored: bool = False) -> str:
    """The checks that ran, one row each; ``anchored`` (a compact report): rows have ids ``check-ID`` that the
    findings' What to change links to."""
    out = [f'<section id="checks"><h2>Checks run ({len(report.checks_run)})</h2>']
    if report.checks_run:
        out.append('<table class="checks fixed"><colgroup><col class="c-id"><col class="c-title"><col class="c-sev">'
                   '<col><col></colgroup><thead><tr><th>Id</th><th>Title</th><th>Severity</th><th>Why it matters</th>'
                   "<th>What to change</th></tr></thead><tbody>")
        for c in report.checks_run:
            rule = c.severity_rule or c.severity.value
            anchor = f' id="check-{c.id}"' if anchored and _CHECK_ID.fullmatch(c.id) else ""
            out.append(
                f"<tr{anchor}><td><code>{esc(c.id)}</code></td><td>{esc(c.title)}</td><td>{esc(rule)}</td>"
                f"<td>{esc(c.rationale)}</td><td>{esc(c.remediation)}</td></tr>"
            )
        out.append("</tbody></table>")
    out.append("</section>")
    return "\n".join(out)
