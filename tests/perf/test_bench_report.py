"""The bench's report: per-check times, memory, the targets with PASS/FAIL, the markdown (README's Performance block),
``-o``, ``--profile``, ``--scaling`` and the Cloudsplaining comparison.

Columns, rows and shapes are checked, never timings: the numbers come from synthetic results or small runs.
"""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

import pytest

from trustgraph.bench.markdown import BEGIN, END, render_markdown, replace_block
from trustgraph.bench.memwatch import supported
from trustgraph.bench.phases import MEASURED_BY_ESTIMATE, MEASURED_IN_PROCESS
from trustgraph.bench.results import BenchResult, CheckTime, PhaseResult, ProcessComparison
from trustgraph.bench.targets import FAIL, NOT_MEASURED, PASS, TARGETS, evaluate
from trustgraph.checks.registry import select_checks
from trustgraph.cli.main import main
from trustgraph.errors import UsageError
from trustgraph.synth import PROFILES

PHASES = ("imports", "read", "model", "graph", "edges", "reach_external", "checks", "render_json", "who_can_reach")


def result(*, median: float = 1.0, p99: float = 50.0, ratio: float | None = 9.0, memory: float = 120.0,
           scaling: float | None = None, cs: float | None = None, profile: str | None = "mix") -> BenchResult:
    phases = tuple(PhaseResult(name, 0.5, 80.0, {}, {}) for name in PHASES[:-1]) + (
        PhaseResult("who_can_reach", 0.1, 80.0, {}, {"queries": 3, "median_ms": median, "p99_ms": p99}),)
    process = None if ratio is None else ProcessComparison((3.0,), (0.3,), 3.0, 0.3, ratio, ("scan",), ("floor",), 90.0)
    return BenchResult(
        roles=200, accounts=4, users=3, files=20, bytes=1000, jobs=1, generated=None, phases=phases,
        process=process, machine={"cpu": "Test CPU", "cores": "2", "python": "3.11.7", "z3": "4", "networkx": "3",
                                  "platform": "Linux", "date": "2026-12-02 17:00 UTC", "memory": "8 GB"},
        profile=profile, per_check=(CheckTime("public-role", 0.25, 1, 0), CheckTime("oidc-any-subject", 0.1, 0, 2)),
        memory={"total_peak_mb": memory, "parent_peak_mb": memory, "workers_peak_mb": 0.0, "fork_rss_mb": 70.0,
                "jobs": 1},
        scaling=None if scaling is None else {"ratio": scaling, "roles": 200, "small_roles": 20, "seconds": 1.0,
                                              "small_seconds": 0.1, "role_ratio": 10.0},
        cloudsplaining=None if cs is None else {"ratio": cs})


def test_targets_pass_fail_and_not_measured() -> None:
    rows = {r.id: r for r in evaluate(result(median=1.0, p99=150.0, ratio=20.0, memory=399.0, scaling=11.0))}
    assert [r for r in rows] == [t.id for t in TARGETS]
    assert rows["wcr-median"].result == PASS
    assert rows["wcr-p99"].result == FAIL
    assert rows["json-floor"].result == FAIL and rows["json-floor"].measured == 20.0
    assert rows["memory"].result == PASS
    assert rows["scaling"].result == PASS  # "at most 11x" includes 11x
    assert rows["cloudsplaining"].result == NOT_MEASURED and rows["cloudsplaining"].measured is None
    assert {r.id: r.result for r in evaluate(result(ratio=None, cs=60.0, memory=400.0))} == {
        "json-floor": NOT_MEASURED, "cloudsplaining": PASS, "wcr-median": PASS, "wcr-p99": PASS,
        "scaling": NOT_MEASURED, "memory": FAIL}


def test_result_round_trips_through_json() -> None:
    r = result(scaling=10.5, cs=70.0)
    data = json.loads(json.dumps(r.to_json()))
    back = BenchResult.from_json(data)
    assert back == r
    assert [row["id"] for row in data["targets"]] == [t.id for t in TARGETS]


def _tables(markdown: str) -> list[list[list[str]]]:
    tables: list[list[list[str]]] = []
    current: list[list[str]] = []
    for line in markdown.splitlines():
        if line.startswith("|"):
            current.append([c.strip() for c in line.strip().strip("|").split(" | ")])
        elif current:
            tables.append(current)
            current = []
    if current:
        tables.append(current)
    return tables


