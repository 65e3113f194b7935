"""Concrete evaluation of condition blocks (docs/semantics.md §2): the executable specification of every operator.

The z3 encoding (``trustgraph.smt``) must follow these functions node for node. The rules, in the order the code
applies them:

Request values
    ``context`` maps lower-cased keys to tuples of strings. A key is **present** when it is in the mapping with at
    least one value; an empty tuple counts as absent (AWS: "null data set"). ``S`` below is the tuple of request
    values (empty when absent).

Policy values
    For string and ARN operators each policy value is a parsed :data:`~trustgraph.model.pattern.Pattern`
    (wildcards only under ``*Like``/``Arn*``). With ``variables=True`` policy variables ``${key}`` /
    ``${key, 'default'}`` are replaced by the request value of ``key`` **when that key has exactly one value**, else
    by the default; a value with an unresolvable variable **matches nothing** (so a positive operator on it is false
    and a negated operator true, AWS "policy variables" page). Substituted text is literal (a ``*`` inside a
    substituted value is not a wildcard). With ``variables=False`` (Version 2008-10-17 or none) ``${...}`` is
    literal text. Bool values may hold variables too; numeric, date, IP and binary values may not.

Unparseable values (documented rule, mirrored by the SMT encoding)
    A policy value that its family cannot read (``NumericEquals "abc"``, ``IpAddress "300.1.1.1/8"``, ``Bool
    "yes"``) **matches no request value**. A request value that the operator's family cannot read (e.g. a
    non-number under ``NumericLessThan``) **matches no policy value**. Both therefore make the positive match false
    and the negated match true. For ``Null`` an unreadable policy value matches nothing.

Per-value match ``m(s)``
    positive operator: ``∃p. match(s, p)``; negated operator (StringNot*, NumericNotEquals, DateNotEquals,
    ArnNot*, NotIpAddress): ``∀p. ¬match(s, p)`` where ``match`` is the positive counterpart's.

Qualifiers, IfExists, absence
    * no qualifier, positive: ``present ∧ ∃s∈S. m(s)``; with IfExists: ``¬present ∨ ∃s∈S. m(s)``.
    * no qualifier, negated: ``¬present ∨ ∀s∈S. m(s)`` (IfExists changes nothing). With one request value this is
      the §2.2 rule; with several (a multi-valued key under a plain operator, "[?]" in §2.4) the positive form is
      ForAnyValue-like and the negated form is its complement on present keys.
    * ``ForAnyValue:``  ``∃s∈S. m(s)`` — false when absent; with IfExists true when absent.
    * ``ForAllValues:`` ``∀s∈S. m(s)`` — true when absent.
    A single-valued key under a set operator is a one-element set when present and empty when absent.
    * ``Null``: ``∃v∈V. parse_bool(v) = ¬present``.

Unknown operators
    :class:`UndecidableCondition` is raised; callers over-approximate (an Allow statement may apply, a Deny may
    not) and record the approximation with the condition's location. ``Null`` with IfExists or a set qualifier
    (which IAM rejects) is treated the same way.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable, Mapping

from trustgraph.model.condition import Condition, Family, Operator, SetQualifier
from trustgraph.model.location import Location
from trustgraph.model.pattern import (
    Element,
    Literal,
    Pattern,
    Variable,
    arn_matches,
    matches,
    parse_pattern,
    substitute,
)
from trustgraph.model.values import (
    parse_binary,
    parse_bool,
    parse_date,
    parse_ip,
    parse_ip_range,
    parse_number,
)

Context = Mapping[str, tuple[str, ...]]


class UndecidableCondition(Exception):
    """The evaluator cannot decide a condition (unknown operator or a form IAM rejects).

    Attributes
    ----------
    condition
        The condition.
    reason
        Why, in words (``unknown condition operator `StringFooBar```).
    """

    def __init__(self, condition: Condition, reason: str) -> None:
        self.condition = condition
        self.reason = reason
        super().__init__(f"{condition.location}: {reason}")

    @property
    def location(self) -> Location:
        """Where the condition is."""
        return self.condition.location


def values_of(context: Context, key: str) -> tuple[str, ...]:
    """The request values of ``key`` (lower-cased lookup); empty when absent."""
    return tuple(context.get(key.lower(), ()))


def is_present(context: Context, key: str) -> bool:
    """A key is present when it has at least one value."""
    return len(values_of(context, key)) > 0


def variable_lookup(context: Context) -> Callable[[str], str | None]:
    """Resolve a policy variable from the request: the value of a key with exactly one value, else None."""

    def lookup(key: str) -> str | None:
        vals = values_of(context, key)
        return vals[0] if len(vals) == 1 else None

    return lookup


def literal_pattern(pattern: Pattern) -> Pattern:
    """A pattern whose variables are turned back into literal ``${...}`` text (Version 2008 semantics)."""
    out: list[Element] = []
    for el in pattern:
        if isinstance(el, Variable):
            el = Literal("${" + el.text + (f", '{el.default}'" if el.default is not None else "") + "}")
        if isinstance(el, Literal) and out and isinstance(out[-1], Literal):
            out[-1] = Literal(out[-1].text + el.text)
        else:
            out.append(el)
    return tuple(out)


def policy_patterns(cond: Condition, *, variables: bool) -> tuple[Pattern, ...]:
    """The patterns of a string/ARN condition under the given variable setting (one per value)."""
    texts = cond.texts
    if cond.patterns and len(cond.patterns) == len(texts):
        pats = cond.patterns
    else:
        pats = tuple(parse_pattern(t, wildcards=cond.operator.wildcards, variables=variables) for t in texts)
    if not variables:
        pats = tuple(literal_pattern(p) if any(isinstance(e, Variable) for e in p) else p for p in pats)
    return pats


def resolved_texts(cond: Condition, context: Context, *, variables: bool) -> tuple[str | None, ...]:
    """Policy values of a non-string family as text after variable substitution (None: unresolvable)."""
    out: list[str | None] = []
    for text in cond.texts:
        if variables and "${" in text and cond.operator.family is Family.BOOL:
            pat = substitute(parse_pattern(text, wildcards=False, variables=True), variable_lookup(context))
            out.append(None if pat is None else "".join(e.text for e in pat if isinstance(e, Literal)))
        else:
            out.append(text)
    return tuple(out)


def _string_matcher(cond: Condition, context: Context, variables: bool) -> Callable[[str], bool]:
    op = cond.operator.positive
    lookup = variable_lookup(context)
    pats = [substitute(p, lookup) for p in policy_patterns(cond, variables=variables)]
    live = [p for p in pats if p is not None]
    if op is Operator.STRING_EQUALS_IGNORE_CASE:
        return lambda s: any(matches(p, s, ignore_case=True) for p in live)
    if cond.operator.family is Family.ARN:
        return lambda s: any(arn_matches(p, s) for p in live)
    return lambda s: any(matches(p, s) for p in live)


_COMPARE: dict[str, Callable[[object, object], bool]] = {
    "Equals": lambda a, b: a == b,
    "LessThan": lambda a, b: a < b,  # type: ignore[operator]
    "LessThanEquals": lambda a, b: a <= b,  # type: ignore[operator]
    "GreaterThan": lambda a, b: a > b,  # type: ignore[operator]
    "GreaterThanEquals": lambda a, b: a >= b,  # type: ignore[operator]
}


def _ordered(op: Operator, a: object, b: object) -> bool:
    """Compare a request value ``a`` with a policy value ``b`` under a (positive) Numeric/Date operator."""
    suffix = op.value.removeprefix("Numeric").removeprefix("Date")
    return _COMPARE[suffix](a, b)


def _typed_matcher(cond: Condition, context: Context, variables: bool) -> Callable[[str], bool]:
    op = cond.operator.positive
    family = op.family
    texts = [t for t in resolved_texts(cond, context, variables=variables) if t is not None]
    if family is Family.NUMERIC:
        nums = [n for n in (parse_number(t) for t in texts) if n is not None]

        def num(s: str) -> bool:
            v = parse_number(s)
            return v is not None and any(_ordered(op, v, p) for p in nums)

        return num
    if family is Family.DATE:
        dates = [d for d in (parse_date(t) for t in texts) if d is not None]

        def date(s: str) -> bool:
            v = parse_date(s)
            return v is not None and any(_ordered(op, v, p) for p in dates)

        return date
    if family is Family.BOOL:
        bools = {b for b in (parse_bool(t) for t in texts) if b is not None}

        def boolean(s: str) -> bool:
            v = parse_bool(s)
            return v is not None and v in bools

        return boolean
    if family is Family.IP:
        nets = [n for n in (parse_ip_range(t) for t in texts) if n is not None]

        def ip(s: str) -> bool:
            v = parse_ip(s)
            return v is not None and any(ip_in(v, n) for n in nets)

        return ip
    if family is Family.BINARY:
        blobs = {b for b in (parse_binary(t) for t in texts) if b is not None}

        def binary(s: str) -> bool:
            v = parse_binary(s)
            return v is not None and v in blobs

        return binary
    raise AssertionError(family)


def ip_in(address: ipaddress.IPv4Address | ipaddress.IPv6Address,
          network: ipaddress.IPv4Network | ipaddress.IPv6Network) -> bool:
    """CIDR membership; an IPv4 block never matches an IPv6 address and vice versa (§6.5)."""
    return address.version == network.version and address in network


def positive_matcher(cond: Condition, context: Context, *, variables: bool) -> Callable[[str], bool]:
    """``s -> ∃p. match(s, p)`` for the positive counterpart of the condition's operator."""
    if cond.operator.family in (Family.STRING, Family.ARN):
        return _string_matcher(cond, context, variables)
    return _typed_matcher(cond, context, variables)


