"""The escaping helpers: terminal text, one-line messages, CSV cells, XML text."""

from __future__ import annotations

import xml.dom.minidom

from hypothesis import given
from hypothesis import strategies as st

from trustgraph.safe_text import csv_cell, escape_markup, one_line, shorten_middle, terminal_text, xml_text


def test_control_characters_become_visible_escapes() -> None:
    assert terminal_text("a\x1b[2Jb") == "a\\x1b[2Jb"
    assert terminal_text("x\ntrustgraph: error: forged") == "x\\ntrustgraph: error: forged"
    assert terminal_text("\r\t\x7f\x9b\u2028\u202e") == "\\r\\t\\x7f\\x9b\\u2028\\u202e"
    assert terminal_text("plain [bold]text[/] é") == "plain [bold]text[/] é"


@given(st.text())
def test_terminal_text_has_no_control_characters(text: str) -> None:
    out = terminal_text(text)
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in out)
    assert "\n" not in out and "\u2028" not in out


def test_long_values_are_shortened_in_the_middle() -> None:
    value = "A" * 5_000_000 + "Z" * 5_000_000
    out = one_line(value, 200)
    assert len(out) < 300
    assert out.startswith("AAAA") and out.endswith("ZZZZ") and "(9999868 characters)" in out
    assert shorten_middle("short", 200) == "short"


def test_markup_is_escaped_for_markup_only_places() -> None:
    from rich.console import Console

    console = Console(record=True, width=200, color_system=None)
    console.print(escape_markup("/[/]/ [link=https://evil.example/]click[/link]"))
    assert "/[/]/ [link=https://evil.example/]click[/link]" in console.export_text()


def test_csv_cells_never_start_a_formula() -> None:
    for prefix in ("=", "+", "-", "@", "\t", "\r"):
        assert csv_cell(prefix + "HYPERLINK(1)").startswith(("'", "\\"))
    assert csv_cell("-") == "-"
    assert csv_cell("arn:aws:iam::1:role/x") == "arn:aws:iam::1:role/x"
    assert csv_cell("a\x1bb") == "a\\x1bb"


@given(st.text())
def test_xml_text_is_always_well_formed(text: str) -> None:
    from xml.sax.saxutils import escape

    xml.dom.minidom.parseString(f"<a>{escape(xml_text(text))}</a>")
