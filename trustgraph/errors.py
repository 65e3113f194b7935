"""Errors raised by trustgraph.

Every error a user can cause names where it happened: the file and the JSON pointer inside it. The CLI prints
``str(error)`` as one line and exits 2; the library never prints. The text of an :class:`IngestError` is already one
line: control characters in the file name, pointer or message are shown as escapes and each part is shortened in the
middle when long (a 10 MB value is not echoed); the attributes keep the exact values.
"""

from __future__ import annotations

from trustgraph.safe_text import one_line

#: Longest file name, pointer and message (each) in an error's text before it is shortened in the middle.
MAX_PART = 300


class TrustgraphError(Exception):
    """Base class of every error trustgraph raises on purpose."""


class IngestError(TrustgraphError):
    """An input file is not what trustgraph expects.

    Parameters
    ----------
    source
        The file (or ``<memory>`` for documents given as Python values).
    pointer
        RFC 6901 JSON pointer to the offending value inside ``source`` ("" for the whole document).
    message
        What was expected, lowercase, no final period.
    """

    def __init__(self, source: str, pointer: str, message: str) -> None:
        self.source = source
        self.pointer = pointer
        self.message = message
        super().__init__(f"{one_line(source, MAX_PART)}#{one_line(pointer, MAX_PART)}: "
                         f"{one_line(message, 2 * MAX_PART)}")


class UsageError(TrustgraphError):
    """A command-line or API argument is malformed (exit code 2)."""


class ReplayMismatch(TrustgraphError):
    """A solver witness did not replay to the same decision in the concrete evaluator: a trustgraph bug."""
