"""The JSON report's version 4 layout: what repeats across findings is written once, in ``tables``.

Version 3 wrote every finding self-contained: each hop with its whole witness request (17-20 condition keys, most
of them the same in every hop: the analysis time, the region, the session name), each statement location as a
``{file, pointer}`` object, each source's path as full node ids (a 16-hop chain shared by 70 sources of one role
was written 70 times), and each finding's title and remediation copied from its check. On the 2,000-role profiles
that was 3.2-19 KB per finding, and the report grew with the size of the witnesses, not with the findings.

Version 4 is the same document with a ``tables`` object and references into it (:func:`compact`):

``tables.hops``
    Each distinct hop witness once (a hop shared by many findings, e.g. the vendor account's ``sts:AssumeRole``
    into a hub role, is one entry); a finding's ``path`` is a list of indexes into it. A hop's ``statements`` are
    indexes into ``tables.locations``; its ``approximations`` are omitted when empty.
``tables.context_defaults``
    Condition key -> the value more than half of the hop witnesses have (the analysis time, the region...); a
    hop's ``context`` lists only the keys whose value differs, and ``null`` for a default key its request does not
    have. The whole context is ``{**context_defaults, **context}`` without the ``null`` keys
    (:func:`expand_context`).
``tables.locations``
    Each distinct statement location (``{file, pointer}``) once; a finding's ``statements`` are indexes into it.
``tables.nodes`` and ``tables.actions``
    The node ids and action names of the sources' paths; a source's ``path`` and ``actions`` are indexes.

Keys whose value is the documented default are omitted: a finding's ``title`` and ``remediation`` when they are
its check's (``tool.checks``), ``approximate`` false, ``approximations`` empty, ``suppressed_by`` null,
``sources_omitted`` 0; a source's ``kind`` when it is the finding's, ``approximate`` false.

:func:`expand` is the inverse: it rebuilds the version 3 document (``version`` set to 3, ``tables`` dropped), so that
every fact of a version 3 report is recoverable, and a consumer written for version 3 can read a version 4 report
through it (``tests/render/test_json_tables.py`` proves ``expand(compact(doc)) == doc`` on the example, the sample
and small organizations of every profile, and on generated reports). Both functions are linear in the size of the
document (dictionary lookups per hop, location, node and action).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import orjson

#: Finding keys omitted when they hold these values (``title`` and ``remediation``: when equal to the check's).
FINDING_DEFAULTS: dict[str, Any] = {"approximate": False, "approximations": [], "suppressed_by": None,
                                    "sources_omitted": 0}

#: The key order of a version 3 finding, of a hop, of a source (expansion restores it).
FINDING_KEYS = ("check_id", "title", "severity", "kind", "role", "account", "source", "message", "remediation",
                "path", "statements", "approximate", "approximations", "suppressed_by", "sources", "sources_total",
                "sources_omitted", "exposure")
#: Keys of a finding written only when they hold (after :data:`FINDING_KEYS`, in this order).
OPTIONAL_FINDING_KEYS = ("through_admin",)
HOP_KEYS = ("source", "target", "action", "context", "statements", "approximations", "method", "calls")
SOURCE_KEYS = ("source", "class", "kind", "hops", "conditions", "path", "actions", "approximate")


class _Table:
    """Values in first-seen order, each with its index (keyed by a hashable form of the value)."""

    def __init__(self) -> None:
        self.index: dict[Any, int] = {}
        self.values: list[Any] = []

    def ref(self, key: Any, value: Any) -> int:
        found = self.index.get(key)
        if found is None:
            found = self.index[key] = len(self.values)
            self.values.append(value)
        return found


def context_defaults(contexts: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Per condition key, the value more than half of the hop witnesses have (keys sorted): the hops with that
    value omit the key, those without the key write ``null``.

    ``contexts`` is read twice (a list, or :class:`Tables`' view of its hops): a majority vote per key
    (Boyer-Moore) names the one value that can be held by more than half, a second pass counts it. Only one
    candidate per key is kept, not a count of every (key, value) pair: at 20,000 roles (vendor-heavy) that count
    was the peak of the report's memory."""
    votes = _Votes()
    for ctx in contexts:
        votes.add(ctx)
    return votes.defaults(contexts)


