"""HTML displays for Jupyter (``_repr_html_``): compact tables, paths drawn as ``source → role → role`` chains with
each hop's witness request context on hover (``title``) and in a detail row (``<details>``).

Every string that comes from the exports (names, ARNs, condition keys and values, messages that quote them) goes
through :func:`html.escape` with ``quote=True`` before it reaches the markup, attributes included; nothing here emits
script. Long collections are cut at ``limit`` rows with a count of the rest.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from trustgraph.graph.nodes import short_label
from trustgraph.queries.results import HopWitness, ReachResult

if TYPE_CHECKING:
    from trustgraph.checks.finding import Finding
    from trustgraph.queries.graph_queries import GraphQueries

_STYLE = (
    "<style>.tg-t{border-collapse:collapse;font-size:12px;margin:2px 0}"
    ".tg-t td,.tg-t th{border:1px solid #ddd;padding:2px 6px;text-align:left;vertical-align:top}"
    ".tg-t th{background:#f4f6f8}.tg-ctx{color:#444;font-family:monospace;font-size:11px}"
    ".tg-reachable{color:#b00020;font-weight:bold}.tg-unknown{color:#b36b00;font-weight:bold}"
    ".tg-unreachable{color:#2e7d32;font-weight:bold}.tg-chain span{white-space:nowrap}"
    ".tg-critical{background:#7b1020;color:#fff;padding:0 4px;border-radius:3px}"
    ".tg-high{background:#d9534f;color:#fff;padding:0 4px;border-radius:3px}"
    ".tg-medium{background:#f0ad4e;color:#222;padding:0 4px;border-radius:3px}"
    ".tg-low{background:#5bc0de;color:#222;padding:0 4px;border-radius:3px}"
    ".tg-muted{color:#777}.tg-admin{color:#8b0000;font-weight:bold}</style>"
)


def _e(value: Any) -> str:
    """Escaped text (attributes too)."""
    return html.escape(str(value), quote=True)


#: Context keys every witness carries and that rarely explain a hop: shown last.
ROUTINE_KEYS = frozenset({"aws:currenttime", "aws:epochtime", "aws:securetransport", "aws:requestedregion",
                          "aws:viaawsservice", "aws:principalisawsservice", "aws:tokenissuetime",
                          "sts:rolesessionname", "aws:userid", "aws:username", "aws:resourceaccount",
                          "aws:principaltype"})


def ordered_context(hop: HopWitness, mentioned: frozenset[str] = frozenset()) -> list[tuple[str, object]]:
    """The hop's context, most telling keys first: those in ``mentioned`` (lower-cased keys the trust conditions
    name), then the others, routine keys (time, region, session name...) last; alphabetical within each group."""
    ctx = hop.context_json()

    def rank(key: str) -> tuple[int, str]:
        k = key.lower()
        return (0 if k in mentioned else 2 if k in ROUTINE_KEYS else 1, k)

    return [(k, ctx[k]) for k in sorted(ctx, key=rank)]


def _ctx_text(hop: HopWitness) -> str:
    return ", ".join(f"{k}={v}" for k, v in ordered_context(hop)) or "(no context keys)"


def _node(node: str) -> str:
    return f'<span title="{_e(node)}">{_e(short_label(node))}</span>'


def hop_table(hops: Sequence[HopWitness]) -> str:
    """A per-hop table: caller, role, action, witness context, statements."""
    rows = []
    for i, h in enumerate(hops, 1):
        ctx = "<br>".join(f"{_e(k)} = {_e(v)}" for k, v in ordered_context(h)) or "<i>none</i>"
        where = "<br>".join(_e(loc) for loc in h.statements)
        approx = f"<br><i>approximate: {_e('; '.join(h.approximations))}</i>" if h.approximations else ""
        rows.append(f"<tr><td>{i}</td><td>{_node(h.source)}</td><td>{_node(h.target)}</td><td>{_e(h.action)}</td>"
                    f"<td class='tg-ctx'>{ctx}{approx}</td><td class='tg-ctx'>{where}</td></tr>")
    return ("<table class='tg-t'><tr><th>#</th><th>caller</th><th>role</th><th>action</th><th>witness context</th>"
            f"<th>statements</th></tr>{''.join(rows)}</table>")


def chain_html(result: ReachResult | Sequence[HopWitness], *, details: bool = True) -> str:
    """``source → role → role``; hovering an arrow shows the hop's action and witness context, and a ``witness``
    disclosure holds the per-hop table. A result without hops shows its reason."""
    hops = result.hops if isinstance(result, ReachResult) else tuple(result)
    if not hops:
        return _e(result.reason or "") if isinstance(result, ReachResult) else ""
    parts = [f"<b>{_node(hops[0].source)}</b>"]
    for h in hops:
        parts.append(f'<span title="{_e(h.action)}: {_e(_ctx_text(h))}">&rarr;</span>')
        parts.append(_node(h.target))
    chain = "<span class='tg-chain'>" + " ".join(parts) + "</span>"
    if not details:
        return chain
    return chain + f"<details><summary>witness ({len(hops)} hop{'s' if len(hops) != 1 else ''})</summary>" \
        f"{hop_table(hops)}</details>"


def _verdict(result: ReachResult) -> str:
    approx = " <i>(approximate)</i>" if result.approximate else ""
    return f"<span class='tg-{_e(result.verdict.value)}'>{_e(result.verdict.value)}</span>{approx}"


def result_html(result: ReachResult) -> str:
    """One answer: verdict, source, target, the path (or the reason) and its witness table."""
    body = chain_html(result) if result.hops else f"<i>reason:</i> {_e(result.reason or '(none given)')}"
    approx = ""
    if result.approximations:
        approx = f"<div class='tg-muted'>approximations: {_e('; '.join(result.approximations))}</div>"
    return (f"{_STYLE}<div><b>{_verdict(result)}</b>: {_node(result.source)} &rarr; {_node(result.target)}"
            f"<div>{body}</div>{approx}</div>")


def hop_html(hop: HopWitness) -> str:
    """One hop as a one-row table."""
    return _STYLE + hop_table((hop,))


def results_html(results: Sequence[ReachResult], *, limit: int = 200) -> str:
    """A compact table of results, one row each, with the path chain and its witness disclosure."""
    rows = []
    for r in results[:limit]:
        rows.append(
            f"<tr><td>{_verdict(r)}</td><td>{_node(r.source)}</td><td>{_node(r.target)}</td><td>{len(r.hops)}</td>"
            f"<td>{chain_html(r)}</td></tr>"
        )
    more = f"<p class='tg-muted'>&hellip; {len(results) - limit} more</p>" if len(results) > limit else ""
    head = f"<p>{len(results)} result{'s' if len(results) != 1 else ''}</p>"
    return (f"{_STYLE}{head}<table class='tg-t'><tr><th>verdict</th><th>source</th><th>target</th><th>hops</th>"
            f"<th>path / reason</th></tr>{''.join(rows)}</table>{more}")


def _severity(f: Finding) -> str:
    return f"<span class='tg-{_e(f.severity.value)}'>{_e(f.severity.value)}</span>"


def _finding_row(f: Finding) -> str:
    kind = "" if f.kind.value == "finding" else f" <i>({_e(f.kind.value)})</i>"
    approx = " <i>(approximate)</i>" if f.approximate else ""
    suppressed = f"<br><span class='tg-muted'>suppressed by {_e(f.suppressed_by)}</span>" if f.suppressed_by else ""
    path = chain_html(f.path) if f.path else "<span class='tg-muted'>&ndash;</span>"
    others = f.all_sources[1:]
    more = (f"<br><span class='tg-muted'>+{len(others)} more: {_e(', '.join(s.source for s in others[:10]))}"
            f"{' ...' if len(others) > 10 else ''}</span>" if others else "")
    where = "<br>".join(_e(loc) for loc in f.statements)
    detail = (f"<details><summary>remediation, statements</summary><div>{_e(f.remediation)}</div>"
              f"<div class='tg-ctx'>{where}</div></details>")
    return (f"<tr><td>{_severity(f)}{kind}{approx}</td><td>{_e(f.check_id)}</td><td>{_e(f.account)}</td>"
            f"<td>{_node(f.role)}</td><td>{_node(f.source) if f.source != '-' else '-'}{more}</td>"
            f"<td>{_e(f.message)}{suppressed}{detail}</td><td>{path}</td></tr>")


def findings_html(findings: Sequence[Finding], *, limit: int = 200, zone: Mapping[str, Any] | None = None) -> str:
    """The zone (when given), then a table of findings: severity, check, account, role, sources, message
    (remediation and statements in a disclosure), path with its witness."""
    counts: dict[str, int] = {}
    for f in findings:
        counts[f.severity.value] = counts.get(f.severity.value, 0) + 1
    summary = ", ".join(f"{counts[s]} {s}" for s in ("critical", "high", "medium", "low") if s in counts)
    rows = "".join(_finding_row(f) for f in findings[:limit])
    more = f"<p class='tg-muted'>&hellip; {len(findings) - limit} more</p>" if len(findings) > limit else ""
    from trustgraph.render.zone_text import zone_lines

    head = "".join(f"<p class='tg-muted'>{_e(line)}</p>" for line in zone_lines(zone)) if zone is not None else ""
    return (f"{_STYLE}{head}<p>{len(findings)} finding{'s' if len(findings) != 1 else ''}"
            f"{': ' + _e(summary) if summary else ''}</p><table class='tg-t'><tr><th>severity</th><th>check</th>"
            f"<th>account</th><th>role</th><th>source</th><th>message</th><th>path</th></tr>{rows}</table>{more}")


def finding_html(finding: Finding) -> str:
    """One finding as a one-row table with its witness path."""
    return findings_html((finding,))


def _account_rows(tg: GraphQueries) -> Iterable[str]:
    names: dict[str, str] = {}
    for org in tg.estate.organizations:
        for a in org.accounts:
            if a.name:
                names[a.account_id] = a.name
    per: dict[str, dict[str, int]] = {}
    inside: dict[str, bool] = {}
    for _, d in tg.graph.nodes(data=True):
        if d["kind"] not in ("user", "role"):
            continue
        acct = str(d.get("account"))
        stats = per.setdefault(acct, {"user": 0, "role": 0, "admin": 0})
        stats[d["kind"]] += 1
        stats["admin"] += bool(d.get("admin"))
        inside[acct] = bool(d.get("inside"))
    for acct in sorted(per):
        s = per[acct]
        side = "inside" if inside[acct] else "<b>outside</b>"
        admin = f"<span class='tg-admin'>{s['admin']}</span>" if s["admin"] else "0"
        yield (f"<tr><td>{_e(acct)}</td><td>{_e(names.get(acct, ''))}</td><td>{side}</td><td>{s['user']}</td>"
               f"<td>{s['role']}</td><td>{admin}</td></tr>")


def _provider_text(provider: str) -> str:
    """``AWSSSO_5f2c... (100000000001)``: the provider name with its account, so equal names stay apart."""
    parts = provider.split(":")
    name = short_label("federated:" + provider)
    return f"{name} ({parts[4]})" if len(parts) > 5 and parts[0] == "arn" else name


def graph_html(tg: GraphQueries) -> str:
    """A summary of a loaded trust graph: the zone, one row per exported account (users, roles, admins, side of the
    zone), node counts by kind and edge counts by kind."""
    kinds: dict[str, int] = {}
    for _, d in tg.graph.nodes(data=True):
        kinds[d["kind"]] = kinds.get(d["kind"], 0) + 1
    edge_kinds: dict[str, int] = {}
    for _, _, d in tg.graph.edges(data=True):
        edge_kinds[d["kind"]] = edge_kinds.get(d["kind"], 0) + 1
    from trustgraph.render.zone_text import zone_lines

    zone = tg.zone.describe()
    trusted = "; ".join(
        _provider_text(p.provider) + (f" for subjects {', '.join(p.subjects)}" if p.subjects else "")
        for p in tg.zone.identity_providers
    ) or "none"
    node_rows = "".join(f"<tr><td>{_e(k)}</td><td>{v}</td></tr>" for k, v in sorted(kinds.items()))
    edge_rows = "".join(f"<tr><td>{_e(k)}</td><td>{v}</td></tr>" for k, v in sorted(edge_kinds.items()))
    accounts = "".join(_account_rows(tg))
    return (
        f"{_STYLE}<p><b>TrustGraph</b>: {len(tg.estate.accounts)} exported accounts, {tg.graph.number_of_nodes()} "
        f"nodes, {tg.graph.number_of_edges()} edges.<br>{_e(zone_lines(zone)[0])}<br>Zone of trust: accounts "
        f"{_e(', '.join(zone['accounts']) or 'none')}; organizations "  # type: ignore[arg-type]
        f"{_e(', '.join(zone['organizations']) or 'none')}; trusted identity providers "  # type: ignore[arg-type]
        f"{_e(trusted)}.{''.join('<br>' + _e(n) for n in zone['notes'])}</p>"  # type: ignore[attr-defined]
        "<table class='tg-t'><tr><th>account</th><th>name</th><th>zone</th><th>users</th><th>roles</th>"
        f"<th>admins</th></tr>{accounts}</table>"
        "<div style='display:flex;gap:16px'>"
        f"<table class='tg-t'><tr><th>node kind</th><th>count</th></tr>{node_rows}</table>"
        f"<table class='tg-t'><tr><th>edge kind</th><th>count</th></tr>{edge_rows}</table></div>"
    )


#: (module, class, HTML display) of the values a notebook shows one at a time
_SINGLE_DISPLAYS: tuple[tuple[str, str, Callable[[Any], str]], ...] = (
    ("trustgraph.queries.results", "ReachResult", result_html),
    ("trustgraph.queries.results", "HopWitness", hop_html),
    ("trustgraph.checks.finding", "Finding", finding_html),
)


def register_displays(shell: Any = None) -> bool:
    """Show a single :class:`ReachResult`, :class:`HopWitness` or :class:`Finding` as HTML in IPython/Jupyter.

    These values live below the renderers, so they carry no ``_repr_html_``; their displays are given to IPython's
    HTML formatter instead (by class name: nothing is imported). ``shell`` defaults to the running IPython shell;
    without one nothing is registered and False is returned. Registering again replaces the same entries."""
    if shell is None:
        import sys

        if "IPython" not in sys.modules:  # not in a notebook or IPython shell: nothing to register (and no import)
            return False
        import importlib

        # Looked up by name: IPython's typing of get_ipython differs between releases (as in trustgraph.plot).
        shell = importlib.import_module("IPython").get_ipython()
        if shell is None:
            return False
    formatter = shell.display_formatter.formatters["text/html"]
    for module, name, display in _SINGLE_DISPLAYS:
        formatter.for_type_by_name(module, name, display)
    return True
