"""Where a scan process's wall time goes: marks of its phases, from every process, in one file.

When the environment names a file in :data:`ENV` (``TRUSTGRAPH_TIMELINE``), :func:`mark` appends one line per event
to it: the monotonic clock, the process id, the CPU seconds the process has used so far, its resident memory (MB,
-1 where unknown) and the event's name
(``load``, ``prepare external-path-to-admin``, ``worker``, ...). The scan's parent and its forked workers append
to the same file (one short write each, with ``O_APPEND``: lines do not interleave), so the file tells what ran
serially, what ran in parallel and how long a core sat idle; :mod:`trustgraph.bench.timeline` sums it up
(``trustgraph bench --process``). Without the variable :func:`mark` does nothing but read the environment: the
scan's results never depend on it.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

#: the environment variable naming the file the marks are appended to
ENV = "TRUSTGRAPH_TIMELINE"


def mark(event: str) -> None:
    """Append ``event`` to the file named by :data:`ENV`, if any (see the module docstring)."""
    path = os.environ.get(ENV)
    if not path:
        return
    times = os.times()
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            rss = int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / (1024 * 1024)
    except (OSError, ValueError, IndexError):  # pragma: no cover - not Linux
        rss = -1.0
    line = f"{time.monotonic():.6f} {os.getpid()} {times.user + times.system:.4f} {rss:.1f} {event}\n"
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line.encode())
    finally:
        os.close(fd)


@dataclass(frozen=True, slots=True)
class Mark:
    """One line of a timeline file."""

    at: float  # monotonic clock, seconds
    pid: int
    cpu: float  # CPU seconds the process had used (user + system)
    rss_mb: float  # resident memory (-1: unknown)
    event: str


def read_marks(path: str | os.PathLike[str]) -> list[Mark]:
    """The marks of a timeline file, in the order written (malformed lines skipped)."""
    out: list[Mark] = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            parts = line.rstrip("\n").split(" ", 4)
            if len(parts) != 5:
                continue
            try:
                out.append(Mark(float(parts[0]), int(parts[1]), float(parts[2]), float(parts[3]), parts[4]))
            except ValueError:
                continue
    return out


__all__ = ["ENV", "Mark", "mark", "read_marks"]
