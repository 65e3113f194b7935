"""Queries never change the graph their holder sees: nodes, edges and every attribute are the same before and after
any query, whatever form its source takes (every form ``--from`` accepts) and whatever it targets."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.queries.builders import account, allow_aws, assume_policy, graph, role, trust, user
from trustgraph.errors import UsageError
from trustgraph.model import Zone
from trustgraph.queries.options import QueryOptions

A = "111111111111"
PARTNER = "999988887777"  # in the zone, not exported
VENDOR = "777788889999"  # outside, named by a trust policy
STRANGER = "123412341234"  # outside, named by nothing
OIDC = "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com"


def _estate():  # type: ignore[no-untyped-def]
    roles = [
        role(A, "Dev", trust(allow_aws(f"arn:aws:iam::{A}:root")), inline=[assume_policy("*")]),
        role(A, "Admin", trust(allow_aws(f"arn:aws:iam::{A}:role/Dev")), admin=True),
        role(A, "Public", trust(allow_aws("*"))),
        role(A, "Vendor", trust(allow_aws(f"arn:aws:iam::{VENDOR}:role/VendorRole",
                                          {"StringEquals": {"sts:ExternalId": "x-1"}}))),
        role(A, "Partner", trust(allow_aws(f"arn:aws:iam::{PARTNER}:root"))),
        role(A, "Lambda", trust({"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                 "Action": "sts:AssumeRole"})),
        role(A, "Deploy", trust({"Effect": "Allow", "Principal": {"Federated": OIDC},
                                 "Action": "sts:AssumeRoleWithWebIdentity",
                                 "Condition": {"StringLike": {"token.actions.githubusercontent.com:sub":
                                                              "repo:acme/*"}}})),
    ]
    users = [user(A, "alice", inline=[assume_policy(f"arn:aws:iam::{A}:role/Dev")])]
    return account(A, roles=roles, users=users)


SOURCES = [
    None, "*", "external",
    f"arn:aws:iam::{A}:user/alice", f"arn:aws:iam::{A}:role/Dev",  # exported principals
    f"arn:aws:sts::{A}:assumed-role/Dev/nightly",  # a session of an exported role
    f"arn:aws:iam::{VENDOR}:role/VendorRole", f"arn:aws:sts::{VENDOR}:assumed-role/VendorRole/s1",  # not exported
    f"arn:aws:iam::{PARTNER}:user/carol",  # not exported, in the zone
    f"account:{A}", f"account:{PARTNER}", f"account:{VENDOR}", f"account:{STRANGER}",
    f"arn:aws:iam::{STRANGER}:root", f"arn:aws:iam::{PARTNER}:root",
    "service:lambda.amazonaws.com", f"federated:{OIDC}", "federated:token.actions.githubusercontent.com",
    "account:12", "arn:aws:iam::111111111111:user/typo",  # refused: the graph is unchanged all the same
]
TARGETS = [None, "*", "admin", f"arn:aws:iam::{A}:role/Public", f"arn:aws:iam::{A}:role/Partner",
           f"arn:aws:iam::{A}:role/*"]


def _fingerprint(G: Any) -> tuple[Any, ...]:
    return (
        sorted((n, sorted(d.items(), key=lambda kv: kv[0])) for n, d in G.nodes(data=True)),
        sorted((u, v, k, sorted(d.items(), key=lambda kv: kv[0])) for u, v, k, d in G.edges(keys=True, data=True)),
        sorted(G.graph),
    )


@settings(max_examples=40)
@given(queries=st.lists(st.tuples(st.sampled_from(SOURCES), st.sampled_from(TARGETS),
                                  st.sampled_from(["assume", "all"])), min_size=1, max_size=4))
def test_no_query_changes_the_graph(queries: list[tuple[str | None, str | None, str]]) -> None:
    tg = graph(_estate(), zone=Zone(accounts=frozenset({A, PARTNER})))
    before = _fingerprint(tg.graph)
    for source, target, via in queries:
        try:
            tg.query(source, target, QueryOptions.make(via=via))
        except UsageError:
            pass
        assert _fingerprint(tg.graph) == before, (source, target, via)


def test_every_source_form_resolves() -> None:
    """The sources above are the forms the CLI accepts (each answers, apart from the two refused on purpose)."""
    tg = graph(_estate(), zone=Zone(accounts=frozenset({A, PARTNER})))
    refused = []
    for source in SOURCES:
        try:
            tg.query(source, f"arn:aws:iam::{A}:role/Public")
        except UsageError:
            refused.append(source)
    assert refused == ["account:12", "arn:aws:iam::111111111111:user/typo"]
