"""Typed access to fields of raw JSON objects, raising :class:`~trustgraph.errors.IngestError` with a pointer.

Shared by the export readers (``gaad``, ``organizations``, ``providers``) so that every "expected X, got Y" message
has one wording.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from trustgraph.errors import IngestError
from trustgraph.model.location import Location


def fail(loc: Location, message: str) -> IngestError:
    """An :class:`IngestError` at ``loc``."""
    return IngestError(loc.file, loc.pointer, message)


@contextlib.contextmanager
def parse_errors(source: str, what: str, pointer: str = "") -> Iterator[None]:
    """Turn the failures of a parser (``json``, ``tomllib``, ``yaml``) that are not syntax errors into one-line
    :class:`IngestError` s naming ``source``: nesting deeper than the interpreter's recursion limit, an integer
    literal beyond Python's 4,300-digit conversion limit, text that is not UTF-8.

    ``what`` names the format for the message (``JSON``, ``TOML``, ``YAML``). Syntax errors are the caller's to
    catch (each parser says where they are in its own way).
    """
    try:
        yield
    except RecursionError:
        raise IngestError(source, pointer, f"unsupported {what}: nested too deeply") from None
    except UnicodeDecodeError as exc:
        raise IngestError(source, pointer, f"not UTF-8 text: invalid byte 0x{exc.object[exc.start]:02x} at offset "
                                           f"{exc.start}") from None
    except ValueError as exc:
        if "integer string conversion" not in str(exc):
            raise
        raise IngestError(source, pointer, f"unsupported {what}: an integer literal longer than 4300 digits") from None


def type_name(value: object) -> str:
    """``an object``, ``a list``, ``a string``, ... for messages."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    names = {dict: "an object", list: "a list", str: "a string", type(None): "null"}
    return names.get(type(value), type(value).__name__)


def show_json(value: object, limit: int = 120) -> str:
    """``value`` as compact JSON for a message, at most about ``limit`` characters (longer text ends with ``...``).

    Built without recursion and stopping at ``limit``, so a value nested thousands of levels deep or megabytes long
    costs no more than a short one.

    >>> show_json(["Allow", {"a": 1}]), show_json([[[[["x"]]]]], 6)
    ('["Allow",{"a":1}]', '[[[[["...')
    """
    import json

    out: list[str] = []
    size = 0
    stack: list[object] = [value]
    close = object()  # marks where a container's closing bracket goes; pushed as (close, "]")
    while stack and size <= limit:
        item = stack.pop()
        if isinstance(item, tuple) and len(item) == 2 and item[0] is close:
            text = str(item[1])
        elif isinstance(item, dict):
            stack.append((close, "}"))
            entries: list[object] = []
            for i, (k, v) in enumerate(item.items()):
                entries.append((close, ("," if i else "") + json.dumps(str(k)[:limit]) + ":"))
                entries.append(v)
                if i * 4 > limit:
                    entries.append((close, ",..."))
                    break
            stack.extend(reversed(entries))
            text = "{"
        elif isinstance(item, list):
            stack.append((close, "]"))
            entries = []
            for i, v in enumerate(item):
                if i:
                    entries.append((close, ","))
                entries.append(v)
                if i * 2 > limit:
                    entries.append((close, ",..."))
                    break
            stack.extend(reversed(entries))
            text = "["
        elif isinstance(item, str):
            text = json.dumps(item[: limit + 1])
        elif isinstance(item, int) and not isinstance(item, bool):
            digits = len(str(item)) if abs(item) < 10**100 else None
            text = str(item) if digits is not None else f"<an integer of {item.bit_length()} bits>"
        else:
            try:
                text = json.dumps(item)
            except (TypeError, ValueError):
                text = type(item).__name__
        out.append(text)
        size += len(text)
    joined = "".join(out)
    return joined if size <= limit and not stack else joined[:limit] + "..."


def obj(raw: object, loc: Location, what: str) -> Mapping[str, Any]:
    """``raw`` as a JSON object, or an error saying ``what`` was expected."""
    if not isinstance(raw, dict):
        raise fail(loc, f"expected {what} as an object, got {type_name(raw)}")
    return raw


