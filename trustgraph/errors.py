"""Errors raised by trustgraph.

Every error a user can cause names where it happened: the file and the JSON pointer inside it. The CLI prints
``str(error)`` as one line and exits 2; the library never prints.
"""

from __future__ import annotations


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
        super().__init__(f"{source}#{pointer}: {message}")


class UsageError(TrustgraphError):
    """A command-line or API argument is malformed (exit code 2)."""


class ReplayMismatch(TrustgraphError):
    """A solver witness did not replay to the same decision in the concrete evaluator: a trustgraph bug."""
