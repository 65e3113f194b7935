"""Presence and domain axioms of the symbolic request, read from the one key catalog (``semantics.keys``).

The :class:`HopView` says what is fixed about a hop (the action, the caller's origin, the principal keys of a
concrete caller, whether unmentioned keys are closed) and :func:`resolver` turns it into the function that builds each
key's :class:`~trustgraph.smt.env.KeyVar` on first use: ground for keys the caller fixes, symbolic with
``pres <-> rule`` for situational keys, free presence for optional keys, ``True``/``False`` for always/never keys,
plus the API domain axioms (ExternalId, RoleSessionName, account ids) as z3 regular expressions.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from enum import Enum
from functools import cache, lru_cache
from typing import Any

from trustgraph.model.condition import Family
from trustgraph.model.location import Location
from trustgraph.model.policy import Statement
from trustgraph.semantics.claims import ClaimStatus, claim_status, is_github, uncertain_note
from trustgraph.semantics.keys import (
    KeyInfo,
    Origin,
    Presence,
    PresenceKind,
    Rule,
    key_info,
    tag_key_of,
)
from trustgraph.semantics.request import Action, Caller, Target
from trustgraph.semantics.tag_limits import (
    REQUEST_TAG,
    RESERVED_PREFIX,
    TAG_KEY_MAX,
    TAG_PUNCTUATION,
    TAG_VALUE_MAX,
    tag_char_ok,
    tag_key_ok,
    tag_value_ok,
    tag_values_problem,
)
from trustgraph.smt.env import Env, KeyFacts, KeyVar, Kind, ground_var, z3_string
from trustgraph.smt.terms import Term, and_, iff, implies, or_
from trustgraph.smt.z3lazy import z3

_FAMILY_KIND = {
    Family.STRING: Kind.STRING,
    Family.ARN: Kind.STRING,
    Family.BINARY: Kind.STRING,
    Family.UNKNOWN: Kind.STRING,
    Family.NULL: Kind.STRING,
    Family.NUMERIC: Kind.NUMERIC,
    Family.DATE: Kind.DATE,
    Family.BOOL: Kind.BOOL,
    Family.IP: Kind.IP,
}

CATALOG = Location("trustgraph/semantics/keys.py", "")


def catalog_facts(key: str) -> KeyFacts:
    """Value kind and cardinality of ``key`` from the catalog."""
    info = key_info(key)
    return KeyFacts(_FAMILY_KIND[info.family], info.multivalued, info.known)


@cache
def _not_slash() -> z3.ReRef:
    """Any character but ``/`` (built on first use: importing this module does not load z3, trustgraph.smt.z3lazy)."""
    return z3.Intersect(z3.AllChar(z3.ReSort(z3.StringSort())), z3.Complement(z3.Re("/")))


@lru_cache(maxsize=256)
def char_class_re(spec: str) -> z3.ReRef:
    r"""A z3 regex for a bracket class body like ``\w+=,.@:/-`` (``\w`` as ASCII word characters, ``a-b`` ranges).

    Memoised: z3 terms are immutable, and every hop of a scan asks for the same few classes."""
    parts: list[z3.ReRef] = []
    i = 0
    while i < len(spec):
        ch = spec[i]
        if ch == "\\" and i + 1 < len(spec):
            esc = spec[i + 1]
            if esc == "w":
                parts += [z3.Range("a", "z"), z3.Range("A", "Z"), z3.Range("0", "9"), z3.Re("_")]
            elif esc == "d":
                parts.append(z3.Range("0", "9"))
            else:
                parts.append(z3.Re(esc))
            i += 2
            continue
        if i + 2 < len(spec) and spec[i + 1] == "-":
            parts.append(z3.Range(ch, spec[i + 2]))
            i += 3
            continue
        parts.append(z3.Re(ch))
        i += 1
    return parts[0] if len(parts) == 1 else z3.Union(*parts)


_BOUNDED_CLASS = re.compile(r"^\[(?P<cls>.+)\]\{(?P<lo>\d+),(?P<hi>\d+)\}$")
_EXACT_CLASS = re.compile(r"^\[(?P<cls>.+)\]\{(?P<n>\d+)\}$")


def domain_re(value_pattern: str) -> z3.ReRef | None:
    """The catalog's ``[class]{m,n}`` API limit as a z3 regex (None for shapes this translator does not know)."""
    m = _BOUNDED_CLASS.match(value_pattern)
    if m:
        return z3.Loop(char_class_re(m.group("cls")), int(m.group("lo")), int(m.group("hi")))
    m = _EXACT_CLASS.match(value_pattern)
    if m:
        n = int(m.group("n"))
        return z3.Loop(char_class_re(m.group("cls")), n, n)
    return None


