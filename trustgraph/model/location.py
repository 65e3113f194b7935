"""Where a value came from: a file and a JSON pointer into it."""

from __future__ import annotations

import sys
from dataclasses import dataclass

_intern = sys.intern


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
        # interned: the same pointers recur in every file of an organization (``/RoleDetailList/7/...``), and the
        # estate holds one location per statement, condition and entity (at 20,000 roles 9.7 MB of 9.8 MB of
        # pointer text were copies)
        return new_location(self.file, _intern(pointer))

    def __str__(self) -> str:
        return f"{self.file}#{self.pointer}"


def new_location(file: str, pointer: str) -> Location:
    """``Location(file, pointer)``, built without the frozen dataclass's ``__init__`` (its keyword handling and two
    ``object.__setattr__`` calls: three times the cost of setting the two slots through their descriptors). The
    loader builds one per statement, condition and entity (about 60,000 at 2,000 roles); the value is the same
    frozen :class:`Location` (``tests/model/test_constructors.py``)."""
    loc = _NEW(Location)
    _SET_FILE(loc, file)
    _SET_POINTER(loc, pointer)
    return loc


_NEW = object.__new__
_SET_FILE, _SET_POINTER = Location.__dict__["file"].__set__, Location.__dict__["pointer"].__set__

MEMORY = Location("<memory>", "")
