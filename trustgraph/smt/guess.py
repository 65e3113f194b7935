"""Concrete-first: a few candidate requests tried with the evaluator before anything is encoded for z3.

Most hops that get through get through with an obvious request: the literal values of the conditions of one Allow
statement of the trust policy (a glob instantiated, the key left out when the condition allows that). Finding such a
request costs a few evaluations of the concrete evaluator; encoding the hop and asking z3 costs milliseconds. This
module proposes those requests; ``smt.concrete_first`` assembles each one exactly as a solver witness is assembled,
checks the constraints on it and replays it through :func:`trustgraph.semantics.evaluate.evaluate_hop`. The first
one the evaluator allows is the Sat answer. When none is, the solver decides as before, so a guess can only ever turn a
solver Sat into an evaluator-confirmed Sat with another witness: never an Unsat or an Unknown into a Sat.

What a guess may choose is what the symbolic request of the same hop may choose (``presence.key_mode``, the rule the
z3 resolver builds its variables from): keys the caller derives (principal keys, the pinned time, the role's tags,
a carried source identity, keys a constraint pins) are never guessed; absent keys stay absent; always-present keys
stay present; keys that come only through a VPC endpoint and aws:SourceIp are present on opposite sides. The caller
is the candidate's template: for an outsider, one concrete member of the class it stands for (a principal of a fresh
or named account, no organization, no tags), for a concrete caller the caller itself. Hops with a construct the
encoding over-approximates (unknown keys or operators, policy variables in condition values, unqualified operators
on multi-valued keys, a presence rule not modelled) are left to the solver, whose answer carries the approximation.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from trustgraph.model.condition import Condition, Family, Operator, SetQualifier
from trustgraph.model.pattern import AnyChar, Literal, Pattern, Star, Variable, parse_pattern
from trustgraph.model.policy import Policy, Statement
from trustgraph.model.values import format_date, format_number, parse_date, parse_ip_range, parse_number
from trustgraph.semantics.keys import key_info
from trustgraph.semantics.tag_limits import tag_values_problem
from trustgraph.smt.constraints import ground_satisfies
from trustgraph.smt.env import Kind
from trustgraph.smt.presence import HopView, KeyMode, Mode, catalog_facts, key_mode

if TYPE_CHECKING:
    from trustgraph.smt.facts import FactsTable

Assignment = dict[str, tuple[str, ...] | None]

#: The keys a guess never chooses: the request carries the analysis' "now".
CLOCK_KEYS = frozenset({"aws:currenttime", "aws:epochtime"})

_FAMILY_KIND = {Family.STRING: Kind.STRING, Family.ARN: Kind.STRING, Family.NUMERIC: Kind.NUMERIC,
                Family.DATE: Kind.DATE, Family.BOOL: Kind.BOOL, Family.IP: Kind.IP}

#: The last date a request can carry (9999-12-31T23:59:59.999Z), as the encoding's domain axiom says.
MAX_DATE_MS = 253_402_300_799_999

#: Upper bound on the states the glob-intersection search visits for one key (it gives up beyond).
SEARCH_BUDGET = 80


def condition_exact(c: Condition) -> bool:
    """True when the encoding models ``c`` without an over-approximation (see the module docstring)."""
    op = c.operator
    if op is Operator.UNKNOWN:
        return False
    if any(isinstance(el, Variable) for p in c.patterns for el in p):
        return False
    facts = catalog_facts(c.key)
    if not facts.known:
        return False
    if op is Operator.NULL:
        return not c.if_exists and c.qualifier is SetQualifier.NONE
    kind = _FAMILY_KIND.get(op.family)
    if kind is None or kind is not facts.kind:
        return False
    return not (facts.multi and c.qualifier is SetQualifier.NONE)


def guesses(view: HopView, policies: Sequence[Policy], trust_allows: Sequence[Statement], variables: bool,
            constraints: Sequence[Any], base: dict[str, tuple[str, ...]], clock: dict[str, tuple[str, ...]],
            denies: Sequence[Statement] = (), limit: int = 3, *, facts: FactsTable,
            principal_tags: bool = False) -> Iterator[Assignment]:
    """Up to ``limit`` assignments of the caller-chosen keys of a hop, one per Allow trust statement that may name
    the caller, each satisfying that statement's conditions and the constraints on each key.

    ``base`` is the request the caller sends when it chooses nothing (``build_request``); ``constraints`` are
    :class:`~trustgraph.smt.results.KeyConstraint` objects; ``variables`` says whether the trust policy reads policy
    variables (its Version); ``denies`` are the Deny statements that may apply (a key's value is chosen to make
    their conditions on it false where the Allow statement leaves a choice); ``clock`` holds aws:CurrentTime and
    aws:EpochTime of the pinned "now" (every request carries them, even where ``closed`` took them out of
    ``base``). Nothing is yielded when the hop has a construct the encoding over-approximates (the solver's answer
    must carry it). ``facts`` gives each policy's condition keys and exactness (the session's table).
    ``principal_tags``: the caller is an outsider whose own tags are free (aws:PrincipalTag/k of the symbolic
    request); they are chosen too, and the caller of the guess carries them (``smt.concrete_first``).
    """
    keys: set[str] = set()
    for p in policies:
        f = facts(p)
        if not f.exact:
            return
        keys |= f.condition_keys
    by_key: dict[str, list[Any]] = {}
    for c in constraints:
        k = c.key.lower()
        keys.add(k)
        by_key.setdefault(k, []).append(c)
    modes: dict[str, KeyMode] = {}
    fixed: Assignment = {}
    free: list[str] = []
    for k in sorted(keys):
        m = key_mode(view, k)
        if m.approximate:
            return
        modes[k] = m
        if m.principal and principal_tags:
            free.append(k)  # an outsider's own tag: chosen like a request key, carried by the caller
            continue
        if m.mode is Mode.BUILDER or m.principal or key_info(k).principal_derived:
            continue  # the caller's own keys: the template's values (in ``base``)
        if m.mode is Mode.GROUND:
            if not all(_reads_as(catalog_facts(k).kind, v) for v in m.values):
                return  # the encoding keeps such a value as text and marks the answer approximate
            fixed[k] = m.values or None
        elif m.mode is Mode.ABSENT:
            fixed[k] = None
        elif k in CLOCK_KEYS:
            fixed[k] = clock.get(k)  # always sent, with the analysis' "now"
        elif k == "aws:tagkeys":
            continue  # the tag list follows the tags
        else:
            free.append(k)
    from trustgraph.semantics.evaluate import condition_evaluator

    literals = _LazyLiterals(policies)
    evaluate_one = condition_evaluator()
    deny_conds: dict[str, list[Condition]] = {}
    for d in denies:
        for c in d.conditions:
            deny_conds.setdefault(c.key, []).append(c)
    ctx0: dict[str, tuple[str, ...]] = {k: v for k, v in base.items()}
    for k, v in fixed.items():
        if v is None:
            ctx0.pop(k, None)
        else:
            ctx0[k] = v
    seen: list[Assignment] = []
    for st in trust_allows[:limit]:
        out: Assignment = dict(fixed)
        ctx = dict(ctx0)
        ok = True
        for k in free:
            m = modes[k]
            conds = [c for c in st.conditions if c.key == k]
            found, value = _choose(k, m, conds, literals(k), base.get(k), by_key.get(k, ()), ctx, variables,
                                   ground_satisfies, deny_conds.get(k, ()), evaluate_one)
            if not found:
                ok = False
                break
            out[k] = value
            if value is None:
                ctx.pop(k, None)
            else:
                ctx[k] = value
        if not ok or not _vpce_consistent(out, modes) or not _tags_transitive_keys(out, modes, view):
            continue
        if "aws:tagkeys" in modes and modes["aws:tagkeys"].mode is Mode.FREE:
            tags = tuple(k.split("/", 1)[1] for k, v in out.items() if k.startswith("aws:requesttag/") and v)
            out["aws:tagkeys"] = tags or None
            if not all(ground_satisfies(c, out["aws:tagkeys"]) for c in by_key.get("aws:tagkeys", ())):
                continue
        if out in seen:
            continue
        seen.append(out)
        yield out


def _tags_transitive_keys(out: Assignment, modes: dict[str, KeyMode], view: HopView) -> bool:
    """Give each key the guess names in sts:TransitiveTagKeys a session tag (value ``tg``, as ``smt.witness.fix_tags``
    fills one) when it passes none: STS refuses a transitive key that is not one of the request's tags
    (``semantics.request.untagged_transitive_key``), so without it every guess setting the key would be refused and
    the hop sent to the encoding (condition-heavy-2k: 32 encodings became 659). False when such a tag cannot be
    passed in this hop."""
    for name in out.get("sts:transitivetagkeys") or ():
        tag = f"aws:requesttag/{name.lower()}"
        if out.get(tag):
            continue
        mode = modes[tag] if tag in modes else key_mode(view, tag)
        if mode.mode is not Mode.FREE or mode.approximate:
            return False
        out[tag] = ("tg",)
    return True


def _reads_as(kind: Kind, text: str) -> bool:
    """True when a request value reads as its key's type (``env.constant`` would build a constant for it)."""
    from trustgraph.model.values import parse_bool, parse_ip

    if kind is Kind.STRING:
        return True
    if kind is Kind.NUMERIC:
        return parse_number(text) is not None
    if kind is Kind.DATE:
        return parse_date(text) is not None
    if kind is Kind.BOOL:
        return parse_bool(text) is not None
    return parse_ip(text) is not None