def domain_constraint(value_pattern: str, val: z3.SeqRef) -> z3.BoolRef | None:
    """``val`` respects the catalog's ``[class]{m,n}`` API limit (None for shapes this translator does not know).

    Stated as membership in ``class*`` plus bounds on the length, which is equivalent to :func:`domain_re`'s bounded
    loop (every member of a character class is one character long) and which z3's sequence solver decides several
    times faster than a loop of up to 1,224 iterations (sts:ExternalId).
    """
    shape = _domain_shape(value_pattern)
    if shape is None:
        return None
    star, lo, hi = shape
    if lo == hi:
        return z3.And(z3.InRe(val, star), z3.Length(val) == lo)
    return z3.And(z3.InRe(val, star), z3.Length(val) >= lo, z3.Length(val) <= hi)


@lru_cache(maxsize=64)
def _domain_shape(value_pattern: str) -> tuple[z3.ReRef, int, int] | None:
    """``class*`` and the length bounds of a ``[class]{m,n}`` / ``[class]{n}`` limit (memoised per pattern)."""
    m = _BOUNDED_CLASS.match(value_pattern)
    if m:
        return z3.Star(char_class_re(m.group("cls"))), int(m.group("lo")), int(m.group("hi"))
    m = _EXACT_CLASS.match(value_pattern)
    if m:
        n = int(m.group("n"))
        return z3.Star(char_class_re(m.group("cls"))), n, n
    return None


@lru_cache(maxsize=256)
def _tag_chars(wide: str) -> z3.ReRef:
    """``class*`` for the session tag class ``[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]`` (``semantics.tag_limits``) over ASCII
    and the characters of ``wide`` (those above U+007F the hop's texts hold, every one in the class).

    Only those: z3 fills a free position with any character the class admits (a witness passed the tag key
    ``'\U00010120\u205b'`` when every character above U+007F was admitted), and the class's 742 Unicode ranges
    as z3 ranges made a two-string query take 1-4 s instead of 10 ms. No answer is lost: a character no text of the
    question holds is matched only by wildcards and free positions, where an ASCII character of the class serves."""
    parts = [z3.Range("a", "z"), z3.Range("A", "Z"), z3.Range("0", "9"), z3.Re(" ")]
    parts += [z3.Re(c) for c in TAG_PUNCTUATION + wide]
    return z3.Star(z3.Union(*parts))


@cache
def _reserved_prefix() -> z3.ReRef:
    from trustgraph.smt.encode import ignore_case_re

    return z3.Concat(ignore_case_re(RESERVED_PREFIX), z3.Star(z3.AllChar(z3.ReSort(z3.StringSort()))))


def wide_tag_chars(texts: Iterable[str]) -> str:
    """The characters above U+007F of ``texts`` that a session tag may hold, sorted (for :func:`tag_limits`)."""
    return "".join(sorted({c for t in texts if not t.isascii() for c in t if ord(c) > 127 and tag_char_ok(c)}))


def question_texts(statements: Iterable[Statement], constraints: Iterable[Any], view: HopView, caller: Caller,
                   *targets: Target) -> Iterator[str]:
    """The texts a hop question's formula holds (the conditions' keys and values, the constraints' values, the ground
    request values, the caller's and the roles' tags), read by :func:`tag_limits` for their wide characters."""
    for st in statements:
        for c in st.conditions:
            yield c.key
            yield from c.texts
    for k in constraints:
        yield from k.values
    for vs in view.ground.values():
        yield from vs
    for pairs in (caller.tags, caller.transitive_tags, *(t.role.tags for t in targets)):
        for k, v in pairs:
            yield k
            yield v


