"""The JSON report validates against its shipped schema and carries every finding exactly (version 4: through
:func:`~trustgraph.render.json_tables.expand`, which rebuilds the version 3 document)."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings

from trustgraph.checks.finding import Finding
from trustgraph.render.json_report import json_chunks, render_json, schema
from trustgraph.render.json_tables import expand
from trustgraph.render.report import ScanReport

from .fixtures import HOSTILE, IMG, chain_of, make_report
from .strategies import reports

VALIDATOR = jsonschema.Draft202012Validator(schema())


def _v3_schema() -> dict[str, Any]:
    from importlib import resources

    text = resources.files("trustgraph").joinpath("schemas/scan-report-v3.schema.json").read_text()
    loaded: dict[str, Any] = json.loads(text)
    return loaded


V3_VALIDATOR = jsonschema.Draft202012Validator(_v3_schema())


def test_schema_is_valid_draft_2020_12() -> None:
    jsonschema.Draft202012Validator.check_schema(schema())
    assert schema()["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_output_validates(report: ScanReport) -> None:
    VALIDATOR.validate(json.loads(render_json(report)))


def test_top_level_key_order_and_version(report: ScanReport) -> None:
    doc = json.loads(render_json(report))
    assert list(doc) == ["version", "tool", "generated_at", "zone", "inputs", "findings", "summary", "suppressions",
                         "tables"]
    assert doc["version"] == 4
    assert list(doc["tables"]) == ["context_defaults", "hops", "locations", "nodes", "actions"]
    assert doc["tool"]["name"] == "trustgraph" and doc["tool"]["version"] == "0.1.0"
    assert [c["id"] for c in doc["tool"]["checks"]][0] == "external-without-external-id"


def test_findings_carry_every_field(report: ScanReport) -> None:
    doc = expand(json.loads(render_json(report)))
    V3_VALIDATOR.validate(doc)
    assert [f["role"] for f in doc["findings"]] == [f.role for f in report.ordered]
    chain = next(f for f in doc["findings"] if f["check_id"] == "external-path-to-admin")
    assert chain["account"] == "111122223333"
    assert [h["target"] for h in chain["path"]] == [h.target for h in chain_of(report).path]
    expected = list(chain_of(report).path[1].context["aws:RequestTag/x"])
    assert chain["path"][1]["context"]["aws:RequestTag/x"] == expected
    assert chain["path"][0]["context"]["aws:SourceIp"] == "203.0.113.7"
    assert list(chain["path"][0]["context"]) == sorted(chain["path"][0]["context"])
    assert chain["statements"][0] == {"file": "exports/account-b <b>.json",
                                      "pointer": "/RoleDetailList/0/AssumeRolePolicyDocument/Statement/0"}
    assert chain["approximate"] is True
    # version 2: every source listed (most specific first) with its shortest path as node ids, and the exposure
    assert [(s["source"], s["class"], s["hops"], s["conditions"]) for s in chain["sources"]] == [
        ("account:444455556666", "account", 2, 1), (f"federated:{IMG}", "federated", 3, 0)]
    assert chain["sources"][1]["path"][-1] == chain["role"] and "context" not in chain["sources"][1]
    assert (chain["sources_total"], chain["sources_omitted"]) == (2, 0)
    assert chain["exposure"] == {"hops": 2, "conditions": 1}
    unknown = [f for f in doc["findings"] if f["kind"] == "unknown"]
    assert len(unknown) == 1 and unknown[0]["role"].endswith("VendorIntegrationRole")
    suppressed = [f for f in doc["findings"] if f["suppressed_by"] is not None]
    assert [f["role"].rsplit("/", 1)[-1] for f in suppressed] == ["AcceptedRisk"]


def test_summary_and_suppressions(report: ScanReport) -> None:
    doc = json.loads(render_json(report))
    assert doc["summary"] == {"total": 5, "by_severity": {"critical": 2, "high": 1, "medium": 1, "low": 1},
                              "by_kind": {"finding": 4, "unknown": 1}, "suppressed": 1, "approximate": 1,
                              "highest_severity": "critical", "by_source_class": {
                                  "principal": {"findings": 0, "sources": 0},
                                  "account": {"findings": 2, "sources": 2},
                                  "federated": {"findings": 3, "sources": 3},
                                  "service": {"findings": 0, "sources": 0},
                                  "external": {"findings": 1, "sources": 1},
                                  "public": {"findings": 0, "sources": 0},
                                  "none": {"findings": 0, "sources": 0}}}
    assert [s["check_id"] for s in doc["suppressions"]["expired"]] == ["public-role"]
    assert doc["suppressions"]["unused"][0]["source"] == "federated:*"
    assert doc["suppressions"]["applied"][0]["matched"] == 1


def test_hostile_strings_survive_verbatim(report: ScanReport) -> None:
    text = render_json(report)
    doc = json.loads(text)
    dumped = json.dumps(doc, ensure_ascii=False)
    for s in HOSTILE:
        assert json.dumps(s, ensure_ascii=False)[1:-1] in dumped


def test_lean_writer_writes_the_reference_text(report: ScanReport) -> None:
    """The lean writer (finding by finding) and the reference (the whole version 3 document, compacted) agree byte
    for byte on hostile strings, an unknown, an approximate and a suppressed finding, and on no finding at all."""
    assert render_json(report) == render_json(report, lean=False)
    assert render_json(ScanReport()) == render_json(ScanReport(), lean=False)
    assert render_json(report, version=3, lean=True) == render_json(report, version=3, lean=False)


def test_pieces_are_the_text_one_finding_line_each(report: ScanReport) -> None:
    """What the CLI writes piece by piece (:func:`json_chunks`) is the reference text, each finding's line a piece of
    its own (the text is never held whole); a version that cannot be written is refused before any piece."""
    pieces = list(json_chunks(report))
    assert "".join(pieces) == render_json(report, lean=False)
    assert [p.count('{"check_id":') for p in pieces if '{"check_id":' in p] == [1] * len(report.ordered)
    assert "".join(json_chunks(ScanReport())) == render_json(ScanReport(), lean=False)
    for version in (3, 4):
        assert "".join(json_chunks(report, version=version, lean=False)) == render_json(report, version=version,
                                                                                          lean=False)
    with pytest.raises(ValueError, match="cannot be written"):
        json_chunks(report, version=2)


def test_empty_report_validates() -> None:
    doc = json.loads(render_json(ScanReport()))
    VALIDATOR.validate(doc)
    assert doc["findings"] == [] and doc["summary"]["highest_severity"] is None


def test_reproducible(report: ScanReport) -> None:
    assert render_json(report) == render_json(make_report())


def test_sources_beyond_the_cap_are_counted_not_listed() -> None:
    from trustgraph.checks.finding import SourceReach
    from trustgraph.render.json_report import MAX_LISTED_SOURCES

    chain = chain_of(make_report())
    many = tuple(SourceReach(source=f"account:{n:012d}", source_class="account", nodes=(f"account:{n:012d}",
                             chain.role), actions=("sts:AssumeRole",)) for n in range(MAX_LISTED_SOURCES + 7))
    doc = json.loads(render_json(ScanReport(findings=(replace(chain, sources=many),))))
    VALIDATOR.validate(doc)
    (finding,) = doc["findings"]
    assert len(finding["sources"]) == MAX_LISTED_SOURCES
    assert (finding["sources_total"], finding["sources_omitted"]) == (MAX_LISTED_SOURCES + 7, 7)
    assert doc["summary"]["by_source_class"]["account"] == {"findings": 1, "sources": MAX_LISTED_SOURCES + 7}


def test_statements_are_those_of_the_listed_sources() -> None:
    """Version 3: a finding cites the statements of the sources it lists; one whose every source is listed cites
    all its statements (as version 2 did)."""
    from trustgraph.checks.grouping import merge
    from trustgraph.model.location import Location
    from trustgraph.render.json_report import MAX_LISTED_SOURCES

    chain = chain_of(make_report())

    def single(n: int) -> Finding:
        loc = Location(f"gaad-{n}.json", "/RoleDetailList/0/AssumeRolePolicyDocument/Statement/0")
        hop = replace(chain.path[-1], source=f"account:{n:012d}", statements=(loc,))
        return replace(chain, source=f"account:{n:012d}", path=(hop,), statements=(loc,), sources=())

    for count in (3, MAX_LISTED_SOURCES, MAX_LISTED_SOURCES + 7):
        merged = merge(single(n) for n in range(count))
        assert len(merged.statements) == count  # the finding itself (SARIF, HTML, CSV) keeps every statement
        doc = json.loads(render_json(ScanReport(findings=(merged,))))
        VALIDATOR.validate(doc)
        (finding,) = expand(doc)["findings"]
        listed = [s["source"] for s in finding["sources"]]
        expected = [{"file": f"gaad-{int(src.split(':')[1])}.json",
                     "pointer": "/RoleDetailList/0/AssumeRolePolicyDocument/Statement/0"} for src in listed]
        assert finding["statements"] == expected
        assert len(finding["statements"]) == min(count, MAX_LISTED_SOURCES)


def test_one_finding_per_line(report: ScanReport) -> None:
    """The layout: top-level keys indented, each finding compact on a line of its own; the document is the
    compaction of the one :func:`report_json` builds."""
    from trustgraph.render.json_report import report_json
    from trustgraph.render.json_tables import compact

    text = render_json(report)
    assert json.loads(text) == json.loads(json.dumps(compact(report_json(report))))
    assert text.endswith("}\n") and text.startswith('{\n  "version": 4,\n')
    lines = [line for line in text.splitlines() if line.startswith('    {"check_id"')]
    assert len(lines) == len(report.ordered)
    assert [json.loads(line.rstrip(","))["role"] for line in lines] == [f.role for f in report.ordered]


def test_version_3_schema_still_shipped() -> None:
    assert _v3_schema()["properties"]["version"]["const"] == 3


def test_version_2_schema_still_shipped() -> None:
    from importlib import resources

    v2 = json.loads(resources.files("trustgraph").joinpath("schemas/scan-report-v2.schema.json").read_text())
    assert v2["properties"]["version"]["const"] == 2


def test_version_1_schema_still_shipped() -> None:
    from importlib import resources

    v1 = json.loads(resources.files("trustgraph").joinpath("schemas/scan-report-v1.schema.json").read_text())
    assert v1["properties"]["version"] == {"const": 1, "description": "Version of this report format."}


def test_schema_rejects_a_missing_field(report: ScanReport) -> None:
    doc = json.loads(render_json(report))
    del doc["findings"][0]["severity"]
    assert not VALIDATOR.is_valid(doc)


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(reports)
def test_any_report_validates(r: ScanReport) -> None:
    from trustgraph.render.json_report import report_json

    doc = json.loads(render_json(r))
    VALIDATOR.validate(doc)
    expanded = expand(doc)
    V3_VALIDATOR.validate(expanded)
    assert expanded == json.loads(json.dumps(report_json(r)))
    assert len(doc["findings"]) == len(r.findings)
