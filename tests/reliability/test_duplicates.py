"""Duplicate keys are refused with the pointer of the key (``"Effect": "Deny", "Effect": "Allow"`` loaded as Allow
with no flag), in files and in URL-encoded policy documents; the fast check never misses one."""

from __future__ import annotations

import json
import urllib.parse
from pathlib import Path

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trustgraph.cli.main import main
from trustgraph.errors import IngestError
from trustgraph.ingest.duplicates import first_duplicate, might_have_duplicates
from trustgraph.ingest.load import load_estate

from .hostile import BASE, FILE, base, first_role, write


def test_duplicate_effect_is_refused_with_its_pointer(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = json.dumps(BASE).replace('"Effect": "Allow"', '"Effect": "Deny", "Effect": "Allow"', 1)
    d = write(tmp_path, text)
    assert main(["inventory", str(d)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"trustgraph: error: {d / FILE}#/") and "/Statement/0/Effect: duplicate key `Effect`" in err


def test_duplicate_in_a_url_encoded_document(tmp_path: Path) -> None:
    doc = base()
    text = ('{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Effect":"Allow","Principal":{"AWS":"*"},'
            '"Action":"sts:AssumeRole"}]}')
    first_role(doc)["AssumeRolePolicyDocument"] = urllib.parse.quote(text)
    with pytest.raises(IngestError) as info:
        load_estate([write(tmp_path, doc)])
    assert info.value.pointer == "/RoleDetailList/0/AssumeRolePolicyDocument/Statement/0/Effect"


def test_escaped_colons_do_not_hide_a_duplicate() -> None:
    # the fast check counts colons; \\u003a escapes and escaped quotes must not balance a dropped key
    for text in ('{"a\\u003a":1,"k":1,"k":2}', '{"a":"\\u003a","k":"x:y","k":"z"}', '{"a":"\\"k\\":","k":1,"k":1}',
                 '{"a":"\\\\u003a","b":1}'):
        data = text.encode()
        expected = first_duplicate(data)
        if expected is not None:
            assert might_have_duplicates(data, orjson.loads(data)), text


keys = st.sampled_from(["a", "b", "a:b", ":", "\\u003a", '\\"', "\\\\u003a"])
scalars = st.one_of(st.integers(-5, 5).map(str), st.sampled_from(['"x:y"', '"\\u003a"', '"\\\\u003a"', '":"', "null"]))
values = st.recursive(scalars,
                      lambda inner: st.one_of(
                          st.lists(inner, max_size=3).map(lambda xs: "[" + ",".join(xs) + "]"),
                          st.lists(st.tuples(keys, inner), max_size=4).map(
                              lambda kv: "{" + ",".join(f'"{k}" : {v}' for k, v in kv) + "}")),
                      max_leaves=8)


@settings(max_examples=400, deadline=None)
@given(values)
def test_the_fast_check_sends_every_duplicate_to_the_exact_one(text: str) -> None:
    data = text.encode()
    parsed = orjson.loads(data)
    if first_duplicate(data) is not None:
        assert might_have_duplicates(data, parsed)


def test_duplicate_deeper_than_orjson_writes() -> None:
    text = ('{"a":' * 300 + '{"k":1,"k":2}' + "}" * 300).encode()
    assert might_have_duplicates(text, orjson.loads(text))
    pointer, key = first_duplicate(text) or ("", "")
    assert pointer == "/a" * 300 and key == "k"
