"""Policies and statements: the AST of an IAM policy document.

Built only by ``trustgraph.ingest.policy_json.policy_from_json``; ``policy_to_json`` in the same module writes one
back. ``None`` for an element means the element is absent (e.g. identity policies have no Principal), never "any".
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import FrozenInstanceError, dataclass, field, fields
from enum import Enum
from typing import Any, TypeVar

import orjson

from trustgraph.model.condition import Condition
from trustgraph.model.location import MEMORY, Location
from trustgraph.model.pattern import Pattern, parse_pattern
from trustgraph.model.principal import Principal

VERSION_2012 = "2012-10-17"
VERSION_2008 = "2008-10-17"


_K = TypeVar("_K")
_T = TypeVar("_T")


class Effect(Enum):
    """Allow or Deny."""

    ALLOW = "Allow"
    DENY = "Deny"


class Glob:
    """An Action or Resource value: the text as written and its parsed pattern.

    Action globs are matched case-insensitively, resource globs case-sensitively and segment-wise is not applied
    (``*`` in a resource may span ``/`` but, by AWS's rule, not a ``:``; see ``trustgraph.semantics.actions``).

    A frozen value equal (and hashing) by its text alone, as the dataclass it was (``pattern`` was
    ``field(compare=False)``). ``Glob(text, pattern)`` holds the pattern given; :func:`lazy_glob` holds only the text
    and the policy's ``variables`` switch and parses the pattern when first asked, keeping it (the pattern is a pure
    function of the two, so the value never changes; until then the slot holds the switch, a bool, where the pattern
    goes: two slots, as before): at 20,000 roles of the random profile ~450,000 distinct
    Resource texts each kept a copy of itself in its pattern (``prefix*`` -> ``Literal("prefix"), Star()``), 86 of
    the 308 MB the loaded estate held, though most are never matched.
    """

    __slots__ = ("text", "_pattern")

    text: str
    #: the pattern, or (not parsed yet) whether the glob's policy reads policy variables
    _pattern: Pattern | bool

    def __init__(self, text: str, pattern: Pattern) -> None:
        _SET_TEXT(self, text)
        _SET_PATTERN(self, pattern)

    @property
    def pattern(self) -> Pattern:
        """The parsed pattern (wildcards on; policy variables when the glob's policy reads them)."""
        pattern = self._pattern
        if pattern.__class__ is bool:
            parsed: Pattern = _parse_uncached(self.text, wildcards=True, variables=pattern)
            _SET_PATTERN(self, parsed)
            return parsed
        assert isinstance(pattern, tuple)
        return pattern

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not Glob:
            return NotImplemented
        assert isinstance(other, Glob)
        return self.text == other.text

    def __hash__(self) -> int:
        return hash((self.text,))

    def __repr__(self) -> str:
        return f"Glob(text={self.text!r}, pattern={self.pattern!r})"

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __reduce__(self) -> tuple[Callable[[str, Pattern], Glob], tuple[str, Pattern]]:
        return Glob, (self.text, self.pattern)


def new_glob(text: str, pattern: Pattern) -> Glob:
    """``Glob(text, pattern)``, built without the ``__init__`` call (as :func:`new_statement`): the reference
    loader builds one per distinct Action/Resource text. The same frozen :class:`Glob`
    (``tests/model/test_constructors.py``)."""
    glob = _NEW(Glob)
    _SET_TEXT(glob, text)
    _SET_PATTERN(glob, pattern)
    return glob


def lazy_glob(text: str, variables: bool) -> Glob:
    """``Glob(text, parse_pattern(text, wildcards=True, variables=variables))``, the pattern parsed when first read
    (:attr:`Glob.pattern`): the loader's :class:`~trustgraph.ingest.statements.StatementParser` builds one per
    distinct Action/Resource text, most Resource texts of a large organization occurring once and never matched.
    Equal to the eager value, pattern included (``tests/model/test_constructors.py``)."""
    glob = _NEW(Glob)
    _SET_TEXT(glob, text)
    _SET_PATTERN(glob, variables)
    return glob


@dataclass(frozen=True, slots=True, kw_only=True)
class Statement:
    """One statement. Exactly one of ``principals``/``not_principals`` is set in resource policies (trust
    policies), neither in identity policies; exactly one of ``actions``/``not_actions``; at most one of
    ``resources``/``not_resources`` (trust policies usually have neither)."""

    sid: str | None = None
    effect: Effect
    principals: tuple[Principal, ...] | None = None
    not_principals: tuple[Principal, ...] | None = None
    actions: tuple[Glob, ...] | None = None
    not_actions: tuple[Glob, ...] | None = None
    resources: tuple[Glob, ...] | None = None
    not_resources: tuple[Glob, ...] | None = None
    conditions: tuple[Condition, ...] = ()
    location: Location = field(default=MEMORY, compare=False)
    flags: tuple[str, ...] = field(default=(), compare=False)

    @property
    def label(self) -> str:
        """A short name for messages: the Sid when there is one, else the statement's index in its policy."""
        return self.sid or self.location.pointer.rsplit("/", 1)[-1]


def new_statement(sid: str | None, effect: Effect, principals: tuple[Principal, ...] | None,
                  not_principals: tuple[Principal, ...] | None, actions: tuple[Glob, ...] | None,
                  not_actions: tuple[Glob, ...] | None, resources: tuple[Glob, ...] | None,
                  not_resources: tuple[Glob, ...] | None, conditions: tuple[Condition, ...], location: Location,
                  flags: tuple[str, ...]) -> Statement:
    """``Statement(sid=sid, effect=effect, ...)``, every field given, built without the frozen dataclass's
    ``__init__``: its keyword call and eleven ``object.__setattr__`` calls cost about half of what the loader spends
    per statement after parsing (an organization of 2,000 roles holds ~50,000 statements). The value is the same
    frozen :class:`Statement` (each slot set once, through its descriptor, as ``__init__`` does)."""
    st = _NEW(Statement)
    _SET_SID(st, sid)
    _SET_EFFECT(st, effect)
    _SET_PRINCIPALS(st, principals)
    _SET_NOT_PRINCIPALS(st, not_principals)
    _SET_ACTIONS(st, actions)
    _SET_NOT_ACTIONS(st, not_actions)
    _SET_RESOURCES(st, resources)
    _SET_NOT_RESOURCES(st, not_resources)
    _SET_CONDITIONS(st, conditions)
    _SET_LOCATION(st, location)
    _SET_FLAGS(st, flags)
    return st


_NEW = object.__new__
_SET_TEXT, _SET_PATTERN = (Glob.__dict__[name].__set__ for name in Glob.__slots__)
#: :func:`~trustgraph.model.pattern.parse_pattern` without its module-wide cache (a lazy glob keeps its own pattern)
_parse_uncached = parse_pattern.__wrapped__
(_SET_SID, _SET_EFFECT, _SET_PRINCIPALS, _SET_NOT_PRINCIPALS, _SET_ACTIONS, _SET_NOT_ACTIONS, _SET_RESOURCES,
 _SET_NOT_RESOURCES, _SET_CONDITIONS, _SET_LOCATION, _SET_FLAGS) = (
    Statement.__dict__[f.name].__set__ for f in fields(Statement))  # the slots' descriptors, in field order


@dataclass(frozen=True, slots=True, kw_only=True)
class Policy:
    """A policy document. ``version`` is None when the document has no Version element (AWS: 2008-10-17)."""

    version: str | None = VERSION_2012
    id: str | None = None
    statements: tuple[Statement, ...] = ()
    location: Location = field(default=MEMORY, compare=False)
    flags: tuple[str, ...] = field(default=(), compare=False)
    #: the canonical text once computed; before that, for a moved copy, the policy whose text it shares (or None)
    _canonical: str | Policy | None = field(default=None, init=False, repr=False, compare=False)
    #: per action name, the positions of the statements :meth:`selected` keeps; one dict shared by a policy and its
    #: moved copies (the positions depend on the content only). None until first asked
    _positions: dict[str, tuple[int, ...]] | None = field(default=None, init=False, repr=False, compare=False,
                                                          metadata={"memo": True})
    #: per action name, this value's own statements at those positions
    _selected: dict[str, tuple[Statement, ...]] | None = field(default=None, init=False, repr=False, compare=False,
                                                               metadata={"memo": True})
    #: per key, a fact :meth:`fact` computed from the content; one dict shared by a policy and its moved copies
    _facts: dict[Any, Any] | None = field(default=None, init=False, repr=False, compare=False, metadata={"memo": True})

    def canonical_text(self) -> str:
        """The document as canonical JSON of its model (locations and flags dropped): equal policies give equal
        texts, different policies different texts. Tables that hold facts per policy key by it (content, not the
        object). Computed on first use and kept on the value (the value is immutable, so it never goes stale); a
        moved copy (:meth:`moved`) takes its original's, computed once for all the copies."""
        known = self._canonical
        if isinstance(known, str):
            return known
        if known is None:
            text = canonical_json(self.version, self.id, self.statements)
        else:
            text = known.canonical_text()
        object.__setattr__(self, "_canonical", text)
        return text

    def moved(self, statements: tuple[Statement, ...], location: Location) -> Policy:
        """The same document found at another place: ``statements`` are this policy's own at their new locations
        (equal to them up to locations). Its canonical text is this one's, computed when first asked, once for
        every copy (the loader moves a document that repeats across an organization to each place it appears:
        :func:`trustgraph.ingest.policy_json.relocate_policy`)."""
        # built without the frozen dataclass's ``__init__`` (as :func:`new_statement`): every slot set once, through
        # its descriptor, to what ``Policy(...)`` and the ``object.__setattr__`` calls after it gave (the loader moves
        # ~27,000 documents at 20,000 roles; ``tests/model/test_constructors.py``)
        if self._positions is None:
            _SET_POLICY_POSITIONS(self, {})
        if self._facts is None:
            _SET_POLICY_FACTS(self, {})
        copy = _NEW(Policy)
        _SET_POLICY_VERSION(copy, self.version)
        _SET_POLICY_ID(copy, self.id)
        _SET_POLICY_STATEMENTS(copy, statements)
        _SET_POLICY_LOCATION(copy, location)
        _SET_POLICY_FLAGS(copy, self.flags)
        canonical = self._canonical
        _SET_POLICY_CANONICAL(copy, canonical if isinstance(canonical, str) else self)
        _SET_POLICY_POSITIONS(copy, self._positions)
        _SET_POLICY_SELECTED(copy, None)
        _SET_POLICY_FACTS(copy, self._facts)
        return copy

    def selected(self, action: str, keep: Callable[[Statement, str], bool]) -> tuple[Statement, ...]:
        """The statements ``st`` of this policy with ``keep(st, action)``, in document order, remembered per action.

        ``keep`` must be a pure function of the statement's content (not its location) and the action, and the same
        function at every call (there is one: ``trustgraph.semantics.actions.statement_action_matches``, whose index
        this is; see ``semantics.actions.statements_for_action``). The positions are kept per content, so a moved copy
        (:meth:`moved`) reuses its original's; the statements returned are this value's own (its locations).
        """
        selected = self._selected
        if selected is None:
            selected = {}
            object.__setattr__(self, "_selected", selected)
        else:
            hit = selected.get(action)
            if hit is not None:
                return hit
        at = self.positions(action, keep)
        statements = self.statements
        out = selected[action] = statements if len(at) == len(statements) else tuple(statements[i] for i in at)
        return out

    def positions(self, action: str, keep: Callable[[Statement, str], bool]) -> tuple[int, ...]:
        """The positions in ``statements`` of the statements :meth:`selected` keeps for ``action``, remembered per
        content: one table shared by this policy and its moved copies, so a question that reads only the
        statements' content (their effects, say) is answered without building this copy's own tuple of them."""
        positions = self._positions
        if positions is None:
            positions = {}
            object.__setattr__(self, "_positions", positions)
        at = positions.get(action)
        if at is None:
            at = positions[action] = tuple(i for i, st in enumerate(self.statements) if keep(st, action))
        return at

    def fact(self, key: _K, compute: Callable[[Policy, _K], _T]) -> _T:
        """``compute(self, key)``, remembered per content under ``key``: one table shared by this policy and its
        moved copies, so a question asked of every copy of a repeated document walks its statements once.
        ``compute`` must read only the content (statements' effects, actions, resources, conditions; never
        locations or flags) and be the same function for every call with ``key`` (the key names the question)."""
        facts = self._facts
        if facts is None:
            facts = {}
            object.__setattr__(self, "_facts", facts)
        elif key in facts:
            known: _T = facts[key]
            return known
        value = facts[key] = compute(self, key)
        return value

    @property
    def variables_enabled(self) -> bool:
        """Policy variables are substituted only under Version 2012-10-17."""
        return self.version == VERSION_2012

    def all_flags(self) -> tuple[tuple[str, Location], ...]:
        """Every flag of the document, its statements and their conditions, with where it was raised."""
        out = [(f, self.location) for f in self.flags]
        for st in self.statements:  # most documents have no flag at all: test before building generators
            if st.flags:
                out.extend((f, st.location) for f in st.flags)
            for c in st.conditions:
                if c.flags:
                    out.extend((f, c.location) for f in c.flags)
        return tuple(out)


(_SET_POLICY_VERSION, _SET_POLICY_ID, _SET_POLICY_STATEMENTS, _SET_POLICY_LOCATION, _SET_POLICY_FLAGS,
 _SET_POLICY_CANONICAL, _SET_POLICY_POSITIONS, _SET_POLICY_SELECTED, _SET_POLICY_FACTS) = (
    Policy.__dict__[f.name].__set__ for f in fields(Policy))  # the slots' descriptors, in field order


def canonical_json(version: str | None, policy_id: str | None, statements: tuple[Statement, ...], *,
                   fast: bool = True) -> str:
    """The canonical text of a document with these parts (:meth:`Policy.canonical_text`): the compact JSON of
    ``[version, id, [statement form, ...]]`` as ``json.dumps(..., separators=(",", ":"))`` writes it.

    ``fast`` (the default) encodes with orjson, about five times cheaper on the ~3,000 distinct documents of a
    2,000-role organization (random profile: 0.25 s of CPU before the privilege-escalation check's edges, most of it
    the encoding and the forms), and keeps its text only when the two encoders write the same characters: printable
    ASCII without a backslash (no escape written by either; ``json.dumps`` escapes non-ASCII and DEL, orjson does
    not), and no ``"float"`` (a float condition value, which the two may spell differently; the text is also
    refused when ``"float"`` is a string of the document: slower, never different). Integers beyond 64 bits and
    anything else orjson refuses go to ``json.dumps`` too. So the text is the reference's, character for character,
    and tables keyed by it cannot tell which encoder wrote it. ``fast=False`` is the reference
    (``tests/model/test_canonical_text.py``)."""
    form = [version, policy_id, [_statement_form(st) for st in statements]]
    if fast:
        try:
            text = orjson.dumps(form).decode()
        except orjson.JSONEncodeError:
            text = None
        if text is not None and text.isascii() and "\\" not in text and "\x7f" not in text \
                and '"float"' not in text:
            return text
    return json.dumps(form, separators=(",", ":"))


def _texts(globs: tuple[Glob, ...] | None) -> list[str] | None:
    return None if globs is None else [g.text for g in globs]


#: each effect's text (``Effect.value``, without the enum's descriptor per statement)
_EFFECT_TEXT = {e: e.value for e in Effect}


def _principal_texts(ps: tuple[Principal, ...] | None) -> list[list[str]] | None:
    return None if ps is None else [[p.element.value, p.text] for p in ps]


def _statement_form(st: Statement) -> list[Any]:
    """One statement of :func:`canonical_json`: its elements in a fixed order, locations and flags left out."""
    return [
        st.sid, _EFFECT_TEXT[st.effect], _principal_texts(st.principals), _principal_texts(st.not_principals),
        _texts(st.actions), _texts(st.not_actions), _texts(st.resources), _texts(st.not_resources),
        # one entry per Condition: two conditions with the same operator and key stay two (a JSON object would
        # merge them, and two different policies would then share an entry)
        [[c.operator_text, c.key_text, [[type(v).__name__, v] for v in c.values]] for c in st.conditions]
        if st.conditions else [],
    ]