def _tag_vars(env: Env) -> Iterator[tuple[str, KeyVar, bool]]:
    """The symbolic session tag variables of ``env``: (key, variable, whether it holds a value, not a key)."""
    for key, kv in env.vars.items():
        if kv.ground or kv.kind is not Kind.STRING:
            continue
        if key.startswith(REQUEST_TAG):
            yield key, kv, True
        elif key in ("aws:tagkeys", "sts:transitivetagkeys"):
            yield key, kv, False


def tag_limits(env: Env) -> None:
    """A session tag ``aws:RequestTag/k`` whose key ``k`` breaks the limits is absent (``semantics.tag_limits``, as
    the evaluator checks). The limits on the tags' symbolic keys and values are :func:`tag_value_limits`, asked only
    of a model that breaks one (:func:`tags_outside_limits`): on condition-heavy-2k the character class on every tag
    made the scan's CPU 12-14 s instead of 6-7 s, the lengths alone ~0.8 s more. Called once the conditions are
    encoded, as :func:`tag_couplings` is."""
    for key, kv, is_value in _tag_vars(env):
        if is_value and not tag_key_ok(key[len(REQUEST_TAG):]) and kv.pres is not False:
            env.axiom(f"domain:{key} (session tag key outside its limits)", z3.Not(kv.pres))


def tag_value_limits(env: Env, texts: Iterable[str]) -> list[tuple[str, Term]]:
    """The axioms that every present session tag of ``env`` is within its limits, added to ``env`` and returned: a
    value of at most 256 characters, a member of ``aws:TagKeys`` or ``sts:TransitiveTagKeys`` of 1-128 not starting
    with ``aws:``, both made of the class (:func:`_tag_chars`, above U+007F the characters of ``texts``, the
    question's texts: :func:`question_texts`)."""
    chars = _tag_chars(wide_tag_chars(texts))
    added: list[tuple[str, Term]] = []
    for key, kv, is_value in _tag_vars(env):
        if is_value and not tag_key_ok(key[len(REQUEST_TAG):]):
            continue
        for used, val in kv.members():
            n = z3.Length(val)
            if is_value:
                rule = z3.And(z3.InRe(val, chars), n <= TAG_VALUE_MAX)
            else:
                rule = z3.And(z3.InRe(val, chars), n >= 1, n <= TAG_KEY_MAX, z3.Not(z3.InRe(val, _reserved_prefix())))
            added.append((f"domain:{key}", implies(used, rule)))
    for name, term in added:
        env.axiom(name, term)
    return added


def tags_outside_limits(env: Env, model: z3.ModelRef) -> bool:
    """Whether a session tag key or value ``model`` gives breaks its limits (:func:`tag_value_limits`)."""
    from trustgraph.smt.decode import key_values

    for _, kv, is_value in _tag_vars(env):
        ok = tag_value_ok if is_value else tag_key_ok
        if not all(map(ok, key_values(model, kv) or ())):
            return True
    return False


def domain_axioms(env: Env, kv: KeyVar, info: KeyInfo) -> None:
    """Every present value of ``kv`` respects the key's API limits."""
    if info.value_pattern is None or kv.kind is not Kind.STRING or kv.ground:
        return
    if _domain_shape(info.value_pattern) is None:
        return
    for used, val in kv.members():
        rule = domain_constraint(info.value_pattern, val)
        if rule is not None:
            env.axiom(f"domain:{info.key}", implies(used, rule))


