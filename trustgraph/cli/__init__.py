"""The command line: ``trustgraph <command>``; see :mod:`trustgraph.cli.main`."""
