"""Typed access to fields of raw JSON objects, raising :class:`~trustgraph.errors.IngestError` with a pointer.

Shared by the export readers (``gaad``, ``organizations``, ``providers``) so that every "expected X, got Y" message
has one wording.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from trustgraph.errors import IngestError
from trustgraph.model.location import Location


def fail(loc: Location, message: str) -> IngestError:
    """An :class:`IngestError` at ``loc``."""
    return IngestError(loc.file, loc.pointer, message)


def type_name(value: object) -> str:
    """``an object``, ``a list``, ``a string``, ... for messages."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    names = {dict: "an object", list: "a list", str: "a string", type(None): "null"}
    return names.get(type(value), type(value).__name__)


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
