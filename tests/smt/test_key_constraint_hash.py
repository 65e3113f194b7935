""":class:`~trustgraph.smt.results.KeyConstraint`'s hash, computed once when made: the generated hash's value (so sets
and dicts of constraints iterate as before), equal for equal constraints, made again by ``dataclasses.replace`` and by
unpickling (in a process whose string hashes differ, the constraint finds itself in its sets and dicts)."""

from __future__ import annotations

import dataclasses
import os
import pickle
import subprocess
import sys

from hypothesis import given
from hypothesis import strategies as st

from trustgraph.smt.results import KeyConstraint

_TEXT = st.text(max_size=12)
_CONSTRAINTS = st.builds(KeyConstraint, _TEXT, st.sampled_from(["absent", "equals", "not-like"]),
                         st.lists(_TEXT, max_size=3).map(tuple))


@given(_CONSTRAINTS, _CONSTRAINTS)
def test_hash_as_generated(a: KeyConstraint, b: KeyConstraint) -> None:
    assert hash(a) == hash((a.key, a.op, a.values))
    assert (a == b) == ((a.key, a.op, a.values) == (b.key, b.op, b.values))
    if a == b:
        assert hash(a) == hash(b)
    copy = KeyConstraint(a.key, a.op, a.values)
    assert copy == a and hash(copy) == hash(a) and {a: 1}[copy] == 1


@given(_CONSTRAINTS, _TEXT)
def test_replace_and_pickle(a: KeyConstraint, key: str) -> None:
    moved = dataclasses.replace(a, key=key)
    assert hash(moved) == hash((key, a.op, a.values))
    back = pickle.loads(pickle.dumps(a))
    assert back == a and hash(back) == hash(a)


def test_fields_and_text_unchanged() -> None:
    c = KeyConstraint("aws:SourceIp", "equals", ("203.0.113.5",))
    assert [f.name for f in dataclasses.fields(c)] == ["key", "op", "values"]
    assert repr(c) == "KeyConstraint(key='aws:SourceIp', op='equals', values=('203.0.113.5',))"
    assert str(c) == "aws:SourceIp equals ['203.0.113.5']"


def test_unpickled_in_another_process() -> None:
    c = KeyConstraint("sts:ExternalId", "not-like", ("x*", "y"))
    code = ("import pickle, sys\n"
            "c = pickle.loads(sys.stdin.buffer.read())\n"
            "assert hash(c) == hash((c.key, c.op, c.values))\n"
            "assert c in {type(c)(c.key, c.op, c.values)}\n")
    for seed in ("1", "2"):
        subprocess.run([sys.executable, "-c", code], input=pickle.dumps(c), check=True,
                       env={**os.environ, "PYTHONHASHSEED": seed})
