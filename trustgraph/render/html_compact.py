"""The parts of a compact HTML report (:func:`trustgraph.render.html.render_html` over
:data:`~trustgraph.render.html.COMPACT_ABOVE` findings) that a full page does not have: the distinct hops written once
(:class:`Hops`) with the request defaults, paths as lines of linked hops, folded statement lists, approximations
written once and linked (:meth:`Hops.approximations`), and messages without the path the page already shows
(:func:`short_message`). See :mod:`trustgraph.render.html` for the page and its safety rules (every string through
:func:`~trustgraph.render.html.esc`, in-page links only).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from typing import Any

from trustgraph.checks.finding import Finding
from trustgraph.model.location import Location
from trustgraph.queries.results import HopWitness
from trustgraph.render.html import (
    FOLD_ABOVE,
    FOLD_KEEP,
    _context,
    _list,
    _locations,
    _relative,
    _role_name,
    _shown,
    esc,
    telling_keys,
)
from trustgraph.report.scan_report import ScanReport


def short_message(finding: Finding) -> str:
    """The finding's message as a compact report writes it: the path it spells out (``acct 1 -> A -> B``, or the
    folded form of ``external-path-to-admin`` and :mod:`trustgraph.checks.through`: ``acct 1 -> A -> ... 7 more
    hops ... -> C -> D``) replaced by ``see Path``, since the finding's Path line and hop line show that path (with
    its full ARNs in Hops); a message without it as it is. Only a path made from the finding's own source and path
    is replaced, so nothing is lost. At random:8, 0.7 of the page's 6.9 MB were the messages, mostly such paths."""
    from trustgraph.checks.base import hops_text
    from trustgraph.checks.finding import ThroughAdmin
    from trustgraph.checks.through import through_path

    message, path = finding.message, finding.path
    if len(path) < 2:
        return message
    spelled = [hops_text(finding.source, path)]
    folded = _FOLDED.search(message)
    if folded is not None:
        from trustgraph.checks.external_path_to_admin import TAIL_HOPS

        hop = len(path) - int(folded.group(1)) - TAIL_HOPS
        if 0 < hop < len(path):
            spelled.insert(0, through_path(finding.source, path, ThroughAdmin("", hop)))
    for text in spelled:
        if text in message:
            return message.replace(text, "see Path", 1)
    return message


_FOLDED = re.compile(r" -> \.\.\. (\d+) more hops \.\.\. -> ")


