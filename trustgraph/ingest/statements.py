"""Policy statements parsed with per-load tables: the loader's fast path of
:func:`~trustgraph.ingest.policy_json.statement_from_json` (the reference it is tested against).

An organization's statements are mostly distinct (generated ones differ in their Resource ARNs), but their parts are
not: a few shapes of statement (which elements, in which order), a few hundred Action lists, a few Condition blocks,
each Resource text once or a few times. :class:`StatementParser` parses each part once per load:

- the statement's key tuple is looked up once per distinct key order, giving which of Principal/NotPrincipal,
  Action/NotAction, Resource/NotResource it holds, and whether it has a Sid or a Condition (``None`` for anything
  the reference refuses: an unknown element, a pair written both ways, no Effect, no Action);
- an Action or Resource element (a string or a list of strings) is looked up as written and, the first time, built
  from one :class:`~trustgraph.model.policy.Glob` per distinct text (a :func:`~trustgraph.model.policy.lazy_glob`,
  whose pattern is parsed when first read: most Resource texts are never matched, and a parsed ``prefix*`` kept a
  second copy of its text; a text's glob is kept in the same table as the element of that one string);
- a Condition block is looked up by its compact JSON (orjson: key order and number types kept, so equal text means
  the reference parses it to equal conditions); the first occurrence is parsed by the reference
  (:func:`~trustgraph.ingest.policy_json.conditions_from_json`) and later ones are its conditions moved to their own
  place (:meth:`~trustgraph.model.condition.Condition.moved`: the locations are per occurrence, never shared);
- the value is built by :func:`~trustgraph.model.policy.new_statement`, without the dataclass ``__init__``.

Errors: the fast path returns a statement only when every element is well formed; on anything else (a wrong type,
an empty list, a bad Effect or Sid, a malformed principal) it hands the statement to the reference, which raises the
same one-line error at the same JSON pointer as a load without this parser. Equal statements, locations and flags
included, with and without it: ``tests/ingest/test_statement_parser.py``. Switch: ``load_estate(...,
fast_statements=False)``.
"""

from __future__ import annotations

from sys import intern as _intern
from typing import Any

import orjson

from trustgraph.ingest.policy_json import (
    PolicyKind,
    conditions_from_json,
    principals_at,
    statement_from_json,
)
from trustgraph.model.condition import Condition
from trustgraph.model.location import Location, new_location
from trustgraph.model.policy import Effect, Glob, Statement, lazy_glob, new_statement

_STATEMENT_KEYS = frozenset(
    {"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"}
)
_ALLOW, _DENY = Effect.ALLOW, Effect.DENY

#: what a statement's key tuple says: (has Sid, Principal key or None, Action key, Resource key or None, has
#: Condition)
_Shape = tuple[bool, str | None, str, str | None, bool]


def _shape(keys: tuple[str, ...]) -> _Shape | None:
    """The shape of a statement with these keys; None when the reference refuses every statement with them."""
    present = set(keys)
    if len(present) != len(keys) or not _STATEMENT_KEYS.issuperset(present) or "Effect" not in present:
        return None
    picked: list[str | None] = []
    for name, not_name in (("Principal", "NotPrincipal"), ("Action", "NotAction"), ("Resource", "NotResource")):
        if name in present and not_name in present:
            return None
        picked.append(name if name in present else not_name if not_name in present else None)
    principal, action, resource = picked
    if action is None:
        return None
    return "Sid" in present, principal, action, resource, "Condition" in present


def _shape_flags(principal: str | None, kind: PolicyKind) -> tuple[str, ...]:
    """The flags :func:`~trustgraph.ingest.policy_json.statement_from_json` raises from the shape alone, in its
    order."""
    flags: list[str] = []
    if principal == "NotPrincipal" and kind == "trust":
        flags.append("not-principal-in-trust-policy")
    if kind == "trust" and principal is None:
        flags.append("missing-principal")
    if kind in ("identity", "boundary", "scp") and principal is not None:
        flags.append("principal-in-identity-policy")
    return tuple(flags)