def evaluate_condition(cond: Condition, context: Context, *, variables: bool) -> bool:
    """Evaluate one condition against a request context (see the module docstring for every rule).

    Raises
    ------
    UndecidableCondition
        For ``Operator.UNKNOWN`` and for ``Null`` with IfExists or a set qualifier.

    Examples
    --------
    >>> from trustgraph.ingest.policy_json import conditions_from_json
    >>> from trustgraph.model.location import MEMORY
    >>> c, = conditions_from_json({"StringNotEquals": {"aws:PrincipalOrgID": "o-mine"}}, MEMORY, variables=True)
    >>> evaluate_condition(c, {}, variables=True)
    True
    >>> c, = conditions_from_json({"ForAnyValue:StringNotEquals": {"aws:PrincipalOrgID": "o-mine"}}, MEMORY,
    ...                           variables=True)
    >>> evaluate_condition(c, {}, variables=True)
    False
    """
    op = cond.operator
    if op is Operator.UNKNOWN:
        if "unknown-until-apply" in cond.flags:  # trustgraph.ingest.unknowns.marker: a planned value not known yet
            raise UndecidableCondition(cond, f"{cond.texts[0] if cond.values else 'a value'} unknown until apply")
        raise UndecidableCondition(cond, f"unknown condition operator `{cond.operator_text}`")
    values = values_of(context, cond.key)
    present = len(values) > 0
    if op is Operator.NULL:
        if cond.if_exists or cond.qualifier is not SetQualifier.NONE:
            raise UndecidableCondition(cond, f"`{cond.operator_text}` is not a valid Null operator")
        wanted = [parse_bool(t) for t in cond.texts]
        return any(w is not None and w == (not present) for w in wanted)
    match = positive_matcher(cond, context, variables=variables)
    negated = op.negated

    def m(s: str) -> bool:
        return not match(s) if negated else match(s)

    if cond.qualifier is SetQualifier.FOR_ANY_VALUE:
        if not present:
            return cond.if_exists
        return any(m(s) for s in values)
    if cond.qualifier is SetQualifier.FOR_ALL_VALUES:
        return all(m(s) for s in values)
    if negated:
        return not present or not any(match(s) for s in values)
    if not present:
        return cond.if_exists
    return any(match(s) for s in values)


