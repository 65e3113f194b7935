"""The terminal report: one block per finding, grouped by severity (critical first), then a summary and a legend.

Each finding says what a reviewer needs to act on it without opening the JSON::

    critical  public-role  arn:aws:iam::111122223333:role/WildcardExternalIdOnlyRole
      who    anyone: any AWS account (witness: account 987654321098, named nowhere in the exports)
      path   acct 987654321098 ─[ExtId]→ WildcardExternalIdOnlyRole
      what   Any AWS principal of any account can assume the role (...).
      fix    Replace Principal "*" with the account or role ARNs that need access, ...
      where  WildcardExternalIdOnlyRole: gaad-111122223333.json:630

``who`` is the most specific source that gets in and how many others do; ``path`` the chain of roles with marks for
what the witness request of each hop carried; ``where`` the statement's file and line (``file#pointer`` when the line
is unknown; per hop, the statement that lets it in). Lines fit the given width and break between words only; a
word longer than the line (an ARN) is shortened in the middle (the JSON report has it in full). Every string from
the exports goes through :func:`clean` (control characters shown as escapes) and reaches the terminal as
:class:`rich.text.Text`, never as markup, so a role named ``[bold]x[/]`` prints as written. Colours only when
asked for (the CLI asks when stdout is a terminal).
"""

from __future__ import annotations

import io
import os
import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING

from trustgraph.checks.finding import Finding, FindingKind, Severity
from trustgraph.report.scan_report import SEVERITY_ORDER, ScanReport
from trustgraph.safe_text import terminal_text

if TYPE_CHECKING:
    from rich.text import Text

    from trustgraph.model.location import Location
    from trustgraph.queries.results import HopWitness

#: Marker for findings resting on an over-approximation.
APPROX_MARK = "~"
#: The arrow of one hop; marks go inside it: ``─[ExtId,MFA]→``.
ARROW = "→"
#: Marks on a hop's arrow, from the witness request of the hop.
EXTERNAL_ID_MARK = "ExtId"
MFA_MARK = "MFA"
#: Default and smallest width.
DEFAULT_WIDTH = 100
MIN_WIDTH = 40
#: The label column of a finding's detail lines.
LABEL_WIDTH = 9

LEGEND: tuple[tuple[str, str], ...] = (
    (f"A {ARROW} B", "A can obtain B's credentials (sts:AssumeRole; other actions are named on the arrow)"),
    (f"[{EXTERNAL_ID_MARK}]", "the hop's witness request sends sts:ExternalId (the value the policy accepts)"),
    (f"[{MFA_MARK}]", "the hop's caller presents MFA (aws:MultiFactorAuthPresent true)"),
    (APPROX_MARK, "the answer rests on an over-approximation (the JSON report says which construct, where)"),
    ("(unknown)", "the solver could not decide in time; never read as safe"),
    ("\u2026", "shortened to fit the line; the JSON report has the full value"),
)

_STYLE = {
    Severity.CRITICAL: "bold white on red",
    Severity.HIGH: "bold red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
}


_ACTION_NAMES = {
    "sts:AssumeRole": "",
    "sts:AssumeRoleWithWebIdentity": "WebIdentity",
    "sts:AssumeRoleWithSAML": "SAML",
}


def clean(text: str) -> str:
    """``text`` with control characters replaced by visible escapes (``\\x1b``), so data cannot drive the terminal."""
    return terminal_text(text)


def shorten_middle(text: str, limit: int) -> str:
    """``text`` when it fits in ``limit`` characters, else its start and end around ``…``.

    >>> shorten_middle("arn:aws:iam::111122223333:role/VeryLongRoleName", 30)
    'arn:aws:iam::1\u2026eryLongRoleName'
    """
    if len(text) <= limit:
        return text
    if limit <= 1:
        return "\u2026"[:limit]
    head = (limit - 1) // 2
    tail = limit - 1 - head
    return text[:head] + "\u2026" + (text[-tail:] if tail else "")


