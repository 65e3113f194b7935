"""The bench command works end to end at a small size: every phase is reported with numbers.

No timing assertions: the numbers are read from the bench output, never asserted (issue 7, item 4).
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from trustgraph.cli.main import main

PHASES = ("imports", "read", "model", "graph", "edges", "reach_external", "checks", "render_json", "who_can_reach")
SOLVER_COUNTERS = {"hits", "misses", "solver_calls", "fast_path", "structure_evaluations"}


def _number(x: object) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x) and x >= 0


@pytest.fixture(scope="module")
def bench_json(tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("bench") / "bench.json"
    proc = subprocess.run(
        [sys.executable, "-m", "trustgraph", "bench", "--roles", "200", "--accounts", "4", "--format", "json"],
        capture_output=True, text=True, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    out.write_text(proc.stdout)
    return json.loads(proc.stdout)


def test_every_phase_is_present_in_order_with_numbers(bench_json: dict) -> None:
    phases = bench_json["phases"]
    assert [p["name"] for p in phases] == list(PHASES)
    for p in phases:
        assert _number(p["seconds"]), p
        assert _number(p["peak_rss_mb"]) and p["peak_rss_mb"] > 0, p
        assert set(p["solver"]) == SOLVER_COUNTERS, p
        assert all(_number(v) for v in p["solver"].values()), p


def test_counts_describe_the_generated_organization(bench_json: dict) -> None:
    assert bench_json["roles"] == 200
    assert bench_json["accounts"] == 4
    assert bench_json["generated"]["roles_per_account"] == 50
    by_name = {p["name"]: p for p in bench_json["phases"]}
    assert by_name["read"]["detail"]["files"] == bench_json["files"] > 4
    assert by_name["model"]["detail"]["roles"] == 200
    assert by_name["graph"]["detail"]["nodes"] > 200
    # the solver phases did solve something, and the checks found what the generator plants
    assert by_name["edges"]["detail"]["hops"] > 0
    assert by_name["edges"]["detail"]["hops"] == sum(
        by_name["edges"]["detail"][k] for k in ("sat", "unsat", "unknown"))
    assert by_name["checks"]["detail"]["roles"] > 0
    assert by_name["checks"]["detail"]["findings"] > 0
    assert by_name["checks"]["solver"]["solver_calls"] + by_name["checks"]["solver"]["hits"] > 0
    wcr = by_name["who_can_reach"]["detail"]
    assert wcr["queries"] == 200  # the default sample: every role of this organization (all inside the zone)
    assert wcr["cold_queries"] == 50  # every fourth again, each on a fresh engine
    for prefix in ("", "cold_"):
        assert _number(wcr[prefix + "median_ms"])
        assert wcr[prefix + "median_ms"] <= wcr[prefix + "p99_ms"] <= wcr[prefix + "max_ms"]
    # the tail by name: the five slowest questions, slowest first, and the one whose time is the p99
    slowest = wcr["slowest"]
    assert [q["ms"] for q in slowest] == sorted((q["ms"] for q in slowest), reverse=True) and len(slowest) == 5
    assert slowest[0]["ms"] == wcr["max_ms"] and wcr["p99_question"]["ms"] == wcr["p99_ms"]
    assert all(1 <= q["order"] <= 200 and q["sources"] >= 0 and q["cpu_ms"] >= 0 for q in slowest)
    assert by_name["render_json"]["detail"]["bytes"] > 0
    assert _number(bench_json["scan_equivalent_seconds"])
    assert bench_json["process"] is None  # only with --process
    assert bench_json["machine"]["python"].startswith("3.")


def test_table_output_names_every_phase(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "--roles", "40", "--accounts", "2", "--sample", "3"]) == 0
    out = capsys.readouterr().out
    for title in ("read+parse JSON", "build model", "build graph", "who_can_reach", "solve edge conditions",
                  "reach from external", "all checks", "render JSON"):
        assert title in out, title
    assert "40 roles, 2 accounts" in out


def test_process_comparison_runs_both_processes(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    keep = tmp_path / "org"
    assert main(["bench", "--roles", "20", "--accounts", "2", "--sample", "1", "--process", "--repeats", "1",
                 "--keep", str(keep), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    pc = data["process"]
    assert len(pc["scan_seconds"]) == len(pc["floor_seconds"]) == 1
    assert _number(pc["scan_median"]) and _number(pc["floor_median"]) and _number(pc["ratio"])
    assert pc["scan_command"][2:5] == ["trustgraph", "scan", str(keep)]
    assert pc["scan_command"][-4:] == ["--format", "json", "-o", os.devnull]
    assert "json.load" in pc["floor_command"][-1]
    assert any(keep.glob("*.json"))  # --keep leaves the organization in place
    assert data["generated"]["directory"] == str(keep)


def test_bench_on_given_paths(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    from trustgraph.synth import synthesize

    synthesize(tmp_path, accounts=2, roles_per_account=15, seed=3)
    assert main(["bench", str(tmp_path), "--sample", "2", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["generated"] is None
    assert data["roles"] == 30


@pytest.mark.parametrize("argv", [["--jobs", "0"], ["--roles", "1", "--accounts", "2"], ["--repeats", "0"]])
def test_bad_arguments_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("trustgraph: error:") and "Traceback" not in err


def test_jobs_report_the_workers_memory_and_the_same_findings(capsys: pytest.CaptureFixture[str]) -> None:
    counts = {}
    for jobs in ("1", "2"):
        assert main(["bench", "--roles", "40", "--accounts", "2", "--sample", "1", "--jobs", jobs,
                     "--format", "json"]) == 0
        data = json.loads(capsys.readouterr().out)
        checks = next(p for p in data["phases"] if p["name"] == "checks")
        assert checks["detail"]["jobs"] == int(jobs)
        counts[jobs] = checks["detail"]["findings"]
        if jobs == "2":
            assert _number(checks["detail"]["workers_peak_rss_mb"]) and checks["detail"]["workers_peak_rss_mb"] > 0
        else:
            assert "workers_peak_rss_mb" not in checks["detail"]
    assert counts["1"] == counts["2"] > 0


def test_process_comparison_times_compiled_bytecode(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """--process compiles trustgraph's bytecode before it times a scan (as an installed package has it), so that a
    checkout run with PYTHONDONTWRITEBYTECODE does not time the compilation of every module it imports."""
    import importlib.util

    import trustgraph.bench.process as process
    import trustgraph.cli.main as cli_main

    assert process.compile_bytecode()  # every module compiled (the checkout is writable)
    cached = importlib.util.cache_from_source(cli_main.__file__)
    assert os.path.exists(cached) and os.path.getmtime(cached) >= os.path.getmtime(cli_main.__file__)
    calls: list[str] = []

    def compiled() -> bool:
        calls.append("compiled")
        return True

    def scan(cmd: object, ok: object, tree: bool = True, timeline: object = None) -> process.MeasuredRun:
        calls.append("scan")
        return process.MeasuredRun(1.0, 1.0, None)

    def floor(cmd: object, ok: object) -> tuple[float, float]:
        calls.append("floor")
        return 0.1, 1.0

    monkeypatch.setattr(process, "compile_bytecode", compiled)
    monkeypatch.setattr(process, "measured_run", scan)
    monkeypatch.setattr(process, "timed_run", floor)
    assert process.process_comparison([str(tmp_path)], repeats=1).bytecode_cached is True
    assert calls == ["compiled", "floor", "scan"]
    monkeypatch.setattr(process, "compile_bytecode", lambda: False)  # e.g. a read-only checkout: said, not hidden
    assert process.process_comparison([str(tmp_path)], repeats=1).bytecode_cached is False
