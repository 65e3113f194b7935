"""Where a JSON pointer's value starts in its file as written: line and column, for reports that point at text.

Locations carry an export file and an RFC 6901 JSON pointer (what really identifies a statement). Code-scanning
dashboards, terminals and editors want a line and a column instead. :func:`statement_positions` reads only the files
that the given locations cite, once each, after the analysis (loading never pays for it), and maps every pointer to
the position of the first character of its value (the ``{`` of a statement object). Only the values on the way to a
cited pointer are walked in Python (:func:`pointer_offsets`); everything beside them is skipped by the standard
library's C scanner, which still checks that the whole file is JSON, so a report's cost grows with the bytes of the
files its findings cite, not with the number of values in them. :func:`json_pointer_positions` maps every pointer of
a document (the reference the targeted walk is tested against). A pointer into a policy document
stored as a URL-encoded string (the raw API shape) cannot be followed into the string, so it gets the position of its
longest resolvable prefix: the document string itself.

Lines are 1-based; columns are 1-based and count Unicode code points (SARIF's ``columnKind: unicodeCodePoints``), in
the text after decoding (UTF-8 with or without a byte-order mark, UTF-16 with one), as the loader reads it.
"""

from __future__ import annotations

import json
import json.scanner
import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, NamedTuple

from trustgraph.model.location import Location, escape_pointer_token


class Position(NamedTuple):
    """A 1-based line and column (in code points) in a text file."""

    line: int
    column: int


def statement_positions(locations: Iterable[Location]) -> dict[Location, Position]:
    """The position where each location's JSON pointer starts in its file.

    Each file is read once. A pointer that does not resolve gets the position of its longest resolvable prefix;
    files that cannot be read or are neither JSON nor a YAML template are left out (the caller falls back to the
    pointer alone).
    """
    by_file: dict[str, list[Location]] = {}
    for loc in locations:
        by_file.setdefault(loc.file, []).append(loc)
    out: dict[Location, Position] = {}
    for file, locs in by_file.items():
        try:
            text = read_text(file)
        except (OSError, UnicodeDecodeError):
            continue
        try:
            table = offsets_to_positions(text, pointer_offsets(text, [loc.pointer for loc in locs]))
        except (ValueError, RecursionError):
            table = _template_positions(text)  # a YAML template (diff --cloudformation), else nothing
            if not table:
                continue
        for loc in locs:
            out[loc] = pointer_position(table, loc.pointer)
    return out


def _template_positions(text: str) -> dict[str, Position]:
    """Positions in a YAML CloudFormation template (:func:`trustgraph.ingest.cfn_template.yaml_positions`): the
    locations of ``diff --cloudformation`` cite template pointers."""
    from trustgraph.ingest.cfn_template import yaml_positions

    return {pointer: Position(*pos) for pointer, pos in yaml_positions(text).items()}


def read_text(file: str) -> str:
    """The file's text, decoded as the loader decodes exports (UTF-8, optional BOM; UTF-16 with a BOM)."""
    data = Path(file).read_bytes()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    return data.decode("utf-8-sig")


def json_pointer_positions(text: str) -> dict[str, Position]:
    """Map every JSON pointer of a document to the position where its value starts.

    >>> json_pointer_positions('{"a": [1,\\n  {"b/c": 2}]}')["/a/1/b~1c"]
    Position(line=2, column=11)

    Raises
    ------
    ValueError
        When ``text`` is not JSON.
    """
    newlines = [m.start() for m in re.finditer("\n", text)]
    table: dict[str, int] = {}
    end = _scan(text, _skip(text, 0), "", table)
    if _skip(text, end) != len(text):
        raise ValueError("trailing data after the JSON document")
    out: dict[str, Position] = {}
    for pointer, offset in table.items():
        row = bisect_right(newlines, offset - 1)
        line_start = newlines[row - 1] + 1 if row else 0
        out[pointer] = Position(row + 1, offset - line_start + 1)
    return out


def pointer_offsets(text: str, pointers: Iterable[str]) -> dict[str, int]:
    """The offset where the value of each of ``pointers``, and of each of their prefixes, starts in the JSON
    document ``text``; a pointer that does not resolve is left out (its longest resolvable prefix is in). The same
    offsets as :func:`json_pointer_positions` for these pointers, reading only the values on their way in Python.

    >>> pointer_offsets('{"a": [1, {"b/c": 2}], "z": 3}', ["/a/1/b~1c", "/a/7"])
    {'': 0, '/a': 6, '/a/1': 10, '/a/1/b~1c': 18}

    Raises
    ------
    ValueError
        When ``text`` is not JSON (anywhere in it, not only on the pointers' way).
    """
    trie: dict[str, Any] = {}
    for pointer in pointers:
        node = trie
        for token in pointer.split("/")[1:]:
            node = node.setdefault(token, {})
    table: dict[str, int] = {}
    end = _walk(text, _skip(text, 0), "", trie, table)
    if _skip(text, end) != len(text):
        raise ValueError("trailing data after the JSON document")
    return table


def offsets_to_positions(text: str, offsets: Mapping[str, int]) -> dict[str, Position]:
    """Each offset of ``offsets`` as a line and column of ``text`` (lines counted once, in offset order)."""
    out: dict[str, Position] = {}
    line, counted = 1, 0
    for pointer, offset in sorted(offsets.items(), key=lambda item: item[1]):
        line += text.count("\n", counted, offset)
        counted = offset
        out[pointer] = Position(line, offset - (text.rfind("\n", 0, offset) + 1) + 1)
    return out