def wrap(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` characters, broken between words only; a word longer than a line is
    shortened in the middle."""
    width = max(width, 1)
    words = [shorten_middle(w, width) for w in text.split(" ") if w]  # a no-break space keeps its words together
    return textwrap.wrap(" ".join(words), width, break_long_words=False, break_on_hyphens=False) or [""]


def render_table(report: ScanReport, *, color: bool = False, width: int | None = None) -> str:
    """The findings, one block each, grouped by severity; then the summary line, suppression warnings and legend.

    Parameters
    ----------
    report
        The scan report (its ``positions`` give the statements' lines).
    color
        Emit ANSI colours (only when writing to a terminal).
    width
        Line width (default 100; at least 40). The CLI passes the terminal's width, or ``$COLUMNS`` when piped.

    Returns
    -------
    str
        Plain text when ``color`` is False (no escape sequences), ending with a newline; no line longer than
        ``width``.
    """
    from rich.console import Console
    from rich.text import Text

    width = max(width or DEFAULT_WIDTH, MIN_WIDTH)
    buf = io.StringIO()
    console = Console(file=buf, width=width, force_terminal=color, no_color=not color,
                      color_system="standard" if color else None, highlight=False, emoji=False, markup=False,
                      legacy_windows=False, soft_wrap=True)

    def emit(line: str | Text) -> None:
        console.print(line if isinstance(line, Text) else Text(line), soft_wrap=True)

    from trustgraph.render.zone_text import zone_lines

    for zone_line in zone_lines(report.zone):  # every report says its zone of trust first
        for line in wrap(clean(zone_line), width):
            emit(line)
    emit("")
    active = report.active
    if not active:
        emit("No findings.")
    grouped = report.grouped_active()
    for severity in SEVERITY_ORDER:
        for finding, under in ((f, u) for f, u in grouped if f.severity is severity):
            for text in finding_lines(finding, report, width, color=color):
                emit(text)
            for line in through_lines(under, width):
                emit(line)
            emit("")
    for summary in (report.summary.line(), report.summary.sources_line()):
        for line in wrap(summary, width) if summary else ():
            emit(line)
    sup = report.suppressions
    for label, records in (("expired", sup.expired), ("unused", sup.unused)):
        for rec in records:
            where = f" ({clean(rec.location)})" if rec.location else ""
            for line in wrap(f"warning: {label} suppression {clean(rec.check_id)} {clean(rec.role)}{where}", width):
                emit(Text(line, style="yellow" if color else ""))
    if active:
        emit("")
        emit("legend:")
        for symbol, meaning in LEGEND:
            for i, line in enumerate(wrap(meaning, width - 14)):
                emit(f"  {symbol if i == 0 else '':<11} {line}")
    return buf.getvalue()


def finding_lines(finding: Finding, report: ScanReport, width: int, *, color: bool = False) -> list[Text]:
    """The block of one finding: a heading line (severity, check, role) and labelled detail lines."""
    from rich.text import Text

    check = finding.check_id + (" (unknown)" if finding.kind is FindingKind.UNKNOWN else "")
    if finding.approximate:
        check += f" {APPROX_MARK}"
    sev = finding.severity.value
    role = clean(finding.role)
    heading = f"{sev}  {clean(check)}  "
    room = width - len(heading)
    if room >= 20:
        first, rest = heading + shorten_middle(role, room), []
    else:
        first, *rest = wrap(f"{sev}  {clean(check)}", width)
        rest += ["  " + line for line in wrap(role, width - 2)]
    head = Text()
    head.append(sev, style=_STYLE[finding.severity] if color else "")
    head.append(first[len(sev):])
    lines = [head] + [Text(line) for line in rest]
    detail: list[tuple[str, str]] = []
    who = who_gets_in(finding)
    if who:
        detail.append(("who", who))
    if finding.path:
        detail.append(("path", path_text(finding.path)))
    detail.append(("what", clean(finding.message)))
    if finding.remediation:
        detail.append(("fix", clean(first_sentence(finding.remediation))))
    where = statement_places(finding, report)
    if where:
        detail.append(("where", where))
    for label, text in detail:
        for i, line in enumerate(wrap(text, width - LABEL_WIDTH)):
            prefix = f"  {label:<{LABEL_WIDTH - 2}}" if i == 0 else " " * LABEL_WIDTH
            lines.append(Text(prefix + line))
    return lines


def reached_noun(under: Sequence[Finding]) -> str:
    """What the findings reached through another are on: ``admin role(s)`` when all are ``external-path-to-admin``
    findings, else ``role(s)`` (an ``external-without-*`` finding through an admin role may be on any role)."""
    admin = "admin " if all(f.check_id == "external-path-to-admin" for f in under) else ""
    return f"{admin}role{'s' if len(under) != 1 else ''}"


def through_lines(under: Sequence[Finding], width: int) -> list[str]:
    """The findings reached through the finding above (:meth:`ScanReport.grouped_active`): a count, then one line
    each (severity, check, role, hops, through which admin role), indented under it; none when ``under`` is empty."""
    if not under:
        return []
    n = len(under)
    lines = wrap(f"also reaches {n} more {reached_noun(under)} through it (fixing it cuts "
                 f"{'their paths' if n != 1 else 'its path'}):", width - 2)
    out = ["  " + line for line in lines]
    for f in under:
        through = f.through_admin
        via = f" via {node_label(through.role)} at hop {through.hop}" if through is not None else ""
        text = f"{f.severity.value}  {clean(f.check_id)}  {clean(f.role)}  ({len(f.path)} hops{via})"
        out += ["    " + line for line in wrap(text, width - 4)]
    return out


def who_gets_in(finding: Finding) -> str:
    """The most specific source in words, with the witness principal of a class and the count of other sources."""
    source = finding.source
    if source in ("-", ""):
        return ""
    first = finding.path[0].source if finding.path else ""
    if source == "*":
        text = "anyone: any AWS account"
        if first.startswith("account:"):
            text += f" (witness: account {first.split(':', 1)[1]}, named nowhere in the exports)"
    elif source == "external":
        text = "any principal outside the zone"
        if first and first != source:
            text += f" (witness: {source_label(first)})"
    else:
        text = source_label(source)
    others = len(other_sources(finding))
    if others:
        text += f" (+{others} other source{'s' if others != 1 else ''})"
    return clean(text)


def other_sources(finding: Finding) -> Sequence[str]:
    """Sources besides the most specific one that reach the role for the same check (none for a one-source
    finding)."""
    names = [s.source for s in finding.all_sources]  # a finding not grouped: its own source alone
    return [n for n in dict.fromkeys(names) if n != finding.source]


def source_label(source: str) -> str:
    """A source in words: ``account 555566667777 (any principal of it)``, ``OIDC provider ...``."""
    if source == "*":
        return "anyone: any AWS account"
    if source == "external":
        return "any principal outside the zone"
    if source.startswith("account:"):
        return f"account {source.split(':', 1)[1]} (any principal of it)"
    if source.startswith("federated:"):
        provider = source.split(":", 1)[1]
        for marker, kind in ((":oidc-provider/", "OIDC"), (":saml-provider/", "SAML")):
            if marker in provider:
                account = provider.split(":")[4]
                return f"{kind} provider {provider.split(marker, 1)[1]} (of account {account})"
        return f"web identity {provider}"
    if source.startswith("service:"):
        return f"service {source.split(':', 1)[1]}"
    return source


def node_label(node: str) -> str:
    """A short name for a node of a path: the role or user name, ``acct ID``, the provider host, the service."""
    from trustgraph.graph.nodes import short_label

    return short_label(node)


def hop_marks(hop: HopWitness) -> list[str]:
    """What the hop's witness request carried that a reviewer looks for: an external id, MFA."""
    marks = []
    if hop.context.get("sts:ExternalId"):
        marks.append(EXTERNAL_ID_MARK)
    if tuple(v.lower() for v in hop.context.get("aws:MultiFactorAuthPresent", ())) == ("true",):
        marks.append(MFA_MARK)
    return marks


def path_text(hops: Sequence[HopWitness]) -> str:
    """``acct 555566667777 → ContractorRole ─[MFA]→ OrgWideReadRole``: node names with marked arrows."""
    parts = [clean(node_label(hops[0].source))]
    for hop in hops:
        notes = [n for n in (_ACTION_NAMES.get(hop.action, hop.action),) if n] + hop_marks(hop)
        arrow = f"\u2500[{','.join(notes)}]{ARROW}" if notes else ARROW
        parts += [arrow, clean(node_label(hop.target))]
    return " ".join(parts)


def first_sentence(text: str) -> str:
    """The first sentence of ``text`` (up to ". " outside quotes and parentheses), or all of it."""
    depth = 0
    quoted = False
    for i, ch in enumerate(text):
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in "([{":
            depth += 1
        elif not quoted and ch in ")]}":
            depth = max(depth - 1, 0)
        elif ch == "." and not quoted and depth == 0 and (i + 1 == len(text) or text[i + 1] == " "):
            return text[:i + 1]
    return text


def statement_places(finding: Finding, report: ScanReport) -> str:
    """Where the statements are, ``file:line``: per hop of the path (``DeployRole: gaad.json:150``, the trust
    statement that lets the hop in), then the finding's other statements; at most four, then a count."""
    places: list[str] = []
    seen: set[Location] = set()
    for hop in finding.path:
        for loc in hop.statements[:1]:
            seen.add(loc)
            places.append(f"{clean(node_label(hop.target))}:\u00a0{clean(display_place(report, loc))}")
    rest = [loc for loc in dict.fromkeys(finding.statements) if loc not in seen]
    places += [clean(display_place(report, loc)) for loc in rest]
    if len(places) > 4:
        places = places[:4] + [f"(+{len(places) - 4} more)"]
    return ", ".join(places)


def display_place(report: ScanReport, loc: Location) -> str:
    """``file:line`` with the file relative to the working directory when it is below it."""
    file = loc.file
    try:
        rel = os.path.relpath(file)
        if not rel.startswith(".."):
            file = rel
    except ValueError:
        pass
    pos = report.positions.get(loc)
    return f"{file}:{pos.line}" if pos is not None else f"{file}#{loc.pointer}"
