"""``trustgraph query``: who can reach which role, with a witness per hop or the reason there is none."""

from __future__ import annotations

import argparse

from trustgraph.cli.commands import COMMAND_HELP
from trustgraph.errors import UsageError

QUERY_FORMATS = ("table", "json", "csv")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``query`` subcommand."""
    from trustgraph.cli.common import (
        add_format_option,
        add_input_options,
        add_now_option,
        add_output_option,
        positive_int,
    )

    p = subparsers.add_parser(
        "query", help=COMMAND_HELP["query"],
        description="Answer reachability questions over the trust graph with the SMT solver. Exit 0 when the "
                    "analysis completed (whatever the verdicts), 2 for bad input or usage.",
    )
    add_input_options(p)
    p.add_argument("--from", dest="source", metavar="SOURCE",
                   help="user/role/assumed-role ARN, arn:aws:iam::ID:root or account:ID, external, "
                        "federated:PROVIDER, service:NAME, or * (default: every source)")
    p.add_argument("--to", dest="target", metavar="TARGET",
                   help="role ARN, glob of role ARNs, admin, or * (default: every role)")
    p.add_argument("--without", action="append", default=[], metavar="KEY",
                   help="KEY is absent from the request on every hop (repeatable)")
    p.add_argument("--given", action="append", default=[], metavar="KEY=VALUE",
                   help="KEY is present with VALUE on every hop; VALUE may be a JSON list (repeatable)")
    p.add_argument("--closed", action="store_true",
                   help="every key neither given nor derived from the caller is absent")
    p.add_argument("--action", metavar="ACTION",
                   help="restrict the first hop's action (sts:AssumeRole, sts:AssumeRoleWithSAML, "
                        "sts:AssumeRoleWithWebIdentity)")
    p.add_argument("--max-hops", type=positive_int, metavar="N", help="longest path considered")
    p.add_argument("--timeout-ms", type=positive_int, metavar="MS", help="per solver call timeout (default 5000)")
    p.add_argument("--via", choices=("assume", "all"), default="assume",
                   help="edge kinds: assume (sts:AssumeRole* only, the default) or all (also privilege-escalation "
                        "methods: PassRole, UpdateAssumeRolePolicy, CreateAccessKey, policy changes, ...); with "
                        "--to admin and all: can the source become an administrator?")
    add_format_option(p, QUERY_FORMATS)
    add_output_option(p, QUERY_FORMATS)
    add_now_option(p)
    p.set_defaults(func=run)


def parse_given(items: list[str]) -> dict[str, list[str]]:
    """``KEY=VALUE`` pairs; VALUE may be a JSON list for multi-valued keys."""
    import json

    out: dict[str, list[str]] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UsageError(f"--given expects KEY=VALUE, got `{item}`")
        if value.startswith("["):
            try:
                parsed = json.loads(value)
            except json.JSONDecodeError as exc:
                raise UsageError(f"--given {key}: the value is not a JSON list ({exc.msg})") from None
            except (ValueError, RecursionError):  # an integer over 4,300 digits, nesting past the parser
                raise UsageError(f"--given {key}: the value is not a JSON list of strings") from None
            if not isinstance(parsed, list) or not all(isinstance(v, str) for v in parsed):
                raise UsageError(f"--given {key}: expected a JSON list of strings")
            out.setdefault(key, []).extend(parsed)
        else:
            out.setdefault(key, []).append(value)
    return out


def run(args: argparse.Namespace) -> int:
    """Load, build, query, render."""
    from trustgraph.cli.common import analysis_time, load_inputs, output_format, write_output
    from trustgraph.queries.graph_queries import GraphQueries
    from trustgraph.queries.options import QueryOptions
    from trustgraph.render.query import render_query_csv, render_query_json, render_query_table
    from trustgraph.semantics.request import ASSUME_ACTIONS

    fmt = output_format(args, QUERY_FORMATS)
    now = analysis_time(args)
    action = None
    if args.action:
        names = {a.value.lower(): a for a in ASSUME_ACTIONS}
        action = names.get(args.action.lower())
        if action is None:
            raise UsageError(f"--action must be one of {', '.join(a.value for a in ASSUME_ACTIONS)}")
    options = QueryOptions.make(without=args.without, given=parse_given(args.given), closed=args.closed,
                                action=action, max_hops=args.max_hops, timeout_ms=args.timeout_ms, via=args.via)
    estate, zone = load_inputs(args)
    tg = GraphQueries(estate, zone, now=now)
    results = tg.query(args.source, args.target, options)
    if fmt == "json":
        echo = {"from": args.source or "*", "to": args.target or "*", **options.describe(), "zone": zone.describe()}
        write_output(args, render_query_json(echo, results.results))
    elif fmt == "csv":
        write_output(args, render_query_csv(results.results))
    else:
        write_output(args, render_query_table(results.results, zone=zone.describe()))
    return 0
