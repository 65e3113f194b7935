"""The bench's organizations (profiles with seeds, ``--seeds``), its per-profile ``--budget`` and its z3 counter.

No timing assertions: only what was run, how it is named, and what a run ended at its budget reports.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from trustgraph.bench.run import BenchOptions, ProfileRun, parse_profiles, run_profiles
from trustgraph.bench.targets import OVER_BUDGET, TARGETS
from trustgraph.bench.z3meter import z3_metered
from trustgraph.cli.main import main
from trustgraph.errors import UsageError
from trustgraph.synth import PROFILES


def test_parse_profiles_names_seeds_and_all() -> None:
    assert parse_profiles("mix", seed=4) == [ProfileRun("mix", 4)]
    assert [r.label for r in parse_profiles("random", seeds=(1, 2, 3))] == ["random:1", "random:2", "random:3"]
    assert [r.label for r in parse_profiles("vendor-heavy:9,random:2", seed=1)] == ["vendor-heavy:9", "random:2"]
    every = parse_profiles("all,random:2,random:3", seed=1)
    assert [r.label for r in every] == [f"{p}:1" for p in PROFILES] + ["random:2", "random:3"]


@pytest.mark.parametrize("text", ["nope", "mix,mix", "random:1,random:1", "all,mix", "mix:x", "mix:"])
def test_parse_profiles_rejects(text: str) -> None:
    with pytest.raises(UsageError):
        parse_profiles(text, seed=1)


@pytest.mark.parametrize("argv", [["--seeds", "1,1"], ["--seeds", "a"], ["--budget", "0"], ["--budget", "x"],
                                  ["--seeds", "1,2", "."], ["--budget", "5", "."], ["--profile", "random:1", "."]])
def test_bad_arguments_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", *argv]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_random_profile_with_several_seeds_in_one_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "--profile", "mix,random", "--seeds", "1,2", "--roles", "10", "--accounts", "2",
                 "--sample", "0", "--no-per-check", "--format", "json"]) == 0
    runs = json.loads(capsys.readouterr().out)["runs"]
    assert [(r["profile"], r["generated"]["seed"]) for r in runs] == [("mix", 1), ("mix", 2), ("random", 1),
                                                                        ("random", 2)]
    assert all(r["status"] == "ok" and r["scan_equivalent_seconds"] is not None for r in runs)
    # the random profile's shape is its seed's: two seeds, two organizations
    assert runs[2]["generated"]["summary"] != runs[3]["generated"]["summary"]


def test_markdown_names_random_runs_by_seed(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "--profile", "random:3,mix", "--seeds", "1,2", "--roles", "10", "--accounts", "2",
                 "--sample", "0", "--no-per-check", "--format", "markdown"]) == 0
    out = capsys.readouterr().out
    for name in ("random:3", "mix:1", "mix:2"):  # a profile run with several seeds is named with each
        assert f"| {name} | who_can_reach median |" in out, name
    assert "--profile random:3,mix" in out and "--seeds 1,2" in out


def test_a_profile_over_its_budget_is_reported_not_waited_for(capsys: pytest.CaptureFixture[str]) -> None:
    options = BenchOptions(jobs=1, sample=0, per_check=False)
    over, = run_profiles([ProfileRun("mix", 1)], roles=400, accounts=4, options=options, budget=0.2)
    assert over.status == OVER_BUDGET and not over.complete
    assert over.budget is not None and over.budget["seconds"] == 0.2 and over.budget["phase"]
    rows = over.to_json()["targets"]
    assert [r["id"] for r in rows] == [t.id for t in TARGETS] and {r["result"] for r in rows} == {OVER_BUDGET}
    # a budget that is enough: the result is the complete one
    assert main(["bench", "--profile", "mix", "--roles", "10", "--accounts", "2", "--sample", "0",
                 "--no-per-check", "--budget", "600", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["status"] == "ok" and data["phases"]  # one profile: one result, as without --budget


def test_over_budget_in_table_and_markdown(capsys: pytest.CaptureFixture[str]) -> None:
    from trustgraph.bench.markdown import render_markdown
    from trustgraph.cli.bench import _table

    options = BenchOptions(jobs=1, sample=0, per_check=False)
    over, = run_profiles(["chain-heavy"], roles=400, accounts=4, seed=2, options=options, budget=0.2)
    assert "over budget" in _table(over)
    text = render_markdown([over], "trustgraph bench")
    assert "| chain-heavy | who_can_reach median | < 10 ms | - | over budget |" in text
    assert "over budget: ended after" in text


def test_z3_meter_counts_every_check_and_restores() -> None:
    import z3  # type: ignore[import-untyped]

    original = z3.Solver.check
    with z3_metered() as outer:
        with z3_metered() as inner:
            z3.Solver().check()
        z3.Then("simplify", "smt").solver().check()  # a tactic's solver is a Solver too
    assert (inner.checks, outer.checks) == (1, 2)
    assert z3.Solver.check is original


def test_per_check_counts_the_z3_runs_of_solve_hop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """F7: a check asking its hops through ``ScanContext.solve_hop`` was shown with 0 solver calls while it spent
    minutes in z3 (the counter read the engine's). Every z3 run is now counted, wherever it is made: here each
    ``solve_hop`` also runs one z3 check of its own, and the bench must see at least those."""
    import z3

    import trustgraph
    from trustgraph.bench.phases import time_each_check
    from trustgraph.checks.context import ScanContext
    from trustgraph.checks.registry import select_checks
    from trustgraph.synth import synthesize

    synthesize(tmp_path, accounts=2, roles_per_account=10, seed=1, profile="condition-heavy")
    tg = trustgraph.load([tmp_path])
    calls = []
    inner = ScanContext.solve_hop

    def solve_hop(self: ScanContext, *args: object, **kwargs: object) -> object:
        calls.append(args)
        z3.Solver().check()
        return inner(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ScanContext, "solve_hop", solve_hop)
    for check in select_checks(["vacuous-condition"]):
        before = len(calls)
        t, = time_each_check(tg.estate, tg.zone, tg.graph, [check])
        made = len(calls) - before
        assert made > 0, f"{check.id} asked no hop through solve_hop: the test needs another organization"
        assert t.solver_calls >= made and t.hop_questions >= made and t.z3_seconds >= 0