def _vpce_consistent(out: Assignment, modes: dict[str, KeyMode]) -> bool:
    """aws:SourceIp is present exactly when the VPC-endpoint keys are not (among the keys the hop reads)."""
    via: set[bool] = set()
    for k, m in modes.items():
        if m.mode is Mode.FREE and m.vpce is not None:
            present = out.get(k) is not None
            via.add(present if m.vpce else not present)
    return len(via) <= 1


def _choose(key: str, mode: KeyMode, conds: list[Condition], literals: Callable[[], Sequence[str]],
            base: tuple[str, ...] | None, constraints: Sequence[Any], ctx: dict[str, tuple[str, ...]],
            variables: bool, satisfies: Any, avoid: Sequence[Condition] = (),
            evaluate_one: Callable[..., bool] | None = None) -> tuple[bool, tuple[str, ...] | None]:
    """``(True, v)`` for the first candidate value ``v`` of ``key`` that the statement's conditions on it and the
    constraints accept (None: absent), preferring one that makes every condition of ``avoid`` (Deny statements'
    conditions on the key) false; ``(False, None)`` when none is accepted. ``literals``: the values the hop's
    conditions on the key offer (:func:`_literals`), asked only when the values before them are all refused;
    ``evaluate_one``: the one-condition evaluator (``semantics.evaluate.condition_evaluator()`` when None).

    The candidates, in order: ``base`` (the value the caller sends when it chooses nothing), absence (when the key
    may be absent), each ``equals`` constraint's values, then one-value texts each once: a string every positive
    glob of ``conds`` matches (:func:`_glob_witness`), instances of ``conds``, ``literals``, fresh values of the
    key's kind and within its API limits. They are made as they are tried (:func:`_options`): on condition-heavy-2k
    most keys take one of the first, and the texts, the glob search among them, were ~40% of this function."""
    from trustgraph.semantics.conditions import UndecidableCondition
    from trustgraph.semantics.evaluate import condition_evaluator

    evaluate = evaluate_one if evaluate_one is not None else condition_evaluator()

    info = key_info(key)
    tried: set[tuple[str, ...] | None] = set()
    fallback: list[tuple[str, ...] | None] = []
    for v in _options(key, mode, conds, literals, base, constraints):
        if v in tried:
            continue
        tried.add(v)
        if v is None and mode.required:
            continue
        if v is not None and (not all(info.value_ok(x) for x in v) or tag_values_problem(key, v)):
            continue
        if not all(satisfies(c, v) for c in constraints):
            continue
        if conds or avoid:
            trial = dict(ctx)
            if v is None:
                trial.pop(key, None)
            else:
                trial[key] = v
            try:
                if not all(evaluate(c, trial, variables=variables) for c in conds):
                    continue
                if any(evaluate(c, trial, variables=variables) for c in avoid):
                    fallback.append(v)
                    continue
            except UndecidableCondition:
                continue
        return True, v
    if fallback:
        return True, fallback[0]
    return False, None


