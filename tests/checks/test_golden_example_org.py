"""Golden test: the scan of the bundled example organization against its intended answers.

The intended answers are the dataset's machine-readable file (``findings`` with severities, ``no_findings``,
``findings_complete_for``: every finding of those checks must be listed). Roles reachable from outside only through
federated providers must not be external-without-external-id findings (the check is about AWS principals); the test
also confirms with a graph query that such roles are indeed reachable, so the absence is the check's scope and not a
blind spot.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from trustgraph.checks.context import ScanContext
from trustgraph.checks.finding import Finding, FindingKind
from trustgraph.checks.registry import CHECKS
from trustgraph.checks.runner import run_checks
from trustgraph.queries.options import QueryOptions
from trustgraph.queries.results import Reach

ROOT = Path(__file__).resolve().parents[2]
DATASET = ROOT / "datasets" / "example-org"
CANDIDATES = (DATASET / "expected.json", ROOT / "datasets" / "expected" / "example-org.json")
EXPECTED = next((p for p in CANDIDATES if p.exists()), None)

pytestmark = pytest.mark.skipif(EXPECTED is None or not (DATASET / "zone.toml").exists(),
                                reason="datasets/example-org and its expected answers are not in this tree")


@pytest.fixture(scope="module")
def expected() -> dict[str, Any]:
    assert EXPECTED is not None
    return json.loads(EXPECTED.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def scan() -> tuple[ScanContext, list[Finding]]:
    import trustgraph

    tg = trustgraph.load(DATASET, zone_file=str(DATASET / "zone.toml"))
    ctx = ScanContext(tg)
    return ctx, list(run_checks(ctx, CHECKS).findings)


def _federated_only(ctx: ScanContext, role: str) -> bool:
    results = ctx.tg.query("external", role, QueryOptions(without=("sts:ExternalId",)), per_member=True)
    sources = {r.source for r in results if r.verdict is Reach.REACHABLE}
    return bool(sources) and all(s.startswith("federated:") for s in sources)


def test_no_unknown_answers(scan: tuple[ScanContext, list[Finding]]) -> None:
    _, findings = scan
    assert [(f.check_id, f.role) for f in findings if f.kind is FindingKind.UNKNOWN] == []


def test_every_expected_finding(expected: dict[str, Any], scan: tuple[ScanContext, list[Finding]]) -> None:
    ctx, findings = scan
    got = {(f.check_id, f.role): f for f in findings}
    missing = []
    for item in expected["findings"]:
        key = (item["check"], item["role"])
        if key not in got:
            missing.append(key)
            continue
        assert got[key].severity.value == item["severity"], key
    assert missing == []


def test_federated_only_routes_are_not_external_id_findings(scan: tuple[ScanContext, list[Finding]]) -> None:
    ctx, findings = scan
    federated_only = [r for r in ctx.roles if _federated_only(ctx, r)]
    assert len(federated_only) >= 3  # GitHub prefix/unpinned, Cognito, LegacyOkta are reachable from outside
    flagged = {f.role for f in findings if f.check_id == "external-without-external-id"}
    assert flagged.isdisjoint(federated_only)


def test_no_expected_non_finding(expected: dict[str, Any], scan: tuple[ScanContext, list[Finding]]) -> None:
    _, findings = scan
    got = {(f.check_id, f.role) for f in findings}
    assert [(n["check"], n["role"]) for n in expected["no_findings"] if (n["check"], n["role"]) in got] == []


def test_complete_checks_report_nothing_else(expected: dict[str, Any],
                                             scan: tuple[ScanContext, list[Finding]]) -> None:
    _, findings = scan
    complete = set(expected.get("findings_complete_for", ()))
    listed = {(i["check"], i["role"]) for i in expected["findings"]}
    extra = sorted({(f.check_id, f.role) for f in findings if f.check_id in complete} - listed)
    assert extra == []