class StatementParser:
    """``statement_from_json`` with tables that live for one load (module docstring). Not shared between loads: the
    tables hold what one organization repeats, and are freed with the loader's
    :class:`~trustgraph.ingest.policy_json.PolicyInterner`."""

    __slots__ = ("_conditions", "_elements", "_flags", "_shapes")

    def __init__(self) -> None:
        self._shapes: dict[tuple[str, ...], _Shape | None] = {}
        self._flags: dict[tuple[str | None, str], tuple[str, ...]] = {}
        # per ``variables`` (False, True): element as written (str or tuple of str) -> globs
        self._elements: tuple[dict[object, tuple[Glob, ...]], dict[object, tuple[Glob, ...]]] = ({}, {})
        # (variables, compact JSON of the block) -> (the first occurrence's conditions, its Condition pointer)
        self._conditions: dict[tuple[bool, str], tuple[tuple[Condition, ...], str]] = {}

    def __call__(self, raw: object, loc: Location, kind: PolicyKind, variables: bool) -> Statement:
        """``statement_from_json(raw, loc, kind=kind, variables=variables)``: the same value, or the same error."""
        if raw.__class__ is dict:
            st = self._fast(raw, loc, kind, variables)
            if st is not None:
                return st
        return statement_from_json(raw, loc, kind=kind, variables=variables)

    def _fast(self, raw: dict[str, Any], loc: Location, kind: PolicyKind, variables: bool) -> Statement | None:
        """The statement when it is well formed, else None (the reference then raises the precise error)."""
        keys = tuple(raw)
        shapes = self._shapes
        shape = shapes.get(keys, False)
        if shape is False:
            shape = shapes[keys] = _shape(keys)
        if shape is None:
            return None
        has_sid, principal_key, action_key, resource_key, has_condition = shape  # type: ignore[misc]
        effect_raw = raw["Effect"]
        if effect_raw == "Allow":
            effect = _ALLOW
        elif effect_raw == "Deny":
            effect = _DENY
        else:
            return None
        sid = raw["Sid"] if has_sid else None
        if sid is not None and sid.__class__ is not str:
            return None
        flags = self._flags.get((principal_key, kind))
        if flags is None:
            flags = self._flags[(principal_key, kind)] = _shape_flags(principal_key, kind)
        principals = None
        if principal_key is not None:
            principals = principals_at(raw[principal_key], loc, principal_key)  # raises exactly as the reference
            if any(p.flags for p in principals):
                merged = list(flags)
                for p in principals:
                    merged.extend(f for f in p.flags if f not in merged)
                flags = tuple(merged)
        actions = self._element(raw[action_key], False)
        if actions is None:
            return None
        resources = None
        if resource_key is not None:
            resources = self._element(raw[resource_key], variables)
            if resources is None:
                return None
        conditions: tuple[Condition, ...] = ()
        if has_condition:
            conditions = self._condition_block(raw["Condition"], loc, variables)
        not_principal = principal_key == "NotPrincipal"
        return new_statement(
            sid, effect,
            None if not_principal else principals, principals if not_principal else None,
            actions if action_key == "Action" else None, actions if action_key == "NotAction" else None,
            resources if resource_key == "Resource" else None, resources if resource_key == "NotResource" else None,
            conditions, loc, flags,
        )

    def _element(self, raw: object, variables: bool) -> tuple[Glob, ...] | None:
        """The globs of an Action/Resource element written as a string or a non-empty list of strings; None for
        anything else. One table per ``variables`` holds both spellings: a string (its one glob, also the glob of
        that text in a list) and a list looked up as a tuple (no string equals a tuple). Only all-string tuples
        are ever stored, and no other JSON value equals a string, so a hit is well formed; an unhashable item (a
        nested list or object) misses. A text seen first is parsed once (most Resource texts occur once: one
        look-up and one entry each)."""
        elements = self._elements[variables]
        if raw.__class__ is str:
            hit = elements.get(raw)
            if hit is None:
                hit = elements[raw] = (lazy_glob(raw, variables),)
            return hit
        if raw.__class__ is not list or not raw:
            return None
        key = tuple(raw)
        try:
            hit = elements.get(key)
        except TypeError:  # an unhashable item: malformed
            return None
        if hit is None:
            if not all(t.__class__ is str for t in key):
                return None
            built = []
            for text in key:
                one = elements.get(text)
                if one is None:
                    one = elements[text] = (lazy_glob(text, variables),)
                built.append(one[0])
            hit = elements[key] = tuple(built)
        return hit

    def _condition_block(self, raw: object, loc: Location, variables: bool) -> tuple[Condition, ...]:
        """``conditions_from_json(raw, loc.child("Condition"), variables=variables)``, each distinct block parsed
        once; later occurrences get its conditions at their own locations."""
        where = loc.child("Condition")
        if raw.__class__ is not dict or not raw:
            return conditions_from_json(raw, where, variables=variables)
        try:
            key = (variables, orjson.dumps(raw).decode())
        except (TypeError, orjson.JSONEncodeError):  # not plain JSON data: parse it on its own
            return conditions_from_json(raw, where, variables=variables)
        known = self._conditions.get(key)
        if known is None:
            parsed = conditions_from_json(raw, where, variables=variables)
            self._conditions[key] = (parsed, where.pointer)
            return parsed
        template, pointer = known
        file, base, cut = where.file, where.pointer, len(pointer)
        return tuple(c.moved(new_location(file, _intern(base + c.location.pointer[cut:]))) for c in template)


__all__ = ["StatementParser"]