class Hops:
    """The distinct hops of a compact report, numbered in order of first use: each written once in the page's
    Hops section (from, action, to, the statements that allow it and its witness request against the
    :meth:`defaults`) and linked from every path that takes it; also the folded lists already written (:meth:`once`).
    At random:8 (2,207 findings, paths of up to 92 hops) 16,876 path rows take 1,340 distinct hops: the witness
    requests were 32 of the page's 56 MB."""

    def __init__(self, report: ScanReport) -> None:
        self.report = report
        #: the directory statement files are written relative to
        self.base = _statement_base(report)
        #: hop key -> (its number, the hop); its row is written with the section, after the request defaults
        self.keys: dict[tuple[Any, ...], int] = {}
        self.hops: list[HopWitness] = []
        #: folded lists written (:meth:`once`) -> the number of the finding that shows them
        self.folded: dict[str, int] = {}
        #: each approximation a finding names -> its number in the Approximations section (:meth:`approximations`)
        self.notes: dict[str, int] = {}
        #: each finding's path (its hops' keys) -> the number of the first finding with that path
        self.paths: dict[tuple[tuple[Any, ...], ...], int] = {}
        number = 0
        for finding, under in report.grouped_active():
            for f in (finding, *under):
                number += 1
                self.paths.setdefault(tuple(self.key(h) for h in f.path), number)

    @staticmethod
    def key(hop: HopWitness) -> tuple[Any, ...]:
        """What the page shows of a hop: two hops with equal keys share one entry."""
        return (hop.source, hop.action, hop.target, hop.statements, hop.approximations,
                tuple(sorted(hop.context.items())))

    def prefix(self, path: tuple[HopWitness, ...]) -> tuple[int, int]:
        """The longest proper prefix of ``path`` that is a whole finding's path: (its length, that finding's
        number); (0, 0) when none is."""
        keys = tuple(self.key(h) for h in path)
        for m in range(len(keys) - 1, 0, -1):
            number = self.paths.get(keys[:m])
            if number is not None:
                return m, number
        return 0, 0

    def number(self, hop: HopWitness) -> int:
        """The hop's number (1-based), numbered on first use."""
        key = self.key(hop)
        if key not in self.keys:
            self.keys[key] = len(self.keys) + 1
            self.hops.append(hop)
        return self.keys[key]

    def defaults(self) -> dict[str, Default]:
        """The request defaults: each key that more than half of the hops fold (not among their
        :func:`telling_keys`) with one value, with that value (as shown). Each hop's entry then lists only the folded
        keys that differ from these, and the defaults its request lacks (rare by the majority rule: a rule of at
        least two hops put account-specific tags among the defaults and every other hop's entry listed them as
        absent)."""
        counts: dict[tuple[str, Default], int] = {}
        for hop in self.hops:
            ctx = hop.context_json()
            first = set(telling_keys(hop, self.report))
            for k in ctx:
                if k not in first:
                    pair = (k, _default_of(hop, k, ctx[k]))
                    counts[pair] = counts.get(pair, 0) + 1
        best: dict[str, tuple[int, Default]] = {}
        for (k, v), n in sorted(counts.items(), key=lambda kv: (kv[0][0], repr(kv[0][1]))):
            if 2 * n > len(self.hops) and n > best.get(k, (0, ""))[0]:
                best[k] = (n, v)
        return {k: v for k, (_, v) in sorted(best.items())}

    def once(self, folded: str, number: int, what: str) -> str:
        """``folded`` (a finding's folded list) the first time it is written; after that a line that names ``what``
        and links to the finding that shows it. At random:8, 304 folded lists of other sources (52 distinct) and 887
        of statements (53 distinct) were 1.3 of the page's 8.4 MB."""
        first = self.folded.setdefault(folded, number)
        if first == number:
            return folded
        return f'<p class="muted">{esc(what)}: as listed in <a href="#finding-{first}">finding {first}</a></p>'

    def approximations(self, notes: tuple[str, ...]) -> str:
        """A finding's approximations as links to their entries in the page's Approximations section
        (:meth:`approximations_section`), each text written once there. At random:8, 945 findings name 3 distinct
        approximations (of ~180 characters): 0.24 of the page's 6.9 MB, 0.07 as links."""
        def one(note: str) -> str:
            k = self.notes.setdefault(note, len(self.notes) + 1)
            return f'<a href="#approximation-{k}">approximation {k}</a>'

        return ", ".join(one(note) for note in notes)

    def approximations_section(self) -> str:
        """Every approximation a finding names, once, numbered as the findings link to them; "" when none."""
        if not self.notes:
            return ""
        items = "".join(f'<li id="approximation-{k}">{esc(note)}</li>' for note, k in self.notes.items())
        return (f'<section id="approximations"><h2>Approximations ({len(self.notes)})</h2><p class="muted">What the '
                "approximate findings above rest on, each written once and linked from them.</p>"
                f"<ol>{items}</ol></section>")

    def statements(self) -> frozenset[Location]:
        """Every statement some written hop names."""
        return frozenset(loc for key in self.keys for loc in key[3])

    def section(self) -> str:
        defaults = self.defaults()
        rows = "".join(
            f'<tr id="hop-{k}"><td>{k}</td><td><code>{esc(hop.source)}</code></td><td><code>{esc(hop.action)}</code>'
            f"</td><td><code>{esc(hop.target)}</code>{_locations(hop.statements, self.report, base=self.base)}</td>"
            f"<td>{_context(hop, self.report, defaults)}</td></tr>" for k, hop in enumerate(self.hops, start=1))
        listed = _list(f"<code>{esc(k)}</code> = {_default_text(v)}" for k, v in defaults.items())
        return (f'<section id="hops"><h2>Hops ({len(self.hops)})</h2><p class="muted">Each distinct hop of the '
                "paths above, once. Statements are given by file and line (their JSON pointers are in the JSON "
                "report).</p>"
                f'<div id="request-defaults"><h3>Request defaults ({len(defaults)} keys)</h3><p class="muted">A '
                "hop's witness request holds these keys with these values unless its entry lists the key with "
                "another value or as not in the request.</p>" + (listed or "<p>None.</p>") + "</div>"
                '<table class="path"><thead><tr><th>#</th><th>From</th><th>Action</th><th>To (allowed by)</th>'
                "<th>Witness request (keys the policy reads first)</th></tr></thead><tbody>"
                + rows + "</tbody></table></section>")


