"""The scan's timeline (trustgraph.timeline) and its summary (trustgraph.bench.timeline): what is marked, by which
process, and what the summary adds up. No timing assertions: the summary is checked on marks made by hand, and a
real scan's marks only for their names and order."""

from __future__ import annotations

from pathlib import Path

import pytest

from trustgraph.bench.timeline import summarize
from trustgraph.cli.main import main
from trustgraph.timeline import ENV, Mark, mark, read_marks

#: the parent's marks of a scan with workers, in order (prepare: one per check with shared work)
PARENT_ORDER = ("load", "graph", "checks", "prepare", "prepared", "tasks done", "gathered", "findings", "report",
                "written")


def test_mark_writes_nothing_without_the_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    mark("load")
    assert list(tmp_path.iterdir()) == []


def test_mark_appends_one_line_per_event(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "marks"
    monkeypatch.setenv(ENV, str(path))
    mark("load")
    mark("prepare external-path-to-admin")
    marks = read_marks(path)
    assert [m.event for m in marks] == ["load", "prepare external-path-to-admin"]
    assert marks[0].at <= marks[1].at and marks[0].cpu <= marks[1].cpu and marks[0].rss_mb > 0


def test_a_scan_with_workers_marks_its_phases_from_every_process(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from trustgraph.synth import synthesize

    org = tmp_path / "org"
    synthesize(org, accounts=3, roles_per_account=12, seed=3, profile="vendor-heavy")
    path = tmp_path / "marks"
    monkeypatch.setenv(ENV, str(path))
    assert main(["scan", str(org), "--format", "json", "-o", str(tmp_path / "out.json"), "--jobs", "2"]) in (0, 1)
    marks = read_marks(path)
    parent = marks[0].pid
    names = [m.event.split(" ", 1)[0] if m.event.startswith("prepare ") else m.event
             for m in marks if m.pid == parent and not m.event.startswith("parts ")]  # parts: checks.parallel
    seen = [n for n in dict.fromkeys(names) if n != "released"]  # released: only when the process is large
    assert seen == list(PARENT_ORDER)
    assert [m.event for m in marks if m.pid == parent and m.event.startswith("prepare ")] == [
        "prepare external-path-to-admin", "prepare external-without-mfa", "prepare external-without-external-id",
        "prepare privilege-escalation"]
    workers = {m.pid for m in marks if m.pid != parent}
    assert workers
    for pid in workers:
        events = [m.event for m in marks if m.pid == pid]
        assert events[0].startswith("worker ") and events[-1] == "worker done"
    # the early worker, forked before the shared work (taking parts of it first where it has some, then the parent
    # joins them)
    events = {m.event for m in marks}
    assert {"worker local", "worker parts,local"} & events
    assert "worker parts,local" not in events or any(e.startswith("parts joined") for e in events)
    summary = summarize(marks, 2)
    assert summary is not None and summary.cpu_workers and summary.lines()
    assert [p[0] for p in summary.parts][:4] == ["load exports", "graph and scan context", "until the shared work",
                                                 "shared work"]


def test_summary_adds_up_made_marks() -> None:
    """A parent that loads (0-1 s), builds the graph (1-2 s), does the shared work (2-6 s) while one worker runs
    (2-4 s, 2 s CPU), checks roles (6-7 s) and writes the report (7.5-8 s)."""
    parent = [(0.0, 0.1, "load"), (1.0, 0.5, "graph"), (2.0, 1.0, "checks"), (2.0, 1.0, "prepare a"),
              (5.0, 4.0, "prepare b"), (6.0, 5.0, "prepared"), (7.0, 6.0, "tasks done"), (7.0, 6.0, "gathered"),
              (7.5, 6.5, "findings"), (7.5, 6.5, "report"), (8.0, 7.0, "written")]
    marks = [Mark(at, 1, cpu, 100.0, event) for at, cpu, event in parent]
    marks[4:4] = [Mark(2.0, 2, 0.0, 90.0, "worker local"), Mark(4.0, 2, 2.0, 95.0, "worker done")]
    s = summarize(marks, 2)
    assert s is not None
    assert (s.startup_cpu, s.wall, s.cpu_parent, s.cpu_workers, s.parent_rss_mb) == (0.1, 8.0, 7.0, (2.0,), 100.0)
    parts = dict((name, (wall, cpu)) for name, wall, cpu in s.parts)
    assert parts["load exports"] == (1.0, 0.4)
    assert parts["shared work"] == (4.0, 6.0)  # the parent's 4 s and the worker's 2 s of CPU
    assert parts["per-role work"] == (1.0, 1.0)
    assert parts["report built and written"] == (0.5, 0.5)
    assert "scan context released" not in parts  # not marked: not released
    assert s.prepares == (("a", 3.0), ("b", 1.0))
    assert s.idle_during_shared == 2.0  # 2 processes x 4 s less 6 s of CPU
    assert s.idle_total == pytest.approx(16.0 - 6.9 - 2.0)


def test_summary_needs_the_first_and_last_marks() -> None:
    assert summarize([], 2) is None
    assert summarize([Mark(0.0, 1, 0.1, 1.0, "load")], 2) is None
