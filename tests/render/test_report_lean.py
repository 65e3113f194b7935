"""The report phase's lean paths agree with their references: the lean hops' table
(:class:`~trustgraph.render.json_tables.Tables` ``lean``: each distinct hop kept as its witness, made again when
written) writes the same JSON text as the hops held compacted whole, and the grouped report order
(:func:`~trustgraph.report.scan_report.ordered_findings`) is the order of the whole sort key."""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from trustgraph.cli.main import main
from trustgraph.render.json_report import hop_json, render_json
from trustgraph.render.json_tables import Tables
from trustgraph.report.scan_report import ScanReport, _head_key, finding_sort_key, ordered_findings

from .test_json_tables import _scan

PROFILES = [("mix", 1), ("chain-heavy", 1), ("vendor-heavy", 1), ("random", 2), ("random", 5)]


def _report(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, profile: str, seed: int) -> ScanReport:
    org = tmp_path / "org"
    assert main(["synth", str(org), "--profile", profile, "--seed", str(seed), "--accounts", "3",
                 "--roles-per-account", "25"]) == 0
    return _scan(monkeypatch, tmp_path, str(org))[1]


def _tables(tables: Tables) -> dict[str, Any]:
    return {"refs": tables.refs, **tables.json()}


@pytest.mark.parametrize(("profile", "seed"), PROFILES, ids=[f"{p}-{s}" for p, s in PROFILES])
def test_lean_tables_and_order_are_the_reference(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, profile: str,
                                                 seed: int) -> None:
    report = _report(monkeypatch, tmp_path, profile, seed)
    assert report.findings
    text = render_json(report)
    assert text == render_json(report, lean_tables=False) == render_json(report, lean=False)
    reference = ScanReport(findings=report.findings, checks_run=report.checks_run, grouped_order=False)
    assert render_json(replace(report, grouped_order=False)) == text
    assert ScanReport(findings=report.findings, checks_run=report.checks_run).ordered == reference.ordered
    paths = [list(f.path) for f in reference.ordered]
    paths += [[replace(h) for h in p] for p in paths]  # equal hops, other objects: each written once
    lean, held = Tables(paths, hop_json, lean=True), Tables(paths, hop_json)
    # the findings' locations are added after the hops' (the lean table makes its rows after them)
    for f in reference.ordered:
        for t in (lean, held):
            [t.location({"file": s.file, "pointer": s.pointer}) for s in f.statements]
    assert _tables(lean) == _tables(held)
    assert 2 * len(lean.json()["hops"]) <= sum(map(len, paths))
    assert lean.refs[len(paths) // 2:] == lean.refs[:len(paths) // 2]


def test_empty_report_tables() -> None:
    """No finding: every table empty, written as ``[]`` by both."""
    empty = ScanReport()
    assert render_json(empty) == render_json(empty, lean_tables=False) == render_json(empty, lean=False)
    assert '"hops": []' in render_json(empty)


def test_grouped_order_is_the_whole_sort(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Findings shuffled (20 seeds), with copies differing only in their path or statements (equal heads, so the
    grouped sort must break the tie as the whole key does), and exact copies (the stable order of equal keys)."""
    base = list(_report(monkeypatch, tmp_path, "mix", 1).findings)
    for seed in range(20):
        rnd = random.Random(seed)
        findings = list(base)
        for f in rnd.sample(base, min(20, len(base))):
            if len(f.path) > 1:
                findings.append(replace(f, path=f.path[:-1]))
            if len(f.statements) > 1:
                findings.append(replace(f, statements=tuple(reversed(f.statements))))
            findings.append(replace(f))
        rnd.shuffle(findings)
        heads: dict[Any, set[Any]] = {}
        for f in findings:
            heads.setdefault(_head_key(f), set()).add(finding_sort_key(f))
        assert any(len(keys) > 1 for keys in heads.values())  # the tie-break is exercised
        grouped, whole = ordered_findings(findings), ordered_findings(findings, grouped=False)
        assert [id(f) for f in grouped] == [id(f) for f in whole]
