"""Where a value came from: a file and a JSON pointer into it."""

from __future__ import annotations

from dataclasses import dataclass


def escape_pointer_token(token: str | int) -> str:
    """Escape one reference token per RFC 6901 (``~`` -> ``~0``, ``/`` -> ``~1``)."""
    text = str(token)
    if "~" in text or "/" in text:
        return text.replace("~", "~0").replace("/", "~1")
    return text


@dataclass(frozen=True, slots=True)
class Location:
    """A file and an RFC 6901 JSON pointer, printed as ``file#/pointer``."""

    file: str
    pointer: str

    def child(self, *tokens: str | int) -> Location:
        """The location of a value nested below this one."""
        pointer = self.pointer
        for token in tokens:  # the common tokens (names without ~ or /, and indices) skip escaping
            if token.__class__ is int or (token.__class__ is str and "~" not in token and "/" not in token):
                pointer = f"{pointer}/{token}"
            else:
                pointer = f"{pointer}/{escape_pointer_token(token)}"
        return Location(self.file, pointer)

    def __str__(self) -> str:
        return f"{self.file}#{self.pointer}"


MEMORY = Location("<memory>", "")