@dataclass
class HopView:
    """What the resolver needs to know about one hop.

    Attributes
    ----------
    action, origin
        The STS action and the presence column of the caller.
    ground
        Keys whose values are fixed: the principal context of a concrete caller, target-derived keys, and keys
        grounded by constraints on the fast path. Principal-derived keys of a concrete caller missing here are absent.
    builders
        Symbolic principal keys of a symbolic caller: a function building each key's variable.
    principal_fixed
        True when principal-derived keys not in ``ground``/``builders`` are absent (concrete callers).
    closed, given
        Under ``closed``, every key not in ``given`` (constrained) and not derived from the caller is absent.
    provider_host
        For federated callers: the host prefix their claim keys carry (``token.actions.githubusercontent.com``).
    carried_source_identity
        The caller session's source identity (sts:SourceIdentity is then present with this value).
    now_ms
        Pins aws:CurrentTime (and aws:EpochTime) when given.
    target_tags
        The role's tags (aws:ResourceTag/k).
    """

    action: Action
    origin: Origin
    ground: dict[str, tuple[str, ...]] = field(default_factory=dict)
    builders: dict[str, Callable[[Env, str], KeyVar]] = field(default_factory=dict)
    principal_fixed: bool = True
    closed: bool = False
    given: frozenset[str] = frozenset()
    provider_host: str | None = None
    carried_source_identity: str | None = None
    now_ms: int | None = None
    target_tags: tuple[tuple[str, str], ...] = ()
    symbolic_caller: bool = False


def _absent(key: str, info: KeyInfo) -> KeyVar:
    kv = ground_var(key, catalog_facts(key), None)
    assert kv is not None
    return kv


def _ground(env: Env, key: str, info: KeyInfo, values: tuple[str, ...]) -> KeyVar:
    for v in values:
        if not info.value_ok(v):  # STS rejects the request: no request with this value gets through
            env.axiom(f"domain:{key} (value {v!r} outside {info.value_pattern})", False)
    if tag_values_problem(key, values):  # a session tag STS refuses (semantics.tag_limits)
        env.axiom(f"domain:{key} (session tag limits)", False)
    kv = ground_var(key, catalog_facts(key), values)
    if kv is None:  # a value that does not read as the key's type: keep it as text (exact for string operators)
        env.approximate(f"value of {key} does not read as {info.family.value}", CATALOG)
        facts = KeyFacts(Kind.STRING, info.multivalued, info.known)
        kv = ground_var(key, facts, values)
        assert kv is not None
    return kv


def _via_vpce(env: Env) -> z3.BoolRef:
    return z3.Bool(f"{env.prefix}req|via-vpce")


class Mode(Enum):
    """How the symbolic request treats one key of a hop (see :func:`key_mode`)."""

    BUILDER = "builder"  # a symbolic caller's principal key, built by the candidate
    GROUND = "ground"  # fixed values (``KeyMode.values``)
    ABSENT = "absent"  # never present in this hop
    FREE = "free"  # the caller chooses presence (unless ``required``) and value


@dataclass(frozen=True)
class KeyMode:
    """The presence rule of one key in one hop, as both the z3 resolver and the concrete-first guesses read it.

    Attributes
    ----------
    mode
        See :class:`Mode`.
    values
        GROUND: the values (empty: absent).
    required
        FREE: the key is always present (ALWAYS keys, the claims a provider always sends).
    vpce
        FREE: present exactly when the call does (True) or does not (False) come through a VPC endpoint.
    approximate
        What is over-approximated about the key's presence (unknown key, rule not modelled), or "".
    principal
        FREE: an outsider's principal tag (chosen by the outsider, part of the caller, not of the request).
    """

    mode: Mode
    values: tuple[str, ...] = ()
    required: bool = False
    vpce: bool | None = None
    approximate: str = ""
    principal: bool = False


_ABSENT = KeyMode(Mode.ABSENT)
_FREE = KeyMode(Mode.FREE)
_REQUIRED = KeyMode(Mode.FREE, required=True)