class _Votes:
    """:func:`context_defaults`' two passes apart: :meth:`add` each context (the vote), then :meth:`defaults` with
    the same contexts again, in any order (the count)."""

    def __init__(self) -> None:
        self.candidate: dict[str, bytes] = {}
        self.votes: dict[str, int] = {}
        self.total = 0

    def add(self, ctx: dict[str, Any]) -> None:
        """One context's vote."""
        candidate, votes = self.candidate, self.votes
        self.total += 1
        for key, value in ctx.items():
            text = orjson.dumps(value)
            if votes.get(key, 0) == 0:
                candidate[key], votes[key] = text, 1
            else:
                votes[key] += 1 if candidate[key] == text else -1

    def defaults(self, contexts: Iterable[dict[str, Any]]) -> dict[str, Any]:
        """The keys whose candidate more than half of ``contexts`` (those voted) hold, with that value."""
        candidate = self.candidate
        held = dict.fromkeys((key for key, n in self.votes.items() if n > 0), 0)
        for ctx in contexts:
            for key, value in ctx.items():
                if key in held and orjson.dumps(value) == candidate[key]:
                    held[key] += 1
        return {key: orjson.loads(candidate[key]) for key in sorted(held) if 2 * held[key] > self.total}


def expand_context(context: dict[str, Any], defaults: dict[str, Any]) -> dict[str, Any]:
    """A hop's whole witness context (keys sorted) from its version 4 ``context`` and ``tables.context_defaults``."""
    merged = {**defaults, **context}
    return {k: merged[k] for k in sorted(merged) if merged[k] is not None}


def _same(value: Any) -> Any:
    return value


def _json_text(value: Any) -> str:
    return orjson.dumps(value).decode("utf-8")


class _Contexts:
    """The witness contexts of hops held as JSON text, read back one at a time each time they are iterated."""

    def __init__(self, hops: list[str]) -> None:
        self._hops = hops

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for text in self._hops:
            context: dict[str, Any] = orjson.loads(text)["context"]
            yield context


