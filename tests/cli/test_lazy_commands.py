"""A command registers only itself: the help is the same as with every command registered, and ``scan`` imports no
other command's module nor what they need (the benchmark, the generator, the AWS collector)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from trustgraph.cli.main import SUBCOMMANDS, build_parser, command_named, main

FULL = build_parser()


def test_top_level_help_is_the_same_with_no_command_registered(capsys: pytest.CaptureFixture[str]) -> None:
    assert build_parser(()).format_help() == FULL.format_help()
    assert main(["--help"]) == 0
    assert capsys.readouterr().out == FULL.format_help()


@pytest.mark.parametrize("command", sorted(FULL.commands))
def test_each_command_help_is_the_same_registered_alone(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    alone = build_parser(command_named([command, "--help"]))
    assert alone.format_help() == FULL.format_help()
    assert alone.commands[command].format_help() == FULL.commands[command].format_help()
    assert main([command, "--help"]) == 0
    assert capsys.readouterr().out == FULL.commands[command].format_help()


def test_the_command_is_the_first_argument_that_is_not_an_option() -> None:
    assert command_named(["--debug", "scan", "query"]) == ("scan",)
    assert command_named(["-h", "bench", "--roles", "10"]) == ("bench",)
    assert command_named(["scna", "scan"]) == ()  # a typo is argparse's error, with every command listed
    assert command_named(["--version"]) == ()
    assert set(SUBCOMMANDS) >= set(FULL.commands)


def test_an_unknown_command_is_the_same_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scna"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("trustgraph: error: argument COMMAND: invalid choice: 'scna'") and "'scan'" in err


def test_scan_imports_no_other_command() -> None:
    others = sorted(set(SUBCOMMANDS) - {"scan"})
    code = ("import sys\n"
            "from trustgraph.cli.main import main\n"
            "assert main(['scan', '--list-checks']) == 0\n"
            f"others = {others!r}\n"
            "print(sorted(m for m in sys.modules if m.split('.')[:2] in "
            "(['trustgraph', 'bench'], ['trustgraph', 'synth'], ['trustgraph', 'collect']) or m == 'boto3' "
            "or m.split('.')[:2] == ['trustgraph', 'cli'] and m.split('.')[-1] in others))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines()[-1] == "[]"


def test_the_program_ends_with_everything_written(tmp_path: Path) -> None:
    """``python -m trustgraph`` ends without the interpreter's teardown: the report on standard output and in ``-o``
    is whole and the exit status is main's (the bundled example has critical findings: 1)."""
    now = ["--now", "2026-12-01T00:00:00Z"]
    piped = subprocess.run([sys.executable, "-m", "trustgraph", "scan", "--format", "json", *now],
                           capture_output=True, text=True)
    assert (piped.returncode, piped.stderr) == (1, "")
    out = tmp_path / "report.json"
    written = subprocess.run([sys.executable, "-m", "trustgraph", "scan", *now, "-o", str(out)],
                             capture_output=True, text=True)
    assert (written.returncode, written.stdout, written.stderr) == (1, "", "")
    assert json.loads(piped.stdout) == json.loads(out.read_text(encoding="utf-8"))
    assert len(json.loads(piped.stdout)["findings"]) > 0
