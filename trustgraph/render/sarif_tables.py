"""The SARIF log's result properties with what repeats across results written once, as in the JSON report.

Each result's ``properties`` carry the finding's witness for tools that read more than SARIF's own fields: ``path``
(each hop with its whole witness request), ``statements`` (``{file, pointer}``) and ``sources`` (node ids and
actions of each source's shortest path). Written in full per result, they were 37% of a 2,000-role log (vendor-heavy:
5.9 of 15.8 MB). :func:`compact_sarif` writes them as in the JSON report version 4
(:mod:`trustgraph.render.json_tables`): ``path`` indexes ``runs[0].properties.tables.hops``, ``statements`` index
``tables.locations``, a source's ``path`` and ``actions`` index ``tables.nodes`` and ``tables.actions`` (its ``kind``
omitted when it is the result's, ``approximate`` when false), and each hop's ``context`` lists the keys that differ
from ``tables.context_defaults``. SARIF's own fields (message, locations, related locations, code flows,
fingerprints) are unchanged. :func:`expand_sarif` is the inverse. Both are linear in the size of the log.
"""

from __future__ import annotations

from typing import Any

from trustgraph.render.json_tables import Lookup, Tables


def compact_sarif(log: dict[str, Any]) -> dict[str, Any]:
    """The log with its results' ``path``, ``statements`` and ``sources`` properties as indexes into
    ``runs[0].properties.tables``; ``log`` is not modified."""
    run = log["runs"][0]
    results = run["results"]
    tables = Tables(r["properties"]["path"] for r in results)
    compacted = []
    for result, refs in zip(results, tables.refs, strict=True):
        props = dict(result["properties"])
        props["path"] = refs
        props["statements"] = [tables.location(s) for s in props["statements"]]
        props["sources"] = [tables.source(s, props["kind"]) for s in props["sources"]]
        compacted.append({**result, "properties": props})
    properties = {**run.get("properties", {}), "tables": tables.json()}
    return {**log, "runs": [{**run, "results": compacted, "properties": properties}, *log["runs"][1:]]}


def expand_sarif(log: dict[str, Any]) -> dict[str, Any]:
    """The log :func:`compact_sarif` was given (a log without ``tables`` is returned as it is)."""
    run = log["runs"][0]
    if "tables" not in run.get("properties", {}):
        return log
    lookup = Lookup(run["properties"]["tables"])
    results = []
    for result in run["results"]:
        props = dict(result["properties"])
        props["path"] = [lookup.hops[i] for i in props["path"]]
        props["statements"] = [lookup.locations[i] for i in props["statements"]]
        props["sources"] = [lookup.source(s, props["kind"]) for s in props["sources"]]
        results.append({**result, "properties": props})
    properties = {k: v for k, v in run["properties"].items() if k != "tables"}
    return {**log, "runs": [{**run, "results": results, "properties": properties}, *log["runs"][1:]]}