def key_mode(view: HopView, key: str) -> KeyMode:
    """The presence rule of ``key`` (lower-cased) in the hop ``view`` describes: the one decision the resolver
    builds z3 variables from and the concrete-first guesses respect."""
    if key in view.builders:
        return KeyMode(Mode.BUILDER)
    if key in view.ground:
        return KeyMode(Mode.GROUND, tuple(view.ground[key]))
    info = key_info(key)
    if info.principal_derived:
        if view.symbolic_caller and view.origin is Origin.AWS_PRINCIPAL and key.startswith("aws:principaltag/"):
            # an outsider's user or role chooses its own tags; a service or federated caller has none (the evaluator
            # builds aws:PrincipalTag/* from the caller's IAM tags only)
            return KeyMode(Mode.FREE, principal=True)
        return _ABSENT
    approx = "" if info.known else f"unknown condition key {key}: any value, may be absent"
    pres = info.presence_for(view.origin)
    if view.closed and key not in view.given and not _always_sent(key, pres, view):
        return KeyMode(Mode.ABSENT, approximate=approx) if approx else _ABSENT
    if pres.kind is PresenceKind.NEVER:
        return KeyMode(Mode.ABSENT, approximate=approx) if approx else _ABSENT
    if pres.kind is PresenceKind.ALWAYS:
        return KeyMode(Mode.FREE, required=True, approximate=approx)
    if pres.kind is PresenceKind.SITUATIONAL:
        rule = pres.rule
        if rule is Rule.NOT_VIA_VPCE:
            return KeyMode(Mode.FREE, vpce=False, approximate=approx)
        if rule is Rule.VIA_VPCE:
            return KeyMode(Mode.FREE, vpce=True, approximate=approx)
        if rule is Rule.SOURCE_IDENTITY_SET_OR_CARRIED:
            if view.carried_source_identity is not None:
                return KeyMode(Mode.GROUND, (view.carried_source_identity,))
            return KeyMode(Mode.FREE, approximate=approx)
        if rule is Rule.TARGET_HAS_TAG:
            tag = tag_key_of(key)
            vals = tuple(v for k, v in view.target_tags if k.lower() == tag)
            return KeyMode(Mode.GROUND, vals[:1]) if vals else _ABSENT
        if rule is Rule.FROM_TOKEN:
            host, claim = key.rsplit(":", 1)
            if view.provider_host is None or host != view.provider_host.lower():
                return _ABSENT
            status = claim_status(host, claim)
            if status is ClaimStatus.NOT_EVALUATED:
                return _ABSENT  # AWS STS leaves the claim out of the request context (semantics.claims)
            if status is ClaimStatus.UNCERTAIN:
                why = uncertain_note(host, claim)
                approx = "; ".join(x for x in (approx, why) if x)
            if host == "token.actions.githubusercontent.com" and key.endswith((":sub", ":aud")):
                return KeyMode(Mode.FREE, required=True, approximate=approx)
            return KeyMode(Mode.FREE, approximate=approx)
        if rule is Rule.CARRIED_FROM_FEDERATION:
            return KeyMode(Mode.FREE, approximate=approx) if view.symbolic_caller else _ABSENT
        if rule is Rule.TARGET_IN_ORG:  # no loaded organizations data lists the role's account (else ground)
            why = f"organization of the role's account unknown (no organizations data lists it): {key} may be any"
            return KeyMode(Mode.FREE, approximate="; ".join(x for x in (approx, why) if x))
        if rule in (Rule.TAGS_PASSED, Rule.FROM_ASSERTION, Rule.ON_BEHALF_OF_RESOURCE):
            return KeyMode(Mode.FREE, approximate=approx)  # caller-chosen or not tracked: free presence
        why = f"presence rule {rule.value if rule else '?'} of {key} not modelled: may be absent"
        return KeyMode(Mode.FREE, approximate="; ".join(x for x in (approx, why) if x))
    return KeyMode(Mode.FREE, approximate=approx) if approx else _FREE


