"""The help line of each subcommand: what ``trustgraph --help`` lists of the commands, known without importing them.

Each command's module (``trustgraph/cli/<name>.py``) registers its parser with its line from here; the top-level parser
lists the commands that do not run by this line alone (:func:`trustgraph.cli.main.build_parser`), so that a command
imports only its own module.
"""

from __future__ import annotations

COMMAND_HELP: dict[str, str] = {
    "inventory": "list every principal: users, roles and federated providers",
    "query": "reachability: can SOURCE obtain TARGET's credentials, directly or through a chain",
    "scan": "security review: run the catalog of trust checks and report findings",
    "graph": "write the trust graph as PNG/SVG, GraphML/GEXF (Gephi, graph databases) or node-link JSON",
    "synth": "write a generated organization of any size (reproducible from a seed)",
    "bench": "time every phase of a scan on a generated organization (or given exports)",
    "collect": "collect the exports of an account or an organization from AWS (boto3)",
    "diff": "compare two estates: new and resolved findings, guards lost",
}

__all__ = ["COMMAND_HELP"]