def statements(finding: Finding, report: ScanReport, hops: Hops, number: int = 0) -> str:
    """The finding's statements in a compact report: those its path's hops name are left to the hops' entries, and
    of the others the first :data:`FOLD_KEEP` are shown as usual, the rest folded by file and line (their JSON
    pointers are in the JSON report). At random:8 a finding cites up to 219 statements (63,757 in all, 1,791
    distinct): written in full they were 11 of the page's 56 MB."""
    if len(finding.statements) <= 2 * FOLD_KEEP:
        return _locations(finding.statements, report, base=hops.base)
    on_path = {loc for hop in finding.path for loc in hop.statements}
    own = [loc for loc in finding.statements if loc not in on_path]
    shown, rest = own[:FOLD_KEEP], own[FOLD_KEEP:]
    lines: dict[str, list[int]] = {}
    unplaced: list[Location] = []
    for loc in rest:
        pos = report.positions.get(loc)
        if pos is None:
            unplaced.append(loc)
        else:
            lines.setdefault(loc.file, []).append(pos.line)
    items = [f"<code>{esc(_relative(file, hops.base))}</code> line{'s' if len(ns) != 1 else ''} "
             f"{', '.join(str(n) for n in sorted(ns))}" for file, ns in lines.items()]
    items += [f"<code>{esc(loc)}</code>" for loc in unplaced]
    out = _locations(shown, report, base=hops.base) if shown else ""
    if rest:
        more = f"{len(rest)} more statement{'s' if len(rest) != 1 else ''}"
        out += hops.once(f"<details><summary>{more} (by file and line; their JSON pointers are in the JSON report)"
                         f"</summary>{_list(items)}</details>", number, more)
    n = len(finding.statements) - len(own)
    if n:
        out += (f'<span class="muted">{"and " if shown else ""}{n} statement{"s" if n != 1 else ""} of its path'
                f"'s hops, each in its hop's entry (<a href=\"#hops\">Hops</a>)</span>")
    return out


def hop_line(path: list[HopWitness], index: Hops) -> str:
    """A compact report's path: one line of its hops, each its number and target role linked to the hop's entry
    in :class:`Hops` (the whole ARNs, statements and witness request are there; the finding's Path line names the
    source). Over :data:`FOLD_ABOVE` hops the first and last :data:`FOLD_KEEP` shown, the others folded
    (:func:`_middle`). At random:8 the 8,153 path table rows (full ARNs of both ends, action, link) were 1.9 of the
    page's 10.6 MB."""
    def line(first: int, last: int) -> str:
        lead = "Hops: " if first == 1 else ""
        return f'<p class="hopline">{lead}{_links(path, index, first, last)}</p>'

    if len(path) <= FOLD_ABOVE:
        return line(1, len(path))
    last_first = len(path) - FOLD_KEEP + 1
    return (line(1, FOLD_KEEP) + f'<details class="hops"><summary>{last_first - 1 - FOLD_KEEP} more hops '
            f"({FOLD_KEEP + 1}-{last_first - 1} of {len(path)})</summary>{_middle(path, index)}</details>"
            + line(last_first, len(path)))


def _links(path: list[HopWitness], index: Hops, first: int, last: int) -> str:
    """Hops ``first`` to ``last`` (1-based) of ``path``: number, target role linked to the hop's entry, and the
    action when it is not ``sts:AssumeRole``."""
    def one(i: int) -> str:
        hop = path[i - 1]
        action = "" if hop.action == "sts:AssumeRole" else f' <span class="muted">({esc(hop.action)})</span>'
        return f'{i}. <a href="#hop-{index.number(hop)}"><code>{esc(_role_name(hop.target))}</code></a>{action}'

    return " &rarr; ".join(one(i) for i in range(first, last + 1))