def resolver(view: HopView) -> Callable[[Env, str], KeyVar]:
    """The key builder of a hop (see the module docstring); presence as :func:`key_mode` decides it."""

    def build(env: Env, key: str) -> KeyVar:
        m = key_mode(view, key)
        if m.mode is Mode.BUILDER:
            return view.builders[key](env, key)
        info = key_info(key)
        if m.mode is Mode.GROUND:
            return _ground(env, key, info, m.values) if m.values else _absent(key, info)
        if m.approximate:
            for what in m.approximate.split("; "):
                env.approximate(what, CATALOG)
        if m.mode is Mode.ABSENT:
            return _absent(key, info)
        if m.principal:
            return env.symbolic(key, catalog_facts(key))
        kv = env.symbolic(key, catalog_facts(key))
        if m.required:
            env.axiom(f"presence:{key}", kv.pres)
        elif m.vpce is not None:
            via = _via_vpce(env)
            env.axiom(f"presence:{key}", iff(kv.pres, via if m.vpce else z3.Not(via)))
        domain_axioms(env, kv, info)
        if kv.kind is Kind.DATE:  # dates a request can carry: 1970 .. 9999 (ISO-8601 years)
            for used, val in kv.members():
                env.axiom(f"domain:{key}", implies(used, and_(val >= 0, val <= 253_402_300_799_999)))
        if key in ("aws:currenttime", "aws:epochtime") and kv.kind is Kind.DATE:
            if view.now_ms is not None:
                pinned = view.now_ms if key == "aws:currenttime" else view.now_ms - view.now_ms % 1000
                env.axiom(f"now:{key}", kv.val == pinned)
            if key == "aws:epochtime":
                env.axiom(f"domain:{key}", kv.val % 1000 == 0)
        return kv

    return build


def _always_sent(key: str, pres: Presence, view: HopView) -> bool:
    """Keys every request of the origin carries (sts:RoleSessionName, aws:CurrentTime, the claims a provider always
    puts in its tokens): ``closed`` does not remove them, it only removes what a caller may choose to send."""
    if pres.kind is PresenceKind.ALWAYS:
        return True
    host = key.rsplit(":", 1)[0]
    return (pres.rule is Rule.FROM_TOKEN and view.provider_host is not None and host == view.provider_host.lower()
            and host == "token.actions.githubusercontent.com" and key.endswith((":sub", ":aud")))


def transitive_slot_bound(slot_bound: dict[str, int]) -> None:
    """Give aws:TagKeys one more slot per slot of sts:TransitiveTagKeys (when that key has a bound): every member of
    the transitive keys needs a member of aws:TagKeys naming it (:func:`transitive_couplings`), an existential
    property per member in the small-model argument of ``smt.slots``. Hops whose policies never read
    sts:TransitiveTagKeys keep their bounds."""
    ttk = slot_bound.get("sts:transitivetagkeys")
    if ttk:
        slot_bound["aws:tagkeys"] = slot_bound.get("aws:tagkeys", 1) + ttk


def transitive_couplings(env: Env) -> None:
    """Every value of sts:TransitiveTagKeys is the key of a session tag the request passes: a member of aws:TagKeys,
    compared without case (``semantics.request.untagged_transitive_key``, which the evaluator applies). When the
    environment reads the transitive keys, aws:TagKeys enters it too, so that :func:`tag_couplings` ties the tags to
    it and the witness's tags are decoded from it (``smt.witness.fix_tags``).

    Two symbolic members are compared exactly (z3 has no case folding of a symbolic string): a witness whose
    transitive key and tag key differ only in case is not looked for (docs/semantics.md §1.6); a ground side is
    compared without case."""
    ttk = env.vars.get("sts:transitivetagkeys")
    if ttk is None:
        return
    members = ttk.members()
    if not members:
        return
    from trustgraph.smt.encode import ignore_case_re

    tagkeys = env.key("aws:tagkeys")
    listed = tagkeys.members()
    for n, (used, key) in enumerate(members):
        named: list[Term] = []
        for tag_used, tag in listed:
            if ttk.ground and tagkeys.ground:
                same: Term = z3_string(key).lower() == z3_string(tag).lower()
            elif ttk.ground:
                same = z3.InRe(tag, ignore_case_re(z3_string(key)))
            elif tagkeys.ground:
                same = z3.InRe(key, ignore_case_re(z3_string(tag)))
            else:
                same = key == tag
            named.append(and_(tag_used, same))
        env.axiom(f"transitive:{n}", implies(used, or_(*named)))