class Tables:
    """The tables of a document being compacted: built from every finding's path (each hop witness once, the
    context defaults of those), then filled with the statement locations, nodes and actions the findings cite.

    ``paths`` are lists of hops, each made into its JSON dict by ``hop`` (the hop dicts themselves by default).
    ``lean`` (the JSON report's writer): each distinct hop is kept as the value it was given (a witness the findings
    hold anyway), keyed by the SHA-256 digest of its JSON text, and made into its compacted dict again, one at a
    time, when the hops' table is written (:meth:`hop_rows`); False keeps every distinct hop's JSON text, then all
    of them compacted at once, the reference the lean tables are tested against (the same tables, in the same
    order). At 20,000 roles (random-1: 43 MB report) the compacted hops, held at once, were the peak of the report's
    memory."""

    def __init__(self, paths: Iterable[Sequence[Any]], hop: Callable[[Any], dict[str, Any]] | None = None, *,
                 lean: bool = False) -> None:
        self._locations, self._nodes, self._actions = _Table(), _Table(), _Table()
        as_json: Callable[[Any], dict[str, Any]] = _same if hop is None else hop
        self._hop = as_json
        self._kept: list[Any] | None = None
        self._hops: list[dict[str, Any]] = []
        if lean:
            self._lean(paths, as_json)
            return
        hops = _Table()
        # each distinct hop is held as its JSON text only (also its key; a str: the bytes orjson returns keep its
        # whole growth buffer, ~8 times the text) and read back when needed: the bytes and the dict of every
        # distinct hop, with a count of every (condition key, value) pair, were the peak of the report's memory
        # (vendor-heavy, 20,000 roles: ~140 MB)
        #: per path, the indexes of its hops
        self.refs = [[hops.ref(text, text) for text in (_json_text(as_json(h)) for h in path)] for path in paths]
        self.defaults = context_defaults(_Contexts(hops.values))
        self._hops = [_compact_hop(orjson.loads(h), self.defaults, self.location) for h in hops.values]

    def _lean(self, paths: Iterable[Sequence[Any]], as_json: Callable[[Any], dict[str, Any]]) -> None:
        """The lean tables: one pass over the paths keeps each distinct hop (by the digest of its text), votes on its
        context and adds its statements' locations (in the order of the hops first seen, as the reference's
        compaction adds them); a second pass over the distinct hops counts the vote."""
        seen: dict[bytes, int] = {}
        kept: list[Any] = []
        votes = _Votes()
        refs: list[list[int]] = []
        for path in paths:
            row = []
            for h in path:
                value = as_json(h)
                key = hashlib.sha256(orjson.dumps(value)).digest()
                found = seen.get(key)
                if found is None:
                    found = seen[key] = len(kept)
                    kept.append(h)
                    votes.add(value["context"])
                    for loc in value["statements"]:
                        self.location(loc)
                row.append(found)
            refs.append(row)
        self.refs = refs
        self.defaults = votes.defaults(as_json(h)["context"] for h in kept)
        self._kept = kept

    def hop_rows(self) -> Iterator[dict[str, Any]]:
        """The ``hops`` table's entries, in order (the lean tables make each one as it is asked for)."""
        if self._kept is None:
            yield from self._hops
            return
        for h in self._kept:
            yield _compact_hop(self._hop(h), self.defaults, self.location)

    def parts(self) -> Iterator[tuple[str, Any]]:
        """The ``tables`` object's keys and values, the hops' entries as :meth:`hop_rows` (the other tables are
        complete only once every finding is compacted)."""
        yield "context_defaults", self.defaults
        yield "hops", self.hop_rows()
        yield "locations", self._locations.values
        yield "nodes", self._nodes.values
        yield "actions", self._actions.values

    def location(self, loc: dict[str, str]) -> int:
        """The index of a ``{file, pointer}`` location."""
        return self._locations.ref((loc["file"], loc["pointer"]), loc)

    def source(self, source: dict[str, Any], kind: str) -> dict[str, Any]:
        """A source with its path and actions as indexes, ``kind`` (when the finding's) and ``approximate`` (when
        false) omitted."""
        out: dict[str, Any] = {}
        for key in SOURCE_KEYS:
            value = source[key]
            if (key == "kind" and value == kind) or (key == "approximate" and value is False):
                continue
            if key == "path":
                value = [self._nodes.ref(n, n) for n in value]
            elif key == "actions":
                value = [self._actions.ref(a, a) for a in value]
            out[key] = value
        return out

    def json(self) -> dict[str, Any]:
        """The ``tables`` object."""
        return {key: value if key != "hops" else list(value) for key, value in self.parts()}


class Lookup:
    """The values a compacted document's indexes refer to (the inverse of :class:`Tables`)."""

    def __init__(self, tables: dict[str, Any]) -> None:
        self.locations: list[dict[str, str]] = tables["locations"]
        self.nodes: list[str] = tables["nodes"]
        self.actions: list[str] = tables["actions"]
        self.hops = [_expand_hop(h, tables["context_defaults"], self.locations) for h in tables["hops"]]

    def source(self, source: dict[str, Any], kind: str) -> dict[str, Any]:
        """A source as version 3 writes it."""
        out: dict[str, Any] = {}
        for key in SOURCE_KEYS:
            if key == "kind":
                out[key] = source.get("kind", kind)
            elif key == "approximate":
                out[key] = source.get("approximate", False)
            elif key == "path":
                out[key] = [self.nodes[i] for i in source["path"]]
            elif key == "actions":
                out[key] = [self.actions[i] for i in source["actions"]]
            else:
                out[key] = source[key]
        return out


