"""Wildcard patterns and policy variables, parsed once into data.

A policy value such as ``arn:aws:iam::*:role/ci-?`` or ``repo:${aws:username}/*`` becomes a tuple of elements:
:class:`Literal`, :class:`Star` (``*``, any possibly empty sequence), :class:`AnyChar` (``?``, exactly one character)
and :class:`Variable` (``${key}`` or ``${key, 'default'}``). The concrete matcher below and the z3 translation in
``trustgraph.smt`` both consume these elements, so the two cannot disagree on what a wildcard means.

Which elements a value may contain depends on where it appears: wildcards only under the ``*Like`` and ARN operators
and in Action/Resource; variables only in policies of Version ``2012-10-17`` (under ``2008-10-17`` a variable is
literal text). ``${*}``, ``${?}`` and ``${$}`` are literal ``*``, ``?`` and ``$``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True, slots=True)
class Literal:
    """Text matched character for character."""

    text: str


@dataclass(frozen=True, slots=True)
class Star:
    """``*``: any sequence of characters, possibly empty."""


@dataclass(frozen=True, slots=True)
class AnyChar:
    """``?``: exactly one character."""


@dataclass(frozen=True, slots=True)
class Variable:
    """A policy variable ``${key}``; ``key`` is normalised to lower case, ``text`` keeps the original spelling."""

    key: str
    text: str
    default: str | None = None


Element = Literal | Star | AnyChar | Variable
Pattern = tuple[Element, ...]

STAR = Star()
ANY_CHAR = AnyChar()

_VARIABLE = re.compile(r"\$\{([^{}]*)\}")
_DEFAULT = re.compile(r"^\s*([^,\s][^,]*?)\s*,\s*'([^']*)'\s*$")


def normalize_key(key: str) -> str:
    """Condition key names are case-insensitive: compare them through this one function."""
    return key.lower()


def ascii_lower(text: str) -> str:
    """Lower-case ASCII letters only; the IgnoreCase operators fold ASCII (Unicode folding is unspecified by AWS)."""
    return text.translate(_ASCII_LOWER)


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _append_literal(out: list[Element], text: str) -> None:
    if not text:
        return
    if out and isinstance(out[-1], Literal):
        out[-1] = Literal(out[-1].text + text)
    else:
        out.append(Literal(text))


_WILDCARD_SPLIT = re.compile(r"([*?])")


def _append_plain(out: list[Element], text: str, wildcards: bool) -> None:
    if not wildcards:
        _append_literal(out, text)
        return
    for piece in _WILDCARD_SPLIT.split(text):
        if piece == "*":
            out.append(STAR)
        elif piece == "?":
            out.append(ANY_CHAR)
        else:
            _append_literal(out, piece)


@lru_cache(maxsize=65536)
def parse_pattern(text: str, *, wildcards: bool, variables: bool) -> Pattern:
    """Parse a policy value into pattern elements.

    Examples
    --------
    >>> parse_pattern("repo:acme/*", wildcards=True, variables=True)
    (Literal(text='repo:acme/'), Star())
    >>> parse_pattern("a${*}b", wildcards=True, variables=True)
    (Literal(text='a*b'),)
    >>> parse_pattern("home/${aws:username}", wildcards=False, variables=True)
    (Literal(text='home/'), Variable(key='aws:username', text='aws:username', default=None))
    >>> parse_pattern("home/${aws:username}", wildcards=False, variables=False)
    (Literal(text='home/${aws:username}'),)
    """
    if not variables or "$" not in text:  # no variable can occur: the common case, without the regular expressions
        if not wildcards or ("*" not in text and "?" not in text):
            return (Literal(text),) if text else ()
        if "?" not in text:
            pieces = text.split("*")
            plain: list[Element] = [Literal(pieces[0])] if pieces[0] else []
            for piece in pieces[1:]:
                plain.append(STAR)
                if piece:
                    plain.append(Literal(piece))
            return tuple(plain)
    return _parse(text, wildcards, variables)


def _parse(text: str, wildcards: bool, variables: bool) -> Pattern:
    """:func:`parse_pattern` for every text (the reference its shortcuts for texts without ``$`` or ``?`` are tested
    against)."""
    out: list[Element] = []
    if not variables:
        _append_plain(out, text, wildcards)
        return tuple(out)
    pos = 0
    for m in _VARIABLE.finditer(text):
        _append_plain(out, text[pos : m.start()], wildcards)
        inner = m.group(1)
        if inner in ("*", "?", "$"):
            _append_literal(out, inner)
        else:
            dm = _DEFAULT.match(inner)
            if dm:
                out.append(Variable(normalize_key(dm.group(1)), dm.group(1), dm.group(2)))
            else:
                out.append(Variable(normalize_key(inner.strip()), inner.strip()))
        pos = m.end()
    _append_plain(out, text[pos:], wildcards)
    return tuple(out)


def pattern_to_text(pattern: Pattern) -> str:
    """Render a pattern back to policy syntax (wildcards as ``*``/``?``, literal specials escaped)."""
    parts: list[str] = []
    for el in pattern:
        if isinstance(el, Literal):
            parts.append(el.text.replace("$", "${$}").replace("*", "${*}").replace("?", "${?}"))
        elif isinstance(el, Star):
            parts.append("*")
        elif isinstance(el, AnyChar):
            parts.append("?")
        else:
            parts.append("${" + el.text + (f", '{el.default}'" if el.default is not None else "") + "}")
    return "".join(parts)


def has_wildcard(pattern: Pattern) -> bool:
    """True when the pattern contains ``*`` or ``?``."""
    return any(isinstance(el, (Star, AnyChar)) for el in pattern)


def variables_of(pattern: Pattern) -> tuple[Variable, ...]:
    """The policy variables a pattern refers to."""
    return tuple(el for el in pattern if isinstance(el, Variable))


def substitute(pattern: Pattern, lookup: Callable[[str], str | None]) -> Pattern | None:
    """Replace every variable by its value as literal text; None when a variable has no value and no default.

    AWS: a variable whose key is absent makes positive operators not match and negated operators match, so the
    caller treats None as "this policy value matches nothing".
    """
    if not any(isinstance(el, Variable) for el in pattern):
        return pattern
    out: list[Element] = []
    for el in pattern:
        if isinstance(el, Variable):
            value = lookup(el.key)
            if value is None:
                value = el.default
            if value is None:
                return None
            _append_literal(out, value)
        elif isinstance(el, Literal):
            _append_literal(out, el.text)
        else:
            out.append(el)
    return tuple(out)


@dataclass(frozen=True, slots=True)
class _Segment:
    """A run of pattern elements without ``*``: literal characters and ``?`` (each exactly one character), so it
    always spans ``length`` characters. Literal-only segments are searched with ``str.find``; a segment with ``?``
    with a regular expression of fixed length (escaped literals and ``.``), which cannot backtrack."""

    length: int
    text: str | None
    regex: re.Pattern[str] | None

    def at(self, value: str, pos: int) -> bool:
        """True when the segment matches ``value`` at ``pos``."""
        if self.text is not None:
            return value.startswith(self.text, pos)
        assert self.regex is not None
        return self.regex.match(value, pos) is not None

    def find(self, value: str, start: int, end: int) -> int:
        """The first position ``>= start`` where the segment matches inside ``value[:end]``, or -1."""
        if self.text is not None:
            return value.find(self.text, start, end)
        assert self.regex is not None
        m = self.regex.search(value, start, end)
        return -1 if m is None else m.start()


@dataclass(frozen=True, slots=True)
class _Glob:
    """A variable-free pattern split at its stars: ``head * middle[0] * ... * tail`` (``tail`` None: no star)."""

    head: _Segment
    middle: tuple[_Segment, ...]
    tail: _Segment | None
    min_length: int


def _segment(elements: list[Element], ignore_case: bool) -> _Segment:
    if all(isinstance(el, Literal) for el in elements):
        text = "".join(el.text for el in elements if isinstance(el, Literal))
        text = ascii_lower(text) if ignore_case else text
        return _Segment(len(text), text, None)
    parts: list[str] = []
    length = 0
    for el in elements:
        if isinstance(el, Literal):
            parts.append(re.escape(ascii_lower(el.text) if ignore_case else el.text))
            length += len(el.text)
        else:
            parts.append(".")
            length += 1
    return _Segment(length, None, re.compile("".join(parts), re.DOTALL))


@lru_cache(maxsize=65536)
def _compiled(pattern: Pattern, ignore_case: bool) -> _Glob:
    """The pattern split at its stars (an implementation detail of the concrete matcher: the model keeps patterns
    as data, and the z3 translation builds its own regular expressions from the same elements)."""
    runs: list[list[Element]] = [[]]
    for el in pattern:
        if isinstance(el, Star):
            runs.append([])
        elif isinstance(el, Literal | AnyChar):
            runs[-1].append(el)
        else:
            raise ValueError("matches() needs a pattern without variables; call substitute() first")
    segments = [_segment(run, ignore_case) for run in runs]
    if len(segments) == 1:
        return _Glob(segments[0], (), None, segments[0].length)
    return _Glob(segments[0], tuple(s for s in segments[1:-1] if s.length), segments[-1],
                 sum(s.length for s in segments))


def matches(pattern: Pattern, value: str, *, ignore_case: bool = False) -> bool:
    """Match a variable-free pattern against the whole of ``value``.

    In time proportional to ``len(value)`` times the pattern's length at worst, whatever the pattern (no
    backtracking over stars): the part before the first star must match at the start, the part after the last star
    at the end, and every part between two stars is taken at its leftmost place after the previous one, which is
    where a match exists if any does (a later place only leaves less room to the parts after it).

    Examples
    --------
    >>> p = parse_pattern("repo:acme*", wildcards=True, variables=False)
    >>> matches(p, "repo:acme-evil/x")
    True
    >>> matches(parse_pattern("ci-?", wildcards=True, variables=False), "ci-12")
    False
    >>> matches(parse_pattern("*a*a*a*a*a*a*a*a*a*a*a*a*b", wildcards=True, variables=False), "a" * 10000)
    False
    """
    if ignore_case:
        value = ascii_lower(value)
    return _glob_matches(_compiled(pattern, ignore_case), value)


def _glob_matches(glob: _Glob, value: str) -> bool:
    """:func:`matches` on the pattern compiled (the value already folded for IgnoreCase)."""
    n = len(value)
    if glob.tail is None:
        return n == glob.head.length and glob.head.at(value, 0)
    if n < glob.min_length or not glob.head.at(value, 0):
        return False
    end = n - glob.tail.length
    if not glob.tail.at(value, end):
        return False
    pos = glob.head.length
    for segment in glob.middle:
        found = segment.find(value, pos, end)
        if found < 0:
            return False
        pos = found + segment.length
    return True


@lru_cache(maxsize=65536)
def split_arn_pattern(pattern: Pattern) -> tuple[Pattern, ...] | None:
    """Split a variable-free ARN pattern into its six ``:``-separated segments, or None when it has fewer.

    Wildcards never cross a colon in segments 1-5; the sixth segment is everything after the fifth colon.
    """
    segments: list[list[Element]] = [[]]
    for el in pattern:
        if isinstance(el, Literal) and ":" in el.text and len(segments) < 6:
            pieces = el.text.split(":", 6 - len(segments))
            for k, piece in enumerate(pieces):
                if k > 0:
                    segments.append([])
                if piece:
                    segments[-1].append(Literal(piece))
        else:
            segments[-1].append(el)
    if len(segments) < 6:
        return None
    return tuple(tuple(s) for s in segments)


def arn_matches(pattern: Pattern, value: str) -> bool:
    """ArnLike/ArnEquals on a variable-free pattern: segment-wise glob matching, case-sensitive.

    A pattern with fewer than six segments (e.g. a bare ``*``) is matched as a plain glob over the whole value;
    a value with fewer than six segments matches no six-segment pattern.

    Examples
    --------
    >>> p = parse_pattern("arn:aws:someservice:*:111122223333:finance/*", wildcards=True, variables=False)
    >>> arn_matches(p, "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt")
    False
    """
    globs = _compiled_arn(pattern)
    if globs is None:
        return arn_matches_reference(pattern, value)
    return _segments_match(globs, value)


def _segments_match(globs: tuple[_Glob, ...], value: str) -> bool:
    """Whether ``value`` has six ``:``-separated segments (the last one the rest) each matching its compiled glob."""
    parts = value.split(":", 5)
    if len(parts) != 6:
        return False
    return all(_glob_matches(glob, part) for glob, part in zip(globs, parts, strict=True))


def arn_text_matches(text: str, value: str) -> bool:
    """:func:`arn_matches` of the glob written ``text`` (``*`` and ``?`` wildcards; the caller makes sure it holds no
    ``$``, so no policy version can read a variable in it), compiled once per text: a caller holding only the text
    does not parse it nor hash its pattern at every call (a federated search matches each state's Resource globs
    against a new role ARN at every hop)."""
    compiled = _compiled_text(text)
    if not isinstance(compiled, tuple):
        return _glob_matches(compiled, value)
    return _segments_match(compiled, value)


@lru_cache(maxsize=4096)
def _compiled_text(text: str) -> tuple[_Glob, ...] | _Glob:
    """The glob written ``text`` compiled: its six ARN segments, or the whole glob when it has fewer."""
    pattern = parse_pattern(text, wildcards=True, variables=False)
    segments = split_arn_pattern(pattern)
    if segments is None:
        return _compiled(pattern, False)
    return tuple(_compiled(seg, False) for seg in segments)


def arn_matches_reference(pattern: Pattern, value: str) -> bool:
    """:func:`arn_matches` segment by segment through :func:`matches` (the reference its compiled form is tested
    against, and what it does for a pattern with fewer than six segments or with variables)."""
    segments = split_arn_pattern(pattern)
    if segments is None:
        return matches(pattern, value)
    parts = value.split(":", 5)
    if len(parts) != 6:
        return False
    return all(matches(seg, part) for seg, part in zip(segments, parts, strict=True))


@lru_cache(maxsize=65536)
def _compiled_arn(pattern: Pattern) -> tuple[_Glob, ...] | None:
    """The six segments of a variable-free ARN pattern, each compiled (:func:`_compiled`): :func:`arn_matches` then
    hashes the pattern once per call instead of once per segment (the hop filters match every candidate caller's
    Resource globs against the role's ARN); None for a pattern of fewer than six segments or with variables."""
    segments = split_arn_pattern(pattern)
    if segments is None or any(isinstance(el, Variable) for seg in segments for el in seg):
        return None
    return tuple(_compiled(seg, False) for seg in segments)
