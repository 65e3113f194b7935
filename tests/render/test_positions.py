"""Statement positions (line and column where a JSON pointer's value starts in the file as written)."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from trustgraph.model.location import Location
from trustgraph.render.positions import Position, json_pointer_positions, statement_positions

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "two-account-sample"


def test_sample_statement_is_on_line_229() -> None:
    """The issue's example: the trust statement of VendorIntegrationRole starts at line 229, column 21."""
    export = SAMPLE / "gaad-111122223333.json"
    loc = Location(str(export), "/RoleDetailList/3/AssumeRolePolicyDocument/Statement/0")
    pos = statement_positions([loc])[loc]
    assert pos == Position(229, 21)
    line = export.read_text(encoding="utf-8").splitlines()[pos.line - 1]
    assert line[pos.column - 1:] == "{"


def test_url_encoded_document_points_at_the_document_string(tmp_path: Path) -> None:
    doc = "%7B%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%7D%5D%7D"
    export = tmp_path / "raw.json"
    export.write_text('{"RoleDetailList": [\n  {"RoleName": "R",\n   "AssumeRolePolicyDocument": "' + doc + '"}]}',
                      encoding="utf-8")
    loc = Location(str(export), "/RoleDetailList/0/AssumeRolePolicyDocument/Statement/0")
    assert statement_positions([loc])[loc] == Position(3, 32)


def test_utf16_and_bom_files_count_code_points(tmp_path: Path) -> None:
    text = '{"a": "\u00e9\u00e9", "b": [\n  {"c": 1}]}'
    for name, data in (("bom.json", b"\xef\xbb\xbf" + text.encode("utf-8")), ("u16.json", text.encode("utf-16"))):
        export = tmp_path / name
        export.write_bytes(data)
        b = Location(str(export), "/b")
        c = Location(str(export), "/b/0")
        assert statement_positions([b, c]) == {b: Position(1, 18), c: Position(2, 3)}, name


def test_unreadable_or_invalid_files_are_left_out(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    locs = [Location(str(bad), "/x"), Location(str(tmp_path / "absent.json"), "/x")]
    assert statement_positions(locs) == {}


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=60)
@given(json_values, st.sampled_from([None, 1, 2, 4]))
def test_position_is_where_the_value_starts(value: object, indent: int | None) -> None:
    """Parsing the text from each recorded position gives back the value at that pointer."""
    text = json.dumps(value, indent=indent, ensure_ascii=False)
    lines = text.split("\n")
    decoder = json.JSONDecoder()
    for pointer, pos in json_pointer_positions(text).items():
        offset = sum(len(line) + 1 for line in lines[:pos.line - 1]) + pos.column - 1
        parsed, _ = decoder.raw_decode(text, offset)
        expected = value
        for token in pointer.split("/")[1:]:
            token = token.replace("~1", "/").replace("~0", "~")
            expected = expected[int(token)] if isinstance(expected, list) else expected[token]  # type: ignore[index]
        assert parsed == expected


@settings(max_examples=80)
@given(json_values, st.sampled_from([None, 1, 2]), st.data())
def test_targeted_walk_matches_the_full_table(value: object, indent: int | None, data: st.DataObject) -> None:
    """The walk statement_positions uses (only the cited pointers' way) gives the full table's positions for every
    pointer asked, existing or not, and for each of their resolvable prefixes."""
    from trustgraph.report.positions import offsets_to_positions, pointer_offsets, pointer_position

    text = json.dumps(value, indent=indent, ensure_ascii=False)
    full = json_pointer_positions(text)
    existing = sorted(full)
    asked = data.draw(st.lists(st.sampled_from(existing), max_size=4)) + data.draw(
        st.lists(st.sampled_from(existing).map(lambda p: p + "/0") | st.just("/nope/1"), max_size=2))
    targeted = offsets_to_positions(text, pointer_offsets(text, asked))
    assert all(full[p] == pos for p, pos in targeted.items())
    for pointer in asked:
        assert pointer_position(targeted, pointer) == pointer_position(full, pointer)


def test_targeted_walk_rejects_what_is_not_json_outside_the_cited_way() -> None:
    """Invalid JSON in a value no pointer walks into is still an error (a YAML template is then tried)."""
    from trustgraph.report.positions import pointer_offsets

    for text in ('{"a": 1, "b": [1, 2,]}', '{"a": 1, "b": NaN}', '{"a": 1} x', '{"a": 1, "b": "\x01"}'):
        try:
            pointer_offsets(text, ["/a"])
        except ValueError:
            continue
        raise AssertionError(f"accepted {text!r}")
