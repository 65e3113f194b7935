"""The glob matcher: agrees with the reference semantics (a regular-expression translation, as fnmatch does it) on
small inputs, and decides the adversarial patterns of issue 12 (a backtracking regex took 35 s for ten ``*a``
pairs; the times are printed by ``trustgraph bench``, not asserted here)."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from trustgraph.model.pattern import STAR, Literal, Pattern, arn_matches, ascii_lower, matches, parse_pattern


def glob(text: str) -> Pattern:
    return parse_pattern(text, wildcards=True, variables=False)


def reference(p: Pattern, value: str, ignore_case: bool = False) -> bool:
    """fnmatch's translation (``*`` → ``.*``, ``?`` → ``.``, everything else escaped), anchored at both ends."""
    parts = []
    for el in p:
        if isinstance(el, Literal):
            parts.append(re.escape(ascii_lower(el.text) if ignore_case else el.text))
        else:
            parts.append(".*" if el is STAR else ".")
    return re.fullmatch("".join(parts), ascii_lower(value) if ignore_case else value, re.DOTALL) is not None


@settings(max_examples=1500, deadline=None)
@given(st.text(alphabet="aAb*?.[\\$:", max_size=10), st.text(alphabet="aAb.[\\:\n", max_size=12), st.booleans())
def test_agrees_with_the_reference(pattern: str, value: str, ignore_case: bool) -> None:
    p = glob(pattern)
    assert matches(p, value, ignore_case=ignore_case) is reference(p, value, ignore_case)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["a", "b", "*", "?", "ab"]), max_size=8).map("".join), st.integers(0, 60))
def test_agrees_on_long_runs_of_one_letter(pattern: str, n: int) -> None:
    p = glob(pattern)
    for value in ("a" * n, "a" * n + "b", "b" + "a" * n):
        assert matches(p, value) is reference(p, value)


def test_adversarial_patterns_are_decided() -> None:
    for pairs in (4, 10, 40):
        p = glob("*a" * pairs + "*b")
        assert not matches(p, "a" * 10_000)
        assert matches(p, "a" * 10_000 + "b")
    assert not matches(glob("*" + "?" * 50 + "*b"), "a" * 10_000)
    assert matches(glob("a*?a*a?*a"), "aaaaaa") is reference(glob("a*?a*a?*a"), "aaaaaa")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet="ab*?", max_size=3), min_size=6, max_size=6).map(":".join),
       st.lists(st.text(alphabet="ab", max_size=3), min_size=4, max_size=8).map(":".join))
def test_arn_matching_is_segment_wise(pattern: str, value: str) -> None:
    p = glob(pattern)
    segs, parts = pattern.split(":", 5), value.split(":", 5)
    expected = len(parts) == 6 and all(reference(glob(s), v) for s, v in zip(segs, parts, strict=True))
    assert arn_matches(p, value) is expected
