"""Condition blocks as z3 formulas over the symbolic request (docs/semantics.md §2, node for node).

One :func:`encode_condition` per :class:`~trustgraph.model.condition.Condition`: the absent-key rule of its operator
(positive: present and some value matches; negated: absent or no value matches; IfExists: absent or the operator
holds; Null: presence test), the set qualifier over the key's members, and one small matcher per operator family
(``_string``, ``_arn``, ``_numeric``, ``_date``, ``_bool``, ``_ip``). Wildcard patterns become z3 regular expressions
built from the parsed pattern elements of ``trustgraph.model.pattern`` (never from regex strings), ARN patterns
segment-wise with no wildcard crossing a colon in segments 1-5, IgnoreCase as ASCII case unions.

What cannot be modelled exactly (unknown operator, an operator of one family on a key of another type, wildcards
next to a symbolic policy variable, BinaryEquals) becomes a free Boolean "oracle" for the whole condition: the
solver may make it true in an Allow and false in a Deny, which over-approximates soundly; it is recorded in
``env.approximations`` with the condition's location.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from functools import cache, lru_cache
from typing import Any

from trustgraph.model.condition import Condition, Family, Operator, SetQualifier
from trustgraph.model.pattern import (
    AnyChar,
    Literal,
    Pattern,
    Star,
    Variable,
    matches,
    split_arn_pattern,
)
from trustgraph.model.values import parse_bool, parse_date, parse_ip_range, parse_number
from trustgraph.smt.env import Env, KeyVar, Kind, str_val, z3_string
from trustgraph.smt.terms import Term, and_, iff, not_, or_
from trustgraph.smt.z3lazy import z3


@cache
def _any_char(no_colon: bool) -> z3.ReRef:
    """One character (any but ``:`` when ``no_colon``): built on first use, not at import, so that a scan whose hops
    all fold before z3 never imports z3 (:mod:`trustgraph.smt.z3lazy`)."""
    every = z3.AllChar(z3.ReSort(z3.StringSort()))
    return z3.Intersect(every, z3.Complement(z3.Re(":"))) if no_colon else every


class Unmodelled(Exception):
    """Raised inside the encoder for a construct it cannot model exactly (turned into an oracle)."""


@lru_cache(maxsize=16_384)
def _lit_re(text: str, ignore_case: bool) -> z3.ReRef:
    if not ignore_case:
        return z3.Re(str_val(text))
    parts = []
    for ch in text:
        if "a" <= ch <= "z" or "A" <= ch <= "Z":
            parts.append(z3.Union(z3.Re(ch.lower()), z3.Re(ch.upper())))
        else:
            parts.append(z3.Re(str_val(ch)))
    if not parts:
        return z3.Re(z3.StringVal(""))
    return parts[0] if len(parts) == 1 else z3.Concat(*parts)


def ignore_case_re(text: str) -> z3.ReRef:
    """The strings equal to ``text`` up to ASCII letter case."""
    return _lit_re(text, True)


def glob_re(pattern: Pattern, *, ignore_case: bool = False, no_colon: bool = False) -> z3.ReRef:
    """A variable-free pattern as a z3 regex: ``*`` any sequence (of characters other than ``:`` when
    ``no_colon``), ``?`` one such character, literals verbatim.

    Memoised (z3 terms are immutable, and a scan asks for the same patterns across thousands of hops)."""
    return _glob_re_cached(pattern, ignore_case, no_colon)


@lru_cache(maxsize=16_384)
def _glob_re_cached(pattern: Pattern, ignore_case: bool, no_colon: bool) -> z3.ReRef:
    return _glob_re(pattern, ignore_case, _any_char(no_colon))


def _glob_re(pattern: Pattern, ignore_case: bool, any_char: z3.ReRef) -> z3.ReRef:
    parts: list[z3.ReRef] = []
    for el in pattern:
        if isinstance(el, Literal):
            parts.append(_lit_re(el.text, ignore_case))
        elif isinstance(el, Star):
            parts.append(z3.Star(any_char))
        elif isinstance(el, AnyChar):
            parts.append(any_char)
        else:
            raise Unmodelled("policy variable inside a wildcard pattern")
    if not parts:
        return z3.Re(z3.StringVal(""))
    return parts[0] if len(parts) == 1 else z3.Concat(*parts)


@lru_cache(maxsize=16_384)
def arn_re(pattern: Pattern) -> z3.ReRef:
    """ArnLike: six ``:``-separated segments, wildcards in segments 1-5 never cross a colon.

    A pattern with fewer than six segments is a plain glob over the whole value (as ``model.pattern.arn_matches``).
    """
    segments = split_arn_pattern(pattern)
    if segments is None:
        return glob_re(pattern)
    parts: list[z3.ReRef] = []
    for i, seg in enumerate(segments):
        if i:
            parts.append(z3.Re(":"))
        parts.append(glob_re(seg, no_colon=i < 5))
    return z3.Concat(*parts)


# -- policy values with variables --------------------------------------------------------------------------------


def _resolve(env: Env, pattern: Pattern) -> tuple[Term, Pattern | None, Any]:
    """Substitute variables: returns (defined, ground pattern or None, symbolic string term or None).

    ``defined`` is the condition under which every variable has a value (absent variable without default: the
    policy value matches nothing). When all variables are ground the result is a ground pattern; otherwise a
    z3 string term (only for patterns without wildcards).
    """
    if not any(isinstance(el, Variable) for el in pattern):
        return True, pattern, None
    defined: list[Term] = []
    pieces: list[Any] = []  # str or z3 term
    symbolic = False
    for el in pattern:
        if not isinstance(el, Variable):
            pieces.append(el)
            continue
        kv = env.key(el.key)
        if kv.multi:
            raise Unmodelled("policy variable naming a multi-valued key")
        if kv.kind is not Kind.STRING:
            raise Unmodelled("policy variable naming a non-string key")
        if kv.ground:
            if kv.pres is True:
                pieces.append(Literal(z3_string(z3.simplify(kv.val))))
            elif el.default is not None:
                pieces.append(Literal(el.default))
            else:
                return False, None, None
            continue
        symbolic = True
        if el.default is not None:
            pieces.append(z3.If(kv.pres, kv.val, str_val(el.default)))
        else:
            defined.append(kv.pres)
            pieces.append(kv.val)
    if not symbolic:
        out: list[Any] = []
        for p in pieces:
            if isinstance(p, Literal) and out and isinstance(out[-1], Literal):
                out[-1] = Literal(out[-1].text + p.text)
            elif not (isinstance(p, Literal) and not p.text):
                out.append(p)
        return and_(*defined), tuple(out), None
    if any(isinstance(p, (Star, AnyChar)) for p in pieces):
        raise Unmodelled("wildcard next to a policy variable whose value is symbolic")
    terms = [str_val(p.text) if isinstance(p, Literal) else p for p in pieces]
    return and_(*defined), None, (terms[0] if len(terms) == 1 else z3.Concat(*terms))


# -- one matcher per family: does request value ``v`` match policy value ``text``/``pattern``? -------------------


def _string(env: Env, op: Operator, kv: KeyVar, v: Any, text: str, pattern: Pattern) -> Term:
    ignore_case = op.positive is Operator.STRING_EQUALS_IGNORE_CASE
    like = op.positive is Operator.STRING_LIKE
    defined, gp, term = _resolve(env, pattern)
    if defined is False:
        return False
    if kv.kind is Kind.BOOL:
        if gp is None:
            raise Unmodelled("symbolic policy variable compared with a Bool key")
        hit_t = matches(gp, "true", ignore_case=ignore_case)
        hit_f = matches(gp, "false", ignore_case=ignore_case)
        return and_(defined, or_(and_(v, hit_t), and_(not_(v), hit_f)) if not isinstance(v, bool) else
                    (hit_t if v else hit_f))
    if kv.kind is not Kind.STRING:
        raise Unmodelled(f"string operator on a {kv.kind.value} key")
    if term is not None:
        if ignore_case:
            raise Unmodelled("IgnoreCase with a symbolic policy variable")
        return and_(defined, v == term)
    assert gp is not None
    if like:
        return and_(defined, z3.InRe(v, glob_re(gp)))
    if ignore_case:
        return and_(defined, z3.InRe(v, glob_re(gp, ignore_case=True)))
    lit = "".join(el.text for el in gp if isinstance(el, Literal))
    return and_(defined, v == str_val(lit))


def _arn(env: Env, op: Operator, kv: KeyVar, v: Any, text: str, pattern: Pattern) -> Term:
    if kv.kind is not Kind.STRING:
        raise Unmodelled(f"ARN operator on a {kv.kind.value} key")
    defined, gp, term = _resolve(env, pattern)
    if defined is False:
        return False
    if term is not None:
        raise Unmodelled("ARN operator with a symbolic policy variable")
    assert gp is not None
    return and_(defined, z3.InRe(v, arn_re(gp)))


def _numeric(env: Env, op: Operator, kv: KeyVar, v: Any, text: str, pattern: Pattern) -> Term:
    if kv.kind is not Kind.NUMERIC:
        raise Unmodelled(f"numeric operator on a {kv.kind.value} key")
    n = parse_number(text)
    if n is None:
        return False
    p = z3.RealVal(f"{n.numerator}/{n.denominator}")
    return _compare(op.positive, v, p)


def _date(env: Env, op: Operator, kv: KeyVar, v: Any, text: str, pattern: Pattern) -> Term:
    if kv.kind is not Kind.DATE:
        raise Unmodelled(f"date operator on a {kv.kind.value} key")
    d = parse_date(text)
    if d is None:
        return False
    return _compare(op.positive, v, z3.IntVal(d))


def _compare(op: Operator, v: Any, p: Any) -> Term:
    match op:
        case Operator.NUMERIC_EQUALS | Operator.DATE_EQUALS:
            return v == p
        case Operator.NUMERIC_LESS_THAN | Operator.DATE_LESS_THAN:
            return v < p
        case Operator.NUMERIC_LESS_THAN_EQUALS | Operator.DATE_LESS_THAN_EQUALS:
            return v <= p
        case Operator.NUMERIC_GREATER_THAN | Operator.DATE_GREATER_THAN:
            return v > p
        case Operator.NUMERIC_GREATER_THAN_EQUALS | Operator.DATE_GREATER_THAN_EQUALS:
            return v >= p
    raise Unmodelled(f"comparison {op.value}")


def _bool(env: Env, op: Operator, kv: KeyVar, v: Any, text: str, pattern: Pattern) -> Term:
    if kv.kind is not Kind.BOOL:
        raise Unmodelled(f"Bool operator on a {kv.kind.value} key")
    b = parse_bool(text)
    if b is None:
        return False
    return v if b else z3.Not(v)


def _ip(env: Env, op: Operator, kv: KeyVar, v: Any, text: str, pattern: Pattern) -> Term:
    return _ip_any(kv, v, (text,))


_MATCHERS = {
    Family.STRING: _string,
    Family.ARN: _arn,
    Family.NUMERIC: _numeric,
    Family.DATE: _date,
    Family.BOOL: _bool,
    Family.IP: _ip,
}


def _member_match(env: Env, cond: Condition, kv: KeyVar, v: Any) -> Term:
    """m(v): the base operator on one request value (positive: some value matches; negated: none matches)."""
    op = cond.operator
    matcher = _MATCHERS.get(op.family)
    if matcher is None:
        raise Unmodelled(f"operator {cond.operator_text}")
    texts = cond.texts
    if op.family is Family.IP:
        anyhit = _ip_any(kv, v, texts)
    else:
        patterns: Sequence[Pattern] = cond.patterns or tuple((Literal(t),) for t in texts)
        anyhit = or_(*(matcher(env, op, kv, v, t, p) for t, p in zip(texts, patterns, strict=True)))
    return not_(anyhit) if op.negated else anyhit


@lru_cache(maxsize=4096)
def ip_blocks(texts: tuple[str, ...]) -> tuple[tuple[tuple[int, int], ...], tuple[tuple[int, int], ...]]:
    """The IPv4 and IPv6 blocks of a list of CIDR texts as ``(network >> host bits, prefix length)`` pairs, merged
    (:func:`ipaddress.collapse_addresses`: adjacent and nested blocks become one; the union is the same set of
    addresses, so the membership the evaluator computes block by block is unchanged). Unreadable texts match
    nothing and are left out (the evaluator's reading)."""
    v4: list[ipaddress.IPv4Network] = []
    v6: list[ipaddress.IPv6Network] = []
    for t in texts:
        net = parse_ip_range(t)
        if isinstance(net, ipaddress.IPv4Network):
            v4.append(net)
        elif net is not None:
            v6.append(net)

    def blocks(nets: Sequence[ipaddress.IPv4Network | ipaddress.IPv6Network], width: int) -> tuple[Any, ...]:
        merged = ipaddress.collapse_addresses(nets)  # type: ignore[type-var]
        return tuple((int(n.network_address) >> (width - n.prefixlen), n.prefixlen) for n in merged)

    return blocks(v4, 32), blocks(v6, 128)


def _ip_any(kv: KeyVar, v: Any, texts: tuple[str, ...]) -> Term:
    """Some CIDR of ``texts`` contains ``v``: per address family, one comparison of the address's leading bits per
    merged block (linear in the list, where one masked comparison per text made 3,000-CIDR conditions slow to
    build)."""
    if kv.kind is not Kind.IP:
        raise Unmodelled(f"IP operator on a {kv.kind.value} key")
    is_v6, a4, a6 = v
    v4, v6 = ip_blocks(tuple(texts))

    def block(addr: Any, width: int, value: int, prefix: int) -> Term:
        if prefix == 0:
            return True
        return z3.Extract(width - 1, width - prefix, addr) == z3.BitVecVal(value, prefix)

    in4 = or_(*(block(a4, 32, val, pre) for val, pre in v4)) if v4 else False
    in6 = or_(*(block(a6, 128, val, pre) for val, pre in v6)) if v6 else False
    return or_(and_(not_(is_v6), in4) if v4 else False, and_(is_v6, in6) if v6 else False)


def _null(env: Env, cond: Condition, kv: KeyVar) -> Term:
    out: list[Term] = []
    for t in cond.texts:
        b = parse_bool(t)
        if b is None:
            continue
        out.append(iff(b, not_(kv.pres)))
    return or_(*out)


def encode_condition(env: Env, cond: Condition) -> Term:
    """The formula of one condition (see the module docstring)."""
    try:
        return _encode(env, cond)
    except Unmodelled as exc:
        env.approximate(f"{cond}: {exc} (over-approximated)", cond.location)
        return env.oracle(f"{cond.location}|{cond.operator_text}|{cond.key}")


def _encode(env: Env, cond: Condition) -> Term:
    if cond.operator is Operator.UNKNOWN:
        raise Unmodelled(f"unknown operator {cond.operator_text}")
    kv = env.key(cond.key)
    if cond.operator is Operator.NULL:
        if cond.if_exists or cond.qualifier is not SetQualifier.NONE:
            raise Unmodelled("Null with IfExists or a set qualifier")
        return _null(env, cond, kv)
    match cond.qualifier:
        case SetQualifier.FOR_ALL_VALUES:
            core = and_(*(or_(not_(u), _member_match(env, cond, kv, v)) for u, v in kv.members()))
        case SetQualifier.FOR_ANY_VALUE:
            core = or_(*(and_(u, _member_match(env, cond, kv, v)) for u, v in kv.members()))
        case _:
            if kv.multi:
                core = _plain_on_multi(env, cond, kv)
            else:
                m = _member_match(env, cond, kv, kv.val) if kv.pres is not False else False
                core = or_(not_(kv.pres), m) if cond.operator.negated else and_(kv.pres, m)
                if cond.operator.negated:
                    return core
    if cond.if_exists:
        return or_(not_(kv.pres), core)
    return core


def _plain_on_multi(env: Env, cond: Condition, kv: KeyVar) -> Term:
    """An unqualified operator on a multi-valued key ([?] in AWS): read as ForAnyValue for positive operators and
    as "no member matches" for negated ones, and marked approximate."""
    env.approximate(f"{cond}: unqualified operator on multi-valued key {cond.key} ([?] read as ForAnyValue)",
                    cond.location)
    if cond.operator.negated:
        return and_(*(or_(not_(u), _member_match(env, cond, kv, v)) for u, v in kv.members()))
    return or_(*(and_(u, _member_match(env, cond, kv, v)) for u, v in kv.members()))


def encode_block(env: Env, conditions: Sequence[Condition]) -> Term:
    """A statement's Condition block: the conjunction of its conditions."""
    return and_(*(encode_condition(env, c) for c in conditions))


def block_keys(conditions: Sequence[Condition]) -> set[str]:
    """The keys a condition block reads, including keys named by policy variables."""
    out: set[str] = set()
    for c in conditions:
        out.add(c.key)
        for p in c.patterns:
            out.update(el.key for el in p if isinstance(el, Variable))
    return out
