"""The Condition AST: one :class:`Condition` per (operator, key) pair of a statement's Condition block.

Semantics (AWS "Conditions with multiple context keys or values"): the conditions of a block are ANDed; the values
of one condition are ORed, or NORed for a negated operator. Evaluation lives in ``trustgraph.semantics.conditions``
and the z3 encoding in ``trustgraph.smt.encode``; this module only says what was written.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from enum import Enum
from typing import cast

from trustgraph.model.location import MEMORY, Location
from trustgraph.model.pattern import Pattern


class Family(Enum):
    """The value type an operator compares."""

    STRING = "string"
    ARN = "arn"
    NUMERIC = "numeric"
    DATE = "date"
    BOOL = "bool"
    BINARY = "binary"
    IP = "ip"
    NULL = "null"
    UNKNOWN = "unknown"


class Operator(Enum):
    """Condition operators without qualifier or IfExists suffix. ``UNKNOWN`` keeps operators we do not know."""

    STRING_EQUALS = "StringEquals"
    STRING_NOT_EQUALS = "StringNotEquals"
    STRING_EQUALS_IGNORE_CASE = "StringEqualsIgnoreCase"
    STRING_NOT_EQUALS_IGNORE_CASE = "StringNotEqualsIgnoreCase"
    STRING_LIKE = "StringLike"
    STRING_NOT_LIKE = "StringNotLike"
    NUMERIC_EQUALS = "NumericEquals"
    NUMERIC_NOT_EQUALS = "NumericNotEquals"
    NUMERIC_LESS_THAN = "NumericLessThan"
    NUMERIC_LESS_THAN_EQUALS = "NumericLessThanEquals"
    NUMERIC_GREATER_THAN = "NumericGreaterThan"
    NUMERIC_GREATER_THAN_EQUALS = "NumericGreaterThanEquals"
    DATE_EQUALS = "DateEquals"
    DATE_NOT_EQUALS = "DateNotEquals"
    DATE_LESS_THAN = "DateLessThan"
    DATE_LESS_THAN_EQUALS = "DateLessThanEquals"
    DATE_GREATER_THAN = "DateGreaterThan"
    DATE_GREATER_THAN_EQUALS = "DateGreaterThanEquals"
    BOOL = "Bool"
    BINARY_EQUALS = "BinaryEquals"
    IP_ADDRESS = "IpAddress"
    NOT_IP_ADDRESS = "NotIpAddress"
    ARN_EQUALS = "ArnEquals"
    ARN_LIKE = "ArnLike"
    ARN_NOT_EQUALS = "ArnNotEquals"
    ARN_NOT_LIKE = "ArnNotLike"
    NULL = "Null"
    UNKNOWN = "Unknown"

    # the tables below are keyed by the member's name: a str's hash is the interpreter's own, an Enum member's goes
    # through Enum.__hash__ in Python (the evaluator and the solver ask these on every condition they read)
    @property
    def family(self) -> Family:
        """The value type this operator compares."""
        return _FAMILY_BY_NAME[self._name_]

    @property
    def negated(self) -> bool:
        """True for operators that match when no value matches (NOR over values; true on an absent key)."""
        return self._name_ in _NEGATED_NAMES

    @property
    def positive(self) -> Operator:
        """The positive counterpart of a negated operator (itself for positive operators)."""
        return _POSITIVE.get(self, self)

    @property
    def wildcards(self) -> bool:
        """True when ``*`` and ``?`` in values are wildcards under this operator."""
        return self._name_ in _WILDCARD_NAMES


_FAMILY = {
    **{op: Family.STRING for op in Operator if op.value.startswith("String")},
    **{op: Family.NUMERIC for op in Operator if op.value.startswith("Numeric")},
    **{op: Family.DATE for op in Operator if op.value.startswith("Date")},
    **{op: Family.ARN for op in Operator if op.value.startswith("Arn")},
    Operator.BOOL: Family.BOOL,
    Operator.BINARY_EQUALS: Family.BINARY,
    Operator.IP_ADDRESS: Family.IP,
    Operator.NOT_IP_ADDRESS: Family.IP,
    Operator.NULL: Family.NULL,
    Operator.UNKNOWN: Family.UNKNOWN,
}
_POSITIVE = {
    Operator.STRING_NOT_EQUALS: Operator.STRING_EQUALS,
    Operator.STRING_NOT_EQUALS_IGNORE_CASE: Operator.STRING_EQUALS_IGNORE_CASE,
    Operator.STRING_NOT_LIKE: Operator.STRING_LIKE,
    Operator.NUMERIC_NOT_EQUALS: Operator.NUMERIC_EQUALS,
    Operator.DATE_NOT_EQUALS: Operator.DATE_EQUALS,
    Operator.ARN_NOT_EQUALS: Operator.ARN_EQUALS,
    Operator.ARN_NOT_LIKE: Operator.ARN_LIKE,
    Operator.NOT_IP_ADDRESS: Operator.IP_ADDRESS,
}
_NEGATED = frozenset(_POSITIVE)
_WILDCARD_OPS = frozenset(
    {
        Operator.STRING_LIKE,
        Operator.STRING_NOT_LIKE,
        Operator.ARN_EQUALS,
        Operator.ARN_LIKE,
        Operator.ARN_NOT_EQUALS,
        Operator.ARN_NOT_LIKE,
    }
)
_FAMILY_BY_NAME = {op.name: family for op, family in _FAMILY.items()}
_NEGATED_NAMES = frozenset(op.name for op in _NEGATED)
_WILDCARD_NAMES = frozenset(op.name for op in _WILDCARD_OPS)
OPERATORS_BY_NAME = {op.value.lower(): op for op in Operator if op is not Operator.UNKNOWN}


class SetQualifier(Enum):
    """``ForAnyValue:`` / ``ForAllValues:`` prefix, or none."""

    NONE = ""
    FOR_ANY_VALUE = "ForAnyValue"
    FOR_ALL_VALUES = "ForAllValues"


Scalar = str | bool | int | float


def scalar_to_text(value: Scalar) -> str:
    """The string form AWS compares a JSON scalar condition value as (``true``, ``3600``, ...)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@dataclass(frozen=True, slots=True, kw_only=True)
