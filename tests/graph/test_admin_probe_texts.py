"""AdminDecider.quick from one probe answer per policy content (``probe_texts=True``: each policy's Allow statements
walked once for all the probe actions, each Action text answered once per decider, the answer kept on the policy and
its moved copies) answers as the reference (``probe_texts=False``: ``may_allow`` per probe action). Data: generated
documents with the Action/NotAction texts that decide the probes (wildcards, IAM, self-management, Deny), the
project's test exports, and generated organizations of several profiles (most identity policies there are moved
copies of repeated documents, so a fact computed for one copy is read by the others)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trustgraph.graph.admin import NOT_ADMIN, AdminDecider
from trustgraph.graph.build import _Index
from trustgraph.ingest.load import load_estate
from trustgraph.ingest.policy_json import policy_from_json
from trustgraph.model.estate import Estate
from trustgraph.model.location import Location
from trustgraph.model.policy import Policy
from trustgraph.synth import synthesize

ROOT = Path(__file__).resolve().parents[2]

#: texts that cover some probe, and texts that cover none (the IAM probe is ``iam:ZzProbe``, the every-action one
#: ``zzprobe:ZzProbe``)
TEXTS = ["*", "*:*", "iam:*", "IAM:put*", "iam:PutRolePolicy", "iam:AttachUserPolicy", "iam:Attach*", "iam:?utUser*",
         "zz*", "s3:*", "s3:GetObject", "sts:AssumeRole", "ec2:Describe*", "iam:Get*", "iam:PassRole", "iam:List*",
         "*Policy", "iam:Z?Probe", "kms:*"]


@st.composite
def _statement(draw: st.DrawFn) -> dict[str, Any]:
    out: dict[str, Any] = {"Effect": draw(st.sampled_from(["Allow", "Allow", "Deny"])), "Resource": "*"}
    which = draw(st.sampled_from(["Action", "Action", "NotAction"]))
    texts = draw(st.lists(st.sampled_from(TEXTS), min_size=1, max_size=3))
    out[which] = texts if len(texts) > 1 or draw(st.booleans()) else texts[0]
    return out


def _policy(statements: list[dict[str, Any]], n: int) -> Policy:
    return policy_from_json({"Version": "2012-10-17", "Statement": statements}, Location(f"p{n}.json", ""))


def _quick(policies: tuple[Policy, ...], user: bool, probe_texts: bool) -> Any:
    return AdminDecider(probe_texts=probe_texts).quick(policies, user)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_statement(), min_size=0, max_size=4), min_size=0, max_size=3), st.booleans())
def test_generated_policies_equal_reference(documents: list[list[dict[str, Any]]], user: bool) -> None:
    reference = _quick(tuple(_policy(d, i) for i, d in enumerate(documents)), user, False)
    # fresh policies (no fact kept yet), then the same policies again (the facts the first call kept read back)
    fresh = tuple(_policy(d, i) for i, d in enumerate(documents))
    assert _quick(fresh, user, True) == reference
    assert _quick(fresh, user, True) == reference
    # the other kind of principal asks other probes of the same policies: its own fact, not the first one's
    assert _quick(fresh, not user, True) == _quick(fresh, not user, False)


def test_probe_texts_see_each_kind_of_probe() -> None:
    """Each probe decides on its own: a policy that allows only one of them is not NOT_ADMIN, one that allows none
    (or only denies) is; a NotAction that leaves a probe out allows it."""
    for text in ("*", "iam:*", "iam:PutRolePolicy", "iam:AttachRolePolicy"):
        assert _quick((_policy([{"Effect": "Allow", "Action": text, "Resource": "*"}], 0),), False, True) is None
    assert _quick((_policy([{"Effect": "Allow", "Action": "iam:PutRolePolicy", "Resource": "*"}], 0),), True,
                  True) is NOT_ADMIN  # a user's probes are the user actions
    assert _quick((_policy([{"Effect": "Deny", "Action": "*", "Resource": "*"}], 0),), False, True) is NOT_ADMIN
    assert _quick((_policy([{"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"}], 0),), False, True) is None
    assert _quick((_policy([{"Effect": "Allow", "NotAction": ["*"], "Resource": "*"}], 0),), False, True) \
        is NOT_ADMIN


@pytest.fixture(scope="module", params=["sample", "checks", "example-org", "mix", "random-1", "random-3",
                                        "condition-heavy"])
def estate(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Estate]:
    name = str(request.param)
    paths = {"sample": ROOT / "tests" / "data" / "two-account-sample", "checks": ROOT / "tests" / "data" / "checks",
             "example-org": ROOT / "datasets" / "example-org"}
    if name in paths:
        return name, load_estate([paths[name]])
    out = tmp_path_factory.mktemp("org")
    profile, _, seed = name.partition("-")
    if profile == "random":
        synthesize(out, accounts=3, roles_per_account=40, seed=int(seed), profile="random")
    else:
        synthesize(out, accounts=3, roles_per_account=40, seed=5, profile=name)
    return name, load_estate([out])


def test_organizations_equal_reference(estate: tuple[str, Estate]) -> None:
    name, estate = estate[0], estate[1]
    index = _Index(estate, estate.default_zone())
    principals: list[tuple[str, bool, tuple[str, ...]]] = []
    for acct in estate.accounts:
        for u in acct.users:
            managed = (*u.managed_policy_arns, *(a for g in u.groups if g in acct.group_by_name
                                                 for a in acct.group_by_name[g].managed_policy_arns))
            principals.append((u.arn, True, managed))
        principals.extend((r.arn, False, r.managed_policy_arns) for r in acct.roles)
    assert principals
    reference, fast = AdminDecider(probe_texts=False), AdminDecider()
    answers = [(arn, reference.quick(index.identity_policies(arn), user, managed)) for arn, user, managed in principals]
    assert [(arn, fast.quick(index.identity_policies(arn), user, managed)) for arn, user, managed in principals] \
        == answers
    assert any(a is NOT_ADMIN for _, a in answers)  # both answers occur: the comparison can tell them apart
    if name in ("mix", "random-1", "random-3", "condition-heavy"):  # generated: administrators among them
        assert any(a is None for _, a in answers)
