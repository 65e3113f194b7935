"""``ResourceMatching.by_text`` (a Resource glob without ``$`` matched by its text, compiled once per text) against the
reference (the per-element memo, then :func:`resource_matches` glob by glob) and against :func:`resource_matches`
itself, the definition: the same answer for generated Resource elements (ARN-shaped or not, ``*`` and ``?``, policy
variables under both policy versions, NotResource) and role ARNs, and the same decisions on every hop evaluation of
small generated organizations' scans (recorded, then replayed both ways)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.semantics.test_statement_index import _plain, _record_scan
from trustgraph.model.pattern import parse_pattern
from trustgraph.model.policy import Glob
from trustgraph.semantics import actions, evaluate
from trustgraph.semantics.actions import ResourceMatching, _globs_cover_resource, resource_matches

SEGMENTS = ["arn", "aws", "aws-cn", "iam", "s3", "", "*", "?", "111111111111", "2222*", "role/R", "role/*",
            "role/ops/*", "role/?dmin", "*/Admin", "role/${aws:username}", "${aws:PrincipalAccount}", "role/a:b",
            "${*}", "r${?}le", "$", "role/$x"]
RESOURCES = ["arn:aws:iam::111111111111:role/R", "arn:aws:iam::222222222222:role/ops/Admin",
             "arn:aws:iam::111111111111:role/a:b", "arn:aws-cn:iam::111111111111:role/Admin", "arn:aws:s3:::bucket",
             "arn:aws:iam::111111111111:role/bob", "not-an-arn", "*", "arn:aws:iam::$:role/$x",
             "arn:aws:iam::111111111111:role/${aws:username}"]
CONTEXTS = [{}, {"aws:username": ("bob",), "aws:principalaccount": ("111111111111",)}, {"aws:username": ("R",)}]


@st.composite
def _text(draw: Any) -> str:
    if draw(st.booleans()):
        return ":".join(draw(st.lists(st.sampled_from(SEGMENTS), min_size=6, max_size=7)))
    return draw(st.sampled_from(["*", "?", "role/*", "arn:aws:iam::*", "${aws:username}", "arn:*:iam::*:role/R",
                                 ":".join(draw(st.lists(st.sampled_from(SEGMENTS), min_size=1, max_size=5)))]))


def _reference(globs: tuple[Glob, ...], resource: str, context: Any, variables: bool) -> bool:
    ResourceMatching.by_text = False
    try:
        return _globs_cover_resource(globs, resource, context, variables)
    finally:
        ResourceMatching.by_text = True


@pytest.fixture()
def _by_text() -> Iterator[None]:
    assert ResourceMatching.by_text
    yield
    assert ResourceMatching.by_text


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(texts=st.lists(_text(), min_size=1, max_size=3), resource=st.sampled_from(RESOURCES),
       context=st.sampled_from(CONTEXTS), variables=st.booleans())
def test_elements_match_alike(texts: list[str], resource: str, context: Any, variables: bool, _by_text: None) -> None:
    globs = tuple(Glob(t, parse_pattern(t, wildcards=True, variables=variables)) for t in texts)
    expected = any(resource_matches(g, resource, context, variables=variables) for g in globs)
    assert _globs_cover_resource(globs, resource, context, variables) is expected, (texts, resource)
    assert _reference(globs, resource, context, variables) is expected, (texts, resource)
    # the same texts under the other version (equal globs, other patterns when a text holds a variable)
    other = tuple(Glob(t, parse_pattern(t, wildcards=True, variables=not variables)) for t in texts)
    expected_other = any(resource_matches(g, resource, context, variables=not variables) for g in other)
    assert _globs_cover_resource(other, resource, context, not variables) is expected_other, (texts, resource)
    assert _reference(other, resource, context, not variables) is expected_other, (texts, resource)


@pytest.mark.parametrize(("profile", "seed"), [("chain-heavy", 1), ("mix", 1), ("random", 2), ("vendor-heavy", 2)])
def test_scan_hops_decide_alike(profile: str, seed: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                _by_text: None) -> None:
    from trustgraph.api import load
    from trustgraph.synth.write import synthesize

    synthesize(tmp_path, accounts=3, roles_per_account=15, seed=seed, profile=profile)
    seen = _record_scan(load(tmp_path), monkeypatch)
    assert seen
    actions._fixed_globs_cover.cache_clear()
    ResourceMatching.by_text = False
    try:
        for caller, target, request, decision in seen:
            assert _plain(decision) == _plain(evaluate.evaluate_hop(caller, target, request)), (caller.arn,
                                                                                                  target.role.arn)
    finally:
        ResourceMatching.by_text = True
