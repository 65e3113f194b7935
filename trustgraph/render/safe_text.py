"""The escaping helpers for renderers (terminal, CSV, XML); they live in :mod:`trustgraph.safe_text` so that the
lower layers' error messages can use them too."""

from trustgraph.safe_text import (
    MAX_MESSAGE_VALUE,
    csv_cell,
    escape_markup,
    message_line,
    one_line,
    rich_text,
    shorten_middle,
    terminal_text,
    xml_text,
)

__all__ = [
    "MAX_MESSAGE_VALUE",
    "csv_cell",
    "escape_markup",
    "message_line",
    "one_line",
    "rich_text",
    "shorten_middle",
    "terminal_text",
    "xml_text",
]
