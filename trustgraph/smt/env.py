"""The symbolic request of one hop: a presence flag and a typed value per condition key.

Every condition key the hop mentions gets, on first use, a :class:`KeyVar`: a presence term and either one value
(single-valued keys) or bounded slots (multi-valued keys, docs/semantics.md §6.7). Keys whose values are fixed
(derived from a concrete caller, or pinned by a constraint when the fast path grounds them) are *ground*: their
presence is a Python bool and their values z3 constants, so every condition over them folds.

z3 names are deterministic and readable: ``p|sts:externalid`` (presence), ``v|sts:externalid`` (value),
``u2|aws:tagkeys``/``v2|aws:tagkeys`` (slot 2), ``v|aws:sourceip#isv6``/``#ip4``/``#ip6`` (IP parts).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from functools import lru_cache
from typing import Any

from trustgraph.model.location import Location
from trustgraph.model.values import parse_bool, parse_date, parse_ip, parse_number
from trustgraph.smt.terms import Term
from trustgraph.smt.z3lazy import z3


class Kind(Enum):
    """The z3 sort a key's value lives in."""

    STRING = "string"  # String (also ARN, binary and unknown-typed keys)
    NUMERIC = "numeric"  # Real
    DATE = "date"  # Int, epoch milliseconds
    BOOL = "bool"  # Bool
    IP = "ip"  # (is-v6 Bool, BitVec 32, BitVec 128)


@dataclass(frozen=True, slots=True)
class KeyFacts:
    """What the key catalog says about a key: value kind, cardinality, and whether it is known at all."""

    kind: Kind
    multi: bool
    known: bool


def key_facts(key: str) -> KeyFacts:
    """Type and cardinality of a condition key, read from ``trustgraph.semantics.keys`` (the one catalog)."""
    from trustgraph.smt.presence import catalog_facts

    return catalog_facts(key)


@dataclass
class KeyVar:
    """One key of the symbolic request.

    ``pres`` is the presence term. For single-valued keys ``val`` is the value term (a tuple
    ``(is_v6, v4, v6)`` for IP keys); for multi-valued keys ``slots`` lists ``(used, value)`` pairs with
    ``used[i+1] -> used[i]`` and presence meaning ``used[0]``. ``ground`` is True when the key is fixed.
    """

    key: str
    kind: Kind
    multi: bool
    pres: Term
    val: Any = None
    slots: list[tuple[Term, Any]] = field(default_factory=list)
    ground: bool = False

    def members(self) -> list[tuple[Term, Any]]:
        """The (used, value) pairs of the key seen as a set: one pair (presence, value) for single-valued keys."""
        pairs = self.slots if self.multi else [(self.pres, self.val)]
        return [(u, v) for u, v in pairs if u is not False]


Resolver = Callable[["Env", str], "KeyVar"]


