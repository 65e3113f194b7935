"""The memory of a process tree: the PSS sum of a process and its children, where ``ru_maxrss`` sees one process."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from trustgraph.bench.memwatch import TreeMemory, descendants, pss_kb, supported

pytestmark = pytest.mark.skipif(not supported(), reason="no /proc/PID/smaps_rollup (PSS) on this platform")

#: a parent and its child, each holding memory of its own (60 MB, 40 MB); "ready" once both hold it, then both stay
#: until standard input closes
TREE = """
import os, sys
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    own = b"c" * (40 * 2**20)
    os.write(w, b"x")
    sys.stdin.read()
    os._exit(0)
own = b"p" * (60 * 2**20)
os.read(r, 1)
print("ready", flush=True)
sys.stdin.read()
os.waitpid(pid, 0)
"""


def _peak_rss_mb(pid: int) -> float:
    """The peak resident size of one process (``VmHWM``, what its ``ru_maxrss`` will be)."""
    with open(f"/proc/{pid}/status", encoding="ascii") as fh:
        line = next(x for x in fh if x.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024


def test_the_tree_is_summed_where_ru_maxrss_sees_one_process() -> None:
    proc = subprocess.Popen([sys.executable, "-c", TREE], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline() == "ready\n"
        tree = descendants(proc.pid)
        assert len(tree) == 2
        with TreeMemory(proc.pid, interval=0.01) as memory:
            pass  # the watcher samples at least once after it is ready, and once when told to stop
        largest = max(_peak_rss_mb(p) for p in tree)
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait()
    sample = memory.result()
    assert sample is not None and sample.processes == 2 and sample.samples >= 1
    assert largest < 95  # the largest single process: the parent (60 MB and the interpreter)
    assert sample.peak_mb >= 100  # both: 60 + 40 MB, the interpreter's pages shared (counted once)


def test_descendants_and_pss_of_this_process() -> None:
    me = os.getpid()
    assert descendants(me)[0] == me
    assert descendants(me, frozenset({me})) == []
    kb = pss_kb(me)
    assert kb is not None and kb > 1000
    assert pss_kb(2**22 + 7) is None  # no such process


def test_a_measured_run_reports_the_tree() -> None:
    from trustgraph.bench.process import measured_run

    run = measured_run((sys.executable, "-c", "pass"), ok=(0,))
    assert run.seconds > 0 and run.peak_rss_mb > 0
    assert run.tree_pss_peak_mb is None or run.tree_pss_peak_mb > 0  # None: it ended before the first sample