def _middle(path: list[HopWitness], index: Hops) -> str:
    """The folded hops (:data:`FOLD_KEEP` + 1 to n - :data:`FOLD_KEEP`) of a compact report's path: those on the
    longest prefix that is another finding's whole path as a link to that finding (so a chain of n admin roles
    costs n rows, not n squared), the others as one line of hop numbers and target roles linked to their entries."""
    first, last = FOLD_KEEP + 1, len(path) - FOLD_KEEP
    m, number = index.prefix(tuple(path))
    out = ""
    if m >= first:
        out = (f'<p>Hops 1-{m} are the path of <a href="#finding-{number}">finding {number}</a> (hops {first}-'
               f"{min(m, last)} folded here).</p>")
        first = m + 1
    if first <= last:
        out += "<p>" + _links(path, index, first, last) + "</p>"
    return out


#: A request default: a value as shown, or ``(label,)`` for a value the hop's ends give (:data:`DERIVED`).
Default = str | tuple[str]

#: Request keys whose value usually follows from the hop's ends: key -> (label, the value from (source, target)).
DERIVED: dict[str, tuple[str, Callable[[str, str], str]]] = {
    "aws:PrincipalAccount": ("the account of the hop's From", lambda source, target: _account(source)),
    "aws:ResourceAccount": ("the account of the hop's To", lambda source, target: _account(target)),
}


def _account(principal: str) -> str:
    """The account of ``account:N`` or of an ARN; "" for anything else."""
    if principal.startswith("account:"):
        return principal[len("account:"):]
    fields = principal.split(":", 5)
    return fields[4] if len(fields) == 6 and fields[0] == "arn" else ""


def _default_of(hop: HopWitness, key: str, value: Any) -> Default:
    """What ``key = value`` of ``hop``'s request counts as among the defaults: its :data:`DERIVED` label when the
    hop's ends give that value, else the value as shown."""
    shown = _shown(value)
    derived = DERIVED.get(key)
    if derived is not None and shown and derived[1](hop.source, hop.target) == shown:
        return (derived[0],)
    return shown


def _default_text(value: Default) -> str:
    return f'<span class="muted">{esc(value[0])}</span>' if isinstance(value, tuple) else f"<code>{esc(value)}</code>"


def against_defaults(hop: HopWitness, ctx: Mapping[str, Any], rest: list[str],
                      defaults: Mapping[str, Default]) -> str:
    """The folded keys of a hop's request (``rest``) against the request defaults: those that differ listed,
    defaults the request does not hold named, the others left to the link to the defaults."""
    differ = [k for k in rest if defaults.get(k) != _default_of(hop, k, ctx[k])]
    absent = [k for k in defaults if k not in ctx]
    same = len(rest) - len(differ)
    items = [f"<code>{esc(k)}</code> = <code>{esc(_shown(ctx[k]))}</code>" for k in differ]
    if absent:
        items.append("not in the request: " + ", ".join(f"<code>{esc(k)}</code>" for k in absent))
    note = (f'{same} more key{"s" if same != 1 else ""} as in the <a href="#request-defaults">request defaults</a>'
            if same else "")
    if not items:
        return f'<span class="muted">{note}</span>' if note else ""
    n = len(differ)
    summary = f"{n} more key{'s' if n != 1 else ''} of the request" + (", defaults not held" if absent else "")
    return (f"<details><summary>{summary}</summary>{_list(items)}</details>"
            + (f'<span class="muted">{note}</span>' if note else ""))


def _statement_base(report: ScanReport) -> str:
    """The directory (with its separator) that holds every statement file a report places, or ""."""
    dirs = {os.path.dirname(loc.file) for loc in report.positions}
    try:
        common = os.path.commonpath(dirs) if dirs else ""
    except ValueError:  # absolute and relative paths mixed
        return ""
    return common + os.sep if common else ""


__all__ = ["DERIVED", "Default", "Hops", "against_defaults", "hop_line", "short_message", "statements"]
