"""Exit codes (0 clean, 1 findings, 2 bad input or usage or unwritable output, 3 internal error), ``--debug``, a
closed pipe, a full device, and ``-o`` written atomically."""

from __future__ import annotations

import argparse
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from trustgraph.atomic_write import atomic_path, write_atomic
from trustgraph.cli import inventory
from trustgraph.cli.main import EXIT_INTERNAL, main

SAMPLE = str(Path(__file__).resolve().parents[1] / "data" / "two-account-sample")
COMMAND = [sys.executable, "-m", "trustgraph"]


def _crash(args: argparse.Namespace) -> int:
    raise KeyError("a bug\nwith a second line")


def test_internal_error_is_one_line_and_exit_3(monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(inventory, "run", _crash)
    code = main(["inventory", SAMPLE])
    _, err = capsys.readouterr()
    assert code == EXIT_INTERNAL == 3
    assert err.count("\n") == 1 and err.startswith("trustgraph: internal error: KeyError: ")
    assert "Traceback" not in err and "--debug" in err and "report" in err


@pytest.mark.parametrize("where", ["first", "last"])
def test_debug_prints_the_traceback(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                                    where: str) -> None:
    monkeypatch.setattr(inventory, "run", _crash)
    argv = ["--debug", "inventory", SAMPLE] if where == "first" else ["inventory", SAMPLE, "--debug"]
    assert main(argv) == 3
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err and "_crash" in err
    assert err.rstrip().splitlines()[-1].startswith("trustgraph: internal error: KeyError")


def test_bad_input_is_exit_2_not_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "x.json").write_text("{")
    assert main(["scan", str(tmp_path / "x.json")]) == 2


def test_full_device_is_one_line_exit_2() -> None:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full on this system")
    with open("/dev/full", "w") as full:
        done = subprocess.run([*COMMAND, "inventory", SAMPLE], stdout=full, stderr=subprocess.PIPE, text=True,
                              timeout=300)
    assert done.returncode == 2
    assert done.stderr == "trustgraph: error: cannot write the output: No space left on device\n"


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_closed_pipe_is_one_line_exit_2(fmt: str) -> None:
    proc = subprocess.Popen([*COMMAND, "inventory", SAMPLE, "--format", fmt], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # the reader goes away before anything is written
    err = proc.stderr.read()
    assert proc.wait(timeout=300) == 2
    assert err == "trustgraph: error: standard output was closed before everything was written (broken pipe)\n"


def test_atomic_write_keeps_the_old_file_when_writing_fails(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    target.write_text("previous report")
    with pytest.raises(OSError), atomic_path(target) as tmp:
        Path(tmp).write_text("half of the new rep")
        raise OSError(28, "No space left on device")
    assert target.read_text() == "previous report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


def test_atomic_write_replaces_and_keeps_the_mode(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    target.write_text("old")
    target.chmod(0o640)
    write_atomic(target, "new")
    assert target.read_text() == "new" and (target.stat().st_mode & 0o777) == 0o640
    fresh = tmp_path / "fresh.csv"
    write_atomic(fresh, b"x")
    umask = os.umask(0)
    os.umask(umask)
    assert fresh.stat().st_mode & 0o777 == 0o666 & ~umask


def test_atomic_write_of_pieces(tmp_path: Path) -> None:
    """Text given in pieces is written piece by piece; a maker that fails half way leaves the previous file and no
    temporary file."""
    target = tmp_path / "report.json"
    write_atomic(target, (piece for piece in ("{", "\"é\"", "}\n")))
    assert target.read_bytes() == '{"é"}\n'.encode()

    def failing() -> Iterator[str]:
        yield "half of the new rep"
        raise RuntimeError("the renderer failed")

    with pytest.raises(RuntimeError):
        write_atomic(target, failing())
    assert target.read_bytes() == '{"é"}\n'.encode()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


def test_scan_json_to_a_file_and_to_stdout_is_one_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "report.json"
    args = [SAMPLE, "--zone", "111122223333", "--format", "json", "--now", "2026-12-01T00:00:00Z"]
    main(["scan", *args, "-o", str(target)])
    capsys.readouterr()
    main(["scan", *args])
    assert capsys.readouterr().out == target.read_text(encoding="utf-8")


def test_scan_output_to_an_unwritable_place_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "missing-dir" / "report.json"
    code = main(["scan", SAMPLE, "--zone", "111122223333", "--format", "json", "-o", str(target)])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith(f"trustgraph: error: cannot write {target}") and err.count("\n") == 1


def test_scan_output_is_written_whole(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    target = tmp_path / "report.json"
    target.write_text("previous")
    main(["scan", SAMPLE, "--zone", "111122223333", "--format", "json", "-o", str(target)])
    assert json.loads(target.read_text())["version"] >= 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


def test_output_to_a_fifo_is_written_in_place_not_replaced(tmp_path: Path) -> None:
    """``-o`` naming a FIFO (or a device such as /dev/null, or /dev/stdout) writes into it: a rename over it would
    swap it for a regular file, and as root ``-o /dev/null`` would break /dev/null for the whole machine."""
    fifo = tmp_path / "report.pipe"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE)
    try:
        code = main(["inventory", SAMPLE, "--format", "csv", "-o", str(fifo)])
        out, _ = reader.communicate(timeout=60)
    finally:
        reader.kill()
    assert code == 0 and out.decode().startswith("arn,kind,account,") and stat.S_ISFIFO(fifo.stat().st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.pipe"]


@pytest.mark.parametrize("command", ["inventory", "scan"])
def test_a_new_output_file_gets_the_usual_mode(command: str, tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    main([command, SAMPLE, "--format", "json", "-o", str(target)])
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask
