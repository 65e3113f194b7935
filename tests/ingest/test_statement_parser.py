"""The loader's statement parser (StatementParser: per-load tables of shapes, Action/Resource elements and Condition
blocks) gives exactly the values and the errors of the reference, statement_from_json: every field, locations and
flags included, for the first occurrence of each part and for the later ones that reuse it."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path
from typing import Any

import pytest
from deep_values import deep
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies_policy import condition_block, statement

from trustgraph.errors import IngestError
from trustgraph.ingest.load import load_estate
from trustgraph.ingest.policy_json import statement_from_json
from trustgraph.ingest.statements import StatementParser
from trustgraph.model.condition import Condition, Operator
from trustgraph.model.location import Location
from trustgraph.model.policy import Effect, Glob, Statement, new_statement
from trustgraph.model.principal import PrincipalElement, classify_principal
from trustgraph.synth import synthesize

from .conftest import DATA, SAMPLE

_KINDS = ["trust", "identity", "boundary", "scp", "rcp", "resource"]
_LOCATIONS = [Location("a.json", "/RoleDetailList/0/AssumeRolePolicyDocument/Statement/0"),
              Location("dir/b~c.json", "/0/Policies/12/PolicyVersionList/1/Document/Statement"),
              Location("a.json", "/RoleDetailList/3/RolePolicyList/1/PolicyDocument/Statement/4")]

#: JSON values that are wrong in some element of a statement (and a few that are right)
_ODD_VALUES: list[Any] = [
    None, True, False, 0, 3, 1.5, "", "*", "Allow", "Deny", "Permit", "s3:*", [], {}, ["s3:*", 3], ["a", ["b"]],
    ["a", {"b": 1}], [None], ["x", "y"], {"AWS": []}, {"AWS": "*", "Bogus": "x"},
    {"AWS": ["arn:aws:iam::*:root", None]}, {"AWS": "arn:aws:iam::*:root"}, {"StringEquals": {}},
    {"StringEquals": {"k": []}}, {"StringEquals": "x"}, {"StringEquals": {"k": {"v": 1}}},
    {"Bool": {"aws:SecureTransport": [True, None]}}, {"NumericLessThan": {"n": 10**30}},
]
_ODD = st.sampled_from(_ODD_VALUES).map(copy.deepcopy)
_ELEMENTS = ["Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource",
             "Condition", "Bogus", "effect"]


def _outcome(parse: Any, raw: object, loc: Location, kind: Any, variables: bool) -> object:
    try:
        return deep(parse(raw, loc, kind, variables))
    except IngestError as exc:
        return ("error", str(exc))


def _reference(raw: object, loc: Location, kind: Any, variables: bool) -> Statement:
    return statement_from_json(raw, loc, kind=kind, variables=variables)


@settings(max_examples=300, deadline=None)
@given(raws=st.lists(statement(), min_size=1, max_size=6), kinds=st.lists(st.sampled_from(_KINDS), min_size=6,
                                                                          max_size=6),
       variables=st.booleans(), where=st.lists(st.sampled_from(_LOCATIONS), min_size=6, max_size=6))
def test_valid_statements_equal_the_reference(raws: list[dict[str, Any]], kinds: list[Any], variables: bool,
                                              where: list[Location]) -> None:
    """Each statement parsed twice by one parser (the second time from its tables), at two places."""
    parser = StatementParser()
    for i, raw in enumerate(raws):
        for loc, kind in ((where[i], kinds[i]), (where[-1 - i], kinds[-1 - i])):
            fast = parser(copy.deepcopy(raw), loc, kind, variables)
            assert deep(fast) == deep(_reference(raw, loc, kind, variables))
            assert fast.location is loc


@settings(max_examples=400, deadline=None)
@given(base=statement(), changes=st.lists(st.tuples(st.sampled_from(_ELEMENTS), st.one_of(_ODD, st.just(None))),
                                          min_size=1, max_size=3),
       drop=st.lists(st.sampled_from(_ELEMENTS), max_size=2), kind=st.sampled_from(_KINDS), variables=st.booleans(),
       warm=st.booleans())
def test_malformed_statements_raise_the_reference_error(base: dict[str, Any], changes: list[tuple[str, Any]],
                                                        drop: list[str], kind: Any, variables: bool,
                                                        warm: bool) -> None:
    """A statement with elements replaced, added or removed: the same value or the same one-line error, whether or
    not the parser has seen the untouched statement before."""
    raw: dict[str, Any] = dict(base)
    for name, value in changes:
        raw[name] = value
    for name in drop:
        raw.pop(name, None)
    parser = StatementParser()
    if warm:
        parser(base, _LOCATIONS[1], kind, variables)
    loc = _LOCATIONS[0]
    assert _outcome(parser, raw, loc, kind, variables) == _outcome(_reference, raw, loc, kind, variables)
    assert _outcome(parser, [raw], loc, kind, variables) == _outcome(_reference, [raw], loc, kind, variables)


_BASES: list[dict[str, Any]] = [
    {"Sid": "s", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
     "Action": "sts:AssumeRole", "Condition": {"StringEquals": {"sts:ExternalId": "x"}}},
    {"Effect": "Deny", "NotAction": ["iam:*", "sts:*"], "NotResource": "arn:aws:s3:::b/${aws:username}/*"},
    {"Effect": "Allow", "NotPrincipal": "*", "Action": ["s3:Get*"], "Resource": ["a", "b"]},
]


@pytest.mark.parametrize("base", range(len(_BASES)))
@pytest.mark.parametrize("name", _ELEMENTS)
def test_every_element_replaced_by_every_odd_value(base: int, name: str) -> None:
    """Each element of a few statements (present or added) set to each odd value, and removed: the same outcome
    as the reference, from a fresh parser and from one that has parsed the untouched statement."""
    for value in [*_ODD_VALUES, "<removed>"]:
        raw = copy.deepcopy(_BASES[base])
        if value == "<removed>":
            raw.pop(name, None)
        else:
            raw[name] = copy.deepcopy(value)
        for kind in ("trust", "identity"):
            expected = _outcome(_reference, raw, _LOCATIONS[0], kind, True)
            warm = StatementParser()
            warm(copy.deepcopy(_BASES[base]), _LOCATIONS[1], kind, True)
            for parser in (StatementParser(), warm):
                assert _outcome(parser, raw, _LOCATIONS[0], kind, True) == expected, (name, value, kind)


@settings(max_examples=150, deadline=None)
@given(block=condition_block, variables=st.booleans())
def test_a_repeated_condition_block_gets_each_occurrence_its_own_locations(block: dict[str, Any],
                                                                           variables: bool) -> None:
    raw = {"Effect": "Allow", "Action": "sts:AssumeRole", "Condition": block}
    parser = StatementParser()
    for loc in _LOCATIONS:
        fast = parser(copy.deepcopy(raw), loc, "trust", variables)
        assert deep(fast) == deep(_reference(raw, loc, "trust", variables))
        assert all(c.location.pointer.startswith(loc.pointer + "/Condition/") for c in fast.conditions)
        assert all(c.location.file == loc.file for c in fast.conditions)


def test_new_statement_equals_the_dataclass_constructor() -> None:
    glob = Glob("s3:*", ())
    principal = classify_principal(PrincipalElement.AWS, "arn:aws:iam::111122223333:root")
    cond = Condition(operator=Operator.BOOL, operator_text="Bool", key="aws:securetransport",
                     key_text="aws:SecureTransport", values=(True,), location=_LOCATIONS[2])
    fields = dict(sid="x", effect=Effect.DENY, principals=None, not_principals=(principal,), actions=None,
                  not_actions=(glob,), resources=(glob,), not_resources=None, conditions=(cond,),
                  location=_LOCATIONS[0], flags=("f",))
    built = new_statement(**fields)  # type: ignore[arg-type]
    assert deep(built) == deep(Statement(**fields))  # type: ignore[arg-type]
    with pytest.raises(AttributeError):
        built.sid = "y"  # type: ignore[misc]
    moved = cond.moved(_LOCATIONS[1])
    assert moved.location is _LOCATIONS[1] and moved.texts is cond.texts
    assert deep(moved) == deep(Condition(operator=Operator.BOOL, operator_text="Bool", key="aws:securetransport",
                                         key_text="aws:SecureTransport", values=(True,), location=_LOCATIONS[1]))


@pytest.mark.parametrize("profile", ["mix", "federation-heavy", "chain-heavy", "vendor-heavy", "condition-heavy",
                                     "random"])
def test_fast_load_equals_the_reference_load_on_every_profile(profile: str, tmp_path: Path) -> None:
    synthesize(tmp_path / "org", accounts=3, roles_per_account=20, seed=4, profile=profile)
    fast = load_estate([tmp_path / "org"])
    assert deep(fast) == deep(load_estate([tmp_path / "org"], fast_statements=False))
    assert deep(fast) == deep(load_estate([tmp_path / "org"], share_documents=False))


@pytest.mark.parametrize("path", [SAMPLE, DATA / "checks", Path(__file__).resolve().parents[2] / "datasets"
                                  / "example-org"])
def test_fast_load_equals_the_reference_load_on_the_bundled_data(path: Path) -> None:
    assert deep(load_estate([path])) == deep(load_estate([path], fast_statements=False))


def test_invalid_corpus_unchanged_without_the_parser(tmp_path: Path) -> None:
    """Every file of the invalid and IAM-rejects corpora: the same error (or the same estate) with and without it."""
    files = sorted((DATA / "invalid").glob("*.json")) + sorted((DATA / "iam_rejects").glob("*.json"))
    assert files
    for f in files:
        path = tmp_path / f.name
        shutil.copy(f, path)
        outcomes = []
        for fast in (True, False):
            try:
                outcomes.append(deep(load_estate([path], fast_statements=fast)))
            except IngestError as exc:
                outcomes.append(str(exc))
        assert outcomes[0] == outcomes[1], f.name
