"""The ``trustgraph`` command: argparse over the library, one module per subcommand.

Each subcommand lives in ``trustgraph/cli/<name>.py`` and exposes ``register(subparsers) -> None`` (adds its parser
and sets ``func=run``) and ``run(args) -> int``. Modules named in :data:`SUBCOMMANDS` that do not exist yet are
skipped. Errors the user can cause print one line ``trustgraph: error: <message>`` on stderr and exit 2; usage errors
(an unknown option, a missing or malformed value) add which help to read: ``(see 'trustgraph scan --help')``.

Exit codes: 0 success (for ``scan``: no finding at or above ``--fail-on``), 1 findings at or above ``--fail-on``, 2 bad
input or usage (one line ``trustgraph: error: <message>`` on stderr, control characters escaped and long values
shortened: see :mod:`trustgraph.safe_text`), including an output that cannot be written (a closed pipe, a full
device), 3 an internal error (a bug: one line and a hint to report it; the traceback only with ``--debug``), 130
interrupted.
"""

from __future__ import annotations

import argparse
import errno
import importlib
import importlib.util
import os
import sys
from collections.abc import Collection, Sequence
from typing import NoReturn

from trustgraph import __version__
from trustgraph.cli.commands import COMMAND_HELP
from trustgraph.errors import ReplayMismatch, TrustgraphError
from trustgraph.safe_text import message_line

SUBCOMMANDS = ("inventory", "query", "scan", "graph", "synth", "bench", "collect", "diff")

#: Exit statuses (a CLI contract: CI scripts tell a finding from a crash by them).
EXIT_OK, EXIT_FINDINGS, EXIT_INPUT, EXIT_INTERNAL, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
#: Where an internal error should be reported.
REPORT_HINT = ("this is a bug in trustgraph: please report it with the output of the same command run with --debug "
               "(which prints the traceback)")


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
        self.exit(2, f"trustgraph: error: {message_line(message)} (see '{self.prog} --help')\n")


def build_parser(full: Collection[str] | None = None) -> argparse.ArgumentParser:
    """The top-level parser with every available subcommand.

    ``full`` names the subcommands registered with all their arguments (``None``: every one). The others are
    listed by name and help line (:data:`~trustgraph.cli.commands.COMMAND_HELP`) only, which is all ``trustgraph
    --help`` shows of them, and their modules are not imported: registering a command imports what its options name
    (formats, profiles, defaults), so ``trustgraph scan`` registers ``scan`` alone and never imports the benchmark,
    the generator or the AWS collector. The help of every command is the same either way
    (``tests/cli/test_lazy_commands.py``).
    """
    parser = CommandParser(
        prog="trustgraph",
        description="Formal trust-graph analyzer for AWS IAM: who can obtain a role's credentials.",
    )
    parser.add_argument("--version", action="version", version=f"trustgraph {__version__}")
    parser.add_argument("--debug", action="store_true",
                        help="on an internal error, print the traceback (accepted anywhere on the command line)")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in SUBCOMMANDS:
        module_name = f"trustgraph.cli.{name}"
        if full is not None and name not in full:
            if importlib.util.find_spec(module_name) is not None:  # found, not imported
                subparsers.add_parser(name, help=COMMAND_HELP[name])
            continue
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                continue  # not written yet
            raise
        module.register(subparsers)
    parser.commands = dict(subparsers.choices)
    return parser