def test_markdown_states_the_machine_the_command_and_every_target_per_profile() -> None:
    runs = [result(profile="mix"), result(profile="vendor-heavy", p99=500.0, ratio=None)]
    text = render_markdown(runs, "trustgraph bench --profile all --roles 200 --accounts 4")
    assert text.startswith("Machine: Test CPU, 2 cores, 8 GB; Python 3.11.7")
    assert "2026-12-02 17:00 UTC" in text
    assert "Command: `trustgraph bench --profile all --roles 200 --accounts 4`" in text
    targets, phases, checks = _tables(text)
    assert targets[0] == ["profile", "figure", "target", "measured", "result"]
    assert targets[1] == ["---"] * 5
    body = targets[2:]
    assert len(body) == len(TARGETS) * 2
    assert [row[0] for row in body] == ["mix"] * len(TARGETS) + ["vendor-heavy"] * len(TARGETS)
    assert {row[4] for row in body} <= {PASS, FAIL, NOT_MEASURED}
    assert ["vendor-heavy", "who_can_reach p99", "< 100 ms", "500 ms", FAIL] in body
    assert phases[0][:2] == ["profile", "roles"] and phases[0][-4:] == ["scan in-process", "findings", "JSON MB",
                                                                        "peak MB"]
    assert [row[0] for row in phases[2:]] == ["mix", "vendor-heavy"]
    assert checks[0] == ["check", "mix", "vendor-heavy"]
    assert [row[0] for row in checks[2:]] == ["oidc-any-subject", "public-role"]
    for table in (targets, phases, checks):
        assert len({len(row) for row in table}) == 1, "every row has as many cells as the header"


def test_markdown_escapes_pipes() -> None:
    text = render_markdown([result(profile="a|b")], "cmd")
    assert "a\\|b" in text