def tag_couplings(env: Env) -> None:
    """aws:TagKeys lists exactly the keys of the aws:RequestTag/k that are present (case-insensitive), and every
    sts:TransitiveTagKeys value is one of them (:func:`transitive_couplings`).

    A ground aws:TagKeys (a constraint pinned it, ``ground_constraints``) fixes which tags are present too: absent,
    no tag is passed; equal to a list, exactly the tags it names (the reference path gets the same from the slots)."""
    transitive_couplings(env)
    tagkeys = env.vars.get("aws:tagkeys")
    tags = {k: v for k, v in env.vars.items() if k.startswith("aws:requesttag/")}
    if tagkeys is None:
        return
    if tagkeys.ground:
        listed_names = {v.as_string().lower() for u, v in tagkeys.members() if u is True}
        for k, kv in tags.items():
            env.axiom(f"tags:{k}", iff(kv.pres, k[len("aws:requesttag/"):] in listed_names))
        return
    from trustgraph.smt.encode import ignore_case_re

    for k, kv in tags.items():
        name = k[len("aws:requesttag/"):]
        rx = ignore_case_re(name)
        listed = [and_(u, z3.InRe(v, rx)) for u, v in tagkeys.members()]
        env.axiom(f"tags:{k}", iff(kv.pres, z3.Or(*[z3.BoolVal(x) if isinstance(x, bool) else x for x in listed])))


def claim_couplings(env: Env, provider_host: str | None) -> None:
    """The claims of one GitHub Actions token agree (``semantics.claims.token_problem``, which the evaluator
    applies): ``repository`` is ``OWNER/NAME``, ``repository_owner`` its owner, and a ``repo:``-format subject names
    the same repository and owner."""
    if provider_host is None or not is_github(provider_host):
        return
    host = provider_host.lower()

    def claim(name: str) -> KeyVar | None:
        kv = env.vars.get(f"{host}:{name}")
        if kv is None or kv.kind is not Kind.STRING or kv.multi or kv.val is None:
            return None  # val None: grounded absent, and every coupling below holds only when the claim is present
        return kv

    def text(kv: KeyVar) -> z3.ExprRef:
        return z3.StringVal(kv.val) if isinstance(kv.val, str) else kv.val

    sub, repo, owner = claim("sub"), claim("repository"), claim("repository_owner")
    part = z3.Plus(_not_slash())

    def starts(whole: z3.ExprRef, *head: z3.ExprRef, name: str) -> z3.BoolRef:
        """``whole`` is ``head`` followed by anything: a word equation with a fresh tail, which z3 decides far
        faster than ``PrefixOf`` of a concatenation."""
        return whole == z3.Concat(*head, z3.String(f"{env.prefix}token|{name}-rest"))

    if repo is not None:
        env.axiom("token:repository", implies(repo.pres, z3.InRe(text(repo), z3.Concat(part, z3.Re("/"), part))))
    if repo is not None and owner is not None:
        env.axiom("token:repository-owner", implies(and_(repo.pres, owner.pres), starts(
            text(repo), text(owner), z3.StringVal("/"), name="repository")))
    if sub is None:
        return
    default_format = and_(sub.pres, z3.PrefixOf(z3.StringVal("repo:"), text(sub)))
    if repo is not None:
        env.axiom("token:sub-repository", implies(and_(default_format, repo.pres), starts(
            text(sub), z3.StringVal("repo:"), text(repo), z3.StringVal(":"), name="sub-repository")))
    if owner is not None:
        env.axiom("token:sub-owner", implies(and_(default_format, owner.pres), starts(
            text(sub), z3.StringVal("repo:"), text(owner), z3.StringVal("/"), name="sub-owner")))


def unevaluated_claim(provider_host: str | None, key: str) -> str | None:
    """Why ``key`` can never be in a web identity request from ``provider_host`` (a claim AWS STS does not
    evaluate), or None; the fast path grounds ``equals`` constraints without asking :func:`key_mode`, so it asks
    this first."""
    if provider_host is None or not key.startswith(provider_host.lower() + ":"):
        return None
    claim = key[len(provider_host) + 1:]
    if ":" in claim or claim_status(provider_host, claim) is not ClaimStatus.NOT_EVALUATED:
        return None
    return f"AWS STS does not evaluate the {claim} claim of {provider_host} tokens"
