"""The version 4 JSON report loses no fact of version 3, and its size follows the findings, not their witnesses;
the SARIF log's compacted witness properties expand to what they were.

Each scan below (the bundled example, the two-account sample, a small organization of every synth profile) runs
through the CLI, which writes the version 4 report; the :class:`ScanReport` it rendered is captured, and the version 3
document of it (:func:`report_json`, the version 3 writer unchanged) must equal the written report after
:func:`expand`, both validating against their schemas.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from trustgraph.cli.main import main
from trustgraph.render.json_report import render_json, report_json, schema
from trustgraph.render.json_tables import compact, context_defaults, expand, expand_context
from trustgraph.report.scan_report import ScanReport

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "datasets" / "example-org"
SAMPLE = ROOT / "tests" / "data" / "two-account-sample"
NOW = ("--now", "2026-11-28T15:00:00Z")
V3 = jsonschema.Draft202012Validator(
    json.loads(resources.files("trustgraph").joinpath("schemas/scan-report-v3.schema.json").read_text()))
V4 = jsonschema.Draft202012Validator(schema())


def _scan(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, *args: str, fmt: str = "json") -> tuple[dict[str, Any],
                                                                                              ScanReport]:
    """The written report and the :class:`ScanReport` the CLI rendered it from."""
    import trustgraph.cli.scan as scan_cli

    seen: list[ScanReport] = []
    write = scan_cli._write

    def capture(report: ScanReport, fmt: str, cli_args: Any) -> None:
        seen.append(report)
        write(report, fmt, cli_args)

    monkeypatch.setattr(scan_cli, "_write", capture)
    target = tmp_path / f"report.{fmt}"
    assert main(["scan", *args, *NOW, "--jobs", "1", "--format", fmt, "-o", str(target)]) in (0, 1)
    (report,) = seen
    written: dict[str, Any] = json.loads(target.read_text(encoding="utf-8"))
    return written, report


def _same_facts(written: dict[str, Any], report: ScanReport) -> dict[str, Any]:
    V4.validate(written)
    # the lean writer (finding by finding, what the CLI wrote) and the reference (the whole documents): one text
    lean = render_json(report)
    assert lean == render_json(report, lean=False) and json.loads(lean) == written
    v3 = json.loads(json.dumps(report_json(report)))
    V3.validate(v3)
    assert written["version"] == 4 and v3["version"] == 3
    assert expand(written) == v3
    assert list(expand(written)) == list(v3)  # key order too
    for ours, theirs in zip(expand(written)["findings"], v3["findings"], strict=True):
        assert list(ours) == list(theirs)
        assert all(list(a) == list(b) for a, b in zip(ours["path"], theirs["path"], strict=True))
    return v3


@pytest.mark.parametrize("args", [(), (str(SAMPLE), "--zone", "111122223333")], ids=["example", "sample"])
def test_example_and_sample_lose_nothing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                         args: tuple[str, ...]) -> None:
    written, report = _scan(monkeypatch, tmp_path, *args)
    assert written["findings"]
    _same_facts(written, report)
    _same_sarif(*_scan(monkeypatch, tmp_path, *args, fmt="sarif"))


PROFILES = [("mix", 1), ("federation-heavy", 1), ("chain-heavy", 1), ("vendor-heavy", 1), ("condition-heavy", 1),
            ("random", 2), ("random", 5)]


@pytest.mark.parametrize(("profile", "seed"), PROFILES, ids=[f"{p}-{s}" for p, s in PROFILES])
def test_small_organizations_lose_nothing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, profile: str,
                                          seed: int) -> None:
    org = tmp_path / "org"
    assert main(["synth", str(org), "--profile", profile, "--seed", str(seed), "--accounts", "3",
                 "--roles-per-account", "25"]) == 0
    written, report = _scan(monkeypatch, tmp_path, str(org))
    _same_facts(written, report)
    _same_sarif(*_scan(monkeypatch, tmp_path, str(org), fmt="sarif"))


def _same_sarif(written: dict[str, Any], report: ScanReport) -> None:
    """The written SARIF log is :func:`sarif_log`'s (the witness properties in full) after :func:`expand_sarif`."""
    from trustgraph.render.sarif import sarif_log
    from trustgraph.render.sarif_tables import expand_sarif

    assert report.positions or not report.findings  # SARIF shows statement lines: the CLI read them
    assert expand_sarif(written) == json.loads(json.dumps(sarif_log(report)))