def _options(key: str, mode: KeyMode, conds: list[Condition], literals: Callable[[], Sequence[str]],
             base: tuple[str, ...] | None, constraints: Sequence[Any]) -> Iterator[tuple[str, ...] | None]:
    """The candidate values of :func:`_choose` in its order, each text once (a value may repeat across the
    groups: the caller skips those it tried)."""
    if base is not None:
        yield base
    if not mode.required:
        yield None
    for c in constraints:
        if c.op == "equals":
            yield tuple(c.values)
    seen: set[str] = set()
    for t in _texts(key, conds, literals, constraints):
        if t not in seen:
            seen.add(t)
            yield (t,)


def _texts(key: str, conds: list[Condition], literals: Callable[[], Sequence[str]],
           constraints: Sequence[Any]) -> Iterator[str]:
    """The one-value texts of :func:`_options`, in order, made as they are read."""
    wit = _glob_witness(conds, constraints)
    if wit is not None:
        yield wit
    for c in conds:
        yield from _instances(c)
    yield from literals()
    info = key_info(key)
    yield from _fresh(catalog_facts(key).kind)
    if info.value_pattern is not None:
        yield from _fresh_in(info.value_pattern)


def _literals(policies: Sequence[Policy], keys: set[str]) -> dict[str, list[str]]:
    """Candidate values of each key from every condition on it in the hop's policies."""
    out: dict[str, list[str]] = {}
    for p in policies:
        for st in p.statements:
            for c in st.conditions:
                if c.key in keys:
                    out.setdefault(c.key, []).extend(_instances(c))
    return out


