"""What a ``trustgraph scan`` process's wall time is made of, read off its timeline (:mod:`trustgraph.timeline`).

A scan with workers has a serial head (the interpreter, imports, loading the exports, building the graph), the
shared work that one process does while the early workers check what does not need it (:mod:`trustgraph.checks.
parallel`), the per-role work that every process takes from the work queue, and a serial tail (the findings
gathered, the report built and written). :func:`summarize` gives each part's wall seconds, the CPU seconds of every
process, and the *idle core seconds*: wall seconds times the number of processes allowed (``jobs``) less what the
processes used, i.e. how much more parallel work the machine could have done. On a machine that other work shares,
CPU seconds are the steadier figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from trustgraph.timeline import Mark


@dataclass(frozen=True, slots=True)
class TimelineSummary:
    """The parts of one scan process's wall time (seconds), from its first mark (``load``) to its last
    (``written``); ``startup_cpu``: the CPU the process used before its first mark (interpreter, imports of the
    command line)."""

    startup_cpu: float
    wall: float
    #: (part, wall seconds, CPU seconds of every process during it), in order
    parts: tuple[tuple[str, float, float], ...]
    #: (check id, wall seconds) of each check's shared work, in the order done
    prepares: tuple[tuple[str, float], ...]
    #: CPU seconds of the parent and of each worker, in the order forked
    cpu_parent: float
    cpu_workers: tuple[float, ...]
    #: jobs x wall less the CPU of every process, during the shared work and over the whole timeline
    idle_during_shared: float
    idle_total: float
    jobs: int
    #: the largest resident memory the parent had at one of its marks (MB; -1: unknown)
    parent_rss_mb: float = -1.0

    def lines(self) -> list[str]:
        """The summary as text lines."""
        workers = ", ".join(f"{c:.2f}" for c in self.cpu_workers) or "none"
        out = [f"scan timeline: {self.wall:.2f} s wall after {self.startup_cpu:.2f} s CPU of startup and imports; "
               f"CPU parent {self.cpu_parent:.2f} s, workers {workers} s; idle core seconds {self.idle_total:.2f} "
               f"(jobs {self.jobs}), {self.idle_during_shared:.2f} of them during the shared work; parent resident "
               f"memory at most {self.parent_rss_mb:.0f} MB at its marks"]
        out += [f"  {name:<28} {wall:6.2f} s wall {cpu:6.2f} s CPU" for name, wall, cpu in self.parts]
        out += [f"    shared work of {check:<30} {wall:6.2f} s wall" for check, wall in self.prepares]
        return out


#: the parts of a scan, each from the first mark named on the left to the first mark named on the right
_PARTS = (
    ("load exports", "load", "graph"),
    ("graph and scan context", "graph", "checks"),
    ("until the shared work", "checks", "prepare"),
    ("shared work", "prepare", "prepared"),
    ("per-role work", "prepared", "tasks done"),  # in the parent; with workers, until it has no task left
    ("waiting for workers", "tasks done", "gathered"),
    ("scan context released", "gathered", "released"),
    ("findings unpacked", "released", "findings"),
    ("report built and written", "report", "written"),
)


def _cpu_between(marks: Sequence[Mark], start: float, end: float) -> float:
    """CPU seconds every process used between two instants, interpolated from each process's marks."""
    by_pid: dict[int, list[Mark]] = {}
    for m in marks:
        by_pid.setdefault(m.pid, []).append(m)
    total = 0.0
    for ms in by_pid.values():
        total += _cpu_at(ms, end) - _cpu_at(ms, start)
    return total


def _cpu_at(ms: Sequence[Mark], at: float) -> float:
    """A process's CPU seconds at an instant: linear between its marks, its first mark's before (a worker: 0 before
    it existed), its last mark's after."""
    if at <= ms[0].at:
        return ms[0].cpu
    for a, b in zip(ms, ms[1:], strict=False):
        if a.at <= at <= b.at:
            span = b.at - a.at
            return a.cpu + (b.cpu - a.cpu) * ((at - a.at) / span if span > 0 else 1.0)
    return ms[-1].cpu


def summarize(marks: Sequence[Mark], jobs: int) -> TimelineSummary | None:
    """The summary of one scan's marks (None when its first and last marks are missing)."""
    if not marks:
        return None
    parent = marks[0].pid
    first: dict[str, Mark] = {}
    for m in marks:
        name = m.event.split(" ", 1)[0] if m.event.startswith(("prepare ", "worker ")) else m.event
        if m.pid == parent:
            first.setdefault(name, m)
    if "load" not in first or "written" not in first:
        return None
    t0, t1 = first["load"].at, first["written"].at
    parts: list[tuple[str, float, float]] = []
    for name, a, b in _PARTS:
        if a in first and b in first:
            start, end = first[a].at, first[b].at
            parts.append((name, end - start, _cpu_between(marks, start, end)))
    prepares: list[tuple[str, float]] = []
    starts = [m for m in marks if m.pid == parent and m.event.startswith("prepare ")]
    ends = [*starts[1:], first.get("prepared")]
    for began, ended in zip(starts, ends, strict=True):
        if ended is not None:
            prepares.append((began.event.split(" ", 1)[1], ended.at - began.at))
    workers: dict[int, float] = {}
    for m in marks:
        if m.pid != parent:
            workers[m.pid] = max(workers.get(m.pid, 0.0), m.cpu)
    parent_cpu = max(m.cpu for m in marks if m.pid == parent)
    idle_shared = 0.0
    if "prepare" in first and "prepared" in first:
        s, e = first["prepare"].at, first["prepared"].at
        idle_shared = jobs * (e - s) - _cpu_between(marks, s, e)
    idle_total = jobs * (t1 - t0) - _cpu_between(marks, t0, t1)
    return TimelineSummary(
        startup_cpu=round(first["load"].cpu, 3), wall=round(t1 - t0, 3),
        parts=tuple((n, round(w, 3), round(c, 3)) for n, w, c in parts),
        prepares=tuple((c, round(w, 3)) for c, w in prepares),
        cpu_parent=round(parent_cpu, 3), cpu_workers=tuple(round(c, 3) for c in workers.values()),
        idle_during_shared=round(max(0.0, idle_shared), 3), idle_total=round(max(0.0, idle_total), 3), jobs=jobs,
        parent_rss_mb=max(m.rss_mb for m in marks if m.pid == parent),
    )


__all__ = ["TimelineSummary", "summarize"]
