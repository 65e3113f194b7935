"""Duplicate object keys in JSON exports: found, and refused with the pointer of the key.

``{"Effect": "Deny", "Effect": "Allow"}`` is JSON that parsers read differently (orjson and Python's ``json`` keep the
last value, others the first or refuse it) and IAM's own choice is not documented, so a trust policy holding one
has no single meaning. trustgraph refuses the document (``FILE#/POINTER/KEY: duplicate key ...``, exit 2) rather
than analysing one reading silently; analysing every reading would multiply with each duplicate, and the fix (delete
one of the two) is the owner's to choose.

orjson does not report duplicates, so :func:`check_duplicates` compares colon counts, which costs a re-serialisation
and two byte counts per file instead of a second, slower parse: outside strings, each colon of JSON text separates
one key from its value, and orjson writes every key with one colon and never escapes a colon inside a string. So
with no key dropped, the colons of the re-serialised document are exactly those of the text plus the colons the
text wrote as ``\\u003a`` escapes; a dropped key (with its value) makes them fewer. Counting ``\\u003a`` as a
substring may overcount (a literal backslash before ``u003a``), never undercount, so an inequality only sends the
file to the exact, slower check (Python's parser with an ``object_pairs_hook``), which names the key.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

from trustgraph.errors import IngestError
from trustgraph.ingest._fields import parse_errors
from trustgraph.model.location import escape_pointer_token


def might_have_duplicates(text: bytes, parsed: object) -> bool:
    """False when ``text`` (which orjson parsed into ``parsed``) certainly has no duplicate key (see the module
    docstring); True when the exact check must decide."""
    # one pass for the common case of no escape at all (each count is a pass over the text)
    escaped = text.count(b"\\u003a") + text.count(b"\\u003A") if b"\\u003" in text else 0
    try:
        colons = orjson.dumps(parsed).count(b":")
    except (TypeError, orjson.JSONEncodeError):  # nested deeper than orjson writes: count the same colons by hand
        colons = _colons(parsed)
    return colons != text.count(b":") + escaped


def _colons(parsed: object) -> int:
    """The colons of the compact JSON text of ``parsed``: one per key, plus those inside keys and strings."""
    total = 0
    stack = [parsed]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            total += len(node) + sum(k.count(":") for k in node)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, str):
            total += node.count(":")
    return total


def parse_with_pairs(text: str | bytes) -> tuple[Any, dict[int, str]]:
    """``json.loads`` (plain dicts and lists), and for each object that held a key more than once, its ``id`` and
    the first such key."""
    duplicated: dict[int, str] = {}

    def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        obj = dict(pairs)
        if len(obj) != len(pairs):
            seen: set[str] = set()
            for key, _ in pairs:
                if key in seen:
                    duplicated[id(obj)] = key
                    break
                seen.add(key)
        return obj

    return json.loads(text, object_pairs_hook=hook), duplicated


def find_duplicate(root: object, duplicated: dict[int, str]) -> tuple[str, str] | None:
    """The JSON pointer of the first object of ``root`` (in document order) that :func:`parse_with_pairs` found
    holding a duplicate key, and that key; None when there is none."""
    if not duplicated:
        return None
    stack: list[tuple[object, str]] = [(root, "")]
    while stack:  # iterative: documents may nest deeply
        node, pointer = stack.pop()
        if isinstance(node, dict):
            key = duplicated.get(id(node))
            if key is not None:
                return pointer, key
            stack.extend((v, f"{pointer}/{escape_pointer_token(k)}") for k, v in reversed(node.items()))
        elif isinstance(node, list):
            stack.extend((v, f"{pointer}/{i}") for i, v in reversed(list(enumerate(node))))
    return None


def first_duplicate(text: str | bytes) -> tuple[str, str] | None:
    """The pointer of the object holding the first duplicate key of ``text`` and that key, or None (exact; slower
    than orjson)."""
    return find_duplicate(*parse_with_pairs(text))


def duplicate_error(source: str, pointer: str, key: str) -> IngestError:
    """The refusal, at the duplicated key."""
    return IngestError(source, f"{pointer}/{escape_pointer_token(key)}",
                       f"duplicate key `{key}` in one object: JSON readers disagree on which value counts and IAM "
                       f"does not document its choice, so the document has no single meaning (remove one of them)")


def check_duplicates(text: bytes, parsed: object, source: str) -> None:
    """Raise :func:`duplicate_error` when ``text`` holds an object with a repeated key.

    Raises
    ------
    IngestError
        Naming the file, the pointer of the key, and the key.
    """
    if not might_have_duplicates(text, parsed):
        return
    with parse_errors(source, "JSON"):
        found = first_duplicate(text)
    if found is not None:
        raise duplicate_error(source, *found)


__all__ = ["check_duplicates", "duplicate_error", "find_duplicate", "first_duplicate", "might_have_duplicates",
           "parse_with_pairs"]
