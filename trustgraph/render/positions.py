"""Statement positions live in :mod:`trustgraph.report.positions` (the report layer, which the report types use);
the names are imported here too, so ``from trustgraph.render.positions import Position`` keeps working."""

from trustgraph.report.positions import (
    Position,
    json_pointer_lines,
    json_pointer_positions,
    pointer_position,
    read_text,
    statement_positions,
)

__all__ = ["Position", "json_pointer_lines", "json_pointer_positions", "pointer_position", "read_text",
           "statement_positions"]
