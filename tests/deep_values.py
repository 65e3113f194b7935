"""Field-by-field comparison of model values, including the fields equality ignores.

Dataclass equality in the model skips ``location`` and ``flags`` (identical conditions at different places compare
equal, so they share solver cache entries). Tests that a faster way of building values gives the same values need
the stricter comparison: :func:`deep` turns a value into nested tuples of every field, locations included (and a
policy's canonical text, whether computed or shared).
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
from typing import Any

from trustgraph.model.policy import Glob


def deep(value: Any) -> Any:
    """A nested-tuple form of ``value`` holding every dataclass field (``compare=False`` ones too), in order; not
    the memos a value keeps of questions asked of it (fields marked ``metadata={"memo": True}``)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (type(value).__name__, *((f.name, deep(_field(value, f.name))) for f in dataclasses.fields(value)
                                        if not f.metadata.get("memo")))  # what was remembered is no field's value
    if isinstance(value, Glob):  # a slotted class, no longer a dataclass: its two fields as the dataclass had them
        return ("Glob", ("text", deep(value.text)), ("pattern", deep(value.pattern)))
    if isinstance(value, (tuple, list)):
        return (type(value).__name__, *(deep(x) for x in value))
    if isinstance(value, dict):
        return ("dict", *((deep(k), deep(x)) for k, x in value.items()))
    if isinstance(value, (set, frozenset)):
        return ("set", *sorted(repr(deep(x)) for x in value))
    if isinstance(value, enum.Enum):
        return ("enum", type(value).__name__, value.value)
    if value is None or isinstance(value, (str, int, float, bool, datetime.datetime)):
        return (type(value).__name__, repr(value))
    raise TypeError(f"deep() does not know {type(value).__name__}")


def _field(value: Any, name: str) -> Any:
    """A field's value; a policy's canonical text, which a copy may share instead of computing it (``_canonical``,
    None until computed), as the text it stands for: the shared one must be the one the copy would compute."""
    if name == "_canonical":
        return value.canonical_text()
    return getattr(value, name)


def json_paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path (keys and indexes from the root, the root's empty path first) into a decoded JSON value."""
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out.extend(json_paths(v, (*prefix, k)))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out.extend(json_paths(v, (*prefix, i)))
    return out