def test_bytes_per_finding_bounded_by_content(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """On the example: the report is its shared parts (tool, zone, tables, summary...) plus, per finding, its own
    line; a finding's line holds its scalars and one small integer per hop, location, node and action it refers to.
    The bound is computed from those counts; version 3 wrote every witness, location and node in full per finding
    (a finding's line was its whole witness), which the second assertion shows exceeds the bound."""
    written, report = _scan(monkeypatch, tmp_path)
    text = render_json(report)
    findings = written["findings"]
    shared = len(text.encode()) - sum(len(json.dumps(f, separators=(",", ":"), ensure_ascii=False).encode()) + 6
                                      for f in findings)
    for f in findings:
        own = {k: v for k, v in f.items() if k not in ("path", "statements", "sources")}
        scalars = len(json.dumps(own, separators=(",", ":"), ensure_ascii=False).encode())
        source_strings = sum(len(json.dumps([s["source"], s["class"]], ensure_ascii=False).encode())
                             for s in f["sources"])
        refs = len(f["path"]) + len(f["statements"]) + sum(len(s["path"]) + len(s["actions"]) for s in f["sources"])
        # 5 bytes per reference (up to 4 digits and a comma), 90 per source for its keys and small numbers, 60 for
        # the keys of path/statements/sources
        bound = scalars + source_strings + 5 * refs + 90 * len(f["sources"]) + 60
        assert len(json.dumps(f, separators=(",", ":"), ensure_ascii=False).encode()) <= bound, f["role"]
    tables = json.dumps(written["tables"], separators=(",", ":"), ensure_ascii=False).encode()
    assert shared >= len(tables)  # the witnesses are in the shared part, once
    v3 = report_json(report)
    v3_lines = sum(len(json.dumps(f, separators=(",", ":"), ensure_ascii=False).encode()) for f in v3["findings"])
    assert len(text.encode()) < v3_lines  # the whole version 4 report is smaller than version 3's findings alone


def test_context_defaults_and_expansion() -> None:
    contexts = [{"a": "1", "b": ["x", "y"]}, {"a": "1", "b": ["x", "y"], "c": "3"}, {"a": "2"}]
    defaults = context_defaults(contexts)
    assert defaults == {"a": "1", "b": ["x", "y"]}  # "c" is in one hop of three, "a" = "2" in one
    assert expand_context({"c": "3"}, defaults) == contexts[1]
    assert expand_context({"a": "2", "b": None}, defaults) == contexts[2]
    assert context_defaults([]) == {}


def _counted_defaults(contexts: list[dict[str, Any]]) -> dict[str, Any]:
    """The reference of :func:`context_defaults`: every (key, value) pair counted."""
    from collections import Counter

    counts = Counter((k, orjson.dumps(v)) for ctx in contexts for k, v in ctx.items())
    shared = sorted((key, value) for (key, value), n in counts.items() if 2 * n > len(contexts))
    return {key: orjson.loads(value) for key, value in shared}


_VALUES = st.sampled_from(["1", "2", "3", ["x", "y"], ["y", "x"], 1, None])


@given(st.lists(st.dictionaries(st.sampled_from("abcd"), _VALUES, max_size=4), max_size=9))
def test_context_defaults_vote_is_the_count(contexts: list[dict[str, Any]]) -> None:
    """The majority vote finds what counting every (key, value) pair finds, keys in the same order."""
    found, reference = context_defaults(contexts), _counted_defaults(contexts)
    assert found == reference and list(found) == list(reference)


def test_shared_hops_locations_and_nodes_are_written_once() -> None:
    loc = {"file": "gaad.json", "pointer": "/RoleDetailList/0/AssumeRolePolicyDocument/Statement/0"}
    hop = {"source": "account:1", "target": "role/R", "action": "sts:AssumeRole",
           "context": {"aws:PrincipalAccount": "1"}, "statements": [loc], "approximations": []}
    source = {"source": "account:1", "class": "account", "kind": "finding", "hops": 1, "conditions": 0,
              "path": ["account:1", "role/R"], "actions": ["sts:AssumeRole"], "approximate": False}
    check = {"id": "c", "title": "T", "severity": "high", "severity_rule": "", "rationale": "", "remediation": "Fix"}

    def finding(check_id: str, remediation: str) -> dict[str, Any]:
        return {"check_id": check_id, "title": "T", "severity": "high", "kind": "finding", "role": "role/R",
                "account": "", "source": "account:1", "message": "m", "remediation": remediation, "path": [hop],
                "statements": [loc], "approximate": False, "approximations": [], "suppressed_by": None,
                "sources": [source], "sources_total": 1, "sources_omitted": 0, "exposure": {"hops": 1, "conditions": 0}}

    doc = {"version": 3, "tool": {"name": "t", "version": "0", "checks": [check]}, "generated_at": "", "zone": {},
           "inputs": [], "findings": [finding("c", "Fix"), finding("c", "Other"), finding("d", "Fix")],
           "summary": {}, "suppressions": {}}
    small = compact(doc)
    assert len(small["tables"]["hops"]) == len(small["tables"]["locations"]) == 1
    assert small["tables"]["nodes"] == ["account:1", "role/R"] and small["tables"]["actions"] == ["sts:AssumeRole"]
    assert small["tables"]["hops"][0]["context"] == {}  # the one hop's context is the defaults
    first, other, unknown_check = small["findings"]
    assert "remediation" not in first and "title" not in first and "suppressed_by" not in first
    assert other["remediation"] == "Other"  # not the check's: kept
    assert unknown_check["remediation"] == "Fix" and unknown_check["title"] == "T"  # no check to default from
    assert first["path"] == [0] and first["statements"] == [0] and first["sources"][0]["path"] == [0, 1]
    assert expand(small) == doc
    assert expand(doc) is doc  # version 3 is returned as it is


def test_json_and_csv_do_not_need_the_statement_lines(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """``scan --format json/csv`` no longer reads the cited export files for statement lines: what they write is the
    same with and without them (and with the keys each statement reads, which only HTML shows)."""
    from trustgraph.render.csv_report import render_csv
    from trustgraph.render.report import SHOWS_POSITIONS, SHOWS_READ_KEYS

    written, report = _scan(monkeypatch, tmp_path)
    assert not report.positions and not report.read_keys
    located = report.with_positions()
    assert located.positions
    assert render_json(located) == render_json(report) and json.loads(render_json(report)) == written
    assert render_csv(located) == render_csv(report)
    assert {"json", "csv"}.isdisjoint(SHOWS_POSITIONS | SHOWS_READ_KEYS)


def test_scan_writes_version_3_on_request(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """``scan --json-version 3`` writes the version 3 document (validated by its schema) that :func:`expand` gives
    from the version 4 report of the same findings: scripts written for version 3 keep working."""
    written, report = _scan(monkeypatch, tmp_path, str(SAMPLE), "--json-version", "3")
    V3.validate(written)
    assert written["version"] == 3 and "tables" not in written
    assert written == expand(json.loads(render_json(report)))
    assert written["findings"] and isinstance(written["findings"][0]["path"][0], dict)


def test_render_json_refuses_a_version_it_cannot_write(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _, report = _scan(monkeypatch, tmp_path, str(SAMPLE))
    assert json.loads(render_json(report, version=3)) == json.loads(json.dumps(report_json(report)))
    with pytest.raises(ValueError, match="version 2 cannot be written"):
        render_json(report, version=2)
