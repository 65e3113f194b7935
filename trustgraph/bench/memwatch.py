"""The peak memory of a process tree (a scan and its worker processes), sampled from outside.

``ru_maxrss`` (``resource.getrusage``, ``/usr/bin/time -v``) is the peak of ONE process: for a scan with workers it is
the largest of them, and adding the peaks counts the pages the workers share with their parent (copy-on-write after
``fork``) once per process. What the machine actually holds is the sum of each process's *proportional* set size
(PSS: private pages in full, each shared page divided among the processes that map it), which Linux reports in
``/proc/PID/smaps_rollup``. :class:`TreeMemory` runs a small watcher process (``python -m
trustgraph.bench.memwatch PID``) that sums the PSS of ``PID`` and all its descendants every ``interval`` seconds and
reports the largest sum, and which processes were alive then. It is a separate process so that the measured one
gains no thread (a scan forks its workers).

Being sampled, the peak can miss a spike shorter than the interval; the watcher's own memory is not counted. Where
there is no ``/proc/PID/smaps_rollup`` (not Linux) :meth:`TreeMemory.result` is None and callers fall back to
``ru_maxrss``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from types import TracebackType

DEFAULT_INTERVAL = 0.1


def _children(pid: int) -> list[int]:
    """The direct children of ``pid`` (every thread's ``children`` file; empty when the process is gone)."""
    out: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/children", encoding="ascii") as fh:
                out.extend(int(c) for c in fh.read().split())
        except (OSError, ValueError):
            continue
    return out


def descendants(pid: int, exclude: frozenset[int] = frozenset()) -> list[int]:
    """``pid`` and every process below it, minus ``exclude`` (and whatever is below those)."""
    seen: list[int] = []
    stack = [pid]
    while stack:
        p = stack.pop()
        if p in exclude or p in seen:
            continue
        seen.append(p)
        stack.extend(_children(p))
    return seen


def pss_kb(pid: int) -> int | None:
    """The proportional set size of ``pid`` in KB (None: no such process, or no ``smaps_rollup``)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        return None
    return None


def supported() -> bool:
    """Whether this platform reports PSS (``/proc/self/smaps_rollup``)."""
    return pss_kb(os.getpid()) is not None


@dataclass(frozen=True, slots=True)
class TreeSample:
    """The largest PSS sum seen: MB, how many processes made it up, and how many samples were taken."""

    peak_mb: float
    processes: int
    samples: int


def watch(pid: int, interval: float, stop: object) -> TreeSample:
    """Sample the tree of ``pid`` until ``stop()`` is true or ``pid`` is gone."""
    me = frozenset({os.getpid()})
    peak_kb = 0
    peak_n = 0
    samples = 0
    while True:
        total = 0
        n = 0
        for p in descendants(pid, me):
            kb = pss_kb(p)
            if kb is not None:
                total += kb
                n += 1
        if n == 0:
            break
        samples += 1
        if total > peak_kb:
            peak_kb, peak_n = total, n
        if stop():  # type: ignore[operator]
            break
        time.sleep(interval)
    return TreeSample(round(peak_kb / 1024, 1), peak_n, samples)


class TreeMemory:
    """Context manager: the peak PSS sum of the tree of ``pid`` (default: this process) while the block runs.

    Examples
    --------
    >>> with TreeMemory() as mem:
    ...     data = bytearray(1)
    >>> mem.result() is None or mem.result().peak_mb > 0
    True
    """

    def __init__(self, pid: int | None = None, interval: float = DEFAULT_INTERVAL) -> None:
        self.pid = os.getpid() if pid is None else pid
        self.interval = interval
        self._proc: subprocess.Popen[str] | None = None
        self._result: TreeSample | None = None

    def __enter__(self) -> TreeMemory:
        if supported():
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "trustgraph.bench.memwatch", str(self.pid), str(self.interval)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            self._proc.stdout.readline()  # type: ignore[union-attr]  # "ready": sampling has begun
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def stop(self) -> TreeSample | None:
        """Stop sampling (idempotent) and return the result."""
        proc = self._proc
        if proc is not None:
            self._proc = None
            out, _ = proc.communicate("stop\n")
            try:
                data = json.loads(out.strip().splitlines()[-1])
                sample = TreeSample(float(data["peak_mb"]), int(data["processes"]), int(data["samples"]))
            except (ValueError, KeyError, IndexError):
                sample = None
            self._result = sample if sample is not None and sample.samples > 0 else None  # gone before a sample
        return self._result

    def result(self) -> TreeSample | None:
        """The peak (None where PSS is not reported, where the tree ended before the first sample, or before the
        block ended)."""
        return self._result


def _main(argv: list[str]) -> int:
    import select

    pid = int(argv[0])
    interval = float(argv[1]) if len(argv) > 1 else DEFAULT_INTERVAL

    def stop() -> bool:
        ready, _, _ = select.select([sys.stdin], [], [], 0)
        return bool(ready)

    sys.stdout.write("ready\n")
    sys.stdout.flush()
    sample = watch(pid, interval, stop)
    sys.stdout.write(json.dumps({"peak_mb": sample.peak_mb, "processes": sample.processes,
                                 "samples": sample.samples}) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
