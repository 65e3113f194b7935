"""``trustgraph bench --adversarial`` runs every hostile case to an answer (times are printed, not asserted)."""

from __future__ import annotations

import json

import pytest

from trustgraph.cli.main import main


def test_adversarial_bench_decides_every_case(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "--adversarial", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    answers = {r["case"]: r["answer"] for r in rows}
    assert all(r["ms_per_call"] >= 0 and r["calls"] >= 1 for r in rows)
    assert {a for c, a in answers.items() if c.startswith("glob")} == {"False"}
    reach = [a for c, a in answers.items() if c.startswith("can_reach")]
    assert len(reach) == 2 and set(reach) <= {"reachable", "unreachable"}  # decided: not unknown
