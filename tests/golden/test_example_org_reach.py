"""Golden reachability answers of the bundled example organization (datasets/expected/example-org.json)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from trustgraph.api import TrustGraph, load
from trustgraph.queries.results import Reach
from trustgraph.semantics.request import Verdict

ROOT = Path(__file__).resolve().parents[2]
EXPECTED = json.loads((ROOT / "datasets" / "expected" / "example-org.json").read_text())


@pytest.fixture(scope="module")
def tg() -> TrustGraph:
    return load(ROOT / "datasets" / "example-org", zone_file=str(ROOT / "datasets" / "example-org" / "zone.toml"))


def _ask(tg: TrustGraph, case: dict[str, Any]) -> Any:
    options = {"without": case.get("without", []), "given": case.get("given"), "closed": case.get("closed", False)}
    if case["from"] == "*":
        results = tg.who_can_reach(case["to"], **options)
        reach = [r for r in results if r.verdict is not Reach.UNREACHABLE]
        return reach[0] if reach else None
    return tg.can_reach(case["from"], case["to"], **options)


def _id(case: dict[str, Any]) -> str:
    return f"{case['from'].rsplit('/', 1)[-1]}->{case['to'].rsplit('/', 1)[-1]}"


@pytest.mark.parametrize("case", EXPECTED["reachable"], ids=_id)
def test_reachable(tg: TrustGraph, case: dict[str, Any]) -> None:
    r = _ask(tg, case)
    assert r is not None and r.verdict is Reach.REACHABLE, getattr(r, "reason", None)
    assert len(r.hops) == case["hops"]
    for hop in r.hops:
        assert hop.replay().verdict is Verdict.ALLOW
        for key in case.get("without", []):
            assert key not in hop.context


VARIANT_CASES = [(v, verdict, case) for v in EXPECTED["variants"] for verdict in ("reachable", "unreachable")
                 for case in v[verdict]]


@pytest.mark.parametrize(("variant", "verdict", "case"), VARIANT_CASES, ids=lambda x: _id(x) if "from" in x else "")
def test_variant_zones(variant: dict[str, Any], verdict: str, case: dict[str, Any], tmp_path: Path) -> None:
    """The variants' zones, written as zone files (``identity_center`` included)."""
    zone = variant["zone"]
    zone_file = tmp_path / "zone.toml"
    zone_file.write_text(f"accounts = {json.dumps(zone['accounts'])}\n"
                         f"organizations = {json.dumps(zone['organizations'])}\n"
                         f"identity_center = {json.dumps(zone.get('identity_center', 'inside'))}\n")
    r = _ask(load(ROOT / "datasets" / "example-org", zone_file=str(zone_file)), case)
    if verdict == "reachable":
        assert r is not None and r.verdict is Reach.REACHABLE and len(r.hops) == case["hops"]
    else:
        assert r is None or r.verdict is Reach.UNREACHABLE


@pytest.mark.parametrize("case", EXPECTED["unreachable"], ids=_id)
def test_unreachable(tg: TrustGraph, case: dict[str, Any]) -> None:
    r = _ask(tg, case)
    if case["from"] == "*":
        assert r is None
        return
    assert r.verdict is Reach.UNREACHABLE, [h.target for h in r.hops]
    assert r.reason
    if "blocked_by" in case:  # the reason quotes the blocking statement or condition with its file and pointer
        file, pointer = case["blocked_by"].split("#", 1)
        assert f"{file}#{pointer}" in r.reason.replace(str(ROOT / "datasets" / "example-org") + "/", ""), r.reason
