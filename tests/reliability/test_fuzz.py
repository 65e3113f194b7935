"""Fuzzing the bundled exports (``datasets/example-org``): every mutant loads, or is refused with one line naming
the file and exit 2; never a traceback, never exit 1 or 3.

One file of the example is mutated per case: a value replaced by a hostile one (deep nesting, integers over 4,300
digits, control characters, markup, wrong types, URL-encoded junk), a key deleted or duplicated, or the bytes
truncated, flipped or spliced. Each mutant goes through the API (:func:`~trustgraph.ingest.load.load_estate`) and the
command line in-process (``main(["inventory", DIR, ...])``).

CI runs a few dozen cases (a few seconds). A longer run: ``TRUSTGRAPH_FUZZ_EXAMPLES=5000 python -m pytest
tests/reliability/test_fuzz.py -p no:cacheprovider`` (hypothesis keeps any failing mutant in ``.hypothesis/``
and prints it).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from deep_values import json_paths
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trustgraph.cli.main import main
from trustgraph.errors import IngestError
from trustgraph.ingest.load import load_estate

EXAMPLE = Path(__file__).resolve().parents[2] / "datasets" / "example-org"
FILES = sorted(p.name for p in EXAMPLE.glob("*.json"))
EXAMPLES = int(os.environ.get("TRUSTGRAPH_FUZZ_EXAMPLES", "30"))

hostile_values = st.one_of(
    st.sampled_from([
        None, True, 0, -1, 2**63, 1.5e308, "", "*", "Allow", "Deny", "/[/]/", "[link=https://evil.example/]x[/link]",
        "\x1b[2J\x1b]8;;https://evil.example/\x07", "=HYPERLINK(\"https://evil.example/\")", "a\nb\r\u2028",
        "%7B%22Statement%22%3A" + "%5B" * 3000, "%7B%22a%22%3A" + "9" * 5000 + "%7D", "\ud800", "x" * 100_000,
        "arn:aws:iam::*:role/*", "2027-13-45T00:00:00Z", "1e99999", "${aws:username}", "*a" * 40 + "*b",
    ]),
    st.text(max_size=20),
    st.integers(),
    st.lists(st.text(max_size=5), max_size=3),
    st.dictionaries(st.sampled_from(["Effect", "Principal", "AWS", "Statement", "Action", "Condition", "x"]),
                    st.one_of(st.text(max_size=5), st.none()), max_size=3),
)

RAW_DEEP = "[" * 2000 + "]" * 2000
RAW_HUGE = "9" * 5000


@st.composite
def mutants(draw: st.DrawFn) -> tuple[str, bytes]:
    """A file name of the example and mutated bytes for it."""
    name = draw(st.sampled_from(FILES))
    original = (EXAMPLE / name).read_bytes()
    kind = draw(st.sampled_from(["replace", "replace-raw", "delete", "duplicate", "truncate", "flip", "splice"]))
    if kind in ("truncate", "flip", "splice"):
        at = draw(st.integers(0, len(original)))
        if kind == "truncate":
            return name, original[:at]
        if kind == "flip":
            if at == len(original):
                at -= 1
            return name, original[:at] + bytes([original[at] ^ draw(st.integers(1, 255))]) + original[at + 1:]
        junk = draw(st.sampled_from([b"\x00", b"\xff\xfe", b"\xe9", b"{", b"]", b'"', b",", b"\\u0000", b"\x1b"]))
        return name, original[:at] + junk + original[at:]
    doc = json.loads(original)
    paths = json_paths(doc)[1:]
    if not paths:
        return name, original
    path = draw(st.sampled_from(paths))
    parent = doc
    for key in path[:-1]:
        parent = parent[key]
    last = path[-1]
    if kind == "replace":
        parent[last] = draw(hostile_values)
        return name, json.dumps(doc, ensure_ascii=draw(st.booleans())).encode("utf-8", "surrogatepass")
    if kind == "replace-raw":
        parent[last] = "__RAW__"
        raw = draw(st.sampled_from([RAW_DEEP, RAW_HUGE, "NaN", "-Infinity", '"\\ud800"']))
        return name, json.dumps(doc).replace('"__RAW__"', raw, 1).encode()
    if kind == "delete":
        del parent[last]
        return name, json.dumps(doc).encode()
    # duplicate: the key written twice, first with another value
    if not isinstance(parent, dict):
        return name, json.dumps(doc).encode()
    parent[last] = "__DUP__"
    text = json.dumps(doc).replace('"__DUP__"', '"Deny", ' + json.dumps(last) + ': "Allow"', 1)
    return name, text.encode()


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the example that each case mutates one file of (and restores)."""
    target = tmp_path_factory.mktemp("fuzz") / "example-org"
    shutil.copytree(EXAMPLE, target)
    return target


def _check_error_line(text: str, prefix: str) -> None:
    assert text.startswith(prefix), text[:500]
    assert text.count("\n") <= 1 and "\x1b" not in text and "Traceback" not in text, text[:500]
    assert len(text) < 5000


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(mutants())
def test_mutated_example_loads_or_fails_in_one_line(workdir: Path, capsys: pytest.CaptureFixture[str],
                                                    mutant: tuple[str, bytes]) -> None:
    name, data = mutant
    target = workdir / name
    target.write_bytes(data)
    try:
        try:
            load_estate([workdir])
        except IngestError as exc:
            _check_error_line(str(exc), str(workdir))
        capsys.readouterr()
        code = main(["inventory", str(workdir), "--format", "json"])
        err = capsys.readouterr().err
        assert code in (0, 2), err
        if code == 2:
            _check_error_line(err, f"trustgraph: error: {workdir}")
        else:
            assert "Traceback" not in err
    finally:
        shutil.copyfile(EXAMPLE / name, target)


def test_fixed_mutants_through_the_cli(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Three mutants of issue 12 that once crashed: a truncated file, ESC in a value, an Effect nested 2,000 deep."""
    target = workdir / "gaad-100000000001.json"
    original = target.read_bytes()
    try:
        for data in (original[: len(original) // 2], original.replace(b'"Allow"', b'"\\u001b[2J"', 1),
                     original.replace(b'"Allow"', b"[" * 2000 + b'"Allow"' + b"]" * 2000, 1)):
            target.write_bytes(data)
            assert main(["inventory", str(workdir), "--format", "json"]) == 2
            _check_error_line(capsys.readouterr().err, f"trustgraph: error: {target}#")
    finally:
        target.write_bytes(original)