def test_replace_block_keeps_the_rest_of_the_file(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(f"# t\n\nbefore\n{BEGIN}\nold figures\n{END}\nafter\n", encoding="utf-8")
    replace_block(readme, "new figures\n| a |\n")
    assert readme.read_text(encoding="utf-8") == f"# t\n\nbefore\n{BEGIN}\nnew figures\n| a |\n{END}\nafter\n"
    replace_block(readme, "again")  # idempotent shape: the markers stay
    assert readme.read_text(encoding="utf-8").count(BEGIN) == 1
    plain = tmp_path / "plain.md"
    plain.write_text("no markers\n", encoding="utf-8")
    with pytest.raises(UsageError, match="needs the lines"):
        replace_block(plain, "x")
    assert plain.read_text(encoding="utf-8") == "no markers\n"


def test_the_repository_readme_has_the_block() -> None:
    readme = Path(__file__).resolve().parents[2] / "README.md"
    text = readme.read_text(encoding="utf-8")
    assert text.count(BEGIN) == 1 and text.count(END) == 1 and text.index(BEGIN) < text.index(END)
    assert "--readme README.md" in text  # the command that regenerates it is documented


@pytest.fixture(scope="module")
def small_run(tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("bench") / "bench.json"
    assert main(["bench", "--roles", "30", "--accounts", "2", "--sample", "3", "-o", str(out)]) == 0
    data: dict = json.loads(out.read_text(encoding="utf-8"))
    return data


def test_json_has_each_check_memory_and_targets(small_run: dict) -> None:
    assert [c["check"] for c in small_run["per_check"]] == [c.id for c in select_checks(None)]
    for c in small_run["per_check"]:
        assert set(c) == {"check", "seconds", "findings", "solver_calls", "z3_seconds", "hop_questions"}
        assert c["seconds"] >= 0
    memory = small_run["memory"]
    assert {"parent_peak_mb", "workers_peak_mb", "fork_rss_mb", "jobs", "total_peak_mb", "estimate_peak_mb",
            "measured_by"} <= set(memory)
    assert memory["estimate_peak_mb"] >= memory["parent_peak_mb"] > 0
    if supported():  # the PSS sum of the bench process and its workers while the checks ran, or at the report
        assert memory["measured_by"] == MEASURED_IN_PROCESS and memory["tree_processes"] >= 1
        assert memory["total_peak_mb"] >= memory["checks_tree_peak_mb"] > 0
    else:
        assert memory["measured_by"] == MEASURED_BY_ESTIMATE
        assert memory["total_peak_mb"] == memory["estimate_peak_mb"]
    assert [t["id"] for t in small_run["targets"]] == [t.id for t in TARGETS]
    assert small_run["profile"] == "mix" and small_run["generated"]["profile"] == "mix"
    wcr = next(p for p in small_run["phases"] if p["name"] == "who_can_reach")
    assert wcr["detail"]["p99_ms"] >= wcr["detail"]["median_ms"]
    assert small_run["machine"]["date"].endswith("UTC") and small_run["machine"]["z3"]


def test_output_file_by_extension_and_readme(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n{BEGIN}\n{END}\nrest\n", encoding="utf-8")
    out = tmp_path / "figures.md"
    assert main(["bench", "--roles", "10", "--accounts", "2", "--sample", "1", "--no-per-check",
                 "--profile", "chain-heavy", "-o", str(out), "--readme", str(readme)]) == 0
    assert capsys.readouterr().out == ""
    text = out.read_text(encoding="utf-8")
    assert text.startswith("Machine:") and "--profile chain-heavy --roles 10 --accounts 2" in text
    assert "| chain-heavy | who_can_reach median | < 10 ms |" in text
    assert readme.read_text(encoding="utf-8") == f"intro\n{BEGIN}\n{text.strip()}\n{END}\nrest\n"
    assert main(["bench", "--roles", "10", "--accounts", "2", "-o", str(tmp_path / "x.weird")]) == 2
    assert "extension names no format" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["--profile", "nope"], ["--profile", "vendor-heavy", "."], ["--scaling", "."],
                                  ["--profile", "all", "."], ["--cloudsplaining-accounts", "0"],
                                  ["--profile", "mix,nope"], ["--profile", "mix,mix"],
                                  ["--profile", "mix,chain-heavy", "."]])
def test_bad_profile_arguments_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("trustgraph: error:") and "Traceback" not in err


def test_every_profile_in_its_own_process(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "--profile", "all", "--roles", "10", "--accounts", "2", "--sample", "1", "--no-per-check",
                 "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [r["profile"] for r in data["runs"]] == list(PROFILES)
    assert all(r["roles"] == 10 and r["per_check"] == [] for r in data["runs"])
    assert data["machine"]["cpu"]


def test_named_profiles_in_the_order_given(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "--profile", "vendor-heavy,mix", "--roles", "10", "--accounts", "2", "--sample", "0",
                 "--no-per-check", "--format", "markdown"]) == 0
    targets = _tables(capsys.readouterr().out)[0]
    assert [row[0] for row in targets[2:]] == ["vendor-heavy"] * len(TARGETS) + ["mix"] * len(TARGETS)


def test_scaling_runs_a_tenth_of_the_size(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "--roles", "40", "--accounts", "2", "--sample", "1", "--no-per-check", "--scaling",
                 "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    s = data["scaling"]
    assert s["roles"] == 40 and s["small_roles"] == 4 and s["role_ratio"] == 10.0
    assert s["ratio"] > 0 and s["cpu_ratio"] > 0
    assert s["jobs"] == s["small_jobs"] == data["jobs"]  # the same number of processes at both sizes
    row = next(t for t in data["targets"] if t["id"] == "scaling")
    assert row["measured"] == s["ratio"] and row["result"] in (PASS, FAIL)


def test_cloudsplaining_comparison_runs_the_given_executable(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    calls = tmp_path / "calls.txt"
    fake = tmp_path / "cloudsplaining"
    fake.write_text(f"#!{sys.executable}\nimport sys\nopen({str(calls)!r}, 'a').write(' '.join(sys.argv[1:]) + '\\n')\n"
                    "print('cloudsplaining, version 0.0-fake') if sys.argv[1:] == ['--version'] else None\n",
                    encoding="utf-8")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    assert main(["bench", "--roles", "20", "--accounts", "2", "--sample", "1", "--no-per-check", "--cloudsplaining",
                 str(fake), "--cloudsplaining-accounts", "1", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    cs = data["cloudsplaining"]
    assert cs["version"] == "cloudsplaining, version 0.0-fake" and cs["files"] == 1 and cs["roles"] == 10
    assert cs["ratio"] > 0
    scans = [line for line in calls.read_text().splitlines() if line.startswith("scan ")]
    assert len(scans) == 1 and "--input-file" in scans[0] and "--flag-trust-policies" in scans[0]
    assert next(t for t in data["targets"] if t["id"] == "cloudsplaining")["measured"] == cs["ratio"]


def test_cloudsplaining_failure_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = os.fspath(tmp_path / "no-such-cloudsplaining")
    assert main(["bench", "--roles", "10", "--accounts", "2", "--sample", "0", "--no-per-check", "--cloudsplaining",
                 missing]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("trustgraph: error: --cloudsplaining")


def test_markdown_names_the_question_at_the_p99() -> None:
    r = result(p99=120.0)
    wcr = r.phase("who_can_reach").detail
    wcr["p99_question"] = {"role": "arn:aws:iam::111122223333:role/hub", "ms": 120.0, "cpu_ms": 95.5, "sources": 824,
                           "order": 88}
    text = render_markdown([r], "cmd")
    assert ("p99 120.0 ms (arn:aws:iam::111122223333:role/hub, question 88, 824 sources, CPU 95.5 ms), max"
            in text)
    assert "p99 50.0 ms, max" in render_markdown([result()], "cmd")  # a report without it says nothing more


@pytest.mark.parametrize("cached", [True, False, None])
def test_the_report_says_when_the_scans_compiled_their_bytecode(cached: bool | None) -> None:
    """A --process run whose bytecode could not be written timed each scan compiling trustgraph from source (~0.1-0.3
    s of CPU more than an installed package): the result keeps that, and the report says it (only then)."""
    from dataclasses import replace

    r = result()
    assert r.process is not None
    r = replace(r, process=replace(r.process, bytecode_cached=cached))
    assert BenchResult.from_json(json.loads(json.dumps(r.to_json()))) == r
    text = render_markdown([r], "cmd")
    assert "(1 runs each" in text
    assert ("bytecode not written: each scan compiled modules from source" in text) is (cached is False)