class Condition:
    """One operator applied to one key with one or more values.

    ``operator_text`` and ``key_text`` keep the spelling of the document for messages; ``key`` is lower-cased
    (key names are case-insensitive). ``patterns`` holds one parsed pattern per value for string and ARN
    operators (wildcards per operator, variables per policy Version), empty for other families. ``location`` and
    ``flags`` do not take part in equality, so identical conditions at different places compare equal (and share a
    cache entry in the solver).
    """

    operator: Operator
    operator_text: str
    qualifier: SetQualifier = SetQualifier.NONE
    if_exists: bool = False
    key: str
    key_text: str
    values: tuple[Scalar, ...]
    patterns: tuple[Pattern, ...] = ()
    location: Location = field(default=MEMORY, compare=False)
    flags: tuple[str, ...] = field(default=(), compare=False)
    #: the values as the strings AWS compares (:func:`scalar_to_text` of each), made once: the evaluator, the solver
    #: and the guesses read them on every hop decided (``values`` itself when every value is a string already)
    texts: tuple[str, ...] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        values = self.values
        if type(values) is tuple and all(type(v) is str for v in values):
            object.__setattr__(self, "texts", cast("tuple[str, ...]", values))
        else:
            object.__setattr__(self, "texts", tuple(scalar_to_text(v) for v in values))

    def moved(self, location: Location) -> Condition:
        """The same condition written at ``location``: every other field (``texts`` included) is this one's, shared,
        being immutable. Built without ``__init__`` (its keyword call, ten ``object.__setattr__`` calls and
        :meth:`__post_init__`): the loader moves the conditions of a repeated document or Condition block to each
        place it appears."""
        copy = _NEW(Condition)
        _SET_OPERATOR(copy, self.operator)
        _SET_OPERATOR_TEXT(copy, self.operator_text)
        _SET_QUALIFIER(copy, self.qualifier)
        _SET_IF_EXISTS(copy, self.if_exists)
        _SET_KEY(copy, self.key)
        _SET_KEY_TEXT(copy, self.key_text)
        _SET_VALUES(copy, self.values)
        _SET_PATTERNS(copy, self.patterns)
        _SET_LOCATION(copy, location)
        _SET_FLAGS(copy, self.flags)
        _SET_TEXTS(copy, self.texts)
        return copy

    def __str__(self) -> str:
        vals = ", ".join(repr(t) for t in self.texts)
        return f"{self.operator_text} {self.key_text} [{vals}]"



_NEW = object.__new__
(_SET_OPERATOR, _SET_OPERATOR_TEXT, _SET_QUALIFIER, _SET_IF_EXISTS, _SET_KEY, _SET_KEY_TEXT, _SET_VALUES, _SET_PATTERNS,
 _SET_LOCATION, _SET_FLAGS, _SET_TEXTS) = (
    Condition.__dict__[f.name].__set__ for f in fields(Condition))  # the slots' descriptors, in field order