def json_pointer_lines(text: str) -> dict[str, int]:
    """Map every JSON pointer of a document to the 1-based line where its value starts.

    >>> json_pointer_lines('{"a": [1,\\n  {"b/c": 2}]}')["/a/1/b~1c"]
    2
    """
    return {pointer: pos.line for pointer, pos in json_pointer_positions(text).items()}


def pointer_position(table: Mapping[str, Position], pointer: str) -> Position:
    """The position of ``pointer``, or of its longest prefix in ``table``, or line 1 column 1."""
    while pointer:
        if pointer in table:
            return table[pointer]
        pointer = pointer.rsplit("/", 1)[0]
    return table.get("", Position(1, 1))


#: The C string scanner json itself uses (not in the typing stubs): (text, index after the quote) -> (value, end).
_scanstring: Callable[[str, int], tuple[str, int]] = getattr(json.decoder, "scanstring")  # noqa: B009
_WS = re.compile(r"[ \t\n\r]*")
_SCALAR = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|true|false|null")


def _skip(text: str, i: int) -> int:
    m = _WS.match(text, i)
    return m.end() if m else i


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


#: The standard library's C scanner (as ``json.loads`` uses it, NaN and Infinity refused as :func:`_scan` refuses
#: them): (text, index of a value) -> (value, index after it); StopIteration when no value starts there.
_scan_value: Callable[[str, int], tuple[Any, int]] = getattr(json.scanner, "make_scanner")(  # noqa: B009
    json.JSONDecoder(parse_constant=_no_constant))


def _skip_value(text: str, i: int) -> int:
    """The index after the JSON value at ``i`` (checked, not walked in Python)."""
    try:
        return _scan_value(text, i)[1]
    except StopIteration:
        raise ValueError(f"unexpected character at offset {i}") from None


def _walk(text: str, i: int, pointer: str, node: dict[str, Any], table: dict[str, int]) -> int:
    """Record the offset of the value at ``i`` and walk into the members ``node`` (a trie of pointer tokens)
    names; return the index after the value. The other members are skipped by :func:`_skip_value`."""
    table[pointer] = i
    if not node:
        return _skip_value(text, i)
    ch = text[i:i + 1]
    if ch == "{":
        i = _skip(text, i + 1)
        if text[i:i + 1] == "}":
            return i + 1
        while True:
            if text[i:i + 1] != '"':
                raise ValueError(f"expected a key at offset {i}")
            key, i = _scanstring(text, i + 1)
            i = _skip(text, i)
            if text[i:i + 1] != ":":
                raise ValueError(f"expected ':' at offset {i}")
            i = _skip(text, i + 1)
            token = escape_pointer_token(key)
            child = node.get(token)
            i = _skip(text, _walk(text, i, f"{pointer}/{token}", child, table) if child is not None
                      else _skip_value(text, i))
            if text[i:i + 1] == ",":
                i = _skip(text, i + 1)
                continue
            if text[i:i + 1] == "}":
                return i + 1
            raise ValueError(f"expected ',' or '}}' at offset {i}")
    if ch == "[":
        i = _skip(text, i + 1)
        if text[i:i + 1] == "]":
            return i + 1
        n = 0
        while True:
            child = node.get(str(n))
            i = _skip(text, _walk(text, i, f"{pointer}/{n}", child, table) if child is not None
                      else _skip_value(text, i))
            n += 1
            if text[i:i + 1] == ",":
                i = _skip(text, i + 1)
                continue
            if text[i:i + 1] == "]":
                return i + 1
            raise ValueError(f"expected ',' or ']' at offset {i}")
    return _skip_value(text, i)


def _scan(text: str, i: int, pointer: str, table: dict[str, int]) -> int:
    """Record the offset of the value at ``i`` (and of everything inside it); return the index after it."""
    table[pointer] = i
    ch = text[i:i + 1]
    if ch == "{":
        i = _skip(text, i + 1)
        if text[i:i + 1] == "}":
            return i + 1
        while True:
            if text[i:i + 1] != '"':
                raise ValueError(f"expected a key at offset {i}")
            key, i = _scanstring(text, i + 1)
            i = _skip(text, i)
            if text[i:i + 1] != ":":
                raise ValueError(f"expected ':' at offset {i}")
            i = _scan(text, _skip(text, i + 1), pointer + "/" + escape_pointer_token(key), table)
            i = _skip(text, i)
            if text[i:i + 1] == ",":
                i = _skip(text, i + 1)
                continue
            if text[i:i + 1] == "}":
                return i + 1
            raise ValueError(f"expected ',' or '}}' at offset {i}")
    if ch == "[":
        i = _skip(text, i + 1)
        if text[i:i + 1] == "]":
            return i + 1
        n = 0
        while True:
            i = _skip(text, _scan(text, i, f"{pointer}/{n}", table))
            n += 1
            if text[i:i + 1] == ",":
                i = _skip(text, i + 1)
                continue
            if text[i:i + 1] == "]":
                return i + 1
            raise ValueError(f"expected ',' or ']' at offset {i}")
    if ch == '"':
        return _scanstring(text, i + 1)[1]
    m = _SCALAR.match(text, i)
    if m is None:
        raise ValueError(f"unexpected character at offset {i}")
    return m.end()