class Env:
    """Symbolic request of one hop: keys created on demand through a resolver, axioms and approximations.

    Parameters
    ----------
    resolver
        Builds the :class:`KeyVar` for a canonical key name (ground, or symbolic with presence axioms it adds to
        the environment through :meth:`axiom`).
    slot_bound
        Number of slots for each multi-valued key (derived from the formula by the caller; default 1).
    """

    def __init__(self, resolver: Resolver | None = None, *, slot_bound: dict[str, int] | None = None,
                 prefix: str = "") -> None:
        self.resolver = resolver or default_resolver
        self.slot_bound = dict(slot_bound or {})
        self.prefix = prefix
        self.vars: dict[str, KeyVar] = {}
        self.axioms: list[tuple[str, Term]] = []
        self.approximations: list[tuple[str, Location]] = []
        self.oracles: dict[str, z3.BoolRef] = {}
        self.scratch: dict[str, Any] = {}

    def key(self, key: str) -> KeyVar:
        """The variable of a (lower-cased) key, created on first use."""
        key = key.lower()
        kv = self.vars.get(key)
        if kv is None:
            kv = self.resolver(self, key)
            self.vars[key] = kv
        return kv

    def axiom(self, name: str, term: Term) -> None:
        """Record an axiom (presence, domain, caller facts) under a name that an unsat core can report."""
        if term is True:
            return
        if term is False:
            term = z3.BoolVal(False)
        self.axioms.append((name, term))

    def approximate(self, what: str, location: Location) -> None:
        """Note an over-approximated construct (reported in Sat.approximations)."""
        if (what, location) not in self.approximations:
            self.approximations.append((what, location))

    def oracle(self, name: str) -> z3.BoolRef:
        """A free Boolean standing for a condition we cannot model: sound in both polarities."""
        if name not in self.oracles:
            self.oracles[name] = z3.Bool(f"{self.prefix}approx|{name}")
        return self.oracles[name]

    # -- variable constructors ---------------------------------------------------------------------------------------

    def fresh_value(self, kind: Kind, name: str) -> Any:
        """A fresh symbolic value of ``kind`` named after ``name``."""
        n = self.prefix + name
        if kind is Kind.STRING:
            return z3.String(n)
        if kind is Kind.NUMERIC:
            return z3.Real(n)
        if kind is Kind.DATE:
            return z3.Int(n)
        if kind is Kind.BOOL:
            return z3.Bool(n)
        return (z3.Bool(f"{n}#isv6"), z3.BitVec(f"{n}#ip4", 32), z3.BitVec(f"{n}#ip6", 128))

    def symbolic(self, key: str, facts: KeyFacts) -> KeyVar:
        """A free key: presence and value(s) unconstrained (axioms are the resolver's business)."""
        if facts.multi:
            n = max(1, min(50, self.slot_bound.get(key, 1)))
            slots: list[tuple[Term, Any]] = []
            for i in range(n):
                used = z3.Bool(f"{self.prefix}u{i}|{key}")
                slots.append((used, self.fresh_value(facts.kind, f"v{i}|{key}")))
                if i:
                    self.axiom(f"slots:{key}", z3.Implies(used, slots[i - 1][0]))
            return KeyVar(key, facts.kind, True, slots[0][0], slots=slots)
        pres = z3.Bool(f"{self.prefix}p|{key}")
        return KeyVar(key, facts.kind, False, pres, val=self.fresh_value(facts.kind, f"v|{key}"))


@lru_cache(maxsize=65_536)
def str_val(text: str) -> z3.SeqRef:
    """A z3 string constant holding exactly ``text`` (``z3.StringVal`` would read ``\\u{..}`` as an escape).
    Memoised (z3 terms are immutable): a scan spells the same policy literals thousands of times."""
    if "\\" not in text:
        return z3.StringVal(text)
    return z3.simplify(z3.Concat(z3.StringVal(""), *[z3.StrFromCode(z3.IntVal(ord(c))) for c in text]))


def z3_string(value: Any) -> str:
    """The exact Python text of a z3 string value (``as_string`` would escape non-printable characters)."""
    import ctypes

    ctx, ast = value.ctx_ref(), value.as_ast()
    n = z3.z3core.Z3_get_string_length(ctx, ast)
    buf = (ctypes.c_uint * n)()
    if n:
        z3.z3core.Z3_get_string_contents(ctx, ast, n, buf)
    return "".join(chr(c) for c in buf)


def constant(kind: Kind, text: str) -> Any | None:
    """A z3 constant of ``kind`` for a request value's text, or None when the text does not read as that kind."""
    if kind is Kind.STRING:
        return str_val(text)
    if kind is Kind.NUMERIC:
        n = parse_number(text)
        return None if n is None else z3.RealVal(f"{n.numerator}/{n.denominator}")
    if kind is Kind.DATE:
        d = parse_date(text)
        return None if d is None else z3.IntVal(d)
    if kind is Kind.BOOL:
        b = parse_bool(text)
        return None if b is None else z3.BoolVal(b)
    ip = parse_ip(text)
    if ip is None:
        return None
    v6 = isinstance(ip, ipaddress.IPv6Address)
    return (z3.BoolVal(v6), z3.BitVecVal(0 if v6 else int(ip), 32), z3.BitVecVal(int(ip) if v6 else 0, 128))


def ground_var(key: str, facts: KeyFacts, values: tuple[str, ...] | None) -> KeyVar | None:
    """A ground key (absent when ``values`` is None); None when a value does not read as the key's kind."""
    if values is None or not values:
        return KeyVar(key, facts.kind, facts.multi, False, val=None, slots=[], ground=True)
    consts = [constant(facts.kind, t) for t in values]
    if any(c is None for c in consts):
        return None
    if facts.multi:
        return KeyVar(key, facts.kind, True, True, slots=[(True, c) for c in consts], ground=True)
    if len(consts) != 1:
        return None
    return KeyVar(key, facts.kind, False, True, val=consts[0], ground=True)


def default_resolver(env: Env, key: str) -> KeyVar:
    """Every key free (presence and value unconstrained): used by tests that encode conditions in isolation."""
    return env.symbolic(key, key_facts(key))
