"""``trustgraph diff OLD --cloudformation TEMPLATE``: NEW is OLD with the template's IAM resources deployed.

The options are added to ``diff`` by :func:`add_arguments`; :func:`overlay_from_args` reads the template as changes
to the account; ``diff`` applies them and prints the loader's notes (resource types not analysed, generated names,
values unknown until deploy) on standard error, so that nothing the template holds is dropped without a word.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from trustgraph.errors import UsageError

if TYPE_CHECKING:
    from trustgraph.ingest.overlay import Overlay
    from trustgraph.model.estate import Estate


def add_arguments(p: argparse.ArgumentParser) -> None:
    """``--cloudformation``, ``--parameters``, ``--stack-name`` (``--account`` is diff's own)."""
    p.add_argument("--cloudformation", metavar="TEMPLATE",
                   help="a CloudFormation template (JSON or YAML, processed: no Transform): NEW is OLD with its IAM "
                        "resources deployed to the account")
    p.add_argument("--parameters", metavar="FILE",
                   help="the template's parameter values: the AWS CLI's [{\"ParameterKey\", \"ParameterValue\"}] "
                        "list or a {KEY: VALUE} object (JSON or YAML); parameters without a value use their Default")
    p.add_argument("--stack-name", metavar="NAME",
                   help="the stack's name (AWS::StackName and generated names); default: the template's file name")


def account_for(old: Estate, given: str | None, what: str) -> str:
    """The account a template or plan deploys to: ``--account``, or OLD's only account.

    Raises
    ------
    UsageError
        When neither decides it, or ``--account`` is not a 12-digit id.
    """
    from trustgraph.model.arn import is_account_id

    if given is not None:
        if not is_account_id(given):
            raise UsageError(f"argument --account: expected a 12-digit account id, got {given!r} "
                             f"(see 'trustgraph diff --help')")
        return given
    ids = sorted(a.account_id for a in old.accounts)
    if len(ids) == 1:
        return ids[0]
    held = f"{len(ids)} accounts ({', '.join(ids[:5])}{', ...' if len(ids) > 5 else ''})" if ids else "no account"
    raise UsageError(f"OLD holds {held}: name the account the {what} deploys to with --account ID "
                     f"(see 'trustgraph diff --help')")


def overlay_from_args(args: argparse.Namespace, old: Estate) -> Overlay:
    """The template's changes for ``--cloudformation`` (the caller applies them and prints the notes)."""
    from trustgraph.ingest.cloudformation import load_cloudformation

    account = account_for(old, args.account, "template")
    snap = old.account_by_id.get(account)
    return load_cloudformation(args.cloudformation, account=account,
                               partition=snap.partition if snap is not None else "aws",
                               parameters_file=args.parameters, stack_name=args.stack_name, old=old)


__all__ = ["account_for", "add_arguments", "overlay_from_args"]
