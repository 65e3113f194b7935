"""The machine a bench ran on and the memory its processes used (``resource.getrusage``; Linux reports KB, macOS
bytes)."""

from __future__ import annotations

import os
import sys


def _mb(rss: int) -> float:
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


def peak_rss_mb() -> float:
    """Peak resident memory of this process in MB."""
    import resource

    return _mb(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def children_peak_rss_mb() -> float:
    """Peak resident memory of the largest child process that has ended and been waited for (MB)."""
    import resource

    return _mb(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)


def cpu_seconds() -> float:
    """CPU seconds (user and system) of this process and of its children that have ended and been waited for: a
    measure of work that, unlike wall time, does not grow when other programs share the cores."""
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def current_rss_mb() -> float:
    """Resident memory of this process now (MB): ``/proc/self/statm`` where there is one, else the peak."""
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            pages = int(fh.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / (1024 * 1024)
    except (OSError, ValueError, IndexError):
        return peak_rss_mb()


def machine_info() -> dict[str, str]:
    """CPU model, core count, memory, Python, z3 and networkx versions, platform and the date (UTC), for the
    record."""
    import platform
    import time
    from importlib.metadata import PackageNotFoundError, version

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    memory = ""
    try:
        memory = f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GB"
    except (ValueError, OSError, AttributeError):
        pass
    versions = {}
    for dist in ("z3-solver", "networkx"):
        try:
            versions[dist] = version(dist)
        except PackageNotFoundError:
            versions[dist] = "?"
    return {"cpu": cpu, "cores": str(os.cpu_count() or 1), "memory": memory, "python": platform.python_version(),
            "z3": versions["z3-solver"], "networkx": versions["networkx"], "platform": platform.platform(),
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