class _LazyLiterals:
    """:func:`_literals` of the hop's policies, one key at a time and only when :func:`_choose` reaches them:
    ``self(k)`` is a function giving ``_literals(policies, {k})[k]`` (empty when no condition reads ``k``),
    computed on its first call and kept for the guesses of the hop."""

    __slots__ = ("_made", "_policies")

    def __init__(self, policies: Sequence[Policy]) -> None:
        self._policies = policies
        self._made: dict[str, Sequence[str]] = {}

    def __call__(self, key: str) -> Callable[[], Sequence[str]]:
        def values() -> Sequence[str]:
            made = self._made.get(key)
            if made is None:
                made = self._made[key] = _literals(self._policies, {key}).get(key, ())
            return made
        return values


def _instances(c: Condition) -> tuple[str, ...]:
    """Values that satisfy (or, for negated operators, falsify) one value of the condition, and neighbours. A pure
    function of the condition's content, made once per content for the process (:func:`_memo_instances`): every
    guess of every hop whose policies hold the condition reads them."""
    return _memo_instances(c, c.texts)


@lru_cache(maxsize=8_192)
def _memo_instances(c: Condition, texts: tuple[str, ...]) -> tuple[str, ...]:
    """:func:`_instances_of` by the condition's content (its location takes no part in its equality) and its texts
    (values equal in Python but spelled apart, ``True`` and ``1``, are apart here); bounded, as the solver's other
    compiled constants are."""
    return tuple(_instances_of(c))


def _instances_of(c: Condition) -> list[str]:
    """:func:`_instances` without the memo."""
    fam = c.operator.family
    out: list[str] = []
    if fam in (Family.STRING, Family.ARN):
        for p in c.patterns:
            out.append(_fill(p, ""))
            if any(isinstance(el, (Star, AnyChar)) for el in p):
                out.append(_fill(p, "x"))
    elif fam is Family.NUMERIC:
        for t in c.texts:
            n = parse_number(t)
            if n is not None:
                out += [format_number(n), format_number(n + 1), format_number(n - 1)]
    elif fam is Family.DATE:
        for t in c.texts:
            d = parse_date(t)
            if d is not None:
                out += [format_date(x) for x in (d, d + 1000, d - 1000) if 0 <= x <= MAX_DATE_MS]
    elif fam is Family.BOOL:
        out += ["true", "false"]
    elif fam is Family.IP:
        for t in c.texts:
            net = parse_ip_range(t)
            if net is not None:
                out.append(str(net.network_address))
                if net.num_addresses > 1:
                    out.append(str(net.network_address + 1))
    return out


def _fresh(kind: Kind) -> list[str]:
    if kind is Kind.STRING:
        return ["tg-value"]
    if kind is Kind.NUMERIC:
        return ["0"]
    if kind is Kind.BOOL:
        return ["true", "false"]
    if kind is Kind.IP:
        return ["203.0.113.7", "2001:db8::7"]
    return []


_CLASS_LIMIT = re.compile(r"^\[(?P<cls>.+)\]\{(?P<lo>\d+)(,\d+)?\}$")


def _fresh_in(value_pattern: str) -> list[str]:
    """Two values of minimal length within an API limit ``[class]{m,n}`` (e.g. account ids), differing in their last
    character: one of them avoids any single literal a condition compares with."""
    m = _CLASS_LIMIT.match(value_pattern)
    if not m:
        return []
    cls, n = m.group("cls"), max(1, int(m.group("lo")))
    chars = ["a", "b"] if cls.startswith("\\w") else [cls[0], cls[2] if len(cls) > 2 and cls[1] == "-" else cls[0]]
    return [chars[0] * n, chars[0] * (n - 1) + chars[1]]


def _fill(p: Pattern, filler: str) -> str:
    parts: list[str] = []
    for el in p:
        if isinstance(el, Literal):
            parts.append(el.text)
        elif isinstance(el, Star):
            parts.append(filler)
        elif isinstance(el, AnyChar):
            parts.append(filler or "x")
    return "".join(parts)


