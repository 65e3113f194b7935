"""Making text from the exports safe for the places it is written to: a terminal, a one-line message, a spreadsheet
cell, an XML document.

Every string in an export is attacker-controlled (anyone who can edit a role's path, tags or trust policy writes
it), so every renderer passes such strings through the function for its medium:

- :func:`terminal_text`: control characters (ESC, newline, DEL, the C1 range, the Unicode line separators and the
  bidirectional overrides) shown as visible escapes (``\\x1b``, ``\\n``), so data cannot move the cursor, clear the
  screen, forge a line or reorder what is shown. Rich markup is a separate concern: :func:`rich_text` returns a
  :class:`rich.text.Text` (which never interprets ``[bold]`` or ``[link=...]``) and :func:`escape_markup` escapes a
  string for the places that only take markup.
- :func:`one_line`: :func:`terminal_text` with values longer than a limit shortened in the middle
  (:func:`shorten_middle`), for error and warning lines.
- :func:`csv_cell`: a cell a spreadsheet will not run as a formula (``=``, ``+``, ``-``, ``@``, tab or carriage
  return at the start get a leading ``'``, OWASP's advice; the bare ``-`` placeholder stays as it is), control
  characters escaped as for the terminal.
- :func:`markdown_code`: a Markdown code span (GitHub-flavoured, table cells included): nothing in it is read as
  markup, a link, an HTML tag or an @-mention; backticks get a longer fence, ``|`` is escaped for table cells,
  control characters as for the terminal.
- :func:`xml_text`: characters XML 1.0 forbids (C0 controls other than tab, newline and carriage return, lone
  surrogates, U+FFFE/U+FFFF) replaced by visible escapes, so GraphML, GEXF and SVG stay well-formed.

This module imports nothing of trustgraph, so every layer (the ingesters' error messages included) may use it.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.text import Text

#: Default length above which :func:`one_line` shortens a value.
MAX_MESSAGE_VALUE = 200

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# C0 controls, DEL, C1 controls, line/paragraph separators, bidirectional embeddings/overrides/isolates, and the
# zero-width characters that can hide text; each is shown as an escape.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\u200b-\u200f\ufeff]")
# What XML 1.0 forbids in a document (tab, newline and carriage return are allowed).
_XML_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _escape(char: str) -> str:
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal_text(text: str) -> str:
    """``text`` with every control character shown as a visible escape.

    >>> terminal_text("a\\x1b[2Jb\\nc")
    'a\\\\x1b[2Jb\\\\nc'
    """
    if _CONTROL.search(text) is None:
        return text
    return _CONTROL.sub(lambda m: _escape(m.group()), text)


def shorten_middle(text: str, limit: int = MAX_MESSAGE_VALUE) -> str:
    """``text`` when it has at most ``limit`` characters, else its start and end around ``...(N characters)...``.

    >>> shorten_middle("a" * 10 + "b" * 10, 12)
    'aaaa...(12 characters)...bbbb'
    """
    if len(text) <= limit:
        return text
    keep = max(limit // 3, 1)
    return f"{text[:keep]}...({len(text) - 2 * keep} characters)...{text[-keep:]}"


def one_line(text: str, limit: int = MAX_MESSAGE_VALUE) -> str:
    """A value fit for a one-line message: shortened in the middle, then control characters escaped.

    >>> one_line("x\\ntrustgraph: error: forged")
    'x\\\\ntrustgraph: error: forged'
    """
    return terminal_text(shorten_middle(text, limit))


def message_line(text: str, limit: int = 4 * MAX_MESSAGE_VALUE) -> str:
    """A whole message (already built, values included) as one terminal line: control characters escaped, and an
    over-long message shortened in the middle (its start names the file, its end says what was expected)."""
    return terminal_text(shorten_middle(text, limit))


def escape_markup(text: str) -> str:
    """``text`` for a place that reads rich markup: ``[`` escaped and control characters made visible."""
    from rich.markup import escape

    return escape(terminal_text(text))


def rich_text(text: str, style: str = "") -> Text:
    """A :class:`rich.text.Text` of ``text`` with control characters made visible; rich never reads markup in it."""
    from rich.text import Text

    return Text(terminal_text(text), style=style)


def csv_cell(cell: str) -> str:
    """The cell with control characters shown as escapes (a CSV file is read in terminals too) and a leading ``'``
    when a spreadsheet would read it as a formula (the bare ``-`` placeholder kept).

    >>> csv_cell('=HYPERLINK("https://evil.example/")'), csv_cell("-"), csv_cell("-1")
    ('\\'=HYPERLINK("https://evil.example/")', '-', "'-1")
    """
    cell = terminal_text(cell)
    if cell != "-" and cell.startswith(_FORMULA_START):
        return "'" + cell
    return cell


def markdown_code(text: str) -> str:
    r"""``text`` as a GitHub-flavoured Markdown code span, safe in a table cell (empty text is ``-``).

    >>> markdown_code("a|b"), markdown_code("x`y"), markdown_code("`"), markdown_code("[x](https://e)")
    ('`a\\|b`', '``x`y``', '`` ` ``', '`[x](https://e)`')
    """
    text = terminal_text(text).replace("|", "\\|")
    if not text:
        return "-"
    run = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * (run + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or (text.startswith(" ") and text.endswith(" ")) else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def xml_text(text: str) -> str:
    """``text`` without the characters XML 1.0 forbids (each replaced by its visible escape, e.g. ``\\x1b``).

    >>> xml_text("a\\x1bb\\tc")
    'a\\\\x1bb\\tc'
    """
    if _XML_FORBIDDEN.search(text) is None:
        return text
    return _XML_FORBIDDEN.sub(lambda m: _escape(m.group()), text)


__all__ = [
    "MAX_MESSAGE_VALUE",
    "csv_cell",
    "escape_markup",
    "markdown_code",
    "message_line",
    "one_line",
    "rich_text",
    "shorten_middle",
    "terminal_text",
    "xml_text",
]