def evaluate_conditions(conds: Iterable[Condition], context: Context, *, variables: bool,
                        one: Callable[..., bool] | None = None) -> bool:
    """AND of the conditions of a block (true for an empty block).

    A condition that is false decides the block even when another is undecidable; otherwise the first
    undecidable condition is raised as :class:`UndecidableCondition` (Kleene AND). ``one`` evaluates a single
    condition as :func:`evaluate_condition` does (default: it; the compiled conditions pass theirs).
    """
    evaluate = evaluate_condition if one is None else one
    undecided: UndecidableCondition | None = None
    for cond in conds:
        try:
            if not evaluate(cond, context, variables=variables):
                return False
        except UndecidableCondition as exc:
            undecided = undecided or exc
    if undecided is not None:
        raise undecided
    return True


def undecidable_conditions(conds: Iterable[Condition]) -> tuple[Condition, ...]:
    """The conditions :func:`evaluate_condition` would refuse, without evaluating anything."""
    return tuple(
        c for c in conds
        if c.operator is Operator.UNKNOWN
        or (c.operator is Operator.NULL and (c.if_exists or c.qualifier is not SetQualifier.NONE))
    )


__all__ = [
    "Context", "UndecidableCondition", "evaluate_condition", "evaluate_conditions", "ip_in", "is_present",
    "literal_pattern",
    "policy_patterns", "positive_matcher", "resolved_texts", "undecidable_conditions", "values_of",
    "variable_lookup",
]