def command_named(args: Sequence[str]) -> tuple[str, ...]:
    """The subcommand the arguments run, as the ``full`` of :func:`build_parser`: the first argument that is not an
    option (the top-level options take no value), when it names a subcommand; else none."""
    first = next((a for a in args if not a.startswith("-")), None)
    return (first,) if first in SUBCOMMANDS else ()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (see the module docstring)."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args_list
    args_list = [a for a in args_list if a != "--debug"]
    from trustgraph.model.bulk import gc_paused

    # the command's modules and its parser are long-lived: no cyclic collection walks them while they are made
    # (handed to the oldest generation after; see trustgraph.model.bulk)
    with gc_paused():
        parser = build_parser(command_named(args_list))
        try:
            args = parser.parse_args(args_list)
        except SystemExit as exc:  # --help, --version and argparse errors
            return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    func = getattr(args, "func", None)
    if func is None:
        print(f"trustgraph: error: a command is required ({', '.join(SUBCOMMANDS)}) (see 'trustgraph --help')",
              file=sys.stderr)
        return EXIT_INPUT
    try:
        code = int(func(args))
        sys.stdout.flush()  # a full device or a closed pipe shows here, not at interpreter exit
        return code
    except ReplayMismatch as exc:
        return _internal_error(exc, debug)
    except TrustgraphError as exc:
        _error(str(exc))
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("trustgraph: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except OSError as exc:
        if exc.errno == errno.EPIPE or isinstance(exc, BrokenPipeError):
            _silence_stdout()
            _error("standard output was closed before everything was written (broken pipe)")
            return EXIT_INPUT
        if exc.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT, errno.EIO):
            _silence_stdout()
            _error(f"cannot write the output: {exc.strerror or exc}")
            return EXIT_INPUT
        return _internal_error(exc, debug)
    except Exception as exc:  # noqa: BLE001 - the promise: one line and exit 3, never a bare traceback
        return _internal_error(exc, debug)


def run() -> NoReturn:
    """The ``trustgraph`` program (the console script and ``python -m trustgraph``): :func:`main` on the process's
    arguments, then the process ends with its exit code, at once.

    A scan leaves millions of objects behind; the interpreter's teardown would free them one by one and run the cyclic
    collector over them (about a tenth of a second at 2,000 roles, growing with the estate) for a process that is
    ending. So once :func:`main` has returned (every output written and closed, worker processes joined) the standard
    streams are flushed and ``os._exit`` ends the process, as mypy does. ``atexit`` handlers do not run then; when a
    tracer or profiler watches the process (coverage, cProfile), which reports from such handlers or after the
    program returns, the usual ending is kept. Library callers and tests call :func:`main`, which returns.
    """
    code = main()
    if sys.gettrace() is not None or sys.getprofile() is not None:
        sys.exit(code)
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):
            if stream is sys.stdout and code in (EXIT_OK, EXIT_FINDINGS):
                code = EXIT_INPUT  # the output could not be written after all: not a success
    os._exit(code)


def _error(message: str) -> None:
    """``trustgraph: error: MESSAGE`` as one line on stderr (control characters escaped, long text shortened)."""
    try:
        print(f"trustgraph: error: {message_line(message)}", file=sys.stderr)
    except OSError:
        pass  # stderr is gone too: the exit status says it


def _internal_error(exc: BaseException, debug: bool) -> int:
    """Report an exception trustgraph did not expect: the traceback with ``--debug``, then one line and a hint."""
    if debug:
        import traceback

        traceback.print_exception(exc, file=sys.stderr)
    try:
        detail = str(exc)
    except Exception:  # noqa: BLE001 - a broken __str__ must not hide the error
        detail = ""
    what = type(exc).__name__ + (f": {detail}" if detail else "")
    try:
        print(f"trustgraph: internal error: {message_line(what)} ({REPORT_HINT})", file=sys.stderr)
    except OSError:
        pass
    return EXIT_INTERNAL


def _silence_stdout() -> None:
    """Point standard output at the null device, so that the interpreter's flush at exit does not fail again."""
    try:
        sys.stdout.flush()
    except (OSError, ValueError):
        pass
    try:
        if sys.stdout is sys.__stdout__ and sys.stdout is not None:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            os.close(devnull)
        else:
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - replaces stdout until the process ends
    except (OSError, ValueError, AttributeError):
        pass


if __name__ == "__main__":  # pragma: no cover
    run()