def req_str(raw: Mapping[str, Any], key: str, loc: Location, what: str) -> str:
    """A required non-empty string field."""
    if key not in raw:
        raise fail(loc, f"missing `{key}` (expected {what})")
    value = raw[key]
    if not isinstance(value, str) or not value:
        raise fail(loc.child(key), f"expected {what} as a non-empty string, got {type_name(value)}")
    return value


def opt_str(raw: Mapping[str, Any], key: str, loc: Location, what: str) -> str | None:
    """An optional string field (absent or null gives None)."""
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise fail(loc.child(key), f"expected {what} as a string, got {type_name(value)}")
    return value


def opt_int(raw: Mapping[str, Any], key: str, loc: Location, what: str) -> int | None:
    """An optional integer field."""
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise fail(loc.child(key), f"expected {what} as an integer, got {type_name(value)}")
    return value


def opt_list(raw: Mapping[str, Any], key: str, loc: Location, what: str) -> list[Any]:
    """An optional list field (absent or null gives an empty list)."""
    value = raw.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise fail(loc.child(key), f"expected {what} as a list, got {type_name(value)}")
    return value


def str_list(raw: Mapping[str, Any], key: str, loc: Location, item_name: str) -> tuple[str, ...]:
    """An optional list of strings; ``item_name`` names one item (``group name``)."""
    items = opt_list(raw, key, loc, f"{item_name}s")
    for i, item in enumerate(items):
        if not isinstance(item, str):
            raise fail(loc.child(key, i), f"expected a {item_name} as a string, got {type_name(item)}")
    return tuple(items)


def timestamp(raw: Mapping[str, Any], key: str, loc: Location) -> datetime | None:
    """A timestamp in any form exports use, as an aware UTC datetime.

    Accepted: the wire form ``2024-03-01T00:15:00Z``, ISO-8601 with an offset (AWS CLI v2:
    ``2024-03-01T00:15:00+00:00``), Python's ``str(datetime)`` (``json.dumps(..., default=str)`` on boto3 output:
    ``2024-03-01 00:15:00+00:00``), and epoch numbers (seconds; values above 10^11 are taken as milliseconds).
    Text without an offset is UTC.

    Examples
    --------
    >>> from trustgraph.model.location import MEMORY
    >>> timestamp({"d": 1709252100}, "d", MEMORY) == timestamp({"d": "2024-03-01T00:15:00Z"}, "d", MEMORY)
    True
    """
    value = raw.get(key)
    if value is None:
        return None
    if value.__class__ is str and value.endswith("Z"):
        # the wire form (every CreateDate of an export): ``fromisoformat`` reads the ``Z`` itself since Python 3.11,
        # as the UTC the text below replaces it with, and gives a value already in UTC; anything else it refuses or
        # reads otherwise (white space, no time zone) goes the long way (``tests/ingest/test_timestamps.py``)
        try:
            dt = datetime.fromisoformat(value)
        except ValueError:
            dt = None
        if dt is not None and dt.tzinfo is UTC:
            return dt
    return _timestamp(value, key, loc)


def _timestamp(value: object, key: str, loc: Location) -> datetime:
    """:func:`timestamp` of a value that is not None, every form."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = value / 1000 if abs(value) > 1e11 else value
        try:
            return datetime.fromtimestamp(seconds, tz=UTC)
        except (OverflowError, OSError, ValueError):
            raise fail(loc.child(key), f"expected a timestamp, got the out-of-range number {value}") from None
    if isinstance(value, str):
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            dt = datetime.fromisoformat(text)
        except ValueError:
            raise fail(loc.child(key),
                       f"expected a timestamp (ISO-8601 text or epoch seconds), got `{value}`") from None
        if dt.tzinfo is None:
            dt = dt.replace(tzinfo=UTC)
        return dt.astimezone(UTC)
    raise fail(loc.child(key), f"expected a timestamp (ISO-8601 text or epoch seconds), got {type_name(value)}")
