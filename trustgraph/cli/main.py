"""The ``trustgraph`` command: argparse over the library, one module per subcommand.

Each subcommand lives in ``trustgraph/cli/<name>.py`` and exposes ``register(subparsers) -> None`` (adds its parser
and sets ``func=run``) and ``run(args) -> int``. Modules named in :data:`SUBCOMMANDS` that do not exist yet are
skipped. Errors the user can cause print one line ``trustgraph: error: <message>`` on stderr and exit 2; usage errors
(an unknown option, a missing or malformed value) add which help to read: ``(see 'trustgraph scan --help')``.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import NoReturn

from trustgraph import __version__
from trustgraph.errors import TrustgraphError

SUBCOMMANDS = ("inventory", "query", "scan", "graph", "synth", "bench", "collect")


class CommandParser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line naming the help to read, exit status 2.

    argparse prints the whole usage block before its message; a reviewer scanning CI logs wants the one line that
    every other trustgraph error has. Subcommand parsers are of the same class (``add_subparsers`` uses the parent's).
    """

    #: The subcommand parsers by name (set by :func:`build_parser`), to blame unknown arguments on their command.
    commands: dict[str, argparse.ArgumentParser]

    def parse_args(self, args: Sequence[str] | None = None,  # type: ignore[override]
                   namespace: argparse.Namespace | None = None) -> argparse.Namespace:
        """Parse like argparse; arguments nobody recognised are the error of the command they were given to."""
        parsed, extra = self.parse_known_args(args, namespace)
        if extra:
            command = getattr(self, "commands", {}).get(getattr(parsed, "command", None) or "", self)
            command.error(f"unrecognized arguments: {' '.join(extra)}")
        return parsed

    def error(self, message: str) -> NoReturn:
        """Print ``trustgraph: error: MESSAGE (see 'PROG --help')`` on stderr and exit 2."""
        self.exit(2, f"trustgraph: error: {message} (see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every available subcommand registered."""
    parser = CommandParser(
        prog="trustgraph",
        description="Formal trust-graph analyzer for AWS IAM: who can obtain a role's credentials.",
    )
    parser.add_argument("--version", action="version", version=f"trustgraph {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in SUBCOMMANDS:
        module_name = f"trustgraph.cli.{name}"
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                continue  # not written yet
            raise
        module.register(subparsers)
    parser.commands = dict(subparsers.choices)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 success, 2 usage or input error, 130 interrupted)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version and argparse errors
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    func = getattr(args, "func", None)
    if func is None:
        print(f"trustgraph: error: a command is required ({', '.join(SUBCOMMANDS)}) (see 'trustgraph --help')",
              file=sys.stderr)
        return 2
    try:
        return int(func(args))
    except TrustgraphError as exc:
        print(f"trustgraph: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("trustgraph: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader (e.g. `| head`) went away: not an error of ours
        try:
            sys.stdout = open(__import__("os").devnull, "w")  # noqa: SIM115
        except OSError:
            pass
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
