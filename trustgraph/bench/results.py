"""What a bench run measured, as immutable values that go to JSON and come back (``--profile all`` runs each profile
in its own process and reads its JSON)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class PhaseResult:
    """One timed phase.

    Attributes
    ----------
    name
        Phase id (``read``, ``model``, ...).
    seconds
        Wall time.
    peak_rss_mb
        Peak resident memory of the process when the phase ended (MB; never decreases from phase to phase).
    solver
        Solver cache counters the phase added: ``solver_calls`` (z3 checks made), ``hits``/``misses`` of the
        canonical-form cache, ``fast_path`` (hops decided without z3) and ``structure_evaluations``.
    detail
        Phase-specific numbers (files, bytes, nodes, edges, hops, findings, per-query medians, ...).
    """

    name: str
    seconds: float
    peak_rss_mb: float
    solver: dict[str, int] = field(default_factory=dict)
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CheckTime:
    """One check run alone over every role, in one process, from a fresh engine and an empty solver cache.

    ``solver_calls`` counts every z3 run the check made (``z3.Solver.check``, wherever it was called:
    :mod:`~trustgraph.bench.z3meter`), ``z3_seconds`` the time spent in them; ``hop_questions`` the hops the check
    sent to the solver dispatcher (the engine's and the scan context's own, ``ScanContext.solve_hop``), answered
    from the store, by a fast path or by z3."""

    check: str
    seconds: float
    findings: int
    solver_calls: int
    z3_seconds: float = 0.0
    hop_questions: int = 0


@dataclass(frozen=True, slots=True)
class ProcessComparison:
    """The whole ``scan`` process against the json-only floor process (medians over alternating repetitions)."""

    scan_seconds: tuple[float, ...]
    floor_seconds: tuple[float, ...]
    scan_median: float
    floor_median: float
    ratio: float
    scan_command: tuple[str, ...]
    floor_command: tuple[str, ...]
    scan_peak_rss_mb: float
    #: the peak PSS sum of the scan process and its workers (:mod:`trustgraph.bench.memwatch`; None: not measurable)
    scan_tree_peak_mb: float | None = None
    #: what the median scan run's wall time was made of, as text lines (:mod:`trustgraph.bench.timeline`; empty: not
    #: recorded)
    scan_timeline: tuple[str, ...] = ()
    #: whether every trustgraph module had its bytecode written before the timed runs (False: some scan runs compiled
    #: modules from source, ~0.1-0.3 s of CPU each that an installed package does not pay; None: not recorded)
    bytecode_cached: bool | None = None


@dataclass(frozen=True, slots=True)
class BenchResult:
    """Everything a bench run measured.

    ``memory`` holds ``total_peak_mb``, the figure held to the target, and ``measured_by``, how it was measured (see
    :data:`~trustgraph.bench.phases.MEASURED_BY_SCAN`): with ``--process``, the peak PSS sum of the whole ``trustgraph
    scan`` process and its workers (``scan_tree_peak_mb``); else that of this process and its workers during the
    checks (``checks_tree_peak_mb``, ``tree_processes``), or this process at the end of the report if larger; else an
    ``estimate_peak_mb`` from ``ru_maxrss``. Besides: ``parent_peak_mb`` (this process's ``ru_maxrss``, the whole
    bench), ``workers_peak_mb`` (the largest worker's ``ru_maxrss``, pages shared with the parent included),
    ``fork_rss_mb`` (this process's size when the workers were forked) and ``jobs``. ``scaling`` (``--scaling``)
    compares this run with one of a tenth of the roles and accounts (same profile, seed and number of processes);
    ``cloudsplaining`` (``--cloudsplaining EXE``) compares the time per role of the two tools.
    """

    roles: int
    accounts: int
    users: int
    files: int
    bytes: int
    jobs: int
    generated: dict[str, Any] | None
    phases: tuple[PhaseResult, ...]
    process: ProcessComparison | None
    machine: dict[str, str]
    profile: str | None = None
    per_check: tuple[CheckTime, ...] = ()
    memory: dict[str, Any] = field(default_factory=dict)
    scaling: dict[str, Any] | None = None
    cloudsplaining: dict[str, Any] | None = None
    #: ``ok``, or ``over budget`` (:data:`~trustgraph.bench.run.OVER_BUDGET`): the profile's process was ended at its
    #: ``--budget``; ``phases`` then holds the phases it finished and ``budget`` the seconds allowed, the seconds it
    #: ran and the phase it was in
    status: str = "ok"
    budget: dict[str, Any] | None = None

    @property
    def complete(self) -> bool:
        """Whether the run finished (not ended at its budget)."""
        return self.status == "ok"

    @property
    def label(self) -> str:
        """The profile's name, ``PROFILE:SEED`` for the random profile (whose shape is the seed's), or ``given
        exports``."""
        if self.profile is None:
            return "given exports"
        seed = (self.generated or {}).get("seed")
        return f"{self.profile}:{seed}" if self.profile == "random" and seed is not None else self.profile

    def phase(self, name: str) -> PhaseResult:
        """The phase of that name."""
        for p in self.phases:
            if p.name == name:
                return p
        raise KeyError(name)

    @property
    def scan_equivalent_seconds(self) -> float:
        """model + graph + checks + render_json: what ``scan`` does in-process after its imports."""
        return sum(self.phase(n).seconds for n in ("model", "graph", "checks", "render_json"))

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (phases in order) with the targets evaluated."""
        from trustgraph.bench.targets import evaluate

        out = asdict(self)
        out["phases"] = [asdict(p) for p in self.phases]
        out["per_check"] = [asdict(c) for c in self.per_check]
        out["process"] = asdict(self.process) if self.process is not None else None
        out["scan_equivalent_seconds"] = self.scan_equivalent_seconds if self.complete else None
        out["targets"] = [asdict(row) for row in evaluate(self)]
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BenchResult:
        """The result :meth:`to_json` wrote (derived fields are recomputed, not read)."""
        process = data.get("process")
        return cls(
            roles=data["roles"], accounts=data["accounts"], users=data["users"], files=data["files"],
            bytes=data["bytes"], jobs=data["jobs"], generated=data.get("generated"),
            phases=tuple(PhaseResult(**p) for p in data["phases"]),
            process=_process_from_json(process) if process else None,
            machine=data["machine"], profile=data.get("profile"),
            per_check=tuple(CheckTime(**c) for c in data.get("per_check", ())),
            memory=data.get("memory", {}), scaling=data.get("scaling"), cloudsplaining=data.get("cloudsplaining"),
            status=data.get("status", "ok"), budget=data.get("budget"),
        )


def _process_from_json(data: dict[str, Any]) -> ProcessComparison:
    return ProcessComparison(
        scan_seconds=tuple(data["scan_seconds"]), floor_seconds=tuple(data["floor_seconds"]),
        scan_median=data["scan_median"], floor_median=data["floor_median"], ratio=data["ratio"],
        scan_command=tuple(data["scan_command"]), floor_command=tuple(data["floor_command"]),
        scan_peak_rss_mb=data["scan_peak_rss_mb"], scan_tree_peak_mb=data.get("scan_tree_peak_mb"),
        scan_timeline=tuple(data.get("scan_timeline", ())), bytecode_cached=data.get("bytecode_cached"))
