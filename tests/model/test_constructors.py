"""The loader's constructors of frozen values without their dataclass ``__init__`` (``new_location``, ``new_glob``,
``Policy.moved``) give the values ``__init__`` gives: equal, same hash and repr, every slot set, still frozen."""

from __future__ import annotations

import dataclasses
import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trustgraph.ingest.policy_json import policy_from_json, relocate_policy
from trustgraph.model.location import Location, new_location
from trustgraph.model.pattern import parse_pattern
from trustgraph.model.policy import Glob, Policy, Statement, lazy_glob, new_glob


@given(st.text(max_size=12), st.text(max_size=30))
def test_new_location_is_the_dataclass_value(file: str, pointer: str) -> None:
    built, reference = new_location(file, pointer), Location(file, pointer)
    assert type(built) is Location
    assert built == reference and hash(built) == hash(reference) and repr(built) == repr(reference)
    assert (built.file, built.pointer) == (file, pointer) and str(built) == str(reference)
    assert built.child("a", 3) == reference.child("a", 3)
    with pytest.raises(dataclasses.FrozenInstanceError):
        built.pointer = "x"  # type: ignore[misc]


@given(st.text(alphabet="ab*?$/{}:", max_size=12), st.booleans())
def test_new_glob_is_the_dataclass_value(text: str, variables: bool) -> None:
    pattern = parse_pattern(text, wildcards=True, variables=variables)
    built, reference = new_glob(text, pattern), Glob(text, pattern)
    assert type(built) is Glob
    assert built == reference and hash(built) == hash(reference) and repr(built) == repr(reference)
    assert built.text == text and built.pattern == pattern
    with pytest.raises(dataclasses.FrozenInstanceError):
        built.text = "x"  # type: ignore[misc]


def _moved_by_init(policy: Policy, statements: tuple[Statement, ...], location: Location) -> Policy:
    """What ``Policy.moved`` built before it set the slots itself: the dataclass ``__init__``, then the memo slots."""
    copy = Policy(version=policy.version, id=policy.id, statements=statements, location=location, flags=policy.flags)
    object.__setattr__(copy, "_canonical", policy._canonical if isinstance(policy._canonical, str) else policy)
    return copy


@given(st.sampled_from([None, "2012-10-17", "2008-10-17"]), st.one_of(st.none(), st.text(max_size=5)),
       st.lists(st.sampled_from(["sts:AssumeRole", "s3:*", "iam:Pass?ole"]), min_size=1, max_size=3),
       st.booleans())
def test_moved_policy_is_the_dataclass_value(version: str | None, policy_id: str | None, actions: list[str],
                                              canonical_first: bool) -> None:
    doc: dict[str, object] = {"Statement": [{"Effect": "Allow", "Action": a, "Resource": "*"} for a in actions]}
    if version is not None:
        doc["Version"] = version
    if policy_id is not None:
        doc["Id"] = policy_id
    policy = policy_from_json(doc, Location("a.json", "/Policies/0/Document"))
    if canonical_first:
        policy.canonical_text()
    to = Location("b.json", "/Policies/3/Document")
    statements = relocate_policy(policy, to).statements
    built, reference = policy.moved(statements, to), _moved_by_init(policy, statements, to)
    assert type(built) is Policy
    assert built == reference and hash(built) == hash(reference) and repr(built) == repr(reference)
    assert built.location == to and built.statements == statements and built.flags == policy.flags
    assert [s.location for s in built.statements] == [s.location for s in statements]
    assert built._canonical == reference._canonical and built._selected is None
    # the memo tables are the original's (shared per content), the canonical text the original's
    assert built._positions is policy._positions and built._facts is policy._facts
    assert built.canonical_text() == policy.canonical_text()
    with pytest.raises(dataclasses.FrozenInstanceError):
        built.id = "x"  # type: ignore[misc]


@given(st.text(alphabet="ab*?$/{}:", max_size=12), st.booleans(), st.booleans())
def test_lazy_glob_is_the_eager_value(text: str, variables: bool, read_first: bool) -> None:
    """``lazy_glob`` parses its pattern when first read, to the pattern the eager value holds: equal, same hash and
    repr, same pattern (under the policy's ``variables`` switch, which changes ``${...}`` texts), still frozen, and
    it pickles to the same value whether or not its pattern was read."""
    eager = Glob(text, parse_pattern(text, wildcards=True, variables=variables))
    lazy = lazy_glob(text, variables)
    if read_first:
        assert lazy.pattern == eager.pattern
    copy = pickle.loads(pickle.dumps(lazy))
    assert type(lazy) is Glob and type(copy) is Glob
    for built in (lazy, copy):
        assert built == eager and hash(built) == hash(eager) and repr(built) == repr(eager)
        assert built.text == text and built.pattern == eager.pattern
        assert built.pattern is built.pattern  # parsed once, then kept
        with pytest.raises(dataclasses.FrozenInstanceError):
            built.text = "x"  # type: ignore[misc]
    assert Glob(text, ()) == eager and Glob(text + "x", ()) != eager  # equal by text alone, as before


def test_lazy_glob_variables_switch_changes_the_pattern() -> None:
    """The switch reaches the parse: a variable is a Variable under 2012-10-17 and literal text otherwise."""
    assert lazy_glob("home/${aws:username}", True).pattern != lazy_glob("home/${aws:username}", False).pattern
