"""Where a command's output goes: standard output, or a file written atomically (``-o``).

Write errors on a file are one-line errors (exit 2) naming the file; write errors on standard output (a closed
pipe, a full device) are turned into one-line errors by :func:`trustgraph.cli.main.main`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable

from trustgraph.errors import UsageError


def write_output(text: str | Iterable[str], output: str | os.PathLike[str] | None = None) -> None:
    """Write ``text`` to ``output`` (atomically: a temporary file in the same directory, then a rename, so a failed
    write leaves the previous file as it was) or, when ``output`` is None, to standard output. ``text`` may be given
    in pieces (an iterable of ``str``), written one by one as they are made.

    Raises
    ------
    UsageError
        When the file cannot be written (the message names it and says why).
    """
    if output is None:
        for piece in (text,) if isinstance(text, str) else text:
            sys.stdout.write(piece)
        return
    from trustgraph.atomic_write import write_atomic

    try:
        write_atomic(output, text)
    except OSError as exc:
        raise UsageError(f"cannot write {os.fspath(output)}: {exc.strerror or exc}") from None


__all__ = ["write_output"]