# -- a string matching several globs and none of a few others ----------------------------------------------------

Tokens = tuple[str | None, ...]  # a character, or None for "*"; "?" is the character "\0" here


def _tokens(p: Pattern) -> Tokens | None:
    out: list[str | None] = []
    for el in p:
        if isinstance(el, Literal):
            out.extend(el.text)
        elif isinstance(el, Star):
            out.append(None)
        elif isinstance(el, AnyChar):
            out.append("\0")
        else:
            return None
    return tuple(out)


def _closure(toks: Tokens, states: frozenset[int]) -> frozenset[int]:
    out = set(states)
    todo = list(states)
    while todo:
        i = todo.pop()
        if i < len(toks) and toks[i] is None and i + 1 not in out:
            out.add(i + 1)
            todo.append(i + 1)
    return frozenset(out)


def _step(toks: Tokens, states: frozenset[int], ch: str) -> frozenset[int]:
    nxt = set()
    for i in states:
        if i >= len(toks):
            continue
        t = toks[i]
        if t is None:
            nxt.add(i)
        elif t == "\0" or t == ch:
            nxt.add(i + 1)
    return _closure(toks, frozenset(nxt))


def prefix_possible(pattern: Pattern, prefix: str) -> bool:
    """Whether some text starting with ``prefix`` matches the glob ``pattern`` (literals, ``*``, ``?``; compared
    case-sensitively, as StringLike and StringEquals compare): the pattern's automaton reads the prefix with a state
    left, and any rest of a glob is matched by some text. True (not decided) for a pattern with a policy variable."""
    toks = _tokens(pattern)
    if toks is None:
        return True
    states = _closure(toks, frozenset({0}))
    for ch in prefix:
        states = _step(toks, states, ch)
        if not states:
            return False
    return True


def _universal(toks: Tokens, states: frozenset[int]) -> bool:
    """Every continuation is accepted (a state from which only stars remain)."""
    return any(all(t is None for t in toks[i:]) for i in states)


def _glob_witness(conds: Sequence[Condition], constraints: Sequence[Any]) -> str | None:
    """A string matched by a value of every positive Like/Equals condition on the key (one value each, the first
    with a wildcard) and by no ``not-like`` constraint glob; None when the search does not find one quickly."""
    positives: list[Tokens] = []
    for c in conds:
        if c.operator.negated or c.operator.family not in (Family.STRING, Family.ARN) or not c.patterns:
            continue
        if c.operator.positive is Operator.STRING_EQUALS_IGNORE_CASE:
            continue
        toks = _tokens(c.patterns[0])
        if toks is None:
            return None
        positives.append(toks)
    if not any(None in t or "\0" in t for t in positives) or len(positives) < 2 and not constraints:
        return None
    negatives: list[Tokens] = []
    for k in constraints:
        if k.op == "not-like":
            for g in k.values:
                toks = _tokens(parse_pattern(g, wildcards=True, variables=False))
                if toks is not None:
                    negatives.append(toks)
    if not positives:
        return None
    start = tuple(_closure(t, frozenset({0})) for t in positives)
    nstart = tuple(_closure(t, frozenset({0})) for t in negatives)
    budget = [SEARCH_BUDGET]
    visited: set[Any] = set()

    def dfs(states: tuple[frozenset[int], ...], nstates: tuple[frozenset[int], ...], text: str) -> str | None:
        if budget[0] <= 0:
            return None
        budget[0] -= 1
        if any(_universal(t, s) for t, s in zip(negatives, nstates, strict=True)):
            return None
        if all(len(t) in s for t, s in zip(positives, states, strict=True)) and not any(
                len(t) in s for t, s in zip(negatives, nstates, strict=True)):
            return text
        key = (states, nstates)
        if key in visited:
            return None
        visited.add(key)
        chars: list[str] = []
        for t, s in zip(positives, states, strict=True):
            for i in sorted(s):
                if i < len(t) and t[i] is not None and t[i] != "\0" and t[i] not in chars:
                    chars.append(t[i])  # type: ignore[arg-type]
        chars.append("x")
        for ch in chars:
            nxt = tuple(_step(t, s, ch) for t, s in zip(positives, states, strict=True))
            if any(not s for s in nxt):
                continue
            nn = tuple(_step(t, s, ch) for t, s in zip(negatives, nstates, strict=True))
            found = dfs(nxt, nn, text + ch)
            if found is not None:
                return found
        return None

    return dfs(start, nstart, "")


__all__ = ["CLOCK_KEYS", "condition_exact", "guesses"]
