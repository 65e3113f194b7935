"""``trustgraph graph``: write the trust graph (or the part between --from and --to) as a picture or for other tools."""

from __future__ import annotations

import argparse
import sys

from trustgraph.cli.commands import COMMAND_HELP


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``graph`` subcommand."""
    from trustgraph.cli.common import add_input_options, positive_int

    p = subparsers.add_parser(
        "graph", help=COMMAND_HELP["graph"],
        description="Write the trust graph, by the extension of OUT: .png or .svg (a picture in hop columns and "
                    "account bands; large graphs aggregated per account), .graphml or .gexf (attributes as strings, "
                    "numbers and booleans), .json (networkx node-link). --from/--to keep the part of the graph on "
                    "paths from SOURCE and/or to TARGET (candidate edges, before the solver).",
    )
    add_input_options(p)
    p.add_argument("--from", dest="source", metavar="SOURCE",
                   help="keep SOURCE and what it can reach (query SOURCE syntax)")
    p.add_argument("--to", dest="target", metavar="TARGET",
                   help="keep TARGET and what can reach it (query TARGET syntax)")
    p.add_argument("-o", "--output", required=True, metavar="OUT",
                   help="output file: .png, .svg, .graphml, .gexf or .json")
    p.add_argument("--max-nodes", type=positive_int, metavar="N",
                   help="pictures: aggregate per account above N nodes (default 250)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Check the output format, load, cut the subgraph, write."""
    from trustgraph.errors import UsageError
    from trustgraph.plot.export import export_graph, format_of, subgraph_between

    format_of(args.output)  # an unknown extension fails before any loading
    from trustgraph.cli.common import load_inputs
    from trustgraph.graph.build import build_graph

    estate, zone = load_inputs(args)
    G = build_graph(estate, zone)
    sub = subgraph_between(G, args.source, args.target)
    try:
        written = export_graph(sub, args.output, max_nodes=args.max_nodes)
    except OSError as exc:
        raise UsageError(f"cannot write `{args.output}`: {exc.strerror or exc}") from None
    # a picture's own title: the counts printed are the counts drawn (membership edges are not drawn)
    print(f"wrote {args.output} ({written.format}): {written.description}", file=sys.stdout)
    return 0