def compact(doc: dict[str, Any]) -> dict[str, Any]:
    """The version 4 document of a version 3 one (see the module docstring); ``doc`` is not modified."""
    tables = Tables(f["path"] for f in doc["findings"])
    checks = {c["id"]: c for c in doc["tool"]["checks"]}
    findings = [compact_finding(f, refs, tables, checks) for f, refs in zip(doc["findings"], tables.refs, strict=True)]
    return {**doc, "version": 4, "findings": findings, "tables": tables.json()}


def compact_finding(f: dict[str, Any], refs: list[int], tables: Tables,
                    checks: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """One version 3 finding as version 4 writes it: ``refs`` are its hops' indexes (:attr:`Tables.refs`), its
    statement locations, nodes and actions are added to ``tables`` (the findings are compacted in the report's order:
    the tables' order is theirs), ``checks`` maps check ids to ``tool.checks`` entries."""
    check = checks.get(f["check_id"], {})
    out: dict[str, Any] = {}
    for key in FINDING_KEYS:
        value = f[key]
        if key in ("title", "remediation") and key in check and value == check[key]:
            continue
        if key in FINDING_DEFAULTS and value == FINDING_DEFAULTS[key]:
            continue
        if key == "path":
            value = refs
        elif key == "statements":
            value = [tables.location(s) for s in value]
        elif key == "sources":
            value = [tables.source(s, f["kind"]) for s in value]
        out[key] = value
    out.update((key, f[key]) for key in OPTIONAL_FINDING_KEYS if key in f)
    return out


def _compact_hop(hop: dict[str, Any], defaults: dict[str, Any],
                 loc_ref: Callable[[dict[str, str]], int]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in HOP_KEYS:
        if key not in hop:
            continue
        value = hop[key]
        if key == "context":
            value = {k: v for k, v in value.items() if defaults.get(k, None) != v}
            value.update({k: None for k in defaults if k not in hop["context"]})
            value = {k: value[k] for k in sorted(value)}
        elif key == "statements":
            value = [loc_ref(s) for s in value]
        elif key == "approximations" and not value:
            continue
        out[key] = value
    return out


def expand(doc: dict[str, Any]) -> dict[str, Any]:
    """The version 3 document a version 4 one was compacted from (a version 3 document is returned as it is)."""
    if doc.get("version") != 4:
        return doc
    lookup = Lookup(doc["tables"])
    checks = {c["id"]: c for c in doc["tool"]["checks"]}
    findings = []
    for f in doc["findings"]:
        check = checks.get(f["check_id"], {})
        out: dict[str, Any] = {}
        for key in FINDING_KEYS:
            if key in f:
                value = f[key]
            elif key in ("title", "remediation"):
                value = check[key]
            else:
                value = FINDING_DEFAULTS[key]
            if key == "path":
                value = [lookup.hops[i] for i in value]
            elif key == "statements":
                value = [lookup.locations[i] for i in value]
            elif key == "sources":
                value = [lookup.source(s, f["kind"]) for s in value]
            elif key == "approximations":
                value = list(value)
            out[key] = value
        out.update((key, f[key]) for key in OPTIONAL_FINDING_KEYS if key in f)
        findings.append(out)
    return {**{k: v for k, v in doc.items() if k != "tables"}, "version": 3, "findings": findings}


def _expand_hop(hop: dict[str, Any], defaults: dict[str, Any], locations: list[Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in HOP_KEYS:
        if key == "context":
            out[key] = expand_context(hop["context"], defaults)
        elif key == "statements":
            out[key] = [locations[i] for i in hop["statements"]]
        elif key == "approximations":
            out[key] = list(hop.get("approximations", []))
        elif key in hop:
            out[key] = hop[key]
    return out
