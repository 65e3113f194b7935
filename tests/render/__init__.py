"""Tests of the report formats (trustgraph.render)."""
